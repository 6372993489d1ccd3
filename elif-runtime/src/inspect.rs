//! The app as data, for people and agents: modules, components, routes,
//! models, config keys and every boot problem, read from the real registry
//! (the descriptors the macros emit) rather than from source text.
//!
//! `map --json` prints an [`AppMap`], `/_elif/map.json` serves it in
//! development, and `routes` prints its routes as a table. The JSON shape is
//! versioned ([`MAP_VERSION`]) and described by `docs/map.schema.json`.

use std::fmt::Write as _;

use serde::Serialize;

use crate::app::Survey;
use crate::config::source::Origin;
use crate::di::graph::{Builder, Graph};
use crate::di::provider::{Location, ProviderKind, Requirement, Scope};
use crate::diagnostics::{BootReport, Diagnostic};
use crate::http::{ArgumentInfo, Layer, RouteInfo};

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
    /// Where it is declared.
    pub location: Location,
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
    /// Interceptors, outermost first.
    pub interceptors: Vec<&'static str>,
    /// Exception filters, in the order they are tried.
    pub filters: Vec<&'static str>,
    /// Where the handler is declared.
    pub location: Option<Location>,
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

impl ModelMap {
    fn of(info: &crate::data::ModelInfo) -> Self {
        Self {
            name: info.name,
            table: info.table,
            key: info.key,
            fields: info
                .fields
                .iter()
                .map(|f| ModelField {
                    name: f.name,
                    rust_type: f.rust_type,
                    sql_type: f.sql_type.name(),
                    nullable: f.nullable,
                    key: f.key,
                    hidden: f.hidden,
                    fillable: f.fillable,
                    generated: f.generated,
                })
                .collect(),
            relations: info
                .relations
                .iter()
                .map(|r| ModelRelation {
                    name: r.name,
                    kind: r.kind,
                    model: r.model,
                    foreign_key: r.foreign_key,
                    through: r.through,
                })
                .collect(),
            location: info.location,
        }
    }
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

/// The names of the guards, interceptors and filters added on the app
/// builder, which run around every route.
#[derive(Debug, Clone, Default)]
pub(crate) struct LayerNames {
    pub(crate) guards: Vec<&'static str>,
    pub(crate) interceptors: Vec<&'static str>,
    pub(crate) filters: Vec<&'static str>,
}

/// What a secret's value is shown as.
const REDACTED: &str = "[redacted]";

/// What a table's value is shown as (it may hold a secret in a field).
const TABLE: &str = "[table]";

impl AppMap {
    /// The map of a surveyed app; `app` names what the app builder adds
    /// around every route.
    pub(crate) fn new(survey: &Survey, app: &LayerNames) -> Self {
        let graph = &survey.graph;
        let modules = &graph.modules.modules;
        let module_maps = modules
            .iter()
            .enumerate()
            .map(|(m, info)| {
                let d = info.descriptor;
                let mut exports: Vec<String> = graph
                    .modules
                    .exports(m)
                    .iter()
                    .map(|k| k.to_string())
                    .collect();
                exports.sort();
                ModuleMap {
                    name: d.name,
                    imports: info
                        .imports
                        .iter()
                        .map(|&i| modules[i].descriptor.name)
                        .collect(),
                    providers: d.providers.iter().map(|p| p().name).collect(),
                    controllers: d.controllers.iter().map(|c| (c.provider)().name).collect(),
                    exports,
                    guards: d.guards.iter().map(Layer::name).collect(),
                    interceptors: d.interceptors.iter().map(Layer::name).collect(),
                    filters: d.filters.iter().map(Layer::name).collect(),
                    location: d.location,
                }
            })
            .collect();
        let components = components(graph);
        let routes = survey
            .routes
            .iter()
            .map(|(m, route)| {
                let module = modules[*m].descriptor;
                let guards = app
                    .guards
                    .iter()
                    .copied()
                    .chain(module.guards.iter().map(Layer::name))
                    .chain(route.guards.iter().copied())
                    .collect();
                let mut map = RouteMap::new(route, module.name, guards);
                // The app's interceptors are outermost, then the module's;
                // filters: the attributes', the module's, the app's.
                let outer = app.interceptors.iter().copied();
                let outer = outer.chain(module.interceptors.iter().map(Layer::name));
                map.interceptors.splice(0..0, outer);
                map.filters.extend(module.filters.iter().map(Layer::name));
                map.filters.extend(app.filters.iter().copied());
                map
            })
            .collect();
        let config = survey
            .requirements
            .iter()
            .flat_map(|r| (r.keys)())
            .map(|key| {
                let value = survey.source.as_ref().and_then(|s| s.value(&key.key));
                let origin = survey
                    .source
                    .as_ref()
                    .and_then(|s| s.origin(&key.key))
                    .cloned();
                let origin = origin.or_else(|| key.default.map(|_| Origin::Default));
                // A table may be a struct holding a secret the field's type
                // does not show: only its shape is given.
                let value = match value {
                    Some(_) if key.secret => Some(serde_json::Value::from(REDACTED)),
                    Some(serde_json::Value::Object(_)) => Some(serde_json::Value::from(TABLE)),
                    other => other,
                };
                ConfigEntry {
                    key: key.key,
                    rust_type: key.rust_type,
                    default: key.default,
                    secret: key.secret,
                    value,
                    origin,
                }
            })
            .collect();
        Self {
            format: MAP_FORMAT,
            version: MAP_VERSION,
            app: AppSummary {
                name: survey.name.clone(),
                env: survey.app_config.as_ref().map(|c| c.env.to_string()),
            },
            modules: module_maps,
            components,
            routes,
            models: crate::data::models()
                .into_iter()
                .map(ModelMap::of)
                .collect(),
            config,
            diagnostics: survey.report.diagnostics().to_vec(),
        }
    }

    /// The map of an app that could not be surveyed at all (no root
    /// module): only its problems.
    pub(crate) fn unreadable(report: BootReport) -> Self {
        Self {
            format: MAP_FORMAT,
            version: MAP_VERSION,
            app: AppSummary {
                name: crate::app::entry::app_name().to_owned(),
                env: None,
            },
            modules: Vec::new(),
            components: Vec::new(),
            routes: Vec::new(),
            models: Vec::new(),
            config: Vec::new(),
            diagnostics: report.diagnostics().to_vec(),
        }
    }

    /// The map as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }).to_string())
    }

    /// The routes as a plain-text table, one per line: method, path,
    /// handler, guards/interceptors/filters, source location.
    pub fn routes_table(&self) -> String {
        let rows: Vec<[String; 5]> = self
            .routes
            .iter()
            .map(|r| {
                let mut layers = Vec::new();
                for (name, list) in [
                    ("guards", &r.guards),
                    ("interceptors", &r.interceptors),
                    ("filters", &r.filters),
                ] {
                    if !list.is_empty() {
                        layers.push(format!("{name}({})", list.join(", ")));
                    }
                }
                [
                    r.method.clone(),
                    r.path.clone(),
                    r.handler.clone(),
                    layers.join(" "),
                    r.location.map(|l| l.to_string()).unwrap_or_default(),
                ]
            })
            .collect();
        table(&rows)
    }

    /// A plain-text summary: modules with what they declare, then routes,
    /// then config keys.
    pub fn summary(&self) -> String {
        let mut out = format!(
            "{} ({})\n\nmodules\n",
            self.app.name,
            self.app.env.as_deref().unwrap_or("config not loaded")
        );
        for m in &self.modules {
            let _ = writeln!(out, "  {}  {}", m.name, m.location);
            for (label, list) in [
                (
                    "imports",
                    m.imports.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                ),
                (
                    "providers",
                    m.providers.iter().map(|s| s.to_string()).collect(),
                ),
                (
                    "controllers",
                    m.controllers.iter().map(|s| s.to_string()).collect(),
                ),
                ("exports", m.exports.clone()),
                ("guards", m.guards.iter().map(|s| s.to_string()).collect()),
                (
                    "interceptors",
                    m.interceptors.iter().map(|s| s.to_string()).collect(),
                ),
                ("filters", m.filters.iter().map(|s| s.to_string()).collect()),
            ] {
                if !list.is_empty() {
                    let _ = writeln!(out, "    {label}: {}", list.join(", "));
                }
            }
        }
        out.push_str("\ncomponents\n");
        let rows: Vec<[String; 5]> = self
            .components
            .iter()
            .map(|c| {
                let kind = serde_json::to_value(c.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                let deps = c
                    .dependencies
                    .iter()
                    .filter_map(|d| d.rust_type.clone())
                    .collect::<Vec<_>>();
                [
                    format!("  {}", c.name),
                    kind,
                    c.scope.to_string(),
                    if deps.is_empty() {
                        String::new()
                    } else {
                        format!("<- {}", deps.join(", "))
                    },
                    c.location.map(|l| l.to_string()).unwrap_or_default(),
                ]
            })
            .collect();
        out.push_str(&table(&rows));
        out.push_str("\nroutes\n");
        for line in self.routes_table().lines() {
            let _ = writeln!(out, "  {line}");
        }
        if !self.models.is_empty() {
            out.push_str("\nmodels\n");
            for m in &self.models {
                let _ = writeln!(out, "  {} (table {})  {}", m.name, m.table, m.location);
                for f in &m.fields {
                    let mut notes = Vec::new();
                    if f.key {
                        notes.push("key".to_owned());
                    }
                    if f.nullable {
                        notes.push("nullable".to_owned());
                    }
                    for (on, note) in [
                        (f.fillable, "fillable"),
                        (f.hidden, "hidden"),
                        (f.generated, "generated"),
                    ] {
                        if on {
                            notes.push(note.to_owned());
                        }
                    }
                    if let Some(r) = m.relations.iter().find(|r| r.foreign_key == f.name) {
                        notes.push(format!("belongs_to {}", r.model));
                    }
                    let _ = writeln!(
                        out,
                        "    {:<20} {:<10} {}",
                        f.name,
                        f.sql_type,
                        notes.join(", ")
                    );
                }
            }
        }
        out.push_str("\nconfig\n");
        let rows: Vec<[String; 3]> =
            self.config
                .iter()
                .map(|c| {
                    let unset = if c.rust_type.starts_with("Option") {
                        "(none)"
                    } else {
                        "(missing)"
                    };
                    let value = c.value.as_ref().map(|v| v.to_string()).unwrap_or_else(|| {
                        c.default.map_or_else(|| unset.to_owned(), str::to_owned)
                    });
                    let origin = c
                        .origin
                        .as_ref()
                        .map_or_else(String::new, |o| format!("from {o}"));
                    [format!("  {}", c.key), value, origin]
                })
                .collect();
        out.push_str(&table(&rows));
        if !self.diagnostics.is_empty() {
            let _ = write!(
                out,
                "\n{} problem(s): run `check` for details\n",
                self.diagnostics.len()
            );
        }
        out
    }
}

/// Every provider of a graph as data, dependencies first (declaration order
/// for what a broken graph could not order); trait bindings are folded into
/// the component they cast (`provides`).
pub(crate) fn components(graph: &Graph) -> Vec<ComponentMap> {
    let modules = &graph.modules.modules;
    let module_name = |m: Option<usize>| m.map(|m| modules[m].descriptor.name);
    let mut ordered = vec![false; graph.nodes.len()];
    for &index in &graph.order {
        ordered[index] = true;
    }
    let unordered = (0..graph.nodes.len()).filter(|&i| !ordered[i]);
    graph
        .order
        .iter()
        .copied()
        .chain(unordered)
        .map(|index| &graph.nodes[index])
        .filter(|node| !matches!(node.builder, Builder::Alias { .. }))
        .map(|node| ComponentMap {
            name: node.name.clone(),
            rust_type: node.key.type_name(),
            kind: node.kind,
            scope: node.scope,
            module: module_name(node.module),
            provides: graph
                .nodes
                .iter()
                .filter(
                    |n| matches!(n.builder, Builder::Alias { target, .. } if target == node.key),
                )
                .map(|n| n.name.clone())
                .collect(),
            dependencies: node.dependencies.iter().map(DependencyMap::new).collect(),
            hooks: [
                ("on_init", node.on_init.is_some()),
                ("on_shutdown", node.on_shutdown.is_some()),
            ]
            .into_iter()
            .filter_map(|(name, set)| set.then_some(name))
            .collect(),
            location: node.location,
        })
        .collect()
}

impl DependencyMap {
    fn new(spec: &crate::di::provider::DependencySpec) -> Self {
        let (kind, rust_type, section) = match &spec.requirement {
            Requirement::Provider(key) => ("provider", Some(key.to_string()), None),
            Requirement::Config(c) => ("config", Some(c.key.to_string()), Some(c.section)),
            Requirement::Nothing => ("default", None, None),
        };
        Self {
            field: spec.name,
            kind,
            rust_type,
            section,
        }
    }
}

impl RouteMap {
    fn new(route: &RouteInfo, module: &'static str, guards: Vec<&'static str>) -> Self {
        let mut query = None;
        let mut body = None;
        let mut extractors = Vec::new();
        for argument in &route.extractors {
            match outer_type(argument.rust_type) {
                "Query" if query.is_none() => query = Some(argument.clone()),
                "Json" | "Valid" | "Form" if body.is_none() => body = Some(argument.clone()),
                _ => extractors.push(argument.clone()),
            }
        }
        Self {
            method: route.method.to_string(),
            path: route.path.clone(),
            handler: route.handler.clone(),
            module,
            params: route.params.clone(),
            query,
            body,
            extractors,
            response: ResponseMap {
                rust_type: route.response,
                schema: route.response_schema.clone(),
            },
            guards,
            interceptors: route.interceptors.clone(),
            filters: route.filters.clone(),
            location: route.location,
        }
    }
}

/// The last path segment of a type's outermost name: `Query` for
/// `elif::http::Query<Filter>`.
fn outer_type(rust_type: &str) -> &str {
    let name = rust_type.split('<').next().unwrap_or(rust_type).trim();
    name.rsplit("::").next().unwrap_or(name)
}

/// Rows as left-aligned columns separated by two spaces, without trailing blanks.
fn table<const N: usize>(rows: &[[String; N]]) -> String {
    let mut widths = [0; N];
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 < N {
                let _ = write!(line, "{cell:<width$}  ", width = widths[i]);
            } else {
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outer_type_is_the_last_segment_before_generics() {
        assert_eq!(outer_type("Query<Filter>"), "Query");
        assert_eq!(outer_type("elif::http::Json<NewPost>"), "Json");
        assert_eq!(outer_type("Valid<Json<T>>"), "Valid");
        assert_eq!(outer_type("HttpRequest"), "HttpRequest");
    }

    #[test]
    fn table_aligns_columns_and_trims() {
        let rows = [
            ["GET".to_owned(), "/".to_owned(), String::new()],
            [
                "DELETE".to_owned(),
                "/posts/{id}".to_owned(),
                "x".to_owned(),
            ],
        ];
        assert_eq!(table(&rows), "GET     /\nDELETE  /posts/{id}  x\n");
    }
}
