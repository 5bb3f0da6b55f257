//! The websocket handshake: tokens (none, forged, revoked, in the query, in the wrong
//! scheme), upgrade requests no client library would write, and the `join` that must open
//! every session.

use std::time::Instant;

use jiran_core::sync::protocol::PeerMetadata;

use super::*;

/// This area's limits: a short `join` deadline, few websockets per device.
pub const LIMITS: &str = "join_timeout_seconds = 1\nmax_connections_per_device = 3\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_hostile_websocket_handshakes() {
    Canary::start("handshake", LIMITS).await.run(cases()).await;
}

pub fn cases() -> Vec<Case> {
    vec![
        case!(no_token, "a websocket upgrade without a token", "401 \"missing or unknown device token\""),
        case!(forged_token, "an upgrade with a made-up bearer token", "401 \"missing or unknown device token\""),
        case!(revoked_token, "an upgrade with the token of a device the lead revoked", "the websocket opens, then closes with 4003 \"device revoked: wipe this antenna's data\""),
        case!(header_token_wins_over_query, "a forged `Authorization` header with a valid `?token=`", "401: the header is the token, the query is not a fallback"),
        case!(basic_scheme_with_query_token, "`Authorization: Basic` with a valid `?token=`", "401"),
        case!(no_upgrade_headers, "`GET /v1/sync` with a valid token and no `Upgrade`/`Connection` headers", "a 4xx refusal naming the missing upgrade (no websocket)"),
        case!(unsupported_websocket_version, "`Sec-WebSocket-Version: 8`", "a 4xx refusal naming `Sec-WebSocket-Version`"),
        case!(unknown_subprotocol, "an upgrade asking for `Sec-WebSocket-Protocol: evil`", "101 without a `Sec-WebSocket-Protocol` answer: the relay speaks none it was not made for"),
        case!(never_joins, "a websocket that sends nothing", "closed with 4408 \"no `join` within 1 s\" after the deadline"),
        case!(message_before_join, "a `sync` before `join`", "1002, `error` \"send `join` first\""),
        case!(join_twice, "`join` twice on one websocket, the second with a new peer id", "a second `peer` answer addressed to the new id; the session keeps syncing"),
        case!(peer_id_of_another_device, "a `join` with the peer id of another device's open connection", "4409 \"this peer id is another device's\"; that device's connection keeps syncing"),
        case!(unsupported_protocol_version, "a `join` offering only protocol versions \"2\" and \"0.9\"", "1002 \"no common protocol version\""),
        case!(join_with_wrong_field_types, "a `join` whose `senderId` is a number and versions a string", "1002 \"malformed `join` message\""),
        case!(too_many_websockets_for_one_device, "a fourth websocket of a device allowed three", "429 \"this device has too many connections open\"; a new one is accepted once one closes"),
    ]
}

async fn ws_reply(c: &Canary, request: Vec<u8>) -> Reply {
    send_http(&c.relay, from(1), &request)
        .await
        .expect("the relay answers the upgrade")
}

async fn no_token(c: &Canary) {
    assert_eq!(open(&c.relay.ws_url(), None).await.err(), Some(401));
    let reply = ws_reply(c, ws_request(None, &[])).await;
    assert_eq!(reply.status, 401);
    assert!(
        reply.text().contains("missing or unknown device token"),
        "{}",
        reply.text()
    );
}

async fn forged_token(c: &Canary) {
    let reply = ws_reply(c, ws_request(Some("0123456789abcdef"), &[])).await;
    assert_eq!(reply.status, 401);
    assert!(
        reply.text().contains("missing or unknown device token"),
        "{}",
        reply.text()
    );
}

async fn revoked_token(c: &Canary) {
    let gone = invite_and_join(&c.relay, &c.lead_creds, "volunteer");
    c.secret(gone.token.clone());
    revoke(&c.relay.url, &c.lead_creds.token, c.lead.antenna, &gone.id);
    let mut peer = Peer::unjoined(open(&c.relay.ws_url(), Some(&gone.token)).await.unwrap());
    match peer.next(Duration::from_secs(5)).await {
        Some(Err((code, reason))) => {
            assert_eq!(code, 4003, "{reason}");
            assert_eq!(reason, "device revoked: wipe this antenna's data");
        }
        other => panic!("expected 4003, got {other:?}"),
    }
}

async fn header_token_wins_over_query(c: &Canary) {
    let url = format!("{}?token={}", c.relay.ws_url(), c.witness.token);
    assert_eq!(open(&url, Some("forged")).await.err(), Some(401));
    // The query alone is accepted (browsers cannot set headers).
    let ws = open(&url, None).await.expect("a query token is accepted");
    drop(Peer::join(ws).await);
}

async fn basic_scheme_with_query_token(c: &Canary) {
    let path = format!("/v1/sync?token={}", c.witness.token);
    let auth = format!("Basic {}", c.witness.token);
    let mut bytes = ws_request(None, &[("Authorization", &auth)]);
    let head = String::from_utf8(bytes.clone())
        .unwrap()
        .replacen("/v1/sync", &path, 1);
    bytes = head.into_bytes();
    assert_eq!(ws_reply(c, bytes).await.status, 401);
}

async fn no_upgrade_headers(c: &Canary) {
    let auth = format!("Bearer {}", c.witness.token);
    let bytes = request("GET", "/v1/sync", &[("Authorization", &auth)], b"");
    let reply = ws_reply(c, bytes).await;
    assert!((400..500).contains(&reply.status), "{reply:?}");
    let text = reply.text().to_lowercase();
    assert!(text.contains("upgrade"), "{text}");
}

async fn unsupported_websocket_version(c: &Canary) {
    let head = String::from_utf8(ws_request(Some(&c.witness.token), &[]))
        .unwrap()
        .replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8");
    let reply = ws_reply(c, head.into_bytes()).await;
    assert!((400..500).contains(&reply.status), "{reply:?}");
    assert!(
        reply.text().contains("Sec-WebSocket-Version"),
        "{}",
        reply.text()
    );
}

async fn unknown_subprotocol(c: &Canary) {
    let bytes = ws_request(
        Some(&c.witness.token),
        &[("Sec-WebSocket-Protocol", "evil")],
    );
    let reply = ws_reply(c, bytes).await;
    assert_eq!(reply.status, 101, "{reply:?}");
    assert_eq!(reply.header("sec-websocket-protocol"), None);
}

async fn never_joins(c: &Canary) {
    let started = Instant::now();
    let mut silent = Peer::unjoined(
        open(&c.relay.ws_url(), Some(&c.witness.token))
            .await
            .unwrap(),
    );
    assert_closed(&mut silent, 4408, "no `join` within 1 s").await;
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
        "closed after {waited:?}"
    );
}

async fn message_before_join(c: &Canary) {
    let mut raw = Peer::unjoined(
        open(&c.relay.ws_url(), Some(&c.witness.token))
            .await
            .unwrap(),
    );
    let message = Message::Sync {
        sender_id: "x".into(),
        target_id: "relay".into(),
        document_id: c.household_doc.clone(),
        data: vec![],
    };
    raw.send(&message).await;
    assert_closed(&mut raw, 1002, "send `join` first").await;
}

fn join_as(id: &str, versions: &[&str]) -> Message {
    Message::Join {
        sender_id: id.into(),
        peer_metadata: PeerMetadata {
            storage_id: None,
            is_ephemeral: true,
        },
        supported_protocol_versions: versions.iter().map(|v| (*v).to_owned()).collect(),
    }
}

async fn join_twice(c: &Canary) {
    let mut peer = connect(&c.relay, &c.witness).await;
    let again = format!("peer-{}", rand_id());
    peer.send(&join_as(&again, &["1"])).await;
    match peer.next(Duration::from_secs(5)).await {
        Some(Ok(Message::Peer { target_id, .. })) => assert_eq!(target_id, again),
        other => panic!("expected a second `peer`, got {other:?}"),
    }
    peer.id = again;
    let mut doc = automerge::Automerge::new();
    assert_eq!(peer.sync(&c.household_doc, &mut doc).await, Outcome::Synced);
}

async fn peer_id_of_another_device(c: &Canary) {
    let mut honest = connect(&c.relay, &c.witness).await;
    let ws = open(&c.relay.ws_url(), Some(&c.volunteer.token))
        .await
        .unwrap();
    let mut thief = Peer::unjoined(ws);
    thief.send(&join_as(&honest.id, &["1"])).await;
    assert_closed(&mut thief, 4409, "this peer id is another device's").await;
    let mut doc = automerge::Automerge::new();
    assert_eq!(
        honest.sync(&c.household_doc, &mut doc).await,
        Outcome::Synced
    );
}

async fn unsupported_protocol_version(c: &Canary) {
    let ws = open(&c.relay.ws_url(), Some(&c.witness.token))
        .await
        .unwrap();
    let mut peer = Peer::unjoined(ws);
    peer.send(&join_as("peer-old", &["2", "0.9"])).await;
    assert_closed(&mut peer, 1002, "no common protocol version").await;
}

async fn join_with_wrong_field_types(c: &Canary) {
    let bytes = cbor(vec![
        ("type", "join".into()),
        ("senderId", 42.into()),
        ("supportedProtocolVersions", "1".into()),
    ]);
    let ws = open(&c.relay.ws_url(), Some(&c.witness.token))
        .await
        .unwrap();
    let mut peer = Peer::unjoined(ws);
    peer.send_raw(bytes).await;
    assert_closed(&mut peer, 1002, "malformed `join` message").await;
}

async fn too_many_websockets_for_one_device(c: &Canary) {
    let mut open_ones = Vec::new();
    for _ in 0..3 {
        open_ones.push(connect(&c.relay, &c.volunteer).await);
    }
    let reply = ws_reply(c, ws_request(Some(&c.volunteer.token), &[])).await;
    assert_eq!(reply.status, 429, "{reply:?}");
    assert!(reply
        .text()
        .contains("this device has too many connections open"));
    // Other devices are not affected.
    serves(c, &c.witness).await;
    drop(open_ones.pop());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match open(&c.relay.ws_url(), Some(&c.volunteer.token)).await {
            Ok(ws) => {
                drop(Peer::join(ws).await);
                break;
            }
            Err(429) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(status) => panic!("a connection closed, still {status}"),
        }
    }
}
