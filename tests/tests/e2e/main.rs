//! End-to-end tests of Jiran across crates and processes, in one test binary: phones
//! (`jiran_tests::phone`) syncing through real relay processes (`support::Relay`, the relay
//! binary this crate builds), a fault-injecting proxy, processes killed with SIGKILL, the
//! README's demo; and the relay on its own ([`relay`]: access, bad input, storage failures,
//! operations, the stock JS client).
//!
//! One module per story; run one with `cargo test -p jiran-tests --test e2e <module>`.

mod authorship;
mod bandwidth;
mod demo;
mod duplicates;
mod durability;
mod erasure;
mod faults;
mod la_marsa;
mod other_antennas;
mod relay;
mod schedules;
mod support;
mod sync;
mod team;
