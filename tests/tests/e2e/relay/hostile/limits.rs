//! Resource limits: what one client can cost the relay. Each limit is set low in this area's
//! limits file; the client past it gets the documented refusal, and everyone else keeps their
//! share (the canary is served, another antenna or device is not slowed).

use futures_util::SinkExt;
use serde_json::json;
use tokio_tungstenite::tungstenite;

use super::*;

const MAX_MESSAGE: usize = 128 * 1024;
const MAX_DOCUMENTS: usize = 12;

/// This area's limits.
fn limits() -> String {
    format!(
        "max_message_bytes = {MAX_MESSAGE}\n\
         messages_per_second = 30\n\
         max_documents_per_antenna = {MAX_DOCUMENTS}\n\
         max_queued_bytes_per_connection = 65536\n\
         joins_per_minute = 10\n\
         invites_per_hour = 6\n\
         blinded_hashes_per_hour = 50\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_hostile_use_of_resources() {
    Canary::start("limits", &limits()).await.run(cases()).await;
}

pub fn cases() -> Vec<Case> {
    vec![
        case!(message_over_max_message_bytes, "one 200 KiB binary message (the limit is 128 KiB)", "closed with 1009 \"message too large\", the write itself not reset"),
        case!(fragments_over_max_message_bytes, "a message in 16 KiB fragments, never final, past 128 KiB", "closed with 1009 \"message too large\""),
        case!(message_rate_flood, "500 messages at once (the limit is 30 a second, bursts of 60)", "read at the limit, then closed with 4008 \"too many messages; slow down\" after about 10 s"),
        case!(peer_that_never_reads, "a peer of a document that stops reading while another sends it 9 MiB of `ephemeral` messages", "the slow peer closed with 4009 \"too slow: reconnect\"; the sender is still answered"),
        case!(documents_per_antenna, "another antenna's lead creating documents past `max_documents_per_antenna` (12)", "stored up to 12, then doc-unavailable; the canary's antenna still stores a new household from its lead's phone"),
        case!(failed_joins_cost_five, "one wrong invite code and then good joins from one address (10 a minute)", "403, then five joins (200), then 429 with `Retry-After`"),
        case!(blinded_hashes_per_hour, "another antenna sending 72 hashes in an hour (the limit is 50)", "200, 200, then 429 with `Retry-After`; the canary's antenna still sends its own"),
        case!(too_many_hashes_at_once, "25 hashes in one `PUT` (two per document of a 12-document antenna)", "400 \"too many hashes: at most two per household the antenna may hold\""),
        case!(invites_per_hour, "another antenna's lead making 7 invites (the limit is 6)", "six 200, then 429 \"too many invites from this device\"; the canary's lead still invites"),
        case!(storage_quota, "a relay with `max_storage_mb = 1` sent 100 KiB changes until full", "closed with 4500 \"the relay could not store the changes\"; what it stored is still served, `/readyz` ready"),
    ]
}

async fn message_over_max_message_bytes(c: &Canary) {
    let mut peer = connect(&c.relay, &c.volunteer).await;
    let sent = peer
        .ws
        .send(tungstenite::Message::Binary(vec![7u8; 200 * 1024].into()))
        .await;
    assert!(sent.is_ok(), "the write was reset: {sent:?}");
    assert_closed(&mut peer, 1009, "message too large").await;
}

async fn fragments_over_max_message_bytes(c: &Canary) {
    let mut stream = raw_ws(&c.relay, &c.volunteer.token).await;
    let piece = vec![0x42u8; 16 * 1024];
    let _ = stream.write_all(&frame(false, 0x2, &piece, true)).await;
    for _ in 0..12 {
        if stream
            .write_all(&frame(false, 0x0, &piece, true))
            .await
            .is_err()
        {
            break;
        }
    }
    let (code, reason) = read_close(&mut stream, Duration::from_secs(10))
        .await
        .expect("a close frame");
    assert_eq!(code, 1009, "{reason}");
    assert_eq!(reason, "message too large");
}

async fn message_rate_flood(c: &Canary) {
    let mut flooder = connect(&c.relay, &c.volunteer).await;
    let noise = Message::RemoteHeadsChanged {
        sender_id: flooder.id.clone(),
    }
    .encode();
    for _ in 0..500 {
        flooder.send_raw(noise.clone()).await;
    }
    // Meanwhile another device syncs at full speed.
    serves(c, &c.witness).await;
    let (code, reason, _) = closed_with(&mut flooder, Duration::from_secs(30)).await;
    assert_eq!(code, 4008, "{reason}");
    assert_eq!(reason, "too many messages; slow down");
}

async fn peer_that_never_reads(c: &Canary) {
    // In the other antenna, which no phone syncs: a document without a Jiran header.
    let doc_id = rand_id();
    let mut sender = connect(&c.relay, &c.stranger).await;
    let mut doc = doc_with("k", "followed");
    assert_eq!(sender.sync(&doc_id, &mut doc).await, Outcome::Synced);
    let mut slow = connect(&c.relay, &c.stranger).await;
    let mut copy = Automerge::new();
    assert_eq!(slow.sync(&doc_id, &mut copy).await, Outcome::Synced);
    // The slow peer reads nothing from now on.
    for count in 0..80u64 {
        let message = Message::Ephemeral {
            sender_id: sender.id.clone(),
            target_id: sender.relay.clone(),
            document_id: doc_id.clone(),
            session_id: "flood".into(),
            count,
            data: vec![count as u8; 120 * 1024],
        };
        sender.send(&message).await;
    }
    // Handled in order: once this is answered, every ephemeral message was handled.
    let mut marker = Automerge::new();
    assert_eq!(
        sender
            .sync_within(&rand_id(), &mut marker, Duration::from_secs(30))
            .await,
        Outcome::Unavailable
    );
    let (code, reason, _) = closed_with(&mut slow, Duration::from_secs(30)).await;
    assert_eq!(code, 4009, "{reason}");
    assert_eq!(reason, "too slow: reconnect");
}

async fn documents_per_antenna(c: &Canary) {
    let held = feed(c, &c.stranger).await.len();
    let mut stored = 0;
    let mut peer = connect(&c.relay, &c.stranger).await;
    for _ in 0..MAX_DOCUMENTS + 3 {
        let mut doc = doc_with("k", "filler");
        match peer.sync(&rand_id(), &mut doc).await {
            Outcome::Synced => stored += 1,
            Outcome::Unavailable => break,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        stored,
        MAX_DOCUMENTS - held,
        "{held} documents were held before"
    );
    // Past its quota the antenna is refused again, and the other antenna is not: its lead's
    // phone registers a household, which an honest device then fetches.
    let mut doc = doc_with("k", "one more");
    assert_eq!(peer.sync(&rand_id(), &mut doc).await, Outcome::Unavailable);
    c.secret("Famille Quota");
    let more = c
        .lead
        .store
        .register_household(c.lead.antenna, family("Famille Quota", "+216 20 555 777"))
        .unwrap();
    c.lead.synced().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let id = more.document().to_string();
    while fetch(&c.relay, &c.witness, &id).await.0 != Outcome::Synced {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the canary's antenna was refused a document"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn join_from(c: &Canary, source: u8, code: &str) -> Reply {
    let body = json!({ "invite_code": code, "device_name": "x" }).to_string();
    let reply = send_http(&c.relay, from(source), &post_json("/v1/join", None, &body))
        .await
        .expect("an answer");
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&reply.body) {
        if let Some(token) = value["device_token"].as_str() {
            c.secret(token);
        }
    }
    reply
}

fn retry_after(reply: &Reply) -> u64 {
    let retry = reply
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=3600).contains(&retry), "Retry-After: {retry}");
    retry
}

async fn failed_joins_cost_five(c: &Canary) {
    let (status, body) = post(
        &format!("{}/v1/antennas/{}/invites", c.relay.url, c.lead.antenna),
        Some(&c.lead_creds.token),
        json!({ "role": "observer", "uses": 10 }),
    );
    assert_eq!(status, 200, "{body}");
    let code = body["invite_code"].as_str().unwrap().to_owned();
    c.secret(code.clone());
    join_from(c, 50, "wrong-code")
        .await
        .assert_error(403, "unknown, used up or expired");
    for n in 0..5 {
        let reply = join_from(c, 50, &code).await;
        assert_eq!(reply.status, 200, "join {n}: {}", reply.text());
    }
    let refused = join_from(c, 50, &code).await;
    refused.assert_error(429, "too many join attempts from this address");
    retry_after(&refused);
    let elsewhere = join_from(c, 51, &code).await;
    assert_eq!(elsewhere.status, 200, "{}", elsewhere.text());
}

async fn put_hashes(c: &Canary, device: &Credentials, n: usize, salt: usize) -> Reply {
    let hashes: Vec<String> = (0..n)
        .map(|i| format!("{:032x}", salt * 1000 + i))
        .collect();
    let body = json!({ "contact": "Leila", "hashes": hashes }).to_string();
    let auth = format!("Bearer {}", device.token);
    let bytes = request(
        "PUT",
        &format!("/v1/antennas/{}/blinded-index", device.antenna),
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        body.as_bytes(),
    );
    send_http(&c.relay, from(52), &bytes)
        .await
        .expect("an answer")
}

async fn blinded_hashes_per_hour(c: &Canary) {
    assert_eq!(put_hashes(c, &c.stranger, 24, 1).await.status, 200);
    assert_eq!(put_hashes(c, &c.stranger, 24, 2).await.status, 200);
    let refused = put_hashes(c, &c.stranger, 24, 3).await;
    refused.assert_error(429, "too many hashes sent to the blinded index this hour");
    retry_after(&refused);
    let own = put_hashes(c, &c.lead_creds, 24, 4).await;
    assert_eq!(own.status, 200, "{}", own.text());
}

async fn too_many_hashes_at_once(c: &Canary) {
    put_hashes(c, &c.lead_creds, 2 * MAX_DOCUMENTS + 1, 5)
        .await
        .assert_error(
            400,
            "too many hashes: at most two per household the antenna may hold",
        );
}

async fn invites_per_hour(c: &Canary) {
    let url = format!("{}/v1/antennas/{}/invites", c.relay.url, c.stranger.antenna);
    for n in 0..6 {
        let (status, body) = post(&url, Some(&c.stranger.token), json!({ "role": "observer" }));
        assert_eq!(status, 200, "invite {n}: {body}");
        c.secret(body["invite_code"].as_str().unwrap());
    }
    let (status, body) = post(&url, Some(&c.stranger.token), json!({ "role": "observer" }));
    assert_eq!(status, 429, "{body}");
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains("too many invites from this device"));
}

async fn storage_quota(c: &Canary) {
    let (_dir, relay, lead) = relay_with_limits("max_storage_mb = 1\n");
    c.secret(lead.token.clone());
    let doc_id = rand_id();
    let mut doc = doc_with("k", "stored before the quota");
    assert_eq!(
        connect(&relay, &lead).await.sync(&doc_id, &mut doc).await,
        Outcome::Synced
    );
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut noise = move |len: usize| -> String {
        (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                char::from(b'!' + (seed % 90) as u8)
            })
            .collect()
    };
    let mut closed = None;
    for n in 0..40 {
        let mut big = doc_with("k", &noise(100 * 1024));
        match connect(&relay, &lead)
            .await
            .sync(&rand_id(), &mut big)
            .await
        {
            Outcome::Synced => continue,
            Outcome::Closed(code, reason) => {
                closed = Some((n, code, reason));
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    let (n, code, reason) = closed.expect("the quota was never reached");
    assert!(n >= 2, "refused after only {n} documents");
    assert_eq!(code, 4500, "{reason}");
    assert_eq!(reason, "the relay could not store the changes");
    let (outcome, fetched) = fetch(&relay, &lead, &doc_id).await;
    assert_eq!(outcome, Outcome::Synced);
    assert_eq!(
        get(&fetched, "k").as_deref(),
        Some("stored before the quota")
    );
    assert_eq!(
        call("GET", &format!("{}/readyz", relay.url), None),
        (200, "ready".into())
    );
}
