//! An antenna: one micro-local group of volunteers, its members, its directory of service
//! providers and an index of its households that holds no identifying data.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};

use super::vocabulary::{HandoverFormat, HouseholdState, NeedCategory, Priority, Role, Sector};
use crate::ids::{HandoverId, MemberId, ProviderId};
use crate::time::Timestamp;

/// The antenna document.
#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate)]
pub struct AntennaDocument {
    /// Document schema version; see [`crate::document::SCHEMA_VERSION`].
    pub schema: u64,
    /// Always `antenna`.
    pub kind: String,
    /// The antenna's name ("La Marsa – Cité Erriadh").
    pub name: String,
    /// Where it works.
    pub locality: String,
    /// When it was created.
    pub created_at: Timestamp,
    /// Volunteers, leads and observers, keyed by member id.
    pub members: BTreeMap<MemberId, Member>,
    /// The directory of service providers households can be referred to.
    pub providers: BTreeMap<ProviderId, Provider>,
    /// One entry per household, keyed by household id (the household document's id). It
    /// lets a device list, sort and filter households before it holds their documents, and
    /// holds no names, phones or addresses.
    pub households: BTreeMap<String, HouseholdSummary>,
    /// Households a lead erased, by household id: a tombstone holding when and by whom,
    /// never who the household was. It lives as long as the antenna, so a device that was
    /// offline for months erases its copy when it returns, and no old copy can bring the
    /// household back (devices and the relay refuse its document). Antenna documents from
    /// before erasure existed have no such map until the first erasure creates it.
    #[autosurgeon(missing = "BTreeMap::new")]
    pub erased: BTreeMap<String, Erasure>,
    /// Every handover of households to the municipality: who, when, how many, which filter.
    /// Never the data handed over. Antenna documents created before handovers existed lack
    /// the map; it reads as empty and is created by the first handover.
    #[autosurgeon(missing = "BTreeMap::new")]
    pub handovers: BTreeMap<HandoverId, HandoverLog>,
}

/// The tombstone of an erased household (see [`AntennaDocument::erased`]).
#[derive(Clone, Debug, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Erasure {
    /// When the lead erased it.
    pub at: Timestamp,
    /// The lead who erased it.
    pub by: MemberId,
}

/// A member of the antenna.
#[derive(Clone, Debug, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Member {
    /// The name other members see (a first name or nickname).
    pub display_name: String,
    /// What they may do.
    pub role: Role,
    /// When they joined.
    pub joined_at: Timestamp,
    /// The public key of the member's device (base58), written by that device when it
    /// enrols. A phone believes it only if the change that wrote it was made under that very
    /// key (see `Store::team`), so no member can claim another's device.
    #[autosurgeon(missing = "Option::default")]
    pub device_key: Option<String>,
    /// When a lead removed the member from the antenna: they may do nothing from then on and
    /// the relay revokes their device. Entries of members who joined before removal existed
    /// lack it.
    #[autosurgeon(missing = "Option::default")]
    pub removed_at: Option<Timestamp>,
}

/// A provider in the antenna's directory.
#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate)]
pub struct Provider {
    /// The provider's name.
    pub name: String,
    /// Public, private, non-profit or religious.
    pub sector: Sector,
    /// The needs it serves.
    pub serves: Vec<NeedCategory>,
    /// How to reach it (phone, address), as typed.
    pub contact: String,
    /// When it is open, as typed ("Mon–Fri 8:00–12:00").
    pub opening_hours: String,
    /// The id of the HSDS service it was imported from (Open Referral), so importing the same
    /// file again updates it instead of adding it twice. `None` for providers typed in, and
    /// for providers written before HSDS import existed.
    #[autosurgeon(missing = "Option::default")]
    pub hsds_id: Option<String>,
}

/// What every member may know of a household without its document: no identifying data.
#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate)]
pub struct HouseholdSummary {
    /// Active, graduated, moved away or merged.
    pub status: HouseholdState,
    /// How urgently the antenna should act.
    pub priority: Priority,
    /// How many people live in it.
    pub size: u32,
    /// Categories of needs still open.
    pub open_needs: Vec<NeedCategory>,
    /// The volunteer who follows it.
    pub assigned_to: Option<MemberId>,
    /// When it was registered.
    pub registered_at: Timestamp,
}

/// One handover of households to the municipality, as the antenna remembers it: enough to
/// answer "who handed what over, when", and nothing that identifies a household.
#[derive(Clone, Debug, PartialEq, Eq, Reconcile, Hydrate)]
pub struct HandoverLog {
    /// The lead who made it.
    pub by: MemberId,
    /// When.
    pub at: Timestamp,
    /// How many households it held.
    pub households: u32,
    /// In which format.
    pub format: HandoverFormat,
    /// Which filter selected them, described in words ("active; priority at least high").
    pub filter: String,
}
