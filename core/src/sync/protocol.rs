//! The automerge-repo websocket protocol (version "1"): one CBOR map per binary websocket
//! message, tagged by `type`. Compatible with the stock JS client
//! (`@automerge/automerge-repo-network-websocket`).

use serde::{Deserialize, Serialize};

/// The only protocol version spoken.
pub const PROTOCOL_VERSION: &str = "1";

/// What a peer says about itself in `join` and `peer`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PeerMetadata {
    /// The peer's storage id, if it stores documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_id: Option<String>,
    /// Whether the peer keeps nothing.
    #[serde(default)]
    pub is_ephemeral: bool,
}

/// One protocol message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Message {
    /// Client → relay: the first message.
    #[serde(rename = "join", rename_all = "camelCase")]
    Join {
        /// The client's peer id.
        sender_id: String,
        /// About the client.
        #[serde(default)]
        peer_metadata: PeerMetadata,
        /// Versions the client speaks.
        #[serde(default)]
        supported_protocol_versions: Vec<String>,
    },
    /// Relay → client: the answer to `join`.
    #[serde(rename = "peer", rename_all = "camelCase")]
    Peer {
        /// The relay's peer id.
        sender_id: String,
        /// The client's peer id.
        target_id: String,
        /// About the relay.
        peer_metadata: PeerMetadata,
        /// The version chosen.
        selected_protocol_version: String,
    },
    /// Either way: something went wrong; the sender closes the connection after it.
    #[serde(rename = "error", rename_all = "camelCase")]
    Error {
        /// Who says so.
        sender_id: String,
        /// To whom.
        #[serde(default)]
        target_id: String,
        /// What went wrong (no personal data).
        message: String,
    },
    /// Asks for a document the sender does not have (a sync message without heads).
    #[serde(rename = "request", rename_all = "camelCase")]
    Request {
        /// Sender's peer id.
        sender_id: String,
        /// Receiver's peer id.
        target_id: String,
        /// The document, without the `automerge:` prefix.
        document_id: String,
        /// An encoded automerge sync message.
        #[serde(with = "serde_bytes")]
        data: Vec<u8>,
    },
    /// An automerge sync message for a document.
    #[serde(rename = "sync", rename_all = "camelCase")]
    Sync {
        /// Sender's peer id.
        sender_id: String,
        /// Receiver's peer id.
        target_id: String,
        /// The document, without the `automerge:` prefix.
        document_id: String,
        /// An encoded automerge sync message.
        #[serde(with = "serde_bytes")]
        data: Vec<u8>,
    },
    /// The sender does not have the document (or may not share it).
    #[serde(rename = "doc-unavailable", rename_all = "camelCase")]
    DocUnavailable {
        /// Sender's peer id.
        sender_id: String,
        /// Receiver's peer id.
        target_id: String,
        /// The document.
        document_id: String,
    },
    /// Presence and other messages that are not stored (cursor positions, "typing"), passed
    /// between the peers of a document.
    #[serde(rename = "ephemeral", rename_all = "camelCase")]
    Ephemeral {
        /// Sender's peer id.
        sender_id: String,
        /// Receiver's peer id.
        #[serde(default)]
        target_id: String,
        /// The document.
        #[serde(default)]
        document_id: String,
        /// The sender's session (new each time its repo starts).
        #[serde(default)]
        session_id: String,
        /// Numbers the session's ephemeral messages, so peers can drop repeats.
        #[serde(default)]
        count: u64,
        /// What the application broadcast, passed on untouched and never stored.
        #[serde(default, with = "serde_bytes")]
        data: Vec<u8>,
    },
    /// Subscriptions to remote heads (not used by Jiran; accepted and ignored).
    #[serde(rename = "remote-subscription-change", rename_all = "camelCase")]
    RemoteSubscriptionChange {
        /// Sender's peer id.
        sender_id: String,
    },
    /// Heads of a document on other peers (not used by Jiran; accepted and ignored).
    #[serde(rename = "remote-heads-changed", rename_all = "camelCase")]
    RemoteHeadsChanged {
        /// Sender's peer id.
        sender_id: String,
    },
    /// Jiran extension, client → relay: "tell me which of my antenna's documents changed
    /// after `since`, and keep telling me". Stock automerge-repo peers never send it and are
    /// never sent [`Message::Changed`].
    #[serde(rename = "jiran-changes", rename_all = "camelCase")]
    Changes {
        /// Sender's peer id.
        sender_id: String,
        /// Receiver's peer id.
        #[serde(default)]
        target_id: String,
        /// The last feed position the client synced everything up to (0: from the start).
        since: u64,
    },
    /// Jiran extension, relay → client: documents of the client's antenna created or changed
    /// after the position asked for, up to `cursor`. With `more`, ask again from `cursor`.
    #[serde(rename = "jiran-changed", rename_all = "camelCase")]
    Changed {
        /// Sender's peer id.
        sender_id: String,
        /// Receiver's peer id.
        target_id: String,
        /// The feed position these documents bring the client to.
        cursor: u64,
        /// Ids of the documents (without the `automerge:` prefix).
        documents: Vec<String>,
        /// Whether more changed documents remain past `cursor`.
        more: bool,
    },
    /// The client is leaving.
    #[serde(rename = "leave", rename_all = "camelCase")]
    Leave {
        /// Sender's peer id.
        sender_id: String,
    },
}

/// Why bytes are not a protocol message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Not CBOR, or not a CBOR map with a text `type`.
    #[error("the message is not a CBOR map with a `type`")]
    NotCbor,
    /// A `type` this relay does not know.
    #[error("unknown message type `{0}`")]
    UnknownType(String),
    /// A known type with missing or mistyped fields.
    #[error("malformed `{0}` message")]
    Malformed(String),
}

const KNOWN_TYPES: &[&str] = &[
    "join",
    "peer",
    "error",
    "request",
    "sync",
    "doc-unavailable",
    "ephemeral",
    "remote-subscription-change",
    "remote-heads-changed",
    "jiran-changes",
    "jiran-changed",
    "leave",
];

impl Message {
    /// Encodes the message as one CBOR map.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        ciborium::into_writer(self, &mut out).expect("writing to a Vec cannot fail");
        out
    }

    /// Decodes one message, telling garbage, unknown types and malformed messages apart.
    pub fn decode(bytes: &[u8]) -> Result<Message, DecodeError> {
        let value: ciborium::Value =
            ciborium::from_reader(bytes).map_err(|_| DecodeError::NotCbor)?;
        let kind = value
            .as_map()
            .and_then(|m| {
                m.iter()
                    .find(|(k, _)| k.as_text() == Some("type"))
                    .and_then(|(_, v)| v.as_text())
            })
            .ok_or(DecodeError::NotCbor)?
            .to_owned();
        if !KNOWN_TYPES.contains(&kind.as_str()) {
            return Err(DecodeError::UnknownType(kind));
        }
        value
            .deserialized()
            .map_err(|_| DecodeError::Malformed(kind))
    }

    /// An automerge sync message about a document: a `request` when the sender does not
    /// have the document (automerge-repo's convention), a `sync` otherwise.
    pub fn for_document(
        sender_id: String,
        target_id: String,
        document_id: String,
        data: Vec<u8>,
        sender_has_it: bool,
    ) -> Message {
        if sender_has_it {
            Message::Sync {
                sender_id,
                target_id,
                document_id,
                data,
            }
        } else {
            Message::Request {
                sender_id,
                target_id,
                document_id,
                data,
            }
        }
    }

    /// The sender's peer id.
    pub fn sender_id(&self) -> &str {
        match self {
            Message::Join { sender_id, .. }
            | Message::Peer { sender_id, .. }
            | Message::Error { sender_id, .. }
            | Message::Request { sender_id, .. }
            | Message::Sync { sender_id, .. }
            | Message::DocUnavailable { sender_id, .. }
            | Message::Ephemeral { sender_id, .. }
            | Message::Changes { sender_id, .. }
            | Message::Changed { sender_id, .. }
            | Message::RemoteSubscriptionChange { sender_id }
            | Message::RemoteHeadsChanged { sender_id }
            | Message::Leave { sender_id } => sender_id,
        }
    }
}

/// Most probes a peer's Bloom filter may ask for. Automerge writes 7; the count is the peer's
/// to choose, and each lookup costs that many steps and an allocation of that many entries (a
/// filter asking for four billion would take 16 GiB for one lookup).
pub const MAX_BLOOM_PROBES: u32 = 64;
/// Most bits per entry a peer's Bloom filter may have (automerge writes 10).
pub const MAX_BLOOM_BITS_PER_ENTRY: u32 = 64;

/// Why the data of a `sync` or `request` message is not a sync message this side will read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncDataError {
    /// Not an automerge sync message.
    Malformed,
    /// An automerge sync message whose Bloom filter would make the automerge crate divide by
    /// zero (entries but no bits) or spend without bound (probes or bits past the limits).
    UnusableBloom,
}

impl SyncDataError {
    /// The reason as a fixed sentence, for a close frame (under its 123 bytes) and logs.
    pub fn reason(&self) -> &'static str {
        match self {
            SyncDataError::Malformed => "malformed automerge sync message",
            SyncDataError::UnusableBloom => {
                "an automerge sync message with an unusable bloom filter"
            }
        }
    }
}

impl std::fmt::Display for SyncDataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.reason())
    }
}

impl std::error::Error for SyncDataError {}

/// Decodes the data of a `sync` or `request` message, refusing a Bloom filter the automerge
/// crate cannot use safely: one with entries and no bits panics inside
/// `generate_sync_message`, one with billions of probes exhausts memory. Both sides (the relay
/// reading a device, a phone reading the relay) decode peers' sync data only through this.
pub fn decode_sync_data(data: &[u8]) -> Result<automerge::sync::Message, SyncDataError> {
    let message = automerge::sync::Message::decode(data).map_err(|_| SyncDataError::Malformed)?;
    check_sync_message(&message)?;
    Ok(message)
}

/// Whether a decoded sync message's Bloom filters are usable (see [`decode_sync_data`]); the
/// phone's store checks again before a message reaches a sync state, whatever decoded it.
pub fn check_sync_message(message: &automerge::sync::Message) -> Result<(), SyncDataError> {
    if message
        .have
        .iter()
        .all(|have| usable_bloom(&have.bloom.to_bytes()))
    {
        Ok(())
    } else {
        Err(SyncDataError::UnusableBloom)
    }
}

/// Whether a Bloom filter's wire form (empty, or entries, bits per entry and probes as LEB128
/// followed by the bits) is one lookups can use: empty, or with bits and counts in range.
fn usable_bloom(bytes: &[u8]) -> bool {
    if bytes.is_empty() {
        return true;
    }
    let mut rest = bytes;
    let mut next = || leb128::read::unsigned(&mut rest).ok();
    let (Some(entries), Some(bits_per_entry), Some(probes)) = (next(), next(), next()) else {
        return false;
    };
    entries > 0
        && (1..=u64::from(MAX_BLOOM_BITS_PER_ENTRY)).contains(&bits_per_entry)
        && (1..=u64::from(MAX_BLOOM_PROBES)).contains(&probes)
        && !rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn map(entries: &[(&str, &str)]) -> ciborium::Value {
        ciborium::Value::Map(
            entries
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect(),
        )
    }

    #[test]
    fn test_messages_roundtrip_with_the_wire_field_names() {
        let sync = Message::Sync {
            sender_id: "a".into(),
            target_id: "b".into(),
            document_id: "doc".into(),
            data: vec![1, 2, 3],
        };
        let bytes = sync.encode();
        assert_eq!(Message::decode(&bytes).unwrap(), sync);
        let value: ciborium::Value = ciborium::from_reader(&bytes[..]).unwrap();
        let keys: Vec<&str> = value
            .as_map()
            .unwrap()
            .iter()
            .map(|(k, _)| k.as_text().unwrap())
            .collect();
        assert_eq!(keys, ["type", "senderId", "targetId", "documentId", "data"]);
        let data = value.as_map().unwrap()[4].1.clone();
        assert!(
            data.is_bytes(),
            "data is a CBOR byte string, as the JS client sends it"
        );
    }

    #[test]
    fn test_garbage_unknown_and_malformed_messages_are_told_apart() {
        assert_eq!(
            Message::decode(b"\xff\x00garbage"),
            Err(DecodeError::NotCbor)
        );
        let mut unknown = Vec::new();
        ciborium::into_writer(&map(&[("type", "teleport")]), &mut unknown).unwrap();
        assert_eq!(
            Message::decode(&unknown),
            Err(DecodeError::UnknownType("teleport".into()))
        );
        let mut malformed = Vec::new();
        ciborium::into_writer(&map(&[("type", "sync")]), &mut malformed).unwrap();
        assert_eq!(
            Message::decode(&malformed),
            Err(DecodeError::Malformed("sync".into()))
        );
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
            let _ = Message::decode(&bytes);
        }
    }

    #[test]
    fn test_sync_data_with_an_unusable_bloom_filter_is_refused() {
        use crate::testing::hostile::sync_data_with_bloom;
        // Entries but no bits: `generate_sync_message` would divide by zero.
        let no_bits = sync_data_with_bloom(&[1, 0, 7]);
        assert_eq!(
            decode_sync_data(&no_bits).unwrap_err(),
            SyncDataError::UnusableBloom
        );
        // Four billion probes: one lookup would allocate 16 GiB.
        let probes = sync_data_with_bloom(&[1, 10, 0xff, 0xff, 0xff, 0xff, 0x0f, 0xff, 0xff]);
        assert_eq!(
            decode_sync_data(&probes).unwrap_err(),
            SyncDataError::UnusableBloom
        );
        assert_eq!(
            decode_sync_data(b"garbage").unwrap_err(),
            SyncDataError::Malformed
        );
        assert!(SyncDataError::UnusableBloom.reason().len() <= 123);
    }

    #[test]
    fn test_sync_messages_automerge_writes_are_accepted() {
        use automerge::sync::SyncDoc;
        use automerge::transaction::Transactable;
        let mut doc = automerge::AutoCommit::new();
        doc.put(automerge::ROOT, "a", 1).unwrap();
        let mut other = automerge::Automerge::new();
        let mut ours = automerge::sync::State::new();
        let mut theirs = automerge::sync::State::new();
        for _ in 0..4 {
            if let Some(m) = doc.sync().generate_sync_message(&mut ours) {
                let m = decode_sync_data(&m.encode()).expect("automerge's own message");
                other.receive_sync_message(&mut theirs, m).unwrap();
            }
            if let Some(m) = other.generate_sync_message(&mut theirs) {
                let m = decode_sync_data(&m.encode()).expect("automerge's own message");
                doc.sync().receive_sync_message(&mut ours, m).unwrap();
            }
        }
        assert_eq!(other.get_heads(), doc.get_heads());
    }
}
