//! Writes the seed corpora (`fuzz/corpus/<target>/seed-*`) from real data: a lead's and a
//! volunteer's stores make an antenna, households, a note, a donation, a delivery, a
//! provider and an erasure, and the seeds are those documents as a phone exports them and
//! as sync messages carry them, wrapped in scripts (see the crate docs) and wire frames; the
//! HSDS seeds are the test fixture and a real export.
//!
//! Why generated and not hand-written: a fuzzer that starts from documents the core and the
//! relay accept reaches the merge, projection and policy code at once instead of spending
//! its time finding Automerge's chunk format. The seeds are committed (about 40 KB);
//! regenerating them gives new random ids, which is fine: every seed is self-consistent.
//!
//! Usage: `cargo run --manifest-path fuzz/Cargo.toml --example make_seeds -- fuzz/corpus`.

use std::path::{Path, PathBuf};

use automerge::sync::{self, SyncDoc};
use automerge::Automerge;
use jiran_core::sync::protocol::{Message, PeerMetadata};
use jiran_core::testing::{household, money, need};
use jiran_core::*;
use jiran_fuzz::ScriptWriter;

/// Operation tags of the hub target (see `fuzz_targets/hub_messages.rs`).
mod hub {
    pub const SYNC: u8 = 0;
    pub const REQUEST: u8 = 1;
    pub const RAW: u8 = 2;
    pub const CHANGES: u8 = 3;
    pub const EPHEMERAL: u8 = 4;
    pub const FLUSH: u8 = 5;
    pub const SWITCH: u8 = 6;
    pub const RECONNECT: u8 = 7;
    pub const LEAVE: u8 = 8;
}

/// Operation tags of the phone target (see `fuzz_targets/phone_replication.rs`).
mod phone {
    pub const IMPORT: u8 = 0;
    pub const RECEIVE: u8 = 1;
    pub const GENERATE: u8 = 2;
    pub const REIMPORT: u8 = 3;
}

struct Device {
    _dir: tempfile::TempDir,
    store: Store,
}

impl Device {
    fn new() -> Device {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = Store::open(dir.path()).expect("a store");
        Device { _dir: dir, store }
    }

    fn export(&self, id: DocumentId) -> Vec<u8> {
        self.store
            .replication()
            .export_document(id)
            .unwrap()
            .expect("a stored document")
    }

    fn doc(&self, id: DocumentId) -> Automerge {
        Automerge::load(&self.export(id)).unwrap()
    }

    /// Each change of the document, in order, as Automerge encodes it.
    fn changes(&self, id: DocumentId) -> Vec<Vec<u8>> {
        self.doc(id)
            .get_changes(&[])
            .iter()
            .map(|c| c.raw_bytes().to_vec())
            .collect()
    }

    fn push(&self, to: &Device, antenna: AntennaId) {
        for (id, _) in self.store.replication().documents(antenna).unwrap() {
            to.store.replication().import(id, &self.export(id)).unwrap();
        }
    }
}

/// A first sync message about `doc` carrying `changes`: what a phone sends once the relay
/// said it lacks them.
fn sync_with(doc: &Automerge, changes: Vec<Vec<u8>>) -> Vec<u8> {
    let mut message = doc
        .generate_sync_message(&mut sync::State::new())
        .expect("a first sync message");
    message.changes = changes.into();
    message.encode()
}

fn write(dir: &Path, target: &str, name: &str, bytes: &[u8]) {
    let folder = dir.join(target);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join(format!("seed-{name}")), bytes).unwrap();
}

fn main() {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .expect("usage: make_seeds <corpus dir>"),
    );

    // A lead's antenna with a household (a need, a note), a donation and a delivery, and a
    // provider in the directory.
    let lead = Device::new();
    let (antenna, _) = lead
        .store
        .create_antenna(NewAntenna {
            name: "La Marsa – Cité Erriadh".into(),
            locality: "La Marsa".into(),
            lead_name: "Leila".into(),
        })
        .unwrap();
    let fatma = lead
        .store
        .register_household(antenna, household("Fatma Ben Ali", Some("+216 98 123 456")))
        .unwrap();
    lead.store
        .add_need(fatma, need(NeedCategory::Food, "colis alimentaire"))
        .unwrap();
    lead.store.add_note(fatma, "visite faite, وضع صعب").unwrap();
    let donation = lead.store.record_donation(antenna, money(50_000)).unwrap();
    lead.store
        .record_delivery(
            antenna,
            jiran_core::testing::delivery(fatma, &donation, 20_000),
        )
        .unwrap();
    lead.store
        .add_provider(
            antenna,
            NewProvider {
                name: "Croissant-Rouge".into(),
                sector: Sector::NonProfit,
                serves: vec![NeedCategory::Food, NeedCategory::Medical],
                contact: "71 111 111; contact@example.org; 5 rue X, La Marsa".into(),
                opening_hours: "Lun–Ven 9:00–12:00".into(),
            },
        )
        .unwrap();
    let documents = lead.store.replication().documents(antenna).unwrap();
    let ledger = documents
        .iter()
        .find(|(_, k)| *k == jiran_core::document::DocumentKind::Ledger)
        .expect("a ledger")
        .0;
    let antenna_doc = antenna.document();
    let founding = lead.changes(antenna_doc)[0].clone();
    let lead_key = Some(lead.store.device_key());

    // A volunteer of the same antenna registers a household of their own.
    let member = lead
        .store
        .add_member(antenna, "Sami", Role::Volunteer)
        .unwrap();
    let volunteer = Device::new();
    volunteer.store.join_antenna(antenna, &member).unwrap();
    lead.push(&volunteer, antenna);
    let amel = volunteer
        .store
        .register_household(antenna, household("Amel Trabelsi", None))
        .unwrap();
    let volunteer_key = Some(volunteer.store.device_key());

    // Wire frames: every message type, with real sync data.
    let antenna_sync = sync_with(&lead.doc(antenna_doc), lead.changes(antenna_doc));
    let frames = [
        Message::Join {
            sender_id: "peer".into(),
            peer_metadata: PeerMetadata {
                storage_id: Some("storage".into()),
                is_ephemeral: false,
            },
            supported_protocol_versions: vec!["1".into()],
        },
        Message::Peer {
            sender_id: "relay".into(),
            target_id: "peer".into(),
            peer_metadata: PeerMetadata::default(),
            selected_protocol_version: "1".into(),
        },
        Message::Error {
            sender_id: "relay".into(),
            target_id: "peer".into(),
            message: "send `join` first".into(),
        },
        Message::Request {
            sender_id: "peer".into(),
            target_id: "relay".into(),
            document_id: fatma.0.to_string(),
            data: Automerge::new()
                .generate_sync_message(&mut sync::State::new())
                .unwrap()
                .encode(),
        },
        Message::Sync {
            sender_id: "peer".into(),
            target_id: "relay".into(),
            document_id: antenna_doc.to_string(),
            data: antenna_sync.clone(),
        },
        Message::DocUnavailable {
            sender_id: "relay".into(),
            target_id: "peer".into(),
            document_id: fatma.0.to_string(),
        },
        Message::Ephemeral {
            sender_id: "peer".into(),
            target_id: "relay".into(),
            document_id: fatma.0.to_string(),
            session_id: "s".into(),
            count: 3,
            data: b"cursor".to_vec(),
        },
        Message::RemoteSubscriptionChange {
            sender_id: "peer".into(),
        },
        Message::RemoteHeadsChanged {
            sender_id: "peer".into(),
        },
        Message::Changes {
            sender_id: "peer".into(),
            target_id: "relay".into(),
            since: 42,
        },
        Message::Changed {
            sender_id: "relay".into(),
            target_id: "peer".into(),
            cursor: 43,
            documents: vec![antenna_doc.to_string(), fatma.0.to_string()],
            more: true,
        },
        Message::Leave {
            sender_id: "peer".into(),
        },
    ];
    for (i, frame) in frames.iter().enumerate() {
        write(&dir, "wire_decode", &format!("{i:02}"), &frame.encode());
    }

    // The hub: a lead syncing everything, a volunteer, an observer, a lead's erasure.
    let household_sync = sync_with(&lead.doc(fatma.0), lead.changes(fatma.0));
    let ledger_sync = sync_with(&lead.doc(ledger), lead.changes(ledger));
    let empty = Automerge::new()
        .generate_sync_message(&mut sync::State::new())
        .unwrap()
        .encode();
    let mut script =
        ScriptWriter::new(antenna, Role::Lead, lead_key, &founding, &[fatma.0, ledger]);
    script
        .op(hub::SYNC, antenna_doc, &antenna_sync)
        .op(hub::SYNC, fatma.0, &household_sync)
        .op(hub::SYNC, ledger, &ledger_sync)
        .op(hub::FLUSH, antenna_doc, b"")
        .op(hub::CHANGES, antenna_doc, &0u64.to_le_bytes())
        .op(hub::EPHEMERAL, fatma.0, b"presence")
        .op(hub::SWITCH, antenna_doc, b"")
        .op(hub::REQUEST, fatma.0, &empty)
        .op(hub::SWITCH, antenna_doc, b"")
        .op(hub::RECONNECT, antenna_doc, b"")
        .op(hub::SYNC, fatma.0, &empty)
        .op(hub::LEAVE, antenna_doc, b"");
    write(&dir, "hub_messages", "lead", &script.finish());

    let volunteer_sync = sync_with(&volunteer.doc(amel.0), volunteer.changes(amel.0));
    let volunteer_antenna = sync_with(&volunteer.doc(antenna_doc), volunteer.changes(antenna_doc));
    let mut script = ScriptWriter::new(
        antenna,
        Role::Volunteer,
        volunteer_key,
        &founding,
        &[amel.0],
    );
    script
        .op(hub::SYNC, amel.0, &volunteer_sync)
        .op(hub::SYNC, antenna_doc, &volunteer_antenna)
        .op(hub::FLUSH, antenna_doc, b"");
    write(&dir, "hub_messages", "volunteer", &script.finish());

    let mut script = ScriptWriter::new(antenna, Role::Observer, None, &founding, &[fatma.0]);
    script
        .op(hub::SYNC, fatma.0, &household_sync)
        .op(hub::REQUEST, antenna_doc, &empty)
        .op(hub::CHANGES, antenna_doc, &0u64.to_le_bytes());
    write(&dir, "hub_messages", "observer", &script.finish());

    let mut script = ScriptWriter::new(antenna, Role::Lead, lead_key, &founding, &[fatma.0]);
    script.op(
        hub::RAW,
        antenna_doc,
        &Message::Sync {
            sender_id: "peer-a".into(),
            target_id: "relay".into(),
            document_id: fatma.0.to_string(),
            data: household_sync.clone(),
        }
        .encode(),
    );
    lead.store.erase_household(fatma).unwrap();
    let erasing = sync_with(&lead.doc(antenna_doc), lead.changes(antenna_doc));
    script
        .op(hub::FLUSH, antenna_doc, b"")
        .op(hub::SYNC, antenna_doc, &erasing)
        .op(hub::FLUSH, antenna_doc, b"")
        .op(hub::SYNC, fatma.0, &household_sync);
    write(&dir, "hub_messages", "erasure", &script.finish());

    // The phone: whole documents, change sets and sync messages, from the volunteer's store
    // (which has the lead's household, not yet erased there) and the lead's (erased).
    let phone_docs = [fatma.0, ledger, amel.0];
    let mut script = ScriptWriter::new(antenna, Role::Volunteer, None, &[], &phone_docs);
    script
        .op(phone::IMPORT, antenna_doc, &volunteer.export(antenna_doc))
        .op(phone::IMPORT, fatma.0, &volunteer.export(fatma.0))
        .op(phone::IMPORT, ledger, &volunteer.export(ledger))
        .op(phone::IMPORT, amel.0, &volunteer.changes(amel.0).concat())
        .op(phone::REIMPORT, fatma.0, b"")
        .op(phone::GENERATE, fatma.0, b"");
    write(&dir, "phone_replication", "import", &script.finish());

    let mut script = ScriptWriter::new(antenna, Role::Volunteer, None, &[], &phone_docs);
    script
        .op(phone::GENERATE, antenna_doc, b"")
        .op(
            phone::RECEIVE,
            antenna_doc,
            &sync_with(&volunteer.doc(antenna_doc), volunteer.changes(antenna_doc)),
        )
        .op(
            phone::RECEIVE,
            fatma.0,
            &sync_with(&volunteer.doc(fatma.0), volunteer.changes(fatma.0)),
        )
        .op(phone::RECEIVE, ledger, &ledger_sync)
        .op(phone::RECEIVE, amel.0, &volunteer_sync)
        .op(phone::GENERATE, amel.0, b"");
    write(&dir, "phone_replication", "sync", &script.finish());

    let mut script = ScriptWriter::new(antenna, Role::Lead, None, &[], &phone_docs);
    script
        .op(phone::IMPORT, antenna_doc, &lead.export(antenna_doc))
        .op(phone::IMPORT, fatma.0, &volunteer.export(fatma.0))
        .op(phone::RECEIVE, fatma.0, &household_sync);
    write(&dir, "phone_replication", "erased", &script.finish());

    // HSDS: the test fixture and the lead's directory as exported.
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/hsds_la_marsa.json");
    write(
        &dir,
        "hsds_import",
        "fixture",
        &std::fs::read(fixture).unwrap(),
    );
    write(
        &dir,
        "hsds_import",
        "export",
        &lead.store.export_providers_hsds(antenna).unwrap(),
    );
    let organizations = serde_json::json!([{
        "id": "org-1",
        "name": "Croissant-Rouge",
        "legal_status": "association",
        "phones": [{"number": "71 111 111", "extension": 12}],
        "locations": [{"addresses": [{"address_1": "5 rue X", "city": "La Marsa"}]}],
        "services": [{
            "id": "s-1",
            "name": "Colis alimentaires",
            "schedules": [{"byday": "MO,WE", "opens_at": "09:00:00", "closes_at": "12:30"}],
            "attributes": [{"taxonomy_term": {"name": "Emergency Food"}}]
        }]
    }]);
    write(
        &dir,
        "hsds_import",
        "organizations",
        &serde_json::to_vec(&organizations).unwrap(),
    );
    let page = serde_json::json!({"total_items": 1, "contents": [{"name": "Point numérique"}]});
    write(
        &dir,
        "hsds_import",
        "page",
        &serde_json::to_vec(&page).unwrap(),
    );
}
