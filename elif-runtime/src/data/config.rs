//! The `[database]` config section.

use crate::config::source::{ConfigSource, FieldSpec};
use crate::config::{ConfigKey, ConfigProblem, ConfigSection, Secret};

/// The `[database]` section. `DATABASE_URL` sets `database.url`.
#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    /// `sqlite://path` or `postgres://user:password@host/db`; default
    /// `sqlite://var/<app-name>.sqlite3`. A secret: it may hold a password.
    pub url: Option<Secret<String>>,
    /// Connections in the pool (default 8).
    pub pool_size: u32,
    /// How long a query waits for a connection before answering 503
    /// (milliseconds, default 2000).
    pub checkout_timeout_ms: u64,
    /// The longest a statement may run before the database cancels it
    /// (milliseconds; PostgreSQL only, as `SET statement_timeout` on each
    /// new connection: SQLite has no such setting). Unset: no limit.
    pub statement_timeout_ms: Option<u64>,
    /// Whether the app applies pending migrations when it starts. Unset:
    /// yes, except in production (deploy with `migrate up` there).
    pub migrate_on_start: Option<bool>,
}

impl DatabaseConfig {
    /// The URL to connect to: the configured one, else the app's SQLite file.
    pub fn url_or_default(&self, app_name: &str) -> crate::Result<String> {
        Ok(match &self.url {
            Some(url) => url.expose().clone(),
            None => format!("sqlite://var/{app_name}.sqlite3"),
        })
    }
}

impl ConfigSection for DatabaseConfig {
    const SECTION: &'static str = "database";

    fn load(source: &ConfigSource) -> Result<Self, Vec<ConfigProblem>> {
        let mut problems = Vec::new();
        let url = source.field(
            "database",
            "url",
            FieldSpec {
                secret: true,
                ..FieldSpec::default()
            },
            &mut problems,
        );
        let pool_size = source.field(
            "database",
            "pool_size",
            FieldSpec {
                default: Some(|| 8),
                validate: Some(|n: &u32| {
                    if *n == 0 {
                        Err("must be at least 1".to_owned())
                    } else {
                        Ok(())
                    }
                }),
                ..FieldSpec::default()
            },
            &mut problems,
        );
        let checkout_timeout_ms = source.field(
            "database",
            "checkout_timeout_ms",
            FieldSpec {
                default: Some(|| 2000),
                ..FieldSpec::default()
            },
            &mut problems,
        );
        let statement_timeout_ms = source.field(
            "database",
            "statement_timeout_ms",
            FieldSpec::default(),
            &mut problems,
        );
        let migrate_on_start = source.field(
            "database",
            "migrate_on_start",
            FieldSpec::default(),
            &mut problems,
        );
        match (
            url,
            pool_size,
            checkout_timeout_ms,
            statement_timeout_ms,
            migrate_on_start,
        ) {
            (
                Some(url),
                Some(pool_size),
                Some(checkout_timeout_ms),
                Some(statement_timeout_ms),
                Some(migrate_on_start),
            ) => Ok(Self {
                url,
                pool_size,
                checkout_timeout_ms,
                statement_timeout_ms,
                migrate_on_start,
            }),
            _ => Err(problems),
        }
    }

    fn keys() -> Vec<ConfigKey> {
        vec![
            ConfigKey {
                key: "database.url".to_owned(),
                rust_type: "Option<Secret<String>>",
                default: None,
                secret: true,
            },
            ConfigKey {
                key: "database.pool_size".to_owned(),
                rust_type: "u32",
                default: Some("8"),
                secret: false,
            },
            ConfigKey {
                key: "database.checkout_timeout_ms".to_owned(),
                rust_type: "u64",
                default: Some("2000"),
                secret: false,
            },
            ConfigKey {
                key: "database.statement_timeout_ms".to_owned(),
                rust_type: "Option<u64>",
                default: None,
                secret: false,
            },
            ConfigKey {
                key: "database.migrate_on_start".to_owned(),
                rust_type: "Option<bool>",
                default: None,
                secret: false,
            },
        ]
    }
}
