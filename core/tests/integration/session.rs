//! The sync session without sockets: a device's `Session` against a small in-memory relay
//! that answers as `jiran-relay` does (join, change feed, automerge sync per document).

use std::collections::HashMap;

use automerge::sync::{self, SyncDoc};
use automerge::Automerge;
use jiran_core::sync::protocol::{Message, PeerMetadata};
use jiran_core::sync::{Progress, Session};
use jiran_core::*;

use crate::support::{antenna, household, Device};

/// Enough of a relay to drive a session: documents in memory, one sync state per document
/// (one device), and a change feed listing every document.
#[derive(Default)]
struct Relay {
    docs: HashMap<String, (Automerge, sync::State)>,
    /// Changes received from the device, counted per message.
    changes_received: usize,
}

impl Relay {
    fn answer(&mut self, message: Message) -> Vec<Message> {
        let reply = |document_id: String, data: Vec<u8>| Message::Sync {
            sender_id: "relay".into(),
            target_id: "device".into(),
            document_id,
            data,
        };
        match message {
            Message::Join { sender_id, .. } => vec![Message::Peer {
                sender_id: "relay".into(),
                target_id: sender_id,
                peer_metadata: PeerMetadata::default(),
                selected_protocol_version: "1".into(),
            }],
            Message::Changes { .. } => vec![Message::Changed {
                sender_id: "relay".into(),
                target_id: "device".into(),
                cursor: self.docs.len() as u64,
                documents: self.docs.keys().cloned().collect(),
                more: false,
            }],
            Message::Request {
                document_id, data, ..
            }
            | Message::Sync {
                document_id, data, ..
            } => {
                let decoded = sync::Message::decode(&data).unwrap();
                self.changes_received += decoded.changes.len();
                let (doc, state) = self.docs.entry(document_id.clone()).or_default();
                doc.receive_sync_message(state, decoded).unwrap();
                doc.generate_sync_message(state)
                    .map(|m| reply(document_id, m.encode()))
                    .into_iter()
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// Forgets per-connection state, as a new connection would.
    fn reconnect(&mut self) {
        for (_, state) in self.docs.values_mut() {
            *state = sync::State::new();
        }
        self.changes_received = 0;
    }
}

/// Runs a session to quiescence; returns the largest number of documents the device had
/// in flight at once.
fn run(session: &mut Session, store: &Store, relay: &mut Relay) -> usize {
    let mut outbox = vec![session.start()];
    let mut widest = 0;
    for _ in 0..10_000 {
        if outbox.is_empty() {
            break;
        }
        let documents = outbox
            .iter()
            .filter(|m| matches!(m, Message::Sync { .. } | Message::Request { .. }))
            .count();
        widest = widest.max(documents);
        let replies: Vec<Message> = outbox.drain(..).flat_map(|m| relay.answer(m)).collect();
        for reply in replies {
            outbox.extend(session.receive(store, reply).unwrap());
        }
    }
    widest
}

fn linked(device: &Device, antenna: AntennaId) {
    let (_, member) = device.store.memberships().unwrap()[0].clone();
    device
        .store
        .replication()
        .link_antenna(&RelayLink {
            antenna,
            relay_url: "http://127.0.0.1:1".into(),
            device_id: member.as_str().to_owned(),
            token: "t".into(),
            role: Role::Lead,
            display_name: "Leila".into(),
            feed_cursor: 0,
            last_synced_at: None,
        })
        .unwrap();
}

#[test]
fn test_a_session_sends_every_unsent_change_and_ends_up_to_date() {
    let (lead, antenna) = antenna();
    linked(&lead, antenna);
    for i in 0..40 {
        lead.store
            .register_household(antenna, household(&format!("Family {i}"), None))
            .unwrap();
    }
    assert!(lead.store.pending_changes(antenna).unwrap() >= 40);
    let mut relay = Relay::default();
    let mut session = Session::new(antenna, 0, 8);
    let widest = run(&mut session, &lead.store, &mut relay);
    assert!(matches!(session.progress(), Progress::UpToDate { .. }));
    assert_eq!(lead.store.pending_changes(antenna).unwrap(), 0);
    assert_eq!(
        relay.docs.len(),
        41,
        "the antenna and 40 household documents"
    );
    assert!(widest <= 8, "at most 8 documents in flight, saw {widest}");
}

#[test]
fn test_a_new_session_resumes_without_resending_what_the_relay_has() {
    let (lead, antenna) = antenna();
    linked(&lead, antenna);
    for i in 0..10 {
        lead.store
            .register_household(antenna, household(&format!("Family {i}"), None))
            .unwrap();
    }
    let mut relay = Relay::default();
    run(&mut Session::new(antenna, 0, 32), &lead.store, &mut relay);
    let cursor = lead.store.relay_link(antenna).unwrap().unwrap().feed_cursor;

    relay.reconnect();
    let mut again = Session::new(antenna, cursor, 32);
    run(&mut again, &lead.store, &mut relay);
    assert_eq!(
        relay.changes_received, 0,
        "nothing the relay holds is sent again"
    );
    assert!(matches!(again.progress(), Progress::UpToDate { .. }));
}

#[test]
fn test_a_new_device_receives_the_relays_documents() {
    let (lead, antenna) = antenna();
    linked(&lead, antenna);
    let fatma = lead
        .store
        .register_household(antenna, household("Fatma", Some("+216 98 123 456")))
        .unwrap();
    let mut relay = Relay::default();
    run(&mut Session::new(antenna, 0, 32), &lead.store, &mut relay);

    // A second phone of the lead's, empty, linked to the same antenna.
    let phone = Device::new();
    phone
        .store
        .replication()
        .link_antenna(&RelayLink {
            antenna,
            relay_url: "http://127.0.0.1:1".into(),
            device_id: "second-phone".into(),
            token: "t".into(),
            role: Role::Volunteer,
            display_name: "Sami".into(),
            feed_cursor: 0,
            last_synced_at: None,
        })
        .unwrap();
    relay.reconnect();
    let mut session = Session::new(antenna, 0, 32);
    run(&mut session, &phone.store, &mut relay);
    assert_eq!(
        phone.store.household(fatma).unwrap().profile.members.len(),
        1
    );
    let members = phone.store.antenna(antenna).unwrap().members;
    assert!(
        members.contains_key(&MemberId::from("second-phone".to_owned())),
        "the new phone enrolled itself"
    );
    assert_eq!(phone.store.pending_changes(antenna).unwrap(), 0);
    let on_relay = relay.docs[&antenna.document().to_string()].0.get_heads();
    assert_eq!(
        Some(on_relay),
        phone.store.replication().heads(antenna.document()).unwrap(),
        "its enrolment reached the relay in the same session"
    );
}

#[test]
fn test_changes_the_relay_sends_that_do_not_apply_are_refused_and_nothing_is_stored() {
    let (lead, antenna) = antenna();
    linked(&lead, antenna);
    let mut session = Session::new(antenna, 0, 32);
    let mut relay = Relay::default();
    run(&mut session, &lead.store, &mut relay);
    let before = lead.store.replication().heads(antenna.document()).unwrap();
    let garbage = sync::Message {
        heads: Vec::new(),
        need: Vec::new(),
        have: Vec::new(),
        changes: vec![vec![0x85, 0x6f, 0x4a, 0x83, 1, 2, 3]].into(),
        flags: None,
        version: sync::MessageVersion::V1,
    };
    let result = session.receive(
        &lead.store,
        Message::Sync {
            sender_id: "relay".into(),
            target_id: "device".into(),
            document_id: antenna.document().to_string(),
            data: garbage.encode(),
        },
    );
    assert!(matches!(result, Err(Error::MalformedChanges(_))));
    assert_eq!(
        lead.store.replication().heads(antenna.document()).unwrap(),
        before
    );
}

#[test]
fn test_a_document_announced_although_synced_is_synced_again_and_its_changes_arrive() {
    let (lead, antenna) = antenna();
    linked(&lead, antenna);
    let fatma = lead
        .store
        .register_household(antenna, household("Fatma", None))
        .unwrap();
    let mut relay = Relay::default();
    let mut session = Session::new(antenna, 0, 32);
    run(&mut session, &lead.store, &mut relay);

    // Another device changes the household; the relay has meanwhile forgotten this device's
    // sync of it (it reloaded the document), so it announces the change instead of sending it.
    let id = fatma.0.to_string();
    let (doc, state) = relay.docs.get_mut(&id).unwrap();
    *state = sync::State::new();
    let mut other = doc.fork();
    let mut tx = other.transaction();
    automerge::transaction::Transactable::put(&mut tx, automerge::ROOT, "seen_by_other", true)
        .unwrap();
    tx.commit();
    doc.merge(&mut other).unwrap();
    let announced = Message::Changed {
        sender_id: "relay".into(),
        target_id: "device".into(),
        cursor: 99,
        documents: vec![id.clone()],
        more: false,
    };
    let mut outbox = session.receive(&lead.store, announced).unwrap();
    assert!(!outbox.is_empty(), "the device asks for the document again");
    for _ in 0..100 {
        let replies: Vec<Message> = outbox.drain(..).flat_map(|m| relay.answer(m)).collect();
        if replies.is_empty() {
            break;
        }
        for reply in replies {
            outbox.extend(session.receive(&lead.store, reply).unwrap());
        }
    }
    assert_eq!(
        lead.store.replication().heads(fatma.0).unwrap(),
        Some(relay.docs[&id].0.get_heads())
    );
    assert!(matches!(
        session.progress(),
        Progress::UpToDate { cursor: 99 }
    ));
}
