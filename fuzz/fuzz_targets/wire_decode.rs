//! The wire decoder (`jiran_core::sync::protocol::Message::decode`), which the relay runs on
//! every websocket frame before anything else and a phone on every frame from the relay.
//!
//! Asserts: decoding never panics; a decoded message encodes to bytes that decode to the same
//! message (so what the relay forwards or echoes is what it read), and that encoding is a
//! fixed point; a message's `sender_id` is readable; an error names a known category.

#![no_main]

use jiran_core::sync::protocol::{DecodeError, Message};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match Message::decode(data) {
        Ok(message) => {
            let encoded = message.encode();
            let again = Message::decode(&encoded)
                .unwrap_or_else(|e| panic!("an encoded message does not decode: {e}"));
            assert_eq!(again, message, "decode(encode(m)) != m");
            assert_eq!(again.encode(), encoded, "encoding is not a fixed point");
            let _ = message.sender_id().len();
        }
        Err(DecodeError::UnknownType(kind)) => {
            // The type was read as text from a CBOR map: it must not be a known one.
            let probe = ciborium::Value::Map(vec![("type".into(), kind.clone().into())]);
            let mut bytes = Vec::new();
            ciborium::into_writer(&probe, &mut bytes).expect("writing to a Vec");
            assert!(
                matches!(Message::decode(&bytes), Err(DecodeError::UnknownType(_))),
                "`{kind}` was called unknown but is a known type"
            );
        }
        Err(DecodeError::NotCbor | DecodeError::Malformed(_)) => {}
    }
});
