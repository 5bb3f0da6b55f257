//! The directory of providers a household can be referred to: public, private, non-profit
//! and religious services, added by hand (`providers`) or exchanged as Open Referral HSDS
//! files ([`hsds`]: the format, pure; `store`: the import and export as a lead does them).

pub mod hsds;
mod providers;
mod store;

pub use providers::NewProvider;
pub use store::ImportSummary;
