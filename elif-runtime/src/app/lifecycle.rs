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
