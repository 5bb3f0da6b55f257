//! What the fuzz targets share: the byte format of a *script* (a device, its antenna, and a
//! sequence of operations on documents), which the hub and phone targets read and the seed
//! maker writes, and the checks both run on stored documents.
//!
//! Why a script and not `arbitrary`: the seeds are real documents and sync messages made by a
//! real store (`make_seeds`), so the fuzzer starts deep in the merge and policy code. A format
//! this simple lets the seed maker write them byte for byte, and lets libFuzzer's mutations
//! land on the automerge bytes themselves (an `arbitrary` encoding would scatter the lengths
//! of nested vectors to the end of the input, where a mutation moves every boundary at once).
//!
//! ```text
//! script  = antenna[16] role[1] key_flag[1] key[32] founding_len[u16 LE] founding
//!           doc_count[1] (doc_id[16]){doc_count} op*
//! op      = tag[1] doc[1] len[u16 LE] data[len]
//! ```
//!
//! `doc` picks a document of the script (modulo their number, the antenna document first).
//! A script cut short ends at the last whole operation; one whose header is cut short is not
//! a script (the target returns).

use automerge::Automerge;
use jiran_core::document::DocumentHeader;
use jiran_core::{AntennaId, DeviceKey, DocumentId, Role};

/// One operation of a script: what to do (`tag`, read by each target its own way), on which
/// document, with which bytes.
#[derive(Debug, Clone, Copy)]
pub struct Op<'a> {
    /// The operation, modulo the number of operations a target knows.
    pub tag: u8,
    /// The document it is about.
    pub doc: DocumentId,
    /// Its bytes (an automerge sync message, changes, a raw frame, ...).
    pub data: &'a [u8],
}

/// A parsed script (see the [crate] docs for the format).
#[derive(Debug, Clone)]
pub struct Script<'a> {
    /// The antenna the device belongs to.
    pub antenna: AntennaId,
    /// The device's role on the relay.
    pub role: Role,
    /// The key the device registered with the relay, if any.
    pub key: Option<DeviceKey>,
    /// The antenna document's first change, as the relay stores it when founding the
    /// antenna (hub target only).
    pub founding: &'a [u8],
    /// The documents operations refer to: the antenna document, then the script's own.
    pub docs: Vec<DocumentId>,
    /// The operations, in order.
    pub ops: Vec<Op<'a>>,
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.bytes.len() < n {
            return None;
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Some(head)
    }

    fn byte(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn u16(&mut self) -> Option<usize> {
        self.take(2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
    }

    fn id(&mut self) -> Option<DocumentId> {
        let bytes: [u8; 16] = self.take(16)?.try_into().ok()?;
        Some(DocumentId::from_bytes(bytes))
    }
}

impl<'a> Script<'a> {
    /// Reads a script; `None` if its header is incomplete.
    pub fn parse(bytes: &'a [u8]) -> Option<Script<'a>> {
        let mut r = Reader { bytes };
        let antenna = AntennaId(r.id()?);
        let role = Role::ALL[r.byte()? as usize % Role::ALL.len()];
        let has_key = r.byte()? & 1 == 1;
        let key_bytes = r.take(32)?;
        let key = if has_key {
            DeviceKey::from_actor(&automerge::ActorId::from(key_bytes))
        } else {
            None
        };
        let founding_len = r.u16()?;
        let founding = r.take(founding_len)?;
        let count = r.byte()? as usize % 9;
        let mut docs = vec![antenna.document()];
        for _ in 0..count {
            docs.push(r.id()?);
        }
        let mut ops = Vec::new();
        while let (Some(tag), Some(doc), Some(len)) = (r.byte(), r.byte(), r.u16()) {
            let Some(data) = r.take(len) else { break };
            ops.push(Op {
                tag,
                doc: docs[doc as usize % docs.len()],
                data,
            });
        }
        Some(Script {
            antenna,
            role,
            key,
            founding,
            docs,
            ops,
        })
    }
}

/// Writes scripts (the seed maker's half of the format).
#[derive(Debug, Clone)]
pub struct ScriptWriter {
    out: Vec<u8>,
    docs: Vec<DocumentId>,
}

impl ScriptWriter {
    /// A script's header. `docs` excludes the antenna document, which is always index 0.
    pub fn new(
        antenna: AntennaId,
        role: Role,
        key: Option<DeviceKey>,
        founding: &[u8],
        docs: &[DocumentId],
    ) -> ScriptWriter {
        assert!(docs.len() <= 8, "a script names at most 8 documents");
        let mut out = antenna.document().as_bytes().to_vec();
        out.push(Role::ALL.iter().position(|r| *r == role).unwrap() as u8);
        out.push(u8::from(key.is_some()));
        out.extend_from_slice(key.as_ref().map_or(&[0u8; 32], |k| k.as_bytes()));
        out.extend_from_slice(&u16::try_from(founding.len()).unwrap().to_le_bytes());
        out.extend_from_slice(founding);
        out.push(docs.len() as u8);
        for doc in docs {
            out.extend_from_slice(doc.as_bytes());
        }
        let mut all = vec![antenna.document()];
        all.extend_from_slice(docs);
        ScriptWriter { out, docs: all }
    }

    /// Appends an operation on `doc` (one of the script's documents).
    pub fn op(&mut self, tag: u8, doc: DocumentId, data: &[u8]) -> &mut Self {
        let index = self
            .docs
            .iter()
            .position(|d| *d == doc)
            .expect("a document of the script");
        self.out.push(tag);
        self.out.push(index as u8);
        self.out
            .extend_from_slice(&u16::try_from(data.len()).unwrap().to_le_bytes());
        self.out.extend_from_slice(data);
        self
    }

    /// The script's bytes.
    pub fn finish(&self) -> Vec<u8> {
        self.out.clone()
    }
}

/// Loads stored chunks (a snapshot, then changes) as the relay and the phone do, panicking
/// with `what` if one does not load: stored data must always load.
pub fn load_chunks(chunks: &[Vec<u8>], what: &str) -> Automerge {
    let mut doc = Automerge::new();
    for chunk in chunks {
        if let Err(error) = doc.load_incremental(chunk) {
            panic!("{what}: a stored chunk does not load: {error}");
        }
    }
    doc
}

/// Checks what a document a phone stores must be, and answers its header: not empty, with a
/// header the core reads. Changes waiting for a missing dependency are allowed: a phone
/// keeps them until the dependency arrives.
pub fn assert_sound_phone_document(id: DocumentId, doc: &Automerge) -> DocumentHeader {
    assert!(!doc.get_heads().is_empty(), "a document is stored empty");
    let header = jiran_core::document::header(id, doc)
        .unwrap_or_else(|e| panic!("a stored document has no valid header: {e}"));
    header
}

/// Lets a panic inside `jiran_core::document::guard_untrusted` unwind to the guard, which
/// turns it into a refusal, as it does in the relay and on phones; every other panic still
/// aborts, so libFuzzer reports it. For a target's `init:`, after libfuzzer-sys has set its
/// aborting hook.
pub fn let_guarded_panics_unwind() {
    let aborting = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !jiran_core::document::parsing_untrusted() {
            aborting(info);
        }
    }));
}
