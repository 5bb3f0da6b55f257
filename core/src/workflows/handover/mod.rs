//! The handover to the municipality: the list of consenting households an antenna hands to
//! the municipality's social services, as a file (CSV with a byte-order mark, CSV with HXL
//! hashtags, or JSON), logged in the antenna document.
//!
//! [`formats`] writes the file (pure: rows in, bytes out); `store` decides which households
//! may leave the antenna, in one function, by their consent, and logs the handover.

pub mod formats;
mod store;

pub use store::{Handover, HandoverFilter};
