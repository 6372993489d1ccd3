//! Lifecycle hooks of singletons: `#[injectable(on_init, on_shutdown)]`.

use std::future::Future;

use crate::BoxFuture;
use crate::di::provider::{Instance, downcast};

/// Runs once after every singleton is built, before the app serves
/// (dependencies first). An error stops the boot. Enable it with
/// `#[injectable(on_init)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is marked `on_init` but does not implement `OnInit` [EL0011]",
    label = "`on_init` needs `impl OnInit for {Self}`",
    note = "add `impl OnInit for {Self} {{ async fn on_init(&self) -> elif::Result<()> {{ ... }} }}`, or drop `on_init`"
)]
pub trait OnInit: Send + Sync + 'static {
    /// Prepares the component: warm a cache, check a connection, start a task.
    fn on_init(&self) -> impl Future<Output = crate::Result<()>> + Send;
}

/// Runs once while the app stops, after in-flight requests have drained,
/// dependents before their dependencies. Enable it with
/// `#[injectable(on_shutdown)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is marked `on_shutdown` but does not implement `OnShutdown` [EL0011]",
    label = "`on_shutdown` needs `impl OnShutdown for {Self}`",
    note = "add `impl OnShutdown for {Self} {{ async fn on_shutdown(&self) -> elif::Result<()> {{ ... }} }}`, or drop `on_shutdown`"
)]
pub trait OnShutdown: Send + Sync + 'static {
    /// Releases what the component holds: flush buffers, close connections.
    fn on_shutdown(&self) -> impl Future<Output = crate::Result<()>> + Send;
}

/// The type-erased `on_init` hook of `T`.
pub fn on_init_hook<T: OnInit>(instance: Instance) -> BoxFuture<'static, crate::Result<()>> {
    Box::pin(async move {
        match downcast::<T>(&instance) {
            Some(this) => this.on_init().await,
            None => Ok(()),
        }
    })
}

/// The type-erased `on_shutdown` hook of `T`.
pub fn on_shutdown_hook<T: OnShutdown>(
    instance: Instance,
) -> BoxFuture<'static, crate::Result<()>> {
    Box::pin(async move {
        match downcast::<T>(&instance) {
            Some(this) => this.on_shutdown().await,
            None => Ok(()),
        }
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::di::provider::instance;

    /// Both hooks fail, so that an `Ok` shows they did not run.
    struct Failing;

    impl OnInit for Failing {
        async fn on_init(&self) -> crate::Result<()> {
            Err(crate::Error::internal("init ran"))
        }
    }

    impl OnShutdown for Failing {
        async fn on_shutdown(&self) -> crate::Result<()> {
            Err(crate::Error::internal("shutdown ran"))
        }
    }

    #[actix_web::test]
    async fn a_hook_runs_on_its_own_type_only() {
        let failing = instance(Arc::new(Failing));
        let init = on_init_hook::<Failing>(failing.clone()).await.unwrap_err();
        assert_eq!(init.detail(), "init ran");
        let shutdown = on_shutdown_hook::<Failing>(failing).await.unwrap_err();
        assert_eq!(shutdown.detail(), "shutdown ran");
        let other = instance(Arc::new(7_u32));
        assert!(on_init_hook::<Failing>(other.clone()).await.is_ok());
        assert!(on_shutdown_hook::<Failing>(other).await.is_ok());
    }
}
