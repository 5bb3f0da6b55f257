//! A modified phone mixed into the honest traffic of a schedule: with a real volunteer's
//! token, it sends what jiran-core never would. Each act must be refused by the relay with
//! the documented close, on that connection only; the schedule's end then checks that the
//! honest phones converged on exactly what the honest calls recorded.

use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, ObjType, ReadDoc, ROOT};
use jiran_core::{AntennaId, DocumentId, HouseholdId};
use jiran_tests::client::{Outcome, Peer};
use rand::rngs::StdRng;
use rand::Rng;
use std::time::Duration;

/// The close code of a refused protocol message, and of a change the device may not write.
const PROTOCOL: u16 = 1002;
const FORBIDDEN: u16 = 4403;

/// What the hostile phone holds: its own volunteer's credentials, and whom it impersonates.
pub struct Hostile {
    /// The relay's websocket URL.
    pub ws_url: String,
    /// A volunteer's real token.
    pub token: String,
    /// That volunteer's member id in the antenna.
    pub device_id: String,
    /// The antenna.
    pub antenna: AntennaId,
    /// Another member's actor id (their device key), to write under.
    pub victim: ActorId,
}

impl Hostile {
    /// One hostile act drawn from `rng`, against the households the honest phones shared.
    /// Panics (failing the schedule) when the relay lets it through.
    pub async fn act(&self, rng: &mut StdRng, shared: &[HouseholdId]) {
        let act = match rng.random_range(0..5) {
            0 => self.garbage(rng).await,
            1 => self.promote_itself().await,
            2 => self.vandalise_schema().await,
            3 => self.write_from_nothing().await,
            _ => match shared.get(rng.random_range(0..shared.len().max(1))) {
                Some(h) => self.impersonate(h.0).await,
                None => self.vandalise_schema().await,
            },
        };
        // Counted by scripts/soak's readers: what was tried, and that it was refused.
        println!("hostile act: {act}");
    }

    async fn peer(&self) -> Peer {
        Peer::connect(&self.ws_url, Some(&self.token)).await
    }

    /// Random bytes as a binary frame: not a message.
    async fn garbage(&self, rng: &mut StdRng) -> &'static str {
        let mut peer = self.peer().await;
        let len = rng.random_range(1..512);
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        bytes[0] = 0xff; // never a CBOR map, whatever follows
        peer.send_raw(bytes).await;
        let (code, reason) = closed(&mut peer).await;
        assert_eq!(code, PROTOCOL, "garbage was not refused: {reason}");
        "garbage refused"
    }

    /// The antenna document with this volunteer's role set to lead.
    async fn promote_itself(&self) -> &'static str {
        let id = self.antenna.document().to_string();
        let mut doc = self.copy(&id).await;
        let mut tx = doc.transaction();
        let members = match tx.get(ROOT, "members").unwrap() {
            Some((automerge::Value::Object(_), members)) => members,
            _ => tx.put_object(ROOT, "members", ObjType::Map).unwrap(),
        };
        let me = match tx.get(&members, self.device_id.as_str()).unwrap() {
            Some((automerge::Value::Object(_), me)) => me,
            _ => tx
                .put_object(&members, self.device_id.as_str(), ObjType::Map)
                .unwrap(),
        };
        tx.put(&me, "role", "lead").unwrap();
        tx.commit();
        self.refused(&id, &mut doc, "self-promotion").await;
        "self-promotion refused"
    }

    /// The antenna document's schema set to one no phone reads.
    async fn vandalise_schema(&self) -> &'static str {
        let id = self.antenna.document().to_string();
        let mut doc = self.copy(&id).await;
        let mut tx = doc.transaction();
        tx.put(ROOT, "schema", 99_u64).unwrap();
        tx.commit();
        self.refused(&id, &mut doc, "schema vandalism").await;
        "schema vandalism refused"
    }

    /// An empty sync message for a new document: no document may come of it.
    async fn write_from_nothing(&self) -> &'static str {
        let mut peer = self.peer().await;
        let id = DocumentId::random().to_string();
        let mut doc = Automerge::new();
        let outcome = peer
            .sync_within(&id, &mut doc, Duration::from_millis(500))
            .await;
        assert!(
            matches!(outcome, Outcome::Unavailable | Outcome::Idle),
            "a document from nothing: {outcome:?}"
        );
        assert!(doc.get_heads().is_empty(), "the relay made up changes");
        "a document from nothing refused"
    }

    /// A change to a household under another member's actor id.
    async fn impersonate(&self, doc: DocumentId) -> &'static str {
        let id = doc.to_string();
        let mut copy = self.copy(&id).await;
        if copy.get_heads().is_empty() {
            return "impersonation skipped (the household is not on the relay yet)";
        }
        copy.set_actor(self.victim.clone());
        let mut tx = copy.transaction();
        tx.put(ROOT, "vandalised", true).unwrap();
        tx.commit();
        self.refused(&id, &mut copy, "impersonation").await;
        "impersonation refused"
    }

    /// The relay's copy of a document (empty if it has none).
    async fn copy(&self, id: &str) -> Automerge {
        let mut doc = Automerge::new();
        let outcome = self.peer().await.sync(id, &mut doc).await;
        assert!(
            matches!(outcome, Outcome::Synced | Outcome::Unavailable),
            "the hostile phone's own fetch failed: {outcome:?}"
        );
        doc
    }

    async fn refused(&self, id: &str, doc: &mut Automerge, what: &str) {
        let outcome = self.peer().await.sync(id, doc).await;
        match outcome {
            Outcome::Closed(FORBIDDEN, _) => {}
            other => panic!("{what} was not refused with {FORBIDDEN}: {other:?}"),
        }
        let stored = self.copy(id).await;
        assert!(
            stored.get(ROOT, "vandalised").unwrap().is_none()
                && stored
                    .get(ROOT, "schema")
                    .unwrap()
                    .and_then(|(v, _)| v.as_u64())
                    != Some(99),
            "{what} reached the relay's copy"
        );
    }
}

/// Reads until the relay closes; its code and reason.
async fn closed(peer: &mut Peer) -> (u16, String) {
    loop {
        match peer.next(Duration::from_secs(5)).await {
            Some(Err(closed)) => return closed,
            Some(Ok(_)) => {}
            None => panic!("the relay neither answered nor closed"),
        }
    }
}
