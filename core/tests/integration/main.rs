//! Integration tests of jiran-core: real SQLite files in temporary directories.

mod convergence;
mod delivery_codes;
mod duplicates;
mod erasure;
mod follow_up;
mod handover;
mod households;
mod hsds;
mod ledger;
mod overview;
mod report;
mod session;
mod store;
mod support;
mod tasks;
mod team;
