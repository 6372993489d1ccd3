//! The Redis connection: the `[redis]` config section (`REDIS_URL`) and one
//! connection that reconnects by itself, bounded in time. Rate limits
//! shared across instances use it; packages (elif-auth's sessions) read the
//! same section.
//!
//! The connection is made on first use, not at boot: an app whose Redis is
//! away starts, and each use answers within the timeout (the caller's
//! policy decides what a failure means) until Redis returns.

use std::time::Duration;

use crate::config::source::{ConfigSource, FieldSpec};
use crate::config::{ConfigKey, ConfigProblem, ConfigSection, Secret};

/// The `[redis]` section.
#[derive(Debug, Clone)]
pub struct RedisConfig {
    /// `redis://host:port/db` (`REDIS_URL`); unset: no Redis.
    pub url: Option<Secret<String>>,
    /// Milliseconds a command may take, connecting included (default 200).
    pub timeout_ms: u64,
}

impl ConfigSection for RedisConfig {
    const SECTION: &'static str = "redis";

    fn load(source: &ConfigSource) -> Result<Self, Vec<ConfigProblem>> {
        let mut problems = Vec::new();
        let url: Option<Option<Secret<String>>> = source.field(
            "redis",
            "url",
            FieldSpec {
                secret: true,
                validate: Some(|url: &Option<Secret<String>>| match url {
                    Some(url)
                        if !url.expose().starts_with("redis://")
                            && !url.expose().starts_with("rediss://") =>
                    {
                        Err(
                            "a Redis URL starts with `redis://` (or `rediss://` for TLS)"
                                .to_owned(),
                        )
                    }
                    _ => Ok(()),
                }),
                ..FieldSpec::default()
            },
            &mut problems,
        );
        let timeout_ms = source.field(
            "redis",
            "timeout_ms",
            FieldSpec {
                default: Some(|| 200),
                validate: Some(|ms: &u64| match ms {
                    0 => Err("must be at least 1 ms".to_owned()),
                    _ => Ok(()),
                }),
                ..FieldSpec::default()
            },
            &mut problems,
        );
        match (url, timeout_ms) {
            (Some(url), Some(timeout_ms)) => Ok(Self { url, timeout_ms }),
            _ => Err(problems),
        }
    }

    fn keys() -> Vec<ConfigKey> {
        vec![
            ConfigKey {
                key: "redis.url".to_owned(),
                rust_type: "Option<Secret<String>>",
                default: None,
                secret: true,
            },
            ConfigKey {
                key: "redis.timeout_ms".to_owned(),
                rust_type: "u64",
                default: Some("200"),
                secret: false,
            },
        ]
    }
}

/// Why a Redis command did not answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisError(pub String);

impl std::fmt::Display for RedisError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One Redis connection, made on first use and remade by itself after a
/// failure; every command answers within the timeout.
pub struct Redis {
    client: ::redis::Client,
    timeout: Duration,
    connection: tokio::sync::OnceCell<::redis::aio::ConnectionManager>,
}

impl std::fmt::Debug for Redis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redis")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Redis {
    /// A handle on `url`; nothing is connected yet.
    pub fn new(url: &str, timeout: Duration) -> Result<Self, RedisError> {
        let client = ::redis::Client::open(url).map_err(|e| RedisError(e.to_string()))?;
        Ok(Self {
            client,
            timeout,
            connection: tokio::sync::OnceCell::new(),
        })
    }

    /// The handle the config names, if it names one.
    pub fn from_config(config: &RedisConfig) -> Result<Option<Self>, RedisError> {
        config
            .url
            .as_ref()
            .map(|url| Self::new(url.expose(), Duration::from_millis(config.timeout_ms)))
            .transpose()
    }

    /// The timeout of each command.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The shared connection (made now if it is not yet), within the timeout.
    pub async fn connection(&self) -> Result<::redis::aio::ConnectionManager, RedisError> {
        // Made once: later commands take it without a timer.
        if let Some(connection) = self.connection.get() {
            return Ok(connection.clone());
        }
        let connect = self.connection.get_or_try_init(|| async {
            let config = ::redis::aio::ConnectionManagerConfig::new()
                .set_connection_timeout(Some(self.timeout))
                .set_response_timeout(Some(self.timeout))
                .set_number_of_retries(1)
                .set_max_delay(Duration::from_millis(500));
            ::redis::aio::ConnectionManager::new_with_config(self.client.clone(), config)
                .await
                .map_err(|e| RedisError(e.to_string()))
        });
        match tokio::time::timeout(self.timeout, connect).await {
            Ok(connected) => connected.cloned(),
            Err(_) => Err(RedisError(format!(
                "Redis did not answer within {} ms",
                self.timeout.as_millis()
            ))),
        }
    }

    /// Runs `command`, within the timeout (the connection's own response
    /// timeout: no timer of elif's per command).
    pub async fn query<T: ::redis::FromRedisValue>(
        &self,
        command: &::redis::Cmd,
    ) -> Result<T, RedisError> {
        let mut connection = self.connection().await?;
        command
            .query_async::<T>(&mut connection)
            .await
            .map_err(|e| RedisError(e.to_string()))
    }

    /// Runs `script` (by its digest, loading it when Redis does not know
    /// it yet), within the timeout.
    pub async fn run_script<T: ::redis::FromRedisValue>(
        &self,
        invocation: &::redis::ScriptInvocation<'_>,
    ) -> Result<T, RedisError> {
        let mut connection = self.connection().await?;
        invocation
            .invoke_async::<T>(&mut connection)
            .await
            .map_err(|e| RedisError(e.to_string()))
    }
}
