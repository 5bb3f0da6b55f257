//! The relay's sync logic: which connection may see which document, per-peer automerge sync
//! state, durable storage before any reply, and fan-out to the other peers of a document.
//!
//! Every message that changes a document is judged by [`crate::policy`] (who may change
//! what, by content) after it is applied in memory and before anything of it is stored; a
//! refused message leaves no trace.
//!
//! Built directly on automerge's sync API rather than on samod (see ARCHITECTURE.md): a
//! document is loaded only when a peer of its antenna asks for it, a connection holds sync
//! state only for the documents it asked for, and a document leaves memory when its last peer
//! leaves.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use automerge::sync::{self, SyncDoc};
use automerge::{Automerge, ChangeHash, ReadDoc};
use jiran_core::document::{self, erased_households};
use jiran_core::sync::protocol::{decode_sync_data, Message, PeerMetadata, PROTOCOL_VERSION};
use jiran_core::{AntennaId, DeviceKey, DocumentId, Role};
use tokio::sync::Notify;

use crate::config::Limits;
use crate::metrics::Metrics;
use crate::outbox::Outbox;
use crate::policy::{self, Held, Refusal, Sender};
use crate::storage::{Append, Device, Storage};

/// Past this many bytes of appended changes, the relay snapshots a document.
const SNAPSHOT_AFTER_BYTES: u64 = 1024 * 1024;

/// At most this many documents per `jiran-changed` answer (about 30 KB).
const FEED_PAGE: usize = 1000;

/// How long the relay waits for a peer's answer to a sync message that carried changes
/// before it sends the changes that arrived meanwhile anyway. Peers answer such a message
/// as soon as they have applied it (automerge-repo clients and Jiran phones do), so this
/// bounds only the wait for a peer that has nothing to say or lost the message.
pub const ANSWER_WAIT: Duration = Duration::from_millis(250);

/// Identifies one websocket connection.
pub type ConnId = u64;

/// Close codes the relay uses, with what a device should do.
pub mod close {
    /// Normal close (the peer said `leave`).
    pub const NORMAL: u16 = 1000;
    /// The relay is shutting down; reconnect later.
    pub const GOING_AWAY: u16 = 1001;
    /// The peer broke the protocol (garbage, unknown message, bad id).
    pub const PROTOCOL: u16 = 1002;
    /// A message was larger than the relay accepts.
    pub const TOO_LARGE: u16 = 1009;
    /// The device was revoked: wipe this antenna's data.
    pub const REVOKED: u16 = 4003;
    /// The device sent a change its role does not allow (a volunteer erasing a household,
    /// promoting itself, assigning a task; see `policy` for every rule). Nothing of the
    /// message was stored; the reason names the rule. Resending the same change is refused
    /// again: the device's own data or software is wrong.
    pub const FORBIDDEN: u16 = 4403;
    /// Too many messages: slow down and reconnect.
    pub const RATE_LIMITED: u16 = 4008;
    /// The peer id in `join` is used by another device's connection: pick a new one.
    pub const PEER_ID_TAKEN: u16 = 4409;
    /// The relay could not store changes; nothing was lost on the device, retry later.
    pub const STORAGE: u16 = 4500;
    /// The connection sent no `join` within `join_timeout_seconds` of opening: a client that
    /// is not speaking the protocol (or a stalled one). Reconnect and send `join` first.
    pub const JOIN_TIMEOUT: u16 = 4408;
    /// The peer did not read what the relay sent it fast enough: more than
    /// `max_queued_bytes_per_connection` waited for it. Nothing is lost (the relay's data is
    /// on disk); reconnect and sync resumes.
    pub const TOO_SLOW: u16 = 4009;
    /// The device already has `max_connections_per_device` websockets open; this one is
    /// refused. Close an old one (or wait for it to time out) before retrying.
    pub const TOO_MANY_CONNECTIONS: u16 = 4029;

    /// The longest close reason, in bytes: a close frame is a control frame, whose payload
    /// (two bytes of code, then the reason) the websocket protocol caps at 125 bytes. A
    /// client must refuse a longer one, and would see a dropped connection instead.
    pub const MAX_REASON_BYTES: usize = 123;

    /// `reason` cut to at most [`MAX_REASON_BYTES`] bytes, at a character boundary (an Arabic
    /// letter takes two bytes, so counting characters is not enough).
    pub fn reason(reason: &str) -> &str {
        if reason.len() <= MAX_REASON_BYTES {
            return reason;
        }
        let mut end = MAX_REASON_BYTES;
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        &reason[..end]
    }
}

/// What the hub asks a connection's writer to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outgoing {
    /// Send a binary frame.
    Frame(Vec<u8>),
    /// Close the websocket with a code and reason.
    Close(u16, String),
}

struct Conn {
    device: Device,
    peer: Option<String>,
    tx: Outbox,
    docs: HashSet<DocumentId>,
}

/// Fan-out paced by the receiver, per peer and document: a sync message carrying changes
/// went to the peer at `sent`, and until the peer answers (or [`ANSWER_WAIT`] passes) the
/// relay sends it nothing more of the document; changes that arrive meanwhile (`behind`) go
/// in the next message, one for all of them. A peer that keeps up gets each change at once;
/// a slow one gets them in batches exactly as large as its slowness makes them.
struct Pace {
    sent: Instant,
    behind: bool,
}

struct Resident {
    doc: Automerge,
    antenna: AntennaId,
    /// Heads on disk; changes past them wait for the next [`Hub::flush`].
    persisted: Vec<ChangeHash>,
    peers: HashMap<ConnId, sync::State>,
    /// Peers sent changes they have not answered yet (see [`Pace`]).
    paced: HashMap<ConnId, Pace>,
    /// Changes each peer sent whose dependencies the relay lacks, kept aside for it (never in
    /// the document, so no other peer's message can complete them): they are applied with
    /// that peer's next message, as its own, once their dependencies are there.
    orphans: HashMap<ConnId, Vec<automerge::Change>>,
    /// Changes to ask each peer for in the next message to it: the missing dependencies of
    /// its orphans (see [`sync_message_for`]).
    ask: HashMap<ConnId, Vec<ChangeHash>>,
    /// Connections whose changes wait for the next flush (closed if it fails).
    waiting: HashSet<ConnId>,
    /// Whether storage has a row for it. A new document is stored with its first changes,
    /// once they passed the policy (so a refused or empty first message files nothing,
    /// under no antenna).
    stored: bool,
    /// For an antenna document: its members' roles and removals as last applied to their
    /// devices (`None`: not yet since it was loaded), so the devices are read only when a
    /// lead's change really changed the team.
    team_applied: Option<Vec<(String, Role, bool)>>,
    /// For an antenna document: how many of its tombstones were applied to storage since it
    /// was loaded (`None`: not checked yet). Tombstones are never removed (the policy refuses
    /// it, rule 8), so a change in the count is a new erasure.
    erasures_applied: Option<usize>,
}

impl Resident {
    fn new(doc: Automerge, antenna: AntennaId, stored: bool) -> Resident {
        Resident {
            persisted: doc.get_heads(),
            doc,
            antenna,
            peers: HashMap::new(),
            paced: HashMap::new(),
            orphans: HashMap::new(),
            ask: HashMap::new(),
            waiting: HashSet::new(),
            stored,
            team_applied: None,
            erasures_applied: None,
        }
    }
}

/// The automerge crate panicked building a sync message from a document in memory: the
/// document must be reloaded from disk, and the peers it could not serve told to retry.
#[derive(Debug)]
struct Unservable;

/// The relay's next sync message for peer `conn` of `resident` (`None`: nothing to say, or
/// not a peer), asking also for the changes in [`Resident::ask`] the document still lacks.
fn sync_message_for(
    resident: &mut Resident,
    conn: ConnId,
) -> Result<Option<sync::Message>, Unservable> {
    let Some(state) = resident.peers.get_mut(&conn) else {
        return Ok(None);
    };
    let doc = &resident.doc;
    let mut message =
        document::guard_untrusted(|| Some(doc.generate_sync_message(state))).ok_or(Unservable)?;
    if let Some(ask) = resident.ask.remove(&conn) {
        let lacking: Vec<ChangeHash> = ask
            .into_iter()
            .filter(|h| resident.doc.get_change_meta_by_hash(h).is_none())
            .collect();
        if !lacking.is_empty() {
            let message = message.get_or_insert_with(|| sync::Message {
                heads: resident.doc.get_heads(),
                need: Vec::new(),
                have: Vec::new(),
                changes: Vec::<Vec<u8>>::new().into(),
                flags: None,
                version: sync::MessageVersion::V1,
            });
            // The wire form wants them sorted (automerge's encoder asserts it).
            message.need.extend(lacking);
            message.need.sort();
            message.need.dedup();
        }
    }
    Ok(message)
}

/// Records that `reply` went to `conn`: one carrying changes waits for the peer's answer.
fn pace_sent_to(
    paced: &mut HashMap<ConnId, Pace>,
    conn: ConnId,
    reply: &sync::Message,
    now: Instant,
) {
    if reply.changes.iter().next().is_some() {
        paced.insert(
            conn,
            Pace {
                sent: now,
                behind: false,
            },
        );
    }
}

#[derive(Default)]
struct State {
    conns: HashMap<ConnId, Conn>,
    /// Per antenna, the connections following its change feed (Jiran devices).
    followers: HashMap<AntennaId, HashSet<ConnId>>,
    docs: HashMap<DocumentId, Resident>,
    /// Documents holding changes not yet on disk.
    dirty: HashSet<DocumentId>,
    /// Documents with a peer that missed changes while the relay waited for its answer
    /// ([`Pace::behind`]): [`Hub::send_overdue`] looks only at these.
    behind: HashSet<DocumentId>,
    /// Which device owns each actor id seen so far (a cache of the storage's table).
    actors: HashMap<Vec<u8>, String>,
    /// Actors first written with since the last flush, owned from then on by the device that
    /// wrote with them; stored before the changes that carry them.
    new_actors: Vec<(Vec<u8>, String)>,
    /// Antenna documents a lead's accepted message changed: once the flush stored it, the
    /// roles and removals of its members entries are applied to their devices' tokens.
    team_changed: HashSet<DocumentId>,
}

/// The sync hub shared by every connection.
pub struct Hub {
    storage: Arc<dyn Storage>,
    metrics: Arc<Metrics>,
    limits: Limits,
    peer_id: String,
    storage_id: String,
    state: Mutex<State>,
    next_conn: AtomicU64,
    /// Wakes [`Hub::flush_continuously`] when a document has changes to store.
    flush_needed: Notify,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("peer_id", &self.peer_id)
            .finish()
    }
}

impl Hub {
    /// A hub over `storage`.
    pub fn new(
        storage: Arc<dyn Storage>,
        metrics: Arc<Metrics>,
        limits: Limits,
        storage_id: String,
    ) -> Hub {
        Hub {
            storage,
            metrics,
            limits,
            peer_id: format!("jiran-relay-{}", crate::auth::new_device_id()),
            storage_id,
            state: Mutex::new(State::default()),
            next_conn: AtomicU64::new(1),
            flush_needed: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers an authenticated connection; the hub writes to it through `tx`. No cap
    /// (see [`Hub::try_connect`]).
    pub fn connect(&self, device: Device, tx: impl Into<Outbox>) -> ConnId {
        self.register(&mut self.lock(), device, tx.into())
    }

    /// Registers an authenticated connection unless its device already has
    /// `max_connections_per_device` open (`None`): checked and inserted under one lock, so
    /// simultaneous upgrades cannot pass the cap together.
    pub fn try_connect(&self, device: Device, tx: Outbox) -> Option<ConnId> {
        let mut state = self.lock();
        let open = state
            .conns
            .values()
            .filter(|c| c.device.id == device.id)
            .count();
        if open as u64 >= self.limits.max_connections_per_device {
            return None;
        }
        Some(self.register(&mut state, device, tx))
    }

    fn register(&self, state: &mut State, device: Device, tx: Outbox) -> ConnId {
        let id = self.next_conn.fetch_add(1, Ordering::Relaxed);
        let conn = Conn {
            device,
            peer: None,
            tx,
            docs: HashSet::new(),
        };
        state.conns.insert(id, conn);
        id
    }

    /// How many connections a device has open (checked at upgrade, to answer 429 before
    /// the websocket exists; [`Hub::try_connect`] checks again).
    pub fn connections_of(&self, device_id: &str) -> u64 {
        self.lock()
            .conns
            .values()
            .filter(|c| c.device.id == device_id)
            .count() as u64
    }

    /// Forgets a connection; documents no other connection uses leave memory.
    pub fn disconnect(&self, conn: ConnId) {
        let mut state = self.lock();
        // Changes this connection (or any other) sent are stored before documents leave memory.
        self.flush_locked(&mut state);
        let State {
            conns,
            docs,
            followers,
            ..
        } = &mut *state;
        if let Some(c) = conns.remove(&conn) {
            if let Some(set) = followers.get_mut(&c.device.antenna) {
                set.remove(&conn);
                if set.is_empty() {
                    followers.remove(&c.device.antenna);
                }
            }
            for doc in c.docs {
                let idle = docs.get_mut(&doc).map(|r| {
                    r.peers.remove(&conn);
                    r.paced.remove(&conn);
                    r.ask.remove(&conn);
                    r.orphans.remove(&conn);
                    r.peers.is_empty()
                });
                if idle == Some(true) {
                    docs.remove(&doc);
                }
            }
        }
        self.metrics
            .resident_documents
            .store(docs.len() as u64, Ordering::Relaxed);
    }

    /// Whether a connection has sent its `join`.
    pub fn joined(&self, conn: ConnId) -> bool {
        self.lock()
            .conns
            .get(&conn)
            .is_some_and(|c| c.peer.is_some())
    }

    /// Closes every connection of a revoked device, telling it to wipe the antenna's data.
    pub fn revoke(&self, device_id: &str) {
        let state = self.lock();
        for c in state.conns.values().filter(|c| c.device.id == device_id) {
            c.tx.close(
                close::REVOKED,
                "device revoked: wipe this antenna's data".into(),
            );
        }
    }

    /// Closes every connection (shutdown).
    pub fn close_all(&self, code: u16, reason: &str) {
        for c in self.lock().conns.values() {
            c.tx.close(code, reason.to_owned());
        }
    }

    /// Handles one binary message from a connection. Every outcome (replies, errors, closes)
    /// goes out through the connections' channels.
    pub fn handle(&self, conn: ConnId, bytes: &[u8]) {
        Metrics::inc(&self.metrics.messages_in);
        self.metrics
            .bytes_in
            .fetch_add(bytes.len() as u64, Ordering::Relaxed);
        let mut state = self.lock();
        let message = match Message::decode(bytes) {
            Ok(m) => m,
            Err(error) => {
                Metrics::inc(&self.metrics.sync_errors);
                self.fail(&state, conn, close::PROTOCOL, &error.to_string());
                return;
            }
        };
        let Some(c) = state.conns.get_mut(&conn) else {
            return;
        };
        match (c.peer.clone(), message) {
            (
                _,
                Message::Join {
                    sender_id,
                    supported_protocol_versions,
                    ..
                },
            ) => {
                if !supported_protocol_versions
                    .iter()
                    .any(|v| v == PROTOCOL_VERSION)
                {
                    self.fail(
                        &state,
                        conn,
                        close::PROTOCOL,
                        "no common protocol version (this relay speaks \"1\")",
                    );
                    return;
                }
                let device = c.device.id.clone();
                let taken = state.conns.iter().any(|(&other, o)| {
                    other != conn && o.device.id != device && o.peer.as_deref() == Some(&sender_id)
                });
                if taken {
                    // A peer id speaks for a device in presence and sync: one device's
                    // connection cannot take another's.
                    self.fail(
                        &state,
                        conn,
                        close::PEER_ID_TAKEN,
                        "this peer id is another device's; choose a new random one",
                    );
                    return;
                }
                let Some(c) = state.conns.get_mut(&conn) else {
                    return;
                };
                c.peer = Some(sender_id.clone());
                let peer = Message::Peer {
                    sender_id: self.peer_id.clone(),
                    target_id: sender_id,
                    peer_metadata: PeerMetadata {
                        storage_id: Some(self.storage_id.clone()),
                        is_ephemeral: false,
                    },
                    selected_protocol_version: PROTOCOL_VERSION.into(),
                };
                self.send(&state, conn, &peer);
            }
            (None, _) => self.fail(&state, conn, close::PROTOCOL, "send `join` first"),
            (
                Some(peer),
                Message::Request {
                    document_id, data, ..
                },
            ) => self.sync(&mut state, conn, &peer, &document_id, &data, true),
            (
                Some(peer),
                Message::Sync {
                    document_id, data, ..
                },
            ) => self.sync(&mut state, conn, &peer, &document_id, &data, false),
            (Some(peer), Message::Changes { since, .. }) => {
                let antenna = c.device.antenna;
                state.followers.entry(antenna).or_default().insert(conn);
                self.feed(&state, conn, &peer, antenna, since);
            }
            (Some(_), Message::Leave { .. }) => {
                c.tx.close(close::NORMAL, "goodbye".into());
            }
            (Some(peer), message @ Message::Ephemeral { .. }) => {
                self.ephemeral(&state, conn, &peer, message)
            }
            // Remote-heads subscriptions are not used by Jiran: accepted and ignored.
            (Some(_), _) => {}
        }
    }

    fn send(&self, state: &State, conn: ConnId, message: &Message) {
        if let Some(c) = state.conns.get(&conn) {
            let bytes = message.encode();
            let len = bytes.len() as u64;
            // A connection past its queue limit takes nothing more (it is being closed).
            if c.tx.frame(bytes) {
                Metrics::inc(&self.metrics.messages_out);
                self.metrics.bytes_out.fetch_add(len, Ordering::Relaxed);
            }
        }
    }

    /// Sends an `error` message and closes the connection.
    fn fail(&self, state: &State, conn: ConnId, code: u16, reason: &str) {
        if let Some(c) = state.conns.get(&conn) {
            let error = Message::Error {
                sender_id: self.peer_id.clone(),
                target_id: c.peer.clone().unwrap_or_default(),
                message: reason.to_owned(),
            };
            self.send(state, conn, &error);
            c.tx.close(code, close::reason(reason).to_owned());
        }
    }

    /// Answers a `jiran-changes`: one page of the antenna's change feed after `since`.
    fn feed(&self, state: &State, conn: ConnId, peer: &str, antenna: AntennaId, since: u64) {
        match self.storage.changed_documents(&antenna, since, FEED_PAGE) {
            Ok(page) => {
                let cursor = page.last().map_or(since, |(_, seq)| *seq);
                let message = Message::Changed {
                    sender_id: self.peer_id.clone(),
                    target_id: peer.to_owned(),
                    cursor,
                    more: page.len() == FEED_PAGE,
                    documents: page.into_iter().map(|(id, _)| id.to_string()).collect(),
                };
                self.send(state, conn, &message);
            }
            Err(error) => {
                tracing::error!(%error, "reading the change feed failed");
                Metrics::inc(&self.metrics.sync_errors);
                self.fail(
                    state,
                    conn,
                    close::STORAGE,
                    "the relay could not read its storage",
                );
            }
        }
    }

    /// Tells the antenna's feed followers that do not sync `doc` yet that it changed (those
    /// that do receive the changes themselves).
    fn announce(&self, state: &State, antenna: AntennaId, doc: DocumentId, seq: u64) {
        let (Some(resident), Some(followers)) =
            (state.docs.get(&doc), state.followers.get(&antenna))
        else {
            return;
        };
        for &id in followers {
            let Some(c) = state.conns.get(&id) else {
                continue;
            };
            if !resident.peers.contains_key(&id) {
                let message = Message::Changed {
                    sender_id: self.peer_id.clone(),
                    target_id: c.peer.clone().unwrap_or_default(),
                    cursor: seq,
                    documents: vec![doc.to_string()],
                    more: false,
                };
                self.send(state, id, &message);
            }
        }
    }

    /// Passes an ephemeral message (presence, "typing…") from one peer of a document to its
    /// other peers, as automerge-repo servers do. Never stored; never sent outside the
    /// antenna (a sender that does not sync the document is ignored, exactly as if the
    /// document did not exist); sent under the connection's own peer id, whatever the
    /// message claimed.
    fn ephemeral(&self, state: &State, conn: ConnId, peer: &str, message: Message) {
        let Message::Ephemeral {
            document_id,
            session_id,
            count,
            data,
            ..
        } = message
        else {
            return;
        };
        let Ok(doc_id) = document_id.parse::<DocumentId>() else {
            return;
        };
        let Some(resident) = state.docs.get(&doc_id) else {
            return;
        };
        if !resident.peers.contains_key(&conn) {
            return;
        }
        for &other in resident.peers.keys().filter(|&&other| other != conn) {
            let Some(target_id) = state.conns.get(&other).and_then(|c| c.peer.clone()) else {
                continue;
            };
            let message = Message::Ephemeral {
                sender_id: peer.to_owned(),
                target_id,
                document_id: document_id.clone(),
                session_id: session_id.clone(),
                count,
                data: data.clone(),
            };
            self.send(state, other, &message);
        }
    }

    /// Answers `peer` with the relay's sync message for `document_id`.
    fn reply(
        &self,
        state: &State,
        conn: ConnId,
        peer: &str,
        document_id: &str,
        reply: sync::Message,
    ) {
        let message = Message::Sync {
            sender_id: self.peer_id.clone(),
            target_id: peer.to_owned(),
            document_id: document_id.to_owned(),
            data: reply.encode(),
        };
        self.send(state, conn, &message);
    }

    fn unavailable(&self, state: &State, conn: ConnId, peer: &str, document_id: &str) {
        let message = Message::DocUnavailable {
            sender_id: self.peer_id.clone(),
            target_id: peer.to_owned(),
            document_id: document_id.to_owned(),
        };
        self.send(state, conn, &message);
    }

    fn sync(
        &self,
        state: &mut State,
        conn: ConnId,
        peer: &str,
        document_id: &str,
        data: &[u8],
        is_request: bool,
    ) {
        let Ok(doc_id) = document_id.parse::<DocumentId>() else {
            Metrics::inc(&self.metrics.sync_errors);
            return self.fail(state, conn, close::PROTOCOL, "invalid document id");
        };
        let mut message = match decode_sync_data(data) {
            Ok(message) => message,
            Err(e) => {
                Metrics::inc(&self.metrics.sync_errors);
                return self.fail(state, conn, close::PROTOCOL, e.reason());
            }
        };
        let device = state.conns[&conn].device.clone();
        // New documents of the antenna not stored yet count against its quota too.
        let unstored = if state.docs.contains_key(&doc_id) {
            0
        } else {
            state
                .docs
                .values()
                .filter(|r| !r.stored && r.antenna == device.antenna)
                .count() as u64
        };
        if let std::collections::hash_map::Entry::Vacant(slot) = state.docs.entry(doc_id) {
            match self.load(&device, doc_id, is_request, unstored) {
                Ok(Some(resident)) => {
                    slot.insert(resident);
                    self.metrics
                        .resident_documents
                        .store(state.docs.len() as u64, Ordering::Relaxed);
                }
                Ok(None) => return self.unavailable(state, conn, peer, document_id),
                Err(reason) => return self.storage_failure(state, conn, doc_id, &reason),
            }
        }
        let State { conns, docs, .. } = &mut *state;
        let resident = docs.get_mut(&doc_id).expect("loaded above");
        if resident.antenna != device.antenna {
            // Exactly as for a document that does not exist.
            return self.unavailable(state, conn, peer, document_id);
        }
        if device.role == Role::Observer {
            // Observers read only: their changes are not applied, and heads the relay does not
            // have are not recorded, so the relay never asks them for those changes (asking
            // and refusing would loop forever).
            message.changes = Vec::<Vec<u8>>::new().into();
            message
                .heads
                .retain(|h| resident.doc.get_change_meta_by_hash(h).is_some());
        }
        if let Some(c) = conns.get_mut(&conn) {
            c.docs.insert(doc_id);
        }
        if let Some(orphans) = resident.orphans.remove(&conn) {
            // This peer's changes kept aside go first, as part of its message.
            let mut changes: Vec<Vec<u8>> =
                orphans.iter().map(|c| c.raw_bytes().to_vec()).collect();
            changes.extend(message.changes.iter().map(<[u8]>::to_vec));
            message.changes = changes.into();
        }
        let before = resident.doc.get_heads();
        // The changes this message brings that the document lacks, so the policy reads their
        // operations rather than diffing the whole document. `None`: the message holds
        // something else than changes (then it diffs): a whole document, which automerge
        // sends instead of more than a third of its changes, so a diff then costs about what
        // the message does.
        let incoming: Option<Vec<automerge::Change>> =
            policy::split_changes(message.changes.iter()).map(|changes| {
                changes
                    .into_iter()
                    .filter(|c| resident.doc.get_change_meta_by_hash(&c.hash()).is_none())
                    .collect()
            });
        // The peer answered: it may be sent what arrived meanwhile (below, or at the flush).
        resident.paced.remove(&conn);
        let sync_state = resident.peers.entry(conn).or_default();
        // A panic of the automerge crate on the sender's bytes is their malformed message.
        let doc = &mut resident.doc;
        // Then automerge must be able to give the new changes back (the flush stores them
        // so, and every later sync message is built from them): the crate has accepted
        // changes it then panics on rebuilding ("MissingOps"; found by fuzzing the hub).
        let applied = document::guard_untrusted(|| {
            doc.receive_sync_message(sync_state, message).ok()?;
            Some(doc.get_changes(&before).len())
        });
        if applied.is_none() {
            Metrics::inc(&self.metrics.sync_errors);
            // The document in memory may be half-changed: back to what is on disk.
            self.reload(state, doc_id, Some(conn));
            return self.fail(
                state,
                conn,
                close::PROTOCOL,
                "the changes sent could not be applied",
            );
        }
        if let Err(reason) = self.check_authors(state, &device, doc_id, &before) {
            Metrics::inc(&self.metrics.sync_errors);
            tracing::warn!(
                role = device.role.as_str(),
                "a device sent a change under another device's actor id"
            );
            return self.refuse(state, conn, doc_id, reason);
        }
        let State {
            conns,
            docs,
            team_changed,
            ..
        } = &mut *state;
        let resident = docs.get_mut(&doc_id).expect("present above");
        let missing = resident.doc.get_missing_deps(&[]);
        if !missing.is_empty() {
            // Changes whose dependencies the relay lacks are not kept in the document:
            // applied later, with another device's message, they would pass as that
            // device's. They are kept aside for their sender (`orphans`, applied with its
            // next message, as its own), and the sender is asked for the dependencies in the
            // next message to it (automerge's `need`). That happens with no fault at all: a
            // false positive of the relay's Bloom filter (about 1 in 100 per change) makes a
            // client skip its previous change and send the next one alone, and a client never
            // resends a change it sent once, so before this the client's last change never
            // arrived (found with 50 stock JS clients, `scripts/load-bench`). It happens too
            // after a relay was restored from an older backup.
            resident.ask.entry(conn).or_default().extend(missing);
            if let Some(changes) = &incoming {
                let mut bytes = 0;
                let orphans: Vec<automerge::Change> = changes
                    .iter()
                    .filter(|c| resident.doc.get_change_meta_by_hash(&c.hash()).is_none())
                    .take_while(|c| {
                        bytes += c.raw_bytes().len();
                        bytes <= self.limits.max_message_bytes
                    })
                    .cloned()
                    .collect();
                resident.orphans.insert(conn, orphans);
            }
            let without_orphans = automerge::SaveOptions {
                retain_orphans: false,
                ..Default::default()
            };
            match Automerge::load(&resident.doc.save_with_options(without_orphans)) {
                Ok(doc) => resident.doc = doc,
                Err(_) => {
                    self.reload(state, doc_id, Some(conn));
                    return self.fail(
                        state,
                        conn,
                        close::PROTOCOL,
                        "the changes sent could not be applied",
                    );
                }
            }
        }
        let heads = resident.doc.get_heads();
        if !resident.stored && heads.is_empty() && resident.peers.len() <= 1 {
            // A new document and still no change in it: nothing to store, so nothing is kept
            // (no row, no feed entry, no quota used, no memory). The peer gets the answer any
            // automerge-repo peer gives for a document it lacks, and sends its changes next.
            let reply = resident
                .doc
                .generate_sync_message(resident.peers.entry(conn).or_default());
            docs.remove(&doc_id);
            if let Some(c) = conns.get_mut(&conn) {
                c.docs.remove(&doc_id);
            }
            self.metrics
                .resident_documents
                .store(docs.len() as u64, Ordering::Relaxed);
            if let Some(reply) = reply {
                self.reply(state, conn, peer, document_id, reply);
            }
            return;
        }
        if heads != before {
            // Only this message's own changes applied: the hub keeps none waiting (above).
            let applied =
                |c: &automerge::Change| resident.doc.get_change_meta_by_hash(&c.hash()).is_some();
            let sender = Sender {
                id: &device.id,
                antenna: device.antenna,
                role: device.role,
            };
            let verdict = match &incoming {
                Some(changes) => {
                    let own: Vec<_> = changes.iter().filter(|c| applied(c)).cloned().collect();
                    policy::check_changes(sender, doc_id, &resident.doc, &before, &own)
                }
                None => policy::check(sender, doc_id, &resident.doc, &before, &heads),
            }
            .map_err(Ok)
            .and_then(|allowed| {
                allowed.tombstones.iter().try_for_each(|id| {
                    match self.held(docs, device.antenna, *id) {
                        Ok(held) => policy::check_tombstone(device.antenna, held).map_err(Ok),
                        Err(reason) => Err(Err(reason)),
                    }
                })
            });
            if let Err(verdict) = verdict {
                return self.refuse_by_policy(state, conn, doc_id, &device, verdict);
            }
            if device.role == Role::Lead && doc_id == device.antenna.document() {
                team_changed.insert(doc_id);
            }
        }
        let resident = docs.get_mut(&doc_id).expect("present above");
        if heads != before {
            resident.waiting.insert(conn);
        }
        if heads != resident.persisted {
            // Replies wait for the flush: nothing leaves the relay before it is on disk.
            state.dirty.insert(doc_id);
            self.flush_needed.notify_one();
            return;
        }
        let Ok(reply) = sync_message_for(resident, conn) else {
            return self.unservable(state, doc_id, &[conn]);
        };
        let empty = heads.is_empty();
        if let Some(reply) = &reply {
            pace_sent_to(&mut resident.paced, conn, reply, Instant::now());
        }
        match reply {
            Some(reply) => self.reply(state, conn, peer, document_id, reply),
            None if is_request && empty => self.unavailable(state, conn, peer, document_id),
            None => {}
        }
    }

    /// Checks who wrote the changes a message just added to `doc_id` (past `before`): each must
    /// be under an actor id this device owns (its registered key; or, for an actor that is no
    /// device key, one it was the first to write with, which it owns from then on), or be the
    /// document's derived skeleton.
    /// A change under another device's actor is impersonation: its sender could also take
    /// that device's next sequence number and lock it out of the document for good.
    fn check_authors(
        &self,
        state: &mut State,
        device: &Device,
        doc_id: DocumentId,
        before: &[ChangeHash],
    ) -> Result<(), &'static str> {
        let State {
            docs,
            actors,
            new_actors,
            ..
        } = state;
        let doc = &docs[&doc_id].doc;
        if doc.get_heads() == before {
            return Ok(());
        }
        let skeleton = jiran_core::document::skeleton_actor(doc_id);
        let mut claimed: Vec<Vec<u8>> = Vec::new();
        for meta in doc.get_changes_meta(before) {
            if *meta.actor == skeleton {
                let canonical = doc
                    .get_change_by_hash(&meta.hash)
                    .is_some_and(|c| jiran_core::document::is_skeleton_change(doc_id, &c));
                if !canonical {
                    return Err(
                        "a change claims the document's skeleton actor but is not its skeleton",
                    );
                }
                continue;
            }
            if let Some(key) = DeviceKey::from_actor(&meta.actor) {
                // A device key: only a device registered with it writes under it.
                if device.key != Some(key) {
                    return Err("a change is under another device's actor id; send only this device's own changes");
                }
                continue;
            }
            let actor = meta.actor.to_bytes().to_vec();
            let owner = match actors.get(&actor) {
                Some(owner) => Some(owner.clone()),
                None => match self.storage.actor_owner(&actor) {
                    Ok(owner) => owner,
                    Err(error) => {
                        tracing::error!(%error, "reading actor owners failed");
                        return Err("the relay could not check who wrote the changes; retry later");
                    }
                },
            };
            match owner {
                Some(owner) if owner == device.id => {
                    actors.insert(actor, owner);
                }
                Some(owner) => {
                    actors.insert(actor, owner);
                    return Err("a change is under another device's actor id; send only this device's own changes");
                }
                None => {
                    if !claimed.contains(&actor) {
                        claimed.push(actor);
                    }
                }
            }
        }
        for actor in claimed {
            actors.insert(actor.clone(), device.id.clone());
            new_actors.push((actor, device.id.clone()));
        }
        Ok(())
    }

    /// Refuses what `conn` just sent to `doc_id`: the document goes back to what is on disk,
    /// whoever else waits for it to be stored resends after reconnecting, and the sender is
    /// closed with [`close::FORBIDDEN`] and `reason`.
    fn refuse(&self, state: &mut State, conn: ConnId, doc_id: DocumentId, reason: &str) {
        self.reload(state, doc_id, Some(conn));
        self.fail(state, conn, close::FORBIDDEN, reason);
    }

    /// Puts the document in memory back to what is on disk, after `culprit`'s message left it
    /// holding changes that will not be stored (`None`: a flush that failed). The other
    /// connections syncing it stay its peers with their sync states, which hold nothing the
    /// disk lacks (nothing leaves the relay before it is stored): one device's refused
    /// message must not silently end the others' live sync (a stock automerge-repo client
    /// would not hear of the document's next changes until it wrote one itself).
    /// Connections with changes waiting for the next flush lose them here and are closed
    /// with [`close::STORAGE`], as are all when the document cannot be read: they reconnect
    /// and resend, so nothing acknowledged is lost.
    fn reload(&self, state: &mut State, doc_id: DocumentId, culprit: Option<ConnId>) {
        let Some(mut resident) = state.docs.remove(&doc_id) else {
            return;
        };
        let blameless = |c: &ConnId| Some(*c) != culprit;
        let mut unserved: Vec<ConnId> =
            resident.waiting.iter().copied().filter(blameless).collect();
        resident
            .peers
            .retain(|c, _| blameless(c) && !resident.waiting.contains(c));
        if resident.stored && !resident.peers.is_empty() {
            match self.read(&doc_id) {
                Ok(doc) => {
                    let mut fresh = Resident::new(doc, resident.antenna, true);
                    // What other peers were owed (changes kept aside for them, dependencies to
                    // ask them for) stays theirs.
                    resident
                        .orphans
                        .retain(|c, _| resident.peers.contains_key(c));
                    resident.ask.retain(|c, _| resident.peers.contains_key(c));
                    fresh.orphans = resident.orphans;
                    fresh.ask = resident.ask;
                    fresh.peers = resident.peers;
                    state.docs.insert(doc_id, fresh);
                }
                Err(_) => unserved.extend(resident.peers.into_keys()),
            }
        }
        for other in unserved {
            self.fail(
                state,
                other,
                close::STORAGE,
                "the relay could not store the changes",
            );
        }
        self.metrics
            .resident_documents
            .store(state.docs.len() as u64, Ordering::Relaxed);
    }

    /// Stores every change received since the last flush in one transaction (group commit),
    /// then sends each document's peers what they miss: one sync message per peer and
    /// document, however many changes arrived meanwhile. If storing fails, the connections
    /// that sent those changes are closed with [`close::STORAGE`] (they keep their changes
    /// and retry) and the documents are reloaded from disk when next asked for.
    pub fn flush(&self) {
        self.flush_locked(&mut self.lock());
    }

    /// Flushes whenever a connection has left changes to store; runs for the relay's life.
    /// Under load, changes arriving while a flush writes are stored together by the next.
    pub async fn flush_continuously(self: Arc<Self>) {
        loop {
            self.flush_needed.notified().await;
            // Let connections with messages already read go first, so one flush takes them
            // all (measured: 940 → ~1,270 changes/s in the burst benchmark, p50 unchanged).
            tokio::task::yield_now().await;
            self.flush();
        }
    }

    /// Sends the peers that missed changes while the relay waited for their answer, and
    /// have not answered within [`ANSWER_WAIT`] of `now`, what they miss: one message each.
    pub fn send_overdue(&self, now: Instant) {
        let mut state = self.lock();
        let docs: Vec<DocumentId> = state.behind.drain().collect();
        for id in docs {
            if state.dirty.contains(&id) {
                // The flush that stores its changes sends them.
                state.behind.insert(id);
                continue;
            }
            let State { docs, behind, .. } = &mut *state;
            let Some(resident) = docs.get_mut(&id) else {
                continue;
            };
            let mut due = Vec::new();
            resident.paced.retain(|&peer, pace| {
                if !pace.behind {
                    return true;
                }
                if now.duration_since(pace.sent) < ANSWER_WAIT {
                    behind.insert(id);
                    return true;
                }
                due.push(peer);
                false
            });
            self.send_sync(&mut state, id, due, now);
        }
    }

    /// Sends each of `peers` of the resident document `id` the relay's next sync message
    /// for it, if it has one; a message that carries changes waits for the peer's answer
    /// (see [`Pace`]).
    fn send_sync(&self, state: &mut State, id: DocumentId, peers: Vec<ConnId>, now: Instant) {
        let State { conns, docs, .. } = &mut *state;
        let Some(resident) = docs.get_mut(&id) else {
            return;
        };
        let mut messages = Vec::new();
        let mut unserved = Vec::new();
        for peer in peers {
            let reply = match sync_message_for(resident, peer) {
                Ok(Some(reply)) => reply,
                Ok(None) => continue,
                Err(Unservable) => {
                    unserved.push(peer);
                    continue;
                }
            };
            pace_sent_to(&mut resident.paced, peer, &reply, now);
            let target_id = conns
                .get(&peer)
                .and_then(|c| c.peer.clone())
                .unwrap_or_default();
            messages.push((
                peer,
                Message::Sync {
                    sender_id: self.peer_id.clone(),
                    target_id,
                    document_id: id.to_string(),
                    data: reply.encode(),
                },
            ));
        }
        for (peer, message) in messages {
            self.send(state, peer, &message);
        }
        if !unserved.is_empty() {
            self.unservable(state, id, &unserved);
        }
    }

    /// The automerge crate could not build a sync message of `doc_id` for `peers`: the
    /// document goes back to what is on disk, and those peers are closed with
    /// [`close::STORAGE`] (they keep their data and retry). Every other document, and the
    /// document's other peers, go on.
    fn unservable(&self, state: &mut State, doc_id: DocumentId, peers: &[ConnId]) {
        tracing::error!(
            peers = peers.len(),
            "the automerge crate could not build a sync message of a document; reloaded"
        );
        Metrics::inc(&self.metrics.sync_errors);
        self.reload(state, doc_id, None);
        for &peer in peers {
            self.fail(
                state,
                peer,
                close::STORAGE,
                "the relay could not read the document",
            );
        }
    }

    /// Calls [`Hub::send_overdue`] a few times per [`ANSWER_WAIT`]; runs for the relay's life.
    pub async fn send_overdue_continuously(self: Arc<Self>) {
        let mut tick = tokio::time::interval(ANSWER_WAIT / 5);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            self.send_overdue(Instant::now());
        }
    }

    fn flush_locked(&self, state: &mut State) {
        let dirty: Vec<DocumentId> = state
            .dirty
            .drain()
            .filter(|id| state.docs.contains_key(id))
            .collect();
        if dirty.is_empty() {
            return;
        }
        let batch: Vec<Append> = dirty
            .iter()
            .map(|id| {
                let resident = &state.docs[id];
                let changes = resident.doc.get_changes(&resident.persisted);
                Append {
                    doc: *id,
                    new_in: (!resident.stored).then_some(resident.antenna),
                    changes: changes.iter().map(|c| c.raw_bytes().to_vec()).collect(),
                }
            })
            .collect();
        let new_actors = std::mem::take(&mut state.new_actors);
        let bound = if new_actors.is_empty() {
            Ok(())
        } else {
            self.storage.bind_actors(&new_actors)
        };
        let stored = bound.and_then(|()| self.storage.append_changes(&batch));
        let appended = match stored {
            Ok(appended) => appended,
            Err(error) => {
                tracing::error!(%error, documents = dirty.len(), "storing changes failed");
                for id in &dirty {
                    if let Some(resident) = state.docs.get(id) {
                        self.metrics
                            .sync_errors
                            .fetch_add(resident.waiting.len() as u64, Ordering::Relaxed);
                    }
                    self.reload(state, *id, None);
                }
                return;
            }
        };
        let mut erasures = Vec::new();
        let teams: Vec<DocumentId> = dirty
            .iter()
            .filter(|id| state.team_changed.remove(id))
            .copied()
            .collect();
        for (id, appended) in dirty.into_iter().zip(appended) {
            let State { docs, behind, .. } = &mut *state;
            let resident = docs.get_mut(&id).expect("filtered above");
            resident.persisted = resident.doc.get_heads();
            resident.stored = true;
            resident.waiting.clear();
            if appended.since_snapshot > SNAPSHOT_AFTER_BYTES {
                if let Err(error) = self.storage.replace_snapshot(&id, &resident.doc.save()) {
                    tracing::warn!(%error, "snapshotting a document failed; its changes are kept");
                }
            }
            let now = Instant::now();
            // Peers still to answer the changes last sent get these with their answer.
            let mut due = Vec::new();
            for &peer in resident.peers.keys() {
                match resident.paced.get_mut(&peer) {
                    Some(pace) if now.duration_since(pace.sent) < ANSWER_WAIT => {
                        pace.behind = true;
                        behind.insert(id);
                    }
                    _ => due.push(peer),
                }
            }
            let antenna = resident.antenna;
            if id == antenna.document() {
                let tombstones = erased_households(&resident.doc);
                if resident.erasures_applied != Some(tombstones.len()) {
                    erasures.push((antenna, tombstones));
                }
            }
            self.send_sync(state, id, due, now);
            self.announce(state, antenna, id, appended.seq);
        }
        for (antenna, tombstones) in erasures {
            self.erase(state, antenna, &tombstones);
        }
        for doc in teams {
            self.apply_team(state, doc);
        }
    }

    /// Applies a lead's changes to the antenna's team, now on disk in its antenna document, to
    /// the members' devices: a member whose role a lead changed gets a token of that role (so
    /// a promoted volunteer's lead actions are accepted from its next message, and a demoted
    /// lead's refused), and a removed member's device is revoked (told to wipe the antenna).
    /// Member ids are the relay's device ids. If storage fails, the next change retries.
    fn apply_team(&self, state: &mut State, doc: DocumentId) {
        let Some(resident) = state.docs.get_mut(&doc) else {
            return;
        };
        let antenna = resident.antenna;
        let members: std::collections::BTreeMap<String, jiran_core::Member> =
            match jiran_core::document::lookup(&resident.doc, &["members"]) {
                Ok(Some(members)) => members,
                _ => return,
            };
        let team: Vec<(String, Role, bool)> = members
            .iter()
            .map(|(id, m)| (id.clone(), m.role, m.removed_at.is_some()))
            .collect();
        if resident.team_applied.as_ref() == Some(&team) {
            // The lead's change touched no role and removed no one (an index update).
            return;
        }
        let devices = match self.storage.devices(&antenna) {
            Ok(devices) => devices,
            Err(error) => {
                tracing::error!(%error, "reading the antenna's devices failed");
                return;
            }
        };
        let mut failed = false;
        for device in devices.iter().filter(|d| !d.revoked) {
            let Some(member) = members.get(&device.id) else {
                continue;
            };
            if member.removed_at.is_some() {
                if let Err(error) = self.storage.revoke_device(&antenna, &device.id) {
                    tracing::error!(%error, "revoking a removed member's device failed");
                    failed = true;
                    continue;
                }
                tracing::info!(device = %device.id, "a lead removed the device's member: revoked");
                for c in state.conns.values().filter(|c| c.device.id == device.id) {
                    c.tx.close(
                        close::REVOKED,
                        "device revoked: wipe this antenna's data".into(),
                    );
                }
            } else if member.role != device.role {
                if let Err(error) = self
                    .storage
                    .set_device_role(&antenna, &device.id, member.role)
                {
                    tracing::error!(%error, "changing a device's role failed");
                    failed = true;
                    continue;
                }
                tracing::info!(device = %device.id, role = member.role.as_str(), "a lead changed the device's role");
                for c in state
                    .conns
                    .values_mut()
                    .filter(|c| c.device.id == device.id)
                {
                    c.device.role = member.role;
                }
            }
        }
        if !failed {
            if let Some(resident) = state.docs.get_mut(&doc) {
                resident.team_applied = Some(team);
            }
        }
    }

    /// Applies an antenna's tombstones, now on disk in its antenna document: the erased
    /// households' documents leave storage (history included) and memory, and are refused
    /// from now on. If storage fails, the next change to the antenna document retries.
    fn erase(&self, state: &mut State, antenna: AntennaId, tombstones: &[DocumentId]) {
        match self.storage.erase_documents(&antenna, tombstones) {
            Ok(erased) => {
                if erased > 0 {
                    tracing::info!(documents = erased, "erased households' documents");
                }
                if let Some(resident) = state.docs.get_mut(&antenna.document()) {
                    resident.erasures_applied = Some(tombstones.len());
                }
            }
            Err(error) => {
                tracing::error!(%error, "erasing documents failed; retried at the next change");
                return;
            }
        }
        for doc in tombstones {
            state.docs.remove(doc);
            state.dirty.remove(doc);
            for c in state.conns.values_mut() {
                c.docs.remove(doc);
            }
        }
        self.metrics
            .resident_documents
            .store(state.docs.len() as u64, Ordering::Relaxed);
    }

    /// Loads a document for `device`: `Ok(None)` when it must look unavailable (unknown and
    /// not creatable, or another antenna's). A document `device` may create comes back
    /// unstored: storage records it with its first changes (see [`Hub::flush`]). `unstored`
    /// counts the antenna's other new documents not stored yet, for its quota.
    /// A stored document, as on disk.
    fn read(&self, doc_id: &DocumentId) -> Result<Automerge, String> {
        let chunks = self.storage.load_document(doc_id).map_err(|error| {
            tracing::error!(%error, "reading storage failed");
            "the relay could not read its storage".to_owned()
        })?;
        let mut doc = Automerge::new();
        for chunk in chunks {
            if let Err(error) = doc.load_incremental(&chunk) {
                tracing::error!(%error, "a stored document is damaged");
                return Err("the relay could not load the document".into());
            }
        }
        Ok(doc)
    }

    fn load(
        &self,
        device: &Device,
        doc_id: DocumentId,
        is_request: bool,
        unstored: u64,
    ) -> Result<Option<Resident>, String> {
        let storage_error = |error: crate::error::Error| {
            tracing::error!(%error, "reading storage failed");
            "the relay could not read its storage".to_owned()
        };
        match self
            .storage
            .document_antenna(&doc_id)
            .map_err(storage_error)?
        {
            Some(antenna) if antenna == device.antenna => {
                Ok(Some(Resident::new(self.read(&doc_id)?, antenna, true)))
            }
            Some(_) => Ok(None),
            None if is_request || device.role == Role::Observer => Ok(None),
            None if self
                .storage
                .is_erased(&doc_id, &device.antenna)
                .map_err(storage_error)? =>
            {
                Ok(None)
            }
            None => {
                let count = self
                    .storage
                    .count_documents(&device.antenna)
                    .map_err(storage_error)?;
                if count + unstored >= self.limits.max_documents_per_antenna {
                    tracing::warn!("an antenna reached its document limit");
                    return Ok(None);
                }
                Ok(Some(Resident::new(Automerge::new(), device.antenna, false)))
            }
        }
    }

    /// Where the relay holds the document a lead's tombstone names, for
    /// [`policy::check_tombstone`]: from memory when it is resident, else one indexed read,
    /// and a load only for a stored document of the lead's own antenna (to read its kind).
    /// Runs only for a lead's message that adds a tombstone.
    fn held(
        &self,
        docs: &HashMap<DocumentId, Resident>,
        antenna: AntennaId,
        id: DocumentId,
    ) -> Result<Held, String> {
        if let Some(resident) = docs.get(&id) {
            return Ok(Held::Document {
                antenna: resident.antenna,
                kind: policy::kind(&resident.doc),
            });
        }
        let storage_error = |error: crate::error::Error| {
            tracing::error!(%error, "reading storage failed");
            "the relay could not read its storage".to_owned()
        };
        match self.storage.document_antenna(&id).map_err(storage_error)? {
            None => Ok(Held::Nowhere),
            Some(owner) if owner != antenna => Ok(Held::Document {
                antenna: owner,
                kind: None,
            }),
            Some(owner) => {
                let mut doc = Automerge::new();
                for chunk in self.storage.load_document(&id).map_err(storage_error)? {
                    if doc.load_incremental(&chunk).is_err() {
                        return Err("the relay could not load the document".into());
                    }
                }
                Ok(Held::Document {
                    antenna: owner,
                    kind: policy::kind(&doc),
                })
            }
        }
    }

    /// A message the policy refused (or could not judge, `Err`): the document goes back to
    /// what is on disk, whoever else waits for it to be stored is told to resend after
    /// reconnecting, and the sender is closed with [`close::FORBIDDEN`] and the rule (or
    /// [`close::STORAGE`]). Nothing of the message is stored.
    fn refuse_by_policy(
        &self,
        state: &mut State,
        conn: ConnId,
        doc_id: DocumentId,
        device: &Device,
        verdict: Result<Refusal, String>,
    ) {
        Metrics::inc(&self.metrics.sync_errors);
        match verdict {
            Ok(refusal) => {
                tracing::warn!(
                    role = device.role.as_str(),
                    reason = refusal.reason(),
                    "refused a change the sending device may not make"
                );
                self.refuse(state, conn, doc_id, refusal.reason());
            }
            Err(reason) => self.storage_failure(state, conn, doc_id, &reason),
        }
        self.metrics
            .resident_documents
            .store(state.docs.len() as u64, Ordering::Relaxed);
    }

    fn storage_failure(&self, state: &mut State, conn: ConnId, doc_id: DocumentId, reason: &str) {
        Metrics::inc(&self.metrics.sync_errors);
        state.docs.remove(&doc_id);
        self.fail(state, conn, close::STORAGE, reason);
    }
}

#[cfg(test)]
mod tests {
    //! The hub without sockets: connections are channels, storage is a real SQLite file,
    //! wrapped to fail on demand.

    use std::sync::atomic::AtomicBool;
    use tokio::sync::mpsc;

    use automerge::transaction::Transactable;
    use automerge::ReadDoc;

    use super::*;
    use crate::storage::SqliteStorage;

    /// Real SQLite storage whose writes fail while `broken` is set (a full or read-only disk).
    struct Flaky {
        inner: SqliteStorage,
        broken: AtomicBool,
    }

    impl Flaky {
        fn check(&self) -> crate::error::Result<()> {
            if self.broken.load(Ordering::SeqCst) {
                Err(crate::error::Error::Io(std::io::Error::other("disk full")))
            } else {
                Ok(())
            }
        }
    }

    impl Storage for Flaky {
        fn document_antenna(&self, doc: &DocumentId) -> crate::error::Result<Option<AntennaId>> {
            self.inner.document_antenna(doc)
        }
        fn load_document(&self, doc: &DocumentId) -> crate::error::Result<Vec<Vec<u8>>> {
            self.inner.load_document(doc)
        }
        fn append_changes(
            &self,
            batch: &[Append],
        ) -> crate::error::Result<Vec<crate::storage::Appended>> {
            self.check()?;
            self.inner.append_changes(batch)
        }
        fn replace_snapshot(&self, doc: &DocumentId, snapshot: &[u8]) -> crate::error::Result<()> {
            self.check()?;
            self.inner.replace_snapshot(doc, snapshot)
        }
        fn erase_documents(
            &self,
            antenna: &AntennaId,
            docs: &[DocumentId],
        ) -> crate::error::Result<usize> {
            self.check()?;
            self.inner.erase_documents(antenna, docs)
        }
        fn replace_blinded_index(
            &self,
            antenna: &AntennaId,
            contact: &str,
            hashes: &[String],
        ) -> crate::error::Result<Vec<crate::storage::BlindedMatch>> {
            self.inner.replace_blinded_index(antenna, contact, hashes)
        }
        fn leave_blinded_index(&self, antenna: &AntennaId) -> crate::error::Result<bool> {
            self.inner.leave_blinded_index(antenna)
        }
        fn is_erased(&self, doc: &DocumentId, antenna: &AntennaId) -> crate::error::Result<bool> {
            self.inner.is_erased(doc, antenna)
        }
        fn count_documents(&self, antenna: &AntennaId) -> crate::error::Result<u64> {
            self.inner.count_documents(antenna)
        }
        fn create_antenna(
            &self,
            antenna: &AntennaId,
            name: &str,
            first_change: &[u8],
        ) -> crate::error::Result<()> {
            self.inner.create_antenna(antenna, name, first_change)
        }
        fn changed_documents(
            &self,
            antenna: &AntennaId,
            since: u64,
            limit: usize,
        ) -> crate::error::Result<Vec<(DocumentId, u64)>> {
            self.inner.changed_documents(antenna, since, limit)
        }
        fn antenna_exists(&self, antenna: &AntennaId) -> crate::error::Result<bool> {
            self.inner.antenna_exists(antenna)
        }
        fn create_invite(
            &self,
            code_hash: &str,
            invite: &crate::storage::NewInvite,
        ) -> crate::error::Result<()> {
            self.inner.create_invite(code_hash, invite)
        }
        fn redeem_invite(
            &self,
            code_hash: &str,
            now: i64,
            id: &str,
            name: &str,
            token: &str,
            key: Option<&jiran_core::DeviceKey>,
        ) -> crate::error::Result<Option<Device>> {
            self.inner
                .redeem_invite(code_hash, now, id, name, token, key)
        }
        fn actor_owner(&self, actor: &[u8]) -> crate::error::Result<Option<String>> {
            self.inner.actor_owner(actor)
        }
        fn bind_actors(&self, bindings: &[(Vec<u8>, String)]) -> crate::error::Result<()> {
            self.check()?;
            self.inner.bind_actors(bindings)
        }
        fn device_by_token(&self, token_hash: &str) -> crate::error::Result<Option<Device>> {
            self.inner.device_by_token(token_hash)
        }
        fn set_device_role(
            &self,
            antenna: &AntennaId,
            device_id: &str,
            role: Role,
        ) -> crate::error::Result<bool> {
            self.inner.set_device_role(antenna, device_id, role)
        }
        fn devices(&self, antenna: &AntennaId) -> crate::error::Result<Vec<Device>> {
            self.inner.devices(antenna)
        }
        fn revoke_device(
            &self,
            antenna: &AntennaId,
            device_id: &str,
        ) -> crate::error::Result<bool> {
            self.inner.revoke_device(antenna, device_id)
        }
        fn size_bytes(&self) -> crate::error::Result<u64> {
            self.inner.size_bytes()
        }
        fn storage_id(&self) -> crate::error::Result<String> {
            self.inner.storage_id()
        }
        fn ping(&self) -> crate::error::Result<()> {
            self.inner.ping()
        }
    }

    /// The first change of an antenna document, as `jiran-relay antenna create` writes it.
    fn founding(antenna: AntennaId) -> Vec<u8> {
        jiran_core::document::new_antenna(antenna, "La Marsa", "", jiran_core::Timestamp::now())
            .unwrap()
            .get_last_local_change()
            .unwrap()
            .raw_bytes()
            .to_vec()
    }

    struct Fixture {
        hub: Hub,
        storage: Arc<Flaky>,
        antenna: AntennaId,
        _dir: tempfile::TempDir,
    }

    fn fixture() -> Fixture {
        fixture_with(Limits::default())
    }

    fn fixture_with(limits: Limits) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let inner = SqliteStorage::open(dir.path()).unwrap();
        let antenna = AntennaId::random();
        inner
            .create_antenna(&antenna, "La Marsa", &founding(antenna))
            .unwrap();
        let storage = Arc::new(Flaky {
            inner,
            broken: AtomicBool::new(false),
        });
        let hub = Hub::new(
            storage.clone(),
            Arc::new(Metrics::default()),
            limits,
            "relay".into(),
        );
        Fixture {
            hub,
            storage,
            antenna,
            _dir: dir,
        }
    }

    /// A second antenna on the same relay.
    fn other_antenna(f: &Fixture) -> AntennaId {
        let other = AntennaId::random();
        f.storage
            .inner
            .create_antenna(&other, "Beni Khalled", &founding(other))
            .unwrap();
        other
    }

    fn device(antenna: AntennaId, role: Role) -> Device {
        Device {
            id: crate::auth::new_device_id(),
            antenna,
            role,
            name: "phone".into(),
            revoked: false,
            key: None,
        }
    }

    /// Connects and joins; returns the connection and its outbox.
    fn join(hub: &Hub, device: Device) -> (ConnId, mpsc::UnboundedReceiver<Outgoing>) {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let conn = hub.connect(device, tx);
        let join = Message::Join {
            // Each connection its own peer id (a device cannot take another's).
            sender_id: format!("p-{conn}"),
            peer_metadata: PeerMetadata::default(),
            supported_protocol_versions: vec!["1".into()],
        };
        hub.handle(conn, &join.encode());
        assert!(
            matches!(next(&mut rx), Some(Outgoing::Frame(_))),
            "peer reply"
        );
        (conn, rx)
    }

    fn next(rx: &mut mpsc::UnboundedReceiver<Outgoing>) -> Option<Outgoing> {
        rx.try_recv().ok()
    }

    /// Syncs `doc` with the relay through the hub, answering its replies; returns the closes
    /// the hub asked for.
    fn push(
        hub: &Hub,
        conn: ConnId,
        rx: &mut mpsc::UnboundedReceiver<Outgoing>,
        doc_id: DocumentId,
        doc: &mut Automerge,
    ) -> Vec<(u16, String)> {
        push_with(hub, conn, rx, doc_id, doc, &mut sync::State::new())
    }

    /// [`push`] keeping the device's sync state, to send later changes alone.
    fn push_with(
        hub: &Hub,
        conn: ConnId,
        rx: &mut mpsc::UnboundedReceiver<Outgoing>,
        doc_id: DocumentId,
        doc: &mut Automerge,
        state: &mut sync::State,
    ) -> Vec<(u16, String)> {
        let mut closes = Vec::new();
        for _ in 0..10 {
            if let Some(m) = doc.generate_sync_message(state) {
                let message = Message::Sync {
                    sender_id: "p".into(),
                    target_id: "relay".into(),
                    document_id: doc_id.to_string(),
                    data: m.encode(),
                };
                hub.handle(conn, &message.encode());
                hub.flush();
            }
            let mut answered = false;
            while let Some(out) = next(rx) {
                match out {
                    Outgoing::Frame(bytes) => {
                        if let Ok(Message::Sync { data, .. }) = Message::decode(&bytes) {
                            doc.receive_sync_message(state, sync::Message::decode(&data).unwrap())
                                .unwrap();
                            answered = true;
                        }
                    }
                    Outgoing::Close(code, reason) => closes.push((code, reason)),
                }
            }
            if !answered {
                break;
            }
        }
        closes
    }

    fn sample() -> Automerge {
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        tx.put(automerge::ROOT, "k", "v").unwrap();
        tx.commit();
        doc
    }

    /// Asks for the change feed since `since`; returns (cursor, documents, more).
    fn feed(
        hub: &Hub,
        conn: ConnId,
        rx: &mut mpsc::UnboundedReceiver<Outgoing>,
        since: u64,
    ) -> (u64, Vec<String>, bool) {
        let ask = Message::Changes {
            sender_id: "p".into(),
            target_id: "relay".into(),
            since,
        };
        hub.handle(conn, &ask.encode());
        match next(rx) {
            Some(Outgoing::Frame(bytes)) => match Message::decode(&bytes) {
                Ok(Message::Changed {
                    cursor,
                    documents,
                    more,
                    ..
                }) => (cursor, documents, more),
                other => panic!("expected jiran-changed, got {other:?}"),
            },
            other => panic!("expected a frame, got {other:?}"),
        }
    }

    #[test]
    fn test_the_change_feed_lists_what_changed_and_announces_new_changes_to_other_antennas_devices_only(
    ) {
        let f = fixture();
        let (reader, mut reader_rx) = join(&f.hub, device(f.antenna, Role::Volunteer));
        let (cursor, documents, more) = feed(&f.hub, reader, &mut reader_rx, 0);
        assert_eq!(documents, [f.antenna.document().to_string()]);
        assert!(!more);
        assert_eq!(feed(&f.hub, reader, &mut reader_rx, cursor).1.len(), 0);

        // A volunteer creates a document: the follower hears of it, with a new cursor.
        let (writer, mut writer_rx) = join(&f.hub, device(f.antenna, Role::Volunteer));
        let doc_id = DocumentId::random();
        let mut doc = sample();
        push(&f.hub, writer, &mut writer_rx, doc_id, &mut doc);
        let mut announced = Vec::new();
        while let Some(Outgoing::Frame(bytes)) = next(&mut reader_rx) {
            if let Ok(Message::Changed {
                documents,
                cursor: c,
                ..
            }) = Message::decode(&bytes)
            {
                assert!(c > cursor);
                announced.extend(documents);
            }
        }
        assert_eq!(announced, [doc_id.to_string()]);
        assert_eq!(
            feed(&f.hub, reader, &mut reader_rx, cursor).1,
            [doc_id.to_string()]
        );

        // A device of another antenna neither hears of it nor finds it in its feed.
        let other = other_antenna(&f);
        let (stranger, mut stranger_rx) = join(&f.hub, device(other, Role::Lead));
        let (_, theirs, _) = feed(&f.hub, stranger, &mut stranger_rx, 0);
        assert_eq!(theirs, [other.document().to_string()]);
        let mut tx = doc.transaction();
        tx.put(automerge::ROOT, "k", "changed").unwrap();
        tx.commit();
        push(&f.hub, writer, &mut writer_rx, doc_id, &mut doc);
        assert!(next(&mut stranger_rx).is_none());
    }

    #[test]
    fn test_a_storage_failure_closes_the_connection_with_a_clear_reason_and_keeps_serving() {
        let f = fixture();
        let doc_id = DocumentId::random();
        let (conn, mut rx) = join(&f.hub, device(f.antenna, Role::Volunteer));
        // The document exists; then the disk fills up before its changes arrive.
        let mut empty = Automerge::new();
        push(&f.hub, conn, &mut rx, doc_id, &mut empty);
        f.storage.broken.store(true, Ordering::SeqCst);
        let closes = push(&f.hub, conn, &mut rx, doc_id, &mut sample());
        let (code, reason) = closes.first().cloned().expect("the connection is closed");
        assert_eq!(code, close::STORAGE);
        assert!(reason.contains("could not"), "{reason}");
        assert!(f.hub.metrics.sync_errors.load(Ordering::SeqCst) >= 1);

        // Once the disk is back, the same document syncs and is stored.
        f.storage.broken.store(false, Ordering::SeqCst);
        let (conn, mut rx) = join(&f.hub, device(f.antenna, Role::Volunteer));
        let mut doc = sample();
        assert!(push(&f.hub, conn, &mut rx, doc_id, &mut doc).is_empty());
        assert_eq!(
            heads_on_disk(&f.storage, doc_id),
            doc.get_heads(),
            "the changes are on disk"
        );
    }

    /// The antenna document as the relay stores it, with a tombstone for `household` added.
    fn with_tombstone(storage: &Flaky, antenna: AntennaId, household: DocumentId) -> Automerge {
        let mut doc = Automerge::new();
        for chunk in storage.load_document(&antenna.document()).unwrap() {
            doc.load_incremental(&chunk).unwrap();
        }
        let mut tx = doc.transaction();
        let (_, erased) = tx.get(automerge::ROOT, "erased").unwrap().unwrap();
        let tombstone = tx
            .put_object(&erased, household.to_string(), automerge::ObjType::Map)
            .unwrap();
        tx.put(&tombstone, "by", "leila").unwrap();
        tx.commit();
        doc
    }

    #[test]
    fn test_a_leads_tombstone_erases_the_document_from_disk_and_it_is_refused_for_good() {
        let f = fixture();
        let (volunteer, mut volunteer_rx) = join(&f.hub, device(f.antenna, Role::Volunteer));
        let household = DocumentId::random();
        let mut copy = sample();
        assert!(push(&f.hub, volunteer, &mut volunteer_rx, household, &mut copy).is_empty());
        assert!(f.storage.document_antenna(&household).unwrap().is_some());

        // A volunteer may not erase: refused, and nothing is erased.
        let mut forged = with_tombstone(&f.storage, f.antenna, household);
        let closes = push(
            &f.hub,
            volunteer,
            &mut volunteer_rx,
            f.antenna.document(),
            &mut forged,
        );
        assert_eq!(closes.first().map(|c| c.0), Some(close::FORBIDDEN));
        assert!(f.storage.document_antenna(&household).unwrap().is_some());
        assert!(erased_households(&stored(&f.storage, f.antenna.document())).is_empty());

        // The lead's tombstone is stored, and the document with its history is gone.
        let (lead, mut lead_rx) = join(&f.hub, device(f.antenna, Role::Lead));
        let mut tombstoned = with_tombstone(&f.storage, f.antenna, household);
        assert!(push(
            &f.hub,
            lead,
            &mut lead_rx,
            f.antenna.document(),
            &mut tombstoned
        )
        .is_empty());
        assert_eq!(f.storage.document_antenna(&household).unwrap(), None);
        assert!(f.storage.load_document(&household).unwrap().is_empty());
        assert!(f.storage.is_erased(&household, &f.antenna).unwrap());

        // An old copy sent again is refused, and nothing of it is stored.
        let (returning, mut returning_rx) = join(&f.hub, device(f.antenna, Role::Volunteer));
        edit(&mut copy, 7);
        push(&f.hub, returning, &mut returning_rx, household, &mut copy);
        assert_eq!(f.storage.document_antenna(&household).unwrap(), None);
        assert!(f.storage.load_document(&household).unwrap().is_empty());
        // The change feed never lists it again, and positions keep growing past it.
        let (_, listed, _) = feed(&f.hub, returning, &mut returning_rx, 0);
        assert!(!listed.contains(&household.to_string()));
    }

    #[test]
    fn test_a_change_waiting_for_a_dependency_is_never_applied_under_another_senders_message() {
        let f = fixture();
        let antenna_doc = f.antenna.document();
        let volunteer_device = device(f.antenna, Role::Volunteer);
        let volunteer_id = volunteer_device.id.clone();
        let (volunteer, mut volunteer_rx) = join(&f.hub, volunteer_device);
        let (lead, mut lead_rx) = join(&f.hub, device(f.antenna, Role::Lead));
        // The lead's phone holds a change the relay lacks (a relay restored from an older
        // backup), and so does the volunteer's, which forges a promotion on top of it.
        let mut lead_copy = stored(&f.storage, antenna_doc);
        lead_copy.set_actor(automerge::ActorId::random());
        let mut tx = lead_copy.transaction();
        let (_, providers) = tx.get(automerge::ROOT, "providers").unwrap().unwrap();
        tx.put_object(&providers, "p1", automerge::ObjType::Map)
            .unwrap();
        tx.commit();
        let mut forged = lead_copy.clone();
        forged.set_actor(automerge::ActorId::random());
        let mut tx = forged.transaction();
        let (_, members) = tx.get(automerge::ROOT, "members").unwrap().unwrap();
        let me = tx
            .put_object(&members, volunteer_id.as_str(), automerge::ObjType::Map)
            .unwrap();
        tx.put(&me, "role", "lead").unwrap();
        tx.commit();
        // The volunteer sends only its forged change: it waits for the lead's.
        let mut message = forged
            .generate_sync_message(&mut sync::State::new())
            .unwrap();
        message.changes = forged
            .get_changes(&lead_copy.get_heads())
            .iter()
            .map(|c| c.raw_bytes().to_vec())
            .collect::<Vec<_>>()
            .into();
        let message = Message::Sync {
            sender_id: "p".into(),
            target_id: "relay".into(),
            document_id: antenna_doc.to_string(),
            data: message.encode(),
        };
        f.hub.handle(volunteer, &message.encode());
        while next(&mut volunteer_rx).is_some() {}
        // The waiting change was not kept: the lead's change arrives and is stored alone, and
        // nobody is closed (the volunteer resends once it holds the dependency, as its own).
        let lead_closes = push(&f.hub, lead, &mut lead_rx, antenna_doc, &mut lead_copy);
        assert!(lead_closes.is_empty(), "{lead_closes:?}");
        assert!(closes(&mut volunteer_rx).is_empty());
        let on_disk = stored(&f.storage, antenna_doc);
        assert_eq!(on_disk.get_heads(), lead_copy.get_heads());
        let (_, members) = on_disk.get(automerge::ROOT, "members").unwrap().unwrap();
        assert!(on_disk
            .get(&members, volunteer_id.as_str())
            .unwrap()
            .is_none());
        // Sent again, whole, as the volunteer's own: refused.
        let (volunteer, mut volunteer_rx) = join(&f.hub, device(f.antenna, Role::Volunteer));
        let closes = push(
            &f.hub,
            volunteer,
            &mut volunteer_rx,
            antenna_doc,
            &mut forged,
        );
        assert_eq!(closes.first().map(|c| c.0), Some(close::FORBIDDEN));
    }

    /// A stored document, loaded.
    fn stored(storage: &Flaky, doc_id: DocumentId) -> Automerge {
        let mut stored = Automerge::new();
        for chunk in storage.load_document(&doc_id).unwrap() {
            stored.load_incremental(&chunk).unwrap();
        }
        stored
    }

    /// The heads of a document as stored.
    fn heads_on_disk(storage: &Flaky, doc_id: DocumentId) -> Vec<ChangeHash> {
        stored(storage, doc_id).get_heads()
    }

    /// The sync messages a connection received, decoded.
    fn syncs(rx: &mut mpsc::UnboundedReceiver<Outgoing>) -> Vec<sync::Message> {
        std::iter::from_fn(|| next(rx))
            .filter_map(|out| match out {
                Outgoing::Frame(bytes) => match Message::decode(&bytes) {
                    Ok(Message::Sync { data, .. }) => sync::Message::decode(&data).ok(),
                    _ => None,
                },
                Outgoing::Close(..) => None,
            })
            .collect()
    }

    /// Sends one sync message for `doc` (whatever changes `state` has not sent yet), and
    /// always with the device's newest change.
    ///
    /// When that change's hash is a false positive of the relay's last Bloom filter (about
    /// 1 in 100), automerge leaves it out, to be sent after the relay's next reply; these
    /// tests are about what the relay does with a change, so it goes at once.
    fn send_changes(
        hub: &Hub,
        conn: ConnId,
        doc_id: DocumentId,
        doc: &mut Automerge,
        state: &mut sync::State,
    ) {
        let mut sync_message = doc.generate_sync_message(state).unwrap();
        if let Some(newest) = doc.get_last_local_change() {
            let mut changes: Vec<Vec<u8>> =
                sync_message.changes.iter().map(<[u8]>::to_vec).collect();
            let carried = changes.iter().any(|bytes| {
                automerge::Change::from_bytes(bytes.clone())
                    .is_ok_and(|change| change.hash() == newest.hash())
            });
            if !carried {
                changes.push(newest.raw_bytes().to_vec());
                sync_message.changes = changes.into();
            }
        }
        let data = sync_message.encode();
        let message = Message::Sync {
            sender_id: "p".into(),
            target_id: "relay".into(),
            document_id: doc_id.to_string(),
            data,
        };
        hub.handle(conn, &message.encode());
    }

    fn edit(doc: &mut Automerge, n: i64) {
        let mut tx = doc.transaction();
        tx.put(automerge::ROOT, "n", n).unwrap();
        tx.commit();
    }

    fn closes(rx: &mut mpsc::UnboundedReceiver<Outgoing>) -> Vec<u16> {
        std::iter::from_fn(|| next(rx))
            .filter_map(|out| match out {
                Outgoing::Close(code, _) => Some(code),
                Outgoing::Frame(_) => None,
            })
            .collect()
    }

    #[test]
    fn test_changes_are_stored_together_before_anyone_hears_of_them_and_reach_each_peer_once() {
        let f = fixture();
        let (leila, mut leila_rx) = join(&f.hub, device(f.antenna, Role::Lead));
        let (sami, mut sami_rx) = join(&f.hub, device(f.antenna, Role::Volunteer));
        let doc_id = DocumentId::random();
        let mut doc = sample();
        let mut state = sync::State::new();
        push_with(&f.hub, leila, &mut leila_rx, doc_id, &mut doc, &mut state);
        let (mut sami_doc, mut sami_state) = (Automerge::new(), sync::State::new());
        push_with(
            &f.hub,
            sami,
            &mut sami_rx,
            doc_id,
            &mut sami_doc,
            &mut sami_state,
        );
        assert_eq!(sami_doc.get_heads(), doc.get_heads());

        // Leila sends five changes, one message each, without waiting for answers.
        for n in 0..5 {
            edit(&mut doc, n);
            send_changes(&f.hub, leila, doc_id, &mut doc, &mut state);
        }
        // Nothing left the relay, and nothing new is on disk yet.
        assert!(syncs(&mut sami_rx).is_empty());
        assert!(syncs(&mut leila_rx).is_empty());
        assert_ne!(heads_on_disk(&f.storage, doc_id), doc.get_heads());

        // One flush: all five on disk, then one message to each peer carrying them all.
        f.hub.flush();
        assert_eq!(heads_on_disk(&f.storage, doc_id), doc.get_heads());
        let mut to_sami = syncs(&mut sami_rx);
        assert_eq!(to_sami.len(), 1, "one message for five changes");
        sami_doc
            .receive_sync_message(&mut sami_state, to_sami.remove(0))
            .unwrap();
        assert_eq!(sami_doc.get_heads(), doc.get_heads());
        assert_eq!(
            syncs(&mut leila_rx).len(),
            1,
            "the sender hears its changes are kept"
        );
    }

    #[test]
    fn test_a_failed_group_commit_closes_every_sender_in_it_and_tells_no_one_else() {
        let f = fixture();
        let (leila, mut leila_rx) = join(&f.hub, device(f.antenna, Role::Lead));
        let (sami, mut sami_rx) = join(&f.hub, device(f.antenna, Role::Volunteer));
        let (amel, mut amel_rx) = join(&f.hub, device(f.antenna, Role::Volunteer));
        // Leila keeps her own document; Sami and Amel share another.
        let (own, shared) = (DocumentId::random(), DocumentId::random());
        let (mut own_doc, mut leila_state) = (sample(), sync::State::new());
        push_with(
            &f.hub,
            leila,
            &mut leila_rx,
            own,
            &mut own_doc,
            &mut leila_state,
        );
        push(&f.hub, amel, &mut amel_rx, shared, &mut sample());
        let (mut shared_doc, mut sami_state) = (Automerge::new(), sync::State::new());
        push_with(
            &f.hub,
            sami,
            &mut sami_rx,
            shared,
            &mut shared_doc,
            &mut sami_state,
        );

        // The disk fills up; Leila and Sami each send a change; both wait for one flush.
        f.storage.broken.store(true, Ordering::SeqCst);
        edit(&mut own_doc, 1);
        send_changes(&f.hub, leila, own, &mut own_doc, &mut leila_state);
        edit(&mut shared_doc, 2);
        send_changes(&f.hub, sami, shared, &mut shared_doc, &mut sami_state);
        f.hub.flush();

        assert_eq!(closes(&mut leila_rx), [close::STORAGE]);
        assert_eq!(closes(&mut sami_rx), [close::STORAGE]);
        // Amel shares Sami's document but sent nothing: she is neither closed nor sent a
        // change the relay could not keep.
        assert!(syncs(&mut amel_rx).is_empty());
        assert!(f.hub.metrics.sync_errors.load(Ordering::SeqCst) >= 2);
        assert_ne!(heads_on_disk(&f.storage, shared), shared_doc.get_heads());
    }

    #[test]
    fn test_a_refused_message_leaves_the_other_peers_syncing_the_document() {
        let mut p = pair();
        let antenna_doc = p.f.antenna.document();
        let (vandal, mut vandal_rx) = join(&p.f.hub, device(p.f.antenna, Role::Volunteer));
        // A volunteer's modified phone sets the schema: refused, the document reloaded.
        let mut vandalised = p.reader_copy.fork();
        let mut tx = vandalised.transaction();
        tx.put(automerge::ROOT, "schema", 99_u64).unwrap();
        tx.commit();
        let refused = push(
            &p.f.hub,
            vandal,
            &mut vandal_rx,
            antenna_doc,
            &mut vandalised,
        );
        assert_eq!(refused.first().map(|c| c.0), Some(close::FORBIDDEN));
        // The reader is still a peer: the lead's next change is pushed to it, not merely
        // announced, and nothing else was sent to it meanwhile.
        assert!(syncs(&mut p.reader_rx).is_empty());
        assert!(p.write(7).is_empty());
        assert_eq!(
            heads_on_disk(&p.f.storage, antenna_doc),
            p.lead_copy.get_heads()
        );
        let pushed = syncs(&mut p.reader_rx);
        p.apply(pushed);
        assert_eq!(p.reader_copy.get_heads(), p.lead_copy.get_heads());
        assert!(closes(&mut p.reader_rx).is_empty());
    }

    /// Found with 50 stock JS clients (`scripts/load-bench`): a client that believes the
    /// relay has its previous change (a false positive of the relay's Bloom filter) sends
    /// the next one alone. The relay, which keeps no change waiting for a dependency, asks
    /// the client for the missing one, and then has both; before, the client's last change
    /// never arrived.
    #[test]
    fn test_a_change_sent_without_its_dependency_is_asked_for_and_arrives() {
        let f = fixture();
        let doc_id = DocumentId::random();
        let (conn, mut rx) = join(&f.hub, device(f.antenna, Role::Volunteer));
        let mut doc = Automerge::new();
        edit(&mut doc, 0);
        let mut state = sync::State::new();
        push_with(&f.hub, conn, &mut rx, doc_id, &mut doc, &mut state);
        assert_eq!(heads_on_disk(&f.storage, doc_id), doc.get_heads());
        let synced = doc.get_heads();
        edit(&mut doc, 1);
        edit(&mut doc, 2);
        let new: Vec<automerge::Change> = doc.get_changes(&synced);
        let (first, second) = (new[0].hash(), new[1].hash());
        // A false positive of the relay's Bloom filter: the client skips the first and sends
        // the second alone, which it will never send again.
        state.sent_hashes.insert(second);
        let alone = sync::Message {
            heads: doc.get_heads(),
            need: Vec::new(),
            have: Vec::new(),
            changes: vec![new[1].raw_bytes().to_vec()].into(),
            flags: None,
            version: sync::MessageVersion::V1,
        };
        let message = Message::Sync {
            sender_id: "p".into(),
            target_id: "relay".into(),
            document_id: doc_id.to_string(),
            data: alone.encode(),
        };
        f.hub.handle(conn, &message.encode());
        f.hub.flush();
        let replies = syncs(&mut rx);
        assert!(
            replies.iter().any(|m| m.need.contains(&first)),
            "the relay asks for the missing dependency"
        );
        for m in replies {
            doc.receive_sync_message(&mut state, m).unwrap();
        }
        push_with(&f.hub, conn, &mut rx, doc_id, &mut doc, &mut state);
        assert_eq!(heads_on_disk(&f.storage, doc_id), doc.get_heads());
    }

    /// A writer and a reader of the antenna document, both synced with the relay.
    struct Pair {
        f: Fixture,
        lead: ConnId,
        lead_rx: mpsc::UnboundedReceiver<Outgoing>,
        lead_copy: Automerge,
        lead_state: sync::State,
        reader: ConnId,
        reader_rx: mpsc::UnboundedReceiver<Outgoing>,
        reader_copy: Automerge,
        reader_state: sync::State,
    }

    fn pair() -> Pair {
        let f = fixture();
        let doc_id = f.antenna.document();
        let (lead, mut lead_rx) = join(&f.hub, device(f.antenna, Role::Lead));
        let (reader, mut reader_rx) = join(&f.hub, device(f.antenna, Role::Volunteer));
        let (mut lead_copy, mut lead_state) = (Automerge::new(), sync::State::new());
        push_with(
            &f.hub,
            lead,
            &mut lead_rx,
            doc_id,
            &mut lead_copy,
            &mut lead_state,
        );
        let (mut reader_copy, mut reader_state) = (Automerge::new(), sync::State::new());
        push_with(
            &f.hub,
            reader,
            &mut reader_rx,
            doc_id,
            &mut reader_copy,
            &mut reader_state,
        );
        Pair {
            f,
            lead,
            lead_rx,
            lead_copy,
            lead_state,
            reader,
            reader_rx,
            reader_copy,
            reader_state,
        }
    }

    impl Pair {
        /// The lead writes `n` and syncs until the relay has it; the relay stores it and fans
        /// it out. Returns how the relay closed the lead, if it did.
        ///
        /// A full exchange, not one message: when the new change's hash is a false positive
        /// of the relay's last Bloom filter (about 1 in 100), the lead's first message carries
        /// only its heads, and the change goes with its answer to the relay's reply.
        fn write(&mut self, n: i64) -> Vec<(u16, String)> {
            edit(&mut self.lead_copy, n);
            let doc_id = self.f.antenna.document();
            push_with(
                &self.f.hub,
                self.lead,
                &mut self.lead_rx,
                doc_id,
                &mut self.lead_copy,
                &mut self.lead_state,
            )
        }

        fn apply(&mut self, messages: Vec<sync::Message>) {
            for m in messages {
                self.reader_copy
                    .receive_sync_message(&mut self.reader_state, m)
                    .unwrap();
            }
        }
    }

    /// Fan-out paced by the receiver: a reader that keeps up gets a change at once; one that
    /// has not answered the relay's last message gets nothing more until it answers, and then
    /// one message brings every change that arrived meanwhile.
    #[test]
    fn test_changes_for_a_peer_that_has_not_answered_wait_and_go_in_one_message() {
        let mut p = pair();
        p.write(1);
        let first = syncs(&mut p.reader_rx);
        assert_eq!(
            first.len(),
            1,
            "a reader that keeps up gets the change at once"
        );
        for n in 2..=4 {
            p.write(n);
        }
        assert!(
            syncs(&mut p.reader_rx).is_empty(),
            "nothing more before the reader answers"
        );
        p.apply(first);
        let doc_id = p.f.antenna.document();
        send_changes(
            &p.f.hub,
            p.reader,
            doc_id,
            &mut p.reader_copy,
            &mut p.reader_state,
        );
        let batched = syncs(&mut p.reader_rx);
        assert_eq!(batched.len(), 1, "one message for the three changes");
        p.apply(batched);
        assert_eq!(p.reader_copy.get_heads(), p.lead_copy.get_heads());
    }

    /// A peer that never answers still gets what it missed, once [`ANSWER_WAIT`] has passed:
    /// one message, and only what is on disk.
    #[test]
    fn test_a_peer_that_never_answers_gets_what_it_missed_after_the_wait() {
        let mut p = pair();
        p.write(1);
        let first = syncs(&mut p.reader_rx);
        assert_eq!(first.len(), 1);
        p.write(2);
        p.write(3);
        p.f.hub.send_overdue(Instant::now());
        assert!(syncs(&mut p.reader_rx).is_empty(), "not before the wait");
        p.f.hub.send_overdue(Instant::now() + ANSWER_WAIT);
        let late = syncs(&mut p.reader_rx);
        assert_eq!(late.len(), 1, "one message for both changes");
        p.apply(first);
        p.apply(late);
        assert_eq!(p.reader_copy.get_heads(), p.lead_copy.get_heads());
        assert_eq!(
            heads_on_disk(&p.f.storage, p.f.antenna.document()),
            p.lead_copy.get_heads()
        );
        p.f.hub.send_overdue(Instant::now() + 2 * ANSWER_WAIT);
        assert!(syncs(&mut p.reader_rx).is_empty(), "nothing sent twice");
    }

    /// Found by the `hub_messages` fuzz target: the automerge crate panics on this change
    /// when the hub reads a message's changes to judge them. The hub goes on, stores nothing
    /// of it, and the sender's connection keeps working.
    #[test]
    fn test_a_change_the_automerge_crate_panics_on_is_refused() {
        let f = fixture();
        let antenna_doc = f.antenna.document();
        let (lead, mut lead_rx) = join(&f.hub, device(f.antenna, Role::Lead));
        let mut lead_copy = Automerge::new();
        push(&f.hub, lead, &mut lead_rx, antenna_doc, &mut lead_copy);
        let before = heads_on_disk(&f.storage, antenna_doc);
        let (vandal, mut vandal_rx) = join(&f.hub, device(f.antenna, Role::Volunteer));
        let data = jiran_core::testing::hostile::sync_message_carrying(vec![
            jiran_core::testing::hostile::CHANGE_AUTOMERGE_PANICS_ON.to_vec(),
        ])
        .encode();
        let message = Message::Sync {
            sender_id: "p".into(),
            target_id: "relay".into(),
            document_id: antenna_doc.to_string(),
            data,
        };
        f.hub.handle(vandal, &message.encode());
        f.hub.flush();
        // Automerge's own receive skips a change it cannot read: the message is answered as
        // one that brought nothing, and the relay goes on.
        assert_eq!(syncs(&mut vandal_rx).len(), 1);
        assert!(closes(&mut vandal_rx).is_empty());
        assert_eq!(heads_on_disk(&f.storage, antenna_doc), before);
    }

    /// The ephemeral messages a connection received, as (sender, document, data).
    fn ephemerals(rx: &mut mpsc::UnboundedReceiver<Outgoing>) -> Vec<(String, String, Vec<u8>)> {
        std::iter::from_fn(|| next(rx))
            .filter_map(|out| match out {
                Outgoing::Frame(bytes) => match Message::decode(&bytes) {
                    Ok(Message::Ephemeral {
                        sender_id,
                        document_id,
                        data,
                        ..
                    }) => Some((sender_id, document_id, data)),
                    _ => None,
                },
                Outgoing::Close(..) => None,
            })
            .collect()
    }

    #[test]
    fn test_presence_reaches_the_documents_other_peers_only_and_never_leaves_the_antenna() {
        let f = fixture();
        let (leila, mut leila_rx) = join(&f.hub, device(f.antenna, Role::Lead));
        let (sami, mut sami_rx) = join(&f.hub, device(f.antenna, Role::Volunteer));
        let (_amel, mut amel_rx) = join(&f.hub, device(f.antenna, Role::Volunteer));
        let doc_id = DocumentId::random();
        push(&f.hub, leila, &mut leila_rx, doc_id, &mut sample());
        push(&f.hub, sami, &mut sami_rx, doc_id, &mut Automerge::new());
        let stored_before = f.storage.load_document(&doc_id).unwrap();
        let presence = |claimed_sender: &str, document: DocumentId| Message::Ephemeral {
            sender_id: claimed_sender.into(),
            target_id: "relay".into(),
            document_id: document.to_string(),
            session_id: "s1".into(),
            count: 1,
            data: b"typing".to_vec(),
        };

        // From Sami (claiming to be someone else): Leila hears it under Sami's peer id; Amel,
        // who does not sync the document, and Sami himself hear nothing.
        f.hub.handle(sami, &presence("impostor", doc_id).encode());
        assert_eq!(
            ephemerals(&mut leila_rx),
            [(format!("p-{sami}"), doc_id.to_string(), b"typing".to_vec())]
        );
        assert!(ephemerals(&mut sami_rx).is_empty());
        assert!(ephemerals(&mut amel_rx).is_empty());

        // A device of another antenna that names the document reaches no one, and learns
        // nothing: no reply at all.
        let other = other_antenna(&f);
        let (stranger, mut stranger_rx) = join(&f.hub, device(other, Role::Lead));
        f.hub.handle(stranger, &presence("p", doc_id).encode());
        assert!(ephemerals(&mut leila_rx).is_empty());
        assert!(ephemerals(&mut sami_rx).is_empty());
        assert!(next(&mut stranger_rx).is_none());
        assert_eq!(
            f.storage.load_document(&doc_id).unwrap(),
            stored_before,
            "presence is never stored"
        );
    }

    #[test]
    fn test_documents_leave_memory_with_their_last_peer() {
        let f = fixture();
        let (a, mut ra) = join(&f.hub, device(f.antenna, Role::Lead));
        let (b, mut rb) = join(&f.hub, device(f.antenna, Role::Volunteer));
        let doc_id = DocumentId::random();
        push(&f.hub, a, &mut ra, doc_id, &mut sample());
        push(&f.hub, b, &mut rb, doc_id, &mut Automerge::new());
        assert_eq!(f.hub.metrics.resident_documents.load(Ordering::SeqCst), 1);
        f.hub.disconnect(a);
        assert_eq!(
            f.hub.metrics.resident_documents.load(Ordering::SeqCst),
            1,
            "b still uses it"
        );
        f.hub.disconnect(b);
        assert_eq!(f.hub.metrics.resident_documents.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn test_a_document_is_stored_with_its_first_changes_and_never_empty() {
        let f = fixture();
        let (hub, storage, antenna) = (&f.hub, &f.storage, f.antenna);
        let (conn, mut rx) = join(hub, device(antenna, Role::Volunteer));
        let doc_id = DocumentId::random();
        let mut doc = sample();
        // The first message offers heads and no change: answered, nothing kept.
        let first = doc.generate_sync_message(&mut sync::State::new()).unwrap();
        let message = Message::Sync {
            sender_id: "p".into(),
            target_id: "relay".into(),
            document_id: doc_id.to_string(),
            data: first.encode(),
        };
        hub.handle(conn, &message.encode());
        hub.flush();
        assert!(matches!(
            next(&mut rx).map(|out| match out {
                Outgoing::Frame(bytes) => Message::decode(&bytes).ok(),
                Outgoing::Close(..) => None,
            }),
            Some(Some(Message::Sync { .. }))
        ));
        assert_eq!(storage.document_antenna(&doc_id).unwrap(), None);
        assert!(!hub.lock().docs.contains_key(&doc_id), "nothing in memory");
        // The changes that follow create it, in the commit that stores them.
        assert!(push(hub, conn, &mut rx, doc_id, &mut doc).is_empty());
        assert_eq!(storage.document_antenna(&doc_id).unwrap(), Some(antenna));
        assert_eq!(heads_on_disk(storage, doc_id), doc.get_heads());
    }

    #[test]
    fn test_close_reasons_are_cut_to_123_bytes_at_a_character_boundary() {
        assert_eq!(close::reason("goodbye"), "goodbye");
        let arabic = "رسالة ".repeat(40);
        let cut = close::reason(&arabic);
        assert!(cut.len() <= close::MAX_REASON_BYTES && cut.len() >= 120);
        assert!(arabic.starts_with(cut));
        let ascii = "x".repeat(200);
        assert_eq!(close::reason(&ascii).len(), close::MAX_REASON_BYTES);
    }

    #[test]
    fn test_an_antenna_at_its_document_limit_gets_no_new_documents() {
        let f = fixture_with(Limits {
            max_documents_per_antenna: 1,
            ..Limits::default()
        });
        let (hub, storage, antenna) = (&f.hub, &f.storage, f.antenna);
        let (conn, mut rx) = join(hub, device(antenna, Role::Lead));
        push(hub, conn, &mut rx, DocumentId::random(), &mut sample());
        let second = DocumentId::random();
        let mut state = sync::State::new();
        let first = sample().generate_sync_message(&mut state).unwrap();
        let message = Message::Sync {
            sender_id: "p".into(),
            target_id: "relay".into(),
            document_id: second.to_string(),
            data: first.encode(),
        };
        hub.handle(conn, &message.encode());
        let unavailable = std::iter::from_fn(|| next(&mut rx)).any(|out| match out {
            Outgoing::Frame(bytes) => {
                matches!(Message::decode(&bytes), Ok(Message::DocUnavailable { .. }))
            }
            Outgoing::Close(..) => false,
        });
        assert!(unavailable, "the second document is refused");
        assert_eq!(storage.count_documents(&antenna).unwrap(), 1);
    }
}
