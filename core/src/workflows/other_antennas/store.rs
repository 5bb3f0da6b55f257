//! What a lead's phone keeps for the blinded cross-antenna check (see [`super`]): the
//! federation key, on this device only, and the keyed hashes of the antenna's households.

use rusqlite::OptionalExtension;

use super::key::FederationKey;
use crate::document::DocumentKind;
use crate::error::Result;
use crate::ids::{AntennaId, HouseholdId};
use crate::model::HouseholdDocument;
use crate::store::access::LEADS;
use crate::store::Store;

/// Where the antenna's federation key is kept in the store's device table (also what a
/// revocation's wipe deletes).
pub(crate) fn federation_key_entry(antenna: AntennaId) -> String {
    format!("federation_key/{antenna}")
}

impl Store {
    /// Keeps (or with `None` forgets) the federation key this antenna shares with others, on
    /// this device only: it is never written into a document, so it never reaches the relay.
    /// Leads only.
    ///
    /// # Errors
    /// [`crate::Error::NotPermitted`] for a volunteer or observer.
    pub fn set_federation_key(
        &self,
        antenna: AntennaId,
        key: Option<&FederationKey>,
    ) -> Result<()> {
        self.batch(|b| {
            b.acting(antenna, "take part in the blinded index", LEADS)?;
            b.sql.execute(
                "DELETE FROM device WHERE key = ?1",
                [federation_key_entry(antenna)],
            )?;
            if let Some(key) = key {
                b.sql.execute(
                    "INSERT INTO device (key, value) VALUES (?1, ?2)",
                    rusqlite::params![federation_key_entry(antenna), key.to_text().into_bytes()],
                )?;
            }
            Ok(())
        })
    }

    /// The federation key kept for the antenna, if any.
    pub fn federation_key(&self, antenna: AntennaId) -> Result<Option<FederationKey>> {
        let text: Option<Vec<u8>> = self.read(|db, _| {
            Ok(db
                .query_row(
                    "SELECT value FROM device WHERE key = ?1",
                    [federation_key_entry(antenna)],
                    |r| r.get(0),
                )
                .optional()?)
        })?;
        text.map(|t| FederationKey::parse(&String::from_utf8_lossy(&t)))
            .transpose()
    }

    /// The keyed hashes of the antenna's households held on this device (merged households
    /// count as the one they were merged into), for the blinded index.
    pub fn blinded_hashes(
        &self,
        antenna: AntennaId,
        key: &FederationKey,
    ) -> Result<Vec<(HouseholdId, Vec<String>)>> {
        self.read(|db, docs| {
            let mut stmt = db.prepare(
                "SELECT id, COALESCE(merged_root, id) FROM households
                 WHERE antenna_id = ?1 AND has_document = 1 ORDER BY id",
            )?;
            let rows: Vec<(String, String)> = stmt
                .query_map([antenna.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let mut out = Vec::new();
            for (id, root) in rows {
                let (Ok(id), Ok(root)) = (id.parse::<HouseholdId>(), root.parse::<HouseholdId>())
                else {
                    continue;
                };
                let Some(loaded) = docs.get(db, id.document())? else {
                    continue;
                };
                if loaded.header.kind != DocumentKind::Household {
                    continue;
                }
                let doc: HouseholdDocument = autosurgeon::hydrate(&loaded.doc)?;
                let hashes = key.household_hashes(
                    doc.profile.phone.as_deref(),
                    doc.profile.national_id.as_deref(),
                );
                if !hashes.is_empty() {
                    out.push((root, hashes));
                }
            }
            Ok(out)
        })
    }
}
