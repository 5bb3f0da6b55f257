//! The durable store on a device, its kernel: every antenna, household and ledger document
//! the device holds (`documents`, with `Batch`, one user action), who may
//! do what (`access`), the derived tables that make lists, search and balances fast
//! (`projection`), the schema and its migrations, and the events subscribers follow.
//!
//! The workflows (`crate::workflows`) add what a volunteer and a lead do, each as an
//! `impl Store` block beside its pure logic; the sync engine reaches the store through
//! [`Store::replication`](crate::replication). This module uses neither.
//!
//! The contract: when a method that records something returns `Ok`, the change is in the
//! SQLite file (WAL, full sync) and survives the process being killed right after. When it
//! returns `Err`, nothing of it was recorded.

pub(crate) mod access;
pub(crate) mod documents;
pub(crate) mod events;
pub(crate) mod identity;
pub(crate) mod projection;
mod schema;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use automerge::ActorId;
use rusqlite::Connection;
use tokio::sync::broadcast;

pub use events::StoreEvent;
pub use identity::DeviceKey;

use identity::DeviceIdentity;

use crate::error::Result;
use documents::{Batch, Documents};

/// The file name of the store database inside the store directory.
pub const DATABASE_FILE: &str = "jiran.sqlite3";

/// How many events a slow subscriber may fall behind before it is told it lagged.
const EVENT_BUFFER: usize = 1024;

/// A device's store. Cheap to share between threads (`Arc<Store>`); calls are serialised.
pub struct Store {
    inner: Mutex<Inner>,
    identity: DeviceIdentity,
    events: broadcast::Sender<StoreEvent>,
    path: PathBuf,
}

struct Inner {
    db: Connection,
    docs: Documents,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens the store in `dir`, creating the directory and an empty store if needed.
    ///
    /// # Errors
    /// [`crate::Error::CorruptStore`] if the file is not a readable Jiran store and
    /// [`crate::Error::NewerStore`] if a newer version wrote it; in both cases the file is
    /// left untouched.
    pub fn open(dir: impl AsRef<Path>) -> Result<Store> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir)?;
        let path = dir.join(DATABASE_FILE);
        let (db, found) = schema::open(&path)?;
        let identity = DeviceIdentity::load_or_create(&db)?;
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        let store = Store {
            inner: Mutex::new(Inner {
                db,
                docs: Documents::new(identity.actor()),
            }),
            identity,
            events,
            path,
        };
        if (1..schema::REBUILD_BELOW).contains(&found) {
            store.replication().rebuild_indexes()?;
        }
        Ok(store)
    }

    /// This device's public key: the relay registers it when the device joins, and every
    /// change the device writes carries it as its actor id.
    pub fn device_key(&self) -> DeviceKey {
        self.identity.key()
    }

    /// The proof, sent with a join request, that this device holds the secret half of
    /// [`Store::device_key`] (see [`DeviceKey::verifies_join`]): a signature of the invite
    /// code and the key, good for that one redemption. [`crate::sync::join`] sends it; other
    /// clients of the relay's API may too.
    pub fn join_proof(&self, invite_code: &str) -> String {
        self.identity.join_proof(invite_code)
    }

    /// Whether changes by `actor` were written by this device.
    pub(crate) fn is_own_actor(&self, actor: &ActorId) -> bool {
        self.identity.is_own(actor)
    }

    /// The path of the SQLite file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Follows changes: one [`StoreEvent`] per document changed, once it is on disk, whether
    /// by this device or merged from another.
    pub fn subscribe(&self) -> broadcast::Receiver<StoreEvent> {
        self.events.subscribe()
    }

    /// Tells subscribers something that is not a document change (sync status).
    pub(crate) fn publish(&self, event: StoreEvent) {
        let _ = self.events.send(event);
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        match self.inner.lock() {
            Ok(guard) => guard,
            Err(poisoned) => {
                // A panic mid-action: its SQLite transaction rolled back, so drop the
                // in-memory documents too and reload them from disk.
                let mut guard = poisoned.into_inner();
                guard.docs = Documents::new(self.identity.actor());
                self.inner.clear_poison();
                guard
            }
        }
    }

    /// Runs one action: everything `f` changes is on disk when this returns `Ok`, and none
    /// of it is when it returns `Err`.
    pub(crate) fn batch<T>(&self, f: impl FnOnce(&mut Batch<'_>) -> Result<T>) -> Result<T> {
        let mut guard = self.lock();
        let Inner { db, docs } = &mut *guard;
        let mut batch = Batch::new(db.transaction()?, docs);
        let value = match f(&mut batch) {
            Ok(value) => value,
            Err(error) => {
                batch.abort();
                return Err(error);
            }
        };
        let checkpoint = batch.checkpoint_after_commit;
        let events = batch.commit()?;
        if checkpoint {
            // Erased data is overwritten in the database file (secure_delete); the log's
            // copies of those pages go with the checkpoint. Only one connection uses the
            // file, so a truncating checkpoint cannot be blocked by a reader.
            db.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
        }
        if let Err(error) = documents::compact(db, docs) {
            // The action is on disk; only the housekeeping failed. It is retried after the
            // next action.
            tracing::warn!(%error, "compacting documents failed");
        }
        drop(guard);
        for event in events {
            let _ = self.events.send(event);
        }
        Ok(value)
    }

    /// Runs a read-only query.
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&Connection, &mut Documents) -> Result<T>,
    ) -> Result<T> {
        let mut guard = self.lock();
        let Inner { db, docs } = &mut *guard;
        f(db, docs)
    }
}
