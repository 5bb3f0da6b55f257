//! Automerge content: sync data and changes a modified phone writes by hand (raw Automerge,
//! bypassing jiran-core), against the canary's antenna. Each refused change is stored
//! nowhere: the document it targets keeps the heads it had.

use automerge::sync::{self, SyncDoc};
use automerge::transaction::{Transactable, Transaction};
use automerge::{ActorId, ObjId, ObjType, ROOT};
use jiran_core::document::{skeleton_actor, write_header, DocumentKind};
use jiran_core::{AntennaId, DocumentId, Month};

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_hostile_automerge_content() {
    Canary::start("content", "").await.run(cases()).await;
}

async fn document_without_a_header(c: &Canary) {
    let mut doc = doc_with("k", "no header");
    let id = rand_id();
    let outcome = connect(&c.relay, &c.volunteer)
        .await
        .sync(&id, &mut doc)
        .await;
    assert_eq!(
        outcome,
        Outcome::Synced,
        "the relay stores it (stock clients need it)"
    );
    let code = invite(
        &c.relay.url,
        &c.lead_creds.token,
        c.lead.antenna,
        "volunteer",
    );
    c.secret(code.clone());
    let fresh = Phone::join(&c.relay.url, &code, "Nadia").await;
    c.secret(fresh.token());
    let status = fresh
        .engine
        .until_up_to_date(fresh.antenna, Duration::from_secs(15))
        .await;
    assert!(
        status.is_ok(),
        "a new phone never got up to date: {status:?}"
    );
    let id: DocumentId = id.parse().unwrap();
    assert_eq!(
        fresh.store.replication().heads(id).unwrap(),
        None,
        "the phone stored nothing of it"
    );
}

pub fn cases() -> Vec<Case> {
    vec![
        case!(document_without_a_header, "a volunteer's new document with no Jiran header (what a stock automerge-repo client writes)", "the relay stores it (stock clients need it); a new phone of the antenna still gets up to date and stores nothing of it"),
        case!(malformed_sync_data, "a `sync` whose data is not an automerge sync message", "1002, `error` and reason \"malformed automerge sync message\""),
        case!(change_automerge_panics_on, "a sync message for the canary carrying a change the automerge crate 0.12 panics on (an object id's counter past u32::MAX; found by the `hub_messages` fuzz target)", "answered as a message that brought nothing (the automerge crate's receive skips the change); the relay goes on and the canary keeps its heads"),
        case!(corrupted_change_bytes, "a sync message carrying a change whose bytes were altered", "1002 \"the changes sent could not be applied\" or \"malformed automerge sync message\"; nothing stored"),
        case!(sync_messages_without_changes, "200 sync messages for new document ids that carry no change", "each answered with a sync reply; no document created (the change feed is unchanged)"),
        case!(change_with_a_missing_dependency, "a change to the canary whose parent change is withheld", "not stored (the canary keeps its heads, the change is not served)"),
        case!(change_under_the_leads_actor, "a volunteer's new document written under the lead phone's device key", "4403 \"a change is under another device's actor id\""),
        case!(forged_skeleton_actor, "a change under a document's skeleton actor that is not its skeleton", "4403 \"a change claims the document's skeleton actor but is not its skeleton\""),
        case!(volunteer_promotes_itself, "a volunteer's own member entry with role `lead`", "4403 \"a member entry's role must be the role of the device's token\"; the antenna document unchanged"),
        case!(volunteer_demotes_the_lead, "a volunteer setting the lead's member role to `volunteer`", "4403 \"a device that is not a lead may change only its own member entry\""),
        case!(volunteer_erases_the_canary, "a volunteer writing a tombstone for the canary household", "4403 \"only an antenna lead may erase a household\""),
        case!(volunteer_renames_the_antenna, "a volunteer changing the antenna's name", "4403 \"only an antenna lead may change the antenna's name, locality or creation time\""),
        case!(canary_schema_vandalised, "the canary's `schema` set to 99", "4403 \"a document's schema, kind, antenna and period never change\""),
        case!(canary_moved_to_another_antenna, "the canary's `antenna` set to the other antenna's id", "4403 \"a document's schema, kind, antenna and period never change\""),
        case!(canary_profile_replaced_whole, "the canary's `profile` map replaced by a new one", "4403 \"a household's profile and case are never replaced whole\""),
        case!(new_document_of_another_antenna, "a new household whose header names another antenna", "4403 \"a new document must belong to the sending device's antenna\""),
        case!(new_document_with_half_a_header, "a new document with `schema` and no `kind` or `antenna`", "4403 \"a new document needs a whole header\""),
        case!(ledger_under_a_wrong_id, "a ledger created under a random id instead of ledger_id(antenna, month)", "4403 \"a ledger's id must be ledger_id(antenna, period)\""),
        case!(other_antenna_writes_the_canary, "another antenna's lead sending a change to the canary it copied", "doc-unavailable, as for a document that does not exist; nothing stored"),
        case!(observer_writes_the_canary, "an observer sending a change to the canary", "the change is dropped: the canary keeps its heads"),
        case!(erased_household_resurrected, "a volunteer resending a household the lead erased, with a new change", "doc-unavailable; the household stays erased"),
        case!(lead_removes_a_tombstone, "the lead's key removing a tombstone from the antenna document", "4403 \"tombstones are never removed\""),
        case!(lead_tombstones_the_antenna_document, "the lead's key writing a tombstone for the antenna document itself", "4403 \"a tombstone must name a household document of this antenna\""),
        case!(lead_leaves_no_lead, "the lead's key setting its own role to `volunteer`", "4403 \"an antenna must keep at least one member whose role is lead\""),
    ]
}

/// One change to `doc`.
fn change(doc: &mut Automerge, f: impl FnOnce(&mut Transaction<'_>)) {
    let mut tx = doc.transaction();
    f(&mut tx);
    tx.commit();
}

/// The map at `path` inside a transaction.
fn map(tx: &Transaction<'_>, path: &[&str]) -> ObjId {
    let mut obj = ROOT;
    for key in path {
        obj = match tx.get(&obj, *key).unwrap() {
            Some((automerge::Value::Object(_), id)) => id,
            other => panic!("no map at {key}: {other:?}"),
        };
    }
    obj
}

/// The document's heads as an honest device fetches them now.
async fn heads(c: &Canary, doc_id: &str) -> Vec<ChangeHash> {
    let (outcome, doc) = fetch(&c.relay, &c.witness, doc_id).await;
    assert_eq!(outcome, Outcome::Synced, "{doc_id} is served");
    doc.get_heads()
}

/// `device` edits its fresh copy of `doc_id` with `f` and sends it: the relay must close it
/// with 4403 and `reason`, and the stored document must keep its heads.
async fn refused(
    c: &Canary,
    device: &Credentials,
    actor: Option<ActorId>,
    doc_id: &str,
    f: impl FnOnce(&mut Transaction<'_>),
    reason: &str,
) {
    let before = heads(c, doc_id).await;
    let (outcome, mut doc) = fetch(&c.relay, device, doc_id).await;
    assert_eq!(outcome, Outcome::Synced);
    if let Some(actor) = actor {
        doc.set_actor(actor);
    }
    change(&mut doc, f);
    match connect(&c.relay, device).await.sync(doc_id, &mut doc).await {
        Outcome::Closed(4403, why) => assert!(why.contains(reason), "{why:?} lacks {reason:?}"),
        other => panic!("not refused with 4403 {reason:?}: {other:?}"),
    }
    assert_eq!(heads(c, doc_id).await, before, "something of it was stored");
}

/// `device` sends a new document: the relay must close it with 4403 and `reason`, and store
/// nothing.
async fn refused_new(
    c: &Canary,
    device: &Credentials,
    doc_id: &str,
    mut doc: Automerge,
    reason: &str,
) {
    match connect(&c.relay, device).await.sync(doc_id, &mut doc).await {
        Outcome::Closed(4403, why) => assert!(why.contains(reason), "{why:?} lacks {reason:?}"),
        other => panic!("not refused with 4403 {reason:?}: {other:?}"),
    }
    assert_eq!(
        fetch(&c.relay, &c.witness, doc_id).await.0,
        Outcome::Unavailable,
        "the refused document was stored"
    );
}

fn antenna_doc(c: &Canary) -> String {
    c.lead.antenna.to_string()
}

fn lead_actor(c: &Canary) -> ActorId {
    c.lead.store.device_key().actor()
}

async fn malformed_sync_data(c: &Canary) {
    let mut peer = connect(&c.relay, &c.volunteer).await;
    let message = peer.sync_message(&c.household_doc, b"\x42garbage".to_vec(), false);
    peer.send(&message).await;
    assert_closed(&mut peer, 1002, "malformed automerge sync message").await;
}

async fn corrupted_change_bytes(c: &Canary) {
    let doc_id = rand_id();
    let doc = doc_with("k", "a value long enough to be worth corrupting");
    let mut message = doc.generate_sync_message(&mut sync::State::new()).unwrap();
    let change = doc.get_last_local_change().unwrap().raw_bytes().to_vec();
    let mut bad = change.clone();
    let middle = bad.len() / 2;
    bad[middle] ^= 0xff;
    message.changes = vec![bad].into();
    let mut peer = connect(&c.relay, &c.volunteer).await;
    let sync = peer.sync_message(&doc_id, message.encode(), false);
    peer.send(&sync).await;
    let (code, reason, _) = closed_with(&mut peer, Duration::from_secs(10)).await;
    assert_eq!(code, 1002, "{reason}");
    assert!(
        reason.contains("the changes sent could not be applied")
            || reason.contains("malformed automerge sync message"),
        "{reason}"
    );
    assert_eq!(
        fetch(&c.relay, &c.witness, &doc_id).await.0,
        Outcome::Unavailable
    );
}

async fn change_automerge_panics_on(c: &Canary) {
    let message = jiran_core::testing::hostile::sync_message_carrying(vec![
        jiran_core::testing::hostile::CHANGE_AUTOMERGE_PANICS_ON.to_vec(),
    ]);
    // The harness then checks that the canary is served with its heads unchanged.
    let mut peer = connect(&c.relay, &c.volunteer).await;
    let sync = peer.sync_message(&c.household_doc, message.encode(), false);
    peer.send(&sync).await;
    match peer.next(Duration::from_secs(10)).await {
        Some(Ok(Message::Sync { document_id, .. })) => assert_eq!(document_id, c.household_doc),
        other => panic!("expected the relay's sync answer, got {other:?}"),
    }
    reads_canary(c, &mut peer).await;
}

async fn sync_messages_without_changes(c: &Canary) {
    let before = feed(c, &c.witness).await;
    let mut peer = connect(&c.relay, &c.volunteer).await;
    let offer = doc_with("name", "x");
    for i in 0..200 {
        let doc = if i % 2 == 0 {
            Automerge::new()
        } else {
            offer.clone()
        };
        let data = doc
            .generate_sync_message(&mut sync::State::new())
            .unwrap()
            .encode();
        let message = peer.sync_message(&rand_id(), data, false);
        peer.send(&message).await;
    }
    let mut answered = 0;
    while let Some(next) = peer.next(Duration::from_secs(2)).await {
        match next {
            Ok(Message::Sync { .. }) => answered += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(answered, 200);
    assert_eq!(
        feed(c, &c.witness).await,
        before,
        "documents were created from nothing"
    );
}

async fn change_with_a_missing_dependency(c: &Canary) {
    let (outcome, mut doc) = fetch(&c.relay, &c.volunteer, &c.household_doc).await;
    assert_eq!(outcome, Outcome::Synced);
    let mut state = sync::State::new();
    // What the relay has: the canary's heads.
    state.shared_heads = doc.get_heads();
    put(&mut doc, "withheld", "parent");
    let parent = doc.get_last_local_change().unwrap().hash();
    put(&mut doc, "orphan", "child");
    let orphan = doc.get_last_local_change().unwrap();
    let mut message = doc.generate_sync_message(&mut state).unwrap();
    message.changes = vec![orphan.raw_bytes().to_vec()].into();
    message.heads = vec![orphan.hash()];
    let mut peer = connect(&c.relay, &c.volunteer).await;
    let sync = peer.sync_message(&c.household_doc, message.encode(), false);
    peer.send(&sync).await;
    // Whatever the relay answers (it asks for what it lacks), nothing of it is kept.
    while let Some(Ok(_)) = peer.next(Duration::from_secs(2)).await {}
    let (_, fresh) = fetch(&c.relay, &c.witness, &c.household_doc).await;
    assert!(
        fresh.get_change_by_hash(&orphan.hash()).is_none(),
        "the orphan was stored"
    );
    assert!(fresh.get_change_by_hash(&parent).is_none());
}

async fn change_under_the_leads_actor(c: &Canary) {
    let mut doc = Automerge::new().with_actor(lead_actor(c));
    put(&mut doc, "k", "forged as the lead");
    refused_new(
        c,
        &c.volunteer,
        &rand_id(),
        doc,
        "a change is under another device's actor id",
    )
    .await;
}

async fn forged_skeleton_actor(c: &Canary) {
    let id = DocumentId::random();
    let mut doc = Automerge::new().with_actor(skeleton_actor(id));
    put(&mut doc, "k", "not a skeleton");
    refused_new(
        c,
        &c.volunteer,
        &id.to_string(),
        doc,
        "a change claims the document's skeleton actor but is not its skeleton",
    )
    .await;
}

async fn volunteer_promotes_itself(c: &Canary) {
    let me = c.volunteer.id.clone();
    refused(
        c,
        &c.volunteer,
        None,
        &antenna_doc(c),
        |tx| {
            let members = map(tx, &["members"]);
            let entry = tx.put_object(&members, me.as_str(), ObjType::Map).unwrap();
            tx.put(&entry, "display_name", "Mallory").unwrap();
            tx.put(&entry, "role", "lead").unwrap();
            tx.put(&entry, "joined_at", 1_700_000_000_000i64).unwrap();
        },
        "a member entry's role must be the role of the device's token",
    )
    .await;
}

async fn volunteer_demotes_the_lead(c: &Canary) {
    let lead = c.lead_creds.id.clone();
    refused(
        c,
        &c.volunteer,
        None,
        &antenna_doc(c),
        |tx| {
            let entry = map(tx, &["members", lead.as_str()]);
            tx.put(&entry, "role", "volunteer").unwrap();
        },
        "a device that is not a lead may change only its own member entry",
    )
    .await;
}

async fn volunteer_erases_the_canary(c: &Canary) {
    let canary = c.household_doc.clone();
    let by = c.volunteer.id.clone();
    refused(
        c,
        &c.volunteer,
        None,
        &antenna_doc(c),
        |tx| {
            let erased = map(tx, &["erased"]);
            let t = tx
                .put_object(&erased, canary.as_str(), ObjType::Map)
                .unwrap();
            tx.put(&t, "at", 1_700_000_000_000i64).unwrap();
            tx.put(&t, "by", by.as_str()).unwrap();
        },
        "only an antenna lead may erase a household",
    )
    .await;
}

async fn volunteer_renames_the_antenna(c: &Canary) {
    refused(
        c,
        &c.volunteer,
        None,
        &antenna_doc(c),
        |tx| {
            tx.put(ROOT, "name", "Mallory's antenna").unwrap();
        },
        "only an antenna lead may change the antenna's name, locality or creation time",
    )
    .await;
}

async fn canary_schema_vandalised(c: &Canary) {
    refused(
        c,
        &c.volunteer,
        None,
        &c.household_doc,
        |tx| {
            tx.put(ROOT, "schema", 99u64).unwrap();
        },
        "a document's schema, kind, antenna and period never change",
    )
    .await;
}

async fn canary_moved_to_another_antenna(c: &Canary) {
    let other = c.stranger.antenna.to_string();
    refused(
        c,
        &c.volunteer,
        None,
        &c.household_doc,
        |tx| {
            tx.put(ROOT, "antenna", other.as_str()).unwrap();
        },
        "a document's schema, kind, antenna and period never change",
    )
    .await;
}

async fn canary_profile_replaced_whole(c: &Canary) {
    refused(
        c,
        &c.volunteer,
        None,
        &c.household_doc,
        |tx| {
            let profile = tx.put_object(ROOT, "profile", ObjType::Map).unwrap();
            tx.put(&profile, "status", "Active").unwrap();
        },
        "a household's profile and case are never replaced whole",
    )
    .await;
}

fn household_in(antenna: AntennaId) -> Automerge {
    let mut doc = Automerge::new();
    change(&mut doc, |tx| {
        write_header(tx, DocumentKind::Household, antenna, None).unwrap();
        let profile = map(tx, &["profile"]);
        tx.put(&profile, "status", "Active").unwrap();
    });
    doc
}

async fn new_document_of_another_antenna(c: &Canary) {
    let doc = household_in(c.stranger.antenna);
    refused_new(
        c,
        &c.volunteer,
        &rand_id(),
        doc,
        "a new document must belong to the sending device's antenna",
    )
    .await;
}

async fn new_document_with_half_a_header(c: &Canary) {
    let mut doc = Automerge::new();
    change(&mut doc, |tx| {
        tx.put(ROOT, "schema", 1u64).unwrap();
    });
    refused_new(
        c,
        &c.volunteer,
        &rand_id(),
        doc,
        "a new document needs a whole header",
    )
    .await;
}

async fn ledger_under_a_wrong_id(c: &Canary) {
    let mut doc = Automerge::new();
    let month = Month::parse("2026-12").unwrap();
    change(&mut doc, |tx| {
        write_header(tx, DocumentKind::Ledger, c.lead.antenna, Some(month)).unwrap();
    });
    refused_new(
        c,
        &c.volunteer,
        &rand_id(),
        doc,
        "a ledger's id must be ledger_id(antenna, period)",
    )
    .await;
}

async fn other_antenna_writes_the_canary(c: &Canary) {
    // The stranger got a copy somehow (a shared phone): it still cannot write through.
    let (_, mut copy) = fetch(&c.relay, &c.witness, &c.household_doc).await;
    put(&mut copy, "vandal", "from another antenna");
    let outcome = connect(&c.relay, &c.stranger)
        .await
        .sync(&c.household_doc, &mut copy)
        .await;
    assert_eq!(outcome, Outcome::Unavailable);
}

async fn observer_writes_the_canary(c: &Canary) {
    let (_, mut copy) = fetch(&c.relay, &c.observer, &c.household_doc).await;
    put(&mut copy, "vandal", "from an observer");
    let forged = copy.get_last_local_change().unwrap().hash();
    let _ = connect(&c.relay, &c.observer)
        .await
        .sync(&c.household_doc, &mut copy)
        .await;
    let (_, fresh) = fetch(&c.relay, &c.witness, &c.household_doc).await;
    assert!(
        fresh.get_change_by_hash(&forged).is_none(),
        "an observer's change was stored"
    );
}

async fn erased_household_resurrected(c: &Canary) {
    c.secret("Famille Leurre");
    c.secret("20 000 111");
    let decoy = c
        .lead
        .store
        .register_household(c.lead.antenna, family("Famille Leurre", "+216 20 000 111"))
        .unwrap();
    c.lead.synced().await;
    let id = decoy.document().to_string();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut copy = loop {
        let (outcome, copy) = fetch(&c.relay, &c.volunteer, &id).await;
        if outcome == Outcome::Synced {
            break copy;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the decoy never reached the relay"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    c.lead.store.erase_household(decoy).unwrap();
    c.lead.synced().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while fetch(&c.relay, &c.witness, &id).await.0 != Outcome::Unavailable {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the relay did not erase the decoy"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    put(&mut copy, "back", "from the dead");
    let outcome = connect(&c.relay, &c.volunteer)
        .await
        .sync(&id, &mut copy)
        .await;
    assert_eq!(outcome, Outcome::Unavailable);
    assert_eq!(
        fetch(&c.relay, &c.witness, &id).await.0,
        Outcome::Unavailable
    );
    *c.erased.lock().unwrap() = Some(id);
}

async fn lead_removes_a_tombstone(c: &Canary) {
    let erased = c
        .erased
        .lock()
        .unwrap()
        .clone()
        .expect("erased_household_resurrected runs first");
    refused(
        c,
        &c.lead_creds,
        Some(lead_actor(c)),
        &antenna_doc(c),
        |tx| {
            let tombstones = map(tx, &["erased"]);
            tx.delete(&tombstones, erased.as_str()).unwrap();
        },
        "tombstones are never removed",
    )
    .await;
}

async fn lead_tombstones_the_antenna_document(c: &Canary) {
    let target = antenna_doc(c);
    let by = c.lead_creds.id.clone();
    refused(
        c,
        &c.lead_creds,
        Some(lead_actor(c)),
        &antenna_doc(c),
        |tx| {
            let erased = map(tx, &["erased"]);
            let t = tx
                .put_object(&erased, target.as_str(), ObjType::Map)
                .unwrap();
            tx.put(&t, "at", 1_700_000_000_000i64).unwrap();
            tx.put(&t, "by", by.as_str()).unwrap();
        },
        "a tombstone must name a household document of this antenna",
    )
    .await;
}

async fn lead_leaves_no_lead(c: &Canary) {
    let lead = c.lead_creds.id.clone();
    refused(
        c,
        &c.lead_creds,
        Some(lead_actor(c)),
        &antenna_doc(c),
        |tx| {
            let entry = map(tx, &["members", lead.as_str()]);
            tx.put(&entry, "role", "volunteer").unwrap();
        },
        "an antenna must keep at least one member whose role is lead",
    )
    .await;
}
