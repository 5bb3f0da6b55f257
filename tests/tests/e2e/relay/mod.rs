//! The relay on its own: the real binary on a loopback port, real websockets, real SQLite
//! files, spoken to with raw automerge-repo peers and HTTP calls (no phone): per-antenna
//! access, bad input, what survives `kill -9`, storage failures, operating it, and the stock
//! JS client.

mod access;
mod actors;
mod authority;
mod durability;
mod inputs;
mod js_interop;
mod operations;
mod operator_safety;
mod slow_peers;
mod storage;
mod throttles;
