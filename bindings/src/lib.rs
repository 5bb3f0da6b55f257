//! UniFFI bindings of `jiran-core` for Kotlin, Swift and Python.
//!
//! A thin layer: the core's types declared to UniFFI (`types`), records shaped for foreign
//! languages (`views`), one object holding the store and its sync engine (`store`), change
//! callbacks (`observer`), money in major units (`money`) and one error enum (`error`). No business logic lives here: every
//! rule, check and figure is `jiran-core`'s. `scripts/bindgen` generates the foreign sources.

mod error;
mod money;
mod observer;
mod store;
mod types;
mod views;

pub use error::{DonationProblem, JiranError, Missing};
pub use money::{money_from_text, money_text};
pub use observer::{StoreChange, StoreObserver, Subscription};
pub use store::JiranStore;
pub use views::*;

uniffi::setup_scaffolding!("jiran");
