//! What one client can cost the relay: peers that never read what they are sent (their queue
//! is bounded by `max_queued_bytes_per_connection`, then they are closed with 4009), a device
//! opening too many websockets (`max_connections_per_device`, refused with 429), and who may
//! read `/metrics` (only the holder of `metrics_token`).

use std::time::{Duration, Instant};

use automerge::Automerge;
use jiran_core::sync::protocol::Message;

use crate::support::*;

/// The relay's resident memory and its peak, in KiB, from /proc/<pid>/status.
fn rss_kib(relay: &Relay) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{}/status", relay.child.id())).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or_else(|| panic!("{name} in /proc status"))
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// A gauge or counter from `/metrics`.
fn metric(relay: &Relay, name: &str) -> u64 {
    let (status, text) = metrics(relay);
    assert_eq!(status, 200, "{text}");
    text.lines()
        .find(|l| l.starts_with(&format!("{name} ")))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or_else(|| panic!("{name} in\n{text}"))
}

const QUEUE_LIMIT: u64 = 1024 * 1024;
const SLOW_PEERS: usize = 8;
const EPHEMERAL_BYTES: usize = 64 * 1024;
/// 40 MiB of ephemeral messages, each passed on to every slow peer: 320 MiB queued without
/// a bound.
const FLOOD_MESSAGES: usize = 640;

#[tokio::test]
async fn test_peers_that_never_read_are_closed_with_4009_and_cost_the_relay_a_bounded_amount() {
    let (_dir, relay, lead) = relay_with_limits(&format!(
        "max_queued_bytes_per_connection = {QUEUE_LIMIT}\n\
         max_connections_per_device = 32\n\
         messages_per_second = 100000\n\
         metrics_token = \"{METRICS_TOKEN}\"\n"
    ));
    let volunteer = invite_and_join(&relay, &lead, "volunteer");

    // A household document every peer follows.
    let doc_id = rand_id();
    let mut doc = doc_with("name", "Famille Ben Salah");
    assert_eq!(
        connect(&relay, &lead).await.sync(&doc_id, &mut doc).await,
        Outcome::Synced
    );

    // Peers that sync it, then never read again.
    let mut slow = Vec::new();
    for _ in 0..SLOW_PEERS {
        let mut peer = connect(&relay, &volunteer).await;
        let mut copy = Automerge::new();
        assert_eq!(peer.sync(&doc_id, &mut copy).await, Outcome::Synced);
        slow.push(peer);
    }
    let mut flooder = connect(&relay, &lead).await;
    let mut copy = Automerge::new();
    assert_eq!(flooder.sync(&doc_id, &mut copy).await, Outcome::Synced);
    let (before, _) = rss_kib(&relay);

    for count in 0..FLOOD_MESSAGES {
        let message = Message::Ephemeral {
            sender_id: flooder.id.clone(),
            target_id: flooder.relay.clone(),
            document_id: doc_id.clone(),
            session_id: "flood".into(),
            count: count as u64,
            data: vec![count as u8; EPHEMERAL_BYTES],
        };
        flooder.send(&message).await;
    }
    // The relay handles a connection's messages in order: once this new document synced,
    // every ephemeral message before it was handled (queued or refused).
    let mut marker = doc_with("k", "after the flood");
    assert_eq!(
        flooder
            .sync_within(&rand_id(), &mut marker, Duration::from_secs(60))
            .await,
        Outcome::Synced
    );
    let (after, peak) = rss_kib(&relay);
    println!("relay RSS: {before} KiB before the flood, {after} KiB after, peak {peak} KiB");

    // Each slow peer gets what was queued for it, then the documented close.
    for (n, peer) in slow.iter_mut().enumerate() {
        let code = loop {
            match peer.next(Duration::from_secs(5)).await {
                Some(Ok(_)) => continue,
                Some(Err((code, reason))) => {
                    assert!(code != 4009 || reason.contains("too slow"), "{reason}");
                    break code;
                }
                None => panic!("slow peer {n} was not closed"),
            }
        };
        // 4009, or a dropped connection for a peer that read nothing for longer than the
        // relay's 30 s grace for the close frame (writing the 16 MiB can take that long on a
        // loaded machine); the metric below counts the slow-peer closes either way.
        assert!(
            code == 4009 || code == 1006,
            "slow peer {n} closed with {code}"
        );
    }
    assert!(metric(&relay, "jiran_slow_peer_closes_total") >= SLOW_PEERS as u64);

    // The relay held at most the limit (plus a message) per slow peer, and some slack for
    // the flood in flight; without a bound it held all of it.
    let bound_kib = SLOW_PEERS as u64 * (QUEUE_LIMIT + EPHEMERAL_BYTES as u64) / 1024 + 64 * 1024;
    assert!(
        peak.saturating_sub(before) < bound_kib,
        "the relay grew from {before} KiB to a peak of {peak} KiB (bound: {bound_kib} KiB more)"
    );

    // Nothing stays queued once they are gone.
    let deadline = Instant::now() + Duration::from_secs(20);
    while metric(&relay, "jiran_queued_bytes") != 0 {
        assert!(Instant::now() < deadline, "queued bytes are released");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Honest devices are served: the household document and a new one sync; health answers.
    let (outcome, fetched) = fetch(&relay, &volunteer, &doc_id).await;
    assert_eq!(outcome, Outcome::Synced);
    assert_eq!(get(&fetched, "name").as_deref(), Some("Famille Ben Salah"));
    assert_serves(&relay, &lead).await;
    assert_eq!(call("GET", &format!("{}/healthz", relay.url), None).0, 200);
}

#[tokio::test]
async fn test_a_device_past_its_connection_cap_is_refused_with_429_and_logged() {
    let dir = tempfile::tempdir().unwrap();
    let (_, code) = create_antenna(dir.path(), "La Marsa");
    let config = dir.path().join("limits.toml");
    std::fs::write(&config, "max_connections_per_device = 2\n").unwrap();
    let log = dir.path().join("relay.log");
    let relay = Relay::start_logging(dir.path(), &["--config", config.to_str().unwrap()], &log);
    let lead = join(&relay, &code, "lead");
    let volunteer = invite_and_join(&relay, &lead, "volunteer");

    let first = connect(&relay, &lead).await;
    let _second = connect(&relay, &lead).await;
    assert_eq!(
        open(&relay.ws_url(), Some(&lead.token)).await.err(),
        Some(429),
        "a third websocket of the same device"
    );
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("max_connections_per_device"), "{text}");
    assert!(text.contains(&lead.id), "the log names the device: {text}");
    assert!(!text.contains(&lead.token), "no token in the log");
    assert!(!text.contains("La Marsa"), "no antenna name in the log");

    // Another device is not affected.
    assert_serves(&relay, &volunteer).await;

    // Once one closes, the device may open another.
    drop(first);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match open(&relay.ws_url(), Some(&lead.token)).await {
            Ok(ws) => {
                let mut doc = doc_with("k", "v");
                let mut peer = Peer::join(ws).await;
                assert_eq!(peer.sync(&rand_id(), &mut doc).await, Outcome::Synced);
                break;
            }
            Err(status) => {
                assert_eq!(status, 429);
                assert!(
                    Instant::now() < deadline,
                    "the closed websocket is released"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

#[tokio::test]
async fn test_metrics_need_the_configured_token_and_health_stays_open() {
    // Without a token configured, metrics are off.
    let (_dir, relay, _) = relay_with_lead();
    assert_eq!(call("GET", &format!("{}/metrics", relay.url), None).0, 404);
    assert_eq!(call("GET", &format!("{}/healthz", relay.url), None).0, 200);
    drop(relay);

    let (_dir, relay, lead) = relay_with_limits(&format!("metrics_token = \"{METRICS_TOKEN}\"\n"));
    let url = format!("{}/metrics", relay.url);
    let (status, text) = call("GET", &url, None);
    assert_eq!(status, 401);
    assert!(!text.contains("jiran_"), "{text}");
    assert_eq!(call("GET", &url, Some("not-the-metrics-token")).0, 401);
    // A device's token is not the metrics token.
    assert_eq!(call("GET", &url, Some(&lead.token)).0, 401);
    let (status, text) = metrics(&relay);
    assert_eq!(status, 200);
    for name in [
        "jiran_connections",
        "jiran_queued_bytes",
        "jiran_slow_peer_closes_total",
    ] {
        assert!(text.contains(name), "{name} in\n{text}");
    }
    assert_eq!(
        call("GET", &format!("{}/healthz", relay.url), None),
        (200, "ok".into())
    );
    assert_eq!(call("GET", &format!("{}/readyz", relay.url), None).0, 200);
}

#[tokio::test]
async fn test_a_peer_closed_for_not_reading_sync_messages_gets_every_change_when_it_reconnects() {
    let (_dir, relay, lead) = relay_with_limits(&format!(
        "max_queued_bytes_per_connection = {QUEUE_LIMIT}\n\
         max_connections_per_device = 32\n\
         metrics_token = \"{METRICS_TOKEN}\"\n"
    ));
    let volunteer = invite_and_join(&relay, &lead, "volunteer");
    let doc_id = rand_id();
    let mut doc = doc_with("name", "Famille Ben Salah");
    let mut writer = connect(&relay, &lead).await;
    assert_eq!(writer.sync(&doc_id, &mut doc).await, Outcome::Synced);

    // Peers that follow the document, then stop reading while it gains 16 MiB of changes
    // (a scanned page at a time): past what the sockets' buffers take, the relay's sync
    // messages to them pass the limit.
    let mut slow = Vec::new();
    for _ in 0..4 {
        let mut peer = connect(&relay, &volunteer).await;
        let mut copy = Automerge::new();
        assert_eq!(peer.sync(&doc_id, &mut copy).await, Outcome::Synced);
        slow.push((peer, copy));
    }
    for page in 0..256 {
        put(&mut doc, &format!("page {page}"), &"x".repeat(64 * 1024));
        // Each sync starts afresh over a document growing to 16 MiB, on a debug relay: more
        // than the usual 1.5 s of quiet may pass on a loaded machine.
        let outcome = writer
            .sync_within(&doc_id, &mut doc, Duration::from_secs(10))
            .await;
        assert_eq!(outcome, Outcome::Synced, "page {page}");
    }
    put(&mut doc, "last", "page 255 was the last");
    assert_eq!(writer.sync(&doc_id, &mut doc).await, Outcome::Synced);

    for (n, (peer, copy)) in slow.iter_mut().enumerate() {
        // It applies what reached it before the close (some of the changes, or none)…
        let mut state = automerge::sync::State::new();
        let code = loop {
            match peer.next(Duration::from_secs(5)).await {
                Some(Ok(Message::Sync { data, .. })) => {
                    use automerge::sync::SyncDoc;
                    let message = automerge::sync::Message::decode(&data).unwrap();
                    let _ = copy.receive_sync_message(&mut state, message);
                }
                Some(Ok(_)) => {}
                Some(Err((code, _))) => break code,
                None => panic!("slow peer {n} was not closed"),
            }
        };
        // 4009, or a dropped connection for a peer that read nothing for longer than the
        // relay's 30 s grace for the close frame (writing the 16 MiB can take that long on a
        // loaded machine); the metric below counts the slow-peer closes either way.
        assert!(
            code == 4009 || code == 1006,
            "slow peer {n} closed with {code}"
        );
        // …and, reconnected, gets every change: nothing the relay dropped is taken as sent.
        let mut again = connect(&relay, &volunteer).await;
        assert_eq!(
            again
                .sync_within(&doc_id, copy, Duration::from_secs(10))
                .await,
            Outcome::Synced
        );
        assert_eq!(copy.get_heads(), doc.get_heads(), "slow peer {n}");
        assert_eq!(get(copy, "last").as_deref(), Some("page 255 was the last"));
    }
    assert!(metric(&relay, "jiran_slow_peer_closes_total") >= 4);
}
