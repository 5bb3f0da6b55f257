//! Opening the SQLite file: refuse what we cannot read without touching it, then migrate.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};

/// The newest store schema this build reads and writes.
pub(crate) const VERSION: i64 = 8;

/// Stores older than this have derived tables missing columns that only a rebuild from the
/// documents fills (migration 3: open grievances; migration 4: addresses, merges, shocks, open
/// referrals; migration 5: erased households; migration 6: tasks; migration 7: delivery codes).
pub(crate) const REBUILD_BELOW: i64 = 7;

/// Marks the file as a Jiran store ("JIRN"), so another application's SQLite file is refused.
const APPLICATION_ID: i64 = 0x4a49_524e;

/// Migrations, in order; migration `n` (1-based) brings the schema from `n - 1` to `n`.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_init.sql"),
    include_str!("migrations/002_sync.sql"),
    include_str!("migrations/003_overview.sql"),
    include_str!("migrations/004_follow_up.sql"),
    include_str!("migrations/005_erasure.sql"),
    include_str!("migrations/006_tasks.sql"),
    include_str!("migrations/007_delivery_codes.sql"),
    include_str!("migrations/008_relay_storage.sql"),
];

/// Opens (or creates) the store database at `path`, and says which schema version it found
/// (0 for a new file).
///
/// A file that is not a SQLite database, belongs to another application, fails SQLite's
/// integrity check or comes from a newer schema is refused before anything is written to it.
pub(crate) fn open(path: &Path) -> Result<(Connection, i64)> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let (version, application_id) = read_header(&conn)?;
    if version > VERSION {
        return Err(Error::NewerStore {
            found: version,
            supported: VERSION,
        });
    }
    if version > 0 && application_id != APPLICATION_ID {
        return Err(Error::CorruptStore("not a Jiran store".into()));
    }
    if version == 0 && has_tables(&conn)? {
        return Err(Error::CorruptStore("not a Jiran store".into()));
    }
    if version > 0 {
        integrity_check(&conn)?;
    }
    configure(&conn)?;
    migrate(&conn, version)?;
    Ok((conn, version))
}

fn read_header(conn: &Connection) -> Result<(i64, i64)> {
    let read = || -> rusqlite::Result<(i64, i64)> {
        let version = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let app = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        Ok((version, app))
    };
    read().map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) | Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
            Error::CorruptStore("the file is not a SQLite database".into())
        }
        _ => Error::Storage(e),
    })
}

fn has_tables(conn: &Connection) -> Result<bool> {
    let count: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
    Ok(count > 0)
}

/// SQLite's own check that pages and indexes are consistent (linear in the file size).
fn integrity_check(conn: &Connection) -> Result<()> {
    let verdict: rusqlite::Result<String> =
        conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0));
    match verdict {
        Ok(v) if v == "ok" => Ok(()),
        Ok(_) => Err(Error::CorruptStore(
            "SQLite's integrity check failed".into(),
        )),
        Err(e) => match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) => Err(
                Error::CorruptStore("SQLite's integrity check failed".into()),
            ),
            _ => Err(Error::Storage(e)),
        },
    }
}

/// Durability settings: WAL with a full sync at every commit (a committed write survives a
/// crash or power cut), and deleted content overwritten (erased households leave no bytes).
fn configure(conn: &Connection) -> Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}

fn migrate(conn: &Connection, from: i64) -> Result<()> {
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        let to = index as i64 + 1;
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.pragma_update(None, "user_version", to)?;
        tx.commit()?;
    }
    Ok(())
}
