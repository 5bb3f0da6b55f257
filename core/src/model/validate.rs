//! Validation of everything a user types, before anything is recorded.
//!
//! Problems are described without repeating the value: errors may travel to logs and other
//! devices, and values may be personal data.

use crate::error::{Error, Result};
use crate::input_problem::InputProblem;

/// Longest name, in characters.
pub const MAX_NAME: usize = 200;
/// Longest short text (description, address, contact), in characters.
pub const MAX_TEXT: usize = 2_000;
/// Longest note, in characters.
pub const MAX_NOTE: usize = 10_000;
/// Most people in one household.
pub const MAX_MEMBERS: usize = 50;

/// A required single-line text (a name): trimmed, non-empty, bounded, no control characters.
pub fn name(field: &'static str, value: &str) -> Result<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Error::invalid(field, InputProblem::Empty));
    }
    if value.chars().count() > MAX_NAME {
        return Err(Error::invalid(
            field,
            InputProblem::TooLong {
                max: MAX_NAME as u32,
            },
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(field, InputProblem::NotOneLine));
    }
    Ok(value.to_owned())
}

/// A free text of at most `max` characters; may be empty. Line breaks are allowed.
pub fn text(field: &'static str, value: &str, max: usize) -> Result<String> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(Error::invalid(
            field,
            InputProblem::TooLong { max: max as u32 },
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Error::invalid(field, InputProblem::ControlCharacters));
    }
    Ok(value.to_owned())
}

/// A required free text (a note, a grievance): like [`text`] but not empty.
pub fn required_text(field: &'static str, value: &str, max: usize) -> Result<String> {
    let value = text(field, value, max)?;
    if value.is_empty() {
        return Err(Error::invalid(field, InputProblem::Empty));
    }
    Ok(value)
}

/// A phone number as typed: digits with optional `+`, spaces, dots, dashes and brackets;
/// 6 to 20 digits.
pub fn phone(value: &str) -> Result<String> {
    let value = value.trim();
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let allowed = |c: char| c.is_ascii_digit() || " +-.()/".contains(c);
    if !value.chars().all(allowed) || value.chars().skip(1).any(|c| c == '+') {
        return Err(Error::invalid("phone", InputProblem::PhoneCharacters));
    }
    if !(6..=20).contains(&digits) {
        return Err(Error::invalid("phone", InputProblem::PhoneDigits));
    }
    Ok(value.to_owned())
}

/// Text on one line: runs of whitespace and control characters (a file's line breaks, tabs)
/// become one space, and the ends are trimmed.
pub fn single_line(text: &str) -> String {
    text.split(|c: char| c.is_control() || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A provider's contact taken apart: its phone numbers (each once), its e-mail (the first
/// part that looks like one) and the rest (an address, a name to ask for), each part on one
/// line. Parts are separated by `;` or line breaks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactParts {
    /// The parts that are phone numbers, in order, each once.
    pub phones: Vec<String>,
    /// The first part that looks like an e-mail address.
    pub email: Option<String>,
    /// Every other part, in order.
    pub rest: Vec<String>,
}

impl ContactParts {
    /// Takes `contact` apart; never fails (a part is a phone, the e-mail, or the rest).
    pub fn of(contact: &str) -> ContactParts {
        let mut parts = ContactParts::default();
        for part in contact.split(['\n', ';']).map(single_line) {
            if part.is_empty() {
                continue;
            }
            if phone(&part).is_ok() {
                if !parts.phones.contains(&part) {
                    parts.phones.push(part);
                }
            } else if parts.email.is_none() && part.contains('@') && !part.contains(' ') {
                parts.email = Some(part);
            } else {
                parts.rest.push(part);
            }
        }
        parts
    }

    /// The one form the directory stores: phones, then the e-mail, then the rest, joined by
    /// `; `. Taking it apart again gives the same parts, so a contact survives an HSDS export
    /// and import unchanged (and does not grow on the way).
    pub fn joined(&self) -> String {
        let all: Vec<&str> = self
            .phones
            .iter()
            .chain(&self.email)
            .chain(&self.rest)
            .map(String::as_str)
            .collect();
        all.join("; ")
    }
}

/// A provider's contact in the directory's one form ([`ContactParts::joined`]), at most
/// [`MAX_TEXT`] characters in that form, so what is stored is what an export carries.
pub fn contact(value: &str) -> Result<String> {
    let normal = ContactParts::of(value).joined();
    if normal.chars().count() > MAX_TEXT {
        return Err(Error::invalid(
            "contact",
            InputProblem::TooLong {
                max: MAX_TEXT as u32,
            },
        ));
    }
    Ok(normal)
}

/// A national identity card number: 4 to 20 letters and digits once spaces, dashes and dots
/// are left out (Tunisia's CIN has 8 digits; other countries mix letters in). Returned as
/// typed, trimmed.
pub fn national_id(value: &str) -> Result<String> {
    let value = value.trim();
    let kept = value.chars().filter(|c| !" -.".contains(*c));
    if !kept.clone().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Error::invalid(
            "national_id",
            InputProblem::NationalIdCharacters,
        ));
    }
    if !(4..=20).contains(&kept.count()) {
        return Err(Error::invalid(
            "national_id",
            InputProblem::NationalIdLength,
        ));
    }
    Ok(value.to_owned())
}

/// An ISO 4217 currency code: three capital letters.
pub fn currency(value: &str) -> Result<String> {
    let value = value.trim();
    if value.len() == 3 && value.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(value.to_owned())
    } else {
        Err(Error::invalid("currency", InputProblem::NotACurrency))
    }
}

/// A positive amount.
pub fn positive(field: &'static str, value: u64) -> Result<u64> {
    if value == 0 {
        return Err(Error::invalid(field, InputProblem::NotPositive));
    }
    if value > i64::MAX as u64 {
        return Err(Error::invalid(field, InputProblem::TooLarge));
    }
    Ok(value)
}

/// A year of birth between 1900 and `this_year`.
pub fn birth_year(value: u16, this_year: i32) -> Result<u16> {
    if (1900..=this_year).contains(&i32::from(value)) {
        Ok(value)
    } else {
        Err(Error::invalid(
            "birth_year",
            InputProblem::OutOfRange {
                min: 1900,
                max: i64::from(this_year),
            },
        ))
    }
}

/// A GPS position.
pub fn coordinates(latitude: f64, longitude: f64) -> Result<()> {
    if !latitude.is_finite() || !(-90.0..=90.0).contains(&latitude) {
        return Err(Error::invalid(
            "latitude",
            InputProblem::OutOfRange { min: -90, max: 90 },
        ));
    }
    if !longitude.is_finite() || !(-180.0..=180.0).contains(&longitude) {
        return Err(Error::invalid(
            "longitude",
            InputProblem::OutOfRange {
                min: -180,
                max: 180,
            },
        ));
    }
    Ok(())
}

/// A calendar date `YYYY-MM-DD`.
pub fn date(field: &'static str, value: &str) -> Result<String> {
    let value = value.trim();
    if crate::time::is_valid_date(value) {
        Ok(value.to_owned())
    } else {
        Err(Error::invalid(field, InputProblem::NotADate))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_names_are_trimmed_and_must_not_be_empty() {
        assert_eq!(name("name", "  Fatma  ").unwrap(), "Fatma");
        assert!(matches!(
            name("name", "   "),
            Err(Error::Invalid { field: "name", .. })
        ));
        assert!(name("name", "a\u{7}b").is_err());
        assert!(name("name", &"x".repeat(201)).is_err());
        assert_eq!(name("name", "محمد بن علي").unwrap(), "محمد بن علي");
    }

    #[test]
    fn test_phone_numbers_accept_common_notations_only() {
        assert!(phone("+216 98 123 456").is_ok());
        assert!(phone("(01) 45-67-89-10").is_ok());
        assert!(phone("12345").is_err());
        assert!(phone("98 12 34 56 ext").is_err());
        assert!(phone("216+98123456").is_err());
    }

    #[test]
    fn test_currency_codes_are_three_capitals() {
        assert_eq!(currency("TND").unwrap(), "TND");
        assert!(currency("tnd").is_err());
        assert!(currency("DT").is_err());
        assert!(currency("EURO").is_err());
    }

    #[test]
    fn test_amounts_must_be_positive_and_bounded() {
        assert!(positive("amount", 0).is_err());
        assert!(positive("amount", u64::MAX).is_err());
        assert_eq!(positive("amount", 1500).unwrap(), 1500);
    }

    #[test]
    fn test_error_messages_never_repeat_the_value() {
        let secret = "+216 98 123 456 Fatma";
        let message = phone(secret).unwrap_err().to_string();
        assert!(!message.contains("Fatma") && !message.contains("98 123"));
    }

    #[test]
    fn test_coordinates_and_birth_years_are_range_checked() {
        assert!(coordinates(36.88, 10.32).is_ok());
        assert!(coordinates(91.0, 0.0).is_err());
        assert!(coordinates(f64::NAN, 0.0).is_err());
        assert!(birth_year(1899, 2026).is_err());
        assert!(birth_year(2027, 2026).is_err());
        assert!(birth_year(1950, 2026).is_ok());
    }

    #[test]
    fn test_a_contact_is_stored_in_one_form() {
        let typed = "rue X;+216  71 111 111\n a@b.tn ;; c@d.tn;+216 71 111 111";
        assert_eq!(
            contact(typed).unwrap(),
            "+216 71 111 111; a@b.tn; rue X; c@d.tn"
        );
        assert_eq!(contact("").unwrap(), "");
        let long = vec!["rue."; 400].join(";");
        let refused = contact(&long).unwrap_err().to_string();
        assert!(refused.contains("too long") && !refused.contains("rue."));
    }

    proptest::proptest! {
        /// The normal form is a fixed point: taking it apart and joining it again changes
        /// nothing, so an export and import (which do exactly that) cannot make it grow.
        #[test]
        fn test_the_contact_form_is_a_fixed_point(typed in "[ a-z0-9+@.;\n\t\\-]{0,80}") {
            let once = ContactParts::of(&typed).joined();
            let parts = ContactParts::of(&once);
            proptest::prop_assert_eq!(parts.joined(), once.clone());
            proptest::prop_assert_eq!(contact(&once).ok(), Some(once));
        }
    }
}
