//! The device's sync engine: one task per joined antenna that connects to its relay, runs a
//! [`Session`] over the websocket, and reconnects with backoff when the link drops. It works
//! offline indefinitely: the store is the source of truth, the relay only a meeting point.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use rand::SeedableRng;
use tokio::sync::{broadcast, watch, Notify};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest, protocol::CloseFrame};

use super::backoff::Backoff;
use super::join::{self, sync_url, Invite};
use super::protocol::Message;
use super::session::{Progress, Session};
use super::status::{Problem, SyncState, SyncStatus};
use crate::error::{Error, Result};
use crate::ids::AntennaId;
use crate::model::Role;
use crate::replication::RelayLink;
use crate::store::{Store, StoreEvent};
use crate::time::Timestamp;

/// How often, at most, "n documents left" is republished while syncing.
const STATUS_INTERVAL: Duration = Duration::from_millis(250);

/// Close codes of `jiran-relay` a device acts on.
mod close {
    pub const REVOKED: u16 = 4003;
    pub const RELAY_STORAGE: u16 = 4500;
}

/// How the engine paces itself.
#[derive(Clone, Debug)]
pub struct SyncOptions {
    /// The first reconnection delay.
    pub initial_backoff: Duration,
    /// The longest reconnection delay (before jitter).
    pub max_backoff: Duration,
    /// A connection with work pending and nothing received for this long is dropped.
    pub stall_timeout: Duration,
    /// How long opening a connection may take.
    pub connect_timeout: Duration,
    /// Documents in flight at once.
    pub window: usize,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(300),
            stall_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(20),
            window: 32,
        }
    }
}

struct Shared {
    store: Arc<Store>,
    options: SyncOptions,
    statuses: Mutex<HashMap<AntennaId, SyncStatus>>,
    online: watch::Sender<bool>,
    wake: Notify,
}

impl Shared {
    fn publish(&self, antenna: AntennaId, state: SyncState) {
        let link = self.store.relay_link(antenna).ok().flatten();
        let status = SyncStatus {
            state,
            pending_changes: self.store.pending_changes(antenna).unwrap_or(0),
            last_synced_at: link.and_then(|l| l.last_synced_at),
        };
        let mut statuses = self.statuses.lock().unwrap_or_else(|p| p.into_inner());
        if statuses.get(&antenna) == Some(&status) {
            return;
        }
        statuses.insert(antenna, status.clone());
        drop(statuses);
        tracing::debug!(%antenna, state = ?status.state, pending = status.pending_changes, "sync status");
        self.store
            .publish(StoreEvent::SyncStatus { antenna, status });
    }
}

/// Keeps every antenna this device joined in sync with its relay. Dropping it stops
/// syncing (nothing is lost: the store holds everything).
pub struct SyncEngine {
    shared: Arc<Shared>,
    tasks: Mutex<HashMap<AntennaId, JoinHandle<()>>>,
}

impl std::fmt::Debug for SyncEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncEngine").finish_non_exhaustive()
    }
}

impl Drop for SyncEngine {
    fn drop(&mut self) {
        for task in self
            .tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
        {
            task.abort();
        }
    }
}

impl SyncEngine {
    /// Starts syncing every antenna the store has a relay link for. Must be called inside
    /// a tokio runtime.
    pub fn start(store: Arc<Store>, options: SyncOptions) -> Result<SyncEngine> {
        let (online, _) = watch::channel(true);
        let engine = SyncEngine {
            shared: Arc::new(Shared {
                store,
                options,
                statuses: Mutex::new(HashMap::new()),
                online,
                wake: Notify::new(),
            }),
            tasks: Mutex::new(HashMap::new()),
        };
        for link in engine.shared.store.replication().relay_links()? {
            engine.spawn(link.antenna);
        }
        Ok(engine)
    }

    /// Joins an antenna with an invite code (see [`join::join`]) and starts syncing it.
    ///
    /// # Errors
    /// As [`join::join`].
    pub async fn join(
        &self,
        relay_url: &str,
        invite_code: &str,
        device_name: &str,
        display_name: &str,
    ) -> Result<RelayLink> {
        let store = self.shared.store.clone();
        let (url, code, device, display) = (
            relay_url.to_owned(),
            invite_code.to_owned(),
            device_name.to_owned(),
            display_name.to_owned(),
        );
        let link =
            tokio::task::spawn_blocking(move || join::join(&store, &url, &code, &device, &display))
                .await
                .map_err(|e| Error::RelayUnreachable(e.to_string()))??;
        self.spawn(link.antenna);
        Ok(link)
    }

    /// Makes an invite to the antenna (leads only); see [`join::invite`].
    ///
    /// # Errors
    /// As [`join::invite`].
    pub async fn invite(
        &self,
        antenna: AntennaId,
        role: Role,
        uses: u32,
        expires_in_hours: u32,
    ) -> Result<Invite> {
        let store = self.shared.store.clone();
        tokio::task::spawn_blocking(move || {
            join::invite(&store, antenna, role, uses, expires_in_hours)
        })
        .await
        .map_err(|e| Error::RelayUnreachable(e.to_string()))?
    }

    /// The current status of an antenna's sync (also sent as [`StoreEvent::SyncStatus`]).
    pub fn status(&self, antenna: AntennaId) -> Option<SyncStatus> {
        self.shared
            .statuses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&antenna)
            .cloned()
    }

    /// Goes offline (`false`: connections close, nothing is attempted) or back online.
    pub fn set_online(&self, online: bool) {
        self.shared.online.send_replace(online);
    }

    /// Retries now instead of waiting out the backoff delay (the volunteer pulled to refresh).
    pub fn sync_now(&self) {
        self.shared.wake.notify_waiters();
    }

    /// Waits until the antenna is up to date with nothing left to send, or `timeout`.
    /// Returns the last status seen either way.
    pub async fn until_up_to_date(
        &self,
        antenna: AntennaId,
        timeout: Duration,
    ) -> std::result::Result<SyncStatus, Option<SyncStatus>> {
        let mut events = self.shared.store.subscribe();
        let done = |s: &SyncStatus| s.state == SyncState::UpToDate && s.pending_changes == 0;
        let wait = async {
            loop {
                if let Some(status) = self.status(antenna).filter(done) {
                    return status;
                }
                match events.recv().await {
                    Ok(StoreEvent::SyncStatus { antenna: a, status }) if a == antenna => {
                        if done(&status) {
                            return status;
                        }
                    }
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => {
                        std::future::pending::<()>().await;
                    }
                }
            }
        };
        tokio::time::timeout(timeout, wait)
            .await
            .map_err(|_| self.status(antenna))
    }

    fn spawn(&self, antenna: AntennaId) {
        let shared = self.shared.clone();
        let task = tokio::spawn(run(shared, antenna));
        if let Some(old) = self
            .tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(antenna, task)
        {
            old.abort();
        }
    }
}

/// How a connection ended.
enum Ended {
    /// Lost, refused or stalled; `worked` if it got up to date first.
    Lost { worked: bool },
    /// The device went offline on purpose.
    WentOffline,
    /// A lead revoked this device.
    Revoked,
    /// The relay does not know the token.
    TokenRefused,
    /// The relay could not store changes.
    RelayStorage,
    /// This device could not store what came.
    LocalStorage(String),
}

async fn run(shared: Arc<Shared>, antenna: AntennaId) {
    let options = shared.options.clone();
    let mut backoff = Backoff::new(options.initial_backoff, options.max_backoff);
    let mut rng = rand::rngs::StdRng::from_os_rng();
    let mut online = shared.online.subscribe();
    loop {
        let Ok(Some(link)) = shared.store.relay_link(antenna) else {
            return; // forgotten (revoked) or the store failed: nothing to sync
        };
        if !*online.borrow_and_update() {
            let state = SyncState::Offline { retry_in: None };
            if !waiting(&shared, antenna, state, online.changed()).await {
                return;
            }
            continue;
        }
        shared.publish(antenna, SyncState::Connecting);
        let problem = match connect(&shared, &link, &mut online).await {
            Ended::Revoked => {
                tracing::warn!(%antenna, "this device was revoked; wiping the antenna's data");
                if let Err(error) = shared.store.replication().forget_antenna(antenna) {
                    tracing::error!(%error, "wiping a revoked antenna failed");
                }
                shared.publish(antenna, SyncState::NeedsAction(Problem::Revoked));
                return;
            }
            Ended::WentOffline => continue,
            Ended::Lost { worked } => {
                if worked {
                    backoff.reset();
                }
                None
            }
            Ended::TokenRefused => Some(Problem::TokenRefused),
            Ended::RelayStorage => Some(Problem::RelayStorage),
            Ended::LocalStorage(why) => Some(Problem::LocalStorage(why)),
        };
        let delay = backoff.next_delay(&mut rng);
        let state = match problem {
            Some(problem) => SyncState::NeedsAction(problem),
            None => SyncState::Offline {
                retry_in: Some(delay),
            },
        };
        let retry = async {
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = shared.wake.notified() => {}
                _ = online.changed() => {}
            }
            Ok::<(), watch::error::RecvError>(())
        };
        waiting(&shared, antenna, state, retry).await;
    }
}

/// Shows `state` until `until` completes, keeping the count of unsent changes current as
/// the volunteer works offline. Returns whether `until` completed without error.
async fn waiting<E>(
    shared: &Shared,
    antenna: AntennaId,
    state: SyncState,
    until: impl std::future::Future<Output = std::result::Result<(), E>>,
) -> bool {
    let mut events = shared.store.subscribe();
    shared.publish(antenna, state.clone());
    tokio::pin!(until);
    loop {
        tokio::select! {
            done = &mut until => return done.is_ok(),
            event = events.recv() => match event {
                Ok(StoreEvent::SyncStatus { .. }) => {}
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {
                    shared.publish(antenna, state.clone());
                }
                Err(broadcast::error::RecvError::Closed) => return false,
            },
        }
    }
}

async fn connect(shared: &Shared, link: &RelayLink, online: &mut watch::Receiver<bool>) -> Ended {
    let Ok(mut request) = sync_url(&link.relay_url).into_client_request() else {
        return Ended::Lost { worked: false };
    };
    match format!("Bearer {}", link.token).parse() {
        Ok(value) => {
            request.headers_mut().insert("Authorization", value);
        }
        Err(_) => return Ended::TokenRefused,
    }
    let connecting = tokio_tungstenite::connect_async(request);
    let ws = match tokio::time::timeout(shared.options.connect_timeout, connecting).await {
        Ok(Ok((ws, _))) => ws,
        Ok(Err(tungstenite::Error::Http(response))) if response.status() == 401 => {
            return Ended::TokenRefused
        }
        Ok(Err(error)) => {
            tracing::debug!(%error, "connecting to the relay failed");
            return Ended::Lost { worked: false };
        }
        Err(_) => return Ended::Lost { worked: false },
    };
    exchange(shared, link, ws, online).await
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn exchange(
    shared: &Shared,
    link: &RelayLink,
    ws: Ws,
    online: &mut watch::Receiver<bool>,
) -> Ended {
    let store = &shared.store;
    let antenna = link.antenna;
    let (mut sink, mut stream) = ws.split();
    let mut events = store.subscribe();
    let mut session = Session::new(antenna, link.feed_cursor, shared.options.window);
    let mut worked = false;
    let mut last: Option<Progress> = None;
    let mut out = vec![session.start()];
    let mut stall = tokio::time::Instant::now() + shared.options.stall_timeout;
    let mut published = tokio::time::Instant::now();
    loop {
        for message in out.drain(..) {
            let frame = tungstenite::Message::Binary(message.encode().into());
            if sink.send(frame).await.is_err() {
                return Ended::Lost { worked };
            }
        }
        if let Some(cursor) = session.take_checkpoint() {
            if let Err(error) = store.replication().advance_feed_cursor(antenna, cursor) {
                return Ended::LocalStorage(error.to_string());
            }
        }
        let progress = session.progress();
        // "n documents left" is shown at most a few times a second, not once per document.
        let recent = published.elapsed() < STATUS_INTERVAL
            && matches!(
                (last, progress),
                (Some(Progress::Syncing { .. }), Progress::Syncing { .. })
            );
        if last != Some(progress) && !recent {
            last = Some(progress);
            published = tokio::time::Instant::now();
            match progress {
                Progress::Joining => shared.publish(antenna, SyncState::Connecting),
                Progress::Syncing { documents_left } => {
                    shared.publish(antenna, SyncState::Syncing { documents_left })
                }
                Progress::UpToDate { cursor } => {
                    worked = true;
                    if let Err(error) =
                        store
                            .replication()
                            .mark_synced(antenna, cursor, Timestamp::now())
                    {
                        return Ended::LocalStorage(error.to_string());
                    }
                    let state = match session.refused() {
                        0 => SyncState::UpToDate,
                        n => SyncState::NeedsAction(Problem::DocumentsRefused(n)),
                    };
                    shared.publish(antenna, state);
                }
            }
        } else if let Some(Progress::UpToDate { .. }) = last {
            // Pending counts move as the relay confirms changes.
            shared.publish(antenna, SyncState::UpToDate);
        }
        let waiting = !matches!(progress, Progress::UpToDate { .. });
        tokio::select! {
            frame = stream.next() => {
                stall = tokio::time::Instant::now() + shared.options.stall_timeout;
                let message = match frame {
                    Some(Ok(tungstenite::Message::Binary(bytes))) => match Message::decode(&bytes) {
                        Ok(message) => message,
                        Err(_) => return Ended::Lost { worked },
                    },
                    Some(Ok(tungstenite::Message::Close(frame))) => return closed(frame, worked),
                    Some(Ok(_)) => continue,
                    Some(Err(_)) | None => return Ended::Lost { worked },
                };
                match session.receive(store, message) {
                    Ok(replies) => out = replies,
                    Err(error) => return failed(error, worked),
                }
            }
            event = events.recv() => {
                // Take every event already waiting: merges produce them faster than one
                // per loop turn.
                let mut batch = Vec::new();
                let mut missed = false;
                let mut next = event;
                loop {
                    match next {
                        Ok(StoreEvent::SyncStatus { .. }) => {}
                        Ok(event) if !batch.contains(&event) => batch.push(event),
                        Ok(_) => {}
                        Err(broadcast::error::RecvError::Lagged(_)) => missed = true,
                        Err(broadcast::error::RecvError::Closed) => return Ended::Lost { worked },
                    }
                    next = match events.try_recv() {
                        Ok(event) => Ok(event),
                        Err(broadcast::error::TryRecvError::Lagged(n)) => {
                            Err(broadcast::error::RecvError::Lagged(n))
                        }
                        Err(_) => break,
                    };
                }
                for event in &batch {
                    match session.changed(store, event) {
                        Ok(replies) => out.extend(replies),
                        Err(error) => return failed(error, worked),
                    }
                }
                if missed {
                    // Some local changes may have gone unnoticed: the outbox knows them all.
                    match session.resend_unsent(store) {
                        Ok(replies) => out.extend(replies),
                        Err(error) => return failed(error, worked),
                    }
                }
            }
            _ = tokio::time::sleep_until(stall), if waiting => {
                tracing::debug!(%antenna, "the relay stopped answering; reconnecting");
                return Ended::Lost { worked };
            }
            changed = online.changed() => {
                if changed.is_err() || !*online.borrow_and_update() {
                    let _ = sink.send(tungstenite::Message::Close(None)).await;
                    return Ended::WentOffline;
                }
            }
        }
    }
}

fn closed(frame: Option<CloseFrame>, worked: bool) -> Ended {
    match frame.map(|f| u16::from(f.code)) {
        Some(close::REVOKED) => Ended::Revoked,
        Some(close::RELAY_STORAGE) => Ended::RelayStorage,
        _ => Ended::Lost { worked },
    }
}

fn failed(error: Error, worked: bool) -> Ended {
    match error {
        Error::Storage(_) | Error::Io(_) => Ended::LocalStorage(error.to_string()),
        // Changes that cannot be applied are refused and not stored; the next connection
        // asks again.
        other => {
            tracing::warn!(error = %other, "a sync message was refused");
            Ended::Lost { worked }
        }
    }
}
