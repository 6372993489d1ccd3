//! The survey: everything that can be known of an app without building
//! anything (its modules and graph, config source and sections, declared
//! routes, every problem). `check`, `map`, `routes` and boot start here.

use std::collections::HashMap;
use std::sync::Arc;

use crate::app::App;
use crate::app::lifecycle::Lifecycle;
use crate::config::security::SecurityConfig;
use crate::config::source::{ConfigSource, Origin};
use crate::config::{AppConfig, ConfigSection, ServerConfig, app_name};
use crate::data::{Clock, SystemClock};
use crate::data::{DatabaseConfig, Migrations};
use crate::di::graph::Node;
use crate::di::provider::{Instance, ProviderDescriptor, ProviderKey, ProviderKind, instance};
use crate::di::{ConfigRequirement, load_sections};
use crate::diagnostics::{BootReport, Diagnostic};
use crate::http::RouteInfo;
use crate::http::controller::duplicate_routes;
use crate::http::hardening::Hardening;
use crate::http::problem::ErrorFormat;
use crate::http::{unenforced, unsecured};
use crate::inspect::{AppMap, LayerNames, MapSource, authenticated_by, enforced_by};
use crate::module::graph::{self, GraphInput, ModuleGraph};
use crate::module::{Layer, ModuleTree};
use crate::ratelimit::RateLimitConfig;
use crate::redis::RedisConfig;

/// The result of [`App::survey`]: everything known before anything is built.
pub(crate) struct Survey {
    /// The graph, checked, with the modules it was built from.
    pub(crate) graph: ModuleGraph,
    /// The merged config, unless a file could not be read.
    pub(crate) source: Option<ConfigSource>,
    /// Every config section the app reads, built-ins first.
    pub(crate) requirements: Vec<ConfigRequirement>,
    /// The loaded sections, when every key loaded.
    pub(crate) config: Option<HashMap<ProviderKey, Instance>>,
    /// The `[app]` section, when it loaded.
    pub(crate) app_config: Option<Arc<AppConfig>>,
    /// Every declared route, with the index of its controller's module.
    pub(crate) routes: Vec<(usize, RouteInfo)>,
    pub(crate) name: String,
    pub(crate) lifecycle: Arc<Lifecycle>,
    /// Every problem found, errors and warnings, but `unsecured`.
    pub(crate) report: BootReport,
    /// `EL1016` for every route neither authenticated nor public, as
    /// errors: `check` and `map` report them so; the boot does in
    /// production only, and warns otherwise.
    pub(crate) unsecured: Vec<Diagnostic>,
    /// The app builder's guards, interceptors and filters, by name.
    pub(crate) layers: LayerNames,
    /// The migration sets the app applies: each module's (imports before
    /// importers), then the app's own.
    pub(crate) migrations: Vec<Migrations>,
    /// The `[security]` rules, ready for requests, when they loaded and
    /// allow the app to boot (`EL1020`, `EL1021` otherwise).
    pub(crate) hardening: Option<Arc<Hardening>>,
    /// How errors are written (`App::error_format`).
    pub(crate) error_format: Arc<dyn ErrorFormat>,
}

impl App {
    /// Checks everything that can be checked without building anything: the
    /// graph, modules and config. Returns every problem found.
    pub fn check(self) -> BootReport {
        match self.prepare(AccessRule::Strict) {
            Ok(prepared) => prepared.warnings,
            Err(report) => report,
        }
    }

    /// Describes the app from its real registry (modules, components,
    /// routes, config keys and every problem found) without building
    /// anything: what `map --json` prints and `/_elif/map.json` serves.
    pub fn map(self) -> AppMap {
        match self.survey() {
            Ok(survey) => survey.map(),
            Err(report) => AppMap::unreadable(app_name(), &report),
        }
    }

    /// The app's OpenAPI 3.1 document, built from its real registry (every
    /// route's path, parameters, body, return type, guards, doc comment
    /// and `#[openapi(..)]`) without building anything: what the
    /// `openapi` command prints and `/_elif/openapi.json` serves. An app
    /// whose graph or config has errors has none: the error carries them.
    pub fn openapi(self) -> crate::Result<crate::openapi::OpenApi> {
        let survey = self.survey().map_err(crate::Error::boot)?;
        let map = survey.map();
        Ok(survey.openapi(&map))
    }

    /// The names of the app's guards, interceptors and filters, for the map.
    fn layer_names(&self) -> LayerNames {
        LayerNames {
            guards: self.layers.guards.iter().map(Layer::name).collect(),
            authenticating: self
                .layers
                .guards
                .iter()
                .filter(|g| g.authenticates())
                .map(Layer::name)
                .collect(),
            enforcing: self
                .layers
                .guards
                .iter()
                .filter(|g| g.enforces_requirements())
                .map(Layer::name)
                .collect(),
            interceptors: self.layers.interceptors.iter().map(Layer::name).collect(),
            filters: self.layers.filters.iter().map(Layer::name).collect(),
            security: self
                .layers
                .guards
                .iter()
                .filter_map(Layer::security)
                .collect(),
        }
    }

    /// Everything that can be known without building anything: the checked
    /// graph, the config source and sections, the declared routes, and every
    /// problem found. `Err` only when there is nothing to survey (no root module).
    pub(crate) fn survey(self) -> Result<Survey, BootReport> {
        let mut report = BootReport::default();
        let layer_names = self.layer_names();
        let error_format = Arc::clone(&self.error_format);
        let Some(root) = self.root else {
            report.push(Diagnostic::error(
                &elif_catalogue::EL1011,
                "the app has no root module",
            ));
            return Err(report);
        };
        let lifecycle = Arc::new(Lifecycle::new());
        let mut globals = self.globals;
        globals.push(Node::value(
            ProviderKey::of::<Lifecycle>(),
            instance(lifecycle.clone()),
            ProviderKind::Builtin,
        ));
        if cfg!(panic = "abort") {
            report.push(Diagnostic::warning(
                &elif_catalogue::EL1013,
                "this binary is built with `panic = \"abort\"`: a panicking handler ends the process instead of answering 500",
            ));
        }
        let modules = ModuleTree::new(root);
        let (migrations, clashes) = crate::data::migrate::plan(
            modules.order.iter().filter_map(|&m| {
                let module = modules.modules[m].descriptor;
                module.migrations.map(|set| (module.name, set.set()))
            }),
            self.migrations,
        );
        report.extend(clashes);
        report.extend(crate::diagnostics::catalogue_problems());
        report.extend(crate::app::command::command_problems(
            &crate::app::command::module_commands(&modules),
        ));
        let routes = declared_routes(&modules);
        report.extend(duplicate_routes(routes.iter().map(|(_, route)| route)));
        let unsecured = routes
            .iter()
            .filter_map(|(m, route)| {
                let module = modules.modules[*m].descriptor;
                unsecured(route, &authenticated_by(&layer_names, module, route))
            })
            .collect();
        // Requirements nobody enforces are errors in every mode.
        report.extend(routes.iter().filter_map(|(m, route)| {
            let module = modules.modules[*m].descriptor;
            unenforced(route, &enforced_by(&layer_names, module, route))
        }));
        let app_layers = &self.layers;
        let (graph, graph_problems) = graph::build(GraphInput {
            shared: app_layers
                .guards
                .iter()
                .chain(&self.inspection_guard)
                .map(|g| (g.descriptor)())
                .chain(app_layers.interceptors.iter().map(|i| (i.descriptor)()))
                .chain(app_layers.filters.iter().map(|f| (f.descriptor)()))
                .chain(module_layers(&modules))
                .chain(self.seeders.iter().map(|s| (s.descriptor)()))
                .collect(),
            modules,
            globals,
            overrides: self.overrides,
            defaults: vec![Node::value(
                ProviderKey::of::<dyn Clock>(),
                instance::<dyn Clock>(Arc::new(SystemClock)),
                ProviderKind::Builtin,
            )],
        });
        let source = ConfigSource::load(&self.config);
        report.extend(graph_problems);
        let source = source
            .map_err(|problems| report.extend(problems.iter().map(|p| p.to_diagnostic())))
            .ok();

        let mut requirements = vec![
            ConfigRequirement::of::<AppConfig>(),
            ConfigRequirement::of::<ServerConfig>(),
            ConfigRequirement::of::<SecurityConfig>(),
            ConfigRequirement::of::<RateLimitConfig>(),
            ConfigRequirement::of::<RedisConfig>(),
            ConfigRequirement::of::<crate::openapi::OpenApiConfig>(),
        ];
        for requirement in graph
            .graph
            .config_requirements()
            .into_iter()
            .chain((!migrations.is_empty()).then(ConfigRequirement::of::<DatabaseConfig>))
        {
            if !requirements.iter().any(|r| r.key == requirement.key) {
                requirements.push(requirement);
            }
        }
        let config = source.as_ref().and_then(|source| {
            load_sections(source, &requirements)
                .map_err(|p| report.extend(p))
                .ok()
        });
        let app_config = config
            .as_ref()
            .and_then(|c| c.get(&ProviderKey::of::<AppConfig>()))
            .and_then(downcast_section::<AppConfig>);
        let security = config
            .as_ref()
            .and_then(|c| c.get(&ProviderKey::of::<SecurityConfig>()))
            .and_then(downcast_section::<SecurityConfig>);
        let server = config
            .as_ref()
            .and_then(|c| c.get(&ProviderKey::of::<ServerConfig>()))
            .and_then(downcast_section::<ServerConfig>);
        let hardening = match (&security, &server, &app_config) {
            (Some(security), Some(server), Some(app)) => Hardening::new(security, server, app.env)
                .map(Arc::new)
                .map_err(|problems| report.extend(problems))
                .ok(),
            _ => None,
        };
        let name = self
            .name
            .or_else(|| app_config.as_ref().and_then(|c| c.name.clone()))
            .unwrap_or_else(|| app_name().to_owned());
        Ok(Survey {
            graph,
            source,
            requirements,
            config,
            app_config,
            routes,
            name,
            lifecycle,
            report,
            unsecured,
            layers: layer_names,
            migrations,
            hardening,
            error_format,
        })
    }
}

/// How the boot treats routes that are neither authenticated nor public.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AccessRule {
    /// Errors (`check`, and the boot in production).
    Strict,
    /// Errors in production, warnings otherwise (the boot).
    ByEnvironment,
}

/// Every route the modules' controllers describe, with the index of the
/// controller's module, in declaration order.
fn declared_routes(modules: &ModuleTree) -> Vec<(usize, RouteInfo)> {
    modules
        .modules
        .iter()
        .enumerate()
        .flat_map(|(m, info)| info.descriptor.controllers.iter().map(move |c| (m, c)))
        .flat_map(|(m, c)| (c.http().describe)().into_iter().map(move |r| (m, r)))
        .collect()
}

/// The providers of the modules' guards, interceptors and filters, which
/// join the graph too.
fn module_layers(modules: &ModuleTree) -> Vec<&'static ProviderDescriptor> {
    modules
        .modules
        .iter()
        .flat_map(|m| {
            let d = m.descriptor;
            let guards = d.guards.iter().map(|g| g.descriptor);
            let interceptors = d.interceptors.iter().map(|i| i.descriptor);
            guards
                .chain(interceptors)
                .chain(d.filters.iter().map(|f| f.descriptor))
        })
        .map(|descriptor| descriptor())
        .collect()
}

impl Survey {
    /// The app as data: the modules, components, routes and config found,
    /// with the app builder's layers around every route.
    /// The app's OpenAPI document, from its map and routes.
    pub(crate) fn openapi(&self, map: &AppMap) -> crate::openapi::OpenApi {
        let mut guards = self.layers.security.clone();
        for module in &self.graph.modules.modules {
            guards.extend(module.descriptor.guards.iter().filter_map(Layer::security));
        }
        let source = self.source.as_ref();
        let settings = source
            .and_then(|s| crate::openapi::OpenApiConfig::load(s).ok())
            .unwrap_or_default();
        let unknown_fields = source
            .and_then(|s| ServerConfig::load(s).ok())
            .map(|server| server.unknown_fields)
            .unwrap_or_default();
        crate::openapi::document(&crate::openapi::Sources {
            map,
            routes: &self.routes,
            guards,
            config: source,
            settings,
            unknown_fields,
            errors: &*self.error_format,
        })
    }

    pub(crate) fn map(&self) -> AppMap {
        let mut report = self.report.clone();
        report.extend(self.unsecured.iter().cloned());
        AppMap::new(&MapSource {
            name: &self.name,
            env: self.app_config.as_ref().map(|c| c.env),
            graph: &self.graph.graph,
            modules: &self.graph.modules,
            routes: &self.routes,
            requirements: &self.requirements,
            config: self.source.as_ref(),
            report: &report,
            layers: &self.layers,
            migrations: &self.migrations,
            http: self.hardening.as_deref().map(Hardening::summary),
        })
    }

    /// Whether `app.env` was set (by `APP_ENV`, a file or code) rather than
    /// left to its default.
    pub(crate) fn env_is_explicit(&self) -> bool {
        self.source
            .as_ref()
            .and_then(|source| source.origin("app.env"))
            .is_some_and(|origin| *origin != Origin::Default)
    }

    /// Section `T`, when the app reads it and it loaded.
    pub(crate) fn section<T: ConfigSection>(&self) -> Option<Arc<T>> {
        self.config
            .as_ref()?
            .get(&ProviderKey::of::<T>())
            .and_then(downcast_section::<T>)
    }
}

/// Section `T` out of its loaded instance.
pub(crate) fn downcast_section<T: ConfigSection>(instance: &Instance) -> Option<Arc<T>> {
    crate::di::provider::downcast::<T>(instance)
}
