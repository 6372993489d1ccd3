//! Building the map from what is known of an app before anything is built:
//! its modules, graph, routes, config and problems.

use crate::config::Environment;
use crate::config::source::{ConfigSource, Origin};
use crate::data::ModelInfo;
use crate::di::ConfigRequirement;
use crate::di::graph::{Builder, Graph};
use crate::di::provider::{DependencySpec, Requirement};
use crate::diagnostics::BootReport;
use crate::http::{AuthenticationMode, RouteInfo};
use crate::inspect::model::{
    AppMap, AppSummary, AuthenticationMap, ComponentMap, ConfigEntry, DependencyMap, MAP_FORMAT,
    MAP_VERSION, MigrationsMap, ModelField, ModelMap, ModelRelation, ModuleMap, ResponseMap,
    RouteMap,
};
use crate::module::{GuardKind, Layer, ModuleDescriptor, ModuleTree};

/// The names of the guards, interceptors and filters added on the app
/// builder, which run around every route.
#[derive(Debug, Clone, Default)]
pub(crate) struct LayerNames {
    pub(crate) guards: Vec<&'static str>,
    /// The guards of `guards` that authenticate.
    pub(crate) authenticating: Vec<&'static str>,
    /// The guards of `guards` that enforce routes' requirements.
    pub(crate) enforcing: Vec<&'static str>,
    pub(crate) interceptors: Vec<&'static str>,
    pub(crate) filters: Vec<&'static str>,
    /// The authenticating guards' security schemes (for OpenAPI).
    pub(crate) security: Vec<crate::credentials::GuardSecurity>,
}

/// What a map is read from: everything known of an app before anything
/// is built (the app's survey, lent by the app floor).
pub(crate) struct MapSource<'a> {
    /// The app's name.
    pub(crate) name: &'a str,
    /// `app.env`, when the config loaded.
    pub(crate) env: Option<Environment>,
    /// The graph (checked or not).
    pub(crate) graph: &'a Graph,
    /// The modules the graph was built from.
    pub(crate) modules: &'a ModuleTree,
    /// Every declared route, with the index of its controller's module.
    pub(crate) routes: &'a [(usize, RouteInfo)],
    /// Every config section the app reads.
    pub(crate) requirements: &'a [ConfigRequirement],
    /// The merged config, unless a file could not be read.
    pub(crate) config: Option<&'a ConfigSource>,
    /// Every problem found.
    pub(crate) report: &'a BootReport,
    /// The migration sets the app applies (which packages' models are its).
    pub(crate) migrations: &'a [crate::data::Migrations],
    /// What the app builder adds around every route.
    pub(crate) layers: &'a LayerNames,
    /// The `[security]` and `[server]` rules every request meets.
    pub(crate) http: Option<&'a crate::http::HttpLayers>,
}

/// What a secret's value is shown as.
const REDACTED: &str = "[redacted]";

/// What a table's value is shown as (it may hold a secret in a field).
const TABLE: &str = "[table]";

impl AppMap {
    /// The map of a surveyed app.
    pub(crate) fn new(survey: &MapSource<'_>) -> Self {
        let (graph, app) = (survey.graph, survey.layers);
        let modules = &survey.modules.modules;
        let module_maps = modules
            .iter()
            .enumerate()
            .map(|(m, info)| {
                let d = info.descriptor;
                let mut exports: Vec<String> = survey
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
                    commands: d.commands.iter().map(|c| c.name).collect(),
                    migrations: d.migrations.map(|set| set.set()).map(|set| MigrationsMap {
                        namespace: set.namespace().unwrap_or_default(),
                        versions: set.iter().map(|m| m.id()).collect(),
                    }),
                    location: d.location,
                }
            })
            .collect();
        let components = components(graph, survey.modules);
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
                let authenticating = authenticated_by(app, module, route);
                let mut map = route_map(route, module.name, guards, authenticating);
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
                let value = survey.config.and_then(|s| s.value(&key.key));
                let origin = survey.config.and_then(|s| s.origin(&key.key)).cloned();
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
                name: survey.name.to_owned(),
                env: survey.env.map(|env| env.to_string()),
            },
            modules: module_maps,
            components,
            routes,
            models: crate::data::models_of(survey.migrations)
                .into_iter()
                .map(model_map)
                .collect(),
            config,
            http: survey.http.cloned(),
            diagnostics: survey.report.diagnostics().to_vec(),
        }
    }

    /// The map of an app that could not be surveyed at all (no root
    /// module): only its problems.
    pub(crate) fn unreadable(name: &str, report: &BootReport) -> Self {
        Self {
            format: MAP_FORMAT,
            version: MAP_VERSION,
            app: AppSummary {
                name: name.to_owned(),
                env: None,
            },
            modules: Vec::new(),
            components: Vec::new(),
            routes: Vec::new(),
            models: Vec::new(),
            config: Vec::new(),
            http: None,
            diagnostics: report.diagnostics().to_vec(),
        }
    }
}

/// Every provider of a graph as data, dependencies first (declaration order
/// for what a broken graph could not order); trait bindings are folded into
/// the component they cast (`provides`).
fn components(graph: &Graph, modules: &ModuleTree) -> Vec<ComponentMap> {
    let modules = &modules.modules;
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
            dependencies: node.dependencies.iter().map(dependency_map).collect(),
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

/// One dependency of a component, as data.
fn dependency_map(spec: &DependencySpec) -> DependencyMap {
    let (kind, rust_type, section) = match &spec.requirement {
        Requirement::Provider(key) => ("provider", Some(key.to_string()), None),
        Requirement::Optional(key) => ("optional", Some(key.to_string()), None),
        Requirement::Config(c) => ("config", Some(c.key.to_string()), Some(c.section)),
        Requirement::Nothing => ("default", None, None),
    };
    DependencyMap {
        field: spec.name,
        kind,
        rust_type,
        section,
    }
}

/// The guards that authenticate a declared `route` of a controller in
/// `module`, in the order they run: the app's, the module's, then the
/// controller's and route's.
pub(crate) fn authenticated_by(
    app: &LayerNames,
    module: &ModuleDescriptor,
    route: &RouteInfo,
) -> Vec<&'static str> {
    effective(
        &app.authenticating,
        module.guards.iter().filter(|g| g.authenticates()),
        &route.authenticated_by,
    )
}

/// The guards that enforce a declared `route`'s requirements, in the
/// order they run.
pub(crate) fn enforced_by(
    app: &LayerNames,
    module: &ModuleDescriptor,
    route: &RouteInfo,
) -> Vec<&'static str> {
    effective(
        &app.enforcing,
        module.guards.iter().filter(|g| g.enforces_requirements()),
        &route.enforced_by,
    )
}

/// The app's guards, then the module's, then the route's own.
fn effective<'a>(
    app: &[&'static str],
    module: impl Iterator<Item = &'a Layer<GuardKind>>,
    route: &[&'static str],
) -> Vec<&'static str> {
    app.iter()
        .copied()
        .chain(module.map(Layer::name))
        .chain(route.iter().copied())
        .collect()
}

/// One route as data; `guards` are all that run, the app's and the module's
/// first, and `authenticating` those of them that authenticate.
fn route_map(
    route: &RouteInfo,
    module: &'static str,
    guards: Vec<&'static str>,
    authenticating: Vec<&'static str>,
) -> RouteMap {
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
    RouteMap {
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
        requires: route.requires.clone(),
        authentication: AuthenticationMap {
            mode: AuthenticationMode::of(route.public, &authenticating),
            guards: authenticating,
        },
        interceptors: route.interceptors.clone(),
        filters: route.filters.clone(),
        throttle: route.throttle.describe(),
        body_limit: route.body_limit,
        location: route.location,
    }
}

/// One `#[model]` as data.
fn model_map(info: &ModelInfo) -> ModelMap {
    ModelMap {
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
                unique: f.unique,
                index: f.index,
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

/// The last path segment of a type's outermost name: `Query` for
/// `elif::http::Query<Filter>`.
fn outer_type(rust_type: &str) -> &str {
    let name = rust_type.split('<').next().unwrap_or(rust_type).trim();
    name.rsplit("::").next().unwrap_or(name)
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
}
