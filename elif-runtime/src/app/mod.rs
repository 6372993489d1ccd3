//! The app builder and boot: from a root module to a validated graph, loaded
//! config, built singletons and run `on_init` hooks, then a command (`serve`
//! by default).

mod command;
pub(crate) mod entry;
mod lifecycle;
pub(crate) mod serve;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

pub use lifecycle::Lifecycle;

use crate::config::source::{ConfigSource, LoadOptions};
use crate::config::{
    AppConfig, ConfigRequirement, ConfigSection, Environment, ServerConfig, load_sections,
};
use crate::data::{Database, DatabaseConfig, Migrations};
use crate::di::Container;
use crate::di::graph::{self, GraphInput, Node};
use crate::di::provider::{Instance, ProviderDescriptor, ProviderKey, ProviderKind, instance};
use crate::diagnostics::{BootReport, Diagnostic};
use crate::error::Error;
use crate::http::controller::{RouteMiddleware, duplicate_routes};
use crate::http::{
    AppLayers, DynFilter, DynGuard, DynInterceptor, ExceptionFilter, Guard, Interceptor, Layer,
    RouteInfo, Routes,
};
use crate::module::{Module, ModuleDescriptor, ModuleTree, MountFn};

/// An application: a root module plus values, overrides and config set in
/// code. `App::new().module(AppModule).run().await` boots and serves it.
pub struct App {
    root: Option<&'static ModuleDescriptor>,
    name: Option<String>,
    globals: Vec<Node>,
    overrides: Vec<Node>,
    guards: Vec<Layer<dyn DynGuard>>,
    interceptors: Vec<Layer<dyn DynInterceptor>>,
    filters: Vec<Layer<dyn DynFilter>>,
    inspection_guard: Option<Layer<dyn DynGuard>>,
    middleware: Vec<RouteMiddleware>,
    migrations: Option<Migrations>,
    config: LoadOptions,
}

/// Resolves every layer of a list in a built container, in order.
fn resolve_all<T: ?Sized>(layers: &[Layer<T>], container: &Container) -> Vec<Arc<T>> {
    layers.iter().filter_map(|l| l.resolve(container)).collect()
}

impl Default for App {
    fn default() -> Self {
        Self::new()
    }
}

impl App {
    /// An app that reads `elif.toml` and `.env` from the working directory
    /// and the process environment.
    pub fn new() -> Self {
        Self {
            root: None,
            name: None,
            globals: Vec::new(),
            overrides: Vec::new(),
            guards: Vec::new(),
            interceptors: Vec::new(),
            filters: Vec::new(),
            inspection_guard: None,
            middleware: Vec::new(),
            migrations: None,
            config: LoadOptions {
                dir: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
                read_env: true,
                overrides: Vec::new(),
            },
        }
    }

    /// Sets the root module: the app is what it reaches through `imports(...)`.
    pub fn module<M: Module>(mut self, _module: M) -> Self {
        self.root = Some(M::descriptor());
        self
    }

    /// Names the app (default: `app.name` from config, else the package
    /// name that `#[elif::main]` records).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Registers a ready-made value as the singleton provider of `T`,
    /// visible from every module.
    pub fn value<T: Send + Sync + 'static>(self, value: T) -> Self {
        self.provide(Arc::new(value))
    }

    /// Registers a shared value as the provider of `T`, which may be a trait
    /// object: `App::new().provide::<dyn Mailer>(Arc::new(LogMailer))`.
    pub fn provide<T: ?Sized + Send + Sync + 'static>(mut self, value: Arc<T>) -> Self {
        self.globals.push(Node::value(
            ProviderKey::of::<T>(),
            instance(value),
            ProviderKind::Value,
        ));
        self
    }

    /// Replaces the provider of `T` (wherever it is declared) with a value,
    /// before boot. Meant for tests: `.override_with::<dyn Mailer>(Arc::new(FakeMailer::default()))`.
    pub fn override_with<T: ?Sized + Send + Sync + 'static>(mut self, value: Arc<T>) -> Self {
        self.overrides.push(Node::value(
            ProviderKey::of::<T>(),
            instance(value),
            ProviderKind::Value,
        ));
        self
    }

    /// Serves the inspection endpoints (`/_elif/map.json`) in every
    /// environment, production included, behind guard `G`. Without this,
    /// they are served in development and test only, and every `/_elif/*`
    /// path answers 404 in production.
    pub fn inspection_guard<G: Guard>(mut self) -> Self {
        self.inspection_guard = Some(Layer::guard::<G>());
        self
    }

    /// Applies guard `G` to every route of the app, before the controllers'
    /// and routes' own guards (in the order `guard` is called). `G` joins the
    /// graph app-wide unless a module declares it.
    pub fn guard<G: Guard>(mut self) -> Self {
        self.guards.push(Layer::guard::<G>());
        self
    }

    /// Wraps the handler of every route of the app in interceptor `I`,
    /// outside the controllers' and routes' own interceptors (the first
    /// added is the outermost). Boxed, unlike those named in attributes.
    pub fn interceptor<I: Interceptor>(mut self) -> Self {
        self.interceptors.push(Layer::interceptor::<I>());
        self
    }

    /// Tries exception filter `F` on every route's errors that the
    /// controllers' and routes' own filters let pass (in the order added).
    pub fn filter<F: ExceptionFilter>(mut self) -> Self {
        self.filters.push(Layer::filter::<F>());
        self
    }

    /// Wraps every route of the app in actix-web middleware (any
    /// `Transform`), outside the controllers' and routes' own:
    /// `.middleware(|route| route.wrap(actix_web::middleware::Compress::default()))`.
    pub fn middleware(
        mut self,
        wrap: impl Fn(actix_web::Route) -> actix_web::Route + Send + Sync + 'static,
    ) -> Self {
        self.middleware.push(Arc::new(wrap));
        self
    }

    /// Embeds the app's migrations: `.migrations(elif::migrations!())`. The
    /// app's `migrate` command applies and reverts them, `check` reports
    /// the pending ones (exit code 2), and the app applies them when it
    /// starts unless `database.migrate_on_start` is false (its default
    /// outside production).
    pub fn migrations(mut self, migrations: Migrations) -> Self {
        self.migrations = Some(migrations);
        self
    }

    /// Sets a config value by dotted key (`"mail.host"`); beats every other source.
    pub fn config(mut self, key: &str, value: impl serde::Serialize) -> Self {
        let value = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
        self.config.overrides.push((key.to_owned(), value));
        self
    }

    /// Sets a config value by dotted key with the lowest precedence of the
    /// values set in code: later `config` calls win over it, and so does
    /// nothing else. Used by `TestApp` to default `app.env` to `test`.
    pub fn config_default(mut self, key: &str, value: impl serde::Serialize) -> Self {
        let value = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
        self.config.overrides.insert(0, (key.to_owned(), value));
        self
    }

    /// Reads `elif.toml` and `.env` from `dir` instead of the working directory.
    pub fn config_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.config.dir = dir.into();
        self
    }

    /// Ignores the process environment (tests that must not see `PORT` & co.).
    pub fn without_env(mut self) -> Self {
        self.config.read_env = false;
        self
    }

    /// Runs the command given on the process's command line (`serve` when
    /// none): the app binary is also the app's command line.
    pub fn run(self) -> impl Future<Output = crate::Result<()>> + Send + 'static {
        self.run_with_args(std::env::args())
    }

    /// Runs the command given in `args` (the first item is the program name).
    ///
    /// The future is boxed here, in elif: the boot, the commands and the
    /// server (and everything they await) are compiled once, with elif,
    /// not again in every app that awaits them.
    pub fn run_with_args<I, S>(
        self,
        args: I,
    ) -> impl Future<Output = crate::Result<()>> + Send + 'static
    where
        I: IntoIterator<Item = S>,
        S: Into<std::ffi::OsString> + Clone,
    {
        self.run_args(args.into_iter().map(Into::into).collect())
    }

    fn run_args(
        self,
        args: Vec<std::ffi::OsString>,
    ) -> crate::BoxFuture<'static, crate::Result<()>> {
        Box::pin(command::run(self, args))
    }

    /// Checks everything that can be checked without building anything: the
    /// graph, modules and config. Returns every problem found.
    pub fn check(self) -> BootReport {
        match self.prepare() {
            Ok(prepared) => prepared.warnings,
            Err(report) => report,
        }
    }

    /// Validates the graph and config, builds every singleton and runs the
    /// `on_init` hooks. Nothing is served and no port is bound.
    pub async fn boot(self) -> crate::Result<Booted> {
        let started = Instant::now();
        let (guards, interceptors, filters) = (
            self.guards.clone(),
            self.interceptors.clone(),
            self.filters.clone(),
        );
        let inspection_guard = self.inspection_guard;
        let middleware = self.middleware.clone();
        let migrations = self.migrations;
        let prepared = self.prepare().map_err(Error::boot)?;
        let Prepared {
            graph,
            config,
            app_config,
            server_config,
            lifecycle,
            name,
            map,
            warnings,
        } = prepared;
        for warning in warnings.diagnostics() {
            tracing::warn!("{warning}");
        }
        let database_config = config
            .get(&ProviderKey::of::<DatabaseConfig>())
            .and_then(downcast_section::<DatabaseConfig>);
        let container = Container::build(graph, config)
            .await
            .map_err(|d| Error::boot(BootReport::new(vec![d])))?;
        if let Some(database_config) = database_config {
            let database = match container.get::<Database>() {
                Some(database) => database,
                None => Arc::new(Database::connect(&database_config, &name)?),
            };
            let on_start = database_config
                .migrate_on_start
                .unwrap_or(app_config.env != Environment::Production);
            startup_database(&database, migrations.as_ref(), on_start).await?;
        }
        let routes = {
            let mut routes = Routes::new(Some(container.clone()), Default::default(), Vec::new());
            for &(index, mount) in &container.graph().controllers {
                if let Some(instance) = container.singleton(index) {
                    mount(instance, &mut routes);
                }
            }
            routes.infos().cloned().collect::<Vec<_>>()
        };
        let duplicates = duplicate_routes(&routes);
        if !duplicates.is_empty() {
            return Err(Error::boot(BootReport::new(duplicates)));
        }
        let app_layers = AppLayers {
            guards: resolve_all(&guards, &container),
            interceptors: resolve_all(&interceptors, &container),
            filters: resolve_all(&filters, &container),
        };
        let inspection = match inspection_guard {
            // Opted in: served only behind its guard; should the guard be
            // missing, the endpoints stay off rather than open.
            Some(guard) => guard
                .resolve(&container)
                .map(|guard| Inspection { guard: Some(guard) }),
            None if app_config.env != Environment::Production => Some(Inspection { guard: None }),
            None => None,
        };
        let booted = Booted {
            map: Arc::new(map),
            inspection,
            container,
            app_config,
            server_config,
            lifecycle,
            name,
            routes,
            app_layers,
            middleware,
        };
        if let Err(diagnostic) = booted.container.init().await {
            booted.shutdown().await;
            return Err(Error::boot(BootReport::new(vec![diagnostic])));
        }
        // Boot-time connections belong to this runtime; the workers make
        // their own.
        if let Some(database) = booted.container.get::<Database>() {
            database.renew_pool();
        }
        let graph = booted.container.graph();
        tracing::info!(
            app = %booted.name,
            env = %booted.app_config.env,
            modules = graph.modules.modules.len(),
            controllers = graph.modules.controller_count(),
            providers = graph.nodes.len(),
            "booted in {} ms",
            started.elapsed().as_millis()
        );
        Ok(booted)
    }

    /// Every check of [`App::check`], then the database's: pending
    /// migrations (`EL4001`, exit code 2), edited or unknown applied ones
    /// (warnings), or an unreachable database (`EL4005`). What the app's
    /// `check` command reports. Builds no provider and runs no hook.
    pub async fn check_with_database(self) -> BootReport {
        self.check_all().await.0
    }

    /// [`App::check_with_database`], and whether the database was looked at.
    pub(crate) async fn check_all(self) -> (BootReport, bool) {
        let migrations = self.migrations;
        let survey = match self.survey() {
            Ok(survey) => survey,
            Err(report) => return (report, false),
        };
        let mut report = survey.report.clone();
        let models = crate::data::models();
        let uses_database = migrations.is_some() || survey.database_config().is_some();
        if report.has_errors() || !uses_database || (migrations.is_none() && models.is_empty()) {
            return (report, false);
        }
        let database = match survey.database() {
            Ok(database) => database,
            Err(error) => {
                report.extend(error_diagnostics(&error));
                return (report, true);
            }
        };
        report.extend(database_diagnostics(&database, migrations.as_ref(), &models).await);
        (report, true)
    }

    /// Describes the app from its real registry (modules, components,
    /// routes, config keys and every problem found) without building
    /// anything: what `map --json` prints and `/_elif/map.json` serves.
    pub fn map(self) -> crate::inspect::AppMap {
        let layers = self.layer_names();
        match self.survey() {
            Ok(survey) => crate::inspect::AppMap::new(&survey, &layers),
            Err(report) => crate::inspect::AppMap::unreadable(report),
        }
    }

    /// The names of the app's guards, interceptors and filters, for the map.
    fn layer_names(&self) -> crate::inspect::LayerNames {
        crate::inspect::LayerNames {
            guards: self.guards.iter().map(Layer::name).collect(),
            interceptors: self.interceptors.iter().map(Layer::name).collect(),
            filters: self.filters.iter().map(Layer::name).collect(),
        }
    }

    /// Builds and checks the graph and loads the config, gathering every problem.
    fn prepare(self) -> Result<Prepared, BootReport> {
        let layers = self.layer_names();
        let survey = self.survey()?;
        let map = crate::inspect::AppMap::new(&survey, &layers);
        let Survey {
            graph,
            config,
            name,
            lifecycle,
            report,
            ..
        } = survey;
        let (Some(config), false) = (config, report.has_errors()) else {
            return Err(report);
        };
        let section = |key| config.get(&key).cloned();
        let app_config =
            section(ProviderKey::of::<AppConfig>()).and_then(|i| downcast_section::<AppConfig>(&i));
        let server_config = section(ProviderKey::of::<ServerConfig>())
            .and_then(|i| downcast_section::<ServerConfig>(&i));
        let (Some(app_config), Some(server_config)) = (app_config, server_config) else {
            let mut report = report;
            report.push(Diagnostic::error(
                &elif_catalogue::EL2004,
                "the built-in config sections did not load",
            ));
            return Err(report);
        };
        Ok(Prepared {
            graph,
            config,
            app_config,
            server_config,
            lifecycle,
            name,
            map,
            warnings: report,
        })
    }

    /// Everything that can be known without building anything: the checked
    /// graph, the config source and sections, the declared routes, and every
    /// problem found. `Err` only when there is nothing to survey (no root module).
    fn survey(self) -> Result<Survey, BootReport> {
        let mut report = BootReport::default();
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
        // The modules' guards, interceptors and filters join the graph too.
        let module_layers: Vec<&'static ProviderDescriptor> = modules
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
            .collect();
        let routes = modules
            .modules
            .iter()
            .enumerate()
            .flat_map(|(m, info)| info.descriptor.controllers.iter().map(move |c| (m, c)))
            .flat_map(|(m, c)| (c.describe)().into_iter().map(move |route| (m, route)))
            .collect::<Vec<_>>();
        report.extend(duplicate_routes(routes.iter().map(|(_, route)| route)));
        let (graph, graph_problems) = graph::build(GraphInput {
            modules,
            globals,
            overrides: self.overrides,
            shared: self
                .guards
                .iter()
                .chain(&self.inspection_guard)
                .map(|g| (g.descriptor)())
                .chain(self.interceptors.iter().map(|i| (i.descriptor)()))
                .chain(self.filters.iter().map(|f| (f.descriptor)()))
                .chain(module_layers)
                .collect(),
        });
        let source = ConfigSource::load(&self.config);
        report.extend(graph_problems);
        let source = source
            .map_err(|problems| report.extend(problems.iter().map(|p| p.to_diagnostic())))
            .ok();

        let mut requirements = vec![
            ConfigRequirement::of::<AppConfig>(),
            ConfigRequirement::of::<ServerConfig>(),
        ];
        for requirement in graph.config_requirements().into_iter().chain(
            self.migrations
                .is_some()
                .then(ConfigRequirement::of::<DatabaseConfig>),
        ) {
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
        let name = self
            .name
            .or_else(|| app_config.as_ref().and_then(|c| c.name.clone()))
            .unwrap_or_else(|| entry::app_name().to_owned());
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
        })
    }
}

/// At start: applies the pending migrations (`on_start`), then logs what
/// the database still says (pending migrations, schema drift) as
/// warnings. A failed migration stops the boot; so does an unreachable
/// database when migrations must be applied. Otherwise the database being
/// down only makes the app unready.
async fn startup_database(
    database: &Database,
    migrations: Option<&Migrations>,
    on_start: bool,
) -> crate::Result<()> {
    if let (Some(migrations), true) = (migrations, on_start) {
        let applied = database.migrate_up(migrations).await?;
        if !applied.is_empty() {
            tracing::info!("applied {} migration(s) at start", applied.len());
        }
    }
    let models = crate::data::models();
    if migrations.is_none() && models.is_empty() {
        return Ok(());
    }
    for diagnostic in database_diagnostics(database, migrations, &models).await {
        tracing::warn!("{diagnostic}");
    }
    Ok(())
}

/// What the database says about the app: pending migrations (then the
/// models are not compared, since applying them is the next step), else
/// each model's drift.
async fn database_diagnostics(
    database: &Database,
    migrations: Option<&Migrations>,
    models: &[&'static crate::data::ModelInfo],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Some(migrations) = migrations {
        match database.migration_status(migrations).await {
            Ok(status) => out.extend(crate::data::migrate::diagnostics(&status)),
            Err(error) => return error_diagnostics(&error),
        }
    }
    if out
        .iter()
        .any(|d| d.entry.code == elif_catalogue::EL4001.code)
        || models.is_empty()
    {
        return out;
    }
    match crate::data::drift::check(database, models).await {
        Ok(drift) => out.extend(drift),
        Err(error) => out.extend(error_diagnostics(&error)),
    }
    out
}

/// The diagnostics an error carries (its boot report's), else one `EL4005`.
fn error_diagnostics(error: &Error) -> Vec<Diagnostic> {
    match error.boot_report() {
        Some(report) => report.diagnostics().to_vec(),
        None => vec![Diagnostic::error(
            &elif_catalogue::EL4005,
            error.detail().to_owned(),
        )],
    }
}

/// The result of [`App::survey`]: everything known before anything is built.
pub(crate) struct Survey {
    pub(crate) graph: graph::Graph,
    /// The merged config, unless a file could not be read.
    pub(crate) source: Option<ConfigSource>,
    /// Every config section the app reads, built-ins first.
    pub(crate) requirements: Vec<ConfigRequirement>,
    /// The loaded sections, when every key loaded.
    config: Option<std::collections::HashMap<ProviderKey, Instance>>,
    /// The `[app]` section, when it loaded.
    pub(crate) app_config: Option<Arc<AppConfig>>,
    /// Every declared route, with the index of its controller's module.
    pub(crate) routes: Vec<(usize, RouteInfo)>,
    pub(crate) name: String,
    lifecycle: Arc<Lifecycle>,
    /// Every problem found, errors and warnings.
    pub(crate) report: BootReport,
}

impl Survey {
    /// The `[database]` section, when the app reads it and it loaded.
    pub(crate) fn database_config(&self) -> Option<Arc<DatabaseConfig>> {
        self.config
            .as_ref()?
            .get(&ProviderKey::of::<DatabaseConfig>())
            .and_then(downcast_section::<DatabaseConfig>)
    }

    /// A pool on the app's database, for the commands that need one
    /// without booting the app (`migrate`, `check`).
    pub(crate) fn database(&self) -> crate::Result<Database> {
        let config = self.database_config().ok_or_else(|| {
            Error::internal("the `[database]` config section did not load")
                .with_hint("run `check` to see why")
        })?;
        Database::connect(&config, &self.name)
    }
}

fn downcast_section<T: ConfigSection>(instance: &Instance) -> Option<Arc<T>> {
    crate::di::provider::downcast::<T>(instance)
}

/// The result of [`App::prepare`]: everything checked, nothing built yet.
struct Prepared {
    graph: graph::Graph,
    config: std::collections::HashMap<ProviderKey, Instance>,
    app_config: Arc<AppConfig>,
    server_config: Arc<ServerConfig>,
    lifecycle: Arc<Lifecycle>,
    name: String,
    /// The app as data, for the inspection endpoints.
    map: crate::inspect::AppMap,
    /// Problems that do not stop the app.
    warnings: BootReport,
}

/// A controller ready to mount on a server worker.
#[derive(Clone)]
pub(crate) struct MountedController {
    pub(crate) instance: Instance,
    pub(crate) mount: MountFn,
    pub(crate) layers: AppLayers,
    pub(crate) middleware: Vec<RouteMiddleware>,
}

/// The `/_elif/*` endpoints are on: the guard in front of them, if any.
#[derive(Clone)]
pub(crate) struct Inspection {
    pub(crate) guard: Option<Arc<dyn DynGuard>>,
}

/// A booted app: every singleton built and initialised, nothing served yet.
pub struct Booted {
    /// The app as data.
    map: Arc<crate::inspect::AppMap>,
    /// Whether the `/_elif/*` endpoints are served, and behind which guard.
    pub(crate) inspection: Option<Inspection>,
    container: Container,
    app_config: Arc<AppConfig>,
    server_config: Arc<ServerConfig>,
    lifecycle: Arc<Lifecycle>,
    name: String,
    routes: Vec<RouteInfo>,
    pub(crate) app_layers: AppLayers,
    pub(crate) middleware: Vec<RouteMiddleware>,
}

impl Booted {
    /// The app's container.
    pub fn container(&self) -> &Container {
        &self.container
    }

    /// The app's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The `[app]` config section.
    pub fn app_config(&self) -> &AppConfig {
        &self.app_config
    }

    /// The `[server]` config section.
    pub fn server_config(&self) -> &ServerConfig {
        &self.server_config
    }

    /// The app's lifecycle (readiness, spawned tasks).
    pub fn lifecycle(&self) -> &Arc<Lifecycle> {
        &self.lifecycle
    }

    /// The app as data (what `/_elif/map.json` serves when inspection is on).
    pub fn map(&self) -> &Arc<crate::inspect::AppMap> {
        &self.map
    }

    /// Every route of the app, as mounted.
    pub fn routes(&self) -> &[RouteInfo] {
        &self.routes
    }

    /// Every controller's instance, route mounter, and the guards its
    /// routes run before their own: the app's, then its module's.
    pub(crate) fn controllers(&self) -> Vec<MountedController> {
        let graph = self.container.graph();
        graph
            .controllers
            .iter()
            .filter_map(|&(index, mount)| {
                let instance = self.container.singleton(index)?.clone();
                let module = graph.nodes[index]
                    .module
                    .map(|m| graph.modules.modules[m].descriptor);
                let app = &self.app_layers;
                // Guards: the app's, then the module's. Interceptors: the
                // app's outermost, then the module's. Filters: the module's
                // before the app's (the attributes' come before both).
                let layers = match module {
                    None => app.clone(),
                    Some(module) => AppLayers {
                        guards: [
                            app.guards.clone(),
                            resolve_all(module.guards, &self.container),
                        ]
                        .concat(),
                        interceptors: [
                            app.interceptors.clone(),
                            resolve_all(module.interceptors, &self.container),
                        ]
                        .concat(),
                        filters: [
                            resolve_all(module.filters, &self.container),
                            app.filters.clone(),
                        ]
                        .concat(),
                    },
                };
                let module_middleware = graph.nodes[index]
                    .module
                    .map(|m| graph.modules.modules[m].descriptor.middleware)
                    .unwrap_or_default()
                    .iter()
                    .map(|&wrap| Arc::new(wrap) as RouteMiddleware);
                // Each entry wraps the ones before it: the module's go first
                // so that the app's end up outermost.
                let middleware = module_middleware
                    .chain(self.middleware.iter().cloned())
                    .collect();
                Some(MountedController {
                    instance,
                    mount,
                    layers,
                    middleware,
                })
            })
            .collect()
    }

    /// Stops the app's tasks, then runs the `on_shutdown` hooks in reverse
    /// dependency order.
    pub async fn shutdown(&self) {
        self.lifecycle.begin_drain();
        self.lifecycle
            .stop_tasks(std::time::Duration::from_secs(
                self.server_config.shutdown_timeout,
            ))
            .await;
        self.container.shutdown().await;
    }
}
