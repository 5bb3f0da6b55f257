//! The wire protocol: frames and CBOR messages a joined device should never send. Each
//! closes only its own connection, with the documented code and an `error` that says why.

use automerge::sync::SyncDoc;
use futures_util::SinkExt;
use tokio_tungstenite::tungstenite;

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_hostile_wire_messages() {
    Canary::start("wire", "").await.run(cases()).await;
}

pub fn cases() -> Vec<Case> {
    vec![
        case!(
            not_cbor,
            "a binary frame of bytes that are not CBOR",
            "1002, `error` and reason \"the message is not a CBOR map with a `type`\""
        ),
        case!(
            cbor_array,
            "a CBOR array instead of a map",
            "1002 \"not a CBOR map with a `type`\""
        ),
        case!(
            cbor_map_without_type,
            "a CBOR map with no `type`",
            "1002 \"not a CBOR map with a `type`\""
        ),
        case!(
            unknown_message_type,
            "a message of type `teleport`",
            "1002 \"unknown message type `teleport`\""
        ),
        case!(
            sync_without_document_id,
            "a `sync` without `documentId`",
            "1002 \"malformed `sync` message\""
        ),
        case!(
            sync_data_of_the_wrong_type,
            "a `sync` whose `data` is a text string, not bytes",
            "1002 \"malformed automerge sync message\""
        ),
        case!(
            bloom_filter_without_bits,
            "a `sync` for the canary whose Bloom filter has entries but no bits (found by the \
             `hub_messages` fuzz target: the automerge crate divides by zero on it)",
            "1002 \"an automerge sync message with an unusable bloom filter\""
        ),
        case!(
            bloom_filter_with_four_billion_probes,
            "a `sync` for the canary whose Bloom filter asks for 4,294,967,295 probes (one \
             lookup would allocate 16 GiB)",
            "1002 \"an automerge sync message with an unusable bloom filter\""
        ),
        case!(
            invalid_document_id,
            "a `sync` for document id `../../relay.sqlite3`",
            "1002 \"invalid document id\""
        ),
        case!(
            text_frame,
            "a text frame",
            "1002 \"binary CBOR messages only\""
        ),
        case!(
            long_arabic_message_type,
            "an unknown type of 500 bytes of Arabic",
            "1002 with a reason of at most 123 bytes, cut at a character boundary"
        ),
        case!(
            messages_a_client_does_not_send,
            "`peer`, `error`, `doc-unavailable` and `remote-heads-changed` from a device",
            "ignored: the same connection then syncs the canary"
        ),
        case!(
            ephemeral_for_a_document_not_synced,
            "an `ephemeral` for the canary from a peer that does not sync it",
            "passed to nobody (a peer that syncs the canary gets nothing)"
        ),
        case!(
            ephemeral_with_a_forged_sender,
            "an `ephemeral` claiming another device's peer id as sender",
            "passed on under the sender's own peer id"
        ),
        case!(
            sync_targeting_another_peer,
            "a `sync` for the canary whose `targetId` is another device's peer",
            "answered by the relay under its own id; the other peer receives nothing"
        ),
        case!(leave, "a `leave` message", "closed with 1000 \"goodbye\""),
        case!(
            unmasked_client_frame,
            "a client frame without a mask, written by hand",
            "the connection is dropped (no message of it handled)"
        ),
        case!(
            reserved_opcode,
            "a frame with the reserved opcode 0x3",
            "the connection is dropped (no message of it handled)"
        ),
        case!(
            ping_flood,
            "5,000 pings on a joined websocket",
            "the same connection then syncs the canary"
        ),
    ]
}

async fn not_cbor(c: &Canary) {
    assert_closes(
        &c.relay,
        &c.volunteer,
        b"\xff\xfe garbage".to_vec(),
        1002,
        "the message is not a CBOR map with a `type`",
    )
    .await;
}

async fn cbor_array(c: &Canary) {
    let mut bytes = Vec::new();
    let array = ciborium::Value::Array(vec!["sync".into(), "x".into()]);
    ciborium::into_writer(&array, &mut bytes).unwrap();
    assert_closes(
        &c.relay,
        &c.volunteer,
        bytes,
        1002,
        "not a CBOR map with a `type`",
    )
    .await;
}

async fn cbor_map_without_type(c: &Canary) {
    let bytes = cbor(vec![
        ("senderId", "x".into()),
        ("documentId", c.household_doc.as_str().into()),
    ]);
    assert_closes(
        &c.relay,
        &c.volunteer,
        bytes,
        1002,
        "not a CBOR map with a `type`",
    )
    .await;
}

async fn unknown_message_type(c: &Canary) {
    let bytes = cbor(vec![("type", "teleport".into()), ("senderId", "x".into())]);
    assert_closes(
        &c.relay,
        &c.volunteer,
        bytes,
        1002,
        "unknown message type `teleport`",
    )
    .await;
}

async fn sync_without_document_id(c: &Canary) {
    let bytes = cbor(vec![
        ("type", "sync".into()),
        ("senderId", "x".into()),
        ("targetId", "relay".into()),
        ("data", ciborium::Value::Bytes(vec![0x42])),
    ]);
    assert_closes(
        &c.relay,
        &c.volunteer,
        bytes,
        1002,
        "malformed `sync` message",
    )
    .await;
}

async fn sync_data_of_the_wrong_type(c: &Canary) {
    let bytes = cbor(vec![
        ("type", "sync".into()),
        ("senderId", "x".into()),
        ("targetId", "relay".into()),
        ("documentId", c.household_doc.as_str().into()),
        ("data", "not bytes".into()),
    ]);
    assert_closes(
        &c.relay,
        &c.volunteer,
        bytes,
        1002,
        "malformed automerge sync message",
    )
    .await;
}

async fn bloom_filter_without_bits(c: &Canary) {
    // One entry, no bits per entry, seven probes: a filter of zero bytes.
    hostile_bloom(c, &[1, 0, 7]).await;
}

async fn bloom_filter_with_four_billion_probes(c: &Canary) {
    // One entry of ten bits, u32::MAX probes (LEB128), then the two bytes of bits.
    hostile_bloom(c, &[1, 10, 0xff, 0xff, 0xff, 0xff, 0x0f, 0xff, 0xff]).await;
}

async fn hostile_bloom(c: &Canary, bloom: &[u8]) {
    let mut peer = connect(&c.relay, &c.volunteer).await;
    let data = jiran_core::testing::hostile::sync_data_with_bloom(bloom);
    let message = peer.sync_message(c.household_doc.as_str(), data, false);
    peer.send(&message).await;
    assert_closed(
        &mut peer,
        1002,
        "an automerge sync message with an unusable bloom filter",
    )
    .await;
}

async fn invalid_document_id(c: &Canary) {
    let mut peer = connect(&c.relay, &c.volunteer).await;
    let message = peer.sync_message("../../relay.sqlite3", vec![0x42], false);
    peer.send(&message).await;
    assert_closed(&mut peer, 1002, "invalid document id").await;
}

async fn text_frame(c: &Canary) {
    let mut peer = connect(&c.relay, &c.volunteer).await;
    peer.ws
        .send(tungstenite::Message::Text("{\"type\":\"join\"}".into()))
        .await
        .unwrap();
    assert_closed(&mut peer, 1002, "binary CBOR messages only").await;
}

async fn long_arabic_message_type(c: &Canary) {
    let kind = "نوع غير معروف ".repeat(20);
    let bytes = cbor(vec![
        ("type", kind.as_str().into()),
        ("senderId", "x".into()),
    ]);
    let mut peer = connect(&c.relay, &c.volunteer).await;
    peer.send_raw(bytes).await;
    // `Peer::next` fails on a close frame that is not valid UTF-8 or over 125 bytes (1006).
    let (code, reason, _) = closed_with(&mut peer, Duration::from_secs(10)).await;
    assert_eq!(code, 1002, "{reason:?}");
    assert!(
        reason.len() <= 123 && reason.len() > 100,
        "{} bytes",
        reason.len()
    );
    assert!(reason.starts_with("unknown message type"), "{reason}");
}

async fn messages_a_client_does_not_send(c: &Canary) {
    let mut peer = connect(&c.relay, &c.volunteer).await;
    let me = peer.id.clone();
    let relay = peer.relay.clone();
    for bytes in [
        Message::Peer {
            sender_id: me.clone(),
            target_id: relay.clone(),
            peer_metadata: jiran_core::sync::protocol::PeerMetadata {
                storage_id: None,
                is_ephemeral: true,
            },
            selected_protocol_version: "1".into(),
        }
        .encode(),
        Message::Error {
            sender_id: me.clone(),
            target_id: relay.clone(),
            message: "you are wrong".into(),
        }
        .encode(),
        Message::DocUnavailable {
            sender_id: me.clone(),
            target_id: relay.clone(),
            document_id: c.household_doc.clone(),
        }
        .encode(),
        Message::RemoteHeadsChanged {
            sender_id: me.clone(),
        }
        .encode(),
    ] {
        peer.send_raw(bytes).await;
    }
    reads_canary(c, &mut peer).await;
}

fn ephemeral(peer: &Peer, doc_id: &str, sender: &str, data: &[u8]) -> Message {
    Message::Ephemeral {
        sender_id: sender.to_owned(),
        target_id: peer.relay.clone(),
        document_id: doc_id.to_owned(),
        session_id: "s".into(),
        count: 1,
        data: data.to_vec(),
    }
}

/// A peer that syncs the canary, listening.
async fn listener(c: &Canary) -> Peer {
    let mut peer = connect(&c.relay, &c.witness).await;
    let mut doc = automerge::Automerge::new();
    assert_eq!(peer.sync(&c.household_doc, &mut doc).await, Outcome::Synced);
    peer
}

/// The next `ephemeral` the peer gets within a second: (sender, data).
async fn next_ephemeral(peer: &mut Peer) -> Option<(String, Vec<u8>)> {
    loop {
        match peer.next(Duration::from_secs(1)).await? {
            Ok(Message::Ephemeral {
                sender_id, data, ..
            }) => return Some((sender_id, data)),
            Ok(_) => continue,
            Err(closed) => panic!("closed: {closed:?}"),
        }
    }
}

async fn ephemeral_for_a_document_not_synced(c: &Canary) {
    let mut honest = listener(c).await;
    let mut outsider = connect(&c.relay, &c.volunteer).await;
    let message = ephemeral(
        &outsider,
        &c.household_doc,
        &outsider.id.clone(),
        b"not yours",
    );
    outsider.send(&message).await;
    assert_eq!(next_ephemeral(&mut honest).await, None);
}

async fn ephemeral_with_a_forged_sender(c: &Canary) {
    let mut honest = listener(c).await;
    let mut sender = connect(&c.relay, &c.volunteer).await;
    let mut doc = automerge::Automerge::new();
    assert_eq!(
        sender.sync(&c.household_doc, &mut doc).await,
        Outcome::Synced
    );
    let message = ephemeral(&sender, &c.household_doc, &honest.id.clone(), b"typing");
    sender.send(&message).await;
    let got = next_ephemeral(&mut honest).await.expect("passed on");
    assert_eq!(got, (sender.id.clone(), b"typing".to_vec()));
}

async fn sync_targeting_another_peer(c: &Canary) {
    let mut honest = listener(c).await;
    let mut other = connect(&c.relay, &c.volunteer).await;
    let data = automerge::Automerge::new()
        .generate_sync_message(&mut automerge::sync::State::new())
        .unwrap()
        .encode();
    let message = Message::Sync {
        sender_id: other.id.clone(),
        target_id: honest.id.clone(),
        document_id: c.household_doc.clone(),
        data,
    };
    other.send(&message).await;
    match other.next(Duration::from_secs(5)).await {
        Some(Ok(Message::Sync {
            sender_id,
            target_id,
            ..
        })) => {
            assert_eq!(sender_id, other.relay);
            assert_eq!(target_id, other.id);
        }
        got => panic!("expected the relay's answer, got {got:?}"),
    }
    assert!(
        honest.next(Duration::from_secs(1)).await.is_none(),
        "the target got something"
    );
}

async fn leave(c: &Canary) {
    let mut peer = connect(&c.relay, &c.volunteer).await;
    let message = Message::Leave {
        sender_id: peer.id.clone(),
    };
    peer.send(&message).await;
    assert_closed(&mut peer, 1000, "goodbye").await;
}

/// Writes `frames` on a hand-opened websocket after `join`, and asserts the relay drops the
/// connection without handling anything after the bad frame.
async fn dropped_after(c: &Canary, bad: Vec<u8>) {
    let mut stream = raw_ws(&c.relay, &c.volunteer.token).await;
    // A message the relay would answer if it handled it: the join.
    let join = Message::Join {
        sender_id: format!("peer-{}", rand_id()),
        peer_metadata: jiran_core::sync::protocol::PeerMetadata {
            storage_id: None,
            is_ephemeral: true,
        },
        supported_protocol_versions: vec!["1".into()],
    };
    stream.write_all(&bad).await.unwrap();
    let _ = stream
        .write_all(&frame(true, 0x2, &join.encode(), true))
        .await;
    let mut rest = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut rest)).await;
    assert!(read.is_ok(), "the relay kept the connection open");
    // Nothing answered the join: no binary frame (opcode 0x2) came back.
    assert!(
        rest.first().is_none_or(|b| b & 0x0f != 0x2),
        "the relay handled a message after the bad frame: {rest:?}"
    );
}

async fn unmasked_client_frame(c: &Canary) {
    dropped_after(c, frame(true, 0x2, b"\xa0", false)).await;
}

async fn reserved_opcode(c: &Canary) {
    dropped_after(c, frame(true, 0x3, b"x", true)).await;
}

async fn ping_flood(c: &Canary) {
    let mut peer = connect(&c.relay, &c.volunteer).await;
    for n in 0..5000u32 {
        peer.ws
            .send(tungstenite::Message::Ping(n.to_be_bytes().to_vec().into()))
            .await
            .unwrap();
    }
    reads_canary(c, &mut peer).await;
}
