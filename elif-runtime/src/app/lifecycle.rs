//! The app's lifecycle as its components see it: readiness, and tasks that
//! are cancelled when the app stops.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Injectable as `Inject<Lifecycle>`: spawn background work that the app
/// cancels and awaits on shutdown, and see whether the app is draining.
#[derive(Debug)]
pub struct Lifecycle {
    ready: AtomicBool,
    stopping: CancellationToken,
    tasks: TaskTracker,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Self::new()
    }
}

impl Lifecycle {
    pub(crate) fn new() -> Self {
        Self {
            ready: AtomicBool::new(true),
            stopping: CancellationToken::new(),
            tasks: TaskTracker::new(),
        }
    }

    /// Whether the app accepts new work (false once draining has begun).
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Whether the app has begun to stop its tasks.
    pub fn is_stopping(&self) -> bool {
        self.stopping.is_cancelled()
    }

    /// Completes when the app begins to stop its tasks.
    pub fn stopping(&self) -> impl Future<Output = ()> + Send + 'static {
        self.stopping.clone().cancelled_owned()
    }

    /// Spawns a task that is cancelled (dropped at its next `.await`) when
    /// the app stops, after in-flight requests have drained.
    pub fn spawn<F>(&self, task: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let stopping = self.stopping.clone();
        self.tasks.spawn(async move {
            tokio::select! {
                () = stopping.cancelled() => {}
                () = task => {}
            }
        });
    }

    /// Marks the app as draining: `/ready` answers 503 from now on, so load
    /// balancers stop sending new work. elif calls it on the first stop signal.
    pub fn begin_drain(&self) {
        self.ready.store(false, Ordering::Release);
    }

    /// Cancels the spawned tasks and waits for them, at most `timeout`.
    pub(crate) async fn stop_tasks(&self, timeout: Duration) {
        self.stopping.cancel();
        self.tasks.close();
        if tokio::time::timeout(timeout, self.tasks.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                remaining = self.tasks.len(),
                "background tasks did not stop in time"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;
    use std::time::Instant;

    use super::*;

    /// Counts its drops: a task's state is dropped when it is cancelled.
    struct Dropped(Arc<AtomicUsize>);

    impl Drop for Dropped {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn draining_turns_readiness_off_without_stopping_the_tasks() {
        let lifecycle = Lifecycle::default();
        assert!(lifecycle.is_ready());
        assert!(!lifecycle.is_stopping());
        lifecycle.begin_drain();
        assert!(!lifecycle.is_ready(), "`/ready` answers 503 from now on");
        assert!(
            !lifecycle.is_stopping(),
            "tasks go on while in-flight requests drain"
        );
    }

    #[actix_web::test]
    async fn stopping_cancels_pending_tasks_and_wakes_whoever_waits_for_it() {
        let lifecycle = Arc::new(Lifecycle::new());
        let dropped = Arc::new(AtomicUsize::new(0));
        let finished = Arc::new(AtomicUsize::new(0));
        let guard = Dropped(dropped.clone());
        lifecycle.spawn(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        });
        let done = finished.clone();
        lifecycle.spawn(async move {
            done.fetch_add(1, Ordering::SeqCst);
        });
        // Work spawned outside the lifecycle can still watch for the stop.
        let stopping = lifecycle.stopping();
        let watcher = tokio::spawn(async move {
            stopping.await;
            "saw the stop"
        });
        tokio::task::yield_now().await;
        assert_eq!(finished.load(Ordering::SeqCst), 1, "a task runs at once");
        assert_eq!(dropped.load(Ordering::SeqCst), 0, "and the other waits");
        assert!(!watcher.is_finished());

        let started = Instant::now();
        lifecycle.stop_tasks(Duration::from_secs(5)).await;
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "waited only for the tasks"
        );
        assert!(lifecycle.is_stopping());
        assert_eq!(
            dropped.load(Ordering::SeqCst),
            1,
            "the pending task was cancelled"
        );
        assert_eq!(watcher.await.unwrap(), "saw the stop");
        assert!(
            tokio::time::timeout(Duration::from_millis(100), lifecycle.stopping())
                .await
                .is_ok(),
            "asked for after the stop, it is already complete"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_task_that_does_not_yield_is_waited_for_only_until_the_timeout() {
        let lifecycle = Lifecycle::new();
        let (started, running) = tokio::sync::oneshot::channel();
        lifecycle.spawn(async move {
            let _ = started.send(());
            // Blocks its worker thread: cancellation cannot interrupt it.
            std::thread::sleep(Duration::from_millis(800));
        });
        running.await.unwrap();
        let begun = Instant::now();
        lifecycle.stop_tasks(Duration::from_millis(50)).await;
        let waited = begun.elapsed();
        assert!(
            waited >= Duration::from_millis(50) && waited < Duration::from_millis(600),
            "gave up after the timeout: {waited:?}"
        );
    }
}
