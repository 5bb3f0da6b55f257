//! What the relay acknowledged survives `kill -9`.

use crate::support::*;

#[tokio::test]
async fn test_every_change_a_peer_received_survives_kill_9() {
    let (dir, relay, lead) = relay_with_lead();
    let mut docs = Vec::new();
    let mut peer = connect(&relay, &lead).await;
    for i in 0..20 {
        let id = rand_id();
        let mut doc = doc_with("k", &format!("v{i}"));
        put(&mut doc, "more", &"x".repeat(i * 100));
        // Synced means the relay answered with our heads: only sent once on disk.
        assert_eq!(peer.sync(&id, &mut doc).await, Outcome::Synced);
        docs.push((id, doc.get_heads()));
    }
    relay.kill9();

    let relay = Relay::start(dir.path());
    for (id, heads) in docs {
        let (outcome, doc) = fetch(&relay, &lead, &id).await;
        assert_eq!(outcome, Outcome::Synced);
        assert_eq!(doc.get_heads(), heads, "document {id} came back whole");
    }
}
