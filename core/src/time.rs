//! Points in time and calendar months, as stored in documents.

use std::fmt;

use autosurgeon::{Hydrate, Reconcile};

/// A point in time: milliseconds since the Unix epoch, UTC. Stored as an integer so every
/// device and language reads it the same way.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Reconcile)]
pub struct Timestamp(pub i64);

// By hand, not derived: the derive does not support `Option<Timestamp>`.
impl Hydrate for Timestamp {
    fn hydrate_int(i: i64) -> Result<Self, autosurgeon::HydrateError> {
        Ok(Timestamp(i))
    }

    fn hydrate_uint(u: u64) -> Result<Self, autosurgeon::HydrateError> {
        i64::try_from(u)
            .map(Timestamp)
            .map_err(|_| autosurgeon::HydrateError::unexpected("a timestamp", u.to_string()))
    }
}

impl Timestamp {
    /// Now, by this device's clock.
    pub fn now() -> Self {
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Self(since.as_millis() as i64)
    }

    /// Milliseconds since the Unix epoch.
    pub fn millis(self) -> i64 {
        self.0
    }

    /// The calendar month (UTC) this instant falls in; ledgers are split by it.
    pub fn month(self) -> Month {
        let date = time::OffsetDateTime::from_unix_timestamp(self.0.div_euclid(1000))
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        Month {
            year: date.year(),
            month: date.month() as u8,
        }
    }

    /// The date (UTC) as `YYYY-MM-DD`.
    pub fn date(self) -> String {
        let date = time::OffsetDateTime::from_unix_timestamp(self.0.div_euclid(1000))
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        format!(
            "{:04}-{:02}-{:02}",
            date.year(),
            date.month() as u8,
            date.day()
        )
    }
}

/// A calendar month: the period of one ledger document.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Month {
    /// The year, e.g. 2020.
    pub year: i32,
    /// The month, 1 to 12.
    pub month: u8,
}

impl Month {
    /// A month written `YYYY-MM` (as [`Month`] displays), `None` for anything else.
    pub fn parse(text: &str) -> Option<Month> {
        let (year, month) = text.trim().split_once('-')?;
        if year.len() != 4 || month.len() != 2 {
            return None;
        }
        let month = Month {
            year: year.parse().ok()?,
            month: month.parse().ok()?,
        };
        (1..=12).contains(&month.month).then_some(month)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Checks a calendar date written `YYYY-MM-DD` (a plan step's due date).
pub fn is_valid_date(s: &str) -> bool {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &format).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_month_of_a_timestamp_is_utc() {
        // 2020-04-30T23:59:59.999Z and one millisecond later.
        assert_eq!(Timestamp(1_588_291_199_999).month().to_string(), "2020-04");
        assert_eq!(Timestamp(1_588_291_200_000).month().to_string(), "2020-05");
        assert_eq!(Timestamp(1_588_291_200_000).date(), "2020-05-01");
    }

    #[test]
    fn test_dates_are_validated() {
        assert!(is_valid_date("2020-04-30"));
        assert!(!is_valid_date("2020-02-30"));
        assert!(!is_valid_date("30/04/2020"));
    }
}
