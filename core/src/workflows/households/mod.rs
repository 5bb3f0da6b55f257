//! Households and their cases, each household treated as unique: registering one (its
//! members, consent, address), editing it, and its case (needs, limiting factors, a personal
//! plan, notes, referrals, grievances); lists, search and a household's detail.
//!
//! - `registration`: registering and editing a household.
//! - `case`: the case's parts, each one change to the household's document.
//! - `lists`: lists, search and detail, from the derived tables.
//! - `filter`: the one household filter in SQL, shared with the handover.

mod case;
mod filter;
mod lists;
mod registration;

pub use case::{NewNeed, NewPlanStep};
pub(crate) use filter::HouseholdWhere;
pub use lists::{
    DeliveryRecord, HouseholdDetail, HouseholdFilter, HouseholdListItem, HouseholdSort,
};
pub use registration::{HouseholdEdit, NewHousehold, NewPerson};
