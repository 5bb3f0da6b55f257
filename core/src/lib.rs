//! # jiran-core
//!
//! Everything a Jiran phone does, without the network: the model of an antenna's households,
//! cases, donations and deliveries as Automerge documents, and the durable store that keeps
//! them on the device.
//!
//! ```
//! use jiran_core::{NewAntenna, NewHousehold, NewPerson, Priority, Relationship, Store};
//!
//! let dir = tempfile::tempdir()?;
//! let store = Store::open(dir.path())?;
//! let (antenna, _lead) = store.create_antenna(NewAntenna {
//!     name: "La Marsa".into(),
//!     locality: "Tunis".into(),
//!     lead_name: "Leila".into(),
//! })?;
//! let household = store.register_household(antenna, NewHousehold {
//!     members: vec![NewPerson {
//!         name: "Fatma Ben Ali".into(),
//!         birth_year: Some(1961),
//!         relationship: Relationship::Head,
//!         flags: Default::default(),
//!     }],
//!     phone: Some("+216 98 123 456".into()),
//!     address: "behind the Saf Saf café".into(),
//!     coordinates: None,
//!     keep_data: true,
//!     share_with_municipality: false,
//!     contact_by_phone: true,
//!     priority: Priority::High,
//!     shock: Some("lost her work as a cleaner in the lockdown".into()),
//! })?;
//! // Found however the name is typed.
//! assert_eq!(store.search(antenna, "فاطمة", 10)?[0].id, household);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! See ARCHITECTURE.md for the documents, their merge semantics and the store's guarantees.

pub mod document;
pub mod error;
pub mod ids;
pub mod input_problem;
pub mod language;
pub mod model;
pub mod replication;
pub mod search;
pub mod store;
pub mod sync;
#[cfg(feature = "testing")]
pub mod testing;
pub mod time;
pub mod workflows;

// The store on this device, and what it reports.
pub use error::{Error, Result};
pub use input_problem::InputProblem;
pub use store::{DeviceKey, Store, StoreEvent, DATABASE_FILE};

// Identifiers and time.
pub use ids::{
    AntennaId, DeliveryId, DocumentId, DonationId, FactorId, GrievanceId, HandoverId, HouseholdId,
    LedgerId, MemberId, NeedId, NoteId, PersonId, ProviderId, ReferralId, StepId, TaskId,
};
pub use time::{Month, Timestamp};

// The languages reports and receipts are written in.
pub use language::Language;

// The documents' shapes: what a household, a case, an antenna and a ledger hold.
pub use model::{
    major_units, minor_digits, parse_major_units, Acknowledgement, Address, AntennaDocument, Case,
    Consent, Coordinates, Delivery, Donation, DonationStatus, Erasure, FactorKind, Gift, Grievance,
    GrievanceStatus, HandoverFormat, HandoverLog, Household, HouseholdDocument, HouseholdState,
    HouseholdStatus, HouseholdSummary, LedgerDocument, LimitingFactor, Member, Need, NeedCategory,
    NeedStatus, Note, Person, PlanStep, Priority, Provider, Referral, ReferralStatus, Relationship,
    Role, Sector, StepStatus, Task, TaskKind, TaskStatus, Urgency, VulnerabilityFlags,
};

// An antenna and its team.
pub use workflows::antenna::{NewAntenna, TeamMember};

// Households and their cases.
pub use workflows::households::{
    DeliveryRecord, HouseholdDetail, HouseholdEdit, HouseholdFilter, HouseholdListItem,
    HouseholdSort, NewHousehold, NewNeed, NewPerson, NewPlanStep,
};

// Following up, duplicates, tasks.
pub use workflows::duplicates::{DuplicateReason, PossibleDuplicate};
pub use workflows::follow_up::{GrievanceToAnswer, ReferralToFollowUp};
pub use workflows::tasks::{NewTask, TaskItem};

// Donations and deliveries.
pub use workflows::ledger::{
    normalize_delivery_code, random_delivery_code, DeliveryLine, DeliveryReceipt, DonationBalance,
    FundingLine, NewDelivery, NewDonation, OverAllocation, StockLine, DELIVERY_CODE_ALPHABET,
    DELIVERY_CODE_LENGTH,
};

// What leaves the antenna: the report for donors, the handover, the directory.
pub use workflows::directory::{ImportSummary, NewProvider};
pub use workflows::handover::{Handover, HandoverFilter};
pub use workflows::report::TransparencyReport;

// The lead's overview, erasure and the check with other antennas.
pub use workflows::other_antennas::{AlsoHelped, FederationKey, OtherAntenna};
pub use workflows::overview::AntennaOverview;

// Syncing (the engine itself is in [`sync`]).
pub use replication::{ImportOutcome, RelayLink, Replication};
