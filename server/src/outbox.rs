//! A connection's outgoing queue, bounded by bytes.
//!
//! The hub queues every message for a connection without waiting (it never awaits under its
//! lock); a writer task per connection sends them. A peer that does not read would let that
//! queue grow without end, so each queue counts the bytes it holds: a frame is counted when
//! the hub queues it and released when the writer has handed it to the socket. Past
//! `max_queued_bytes_per_connection` the queue takes nothing more, drops what it holds and
//! the writer closes the connection with [`crate::hub::close::TOO_SLOW`]. Closing (not dropping single
//! messages) keeps sync correct: the hub forgets the connection's sync states with it, so no
//! peer is left believing it was sent what it never received; on reconnect sync resumes from
//! the phone's own state against the relay's stored documents.
//!
//! An unbounded channel plus a byte counter, not tokio's bounded channel: a bounded channel
//! counts messages, and the relay's messages range from a hundred bytes to a whole document,
//! so only a count of bytes bounds memory; and a bounded channel's `try_send` on a full queue
//! would still need the same close.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::{mpsc, Notify};

use crate::hub::Outgoing;
use crate::metrics::Metrics;

#[derive(Debug)]
struct Shared {
    /// Bytes of frames queued and not yet handed to the socket.
    bytes: AtomicUsize,
    /// Set once the queue passed its limit; nothing is queued after.
    overflowed: AtomicBool,
    /// Wakes the writer when the queue overflowed.
    wake: Notify,
}

/// The hub's end of a connection's queue: never blocks.
#[derive(Debug, Clone)]
pub struct Outbox {
    tx: mpsc::UnboundedSender<Outgoing>,
    shared: Arc<Shared>,
    limit: usize,
    metrics: Arc<Metrics>,
}

/// The writer's end of a connection's queue.
#[derive(Debug)]
pub struct Inbox {
    rx: mpsc::UnboundedReceiver<Outgoing>,
    shared: Arc<Shared>,
    metrics: Arc<Metrics>,
}

/// What the writer does next.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    /// Send this frame, then [`Inbox::sent`] its length.
    Frame(Vec<u8>),
    /// Close with this code and reason.
    Close(u16, String),
    /// The queue passed its limit and was emptied: close with [`crate::hub::close::TOO_SLOW`].
    TooSlow,
    /// Every [`Outbox`] is gone.
    End,
}

/// A queue holding at most `limit` bytes of frames, plus one frame: a frame that finds the
/// queue within its limit is always taken, so a document larger than the limit can still be
/// sent to a peer that reads. `metrics` counts the bytes queued and the slow peers closed.
pub fn outbox(limit: usize, metrics: Arc<Metrics>) -> (Outbox, Inbox) {
    let (tx, rx) = mpsc::unbounded_channel();
    let shared = Arc::new(Shared {
        bytes: AtomicUsize::new(0),
        overflowed: AtomicBool::new(false),
        wake: Notify::new(),
    });
    (
        Outbox {
            tx,
            shared: shared.clone(),
            limit,
            metrics: metrics.clone(),
        },
        Inbox {
            rx,
            shared,
            metrics,
        },
    )
}

/// An unlimited queue over a plain channel, for the hub's unit tests.
impl From<mpsc::UnboundedSender<Outgoing>> for Outbox {
    fn from(tx: mpsc::UnboundedSender<Outgoing>) -> Outbox {
        Outbox {
            tx,
            shared: Arc::new(Shared {
                bytes: AtomicUsize::new(0),
                overflowed: AtomicBool::new(false),
                wake: Notify::new(),
            }),
            limit: usize::MAX,
            metrics: Arc::new(Metrics::default()),
        }
    }
}

impl Outbox {
    /// Queues a frame; `false` if it was not queued (the queue overflowed, now or before, or
    /// the connection is gone).
    pub fn frame(&self, bytes: Vec<u8>) -> bool {
        if self.shared.overflowed.load(Ordering::Acquire) {
            return false;
        }
        let n = bytes.len();
        let before = self.shared.bytes.fetch_add(n, Ordering::AcqRel);
        // Judged by what was queued before this frame: a frame that finds the queue within
        // its limit is taken whatever its size, so a peer that reads always gets a large
        // document, even behind a small reply (closing it would only repeat on reconnect).
        if before > self.limit {
            self.shared.bytes.fetch_sub(n, Ordering::AcqRel);
            if !self.shared.overflowed.swap(true, Ordering::AcqRel) {
                Metrics::inc(&self.metrics.slow_peer_closes);
                self.shared.wake.notify_one();
            }
            return false;
        }
        self.metrics
            .queued_bytes
            .fetch_add(n as u64, Ordering::Relaxed);
        if self.tx.send(Outgoing::Frame(bytes)).is_err() {
            release(&self.shared.bytes, &self.metrics.queued_bytes, n);
            return false;
        }
        true
    }

    /// Queues a close (it follows the frames queued before it).
    pub fn close(&self, code: u16, reason: String) {
        let _ = self.tx.send(Outgoing::Close(code, reason));
    }

    /// Bytes queued and not yet sent.
    pub fn queued_bytes(&self) -> usize {
        self.shared.bytes.load(Ordering::Acquire)
    }
}

fn release(bytes: &AtomicUsize, total: &AtomicU64, n: usize) {
    bytes.fetch_sub(n, Ordering::AcqRel);
    total.fetch_sub(n as u64, Ordering::Relaxed);
}

impl Inbox {
    /// The next thing to do; an overflow comes first, whatever is queued.
    pub async fn next(&mut self) -> Next {
        if self.shared.overflowed.load(Ordering::Acquire) {
            self.discard();
            return Next::TooSlow;
        }
        tokio::select! {
            biased;
            () = self.shared.wake.notified() => {
                self.discard();
                Next::TooSlow
            }
            out = self.rx.recv() => match out {
                Some(Outgoing::Frame(bytes)) => Next::Frame(bytes),
                Some(Outgoing::Close(code, reason)) => Next::Close(code, reason),
                None => Next::End,
            },
        }
    }

    /// Resolves once the queue overflowed (to abandon a send a peer does not read).
    pub async fn overflowed(&self) {
        if !self.shared.overflowed.load(Ordering::Acquire) {
            self.shared.wake.notified().await;
        }
    }

    /// Releases a frame's bytes once the socket took it (or failed to).
    pub fn sent(&self, len: usize) {
        release(&self.shared.bytes, &self.metrics.queued_bytes, len);
    }

    /// Takes nothing more and drops what is queued, releasing its bytes.
    pub fn discard(&mut self) {
        self.shared.overflowed.store(true, Ordering::Release);
        self.rx.close();
        while let Ok(out) = self.rx.try_recv() {
            if let Outgoing::Frame(bytes) = out {
                self.sent(bytes.len());
            }
        }
    }
}

impl Drop for Inbox {
    fn drop(&mut self) {
        self.discard();
    }
}

/// The close reason sent with [`crate::hub::close::TOO_SLOW`].
pub const TOO_SLOW_REASON: &str = "too slow: reconnect";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_queue_overflows_once_and_releases_what_it_held() {
        let metrics = Arc::new(Metrics::default());
        let (out, mut inbox) = outbox(100, metrics.clone());
        // A frame that finds the queue within its limit is taken, even past it.
        assert!(out.frame(vec![0; 60]));
        assert!(out.frame(vec![0; 90]));
        assert!(!out.frame(vec![0; 10]), "over the limit");
        assert!(!out.frame(vec![0; 1]), "nothing after an overflow");
        assert_eq!(metrics.slow_peer_closes.load(Ordering::Relaxed), 1);
        assert_eq!(metrics.queued_bytes.load(Ordering::Relaxed), 150);
        assert_eq!(inbox.next().await, Next::TooSlow);
        assert_eq!(out.queued_bytes(), 0);
        assert_eq!(metrics.queued_bytes.load(Ordering::Relaxed), 0);
    }

    #[tokio::test]
    async fn sent_frames_release_their_bytes() {
        let metrics = Arc::new(Metrics::default());
        let (out, mut inbox) = outbox(100, metrics.clone());
        for _ in 0..10 {
            assert!(out.frame(vec![0; 10]));
        }
        for _ in 0..10 {
            let Next::Frame(bytes) = inbox.next().await else {
                panic!("a frame")
            };
            inbox.sent(bytes.len());
        }
        assert!(out.frame(vec![0; 100]), "room again");
        assert_eq!(metrics.slow_peer_closes.load(Ordering::Relaxed), 0);
        drop(inbox);
        assert!(!out.frame(vec![0; 1]), "the writer is gone");
        assert_eq!(metrics.queued_bytes.load(Ordering::Relaxed), 0);
    }
}
