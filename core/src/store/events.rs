//! What a UI can follow: one event per document that changed, after it is on disk.

use crate::ids::{AntennaId, HouseholdId, LedgerId};
use crate::sync::SyncStatus;

/// A document changed on this device, by a local action or a merge from another device
/// (sent only once the change is on disk), or the sync status of an antenna changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreEvent {
    /// The antenna's members, directory or household index changed.
    AntennaChanged(AntennaId),
    /// A household's profile or case changed.
    HouseholdChanged {
        /// Its antenna.
        antenna: AntennaId,
        /// The household.
        household: HouseholdId,
    },
    /// A household was erased (here or on another device): its data is gone from this
    /// device; screens showing it should close.
    HouseholdErased {
        /// Its antenna.
        antenna: AntennaId,
        /// The household.
        household: HouseholdId,
    },
    /// Donations or deliveries of a month changed; balances may have moved.
    LedgerChanged {
        /// Its antenna.
        antenna: AntennaId,
        /// The ledger document (one per month).
        ledger: LedgerId,
    },
    /// The sync status of an antenna changed (see [`crate::sync::SyncEngine`]).
    SyncStatus {
        /// The antenna.
        antenna: AntennaId,
        /// Its new status.
        status: SyncStatus,
    },
}
