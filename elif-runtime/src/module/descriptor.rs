//! What `#[module(...)]` declares, as `'static` data.

use std::any::{Any, TypeId};

use crate::di::provider::{Location, ProviderDescriptor, ProviderKey};
use crate::module::layer::{FilterKind, GuardKind, InterceptorKind, Layer};

/// A controller listed in a module: its provider, the providers of the
/// layers its routes name, and its routes, which only the HTTP floor reads.
/// Made by `ControllerEntry::of::<C>()` (in `elif::http`), the one
/// constructor.
#[derive(Debug, Clone, Copy)]
pub struct ControllerEntry {
    /// The controller's provider (controllers are built like any injectable).
    pub provider: fn() -> &'static ProviderDescriptor,
    /// Providers of the guards, interceptors and filters its routes name;
    /// they join the app's graph.
    pub layers: fn() -> Vec<&'static ProviderDescriptor>,
    /// How to describe and mount its routes: the HTTP floor's own data,
    /// opaque here.
    pub(crate) routes: &'static (dyn Any + Send + Sync),
}

/// The migrations a module brings, which only the data floor reads.
/// Made by `ModuleMigrations::of(&SET)` (in `elif::data`), the one
/// constructor.
#[derive(Debug, Clone, Copy)]
pub struct ModuleMigrations(pub(crate) &'static (dyn Any + Send + Sync));

/// A module, as `#[module(...)]` describes it.
#[derive(Debug)]
pub struct ModuleDescriptor {
    /// The module's name (`BlogModule`).
    pub name: &'static str,
    /// The `TypeId` of the module type, so `exports(...)` can re-export a module.
    pub key: fn() -> TypeId,
    /// Modules whose exports this module can use.
    pub imports: &'static [fn() -> &'static ModuleDescriptor],
    /// Providers declared in this module.
    pub providers: &'static [fn() -> &'static ProviderDescriptor],
    /// Controllers declared in this module.
    pub controllers: &'static [ControllerEntry],
    /// Guards every route of this module's controllers runs (after the
    /// app's, before the controller's).
    pub guards: &'static [Layer<GuardKind>],
    /// Interceptors around every route of its controllers, outside the
    /// attributes' (the first listed is the outermost).
    pub interceptors: &'static [Layer<InterceptorKind>],
    /// Exception filters tried on its controllers' errors after the
    /// attributes' filters.
    pub filters: &'static [Layer<FilterKind>],
    /// Middleware around every route of this module's controllers (inside
    /// the app's, outside the controllers').
    pub middleware: &'static [fn(actix_web::Route) -> actix_web::Route],
    /// Types (own providers, trait bindings, imported modules or their
    /// exports) that modules importing this one can use.
    pub exports: &'static [fn() -> ProviderKey],
    /// Commands it adds to the app's binary (`commands(..)`).
    pub commands: &'static [crate::module::CommandEntry],
    /// The package migrations this module brings (`migrations = ..`):
    /// applied before the app's, under their namespace.
    pub migrations: Option<ModuleMigrations>,
    /// Where it is declared.
    pub location: Location,
}

/// A type marked `#[module(...)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a module [EL0012]",
    label = "not `#[module]`",
    note = "annotate `{Self}` with `#[module(...)]`"
)]
pub trait Module: 'static {
    /// The module's description.
    fn descriptor() -> &'static ModuleDescriptor;
}
