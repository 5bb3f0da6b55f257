//! A hostile phone against a real relay: each lead-only fact forged with raw Automerge changes
//! (bypassing jiran-core's API) as a device that may not write it, and each header or derived
//! id forged by anyone. For every attack: the attacker is closed with 4403 and a reason, a
//! fresh honest fetch shows the stored document unchanged, and honest devices keep working.
//! Beside each attack, its honest counterpart is stored.
//!
//! The honest documents are written here in the shape jiran-core writes them (the header by
//! `jiran_core::document` itself; member entries, tasks, merge marks and funding as the
//! workflows reconcile them).

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjId, ObjType, ReadDoc, ROOT};
use jiran_core::document::{ledger_id, skeleton, write_header, DocumentKind};
use jiran_core::{AntennaId, DocumentId, Month};

use crate::support::*;

const FORBIDDEN: u16 = 4403;

fn antenna(device: &Credentials) -> AntennaId {
    device.antenna
}

/// The map at `path` from the root.
fn at(doc: &Automerge, path: &[&str]) -> Option<ObjId> {
    let mut obj = ROOT;
    for key in path {
        obj = match doc.get(&obj, *key).unwrap() {
            Some((automerge::Value::Object(_), id)) => id,
            _ => return None,
        };
    }
    Some(obj)
}

/// The string at `path` (its last step a key of the map before it).
fn text(doc: &Automerge, path: &[&str]) -> Option<String> {
    let (last, parents) = path.split_last().unwrap();
    let obj = at(doc, parents)?;
    doc.get(&obj, *last)
        .unwrap()
        .and_then(|(v, _)| v.into_string().ok())
}

/// One change to `doc`.
fn change(doc: &mut Automerge, f: impl FnOnce(&mut automerge::transaction::Transaction<'_>)) {
    let mut tx = doc.transaction();
    f(&mut tx);
    tx.commit();
}

/// The map at `path` inside a transaction.
fn map(tx: &automerge::transaction::Transaction<'_>, path: &[&str]) -> ObjId {
    let mut obj = ROOT;
    for key in path {
        obj = match tx.get(&obj, *key).unwrap() {
            Some((automerge::Value::Object(_), id)) => id,
            other => panic!("no map at {key}: {other:?}"),
        };
    }
    obj
}

/// `device`'s copy of a document, fetched fresh.
async fn copy(w: &World, device: &Credentials, doc_id: &str) -> Automerge {
    let (outcome, doc) = fetch(&w.relay, device, doc_id).await;
    assert_eq!(outcome, Outcome::Synced, "{doc_id} is served");
    doc
}

/// `device` sends what it has of `doc` on a fresh connection.
async fn send(w: &World, device: &Credentials, doc_id: &str, doc: &mut Automerge) -> Outcome {
    connect(&w.relay, device).await.sync(doc_id, doc).await
}

/// An honest change, stored.
async fn honest(
    w: &World,
    device: &Credentials,
    doc_id: &str,
    f: impl FnOnce(&mut automerge::transaction::Transaction<'_>),
) {
    let mut doc = copy(w, device, doc_id).await;
    change(&mut doc, f);
    assert_eq!(send(w, device, doc_id, &mut doc).await, Outcome::Synced);
    let stored = copy(w, &w.lead, doc_id).await;
    assert_eq!(
        stored.get_heads(),
        doc.get_heads(),
        "the honest change is stored"
    );
}

/// An attack as `device`: refused with 4403 and a reason, and the stored document is as it
/// was. Answers the reason.
async fn attack(
    w: &World,
    device: &Credentials,
    doc_id: &str,
    f: impl FnOnce(&mut automerge::transaction::Transaction<'_>),
) -> String {
    let before = copy(w, &w.lead, doc_id).await.get_heads();
    let mut doc = copy(w, device, doc_id).await;
    change(&mut doc, f);
    let reason = match send(w, device, doc_id, &mut doc).await {
        Outcome::Closed(FORBIDDEN, reason) => reason,
        other => panic!("the attack was not refused: {other:?}"),
    };
    assert!(!reason.is_empty() && reason.len() < 123, "{reason}");
    assert_eq!(
        copy(w, &w.lead, doc_id).await.get_heads(),
        before,
        "nothing of the attack is stored"
    );
    reason
}

/// A member entry as `Replication::enrol` writes it.
fn enrol(tx: &mut automerge::transaction::Transaction<'_>, device: &Credentials, role: &str) {
    let members = map(tx, &["members"]);
    let me = tx
        .put_object(&members, device.id.as_str(), ObjType::Map)
        .unwrap();
    tx.put(&me, "display_name", "someone").unwrap();
    tx.put(&me, "role", role).unwrap();
    tx.put(&me, "joined_at", 1_700_000_000_000i64).unwrap();
}

/// A world whose antenna document holds its lead and volunteer, each enrolled by its own
/// device with its token's role (the honest counterpart of self-promotion).
async fn enrolled() -> World {
    let w = world();
    let doc = w.lead.antenna.to_string();
    honest(&w, &w.lead, &doc, |tx| enrol(tx, &w.lead, "lead")).await;
    honest(&w, &w.volunteer, &doc, |tx| {
        enrol(tx, &w.volunteer, "volunteer")
    })
    .await;
    w
}

/// A new household registered by `device`, as jiran-core writes its first change.
async fn register(w: &World, device: &Credentials) -> String {
    let id = DocumentId::random();
    let mut doc = Automerge::new();
    change(&mut doc, |tx| {
        write_header(tx, DocumentKind::Household, antenna(device), None).unwrap();
        let profile = map(tx, &["profile"]);
        tx.put(&profile, "status", "Active").unwrap();
        tx.put(&profile, "registered_by", device.id.as_str())
            .unwrap();
    });
    assert_eq!(
        send(w, device, &id.to_string(), &mut doc).await,
        Outcome::Synced
    );
    id.to_string()
}

/// A task as `Store::assign_task` writes it.
fn assign(
    tx: &mut automerge::transaction::Transaction<'_>,
    task: &str,
    to: &Credentials,
    by: &Credentials,
) {
    let tasks = map(tx, &["case", "tasks"]);
    let t = tx.put_object(&tasks, task, ObjType::Map).unwrap();
    tx.put(&t, "kind", "visit").unwrap();
    tx.put(&t, "assigned_to", to.id.as_str()).unwrap();
    tx.put(&t, "due", 1_700_000_000_000i64).unwrap();
    tx.put(&t, "status", "open").unwrap();
    tx.put(&t, "assigned_by", by.id.as_str()).unwrap();
}

/// How `close_task` closes a task.
fn close(
    tx: &mut automerge::transaction::Transaction<'_>,
    task: &str,
    status: &str,
    by: &Credentials,
) {
    let t = map(tx, &["case", "tasks", task]);
    tx.put(&t, "status", status).unwrap();
    if status == "done" {
        tx.put(&t, "outcome", "went well").unwrap();
    }
    tx.put(&t, "closed_at", 1_700_000_100_000i64).unwrap();
    tx.put(&t, "closed_by", by.id.as_str()).unwrap();
}

/// A tombstone as `Store::erase_household` writes it.
fn tombstone(tx: &mut automerge::transaction::Transaction<'_>, household: &str, by: &Credentials) {
    let erased = map(tx, &["erased"]);
    let t = tx.put_object(&erased, household, ObjType::Map).unwrap();
    tx.put(&t, "at", 1_700_000_000_000i64).unwrap();
    tx.put(&t, "by", by.id.as_str()).unwrap();
}

#[tokio::test]
async fn test_a_volunteers_device_cannot_promote_itself_demote_the_lead_or_keep_the_antenna_leaderless(
) {
    let w = enrolled().await;
    let doc = w.lead.antenna.to_string();
    let role = |d: &Automerge, who: &Credentials| text(d, &["members", who.id.as_str(), "role"]);

    // Self-promotion, by rewriting the role or the whole entry.
    let v = w.volunteer.clone();
    let reason = attack(&w, &v, &doc, |tx| {
        let me = map(tx, &["members", v.id.as_str()]);
        tx.put(&me, "role", "lead").unwrap();
    })
    .await;
    assert!(reason.contains("role"), "{reason}");
    attack(&w, &v, &doc, |tx| enrol(tx, &v, "lead")).await;
    // Demotion of the lead.
    let lead = w.lead.clone();
    let reason = attack(&w, &v, &doc, |tx| {
        let them = map(tx, &["members", lead.id.as_str()]);
        tx.put(&them, "role", "observer").unwrap();
    })
    .await;
    assert!(reason.contains("own member entry"), "{reason}");
    // Adding a lead who does not exist.
    attack(&w, &v, &doc, |tx| {
        let mut other = v.clone();
        other.id = "a-friend".into();
        enrol(tx, &other, "lead");
    })
    .await;
    let stored = copy(&w, &w.lead, &doc).await;
    assert_eq!(role(&stored, &w.volunteer).as_deref(), Some("volunteer"));
    assert_eq!(role(&stored, &w.lead).as_deref(), Some("lead"));

    // A lead may promote and demote, but not leave the antenna without a lead.
    let reason = attack(&w, &lead, &doc, |tx| {
        let me = map(tx, &["members", lead.id.as_str()]);
        tx.put(&me, "role", "volunteer").unwrap();
    })
    .await;
    assert!(reason.contains("lead"), "{reason}");
    attack(&w, &lead, &doc, |tx| {
        let members = map(tx, &["members"]);
        tx.delete(&members, lead.id.as_str()).unwrap();
    })
    .await;
    honest(&w, &lead, &doc, |tx| {
        let them = map(tx, &["members", v.id.as_str()]);
        tx.put(&them, "role", "lead").unwrap();
    })
    .await;
    honest(&w, &lead, &doc, |tx| {
        let them = map(tx, &["members", v.id.as_str()]);
        tx.put(&them, "role", "volunteer").unwrap();
    })
    .await;
    // The volunteer still works: its display name is its own, the household index field work.
    honest(&w, &v, &doc, |tx| {
        let me = map(tx, &["members", v.id.as_str()]);
        tx.put(&me, "display_name", "Sami").unwrap();
        let index = map(tx, &["households"]);
        let e = tx
            .put_object(&index, "some-household", ObjType::Map)
            .unwrap();
        tx.put(&e, "size", 4).unwrap();
    })
    .await;
}

#[tokio::test]
async fn test_only_a_lead_erases_and_only_this_antennas_households_or_ids_the_relay_does_not_hold()
{
    let w = enrolled().await;
    let doc = w.lead.antenna.to_string();
    let (lead, v) = (w.lead.clone(), w.volunteer.clone());
    let first = register(&w, &v).await;
    let second = register(&w, &v).await;

    // A volunteer's tombstone.
    let reason = attack(&w, &v, &doc, |tx| tombstone(tx, &first, &v)).await;
    assert!(reason.contains("erase"), "{reason}");
    copy(&w, &lead, &first).await;

    // A lead erases: the household is gone from the relay for good.
    honest(&w, &lead, &doc, |tx| tombstone(tx, &first, &lead)).await;
    let (outcome, _) = fetch(&w.relay, &lead, &first).await;
    assert_eq!(outcome, Outcome::Unavailable);

    // The tombstone swap: one change removes that tombstone and adds another.
    attack(&w, &v, &doc, |tx| {
        let erased = map(tx, &["erased"]);
        tx.delete(&erased, first.as_str()).unwrap();
        tombstone(tx, &second, &v);
    })
    .await;
    let stored = copy(&w, &lead, &doc).await;
    assert!(at(&stored, &["erased", first.as_str()]).is_some());
    assert!(at(&stored, &["erased", second.as_str()]).is_none());
    copy(&w, &v, &second).await;
    // Not even a lead removes a tombstone.
    attack(&w, &lead, &doc, |tx| {
        let erased = map(tx, &["erased"]);
        tx.delete(&erased, first.as_str()).unwrap();
    })
    .await;

    // A lead's tombstone naming another antenna's household, its own ledger, or the antenna
    // document itself.
    let theirs = register(&w, &w.stranger).await;
    let reason = attack(&w, &lead, &doc, |tx| tombstone(tx, &theirs, &lead)).await;
    assert!(reason.contains("tombstone"), "{reason}");
    copy(&w, &w.stranger, &theirs).await;
    let month = Month {
        year: 2026,
        month: 11,
    };
    let ledger = create_ledger(&w, &v, month).await;
    attack(&w, &lead, &doc, |tx| tombstone(tx, &ledger, &lead)).await;
    copy(&w, &v, &ledger).await;
    attack(&w, &lead, &doc, |tx| tombstone(tx, &doc, &lead)).await;

    // A tombstone of an id the relay does not hold blocks this antenna only.
    let unknown = rand_id();
    honest(&w, &lead, &doc, |tx| tombstone(tx, &unknown, &lead)).await;
    let mut mine = doc_with("k", "v");
    assert_eq!(
        send(&w, &v, &unknown, &mut mine).await,
        Outcome::Unavailable
    );
    let mut theirs = doc_with("k", "v");
    assert_eq!(
        send(&w, &w.stranger, &unknown, &mut theirs).await,
        Outcome::Synced,
        "another antenna is not blocked"
    );
    // An honest erasure still works after all of it.
    honest(&w, &lead, &doc, |tx| tombstone(tx, &second, &lead)).await;
    assert_eq!(fetch(&w.relay, &v, &second).await.0, Outcome::Unavailable);
}

#[tokio::test]
async fn test_a_volunteer_completes_its_own_task_and_neither_assigns_cancels_nor_merges() {
    let w = enrolled().await;
    let (lead, v) = (w.lead.clone(), w.volunteer.clone());
    let household = register(&w, &v).await;
    let other = register(&w, &v).await;

    // Assignment by a lead is stored; by a volunteer, refused.
    honest(&w, &lead, &household, |tx| {
        assign(tx, "t-volunteer", &v, &lead);
        assign(tx, "t-lead", &lead, &lead);
        assign(tx, "t-to-cancel", &v, &lead);
    })
    .await;
    let reason = attack(&w, &v, &household, |tx| assign(tx, "t-new", &v, &lead)).await;
    assert!(reason.contains("assign"), "{reason}");
    // Cancellation, completing another member's task, changing one's own assignment.
    let reason = attack(&w, &v, &household, |tx| {
        close(tx, "t-to-cancel", "cancelled", &v)
    })
    .await;
    assert!(reason.contains("cancel"), "{reason}");
    let reason = attack(&w, &v, &household, |tx| close(tx, "t-lead", "done", &v)).await;
    assert!(reason.contains("assigned to them"), "{reason}");
    attack(&w, &v, &household, |tx| {
        let t = map(tx, &["case", "tasks", "t-volunteer"]);
        tx.put(&t, "due", 1_800_000_000_000i64).unwrap();
    })
    .await;
    attack(&w, &v, &household, |tx| {
        let tasks = map(tx, &["case", "tasks"]);
        tx.delete(&tasks, "t-lead").unwrap();
    })
    .await;
    let stored = copy(&w, &lead, &household).await;
    let status = |t: &str| text(&stored, &["case", "tasks", t, "status"]);
    assert_eq!(status("t-to-cancel").as_deref(), Some("open"));
    assert_eq!(status("t-lead").as_deref(), Some("open"));
    assert!(at(&stored, &["case", "tasks", "t-new"]).is_none());

    // The volunteer completes its own task; the lead cancels one.
    honest(&w, &v, &household, |tx| {
        close(tx, "t-volunteer", "done", &v)
    })
    .await;
    honest(&w, &lead, &household, |tx| {
        close(tx, "t-to-cancel", "cancelled", &lead)
    })
    .await;

    // A merge mark by a volunteer; by a lead, stored.
    let mark = |into: String| {
        move |tx: &mut automerge::transaction::Transaction<'_>| {
            let profile = map(tx, &["profile"]);
            let status = tx.put_object(&profile, "status", ObjType::Map).unwrap();
            tx.put(&status, "MergedInto", into.as_str()).unwrap();
        }
    };
    let reason = attack(&w, &v, &other, mark(household.clone())).await;
    assert!(reason.contains("merge"), "{reason}");
    assert_eq!(
        text(&copy(&w, &lead, &other).await, &["profile", "status"]).as_deref(),
        Some("Active")
    );
    honest(&w, &lead, &other, mark(household.clone())).await;
    // Un-merging is the lead's too; other statuses are field work.
    attack(&w, &v, &other, |tx| {
        let profile = map(tx, &["profile"]);
        tx.put(&profile, "status", "Active").unwrap();
    })
    .await;
    honest(&w, &v, &household, |tx| {
        let profile = map(tx, &["profile"]);
        tx.put(&profile, "status", "Graduated").unwrap();
        let notes = map(tx, &["case", "notes"]);
        let n = tx.put_object(&notes, "n1", ObjType::Map).unwrap();
        tx.put(&n, "text", "visited").unwrap();
    })
    .await;
}

/// This antenna's ledger for `month`, created by `device` with a delivery `d1` funded by
/// donation `g1`, as the ledger workflow writes them.
async fn create_ledger(w: &World, device: &Credentials, month: Month) -> String {
    let id = ledger_id(antenna(device), month).document();
    let mut doc = skeleton(id, DocumentKind::Ledger, antenna(device), Some(month)).unwrap();
    doc.set_actor(automerge::ActorId::random());
    change(&mut doc, |tx| {
        let donations = map(tx, &["donations"]);
        for g in ["g1", "g2"] {
            let d = tx.put_object(&donations, g, ObjType::Map).unwrap();
            tx.put(&d, "amount", 100u64).unwrap();
        }
        delivery(tx, "d1", "g1");
    });
    assert_eq!(
        send(w, device, &id.to_string(), &mut doc).await,
        Outcome::Synced
    );
    id.to_string()
}

fn delivery(tx: &mut automerge::transaction::Transaction<'_>, id: &str, from: &str) {
    let deliveries = map(tx, &["deliveries"]);
    let d = tx.put_object(&deliveries, id, ObjType::Map).unwrap();
    tx.put(&d, "household", "some-household").unwrap();
    let funding = tx.put_object(&d, "funding", ObjType::Map).unwrap();
    tx.put(&funding, from, 10u64).unwrap();
}

/// What `reassign_funding` writes: all of `from`'s funding moved to `to`.
fn reassign(tx: &mut automerge::transaction::Transaction<'_>, delivery: &str) {
    let funding = map(tx, &["deliveries", delivery, "funding"]);
    tx.delete(&funding, "g1").unwrap();
    tx.put(&funding, "g2", 10u64).unwrap();
}

#[tokio::test]
async fn test_only_a_lead_reassigns_funding_and_no_antenna_squats_anothers_ledger() {
    let w = enrolled().await;
    let (lead, v) = (w.lead.clone(), w.volunteer.clone());
    let month = Month {
        year: 2026,
        month: 12,
    };
    let ledger = create_ledger(&w, &v, month).await;

    let reason = attack(&w, &v, &ledger, |tx| reassign(tx, "d1")).await;
    assert!(reason.contains("funding"), "{reason}");
    attack(&w, &v, &ledger, |tx| {
        let deliveries = map(tx, &["deliveries"]);
        tx.delete(&deliveries, "d1").unwrap();
    })
    .await;
    let stored = copy(&w, &lead, &ledger).await;
    let funding = at(&stored, &["deliveries", "d1", "funding"]).unwrap();
    assert!(stored.get(&funding, "g1").unwrap().is_some());
    assert!(stored.get(&funding, "g2").unwrap().is_none());
    // New deliveries and acknowledgements are field work; reassigning is the lead's.
    honest(&w, &v, &ledger, |tx| {
        delivery(tx, "d2", "g2");
        let d1 = map(tx, &["deliveries", "d1"]);
        tx.put(&d1, "code_confirmed", true).unwrap();
    })
    .await;
    honest(&w, &lead, &ledger, |tx| reassign(tx, "d1")).await;

    // Antenna B's devices try to create antenna A's next ledger: with B's header (the id
    // does not match), with A's header (not their antenna), or with an empty first message.
    let next = Month {
        year: 2027,
        month: 1,
    };
    let squatted = ledger_id(antenna(&v), next).document();
    for header in [antenna(&w.stranger), antenna(&v)] {
        let mut forged = skeleton(squatted, DocumentKind::Ledger, header, Some(next)).unwrap();
        match send(&w, &w.stranger, &squatted.to_string(), &mut forged).await {
            Outcome::Closed(FORBIDDEN, reason) => {
                assert!(
                    reason.contains("ledger") || reason.contains("antenna"),
                    "{reason}"
                )
            }
            other => panic!("the squat was not refused: {other:?}"),
        }
    }
    {
        let mut empty = Automerge::new();
        let mut peer = connect(&w.relay, &w.stranger).await;
        let message = peer.sync_message(&squatted.to_string(), empty_sync(&mut empty), false);
        peer.send(&message).await;
        let _ = peer.next(std::time::Duration::from_millis(300)).await;
    }
    // The squatter's connection is gone, and with it the document from memory.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // A's volunteer creates it when the month comes.
    create_ledger(&w, &v, next).await;
    // A skeleton of a ledger squatting nothing: B's own ledger is B's.
    let theirs = ledger_id(antenna(&w.stranger), next).document();
    let mut own = skeleton(
        theirs,
        DocumentKind::Ledger,
        antenna(&w.stranger),
        Some(next),
    )
    .unwrap();
    assert_eq!(
        send(&w, &w.stranger, &theirs.to_string(), &mut own).await,
        Outcome::Synced
    );
}

/// The first sync message of a peer that has nothing.
fn empty_sync(doc: &mut Automerge) -> Vec<u8> {
    use automerge::sync::SyncDoc;
    doc.generate_sync_message(&mut automerge::sync::State::new())
        .unwrap()
        .encode()
}

#[tokio::test]
async fn test_no_one_changes_a_documents_schema_kind_or_antenna() {
    let w = enrolled().await;
    let (lead, v) = (w.lead.clone(), w.volunteer.clone());
    let antenna_doc = w.lead.antenna.to_string();
    let household = register(&w, &v).await;
    let other_antenna = w.stranger.antenna.to_string();
    for device in [&v, &lead] {
        for doc in [&antenna_doc, &household] {
            let reason = attack(&w, device, doc, |tx| tx.put(ROOT, "schema", 99u64).unwrap()).await;
            assert!(reason.contains("schema"), "{reason}");
            attack(&w, device, doc, |tx| {
                tx.put(ROOT, "kind", "ledger").unwrap()
            })
            .await;
            attack(&w, device, doc, |tx| {
                tx.put(ROOT, "antenna", other_antenna.as_str()).unwrap()
            })
            .await;
        }
    }
    for doc in [&antenna_doc, &household] {
        let stored = copy(&w, &lead, doc).await;
        assert_eq!(
            stored.get(ROOT, "schema").unwrap().unwrap().0.as_u64(),
            Some(1)
        );
        assert_eq!(text(&stored, &["antenna"]), Some(lead.antenna.to_string()));
    }
    // A new document in another antenna's name.
    let id = rand_id();
    let mut forged = Automerge::new();
    change(&mut forged, |tx| {
        write_header(
            tx,
            DocumentKind::Household,
            other_antenna.parse().unwrap(),
            None,
        )
        .unwrap()
    });
    match send(&w, &v, &id, &mut forged).await {
        Outcome::Closed(FORBIDDEN, reason) => assert!(reason.contains("antenna"), "{reason}"),
        other => panic!("not refused: {other:?}"),
    }
    // Both still work.
    honest(&w, &v, &household, |tx| {
        let profile = map(tx, &["profile"]);
        tx.put(&profile, "phone", "+216 20 000 000").unwrap();
    })
    .await;
    honest(&w, &lead, &antenna_doc, |tx| {
        tx.put(ROOT, "locality", "La Marsa").unwrap()
    })
    .await;
}

#[tokio::test]
async fn test_lead_only_parts_of_the_antenna_document_refuse_a_volunteer_and_accept_a_lead() {
    let w = enrolled().await;
    let (lead, v) = (w.lead.clone(), w.volunteer.clone());
    let doc = w.lead.antenna.to_string();
    for (key, word) in [
        ("providers", "directory"),
        ("handovers", "handover"),
        ("name", "name"),
    ] {
        let reason = attack(&w, &v, &doc, |tx| match tx.get(ROOT, key).unwrap() {
            Some((automerge::Value::Object(_), obj)) => {
                tx.put_object(&obj, "forged", ObjType::Map).unwrap();
            }
            _ => tx.put(ROOT, key, "forged").unwrap(),
        })
        .await;
        assert!(reason.contains(word), "{reason}");
    }
    honest(&w, &lead, &doc, |tx| {
        let providers = map(tx, &["providers"]);
        let p = tx.put_object(&providers, "p1", ObjType::Map).unwrap();
        tx.put(&p, "name", "Dispensaire").unwrap();
        tx.put(ROOT, "name", "La Marsa – Cité Erriadh").unwrap();
    })
    .await;
}
