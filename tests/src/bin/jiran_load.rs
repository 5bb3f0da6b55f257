//! jiran-load: a bounded load generator for automerge-repo relays on loopback. It speaks the
//! same protocol to jiran-relay and to the JS reference relay, so `scripts/load-bench` can
//! print their figures side by side. Each scenario prints one JSON line.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{Automerge, ReadDoc, ROOT};
use clap::{Parser, Subcommand};
use jiran_core::sync::protocol::Message;
use jiran_tests::client::Peer;
use serde_json::json;
use tokio::sync::mpsc;

#[derive(Parser)]
struct Cli {
    /// The relay's websocket URL.
    #[arg(long)]
    url: String,
    /// A device token (jiran-relay); ignored by the JS relay.
    #[arg(long)]
    token: Option<String>,
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Subcommand)]
enum Scenario {
    /// C connected devices on one document; one edits; time until all see it.
    Fanout {
        #[arg(long, default_value_t = 50)]
        clients: usize,
        #[arg(long, default_value_t = 20)]
        edits: usize,
        #[arg(long, default_value_t = 200)]
        burst: usize,
    },
    /// Upload N household-like documents, then a fresh device fetches them all.
    Cold {
        #[arg(long, default_value_t = 5000)]
        docs: usize,
        /// The relay's process id, to read its memory.
        #[arg(long)]
        pid: Option<u32>,
    },
    /// Open C idle connections and read the relay's memory before and after.
    Idle {
        #[arg(long, default_value_t = 1000)]
        connections: usize,
        #[arg(long)]
        pid: u32,
    },
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let token = cli.token.as_deref();
    let result = match cli.scenario {
        Scenario::Fanout {
            clients,
            edits,
            burst,
        } => fanout(&cli.url, token, clients, edits, burst).await,
        Scenario::Cold { docs, pid } => cold(&cli.url, token, docs, pid).await,
        Scenario::Idle { connections, pid } => idle(&cli.url, token, connections, pid).await,
    };
    println!("{result}");
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn new_id() -> String {
    jiran_core::DocumentId::random().to_string()
}

/// A device that keeps one document in sync and reports each value of `n` it sees.
async fn follower(
    mut peer: Peer,
    doc_id: String,
    index: usize,
    seen: mpsc::UnboundedSender<(usize, i64, Instant, u64)>,
) {
    let mut doc = Automerge::new();
    let mut state = sync::State::new();
    let first = doc
        .generate_sync_message(&mut state)
        .expect("a first message")
        .encode();
    peer.send(&peer.sync_message(&doc_id, first, true)).await;
    let mut last = -1;
    while let Some(Ok(message)) = peer.next(Duration::from_secs(60)).await {
        let Message::Sync { data, .. } = message else {
            continue;
        };
        let Ok(decoded) = sync::Message::decode(&data) else {
            continue;
        };
        if doc.receive_sync_message(&mut state, decoded).is_err() {
            continue;
        }
        if let Some(reply) = doc.generate_sync_message(&mut state) {
            peer.send(&peer.sync_message(&doc_id, reply.encode(), false))
                .await;
        }
        let n = match doc.get(ROOT, "n") {
            Ok(Some((v, _))) => v.as_i64().unwrap_or(-1),
            _ => -1,
        };
        if n != last {
            last = n;
            if seen
                .send((index, n, Instant::now(), peer.bytes_in))
                .is_err()
            {
                return;
            }
        }
    }
}

/// The editing device: applies each `n` it is sent as one change and keeps the relay in sync,
/// answering the relay's messages as they come.
async fn writer(
    mut peer: Peer,
    doc_id: String,
    mut doc: Automerge,
    mut edits: mpsc::UnboundedReceiver<i64>,
) {
    let mut state = sync::State::new();
    loop {
        tokio::select! {
            edit = edits.recv() => {
                let Some(n) = edit else { return };
                put_n(&mut doc, n);
                if let Some(message) = doc.generate_sync_message(&mut state) {
                    peer.send(&peer.sync_message(&doc_id, message.encode(), false)).await;
                }
            }
            incoming = peer.next(Duration::from_secs(3600)) => {
                let Some(Ok(Message::Sync { data, .. })) = incoming else {
                    if matches!(incoming, Some(Err(_)) | None) { return }
                    continue;
                };
                if let Ok(decoded) = sync::Message::decode(&data) {
                    let _ = doc.receive_sync_message(&mut state, decoded);
                    if let Some(message) = doc.generate_sync_message(&mut state) {
                        peer.send(&peer.sync_message(&doc_id, message.encode(), false)).await;
                    }
                }
            }
        }
    }
}

async fn fanout(
    url: &str,
    token: Option<&str>,
    clients: usize,
    edits: usize,
    burst: usize,
) -> serde_json::Value {
    let doc_id = new_id();
    let mut first = Peer::connect(url, token).await;
    let mut doc = Automerge::new();
    put_n(&mut doc, -1);
    assert_eq!(
        first.sync(&doc_id, &mut doc).await,
        jiran_tests::client::Outcome::Synced
    );
    let (edit_tx, edit_rx) = mpsc::unbounded_channel();
    tokio::spawn(writer(first, doc_id.clone(), doc, edit_rx));
    let (tx, mut seen) = mpsc::unbounded_channel();
    let followers = clients.saturating_sub(1);
    for index in 0..followers {
        let peer = Peer::connect(url, token).await;
        tokio::spawn(follower(peer, doc_id.clone(), index, tx.clone()));
    }
    let mut latest: HashMap<usize, (i64, u64)> = HashMap::new();
    let all_at = |latest: &HashMap<usize, (i64, u64)>, n: i64| {
        latest.len() == followers && latest.values().all(|(v, _)| *v >= n)
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    // Everyone has the document.
    while !all_at(&latest, -1) && Instant::now() < deadline {
        let Ok(Some((i, n, _, bytes))) =
            tokio::time::timeout(Duration::from_secs(10), seen.recv()).await
        else {
            break;
        };
        latest.insert(i, (n, bytes));
    }
    let mut latencies = Vec::new();
    for edit in 0..edits as i64 {
        let sent = Instant::now();
        edit_tx.send(edit).expect("the writer runs");
        let mut arrived = 0;
        while arrived < followers {
            let Ok(Some((i, n, at, bytes))) =
                tokio::time::timeout(Duration::from_secs(10), seen.recv()).await
            else {
                break;
            };
            latest.insert(i, (n, bytes));
            if n == edit {
                latencies.push(at.duration_since(sent).as_secs_f64() * 1000.0);
                arrived += 1;
            }
        }
    }
    latencies.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    let bytes_before: u64 = latest.values().map(|(_, b)| b).sum();
    let last = edits as i64 + burst as i64 - 1;
    let started = Instant::now();
    for n in edits as i64..=last {
        edit_tx.send(n).expect("the writer runs");
    }
    while !all_at(&latest, last) {
        let Ok(Some((i, n, _, bytes))) =
            tokio::time::timeout(Duration::from_secs(30), seen.recv()).await
        else {
            break;
        };
        latest.insert(i, (n, bytes));
    }
    let burst_s = started.elapsed().as_secs_f64();
    let bytes_after: u64 = latest.values().map(|(_, b)| b).sum();
    json!({
        "scenario": "fanout", "clients": clients, "edits": edits,
        "latencies": latencies.len(),
        "p50_ms": percentile(&latencies, 0.5), "p99_ms": percentile(&latencies, 0.99),
        "burst": burst, "burst_s": burst_s, "changes_per_s": burst as f64 / burst_s,
        "burst_bytes_received": bytes_after.saturating_sub(bytes_before),
        "all_converged": all_at(&latest, last),
    })
}

fn put_n(doc: &mut Automerge, n: i64) {
    let mut tx = doc.transaction();
    tx.put(ROOT, "n", n).expect("put");
    tx.commit();
}

/// A household-like document of about a kilobyte.
fn household(i: usize) -> Automerge {
    let mut doc = Automerge::new();
    let mut tx = doc.transaction();
    let profile = tx
        .put_object(ROOT, "profile", automerge::ObjType::Map)
        .expect("map");
    tx.put(
        &profile,
        "phone",
        format!("+216 98 {:03} {:03}", i % 1000, i / 1000),
    )
    .expect("put");
    tx.put(
        &profile,
        "address",
        format!("rue {} n°{}, behind the mosque", i % 120, i % 40),
    )
    .expect("put");
    let members = tx
        .put_object(&profile, "members", automerge::ObjType::Map)
        .expect("map");
    for m in 0..4 {
        let person = tx
            .put_object(&members, format!("p{m}").as_str(), automerge::ObjType::Map)
            .expect("map");
        tx.put(&person, "name", format!("Person {i} {m} Ben Ali"))
            .expect("put");
        tx.put(&person, "birth_year", 1950 + (m * 13) as i64)
            .expect("put");
    }
    let case = tx
        .put_object(ROOT, "case", automerge::ObjType::Map)
        .expect("map");
    let notes = tx
        .put_object(&case, "notes", automerge::ObjType::Map)
        .expect("map");
    tx.put(
        &notes,
        "n1",
        "first visit: the father lost his job at the café; three children at school",
    )
    .expect("put");
    tx.commit();
    doc
}

/// Syncs many documents over one connection with at most `window` in flight.
async fn sync_many(
    peer: &mut Peer,
    docs: Vec<(String, Automerge)>,
    window: usize,
) -> (usize, usize) {
    let mut pending: Vec<(String, Automerge)> = docs.into_iter().rev().collect();
    let mut active: HashMap<String, (Automerge, sync::State)> = HashMap::new();
    let (mut synced, mut unavailable) = (0, 0);
    loop {
        while active.len() < window {
            let Some((id, doc)) = pending.pop() else {
                break;
            };
            let mut state = sync::State::new();
            let first = doc
                .generate_sync_message(&mut state)
                .expect("a first message")
                .encode();
            let request = doc.get_heads().is_empty();
            peer.send(&peer.sync_message(&id, first, request)).await;
            active.insert(id, (doc, state));
        }
        if active.is_empty() {
            return (synced, unavailable);
        }
        let Some(Ok(message)) = peer.next(Duration::from_secs(30)).await else {
            return (synced, unavailable + active.len() + pending.len());
        };
        match message {
            Message::DocUnavailable { document_id, .. }
                if active.remove(&document_id).is_some() =>
            {
                unavailable += 1;
            }
            Message::Sync {
                document_id, data, ..
            } => {
                let Some((doc, state)) = active.get_mut(&document_id) else {
                    continue;
                };
                let Ok(decoded) = sync::Message::decode(&data) else {
                    continue;
                };
                if doc.receive_sync_message(state, decoded).is_err() {
                    continue;
                }
                let agreed = state.their_heads.as_deref() == Some(&doc.get_heads()[..]);
                if let Some(reply) = doc.generate_sync_message(state) {
                    peer.send(&peer.sync_message(&document_id, reply.encode(), false))
                        .await;
                }
                if agreed && !doc.get_heads().is_empty() {
                    active.remove(&document_id);
                    synced += 1;
                }
            }
            _ => {}
        }
    }
}

async fn cold(url: &str, token: Option<&str>, count: usize, pid: Option<u32>) -> serde_json::Value {
    let docs: Vec<(String, Automerge)> = (0..count).map(|i| (new_id(), household(i))).collect();
    let saved_bytes: usize = docs.iter().map(|(_, d)| d.save().len()).sum();
    let ids: Vec<String> = docs.iter().map(|(id, _)| id.clone()).collect();
    let mut uploader = Peer::connect(url, token).await;
    let started = Instant::now();
    let (uploaded, _) = sync_many(&mut uploader, docs, 64).await;
    let upload_s = started.elapsed().as_secs_f64();
    drop(uploader);
    tokio::time::sleep(Duration::from_millis(500)).await;

    let mut fresh = Peer::connect(url, token).await;
    let before = fresh.bytes_in;
    let started = Instant::now();
    let empty: Vec<(String, Automerge)> =
        ids.into_iter().map(|id| (id, Automerge::new())).collect();
    let (fetched, unavailable) = sync_many(&mut fresh, empty, 64).await;
    let fetch_s = started.elapsed().as_secs_f64();
    json!({
        "scenario": "cold", "docs": count, "uploaded": uploaded, "upload_s": upload_s,
        "fetched": fetched, "unavailable": unavailable, "fetch_s": fetch_s,
        "fetch_docs_per_s": fetched as f64 / fetch_s,
        "fetch_bytes": fresh.bytes_in - before, "saved_bytes": saved_bytes,
        "bytes_ratio": (fresh.bytes_in - before) as f64 / saved_bytes as f64,
        "relay_rss_kb": pid.map(rss_kb),
    })
}

async fn idle(url: &str, token: Option<&str>, connections: usize, pid: u32) -> serde_json::Value {
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = rss_kb(pid);
    let mut peers = Vec::with_capacity(connections);
    let started = Instant::now();
    for chunk in (0..connections).collect::<Vec<_>>().chunks(100) {
        let joins = chunk.iter().map(|_| Peer::connect(url, token));
        peers.extend(futures_util::future::join_all(joins).await);
    }
    let connect_s = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_kb(pid);
    let per_connection_kb = (after.saturating_sub(before)) as f64 / connections as f64;
    drop(peers);
    json!({
        "scenario": "idle", "connections": connections, "connect_s": connect_s,
        "rss_before_kb": before, "rss_after_kb": after, "rss_per_connection_kb": per_connection_kb,
    })
}
