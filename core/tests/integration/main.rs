//! Integration tests of jiran-core: real SQLite files in temporary directories.

mod convergence;
mod delivery_codes;
mod duplicates;
mod erasure;
mod follow_up;
mod households;
mod ledger;
mod overview;
mod session;
mod store;
mod support;
