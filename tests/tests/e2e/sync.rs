//! Devices syncing through a real relay process over loopback websockets.

use std::time::Duration;

use crate::support::{antenna_with_lead, create_antenna, revoke, volunteer};
use jiran_core::sync::{Problem, SyncState};
use jiran_core::testing::{family, need};
use jiran_core::*;
use jiran_tests::phone::converge;

const CONVERGE: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_volunteer_joins_and_records_reach_the_lead_both_ways() {
    let data = tempfile::tempdir().unwrap();
    let (relay, lead) = antenna_with_lead(data.path()).await;
    let members = lead.store.antenna(lead.antenna).unwrap().members;
    assert_eq!(
        members.len(),
        1,
        "the lead enrolled in the antenna document"
    );

    let fatma = lead
        .store
        .register_household(lead.antenna, family("Fatma Ben Ali", "+216 98 123 456"))
        .unwrap();
    let sami = volunteer(&relay, &lead, "Sami").await;
    converge(&[&lead, &sami], CONVERGE).await;
    assert_eq!(
        sami.store.household(fatma).unwrap().profile.members.len(),
        1
    );

    // Sami records a need while connected; it reaches the lead.
    sami.store
        .add_need(fatma, need(NeedCategory::Food, "5 people, no income"))
        .unwrap();
    converge(&[&lead, &sami], CONVERGE).await;
    assert_eq!(lead.store.household(fatma).unwrap().case.needs.len(), 1);
    assert_eq!(lead.store.antenna(lead.antenna).unwrap().members.len(), 2);
    let status = sami.engine.status(sami.antenna).unwrap();
    assert_eq!(status.state, SyncState::UpToDate);
    assert_eq!(status.pending_changes, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_work_done_offline_is_counted_then_sent_when_back_online() {
    let data = tempfile::tempdir().unwrap();
    let (relay, lead) = antenna_with_lead(data.path()).await;
    let sami = volunteer(&relay, &lead, "Sami").await;
    converge(&[&lead, &sami], CONVERGE).await;

    sami.engine.set_online(false);
    let hedi = sami
        .store
        .register_household(sami.antenna, family("Hédi Chaouch", "+216 22 555 010"))
        .unwrap();
    sami.store
        .add_need(hedi, need(NeedCategory::Rent, "April"))
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let offline = sami.engine.status(sami.antenna).unwrap();
    assert!(
        matches!(offline.state, SyncState::Offline { .. }),
        "{offline:?}"
    );
    assert!(offline.pending_changes >= 2, "{offline:?}");
    assert!(offline.message().starts_with("Offline"));
    assert!(
        lead.store.household(hedi).is_err(),
        "nothing left the phone"
    );

    sami.engine.set_online(true);
    converge(&[&lead, &sami], CONVERGE).await;
    assert_eq!(lead.store.household(hedi).unwrap().case.needs.len(), 1);
    assert_eq!(sami.engine.status(sami.antenna).unwrap().pending_changes, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_revoked_device_wipes_the_antenna_and_says_so() {
    let data = tempfile::tempdir().unwrap();
    let (relay, lead) = antenna_with_lead(data.path()).await;
    lead.store
        .register_household(lead.antenna, family("Fatma Ben Ali", "+216 98 123 456"))
        .unwrap();
    let sami = volunteer(&relay, &lead, "Sami").await;
    converge(&[&lead, &sami], CONVERGE).await;
    assert_eq!(
        sami.store
            .households(sami.antenna, &Default::default())
            .unwrap()
            .len(),
        1
    );

    let device_id = sami
        .store
        .relay_link(sami.antenna)
        .unwrap()
        .unwrap()
        .device_id;
    revoke(&relay.url, &lead.token(), lead.antenna, &device_id);
    let mut events = sami.store.subscribe();
    let status = tokio::time::timeout(CONVERGE, async {
        loop {
            if let Ok(StoreEvent::SyncStatus { status, .. }) = events.recv().await {
                if status.state == SyncState::NeedsAction(Problem::Revoked) {
                    return status;
                }
            }
        }
    })
    .await
    .expect("the device reports its revocation");
    assert!(status.message().contains("deleted"));
    assert!(sami
        .store
        .replication()
        .documents(sami.antenna)
        .unwrap()
        .is_empty());
    assert!(sami.store.replication().relay_links().unwrap().is_empty());
    let file = std::fs::read(sami.store.path()).unwrap();
    assert!(
        !file.windows(5).any(|w| w == b"Fatma"),
        "no trace of the household's name in the store file"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_phone_in_two_antennas_keeps_each_antennas_records_apart() {
    let data = tempfile::tempdir().unwrap();
    let (relay, marsa_lead) = antenna_with_lead(data.path()).await;
    let (_, khalled_code) = create_antenna(data.path(), "Beni Khalled");
    // Sami volunteers in La Marsa and leads Beni Khalled, from one phone.
    let sami = volunteer(&relay, &marsa_lead, "Sami").await;
    let khalled = sami
        .engine
        .join(&relay.url, &khalled_code, "Sami's phone", "Sami")
        .await
        .unwrap()
        .antenna;
    sami.synced().await;
    sami.engine
        .until_up_to_date(khalled, CONVERGE)
        .await
        .expect("the second antenna syncs too");
    let in_marsa = sami
        .store
        .register_household(sami.antenna, family("Fatma Ben Ali", "+216 98 123 456"))
        .unwrap();
    let in_khalled = sami
        .store
        .register_household(khalled, family("Hédi Chaouch", "+216 22 555 010"))
        .unwrap();
    sami.engine
        .until_up_to_date(khalled, CONVERGE)
        .await
        .expect("Beni Khalled's record reaches the relay");
    converge(&[&marsa_lead, &sami], CONVERGE).await;
    assert!(marsa_lead.store.household(in_marsa).is_ok());
    assert!(
        marsa_lead.store.household(in_khalled).is_err(),
        "La Marsa's lead never receives Beni Khalled's household"
    );
    assert_eq!(sami.store.replication().relay_links().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_volunteer_who_loses_coverage_right_after_joining_can_work_at_once() {
    let data = tempfile::tempdir().unwrap();
    let (mut relay, lead) = antenna_with_lead(data.path()).await;
    let code = crate::support::invite(&relay.url, &lead.token(), lead.antenna, "volunteer");
    // The join alone, no sync engine: then the relay goes away.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let link = jiran_core::sync::join(&store, &relay.url, &code, "Sami's phone", "Sami").unwrap();
    relay.kill();

    // The antenna and Sami's own enrolment are on disk: a family is registered offline.
    let antenna = store.antenna(link.antenna).unwrap();
    assert!(antenna
        .members
        .contains_key(&MemberId::from(link.device_id.clone())));
    let hedi = store
        .register_household(link.antenna, family("Hédi Chaouch", "+216 22 555 010"))
        .unwrap();
    store
        .add_need(hedi, need(NeedCategory::Food, "parcel"))
        .unwrap();
    drop(store);

    // Coverage returns: it reaches the lead, with Sami's enrolment.
    relay.restart();
    let sami = jiran_tests::phone::Phone::reopen("Sami", dir, jiran_tests::phone::quick_options());
    converge(&[&lead, &sami], CONVERGE).await;
    assert_eq!(lead.store.household(hedi).unwrap().case.needs.len(), 1);
    assert!(lead
        .store
        .antenna(lead.antenna)
        .unwrap()
        .members
        .contains_key(&MemberId::from(link.device_id)));
}
