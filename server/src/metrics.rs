//! Counters for `GET /metrics`, in the Prometheus text format.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// The relay's counters and gauges.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Open websocket connections.
    pub connections: AtomicU64,
    /// Documents held in memory.
    pub resident_documents: AtomicU64,
    /// Protocol messages received.
    pub messages_in: AtomicU64,
    /// Protocol messages sent.
    pub messages_out: AtomicU64,
    /// Bytes received in protocol messages.
    pub bytes_in: AtomicU64,
    /// Bytes sent in protocol messages.
    pub bytes_out: AtomicU64,
    /// Requests refused for a missing, unknown or revoked token.
    pub auth_failures: AtomicU64,
    /// Sync messages that failed (malformed, storage error).
    pub sync_errors: AtomicU64,
    /// Bytes queued for all connections and not yet sent (each connection's share is capped
    /// by `max_queued_bytes_per_connection`).
    pub queued_bytes: AtomicU64,
    /// Connections closed with 4009 because they did not read what they were sent.
    pub slow_peer_closes: AtomicU64,
    /// Requests refused by a rate limit (joins, invites, the blinded index).
    pub rate_limited: AtomicU64,
}

impl Metrics {
    /// Adds one to a counter.
    pub fn inc(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Renders every metric; `storage_bytes` is read by the caller.
    pub fn render(&self, storage_bytes: u64) -> String {
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, value: u64| {
            let _ = writeln!(
                out,
                "# HELP jiran_{name} {help}\n# TYPE jiran_{name} {kind}\njiran_{name} {value}"
            );
        };
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        metric(
            "connections",
            "gauge",
            "Open websocket connections.",
            get(&self.connections),
        );
        metric(
            "resident_documents",
            "gauge",
            "Documents held in memory.",
            get(&self.resident_documents),
        );
        metric(
            "messages_in_total",
            "counter",
            "Protocol messages received.",
            get(&self.messages_in),
        );
        metric(
            "messages_out_total",
            "counter",
            "Protocol messages sent.",
            get(&self.messages_out),
        );
        metric(
            "bytes_in_total",
            "counter",
            "Bytes received in protocol messages.",
            get(&self.bytes_in),
        );
        metric(
            "bytes_out_total",
            "counter",
            "Bytes sent in protocol messages.",
            get(&self.bytes_out),
        );
        metric(
            "auth_failures_total",
            "counter",
            "Requests refused for a bad token.",
            get(&self.auth_failures),
        );
        metric(
            "sync_errors_total",
            "counter",
            "Sync messages that failed.",
            get(&self.sync_errors),
        );
        metric(
            "queued_bytes",
            "gauge",
            "Bytes queued for connections, not yet sent.",
            get(&self.queued_bytes),
        );
        metric(
            "slow_peer_closes_total",
            "counter",
            "Connections closed for not reading (4009).",
            get(&self.slow_peer_closes),
        );
        metric(
            "rate_limited_total",
            "counter",
            "Requests refused by a rate limit (joins, invites, the blinded index).",
            get(&self.rate_limited),
        );
        metric(
            "storage_bytes",
            "gauge",
            "Bytes of the relay database.",
            storage_bytes,
        );
        out
    }
}
