//! Integration tests of jiran-relay: the real binary on a loopback port, real websockets,
//! real SQLite files.

mod access;
mod authority;
mod durability;
mod inputs;
mod js_interop;
mod operations;
mod storage;
mod support;
