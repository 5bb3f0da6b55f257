//! Erasing a household: its document goes from every device and from the relay, history
//! included, and only a tombstone remains.
//!
//! Automerge and automerge-repo never propagate deletion, so the tombstone is Jiran's own: an
//! entry in the antenna document's `erased` map holding the household id, when and by whom,
//! never who the household was. It lives as long as the antenna. Every device that merges the
//! antenna document deletes its copy (`apply_erasures`), and from then on refuses the
//! household's changes (`Batch::import`), so a phone that returns after months offline can
//! never bring the household back; the relay refuses the document too (see the relay's hub).
//!
//! Deleted rows are overwritten (`secure_delete`) and the write-ahead log is truncated after
//! the commit, so the household's name and phone are in no byte of the store files. Deliveries
//! keep the household's id and their amounts, so the accounts still add up; the id (random)
//! points at nothing any more.

use automerge::transaction::Transactable;
use automerge::ReadDoc;
use autosurgeon::reconcile_prop;
use rusqlite::{params, OptionalExtension};

use crate::error::{Error, Result};
use crate::ids::{AntennaId, HouseholdId};
use crate::model::{AntennaDocument, Erasure};
use crate::store::access::{map_at, LEADS};
use crate::store::documents::Batch;
use crate::store::events::StoreEvent;
use crate::store::Store;

impl Store {
    /// Erases a household (leads only): its document, its case and every derived row go from
    /// this device now and from every other device and the relay when they sync; households a
    /// lead merged into it (the same family) go with it. Erasing an erased household again
    /// does nothing.
    ///
    /// When this returns `Ok`, the household's data is in no byte of this device's store
    /// files, write-ahead log included.
    ///
    /// # Errors
    /// [`Error::UnknownHousehold`] if the household is not listed on this device, and
    /// [`Error::NotPermitted`] for a volunteer or observer; nothing is changed then.
    pub fn erase_household(&self, household: HouseholdId) -> Result<()> {
        self.batch(|b| {
            if b.is_erased(household)? {
                return Ok(());
            }
            let antenna = b.listed_antenna(household)?;
            let lead = b.acting(antenna, "erase a household", LEADS)?;
            let mut family = vec![household.to_string()];
            family.extend(b.merged_into(household)?);
            let tombstone = Erasure {
                at: b.now,
                by: lead,
            };
            b.change(antenna.document(), "erase household", |tx| {
                let erased = map_at(tx, &["erased"])?;
                let index = map_at(tx, &["households"])?;
                for id in &family {
                    reconcile_prop(&mut *tx, &erased, id.as_str(), &tombstone)?;
                    if tx.get(&index, id.as_str())?.is_some() {
                        tx.delete(&index, id.as_str())?;
                    }
                }
                Ok(())
            })?;
            for id in &family {
                b.purge(antenna, id)?;
            }
            b.events.push(StoreEvent::AntennaChanged(antenna));
            Ok(())
        })
    }

    /// The households of an antenna that were erased, with their tombstones, oldest first.
    pub fn erased_households(&self, antenna: AntennaId) -> Result<Vec<(HouseholdId, Erasure)>> {
        let doc = self.antenna(antenna)?;
        let mut out: Vec<(HouseholdId, Erasure)> = doc
            .erased
            .into_iter()
            .filter_map(|(id, e)| Some((id.parse().ok()?, e)))
            .collect();
        out.sort_by_key(|(id, e)| (e.at, id.to_string()));
        Ok(out)
    }
}

impl Batch<'_> {
    /// Whether the household was erased (its tombstone reached this device).
    pub(crate) fn is_erased(&mut self, household: HouseholdId) -> Result<bool> {
        Ok(self
            .sql
            .prepare_cached("SELECT 1 FROM erased_households WHERE id = ?1")?
            .query_row([household.to_string()], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Applies the antenna's tombstones: every erased household still on this device is
    /// deleted, and its id is remembered so its changes are refused from now on. Called each
    /// time the antenna document is projected, after its household index (an offline device's
    /// index entry may bring an erased household back into the index; it is dropped here).
    pub(crate) fn apply_erasures(
        &mut self,
        antenna: AntennaId,
        doc: &AntennaDocument,
    ) -> Result<()> {
        for id in doc.erased.keys() {
            let recorded = self.sql.execute(
                "INSERT OR IGNORE INTO erased_households (id, antenna_id) VALUES (?1, ?2)",
                params![id, antenna.to_string()],
            )? > 0;
            if recorded || self.holds(id)? {
                self.purge(antenna, id)?;
            }
        }
        Ok(())
    }

    /// Index entries of erased households (written concurrently with the erasure by an
    /// offline device) that a writer should delete from the antenna document.
    pub(crate) fn erased_index_entries(doc: &AntennaDocument) -> Vec<String> {
        doc.households
            .keys()
            .filter(|id| doc.erased.contains_key(*id))
            .cloned()
            .collect()
    }

    /// Deletes every row of one household on this device: document, changes, sync state,
    /// outbox, list row, search terms and tasks. Deliveries and allocations stay (amounts and an id
    /// that points at nothing). The write-ahead log is truncated after the batch commits.
    fn purge(&mut self, antenna: AntennaId, id: &str) -> Result<()> {
        for sql in [
            "DELETE FROM changes WHERE doc_id = ?1",
            "DELETE FROM sync_states WHERE doc_id = ?1",
            "DELETE FROM outbox WHERE doc_id = ?1",
            "DELETE FROM documents WHERE id = ?1",
            "DELETE FROM search_terms WHERE household_id = ?1",
            "DELETE FROM households WHERE id = ?1",
            "DELETE FROM tasks WHERE household_id = ?1",
        ] {
            self.sql.prepare_cached(sql)?.execute([id])?;
        }
        self.sql.execute(
            "INSERT OR IGNORE INTO erased_households (id, antenna_id) VALUES (?1, ?2)",
            params![id, antenna.to_string()],
        )?;
        if let Ok(household) = id.parse::<HouseholdId>() {
            self.forget(&household.document());
            self.events
                .push(StoreEvent::HouseholdErased { antenna, household });
        }
        self.checkpoint_after_commit = true;
        Ok(())
    }

    /// Whether this device holds anything of a household (a document or a list row).
    fn holds(&mut self, id: &str) -> Result<bool> {
        Ok(self
            .sql
            .prepare_cached(
                "SELECT 1 FROM households WHERE id = ?1 UNION ALL SELECT 1 FROM documents WHERE id = ?1",
            )?
            .query_row([id], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// The antenna of a household listed on this device, with or without its document.
    fn listed_antenna(&mut self, household: HouseholdId) -> Result<AntennaId> {
        if let Ok(antenna) = self.antenna_of(household) {
            return Ok(antenna);
        }
        let antenna: Option<String> = self
            .sql
            .query_row(
                "SELECT antenna_id FROM households WHERE id = ?1",
                [household.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        antenna
            .and_then(|a| a.parse().ok())
            .ok_or(Error::UnknownHousehold(household))
    }

    /// Households a lead merged into `household`, directly or along a chain.
    fn merged_into(&mut self, household: HouseholdId) -> Result<Vec<String>> {
        let key = household.to_string();
        let mut stmt = self.sql.prepare_cached(
            "SELECT id FROM households
             WHERE (merged_into = ?1 OR merged_root = ?1) AND id != ?1",
        )?;
        let rows = stmt.query_map([&key], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
