//! Raw automerge-repo peers (`jiran_tests::client`) speaking to a relay as a device, and the
//! small documents they sync: what the tests of the relay on its own use instead of phones.

use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT};
use jiran_tests::client::{Outcome, Peer};

use super::api::Credentials;
use super::relay::Relay;

/// Connects to the relay's websocket as `device` and joins.
pub async fn connect(relay: &Relay, device: &Credentials) -> Peer {
    Peer::connect(&relay.ws_url(), Some(&device.token)).await
}

/// Fetches a document from the relay as `device`: how the sync ended, and what arrived.
pub async fn fetch(relay: &Relay, device: &Credentials, doc_id: &str) -> (Outcome, Automerge) {
    let mut peer = connect(relay, device).await;
    let mut doc = Automerge::new();
    let outcome = peer.sync(doc_id, &mut doc).await;
    (outcome, doc)
}

/// Asserts the relay still serves `device`: a new document syncs.
pub async fn assert_serves(relay: &Relay, device: &Credentials) {
    let mut doc = doc_with("k", "v");
    let outcome = connect(relay, device)
        .await
        .sync(&rand_id(), &mut doc)
        .await;
    assert_eq!(outcome, Outcome::Synced, "the relay still serves");
}

/// A new random document id.
pub fn rand_id() -> String {
    jiran_core::DocumentId::random().to_string()
}

/// A document with one key set.
pub fn doc_with(key: &str, value: &str) -> Automerge {
    let mut doc = Automerge::new();
    put(&mut doc, key, value);
    doc
}

/// Sets a key of a document, in one change.
pub fn put(doc: &mut Automerge, key: &str, value: &str) {
    let mut tx = doc.transaction();
    tx.put(ROOT, key, value).unwrap();
    tx.commit();
}

/// The string at `key`.
pub fn get(doc: &Automerge, key: &str) -> Option<String> {
    use automerge::ReadDoc;
    doc.get(ROOT, key)
        .unwrap()
        .and_then(|(v, _)| v.into_string().ok())
}
