//! A relay process, HTTP calls and a minimal automerge-repo websocket client.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT};
use serde_json::{json, Value};

pub const BIN: &str = env!("CARGO_BIN_EXE_jiran-relay");

/// A relay process on 127.0.0.1, killed when dropped.
pub struct Relay {
    pub child: Child,
    pub url: String,
}

impl Relay {
    pub fn start(data: &Path) -> Relay {
        Relay::start_with(data, &[])
    }

    pub fn start_with(data: &Path, extra: &[&str]) -> Relay {
        Relay::spawn(data, extra, Stdio::null())
    }

    /// A relay whose log (stderr) goes to the file `log`.
    pub fn start_logging(data: &Path, extra: &[&str], log: &Path) -> Relay {
        Relay::spawn(data, extra, std::fs::File::create(log).unwrap().into())
    }

    fn spawn(data: &Path, extra: &[&str], stderr: Stdio) -> Relay {
        let mut child = Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line.trim().rsplit(' ').next().unwrap().to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "relay said {line:?}");
        Relay { child, url }
    }

    pub fn ws_url(&self) -> String {
        format!("{}/v1/sync", self.url.replace("http://", "ws://"))
    }

    pub fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `jiran-relay antenna create NAME`: (antenna id, lead invite code).
pub fn create_antenna(data: &Path, name: &str) -> (String, String) {
    let out = Command::new(BIN)
        .args(["antenna", "create", name, "--data"])
        .arg(data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    (
        v["antenna_id"].as_str().unwrap().into(),
        v["invite_code"].as_str().unwrap().into(),
    )
}

/// Runs `jiran-relay COMMAND PATH --data DIR` to completion.
pub fn relay_command(command: &str, path: &Path, data: &Path) -> std::process::Output {
    Command::new(BIN)
        .arg(command)
        .arg(path)
        .arg("--data")
        .arg(data)
        .output()
        .unwrap()
}

/// A relay with one antenna and its first lead.
pub fn relay_with_lead() -> (tempfile::TempDir, Relay, Device) {
    let dir = tempfile::tempdir().unwrap();
    let (_, code) = create_antenna(dir.path(), "La Marsa");
    let relay = Relay::start(dir.path());
    let lead = join(&relay, &code, "lead");
    (dir, relay, lead)
}

/// Asserts the relay still serves `device`: a new document syncs.
pub async fn assert_serves(relay: &Relay, device: &Device) {
    let mut doc = doc_with("k", "v");
    let outcome = connect(relay, device)
        .await
        .sync(&rand_id(), &mut doc)
        .await;
    assert_eq!(outcome, Outcome::Synced, "the relay still serves");
}

/// A relay started with these limits (TOML) and its first lead.
pub fn relay_with_limits(limits: &str) -> (tempfile::TempDir, Relay, Device) {
    let dir = tempfile::tempdir().unwrap();
    let (_, code) = create_antenna(dir.path(), "La Marsa");
    let config = dir.path().join("limits.toml");
    std::fs::write(&config, limits).unwrap();
    let relay = Relay::start_with(dir.path(), &["--config", config.to_str().unwrap()]);
    let lead = join(&relay, &code, "lead");
    (dir, relay, lead)
}

/// `POST` returning (status, body).
pub fn post(url: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut request = agent.post(url);
    if let Some(token) = token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    let mut response = request.send_json(body).unwrap();
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .read_json::<Value>()
        .unwrap_or(Value::Null);
    (status, body)
}

/// `GET` or `DELETE` returning (status, body text).
pub fn call(method: &str, url: &str, token: Option<&str>) -> (u16, String) {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut response = match (method, token) {
        ("DELETE", Some(t)) => agent
            .delete(url)
            .header("Authorization", &format!("Bearer {t}"))
            .call(),
        ("DELETE", None) => agent.delete(url).call(),
        (_, Some(t)) => agent
            .get(url)
            .header("Authorization", &format!("Bearer {t}"))
            .call(),
        (_, None) => agent.get(url).call(),
    }
    .unwrap();
    (
        response.status().as_u16(),
        response.body_mut().read_to_string().unwrap_or_default(),
    )
}

/// A device: its token and antenna.
#[derive(Clone, Debug)]
pub struct Device {
    pub id: String,
    pub token: String,
    pub antenna: String,
}

/// Joins with an invite code.
pub fn join(relay: &Relay, code: &str, name: &str) -> Device {
    let (status, body) = post(
        &format!("{}/v1/join", relay.url),
        None,
        json!({ "invite_code": code, "device_name": name }),
    );
    assert_eq!(status, 200, "{body}");
    Device {
        id: body["device_id"].as_str().unwrap().into(),
        token: body["device_token"].as_str().unwrap().into(),
        antenna: body["antenna_id"].as_str().unwrap().into(),
    }
}

/// A lead invites a device with `role` and it joins.
pub fn invite(relay: &Relay, lead: &Device, role: &str) -> Device {
    let (status, body) = post(
        &format!("{}/v1/antennas/{}/invites", relay.url, lead.antenna),
        Some(&lead.token),
        json!({ "role": role }),
    );
    assert_eq!(status, 200, "{body}");
    join(relay, body["invite_code"].as_str().unwrap(), role)
}

/// A relay with two antennas: a lead, a volunteer and an observer in the first, a lead in the
/// second.
pub struct World {
    pub relay: Relay,
    pub lead: Device,
    pub volunteer: Device,
    pub observer: Device,
    pub stranger: Device,
    pub _dir: tempfile::TempDir,
}

pub fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let (_, code_a) = create_antenna(dir.path(), "La Marsa");
    let (_, code_b) = create_antenna(dir.path(), "Beni Khalled");
    let relay = Relay::start(dir.path());
    let lead = join(&relay, &code_a, "lead");
    let volunteer = invite(&relay, &lead, "volunteer");
    let observer = invite(&relay, &lead, "observer");
    let stranger = join(&relay, &code_b, "stranger");
    World {
        relay,
        lead,
        volunteer,
        observer,
        stranger,
        _dir: dir,
    }
}

pub use jiran_tests::client::{open, Outcome, Peer};

/// Connects a device to the relay and joins.
pub async fn connect(relay: &Relay, device: &Device) -> Peer {
    Peer::connect(&relay.ws_url(), Some(&device.token)).await
}

pub fn rand_id() -> String {
    jiran_core::DocumentId::random().to_string()
}

/// A document with one key set.
pub fn doc_with(key: &str, value: &str) -> Automerge {
    let mut doc = Automerge::new();
    let mut tx = doc.transaction();
    tx.put(ROOT, key, value).unwrap();
    tx.commit();
    doc
}

/// Adds a key to a document.
pub fn put(doc: &mut Automerge, key: &str, value: &str) {
    let mut tx = doc.transaction();
    tx.put(ROOT, key, value).unwrap();
    tx.commit();
}

/// The string at `key`.
pub fn get(doc: &Automerge, key: &str) -> Option<String> {
    use automerge::ReadDoc;
    doc.get(ROOT, key)
        .unwrap()
        .and_then(|(v, _)| v.into_string().ok())
}

/// Fetches a document from the relay as `device`.
pub async fn fetch(relay: &Relay, device: &Device, doc_id: &str) -> (Outcome, Automerge) {
    let mut peer = connect(relay, device).await;
    let mut doc = Automerge::new();
    let outcome = peer.sync(doc_id, &mut doc).await;
    (outcome, doc)
}
