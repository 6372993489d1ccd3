//! Boot, tested on apps written by hand (the descriptors the macros would
//! emit): dependencies filled from the graph, and `on_init` hooks.

/// A service's fields filled from the graph, as `#[injectable]` writes them.
mod dependencies {
    use std::any::TypeId;
    use std::sync::Arc;

    use crate::app::App;
    use crate::di::provider::{
        DependencySpec, Instance, Location, ProviderDescriptor, ProviderKey, ProviderKind, Scope,
        instance,
    };
    use crate::di::{Dependency, Inject, Resolver};
    use crate::module::{Module, ModuleDescriptor};

    use crate::di::dependency::tests::{Clock, LogMailer, Mailer};

    /// What `#[injectable] struct Signup { mailer: Inject<dyn Mailer>, clock: Arc<Clock> }` writes.
    struct Signup {
        mailer: Inject<dyn Mailer>,
        clock: Arc<Clock>,
    }

    fn signup_dependencies() -> Vec<DependencySpec> {
        vec![
            DependencySpec::new("mailer", <Inject<dyn Mailer>>::requirement()),
            DependencySpec::new("clock", <Arc<Clock>>::requirement()),
        ]
    }

    fn build_signup(resolver: Resolver) -> crate::BoxFuture<'static, crate::Result<Instance>> {
        Box::pin(async move {
            let mailer = <Inject<dyn Mailer>>::resolve(&resolver).await?;
            let clock = <Arc<Clock>>::resolve(&resolver).await?;
            Ok(instance(Arc::new(Signup { mailer, clock })))
        })
    }

    const AT: Location = Location {
        file: "signup.rs",
        line: 7,
    };

    static SIGNUP: ProviderDescriptor = ProviderDescriptor {
        name: "Signup",
        key: ProviderKey::of::<Signup>,
        scope: Scope::Singleton,
        kind: ProviderKind::Injectable,
        dependencies: signup_dependencies,
        build: build_signup,
        bindings: &[],
        on_init: None,
        on_shutdown: None,
        location: AT,
    };

    /// A provider that resolves a dependency it does not declare (as a
    /// hand-written `Dependency` with a wrong `requirement` would): the
    /// graph check cannot see it, so it fails when built.
    struct Liar;

    fn build_liar(resolver: Resolver) -> crate::BoxFuture<'static, crate::Result<Instance>> {
        Box::pin(async move {
            let _clock = <Inject<Clock>>::resolve(&resolver).await?;
            Ok(instance(Arc::new(Liar)))
        })
    }

    static LIAR: ProviderDescriptor = ProviderDescriptor {
        kind: ProviderKind::Injectable,
        ..ProviderDescriptor::builtin::<Liar>("Liar", Vec::new, build_liar, AT)
    };

    fn module(
        name: &'static str,
        providers: &'static [fn() -> &'static ProviderDescriptor],
    ) -> ModuleDescriptor {
        ModuleDescriptor {
            name,
            key: TypeId::of::<SignupModule>,
            imports: &[],
            providers,
            controllers: &[],
            guards: &[],
            interceptors: &[],
            filters: &[],
            middleware: &[],
            exports: &[],
            commands: &[],
            migrations: None,
            location: AT,
        }
    }

    struct SignupModule;

    impl Module for SignupModule {
        fn descriptor() -> &'static ModuleDescriptor {
            static M: std::sync::OnceLock<ModuleDescriptor> = std::sync::OnceLock::new();
            M.get_or_init(|| module("SignupModule", &[|| &SIGNUP]))
        }
    }

    struct LiarModule;

    impl Module for LiarModule {
        fn descriptor() -> &'static ModuleDescriptor {
            static M: std::sync::OnceLock<ModuleDescriptor> = std::sync::OnceLock::new();
            M.get_or_init(|| module("LiarModule", &[|| &LIAR]))
        }
    }

    fn app<M: Module>(module: M) -> App {
        App::new()
            .module(module)
            .without_env()
            .name("dependency-test")
    }

    #[test]
    fn a_missing_provider_is_reported_with_how_to_provide_it() {
        let report = app(SignupModule).check();
        let errors: Vec<_> = report
            .diagnostics()
            .iter()
            .filter(|d| d.severity == crate::diagnostics::Severity::Error)
            .collect();
        assert_eq!(errors.len(), 2, "{report}");
        assert_eq!(errors[0].code(), "EL1001");
        assert_eq!(
            errors[0].message,
            "`Signup` needs `dyn Mailer` (field `mailer`), but no provider of `dyn Mailer` is registered"
        );
        assert!(
            errors[0].hint.contains("`App::provide::<dyn Mailer>(...)`"),
            "a trait object's hint names `provide`: {}",
            errors[0].hint
        );
        assert_eq!(
            errors[1].message,
            "`Signup` needs `Clock` (field `clock`), but no provider of `Clock` is registered"
        );
        assert!(
            errors[1].hint.contains("`App::value(...)`"),
            "{}",
            errors[1].hint
        );
        let fixed = app(SignupModule)
            .provide::<dyn Mailer>(Arc::new(LogMailer))
            .value(Clock(7))
            .check();
        assert!(!fixed.has_errors(), "{fixed}");
    }

    #[actix_web::test]
    async fn fields_receive_the_container_s_own_instances() {
        let mailer: Arc<dyn Mailer> = Arc::new(LogMailer);
        let booted = app(SignupModule)
            .provide(mailer.clone())
            .value(Clock(7))
            .boot()
            .await
            .unwrap();
        let container = booted.container();
        let signup = container.get::<Signup>().unwrap();
        assert_eq!(signup.mailer.send("ann"), "mail to ann");
        assert!(
            Arc::ptr_eq(Inject::as_arc(&signup.mailer), &mailer),
            "`Inject<dyn Mailer>` is the provided value, not a copy"
        );
        assert!(Arc::ptr_eq(
            &signup.clock,
            &container.get::<Clock>().unwrap()
        ));
        assert_eq!(*signup.clock, Clock(7));
        booted.shutdown().await;
    }

    #[actix_web::test]
    async fn resolving_a_dependency_the_graph_does_not_know_fails_the_boot() {
        let error = app(LiarModule).boot().await.err().unwrap();
        let report = error.boot_report().unwrap();
        let [diagnostic] = report.diagnostics() else {
            panic!("one diagnostic: {report}");
        };
        assert_eq!(diagnostic.code(), "EL1008");
        assert_eq!(
            diagnostic.message,
            "building `Liar` failed: no provider for `Clock` in this app"
        );
        assert_eq!(diagnostic.location, Some(AT));
        assert_eq!(error.code(), "BOOT_FAILED");
    }
}

/// `on_init` hooks at boot, and what a failing one releases.
mod hooks {
    use std::any::TypeId;
    use std::sync::{Arc, Mutex};

    use crate::app::{App, Lifecycle};
    use crate::di::hooks::{on_init_hook, on_shutdown_hook};
    use crate::di::provider::{
        DependencySpec, Location, ProviderDescriptor, ProviderKey, ProviderKind, Scope, instance,
    };
    use crate::di::{Dependency, Inject, OnInit, OnShutdown, Resolver};
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
        commands: &[],
        migrations: None,
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
}

/// Routes as their controllers describe them: boot checks them once, from
/// the descriptions, without mounting anything.
mod routes {
    use std::any::TypeId;
    use std::sync::Arc;

    use crate::app::App;
    use crate::di::Resolver;
    use crate::di::provider::{Injectable, Instance, Location, ProviderDescriptor, instance};
    use crate::http::{Controller, Method, RouteInfo, Routes};
    use crate::module::{ControllerEntry, Module, ModuleDescriptor};

    /// A unit struct as a singleton provider, as `#[injectable]` would write it.
    macro_rules! provider {
        ($name:ident) => {
            impl Injectable for $name {
                fn descriptor() -> &'static ProviderDescriptor {
                    fn build(_: Resolver) -> crate::BoxFuture<'static, crate::Result<Instance>> {
                        Box::pin(async { Ok(instance(Arc::new($name))) })
                    }
                    static DESCRIPTOR: ProviderDescriptor = ProviderDescriptor::builtin::<$name>(
                        stringify!($name),
                        Vec::new,
                        build,
                        AT,
                    );
                    &DESCRIPTOR
                }
            }
        };
    }

    /// A module of these controllers (and nothing else).
    macro_rules! controllers_module {
        ($name:ident, [$($controller:ty),+]) => {
            struct $name;
            impl Module for $name {
                fn descriptor() -> &'static ModuleDescriptor {
                    static MODULE: ModuleDescriptor = ModuleDescriptor {
                        name: stringify!($name),
                        key: TypeId::of::<$name>,
                        imports: &[],
                        providers: &[],
                        controllers: &[$(ControllerEntry::of::<$controller>()),+],
                        guards: &[],
                        interceptors: &[],
                        filters: &[],
                        middleware: &[],
                        exports: &[],
                        commands: &[],
                        migrations: None,
                        location: AT,
                    };
                    &MODULE
                }
            }
        };
    }

    const AT: Location = Location {
        file: "routes.rs",
        line: 5,
    };

    /// Controllers written by hand, each mounting and describing one
    /// route; the two routes have the same shape.
    struct ById;
    struct BySlug;
    provider!(ById);
    provider!(BySlug);

    impl Controller for ById {
        fn routes(self: Arc<Self>, routes: &mut Routes) {
            routes.get("/posts/{id}", || async { "by id" });
        }

        fn describe() -> Vec<RouteInfo> {
            vec![RouteInfo::new(Method::GET, "/posts/{id}").public()]
        }
    }

    impl Controller for BySlug {
        fn routes(self: Arc<Self>, routes: &mut Routes) {
            routes.get("/posts/{slug}", || async { "by slug" });
        }

        fn describe() -> Vec<RouteInfo> {
            vec![RouteInfo::new(Method::GET, "/posts/{slug}").public()]
        }
    }

    controllers_module!(ClashingModule, [ById, BySlug]);

    #[actix_web::test]
    async fn two_controllers_describing_one_route_stop_the_boot() {
        assert_one_duplicate(
            App::new().module(ClashingModule),
            "GET /posts/{id} is served by both `GET /posts/{id}` and `GET /posts/{slug}` (as /posts/{slug})",
        )
        .await;
    }

    /// `app` fails to boot with one `EL1012` whose message is `message`.
    async fn assert_one_duplicate(app: App, message: &str) {
        let error = app.without_env().boot().await.err().unwrap();
        let report = error.boot_report().unwrap();
        let [diagnostic] = report.diagnostics() else {
            panic!("one diagnostic: {report}");
        };
        assert_eq!(diagnostic.code(), "EL1012");
        assert_eq!(diagnostic.message, message);
    }

    /// A controller written by hand whose routes describe nothing.
    struct Twice;
    provider!(Twice);

    impl Controller for Twice {
        fn routes(self: Arc<Self>, routes: &mut Routes) {
            routes.get("/twice/{a}", || async { "first" });
            routes.post("/twice/{a}", || async { "other method" });
            routes.get("/twice/{b}", || async { "never reached" });
        }
    }

    /// Routes that describe nothing are checked as they are mounted: a
    /// second `GET` of one path would never be reached.
    #[actix_web::test]
    async fn hand_written_routes_served_twice_stop_the_boot() {
        controllers_module!(TwiceModule, [Twice]);
        assert_one_duplicate(
            App::new().module(TwiceModule),
            "GET /twice/{a} is served by both `GET /twice/{a}` and `GET /twice/{b}` (as /twice/{b})",
        )
        .await;
    }

    #[actix_web::test]
    async fn described_routes_are_the_booted_app_s_routes() {
        controllers_module!(OneModule, [ById]);
        let booted = App::new()
            .module(OneModule)
            .without_env()
            .boot()
            .await
            .unwrap();
        let routes: Vec<(&str, &str)> = booted
            .routes()
            .iter()
            .map(|r| (r.method.as_str(), r.path.as_str()))
            .collect();
        assert_eq!(routes, [("GET", "/posts/{id}")]);
        booted.shutdown().await;
    }
}
