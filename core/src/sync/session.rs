//! One connection's worth of sync with a relay, without the socket: messages in, messages
//! out, the store underneath. The engine (`engine.rs`) moves the bytes; everything that
//! decides what to send lives here and is tested without sockets.
//!
//! A session joins, asks the relay's change feed what changed since the last time this
//! device was up to date, and syncs those documents, the ones holding unsent local changes,
//! and the antenna document (always first: it is how a device enrols and finds households).
//! At most `window` documents are in flight at once, so a new device does not flood the
//! relay with thousands of requests.

use std::collections::{HashMap, HashSet, VecDeque};

use automerge::sync;

use super::protocol::{self, Message, PeerMetadata, PROTOCOL_VERSION};
use crate::error::{Error, Result};
use crate::ids::{AntennaId, DocumentId};
use crate::replication::ImportOutcome;
use crate::store::{Store, StoreEvent};

/// Where a session is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Waiting for the relay's answer to `join`.
    Joining,
    /// Documents are being exchanged.
    Syncing {
        /// Documents queued or in flight.
        documents_left: usize,
    },
    /// Nothing left to exchange.
    UpToDate {
        /// The change-feed position everything is synced up to.
        cursor: u64,
    },
}

/// The sync of one antenna over one connection.
#[derive(Debug)]
pub struct Session {
    antenna: AntennaId,
    peer_id: String,
    relay: Option<String>,
    window: usize,
    /// The feed position the device was up to date at when the session started.
    start_cursor: u64,
    /// The highest feed position heard of.
    cursor: u64,
    /// Whether the feed's backlog has been fully listed.
    feed_listed: bool,
    /// Feed pages not fully synced yet, oldest first: the position each brings the device
    /// to, and its documents still to sync.
    pages: VecDeque<(u64, HashSet<DocumentId>)>,
    /// A feed position everything up to which is synced, not yet handed to the engine.
    checkpoint: Option<u64>,
    queue: VecDeque<DocumentId>,
    queued: HashSet<DocumentId>,
    in_flight: HashMap<DocumentId, sync::State>,
    /// Documents synced in this session, with their state (the relay keeps sending changes
    /// for them as they happen).
    synced: HashMap<DocumentId, sync::State>,
    refused: HashSet<DocumentId>,
}

impl Session {
    /// A session for `antenna`, resuming from the feed position `cursor`.
    pub fn new(antenna: AntennaId, cursor: u64, window: usize) -> Session {
        Session {
            antenna,
            peer_id: format!("jiran-device-{}", DocumentId::random()),
            relay: None,
            window: window.max(1),
            start_cursor: cursor,
            cursor,
            feed_listed: false,
            pages: VecDeque::new(),
            checkpoint: None,
            queue: VecDeque::new(),
            queued: HashSet::new(),
            in_flight: HashMap::new(),
            synced: HashMap::new(),
            refused: HashSet::new(),
        }
    }

    /// The first message: `join`.
    pub fn start(&self) -> Message {
        Message::Join {
            sender_id: self.peer_id.clone(),
            peer_metadata: PeerMetadata {
                storage_id: None,
                is_ephemeral: false,
            },
            supported_protocol_versions: vec![PROTOCOL_VERSION.into()],
        }
    }

    /// Where the session is.
    pub fn progress(&self) -> Progress {
        if self.relay.is_none() {
            return Progress::Joining;
        }
        let left = self.queue.len() + self.in_flight.len();
        if left == 0 && self.feed_listed {
            Progress::UpToDate {
                cursor: self.cursor,
            }
        } else {
            Progress::Syncing {
                documents_left: left.max(1),
            }
        }
    }

    /// A feed position up to which every listed document is now synced, once per advance:
    /// the engine saves it, so an interrupted first sync resumes from there.
    pub fn take_checkpoint(&mut self) -> Option<u64> {
        self.checkpoint.take()
    }

    /// Queues every document with unconfirmed local changes again (after the engine missed
    /// change notifications).
    pub fn resend_unsent(&mut self, store: &Store) -> Result<Vec<Message>> {
        for doc in store.replication().unsent_documents(self.antenna)? {
            self.enqueue(doc);
        }
        let mut out = Vec::new();
        self.pump(store, &mut out)?;
        Ok(out)
    }

    /// Documents the relay refused (unavailable although this device holds them).
    pub fn refused(&self) -> usize {
        self.refused.len()
    }

    /// Handles one message from the relay; returns the messages to send.
    ///
    /// # Errors
    /// A store error (the disk) or [`Error::MalformedChanges`] for changes the relay sent
    /// that cannot be applied. The connection should be dropped; nothing was stored.
    pub fn receive(&mut self, store: &Store, message: Message) -> Result<Vec<Message>> {
        let mut out = Vec::new();
        match message {
            Message::Peer {
                sender_id,
                peer_metadata,
                ..
            } if self.relay.is_none() => {
                self.relay = Some(sender_id);
                if let Some(storage) = &peer_metadata.storage_id {
                    if store
                        .replication()
                        .relay_storage_seen(self.antenna, storage)?
                    {
                        // Another relay than last time (restored from a backup): offer
                        // everything again, from the start of its feed.
                        self.start_cursor = 0;
                        self.cursor = 0;
                    }
                }
                out.push(self.ask_feed(self.start_cursor));
                self.enqueue(self.antenna.document());
                for doc in store.replication().unsent_documents(self.antenna)? {
                    self.enqueue(doc);
                }
                if self.start_cursor == 0 {
                    // First sync through this relay: offer what was never offered.
                    for doc in store.replication().unsynced_documents(self.antenna)? {
                        self.enqueue(doc);
                    }
                }
            }
            Message::Changed {
                cursor,
                documents,
                more,
                ..
            } => {
                let mut page = HashSet::new();
                for doc in documents
                    .iter()
                    .filter_map(|d| d.parse::<DocumentId>().ok())
                {
                    // The relay pushes a document's changes to the devices syncing it and
                    // announces them to the others only. Announced although synced in this
                    // session: the relay has since forgotten this device's sync of it (it
                    // reloaded the document), so it is synced again from what is on disk.
                    self.synced.remove(&doc);
                    self.enqueue(doc);
                    page.insert(doc);
                }
                self.pages.push_back((cursor, page));
                self.settle();
                self.cursor = self.cursor.max(cursor);
                if more {
                    out.push(self.ask_feed(cursor));
                } else {
                    self.feed_listed = true;
                }
            }
            Message::Sync {
                document_id, data, ..
            }
            | Message::Request {
                document_id, data, ..
            } => {
                let Ok(doc) = document_id.parse::<DocumentId>() else {
                    return Ok(out);
                };
                let Ok(decoded) = protocol::decode_sync_data(&data) else {
                    return Err(Error::MalformedChanges(doc));
                };
                let mut state = self.take_state(store, doc)?;
                let received = store
                    .replication()
                    .receive_sync_message(doc, &mut state, decoded);
                let outcome = match received {
                    // Not a Jiran document (no header: another automerge-repo client's,
                    // which the relay keeps for it): nothing of it is stored, and the sync
                    // goes on without it rather than stopping on it at every reconnect.
                    Err(Error::CorruptDocument(corrupt)) if corrupt == doc => {
                        tracing::warn!("a document without a Jiran header was skipped");
                        None
                    }
                    received => Some(received?),
                };
                let Some(outcome) = outcome.filter(|o| *o != ImportOutcome::Erased) else {
                    self.drop_document(doc);
                    self.pump(store, &mut out)?;
                    return Ok(out);
                };
                if doc == self.antenna.document() && outcome != ImportOutcome::Unchanged {
                    store.replication().enrol(self.antenna)?;
                }
                self.continue_with(store, doc, state, &mut out)?;
            }
            Message::DocUnavailable { document_id, .. } => {
                if let Ok(doc) = document_id.parse::<DocumentId>() {
                    if self.in_flight.remove(&doc).is_some()
                        && store.replication().heads(doc)?.is_some()
                    {
                        self.refused.insert(doc);
                    }
                    self.done(doc);
                }
            }
            _ => {}
        }
        self.pump(store, &mut out)?;
        Ok(out)
    }

    /// A document changed on this device (or was merged): sends what the relay lacks.
    pub fn changed(&mut self, store: &Store, event: &StoreEvent) -> Result<Vec<Message>> {
        let (antenna, doc) = match event {
            StoreEvent::AntennaChanged(a) => (*a, a.document()),
            StoreEvent::HouseholdChanged { antenna, household } => (*antenna, household.0),
            StoreEvent::LedgerChanged { antenna, ledger } => (*antenna, ledger.0),
            StoreEvent::HouseholdErased { antenna, household } => {
                if *antenna == self.antenna {
                    self.drop_document(household.0);
                }
                let mut out = Vec::new();
                self.pump(store, &mut out)?;
                return Ok(out);
            }
            _ => return Ok(Vec::new()),
        };
        let mut out = Vec::new();
        if antenna != self.antenna || self.relay.is_none() {
            return Ok(out);
        }
        if let Some(mut state) = self.synced.remove(&doc) {
            // Nothing in flight for it: say what changed now.
            if self.send_next(store, doc, &mut state, &mut out)? {
                self.in_flight.insert(doc, state);
            } else {
                self.synced.insert(doc, state);
            }
        } else if !self.in_flight.contains_key(&doc) {
            self.enqueue(doc);
        }
        self.pump(store, &mut out)?;
        Ok(out)
    }

    fn ask_feed(&self, since: u64) -> Message {
        Message::Changes {
            sender_id: self.peer_id.clone(),
            target_id: self.relay.clone().unwrap_or_default(),
            since,
        }
    }

    fn enqueue(&mut self, doc: DocumentId) {
        if !self.in_flight.contains_key(&doc) && self.queued.insert(doc) {
            self.queue.push_back(doc);
        }
    }

    fn take_state(&mut self, store: &Store, doc: DocumentId) -> Result<sync::State> {
        if let Some(state) = self.in_flight.remove(&doc) {
            return Ok(state);
        }
        if let Some(state) = self.synced.remove(&doc) {
            return Ok(state);
        }
        if self.queued.remove(&doc) {
            self.queue.retain(|d| *d != doc);
        }
        store.replication().sync_state(doc)
    }

    /// After a message for `doc`: reply if there is something to say, and file the document
    /// as done once both sides hold the same heads.
    fn continue_with(
        &mut self,
        store: &Store,
        doc: DocumentId,
        mut state: sync::State,
        out: &mut Vec<Message>,
    ) -> Result<()> {
        self.send_next(store, doc, &mut state, out)?;
        let ours = store.replication().heads(doc)?.unwrap_or_default();
        // Same heads, same changes: whatever was just sent is only an acknowledgement, which
        // the relay need not answer. Otherwise an answer is due (the engine gives up on a
        // connection that stalls).
        let agreed = state.their_heads.as_deref() == Some(&ours[..]);
        if agreed {
            self.synced.insert(doc, state);
            self.done(doc);
        } else {
            self.in_flight.insert(doc, state);
        }
        Ok(())
    }

    fn send_next(
        &self,
        store: &Store,
        doc: DocumentId,
        state: &mut sync::State,
        out: &mut Vec<Message>,
    ) -> Result<bool> {
        let Some(message) = store.replication().generate_sync_message(doc, state)? else {
            return Ok(false);
        };
        out.push(Message::for_document(
            self.peer_id.clone(),
            self.relay.clone().unwrap_or_default(),
            doc.to_string(),
            message.encode(),
            store.replication().heads(doc)?.is_some(),
        ));
        Ok(true)
    }

    /// Starts queued documents while the window has room.
    fn pump(&mut self, store: &Store, out: &mut Vec<Message>) -> Result<()> {
        while self.in_flight.len() < self.window {
            let Some(doc) = self.queue.pop_front() else {
                break;
            };
            self.queued.remove(&doc);
            let mut state = match self.synced.remove(&doc) {
                Some(state) => state,
                None => store.replication().sync_state(doc)?,
            };
            if self.send_next(store, doc, &mut state, out)? {
                self.in_flight.insert(doc, state);
            } else {
                self.synced.insert(doc, state);
                self.done(doc);
            }
        }
        Ok(())
    }

    /// A document this device keeps nothing of (an erased household's, or one that is not a
    /// Jiran document): nothing more to send or wait for, and a refusal of it by the relay is
    /// no problem for the volunteer to act on.
    fn drop_document(&mut self, doc: DocumentId) {
        self.in_flight.remove(&doc);
        self.synced.remove(&doc);
        self.refused.remove(&doc);
        if self.queued.remove(&doc) {
            self.queue.retain(|d| *d != doc);
        }
        self.done(doc);
    }

    /// `doc` is synced (or unavailable): feed pages it completes move the checkpoint.
    fn done(&mut self, doc: DocumentId) {
        for (_, waiting) in self.pages.iter_mut() {
            waiting.remove(&doc);
        }
        self.settle();
    }

    fn settle(&mut self) {
        while let Some((cursor, waiting)) = self.pages.front() {
            if !waiting.is_empty() {
                break;
            }
            self.checkpoint = Some(*cursor);
            self.pages.pop_front();
        }
    }
}
