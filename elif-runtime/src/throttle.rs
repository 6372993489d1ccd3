//! Log lines for events that come in floods: under overload every request
//! fails alike (no database connection, a 503), and a line each would fill
//! the log and cost the CPU the server is short of. The first event of a
//! kind is logged at once; while they go on, one line per interval counts
//! them; after a quiet interval, the next is logged at once again.
//!
//! This module sits at the bottom of the runtime: it imports nothing from it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// How often a flood of one kind of event is summed up.
pub(crate) const INTERVAL: Duration = Duration::from_secs(10);

/// Counts the events of one kind between log lines.
#[derive(Debug, Default)]
pub(crate) struct Throttled {
    count: AtomicU64,
    /// Whether a flush at the end of the current interval will report what
    /// is counted (a summing task runs).
    armed: AtomicBool,
}

impl Throttled {
    /// Nothing counted yet.
    pub(crate) const fn new() -> Self {
        Self {
            count: AtomicU64::new(0),
            armed: AtomicBool::new(false),
        }
    }

    /// Counts one event. When none was reported during the last interval,
    /// returns how many to log now (this one) and arms the throttle: the
    /// caller then calls [`Throttled::flush`] at the end of each interval
    /// until it returns `None`.
    pub(crate) fn note(&self) -> Option<u64> {
        self.count.fetch_add(1, Ordering::SeqCst);
        if self.armed.swap(true, Ordering::SeqCst) {
            return None;
        }
        Some(self.count.swap(0, Ordering::SeqCst))
    }

    /// At the end of an interval: how many events came during it, to log;
    /// `None` when none came, and the throttle is disarmed.
    pub(crate) fn flush(&self) -> Option<u64> {
        match self.count.swap(0, Ordering::SeqCst) {
            0 => {
                self.armed.store(false, Ordering::SeqCst);
                // An event counted since the swap found the throttle still
                // armed: it is reported now rather than left uncounted.
                if self.count.load(Ordering::SeqCst) > 0 && !self.armed.swap(true, Ordering::SeqCst)
                {
                    return Some(self.count.swap(0, Ordering::SeqCst));
                }
                None
            }
            events => Some(events),
        }
    }
}

/// Counts one event of `throttled`'s kind and logs what is due: `first()`
/// at once when nothing of the kind was logged during the last interval;
/// then, at the end of each [`INTERVAL`] while they go on, `summary(n)`
/// with the number that came during it. Outside a tokio runtime (no timer
/// to sum up with) every event is logged with `first`.
pub(crate) fn log(
    throttled: &Arc<Throttled>,
    first: impl FnOnce(),
    summary: impl Fn(u64) + Send + 'static,
) {
    if throttled.note().is_none() {
        return;
    }
    first();
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        throttled.flush();
        return;
    };
    let throttled = throttled.clone();
    runtime.spawn(async move {
        loop {
            tokio::time::sleep(INTERVAL).await;
            match throttled.flush() {
                Some(count) => summary(count),
                None => break,
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_reported_once_per_interval_with_their_count() {
        let throttled = Throttled::new();
        assert_eq!(throttled.note(), Some(1), "the first at once");
        assert_eq!(throttled.note(), None);
        assert_eq!(throttled.note(), None);
        assert_eq!(throttled.flush(), Some(2), "then those of the interval");
        assert_eq!(throttled.note(), None);
        assert_eq!(throttled.flush(), Some(1));
        assert_eq!(throttled.flush(), None, "an interval without any");
        assert_eq!(throttled.note(), Some(1), "the next one at once again");
    }

    #[test]
    fn without_a_runtime_every_event_is_logged() {
        let throttled = Arc::new(Throttled::new());
        let mut logged = 0;
        for _ in 0..3 {
            log(&throttled, || logged += 1, |_| {});
        }
        assert_eq!(logged, 3);
    }

    #[actix_web::test]
    async fn in_a_runtime_a_flood_is_logged_once_until_it_is_summed_up() {
        let throttled = Arc::new(Throttled::new());
        let mut logged = 0;
        for _ in 0..100 {
            log(&throttled, || logged += 1, |_| {});
        }
        assert_eq!(logged, 1, "one line at once; the rest are counted");
        assert_eq!(
            throttled.flush(),
            Some(99),
            "and summed up at the interval's end"
        );
    }
}
