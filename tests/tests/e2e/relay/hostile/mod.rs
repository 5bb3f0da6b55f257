//! The hostile-input catalogue (issue 17, item 2): what a broken or hostile client, or a
//! careless operator, may send the relay, one table entry a case, in six areas (one file
//! each): the HTTP API, the websocket handshake, the wire protocol, Automerge content, the
//! storage commands and the resource limits. `docs/hostile-inputs.md` lists every case;
//! [`test_the_catalogue_and_docs_hostile_inputs_md_list_the_same_cases`] keeps the two equal
//! (`JIRAN_WRITE_HOSTILE_DOC=1` rewrites the list from the code).
//!
//! Each area runs one real relay process (with the limits its cases need, at
//! `RUST_LOG=trace`, its log in a file) and an honest lead's phone (a `jiran_core` store and
//! sync engine) that registers the **canary household** and syncs it before the cases. Each
//! case sends its hostile input and asserts the specific error (HTTP status and JSON error,
//! close code and reason, `error` message, exit code and message). After every case the
//! area asserts no harm ([`Canary::assert_unharmed`]): the relay process is alive,
//! `/healthz` answers, and an honest device fetching the canary household gets it whole (the
//! lead's heads, name, phone and need). At the end ([`Canary::finish`]): a new honest phone
//! joins and reads the canary household, the lead's next change is acknowledged and survives
//! a SIGKILL of the relay, and the relay's log holds none of the canary's personal data, no
//! device name, token or invite code.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

use automerge::{Automerge, ChangeHash, ReadDoc};
use jiran_core::sync::protocol::Message;
use jiran_core::testing::{family, need};
use jiran_core::{HouseholdId, NeedCategory};
use jiran_tests::phone::Phone;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::*;

/// One hostile input: its name, what it sends, what it asserts, and the case itself.
pub struct Case {
    /// A name, unique in its area (the function's).
    pub name: &'static str,
    /// What it sends, in one line.
    pub sends: &'static str,
    /// The error it asserts, in one line.
    pub asserts: &'static str,
    /// Sends the input and asserts the answer.
    pub run: Run,
}

/// A case's body.
pub type Run = for<'a> fn(&'a Canary) -> Pin<Box<dyn Future<Output = ()> + 'a>>;

/// `case!(function, "what it sends", "what it asserts")`.
macro_rules! case {
    ($name:ident, $sends:literal, $asserts:literal) => {
        $crate::relay::hostile::Case {
            name: stringify!($name),
            sends: $sends,
            asserts: $asserts,
            run: |c| Box::pin($name(c)),
        }
    };
}

mod content;
mod handshake;
mod http;
mod limits;
mod storage;
mod wire;

/// Every area with its cases, in the order of `docs/hostile-inputs.md`.
fn catalogue() -> Vec<(&'static str, Vec<Case>)> {
    vec![
        ("http", http::cases()),
        ("handshake", handshake::cases()),
        ("wire", wire::cases()),
        ("content", content::cases()),
        ("storage", storage::cases()),
        ("limits", limits::cases()),
    ]
}

/// The canary household: distinctive enough that finding it in a log is never chance.
pub const CANARY_NAME: &str = "Zoubeida Canari-Hostile";
/// Its phone number.
pub const CANARY_PHONE: &str = "+216 29 417 063";
/// Its need.
pub const CANARY_NEED: &str = "semoule et lait pour Zoubeida";

/// An area's relay, its honest lead with the canary household, and the other devices the
/// cases act as.
pub struct Canary {
    /// The area's name (in failure messages).
    pub area: &'static str,
    /// The relay process, at `RUST_LOG=trace`.
    pub relay: Relay,
    /// The honest lead's phone, which registered the canary household.
    pub lead: Phone,
    /// The lead's credentials (its phone's token), for HTTP calls as the lead.
    pub lead_creds: Credentials,
    /// The canary household.
    pub household: HouseholdId,
    /// Its document id.
    pub household_doc: String,
    /// An honest volunteer's device (no key), which fetches the canary after each case.
    pub witness: Credentials,
    /// The volunteer whose modified phone attacks.
    pub volunteer: Credentials,
    /// An observer of the antenna.
    pub observer: Credentials,
    /// The lead of a second antenna on the relay, "Beni Khalled".
    pub stranger: Credentials,
    /// Where the relay's log goes, and scratch files of the cases.
    pub files: tempfile::TempDir,
    /// The relay's data directory.
    pub data: tempfile::TempDir,
    /// A household the lead erased (the content area's resurrection case).
    pub erased: Mutex<Option<String>>,
    /// The canary's heads as its lead's phone holds them.
    heads: Mutex<Vec<ChangeHash>>,
    /// What must never appear in the log: the canary's data, device names, tokens, codes.
    secrets: Mutex<Vec<String>>,
}

impl Canary {
    /// A relay with `limits` (TOML; the metrics token is added) serving "La Marsa" (the lead's
    /// phone, the canary household, a witness, a volunteer and an observer) and "Beni
    /// Khalled" (the stranger).
    pub async fn start(area: &'static str, limits: &str) -> Canary {
        let data = tempfile::tempdir().unwrap();
        let files = tempfile::tempdir().unwrap();
        let (_, code) = create_antenna(data.path(), "La Marsa");
        let (_, stranger_code) = create_antenna(data.path(), "Beni Khalled");
        let config = files.path().join("limits.toml");
        std::fs::write(
            &config,
            format!("{limits}\nmetrics_token = \"{METRICS_TOKEN}\"\n"),
        )
        .unwrap();
        let log = files.path().join("relay.log");
        let relay = Relay::start_logging_with(
            data.path(),
            &["--config", config.to_str().unwrap()],
            "trace",
            &log,
        );
        let lead = Phone::join(&relay.url, &code, "Leila").await;
        lead.synced().await;
        let household = lead
            .store
            .register_household(lead.antenna, family(CANARY_NAME, CANARY_PHONE))
            .unwrap();
        lead.store
            .add_need(household, need(NeedCategory::Food, CANARY_NEED))
            .unwrap();
        lead.synced().await;
        let link = lead.store.relay_link(lead.antenna).unwrap().unwrap();
        let lead_creds = Credentials {
            id: link.device_id,
            token: link.token,
            antenna: lead.antenna,
        };
        let witness = invite_and_join(&relay, &lead_creds, "volunteer");
        let volunteer = invite_and_join(&relay, &lead_creds, "volunteer");
        let observer = invite_and_join(&relay, &lead_creds, "observer");
        let stranger = join(&relay, &stranger_code, "stranger");
        let secrets = [
            CANARY_NAME,
            CANARY_PHONE,
            CANARY_NEED,
            "Zoubeida",
            "29 417 063",
            "Leila's phone",
            &code,
            &stranger_code,
            &lead_creds.token,
            &witness.token,
            &volunteer.token,
            &observer.token,
            &stranger.token,
            METRICS_TOKEN,
        ]
        .map(str::to_owned)
        .to_vec();
        let canary = Canary {
            area,
            household_doc: household.document().to_string(),
            heads: Mutex::new(Vec::new()),
            erased: Mutex::new(None),
            secrets: Mutex::new(secrets),
            relay,
            lead,
            lead_creds,
            household,
            witness,
            volunteer,
            observer,
            stranger,
            files,
            data,
        };
        canary.refresh_heads();
        canary.assert_unharmed("setup").await;
        canary
    }

    /// Runs every case in order, asserting no harm after each; a failed case does not stop
    /// the others (each failure is printed as it happens, and all are listed at the end).
    pub async fn run(self, cases: Vec<Case>) {
        use futures_util::FutureExt;
        assert!(!cases.is_empty());
        let mut failed = Vec::new();
        // For debugging: JIRAN_HOSTILE_ONLY=name,name runs only those cases.
        let only = std::env::var("JIRAN_HOSTILE_ONLY").ok();
        for case in &cases {
            if only
                .as_deref()
                .is_some_and(|only| !only.split(',').any(|n| n == case.name))
            {
                continue;
            }
            let started = std::time::Instant::now();
            let outcome = std::panic::AssertUnwindSafe(async {
                (case.run)(&self).await;
                self.assert_unharmed(case.name).await;
            })
            .catch_unwind()
            .await;
            let verdict = if outcome.is_ok() { "passed" } else { "FAILED" };
            println!(
                "{}/{}: {verdict} in {:?}",
                self.area,
                case.name,
                started.elapsed()
            );
            if outcome.is_err() {
                failed.push(case.name);
            }
        }
        let area = self.area;
        self.finish().await;
        assert!(failed.is_empty(), "{area}: cases failed: {failed:?}");
    }

    /// Something that must never be in the log (a token or code a case made).
    pub fn secret(&self, secret: impl Into<String>) {
        self.secrets.lock().unwrap().push(secret.into());
    }

    /// The canary's heads on the lead's phone, sorted.
    fn refresh_heads(&self) {
        let mut heads = self
            .lead
            .store
            .replication()
            .heads(self.household.document())
            .unwrap()
            .expect("the lead holds the canary");
        heads.sort();
        *self.heads.lock().unwrap() = heads;
    }

    /// Whether the relay process is still running (not gone, not a zombie).
    pub fn relay_alive(&self) -> bool {
        std::fs::read_to_string(format!("/proc/{}/stat", self.relay.child.id()))
            .ok()
            .and_then(|stat| {
                let state = stat.rsplit(')').next()?.trim_start().chars().next()?;
                Some(state != 'Z' && state != 'X')
            })
            .unwrap_or(false)
    }

    /// The relay is alive, `/healthz` answers `ok`, and an honest device gets the canary
    /// household whole: the lead's heads, with its name, phone and need.
    pub async fn assert_unharmed(&self, case: &str) {
        let at = format!("{}/{case}", self.area);
        assert!(self.relay_alive(), "{at}: the relay process is gone");
        let (status, body) = call("GET", &format!("{}/healthz", self.relay.url), None);
        assert_eq!((status, body.as_str()), (200, "ok"), "{at}: /healthz");
        let (outcome, doc) = fetch(&self.relay, &self.witness, &self.household_doc).await;
        assert_eq!(outcome, Outcome::Synced, "{at}: the canary is not served");
        let mut heads = doc.get_heads();
        heads.sort();
        assert_eq!(
            heads,
            *self.heads.lock().unwrap(),
            "{at}: the canary's heads changed"
        );
        let texts = strings(&doc);
        for expected in [CANARY_NAME, CANARY_PHONE, CANARY_NEED] {
            assert!(
                texts.iter().any(|t| t == expected),
                "{at}: the canary lost {expected:?}"
            );
        }
    }

    /// The end of an area: a new honest phone joins and reads the canary; the lead's next
    /// change is acknowledged and still served after the relay is killed and restarted; the
    /// log holds no secret.
    async fn finish(mut self) {
        let code = invite(
            &self.relay.url,
            &self.lead_creds.token,
            self.lead.antenna,
            "volunteer",
        );
        self.secret(code.clone());
        let fresh = Phone::join(&self.relay.url, &code, "Nadia").await;
        fresh.synced().await;
        self.secret(fresh.token());
        self.secret("Nadia's phone");
        let detail = fresh.store.household(self.household).unwrap();
        let person = detail.profile.members.values().next().unwrap();
        assert_eq!(person.name, CANARY_NAME, "{}: a new phone", self.area);
        assert_eq!(detail.profile.phone.as_deref(), Some(CANARY_PHONE));
        assert!(detail
            .case
            .needs
            .values()
            .any(|n| n.description == CANARY_NEED));
        drop(fresh);

        // Acknowledged means kept: the lead's next change, once synced, survives a SIGKILL.
        self.lead
            .store
            .add_note(self.household, "visite faite")
            .unwrap();
        self.lead.synced().await;
        self.refresh_heads();
        // Served to another device means stored: the relay answers only once on disk.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let (_, doc) = fetch(&self.relay, &self.witness, &self.household_doc).await;
            let mut heads = doc.get_heads();
            heads.sort();
            if heads == *self.heads.lock().unwrap() {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{}: the lead's note never reached the relay",
                self.area
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.relay.crash_and_restart();
        self.assert_unharmed("finish").await;

        let log = std::fs::read_to_string(self.files.path().join("relay.log")).unwrap();
        assert!(
            log.contains("request"),
            "{}: the relay logged:\n{log}",
            self.area
        );
        let as_bytes = |s: &str| {
            s.bytes()
                .map(|b| b.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let hex = |s: &str| s.bytes().map(|b| format!("{b:02x}")).collect::<String>();
        for secret in self.secrets.lock().unwrap().iter() {
            for form in [secret.clone(), as_bytes(secret), hex(secret)] {
                assert!(
                    !log.contains(&form),
                    "{}: the relay's log holds a secret ({secret:?})",
                    self.area
                );
            }
        }
    }
}

impl Drop for Canary {
    fn drop(&mut self) {
        if let Some(dir) = std::env::var_os("JIRAN_HOSTILE_LOGS") {
            // For debugging: the relay's log, copied where it outlives the test.
            let copy = PathBuf::from(dir).join(format!("hostile-{}.log", self.area));
            let _ = std::fs::copy(self.files.path().join("relay.log"), copy);
        }
    }
}

/// Every string scalar in a document.
fn strings(doc: &Automerge) -> Vec<String> {
    fn walk(doc: &Automerge, obj: &automerge::ObjId, out: &mut Vec<String>) {
        for (value, id) in doc.values(obj) {
            match value {
                automerge::Value::Object(_) => walk(doc, &id, out),
                automerge::Value::Scalar(s) => {
                    if let automerge::ScalarValue::Str(text) = s.as_ref() {
                        out.push(text.to_string());
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(doc, &automerge::ROOT, &mut out);
    out
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP: what a hostile client writes on a socket, from a chosen loopback address
// ---------------------------------------------------------------------------------------------

/// `127.0.0.n`: each case that may count against a per-address limit speaks from its own.
pub fn from(n: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, n))
}

/// An answer read off the socket.
#[derive(Debug)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body (chunked bodies decoded).
    pub body: Vec<u8>,
}

impl Reply {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The `error` of a JSON error body; panics if the body is not one.
    pub fn error(&self) -> String {
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "a JSON error: {self:?} {}",
            self.text()
        );
        let value: serde_json::Value = serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("a JSON body: {}", self.text()));
        value["error"]
            .as_str()
            .unwrap_or_else(|| panic!("an `error`: {value}"))
            .to_owned()
    }

    /// Asserts the status and that the JSON error contains `expected`.
    pub fn assert_error(&self, status: u16, expected: &str) {
        assert_eq!(self.status, status, "{}", self.text());
        let error = self.error();
        assert!(error.contains(expected), "{error:?} lacks {expected:?}");
    }
}

/// A request with `Host`, `Content-Length` (if a body) and `Connection: close` added.
pub fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{method} {path} HTTP/1.1\r\nHost: relay\r\nConnection: close\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() {
        out.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// A JSON `POST` with an optional bearer token.
pub fn post_json(path: &str, token: Option<&str>, body: &str) -> Vec<u8> {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(auth) = &auth {
        headers.push(("Authorization", auth.as_str()));
    }
    request("POST", path, &headers, body.as_bytes())
}

/// Opens a TCP connection to the relay from `source`.
pub async fn tcp_from(source: IpAddr, relay: &Relay) -> tokio::net::TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(source, 0)).unwrap();
    socket
        .connect(relay.address().parse().unwrap())
        .await
        .unwrap()
}

/// Sends raw bytes from `source` and reads the answer until the relay closes; `None` if it
/// closed without answering.
pub async fn send_http(relay: &Relay, source: IpAddr, bytes: &[u8]) -> Option<Reply> {
    let mut stream = tcp_from(source, relay).await;
    // The relay may answer (and close) before it read everything: a failed write is fine.
    let _ = stream.write_all(bytes).await;
    let mut raw = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(15), stream.read_to_end(&mut raw)).await;
    assert!(read.is_ok(), "the relay neither answered nor closed");
    parse_reply(&raw)
}

/// Parses an HTTP/1.1 answer (the first, if several).
pub fn parse_reply(raw: &[u8]) -> Option<Reply> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let rest = &raw[end + 4..];
    let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v);
    let body = if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        let mut body = Vec::new();
        let mut at = rest;
        while let Some(line_end) = at.windows(2).position(|w| w == b"\r\n") {
            let size =
                usize::from_str_radix(String::from_utf8_lossy(&at[..line_end]).trim(), 16).ok()?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(at.get(line_end + 2..line_end + 2 + size)?);
            at = at.get(line_end + 4 + size..)?;
        }
        body
    } else if let Some(len) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        rest.get(..len)?.to_vec()
    } else {
        rest.to_vec()
    };
    Some(Reply {
        status,
        headers,
        body,
    })
}

// ---------------------------------------------------------------------------------------------
// Raw websockets: frames a stock client would never write
// ---------------------------------------------------------------------------------------------

/// A websocket handshake request for `/v1/sync` with extra header lines.
pub fn ws_request(token: Option<&str>, extra: &[(&str, &str)]) -> Vec<u8> {
    let mut headers = vec![
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ("Sec-WebSocket-Version", "13"),
    ];
    let auth = token.map(|t| format!("Bearer {t}"));
    if let Some(auth) = &auth {
        headers.push(("Authorization", auth.as_str()));
    }
    headers.extend_from_slice(extra);
    let mut out = String::from("GET /v1/sync HTTP/1.1\r\nHost: relay\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    out.into_bytes()
}

/// A websocket opened by hand (for frames no client library writes): the stream after the
/// relay's `101`.
pub async fn raw_ws(relay: &Relay, token: &str) -> tokio::net::TcpStream {
    let mut stream = tcp_from(from(1), relay).await;
    stream
        .write_all(&ws_request(Some(token), &[]))
        .await
        .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).await.unwrap();
        head.push(byte[0]);
    }
    assert!(
        head.starts_with(b"HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    stream
}

/// A client frame: `fin`, `opcode`, the payload, masked unless `masked` is false.
pub fn frame(fin: bool, opcode: u8, payload: &[u8], masked: bool) -> Vec<u8> {
    let mut out = vec![if fin { 0x80 } else { 0 } | opcode];
    let mask_bit = if masked { 0x80 } else { 0 };
    match payload.len() {
        n if n < 126 => out.push(mask_bit | n as u8),
        n if n < 65536 => {
            out.push(mask_bit | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(mask_bit | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    let key = [0x37, 0xfa, 0x21, 0x3d];
    if masked {
        out.extend_from_slice(&key);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    } else {
        out.extend_from_slice(payload);
    }
    out
}

/// Reads the relay's frames until its close frame: `Some((code, reason))`, or `None` if the
/// connection ended without one.
pub async fn read_close(
    stream: &mut tokio::net::TcpStream,
    wait: Duration,
) -> Option<(u16, String)> {
    let read = async {
        loop {
            let mut head = [0u8; 2];
            stream.read_exact(&mut head).await.ok()?;
            let mut len = u64::from(head[1] & 0x7f);
            if len == 126 {
                let mut b = [0u8; 2];
                stream.read_exact(&mut b).await.ok()?;
                len = u64::from(u16::from_be_bytes(b));
            } else if len == 127 {
                let mut b = [0u8; 8];
                stream.read_exact(&mut b).await.ok()?;
                len = u64::from_be_bytes(b);
            }
            let mut payload = vec![0u8; len as usize];
            stream.read_exact(&mut payload).await.ok()?;
            if head[0] & 0x0f == 0x8 {
                let code = u16::from_be_bytes([*payload.first()?, *payload.get(1)?]);
                return Some((code, String::from_utf8_lossy(&payload[2..]).into_owned()));
            }
        }
    };
    tokio::time::timeout(wait, read)
        .await
        .expect("the relay closed in time")
}

// ---------------------------------------------------------------------------------------------
// Peers
// ---------------------------------------------------------------------------------------------

/// Reads until the relay closes: (code, reason, the `error` message before it, if any).
pub async fn closed_with(peer: &mut Peer, wait: Duration) -> (u16, String, Option<String>) {
    let deadline = tokio::time::Instant::now() + wait;
    let mut error = None;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match peer.next(left).await {
            Some(Ok(Message::Error { message, .. })) => error = Some(message),
            Some(Ok(_)) => {}
            Some(Err((code, reason))) => return (code, reason, error),
            None => panic!("the relay neither closed nor answered within {wait:?}"),
        }
    }
}

/// Sends `bytes` on a new connection of `device` and asserts the relay closes it with `code`,
/// a reason containing `reason`, and (if the relay sends one) an `error` message that says
/// the same.
pub async fn assert_closes(
    relay: &Relay,
    device: &Credentials,
    bytes: Vec<u8>,
    code: u16,
    reason: &str,
) {
    let mut peer = connect(relay, device).await;
    peer.send_raw(bytes).await;
    assert_closed(&mut peer, code, reason).await;
}

/// Asserts the relay closes `peer` with `code` and a reason containing `reason` (and an
/// `error` message, which the relay sends before a protocol close, that says the same).
pub async fn assert_closed(peer: &mut Peer, code: u16, reason: &str) {
    let (got, why, error) = closed_with(peer, Duration::from_secs(15)).await;
    assert_eq!(
        got, code,
        "closed with {got} {why:?}, expected {code} {reason:?}"
    );
    assert!(
        why.contains(reason),
        "close reason {why:?} lacks {reason:?}"
    );
    assert!(why.len() <= 123, "a close reason over 123 bytes");
    if let Some(error) = error {
        assert!(error.contains(reason), "error {error:?} lacks {reason:?}");
    }
}

/// Asserts `device` is served: on a new connection it fetches the canary household.
pub async fn serves(c: &Canary, device: &Credentials) {
    let mut peer = connect(&c.relay, device).await;
    reads_canary(c, &mut peer).await;
}

/// Asserts the connection still syncs: it fetches the canary household whole.
pub async fn reads_canary(c: &Canary, peer: &mut Peer) {
    let mut doc = Automerge::new();
    assert_eq!(peer.sync(&c.household_doc, &mut doc).await, Outcome::Synced);
    assert!(strings(&doc).iter().any(|t| t == CANARY_NAME));
}

/// The antenna's change feed from the start, as `device` sees it.
pub async fn feed(c: &Canary, device: &Credentials) -> Vec<String> {
    let mut peer = connect(&c.relay, device).await;
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

/// A CBOR map of text keys to values.
pub fn cbor(entries: Vec<(&str, ciborium::Value)>) -> Vec<u8> {
    let map = ciborium::Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (ciborium::Value::Text(k.into()), v))
            .collect(),
    );
    let mut out = Vec::new();
    ciborium::into_writer(&map, &mut out).unwrap();
    out
}

/// The canary's data directory path (a file inside it).
pub fn in_data(canary: &Canary, name: &str) -> PathBuf {
    canary.data.path().join(name)
}

// ---------------------------------------------------------------------------------------------
// The list in docs/hostile-inputs.md
// ---------------------------------------------------------------------------------------------

const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/hostile-inputs.md");
const BEGIN: &str =
    "<!-- cases: written from tests/tests/e2e/relay/hostile by JIRAN_WRITE_HOSTILE_DOC=1 -->";
const END: &str = "<!-- end of cases -->";

/// The table of cases, as docs/hostile-inputs.md holds it.
fn table() -> String {
    let mut out = String::from("| area | case | sends | asserts |\n|---|---|---|---|\n");
    for (area, cases) in catalogue() {
        for case in cases {
            for text in [case.name, case.sends, case.asserts] {
                assert!(!text.contains('|') && !text.contains('\n'), "{text}");
            }
            out.push_str(&format!(
                "| {area} | `{}` | {} | {} |\n",
                case.name, case.sends, case.asserts
            ));
        }
    }
    out
}

#[test]
fn test_the_catalogue_and_docs_hostile_inputs_md_list_the_same_cases() {
    let mut names = std::collections::BTreeSet::new();
    let mut total = 0;
    for (area, cases) in catalogue() {
        for case in &cases {
            assert!(
                names.insert((area, case.name)),
                "{area}/{} twice",
                case.name
            );
            assert!(
                !case.sends.is_empty() && !case.asserts.is_empty(),
                "{}",
                case.name
            );
        }
        total += cases.len();
    }
    assert!(
        total >= 60,
        "the catalogue holds {total} cases, the issue asks 60"
    );
    let doc = std::fs::read_to_string(DOC).expect("docs/hostile-inputs.md");
    let (before, rest) = doc.split_once(BEGIN).expect("the cases' begin marker");
    let (listed, after) = rest.split_once(END).expect("the cases' end marker");
    let wanted = format!("\n{}", table());
    if std::env::var_os("JIRAN_WRITE_HOSTILE_DOC").is_some() {
        std::fs::write(DOC, format!("{before}{BEGIN}{wanted}{END}{after}")).unwrap();
        return;
    }
    let lines = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with('|'))
            .map(str::to_owned)
            .collect()
    };
    let (code, docs) = (lines(&wanted), lines(listed));
    for line in &code {
        assert!(
            docs.contains(line),
            "docs/hostile-inputs.md lacks (or words differently) the case\n{line}\n\
             (JIRAN_WRITE_HOSTILE_DOC=1 rewrites the list)"
        );
    }
    for line in &docs {
        assert!(
            code.contains(line),
            "docs/hostile-inputs.md lists a case the code does not have\n{line}"
        );
    }
    assert_eq!(
        code, docs,
        "docs/hostile-inputs.md lists the cases in another order"
    );
}
