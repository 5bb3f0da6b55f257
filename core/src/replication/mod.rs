//! The sync engine's facet of the store: exchanging documents with other devices and keeping
//! what syncing through a relay needs. Apps do not need it (they call [`Store`]'s own
//! methods, what a volunteer and a lead do); the sync engine, tests and tools reach it
//! through [`Store::replication`].
//!
//! Merges are checked, stored durably and re-projected like local actions: an arriving
//! document is projected into the derived tables by the workflow that owns them (households,
//! the ledger, erasure), so this module sits above the workflows, and the store's kernel below
//! them.
//!
//! - this file: documents, heads, export and import, rebuilding the derived tables.
//! - `relay`: the link to each antenna's relay, the change-feed position, automerge sync
//!   states, the outbox of unconfirmed local changes, and the wipe a revocation asks for.

use automerge::transaction::Transactable;
use automerge::ChangeHash;
use rusqlite::params;

use crate::document::DocumentKind;
use crate::error::{Error, Result};
use crate::ids::{AntennaId, DocumentId, HouseholdId, LedgerId};
use crate::model::{AntennaDocument, LedgerDocument};
use crate::store::documents::{self, Batch};
use crate::store::events::StoreEvent;
use crate::store::projection;
use crate::store::Store;

mod relay;

pub use relay::RelayLink;

/// The store as the sync engine sees it (see the [module](self)): borrowed from a [`Store`]
/// by [`Store::replication`], so every call goes through the same serialised connection and
/// the same durability contract.
#[derive(Debug, Clone, Copy)]
pub struct Replication<'a> {
    store: &'a Store,
}

impl Store {
    /// What the sync engine uses: documents, heads, export and import, relay links and sync
    /// messages. Apps do not need it.
    pub fn replication(&self) -> Replication<'_> {
        Replication { store: self }
    }
}

/// What an import did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportOutcome {
    /// The document was new on this device.
    Created,
    /// New changes were merged.
    Merged,
    /// Nothing new.
    Unchanged,
    /// The household was erased: its changes were dropped, nothing was stored.
    Erased,
}

impl Replication<'_> {
    /// The documents of an antenna on this device, with their kinds.
    pub fn documents(&self, antenna: AntennaId) -> Result<Vec<(DocumentId, DocumentKind)>> {
        self.store.read(|db, _| {
            let mut stmt = db.prepare_cached(
                "SELECT id, kind FROM documents WHERE antenna_id = ?1 ORDER BY kind, id",
            )?;
            let rows = stmt.query_map([antenna.to_string()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, kind) = row?;
                if let (Ok(id), Some(kind)) = (id.parse(), DocumentKind::parse(&kind)) {
                    out.push((id, kind));
                }
            }
            Ok(out)
        })
    }

    /// The document's heads (its current version), or `None` if it is not here.
    pub fn heads(&self, id: DocumentId) -> Result<Option<Vec<ChangeHash>>> {
        self.store.read(|db, docs| documents::heads(docs, db, id))
    }

    /// The whole document, compressed, for another device to merge.
    pub fn export_document(&self, id: DocumentId) -> Result<Option<Vec<u8>>> {
        self.store.read(|db, docs| documents::save(docs, db, id))
    }

    /// The changes a device at `heads` lacks (all changes for empty heads).
    pub fn export_changes(&self, id: DocumentId, heads: &[ChangeHash]) -> Result<Option<Vec<u8>>> {
        self.store
            .read(|db, docs| documents::changes_since(docs, db, id, heads))
    }

    /// Merges a document or changes from another device. Only documents of antennas this
    /// device belongs to are accepted; the merge is on disk when this returns `Ok`.
    ///
    /// # Errors
    /// [`Error::MalformedChanges`] for bytes that are not Automerge changes or that would
    /// change a document's kind or antenna; [`Error::NotAMember`] for another antenna's
    /// document. Nothing is stored in either case.
    pub fn import(&self, id: DocumentId, bytes: &[u8]) -> Result<ImportOutcome> {
        self.store.batch(|b| b.import(id, bytes))
    }

    /// Rebuilds every derived table (lists, search index, balances, tasks) from the documents.
    pub fn rebuild_indexes(&self) -> Result<()> {
        self.store.batch(|b| {
            for table in [
                "households",
                "search_terms",
                "donations",
                "deliveries",
                "allocations",
                "erased_households",
                "tasks",
            ] {
                b.sql.execute(&format!("DELETE FROM {table}"), [])?;
            }
            let mut stmt = b
                .sql
                .prepare("SELECT id, kind, antenna_id FROM documents ORDER BY kind")?;
            let all: Vec<(String, String, String)> = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            drop(stmt);
            for (id, kind, antenna) in all {
                let (Ok(id), Some(kind), Ok(antenna)) =
                    (id.parse(), DocumentKind::parse(&kind), antenna.parse())
                else {
                    continue;
                };
                if b.header(id)?.is_none() {
                    // Erased by a tombstone projected earlier in this rebuild.
                    continue;
                }
                b.reproject(id, kind, antenna)?;
            }
            Ok(())
        })
    }
}

impl Batch<'_> {
    pub(crate) fn is_member(&mut self, antenna: AntennaId) -> Result<bool> {
        let count: i64 = self.sql.query_row(
            "SELECT count(*) FROM memberships WHERE antenna_id = ?1",
            params![antenna.to_string()],
            |r| r.get(0),
        )?;
        Ok(count > 0)
    }

    /// Brings derived tables (and, where this device may write, the antenna's index) in line
    /// with a document after a merge.
    pub(crate) fn reproject(
        &mut self,
        id: DocumentId,
        kind: DocumentKind,
        antenna: AntennaId,
    ) -> Result<()> {
        match kind {
            DocumentKind::Household => {
                let may_write = self.may_write(antenna);
                self.refresh_household(antenna, HouseholdId(id), may_write)
            }
            DocumentKind::Ledger => {
                let doc = self.doc(id, kind)?.ok_or(Error::CorruptDocument(id))?;
                let ledger: LedgerDocument = autosurgeon::hydrate(doc)?;
                projection::ledger(&self.sql, antenna, LedgerId(id), &ledger)?;
                self.events.push(StoreEvent::LedgerChanged {
                    antenna,
                    ledger: LedgerId(id),
                });
                Ok(())
            }
            DocumentKind::Antenna => {
                let doc: AntennaDocument = self.antenna(antenna)?;
                projection::antenna(&self.sql, antenna, &doc)?;
                self.apply_erasures(antenna, &doc)?;
                self.repair_index(antenna, &doc)?;
                self.events.push(StoreEvent::AntennaChanged(antenna));
                Ok(())
            }
        }
    }

    /// After the antenna document merged, rewrites index entries that disagree with the
    /// household documents on this device (two devices' summaries can interleave in a merge).
    /// Compares with the derived `households` table, so no household document is opened.
    fn repair_index(&mut self, antenna: AntennaId, doc: &AntennaDocument) -> Result<()> {
        if !self.may_write(antenna) {
            return Ok(());
        }
        let mut stmt = self.sql.prepare_cached(
            "SELECT id, status, priority, size, open_needs, assigned_to, registered_at
             FROM households WHERE antenna_id = ?1 AND has_document = 1",
        )?;
        let rows = stmt.query_map([antenna.to_string()], |r| {
            Ok((r.get::<_, String>(0)?, projection::summary_from_row(r, 1)?))
        })?;
        let mut stale = Vec::new();
        for row in rows {
            let (id, current) = row?;
            if doc.households.get(&id) != Some(&current) {
                stale.push((id, current));
            }
        }
        drop(stmt);
        let ghosts = Batch::erased_index_entries(doc);
        if stale.is_empty() && ghosts.is_empty() {
            return Ok(());
        }
        self.change(antenna.document(), "repair household index", |tx| {
            let index = crate::store::access::map_at(tx, &["households"])?;
            for (id, summary) in &stale {
                autosurgeon::reconcile_prop(&mut *tx, &index, id.as_str(), summary)?;
            }
            for id in &ghosts {
                tx.delete(&index, id.as_str())?;
            }
            Ok(())
        })?;
        Ok(())
    }
}
