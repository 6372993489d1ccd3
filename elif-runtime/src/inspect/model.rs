//! The map's types: the app as one serialisable document. Their JSON shape
//! is versioned ([`MAP_VERSION`]) and described by `docs/map.schema.json`.

use serde::Serialize;

use crate::config::source::Origin;
use crate::di::provider::{Location, ProviderKind, Scope};
use crate::diagnostics::Diagnostic;
use crate::http::{ArgumentInfo, AuthenticationMode, Requirement};

/// The `format` member of every map.
pub const MAP_FORMAT: &str = "elif.map";

/// The version of the map's JSON shape; it changes when a member is removed
/// or changes meaning (adding members does not change it).
pub const MAP_VERSION: u32 = 1;

/// Everything an app declares, as one serialisable document.
#[derive(Debug, Clone, Serialize)]
pub struct AppMap {
    /// Always [`MAP_FORMAT`].
    pub format: &'static str,
    /// Always [`MAP_VERSION`].
    pub version: u32,
    /// The app's name and environment.
    pub app: AppSummary,
    /// Every module reachable from the root, root first.
    pub modules: Vec<ModuleMap>,
    /// Every provider of the graph (services, factories, controllers,
    /// guards, values, built-ins); trait bindings appear as `provides`.
    pub components: Vec<ComponentMap>,
    /// Every route the controllers declare, in declaration order.
    pub routes: Vec<RouteMap>,
    /// Every `#[model]` (filled once the data layer lands; empty until then).
    pub models: Vec<ModelMap>,
    /// Every config key the app reads, with its value's origin.
    pub config: Vec<ConfigEntry>,
    /// What every route runs through (security headers, hosts, proxies,
    /// CORS, limits); `None` when the config did not load.
    pub http: Option<crate::http::HttpLayers>,
    /// Every problem `check` would report.
    pub diagnostics: Vec<Diagnostic>,
}

/// The app's name and environment.
#[derive(Debug, Clone, Serialize)]
pub struct AppSummary {
    /// `app.name`, else the package name.
    pub name: String,
    /// `app.env` (`development`, `production`, `test`), when config loaded.
    pub env: Option<String>,
}

/// One module.
#[derive(Debug, Clone, Serialize)]
pub struct ModuleMap {
    /// The module's type name.
    pub name: &'static str,
    /// Modules it imports, by name.
    pub imports: Vec<&'static str>,
    /// Providers it declares, by name.
    pub providers: Vec<&'static str>,
    /// Controllers it declares, by name.
    pub controllers: Vec<&'static str>,
    /// What it exports (its own providers and re-exports), sorted.
    pub exports: Vec<String>,
    /// Guards applied to every route of its controllers.
    pub guards: Vec<&'static str>,
    /// Interceptors around every route of its controllers.
    pub interceptors: Vec<&'static str>,
    /// Exception filters tried on its controllers' errors.
    pub filters: Vec<&'static str>,
    /// Commands it adds to the app's binary (`commands(..)`), by name.
    pub commands: Vec<&'static str>,
    /// The package migrations it brings (`#[module(migrations = ..)]`).
    pub migrations: Option<MigrationsMap>,
    /// Where it is declared.
    pub location: Location,
}

/// A module's migration set.
#[derive(Debug, Clone, Serialize)]
pub struct MigrationsMap {
    /// Its namespace (empty when it has none, which `EL4008` reports).
    pub namespace: &'static str,
    /// Each migration, as recorded: `<namespace>/<version>_<name>`, in order.
    pub versions: Vec<String>,
}

/// One provider of the graph.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentMap {
    /// The name used in messages (`PostService`, `dyn Clock`).
    pub name: String,
    /// The full Rust type path.
    pub rust_type: &'static str,
    /// What declared it.
    pub kind: ProviderKind,
    /// How long its instances live.
    pub scope: Scope,
    /// The declaring module; `None` for app-wide values and built-ins.
    pub module: Option<&'static str>,
    /// Trait objects it is bound to (`provides = dyn Trait`).
    pub provides: Vec<String>,
    /// What it is built from, field by field.
    pub dependencies: Vec<DependencyMap>,
    /// Whether the container calls its `on_init` / `on_shutdown` hooks.
    pub hooks: Vec<&'static str>,
    /// Where it is declared; `None` for values given in code.
    pub location: Option<Location>,
}

/// One dependency of a component.
#[derive(Debug, Clone, Serialize)]
pub struct DependencyMap {
    /// The field (or factory argument) it fills.
    pub field: &'static str,
    /// `provider`, `config` or `default`.
    pub kind: &'static str,
    /// The provider's or config section's type; `None` for `#[inject(default)]`.
    pub rust_type: Option<String>,
    /// The config section's name, for `config` dependencies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<&'static str>,
}

/// One route.
#[derive(Debug, Clone, Serialize)]
pub struct RouteMap {
    /// HTTP method.
    pub method: String,
    /// Path template, e.g. `/posts/{id}`.
    pub path: String,
    /// `Controller::method`.
    pub handler: String,
    /// The module declaring the controller.
    pub module: &'static str,
    /// Path parameters, in template order.
    pub params: Vec<ArgumentInfo>,
    /// The `Query<T>` argument, if any.
    pub query: Option<ArgumentInfo>,
    /// The body argument (`Json<T>`, `Valid<..>`, `Form<T>`), if any.
    pub body: Option<ArgumentInfo>,
    /// Every other extractor argument.
    pub extractors: Vec<ArgumentInfo>,
    /// The handler's return type and its body's JSON Schema.
    pub response: ResponseMap,
    /// Guards in the order they run: the app's, the module's, the
    /// controller's, the route's.
    pub guards: Vec<&'static str>,
    /// What a caller must hold (`#[requires]`): `role:admin`,
    /// `permission:posts.delete`.
    pub requires: Vec<Requirement>,
    /// How the route is authenticated.
    pub authentication: AuthenticationMap,
    /// Interceptors, outermost first.
    pub interceptors: Vec<&'static str>,
    /// Exception filters, in the order they are tried.
    pub filters: Vec<&'static str>,
    /// Its rate limit (`RouteThrottle::describe`).
    pub throttle: String,
    /// Its own body limit in bytes; `None`: `server.body_limit`.
    pub body_limit: Option<usize>,
    /// Where the handler is declared.
    pub location: Option<Location>,
}

/// How a route is authenticated: `required` (a guard authenticates every
/// request), `public` (`#[public]`: credentials are optional, and verified
/// when present) or `missing` (neither, `EL1016`), with the guards that
/// authenticate it in the order they run.
#[derive(Debug, Clone, Serialize)]
pub struct AuthenticationMap {
    /// `required`, `public` or `missing`.
    pub mode: AuthenticationMode,
    /// The guards that authenticate the route.
    pub guards: Vec<&'static str>,
}

/// What a route answers.
#[derive(Debug, Clone, Serialize)]
pub struct ResponseMap {
    /// The handler's return type, as written.
    pub rust_type: &'static str,
    /// The body's JSON Schema, when the type has one.
    pub schema: Option<serde_json::Value>,
}

/// One `#[model]` and its table.
#[derive(Debug, Clone, Serialize)]
pub struct ModelMap {
    /// The model's Rust type.
    pub name: &'static str,
    /// Its table.
    pub table: &'static str,
    /// Its key column.
    pub key: &'static str,
    /// Its columns, in declaration order.
    pub fields: Vec<ModelField>,
    /// Its `belongs_to` relations.
    pub relations: Vec<ModelRelation>,
    /// Where the struct is declared.
    pub location: Location,
}

/// One column of a model.
#[derive(Debug, Clone, Serialize)]
pub struct ModelField {
    /// The field (and column) name.
    pub name: &'static str,
    /// Its Rust type.
    pub rust_type: &'static str,
    /// Its portable SQL type.
    pub sql_type: &'static str,
    /// Whether it may be NULL.
    pub nullable: bool,
    /// Whether it is the key.
    pub key: bool,
    /// Whether JSON leaves it out (`#[hidden]`).
    pub hidden: bool,
    /// Whether a client may set it (`#[fillable]`).
    pub fillable: bool,
    /// Whether the repository sets it (generated key, timestamps).
    pub generated: bool,
    /// Whether it is `#[unique]`.
    pub unique: bool,
    /// Whether it is `#[index]`.
    pub index: bool,
}

/// A relation of a model.
#[derive(Debug, Clone, Serialize)]
pub struct ModelRelation {
    /// The relation's name (`author`).
    pub name: &'static str,
    /// `belongs_to`, `has_many`, `has_one` or `many_to_many`.
    pub kind: &'static str,
    /// The related model (`Author`).
    pub model: &'static str,
    /// The foreign-key column (on this model for `belongs_to`, on the
    /// related one for `has_many`/`has_one`, on the join model for
    /// `many_to_many`).
    pub foreign_key: &'static str,
    /// The join model of a `many_to_many`.
    pub through: Option<&'static str>,
}

/// One config key.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigEntry {
    /// Dotted key, e.g. `server.port`.
    pub key: String,
    /// The field's Rust type.
    pub rust_type: &'static str,
    /// The default as written in source (`[redacted]` for secrets).
    pub default: Option<&'static str>,
    /// Whether the value is a secret (never shown).
    pub secret: bool,
    /// The effective value; `"[redacted]"` for a secret that is set;
    /// `None` when unset.
    pub value: Option<serde_json::Value>,
    /// Where the value came from; `None` when nothing sets it and it has
    /// no default (a missing key).
    pub origin: Option<Origin>,
}
