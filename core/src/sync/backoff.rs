//! When to try reconnecting: exponential backoff with full jitter, so that a thousand
//! phones losing a relay together do not all come back in the same second.

use std::time::Duration;

use rand::Rng;

/// Reconnection delays: the n-th consecutive failure waits a random time in
/// `[initial, initial + min(max, initial * 2^n)]`.
#[derive(Clone, Debug)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    failures: u32,
}

impl Backoff {
    /// Delays starting at `initial` and growing to at most `max` (plus `initial`).
    pub fn new(initial: Duration, max: Duration) -> Self {
        Backoff {
            initial,
            max,
            failures: 0,
        }
    }

    /// The delay before the next attempt, counting one more failure.
    pub fn next_delay(&mut self, rng: &mut impl Rng) -> Duration {
        let ceiling = self
            .initial
            .saturating_mul(1u32.checked_shl(self.failures.min(30)).unwrap_or(u32::MAX))
            .min(self.max);
        self.failures = self.failures.saturating_add(1);
        let jitter = rng.random_range(0..=ceiling.as_millis() as u64);
        self.initial + Duration::from_millis(jitter)
    }

    /// Forgets past failures (after a connection that worked).
    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;

    proptest! {
        #[test]
        fn delays_stay_within_their_bounds(seed in any::<u64>(), failures in 0u32..64) {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let (initial, max) = (Duration::from_secs(1), Duration::from_secs(300));
            let mut backoff = Backoff::new(initial, max);
            for _ in 0..failures {
                backoff.next_delay(&mut rng);
            }
            let delay = backoff.next_delay(&mut rng);
            prop_assert!(delay >= initial);
            prop_assert!(delay <= initial + max);
        }
    }

    #[test]
    fn test_a_thousand_devices_coming_back_spread_over_minutes() {
        // The relay was down long enough for every device to reach the ceiling.
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut per_second = std::collections::HashMap::<u64, u32>::new();
        for _ in 0..1000 {
            let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(300));
            for _ in 0..12 {
                backoff.next_delay(&mut rng);
            }
            *per_second
                .entry(backoff.next_delay(&mut rng).as_secs())
                .or_default() += 1;
        }
        let busiest = per_second.values().max().copied().unwrap_or(0);
        assert!(
            busiest <= 20,
            "at most 20 of 1,000 reconnects in any one second, got {busiest}"
        );
    }

    #[test]
    fn test_reset_starts_again_from_the_initial_delay() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(60));
        for _ in 0..20 {
            backoff.next_delay(&mut rng);
        }
        backoff.reset();
        assert!(backoff.next_delay(&mut rng) <= Duration::from_millis(200));
    }
}
