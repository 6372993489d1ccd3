//! Dependencies: the types a provider's fields (or a factory's arguments) can
//! have, and how each is obtained from the container.

use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::sync::Arc;

use crate::di::provider::{ProviderKey, Requirement};
use crate::di::resolver::Resolver;

/// A type the container can fill a field with.
///
/// elif implements it for [`Inject<T>`] and `Arc<T>` (a provider's instance,
/// `T` may be `dyn Trait`) and for [`Config<T>`](crate::config::Config) (a
/// config section). Implement it for your own wrapper types to teach the
/// container a new kind of dependency.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be injected [EL0003]",
    label = "the container has no way to build this field",
    note = "use `Inject<T>` (or `Arc<T>`) for a service, `Inject<dyn Trait>` for a trait binding, `Config<T>` for a config section",
    note = "or mark the field `#[inject(default)]` to build it with `Default::default()`; run `elif explain EL0003` for details"
)]
pub trait Dependency: Sized + Send + Sync + 'static {
    /// What this dependency needs from the container; checked at boot.
    fn requirement() -> Requirement;

    /// Obtains the dependency. Only called after the graph has been
    /// validated, so an error here means a provider failed to build.
    fn resolve(resolver: &Resolver) -> impl Future<Output = crate::Result<Self>> + Send;
}

/// A shared handle to an instance the container provides: `Inject<PostService>`,
/// `Inject<dyn Mailer>`. Dereferences to `T`; cloning it clones the `Arc`.
pub struct Inject<T: ?Sized>(Arc<T>);

impl<T: ?Sized> Inject<T> {
    /// Wraps an existing `Arc` (useful in tests that build services by hand).
    pub fn new(value: Arc<T>) -> Self {
        Self(value)
    }

    /// The underlying `Arc`.
    pub fn into_arc(this: Self) -> Arc<T> {
        this.0
    }

    /// Borrows the underlying `Arc`.
    pub fn as_arc(this: &Self) -> &Arc<T> {
        &this.0
    }
}

impl<T: ?Sized> Deref for Inject<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: ?Sized> Clone for Inject<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T: ?Sized> From<Arc<T>> for Inject<T> {
    fn from(value: Arc<T>) -> Self {
        Self(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Inject<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<T: ?Sized + Send + Sync + 'static> Dependency for Inject<T> {
    fn requirement() -> Requirement {
        Requirement::Provider(ProviderKey::of::<T>())
    }

    async fn resolve(resolver: &Resolver) -> crate::Result<Self> {
        resolver.get::<T>().await.map(Self)
    }
}

impl<T: ?Sized + Send + Sync + 'static> Dependency for Arc<T> {
    fn requirement() -> Requirement {
        Requirement::Provider(ProviderKey::of::<T>())
    }

    async fn resolve(resolver: &Resolver) -> crate::Result<Self> {
        resolver.get::<T>().await
    }
}

#[cfg(test)]
mod tests {
    use std::any::TypeId;

    use super::*;
    use crate::app::App;
    use crate::di::provider::{
        DependencySpec, Instance, Location, ProviderDescriptor, ProviderKind, Scope, instance,
    };
    use crate::module::{Module, ModuleDescriptor};

    trait Mailer: Send + Sync {
        fn send(&self, to: &str) -> String;
    }

    #[derive(Debug)]
    struct LogMailer;

    impl Mailer for LogMailer {
        fn send(&self, to: &str) -> String {
            format!("mail to {to}")
        }
    }

    #[derive(Debug, PartialEq)]
    struct Clock(u32);

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
    fn each_field_asks_the_graph_for_its_provider_and_a_missing_one_is_reported() {
        assert!(matches!(
            <Inject<dyn Mailer>>::requirement(),
            Requirement::Provider(key) if key == ProviderKey::of::<dyn Mailer>()
        ));
        assert!(matches!(
            <Arc<Clock>>::requirement(),
            Requirement::Provider(key) if key == ProviderKey::of::<Clock>()
        ));
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

    #[test]
    fn an_inject_is_a_shared_handle_on_one_instance() {
        let clock = Arc::new(Clock(1));
        let a = Inject::new(clock.clone());
        let b = a.clone();
        let c: Inject<Clock> = clock.clone().into();
        assert_eq!(Arc::strong_count(&clock), 4, "clones share the `Arc`");
        assert_eq!(*a, Clock(1), "dereferences to the instance");
        assert_eq!(format!("{b:?}"), "Clock(1)", "debugs as the instance");
        assert!(Arc::ptr_eq(&Inject::into_arc(c), &clock));
        assert!(Arc::ptr_eq(Inject::as_arc(&b), &clock));
        let dynamic: Inject<dyn Mailer> = Inject::new(Arc::new(LogMailer));
        assert_eq!(dynamic.send("bo"), "mail to bo");
    }
}
