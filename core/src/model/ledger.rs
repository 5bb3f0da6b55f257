//! The ledger: donations received and deliveries made, one document per antenna and month so
//! documents stay bounded as an antenna runs for months.
//!
//! Deliveries point at households by id only: erasing a household leaves the accounts whole
//! and the ledger free of identifying data.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};

use super::vocabulary::{DonationStatus, NeedCategory};
use crate::ids::{AntennaId, DeliveryId, DonationId, HouseholdId, MemberId};
use crate::time::Timestamp;

/// A ledger document: one antenna, one month.
#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate)]
pub struct LedgerDocument {
    /// Document schema version; see [`crate::document::SCHEMA_VERSION`].
    pub schema: u64,
    /// Always `ledger`.
    pub kind: String,
    /// The antenna.
    pub antenna: AntennaId,
    /// The month, `YYYY-MM`.
    pub period: String,
    /// Donations recorded in this month.
    pub donations: BTreeMap<DonationId, Donation>,
    /// Deliveries made in this month.
    pub deliveries: BTreeMap<DeliveryId, Delivery>,
}

/// A donation of money, goods or a service.
#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate)]
pub struct Donation {
    /// What was given.
    pub gift: Gift,
    /// Who gave it, if they want to be named.
    pub donor: Option<String>,
    /// The trusted person holding the money or goods.
    pub custodian: MemberId,
    /// Promised or in hand.
    pub status: DonationStatus,
    /// Only for this kind of need, if the donor asked.
    pub restricted_to: Option<NeedCategory>,
    /// Who recorded it.
    pub recorded_by: MemberId,
    /// When it was recorded (decides its ledger month).
    pub recorded_at: Timestamp,
    /// When the custodian received it.
    pub received_at: Option<Timestamp>,
}

/// What a donation is.
#[derive(Clone, Debug, PartialEq, Eq, Reconcile, Hydrate)]
pub enum Gift {
    /// Money in integer minor units (millimes, cents) of an ISO 4217 currency.
    Money {
        /// Amount in minor units.
        amount_minor: u64,
        /// ISO 4217 code, e.g. `TND`, `EUR`.
        currency: String,
    },
    /// Goods, counted in a unit ("kg", "parcel", "box").
    Goods {
        /// What, e.g. "semolina".
        item: String,
        /// How many units.
        quantity: u64,
        /// The unit.
        unit: String,
    },
    /// Time given by a tailor, an artisan, a doctor.
    Service {
        /// What kind of service.
        kind: String,
        /// Hours given.
        hours: u64,
    },
}

impl Gift {
    /// The amount in the gift's own unit (minor units, goods units, hours): what deliveries
    /// draw from.
    pub fn amount(&self) -> u64 {
        match self {
            Gift::Money { amount_minor, .. } => *amount_minor,
            Gift::Goods { quantity, .. } => *quantity,
            Gift::Service { hours, .. } => *hours,
        }
    }

    /// `money`, `goods` or `service`.
    pub fn kind(&self) -> &'static str {
        match self {
            Gift::Money { .. } => "money",
            Gift::Goods { .. } => "goods",
            Gift::Service { .. } => "service",
        }
    }

    /// The unit of [`Gift::amount`]: the currency code, the goods' unit, or `hours`.
    pub fn unit(&self) -> &str {
        match self {
            Gift::Money { currency, .. } => currency,
            Gift::Goods { unit, .. } => unit,
            Gift::Service { .. } => "hours",
        }
    }
}

/// Aid given to a household, and the donations that paid for it.
#[derive(Clone, Debug, PartialEq, Reconcile, Hydrate)]
pub struct Delivery {
    /// The household (by id only).
    pub household: HouseholdId,
    /// The need it answers.
    pub category: NeedCategory,
    /// What was given, as typed ("food parcel", "March rent").
    pub description: String,
    /// How much of each donation it used, in each donation's own unit.
    pub funding: BTreeMap<DonationId, u64>,
    /// The volunteer who delivered it.
    pub delivered_by: MemberId,
    /// When it was delivered (decides its ledger month).
    pub delivered_at: Timestamp,
    /// The household's acknowledgement of receipt, if given.
    pub acknowledged: Option<Acknowledgement>,
}

/// A household's acknowledgement that a delivery arrived.
#[derive(Clone, Debug, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Acknowledgement {
    /// When.
    pub at: Timestamp,
    /// Who recorded it.
    pub recorded_by: MemberId,
    /// Whether the household confirmed it by giving its delivery code (see
    /// [`crate::Store::acknowledge_delivery_with_code`]), rather than the volunteer's word
    /// alone. `false` in acknowledgements recorded before codes existed.
    #[autosurgeon(missing = "Default::default")]
    pub code_confirmed: bool,
}
