//! Operating the relay: health, metrics, backup and restore, refusing newer data.

use std::process::Command;

use crate::support::*;

#[tokio::test]
async fn test_health_readiness_and_metrics_answer() {
    let w = world();
    assert_eq!(
        call("GET", &format!("{}/healthz", w.relay.url), None),
        (200, "ok".into())
    );
    assert_eq!(call("GET", &format!("{}/readyz", w.relay.url), None).0, 200);
    let mut doc = doc_with("k", "v");
    let mut peer = connect(&w.relay, &w.lead).await;
    assert_eq!(peer.sync(&rand_id(), &mut doc).await, Outcome::Synced);
    let (status, text) = metrics(&w.relay);
    assert_eq!(status, 200);
    for name in [
        "jiran_connections 1",
        "jiran_resident_documents 1",
        "jiran_messages_in_total",
        "jiran_bytes_out_total",
        "jiran_storage_bytes",
        "jiran_sync_errors_total",
    ] {
        assert!(text.contains(name), "{name} in\n{text}");
    }
}

#[tokio::test]
async fn test_backup_while_serving_and_restore_round_trip() {
    let (dir, relay, lead) = relay_with_lead();
    let kept = rand_id();
    let mut doc = doc_with("k", "before backup");
    assert_eq!(
        connect(&relay, &lead).await.sync(&kept, &mut doc).await,
        Outcome::Synced
    );

    let backup = dir.path().join("backup.sqlite3");
    let out = relay_command("backup", &backup, dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let later = rand_id();
    let mut doc = doc_with("k", "after backup");
    assert_eq!(
        connect(&relay, &lead).await.sync(&later, &mut doc).await,
        Outcome::Synced
    );

    // Refused while serving.
    let out = relay_command("restore", &backup, dir.path());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("serving"));
    relay.kill9();

    let out = relay_command("restore", &backup, dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let relay = Relay::start(dir.path());
    let (outcome, doc) = fetch(&relay, &lead, &kept).await;
    assert_eq!(outcome, Outcome::Synced);
    assert_eq!(get(&doc, "k").as_deref(), Some("before backup"));
    assert_eq!(
        fetch(&relay, &lead, &later).await.0,
        Outcome::Unavailable,
        "the backup predates it"
    );

    // A file that is not a relay database is not restored.
    std::fs::write(dir.path().join("junk"), b"junk").unwrap();
    drop(relay);
    let out = relay_command("restore", &dir.path().join("junk"), dir.path());
    assert!(!out.status.success());
}

#[test]
fn test_a_data_directory_from_a_newer_relay_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    create_antenna(dir.path(), "La Marsa");
    let db = rusqlite::Connection::open(dir.path().join("relay.sqlite3")).unwrap();
    db.pragma_update(None, "user_version", 99).unwrap();
    drop(db);
    let out = Command::new(RELAY)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("newer jiran-relay"));
}

#[tokio::test]
async fn test_sigterm_closes_websockets_with_going_away_and_keeps_the_data() {
    let (dir, relay, lead) = relay_with_lead();
    let id = rand_id();
    let mut doc = doc_with("k", "kept");
    let mut peer = connect(&relay, &lead).await;
    assert_eq!(peer.sync(&id, &mut doc).await, Outcome::Synced);
    let status = Command::new("kill")
        .args(["-TERM", &relay.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    match peer.next(std::time::Duration::from_secs(10)).await {
        Some(Err((code, _))) => assert_eq!(code, 1001),
        other => panic!("expected going away, got {other:?}"),
    }
    let mut relay = relay;
    let exit = relay.child.wait().unwrap();
    assert!(exit.success(), "the relay exits cleanly on SIGTERM");
    let relay = Relay::start(dir.path());
    let (outcome, doc) = fetch(&relay, &lead, &id).await;
    assert_eq!(outcome, Outcome::Synced);
    assert_eq!(get(&doc, "k").as_deref(), Some("kept"));
}

#[test]
fn test_a_damaged_database_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("relay.sqlite3"),
        b"this is not a database at all".repeat(200),
    )
    .unwrap();
    let out = Command::new(RELAY)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("damaged"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `relay ARGS…` to completion: its JSON lines (stdout) and whether it succeeded.
fn operator(args: &[&str]) -> (bool, Vec<serde_json::Value>, String) {
    let out = Command::new(RELAY).args(args).output().unwrap();
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (
        out.status.success(),
        lines,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn test_the_operator_lists_antennas_and_devices_revokes_one_and_gives_an_orphaned_antenna_a_lead(
) {
    let (dir, relay, lead) = relay_with_lead();
    let volunteer = invite_and_join(&relay, &lead, "volunteer");
    let data = dir.path().to_str().unwrap();

    let (ok, antennas, err) = operator(&["antenna", "list", "--data", data]);
    assert!(ok, "{err}");
    assert_eq!(antennas.len(), 1);
    assert_eq!(antennas[0]["antenna_id"], lead.antenna.to_string());
    assert_eq!(antennas[0]["devices"], 2);

    let antenna = lead.antenna.to_string();
    let (ok, devices, err) = operator(&["device", "list", "--antenna", &antenna, "--data", data]);
    assert!(ok, "{err}");
    let mut roles: Vec<_> = devices
        .iter()
        .map(|d| d["role"].as_str().unwrap())
        .collect();
    roles.sort();
    assert_eq!(roles, ["lead", "volunteer"]);
    assert!(devices
        .iter()
        .all(|d| d["device_id"].is_string() && d.get("token").is_none()));

    // The lead's phone is lost: the operator revokes it, and it is refused from then on.
    let (ok, revoked, err) = operator(&["device", "revoke", &lead.id, "--data", data]);
    assert!(ok, "{err}");
    assert_eq!(revoked[0]["leads_left"], 0);
    let mut again = jiran_tests::client::Peer::unjoined(
        jiran_tests::client::open(&relay.ws_url(), Some(&lead.token))
            .await
            .unwrap(),
    );
    assert!(
        matches!(
            again.next(std::time::Duration::from_secs(5)).await,
            Some(Err((4003, _)))
        ),
        "a revoked device is told to wipe the antenna"
    );

    // The recovery path: a lead invite, which a new phone redeems as the antenna's lead.
    let (ok, made, err) = operator(&[
        "invite",
        "create",
        "--antenna",
        &antenna,
        "--role",
        "lead",
        "--data",
        data,
    ]);
    assert!(ok, "{err}");
    assert!(
        !err.contains(made[0]["invite_code"].as_str().unwrap()),
        "the log holds the code"
    );
    let new_lead = join(
        &relay,
        made[0]["invite_code"].as_str().unwrap(),
        "new phone",
    );
    let code = invite(&relay.url, &new_lead.token, new_lead.antenna, "observer");
    assert!(!code.is_empty(), "the new lead invites");
    assert_serves(&relay, &volunteer).await;

    // Bad input: a clear error, nothing changed.
    for args in [
        vec!["device", "revoke", "nobody", "--data", data],
        vec![
            "device",
            "list",
            "--antenna",
            "not-an-antenna",
            "--data",
            data,
        ],
        vec![
            "invite",
            "create",
            "--antenna",
            &antenna,
            "--role",
            "king",
            "--data",
            data,
        ],
        vec![
            "invite",
            "create",
            "--antenna",
            &antenna,
            "--role",
            "lead",
            "--uses",
            "0",
            "--data",
            data,
        ],
    ] {
        let (ok, _, err) = operator(&args);
        assert!(!ok, "{args:?} succeeded");
        assert!(err.contains("jiran-relay:"), "{args:?}: {err}");
    }
}

#[test]
fn test_the_last_lead_cannot_revoke_itself() {
    let (_dir, relay, lead) = relay_with_lead();
    let url = format!(
        "{}/v1/antennas/{}/devices/{}",
        relay.url, lead.antenna, lead.id
    );
    let (status, body) = call("DELETE", &url, Some(&lead.token));
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("last lead"), "{body}");
    // With a second lead, it may.
    let second = invite_and_join(&relay, &lead, "lead");
    assert!(!second.token.is_empty());
    let (status, body) = call("DELETE", &url, Some(&lead.token));
    assert_eq!(status, 204, "{body}");
}
