//! A relay that careless operators and hostile clients cannot break (issue 17): each test runs
//! the real `jiran-relay` binary (a relay process or the command line) and fails on the relay
//! as it was before its fix.
//!
//! - `restore` checks a backup before touching anything, and keeps the database it replaces.
//! - Limits and timeouts out of range are refused at start, before listening.
//! - Close codes and reasons are the documented ones, within the protocol's limits.
//! - A sync message that carries no change creates no document.
//! - A websocket that never sends `join`, and an HTTP request whose head never ends, are
//!   closed after a deadline.
//! - No personal data in the log, even at `RUST_LOG=trace`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use automerge::sync::{self, SyncDoc};
use automerge::Automerge;
use futures_util::SinkExt;
use jiran_core::sync::protocol::Message;

use crate::support::*;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Every entry of a directory, recursively: files with their bytes, directories as `None`.
/// Two equal snapshots mean nothing in the directory was created, removed or changed.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Option<Vec<u8>>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.strip_prefix(root).unwrap().to_owned();
            if path.is_dir() {
                out.insert(name, None);
                walk(root, &path, out);
            } else {
                out.insert(name, Some(std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn names(snapshot: &BTreeMap<PathBuf, Option<Vec<u8>>>) -> Vec<String> {
    snapshot
        .keys()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
}

/// `jiran-relay restore BACKUP --data DIR [extra]`.
fn restore(backup: &Path, data: &Path, extra: &[&str]) -> (bool, String, String) {
    let out = Command::new(RELAY)
        .arg("restore")
        .arg(backup)
        .arg("--data")
        .arg(data)
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Bytes no one would mistake for anything.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// A stopped relay's data directory holding one antenna, its lead, and one household synced
/// through a relay process; with the household's document id and the lead.
async fn relay_data_with_a_household() -> (tempfile::TempDir, String, Credentials) {
    let (dir, relay, lead) = relay_with_lead();
    let household = rand_id();
    let mut doc = doc_with("name", "Famille Trabelsi");
    assert_eq!(
        connect(&relay, &lead)
            .await
            .sync(&household, &mut doc)
            .await,
        Outcome::Synced
    );
    relay.kill9();
    (dir, household, lead)
}

/// `jiran-relay backup` of `data` to `target`.
fn backup(data: &Path, target: &Path) {
    let out = relay_command("backup", target, data);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `jiran-relay serve` with `args` and waits up to `wait` for it to exit: its exit
/// success, stdout and stderr, or `None` if it was still running (then it is killed).
fn serve_exits(args: &[&str], data: &Path, wait: Duration) -> Option<(bool, String, String)> {
    let mut child = Command::new(RELAY)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            return Some((
                status.success(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            ));
        }
        if started.elapsed() > wait {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Reads until the relay closes: (code, reason). 1006 when the connection ended without a
/// close frame (or with one a client must refuse, such as one over 125 bytes).
async fn closed(peer: &mut Peer, wait: Duration) -> (u16, String) {
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match peer.next(left).await {
            Some(Ok(_)) => {}
            Some(Err(closed)) => return closed,
            None => panic!("the relay neither closed nor answered within {wait:?}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 1. `restore` never wipes or damages the relay
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn test_restore_refuses_every_bad_backup_and_leaves_the_relay_byte_for_byte_untouched() {
    let (dir, household, lead) = relay_data_with_a_household().await;
    let files = tempfile::tempdir().unwrap();
    let good = files.path().join("good.sqlite3");
    backup(dir.path(), &good);

    // The bad backups, each with what the refusal must say.
    let empty = files.path().join("empty.sqlite3");
    std::fs::write(&empty, b"").unwrap();
    let random = files.path().join("random.sqlite3");
    std::fs::write(&random, noise(64 * 1024, 7)).unwrap();
    let truncated = files.path().join("truncated.sqlite3");
    let bytes = std::fs::read(&good).unwrap();
    assert!(bytes.len() >= 8 * 4096, "a backup of several pages");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let newer = files.path().join("newer.sqlite3");
    std::fs::copy(&good, &newer).unwrap();
    let db = rusqlite::Connection::open(&newer).unwrap();
    db.pragma_update(None, "user_version", 99).unwrap();
    drop(db);
    let foreign = files.path().join("foreign.sqlite3");
    let db = rusqlite::Connection::open(&foreign).unwrap();
    db.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('hello');")
        .unwrap();
    drop(db);
    let mangled = files.path().join("mangled.sqlite3");
    std::fs::copy(&good, &mangled).unwrap();
    let db = rusqlite::Connection::open(&mangled).unwrap();
    db.execute_batch("DROP TABLE devices;").unwrap();
    drop(db);
    let empty_relay_data = tempfile::tempdir().unwrap();
    let empty_relay = files.path().join("empty-relay.sqlite3");
    backup(empty_relay_data.path(), &empty_relay);
    let missing = files.path().join("no-such-file.sqlite3");

    let before = snapshot(dir.path());
    for (what, file, expected) in [
        ("an empty file", &empty, "empty"),
        ("random bytes", &random, "not a SQLite database"),
        ("a truncated backup", &truncated, "damaged"),
        ("a backup of a newer schema", &newer, "newer"),
        (
            "a SQLite file of another program",
            &foreign,
            "not a jiran-relay",
        ),
        ("a relay backup missing a table", &mangled, "devices"),
        (
            "a relay backup without antennas",
            &empty_relay,
            "--allow-empty",
        ),
        ("a file that does not exist", &missing, "no-such-file"),
    ] {
        let (ok, stdout, stderr) = restore(file, dir.path(), &[]);
        assert!(!ok, "{what} was restored: {stdout}{stderr}");
        assert!(
            stderr.contains(expected),
            "{what}: the error should say {expected:?}: {stderr}"
        );
        assert!(stderr.contains("nothing was changed"), "{what}: {stderr}");
        let after = snapshot(dir.path());
        assert_eq!(
            names(&before),
            names(&after),
            "{what}: files came or went (a .restore-* folder left behind?)"
        );
        assert!(before == after, "{what}: the data directory changed");
    }

    // The relay still starts and serves the household.
    let relay = Relay::start(dir.path());
    let (outcome, doc) = fetch(&relay, &lead, &household).await;
    assert_eq!(outcome, Outcome::Synced);
    assert_eq!(get(&doc, "name").as_deref(), Some("Famille Trabelsi"));
}

#[tokio::test]
async fn test_restore_of_a_backup_without_antennas_needs_allow_empty() {
    let (dir, _household, _lead) = relay_data_with_a_household().await;
    let files = tempfile::tempdir().unwrap();
    let empty_relay_data = tempfile::tempdir().unwrap();
    let empty_relay = files.path().join("empty-relay.sqlite3");
    backup(empty_relay_data.path(), &empty_relay);

    let before = snapshot(dir.path());
    let (ok, _, stderr) = restore(&empty_relay, dir.path(), &[]);
    assert!(!ok);
    assert!(stderr.contains("no antenna"), "{stderr}");
    assert!(before == snapshot(dir.path()));

    let (ok, stdout, stderr) = restore(&empty_relay, dir.path(), &["--allow-empty"]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("replaced-"), "{stdout}");
    let aside = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("relay.sqlite3.replaced-") && !n.ends_with("-wal"))
        .expect("the replaced database is kept");
    let db = rusqlite::Connection::open(dir.path().join(aside)).unwrap();
    let antennas: i64 = db
        .query_row("SELECT count(*) FROM antennas", [], |r| r.get(0))
        .unwrap();
    assert_eq!(antennas, 1, "the replaced database is whole");
}

#[tokio::test]
async fn test_restore_of_a_good_backup_keeps_the_replaced_database_aside_and_the_relay_serves_it() {
    let (dir, relay, lead) = relay_with_lead();
    let kept = rand_id();
    let mut doc = doc_with("name", "Famille Trabelsi");
    assert_eq!(
        connect(&relay, &lead).await.sync(&kept, &mut doc).await,
        Outcome::Synced
    );
    let files = tempfile::tempdir().unwrap();
    let good = files.path().join("good.sqlite3");
    backup(dir.path(), &good);
    let later = rand_id();
    let mut doc = doc_with("name", "Famille Ben Ali");
    assert_eq!(
        connect(&relay, &lead).await.sync(&later, &mut doc).await,
        Outcome::Synced
    );
    // Killed: the newest changes may be only in the write-ahead log.
    relay.kill9();

    let (ok, stdout, stderr) = restore(&good, dir.path(), &[]);
    assert!(ok, "{stderr}");
    let aside = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| {
            n.starts_with("relay.sqlite3.replaced-") && !n.ends_with("-wal") && !n.ends_with("-shm")
        })
        .expect("the replaced database is kept");
    assert!(stdout.contains(&aside), "stdout names it: {stdout}");
    assert!(
        !std::fs::read_dir(dir.path()).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(".restore")),
        "no scratch folder is left"
    );
    // The replaced database is whole, write-ahead log included: it still has the household
    // stored after the backup.
    let db = rusqlite::Connection::open(dir.path().join(&aside)).unwrap();
    let n: i64 = db
        .query_row(
            "SELECT count(*) FROM documents WHERE id = ?1",
            [&later],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1, "the replaced database lost what it held");
    drop(db);

    let relay = Relay::start(dir.path());
    let (outcome, doc) = fetch(&relay, &lead, &kept).await;
    assert_eq!(outcome, Outcome::Synced);
    assert_eq!(get(&doc, "name").as_deref(), Some("Famille Trabelsi"));
    assert_eq!(fetch(&relay, &lead, &later).await.0, Outcome::Unavailable);
    assert_eq!(call("GET", &format!("{}/readyz", relay.url), None).0, 200);
}

// ---------------------------------------------------------------------------------------------
// 2. Configuration out of range is refused at start
// ---------------------------------------------------------------------------------------------

#[test]
fn test_limits_out_of_range_are_refused_before_listening() {
    let dir = tempfile::tempdir().unwrap();
    create_antenna(dir.path(), "La Marsa");
    let config = dir.path().join("limits.toml");
    for (toml, key) in [
        ("max_message_bytes = 0", "max_message_bytes"),
        ("max_message_bytes = 10", "max_message_bytes"),
        ("max_connections = 0", "max_connections"),
        ("messages_per_second = 0", "messages_per_second"),
        ("max_documents_per_antenna = 0", "max_documents_per_antenna"),
        ("invite_days = 0", "invite_days"),
        ("invite_days = 100000", "invite_days"),
        ("max_storage_mb = 0", "max_storage_mb"),
        ("join_timeout_seconds = 0", "join_timeout_seconds"),
        ("header_timeout_seconds = 0", "header_timeout_seconds"),
    ] {
        std::fs::write(&config, format!("{toml}\n")).unwrap();
        let outcome = serve_exits(
            &["--config", config.to_str().unwrap()],
            dir.path(),
            Duration::from_secs(10),
        );
        let Some((ok, stdout, stderr)) = outcome else {
            panic!("`{toml}` was accepted: the relay served");
        };
        assert!(!ok, "`{toml}`: {stdout}");
        assert!(!stdout.contains("listening"), "`{toml}`: {stdout}");
        assert!(
            stderr.contains(key),
            "`{toml}`: the error names the key: {stderr}"
        );
    }
    // A good file still serves.
    std::fs::write(&config, "max_connections = 10\n").unwrap();
    let relay = Relay::start_with(dir.path(), &["--config", config.to_str().unwrap()]);
    assert_eq!(call("GET", &format!("{}/healthz", relay.url), None).0, 200);
}

// ---------------------------------------------------------------------------------------------
// 3. Close codes and reasons as documented
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn test_an_oversized_message_closes_with_1009_not_a_dropped_connection() {
    let (_dir, relay, lead) = relay_with_limits("max_message_bytes = 65536\n");
    for size in [70_000, 1024 * 1024, 20 * 1024 * 1024] {
        let mut peer = connect(&relay, &lead).await;
        // The phone's write must not fail: to it, a reset is a dropped connection (1006), and
        // it would retry the same message forever.
        let sent = peer
            .ws
            .send(tokio_tungstenite::tungstenite::Message::Binary(
                vec![7u8; size].into(),
            ))
            .await;
        assert!(sent.is_ok(), "{size} bytes: the write failed: {sent:?}");
        let (code, reason) = closed(&mut peer, Duration::from_secs(10)).await;
        assert_eq!(code, 1009, "{size} bytes: closed with {code} {reason:?}");
        assert!(reason.contains("too large"), "{reason}");
    }
    assert_serves(&relay, &lead).await;
}

#[tokio::test]
async fn test_a_close_reason_fits_the_protocols_125_bytes_whatever_the_script() {
    let (_dir, relay, lead) = relay_with_lead();
    // An unknown message type in Arabic: the relay's error quotes it.
    let kind = "نوع غير معروف من الرسائل ".repeat(10);
    let mut bytes = Vec::new();
    ciborium::into_writer(
        &ciborium::Value::Map(vec![
            ("type".into(), kind.as_str().into()),
            ("senderId".into(), "x".into()),
        ]),
        &mut bytes,
    )
    .unwrap();
    let mut peer = connect(&relay, &lead).await;
    peer.send_raw(bytes).await;
    let (code, reason) = closed(&mut peer, Duration::from_secs(5)).await;
    assert_eq!(code, 1002, "closed with {code} {reason:?}");
    assert!(reason.len() <= 123, "{} bytes", reason.len());
    assert!(reason.starts_with("unknown message type"), "{reason}");
    assert!(reason.len() > 100, "cut at the limit, not before: {reason}");
    assert_serves(&relay, &lead).await;
}

// ---------------------------------------------------------------------------------------------
// 4. No document from nothing
// ---------------------------------------------------------------------------------------------

/// The antenna's change feed from the start, as `device` sees it.
async fn feed(relay: &Relay, device: &Credentials) -> Vec<String> {
    let mut peer = connect(relay, device).await;
    let ask = Message::Changes {
        sender_id: peer.id.clone(),
        target_id: peer.relay.clone(),
        since: 0,
    };
    peer.send(&ask).await;
    loop {
        match peer.next(Duration::from_secs(5)).await {
            Some(Ok(Message::Changed { documents, .. })) => return documents,
            Some(Ok(_)) => {}
            other => panic!("expected the change feed, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn test_sync_messages_without_changes_create_no_documents() {
    let (dir, relay, lead) = relay_with_lead();
    let volunteer = invite_and_join(&relay, &lead, "volunteer");
    let before = feed(&relay, &volunteer).await;

    // 3,000 sync messages that carry no change: from an empty document, and the first message
    // of a document with content (heads, no changes yet), each for a new document id.
    let mut peer = connect(&relay, &lead).await;
    let content = doc_with("name", "Famille Trabelsi");
    let mut answered = 0;
    for i in 0..3000 {
        let doc = if i % 2 == 0 {
            Automerge::new()
        } else {
            content.clone()
        };
        let data = doc
            .generate_sync_message(&mut sync::State::new())
            .unwrap()
            .encode();
        let message = Message::Sync {
            sender_id: peer.id.clone(),
            target_id: peer.relay.clone(),
            document_id: rand_id(),
            data,
        };
        peer.send(&message).await;
    }
    // Each is answered as automerge-repo peers expect (a sync reply), none closes the
    // connection.
    while let Some(next) = peer.next(Duration::from_secs(3)).await {
        match next {
            Ok(Message::Sync { .. }) => answered += 1,
            Ok(other) => panic!("unexpected answer {other:?}"),
            Err(closed) => panic!("closed: {closed:?}"),
        }
    }
    assert_eq!(answered, 3000);

    // None is stored, counted or listed to the antenna's phones.
    let listed = feed(&relay, &volunteer).await;
    assert_eq!(
        listed.len(),
        before.len(),
        "content-free documents are listed to the antenna's phones"
    );
    let db = rusqlite::Connection::open(dir.path().join("relay.sqlite3")).unwrap();
    let stored: i64 = db
        .query_row("SELECT count(*) FROM documents", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, 1, "only the antenna document is stored");
    drop(db);

    // A document that does get content is created, listed and served as before.
    let household = rand_id();
    let mut doc = content.clone();
    assert_eq!(peer.sync(&household, &mut doc).await, Outcome::Synced);
    let after = feed(&relay, &volunteer).await;
    assert_eq!(after.len(), before.len() + 1);
    assert!(after.contains(&household));
    let (outcome, fetched) = fetch(&relay, &volunteer, &household).await;
    assert_eq!(outcome, Outcome::Synced);
    assert_eq!(get(&fetched, "name").as_deref(), Some("Famille Trabelsi"));
}

// ---------------------------------------------------------------------------------------------
// 5. Deadlines before a device is known
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn test_a_websocket_that_never_sends_join_is_closed_with_4408_after_the_deadline() {
    // The default deadline: 10 seconds.
    let (_dir, relay, lead) = relay_with_lead();
    let started = Instant::now();
    let mut silent = Peer::unjoined(open(&relay.ws_url(), Some(&lead.token)).await.unwrap());
    let mut joined = connect(&relay, &lead).await;
    let (code, reason) = closed(&mut silent, Duration::from_secs(20)).await;
    let waited = started.elapsed();
    assert_eq!(code, 4408, "closed with {code} {reason:?}");
    assert!(reason.contains("join"), "{reason}");
    assert!(
        waited >= Duration::from_secs(9) && waited < Duration::from_secs(16),
        "closed after {waited:?}"
    );
    // A device that joined is not held to it.
    let mut doc = doc_with("k", "v");
    assert_eq!(joined.sync(&rand_id(), &mut doc).await, Outcome::Synced);
}

#[tokio::test]
async fn test_a_half_open_http_request_is_closed_after_the_header_deadline() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // The default deadline: 10 seconds.
    let (_dir, relay, _lead) = relay_with_lead();
    let address = relay.url.trim_start_matches("http://").to_owned();
    let started = Instant::now();
    let mut half_open = Vec::new();
    for _ in 0..20 {
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        // A request head that never ends.
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: relay\r\nX-Slow: ")
            .await
            .unwrap();
        half_open.push(stream);
    }
    // The relay serves others meanwhile.
    assert_eq!(call("GET", &format!("{}/healthz", relay.url), None).0, 200);
    for mut stream in half_open {
        let mut buf = [0u8; 256];
        let left = Duration::from_secs(20).saturating_sub(started.elapsed());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(_)) | Ok(Err(_)) => {} // closed (maybe after a 408)
            Err(_) => panic!(
                "a half-open request was still held after {:?}",
                started.elapsed()
            ),
        }
    }
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(9),
        "closed after only {waited:?}"
    );
    assert_eq!(call("GET", &format!("{}/healthz", relay.url), None).0, 200);
}

// ---------------------------------------------------------------------------------------------
// 6. No personal data at any log level
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn test_no_personal_data_in_the_log_even_at_trace_level() {
    let dir = tempfile::tempdir().unwrap();
    let (_, code) = create_antenna(dir.path(), "La Marsa");
    let log = dir.path().join("relay.log");
    let relay = Relay::start_logging_at(dir.path(), "trace", &log);
    let lead = join(&relay, &code, "Sami's phone");
    let volunteer = invite_and_join(&relay, &lead, "volunteer");

    // A household registered on one phone and fetched by another, through the relay.
    let name = "Famille Trabelsi";
    let phone = "+216 98 765 432";
    let household = rand_id();
    let mut doc = doc_with("name", name);
    put(&mut doc, "phone", phone);
    put(&mut doc, "notes", "diabète, loyer impayé");
    assert_eq!(
        connect(&relay, &lead)
            .await
            .sync(&household, &mut doc)
            .await,
        Outcome::Synced
    );
    let (outcome, fetched) = fetch(&relay, &volunteer, &household).await;
    assert_eq!(outcome, Outcome::Synced);
    assert_eq!(get(&fetched, "phone").as_deref(), Some(phone));
    drop(relay);

    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("request"), "the relay logged:\n{text}");
    // Written out, or as bytes in a debug dump.
    let as_bytes = |s: &str| {
        s.bytes()
            .map(|b| b.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let secrets = [
        name,
        phone,
        "Trabelsi",
        "98 765 432",
        "loyer",
        "Sami's phone",
        &lead.token,
        &volunteer.token,
        &code,
    ];
    for secret in secrets {
        assert!(!text.contains(secret), "the log holds {secret:?}");
        assert!(
            !text.contains(&as_bytes(secret)),
            "the log holds {secret:?} as bytes"
        );
    }
    for secret in ["Trabelsi", "765 432"] {
        let hex: String = secret.bytes().map(|b| format!("{b:02x}")).collect();
        assert!(!text.contains(&hex), "the log holds {secret:?} in hex");
    }
}
