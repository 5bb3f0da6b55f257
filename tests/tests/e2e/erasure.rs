//! Erasing a household through a real relay process: its name and phone leave every byte of
//! every SQLite file (devices and relay, write-ahead logs included), the accounts still add
//! up, and a phone that was offline during the erasure cannot bring the household back.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::support::{antenna_with_lead, volunteer};
use jiran_core::sync::SyncState;
use jiran_core::testing::{cash, delivery_in_dinars, family};
use jiran_core::*;
use jiran_tests::phone::converge;

const CONVERGE: Duration = Duration::from_secs(30);

/// Written in small changes (which Automerge stores uncompressed), so the "before" checks
/// below prove the scan would see them.
const NAME: &str = "Sabrina Zribi-Haddad";
const PHONE: &str = "+216 22 913 407";

/// The SQLite files of a store or relay directory: the database and its write-ahead log.
fn sqlite_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.contains(".sqlite3") {
            files.push(path);
        }
    }
    assert!(!files.is_empty(), "no SQLite file in {}", dir.display());
    files
}

/// The files under `dir` whose bytes contain `needle`.
fn files_holding(dir: &Path, needle: &str) -> Vec<PathBuf> {
    sqlite_files(dir)
        .into_iter()
        .filter(|file| {
            let bytes = std::fs::read(file).unwrap();
            bytes
                .windows(needle.len())
                .any(|window| window == needle.as_bytes())
        })
        .collect()
}

fn holds_nothing_of_the_family(dir: &Path, who: &str) {
    for needle in [NAME, PHONE, "Zribi"] {
        let found = files_holding(dir, needle);
        assert!(found.is_empty(), "{who}: {needle:?} is still in {found:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_an_erased_household_leaves_no_byte_anywhere_and_a_long_offline_phone_cannot_bring_it_back(
) {
    let data = tempfile::tempdir().unwrap();
    let (relay, lead) = antenna_with_lead(data.path()).await;
    let sami = volunteer(&relay, &lead, "Sami").await;
    let amira = volunteer(&relay, &lead, "Amira").await;

    // Sami registers the family; the lead corrects the phone and writes a note; a delivery is
    // paid from a donation.
    let antenna = lead.antenna;
    let household = sami
        .store
        .register_household(antenna, family(NAME, "+216 98 000 000"))
        .unwrap();
    let donation = sami
        .store
        .record_donation(antenna, cash(100, "Hedi"))
        .unwrap();
    sami.store
        .record_delivery(
            antenna,
            delivery_in_dinars(household, NeedCategory::Food, &donation, 30),
        )
        .unwrap();
    let neighbour = sami
        .store
        .register_household(antenna, family("Hamza Trabelsi", "+216 55 111 222"))
        .unwrap();
    converge(&[&lead, &sami, &amira], CONVERGE).await;
    lead.store
        .edit_household(
            household,
            HouseholdEdit {
                phone: Some(Some(PHONE.into())),
                ..Default::default()
            },
        )
        .unwrap();
    lead.store.add_note(household, NAME).unwrap();
    converge(&[&lead, &sami, &amira], CONVERGE).await;

    // Amira goes offline for months with the household on her phone, and keeps working on it.
    amira.engine.set_online(false);
    amira
        .store
        .add_note(household, "Zribi family asked again about the rent")
        .unwrap();

    // Before: the scan does see the family, on every phone and on the relay.
    for (dir, who) in [
        (lead.dir.path(), "lead"),
        (sami.dir.path(), "Sami"),
        (amira.dir.path(), "Amira"),
        (data.path(), "relay"),
    ] {
        assert!(
            !files_holding(dir, PHONE).is_empty(),
            "{who}: the phone should be found before the erasure"
        );
    }

    // A volunteer may not erase; the lead does.
    assert!(matches!(
        sami.store.erase_household(household),
        Err(Error::NotPermitted { .. })
    ));
    lead.store.erase_household(household).unwrap();
    holds_nothing_of_the_family(lead.dir.path(), "lead, right after erasing");
    converge(&[&lead, &sami], CONVERGE).await;

    for (device, who) in [(&lead, "lead"), (&sami, "Sami")] {
        assert!(matches!(
            device.store.household(household),
            Err(Error::UnknownHousehold(_))
        ));
        let listed = device
            .store
            .households(antenna, &HouseholdFilter::default())
            .unwrap();
        assert_eq!(listed.len(), 1, "{who}: only the neighbour is left");
        assert_eq!(listed[0].id, neighbour);
        // The accounts still add up: the delivery's amount stays, without identity.
        let balance = &device.store.donation_balances(antenna).unwrap()[0];
        assert_eq!((balance.delivered, balance.remaining), (30_000, 70_000));
        assert_eq!(balance.households_reached, 1);
        holds_nothing_of_the_family(device.dir.path(), who);
    }
    holds_nothing_of_the_family(data.path(), "relay");
    assert_eq!(
        lead.store.erased_households(antenna).unwrap().len(),
        1,
        "the tombstone stays in the antenna document"
    );

    // Months later Amira comes back with her old copy and an unsent note: the relay refuses it,
    // her phone applies the erasure, and no one sees the household again.
    assert!(amira.store.household(household).is_ok());
    amira.engine.set_online(true);
    let status = amira.synced().await;
    assert_eq!(
        status.state,
        SyncState::UpToDate,
        "an erased household is not a problem to act on"
    );
    converge(&[&lead, &sami, &amira], CONVERGE).await;
    assert!(matches!(
        amira.store.household(household),
        Err(Error::UnknownHousehold(_))
    ));
    for (device, who) in [(&lead, "lead"), (&sami, "Sami"), (&amira, "Amira")] {
        assert!(device.store.household(household).is_err(), "{who}");
        holds_nothing_of_the_family(device.dir.path(), who);
    }
    holds_nothing_of_the_family(data.path(), "relay");

    // The files stay clean once the relay process is gone.
    drop(relay);
    holds_nothing_of_the_family(data.path(), "relay, stopped");
}
