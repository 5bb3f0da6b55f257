//! The HTTP API: `/v1/join`, invites, devices, the blinded index, `/metrics`, and requests
//! no client should send (bad heads, bodies, routes, methods). Requests are written by hand
//! on a socket from their own loopback address, so the join limit of one case does not
//! touch the others.

use std::time::{Duration, Instant};

use jiran_core::Store;
use serde_json::json;

use super::*;

/// The limits of this area: a short header deadline, and a join limit low enough to reach.
pub const LIMITS: &str = "header_timeout_seconds = 2\njoins_per_minute = 10\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_hostile_http_requests() {
    Canary::start("http", LIMITS).await.run(cases()).await;
}

pub fn cases() -> Vec<Case> {
    vec![
        case!(join_malformed_json, "`POST /v1/join` with a JSON body cut short", "400, JSON error \"the body is not valid JSON\""),
        case!(join_wrong_content_type, "a valid join body as `text/plain`", "415, JSON error naming `Content-Type: application/json`"),
        case!(join_non_utf8_body, "a join body of bytes that are not UTF-8", "400, JSON error \"the body is not valid JSON\""),
        case!(join_missing_field, "a join body without `invite_code`", "422, JSON error saying a field is missing or of the wrong type"),
        case!(wrong_field_type_is_not_echoed, "a lead's invite with `uses` set to the canary's name and phone", "422, and the error body quotes neither"),
        case!(join_oversized_body, "a 3 MiB join body", "413, JSON error saying the body is too large"),
        case!(join_forged_code, "a join with a made-up invite code", "403, JSON error \"unknown, used up or expired\""),
        case!(join_reused_code, "a single-use invite redeemed twice", "first 200, then 403 \"unknown, used up or expired\""),
        case!(join_device_name_on_two_lines, "a join whose `device_name` holds a newline", "400 \"device_name must be 1 to 100 characters on one line\"; the invite is not used up"),
        case!(join_key_without_proof, "a join with `device_key` and no `device_key_proof`", "400 \"device_key and device_key_proof go together\""),
        case!(join_key_that_is_not_a_key, "a join whose `device_key` is not base58 Ed25519", "400 \"device_key is not an Ed25519 public key\""),
        case!(join_proof_for_another_key, "another phone's public key with the thief's own proof", "400 \"does not prove this device holds device_key\"; the invite is not used up"),
        case!(join_flood_from_one_address, "three wrong invite codes from one address, then a good one from another", "403, 403, then 429 with `Retry-After` of 1 to 60 s; the other address joins (200)"),
        case!(volunteer_makes_an_invite, "`POST /v1/antennas/{id}/invites` with a volunteer's token", "403 \"only an antenna lead may do this\""),
        case!(volunteer_revokes_the_lead, "`DELETE /v1/antennas/{id}/devices/{lead}` with a volunteer's token", "403 \"only an antenna lead may do this\"; the lead still syncs"),
        case!(other_antennas_lead_lists_devices, "`GET /v1/antennas/{id}/devices` with another antenna's lead token", "403 \"only an antenna lead may do this\""),
        case!(basic_authorization_scheme, "the lead's token as `Authorization: Basic`", "401 \"missing, unknown or revoked device token\""),
        case!(bearer_without_a_token, "`Authorization: Bearer` with nothing after it", "401 \"missing, unknown or revoked device token\""),
        case!(invalid_antenna_id, "`GET /v1/antennas/not-an-antenna/devices` as the lead", "404 \"not found\""),
        case!(path_traversal_in_ids, "`DELETE .../devices/..%2F..%2Frelay.sqlite3` and `/v1/antennas/../../etc/passwd/devices`", "404 both; the database file is untouched"),
        case!(unknown_route, "`GET /v1/admin`", "404"),
        case!(wrong_method, "`GET /v1/join` and `PUT /healthz`", "405 with `Allow`"),
        case!(huge_header, "a request with a 1 MiB header", "431 (request header fields too large)"),
        case!(slowloris_head, "a request head that never ends", "closed without an answer after `header_timeout_seconds` (2 s)"),
        case!(content_length_with_chunked, "a join with both `Content-Length` and `Transfer-Encoding: chunked`, a second request smuggled behind", "answered once as one chunked request (400, invalid JSON): the smuggled request is never served"),
        case!(blinded_index_bad_hashes, "`PUT .../blinded-index` with hashes that are not 32 lowercase hex", "400 \"hashes must be 32 lowercase hexadecimal characters each\""),
        case!(blinded_index_volunteer, "`PUT .../blinded-index` with a volunteer's token", "403 \"only an antenna lead may do this\""),
        case!(blinded_index_contact_control, "`PUT .../blinded-index` with a NUL in `contact`", "400 \"contact must be 1 to 200 characters on one line\""),
        case!(metrics_wrong_token, "`GET /metrics` with no token, and with the lead's device token", "401 both"),
        case!(last_lead_revokes_itself, "the only lead revoking its own device", "409 \"the antenna's last lead cannot revoke itself\"; the lead still syncs"),
        case!(invite_unknown_role, "an invite for role `king`", "400 \"role must be lead, volunteer or observer\""),
        case!(invite_out_of_range, "invites with `uses` 0 and 5000, `expires_in_hours` 0 and 100000", "400 \"uses must be between 1 and 1000\" / \"expires_in_hours must be between 1 and 2160\""),
        case!(revoke_unknown_device, "a lead revoking a device id the relay never issued", "404 \"not found\""),
    ]
}

/// A fresh single-use invite of the canary's antenna (its code kept out of the log).
fn new_code(c: &Canary, role: &str) -> String {
    let code = invite(&c.relay.url, &c.lead_creds.token, c.lead.antenna, role);
    c.secret(code.clone());
    code
}

/// A join body.
fn join_body(code: &str, name: &str) -> String {
    json!({ "invite_code": code, "device_name": name }).to_string()
}

async fn http(c: &Canary, source: u8, bytes: &[u8]) -> Reply {
    send_http(&c.relay, from(source), bytes)
        .await
        .expect("the relay answers")
}

/// A join from `source`: the reply, the token (kept out of the log) registered as a secret.
async fn join_from(c: &Canary, source: u8, body: &str) -> Reply {
    let reply = http(c, source, &post_json("/v1/join", None, body)).await;
    if let Some(token) = serde_json::from_slice::<serde_json::Value>(&reply.body)
        .ok()
        .and_then(|v| v["device_token"].as_str().map(str::to_owned))
    {
        c.secret(token);
    }
    reply
}

fn antenna_path(c: &Canary, rest: &str) -> String {
    format!("/v1/antennas/{}{rest}", c.lead.antenna)
}

async fn join_malformed_json(c: &Canary) {
    join_from(c, 10, r#"{"invite_code": "#)
        .await
        .assert_error(400, "the body is not valid JSON");
}

async fn join_wrong_content_type(c: &Canary) {
    let body = join_body("whatever", "x");
    let bytes = request(
        "POST",
        "/v1/join",
        &[("Content-Type", "text/plain")],
        body.as_bytes(),
    );
    http(c, 11, &bytes)
        .await
        .assert_error(415, "Content-Type: application/json");
}

async fn join_non_utf8_body(c: &Canary) {
    let bytes = request(
        "POST",
        "/v1/join",
        &[("Content-Type", "application/json")],
        b"{\"invite_code\": \"\xff\xfe\xfd\", \"device_name\": \"x\"}",
    );
    http(c, 12, &bytes)
        .await
        .assert_error(400, "the body is not valid JSON");
}

async fn join_missing_field(c: &Canary) {
    join_from(c, 13, r#"{"device_name": "x"}"#)
        .await
        .assert_error(422, "a field");
}

async fn wrong_field_type_is_not_echoed(c: &Canary) {
    let body = json!({ "role": "volunteer", "uses": format!("{CANARY_NAME} {CANARY_PHONE}") });
    let reply = http(
        c,
        14,
        &post_json(
            &antenna_path(c, "/invites"),
            Some(&c.lead_creds.token),
            &body.to_string(),
        ),
    )
    .await;
    reply.assert_error(422, "a field");
    let text = reply.text();
    assert!(
        !text.contains("Zoubeida") && !text.contains("417 063"),
        "the error quotes what was sent: {text}"
    );
}

async fn join_oversized_body(c: &Canary) {
    let body = format!(
        "{{\"invite_code\": \"x\", \"device_name\": \"{}\"}}",
        "a".repeat(3 * 1024 * 1024)
    );
    join_from(c, 15, &body).await.assert_error(413, "too large");
}

async fn join_forged_code(c: &Canary) {
    join_from(c, 16, &join_body("7HqForgedCode1234", "x"))
        .await
        .assert_error(403, "unknown, used up or expired");
}

async fn join_reused_code(c: &Canary) {
    let code = new_code(c, "volunteer");
    let first = join_from(c, 17, &join_body(&code, "first")).await;
    assert_eq!(first.status, 200, "{}", first.text());
    join_from(c, 17, &join_body(&code, "second"))
        .await
        .assert_error(403, "unknown, used up or expired");
}

async fn join_device_name_on_two_lines(c: &Canary) {
    let code = new_code(c, "observer");
    join_from(c, 18, &join_body(&code, "a\nb"))
        .await
        .assert_error(400, "device_name must be 1 to 100 characters on one line");
    let after = join_from(c, 18, &join_body(&code, "fine")).await;
    assert_eq!(
        after.status,
        200,
        "the invite was used up: {}",
        after.text()
    );
}

async fn join_key_without_proof(c: &Canary) {
    let body = json!({ "invite_code": "x", "device_name": "x", "device_key": "abc" });
    join_from(c, 19, &body.to_string())
        .await
        .assert_error(400, "device_key and device_key_proof go together");
}

async fn join_key_that_is_not_a_key(c: &Canary) {
    let body = json!({ "invite_code": "x", "device_name": "x",
                       "device_key": "0OIl-not-base58", "device_key_proof": "x" });
    join_from(c, 20, &body.to_string())
        .await
        .assert_error(400, "device_key is not an Ed25519 public key");
}

async fn join_proof_for_another_key(c: &Canary) {
    let code = new_code(c, "volunteer");
    let victim_dir = tempfile::tempdir().unwrap();
    let victim = Store::open(victim_dir.path()).unwrap();
    let thief_dir = tempfile::tempdir().unwrap();
    let thief = Store::open(thief_dir.path()).unwrap();
    let body = json!({ "invite_code": code, "device_name": "p",
                       "device_key": victim.device_key().to_string(),
                       "device_key_proof": thief.join_proof(&code) });
    join_from(c, 21, &body.to_string())
        .await
        .assert_error(400, "does not prove this device holds device_key");
    // The thief's own key with its own proof still works: the invite was not used up.
    let body = json!({ "invite_code": code, "device_name": "p",
                       "device_key": thief.device_key().to_string(),
                       "device_key_proof": thief.join_proof(&code) });
    let after = join_from(c, 22, &body.to_string()).await;
    assert_eq!(after.status, 200, "{}", after.text());
}

async fn join_flood_from_one_address(c: &Canary) {
    let mut statuses = Vec::new();
    for n in 0..3 {
        let reply = join_from(c, 23, &join_body(&format!("guess-{n}"), "x")).await;
        if reply.status == 429 {
            let retry: u64 = reply
                .header("retry-after")
                .and_then(|v| v.parse().ok())
                .expect("Retry-After");
            assert!((1..=60).contains(&retry), "Retry-After: {retry}");
            reply.assert_error(429, "too many join attempts from this address");
        }
        statuses.push(reply.status);
    }
    assert_eq!(statuses, [403, 403, 429]);
    let code = new_code(c, "volunteer");
    let other = join_from(c, 24, &join_body(&code, "honest")).await;
    assert_eq!(other.status, 200, "{}", other.text());
}

async fn volunteer_makes_an_invite(c: &Canary) {
    http(
        c,
        25,
        &post_json(
            &antenna_path(c, "/invites"),
            Some(&c.volunteer.token),
            r#"{"role": "lead"}"#,
        ),
    )
    .await
    .assert_error(403, "only an antenna lead may do this");
}

async fn volunteer_revokes_the_lead(c: &Canary) {
    let path = antenna_path(c, &format!("/devices/{}", c.lead_creds.id));
    let auth = format!("Bearer {}", c.volunteer.token);
    http(
        c,
        26,
        &request("DELETE", &path, &[("Authorization", &auth)], b""),
    )
    .await
    .assert_error(403, "only an antenna lead may do this");
    serves(c, &c.lead_creds).await;
}

async fn other_antennas_lead_lists_devices(c: &Canary) {
    let auth = format!("Bearer {}", c.stranger.token);
    let bytes = request(
        "GET",
        &antenna_path(c, "/devices"),
        &[("Authorization", &auth)],
        b"",
    );
    http(c, 27, &bytes)
        .await
        .assert_error(403, "only an antenna lead may do this");
}

async fn basic_authorization_scheme(c: &Canary) {
    let auth = format!("Basic {}", c.lead_creds.token);
    let bytes = request(
        "GET",
        &antenna_path(c, "/devices"),
        &[("Authorization", &auth)],
        b"",
    );
    http(c, 28, &bytes)
        .await
        .assert_error(401, "missing, unknown or revoked device token");
}

async fn bearer_without_a_token(c: &Canary) {
    let bytes = request(
        "GET",
        &antenna_path(c, "/devices"),
        &[("Authorization", "Bearer")],
        b"",
    );
    http(c, 29, &bytes)
        .await
        .assert_error(401, "missing, unknown or revoked device token");
}

async fn invalid_antenna_id(c: &Canary) {
    let auth = format!("Bearer {}", c.lead_creds.token);
    let bytes = request(
        "GET",
        "/v1/antennas/not-an-antenna/devices",
        &[("Authorization", &auth)],
        b"",
    );
    http(c, 30, &bytes).await.assert_error(404, "not found");
}

async fn path_traversal_in_ids(c: &Canary) {
    let database = in_data(c, "relay.sqlite3");
    let size = std::fs::metadata(&database).unwrap().len();
    let auth = format!("Bearer {}", c.lead_creds.token);
    let path = antenna_path(c, "/devices/..%2F..%2Frelay.sqlite3");
    http(
        c,
        31,
        &request("DELETE", &path, &[("Authorization", &auth)], b""),
    )
    .await
    .assert_error(404, "not found");
    let reply = http(
        c,
        31,
        &request(
            "GET",
            "/v1/antennas/../../etc/passwd/devices",
            &[("Authorization", &auth)],
            b"",
        ),
    )
    .await;
    assert_eq!(reply.status, 404, "{}", reply.text());
    assert!(!reply.text().contains("root:"), "{}", reply.text());
    assert!(std::fs::metadata(&database).unwrap().len() >= size);
}

async fn unknown_route(c: &Canary) {
    let reply = http(c, 32, &request("GET", "/v1/admin", &[], b"")).await;
    assert_eq!(reply.status, 404, "{}", reply.text());
}

async fn wrong_method(c: &Canary) {
    for (method, path, allowed) in [("GET", "/v1/join", "POST"), ("PUT", "/healthz", "GET")] {
        let reply = http(c, 33, &request(method, path, &[], b"")).await;
        assert_eq!(reply.status, 405, "{method} {path}: {}", reply.text());
        let allow = reply.header("allow").unwrap_or_default();
        assert!(allow.contains(allowed), "{method} {path}: Allow: {allow:?}");
    }
}

async fn huge_header(c: &Canary) {
    let value = "x".repeat(1024 * 1024);
    let bytes = request("GET", "/healthz", &[("X-Padding", &value)], b"");
    let reply = http(c, 34, &bytes).await;
    assert_eq!(reply.status, 431, "{}", reply.text());
}

async fn slowloris_head(c: &Canary) {
    let started = Instant::now();
    let answer = send_http(
        &c.relay,
        from(35),
        b"GET /healthz HTTP/1.1\r\nHost: relay\r\nX-Slow: ",
    )
    .await;
    let waited = started.elapsed();
    assert!(
        answer.is_none(),
        "a half-open request was answered: {answer:?}"
    );
    assert!(
        waited >= Duration::from_millis(1500) && waited < Duration::from_secs(10),
        "closed after {waited:?}"
    );
}

async fn content_length_with_chunked(c: &Canary) {
    // The chunked body is `{`; the smuggled request behind it asks for the devices list.
    let smuggled = format!(
        "GET {} HTTP/1.1\r\nHost: relay\r\nAuthorization: Bearer {}\r\n\r\n",
        antenna_path(c, "/devices"),
        c.lead_creds.token
    );
    let bytes = format!(
        "POST /v1/join HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\n\
         Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n{{\r\n0\r\n\r\n{smuggled}"
    );
    let mut stream = tcp_from(from(36), &c.relay).await;
    stream.write_all(bytes.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut raw)).await;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let first = parse_reply(&raw).expect("an answer");
    first.assert_error(400, "the body is not valid JSON");
    assert_eq!(
        text.matches("HTTP/1.1 ").count(),
        1,
        "the smuggled request was served: {text}"
    );
    assert!(!text.contains("devices\""), "{text}");
}

fn blinded(c: &Canary, token: &str, body: serde_json::Value) -> Vec<u8> {
    let auth = format!("Bearer {token}");
    request(
        "PUT",
        &antenna_path(c, "/blinded-index"),
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        body.to_string().as_bytes(),
    )
}

async fn blinded_index_bad_hashes(c: &Canary) {
    let body = json!({ "contact": "Leila", "hashes": ["NOT-HEX", "ab"] });
    http(c, 37, &blinded(c, &c.lead_creds.token, body))
        .await
        .assert_error(
            400,
            "hashes must be 32 lowercase hexadecimal characters each",
        );
}

async fn blinded_index_volunteer(c: &Canary) {
    let body = json!({ "contact": "x", "hashes": [format!("{:032x}", 1)] });
    http(c, 38, &blinded(c, &c.volunteer.token, body))
        .await
        .assert_error(403, "only an antenna lead may do this");
}

async fn blinded_index_contact_control(c: &Canary) {
    let body = json!({ "contact": "Leila\u{0}", "hashes": [] });
    http(c, 39, &blinded(c, &c.lead_creds.token, body))
        .await
        .assert_error(400, "contact must be 1 to 200 characters on one line");
}

async fn metrics_wrong_token(c: &Canary) {
    let auth = format!("Bearer {}", c.lead_creds.token);
    for headers in [vec![], vec![("Authorization", auth.as_str())]] {
        let reply = http(c, 40, &request("GET", "/metrics", &headers, b"")).await;
        assert_eq!(reply.status, 401, "{}", reply.text());
        assert!(reply.text().contains("metrics_token"), "{}", reply.text());
        assert!(!reply.text().contains("jiran_connections"));
    }
}

async fn last_lead_revokes_itself(c: &Canary) {
    let path = antenna_path(c, &format!("/devices/{}", c.lead_creds.id));
    let auth = format!("Bearer {}", c.lead_creds.token);
    http(
        c,
        41,
        &request("DELETE", &path, &[("Authorization", &auth)], b""),
    )
    .await
    .assert_error(409, "the antenna's last lead cannot revoke itself");
    serves(c, &c.lead_creds).await;
}

async fn make_invite(c: &Canary, body: serde_json::Value) -> Reply {
    let reply = http(
        c,
        42,
        &post_json(
            &antenna_path(c, "/invites"),
            Some(&c.lead_creds.token),
            &body.to_string(),
        ),
    )
    .await;
    if let Some(code) = serde_json::from_slice::<serde_json::Value>(&reply.body)
        .ok()
        .and_then(|v| v["invite_code"].as_str().map(str::to_owned))
    {
        c.secret(code);
    }
    reply
}

async fn invite_unknown_role(c: &Canary) {
    make_invite(c, json!({ "role": "king" }))
        .await
        .assert_error(400, "role must be lead, volunteer or observer");
}

async fn invite_out_of_range(c: &Canary) {
    for uses in [0, 5000] {
        make_invite(c, json!({ "role": "volunteer", "uses": uses }))
            .await
            .assert_error(400, "uses must be between 1 and 1000");
    }
    for hours in [0, 100_000] {
        make_invite(c, json!({ "role": "volunteer", "expires_in_hours": hours }))
            .await
            .assert_error(400, "expires_in_hours must be between 1 and 2160");
    }
}

async fn revoke_unknown_device(c: &Canary) {
    let path = antenna_path(c, "/devices/NoSuchDevice123");
    let auth = format!("Bearer {}", c.lead_creds.token);
    http(
        c,
        43,
        &request("DELETE", &path, &[("Authorization", &auth)], b""),
    )
    .await
    .assert_error(404, "not found");
}
