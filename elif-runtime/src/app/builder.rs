//! The app builder: a root module plus values, overrides, layers,
//! middleware, migrations and config set in code. Nothing is checked or
//! built here; `survey`, `boot` and the commands do that.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use crate::config::source::LoadOptions;
use crate::data::Migrations;
use crate::data::Seeder;
use crate::data::seed::SeederEntry;
use crate::di::graph::Node;
use crate::di::provider::{ProviderKey, ProviderKind, instance};
use crate::http::controller::RouteMiddleware;
use crate::http::problem::{ErrorFormat, ProblemJson};
use crate::http::{ExceptionFilter, Guard, Interceptor};
use crate::module::{FilterKind, GuardKind, InterceptorKind, Layer, Module, ModuleDescriptor};

/// An application: a root module plus values, overrides and config set in
/// code. `App::new().module(AppModule).run().await` boots and serves it.
/// A clone is the same app, not yet booted (values given to `provide` are
/// shared).
#[derive(Clone)]
pub struct App {
    pub(super) root: Option<&'static ModuleDescriptor>,
    pub(super) name: Option<String>,
    pub(super) globals: Vec<Node>,
    pub(super) overrides: Vec<Node>,
    pub(super) layers: AppLayerList,
    pub(super) inspection_guard: Option<Layer<GuardKind>>,
    pub(super) middleware: Vec<RouteMiddleware>,
    pub(super) migrations: Option<Migrations>,
    pub(super) seeders: Vec<SeederEntry>,
    pub(super) config: LoadOptions,
    pub(super) error_format: Arc<dyn ErrorFormat>,
}

/// The layers added on the builder, which run around every route, in the
/// order they were added.
#[derive(Clone, Default)]
pub(super) struct AppLayerList {
    pub(super) guards: Vec<Layer<GuardKind>>,
    pub(super) interceptors: Vec<Layer<InterceptorKind>>,
    pub(super) filters: Vec<Layer<FilterKind>>,
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
            layers: AppLayerList::default(),
            inspection_guard: None,
            middleware: Vec::new(),
            migrations: None,
            seeders: Vec::new(),
            config: LoadOptions {
                dir: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
                read_env: true,
                overrides: Vec::new(),
            },
            error_format: Arc::new(ProblemJson),
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
    /// environment and on every address, production included, behind guard
    /// `G`. Without this, they are served in development and test only, on
    /// a loopback address unless `APP_ENV=development` is set explicitly,
    /// and every `/_elif/*` path answers 404 elsewhere.
    pub fn inspection_guard<G: Guard>(mut self) -> Self {
        self.inspection_guard = Some(Layer::guard::<G>());
        self
    }

    /// Writes every error response in `format` instead of problem+json
    /// (RFC 9457): the router's 404 and 405, unreadable bodies (400, 413,
    /// 415), validation (422), guards, rate limits, domain errors and
    /// panics. The status, code, detail, field errors and request id reach
    /// the format as a [`Problem`](crate::http::Problem); elif keeps the
    /// status and headers. The OpenAPI document gives every error response
    /// the format's schema and media type.
    pub fn error_format(mut self, format: impl ErrorFormat) -> Self {
        self.error_format = Arc::new(format);
        self
    }

    /// Applies guard `G` to every route of the app, before the controllers'
    /// and routes' own guards (in the order `guard` is called). `G` joins the
    /// graph app-wide unless a module declares it.
    pub fn guard<G: Guard>(mut self) -> Self {
        self.layers.guards.push(Layer::guard::<G>());
        self
    }

    /// Wraps the handler of every route of the app in interceptor `I`,
    /// outside the controllers' and routes' own interceptors (the first
    /// added is the outermost). Boxed, unlike those named in attributes.
    pub fn interceptor<I: Interceptor>(mut self) -> Self {
        self.layers.interceptors.push(Layer::interceptor::<I>());
        self
    }

    /// Tries exception filter `F` on every route's errors that the
    /// controllers' and routes' own filters let pass (in the order added).
    pub fn filter<F: ExceptionFilter>(mut self) -> Self {
        self.layers.filters.push(Layer::filter::<F>());
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

    /// Registers seeder `S`, run by the `db seed` command (and `migrate
    /// fresh --seed`) in the order registered, each in a transaction. `S`
    /// joins the graph app-wide unless a module declares it.
    pub fn seeder<S: Seeder>(mut self) -> Self {
        self.seeders.push(SeederEntry::of::<S>());
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
        Box::pin(super::command::run(self, args))
    }
}
