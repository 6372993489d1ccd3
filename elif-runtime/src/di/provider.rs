//! Providers: what the container can build, described as `'static` data.

use std::any::{Any, TypeId};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::BoxFuture;
use crate::di::resolver::Resolver;
use crate::di::sections::ConfigRequirement;
// `Location` lives with the diagnostics that point at it; providers carry one.
pub use crate::diagnostics::Location;
use crate::util::short_type_name;

/// A built value, type-erased. It always holds an `Arc<T>` for the provided
/// `T` (which may be `dyn Trait`), so it can be cloned out without copying.
pub type Instance = Arc<dyn Any + Send + Sync>;

/// Builds one instance of a provider from its dependencies.
pub type BuildFn = fn(Resolver) -> BoxFuture<'static, crate::Result<Instance>>;

/// A lifecycle hook, called with the provider's instance.
pub type Hook = fn(Instance) -> BoxFuture<'static, crate::Result<()>>;

/// The identity of a provided type: its `TypeId`, plus its name for messages.
#[derive(Clone, Copy)]
pub struct ProviderKey {
    id: TypeId,
    type_name: &'static str,
}

impl ProviderKey {
    /// The key of `T`, which may be unsized (`dyn Trait`).
    pub fn of<T: ?Sized + 'static>() -> Self {
        Self {
            id: TypeId::of::<T>(),
            type_name: std::any::type_name::<T>(),
        }
    }

    /// The full type name, with module paths.
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }

    /// The `TypeId` of the provided type.
    pub fn type_id(&self) -> TypeId {
        self.id
    }
}

impl PartialEq for ProviderKey {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for ProviderKey {}

impl Hash for ProviderKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

/// Shows the type name without module paths: `dyn Mailer`, `Inject<Db>`.
impl fmt::Display for ProviderKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&short_type_name(self.type_name))
    }
}

impl fmt::Debug for ProviderKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.type_name)
    }
}

/// How long an instance lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// One instance for the whole app, built at boot (the default).
    Singleton,
    /// One instance per HTTP request (or per command run), built on first use.
    Request,
    /// A new instance every time something depends on it.
    Transient,
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scope::Singleton => "singleton",
            Scope::Request => "request",
            Scope::Transient => "transient",
        })
    }
}

/// What kind of declaration a provider comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// A struct marked `#[injectable]`.
    Injectable,
    /// An async fn marked `#[factory]`.
    Factory,
    /// A controller (an injectable that also mounts routes).
    Controller,
    /// A guard (`#[guard]`): an injectable that routes run before their handler.
    Guard,
    /// An app command (an injectable that a module's `commands(..)` lists).
    Command,
    /// A value given to the app builder, or an override.
    Value,
    /// Provided by elif itself.
    Builtin,
}

/// A trait binding: the provider's instance is also available as `dyn Trait`.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// The key of the bound trait object type.
    pub key: fn() -> ProviderKey,
    /// Turns the provider's instance (`Arc<T>`) into the binding's (`Arc<dyn Trait>`).
    pub cast: fn(&Instance) -> Option<Instance>,
}

/// What a dependency (a field of an injectable, an argument of a factory)
/// needs from the container.
#[derive(Debug, Clone)]
pub enum Requirement {
    /// An instance of the provider with this key.
    Provider(ProviderKey),
    /// The provider with this key if the app has one anywhere, else
    /// nothing (`Option<Inject<T>>`): a package's component that uses
    /// another package's service when the app imports it. Met app-wide,
    /// not by module visibility, and never missing.
    Optional(ProviderKey),
    /// A config section.
    Config(ConfigRequirement),
    /// Nothing: the value is built without the container.
    Nothing,
}

impl Requirement {
    /// The provider it needs, required or optional.
    pub fn provider(&self) -> Option<ProviderKey> {
        match self {
            Self::Provider(key) | Self::Optional(key) => Some(*key),
            Self::Config(_) | Self::Nothing => None,
        }
    }
}

/// One dependency of a provider, named after its field or argument.
#[derive(Debug, Clone)]
pub struct DependencySpec {
    /// The field or argument name.
    pub name: &'static str,
    /// What it needs.
    pub requirement: Requirement,
}

impl DependencySpec {
    /// A dependency called `name` with the given requirement.
    pub fn new(name: &'static str, requirement: Requirement) -> Self {
        Self { name, requirement }
    }
}

/// Everything the container knows about a provider, as `'static` data that
/// the macros emit once per provider.
#[derive(Debug)]
pub struct ProviderDescriptor {
    /// The name the user wrote (`PostService`, `db_pool`).
    pub name: &'static str,
    /// The key of the provided type.
    pub key: fn() -> ProviderKey,
    /// How long instances live.
    pub scope: Scope,
    /// What kind of declaration it comes from.
    pub kind: ProviderKind,
    /// Its dependencies, in declaration order.
    pub dependencies: fn() -> Vec<DependencySpec>,
    /// Builds one instance.
    pub build: BuildFn,
    /// Trait bindings (`provides = dyn Trait`).
    pub bindings: &'static [Binding],
    /// Called once after every singleton is built, before serving.
    pub on_init: Option<Hook>,
    /// Called once while the app stops, in reverse dependency order.
    pub on_shutdown: Option<Hook>,
    /// Where it is declared.
    pub location: Location,
}

impl ProviderDescriptor {
    /// A singleton that elif itself provides (no hooks, no bindings).
    pub const fn builtin<T: Send + Sync + 'static>(
        name: &'static str,
        dependencies: fn() -> Vec<DependencySpec>,
        build: BuildFn,
        location: Location,
    ) -> Self {
        Self {
            name,
            key: ProviderKey::of::<T>,
            scope: Scope::Singleton,
            kind: ProviderKind::Builtin,
            dependencies,
            build,
            bindings: &[],
            on_init: None,
            on_shutdown: None,
            location,
        }
    }
}

/// A type the container can build: a struct marked `#[injectable]`, a
/// controller, or the marker type that `#[factory]` generates for its function.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a provider [EL0007]",
    label = "not `#[injectable]`",
    note = "annotate `{Self}` with `#[injectable]` (or, for a function, `#[factory]`) so a module can list it",
    note = "run `elif explain EL0007` for details"
)]
pub trait Injectable: Send + Sync + 'static {
    /// The provider's description.
    fn descriptor() -> &'static ProviderDescriptor;
}

/// Registration of every provider compiled into the binary, whether or not an
/// app's modules list it. Used for hints ("`SmtpMailer` provides `dyn Mailer`
/// but no module lists it") and for inspection, never to build the graph.
#[derive(Debug)]
pub struct ProviderRegistration(pub fn() -> &'static ProviderDescriptor);

inventory::collect!(ProviderRegistration);

/// Every provider registered in this binary.
pub fn registered_providers() -> impl Iterator<Item = &'static ProviderDescriptor> {
    inventory::iter::<ProviderRegistration>
        .into_iter()
        .map(|r| (r.0)())
}

/// Wraps a built value as an [`Instance`].
pub fn instance<T: ?Sized + Send + Sync + 'static>(value: Arc<T>) -> Instance {
    Arc::new(value)
}

/// Takes the `Arc<T>` back out of an [`Instance`].
pub fn downcast<T: ?Sized + Send + Sync + 'static>(instance: &Instance) -> Option<Arc<T>> {
    instance.downcast_ref::<Arc<T>>().cloned()
}
