//! The relay's hub (`jiran_server::hub::Hub`) as a joined connection drives it: every frame a
//! device sends after `join`, over real SQLite storage (in a temporary directory, on tmpfs
//! when `/dev/shm` exists), without sockets, as the hub's own unit tests drive it.
//!
//! Input: a script (`jiran_fuzz::Script`): a device (antenna, role, registered key), the
//! antenna document's first change (the antenna is founded with it, as `jiran-relay antenna
//! create` does, the first time the process sees that antenna), the documents the script
//! names, then operations: `sync` and `request` with the operation's bytes as the automerge
//! sync message, a raw frame, `jiran-changes`, `ephemeral`, a flush, a second device (a
//! volunteer of the same antenna) taking over, a reconnection, `leave`, a second `join`.
//! A connection the hub closes is disconnected, as the websocket task does, and the next
//! operation on it reconnects.
//!
//! Asserts: no panic; every frame the hub sends decodes (and a `sync`'s data is an automerge
//! sync message); every close reason fits a close frame (123 bytes); after the script, every
//! document it names that storage holds loads from its stored chunks, is not empty, has no
//! change waiting for a missing dependency, and has either no Jiran header (a stock
//! automerge-repo client's document) or a whole one naming the antenna storage files it
//! under (the antenna document: kind antenna); and a script whose one device is an observer
//! changes no stored document.
//!
//! State: storage lives for 5,000 inputs, then a fresh one replaces it, so what earlier inputs
//! stored is in play (documents on disk, actor owners) while memory and disk stay bounded.
//! A crash that needs that history may not reproduce from its input alone: rerun the corpus
//! with `-runs` to find it (docs/fuzzing.md).

#![no_main]

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use automerge::{ChangeHash, ReadDoc, ROOT};
use jiran_core::document::DocumentKind;
use jiran_core::sync::protocol::{Message, PeerMetadata};
use jiran_core::{AntennaId, DocumentId, Role};
use jiran_fuzz::{load_chunks, Script};
use jiran_server::config::Limits;
use jiran_server::hub::{close, ConnId, Hub, Outgoing};
use jiran_server::metrics::Metrics;
use jiran_server::storage::{Device, SqliteStorage, Storage};
use libfuzzer_sys::fuzz_target;
use tokio::sync::mpsc;

/// Inputs one storage serves before a fresh one replaces it.
const INPUTS_PER_STORAGE: u32 = 1_000;

struct Relay {
    storage: Arc<SqliteStorage>,
    founded: HashSet<AntennaId>,
    inputs: u32,
    /// Documents already checked, by a fingerprint of their stored chunks: one that storage
    /// still holds byte for byte is not loaded and checked again.
    checked: HashMap<DocumentId, (u64, Vec<ChangeHash>)>,
    _dir: tempfile::TempDir,
}

impl Relay {
    fn new() -> Relay {
        let dir = if std::path::Path::new("/dev/shm").is_dir() {
            tempfile::tempdir_in("/dev/shm")
        } else {
            tempfile::tempdir()
        }
        .expect("a temporary directory");
        let storage = Arc::new(SqliteStorage::open(dir.path()).expect("relay storage"));
        Relay {
            storage,
            founded: HashSet::new(),
            inputs: 0,
            checked: HashMap::new(),
            _dir: dir,
        }
    }
}

static RELAY: Mutex<Option<Relay>> = Mutex::new(None);

/// Whether `founding` is the first change of `antenna`'s document (the relay founds antennas
/// only with such a change).
fn is_founding(antenna: AntennaId, founding: &[u8]) -> bool {
    let mut doc = automerge::Automerge::new();
    doc.load_incremental(founding).is_ok()
        && doc.get_changes(&[]).len() == 1
        && jiran_core::document::header(antenna.document(), &doc)
            .is_ok_and(|h| h.antenna == antenna && h.kind == DocumentKind::Antenna)
}

/// One connection of the script: its device and, while open, its id and outbox.
struct Peer {
    device: Device,
    peer_id: &'static str,
    open: Option<(ConnId, mpsc::UnboundedReceiver<Outgoing>)>,
}

impl Peer {
    /// The open connection, connecting and joining first if needed.
    fn conn(&mut self, hub: &Hub) -> ConnId {
        if let Some((conn, _)) = &self.open {
            return *conn;
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let conn = hub.connect(self.device.clone(), tx);
        self.open = Some((conn, rx));
        let join = Message::Join {
            sender_id: self.peer_id.into(),
            peer_metadata: PeerMetadata::default(),
            supported_protocol_versions: vec!["1".into()],
        };
        hub.handle(conn, &join.encode());
        conn
    }

    /// Checks what the hub sent; disconnects (as the websocket task does) on a close.
    fn drain(&mut self, hub: &Hub) {
        let Some((conn, rx)) = &mut self.open else {
            return;
        };
        let mut closed = false;
        while let Ok(out) = rx.try_recv() {
            match out {
                Outgoing::Frame(bytes) => check_frame(&bytes),
                Outgoing::Close(_, reason) => {
                    assert!(
                        reason.len() <= close::MAX_REASON_BYTES,
                        "a close reason longer than a close frame allows"
                    );
                    closed = true;
                }
            }
        }
        if closed {
            hub.disconnect(*conn);
            self.open = None;
        }
    }
}

fn check_frame(bytes: &[u8]) {
    let message = Message::decode(bytes)
        .unwrap_or_else(|e| panic!("the hub sent a frame that does not decode: {e}"));
    if let Message::Sync { data, .. } | Message::Request { data, .. } = &message {
        if let Err(e) = automerge::sync::Message::decode(data) {
            panic!("the hub sent sync data that does not decode: {e}");
        }
    }
}

/// What storage holds of a document, checked: its heads, or `None` if it is not stored. A
/// document whose stored chunks are those of its last check is not checked again.
fn stored(
    storage: &SqliteStorage,
    checked: &mut HashMap<DocumentId, (u64, Vec<ChangeHash>)>,
    id: DocumentId,
) -> Option<Vec<ChangeHash>> {
    let antenna = storage.document_antenna(&id).expect("reading storage")?;
    let chunks = storage.load_document(&id).expect("reading storage");
    let fingerprint = {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        antenna.hash(&mut hasher);
        chunks.hash(&mut hasher);
        hasher.finish()
    };
    if let Some((known, heads)) = checked.get(&id) {
        if *known == fingerprint {
            return Some(heads.clone());
        }
    }
    let heads = check_stored(id, antenna, &chunks);
    checked.insert(id, (fingerprint, heads.clone()));
    Some(heads)
}

/// Checks a stored document (see the module's doc); answers its heads.
fn check_stored(id: DocumentId, antenna: AntennaId, chunks: &[Vec<u8>]) -> Vec<ChangeHash> {
    let doc = load_chunks(chunks, "relay");
    assert!(!doc.get_heads().is_empty(), "a document is stored empty");
    assert!(
        doc.get_missing_deps(&[]).is_empty(),
        "a stored document holds changes whose dependencies are missing"
    );
    let root = |key: &str| doc.get(ROOT, key).expect("reading the root");
    let (schema, kind, named) = (root("schema"), root("kind"), root("antenna"));
    if schema.is_none() && kind.is_none() && named.is_none() {
        // A stock automerge-repo client's document: no Jiran header, and none grown later.
        assert_ne!(
            id,
            antenna.document(),
            "the antenna document lost its header"
        );
        return doc.get_heads();
    }
    let text = |v: Option<(automerge::Value<'_>, automerge::ObjId)>| match v {
        Some((automerge::Value::Scalar(s), _)) => match s.as_ref() {
            automerge::ScalarValue::Str(t) => Some(t.to_string()),
            _ => None,
        },
        _ => None,
    };
    let positive = match schema {
        Some((automerge::Value::Scalar(s), _)) => match s.as_ref() {
            automerge::ScalarValue::Uint(v) => *v > 0,
            automerge::ScalarValue::Int(v) => *v > 0,
            _ => false,
        },
        _ => false,
    };
    assert!(
        positive,
        "a stored document's schema is not a positive integer"
    );
    let kind = text(kind)
        .and_then(|k| DocumentKind::parse(&k))
        .expect("a stored document's kind is not a known kind");
    let named: AntennaId = text(named)
        .and_then(|a| a.parse().ok())
        .expect("a stored document's antenna is not an antenna id");
    assert_eq!(named, antenna, "a stored document names another antenna");
    if id == antenna.document() {
        assert_eq!(kind, DocumentKind::Antenna, "the antenna document's kind");
    }
    doc.get_heads()
}

fn since(data: &[u8]) -> u64 {
    let mut bytes = [0u8; 8];
    let n = data.len().min(8);
    bytes[..n].copy_from_slice(&data[..n]);
    u64::from_le_bytes(bytes)
}

fuzz_target!(init: jiran_fuzz::let_guarded_panics_unwind(), |data: &[u8]| {
    let Some(script) = Script::parse(data) else {
        return;
    };
    let mut guard = RELAY.lock().unwrap_or_else(|p| p.into_inner());
    if guard
        .as_ref()
        .is_none_or(|r| r.inputs >= INPUTS_PER_STORAGE)
    {
        *guard = Some(Relay::new());
    }
    let relay = guard.as_mut().expect("set above");
    relay.inputs += 1;
    if !relay.founded.contains(&script.antenna) {
        if !is_founding(script.antenna, script.founding) {
            return;
        }
        if relay
            .storage
            .create_antenna(&script.antenna, "fuzz", script.founding)
            .is_err()
        {
            // Its document id is already another antenna's document.
            return;
        }
        relay.founded.insert(script.antenna);
    }
    let storage = relay.storage.clone();
    let hub = Hub::new(
        storage.clone(),
        Arc::new(Metrics::default()),
        Limits::default(),
        "relay".into(),
    );
    let before: HashMap<DocumentId, Option<Vec<ChangeHash>>> = script
        .docs
        .iter()
        .map(|id| (*id, stored(&storage, &mut relay.checked, *id)))
        .collect();

    let mut peers = [
        Peer {
            device: Device {
                id: "device-a".into(),
                antenna: script.antenna,
                role: script.role,
                name: "phone a".into(),
                revoked: false,
                key: script.key,
            },
            peer_id: "peer-a",
            open: None,
        },
        Peer {
            device: Device {
                id: "device-b".into(),
                antenna: script.antenna,
                role: Role::Volunteer,
                name: "phone b".into(),
                revoked: false,
                key: None,
            },
            peer_id: "peer-b",
            open: None,
        },
    ];
    let mut current = 0;
    let mut second_used = false;
    for op in &script.ops {
        let peer_id = peers[current].peer_id;
        let document_id = op.doc.to_string();
        let message = |kind: u8| -> Message {
            match kind {
                0 => Message::Sync {
                    sender_id: peer_id.into(),
                    target_id: "relay".into(),
                    document_id: document_id.clone(),
                    data: op.data.to_vec(),
                },
                1 => Message::Request {
                    sender_id: peer_id.into(),
                    target_id: "relay".into(),
                    document_id: document_id.clone(),
                    data: op.data.to_vec(),
                },
                3 => Message::Changes {
                    sender_id: peer_id.into(),
                    target_id: "relay".into(),
                    since: since(op.data),
                },
                4 => Message::Ephemeral {
                    sender_id: peer_id.into(),
                    target_id: String::new(),
                    document_id: document_id.clone(),
                    session_id: "session".into(),
                    count: since(op.data),
                    data: op.data.to_vec(),
                },
                8 => Message::Leave {
                    sender_id: peer_id.into(),
                },
                _ => Message::Join {
                    sender_id: String::from_utf8_lossy(op.data).into_owned(),
                    peer_metadata: PeerMetadata::default(),
                    supported_protocol_versions: vec!["1".into()],
                },
            }
        };
        match op.tag % 10 {
            kind @ (0 | 1 | 3 | 4 | 8 | 9) => {
                let conn = peers[current].conn(&hub);
                hub.handle(conn, &message(kind).encode());
            }
            2 => {
                let conn = peers[current].conn(&hub);
                hub.handle(conn, op.data);
            }
            5 => hub.flush(),
            6 => {
                current = 1 - current;
                second_used |= current == 1;
            }
            _ => {
                if let Some((conn, _)) = peers[current].open.take() {
                    hub.disconnect(conn);
                }
            }
        }
        for peer in &mut peers {
            peer.drain(&hub);
        }
    }
    hub.flush();
    for peer in &mut peers {
        peer.drain(&hub);
        if let Some((conn, _)) = peer.open.take() {
            hub.disconnect(conn);
        }
    }

    for id in &script.docs {
        let now = stored(&storage, &mut relay.checked, *id);
        if script.role == Role::Observer && !second_used {
            assert_eq!(
                &now, &before[id],
                "an observer's messages changed a stored document"
            );
        }
    }
});
