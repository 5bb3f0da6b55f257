//! `GET /v1/sync`: the automerge-repo websocket. Authenticates the device, then shuttles
//! binary frames between the socket and the [`crate::hub::Hub`].

use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};

use crate::auth;
use crate::hub::close;
use crate::metrics::Metrics;
use crate::outbox::{self, Next, TOO_SLOW_REASON};
use crate::storage::Device;
use crate::AppState;

/// Read buffer per connection: small on purpose (axum's default of 128 KiB made idle
/// connections cost ~136 KB each in our baseline).
const READ_BUFFER: usize = 8 * 1024;

/// How long the relay keeps trying to send a slow peer its 4009 close frame (its socket is
/// full) before dropping the connection.
const SLOW_CLOSE_GRACE: Duration = Duration::from_secs(30);

/// Accepts the websocket of an authenticated device.
pub async fn upgrade(
    State(app): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    ws: WebSocketUpgrade,
) -> Response {
    let token = auth::bearer(&headers, uri.query());
    let device = match token.map(|t| app.storage.device_by_token(&auth::hash(&t))) {
        Some(Ok(Some(device))) => device,
        Some(Err(error)) => {
            tracing::error!(%error, "reading devices failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
        _ => {
            Metrics::inc(&app.metrics.auth_failures);
            return (StatusCode::UNAUTHORIZED, "missing or unknown device token").into_response();
        }
    };
    if app
        .metrics
        .connections
        .load(std::sync::atomic::Ordering::Relaxed)
        >= app.limits.max_connections
    {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "the relay is at its connection limit",
        )
            .into_response();
    }
    if app.hub.connections_of(&device.id) >= app.limits.max_connections_per_device {
        tracing::warn!(
            device = %device.id,
            cap = app.limits.max_connections_per_device,
            "a device opened more websockets than max_connections_per_device: refused"
        );
        return (
            StatusCode::TOO_MANY_REQUESTS,
            "this device has too many connections open",
        )
            .into_response();
    }
    ws.max_message_size(app.limits.max_message_bytes)
        .max_frame_size(app.limits.max_message_bytes)
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(READ_BUFFER)
        .on_upgrade(move |socket| run(app, device, socket))
}

async fn run(app: AppState, device: Device, socket: WebSocket) {
    let (mut sink, mut stream) = socket.split();
    if device.revoked {
        Metrics::inc(&app.metrics.auth_failures);
        let frame = CloseFrame {
            code: close::REVOKED,
            reason: "device revoked: wipe this antenna's data".into(),
        };
        let _ = sink.send(WsMessage::Close(Some(frame))).await;
        return;
    }
    let (tx, mut inbox) = outbox::outbox(
        app.limits.max_queued_bytes_per_connection,
        app.metrics.clone(),
    );
    let device_id = device.id.clone();
    let Some(conn) = app.hub.try_connect(device, tx.clone()) else {
        // Another upgrade of the same device passed the check at the same time.
        tracing::warn!(device = %device_id, "a device opened more websockets than max_connections_per_device: closed");
        let frame = CloseFrame {
            code: close::TOO_MANY_CONNECTIONS,
            reason: "too many connections for this device".into(),
        };
        let _ = sink.send(WsMessage::Close(Some(frame))).await;
        return;
    };
    app.metrics
        .connections
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);

    let mut writer = tokio::spawn(async move {
        loop {
            match inbox.next().await {
                Next::Frame(bytes) => {
                    let len = bytes.len();
                    // A peer that does not read leaves this send pending; an overflow of its
                    // queue abandons it (the websocket keeps the frame's unsent bytes, so the
                    // close frame below still follows a whole frame).
                    let sent = tokio::select! {
                        biased;
                        () = inbox.overflowed() => None,
                        sent = sink.send(WsMessage::Binary(bytes.into())) => Some(sent),
                    };
                    inbox.sent(len);
                    match sent {
                        Some(Ok(())) => {}
                        Some(Err(_)) => break,
                        None => {
                            inbox.discard();
                            slow_close(&mut sink, &device_id).await;
                            break;
                        }
                    }
                }
                Next::Close(code, reason) => {
                    let _ = sink
                        .send(WsMessage::Close(Some(CloseFrame {
                            code,
                            reason: close::reason(&reason).into(),
                        })))
                        .await;
                    break;
                }
                Next::TooSlow => {
                    slow_close(&mut sink, &device_id).await;
                    break;
                }
                Next::End => break,
            }
        }
    });

    let mut bucket = Bucket::new(app.limits.messages_per_second);
    // A finished JoinHandle must not be polled again.
    let mut writer_done = false;
    let join_deadline = tokio::time::sleep(Duration::from_secs(app.limits.join_timeout_seconds));
    tokio::pin!(join_deadline);
    let mut join_checked = false;
    loop {
        tokio::select! {
            _ = &mut writer => {
                writer_done = true;
                break;
            }
            () = &mut join_deadline, if !join_checked => {
                join_checked = true;
                if !app.hub.joined(conn) {
                    tx.close(
                        close::JOIN_TIMEOUT,
                        format!("no `join` within {} s", app.limits.join_timeout_seconds),
                    );
                }
            }
            frame = stream.next() => match frame {
                Some(Ok(WsMessage::Binary(bytes))) => {
                    match bucket.take() {
                        Pace::Go => {}
                        // Over the rate: stop reading for a while (TCP pushes back on the peer).
                        Pace::Wait(pause) => tokio::time::sleep(pause).await,
                        Pace::Close => {
                            tx.close(close::RATE_LIMITED, "too many messages; slow down".into());
                            continue;
                        }
                    }
                    app.hub.handle(conn, &bytes);
                }
                Some(Ok(WsMessage::Text(_))) => {
                    tx.close(close::PROTOCOL, "binary CBOR messages only".into());
                }
                Some(Ok(WsMessage::Close(_))) | None => break,
                Some(Ok(_)) => {}
                Some(Err(error)) => {
                    let text = error.to_string();
                    if text.contains("too long") || text.contains("size") {
                        tx.close(close::TOO_LARGE, "message too large".into());
                    } else {
                        break;
                    }
                }
            }
        }
    }
    app.hub.disconnect(conn);
    app.metrics
        .connections
        .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    drop(tx);
    if !writer_done {
        let _ = tokio::time::timeout(Duration::from_secs(1), writer).await;
    }
}

/// Closes a peer whose queue overflowed with [`close::TOO_SLOW`]; its socket may be full, so
/// the close frame gets [`SLOW_CLOSE_GRACE`] to go out (the queue is already emptied).
async fn slow_close<S>(sink: &mut S, device_id: &str)
where
    S: futures_util::Sink<WsMessage> + Unpin,
{
    tracing::info!(device = %device_id, "a connection did not read what it was sent: closed with 4009");
    let frame = CloseFrame {
        code: close::TOO_SLOW,
        reason: TOO_SLOW_REASON.into(),
    };
    let _ = tokio::time::timeout(SLOW_CLOSE_GRACE, sink.send(WsMessage::Close(Some(frame)))).await;
}

/// Whether to handle a message now, after a pause, or to close the connection.
enum Pace {
    Go,
    Wait(Duration),
    Close,
}

/// A token bucket: `rate` messages per second sustained, bursts of up to `2 × rate`. Over
/// the rate, reading pauses (backpressure: the peer's socket fills and it slows down). A peer
/// kept over its rate for more than [`Bucket::MAX_THROTTLED`] without a break is closed.
struct Bucket {
    rate: f64,
    tokens: f64,
    last: Instant,
    throttled_since: Option<Instant>,
}

impl Bucket {
    const MAX_THROTTLED: Duration = Duration::from_secs(10);

    fn new(rate: u32) -> Bucket {
        let rate = f64::from(rate.max(1));
        Bucket {
            rate,
            tokens: rate * 2.0,
            last: Instant::now(),
            throttled_since: None,
        }
    }

    fn take(&mut self) -> Pace {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * self.rate)
            .min(self.rate * 2.0);
        self.last = now;
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            // Throttling ends when the peer has slowed down enough to refill half the burst.
            if self.tokens >= self.rate {
                self.throttled_since = None;
            }
            return Pace::Go;
        }
        let since = *self.throttled_since.get_or_insert(now);
        if now.duration_since(since) > Self::MAX_THROTTLED {
            return Pace::Close;
        }
        // This message waits until its token exists.
        Pace::Wait(Duration::from_secs_f64(-self.tokens / self.rate))
    }
}
