//! What the device keeps about syncing through a relay: its link to each antenna's relay
//! (credentials and change-feed position), the automerge sync state of every document, and
//! the outbox of local changes the relay has not confirmed. Also the wipe a revocation asks
//! for.
//!
//! Everything here is written in the same SQLite transaction as the documents it describes,
//! so after a crash the sync state never claims more than the store holds.

use std::collections::HashSet;

use automerge::sync::{self, SyncDoc};
use automerge::{Automerge, ChangeHash, ReadDoc};
use autosurgeon::reconcile_prop;
use rusqlite::{params, OptionalExtension};

use super::{ImportOutcome, Replication};
use crate::document::{self, DocumentKind};
use crate::error::{Error, Result};
use crate::ids::{AntennaId, DocumentId, HouseholdId, MemberId};
use crate::model::{Member, Role};
use crate::store::access::map_at;
use crate::store::documents::Batch;
use crate::store::events::StoreEvent;
use crate::store::Store;
use crate::sync::protocol::check_sync_message;
use crate::time::Timestamp;

/// This device's membership of an antenna on a relay, as `POST /v1/join` granted it.
#[derive(Clone, PartialEq, Eq)]
pub struct RelayLink {
    /// The antenna.
    pub antenna: AntennaId,
    /// The relay's base URL (`http://host:port`).
    pub relay_url: String,
    /// The relay's id for this device; also its member id in the antenna.
    pub device_id: String,
    /// The device's secret token. Never logged (see the `Debug` impl).
    pub token: String,
    /// What the relay lets this device do.
    pub role: Role,
    /// The name other members see.
    pub display_name: String,
    /// The relay's change-feed position up to which every listed document was synced.
    pub feed_cursor: u64,
    /// When the device was last up to date with the relay.
    pub last_synced_at: Option<Timestamp>,
}

impl std::fmt::Debug for RelayLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelayLink")
            .field("antenna", &self.antenna)
            .field("relay_url", &self.relay_url)
            .field("device_id", &self.device_id)
            .field("token", &"<secret>")
            .field("role", &self.role)
            .field("feed_cursor", &self.feed_cursor)
            .finish_non_exhaustive()
    }
}

impl RelayLink {
    /// The member id this device acts as in the antenna.
    pub fn member(&self) -> MemberId {
        MemberId::from(self.device_id.clone())
    }
}

impl Store {
    /// The link of one antenna, if the device joined it through a relay.
    pub fn relay_link(&self, antenna: AntennaId) -> Result<Option<RelayLink>> {
        Ok(self
            .replication()
            .relay_links()?
            .into_iter()
            .find(|l| l.antenna == antenna))
    }

    /// How many changes made on this device in the antenna the relay has not confirmed.
    pub fn pending_changes(&self, antenna: AntennaId) -> Result<u64> {
        self.read(|db, _| {
            let n: i64 = db.query_row(
                "SELECT count(*) FROM outbox JOIN documents ON documents.id = outbox.doc_id
                 WHERE documents.antenna_id = ?1",
                [antenna.to_string()],
                |r| r.get(0),
            )?;
            Ok(n.max(0) as u64)
        })
    }
}

impl Replication<'_> {
    /// Records a relay link and makes this device a member of the antenna (as
    /// [`RelayLink::member`]). Replaces an earlier link to the same antenna.
    pub fn link_antenna(&self, link: &RelayLink) -> Result<()> {
        self.store.batch(|b| {
            b.sql.execute(
                "INSERT INTO relay_links (antenna_id, relay_url, device_id, token, role,
                     display_name, feed_cursor, last_synced_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (antenna_id) DO UPDATE SET relay_url = ?2, device_id = ?3,
                     token = ?4, role = ?5, display_name = ?6, feed_cursor = ?7,
                     last_synced_at = ?8",
                params![
                    link.antenna.to_string(),
                    link.relay_url,
                    link.device_id,
                    link.token,
                    link.role.as_str(),
                    link.display_name,
                    link.feed_cursor as i64,
                    link.last_synced_at.map(|t| t.millis()),
                ],
            )?;
            b.sql.execute(
                "INSERT INTO memberships (antenna_id, member_id) VALUES (?1, ?2)
                 ON CONFLICT (antenna_id) DO UPDATE SET member_id = ?2",
                params![link.antenna.to_string(), link.device_id],
            )?;
            Ok(())
        })
    }

    /// The relay links of this device.
    pub fn relay_links(&self) -> Result<Vec<RelayLink>> {
        self.store.read(|db, _| {
            let mut stmt = db.prepare(
                "SELECT antenna_id, relay_url, device_id, token, role, display_name,
                        feed_cursor, last_synced_at
                 FROM relay_links ORDER BY antenna_id",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, Option<i64>>(7)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (antenna, relay_url, device_id, token, role, display_name, cursor, at) = row?;
                let (Ok(antenna), Some(role)) = (antenna.parse(), Role::parse(&role)) else {
                    continue;
                };
                out.push(RelayLink {
                    antenna,
                    relay_url,
                    device_id,
                    token,
                    role,
                    display_name,
                    feed_cursor: cursor.max(0) as u64,
                    last_synced_at: at.map(Timestamp),
                });
            }
            Ok(out)
        })
    }

    /// Records that every document of the antenna's change feed up to `cursor` is synced,
    /// and that the device was up to date at `at`.
    pub(crate) fn mark_synced(&self, antenna: AntennaId, cursor: u64, at: Timestamp) -> Result<()> {
        self.store.batch(|b| {
            b.sql.execute(
                "UPDATE relay_links SET feed_cursor = max(feed_cursor, ?2), last_synced_at = ?3
                 WHERE antenna_id = ?1",
                params![antenna.to_string(), cursor as i64, at.millis()],
            )?;
            Ok(())
        })
    }

    /// Records that every document of the antenna's change feed up to `cursor` is synced
    /// (a first sync interrupted later resumes from there).
    pub(crate) fn advance_feed_cursor(&self, antenna: AntennaId, cursor: u64) -> Result<()> {
        self.store.batch(|b| {
            b.sql.execute(
                "UPDATE relay_links SET feed_cursor = max(feed_cursor, ?2) WHERE antenna_id = ?1",
                params![antenna.to_string(), cursor as i64],
            )?;
            Ok(())
        })
    }

    /// Records the storage id the relay gave when this session joined. When it differs from
    /// the one recorded before, the relay is not the one this device synced with (it was
    /// restored from a backup, or replaced): what it confirmed may be gone, so the antenna's
    /// sync states are forgotten and its change-feed position goes back to 0, and the next
    /// sync offers every document again. Returns whether that happened.
    pub(crate) fn relay_storage_seen(&self, antenna: AntennaId, storage_id: &str) -> Result<bool> {
        self.store.batch(|b| {
            let known: Option<Option<String>> = b
                .sql
                .query_row(
                    "SELECT relay_storage_id FROM relay_links WHERE antenna_id = ?1",
                    [antenna.to_string()],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(known) = known else {
                return Err(Error::NotAMember(antenna));
            };
            if known.as_deref() == Some(storage_id) {
                return Ok(false);
            }
            b.sql.execute(
                "UPDATE relay_links SET relay_storage_id = ?2 WHERE antenna_id = ?1",
                params![antenna.to_string(), storage_id],
            )?;
            if known.is_none() {
                return Ok(false);
            }
            b.sql.execute(
                "DELETE FROM sync_states WHERE doc_id IN
                     (SELECT id FROM documents WHERE antenna_id = ?1)",
                [antenna.to_string()],
            )?;
            b.sql.execute(
                "UPDATE relay_links SET feed_cursor = 0 WHERE antenna_id = ?1",
                [antenna.to_string()],
            )?;
            Ok(true)
        })
    }

    /// The antenna's documents never offered to a relay (no sync state).
    pub(crate) fn unsynced_documents(&self, antenna: AntennaId) -> Result<Vec<DocumentId>> {
        self.document_ids(
            antenna,
            "SELECT id FROM documents WHERE antenna_id = ?1
             AND id NOT IN (SELECT doc_id FROM sync_states) ORDER BY kind, id",
        )
    }

    /// Adds this device's member entry to the antenna document once it is here, with the
    /// role the relay granted. Returns whether it wrote anything. Observers are not added:
    /// the relay does not accept their changes.
    ///
    /// The role written is what the relay's token says; the relay, not this entry, decides
    /// what a device may send.
    pub(crate) fn enrol(&self, antenna: AntennaId) -> Result<bool> {
        let Some(link) = self.store.relay_link(antenna)? else {
            return Err(Error::NotAMember(antenna));
        };
        if link.role == Role::Observer {
            return Ok(false);
        }
        self.store.batch(|b| {
            if b.header(antenna.document())?.is_none() {
                return Ok(false);
            }
            if b.member(antenna, &link.member())?.is_some() {
                return Ok(false);
            }
            let member = Member {
                display_name: link.display_name.clone(),
                role: link.role,
                joined_at: b.now,
                device_key: Some(self.store.device_key().to_string()),
                removed_at: None,
            };
            b.change(antenna.document(), "join antenna", |tx| {
                let members = map_at(tx, &["members"])?;
                reconcile_prop(tx, members, link.device_id.as_str(), &member)?;
                Ok(())
            })?;
            b.events.push(StoreEvent::AntennaChanged(antenna));
            Ok(true)
        })
    }

    /// The antenna's documents holding changes the relay has not confirmed.
    pub(crate) fn unsent_documents(&self, antenna: AntennaId) -> Result<Vec<DocumentId>> {
        self.document_ids(
            antenna,
            "SELECT DISTINCT outbox.doc_id FROM outbox
             JOIN documents ON documents.id = outbox.doc_id
             WHERE documents.antenna_id = ?1 ORDER BY documents.kind, outbox.doc_id",
        )
    }

    /// The document ids a query over `?1 = antenna` returns, in its order.
    fn document_ids(&self, antenna: AntennaId, sql: &str) -> Result<Vec<DocumentId>> {
        self.store.read(|db, _| {
            let mut stmt = db.prepare_cached(sql)?;
            let rows = stmt.query_map([antenna.to_string()], |r| r.get::<_, String>(0))?;
            let mut out = Vec::new();
            for row in rows {
                out.extend(row?.parse::<DocumentId>().ok());
            }
            Ok(out)
        })
    }

    /// The saved sync state of a document with the relay (fresh if none).
    pub(crate) fn sync_state(&self, id: DocumentId) -> Result<sync::State> {
        self.store.read(|db, _| {
            let saved: Option<Vec<u8>> = db
                .query_row(
                    "SELECT state FROM sync_states WHERE doc_id = ?1",
                    [id.to_string()],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(saved
                .and_then(|bytes| sync::State::decode(&bytes).ok())
                .unwrap_or_default())
        })
    }

    /// The next automerge sync message for a document, `None` when there is nothing to say.
    /// A document not on this device yet is asked for with an empty one.
    ///
    /// The message carries only changes this device wrote (and the derived skeleton of a
    /// ledger, which every device writes alike): the relay accepts a change only from the
    /// device whose key is its actor, so a change of another device that the relay lacks (a
    /// relay restored from an older backup) waits for its author's phone instead of getting
    /// this device refused.
    pub fn generate_sync_message(
        &self,
        id: DocumentId,
        state: &mut sync::State,
    ) -> Result<Option<sync::Message>> {
        self.store.read(|db, docs| {
            let Some(loaded) = docs.get(db, id)? else {
                return Ok(Automerge::new().generate_sync_message(state));
            };
            let sent_before = state.sent_hashes.clone();
            let Some(mut message) = loaded.doc.generate_sync_message(state) else {
                return Ok(None);
            };
            let skeleton = document::skeleton_actor(id);
            let sent: Vec<ChangeHash> = state
                .sent_hashes
                .difference(&sent_before)
                .copied()
                .collect();
            let is_ours = |hash: &ChangeHash| {
                loaded
                    .doc
                    .get_change_meta_by_hash(hash)
                    .is_some_and(|meta| {
                        self.store.is_own_actor(&meta.actor) || *meta.actor == skeleton
                    })
            };
            if !sent.iter().all(is_ours) {
                let own: Vec<Vec<u8>> = sent
                    .iter()
                    .filter(|hash| is_ours(hash))
                    .filter_map(|hash| loaded.doc.get_change_by_hash(hash))
                    .map(|change| change.raw_bytes().to_vec())
                    .collect();
                message.changes = own.into();
            }
            Ok(Some(message))
        })
    }

    /// Receives an automerge sync message from the relay: its changes are checked and merged
    /// exactly as [`Replication::import`] does, the sync state and the outbox are brought up to
    /// date, all in one transaction that is on disk when this returns `Ok`.
    ///
    /// # Errors
    /// As [`Replication::import`], and [`Error::MalformedChanges`] for a message whose Bloom
    /// filter the automerge crate cannot use safely; nothing is stored and `state` is
    /// unchanged on error.
    pub fn receive_sync_message(
        &self,
        id: DocumentId,
        state: &mut sync::State,
        message: sync::Message,
    ) -> Result<ImportOutcome> {
        check_sync_message(&message).map_err(|_| Error::MalformedChanges(id))?;
        let bytes: Vec<u8> = message.changes.iter().flatten().copied().collect();
        let mut next = state.clone();
        let their_heads_before = state.their_heads.clone();
        let outcome = self.store.batch(|b| {
            let outcome = b.import(id, &bytes)?;
            if outcome == ImportOutcome::Erased {
                // Nothing of an erased household is kept, not even what the relay has of it.
                return Ok(outcome);
            }
            match b.loaded(id)? {
                Some(loaded) => {
                    document::guard_untrusted(|| {
                        loaded.doc.receive_sync_message(&mut next, message).ok()
                    })
                    .ok_or(Error::MalformedChanges(id))?;
                    if let Some(theirs) = next.their_heads.clone() {
                        let missing: HashSet<ChangeHash> = loaded
                            .doc
                            .get_changes(&theirs)
                            .iter()
                            .map(|c| c.hash())
                            .collect();
                        b.confirm_sent(id, &missing)?;
                        if !missing.is_empty() && their_heads_before.as_ref() != Some(&theirs) {
                            // The relay moved on without changes sent to it earlier (it
                            // drops changes whose dependencies it lacks until their author
                            // sends them): offer again what it still lacks.
                            next.sent_hashes.retain(|hash| !missing.contains(hash));
                        }
                    }
                }
                None => {
                    document::guard_untrusted(|| {
                        Automerge::new()
                            .receive_sync_message(&mut next, message)
                            .ok()
                    })
                    .ok_or(Error::MalformedChanges(id))?;
                }
            }
            b.sql.execute(
                "INSERT INTO sync_states (doc_id, state) VALUES (?1, ?2)
                 ON CONFLICT (doc_id) DO UPDATE SET state = ?2",
                params![id.to_string(), next.encode()],
            )?;
            Ok(outcome)
        })?;
        *state = next;
        Ok(outcome)
    }

    /// Deletes everything of an antenna from this device: its documents, derived rows, sync
    /// state, relay link, membership, erased households' ids and the federation key. Deleted content is overwritten (`secure_delete`),
    /// and the write-ahead log is truncated and the file vacuumed, so no page of it remains
    /// in the files. Used when the relay says this device was revoked.
    pub(crate) fn forget_antenna(&self, antenna: AntennaId) -> Result<()> {
        self.store.batch(|b| {
            let key = antenna.to_string();
            let ids: Vec<String> = {
                let mut stmt = b
                    .sql
                    .prepare("SELECT id FROM documents WHERE antenna_id = ?1")?;
                let rows = stmt.query_map([&key], |r| r.get::<_, String>(0))?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            for id in &ids {
                for table in ["changes", "sync_states", "outbox"] {
                    b.sql
                        .execute(&format!("DELETE FROM {table} WHERE doc_id = ?1"), [id])?;
                }
                if let Ok(id) = id.parse() {
                    b.forget(&id);
                }
            }
            for id in b.household_ids(antenna)? {
                b.sql
                    .execute("DELETE FROM search_terms WHERE household_id = ?1", [&id])?;
            }
            for table in [
                "documents",
                "households",
                "donations",
                "deliveries",
                "tasks",
                "erased_households",
                "relay_links",
                "memberships",
            ] {
                b.sql.execute(
                    &format!("DELETE FROM {table} WHERE antenna_id = ?1"),
                    [&key],
                )?;
            }
            b.sql.execute(
                "DELETE FROM allocations WHERE delivery_id NOT IN (SELECT id FROM deliveries)",
                [],
            )?;
            // The key shared with other antennas for the blinded check goes too.
            b.sql.execute(
                "DELETE FROM device WHERE key = ?1",
                [crate::workflows::other_antennas::federation_key_entry(
                    antenna,
                )],
            )?;
            Ok(())
        })?;
        self.store.read(|db, _| {
            db.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); VACUUM;")?;
            Ok(())
        })
    }
}

impl Batch<'_> {
    /// Merges changes as [`Replication::import`] does (checked, re-projected).
    pub(crate) fn import(&mut self, id: DocumentId, bytes: &[u8]) -> Result<ImportOutcome> {
        if self.is_erased(HouseholdId(id))? {
            return Ok(ImportOutcome::Erased);
        }
        let existed = self.header(id)?.is_some();
        if !self.merge(id, bytes)? {
            return Ok(ImportOutcome::Unchanged);
        }
        let header = self.header(id)?.ok_or(Error::CorruptDocument(id))?;
        if !self.is_member(header.antenna)? {
            return Err(Error::NotAMember(header.antenna));
        }
        self.reproject(id, header.kind, header.antenna)?;
        Ok(if existed {
            ImportOutcome::Merged
        } else {
            ImportOutcome::Created
        })
    }

    /// Drops outbox entries of `id` except those the relay still lacks.
    fn confirm_sent(&mut self, id: DocumentId, missing: &HashSet<ChangeHash>) -> Result<()> {
        let key = id.to_string();
        let queued: Vec<Vec<u8>> = {
            let mut stmt = self
                .sql
                .prepare_cached("SELECT hash FROM outbox WHERE doc_id = ?1")?;
            let rows = stmt.query_map([&key], |r| r.get::<_, Vec<u8>>(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut stmt = self
            .sql
            .prepare_cached("DELETE FROM outbox WHERE doc_id = ?1 AND hash = ?2")?;
        for hash in queued {
            let confirmed = ChangeHash::try_from(hash.as_slice())
                .map(|h| !missing.contains(&h))
                .unwrap_or(true);
            if confirmed {
                stmt.execute(params![key, hash])?;
            }
        }
        Ok(())
    }

    fn household_ids(&mut self, antenna: AntennaId) -> Result<Vec<String>> {
        let mut stmt = self.sql.prepare(
            "SELECT id FROM households WHERE antenna_id = ?1
             UNION SELECT id FROM documents WHERE antenna_id = ?1 AND kind = ?2",
        )?;
        let rows = stmt.query_map(
            params![antenna.to_string(), DocumentKind::Household.as_str()],
            |r| r.get::<_, String>(0),
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
