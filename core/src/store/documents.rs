//! Automerge documents on disk and in memory.
//!
//! On disk a document is its latest snapshot plus the changes appended since; every change is
//! written in the same SQLite transaction as the action that made it. In memory, a bounded
//! cache holds recently used documents, so memory follows what the volunteer looks at, not
//! the size of the antenna.

use std::collections::HashMap;

use automerge::transaction::{CommitOptions, Transaction};
use automerge::{ActorId, Automerge, ChangeHash};
use rusqlite::{params, Connection, OptionalExtension};

use crate::document::{self, DocumentHeader, DocumentKind};
use crate::error::{Error, Result};
use crate::ids::{AntennaId, DocumentId};
use crate::store::events::StoreEvent;
use crate::time::{Month, Timestamp};

/// Past this many bytes of appended changes, a document is saved as a new snapshot and its
/// changes are dropped (in one transaction, so no change is ever lost).
pub(crate) const COMPACT_AFTER_BYTES: i64 = 256 * 1024;

/// Documents kept in memory at most (the antenna document and current ledgers stay warm).
const CACHE_CAPACITY: usize = 64;

/// A document in memory, with what of it is already on disk.
pub(crate) struct Loaded {
    pub(crate) doc: Automerge,
    pub(crate) header: DocumentHeader,
    persisted_heads: Vec<ChangeHash>,
    incremental_bytes: i64,
    last_used: u64,
}

/// The in-memory cache of documents; the device's actor id writes every local change.
pub(crate) struct Documents {
    loaded: HashMap<DocumentId, Loaded>,
    tick: u64,
    actor: ActorId,
}

impl std::fmt::Debug for Documents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Documents")
            .field("loaded", &self.loaded.len())
            .finish()
    }
}

impl Documents {
    pub(crate) fn new(actor: ActorId) -> Self {
        Documents {
            loaded: HashMap::new(),
            tick: 0,
            actor,
        }
    }

    /// The document, loaded from disk if needed; `None` if it is not stored on this device.
    pub(crate) fn get(&mut self, db: &Connection, id: DocumentId) -> Result<Option<&mut Loaded>> {
        self.tick += 1;
        if !self.loaded.contains_key(&id) {
            let Some(loaded) = load(db, id, &self.actor)? else {
                return Ok(None);
            };
            self.evict_if_full();
            self.loaded.insert(id, loaded);
        }
        let loaded = self.loaded.get_mut(&id).expect("just inserted");
        loaded.last_used = self.tick;
        Ok(Some(loaded))
    }

    /// Forgets the in-memory copy; the next use reloads it from disk.
    pub(crate) fn evict(&mut self, id: &DocumentId) {
        self.loaded.remove(id);
    }

    fn evict_if_full(&mut self) {
        if self.loaded.len() < CACHE_CAPACITY {
            return;
        }
        let oldest = self
            .loaded
            .iter()
            .filter(|(_, l)| l.header.kind != DocumentKind::Antenna)
            .min_by_key(|(_, l)| l.last_used)
            .map(|(id, _)| *id);
        if let Some(id) = oldest {
            self.loaded.remove(&id);
        }
    }
}

fn load(db: &Connection, id: DocumentId, actor: &ActorId) -> Result<Option<Loaded>> {
    let key = id.to_string();
    let row: Option<(Option<Vec<u8>>, i64)> = db
        .query_row(
            "SELECT snapshot, incremental_bytes FROM documents WHERE id = ?1",
            [&key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((snapshot, incremental_bytes)) = row else {
        return Ok(None);
    };
    let corrupt = |_| Error::CorruptDocument(id);
    let mut doc = match snapshot {
        Some(bytes) => Automerge::load(&bytes).map_err(corrupt)?,
        None => Automerge::new(),
    };
    let mut stmt = db.prepare_cached("SELECT bytes FROM changes WHERE doc_id = ?1 ORDER BY seq")?;
    let mut rows = stmt.query([&key])?;
    while let Some(row) = rows.next()? {
        let bytes: Vec<u8> = row.get(0)?;
        doc.load_incremental(&bytes).map_err(corrupt)?;
    }
    doc.set_actor(actor.clone());
    let header = document::header(id, &doc)?;
    Ok(Some(Loaded {
        persisted_heads: doc.get_heads(),
        doc,
        header,
        incremental_bytes,
        last_used: 0,
    }))
}

/// One user action: changes to one or more documents and the derived tables, committed to
/// disk together or not at all.
pub(crate) struct Batch<'a> {
    pub(crate) sql: rusqlite::Transaction<'a>,
    docs: &'a mut Documents,
    /// Documents changed in memory by this batch, with the heads written so far.
    written: HashMap<DocumentId, Vec<ChangeHash>>,
    /// Changes made on this device in this batch, for the outbox (see `crate::replication`).
    local: Vec<(DocumentId, ChangeHash)>,
    pub(crate) events: Vec<StoreEvent>,
    pub(crate) now: Timestamp,
    /// Set when the batch deleted a household's data: once committed, the write-ahead log is
    /// truncated so no copy of the deleted pages stays in it.
    pub(crate) checkpoint_after_commit: bool,
}

impl<'a> Batch<'a> {
    pub(crate) fn new(sql: rusqlite::Transaction<'a>, docs: &'a mut Documents) -> Self {
        Batch {
            sql,
            docs,
            written: HashMap::new(),
            local: Vec::new(),
            events: Vec::new(),
            now: Timestamp::now(),
            checkpoint_after_commit: false,
        }
    }

    /// The document, checked to be of `kind`.
    pub(crate) fn doc(&mut self, id: DocumentId, kind: DocumentKind) -> Result<Option<&Automerge>> {
        match self.docs.get(&self.sql, id)? {
            Some(l) if l.header.kind == kind => Ok(Some(&l.doc)),
            Some(_) => Err(Error::WrongDocumentKind(id, kind.as_str())),
            None => Ok(None),
        }
    }

    /// The header of a stored document.
    pub(crate) fn header(&mut self, id: DocumentId) -> Result<Option<DocumentHeader>> {
        Ok(self.docs.get(&self.sql, id)?.map(|l| l.header))
    }

    /// Creates the month's ledger document from its skeleton (see [`document::skeleton`]);
    /// a no-op if it exists.
    pub(crate) fn create_ledger(
        &mut self,
        id: DocumentId,
        antenna: AntennaId,
        period: Month,
    ) -> Result<()> {
        if self.docs.get(&self.sql, id)?.is_some() {
            return Ok(());
        }
        let mut doc = document::skeleton(id, DocumentKind::Ledger, antenna, Some(period))?;
        doc.set_actor(self.docs.actor.clone());
        for head in doc.get_heads() {
            self.local.push((id, head));
        }
        self.insert(
            id,
            DocumentHeader {
                kind: DocumentKind::Ledger,
                antenna,
            },
            doc,
        )
    }

    /// Creates a document in one change: its header and maps, then what `f` writes.
    pub(crate) fn create<R>(
        &mut self,
        id: DocumentId,
        header: DocumentHeader,
        message: &str,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<R>,
    ) -> Result<R> {
        let mut doc = Automerge::new();
        doc.set_actor(self.docs.actor.clone());
        let mut tx = doc.transaction();
        let result = document::write_header(&mut tx, header.kind, header.antenna, None)
            .and_then(|()| f(&mut tx));
        let result = match result {
            Ok(result) => result,
            Err(error) => {
                tx.rollback();
                return Err(error);
            }
        };
        if let (Some(hash), _) = tx.commit_with(self.commit_options(message)) {
            self.local.push((id, hash));
        }
        self.insert(id, header, doc)?;
        Ok(result)
    }

    fn commit_options(&self, message: &str) -> CommitOptions {
        CommitOptions::default()
            .with_message(message.to_owned())
            .with_time(self.now.millis() / 1000)
    }

    /// Stores a document new to this device and writes all its changes.
    fn insert(&mut self, id: DocumentId, header: DocumentHeader, doc: Automerge) -> Result<()> {
        self.sql.execute(
            "INSERT INTO documents (id, antenna_id, kind) VALUES (?1, ?2, ?3)",
            params![
                id.to_string(),
                header.antenna.to_string(),
                header.kind.as_str()
            ],
        )?;
        self.docs.evict_if_full();
        self.docs.loaded.insert(
            id,
            Loaded {
                header,
                doc,
                persisted_heads: Vec::new(),
                incremental_bytes: 0,
                last_used: self.docs.tick,
            },
        );
        self.written.insert(id, Vec::new());
        self.persist(id)
    }

    /// Makes one change to a document: `f` edits it inside an Automerge transaction that is
    /// rolled back if `f` fails. The change is written to disk with the batch.
    pub(crate) fn change<R>(
        &mut self,
        id: DocumentId,
        message: &str,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<R>,
    ) -> Result<R> {
        let options = self.commit_options(message);
        let loaded = self
            .docs
            .get(&self.sql, id)?
            .ok_or(Error::CorruptDocument(id))?;
        let mut tx = loaded.doc.transaction();
        let result = match f(&mut tx) {
            Ok(result) => result,
            Err(error) => {
                tx.rollback();
                return Err(error);
            }
        };
        let (hash, _) = tx.commit_with(options);
        self.written
            .entry(id)
            .or_insert_with(|| loaded.persisted_heads.clone());
        self.local.extend(hash.map(|h| (id, h)));
        self.persist(id)?;
        Ok(result)
    }

    /// Merges changes received from another device (whole documents or change sets), creating
    /// the document if it is new here. Returns whether anything new was applied.
    pub(crate) fn merge(&mut self, id: DocumentId, bytes: &[u8]) -> Result<bool> {
        // Automerge skips what it cannot parse when merging; check first so that garbage is
        // refused rather than silently ignored.
        if bytes.is_empty() {
            return Ok(false);
        }
        let roots = document::root_changes(bytes).ok_or(Error::MalformedChanges(id))?;
        // A document has one first change. A second root means another document's history:
        // merging it would mix two documents.
        let fits = match self.docs.get(&self.sql, id)? {
            Some(loaded) => roots
                .iter()
                .all(|h| loaded.doc.get_change_meta_by_hash(h).is_some()),
            None => roots.len() == 1,
        };
        if !fits {
            return Err(Error::MalformedChanges(id));
        }
        let actor = self.docs.actor.clone();
        if self.docs.get(&self.sql, id)?.is_none() {
            let mut doc = Automerge::new();
            document::guard_untrusted(|| doc.load_incremental(bytes).ok())
                .ok_or(Error::MalformedChanges(id))?;
            doc.set_actor(actor);
            let header = document::header(id, &doc)?;
            self.insert(id, header, doc)?;
            return Ok(true);
        }
        let loaded = self.docs.get(&self.sql, id)?.expect("checked above");
        let before = loaded.doc.get_heads();
        if document::guard_untrusted(|| loaded.doc.load_incremental(bytes).ok()).is_none() {
            // Part of the bytes may have been applied in memory: reload from disk.
            self.docs.evict(&id);
            return Err(Error::MalformedChanges(id));
        }
        if loaded.doc.get_heads() == before {
            return Ok(false);
        }
        // A merge must not change what the document is.
        let header = document::header(id, &loaded.doc)?;
        if header != loaded.header {
            self.docs.evict(&id);
            return Err(Error::MalformedChanges(id));
        }
        self.written
            .entry(id)
            .or_insert_with(|| loaded.persisted_heads.clone());
        self.persist(id)?;
        Ok(true)
    }

    /// Appends the document's changes not yet written to the `changes` table.
    fn persist(&mut self, id: DocumentId) -> Result<()> {
        let loaded = self.docs.loaded.get_mut(&id).expect("document is loaded");
        let written = self.written.get_mut(&id).expect("document is in the batch");
        let changes = loaded.doc.get_changes(written);
        if changes.is_empty() {
            return Ok(());
        }
        let key = id.to_string();
        let next_seq: i64 = self.sql.query_row(
            "SELECT next_seq FROM documents WHERE id = ?1",
            [&key],
            |r| r.get(0),
        )?;
        let mut stmt = self
            .sql
            .prepare_cached("INSERT INTO changes (doc_id, seq, bytes) VALUES (?1, ?2, ?3)")?;
        let mut bytes_written = 0i64;
        for (i, change) in changes.iter().enumerate() {
            let bytes = change.raw_bytes();
            bytes_written += bytes.len() as i64;
            stmt.execute(params![key, next_seq + i as i64, bytes])?;
        }
        self.sql.execute(
            "UPDATE documents SET next_seq = ?2, incremental_bytes = incremental_bytes + ?3
             WHERE id = ?1",
            params![key, next_seq + changes.len() as i64, bytes_written],
        )?;
        loaded.incremental_bytes += bytes_written;
        *written = loaded.doc.get_heads();
        Ok(())
    }

    /// Drops a document from memory and from this batch (it is being deleted).
    pub(crate) fn forget(&mut self, id: &DocumentId) {
        self.docs.evict(id);
        self.written.remove(id);
        self.local.retain(|(doc, _)| doc != id);
    }

    /// The document in memory (loaded if needed), for sync.
    pub(crate) fn loaded(&mut self, id: DocumentId) -> Result<Option<&mut Loaded>> {
        self.docs.get(&self.sql, id)
    }

    /// Writes everything to disk. Returns the events to announce.
    pub(crate) fn commit(self) -> Result<Vec<StoreEvent>> {
        let Batch {
            sql,
            docs,
            written,
            local,
            events,
            ..
        } = self;
        if !local.is_empty() {
            // Local changes wait in the outbox until a relay confirms it has them.
            let mut stmt =
                sql.prepare_cached("INSERT OR IGNORE INTO outbox (doc_id, hash) VALUES (?1, ?2)")?;
            for (id, hash) in &local {
                stmt.execute(params![id.to_string(), hash.as_ref()])?;
            }
        }
        if let Err(error) = sql.commit() {
            for id in written.keys() {
                docs.evict(id);
            }
            return Err(error.into());
        }
        for (id, heads) in written {
            if let Some(loaded) = docs.loaded.get_mut(&id) {
                loaded.persisted_heads = heads;
            }
        }
        Ok(events)
    }

    /// Gives up: nothing of the batch reaches disk, and documents it changed in memory are
    /// reloaded from disk on next use.
    pub(crate) fn abort(self) {
        for id in self.written.keys() {
            self.docs.evict(id);
        }
    }
}

/// Saves every document past [`COMPACT_AFTER_BYTES`] of appended changes as a new snapshot.
/// The snapshot holds exactly what is on disk, so dropping the changes loses nothing.
pub(crate) fn compact(db: &mut Connection, docs: &mut Documents) -> Result<()> {
    let due: Vec<DocumentId> = docs
        .loaded
        .iter()
        .filter(|(_, l)| l.incremental_bytes > COMPACT_AFTER_BYTES)
        .map(|(id, _)| *id)
        .collect();
    for id in due {
        let loaded = docs.loaded.get_mut(&id).expect("listed above");
        debug_assert_eq!(loaded.doc.get_heads(), loaded.persisted_heads);
        let snapshot = loaded.doc.save();
        let tx = db.transaction()?;
        let key = id.to_string();
        tx.execute(
            "UPDATE documents SET snapshot = ?2, incremental_bytes = 0 WHERE id = ?1",
            params![key, snapshot],
        )?;
        tx.execute("DELETE FROM changes WHERE doc_id = ?1", [&key])?;
        tx.commit()?;
        loaded.incremental_bytes = 0;
    }
    Ok(())
}

/// A document's bytes as stored: a full save, for another device to merge.
pub(crate) fn save(
    docs: &mut Documents,
    db: &Connection,
    id: DocumentId,
) -> Result<Option<Vec<u8>>> {
    Ok(docs.get(db, id)?.map(|l| l.doc.save()))
}

/// The changes of a document that a device with `heads` lacks.
pub(crate) fn changes_since(
    docs: &mut Documents,
    db: &Connection,
    id: DocumentId,
    heads: &[ChangeHash],
) -> Result<Option<Vec<u8>>> {
    Ok(docs.get(db, id)?.map(|l| {
        l.doc
            .get_changes(heads)
            .iter()
            .flat_map(|c| c.raw_bytes().to_vec())
            .collect()
    }))
}

/// The heads of a document.
pub(crate) fn heads(
    docs: &mut Documents,
    db: &Connection,
    id: DocumentId,
) -> Result<Option<Vec<ChangeHash>>> {
    Ok(docs.get(db, id)?.map(|l| l.doc.get_heads()))
}
