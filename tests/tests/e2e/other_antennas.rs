//! Two antennas on one relay learn that they help the same family, through keyed hashes only:
//! the relay never holds the key, and neither antenna learns anything of the other's
//! households but that one of its own is helped there too.

use crate::support::{create_antenna, invite, Relay};
use jiran_core::testing::family;
use jiran_core::workflows::other_antennas::FederationKey;
use jiran_core::workflows::other_antennas::{check_other_antennas, leave_blinded_index};
use jiran_core::*;
use jiran_tests::phone::Phone;
use serde_json::json;

/// `PUT /v1/antennas/{id}/blinded-index` by hand: the status the relay answers.
fn put_index(relay: &Relay, device: &Phone, body: serde_json::Value) -> u16 {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    agent
        .put(&format!(
            "{}/v1/antennas/{}/blinded-index",
            relay.url, device.antenna
        ))
        .header("Authorization", &format!("Bearer {}", device.token()))
        .send_json(body)
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_two_antennas_learn_they_help_the_same_family_and_nothing_else() {
    let data = tempfile::tempdir().unwrap();
    let (_, marsa_code) = create_antenna(data.path(), "La Marsa");
    let (_, khalled_code) = create_antenna(data.path(), "Beni Khalled");
    let (_, ariana_code) = create_antenna(data.path(), "Ariana");
    let relay = Relay::start(data.path());
    let leila = Phone::join(&relay.url, &marsa_code, "Leila").await;
    let hedi = Phone::join(&relay.url, &khalled_code, "Hedi").await;
    let sonia = Phone::join(&relay.url, &ariana_code, "Sonia").await;
    for lead in [&leila, &hedi, &sonia] {
        lead.synced().await;
    }

    // La Marsa and Beni Khalled both help Fatma (her phone typed two ways) and Hamza (his
    // national ID typed two ways); each also helps a family the other does not know.
    let fatma = leila
        .store
        .register_household(leila.antenna, family("Fatma Ben Ali", "+216 98 123 456"))
        .unwrap();
    let hamza = leila
        .store
        .register_household(leila.antenna, family("Hamza Trabelsi", "+216 20 000 001"))
        .unwrap();
    leila
        .store
        .edit_household(
            hamza,
            HouseholdEdit {
                national_id: Some(Some("0812 3456".into())),
                ..Default::default()
            },
        )
        .unwrap();
    leila
        .store
        .register_household(leila.antenna, family("Amel Jaziri", "+216 50 111 222"))
        .unwrap();
    let their_fatma = hedi
        .store
        .register_household(hedi.antenna, family("فاطمة بن علي", "98123456"))
        .unwrap();
    let their_hamza = hedi
        .store
        .register_household(hedi.antenna, family("Hamza Trabelsi", "+216 29 999 999"))
        .unwrap();
    hedi.store
        .edit_household(
            their_hamza,
            HouseholdEdit {
                national_id: Some(Some("08123456".into())),
                ..Default::default()
            },
        )
        .unwrap();
    hedi.store
        .register_household(hedi.antenna, family("Mongi Saidi", "+216 55 333 444"))
        .unwrap();
    // Ariana helps Fatma too, but is in another federation (another key).
    sonia
        .store
        .register_household(sonia.antenna, family("Fatma Ben Ali", "98 123 456"))
        .unwrap();

    let key = FederationKey::generate();
    // The key travels between leads by hand, as text.
    let typed = FederationKey::parse(&key.to_text()).unwrap();
    assert!(matches!(
        check_other_antennas(&leila.store, leila.antenna, "Leila, 22 000 000"),
        Err(Error::Invalid {
            field: "federation_key",
            ..
        })
    ));
    leila
        .store
        .set_federation_key(leila.antenna, Some(&key))
        .unwrap();
    hedi.store
        .set_federation_key(hedi.antenna, Some(&typed))
        .unwrap();
    sonia
        .store
        .set_federation_key(sonia.antenna, Some(&FederationKey::generate()))
        .unwrap();

    // The first to opt in finds no one yet.
    assert!(
        check_other_antennas(&leila.store, leila.antenna, "Leila, 22 000 000")
            .unwrap()
            .is_empty()
    );
    assert!(
        check_other_antennas(&sonia.store, sonia.antenna, "Sonia, ariana@example.org")
            .unwrap()
            .is_empty()
    );
    // The second finds the two shared families, and who to call.
    let found = check_other_antennas(&hedi.store, hedi.antenna, "Hedi, 97 000 000").unwrap();
    let mut households: Vec<HouseholdId> = found.iter().map(|f| f.household).collect();
    households.sort();
    let mut expected = vec![their_fatma, their_hamza];
    expected.sort();
    assert_eq!(households, expected);
    for also in &found {
        assert_eq!(
            also.antennas.len(),
            1,
            "Ariana's key differs: never matched"
        );
        assert_eq!(also.antennas[0].name, "La Marsa");
        assert_eq!(also.antennas[0].contact, "Leila, 22 000 000");
    }
    // And the first, asking again, sees it the other way round.
    let found = check_other_antennas(&leila.store, leila.antenna, "Leila, 22 000 000").unwrap();
    let mut households: Vec<HouseholdId> = found.iter().map(|f| f.household).collect();
    households.sort();
    let mut expected = vec![fatma, hamza];
    expected.sort();
    assert_eq!(households, expected);
    assert!(found.iter().all(
        |f| f.antennas[0].name == "Beni Khalled" && f.antennas[0].contact == "Hedi, 97 000 000"
    ));

    // The relay checks what it is sent, and only a lead may send it.
    assert_eq!(
        put_index(
            &relay,
            &leila,
            json!({"contact": "Leila", "hashes": ["98123456"]})
        ),
        400,
        "a phone number in clear is not a blinded hash"
    );
    assert_eq!(
        put_index(&relay, &leila, json!({"contact": "", "hashes": []})),
        400
    );
    let sami = Phone::join(
        &relay.url,
        &invite(&relay.url, &leila.token(), leila.antenna, "volunteer"),
        "Sami",
    )
    .await;
    assert_eq!(
        put_index(&relay, &sami, json!({"contact": "Sami", "hashes": []})),
        403
    );
    sami.store
        .set_federation_key(sami.antenna, Some(&key))
        .expect_err("a volunteer keeps no federation key");
    assert!(matches!(
        check_other_antennas(&sami.store, sami.antenna, "Sami"),
        Err(Error::NotPermitted { .. })
    ));
    // The bad requests changed nothing.
    assert_eq!(
        check_other_antennas(&hedi.store, hedi.antenna, "Hedi, 97 000 000")
            .unwrap()
            .len(),
        2
    );

    // Leaving the index: no one finds La Marsa any more.
    leave_blinded_index(&leila.store, leila.antenna).unwrap();
    assert!(
        check_other_antennas(&hedi.store, hedi.antenna, "Hedi, 97 000 000")
            .unwrap()
            .is_empty()
    );
}
