//! The La Marsa day: three volunteers offline all day, a lead reviewing offline, everyone
//! reconnecting in a random order through a real relay process.

use std::time::Duration;

use crate::support::{create_antenna, invite, Relay};
use jiran_core::testing::{cash, delivery_in_dinars, family, need};
use jiran_core::*;
use jiran_tests::phone::{converge, Phone};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_la_marsa_day_every_record_reaches_every_phone() {
    let seed: u64 = std::env::var("JIRAN_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    println!("La Marsa day with JIRAN_SEED={seed}");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);

    let data = tempfile::tempdir().unwrap();
    let (_, code) = create_antenna(data.path(), "La Marsa – Cité Erriadh");
    let relay = Relay::start(data.path());
    let leila = Phone::join(&relay.url, &code, "Leila").await;
    leila.synced().await;
    let antenna = leila.antenna;
    let token = leila.store.relay_link(antenna).unwrap().unwrap().token;
    let donation = leila
        .store
        .record_donation(antenna, cash(300, "Boulangerie Ennour"))
        .unwrap();
    let mut volunteers = Vec::new();
    for name in ["Sami", "Amel", "Karim"] {
        let code = invite(&relay.url, &token, antenna, "volunteer");
        volunteers.push(Phone::join(&relay.url, &code, name).await);
    }
    let everyone: Vec<&Phone> = std::iter::once(&leila).chain(&volunteers).collect();
    converge(&everyone, Duration::from_secs(30)).await;

    // The morning: everyone goes out of coverage.
    for device in &everyone {
        device.engine.set_online(false);
    }
    let [sami, amel, karim] = [&volunteers[0], &volunteers[1], &volunteers[2]];
    let fatma_by_sami = sami
        .store
        .register_household(antenna, family("Fatma Ben Ali", "+216 98 123 456"))
        .unwrap();
    sami.store
        .add_need(fatma_by_sami, need(NeedCategory::Food, "5 people"))
        .unwrap();
    sami.store
        .record_delivery(
            antenna,
            delivery_in_dinars(fatma_by_sami, NeedCategory::Food, &donation, 200),
        )
        .unwrap();
    // Amel meets the same family at the market and registers it too.
    let fatma_by_amel = amel
        .store
        .register_household(antenna, family("fatma ben ali", "+216 98 123 456"))
        .unwrap();
    amel.store
        .add_note(fatma_by_amel, "the eldest son lost his job")
        .unwrap();
    let hedi = karim
        .store
        .register_household(antenna, family("Hédi Chaouch", "+216 22 555 010"))
        .unwrap();
    karim
        .store
        .add_need(hedi, need(NeedCategory::Rent, "April rent"))
        .unwrap();
    // Karim pays rent from the same donation: together with Sami, more than it holds.
    karim
        .store
        .record_delivery(
            antenna,
            delivery_in_dinars(hedi, NeedCategory::Rent, &donation, 150),
        )
        .unwrap();
    // Leila reviews offline: she adds a provider and registers a family herself.
    leila
        .store
        .add_provider(
            antenna,
            NewProvider {
                name: "Municipal social office".into(),
                sector: Sector::Public,
                serves: vec![NeedCategory::Rent],
                contact: "+216 71 000 000".into(),
                opening_hours: "Mon–Fri 8:00–12:00".into(),
            },
        )
        .unwrap();
    let salah = leila
        .store
        .register_household(antenna, family("Salah Trabelsi", "+216 55 777 888"))
        .unwrap();

    // The evening: back in coverage in a random order, a little apart.
    let mut order: Vec<&Phone> = everyone.clone();
    order.shuffle(&mut rng);
    for device in &order {
        device.engine.set_online(true);
        tokio::time::sleep(Duration::from_millis(rng.random_range(0..300))).await;
    }
    converge(&everyone, Duration::from_secs(60)).await;

    for device in &everyone {
        let who = &device.name;
        let store = &device.store;
        let listed = store.households(antenna, &Default::default()).unwrap();
        assert_eq!(listed.len(), 4, "{who} lists every household");
        assert_eq!(store.household(fatma_by_sami).unwrap().case.needs.len(), 1);
        assert_eq!(store.household(fatma_by_amel).unwrap().case.notes.len(), 1);
        assert_eq!(store.household(hedi).unwrap().case.needs.len(), 1);
        assert!(
            store.household(salah).is_ok(),
            "{who} has the lead's family"
        );
        assert_eq!(store.antenna(antenna).unwrap().providers.len(), 1);
        assert_eq!(store.antenna(antenna).unwrap().members.len(), 4);
        let duplicates = store.possible_duplicates(antenna).unwrap();
        assert!(
            duplicates
                .iter()
                .any(|d| [d.keep, d.other].contains(&fatma_by_sami)
                    && [d.keep, d.other].contains(&fatma_by_amel)),
            "{who} is shown the family registered twice: {duplicates:?}"
        );
        let over = store.over_allocations(antenna).unwrap();
        assert_eq!(over.len(), 1, "{who} is shown the over-allocated donation");
        assert_eq!(over[0].deliveries.len(), 2);
        assert_eq!(
            device.engine.status(antenna).unwrap().pending_changes,
            0,
            "{who} has nothing left to send"
        );
    }
}
