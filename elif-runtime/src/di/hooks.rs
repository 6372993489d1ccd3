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
    use std::any::TypeId;
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::app::{App, Lifecycle};
    use crate::di::provider::{
        DependencySpec, Location, ProviderDescriptor, ProviderKey, ProviderKind, Scope, instance,
    };
    use crate::di::{Dependency, Inject, Resolver};
    use crate::module::{Module, ModuleDescriptor};

    static EVENTS: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());

    fn event(e: &'static str) {
        EVENTS.lock().unwrap().push(e);
    }

    /// `Store` <- `Cache` <- `Api`: the store spawns a task in `on_init`
    /// and closes in `on_shutdown`; the cache fails to initialise.
    struct Store {
        lifecycle: Inject<Lifecycle>,
    }
    struct Cache {
        _store: Inject<Store>,
    }
    struct Api {
        _cache: Inject<Cache>,
    }

    impl OnInit for Store {
        async fn on_init(&self) -> crate::Result<()> {
            event("store init");
            struct Guard;
            impl Drop for Guard {
                fn drop(&mut self) {
                    event("store task cancelled");
                }
            }
            let guard = Guard;
            self.lifecycle.spawn(async move {
                let _guard = guard;
                std::future::pending::<()>().await;
            });
            Ok(())
        }
    }

    impl OnShutdown for Store {
        async fn on_shutdown(&self) -> crate::Result<()> {
            event("store shutdown");
            Ok(())
        }
    }

    impl OnInit for Cache {
        async fn on_init(&self) -> crate::Result<()> {
            event("cache init");
            Err(crate::Error::internal("cannot reach redis"))
        }
    }

    impl OnInit for Api {
        async fn on_init(&self) -> crate::Result<()> {
            event("api init");
            Ok(())
        }
    }

    const AT: Location = Location {
        file: "cache.rs",
        line: 12,
    };

    fn needs<T: Dependency>(name: &'static str) -> Vec<DependencySpec> {
        vec![DependencySpec::new(name, T::requirement())]
    }

    static STORE: ProviderDescriptor = ProviderDescriptor {
        name: "Store",
        key: ProviderKey::of::<Store>,
        scope: Scope::Singleton,
        kind: ProviderKind::Injectable,
        dependencies: || needs::<Inject<Lifecycle>>("lifecycle"),
        build: |r: Resolver| {
            Box::pin(async move {
                let lifecycle = Inject::resolve(&r).await?;
                Ok(instance(Arc::new(Store { lifecycle })))
            })
        },
        bindings: &[],
        on_init: Some(on_init_hook::<Store>),
        on_shutdown: Some(on_shutdown_hook::<Store>),
        location: AT,
    };

    static CACHE: ProviderDescriptor = ProviderDescriptor {
        name: "Cache",
        key: ProviderKey::of::<Cache>,
        dependencies: || needs::<Inject<Store>>("store"),
        build: |r: Resolver| {
            Box::pin(async move {
                let store = Inject::resolve(&r).await?;
                Ok(instance(Arc::new(Cache { _store: store })))
            })
        },
        on_init: Some(on_init_hook::<Cache>),
        on_shutdown: None,
        ..STORE
    };

    static API: ProviderDescriptor = ProviderDescriptor {
        name: "Api",
        key: ProviderKey::of::<Api>,
        dependencies: || needs::<Inject<Cache>>("cache"),
        build: |r: Resolver| {
            Box::pin(async move {
                let cache = Inject::resolve(&r).await?;
                Ok(instance(Arc::new(Api { _cache: cache })))
            })
        },
        on_init: Some(on_init_hook::<Api>),
        on_shutdown: None,
        ..STORE
    };

    struct HooksModule;

    static HOOKS_MODULE: ModuleDescriptor = ModuleDescriptor {
        name: "HooksModule",
        key: TypeId::of::<HooksModule>,
        imports: &[],
        // Listed dependents first: the graph orders them.
        providers: &[|| &API, || &CACHE, || &STORE],
        controllers: &[],
        guards: &[],
        interceptors: &[],
        filters: &[],
        middleware: &[],
        exports: &[],
        location: AT,
    };

    impl Module for HooksModule {
        fn descriptor() -> &'static ModuleDescriptor {
            &HOOKS_MODULE
        }
    }

    #[actix_web::test]
    async fn a_failing_on_init_stops_the_boot_and_releases_what_was_initialised() {
        let error = App::new()
            .module(HooksModule)
            .without_env()
            .name("hooks-test")
            .boot()
            .await
            .err()
            .unwrap();
        assert_eq!(
            *EVENTS.lock().unwrap(),
            [
                "store init",
                "cache init",
                "store task cancelled",
                "store shutdown"
            ],
            "dependencies first; no hook after the failure; tasks stop, then the store closes"
        );
        assert_eq!(error.code(), "BOOT_FAILED");
        let report = error.boot_report().unwrap();
        let [diagnostic] = report.diagnostics() else {
            panic!("one diagnostic: {report}");
        };
        assert_eq!(diagnostic.code(), "EL1009");
        assert_eq!(
            diagnostic.message,
            "`Cache`'s on_init failed: cannot reach redis"
        );
        assert_eq!(diagnostic.location, Some(AT));
    }

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
