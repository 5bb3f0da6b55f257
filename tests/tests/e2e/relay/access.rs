//! Per-antenna access: roles × own / other antenna × read / write / create / revoked, every
//! cell asserted.

use crate::support::*;

#[tokio::test]
async fn test_two_devices_of_an_antenna_share_a_document_and_another_antenna_cannot_see_it() {
    let w = world();
    let doc_id = rand_id();
    let mut created = doc_with("family", "registered");
    assert_eq!(
        connect(&w.relay, &w.lead)
            .await
            .sync(&doc_id, &mut created)
            .await,
        Outcome::Synced
    );

    let (outcome, fetched) = fetch(&w.relay, &w.volunteer, &doc_id).await;
    assert_eq!(outcome, Outcome::Synced);
    assert_eq!(get(&fetched, "family").as_deref(), Some("registered"));

    let (outcome, fetched) = fetch(&w.relay, &w.stranger, &doc_id).await;
    assert_eq!(outcome, Outcome::Unavailable);
    assert!(fetched.get_heads().is_empty());
    // Exactly as for a document that does not exist.
    let (missing, _) = fetch(&w.relay, &w.stranger, &rand_id()).await;
    assert_eq!(missing, Outcome::Unavailable);
}

#[tokio::test]
async fn test_a_change_reaches_the_other_connected_devices_of_the_antenna() {
    let w = world();
    let doc_id = rand_id();
    let mut a = doc_with("n", "0");
    let mut writer = connect(&w.relay, &w.lead).await;
    assert_eq!(writer.sync(&doc_id, &mut a).await, Outcome::Synced);
    let mut reader = connect(&w.relay, &w.volunteer).await;
    let mut b = automerge::Automerge::new();
    assert_eq!(reader.sync(&doc_id, &mut b).await, Outcome::Synced);

    put(&mut a, "n", "1");
    assert_eq!(writer.sync(&doc_id, &mut a).await, Outcome::Synced);
    // The reader did nothing: the relay pushes the change to it.
    let mut state = automerge::sync::State::new();
    let pushed = loop {
        match reader.next(std::time::Duration::from_secs(5)).await {
            Some(Ok(jiran_core::sync::protocol::Message::Sync { data, .. })) => {
                use automerge::sync::SyncDoc;
                b.receive_sync_message(
                    &mut state,
                    automerge::sync::Message::decode(&data).unwrap(),
                )
                .unwrap();
                if get(&b, "n").as_deref() == Some("1") {
                    break true;
                }
            }
            Some(Ok(_)) => {}
            _ => break false,
        }
    };
    assert!(pushed, "the change was pushed to the other device");
}

/// What a device can do with a document of its own antenna (`own`) or another one's.
async fn can_read(w: &World, device: &Credentials, doc_id: &str) -> bool {
    let (outcome, doc) = fetch(&w.relay, device, doc_id).await;
    outcome == Outcome::Synced && get(&doc, "k").is_some()
}

async fn can_write(w: &World, device: &Credentials, owner: &Credentials, doc_id: &str) -> bool {
    // The device holds a copy (as a member it read before), edits it and syncs.
    let (_, mut copy) = fetch(&w.relay, owner, doc_id).await;
    let marker = rand_id();
    put(&mut copy, "written", &marker);
    let _ = connect(&w.relay, device)
        .await
        .sync(doc_id, &mut copy)
        .await;
    let (_, seen) = fetch(&w.relay, owner, doc_id).await;
    get(&seen, "written").as_deref() == Some(marker.as_str())
}

async fn can_create(w: &World, device: &Credentials, owner: &Credentials) -> bool {
    let doc_id = rand_id();
    let mut doc = doc_with("k", "new");
    let _ = connect(&w.relay, device)
        .await
        .sync(&doc_id, &mut doc)
        .await;
    // Created means: a member of the device's own antenna can now read it.
    let (outcome, seen) = fetch(&w.relay, owner, &doc_id).await;
    outcome == Outcome::Synced && get(&seen, "k").as_deref() == Some("new")
}

#[tokio::test]
async fn test_the_access_matrix() {
    let w = world();
    // One document in each antenna.
    let ours = rand_id();
    let mut doc = doc_with("k", "ours");
    assert_eq!(
        connect(&w.relay, &w.lead).await.sync(&ours, &mut doc).await,
        Outcome::Synced
    );
    let theirs = rand_id();
    let mut doc = doc_with("k", "theirs");
    assert_eq!(
        connect(&w.relay, &w.stranger)
            .await
            .sync(&theirs, &mut doc)
            .await,
        Outcome::Synced
    );

    let cases = [
        // (device, role, own antenna: read, write, create, other antenna: read, write)
        (&w.lead, "lead", true, true, true, false, false),
        (&w.volunteer, "volunteer", true, true, true, false, false),
        (&w.observer, "observer", true, false, false, false, false),
    ];
    for (device, role, read, write, create, other_read, other_write) in cases {
        assert_eq!(
            can_read(&w, device, &ours).await,
            read,
            "{role} reads own antenna"
        );
        assert_eq!(
            can_write(&w, device, &w.lead, &ours).await,
            write,
            "{role} writes own antenna"
        );
        assert_eq!(
            can_create(&w, device, &w.lead).await,
            create,
            "{role} creates in own antenna"
        );
        assert_eq!(
            can_read(&w, device, &theirs).await,
            other_read,
            "{role} reads another antenna"
        );
        assert_eq!(
            can_write(&w, device, &w.stranger, &theirs).await,
            other_write,
            "{role} writes another antenna"
        );
    }
    // Creating in another antenna is impossible by construction: a new document belongs to
    // its creator's antenna, so the other antenna's lead cannot see it.
    assert!(
        !can_create(&w, &w.lead, &w.stranger).await,
        "a document created by one antenna is not another's"
    );

    // Revoked: for every role, the live connection closes and later attempts are told to wipe.
    for (device, role) in [(&w.volunteer, "volunteer"), (&w.observer, "observer")] {
        let mut live = connect(&w.relay, device).await;
        let (status, _) = call(
            "DELETE",
            &format!(
                "{}/v1/antennas/{}/devices/{}",
                w.relay.url, w.lead.antenna, device.id
            ),
            Some(&w.lead.token),
        );
        assert_eq!(status, 204, "{role}");
        match live.next(std::time::Duration::from_secs(5)).await {
            Some(Err((code, reason))) => {
                assert_eq!(code, 4003, "{role}");
                assert!(reason.contains("wipe"), "{reason}");
            }
            other => panic!("{role}: expected the revocation close, got {other:?}"),
        }
        let mut again = Peer::unjoined(open(&w.relay.ws_url(), Some(&device.token)).await.unwrap());
        assert!(
            matches!(
                again.next(std::time::Duration::from_secs(5)).await,
                Some(Err((4003, _)))
            ),
            "{role}: later attempts are told they are revoked"
        );
    }
    // A revoked device's token no longer manages anything, and only leads manage devices.
    let (status, _) = call(
        "GET",
        &format!("{}/v1/antennas/{}/devices", w.relay.url, w.lead.antenna),
        Some(&w.volunteer.token),
    );
    assert_eq!(status, 401);
    let (status, _) = call(
        "GET",
        &format!("{}/v1/antennas/{}/devices", w.relay.url, w.lead.antenna),
        Some(&w.stranger.token),
    );
    assert_eq!(status, 403);
    let (status, body) = call(
        "GET",
        &format!("{}/v1/antennas/{}/devices", w.relay.url, w.lead.antenna),
        Some(&w.lead.token),
    );
    assert_eq!(status, 200);
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["devices"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn test_invites_are_single_use_by_default_and_bad_codes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (antenna, code) = create_antenna(dir.path(), "La Marsa");
    let relay = Relay::start(dir.path());
    let lead = join(&relay, &code, "lead");
    assert_eq!(lead.antenna, antenna);
    let url = format!("{}/v1/join", relay.url);
    let (status, body) = post(
        &url,
        None,
        serde_json::json!({ "invite_code": code, "device_name": "again" }),
    );
    assert_eq!(status, 403, "{body}");
    assert!(body["error"].as_str().unwrap().contains("invite"));
    let (status, _) = post(
        &url,
        None,
        serde_json::json!({ "invite_code": "forged", "device_name": "x" }),
    );
    assert_eq!(status, 403);
    let (status, _) = post(
        &url,
        None,
        serde_json::json!({ "invite_code": "x", "device_name": " " }),
    );
    assert_eq!(status, 400);
    // A multi-use invite serves as many devices as it says.
    let (_, body) = post(
        &format!("{}/v1/antennas/{}/invites", relay.url, antenna),
        Some(&lead.token),
        serde_json::json!({ "role": "volunteer", "uses": 2, "expires_in_hours": 1 }),
    );
    let code = body["invite_code"].as_str().unwrap();
    join(&relay, code, "one");
    join(&relay, code, "two");
    let (status, _) = post(
        &url,
        None,
        serde_json::json!({ "invite_code": code, "device_name": "three" }),
    );
    assert_eq!(status, 403);
    let (status, _) = post(
        &format!("{}/v1/antennas/{}/invites", relay.url, antenna),
        Some(&lead.token),
        serde_json::json!({ "role": "king" }),
    );
    assert_eq!(status, 400);
}
