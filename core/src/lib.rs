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

pub mod blinded;
pub mod document;
pub mod duplicates;
pub mod error;
pub mod exchange;
pub mod ids;
pub mod model;
pub mod report;
pub mod search;
pub mod store;
pub mod sync;
#[cfg(feature = "testing")]
pub mod testing;
pub mod time;

pub use duplicates::{DuplicateReason, PossibleDuplicate};
pub use error::{Error, Result};
pub use ids::{
    AntennaId, DeliveryId, DocumentId, DonationId, FactorId, GrievanceId, HandoverId, HouseholdId,
    LedgerId, MemberId, NeedId, NoteId, PersonId, ProviderId, ReferralId, StepId, TaskId,
};
pub use model::*;
pub use report::TransparencyReport;
pub use store::*;
pub use time::{Month, Timestamp};
