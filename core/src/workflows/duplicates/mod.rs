//! Duplicates: one family registered twice (two volunteers, offline, the same week). A lead
//! reviews the likely pairs and merges one household into the other.
//!
//! `find` scores pairs from fingerprints the derived tables hold (pure, no I/O); `store`
//! lists them for a lead and records merges. Which household a merged one lives in is read
//! from the merge marks by [`crate::model::resolve_merges`], the same on every device.

mod find;
mod store;

pub use find::{find, DuplicateReason, Fingerprint, PossibleDuplicate, LISTED_FROM};
