//! The domain model: antennas, households and their cases, donations and deliveries.
//!
//! Plain Rust types, mapped to Automerge documents with autosurgeon. No I/O here.

pub mod antenna;
pub mod case;
pub mod household;
pub mod ledger;
pub mod merges;
pub mod money;
pub mod validate;
pub mod vocabulary;

pub use antenna::{AntennaDocument, Erasure, HandoverLog, HouseholdSummary, Member, Provider};
pub use case::{Case, Grievance, LimitingFactor, Need, Note, PlanStep, Referral, Task};
pub use household::{
    Address, Consent, Coordinates, Household, HouseholdDocument, HouseholdStatus, Person,
    VulnerabilityFlags,
};
pub use ledger::{Acknowledgement, Delivery, Donation, Gift, LedgerDocument};
pub use merges::resolve_merges;
pub use money::{major_units, minor_digits, parse_major_units};
pub use vocabulary::{
    DonationStatus, FactorKind, GrievanceStatus, HandoverFormat, HouseholdState, NeedCategory,
    NeedStatus, Priority, ReferralStatus, Relationship, Role, Sector, StepStatus, TaskKind,
    TaskStatus, Urgency,
};
