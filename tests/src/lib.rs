//! End-to-end tests of Jiran across crates and processes. The tests live in `tests/tests/`;
//! helper programs they drive as separate processes live in `src/bin/`.
//!
//! [`client`] is a minimal automerge-repo websocket client: what the relay's tests and the
//! load generator (`jiran-load`) speak to a relay with.

pub mod client;
pub mod field;
pub mod proxy;

/// The generated antenna with known duplicates, from `jiran_core::testing`.
pub use jiran_core::testing::families;
