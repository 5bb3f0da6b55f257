//! Integration tests of jiran-core: real SQLite files in temporary directories.

mod convergence;
mod duplicates;
mod follow_up;
mod households;
mod ledger;
mod overview;
mod session;
mod store;
mod support;
mod tasks;
