//! The check with other antennas: which of this antenna's households another antenna on the
//! same relay also helps, so aid is neither duplicated nor missed, without either antenna
//! learning who the other helps.
//!
//! Antennas that agree share a *federation key*, passed between their leads by hand, never
//! through the relay ([`key`]: the key and the keyed hashes, pure). A lead's phone keeps the
//! key and computes the hashes of its households (`store`), and sends them to the relay's
//! *blinded index*, which answers which hashes other antennas sent too ([`check`]).

pub mod check;
pub mod key;
mod store;

pub use check::{check_other_antennas, leave_blinded_index, AlsoHelped, OtherAntenna};
pub use key::{is_blinded_hash, normalise_national_id, FederationKey};
pub(crate) use store::federation_key_entry;
