//! Validation of everything a user types, before anything is recorded.
//!
//! Problems are described without repeating the value: errors may travel to logs and other
//! devices, and values may be personal data.

use crate::error::{Error, Result};

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
        return Err(Error::invalid(field, "must not be empty"));
    }
    if value.chars().count() > MAX_NAME {
        return Err(Error::invalid(
            field,
            "is too long (200 characters at most)",
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            "must be a single line without control characters",
        ));
    }
    Ok(value.to_owned())
}

/// A free text of at most `max` characters; may be empty. Line breaks are allowed.
pub fn text(field: &'static str, value: &str, max: usize) -> Result<String> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(Error::invalid(field, "is too long"));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Error::invalid(field, "contains control characters"));
    }
    Ok(value.to_owned())
}

/// A required free text (a note, a grievance): like [`text`] but not empty.
pub fn required_text(field: &'static str, value: &str, max: usize) -> Result<String> {
    let value = text(field, value, max)?;
    if value.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
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
        return Err(Error::invalid(
            "phone",
            "may contain only digits, spaces, dashes, dots, brackets and a leading +",
        ));
    }
    if !(6..=20).contains(&digits) {
        return Err(Error::invalid("phone", "must have between 6 and 20 digits"));
    }
    Ok(value.to_owned())
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
            "may contain only letters, digits, spaces, dashes and dots",
        ));
    }
    if !(4..=20).contains(&kept.count()) {
        return Err(Error::invalid(
            "national_id",
            "must have between 4 and 20 letters and digits",
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
        Err(Error::invalid(
            "currency",
            "must be an ISO 4217 code of three capital letters, like TND or EUR",
        ))
    }
}

/// A positive amount.
pub fn positive(field: &'static str, value: u64) -> Result<u64> {
    if value == 0 {
        return Err(Error::invalid(field, "must be greater than zero"));
    }
    if value > i64::MAX as u64 {
        return Err(Error::invalid(field, "is too large"));
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
            "must be between 1900 and this year",
        ))
    }
}

/// A GPS position.
pub fn coordinates(latitude: f64, longitude: f64) -> Result<()> {
    if !latitude.is_finite() || !(-90.0..=90.0).contains(&latitude) {
        return Err(Error::invalid("latitude", "must be between -90 and 90"));
    }
    if !longitude.is_finite() || !(-180.0..=180.0).contains(&longitude) {
        return Err(Error::invalid("longitude", "must be between -180 and 180"));
    }
    Ok(())
}

/// A calendar date `YYYY-MM-DD`.
pub fn date(field: &'static str, value: &str) -> Result<String> {
    let value = value.trim();
    if crate::time::is_valid_date(value) {
        Ok(value.to_owned())
    } else {
        Err(Error::invalid(field, "must be a date written YYYY-MM-DD"))
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
}
