//! Money as people read and type it: in major units with their currency's decimals (50.000
//! dinars, 12.50 euros), while the documents count minor units (millimes, cents) so sums stay
//! exact. The core owns the conversion so every app shows and reads amounts the same way.

use crate::error::{Error, Result};
use crate::input_problem::InputProblem;

/// Digits after the decimal point of an ISO 4217 currency, so amounts in minor units read as
/// people write them (millimes: 3, cents: 2, yen: 0). Unlisted currencies have 2.
pub fn minor_digits(currency: &str) -> u32 {
    match currency {
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        _ => 2,
    }
}

/// `minor` units of `currency` written in major units with all the currency's decimals, in
/// ASCII digits with a `.` and no grouping (`50.000` for 50,000 millimes): what an app puts
/// in an amount box, and what [`parse_major_units`] reads back to the same number.
pub fn major_units(minor: u64, currency: &str) -> String {
    let decimals = minor_digits(currency);
    if decimals == 0 {
        return minor.to_string();
    }
    let scale = 10u64.pow(decimals);
    format!(
        "{}.{:0width$}",
        minor / scale,
        minor % scale,
        width = decimals as usize
    )
}

/// An amount of `currency` typed by a person in major units, as minor units. Reads what
/// volunteers type on phones in English, French and Arabic: `50`, `12.5`, `12,5` (a comma as
/// the decimal point), Arabic-Indic digits and the Arabic decimal separator (`١٢٫٥`), and
/// spaces between groups of thousands (`1 250,500`). Zero is read as zero; whether zero is
/// allowed is the recording call's rule.
///
/// # Errors
/// [`Error::Invalid`] on field `amount`: [`InputProblem::Empty`], [`InputProblem::NotAnAmount`]
/// (letters, two decimal points, a sign), [`InputProblem::TooManyDecimals`] (`12.3456` dinars)
/// and [`InputProblem::TooLarge`].
pub fn parse_major_units(typed: &str, currency: &str) -> Result<u64> {
    let invalid = |problem| Error::invalid("amount", problem);
    let decimals = minor_digits(currency);
    let mut whole = String::new();
    let mut fraction: Option<String> = None;
    for c in typed.trim().chars() {
        let digit = match c {
            '0'..='9' => Some(c),
            '\u{0660}'..='\u{0669}' => char::from_digit(c as u32 - 0x0660, 10),
            '\u{06F0}'..='\u{06F9}' => char::from_digit(c as u32 - 0x06F0, 10),
            _ => None,
        };
        match (digit, &mut fraction) {
            (Some(d), Some(f)) => f.push(d),
            (Some(d), None) => whole.push(d),
            (None, None) if ['.', ',', '\u{066B}'].contains(&c) => fraction = Some(String::new()),
            (None, None) if [' ', '\u{00A0}', '\u{202F}', '\u{066C}'].contains(&c) => {}
            _ => return Err(invalid(InputProblem::NotAnAmount)),
        }
    }
    let fraction = fraction.unwrap_or_default();
    if whole.is_empty() && fraction.is_empty() {
        return Err(invalid(if typed.trim().is_empty() {
            InputProblem::Empty
        } else {
            InputProblem::NotAnAmount
        }));
    }
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > decimals as usize {
        return Err(invalid(InputProblem::TooManyDecimals { decimals }));
    }
    let digits = format!("{whole}{fraction:0<width$}", width = decimals as usize);
    digits
        .parse::<u64>()
        .ok()
        .filter(|&minor| minor <= i64::MAX as u64)
        .ok_or(invalid(InputProblem::TooLarge))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn problem(typed: &str, currency: &str) -> InputProblem {
        match parse_major_units(typed, currency) {
            Err(Error::Invalid {
                field: "amount",
                problem,
            }) => problem,
            other => panic!("{typed:?} should be refused, got {other:?}"),
        }
    }

    #[test]
    fn test_amounts_are_read_as_people_type_them_in_three_languages() {
        for (typed, currency, minor) in [
            ("50", "TND", 50_000),
            ("12.5", "TND", 12_500),
            ("12,5", "EUR", 1_250),
            ("1 250,500", "TND", 1_250_500),
            ("١٢٫٥", "TND", 12_500),
            ("۱۰۰", "TND", 100_000),
            (" 0.250 ", "TND", 250),
            (",5", "EUR", 50),
            ("7.", "EUR", 700),
            ("3000", "JPY", 3_000),
            ("12.500", "EUR", 1_250),
            ("0", "EUR", 0),
        ] {
            assert_eq!(
                parse_major_units(typed, currency).unwrap(),
                minor,
                "{typed}"
            );
        }
    }

    #[test]
    fn test_what_is_not_an_amount_is_refused_with_its_problem() {
        assert_eq!(problem("", "TND"), InputProblem::Empty);
        assert_eq!(problem("  ", "TND"), InputProblem::Empty);
        for typed in ["abc", "1.2.3", "-5", "+5", "5 TND", "1,250.500", ".", "1e3"] {
            assert_eq!(problem(typed, "TND"), InputProblem::NotAnAmount, "{typed}");
        }
        assert_eq!(
            problem("12.3456", "TND"),
            InputProblem::TooManyDecimals { decimals: 3 }
        );
        assert_eq!(
            problem("1.5", "JPY"),
            InputProblem::TooManyDecimals { decimals: 0 }
        );
        assert_eq!(
            problem("99999999999999999999", "EUR"),
            InputProblem::TooLarge
        );
    }

    #[test]
    fn test_amounts_are_written_with_their_currencys_decimals() {
        assert_eq!(major_units(50_000, "TND"), "50.000");
        assert_eq!(major_units(1_250, "EUR"), "12.50");
        assert_eq!(major_units(5, "EUR"), "0.05");
        assert_eq!(major_units(3_000, "JPY"), "3000");
    }

    proptest! {
        #[test]
        fn prop_what_is_written_reads_back_the_same(minor in 0u64..=i64::MAX as u64, currency in "(TND|EUR|JPY)") {
            prop_assert_eq!(parse_major_units(&major_units(minor, &currency), &currency).unwrap(), minor);
        }
    }
}
