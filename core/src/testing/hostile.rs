//! Bytes a modified client or a compromised relay could send, which no API of ours writes:
//! for the tests that show they are refused (the phone's store, the relay's hub, the hostile
//! catalogue against a relay process).

/// A change the automerge crate (0.12) panics on when it verifies it (an object id's counter
/// past `u32::MAX`): 743 bytes of a sync message the `hub_messages` fuzz target made.
pub const CHANGE_AUTOMERGE_PANICS_ON: &[u8] =
    include_bytes!("../../tests/fixtures/automerge_panics_on_this_change.bin");

/// An automerge sync message that carries `changes` and says nothing else (no heads, no
/// needs, no Bloom filter).
pub fn sync_message_carrying(changes: Vec<Vec<u8>>) -> automerge::sync::Message {
    automerge::sync::Message {
        heads: Vec::new(),
        need: Vec::new(),
        have: Vec::new(),
        changes: changes.into(),
        flags: None,
        version: automerge::sync::MessageVersion::V1,
    }
}

/// The data of a sync message whose one `have` carries a Bloom filter of this wire form
/// (entries, bits per entry and probes as LEB128, then the bits), which the automerge crate
/// parses without checking that lookups can use it.
///
/// # Panics
/// If the automerge crate cannot parse `bloom` at all.
pub fn sync_data_with_bloom(bloom: &[u8]) -> Vec<u8> {
    let mut message = sync_message_carrying(Vec::new());
    message.have = vec![automerge::sync::Have {
        last_sync: Vec::new(),
        bloom: automerge::sync::BloomFilter::try_from(bloom).expect("a parsable filter"),
    }];
    message.encode()
}
