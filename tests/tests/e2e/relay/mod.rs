//! The relay on its own: the real binary on a loopback port, real websockets, real SQLite
//! files, spoken to with raw automerge-repo peers and HTTP calls (no phone): per-antenna
//! access, bad input, what survives `kill -9`, storage failures, operating it, the stock
//! JS client, and the hostile-input catalogue (`hostile`, listed in docs/hostile-inputs.md).

mod access;
mod actors;
mod authority;
mod durability;
mod hostile;
mod inputs;
mod js_interop;
mod operations;
mod operator_safety;
mod slow_peers;
mod storage;
mod throttles;
