//! The public transparency report of an antenna: what it received and what it gave, by month
//! and need, and how many households it reached. Donors asked for proof that their money
//! reached people; families feared stigma. So the report holds totals and counts only: no
//! names, phones, addresses, household ids or donor names, and it can be shared as it is.
//!
//! Pure: [`build`] turns ledger rows into a [`TransparencyReport`], which renders itself as
//! JSON ([`TransparencyReport::to_json`]) or as one self-contained printable HTML page in
//! English, French or Arabic ([`TransparencyReport::to_html`]), with the month-by-need figures
//! as an inline SVG chart. The store gathers the rows (`Store::transparency_report`).

mod figures;
mod render;
mod store;

pub use figures::{
    build, AllocationRow, Amount, CategoryTotals, DonationAccount, DonationRow, MonthTotals,
    TransparencyReport,
};
pub(crate) use render::unit_in;
