//! Bad input gets a clear error, harms nothing stored, and the relay keeps serving others.

use std::time::Duration;

use jiran_core::sync::protocol::Message;

use crate::support::*;

async fn closed_with(peer: &mut Peer, wait: Duration) -> (u16, String, Option<String>) {
    let mut error = None;
    loop {
        match peer.next(wait).await {
            Some(Ok(Message::Error { message, .. })) => error = Some(message),
            Some(Ok(_)) => {}
            Some(Err((code, reason))) => return (code, reason, error),
            None => panic!("the relay neither answered nor closed"),
        }
    }
}

#[tokio::test]
async fn test_bad_messages_close_only_their_connection_and_harm_nothing() {
    let w = world();
    let doc_id = rand_id();
    let mut doc = doc_with("k", "kept");
    let mut bystander = connect(&w.relay, &w.volunteer).await;
    assert_eq!(
        connect(&w.relay, &w.lead)
            .await
            .sync(&doc_id, &mut doc)
            .await,
        Outcome::Synced
    );

    let mut unknown = Vec::new();
    ciborium::into_writer(
        &ciborium::Value::Map(vec![
            ("type".into(), "teleport".into()),
            ("senderId".into(), "x".into()),
        ]),
        &mut unknown,
    )
    .unwrap();
    let bad_id = Message::Sync {
        sender_id: "x".into(),
        target_id: "r".into(),
        document_id: "not-a-doc-id".into(),
        data: vec![],
    }
    .encode();
    let bad_sync = Message::Sync {
        sender_id: "x".into(),
        target_id: "r".into(),
        document_id: doc_id.clone(),
        data: b"garbage".to_vec(),
    }
    .encode();
    for (what, bytes, expected) in [
        ("non-CBOR", b"\xff\xfe garbage".to_vec(), "not a CBOR map"),
        ("unknown type", unknown, "unknown message type"),
        ("wrong document id", bad_id, "invalid document id"),
        (
            "malformed sync data",
            bad_sync,
            "malformed automerge sync message",
        ),
    ] {
        let mut peer = connect(&w.relay, &w.lead).await;
        peer.send_raw(bytes).await;
        let (code, _, error) = closed_with(&mut peer, Duration::from_secs(5)).await;
        assert_eq!(code, 1002, "{what}");
        assert!(error.unwrap_or_default().contains(expected), "{what}");
    }
    // A text frame.
    let mut peer = connect(&w.relay, &w.lead).await;
    use futures_util::SinkExt;
    peer.ws
        .send(tokio_tungstenite::tungstenite::Message::Text(
            "hello".into(),
        ))
        .await
        .unwrap();
    assert_eq!(closed_with(&mut peer, Duration::from_secs(5)).await.0, 1002);
    // Before `join`.
    let mut raw = Peer::unjoined(open(&w.relay.ws_url(), Some(&w.lead.token)).await.unwrap());
    raw.send_raw(
        Message::Sync {
            sender_id: "x".into(),
            target_id: "r".into(),
            document_id: doc_id.clone(),
            data: vec![],
        }
        .encode(),
    )
    .await;
    assert_eq!(closed_with(&mut raw, Duration::from_secs(5)).await.0, 1002);

    // Nothing stored was harmed, and the bystander's connection still works.
    let mut copy = automerge::Automerge::new();
    assert_eq!(bystander.sync(&doc_id, &mut copy).await, Outcome::Synced);
    assert_eq!(get(&copy, "k").as_deref(), Some("kept"));
}

#[tokio::test]
async fn test_missing_forged_and_revoked_tokens_are_refused() {
    let w = world();
    assert_eq!(open(&w.relay.ws_url(), None).await.err(), Some(401));
    assert_eq!(
        open(&w.relay.ws_url(), Some("forged")).await.err(),
        Some(401)
    );
    // The token query parameter works for browsers.
    assert!(open(
        &format!("{}?token={}", w.relay.ws_url(), w.lead.token),
        None
    )
    .await
    .is_ok());
    let (_, metrics) = metrics(&w.relay);
    let failures: u64 = metrics
        .lines()
        .find(|l| l.starts_with("jiran_auth_failures_total "))
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap();
    assert!(failures >= 2);
}

#[tokio::test]
async fn test_oversized_messages_are_refused_with_a_clear_close() {
    let (_dir, relay, lead) = relay_with_limits("max_message_bytes = 4096\n");
    let mut peer = connect(&relay, &lead).await;
    peer.send_raw(vec![0u8; 10_000]).await;
    let (code, reason, _) = closed_with(&mut peer, Duration::from_secs(5)).await;
    assert!(
        code == 1009 || reason.contains("large"),
        "closed with {code} {reason}"
    );
    // Others are still served.
    assert_serves(&relay, &lead).await;
}

#[tokio::test]
async fn test_a_flooding_connection_is_closed_and_others_are_served() {
    let (_dir, relay, lead) = relay_with_limits("messages_per_second = 5\n");
    let mut flooder = connect(&relay, &lead).await;
    // 5 per second and bursts of 10: 100 at once keeps it throttled past 10 seconds.
    for _ in 0..100 {
        let noise = Message::RemoteHeadsChanged {
            sender_id: flooder.id.clone(),
        };
        flooder.send_raw(noise.encode()).await;
    }
    let (code, reason, _) = closed_with(&mut flooder, Duration::from_secs(30)).await;
    assert_eq!(code, 4008, "{reason}");
    assert_serves(&relay, &lead).await;
}
