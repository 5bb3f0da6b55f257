//! Syncing an antenna's documents with a relay over the automerge-repo websocket protocol.
//!
//! - `protocol`: the wire format, shared with the relay (`jiran-server`).
//! - `session`: what to send and when, for one connection, without sockets.
//! - `engine`: the tasks that connect, run sessions and reconnect with `backoff`.
//! - `join`: joining an antenna with an invite code, and inviting others (leads).
//! - `status`: what a UI shows.

mod backoff;
mod engine;
pub(crate) mod join;
pub mod protocol;
mod session;
mod status;

pub use backoff::Backoff;
pub use engine::{SyncEngine, SyncOptions};
pub use join::{invite, join, Invite};
pub use session::{Progress, Session};
pub use status::{Problem, SyncState, SyncStatus};
