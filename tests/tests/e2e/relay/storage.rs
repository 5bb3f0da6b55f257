//! Real storage failures on a real relay process: a full database (the operator's quota,
//! which SQLite enforces exactly as a full disk) and a damaged stored document. Each closes
//! only the connections it affects, with a clear reason, logs an error without personal
//! data, and leaves everything stored intact.

use std::path::Path;

use automerge::transaction::Transactable;
use automerge::{Automerge, ScalarValue, ROOT};

use crate::support::*;

/// A document holding `len` bytes no compressor shrinks (a scanned paper, say).
fn large_document(len: usize) -> Automerge {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let mut doc = Automerge::new();
    let mut tx = doc.transaction();
    tx.put(ROOT, "scan", ScalarValue::Bytes(bytes)).unwrap();
    tx.commit();
    doc
}

fn log_of(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[tokio::test]
async fn test_a_full_database_closes_the_writer_with_a_clear_reason_and_keeps_serving_reads() {
    let dir = tempfile::tempdir().unwrap();
    let (_, code) = create_antenna(dir.path(), "La Marsa");
    let config = dir.path().join("limits.toml");
    std::fs::write(
        &config,
        format!("max_storage_mb = 1\nmetrics_token = \"{METRICS_TOKEN}\"\n"),
    )
    .unwrap();
    let log = dir.path().join("relay.log");
    let relay = Relay::start_logging(dir.path(), &["--config", config.to_str().unwrap()], &log);
    let lead = join(&relay, &code, "lead");
    let volunteer = invite_and_join(&relay, &lead, "volunteer");

    // A household document fits.
    let kept = rand_id();
    let mut small = doc_with("name", "Famille Trabelsi");
    assert_eq!(
        connect(&relay, &lead).await.sync(&kept, &mut small).await,
        Outcome::Synced
    );

    // A 2 MB scan does not: the sender is closed with 4500 and told why.
    let mut large = large_document(2 * 1024 * 1024);
    let outcome = connect(&relay, &volunteer)
        .await
        .sync_within(&rand_id(), &mut large, std::time::Duration::from_secs(30))
        .await;
    match outcome {
        Outcome::Closed(4500, reason) => {
            assert!(reason.contains("could not store"), "{reason}")
        }
        other => panic!("expected a storage close, got {other:?}"),
    }

    // The error is in the log, without the household's data; the relay goes on serving what
    // it has, to every device.
    let text = log_of(&log);
    assert!(text.contains("storing changes failed"), "{text}");
    assert!(text.contains("full"), "{text}");
    assert!(!text.contains("Trabelsi"));
    let (outcome, fetched) = fetch(&relay, &volunteer, &kept).await;
    assert_eq!(outcome, Outcome::Synced);
    assert_eq!(get(&fetched, "name").as_deref(), Some("Famille Trabelsi"));
    let (status, _) = call("GET", &format!("{}/healthz", relay.url), None);
    assert_eq!(status, 200);
    let (_, metrics) = metrics(&relay);
    let errors = metrics
        .lines()
        .find(|l| l.starts_with("jiran_sync_errors_total"))
        .and_then(|l| l.split_whitespace().last()?.parse::<u64>().ok())
        .unwrap_or(0);
    assert!(errors >= 1, "{metrics}");

    // With a larger quota, the same device stores the same document.
    drop(relay);
    std::fs::write(&config, "max_storage_mb = 64\n").unwrap();
    let relay = Relay::start_logging(dir.path(), &["--config", config.to_str().unwrap()], &log);
    let id = rand_id();
    // (Debug builds take seconds to store and snapshot 2 MB: a patient device.)
    let patient = std::time::Duration::from_secs(30);
    assert_eq!(
        connect(&relay, &volunteer)
            .await
            .sync_within(&id, &mut large, patient)
            .await,
        Outcome::Synced,
        "{}",
        log_of(&log)
    );
    let mut fetched = Automerge::new();
    let outcome = connect(&relay, &lead)
        .await
        .sync_within(&id, &mut fetched, patient)
        .await;
    assert_eq!(outcome, Outcome::Synced);
    assert_eq!(fetched.get_heads(), large.get_heads());
}

#[tokio::test]
async fn test_a_damaged_document_closes_only_its_readers_with_a_clear_reason() {
    let (dir, relay, lead) = relay_with_lead();
    let (damaged, intact) = (rand_id(), rand_id());
    for id in [&damaged, &intact] {
        let mut doc = doc_with("k", "v");
        assert_eq!(
            connect(&relay, &lead).await.sync(id, &mut doc).await,
            Outcome::Synced
        );
    }
    drop(relay);

    // Bit rot in one stored change.
    let db = rusqlite::Connection::open(dir.path().join("relay.sqlite3")).unwrap();
    let rows = db
        .execute(
            "UPDATE changes SET bytes = zeroblob(length(bytes)) WHERE doc_id = ?1",
            [&damaged],
        )
        .unwrap();
    assert!(rows >= 1);
    drop(db);

    let log = dir.path().join("relay.log");
    let relay = Relay::start_logging(dir.path(), &[], &log);
    let (outcome, _) = fetch(&relay, &lead, &damaged).await;
    match outcome {
        Outcome::Closed(4500, reason) => assert!(reason.contains("could not"), "{reason}"),
        other => panic!("expected a storage close, got {other:?}"),
    }
    assert!(log_of(&log).contains("damaged"), "{}", log_of(&log));
    let (outcome, doc) = fetch(&relay, &lead, &intact).await;
    assert_eq!(outcome, Outcome::Synced);
    assert_eq!(get(&doc, "k").as_deref(), Some("v"));
}
