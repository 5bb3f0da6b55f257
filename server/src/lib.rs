//! # jiran-server
//!
//! `jiran-relay`, the relay an antenna's phones sync through: an automerge-repo websocket
//! relay (the stock JS client syncs through it unchanged) with SQLite storage, device tokens
//! and per-antenna access. See ARCHITECTURE.md and docs/operating.md.

pub mod auth;
pub mod cli;
pub mod config;
pub mod error;
pub mod hub;
pub mod listen;
pub mod metrics;
pub mod operator;
pub mod outbox;
pub mod policy;
pub mod routes;
pub mod storage;
pub mod throttle;

use std::fs::File;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{delete, get, post, put};
use axum::Router;
use jiran_core::{AntennaId, Role};
use tokio::net::TcpListener;

use config::{Limits, ServeArgs};
use error::{Error, Result};
use hub::Hub;
use metrics::Metrics;
use storage::{NewInvite, SqliteStorage, Storage};

/// What every handler shares.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The sync hub.
    pub hub: Arc<Hub>,
    /// The storage.
    pub storage: Arc<dyn Storage>,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// Limits in force.
    pub limits: Limits,
    /// Rate limits on joins, invites and the blinded index.
    pub throttles: Arc<throttle::Throttles>,
}

/// The address a request came from (the TCP peer; a reverse proxy's own, behind one), for
/// the rate limit on joins.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddress(pub std::net::IpAddr);

impl std::fmt::Debug for dyn Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Storage")
    }
}

impl AppState {
    /// State over a storage.
    pub fn new(storage: Arc<dyn Storage>, limits: Limits, storage_id: String) -> AppState {
        let metrics = Arc::new(Metrics::default());
        let hub = Arc::new(Hub::new(
            storage.clone(),
            metrics.clone(),
            limits.clone(),
            storage_id,
        ));
        let throttles = Arc::new(throttle::Throttles::new(
            limits.joins_per_minute,
            limits.invites_per_hour,
            limits.blinded_hashes_per_hour,
        ));
        AppState {
            hub,
            storage,
            metrics,
            limits,
            throttles,
        }
    }
}

/// The relay's routes.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/v1/sync", get(routes::sync_ws::upgrade))
        .route("/v1/join", post(routes::api::join))
        .route(
            "/v1/antennas/{id}/invites",
            post(routes::api::create_invite),
        )
        .route("/v1/antennas/{id}/devices", get(routes::api::devices))
        .route(
            "/v1/antennas/{id}/devices/{device_id}",
            delete(routes::api::revoke),
        )
        .route(
            "/v1/antennas/{id}/blinded-index",
            put(routes::api::replace_blinded_index).delete(routes::api::leave_blinded_index),
        )
        .route("/healthz", get(routes::health::healthz))
        .route("/readyz", get(routes::health::readyz))
        .route("/metrics", get(routes::health::metrics))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

/// Logs method, path (never the query string: it may hold a token), status and duration.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(%method, %path, status = response.status().as_u16(), ms = started.elapsed().as_millis() as u64, "request");
    response
}

/// The lock a serving relay holds on its data directory.
const LOCK_FILE: &str = "relay.lock";

/// Takes the lock a serving relay holds on its data directory (`relay.lock`), so nothing
/// else serves or restores it while the returned file is open.
pub fn lock_data(data: &Path) -> Result<File> {
    lock(data)
}

fn lock(data: &Path) -> Result<File> {
    std::fs::create_dir_all(data)?;
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(data.join(LOCK_FILE))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(_) => Err(Error::InUse(data.display().to_string())),
    }
}

/// Serves until `shutdown` completes, then closes every websocket with "going away".
pub async fn serve(
    args: &ServeArgs,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let lock = lock(&args.data)?;
    serve_locked(args, listener, shutdown, lock).await
}

/// [`serve`] with the data directory's lock already taken ([`lock_data`]), so a relay that
/// cannot serve the directory says so before it says it listens.
pub async fn serve_locked(
    args: &ServeArgs,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    lock: File,
) -> Result<()> {
    let limits = args.limits()?;
    let _lock = lock;
    let storage = Arc::new(SqliteStorage::open(&args.data)?);
    if let Some(mb) = limits.max_storage_mb {
        storage.limit_size(mb * 1024 * 1024)?;
        if storage.size_bytes()? >= mb * 1024 * 1024 {
            tracing::warn!(
                max_storage_mb = mb,
                "the database is already at its size limit: new changes will be refused"
            );
        }
    }
    let storage_id = storage.storage_id()?;
    let state = AppState::new(storage, limits, storage_id);
    let hub = state.hub.clone();
    let flusher = tokio::spawn(hub.clone().flush_continuously());
    let pacer = tokio::spawn(hub.clone().send_overdue_continuously());
    let closing_hub = hub.clone();
    let (closed_tx, closed_rx) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        shutdown.await;
        tracing::info!("shutting down: closing websockets");
        closing_hub.close_all(
            hub::close::GOING_AWAY,
            "the relay is restarting; reconnect later",
        );
        let _ = closed_tx.send(());
    };
    let header_timeout = std::time::Duration::from_secs(state.limits.header_timeout_seconds);
    let metrics = state.metrics.clone();
    listen::serve(listener, app(state), header_timeout, signal).await;
    let _ = closed_rx.await;
    // Every websocket was told to close: give their writers the time to send the close
    // frames (a device must see 1001, not a dropped connection) before the process ends.
    let deadline = Instant::now() + std::time::Duration::from_secs(5);
    while metrics
        .connections
        .load(std::sync::atomic::Ordering::Relaxed)
        > 0
        && Instant::now() < deadline
    {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    flusher.abort();
    pacer.abort();
    // Changes that arrived after the last flush are stored before the process ends.
    hub.flush();
    Ok(())
}

/// Creates an antenna with a single-use lead invite; returns `(antenna_id, invite_code)`.
pub fn create_antenna(data: &Path, name: &str, locality: &str) -> Result<(AntennaId, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(Error::Config(
            "the antenna name must be 1 to 200 characters".into(),
        ));
    }
    let antenna = AntennaId::random();
    // The antenna document exists from the start, so every device that joins (the lead
    // first) finds the same one and enrols in it.
    let created_at = jiran_core::Timestamp::now();
    let document = jiran_core::document::new_antenna(antenna, name, locality, created_at)
        .map_err(|error| Error::Config(error.to_string()))?;
    let first_change = document
        .get_last_local_change()
        .map(|c| c.raw_bytes().to_vec())
        .ok_or_else(|| Error::Config("the antenna document has no change".into()))?;
    let storage = SqliteStorage::open(data)?;
    storage.create_antenna(&antenna, name, &first_change)?;
    let code = auth::new_invite_code();
    let expires_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
        + i64::from(Limits::default().invite_days) * 24 * 3600;
    storage.create_invite(
        &auth::hash(&code),
        &NewInvite {
            antenna,
            role: Role::Lead,
            uses: 1,
            expires_at,
        },
    )?;
    Ok((antenna, code))
}

/// Writes a consistent copy of the relay database to `target` (safe while serving), a new
/// file: an existing one (an older backup) is never overwritten, and the relay's own files
/// in the data directory (`relay.sqlite3`, its `-wal` and `-shm`, kept `.replaced-*`
/// databases, `relay.lock`) are refused, whether they exist yet or not.
pub fn backup(data: &Path, target: &Path) -> Result<()> {
    let refuse = |reason: String| Error::BadTarget {
        path: target.display().to_string(),
        reason,
    };
    let folder = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let relays_own = name.starts_with(storage::sqlite::DATABASE_FILE) || name == LOCK_FILE;
    if let (Ok(folder), Ok(data)) = (folder.canonicalize(), data.canonicalize()) {
        if folder == data && relays_own {
            return Err(refuse(
                "it is one of the relay's own files in the data directory; back up elsewhere"
                    .into(),
            ));
        }
    }
    let storage = SqliteStorage::open(data)?;
    // Claimed before anything is written, so no other file is ever replaced.
    match File::options().write(true).create_new(true).open(target) {
        Ok(_) => {}
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(refuse(
                "it already exists (an older backup?); choose a new name".into(),
            ))
        }
        Err(error) => return Err(refuse(format!("it cannot be created ({error})"))),
    }
    storage.backup_to(target).inspect_err(|_| {
        let _ = std::fs::remove_file(target);
    })
}

/// What [`restore`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Restored {
    /// What the restored backup holds.
    pub summary: storage::sqlite::BackupSummary,
    /// Where the database it replaced now is (with its write-ahead log, if it had one), or
    /// `None` if the data directory had no database.
    pub kept: Option<PathBuf>,
}

/// Replaces the relay database with a backup, after checking the backup
/// (a sound relay database this relay can read, as `docs/operating.md` lists, holding at
/// least one antenna unless `allow_empty`). Refused while a relay serves `data`.
///
/// Guarantees: when the backup is refused ([`Error::BadBackup`]) or a relay serves `data`, the
/// data directory is exactly as it was, apart from `relay.lock` if it was missing (the live
/// database is never opened, and the scratch copy is removed whatever happens). On `Ok`, the replaced database is kept beside
/// the new one as `relay.sqlite3.replaced-<UTC time>` (its write-ahead log as `…-wal`), never
/// deleted, and the restored one is migrated to this relay's schema.
pub fn restore(data: &Path, backup: &Path, allow_empty: bool) -> Result<Restored> {
    let refuse = |reason: String| Error::BadBackup {
        path: backup.display().to_string(),
        reason,
    };
    if let Err(error) = File::open(backup) {
        return Err(refuse(format!("cannot read it ({error})")));
    }
    let _lock = lock(data)?;
    let scratch = Scratch::new(data)?;
    let staged = scratch.0.join(storage::sqlite::DATABASE_FILE);
    std::fs::copy(backup, &staged).map_err(|e| refuse(format!("cannot copy it ({e})")))?;
    let summary = storage::sqlite::check_backup(&staged).map_err(refuse)?;
    if summary.antennas == 0 && !allow_empty {
        return Err(refuse(
            "it holds no antenna (restoring it would leave the relay empty); pass \
             --allow-empty if that is what you want"
                .into(),
        ));
    }
    {
        // Migrates an older schema, in the scratch copy only; the log is folded in so the
        // one file holds everything.
        let opened = SqliteStorage::open(&scratch.0).map_err(|e| refuse(e.to_string()))?;
        // Devices must tell the restored relay from the one they last synced with.
        opened
            .renew_storage_id()
            .map_err(|e| refuse(e.to_string()))?;
        opened.checkpoint().map_err(|e| refuse(e.to_string()))?;
    }
    File::open(&staged)?.sync_all()?;

    let target = data.join(storage::sqlite::DATABASE_FILE);
    let side = |path: &Path, suffix: &str| PathBuf::from(format!("{}{suffix}", path.display()));
    let kept = if target.exists() {
        // Two restores within a second must not share (and overwrite) a name.
        let stamp = utc_stamp();
        let aside = (1..)
            .map(|n| {
                let suffix = if n == 1 {
                    String::new()
                } else {
                    format!("-{n}")
                };
                data.join(format!(
                    "{}.replaced-{stamp}{suffix}",
                    storage::sqlite::DATABASE_FILE
                ))
            })
            .find(|path| !path.exists() && !side(path, "-wal").exists())
            .expect("an unused name");
        // Linked, not moved: the live database stays in place until the rename below
        // replaces it in one step.
        keep(&target, &aside)?;
        let wal = side(&target, "-wal");
        if wal.exists() {
            keep(&wal, &side(&aside, "-wal"))?;
        }
        Some(aside)
    } else {
        None
    };
    for suffix in ["-wal", "-shm"] {
        match std::fs::remove_file(side(&target, suffix)) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => return Err(error.into()),
            _ => {}
        }
    }
    std::fs::rename(&staged, &target)?;
    if let Ok(dir) = File::open(data) {
        let _ = dir.sync_all();
    }
    Ok(Restored { summary, kept })
}

/// A second name for `from` at `to` (a hard link, or a copy where links are not possible).
fn keep(from: &Path, to: &Path) -> Result<()> {
    if std::fs::hard_link(from, to).is_err() {
        std::fs::copy(from, to)?;
        File::open(to)?.sync_all()?;
    }
    Ok(())
}

/// Now in UTC as `20261201T213500Z`.
fn utc_stamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        now.month() as u8,
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

/// A scratch folder in the data directory (same file system, so its file can be renamed into
/// place), removed with everything in it when dropped, whatever happened.
struct Scratch(PathBuf);

impl Scratch {
    fn new(data: &Path) -> Result<Scratch> {
        let dir = data.join(format!(".restore-{}", auth::new_device_id()));
        std::fs::create_dir_all(&dir)?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
