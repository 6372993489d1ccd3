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
/// `T` may be `dyn Trait`), `Option<Inject<T>>` (one the app may not have)
/// and [`Config<T>`](crate::config::Config) (a config section). Implement it for your own wrapper types to teach the
/// container a new kind of dependency.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be injected [EL0003]",
    label = "the container has no way to build this field",
    note = "use `Inject<T>` (or `Arc<T>`) for a service, `Inject<dyn Trait>` for a trait binding, `Option<Inject<T>>` for a service the app may not have, `Config<T>` for a config section",
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

/// `Option<Inject<T>>`: the app's `T` if any module provides one (whether
/// or not it is visible from here), else `None`. For a package whose
/// component works with or without another module: `elif-auth`'s guard
/// accepts API tokens when the app imports their module.
impl<T: ?Sized + Send + Sync + 'static> Dependency for Option<Inject<T>> {
    fn requirement() -> Requirement {
        Requirement::Optional(ProviderKey::of::<T>())
    }

    async fn resolve(resolver: &Resolver) -> crate::Result<Self> {
        Ok(resolver.get_optional::<T>().await?.map(Inject))
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
pub(crate) mod tests {
    use super::*;

    /// A trait binding the container's tests inject (`Inject<dyn Mailer>`).
    pub(crate) trait Mailer: Send + Sync {
        fn send(&self, to: &str) -> String;
    }

    /// The `Mailer` the tests provide.
    #[derive(Debug)]
    pub(crate) struct LogMailer;

    impl Mailer for LogMailer {
        fn send(&self, to: &str) -> String {
            format!("mail to {to}")
        }
    }

    /// A plain value the tests provide.
    #[derive(Debug, PartialEq)]
    pub(crate) struct Clock(pub(crate) u32);

    #[test]
    fn each_field_asks_the_graph_for_its_provider() {
        assert!(matches!(
            <Inject<dyn Mailer>>::requirement(),
            Requirement::Provider(key) if key == ProviderKey::of::<dyn Mailer>()
        ));
        assert!(matches!(
            <Arc<Clock>>::requirement(),
            Requirement::Provider(key) if key == ProviderKey::of::<Clock>()
        ));
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
