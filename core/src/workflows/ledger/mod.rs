//! The ledger: donations of money, goods and services, and the deliveries they pay for, so
//! every delivery traces to the donations that funded it and donors can be shown where their
//! gift went.
//!
//! - `store`: recording donations and deliveries, and acknowledgements.
//! - `reassign`: moving the funding of an over-allocated delivery (leads).
//! - `balances`: each donation's balance, the stock held, over-allocations.
//! - `codes`: delivery codes, so delivery lists and receipts name a household by a short
//!   random code and never by name.

mod balances;
mod codes;
mod reassign;
mod store;

pub use balances::{DonationBalance, OverAllocation, StockLine};
pub use codes::{
    normalize_delivery_code, random_delivery_code, DeliveryLine, DeliveryReceipt, FundingLine,
    DELIVERY_CODE_ALPHABET, DELIVERY_CODE_LENGTH,
};
pub use store::{NewDelivery, NewDonation};
