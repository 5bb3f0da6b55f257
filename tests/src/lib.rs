//! End-to-end tests of Jiran across crates and processes. The tests are one test binary,
//! `tests/tests/e2e/` (its `support` module holds the relay process and the HTTP calls made
//! to it); helper programs they drive as separate processes live in `src/bin/`.
//!
//! [`phone`] is a phone (a store and its sync engine) joined through a relay; [`proxy`] a
//! fault-injecting TCP proxy to put between phones and a relay; [`client`] a minimal
//! automerge-repo websocket client: what the relay's tests and the load generator
//! (`jiran-load`) speak to a relay with. The records phones make, and generated antennas,
//! come from `jiran_core::testing` (this crate enables its `testing` feature).

pub mod client;
pub mod phone;
pub mod proxy;
