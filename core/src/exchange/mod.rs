//! Files exchanged with the world outside the antenna: the handover of households to the
//! municipality (CSV, CSV with HXL hashtags, JSON) and the provider directory in Open
//! Referral's HSDS format.
//!
//! Pure formatting and parsing: rows in, bytes out, and bytes in, checked records out. No I/O
//! and no store access here, so what may leave the antenna (consent) and what is recorded
//! (one change, leads only) is decided in one place, the store (`store/handover.rs`,
//! `store/hsds.rs`).

pub mod hsds;
pub mod municipality;
