//! Syncing documents with a relay over the automerge-repo websocket protocol.
//!
//! `protocol` is the wire format, shared with the relay (`jiran-server`) so both ends read and
//! write the same messages.

pub mod protocol;
