//! The store's guarantees: durability across reopen, compaction without loss, refusing
//! corrupt or newer files untouched, events, imports of bad bytes.

use jiran_core::*;

use crate::support::*;

#[test]
fn test_everything_recorded_is_there_after_reopening() {
    let (device, antenna) = antenna();
    let id = device
        .store
        .register_household(antenna, household("Amel", Some("98 765 432")))
        .unwrap();
    device.store.add_note(id, "kept").unwrap();
    let cash = device.store.record_donation(antenna, money(5_000)).unwrap();
    device
        .store
        .record_delivery(antenna, delivery(id, &cash, 2_000))
        .unwrap();
    let before = device.store.household(id).unwrap();

    let device = device.reopen();
    assert_eq!(device.store.household(id).unwrap(), before);
    assert_eq!(device.store.search(antenna, "98765", 5).unwrap()[0].id, id);
    assert_eq!(
        device.store.donation_balances(antenna).unwrap()[0].remaining,
        3_000
    );
}

#[test]
fn test_compaction_snapshots_large_documents_without_losing_a_change() {
    let (device, antenna) = antenna();
    let id = device
        .store
        .register_household(antenna, household("Amel", None))
        .unwrap();
    let text = "x".repeat(2_000);
    for i in 0..200 {
        device.store.add_note(id, &format!("{i} {text}")).unwrap();
    }
    let db = rusqlite::Connection::open(device.store.path()).unwrap();
    let (snapshot, pending): (Option<Vec<u8>>, i64) = db
        .query_row(
            "SELECT snapshot, (SELECT count(*) FROM changes WHERE doc_id = ?1) FROM documents WHERE id = ?1",
            [id.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    drop(db);
    assert!(snapshot.is_some(), "the document was compacted");
    assert!(
        pending < 200,
        "appended changes were folded into the snapshot"
    );
    let device = device.reopen();
    assert_eq!(device.store.household(id).unwrap().case.notes.len(), 200);
}

fn store_file(device: &Device) -> std::path::PathBuf {
    device.store.path().to_owned()
}

#[test]
fn test_a_file_that_is_not_a_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(store::DATABASE_FILE);
    let garbage = b"these are not the droids you are looking for".repeat(100);
    std::fs::write(&path, &garbage).unwrap();
    assert!(matches!(
        Store::open(dir.path()),
        Err(Error::CorruptStore(_))
    ));
    assert_eq!(std::fs::read(&path).unwrap(), garbage);
}

#[test]
fn test_another_applications_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(store::DATABASE_FILE);
    let other = rusqlite::Connection::open(&path).unwrap();
    other
        .execute_batch("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('x');")
        .unwrap();
    drop(other);
    let before = std::fs::read(&path).unwrap();
    assert!(matches!(
        Store::open(dir.path()),
        Err(Error::CorruptStore(_))
    ));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn test_a_store_from_a_newer_version_is_refused_and_left_untouched() {
    let (device, _) = antenna();
    let path = store_file(&device);
    let dir = device.dir;
    drop(device.store);
    let db = rusqlite::Connection::open(&path).unwrap();
    db.pragma_update(None, "user_version", 99).unwrap();
    db.pragma_update(None, "journal_mode", "DELETE").unwrap();
    drop(db);
    let before = std::fs::read(&path).unwrap();
    match Store::open(dir.path()) {
        Err(Error::NewerStore {
            found: 99,
            supported,
        }) => assert!(supported < 99),
        other => panic!("expected NewerStore, got {other:?}"),
    }
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(
        !dir.path()
            .join(format!("{}-wal", store::DATABASE_FILE))
            .exists(),
        "not even a WAL file was created"
    );
}

#[test]
fn test_a_damaged_store_is_refused() {
    let (device, antenna) = antenna();
    for i in 0..300 {
        device
            .store
            .register_household(antenna, household(&format!("Person {i}"), None))
            .unwrap();
    }
    let path = store_file(&device);
    let dir = device.dir;
    drop(device.store);
    let db = rusqlite::Connection::open(&path).unwrap();
    db.pragma_update(None, "journal_mode", "DELETE").unwrap();
    drop(db);
    // Overwrite the middle of the file, past the header: pages become garbage.
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    for b in &mut bytes[middle..middle + 8192] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    assert!(matches!(
        Store::open(dir.path()),
        Err(Error::CorruptStore(_))
    ));
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[test]
fn test_subscribers_hear_of_every_change_once_it_is_on_disk() {
    let (device, antenna) = antenna();
    let mut events = device.store.subscribe();
    let id = device
        .store
        .register_household(antenna, household("Amel", None))
        .unwrap();
    let cash = device.store.record_donation(antenna, money(100)).unwrap();
    let mut seen = Vec::new();
    while let Ok(event) = events.try_recv() {
        seen.push(event);
    }
    assert!(seen.contains(&StoreEvent::HouseholdChanged {
        antenna,
        household: id
    }));
    assert!(seen.contains(&StoreEvent::AntennaChanged(antenna)));
    assert!(seen
        .iter()
        .any(|e| matches!(e, StoreEvent::LedgerChanged { antenna: a, .. } if *a == antenna)));
    // A refused action announces nothing.
    assert!(device
        .store
        .record_delivery(antenna, delivery(id, &cash, 101))
        .is_err());
    assert!(events.try_recv().is_err());
}

#[test]
fn test_malformed_or_foreign_imports_are_refused_and_store_nothing() {
    let (device, antenna) = antenna();
    let id = device
        .store
        .register_household(antenna, household("Amel", None))
        .unwrap();
    let before = device.store.replication().heads(id.document()).unwrap();
    assert!(matches!(
        device
            .store
            .replication()
            .import(id.document(), b"not automerge"),
        Err(Error::MalformedChanges(_))
    ));
    assert_eq!(
        device.store.replication().heads(id.document()).unwrap(),
        before
    );

    // A household of an antenna this device never joined.
    let (stranger, other_antenna) = crate::support::antenna();
    let foreign = stranger
        .store
        .register_household(other_antenna, household("Borhen", None))
        .unwrap();
    let bytes = stranger
        .store
        .replication()
        .export_document(foreign.document())
        .unwrap()
        .unwrap();
    assert!(matches!(
        device
            .store
            .replication()
            .import(foreign.document(), &bytes),
        Err(Error::NotAMember(_))
    ));
    assert!(device
        .store
        .replication()
        .heads(foreign.document())
        .unwrap()
        .is_none());

    // A document claiming to be the household but of another antenna.
    let imposter = stranger
        .store
        .replication()
        .export_document(other_antenna.document())
        .unwrap()
        .unwrap();
    assert!(matches!(
        device.store.replication().import(id.document(), &imposter),
        Err(Error::MalformedChanges(_))
    ));
    assert_eq!(
        device.store.replication().heads(id.document()).unwrap(),
        before
    );
    assert_eq!(device.store.household(id).unwrap().profile.members.len(), 1);
}

/// Found by the `hub_messages` fuzz target: the automerge crate (0.12) panics on this change
/// (743 bytes of a fuzzed sync message: an object id's counter past `u32::MAX`). From a peer
/// (the relay, a copied file) that is a malformed import like any other: refused, nothing
/// stored, the store still working. When a newer automerge no longer panics on it, the first
/// assertion says so and the fixture can go.
#[test]
fn test_a_change_the_automerge_crate_panics_on_is_refused_and_stores_nothing() {
    let (device, antenna) = antenna();
    let id = device
        .store
        .register_household(antenna, household("Amel", None))
        .unwrap();
    let replication = device.store.replication();
    let before = replication.heads(id.document()).unwrap();
    let hostile = jiran_core::testing::hostile::CHANGE_AUTOMERGE_PANICS_ON.to_vec();
    let panics = std::panic::catch_unwind(|| automerge::Change::from_bytes(hostile.clone()));
    assert!(
        panics.is_err(),
        "the fixture still makes the automerge crate panic"
    );
    for target in [id.document(), DocumentId::random()] {
        assert!(matches!(
            replication.import(target, &hostile),
            Err(Error::MalformedChanges(_))
        ));
    }
    let mut state = automerge::sync::State::new();
    let message = jiran_core::testing::hostile::sync_message_carrying(vec![hostile]);
    assert!(matches!(
        replication.receive_sync_message(id.document(), &mut state, message),
        Err(Error::MalformedChanges(_))
    ));
    assert_eq!(replication.heads(id.document()).unwrap(), before);
    assert_eq!(device.store.household(id).unwrap().profile.members.len(), 1);
    device.store.add_note(id, "still working").unwrap();
}

#[test]
fn test_the_search_index_can_be_rebuilt_from_the_documents() {
    let (device, antenna) = antenna();
    let id = device
        .store
        .register_household(antenna, household("Youssef Gharbi", Some("55 111 222")))
        .unwrap();
    let cash = device.store.record_donation(antenna, money(100)).unwrap();
    device
        .store
        .record_delivery(antenna, delivery(id, &cash, 40))
        .unwrap();
    let db = rusqlite::Connection::open(device.store.path()).unwrap();
    db.execute_batch("DELETE FROM search_terms; DELETE FROM households; DELETE FROM allocations;")
        .unwrap();
    drop(db);
    assert!(device
        .store
        .search(antenna, "youssef", 5)
        .unwrap()
        .is_empty());
    device.store.replication().rebuild_indexes().unwrap();
    assert_eq!(device.store.search(antenna, "يوسف", 5).unwrap()[0].id, id);
    assert_eq!(
        device.store.donation_balances(antenna).unwrap()[0].remaining,
        60
    );
}
