//! A household: its members, contact, consent and status. Identifying data lives only here
//! (see ARCHITECTURE.md, "Documents"), so erasing the household document erases it all.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};

use super::case::Case;
use super::vocabulary::{HouseholdState, Relationship};
use crate::ids::{AntennaId, HouseholdId, MemberId, PersonId};
use crate::time::Timestamp;

/// The whole household document: profile and case, in one document so that one deletion
/// erases every trace of the household.
#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate)]
pub struct HouseholdDocument {
    /// Document schema version; see [`crate::document::SCHEMA_VERSION`].
    pub schema: u64,
    /// Which kind of document this is: always `household`.
    pub kind: String,
    /// The antenna the household belongs to, from creation on.
    pub antenna: AntennaId,
    /// Who the household is.
    pub profile: Household,
    /// What the antenna does for it.
    pub case: Case,
}

/// Who a household is and how to reach it.
#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate)]
pub struct Household {
    /// The people living together, keyed so that two volunteers adding members offline keep
    /// both.
    pub members: BTreeMap<PersonId, Person>,
    /// A phone number to reach the household, as typed. Last writer wins.
    pub phone: Option<String>,
    /// Where the household lives.
    pub address: Address,
    /// What the household agreed to.
    pub consent: Consent,
    /// Whether the antenna still follows the household.
    pub status: HouseholdStatus,
    /// The volunteer who registered it.
    pub registered_by: MemberId,
    /// When it was registered.
    pub registered_at: Timestamp,
    /// A shock that made this household need help (job lost in the lockdown, ...), if it was
    /// not in need before.
    pub shock: Option<String>,
    /// The head's national identity card number, as typed, if the household gave it. Never
    /// leaves the antenna: only its keyed hash does, for the blinded check with other
    /// antennas (see [`crate::workflows::other_antennas`]).
    #[autosurgeon(missing = "Option::default")]
    pub national_id: Option<String>,
    /// The household's delivery code, shown grouped ("K7M-4PQ"): delivery lists and receipts
    /// name the household by it instead of by name (stigma), and the household confirms a
    /// delivery by giving it. Random, set at registration; `None` in documents written before
    /// delivery codes existed, until someone issues one ([`crate::Store::issue_delivery_code`]).
    /// Lives here, not in the antenna document, so it is erased with the household.
    #[autosurgeon(missing = "Option::default")]
    pub delivery_code: Option<String>,
}

impl Household {
    /// The head of the household, or failing that the first member registered.
    pub fn head(&self) -> Option<&Person> {
        self.members
            .values()
            .find(|p| p.relationship == Relationship::Head)
            .or_else(|| self.members.values().next())
    }
}

/// One person of a household.
#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate)]
pub struct Person {
    /// The name as the household gives it, in any script.
    pub name: String,
    /// Year of birth, if known.
    pub birth_year: Option<u16>,
    /// Relationship to the head of the household.
    pub relationship: Relationship,
    /// What makes this person vulnerable.
    pub flags: VulnerabilityFlags,
}

/// Vulnerabilities the antennas looked for when deciding who to help first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Reconcile, Hydrate)]
pub struct VulnerabilityFlags {
    /// Elderly.
    pub elderly: bool,
    /// Living with a disability.
    pub disability: bool,
    /// Chronic illness.
    pub chronic_illness: bool,
    /// A child under five.
    pub child_under_five: bool,
    /// Pregnant.
    pub pregnant: bool,
    /// Lost an informal income (day labourer, cleaner, café worker, ...).
    pub lost_informal_income: bool,
}

/// Where a household lives: a postal address or, often, a landmark ("behind the mosque").
#[derive(Clone, Debug, Default, PartialEq, Reconcile, Hydrate)]
pub struct Address {
    /// The address or landmark, as typed.
    pub text: String,
    /// Optional GPS position.
    pub coordinates: Option<Coordinates>,
}

/// A GPS position in decimal degrees.
#[derive(Clone, Copy, Debug, PartialEq, Reconcile, Hydrate)]
pub struct Coordinates {
    /// Latitude, -90 to 90.
    pub latitude: f64,
    /// Longitude, -180 to 180.
    pub longitude: f64,
}

/// What the household agreed to, and who recorded it when.
#[derive(Clone, Debug, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Consent {
    /// The antenna may keep the household's data (required to register it).
    pub keep_data: bool,
    /// The antenna may hand the household's data to the municipality.
    pub share_with_municipality: bool,
    /// Volunteers may call the household.
    pub contact_by_phone: bool,
    /// Who recorded the consent.
    pub recorded_by: MemberId,
    /// When.
    pub recorded_at: Timestamp,
}

/// Whether the antenna still follows a household.
#[derive(Clone, Debug, PartialEq, Eq, Reconcile, Hydrate)]
pub enum HouseholdStatus {
    /// Followed by the antenna.
    Active,
    /// No longer needs help.
    Graduated,
    /// Left the neighbourhood.
    MovedAway,
    /// A duplicate, merged into another household.
    MergedInto(HouseholdId),
}

impl HouseholdStatus {
    /// The status without the merge target, as lists filter on it.
    pub fn state(&self) -> HouseholdState {
        match self {
            HouseholdStatus::Active => HouseholdState::Active,
            HouseholdStatus::Graduated => HouseholdState::Graduated,
            HouseholdStatus::MovedAway => HouseholdState::MovedAway,
            HouseholdStatus::MergedInto(_) => HouseholdState::Merged,
        }
    }
}
