//! A relay process, HTTP calls and a minimal automerge-repo websocket client.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT};
use futures_util::{SinkExt, StreamExt};
use jiran_core::sync::protocol::{Message, PeerMetadata};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest};

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
        let mut child = Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
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

/// How a sync ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Both sides have the same heads.
    Synced,
    /// The relay said the document is unavailable.
    Unavailable,
    /// Nothing more came within the idle time.
    Idle,
    /// The relay closed the connection.
    Closed(u16, String),
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A minimal automerge-repo client.
pub struct Peer {
    pub ws: Ws,
    pub id: String,
    pub relay: String,
}

/// Opens a websocket; `Err(status)` if the upgrade is refused.
pub async fn open(url: &str, token: Option<&str>) -> Result<Ws, u16> {
    let mut request = url.into_client_request().unwrap();
    if let Some(token) = token {
        request
            .headers_mut()
            .insert("Authorization", format!("Bearer {token}").parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((ws, _)) => Ok(ws),
        Err(tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
        Err(e) => panic!("connect: {e}"),
    }
}

impl Peer {
    pub async fn connect(relay: &Relay, device: &Device) -> Peer {
        let ws = open(&relay.ws_url(), Some(&device.token))
            .await
            .expect("upgrade accepted");
        let mut peer = Peer {
            ws,
            id: format!("peer-{}", rand_id()),
            relay: String::new(),
        };
        let join = Message::Join {
            sender_id: peer.id.clone(),
            peer_metadata: PeerMetadata {
                storage_id: None,
                is_ephemeral: true,
            },
            supported_protocol_versions: vec!["1".into()],
        };
        peer.send_raw(join.encode()).await;
        match peer.next(Duration::from_secs(5)).await {
            Some(Ok(Message::Peer { sender_id, .. })) => peer.relay = sender_id,
            other => panic!("expected `peer`, got {other:?}"),
        }
        peer
    }

    pub async fn send_raw(&mut self, bytes: Vec<u8>) {
        let _ = self
            .ws
            .send(tungstenite::Message::Binary(bytes.into()))
            .await;
    }

    /// The next protocol message, or `Err((code, reason))` when the relay closed.
    pub async fn next(&mut self, wait: Duration) -> Option<Result<Message, (u16, String)>> {
        loop {
            let frame = tokio::time::timeout(wait, self.ws.next()).await.ok()??;
            match frame {
                Ok(tungstenite::Message::Binary(b)) => {
                    return Some(Ok(Message::decode(&b).expect("relay sent valid CBOR")))
                }
                Ok(tungstenite::Message::Close(Some(f))) => {
                    return Some(Err((f.code.into(), f.reason.to_string())))
                }
                Ok(tungstenite::Message::Close(None)) | Err(_) => {
                    return Some(Err((1006, String::new())))
                }
                Ok(_) => continue,
            }
        }
    }

    /// Syncs `doc` (id `doc_id`) with the relay until both agree, it is unavailable, nothing
    /// more comes, or the relay closes.
    pub async fn sync(&mut self, doc_id: &str, doc: &mut Automerge) -> Outcome {
        let mut state = sync::State::new();
        let first = doc
            .generate_sync_message(&mut state)
            .expect("a first message")
            .encode();
        let message = if doc.get_heads().is_empty() {
            Message::Request {
                sender_id: self.id.clone(),
                target_id: self.relay.clone(),
                document_id: doc_id.into(),
                data: first,
            }
        } else {
            Message::Sync {
                sender_id: self.id.clone(),
                target_id: self.relay.clone(),
                document_id: doc_id.into(),
                data: first,
            }
        };
        self.send_raw(message.encode()).await;
        loop {
            match self.next(Duration::from_millis(1500)).await {
                None => return Outcome::Idle,
                Some(Err((code, reason))) => return Outcome::Closed(code, reason),
                Some(Ok(Message::DocUnavailable { .. })) => return Outcome::Unavailable,
                Some(Ok(Message::Sync {
                    data, document_id, ..
                })) if document_id == doc_id => {
                    doc.receive_sync_message(&mut state, sync::Message::decode(&data).unwrap())
                        .unwrap();
                    let agreed = state.their_heads.as_deref() == Some(&doc.get_heads()[..]);
                    if let Some(reply) = doc.generate_sync_message(&mut state) {
                        let message = Message::Sync {
                            sender_id: self.id.clone(),
                            target_id: self.relay.clone(),
                            document_id: doc_id.into(),
                            data: reply.encode(),
                        };
                        self.send_raw(message.encode()).await;
                    }
                    if agreed && !doc.get_heads().is_empty() {
                        return Outcome::Synced;
                    }
                }
                Some(Ok(Message::Error { .. })) => {}
                Some(Ok(_)) => {}
            }
        }
    }
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
    let mut peer = Peer::connect(relay, device).await;
    let mut doc = Automerge::new();
    let outcome = peer.sync(doc_id, &mut doc).await;
    (outcome, doc)
}
