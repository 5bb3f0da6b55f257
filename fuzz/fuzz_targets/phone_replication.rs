//! A phone's store taking documents from outside: `Replication::import` (documents and
//! changes from another device) and `Replication::receive_sync_message` (automerge sync
//! messages from the relay), on a real `Store` (SQLite in a temporary directory, on tmpfs
//! when `/dev/shm` exists, so a transaction's fsync costs nothing).
//!
//! Input: a script (`jiran_fuzz::Script`); the phone is a member of the script's antenna.
//! Operations: import the bytes into a document; decode the bytes as an automerge sync
//! message (bytes that do not decode stop at the decoder, as in the sync engine) and receive
//! it, with one sync state per document for the script; generate the next sync message for a
//! document; re-import a document's own export.
//!
//! Asserts: no panic; an import or receive that fails leaves the document's heads, the
//! antenna's list of documents and (for a receive) the sync state as they were; `Unchanged`
//! leaves the heads as they were, `Created` and `Merged` leave a stored document, `Erased`
//! none; a stored document exports, loads, is not empty, has a header naming an antenna the
//! phone belongs to, and has the heads `heads` reports; re-importing a document's own export
//! changes nothing; a generated sync message encodes and decodes; and after the script the
//! antenna document, if the phone has it, still reads as an antenna (`Store::antenna`).
//!
//! State: a store lives for 1,000 inputs, then a fresh one replaces it (see the hub target
//! for why, and what it means for reproducing a crash).

#![no_main]

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use automerge::sync;
use jiran_core::{AntennaId, DocumentId, Error, ImportOutcome, MemberId, Store};
use jiran_fuzz::{assert_sound_phone_document, Script};
use libfuzzer_sys::fuzz_target;

/// Inputs one store serves before a fresh one replaces it.
const INPUTS_PER_STORE: u32 = 1_000;

struct Phone {
    store: Store,
    joined: HashSet<AntennaId>,
    inputs: u32,
    /// The heads of each document at its last full check: a document still at those heads
    /// is the same document (heads name its whole history), so it is not exported and
    /// loaded again.
    checked: RefCell<HashMap<DocumentId, Vec<automerge::ChangeHash>>>,
    _dir: tempfile::TempDir,
}

impl Phone {
    fn new() -> Phone {
        let dir = if std::path::Path::new("/dev/shm").is_dir() {
            tempfile::tempdir_in("/dev/shm")
        } else {
            tempfile::tempdir()
        }
        .expect("a temporary directory");
        let store = Store::open(dir.path()).expect("a new store opens");
        Phone {
            store,
            joined: HashSet::new(),
            inputs: 0,
            checked: RefCell::default(),
            _dir: dir,
        }
    }

    /// Checks the stored document `id`, if any; answers its heads.
    fn check(&self, id: DocumentId) -> Option<Vec<automerge::ChangeHash>> {
        let replication = self.store.replication();
        let heads = replication.heads(id).expect("reading heads");
        if heads.is_some() && self.checked.borrow().get(&id) == heads.as_ref() {
            return heads;
        }
        let exported = replication.export_document(id).expect("exporting");
        assert_eq!(
            heads.is_some(),
            exported.is_some(),
            "heads and export disagree on whether the document is stored"
        );
        let bytes = exported?;
        let doc = automerge::Automerge::load(&bytes)
            .unwrap_or_else(|e| panic!("a stored document's export does not load: {e}"));
        let header = assert_sound_phone_document(id, &doc);
        assert!(
            self.joined.contains(&header.antenna),
            "a stored document of an antenna the phone never joined"
        );
        let heads = heads.expect("checked above");
        let mut sorted = doc.get_heads();
        sorted.sort();
        let mut reported = heads.clone();
        reported.sort();
        assert_eq!(sorted, reported, "heads differ from the export's");
        self.checked.borrow_mut().insert(id, heads.clone());
        Some(heads)
    }

    fn documents(&self, antenna: AntennaId) -> Vec<DocumentId> {
        self.store
            .replication()
            .documents(antenna)
            .expect("listing documents")
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    }
}

static PHONE: Mutex<Option<Phone>> = Mutex::new(None);

/// Checks an import's or a receive's outcome against the document before and after.
fn check_outcome(
    outcome: &Result<ImportOutcome, Error>,
    before: &Option<Vec<automerge::ChangeHash>>,
    after: &Option<Vec<automerge::ChangeHash>>,
    docs_before: &[DocumentId],
    docs_after: &[DocumentId],
) {
    match outcome {
        Err(_) => {
            assert_eq!(after, before, "a refused merge changed the document");
            assert_eq!(
                docs_after, docs_before,
                "a refused merge changed the documents"
            );
        }
        Ok(ImportOutcome::Unchanged) => {
            assert_eq!(after, before, "`Unchanged` but the heads moved")
        }
        Ok(ImportOutcome::Created | ImportOutcome::Merged) => {
            assert!(after.is_some(), "created or merged, but not stored")
        }
        Ok(ImportOutcome::Erased) => assert!(after.is_none(), "erased, but stored"),
    }
}

fuzz_target!(init: jiran_fuzz::let_guarded_panics_unwind(), |data: &[u8]| {
    let Some(script) = Script::parse(data) else {
        return;
    };
    let mut guard = PHONE.lock().unwrap_or_else(|p| p.into_inner());
    if guard.as_ref().is_none_or(|p| p.inputs >= INPUTS_PER_STORE) {
        *guard = Some(Phone::new());
    }
    let phone = guard.as_mut().expect("set above");
    phone.inputs += 1;
    if phone.joined.insert(script.antenna) {
        phone
            .store
            .join_antenna(script.antenna, &MemberId::from("fuzz-phone"))
            .expect("joining an antenna");
    }
    let replication = phone.store.replication();
    let mut states: HashMap<DocumentId, sync::State> = HashMap::new();

    for op in &script.ops {
        let id = op.doc;
        match op.tag % 4 {
            0 => {
                let before = phone.check(id);
                let docs_before = phone.documents(script.antenna);
                let outcome = replication.import(id, op.data);
                let after = phone.check(id);
                let docs_after = phone.documents(script.antenna);
                check_outcome(&outcome, &before, &after, &docs_before, &docs_after);
            }
            1 => {
                let Ok(message) = sync::Message::decode(op.data) else {
                    continue;
                };
                let state = states.entry(id).or_default();
                let state_before = state.encode();
                let before = phone.check(id);
                let docs_before = phone.documents(script.antenna);
                let outcome = replication.receive_sync_message(id, state, message);
                let after = phone.check(id);
                let docs_after = phone.documents(script.antenna);
                check_outcome(&outcome, &before, &after, &docs_before, &docs_after);
                if outcome.is_err() {
                    assert_eq!(
                        state.encode(),
                        state_before,
                        "a refused sync message changed the sync state"
                    );
                }
            }
            2 => {
                let state = states.entry(id).or_default();
                if let Some(message) = replication
                    .generate_sync_message(id, state)
                    .expect("generating a sync message")
                {
                    let encoded = message.encode();
                    let decoded =
                        sync::Message::decode(&encoded).expect("a generated sync message decodes");
                    assert_eq!(decoded.encode(), encoded, "sync message round trip");
                }
            }
            _ => {
                let Some(bytes) = replication.export_document(id).expect("exporting") else {
                    continue;
                };
                let before = phone.check(id);
                let outcome = replication.import(id, &bytes);
                assert!(
                    matches!(outcome, Ok(ImportOutcome::Unchanged)),
                    "re-importing a document's own export: {outcome:?}"
                );
                assert_eq!(phone.check(id), before);
            }
        }
    }

    if replication
        .heads(script.antenna.document())
        .expect("reading heads")
        .is_some()
    {
        if let Err(error) = phone.store.antenna(script.antenna) {
            // A header other than an antenna's is refused with the right error; anything
            // else means a stored antenna document no longer reads.
            let header = replication
                .export_document(script.antenna.document())
                .expect("exporting")
                .and_then(|b| automerge::Automerge::load(&b).ok())
                .and_then(|d| jiran_core::document::header(script.antenna.document(), &d).ok());
            assert!(
                header.is_some_and(|h| h.kind != jiran_core::document::DocumentKind::Antenna),
                "the stored antenna document no longer reads: {error}"
            );
        }
    }
});
