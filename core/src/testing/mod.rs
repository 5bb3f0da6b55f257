//! Test fixtures shared by every test and benchmark of the workspace: the records a volunteer
//! makes ([`household`], [`family`], [`need`], [`money`], [`cash`], [`delivery`], …), a
//! generated antenna with known duplicates ([`families`]) and the large antenna of the store
//! benchmark ([`large_antenna`]).
//!
//! Compiled only with the cargo feature `testing`: core's own integration tests and benchmark
//! enable it through a dev-dependency of `jiran-core` on itself, and `jiran-tests` (the
//! end-to-end harness) through its dependency. Apps never enable it; nothing here is part of
//! the API they use.
//!
//! Every builder returns the same record for the same arguments (no clock, no randomness
//! beyond a given seed), so a test that fails fails again.

pub mod families;
pub mod hostile;
pub mod large_antenna;
mod records;

pub use records::*;
