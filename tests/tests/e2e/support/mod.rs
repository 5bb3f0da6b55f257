//! The harness of the end-to-end tests, one definition of each: relay processes ([`Relay`]),
//! the HTTP calls made to a relay ([`join`], [`invite`], [`revoke`], …) with the
//! [`Credentials`] a device holds, and raw automerge-repo peers with small documents
//! ([`connect`], [`fetch`], [`doc_with`], …) for the tests of the relay on its own.
//!
//! Phones come from `jiran_tests::phone` (an antenna with its lead and volunteers: [`antenna_with_lead`], [`volunteer`]), the records they make and generated antennas from
//! `jiran_core::testing`.

mod api;
mod peers;
mod phones;
mod relay;

pub use api::*;
pub use jiran_tests::client::{open, Outcome, Peer};
pub use peers::*;
pub use phones::*;
pub use relay::*;
