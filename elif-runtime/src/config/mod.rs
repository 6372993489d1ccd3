//! Typed configuration: sections declared with `#[derive(Config)]`, read from
//! `elif.toml`, `.env` and the environment, validated at boot with every
//! problem in one report, injected as [`Config<T>`].

pub mod security;
pub mod source;

use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use elif_catalogue::{EL2001, EL2002, EL2003, EL2004};
use serde::Deserialize;

use crate::diagnostics::Diagnostic;
use source::{ConfigSource, FieldSpec};

/// A typed config section, such as `[mail]` in elif.toml.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a config section",
    label = "not `#[derive(Config)]`",
    note = "derive it: `#[derive(Config)] #[config(section = \"...\")] struct {Self} {{ ... }}`"
)]
pub trait ConfigSection: Sized + Send + Sync + 'static {
    /// The section's key prefix (`mail` reads `mail.host`, `APP__MAIL__HOST`).
    const SECTION: &'static str;

    /// Reads every field, reporting all problems rather than the first.
    fn load(source: &ConfigSource) -> Result<Self, Vec<ConfigProblem>>;

    /// The section's keys, for inspection.
    fn keys() -> Vec<ConfigKey>;
}

/// One key of a config section, for inspection (`map`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ConfigKey {
    /// Dotted key, e.g. `mail.host`.
    pub key: String,
    /// The Rust type of the field.
    pub rust_type: &'static str,
    /// The default, as written in the source, if any.
    pub default: Option<&'static str>,
    /// Whether the value is hidden in messages and output.
    pub secret: bool,
}

/// What went wrong with one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// Not set, and no default.
    Missing,
    /// Set, but not readable as the field's type.
    Invalid,
    /// Read, but rejected by the field's validation.
    Rejected,
    /// A config file could not be read or parsed.
    Unreadable,
}

/// A problem with one configuration key (or file).
#[derive(Debug, Clone)]
pub struct ConfigProblem {
    /// What went wrong.
    pub kind: ProblemKind,
    /// The dotted key (or the file's path).
    pub key: String,
    /// A full sentence naming the key and where its value came from.
    pub message: String,
}

impl ConfigProblem {
    /// The boot diagnostic for this problem.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let entry = match self.kind {
            ProblemKind::Missing => &EL2001,
            ProblemKind::Invalid => &EL2002,
            ProblemKind::Rejected => &EL2003,
            ProblemKind::Unreadable => &EL2004,
        };
        let diagnostic = Diagnostic::error(entry, self.message.clone());
        match self.kind {
            ProblemKind::Invalid | ProblemKind::Rejected => diagnostic.hint(format!(
                "fix the value at its source, or {}",
                source::where_to_set(&self.key)
            )),
            _ => diagnostic,
        }
    }
}

/// A value that `#[config(default = ...)]` accepts for a field of type `T`:
/// a `T` itself, or a string literal for a `String`, `PathBuf` or `Secret<String>` field.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a valid default for a `{T}` field [EL0014]",
    label = "expected a `{T}` here",
    note = "write the default as a `{T}` value; string literals work for `String`, `PathBuf` and `Secret<String>` fields"
)]
pub trait ConfigDefault<T> {
    /// Converts the written default into the field's value.
    fn into_default(self) -> T;
}

impl<T> ConfigDefault<T> for T {
    fn into_default(self) -> T {
        self
    }
}

impl ConfigDefault<String> for &'static str {
    fn into_default(self) -> String {
        self.to_owned()
    }
}

impl ConfigDefault<std::path::PathBuf> for &'static str {
    fn into_default(self) -> std::path::PathBuf {
        self.into()
    }
}

impl ConfigDefault<Secret<String>> for &'static str {
    fn into_default(self) -> Secret<String> {
        Secret::new(self.to_owned())
    }
}

/// A config section, injected: `mail: Config<MailConfig>`. Dereferences to `T`.
pub struct Config<T>(Arc<T>);

impl<T> Config<T> {
    /// Wraps a section built by hand (tests).
    pub fn new(section: T) -> Self {
        Self(Arc::new(section))
    }

    /// Wraps a section the container loaded.
    pub(crate) fn shared(section: Arc<T>) -> Self {
        Self(section)
    }
}

impl<T> Deref for Config<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> Clone for Config<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T: fmt::Debug> fmt::Debug for Config<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A value that never shows in `Debug`, `Display` or inspection output.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret value. Call it only where the value is used.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The mode the app runs in (`APP_ENV`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// Local development: detailed errors, introspection endpoints (default).
    #[default]
    Development,
    /// Automated tests.
    Test,
    /// Production: generic 5xx bodies, introspection off unless guarded.
    Production,
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Environment::Development => "development",
            Environment::Test => "test",
            Environment::Production => "production",
        })
    }
}

static PACKAGE_NAME: OnceLock<&'static str> = OnceLock::new();

/// Records the binary's package name, the default name of its app
/// (`#[elif::main]` calls it).
#[doc(hidden)]
pub fn set_app_name(name: &'static str) {
    let _ = PACKAGE_NAME.set(name);
}

/// The package name recorded by `#[elif::main]`, or `app`: the app's name
/// when `app.name` is not set.
pub(crate) fn app_name() -> &'static str {
    PACKAGE_NAME.get().copied().unwrap_or("app")
}

/// The `[app]` section: the app's name and mode.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// The app's name (`app.name`; defaults to the package name).
    pub name: Option<String>,
    /// The mode (`APP_ENV` or `app.env`).
    pub env: Environment,
}

impl AppConfig {
    /// The app's name: `app.name`, or else the package name that
    /// `#[elif::main]` records (`app` when there is none, as in tests).
    pub fn app_name(&self) -> &str {
        match &self.name {
            Some(name) => name,
            None => app_name(),
        }
    }
}

impl ConfigSection for AppConfig {
    const SECTION: &'static str = "app";

    fn load(source: &ConfigSource) -> Result<Self, Vec<ConfigProblem>> {
        let mut problems = Vec::new();
        let name = source.field("app", "name", FieldSpec::default(), &mut problems);
        let env = source.field(
            "app",
            "env",
            FieldSpec {
                default: Some(Environment::default),
                ..FieldSpec::default()
            },
            &mut problems,
        );
        match (name, env) {
            (Some(name), Some(env)) => Ok(Self { name, env }),
            _ => Err(problems),
        }
    }

    fn keys() -> Vec<ConfigKey> {
        vec![
            key("app.name", "Option<String>", None),
            key("app.env", "Environment", Some("\"development\"")),
        ]
    }
}

/// The default limit of a request body, in bytes (`server.body_limit`).
pub const DEFAULT_BODY_LIMIT: usize = 256 * 1024;

/// The default idle keep-alive, in seconds (`server.keep_alive`).
pub const DEFAULT_KEEP_ALIVE: u64 = 75;

/// The `[server]` section: where and how the HTTP server listens.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to bind (`HOST`, default `127.0.0.1`).
    pub host: String,
    /// Port to bind (`PORT`, default 8080; 0 picks a free port).
    pub port: u16,
    /// Worker threads (default: one per core).
    pub workers: Option<usize>,
    /// Seconds in-flight requests get to finish after a stop signal (default 30).
    pub shutdown_timeout: u64,
    /// Largest request body read, in bytes (default 256 KiB); larger ones get 413.
    pub body_limit: usize,
    /// Seconds an idle keep-alive connection is kept open after its last
    /// response (default 75, nginx's; 0 closes every connection after one
    /// response). Longer than the idle timeout of the load balancers in
    /// front of apps (AWS's: 60 s), so that the app never closes a
    /// connection a balancer is about to reuse (a 502 for that request);
    /// actix-web's own default, 5 s, also closed connections of clients
    /// that send a request every few seconds.
    pub keep_alive: u64,
    /// One `info` line per request (target `elif::access`: request id,
    /// method, path, status, duration); off by default, as in Laravel,
    /// NestJS and actix-web.
    pub access_log: bool,
    /// What JSON body extractors do with members the body's type does not
    /// declare (default `"reject"`: a 422 naming each one).
    pub unknown_fields: UnknownFields,
    /// Most header lines a request may carry (default 64; actix-web's own
    /// ceiling is 96); more get 431.
    pub max_headers: usize,
    /// Most bytes of header names and values a request may carry (default
    /// 16 KiB; actix-web's own ceiling for the whole head is 128 KiB);
    /// more get 431.
    pub max_header_bytes: usize,
    /// Longest request target (path and query) in bytes (default 8 KiB);
    /// longer get 414.
    pub max_url_length: usize,
    /// Milliseconds a client has to send a request's head once it starts
    /// (default 5000): a slow client (slowloris) gets 408 and is closed.
    pub header_timeout_ms: u64,
    /// Milliseconds a client has to send a body that elif reads (default
    /// 10000): a slower body gets 408 `BODY_TIMEOUT`.
    pub body_timeout_ms: u64,
    /// Milliseconds the app has to answer a request (default 30000):
    /// later, the handler is dropped and the client gets 503
    /// `REQUEST_TIMEOUT`.
    pub request_timeout_ms: u64,
    /// Connections each worker serves at once (default 25000, actix-web's);
    /// beyond it, new connections wait in the listen queue.
    pub max_connections: usize,
}

/// The default most header lines (`server.max_headers`).
pub const DEFAULT_MAX_HEADERS: usize = 64;
/// The default most header bytes (`server.max_header_bytes`).
pub const DEFAULT_MAX_HEADER_BYTES: usize = 16 * 1024;
/// The default longest request target (`server.max_url_length`).
pub const DEFAULT_MAX_URL_LENGTH: usize = 8 * 1024;

/// What JSON body extractors (`Json<T>`, `Valid<T>`) do with members the
/// body's type does not declare: `server.unknown_fields` for the whole app;
/// `Json<Lenient<T>>` accepts them for one type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnknownFields {
    /// A 422 `VALIDATION_FAILED` whose `errors` name each one (`unknown_field`).
    #[default]
    Reject,
    /// Ignored, as serde does by default (some public API contracts let
    /// clients send extra members).
    Accept,
}

impl ConfigSection for ServerConfig {
    const SECTION: &'static str = "server";

    fn load(source: &ConfigSource) -> Result<Self, Vec<ConfigProblem>> {
        let mut problems = Vec::new();
        let host = source.field(
            "server",
            "host",
            FieldSpec {
                default: Some(|| "127.0.0.1".to_owned()),
                ..FieldSpec::default()
            },
            &mut problems,
        );
        let port = source.field(
            "server",
            "port",
            FieldSpec {
                default: Some(|| 8080),
                ..FieldSpec::default()
            },
            &mut problems,
        );
        let workers = source.field(
            "server",
            "workers",
            FieldSpec {
                validate: Some(|w: &Option<usize>| match w {
                    Some(0) => Err("must be at least 1".to_owned()),
                    _ => Ok(()),
                }),
                ..FieldSpec::default()
            },
            &mut problems,
        );
        let shutdown_timeout = source.field(
            "server",
            "shutdown_timeout",
            FieldSpec {
                default: Some(|| 30),
                ..FieldSpec::default()
            },
            &mut problems,
        );
        let body_limit = source.field(
            "server",
            "body_limit",
            FieldSpec {
                default: Some(|| DEFAULT_BODY_LIMIT),
                ..FieldSpec::default()
            },
            &mut problems,
        );
        let keep_alive = source.field(
            "server",
            "keep_alive",
            FieldSpec {
                default: Some(|| DEFAULT_KEEP_ALIVE),
                ..FieldSpec::default()
            },
            &mut problems,
        );
        let access_log = source.field(
            "server",
            "access_log",
            FieldSpec {
                default: Some(|| false),
                ..FieldSpec::default()
            },
            &mut problems,
        );
        let unknown_fields = source.field(
            "server",
            "unknown_fields",
            FieldSpec {
                default: Some(UnknownFields::default),
                ..FieldSpec::default()
            },
            &mut problems,
        );
        let limit = |name: &str, default: fn() -> usize, most: usize, problems: &mut Vec<_>| {
            let validate: source::Validate<usize> = match most {
                96 => |n| bounded(*n, 1, 96),
                _ => |n| bounded(*n, 256, 128 * 1024),
            };
            source.field(
                "server",
                name,
                FieldSpec {
                    default: Some(default),
                    validate: Some(validate),
                    ..FieldSpec::default()
                },
                problems,
            )
        };
        let max_headers = limit("max_headers", || DEFAULT_MAX_HEADERS, 96, &mut problems);
        let max_header_bytes = limit(
            "max_header_bytes",
            || DEFAULT_MAX_HEADER_BYTES,
            128 * 1024,
            &mut problems,
        );
        let max_url_length = limit(
            "max_url_length",
            || DEFAULT_MAX_URL_LENGTH,
            128 * 1024,
            &mut problems,
        );
        let millis = |name: &str, default: fn() -> u64, problems: &mut Vec<_>| {
            source.field(
                "server",
                name,
                FieldSpec {
                    default: Some(default),
                    validate: Some(|n: &u64| match n {
                        0 => Err("must be at least 1 ms".to_owned()),
                        _ => Ok(()),
                    }),
                    ..FieldSpec::default()
                },
                problems,
            )
        };
        let header_timeout_ms = millis("header_timeout_ms", || 5000, &mut problems);
        let body_timeout_ms = millis("body_timeout_ms", || 10_000, &mut problems);
        let request_timeout_ms = millis("request_timeout_ms", || 30_000, &mut problems);
        let max_connections = source.field(
            "server",
            "max_connections",
            FieldSpec {
                default: Some(|| 25_000),
                validate: Some(|n: &usize| bounded(*n, 1, usize::MAX)),
                ..FieldSpec::default()
            },
            &mut problems,
        );
        match (
            (host, port, workers, shutdown_timeout, body_limit),
            (keep_alive, access_log, unknown_fields),
            (max_headers, max_header_bytes, max_url_length),
            (
                header_timeout_ms,
                body_timeout_ms,
                request_timeout_ms,
                max_connections,
            ),
        ) {
            (
                (Some(host), Some(port), Some(workers), Some(shutdown_timeout), Some(body_limit)),
                (Some(keep_alive), Some(access_log), Some(unknown_fields)),
                (Some(max_headers), Some(max_header_bytes), Some(max_url_length)),
                (
                    Some(header_timeout_ms),
                    Some(body_timeout_ms),
                    Some(request_timeout_ms),
                    Some(max_connections),
                ),
            ) => Ok(Self {
                host,
                port,
                workers,
                shutdown_timeout,
                body_limit,
                keep_alive,
                access_log,
                unknown_fields,
                max_headers,
                max_header_bytes,
                max_url_length,
                header_timeout_ms,
                body_timeout_ms,
                request_timeout_ms,
                max_connections,
            }),
            _ => Err(problems),
        }
    }

    fn keys() -> Vec<ConfigKey> {
        vec![
            key("server.host", "String", Some("\"127.0.0.1\"")),
            key("server.port", "u16", Some("8080")),
            key("server.workers", "Option<usize>", None),
            key("server.shutdown_timeout", "u64", Some("30")),
            key("server.body_limit", "usize", Some("262144")),
            key("server.keep_alive", "u64", Some("75")),
            key("server.access_log", "bool", Some("false")),
            key("server.unknown_fields", "UnknownFields", Some("\"reject\"")),
            key("server.max_headers", "usize", Some("64")),
            key("server.max_header_bytes", "usize", Some("16384")),
            key("server.max_url_length", "usize", Some("8192")),
            key("server.header_timeout_ms", "u64", Some("5000")),
            key("server.body_timeout_ms", "u64", Some("10000")),
            key("server.request_timeout_ms", "u64", Some("30000")),
            key("server.max_connections", "usize", Some("25000")),
        ]
    }
}

/// `Ok` when `low <= n <= high`.
fn bounded(n: usize, low: usize, high: usize) -> Result<(), String> {
    if n < low {
        Err(format!("must be at least {low}"))
    } else if n > high {
        Err(format!(
            "must be at most {high} (actix-web refuses more before elif sees the request)"
        ))
    } else {
        Ok(())
    }
}

fn key(key: &str, rust_type: &'static str, default: Option<&'static str>) -> ConfigKey {
    ConfigKey {
        key: key.to_owned(),
        rust_type,
        default,
        secret: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn built_in_sections_have_defaults() {
        let server = ServerConfig::load(&ConfigSource::from_pairs([])).unwrap();
        assert_eq!(
            (
                server.host.as_str(),
                server.port,
                server.shutdown_timeout,
                server.keep_alive,
                server.access_log
            ),
            ("127.0.0.1", 8080, 30, 75, false)
        );
        let app = AppConfig::load(&ConfigSource::from_pairs([])).unwrap();
        assert_eq!(app.env, Environment::Development);
    }

    #[test]
    fn the_map_shows_the_defaults_that_apply() {
        let server = ServerConfig::load(&ConfigSource::from_pairs([])).unwrap();
        let shown = |name: &str| {
            ServerConfig::keys()
                .into_iter()
                .find(|k| k.key == name)
                .and_then(|k| k.default)
                .unwrap()
        };
        assert_eq!(shown("server.host"), format!("{:?}", server.host));
        assert_eq!(shown("server.port"), server.port.to_string());
        assert_eq!(
            shown("server.shutdown_timeout"),
            server.shutdown_timeout.to_string()
        );
        assert_eq!(shown("server.body_limit"), server.body_limit.to_string());
        assert_eq!(shown("server.keep_alive"), server.keep_alive.to_string());
        assert_eq!(shown("server.access_log"), server.access_log.to_string());
    }

    #[test]
    fn unknown_fields_are_rejected_unless_the_app_accepts_them() {
        let unread = ConfigSource::from_pairs([("server.unknown_fields", json!("ignore"))]);
        let problems = ServerConfig::load(&unread).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].key, "server.unknown_fields");
        assert_eq!(problems[0].kind, ProblemKind::Invalid);
        let default = ServerConfig::load(&ConfigSource::from_pairs([])).unwrap();
        assert_eq!(default.unknown_fields, UnknownFields::Reject);
        let accept = ConfigSource::from_pairs([("server.unknown_fields", json!("accept"))]);
        assert_eq!(
            ServerConfig::load(&accept).unwrap().unknown_fields,
            UnknownFields::Accept
        );
    }

    #[test]
    fn all_problems_of_a_section_are_reported_together() {
        let source =
            ConfigSource::from_pairs([("server.port", json!("x")), ("server.workers", json!(0))]);
        let problems = ServerConfig::load(&source).unwrap_err();
        let codes: Vec<&str> = problems.iter().map(|p| p.to_diagnostic().code()).collect();
        assert_eq!(codes, ["EL2002", "EL2003"]);
    }

    #[test]
    fn secrets_are_redacted() {
        let secret = Secret::new("hunter2".to_owned());
        assert_eq!(format!("{secret:?} {secret}"), "[redacted] [redacted]");
        assert_eq!(secret.expose(), "hunter2");
    }
}
