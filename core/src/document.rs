//! Which Automerge documents exist, how each one starts, and how to tell them apart.
//!
//! Every document's first change writes its header (the root keys `schema`, `kind`,
//! `antenna`) and every map the kind needs, so later concurrent edits never create a map
//! twice (two maps created concurrently under one key shadow each other; one would be lost).
//!
//! An antenna or household document is created by one device, in the change that records
//! the action. A ledger document may be created by several devices offline (whoever records
//! first in a month), so it starts with a *skeleton* change written with an actor id derived
//! from the document id at time zero: every device produces the byte-identical change, and
//! their maps merge.

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, AutoCommit, Automerge, ObjType, ReadDoc, ROOT};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::ids::{AntennaId, DocumentId, LedgerId};
use crate::time::Month;

/// The schema version of documents this build writes and reads. A document with a greater
/// version is refused with [`Error::NewerDocument`].
pub const SCHEMA_VERSION: u64 = 1;

/// The three kinds of document; see ARCHITECTURE.md for why the data is split this way.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum DocumentKind {
    /// One per antenna: members, provider directory, household index.
    Antenna,
    /// One per household: profile and case, all its identifying data.
    Household,
    /// One per antenna and month: donations and deliveries.
    Ledger,
}

impl DocumentKind {
    /// The word stored under the root key `kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Antenna => "antenna",
            DocumentKind::Household => "household",
            DocumentKind::Ledger => "ledger",
        }
    }

    /// The kind for a stored word.
    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "antenna" => Some(DocumentKind::Antenna),
            "household" => Some(DocumentKind::Household),
            "ledger" => Some(DocumentKind::Ledger),
            _ => None,
        }
    }

    /// The maps the skeleton creates, so concurrent first edits land in the same objects.
    fn maps(self) -> &'static [&'static [&'static str]] {
        match self {
            DocumentKind::Antenna => &[
                &["members"],
                &["providers"],
                &["households"],
                &["erased"],
                &["handovers"],
            ],
            DocumentKind::Household => &[
                &["profile"],
                &["profile", "members"],
                &["profile", "address"],
                &["profile", "consent"],
                &["case"],
                &["case", "needs"],
                &["case", "limiting_factors"],
                &["case", "plan"],
                &["case", "referrals"],
                &["case", "grievances"],
                &["case", "notes"],
                &["case", "tasks"],
            ],
            DocumentKind::Ledger => &[&["donations"], &["deliveries"]],
        }
    }
}

/// The ledger document of an antenna for a month. Derived, not random, so every device finds
/// (or creates) the same document without asking anyone.
pub fn ledger_id(antenna: AntennaId, month: Month) -> LedgerId {
    let mut hash = Sha256::new();
    hash.update(b"jiran/ledger/v1/");
    hash.update(antenna.document().as_bytes());
    hash.update(month.to_string().as_bytes());
    let digest = hash.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    LedgerId(DocumentId::from_bytes(bytes))
}

/// Writes the root header (`schema`, `kind`, `antenna`, and `period` for ledgers) and every
/// map the kind needs. Called once, in the change that creates the document, so no later
/// concurrent edit ever creates a map that could shadow another device's.
pub fn write_header<T: Transactable>(
    tx: &mut T,
    kind: DocumentKind,
    antenna: AntennaId,
    period: Option<Month>,
) -> Result<()> {
    tx.put(ROOT, "schema", SCHEMA_VERSION)?;
    tx.put(ROOT, "kind", kind.as_str())?;
    tx.put(ROOT, "antenna", antenna.to_string())?;
    if let (DocumentKind::Ledger, Some(month)) = (kind, period) {
        tx.put(ROOT, "period", month.to_string())?;
    }
    for path in kind.maps() {
        let (last, parents) = path.split_last().expect("paths are not empty");
        let mut obj = ROOT;
        for parent in parents {
            obj = match tx.get(&obj, *parent)? {
                Some((_, id)) => id,
                None => unreachable!("parents are listed before children"),
            };
        }
        tx.put_object(&obj, *last, ObjType::Map)?;
    }
    Ok(())
}

/// A new document holding only its skeleton change (see the module docs), for documents
/// that several devices may create independently (ledgers).
pub fn skeleton(
    id: DocumentId,
    kind: DocumentKind,
    antenna: AntennaId,
    period: Option<Month>,
) -> Result<Automerge> {
    let mut doc = AutoCommit::new().with_actor(skeleton_actor(id));
    write_header(&mut doc, kind, antenna, period)?;
    doc.commit_with(CommitOptions::default().with_time(0));
    Ok(doc.document().clone())
}

/// The actor of a document's skeleton change: derived from the document id, the same on
/// every device, and no device's key.
pub fn skeleton_actor(id: DocumentId) -> ActorId {
    let mut actor = Sha256::new();
    actor.update(b"jiran/skeleton/");
    actor.update(id.as_bytes());
    ActorId::from(&actor.finalize()[..16])
}

/// Whether `change` is exactly the skeleton change of document `id` for the header it writes
/// (see [`skeleton`]): what the relay accepts under [`skeleton_actor`], from any device of the
/// antenna, since every device makes it alike. Anything else under that actor is a forgery.
pub fn is_skeleton_change(id: DocumentId, change: &automerge::Change) -> bool {
    if change.actor_id() != &skeleton_actor(id) || change.seq() != 1 || !change.deps().is_empty() {
        return false;
    }
    let mut alone = Automerge::new();
    if alone.apply_changes([change.clone()]).is_err() {
        return false;
    }
    let Ok(found) = header(id, &alone) else {
        return false;
    };
    let period = match alone.get(ROOT, "period") {
        Ok(Some((automerge::Value::Scalar(s), _))) => match s.as_ref() {
            automerge::ScalarValue::Str(text) => Month::parse(text),
            _ => None,
        },
        _ => None,
    };
    skeleton(id, found.kind, found.antenna, period)
        .map(|canonical| canonical.get_heads() == [change.hash()])
        .unwrap_or(false)
}

/// The first change of an antenna document: header, maps, name, locality and creation time,
/// and no member. A relay founds an antenna this way (`jiran-relay antenna create`); each
/// device that joins then enrols itself (see `Replication::enrol`).
///
/// # Errors
/// [`Error::Invalid`] for an empty or overlong name or locality.
pub fn new_antenna(
    antenna: AntennaId,
    name: &str,
    locality: &str,
    created_at: crate::Timestamp,
) -> Result<Automerge> {
    let name = crate::model::validate::name("name", name)?;
    let locality =
        crate::model::validate::text("locality", locality, crate::model::validate::MAX_NAME)?;
    let mut doc = AutoCommit::new();
    write_header(&mut doc, DocumentKind::Antenna, antenna, None)?;
    write_antenna_profile(&mut doc, &name, &locality, created_at)?;
    doc.commit_with(
        CommitOptions::default()
            .with_message("create antenna".to_owned())
            .with_time(created_at.millis() / 1000),
    );
    Ok(doc.document().clone())
}

/// Writes an antenna's name, locality and creation time (checked values).
pub(crate) fn write_antenna_profile<T: autosurgeon::Doc>(
    tx: &mut T,
    name: &str,
    locality: &str,
    created_at: crate::Timestamp,
) -> Result<()> {
    autosurgeon::reconcile_prop(&mut *tx, ROOT, "name", name)?;
    autosurgeon::reconcile_prop(&mut *tx, ROOT, "locality", locality)?;
    autosurgeon::reconcile_prop(&mut *tx, ROOT, "created_at", created_at)?;
    Ok(())
}

/// What every document says about itself at its root.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct DocumentHeader {
    /// Its kind.
    pub kind: DocumentKind,
    /// The antenna it belongs to.
    pub antenna: AntennaId,
}

/// Reads the root header of `doc`, refusing documents of a newer schema or without a header.
pub fn header(id: DocumentId, doc: &Automerge) -> Result<DocumentHeader> {
    let scalar = |key: &str| -> Result<Option<automerge::ScalarValue>> {
        Ok(match doc.get(ROOT, key)? {
            Some((automerge::Value::Scalar(s), _)) => Some(s.into_owned()),
            _ => None,
        })
    };
    let schema = match scalar("schema")? {
        Some(automerge::ScalarValue::Uint(v)) => v,
        Some(automerge::ScalarValue::Int(v)) if v >= 0 => v as u64,
        _ => return Err(Error::CorruptDocument(id)),
    };
    if schema > SCHEMA_VERSION {
        return Err(Error::NewerDocument(id));
    }
    let kind = match scalar("kind")? {
        Some(automerge::ScalarValue::Str(s)) => DocumentKind::parse(&s),
        _ => None,
    }
    .ok_or(Error::CorruptDocument(id))?;
    let antenna = match scalar("antenna")? {
        Some(automerge::ScalarValue::Str(s)) => s.parse().ok(),
        _ => None,
    }
    .ok_or(Error::CorruptDocument(id))?;
    Ok(DocumentHeader { kind, antenna })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_two_devices_creating_the_same_ledger_share_its_maps() {
        let antenna = AntennaId::random();
        let month = Month {
            year: 2020,
            month: 4,
        };
        let id = ledger_id(antenna, month);
        assert_eq!(id, ledger_id(antenna, month), "ledger ids are derived");
        let mut a = skeleton(id.0, DocumentKind::Ledger, antenna, Some(month)).unwrap();
        let mut b = skeleton(id.0, DocumentKind::Ledger, antenna, Some(month)).unwrap();
        assert_eq!(a.get_heads(), b.get_heads(), "identical first change");
        for (doc, key) in [(&mut a, "from-a"), (&mut b, "from-b")] {
            doc.set_actor(ActorId::random());
            let mut tx = doc.transaction();
            let (_, deliveries) = tx.get(ROOT, "deliveries").unwrap().unwrap();
            tx.put(&deliveries, key, 1).unwrap();
            tx.commit();
        }
        a.merge(&mut b).unwrap();
        let (_, deliveries) = a.get(ROOT, "deliveries").unwrap().unwrap();
        assert_eq!(
            a.length(&deliveries),
            2,
            "both deliveries survive the merge"
        );
        assert_eq!(header(id.0, &a).unwrap().kind, DocumentKind::Ledger);
    }

    #[test]
    fn test_a_document_from_a_newer_schema_is_refused() {
        let id = DocumentId::random();
        let mut doc = skeleton(id, DocumentKind::Household, AntennaId::random(), None).unwrap();
        let mut tx = doc.transaction();
        tx.put(ROOT, "schema", SCHEMA_VERSION + 1).unwrap();
        tx.commit();
        assert!(matches!(header(id, &doc), Err(Error::NewerDocument(_))));
    }
}

/// The households an antenna document's tombstones erase (see
/// [`crate::model::AntennaDocument::erased`]), read without hydrating the whole document, so
/// the relay can apply them. Empty for any other document.
pub fn erased_households(doc: &impl ReadDoc) -> Vec<DocumentId> {
    match doc.get(ROOT, "erased") {
        Ok(Some((automerge::Value::Object(ObjType::Map), erased))) => {
            doc.keys(&erased).filter_map(|k| k.parse().ok()).collect()
        }
        _ => Vec::new(),
    }
}

/// The value at `path` from the root, or `None` if any key on the way is missing.
pub fn lookup<T: autosurgeon::Hydrate>(
    doc: &impl autosurgeon::ReadDoc,
    path: &[&str],
) -> Result<Option<T>> {
    let found: Option<autosurgeon::MaybeMissing<T>> =
        autosurgeon::hydrate_path(doc, &ROOT, path.iter().map(|k| (*k).into()))?;
    Ok(match found {
        Some(autosurgeon::MaybeMissing::Present(value)) => Some(value),
        _ => None,
    })
}

thread_local! {
    static PARSING_UNTRUSTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `parse`, the automerge crate reading bytes from outside (a peer's changes, a sync
/// message, a file), and answers `None` if the crate panics on them. Automerge 0.12 is not
/// hardened against hostile input: fuzzing found operation counters past `u32::MAX` panicking
/// in its change verification (`types.rs:464`). A panic on a peer's bytes is the peer's bad
/// input, so it becomes the same refusal as bytes that do not parse, and the relay and the
/// phone go on; whatever `parse` changed in memory must be thrown away by the caller (as for
/// any refused merge).
pub fn guard_untrusted<T>(parse: impl FnOnce() -> Option<T>) -> Option<T> {
    let outer = PARSING_UNTRUSTED.with(|p| p.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(parse));
    PARSING_UNTRUSTED.with(|p| p.set(outer));
    result.ok().flatten()
}

/// Whether this thread is inside [`guard_untrusted`], where a panic is caught and becomes a
/// refusal: for a panic hook that aborts on every other panic (a fuzzer's).
pub fn parsing_untrusted() -> bool {
    PARSING_UNTRUSTED.with(|p| p.get())
}

/// Parses `bytes` as a sequence of Automerge chunks (whole documents or changes), each
/// passing its checksum, and returns the root changes in them (changes without
/// dependencies: a document's first change). `None` if anything is malformed.
///
/// Automerge's own incremental load skips what it cannot parse; this lets a merge refuse
/// garbage, and refuse changes from another document's history (a second root).
pub fn root_changes(bytes: &[u8]) -> Option<Vec<automerge::ChangeHash>> {
    if bytes.is_empty() {
        return None;
    }
    let mut roots = Vec::new();
    for (kind, chunk) in chunks(bytes)? {
        match kind {
            0 => {
                let strict = automerge::LoadOptions::new()
                    .on_partial_load(automerge::OnPartialLoad::Error)
                    .verification_mode(automerge::VerificationMode::Check);
                let doc = guard_untrusted(|| Automerge::load_with_options(chunk, strict).ok())?;
                roots.extend(
                    doc.get_changes_meta(&[])
                        .into_iter()
                        .filter(|c| c.deps.is_empty())
                        .map(|c| c.hash),
                );
            }
            1 | 2 => {
                let change =
                    guard_untrusted(|| automerge::Change::from_bytes(chunk.to_vec()).ok())?;
                if change.deps().is_empty() {
                    roots.push(change.hash());
                }
            }
            _ => return None,
        }
    }
    roots.sort();
    roots.dedup();
    Some(roots)
}

/// Splits Automerge's stored bytes into their chunks, each with its kind (0 a whole document,
/// 1 a change, 2 a compressed change) and its bytes, header included; `None` when the bytes
/// are not a sequence of whole chunks. Reads only the chunk headers (magic number, kind,
/// length), so a caller can tell what it was given before anything is loaded.
pub fn chunks(bytes: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
    let mut rest = bytes;
    let mut out = Vec::new();
    while !rest.is_empty() {
        if rest.len() < 9 || rest[..4] != MAGIC {
            return None;
        }
        let kind = rest[8];
        // The data length, unsigned LEB128.
        let (mut length, mut shift, mut at) = (0u64, 0u32, 9usize);
        loop {
            let byte = rest.get(at)?;
            if shift > 56 {
                return None;
            }
            length |= u64::from(byte & 0x7f) << shift;
            shift += 7;
            at += 1;
            if byte & 0x80 == 0 {
                break;
            }
        }
        let end = usize::try_from(length)
            .ok()
            .and_then(|l| at.checked_add(l))?;
        out.push((kind, rest.get(..end)?));
        rest = &rest[end..];
    }
    Some(out)
}

#[cfg(test)]
mod encoding_tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Automerge {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "a", 1).unwrap();
        doc.commit();
        doc.put(ROOT, "b", "two").unwrap();
        doc.commit();
        doc.document().clone()
    }

    #[test]
    fn test_documents_and_change_sets_are_well_formed_and_name_their_root() {
        let doc = sample();
        let root = doc.get_changes(&[])[0].hash();
        assert_eq!(root_changes(&doc.save()), Some(vec![root]));
        let changes: Vec<u8> = doc
            .get_changes(&[])
            .iter()
            .flat_map(|c| c.raw_bytes().to_vec())
            .collect();
        assert_eq!(root_changes(&changes), Some(vec![root]));
        // The second change alone (its dependency missing) is well formed, without a root.
        assert_eq!(
            root_changes(doc.get_changes(&[])[1].raw_bytes()),
            Some(vec![])
        );
    }

    #[test]
    fn test_garbage_and_truncated_chunks_are_not() {
        let doc = sample().save();
        assert!(root_changes(b"").is_none());
        assert!(root_changes(b"not automerge").is_none());
        assert!(root_changes(&doc[..doc.len() - 1]).is_none());
        let mut flipped = doc.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0xff;
        assert!(root_changes(&flipped).is_none());
        let mut trailing = doc.clone();
        trailing.extend_from_slice(b"junk");
        assert!(root_changes(&trailing).is_none());
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            let _ = root_changes(&bytes);
        }
    }
}
