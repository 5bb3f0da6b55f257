//! Money as people read and type it, converted by the core: apps never scale amounts
//! themselves.

use crate::error::Result;

/// `minor` units of `currency` in major units with the currency's decimals (`50.000` for
/// 50,000 millimes of TND), ready for an amount box; [`money_from_text`] reads it back.
#[uniffi::export]
pub fn money_text(minor: u64, currency: String) -> String {
    jiran_core::major_units(minor, &currency)
}

/// What a person typed in major units (`12.5`, `12,5`, `١٢٫٥`, `1 250,500`) as minor units
/// of `currency`. Errors are `InvalidInput` on field `amount`, with the problem
/// (`NotAnAmount`, `TooManyDecimals`, `TooLarge`, `Empty`) to say in the app's language.
#[uniffi::export]
pub fn money_from_text(text: String, currency: String) -> Result<u64> {
    Ok(jiran_core::parse_major_units(&text, &currency)?)
}
