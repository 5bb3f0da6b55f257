//! The default storage: one SQLite file (`relay.sqlite3`) in the data directory, WAL with a
//! full sync at every commit.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use jiran_core::{AntennaId, DeviceKey, DocumentId, Role};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use super::{Append, Appended, BlindedMatch, Device, NewInvite, Storage};
use crate::error::{Error, Result};

/// The database file's name in the data directory.
pub const DATABASE_FILE: &str = "relay.sqlite3";

const VERSION: i64 = 6;
/// Written into every relay database's header since schema 1 (`PRAGMA application_id`), so
/// the relay knows its own files from any other SQLite file.
const APPLICATION_ID: i64 = 0x4a52_4c59; // "JRLY"

const SCHEMA: &str = "
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE antennas (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE invites (
    code_hash  TEXT PRIMARY KEY,
    antenna_id TEXT NOT NULL REFERENCES antennas (id),
    role       TEXT NOT NULL,
    uses_left  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE TABLE devices (
    id         TEXT PRIMARY KEY,
    antenna_id TEXT NOT NULL REFERENCES antennas (id),
    role       TEXT NOT NULL,
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    revoked    INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX devices_by_antenna ON devices (antenna_id);
CREATE TABLE documents (
    id                TEXT NOT NULL UNIQUE,
    antenna_id        TEXT NOT NULL REFERENCES antennas (id),
    snapshot          BLOB,
    incremental_bytes INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX documents_by_antenna ON documents (antenna_id);
CREATE TABLE changes (
    doc_id TEXT NOT NULL,
    bytes  BLOB NOT NULL
);
CREATE INDEX changes_by_doc ON changes (doc_id);
";

/// Version 2: a per-antenna change feed. Every document records the relay-wide sequence
/// number of its last change, so a device asks "what changed since n" instead of syncing
/// every document to find out.
const MIGRATION_2: &str = "
ALTER TABLE documents ADD COLUMN changed_seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX documents_by_change ON documents (antenna_id, changed_seq);
";

/// Version 3: erasure. A household erased by its antenna's lead leaves only its document id
/// here (no content), so the relay refuses the document from then on, and the feed position
/// it held, so the change feed never hands out a position twice.
const MIGRATION_3: &str = "
CREATE TABLE erased (
    doc_id      TEXT PRIMARY KEY,
    antenna_id  TEXT NOT NULL,
    changed_seq INTEGER NOT NULL,
    erased_at   INTEGER NOT NULL
);
";

/// Version 4: the blinded cross-antenna index. Antennas whose lead opted in, with the contact
/// other antennas see, and their keyed hashes (the relay cannot reverse them: it never has the
/// key).
const MIGRATION_4: &str = "
CREATE TABLE federation (
    antenna_id TEXT PRIMARY KEY REFERENCES antennas (id),
    contact    TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE blinded_index (
    hash       TEXT NOT NULL,
    antenna_id TEXT NOT NULL,
    PRIMARY KEY (hash, antenna_id)
) WITHOUT ROWID;
CREATE INDEX blinded_index_by_antenna ON blinded_index (antenna_id);
";

/// Version 5: device keys and the actors they own. A device that joins with a public key has
/// it recorded, and alone writes under the Automerge actor id that key is; a client without a
/// key (the stock JS client) owns the other actor ids it is the first to write with
/// (`actors`). A change under an actor another device owns is refused.
const MIGRATION_5: &str = "
ALTER TABLE devices ADD COLUMN public_key TEXT;
CREATE TABLE actors (
    actor     BLOB PRIMARY KEY,
    device_id TEXT NOT NULL
) WITHOUT ROWID;
";

/// The schema and its migrations, in order: `(version reached, SQL)`.
const MIGRATIONS: [(i64, &str); 6] = [
    (1, SCHEMA),
    (2, MIGRATION_2),
    (3, MIGRATION_3),
    (4, MIGRATION_4),
    (5, MIGRATION_5),
    (6, MIGRATION_6),
];

/// What a backup holds, once `restore` found it sound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackupSummary {
    /// Its schema version (migrated to this relay's when restored).
    pub schema: i64,
    /// Antennas in it.
    pub antennas: u64,
    /// Documents in it.
    pub documents: u64,
}

/// Checks that `path` is a sound relay database this relay can read, without writing to it:
/// not empty, a SQLite file, `PRAGMA integrity_check` clean, the relay's application id, a
/// schema version no newer than this relay's, and exactly the tables and columns a relay
/// database of that version has. `Err` says what is wrong, in words an operator can act on.
///
/// Every jiran-relay has written its application id since schema 1, so no genuine relay
/// database lacks it: a file without it is refused, whatever its tables.
pub(crate) fn check_backup(path: &Path) -> std::result::Result<BackupSummary, String> {
    let len = std::fs::metadata(path)
        .map_err(|e| format!("cannot read it ({e})"))?
        .len();
    if len == 0 {
        return Err("the file is empty (0 bytes)".into());
    }
    let mut magic = [0u8; 16];
    {
        use std::io::Read;
        let mut file = std::fs::File::open(path).map_err(|e| format!("cannot read it ({e})"))?;
        if file.read_exact(&mut magic).is_err() || &magic != b"SQLite format 3\0" {
            return Err("it is not a SQLite database".into());
        }
    }
    let db = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| format!("it cannot be opened ({e})"))?;
    let damaged = |e: rusqlite::Error| format!("it is damaged ({e})");
    let app: i64 = db
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(damaged)?;
    let version: i64 = db
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(damaged)?;
    let problems: Vec<String> = {
        let mut stmt = db.prepare("PRAGMA integrity_check(5)").map_err(damaged)?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(damaged)?;
        rows.collect::<rusqlite::Result<_>>().map_err(damaged)?
    };
    if problems != ["ok"] {
        return Err(format!(
            "it is damaged (SQLite integrity check: {})",
            problems.join("; ")
        ));
    }
    let pages: i64 = db
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .map_err(damaged)?;
    let page_size: i64 = db
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .map_err(damaged)?;
    if (pages * page_size) as u64 > len {
        return Err(format!(
            "it is damaged (truncated: {len} bytes of {})",
            pages * page_size
        ));
    }
    if app != APPLICATION_ID || version < 1 {
        return Err("it is not a jiran-relay database (another program's SQLite file)".into());
    }
    if version > VERSION {
        return Err(format!(
            "it was written by a newer jiran-relay (schema {version}, this one reads up to \
             {VERSION}); restore it with that version"
        ));
    }
    let expected = {
        let reference = Connection::open_in_memory().map_err(|e| e.to_string())?;
        for (to, sql) in MIGRATIONS.iter().filter(|(to, _)| *to <= version) {
            reference
                .execute_batch(sql)
                .map_err(|e| format!("schema {to}: {e}"))?;
        }
        tables(&reference).map_err(|e| e.to_string())?
    };
    let found = tables(&db).map_err(damaged)?;
    for (table, columns) in &expected {
        match found.get(table) {
            None => {
                return Err(format!(
                    "its schema does not match a jiran-relay database of schema {version} \
                     (table `{table}` is missing)"
                ))
            }
            Some(have) if have != columns => {
                return Err(format!(
                    "its schema does not match a jiran-relay database of schema {version} \
                     (table `{table}` has columns {have:?}, expected {columns:?})"
                ))
            }
            Some(_) => {}
        }
    }
    if let Some(extra) = found.keys().find(|t| !expected.contains_key(*t)) {
        return Err(format!(
            "its schema does not match a jiran-relay database of schema {version} \
             (unexpected table `{extra}`)"
        ));
    }
    let count = |table: &str| -> std::result::Result<u64, String> {
        db.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| {
            r.get::<_, i64>(0)
        })
        .map(|n| n.max(0) as u64)
        .map_err(damaged)
    };
    Ok(BackupSummary {
        schema: version,
        antennas: count("antennas")?,
        documents: count("documents")?,
    })
}

/// Every table of a database (SQLite's own excepted) with its column names, in order.
fn tables(db: &Connection) -> rusqlite::Result<std::collections::BTreeMap<String, Vec<String>>> {
    let mut out = std::collections::BTreeMap::new();
    let names: Vec<String> = {
        let mut stmt = db.prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for name in names {
        let mut stmt = db.prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")?;
        let columns = stmt
            .query_map([&name], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        out.insert(name, columns);
    }
    Ok(out)
}

/// Version 6: a tombstone of an id the relay never held blocks only the antenna whose lead
/// wrote it (`held = 0`), so one antenna cannot block another's ids; one row per (id,
/// antenna). A tombstone of a stored document (`held = 1`) still blocks every antenna. Rows
/// from version 3 with feed position 0 were never held.
const MIGRATION_6: &str = "
CREATE TABLE erased_v6 (
    doc_id      TEXT NOT NULL,
    antenna_id  TEXT NOT NULL,
    changed_seq INTEGER NOT NULL,
    erased_at   INTEGER NOT NULL,
    held        INTEGER NOT NULL,
    PRIMARY KEY (doc_id, antenna_id)
);
INSERT INTO erased_v6 (doc_id, antenna_id, changed_seq, erased_at, held)
    SELECT doc_id, antenna_id, changed_seq, erased_at, changed_seq > 0 FROM erased;
DROP TABLE erased;
ALTER TABLE erased_v6 RENAME TO erased;
";

/// The next sequence number of the change feed (one statement, under the connection's lock),
/// past every position handed out, erased documents' included.
const NEXT_SEQ: &str = "(SELECT max(coalesce((SELECT max(changed_seq) FROM documents), 0),
                                coalesce((SELECT max(changed_seq) FROM erased), 0)) + 1)";

/// SQLite-backed [`Storage`].
#[derive(Debug)]
pub struct SqliteStorage {
    db: Mutex<Connection>,
    path: PathBuf,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl SqliteStorage {
    /// Opens (or creates) the relay database in `dir`. Refuses a database from a newer relay
    /// or of another application without writing to it.
    pub fn open(dir: &Path) -> Result<SqliteStorage> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(DATABASE_FILE);
        let db = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )?;
        let header = (|| -> rusqlite::Result<(i64, i64, i64)> {
            Ok((
                db.query_row("PRAGMA user_version", [], |r| r.get(0))?,
                db.query_row("PRAGMA application_id", [], |r| r.get(0))?,
                db.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?,
            ))
        })();
        let (version, app, tables) = header.map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) => {
                Error::CorruptData("not a SQLite database".into())
            }
            _ => Error::Storage(e),
        })?;
        if version > VERSION {
            return Err(Error::NewerData {
                found: version,
                supported: VERSION,
            });
        }
        if (version > 0 && app != APPLICATION_ID) || (version == 0 && tables > 0) {
            return Err(Error::CorruptData("not a jiran-relay database".into()));
        }
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.pragma_update(None, "synchronous", "FULL")?;
        db.pragma_update(None, "foreign_keys", "ON")?;
        // Deleted content is overwritten, so an erased household leaves no bytes behind.
        db.pragma_update(None, "secure_delete", "ON")?;
        db.busy_timeout(std::time::Duration::from_secs(5))?;
        for (to, sql) in MIGRATIONS {
            if version < to {
                let tx = db.unchecked_transaction()?;
                tx.execute_batch(sql)?;
                tx.pragma_update(None, "application_id", APPLICATION_ID)?;
                tx.pragma_update(None, "user_version", to)?;
                tx.commit()?;
            }
        }
        Ok(SqliteStorage {
            db: Mutex::new(db),
            path,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Caps the database at about `max_bytes` (the operator's `max_storage_mb`): past it,
    /// writes fail with "database or disk is full", exactly as on a full disk, and reads go
    /// on. A database already larger keeps its size and takes no more.
    pub fn limit_size(&self, max_bytes: u64) -> Result<()> {
        let db = self.db();
        let page_size: i64 = db.query_row("PRAGMA page_size", [], |r| r.get(0))?;
        let pages = (max_bytes / page_size.max(1) as u64).max(1);
        let _: i64 = db.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| {
            r.get(0)
        })?;
        Ok(())
    }

    fn db(&self) -> MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Folds the write-ahead log into the database file and empties it, so the file alone
    /// holds everything committed (before a restore moves it into place).
    pub fn checkpoint(&self) -> Result<()> {
        self.db().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
        Ok(())
    }

    /// Every antenna, oldest first, with its name.
    pub fn antennas(&self) -> Result<Vec<(AntennaId, String)>> {
        let db = self.db();
        let mut stmt = db.prepare("SELECT id, name FROM antennas ORDER BY created_at, id")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, name) = row?;
            if let Ok(id) = id.parse() {
                out.push((id, name));
            }
        }
        Ok(out)
    }

    /// A device by its id, revoked or not.
    pub fn device(&self, id: &str) -> Result<Option<Device>> {
        let row = self
            .db()
            .query_row(
                "SELECT id, antenna_id, role, name, revoked, public_key FROM devices WHERE id = ?1",
                [id],
                device_row,
            )
            .optional()?;
        Ok(row.and_then(device))
    }

    /// Gives the database a new storage id (what peers are told in `peer` messages), so that
    /// devices syncing with a relay restored from this copy know it is not the relay they
    /// last synced with: it may lack changes it once confirmed, and they offer everything
    /// again.
    pub fn renew_storage_id(&self) -> Result<()> {
        let id = format!("jiran-relay-{}", crate::auth::new_device_id());
        self.db().execute(
            "INSERT INTO meta (key, value) VALUES ('storage_id', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [&id],
        )?;
        Ok(())
    }

    /// Writes a consistent copy of the database to `target` (SQLite online backup: safe while
    /// the relay serves).
    pub fn backup_to(&self, target: &Path) -> Result<()> {
        let db = self.db();
        db.backup(rusqlite::MAIN_DB, target, None)?;
        Ok(())
    }
}

fn role(word: &str) -> Role {
    Role::parse(word).unwrap_or(Role::Observer)
}

type DeviceRow = (String, String, String, String, bool, Option<String>);

fn device_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DeviceRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

fn device((id, antenna, role_word, name, revoked, key): DeviceRow) -> Option<Device> {
    Some(Device {
        id,
        antenna: antenna.parse().ok()?,
        role: role(&role_word),
        name,
        revoked,
        key: key.and_then(|k| k.parse().ok()),
    })
}

impl Storage for SqliteStorage {
    fn document_antenna(&self, doc: &DocumentId) -> Result<Option<AntennaId>> {
        let antenna: Option<String> = self
            .db()
            .query_row(
                "SELECT antenna_id FROM documents WHERE id = ?1",
                [doc.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        Ok(antenna.and_then(|a| a.parse().ok()))
    }

    fn load_document(&self, doc: &DocumentId) -> Result<Vec<Vec<u8>>> {
        let db = self.db();
        let key = doc.to_string();
        let mut chunks = Vec::new();
        let snapshot: Option<Option<Vec<u8>>> = db
            .query_row(
                "SELECT snapshot FROM documents WHERE id = ?1",
                [&key],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(Some(snapshot)) = snapshot {
            chunks.push(snapshot);
        }
        let mut stmt =
            db.prepare_cached("SELECT bytes FROM changes WHERE doc_id = ?1 ORDER BY rowid")?;
        for bytes in stmt.query_map([&key], |r| r.get::<_, Vec<u8>>(0))? {
            chunks.push(bytes?);
        }
        Ok(chunks)
    }

    fn append_changes(&self, batch: &[Append]) -> Result<Vec<Appended>> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let mut appended = Vec::with_capacity(batch.len());
        for Append {
            doc,
            new_in,
            changes,
        } in batch
        {
            let key = doc.to_string();
            if let Some(antenna) = new_in {
                tx.execute(
                    &format!(
                        "INSERT OR IGNORE INTO documents (id, antenna_id, changed_seq)
                         VALUES (?1, ?2, {NEXT_SEQ})"
                    ),
                    params![key, antenna.to_string()],
                )?;
                let owner: String = tx.query_row(
                    "SELECT antenna_id FROM documents WHERE id = ?1",
                    [&key],
                    |r| r.get(0),
                )?;
                if owner != antenna.to_string() {
                    return Err(Error::CorruptData(
                        "a new document's id is held by another antenna".into(),
                    ));
                }
            }
            let mut added = 0i64;
            {
                let mut stmt =
                    tx.prepare_cached("INSERT INTO changes (doc_id, bytes) VALUES (?1, ?2)")?;
                for change in changes {
                    stmt.execute(params![key, change])?;
                    added += change.len() as i64;
                }
            }
            tx.execute(
                &format!(
                    "UPDATE documents SET incremental_bytes = incremental_bytes + ?2,
                     changed_seq = {NEXT_SEQ} WHERE id = ?1"
                ),
                params![key, added],
            )?;
            let (total, seq): (i64, i64) = tx.query_row(
                "SELECT incremental_bytes, changed_seq FROM documents WHERE id = ?1",
                [&key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            appended.push(Appended {
                since_snapshot: total.max(0) as u64,
                seq: seq.max(0) as u64,
            });
        }
        tx.commit()?;
        Ok(appended)
    }

    fn changed_documents(
        &self,
        antenna: &AntennaId,
        since: u64,
        limit: usize,
    ) -> Result<Vec<(DocumentId, u64)>> {
        let db = self.db();
        let mut stmt = db.prepare_cached(
            "SELECT id, changed_seq FROM documents
             WHERE antenna_id = ?1 AND changed_seq > ?2 ORDER BY changed_seq LIMIT ?3",
        )?;
        let rows = stmt.query_map(
            params![antenna.to_string(), since as i64, limit as i64],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (id, seq) = row?;
            if let Ok(id) = id.parse() {
                out.push((id, seq.max(0) as u64));
            }
        }
        Ok(out)
    }

    fn replace_snapshot(&self, doc: &DocumentId, snapshot: &[u8]) -> Result<()> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let key = doc.to_string();
        tx.execute(
            "UPDATE documents SET snapshot = ?2, incremental_bytes = 0 WHERE id = ?1",
            params![key, snapshot],
        )?;
        tx.execute("DELETE FROM changes WHERE doc_id = ?1", [&key])?;
        tx.commit()?;
        Ok(())
    }

    fn erase_documents(&self, antenna: &AntennaId, docs: &[DocumentId]) -> Result<usize> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let mut erased = 0;
        for doc in docs {
            let key = doc.to_string();
            let stored: Option<(String, i64)> = tx
                .query_row(
                    "SELECT antenna_id, changed_seq FROM documents WHERE id = ?1",
                    [&key],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((owner, seq)) = stored else {
                // Not stored (yet): the tombstone alone keeps it from ever being created.
                tx.execute(
                    "INSERT OR IGNORE INTO erased (doc_id, antenna_id, changed_seq, erased_at, held)
                     VALUES (?1, ?2, 0, ?3, 0)",
                    params![key, antenna.to_string(), now()],
                )?;
                continue;
            };
            if owner != antenna.to_string() {
                continue;
            }
            tx.execute("DELETE FROM changes WHERE doc_id = ?1", [&key])?;
            tx.execute("DELETE FROM documents WHERE id = ?1", [&key])?;
            tx.execute(
                "INSERT OR REPLACE INTO erased (doc_id, antenna_id, changed_seq, erased_at, held)
                 VALUES (?1, ?2, ?3, ?4, 1)",
                params![key, antenna.to_string(), seq, now()],
            )?;
            erased += 1;
        }
        tx.commit()?;
        if erased > 0 {
            // The log's copies of the deleted pages go too. The relay has one connection, so
            // no reader can hold the checkpoint back.
            db.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
        }
        Ok(erased)
    }

    fn replace_blinded_index(
        &self,
        antenna: &AntennaId,
        contact: &str,
        hashes: &[String],
    ) -> Result<Vec<BlindedMatch>> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let id = antenna.to_string();
        tx.execute(
            "INSERT INTO federation (antenna_id, contact, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (antenna_id) DO UPDATE SET contact = ?2, updated_at = ?3",
            params![id, contact, now()],
        )?;
        tx.execute("DELETE FROM blinded_index WHERE antenna_id = ?1", [&id])?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO blinded_index (hash, antenna_id) VALUES (?1, ?2)",
            )?;
            for hash in hashes {
                insert.execute(params![hash, id])?;
            }
        }
        let matches = {
            let mut stmt = tx.prepare_cached(
                "SELECT theirs.hash, a.name, f.contact
                 FROM blinded_index mine
                 JOIN blinded_index theirs
                   ON theirs.hash = mine.hash AND theirs.antenna_id != mine.antenna_id
                 JOIN antennas a ON a.id = theirs.antenna_id
                 JOIN federation f ON f.antenna_id = theirs.antenna_id
                 WHERE mine.antenna_id = ?1
                 ORDER BY theirs.hash, a.name",
            )?;
            let rows = stmt.query_map([&id], |r| {
                Ok(BlindedMatch {
                    hash: r.get(0)?,
                    antenna: r.get(1)?,
                    contact: r.get(2)?,
                })
            })?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        };
        tx.commit()?;
        Ok(matches)
    }

    fn leave_blinded_index(&self, antenna: &AntennaId) -> Result<bool> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let id = antenna.to_string();
        tx.execute("DELETE FROM blinded_index WHERE antenna_id = ?1", [&id])?;
        let left = tx.execute("DELETE FROM federation WHERE antenna_id = ?1", [&id])? > 0;
        tx.commit()?;
        Ok(left)
    }

    fn is_erased(&self, doc: &DocumentId, antenna: &AntennaId) -> Result<bool> {
        Ok(self
            .db()
            .query_row(
                "SELECT 1 FROM erased WHERE doc_id = ?1 AND (held = 1 OR antenna_id = ?2)",
                params![doc.to_string(), antenna.to_string()],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    fn count_documents(&self, antenna: &AntennaId) -> Result<u64> {
        let n: i64 = self.db().query_row(
            "SELECT count(*) FROM documents WHERE antenna_id = ?1",
            [antenna.to_string()],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    fn create_antenna(&self, antenna: &AntennaId, name: &str, first_change: &[u8]) -> Result<()> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let id = antenna.to_string();
        tx.execute(
            "INSERT INTO antennas (id, name, created_at) VALUES (?1, ?2, ?3)",
            params![id, name, now()],
        )?;
        tx.execute(
            &format!(
                "INSERT INTO documents (id, antenna_id, incremental_bytes, changed_seq)
                 VALUES (?1, ?2, ?3, {NEXT_SEQ})"
            ),
            params![
                antenna.document().to_string(),
                id,
                first_change.len() as i64
            ],
        )?;
        tx.execute(
            "INSERT INTO changes (doc_id, bytes) VALUES (?1, ?2)",
            params![antenna.document().to_string(), first_change],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn antenna_exists(&self, antenna: &AntennaId) -> Result<bool> {
        let n: i64 = self.db().query_row(
            "SELECT count(*) FROM antennas WHERE id = ?1",
            [antenna.to_string()],
            |r| r.get(0),
        )?;
        Ok(n > 0)
    }

    fn create_invite(&self, code_hash: &str, invite: &NewInvite) -> Result<()> {
        self.db().execute(
            "INSERT INTO invites (code_hash, antenna_id, role, uses_left, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                code_hash,
                invite.antenna.to_string(),
                invite.role.as_str(),
                invite.uses,
                invite.expires_at
            ],
        )?;
        Ok(())
    }

    fn redeem_invite(
        &self,
        code_hash: &str,
        now: i64,
        device_id: &str,
        device_name: &str,
        token_hash: &str,
        key: Option<&DeviceKey>,
    ) -> Result<Option<Device>> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let invite: Option<(String, String)> = tx
            .query_row(
                "SELECT antenna_id, role FROM invites
                 WHERE code_hash = ?1 AND uses_left > 0 AND expires_at > ?2",
                params![code_hash, now],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((antenna, role_word)) = invite else {
            return Ok(None);
        };
        tx.execute(
            "UPDATE invites SET uses_left = uses_left - 1 WHERE code_hash = ?1",
            [code_hash],
        )?;
        tx.execute(
            "INSERT INTO devices (id, antenna_id, role, name, token_hash, created_at, public_key)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                device_id,
                antenna,
                role_word,
                device_name,
                token_hash,
                now,
                key.map(|k| k.to_string())
            ],
        )?;
        tx.commit()?;
        Ok(device((
            device_id.to_owned(),
            antenna,
            role_word,
            device_name.to_owned(),
            false,
            key.map(|k| k.to_string()),
        )))
    }

    fn device_by_token(&self, token_hash: &str) -> Result<Option<Device>> {
        let row = self
            .db()
            .query_row(
                "SELECT id, antenna_id, role, name, revoked, public_key FROM devices WHERE token_hash = ?1",
                [token_hash],
                device_row,
            )
            .optional()?;
        Ok(row.and_then(device))
    }

    fn devices(&self, antenna: &AntennaId) -> Result<Vec<Device>> {
        let db = self.db();
        let mut stmt = db.prepare_cached(
            "SELECT id, antenna_id, role, name, revoked, public_key FROM devices WHERE antenna_id = ?1 ORDER BY created_at, id",
        )?;
        let rows = stmt.query_map([antenna.to_string()], device_row)?;
        let mut out = Vec::new();
        for row in rows {
            out.extend(device(row?));
        }
        Ok(out)
    }

    fn set_device_role(&self, antenna: &AntennaId, device_id: &str, role: Role) -> Result<bool> {
        let n = self.db().execute(
            "UPDATE devices SET role = ?3 WHERE antenna_id = ?1 AND id = ?2",
            params![antenna.to_string(), device_id, role.as_str()],
        )?;
        Ok(n > 0)
    }

    fn revoke_device(&self, antenna: &AntennaId, device_id: &str) -> Result<bool> {
        let n = self.db().execute(
            "UPDATE devices SET revoked = 1 WHERE antenna_id = ?1 AND id = ?2",
            params![antenna.to_string(), device_id],
        )?;
        Ok(n > 0)
    }

    fn actor_owner(&self, actor: &[u8]) -> Result<Option<String>> {
        Ok(self
            .db()
            .query_row(
                "SELECT device_id FROM actors WHERE actor = ?1",
                [actor],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn bind_actors(&self, bindings: &[(Vec<u8>, String)]) -> Result<()> {
        let mut db = self.db();
        let tx = db.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO actors (actor, device_id) VALUES (?1, ?2)
                 ON CONFLICT (actor) DO NOTHING",
            )?;
            for (actor, device) in bindings {
                stmt.execute(params![actor, device])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn size_bytes(&self) -> Result<u64> {
        let db = self.db();
        let pages: i64 = db.query_row("PRAGMA page_count", [], |r| r.get(0))?;
        let size: i64 = db.query_row("PRAGMA page_size", [], |r| r.get(0))?;
        Ok((pages * size).max(0) as u64)
    }

    fn storage_id(&self) -> Result<String> {
        let db = self.db();
        let existing: Option<String> = db
            .query_row("SELECT value FROM meta WHERE key = 'storage_id'", [], |r| {
                r.get(0)
            })
            .optional()?;
        if let Some(id) = existing {
            return Ok(id);
        }
        let id = format!("jiran-relay-{}", crate::auth::new_device_id());
        db.execute(
            "INSERT INTO meta (key, value) VALUES ('storage_id', ?1)",
            [&id],
        )?;
        Ok(id)
    }

    fn ping(&self) -> Result<()> {
        self.db()
            .query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_a_tombstone_of_an_id_never_held_blocks_only_its_antenna_and_version_5_data_migrates() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (AntennaId::random(), AntennaId::random());
        let (held, unknown) = (DocumentId::random(), DocumentId::random());
        {
            // A version 5 database: tombstones keyed by id alone, "never held" as position 0.
            let storage = SqliteStorage::open(dir.path()).unwrap();
            let db = storage.db();
            db.execute_batch(
                "DROP TABLE erased;
                 CREATE TABLE erased (doc_id TEXT PRIMARY KEY, antenna_id TEXT NOT NULL,
                                      changed_seq INTEGER NOT NULL, erased_at INTEGER NOT NULL);
                 PRAGMA user_version = 5;",
            )
            .unwrap();
            db.execute(
                "INSERT INTO erased VALUES (?1, ?2, 7, 0), (?3, ?2, 0, 0)",
                params![held.to_string(), a.to_string(), unknown.to_string()],
            )
            .unwrap();
        }
        let storage = SqliteStorage::open(dir.path()).unwrap();
        // A document that was stored and erased is refused to everyone.
        assert!(storage.is_erased(&held, &a).unwrap());
        assert!(storage.is_erased(&held, &b).unwrap());
        // An id never held is refused to the antenna whose lead tombstoned it only.
        assert!(storage.is_erased(&unknown, &a).unwrap());
        assert!(!storage.is_erased(&unknown, &b).unwrap());
        // Both antennas may tombstone the same unknown id, each for itself.
        let other = DocumentId::random();
        storage.erase_documents(&a, &[other]).unwrap();
        assert!(!storage.is_erased(&other, &b).unwrap());
        storage.erase_documents(&b, &[other]).unwrap();
        assert!(storage.is_erased(&other, &b).unwrap());
    }
}
