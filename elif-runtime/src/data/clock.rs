//! The app's clock. Everything in elif that reads the time (the
//! `created_at`/`updated_at` a repository sets, and the identity package's
//! token expiry) asks the [`Clock`] the container holds, so that a test can
//! set the time and move it on, as Laravel's `Carbon::setTestNow` does:
//!
//! ```text
//! let clock = Arc::new(TestClock::at("2026-01-01T00:00:00Z"));
//! let app = TestApp::start(App::new().module(AppModule).override_with::<dyn Clock>(clock.clone())).await?;
//! clock.advance(Duration::from_secs(3600));
//! ```
//!
//! An app's own services inject it the same way
//! (`clock: Inject<dyn Clock>`). Every app has one: [`SystemClock`] unless
//! the app or a module provides `dyn Clock` itself.

use std::sync::Mutex;
use std::time::Duration;

use crate::data::Timestamp;

/// Where the app reads the current time.
pub trait Clock: Send + Sync + 'static {
    /// The current instant, to the microsecond (what both database backends
    /// keep).
    fn now(&self) -> Timestamp;
}

/// The operating system's clock: the default `dyn Clock` of every app.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that stands still until told to move: for tests.
#[derive(Debug)]
pub struct TestClock {
    now: Mutex<Timestamp>,
}

impl TestClock {
    /// A clock showing `at`, an RFC 3339 instant (`2026-01-01T00:00:00Z`).
    ///
    /// # Panics
    /// When `at` is not an RFC 3339 instant (a mistake in the test).
    pub fn at(at: &str) -> Self {
        let parsed = chrono::DateTime::parse_from_rfc3339(at)
            .unwrap_or_else(|e| panic!("TestClock::at({at:?}): not an RFC 3339 instant: {e}"));
        Self::new(Timestamp::from(parsed.with_timezone(&chrono::Utc)))
    }

    /// A clock showing `at`.
    pub fn new(at: Timestamp) -> Self {
        Self {
            now: Mutex::new(at.to_micros()),
        }
    }

    /// Sets the time.
    pub fn set(&self, at: Timestamp) {
        *self.lock() = at.to_micros();
    }

    /// Moves the time on by `by`.
    pub fn advance(&self, by: Duration) {
        let mut now = self.lock();
        let by = chrono::Duration::from_std(by).unwrap_or(chrono::Duration::MAX);
        *now = Timestamp::from(now.0.checked_add_signed(by).unwrap_or(now.0)).to_micros();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Timestamp> {
        // A panic while holding the lock cannot leave a half-written instant.
        self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        *self.lock()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_clock_stands_still_until_moved() {
        let clock = TestClock::at("2026-01-01T00:00:00Z");
        assert_eq!(clock.now().to_string(), "2026-01-01T00:00:00Z");
        assert_eq!(clock.now(), clock.now());
        clock.advance(Duration::from_millis(1500));
        assert_eq!(clock.now().to_string(), "2026-01-01T00:00:01.500Z");
        clock.set(TestClock::at("2030-06-01T12:00:00.123456789Z").now());
        assert_eq!(
            clock.now().to_string(),
            "2030-06-01T12:00:00.123456Z",
            "kept to the microsecond, as the databases keep it"
        );
    }

    #[test]
    fn the_system_clock_moves() {
        let a = SystemClock.now();
        std::thread::sleep(Duration::from_millis(2));
        assert!(SystemClock.now() > a);
    }

    #[test]
    #[should_panic(expected = "not an RFC 3339 instant")]
    fn a_malformed_instant_is_a_mistake_in_the_test() {
        let _ = TestClock::at("yesterday");
    }
}
