//! The storage commands of `jiran-relay` (backup, restore, the operator's commands, `serve`
//! with a limits file) given what a careless operator or a hostile file gives them: each
//! exits non-zero with a message that names what is wrong, and changes nothing. Bad backups
//! are restored into a stopped copy of the area's relay, compared byte for byte after.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_hostile_storage_commands() {
    Canary::start("storage", "").await.run(cases()).await;
}

pub fn cases() -> Vec<Case> {
    vec![
        case!(restore_into_the_serving_relay, "`restore` of a good backup into the data directory the relay serves", "exit 1, \"a relay is serving … stop it first\"; nothing kept aside, no scratch folder"),
        case!(restore_an_empty_file, "`restore` of a 0-byte file", "exit 1, \"the file is empty\", \"nothing was changed\"; the data directory byte for byte the same"),
        case!(restore_random_bytes, "`restore` of 64 KiB of noise", "exit 1, \"it is not a SQLite database\"; nothing changed"),
        case!(restore_a_truncated_backup, "`restore` of the first half of a good backup", "exit 1, \"it is damaged\"; nothing changed"),
        case!(restore_a_foreign_sqlite_file, "`restore` of another program's SQLite database", "exit 1, \"it is not a jiran-relay database\"; nothing changed"),
        case!(restore_a_newer_schema, "`restore` of a backup whose `user_version` is 99", "exit 1, \"written by a newer jiran-relay\"; nothing changed"),
        case!(restore_a_backup_missing_a_table, "`restore` of a backup with its `devices` table dropped", "exit 1 naming `devices`; nothing changed"),
        case!(restore_a_backup_without_antennas, "`restore` of an empty relay's backup without `--allow-empty`", "exit 1 naming `--allow-empty`; nothing changed"),
        case!(restore_a_directory, "`restore` given a directory as the backup", "exit 1, \"cannot copy it\"; nothing changed"),
        case!(restore_a_missing_file, "`restore` of a path that does not exist", "exit 1 naming the path and \"cannot read it\"; nothing changed"),
        case!(backup_over_an_existing_file, "`backup` to a file that already exists (an older backup)", "exit 1, \"already exists\", \"nothing was written\"; the existing file byte for byte the same"),
        case!(backup_onto_the_relays_own_files, "`backup` to the data directory's `relay.sqlite3`, `relay.sqlite3-wal`, `relay.lock` and an unused `relay.sqlite3.replaced-…` name", "exit 1, \"one of the relay's own files\", \"nothing was written\"; each file as it was (or still absent)"),
        case!(serve_twice_on_one_data_directory, "a second `serve` on the data directory the relay serves", "exit 1, \"a relay is serving … stop it first\", never listening"),
        case!(limits_with_a_zero, "`serve --config` with `messages_per_second = 0`", "exit 1 naming the key and its range \"1 to 1000000\", never listening"),
        case!(limits_out_of_range, "`serve --config` with `max_queued_bytes_per_connection = 1024`", "exit 1 naming the key and \"65536 to 1073741824\""),
        case!(limits_with_an_unknown_key, "`serve --config` with `max_mesage_bytes` (a typo)", "exit 1 naming the unknown key"),
        case!(limits_with_a_wrong_type, "`serve --config` with `invite_days = \"seven\"`", "exit 1 naming `invite_days`"),
        case!(limits_that_are_not_toml, "`serve --config` with a file of binary noise", "exit 1 naming the file"),
        case!(limits_file_missing, "`serve --config` naming a file that does not exist", "exit 1, \"cannot read\" and the path"),
        case!(metrics_token_too_short, "`serve --config` with `metrics_token = \"short\"`", "exit 1, \"metrics_token must be at least 16 characters\"; the token not echoed"),
        case!(antenna_create_without_a_name, "`antenna create \"  \"`", "exit 1, \"the antenna name must be 1 to 200 characters\"; no antenna added"),
        case!(invite_create_for_an_unknown_antenna, "`invite create --antenna <random id>`", "exit 1, \"no antenna … on this relay\""),
        case!(invite_create_out_of_range, "`invite create --uses 0` and `--hours 9999` and `--role king`", "exit 1 with the range or the roles"),
        case!(device_revoke_unknown, "`device revoke NoSuchDevice`", "exit 1, \"no device NoSuchDevice on this relay\""),
        case!(data_directory_is_a_file, "`antenna list --data <a regular file>`", "exit 1 with a file-system error; the file untouched"),
    ]
}

/// Runs the relay binary with `args`: (success, stdout, stderr).
fn relay_cli(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(RELAY).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Every file of a directory, recursively, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let name = p.strip_prefix(dir).unwrap().display().to_string();
                out.insert(name, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// A good backup of the serving relay.
fn good_backup(c: &Canary) -> PathBuf {
    let target = c.files.path().join(format!("good-{}.sqlite3", rand_id()));
    let (ok, _, stderr) = relay_cli(&["backup", path(&target), "--data", path(c.data.path())]);
    assert!(ok, "{stderr}");
    target
}

/// Restores `backup` into a stopped copy of the relay (a data directory restored from a good
/// backup): asserts the refusal says `expected` and "nothing was changed", and that the copy
/// is byte for byte as it was.
fn refused_restore(c: &Canary, backup: &Path, expected: &str) {
    let copy = tempfile::tempdir().unwrap();
    let good = good_backup(c);
    let (ok, _, stderr) = relay_cli(&["restore", path(&good), "--data", path(copy.path())]);
    assert!(ok, "{stderr}");
    let before = snapshot(copy.path());
    let (ok, stdout, stderr) = relay_cli(&["restore", path(backup), "--data", path(copy.path())]);
    assert!(!ok, "restored: {stdout}");
    assert!(stderr.contains(expected), "{stderr:?} lacks {expected:?}");
    assert!(stderr.contains("nothing was changed"), "{stderr}");
    let after = snapshot(copy.path());
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "files came or went"
    );
    assert!(before == after, "the data directory changed");
}

fn scratch(c: &Canary, name: &str, bytes: &[u8]) -> PathBuf {
    let p = c.files.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

async fn restore_into_the_serving_relay(c: &Canary) {
    let good = good_backup(c);
    let (ok, _, stderr) = relay_cli(&["restore", path(&good), "--data", path(c.data.path())]);
    assert!(!ok);
    assert!(
        stderr.contains("a relay is serving") && stderr.contains("stop it first"),
        "{stderr}"
    );
    for entry in std::fs::read_dir(c.data.path()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            !name.contains("replaced-") && !name.starts_with(".restore"),
            "{name}"
        );
    }
}

async fn restore_an_empty_file(c: &Canary) {
    refused_restore(c, &scratch(c, "empty.sqlite3", b""), "the file is empty");
}

async fn restore_random_bytes(c: &Canary) {
    let noise: Vec<u8> = (0..64 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    refused_restore(
        c,
        &scratch(c, "noise.sqlite3", &noise),
        "it is not a SQLite database",
    );
}

async fn restore_a_truncated_backup(c: &Canary) {
    let bytes = std::fs::read(good_backup(c)).unwrap();
    assert!(bytes.len() >= 8 * 4096, "a backup of {} bytes", bytes.len());
    refused_restore(
        c,
        &scratch(c, "half.sqlite3", &bytes[..bytes.len() / 2]),
        "it is damaged",
    );
}

async fn restore_a_foreign_sqlite_file(c: &Canary) {
    let p = c.files.path().join("foreign.sqlite3");
    let db = rusqlite::Connection::open(&p).unwrap();
    db.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('hello');")
        .unwrap();
    drop(db);
    refused_restore(c, &p, "it is not a jiran-relay database");
}

async fn restore_a_newer_schema(c: &Canary) {
    let p = good_backup(c);
    let db = rusqlite::Connection::open(&p).unwrap();
    db.pragma_update(None, "user_version", 99).unwrap();
    drop(db);
    refused_restore(c, &p, "written by a newer jiran-relay");
}

async fn restore_a_backup_missing_a_table(c: &Canary) {
    let p = good_backup(c);
    let db = rusqlite::Connection::open(&p).unwrap();
    db.execute_batch("DROP TABLE devices;").unwrap();
    drop(db);
    refused_restore(c, &p, "devices");
}

async fn restore_a_backup_without_antennas(c: &Canary) {
    let empty = tempfile::tempdir().unwrap();
    let p = c.files.path().join("empty-relay.sqlite3");
    let (ok, _, stderr) = relay_cli(&["backup", path(&p), "--data", path(empty.path())]);
    assert!(ok, "{stderr}");
    refused_restore(c, &p, "--allow-empty");
}

async fn restore_a_directory(c: &Canary) {
    let dir = c.files.path().join("a-directory");
    std::fs::create_dir_all(&dir).unwrap();
    refused_restore(c, &dir, "cannot copy it");
}

async fn restore_a_missing_file(c: &Canary) {
    let p = c.files.path().join("no-such-backup.sqlite3");
    refused_restore(c, &p, "no-such-backup.sqlite3");
    refused_restore(c, &p, "cannot read it");
}

async fn backup_over_an_existing_file(c: &Canary) {
    let older = good_backup(c);
    let bytes = std::fs::read(&older).unwrap();
    let (ok, _, stderr) = relay_cli(&["backup", path(&older), "--data", path(c.data.path())]);
    assert!(!ok, "an existing file was overwritten");
    assert!(
        stderr.contains("already exists") && stderr.contains("nothing was written"),
        "{stderr}"
    );
    assert!(
        std::fs::read(&older).unwrap() == bytes,
        "the existing file changed"
    );
}

async fn backup_onto_the_relays_own_files(c: &Canary) {
    for name in [
        "relay.sqlite3",
        "relay.sqlite3-wal",
        "relay.lock",
        "relay.sqlite3.replaced-20991231T000000Z",
    ] {
        let target = in_data(c, name);
        let before = std::fs::read(&target).ok();
        let (ok, _, stderr) = relay_cli(&["backup", path(&target), "--data", path(c.data.path())]);
        assert!(!ok, "{name}: a backup was written over the relay's files");
        assert!(
            stderr.contains("one of the relay's own files"),
            "{name}: {stderr}"
        );
        assert!(stderr.contains("nothing was written"), "{name}: {stderr}");
        // The database and its log change as the relay writes: compare those by existence.
        if name == "relay.lock" || name.contains("replaced") {
            assert!(std::fs::read(&target).ok() == before, "{name} changed");
        } else {
            assert!(target.exists());
        }
    }
}

/// `serve` with `args`: asserts it exits non-zero within 10 s, never listening, with a
/// message containing each of `expected`; answers stderr.
fn serve_refused(data: &Path, args: &[&str], expected: &[&str]) -> String {
    let mut child = Command::new(RELAY)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`serve {args:?}` kept running");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(!out.status.success(), "{stdout}");
    assert!(!stdout.contains("listening"), "{stdout}");
    for e in expected {
        assert!(stderr.contains(e), "{stderr:?} lacks {e:?}");
    }
    stderr
}

/// `serve --config FILE` with `text` on a fresh data directory.
fn bad_limits(c: &Canary, text: &[u8], expected: &[&str]) -> String {
    let data = tempfile::tempdir().unwrap();
    let file = scratch(c, &format!("limits-{}.toml", rand_id()), text);
    serve_refused(data.path(), &["--config", path(&file)], expected)
}

async fn serve_twice_on_one_data_directory(c: &Canary) {
    serve_refused(c.data.path(), &[], &["a relay is serving", "stop it first"]);
}

async fn limits_with_a_zero(c: &Canary) {
    bad_limits(
        c,
        b"messages_per_second = 0\n",
        &["messages_per_second", "1 to 1000000"],
    );
}

async fn limits_out_of_range(c: &Canary) {
    bad_limits(
        c,
        b"max_queued_bytes_per_connection = 1024\n",
        &["max_queued_bytes_per_connection", "65536 to 1073741824"],
    );
}

async fn limits_with_an_unknown_key(c: &Canary) {
    bad_limits(c, b"max_mesage_bytes = 4096\n", &["max_mesage_bytes"]);
}

async fn limits_with_a_wrong_type(c: &Canary) {
    bad_limits(c, b"invite_days = \"seven\"\n", &["invite_days"]);
}

async fn limits_that_are_not_toml(c: &Canary) {
    bad_limits(c, b"\x00\xff\xfe = = [[", &["limits-"]);
}

async fn limits_file_missing(_c: &Canary) {
    let data = tempfile::tempdir().unwrap();
    serve_refused(
        data.path(),
        &["--config", "/nonexistent/limits.toml"],
        &["cannot read", "/nonexistent/limits.toml"],
    );
}

async fn metrics_token_too_short(c: &Canary) {
    let stderr = bad_limits(
        c,
        b"metrics_token = \"sh0rtT0ken\"\n",
        &["metrics_token must be at least 16 characters"],
    );
    assert!(
        !stderr.contains("sh0rtT0ken"),
        "the token is echoed: {stderr}"
    );
}

fn antenna_count(c: &Canary) -> usize {
    let (ok, stdout, stderr) = relay_cli(&["antenna", "list", "--data", path(c.data.path())]);
    assert!(ok, "{stderr}");
    stdout.lines().count()
}

async fn antenna_create_without_a_name(c: &Canary) {
    let before = antenna_count(c);
    let (ok, _, stderr) = relay_cli(&["antenna", "create", "  ", "--data", path(c.data.path())]);
    assert!(!ok);
    assert!(
        stderr.contains("the antenna name must be 1 to 200 characters"),
        "{stderr}"
    );
    assert_eq!(antenna_count(c), before);
}

async fn invite_create_for_an_unknown_antenna(c: &Canary) {
    let unknown = jiran_core::AntennaId::random().to_string();
    let (ok, stdout, stderr) = relay_cli(&[
        "invite",
        "create",
        "--antenna",
        &unknown,
        "--role",
        "lead",
        "--data",
        path(c.data.path()),
    ]);
    assert!(!ok, "{stdout}");
    assert!(
        stderr.contains(&format!("no antenna {unknown} on this relay")),
        "{stderr}"
    );
}

async fn invite_create_out_of_range(c: &Canary) {
    let antenna = c.lead.antenna.to_string();
    for (extra, expected) in [
        (["--uses", "0"], "uses must be between 1 and 1000"),
        (["--hours", "9999"], "hours must be between 1 and 2160"),
        (
            ["--role", "king"],
            "role must be lead, volunteer or observer",
        ),
    ] {
        let mut args = vec![
            "invite",
            "create",
            "--antenna",
            &antenna,
            "--data",
            path(c.data.path()),
        ];
        if extra[0] != "--role" {
            args.extend(["--role", "volunteer"]);
        }
        args.extend(extra);
        let (ok, stdout, stderr) = relay_cli(&args);
        assert!(!ok, "{extra:?}: {stdout}");
        assert!(stderr.contains(expected), "{extra:?}: {stderr}");
    }
}

async fn device_revoke_unknown(c: &Canary) {
    let (ok, _, stderr) = relay_cli(&[
        "device",
        "revoke",
        "NoSuchDevice",
        "--data",
        path(c.data.path()),
    ]);
    assert!(!ok);
    assert!(
        stderr.contains("no device NoSuchDevice on this relay"),
        "{stderr}"
    );
}

async fn data_directory_is_a_file(c: &Canary) {
    let file = scratch(c, "not-a-directory", b"precious");
    let (ok, _, stderr) = relay_cli(&["antenna", "list", "--data", path(&file)]);
    assert!(!ok);
    assert!(stderr.starts_with("jiran-relay: "), "{stderr}");
    assert!(
        stderr.contains("file system") || stderr.contains("storage"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"precious");
}
