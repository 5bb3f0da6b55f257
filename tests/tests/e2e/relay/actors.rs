//! Who wrote a change: a device owns the Automerge actor id of the key it registered when it
//! joined (or, for a client without a key, the actor ids it was the first to write with), and
//! the relay refuses a change under an actor another device owns — so a modified phone can
//! neither sign changes as the lead nor take the lead's next sequence number and lock the
//! lead's phone out of a document.

use automerge::{ActorId, Automerge};
use jiran_core::sync::protocol::{Message, PeerMetadata};
use jiran_core::Store;
use serde_json::json;

use crate::support::*;

/// A document with one key, written by `actor`.
fn doc_by(actor: &ActorId, key: &str, value: &str) -> Automerge {
    let mut doc = Automerge::new().with_actor(actor.clone());
    put(&mut doc, key, value);
    doc
}

/// Joins with a real phone store's device key and proof, as `jiran_core::sync::join` does.
fn join_with_key(relay: &Relay, code: &str, store: &Store) -> (u16, serde_json::Value) {
    post(
        &format!("{}/v1/join", relay.url),
        None,
        json!({
            "invite_code": code,
            "device_name": "phone",
            "device_key": store.device_key().to_string(),
            "device_key_proof": proof(store, code),
        }),
    )
}

/// The proof a phone sends with its key when it redeems `code`.
fn proof(store: &Store, code: &str) -> String {
    store.join_proof(code)
}

#[tokio::test]
async fn test_a_change_under_the_leads_actor_is_refused_and_the_lead_keeps_writing() {
    let w = world();
    let doc_id = rand_id();
    let lead_actor = ActorId::random();
    let mut lead_doc = doc_by(&lead_actor, "family", "registered");
    assert_eq!(
        connect(&w.relay, &w.lead)
            .await
            .sync(&doc_id, &mut lead_doc)
            .await,
        Outcome::Synced
    );

    // The volunteer's modified phone writes the lead's next change: same actor, next seq.
    let mut forged = lead_doc.fork();
    forged.set_actor(lead_actor.clone());
    put(&mut forged, "family", "erased by the lead");
    let outcome = connect(&w.relay, &w.volunteer)
        .await
        .sync(&doc_id, &mut forged)
        .await;
    let Outcome::Closed(code, reason) = outcome else {
        panic!("the relay accepted a change under the lead's actor: {outcome:?}");
    };
    assert_eq!(code, 4403);
    assert!(reason.contains("another device's actor"), "{reason}");

    // Nothing of it was stored, and the lead's own next change (the same seq) is accepted.
    let (_, stored) = fetch(&w.relay, &w.volunteer, &doc_id).await;
    assert_eq!(get(&stored, "family").as_deref(), Some("registered"));
    put(&mut lead_doc, "needs", "food");
    assert_eq!(
        connect(&w.relay, &w.lead)
            .await
            .sync(&doc_id, &mut lead_doc)
            .await,
        Outcome::Synced
    );
    let (_, stored) = fetch(&w.relay, &w.volunteer, &doc_id).await;
    assert_eq!(get(&stored, "needs").as_deref(), Some("food"));
    assert_eq!(get(&stored, "family").as_deref(), Some("registered"));
    assert_serves(&w.relay, &w.volunteer).await;
}

#[tokio::test]
async fn test_a_registered_key_is_its_devices_actor_before_it_writes_anything() {
    let dir = tempfile::tempdir().unwrap();
    let (_, code) = create_antenna(dir.path(), "La Marsa");
    let relay = Relay::start(dir.path());
    let phone_dir = tempfile::tempdir().unwrap();
    let phone = Store::open(phone_dir.path()).unwrap();
    let (status, body) = join_with_key(&relay, &code, &phone);
    assert_eq!(status, 200, "{body}");
    let lead = Credentials {
        id: body["device_id"].as_str().unwrap().into(),
        token: body["device_token"].as_str().unwrap().into(),
        antenna: body["antenna_id"].as_str().unwrap().parse().unwrap(),
    };
    let volunteer = invite_and_join(&relay, &lead, "volunteer");

    // The key is public (every change carries it): a volunteer writing with it is refused,
    // though the lead's phone never wrote through the relay yet.
    let mut forged = doc_by(&phone.device_key().actor(), "k", "v");
    let outcome = connect(&relay, &volunteer)
        .await
        .sync(&rand_id(), &mut forged)
        .await;
    assert!(
        matches!(outcome, Outcome::Closed(4403, _)),
        "a change under the lead's key was accepted: {outcome:?}"
    );

    // The lead writes with it.
    let mut own = doc_by(&phone.device_key().actor(), "k", "v");
    let outcome = connect(&relay, &lead)
        .await
        .sync(&rand_id(), &mut own)
        .await;
    assert_eq!(outcome, Outcome::Synced);
}

#[tokio::test]
async fn test_nobody_registers_a_key_they_do_not_hold() {
    let dir = tempfile::tempdir().unwrap();
    let (_, code) = create_antenna(dir.path(), "La Marsa");
    let relay = Relay::start(dir.path());
    let victim_dir = tempfile::tempdir().unwrap();
    let victim = Store::open(victim_dir.path()).unwrap();
    let thief_dir = tempfile::tempdir().unwrap();
    let thief = Store::open(thief_dir.path()).unwrap();
    let url = format!("{}/v1/join", relay.url);
    let key = victim.device_key().to_string();

    let cases = [
        // Someone else's public key with the thief's own proof.
        json!({"invite_code": code, "device_name": "p", "device_key": key,
               "device_key_proof": proof(&thief, &code)}),
        // The victim's proof for another invite code.
        json!({"invite_code": code, "device_name": "p", "device_key": key,
               "device_key_proof": proof(&victim, "another-code")}),
        // A key without a proof, a proof without a key, garbage.
        json!({"invite_code": code, "device_name": "p", "device_key": key}),
        json!({"invite_code": code, "device_name": "p", "device_key_proof": proof(&victim, &code)}),
        json!({"invite_code": code, "device_name": "p", "device_key": "not-a-key",
               "device_key_proof": "x"}),
    ];
    for body in cases {
        let (status, answer) = post(&url, None, body.clone());
        assert_eq!(status, 400, "{body} → {answer}");
    }
    // None of them used the invite: the holder of the key joins with it.
    let (status, body) = join_with_key(&relay, &code, &victim);
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn test_a_client_without_a_key_owns_the_actors_it_writes_with_first() {
    let w = world();
    let actor = ActorId::random();
    let mut first = doc_by(&actor, "k", "v");
    assert_eq!(
        connect(&w.relay, &w.volunteer)
            .await
            .sync(&rand_id(), &mut first)
            .await,
        Outcome::Synced
    );
    // From then on that actor is the volunteer's, even for the antenna's lead...
    let mut taken = doc_by(&actor, "k", "v2");
    let outcome = connect(&w.relay, &w.lead)
        .await
        .sync(&rand_id(), &mut taken)
        .await;
    assert!(matches!(outcome, Outcome::Closed(4403, _)), "{outcome:?}");
    // ... and across a restart of the relay (the binding is on disk).
    let data = w._dir.path().to_path_buf();
    let World {
        relay, volunteer, ..
    } = w;
    relay.kill9();
    let relay = Relay::start(&data);
    let mut again = doc_by(&actor, "k", "v3");
    let outcome = connect(&relay, &volunteer)
        .await
        .sync(&rand_id(), &mut again)
        .await;
    assert_eq!(outcome, Outcome::Synced);
}

/// Opens a websocket as `device` and joins with the peer id `id`: what the relay answers.
async fn join_as(
    relay: &Relay,
    device: &Credentials,
    id: &str,
) -> (
    jiran_tests::client::Peer,
    Option<Result<Message, (u16, String)>>,
) {
    let ws = jiran_tests::client::open(&relay.ws_url(), Some(&device.token))
        .await
        .unwrap();
    let mut peer = jiran_tests::client::Peer::unjoined(ws);
    peer.send(&Message::Join {
        sender_id: id.to_owned(),
        peer_metadata: PeerMetadata::default(),
        supported_protocol_versions: vec!["1".into()],
    })
    .await;
    // A refusal comes as an `error` message, then the close: the close is the answer.
    loop {
        let answer = peer.next(std::time::Duration::from_secs(5)).await;
        if !matches!(answer, Some(Ok(Message::Error { .. }))) {
            return (peer, answer);
        }
    }
}

#[tokio::test]
async fn test_a_device_cannot_take_another_devices_peer_id() {
    let w = world();
    let (_lead_peer, answer) = join_as(&w.relay, &w.lead, "peer-leila").await;
    assert!(
        matches!(answer, Some(Ok(Message::Peer { .. }))),
        "{answer:?}"
    );
    // The volunteer's phone claims the lead's peer id (to speak as the lead in presence).
    let (_, answer) = join_as(&w.relay, &w.volunteer, "peer-leila").await;
    match answer {
        Some(Err((code, reason))) => {
            assert_eq!(code, 4409);
            assert!(reason.contains("another device"), "{reason}");
        }
        other => panic!("the relay let a device take another's peer id: {other:?}"),
    }
    // The lead's own second connection may use it, and the volunteer its own.
    let (_, answer) = join_as(&w.relay, &w.lead, "peer-leila").await;
    assert!(
        matches!(answer, Some(Ok(Message::Peer { .. }))),
        "{answer:?}"
    );
    let (_, answer) = join_as(&w.relay, &w.volunteer, "peer-sami").await;
    assert!(
        matches!(answer, Some(Ok(Message::Peer { .. }))),
        "{answer:?}"
    );
}
