//! The relay's HTTP API as tests call it: joining with an invite code, a lead's invites and
//! revocations, and relays set up with their first members.

use jiran_core::AntennaId;
use serde_json::{json, Value};

use super::relay::{create_antenna, Relay};

/// What the relay gives a device that joins: its id, its bearer token and its antenna. Enough
/// to speak to the relay as that device, without a store or a sync engine.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// The device id the relay assigned (what a lead revokes).
    pub id: String,
    /// The bearer token.
    pub token: String,
    /// The antenna the invite was for.
    pub antenna: AntennaId,
}

/// `POST url` with an optional bearer token and a JSON body: the status and the JSON answer
/// (`null` if the answer is not JSON).
pub fn post(url: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut request = agent().post(url);
    if let Some(token) = token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    let mut response = request.send_json(body).expect("the relay answers");
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .read_json::<Value>()
        .unwrap_or(Value::Null);
    (status, body)
}

/// `GET` (or `DELETE`, as `method` says) with an optional bearer token: the status and the
/// answer as text.
pub fn call(method: &str, url: &str, token: Option<&str>) -> (u16, String) {
    let agent = agent();
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
    .expect("the relay answers");
    (
        response.status().as_u16(),
        response.body_mut().read_to_string().unwrap_or_default(),
    )
}

/// The `metrics_token` of the [`World`]'s relay (tests that read `/metrics` configure it).
pub const METRICS_TOKEN: &str = "metrics-token-of-the-tests";

/// `GET /metrics` with [`METRICS_TOKEN`]: the status and the text.
pub fn metrics(relay: &Relay) -> (u16, String) {
    call(
        "GET",
        &format!("{}/metrics", relay.url),
        Some(METRICS_TOKEN),
    )
}

/// An HTTP client that returns error statuses as answers, for tests to assert on.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent()
}

/// `POST /v1/join`: a device named `name` joins with an invite code.
pub fn join(relay: &Relay, code: &str, name: &str) -> Credentials {
    let (status, body) = post(
        &format!("{}/v1/join", relay.url),
        None,
        json!({ "invite_code": code, "device_name": name }),
    );
    assert_eq!(status, 200, "{body}");
    Credentials {
        id: body["device_id"].as_str().unwrap().into(),
        token: body["device_token"].as_str().unwrap().into(),
        antenna: body["antenna_id"]
            .as_str()
            .unwrap()
            .parse()
            .expect("an antenna id"),
    }
}

/// An invite code for `role`, made with a lead's token.
pub fn invite(relay_url: &str, lead_token: &str, antenna: AntennaId, role: &str) -> String {
    let (status, body) = post(
        &format!("{relay_url}/v1/antennas/{antenna}/invites"),
        Some(lead_token),
        json!({ "role": role }),
    );
    assert_eq!(status, 200, "invite refused: {body}");
    body["invite_code"].as_str().expect("a code").to_owned()
}

/// A lead invites a device with `role` and it joins (named after its role).
pub fn invite_and_join(relay: &Relay, lead: &Credentials, role: &str) -> Credentials {
    let code = invite(&relay.url, &lead.token, lead.antenna, role);
    join(relay, &code, role)
}

/// Revokes a device, with a lead's token.
pub fn revoke(relay_url: &str, lead_token: &str, antenna: AntennaId, device_id: &str) {
    let (status, _) = call(
        "DELETE",
        &format!("{relay_url}/v1/antennas/{antenna}/devices/{device_id}"),
        Some(lead_token),
    );
    assert_eq!(status, 204, "revocation refused");
}

/// A relay with one antenna and its first lead.
pub fn relay_with_lead() -> (tempfile::TempDir, Relay, Credentials) {
    let dir = tempfile::tempdir().unwrap();
    let (_, code) = create_antenna(dir.path(), "La Marsa");
    let relay = Relay::start(dir.path());
    let lead = join(&relay, &code, "lead");
    (dir, relay, lead)
}

/// A relay started with these limits (TOML) and its first lead.
pub fn relay_with_limits(limits: &str) -> (tempfile::TempDir, Relay, Credentials) {
    let dir = tempfile::tempdir().unwrap();
    let (_, code) = create_antenna(dir.path(), "La Marsa");
    let config = dir.path().join("limits.toml");
    std::fs::write(&config, limits).unwrap();
    let relay = Relay::start_with(dir.path(), &["--config", config.to_str().unwrap()]);
    let lead = join(&relay, &code, "lead");
    (dir, relay, lead)
}

/// A relay with two antennas: a lead, a volunteer and an observer in the first, a lead (the
/// stranger) in the second.
pub struct World {
    /// The relay, serving both antennas.
    pub relay: Relay,
    /// The first antenna's lead.
    pub lead: Credentials,
    /// A volunteer the lead invited.
    pub volunteer: Credentials,
    /// An observer the lead invited.
    pub observer: Credentials,
    /// The second antenna's lead.
    pub stranger: Credentials,
    /// The relay's data directory, removed last.
    pub _dir: tempfile::TempDir,
}

/// The [`World`]: "La Marsa" with three members and "Beni Khalled" with one.
pub fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let (_, code_a) = create_antenna(dir.path(), "La Marsa");
    let (_, code_b) = create_antenna(dir.path(), "Beni Khalled");
    // `/metrics` answers only to the configured token.
    let config = dir.path().join("limits.toml");
    std::fs::write(&config, format!("metrics_token = \"{METRICS_TOKEN}\"\n")).unwrap();
    let relay = Relay::start_with(dir.path(), &["--config", config.to_str().unwrap()]);
    let lead = join(&relay, &code_a, "lead");
    let volunteer = invite_and_join(&relay, &lead, "volunteer");
    let observer = invite_and_join(&relay, &lead, "observer");
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
