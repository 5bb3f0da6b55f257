//! Rate limits where guessing or flooding pays: joining (an invite code guessed), invites (a
//! lead's token used to mint many), and the blinded index (hashes tried to learn which phone
//! numbers another antenna helps: every 8-digit number is 10⁸ hashes, so at the default limit
//! that takes about three months instead of the 35 minutes it took unthrottled).
//!
//! Each limit is a keyed GCRA from `governor`: smooth, with a burst, and an exact wait to say
//! in `Retry-After`. Joins are limited per client address, and a failed one (a wrong code)
//! costs five times a successful one: an address that keeps sending wrong codes waits, while
//! one person joining ten phones at a distribution day does not.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use jiran_core::AntennaId;

/// How many keys a limiter remembers before it forgets those with a full allowance again.
const FORGET_AFTER_KEYS: usize = 10_000;

/// The relay's rate limits (see the module).
#[derive(Debug)]
pub struct Throttles {
    joins: DefaultKeyedRateLimiter<IpAddr>,
    invites: DefaultKeyedRateLimiter<String>,
    blinded_hashes: DefaultKeyedRateLimiter<AntennaId>,
}

impl Throttles {
    /// Limits of `joins_per_minute` join attempts per address (a failed one counts five),
    /// `invites_per_hour` invites per lead device and `blinded_hashes_per_hour` hashes per
    /// antenna. Every value must be at least 1 (checked with the other limits).
    pub fn new(joins_per_minute: u32, invites_per_hour: u32, blinded_hashes_per_hour: u32) -> Self {
        let at_least_one = |n: u32| NonZeroU32::new(n.max(1)).expect("at least 1");
        Throttles {
            joins: RateLimiter::keyed(Quota::per_minute(at_least_one(joins_per_minute))),
            invites: RateLimiter::keyed(Quota::per_hour(at_least_one(invites_per_hour))),
            blinded_hashes: RateLimiter::keyed(Quota::per_hour(at_least_one(
                blinded_hashes_per_hour,
            ))),
        }
    }

    /// Whether `address` may try to join now; `Err(wait)` otherwise.
    pub fn join(&self, address: IpAddr) -> Result<(), Duration> {
        take(&self.joins, &address, 1)
    }

    /// Records a failed join from `address` (an unknown, used or expired code): it costs four
    /// more attempts' worth of the address's allowance.
    pub fn join_failed(&self, address: IpAddr) {
        // One at a time: what is left of the allowance goes, even if less than four.
        for _ in 0..4 {
            let _ = take(&self.joins, &address, 1);
        }
    }

    /// Whether the lead device `device` may make an invite now.
    pub fn invite(&self, device: &str) -> Result<(), Duration> {
        take(&self.invites, &device.to_owned(), 1)
    }

    /// Whether `antenna` may send `hashes` more hashes to the blinded index now. A request
    /// larger than the whole hourly allowance is refused with an hour's wait.
    pub fn blinded(&self, antenna: AntennaId, hashes: usize) -> Result<(), Duration> {
        take(&self.blinded_hashes, &antenna, hashes)
    }
}

/// Takes `n` cells for `key`, or says how long to wait for them.
fn take<K: Clone + Hash + Eq>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
    n: usize,
) -> Result<(), Duration> {
    if limiter.len() > FORGET_AFTER_KEYS {
        limiter.retain_recent();
    }
    let Some(n) = u32::try_from(n).ok().and_then(NonZeroU32::new) else {
        return Ok(());
    };
    match limiter.check_key_n(key, n) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(not_until)) => Err(not_until.wait_time_from(DefaultClock::default().now())),
        Err(_) => Err(Duration::from_secs(3600)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_joins_slow_down_per_address_and_failures_more() {
        let throttles = Throttles::new(10, 60, 100);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        for _ in 0..10 {
            assert!(throttles.join(a).is_ok());
        }
        let wait = throttles.join(a).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(60));
        assert!(throttles.join(b).is_ok(), "another address is not affected");
        // Failures cost more: two wrong codes use most of an address's allowance.
        let c: IpAddr = "10.0.0.3".parse().unwrap();
        for _ in 0..2 {
            assert!(throttles.join(c).is_ok());
            throttles.join_failed(c);
        }
        assert!(throttles.join(c).is_err());
    }

    #[test]
    fn test_blinded_hashes_count_one_by_one_per_antenna() {
        let throttles = Throttles::new(10, 60, 100);
        let a = AntennaId::random();
        assert!(throttles.blinded(a, 60).is_ok());
        assert!(throttles.blinded(a, 60).is_err(), "120 > 100 an hour");
        assert!(throttles.blinded(AntennaId::random(), 100).is_ok());
        assert!(
            throttles.blinded(a, 1_000).is_err(),
            "more than an hour's allowance"
        );
    }

    #[test]
    fn test_invites_per_lead_device() {
        let throttles = Throttles::new(10, 2, 100);
        assert!(throttles.invite("lead").is_ok());
        assert!(throttles.invite("lead").is_ok());
        assert!(throttles.invite("lead").is_err());
        assert!(throttles.invite("other lead").is_ok());
    }
}
