//! How the relay accepts connections: HTTP/1 (websockets are upgraded from it) with a
//! deadline for request headers, and a lingering close.
//!
//! **Header deadline.** A connection that does not send a complete request head within
//! `header_timeout_seconds` (a half-open request, or a keep-alive connection left idle) is
//! closed, so idle sockets cannot pile up (hyper's `header_read_timeout`, which needs a
//! timer that `axum::serve` does not give it; hence this loop).
//!
//! **Lingering close**, as nginx and Apache do it: when the relay closes a connection while
//! the peer is still sending (the rest of a message too large to read, say), closing the
//! socket at once would make the kernel answer the unread bytes with a reset, and the peer
//! would lose the close frame the relay just sent: a phone would see a dropped connection
//! (1006) and retry, instead of 1009 "too large, do not retry". So the relay first ends its
//! side (FIN, after everything it wrote), then reads and discards what still comes, until the
//! peer closes too or [`LINGER`] passes or [`LINGER_BYTES`] were discarded, and only then
//! closes.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

/// How long a closed connection is drained at most.
pub const LINGER: Duration = Duration::from_secs(10);
/// How many bytes a closed connection is drained of at most.
pub const LINGER_BYTES: u64 = 512 * 1024 * 1024;

/// Serves `app` on `listener` until `shutdown` completes; then stops accepting, lets every
/// connection finish its request, and returns once they have. (Websockets, once upgraded,
/// are no longer HTTP connections: the hub closes them.)
pub async fn serve(
    listener: TcpListener,
    app: axum::Router,
    header_timeout: Duration,
    shutdown: impl Future<Output = ()> + Send,
) {
    let (stop, stopped) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, most often: wait for some to close.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Small messages (a sync answer, an acknowledgement) go out at once rather than
        // waiting for the peer's acknowledgement of the last one (Nagle's algorithm), as
        // the `ws` package the JS relay uses does by default.
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "setting TCP_NODELAY failed");
        }
        while connections.try_join_next().is_some() {}
        let service = TowerToHyperService::new(
            app.clone()
                .layer(axum::Extension(crate::ClientAddress(peer.ip()))),
        );
        let mut stopped = stopped.clone();
        connections.spawn(async move {
            let mut builder = http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout);
            let connection = builder
                .serve_connection(TokioIo::new(Lingering(Some(stream))), service)
                .with_upgrades();
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = async { let _ = stopped.wait_for(|stop| *stop).await; } => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
    }
    let _ = stop.send(true);
    while connections.join_next().await.is_some() {}
}

/// A TCP connection that lingers when dropped (see the module).
#[derive(Debug)]
pub struct Lingering(Option<TcpStream>);

impl Lingering {
    fn stream(&mut self) -> Pin<&mut TcpStream> {
        Pin::new(self.0.as_mut().expect("present until dropped"))
    }
}

impl AsyncRead for Lingering {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.stream().poll_read(cx, buf)
    }
}

impl AsyncWrite for Lingering {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.stream().poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.stream().poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.stream().poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.stream().poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.as_ref().is_some_and(|s| s.is_write_vectored())
    }
}

impl Drop for Lingering {
    fn drop(&mut self) {
        let Some(stream) = self.0.take() else {
            return;
        };
        // Outside a runtime (the process is ending) there is no one left to tell.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(drain(stream));
        }
    }
}

async fn drain(mut stream: TcpStream) {
    let _ = stream.shutdown().await;
    let _ = tokio::time::timeout(LINGER, async {
        // Small: thousands of connections may linger at once (a shutdown).
        let mut buf = [0u8; 2048];
        let mut discarded = 0u64;
        while discarded < LINGER_BYTES {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => discarded += n as u64,
            }
        }
    })
    .await;
}
