//! Boot: from a surveyed app to built singletons, a started database,
//! resolved layers and run `on_init` hooks. Nothing is served.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use crate::app::App;
use crate::app::booted::Booted;
use crate::app::inspection::{Inspection, Unguarded, unguarded};
use crate::app::lifecycle::Lifecycle;
use crate::app::survey::{AccessRule, Survey};
use crate::app::{database, layers, serve};
use crate::config::{AppConfig, Environment, ServerConfig};
use crate::data::{Database, DatabaseConfig, Migrations};
use crate::di::Container;
use crate::di::provider::{Instance, ProviderKey};
use crate::diagnostics::{BootReport, Diagnostic, Severity};
use crate::error::Error;
use crate::http::RateLimits;
use crate::http::controller::duplicate_routes;
use crate::http::hardening::Hardening;
use crate::http::problem::ErrorFormat;
use crate::http::{Method, RouteInfo, unenforced, unsecured};
use crate::inspect::AppMap;
use crate::module::graph::ModuleGraph;
use crate::ratelimit::{Limiter, RateLimitConfig};
use crate::redis::{Redis, RedisConfig};

/// The result of [`App::prepare`]: everything checked, nothing built yet.
pub(super) struct Prepared {
    /// The app's OpenAPI document.
    pub(super) openapi: crate::openapi::OpenApi,
    pub(super) graph: ModuleGraph,
    pub(super) config: HashMap<ProviderKey, Instance>,
    pub(super) app_config: Arc<AppConfig>,
    pub(super) server_config: Arc<ServerConfig>,
    /// The `[security]` rules, ready for requests.
    pub(super) hardening: Arc<Hardening>,
    /// `[rate_limit]` and `[redis]`.
    pub(super) rate_limit: (Arc<RateLimitConfig>, Arc<RedisConfig>),
    pub(super) database_config: Option<Arc<DatabaseConfig>>,
    /// The migration sets to apply, packages' first.
    pub(super) migrations: Vec<Migrations>,
    /// Whether `app.env` was set rather than left to its default.
    pub(super) env_is_explicit: bool,
    pub(super) lifecycle: Arc<Lifecycle>,
    pub(super) name: String,
    /// The app as data, for the inspection endpoints.
    pub(super) map: AppMap,
    /// Every declared route.
    pub(super) routes: Vec<RouteInfo>,
    /// Problems that do not stop the app.
    pub(super) warnings: BootReport,
    /// How errors are written.
    pub(super) error_format: Arc<dyn ErrorFormat>,
}

impl App {
    /// Validates the graph and config, builds every singleton, resolves
    /// the app's and modules' layers and runs the `on_init` hooks. Nothing
    /// is served and no port is bound.
    pub async fn boot(self) -> crate::Result<Booted> {
        let started = Instant::now();
        let app_layers = self.layers.clone();
        let inspection_guard = self.inspection_guard;
        let middleware = self.middleware.clone();
        let prepared = self
            .prepare(AccessRule::ByEnvironment)
            .map_err(Error::boot)?;
        for warning in prepared.warnings.diagnostics() {
            tracing::warn!("{warning}");
        }
        let ModuleGraph {
            graph,
            modules,
            controllers,
        } = prepared.graph;
        let (module_count, controller_count) = (modules.modules.len(), controllers.len());
        let container = Container::build(graph, prepared.config)
            .await
            .map_err(|d| Error::boot(BootReport::new(vec![d])))?;
        // Fail closed: a layer or inspection guard that cannot be resolved
        // stops the boot before anything starts.
        let mut problems = Vec::new();
        let app = layers::app_layers(&app_layers, &container, &mut problems);
        let controllers = layers::mount_controllers(
            &container,
            &modules,
            &controllers,
            &app,
            &middleware,
            &mut problems,
        );
        let inspection_guard = inspection_guard.map(|guard| {
            layers::resolve(
                &guard,
                &container,
                "the inspection endpoints",
                &mut problems,
            )
        });
        if !problems.is_empty() {
            return Err(Error::boot(BootReport::new(problems)));
        }
        let app_config = prepared.app_config;
        let inspection = match inspection_guard {
            // Opted in: served behind its guard, whatever the mode and address.
            Some(guard) => Some(Inspection { guard }),
            None => unguarded_inspection(
                &app_config,
                &prepared.server_config,
                prepared.env_is_explicit,
            ),
        };
        if let Some(config) = &prepared.database_config {
            database::start(
                &container,
                config,
                &prepared.name,
                app_config.env,
                &prepared.migrations,
            )
            .await?;
        }
        let rate_limits = match rate_limits(&prepared.rate_limit, &container, &prepared.name) {
            Ok(limits) => Arc::new(limits),
            Err(diagnostic) => return Err(Error::boot(BootReport::new(vec![diagnostic]))),
        };
        let booted = Booted {
            map: Arc::new(prepared.map),
            openapi: Arc::new(prepared.openapi),
            inspection,
            container,
            app_config,
            server_config: prepared.server_config,
            hardening: prepared.hardening,
            rate_limits,
            lifecycle: prepared.lifecycle,
            name: prepared.name,
            routes: prepared.routes,
            controllers,
            error_format: prepared.error_format,
        };
        // Routes written by hand describe themselves only when mounted: two
        // with one method and path would leave one unreachable, and each
        // must be public or say what authenticates it.
        let (errors, warnings) = mounted_problems(&booted);
        for warning in &warnings {
            tracing::warn!("{warning}");
        }
        if !errors.is_empty() {
            booted.shutdown().await;
            return Err(Error::boot(BootReport::new(errors)));
        }
        if let Err(diagnostic) = booted.container().init().await {
            booted.shutdown().await;
            return Err(Error::boot(BootReport::new(vec![diagnostic])));
        }
        // Boot-time connections belong to this runtime; the workers make
        // their own.
        if let Some(database) = booted.container().get::<Database>() {
            database.renew_pool();
        }
        tracing::info!(
            app = %booted.name(),
            env = %booted.app_config().env,
            modules = module_count,
            controllers = controller_count,
            providers = booted.container().graph().nodes.len(),
            "booted in {} ms",
            started.elapsed().as_millis()
        );
        Ok(booted)
    }

    /// Builds and checks the graph and loads the config, gathering every problem.
    /// Routes neither authenticated nor public are errors or warnings as
    /// `access` says.
    pub(super) fn prepare(self, access: AccessRule) -> Result<Prepared, BootReport> {
        let survey = self.survey()?;
        let map = survey.map();
        let openapi = survey.openapi(&map);
        let env_is_explicit = survey.env_is_explicit();
        let database_config = survey.section::<DatabaseConfig>();
        let (app_config, server_config) = (
            survey.section::<AppConfig>(),
            survey.section::<ServerConfig>(),
        );
        let survey_sections = (
            survey.section::<RateLimitConfig>(),
            survey.section::<RedisConfig>(),
        );
        let Survey {
            graph,
            config,
            routes,
            name,
            lifecycle,
            mut report,
            unsecured,
            migrations,
            hardening,
            error_format,
            ..
        } = survey;
        let production = app_config
            .as_ref()
            .is_some_and(|c| c.env == Environment::Production);
        report.extend(unsecured.into_iter().map(|mut diagnostic| {
            if access == AccessRule::ByEnvironment && !production {
                diagnostic.severity = Severity::Warning;
            }
            diagnostic
        }));
        let (Some(config), false) = (config, report.has_errors()) else {
            return Err(report);
        };
        let rate_limit = survey_sections.0.zip(survey_sections.1);
        let (Some(app_config), Some(server_config), Some(hardening), Some(rate_limit)) =
            (app_config, server_config, hardening, rate_limit)
        else {
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
            hardening,
            rate_limit,
            database_config,
            migrations,
            env_is_explicit,
            lifecycle,
            name,
            map,
            openapi,
            routes: routes.into_iter().map(|(_, route)| route).collect(),
            warnings: report,
            error_format,
        })
    }
}

/// The app's limiter: in Redis when `[rate_limit] store` says so (or
/// `REDIS_URL` is set and it says nothing), else in memory; timed by the
/// app's clock.
fn rate_limits(
    (config, redis): &(Arc<RateLimitConfig>, Arc<RedisConfig>),
    container: &Container,
    app: &str,
) -> Result<RateLimits, Diagnostic> {
    let clock = container.get::<dyn crate::data::Clock>();
    let now: crate::ratelimit::Now = Arc::new(move || match &clock {
        Some(clock) => clock.now().timestamp_micros(),
        None => crate::data::Timestamp::now().timestamp_micros(),
    });
    let store = config.store.as_deref().unwrap_or(if redis.url.is_some() {
        "redis"
    } else {
        "memory"
    });
    let default_limiter =
        (store == "redis" && !config.share_default).then(|| Limiter::in_memory(now.clone()));
    let limiter = if store == "redis" {
        let redis = Redis::from_config(redis)
            .map_err(|e| {
                Diagnostic::error(
                    &elif_catalogue::EL2003,
                    format!("`redis.url` is rejected: {e}"),
                )
            })?
            .ok_or_else(|| {
                Diagnostic::error(
                    &elif_catalogue::EL2003,
                    "`rate_limit.store` is `redis`, but `redis.url` (REDIS_URL) is not set",
                )
                .hint(
                    "set REDIS_URL, or `store = \"memory\"` under `[rate_limit]` for one instance",
                )
            })?;
        let prefix = config
            .key_prefix
            .clone()
            .unwrap_or_else(|| format!("elif:ratelimit:{app}:"));
        Limiter::on_redis(Arc::new(redis), prefix, now)
    } else {
        Limiter::in_memory(now)
    };
    Ok(RateLimits {
        limiter,
        default_limiter,
        default: config.default_quota(),
        on_failure: config.on_store_failure,
    })
}

/// What only the mounted routes show, as errors and warnings: two with
/// one method and path shape (each reported once), and routes written by
/// hand that are neither public nor authenticated (`EL1016`: an error in
/// production). Not async: the mounted table holds a worker's `Rc`s.
fn mounted_problems(booted: &Booted) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let mounted = serve::mount_all(booted.container().clone(), booted.controllers());
    let mut errors = duplicate_routes(mounted.infos());
    let declared: HashSet<(&Method, &str)> = booted
        .routes
        .iter()
        .map(|r| (&r.method, r.path.as_str()))
        .collect();
    let production = booted.app_config().env == Environment::Production;
    let (mut more, warnings) = mounted
        .infos()
        .filter(|r| !declared.contains(&(&r.method, r.path.as_str())))
        .filter_map(|r| unsecured(r, &r.authenticated_by))
        .map(|mut diagnostic| {
            if !production {
                diagnostic.severity = Severity::Warning;
            }
            diagnostic
        })
        .partition(|d| d.severity == Severity::Error);
    errors.append(&mut more);
    errors.extend(
        mounted
            .infos()
            .filter(|r| !declared.contains(&(&r.method, r.path.as_str())))
            .filter_map(|r| unenforced(r, &r.enforced_by)),
    );
    (errors, warnings)
}

/// Whether the inspection endpoints are served without a guard; when the
/// address turns them off, a warning says so and why.
fn unguarded_inspection(
    app: &AppConfig,
    server: &ServerConfig,
    env_is_explicit: bool,
) -> Option<Inspection> {
    match unguarded(app.env, env_is_explicit, &server.host) {
        Unguarded::Served => Some(Inspection { guard: None }),
        Unguarded::Production => None,
        Unguarded::Exposed => {
            let mode = if env_is_explicit {
                format!("in {} mode", app.env)
            } else {
                format!("in {} mode only because APP_ENV is unset", app.env)
            };
            tracing::warn!(
                "the inspection endpoints (/_elif/*) are off: the app listens on {}, beyond this machine, {mode}; set APP_ENV=development to serve them there, or put them behind `App::inspection_guard`",
                server.host,
            );
            None
        }
    }
}

#[cfg(test)]
mod tests;
