//! Cookie sessions with the data on the server: in Redis for production and
//! several instances, in memory for development and tests.
//!
//! A session id is 256 random bits from the OS, sent in a cookie
//! (`HttpOnly`, `SameSite=Lax`, `Path=/`; `Secure` and the `__Host-` prefix
//! outside development and tests) and stored only as its SHA-256 digest, so
//! that what the store holds cannot be replayed as a cookie. A session ends
//! after `idle_timeout_secs` without a request and `absolute_timeout_secs`
//! after it began, whichever comes first; logging in again (or a privilege
//! change) renews its id, and logging out deletes it on the server, so the
//! old cookie answers 401. Times come from the app's [`Clock`].
//!
//! The store answers within `store_timeout_ms` or the request answers 503
//! `SESSION_STORE_UNAVAILABLE` with `Retry-After`; the Redis connection
//! reconnects by itself when Redis returns, without a restart.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use elif::config::{AppConfig, Environment};
use elif::http::{HttpRequest, HttpResponse};
use elif::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::Digest;

/// The `[auth.sessions]` config section.
#[derive(Config, Debug, Clone)]
#[config(section = "auth.sessions")]
pub struct SessionConfig {
    /// `redis` or `memory`. Unset: Redis when `[redis] url` (`REDIS_URL`)
    /// is set, memory otherwise, which production refuses unless chosen
    /// here.
    #[config(validate = known_store)]
    pub store: Option<String>,
    /// Seconds without a request after which a session ends.
    #[config(default = 1800)]
    pub idle_timeout_secs: u64,
    /// Seconds after logging in after which a session ends, however busy.
    #[config(default = 43200)]
    pub absolute_timeout_secs: u64,
    /// The cookie's name; `__Host-` goes before it outside development and
    /// tests.
    #[config(default = "session")]
    pub cookie: String,
    /// The longest a store operation may take before the request answers 503.
    #[config(default = 500)]
    pub store_timeout_ms: u64,
    /// The prefix of the store's keys (default: `<app name>:session:`), so
    /// that apps sharing a Redis keep apart.
    pub key_prefix: Option<String>,
}

// A config validator takes `&T` of the field's type.
fn known_store(store: &Option<String>) -> Result<(), String> {
    match store.as_deref() {
        None | Some("redis" | "memory") => Ok(()),
        Some(other) => Err(format!(
            "`{other}` is not a session store; use `redis` or `memory`"
        )),
    }
}

/// The `[redis]` config section (`REDIS_URL`), elif's own: the rate
/// limits and the sessions read the same one.
pub use elif::redis::RedisConfig;

/// What a session holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionData {
    /// The principal's subject.
    pub subject: String,
    /// When the session began (seconds since the epoch).
    pub started_at: i64,
    /// When it last served a request.
    pub seen_at: i64,
}

/// Why a session does not authenticate a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, DomainError)]
pub enum SessionError {
    /// No session has this id (never had, logged out, or renewed).
    #[problem(
        status = 401,
        code = "SESSION_INVALID",
        message = "the session is not valid",
        hint = "log in again"
    )]
    Invalid,
    /// The session's idle or absolute timeout passed.
    #[problem(
        status = 401,
        code = "SESSION_EXPIRED",
        message = "the session has expired",
        hint = "log in again"
    )]
    Expired,
    /// The store did not answer in time.
    #[problem(
        status = 503,
        code = "SESSION_STORE_UNAVAILABLE",
        message = "sessions cannot be read right now",
        hint = "retry shortly"
    )]
    Unavailable,
}

impl SessionError {
    fn into_error(self) -> Error {
        let error = Error::from(self);
        match self {
            SessionError::Unavailable => error.with_retry_after(1),
            _ => error,
        }
    }
}

/// Where sessions live. Keys are already digests with the app's prefix.
pub trait SessionStore: Send + Sync {
    /// The session stored under `key`.
    fn load<'a>(&'a self, key: &'a str) -> elif::BoxFuture<'a, Result<Option<String>, StoreError>>;
    /// Stores `value` under `key` for `ttl`.
    fn save<'a>(
        &'a self,
        key: &'a str,
        value: String,
        ttl: Duration,
    ) -> elif::BoxFuture<'a, Result<(), StoreError>>;
    /// Deletes `key`.
    fn delete<'a>(&'a self, key: &'a str) -> elif::BoxFuture<'a, Result<(), StoreError>>;
    /// Stores `value` under `key` for `ttl` and returns what was there, in
    /// one step (two callers never both see the old value).
    fn swap<'a>(
        &'a self,
        key: &'a str,
        value: String,
        ttl: Duration,
    ) -> elif::BoxFuture<'a, Result<Option<String>, StoreError>>;
}

/// A store that could not answer.
#[derive(Debug)]
pub struct StoreError(pub String);

/// Sessions in this process's memory: for development and tests, and one
/// instance only. Expired entries are dropped when read, and swept as new
/// ones are written.
pub struct MemoryStore {
    clock: Arc<dyn Clock>,
    entries: Mutex<HashMap<String, (String, i64)>>,
}

impl MemoryStore {
    /// An empty store on `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn now(&self) -> i64 {
        self.clock.now().timestamp()
    }

    /// Now, and when an entry stored now for `ttl` expires.
    fn now_and_expiry(&self, ttl: Duration) -> (i64, i64) {
        let now = self.now();
        let ttl = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
        (now, now.saturating_add(ttl))
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, (String, i64)>> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl SessionStore for MemoryStore {
    fn load<'a>(&'a self, key: &'a str) -> elif::BoxFuture<'a, Result<Option<String>, StoreError>> {
        let now = self.now();
        let mut entries = self.entries();
        let found = match entries.get(key) {
            Some((value, expires)) if *expires > now => Some(value.clone()),
            Some(_) => {
                entries.remove(key);
                None
            }
            None => None,
        };
        Box::pin(std::future::ready(Ok(found)))
    }

    fn save<'a>(
        &'a self,
        key: &'a str,
        value: String,
        ttl: Duration,
    ) -> elif::BoxFuture<'a, Result<(), StoreError>> {
        let (now, expires) = self.now_and_expiry(ttl);
        let mut entries = self.entries();
        entries.retain(|_, (_, at)| *at > now);
        entries.insert(key.to_owned(), (value, expires));
        Box::pin(std::future::ready(Ok(())))
    }

    fn delete<'a>(&'a self, key: &'a str) -> elif::BoxFuture<'a, Result<(), StoreError>> {
        self.entries().remove(key);
        Box::pin(std::future::ready(Ok(())))
    }

    fn swap<'a>(
        &'a self,
        key: &'a str,
        value: String,
        ttl: Duration,
    ) -> elif::BoxFuture<'a, Result<Option<String>, StoreError>> {
        let (now, expires) = self.now_and_expiry(ttl);
        let old = self
            .entries()
            .insert(key.to_owned(), (value, expires))
            .filter(|(_, at)| *at > now)
            .map(|(old, _)| old);
        Box::pin(std::future::ready(Ok(old)))
    }
}

/// Sessions in Redis, through elif's connection to it (one connection
/// that reconnects by itself, every command bounded by its timeout).
pub struct RedisStore {
    redis: elif::redis::Redis,
}

impl RedisStore {
    /// Connects to `url`, waiting at most `timeout` for each attempt.
    pub async fn connect(url: &str, timeout: Duration) -> Result<Self, StoreError> {
        let redis = elif::redis::Redis::new(url, timeout).map_err(|e| StoreError(e.0))?;
        redis.connection().await.map_err(|e| StoreError(e.0))?;
        Ok(Self { redis })
    }

    /// Runs `command` on the shared connection.
    fn query<'a, T: redis::FromRedisValue + Send + 'a>(
        &'a self,
        command: redis::Cmd,
    ) -> elif::BoxFuture<'a, Result<T, StoreError>> {
        Box::pin(async move {
            self.redis
                .query::<T>(&command)
                .await
                .map_err(|e| StoreError(e.0))
        })
    }
}

/// `SET key value EX ttl` (at least a second), and its further arguments.
fn set_ex(key: &str, value: String, ttl: Duration) -> redis::Cmd {
    let mut command = redis::cmd("SET");
    command
        .arg(key)
        .arg(value)
        .arg("EX")
        .arg(ttl.as_secs().max(1));
    command
}

impl SessionStore for RedisStore {
    fn load<'a>(&'a self, key: &'a str) -> elif::BoxFuture<'a, Result<Option<String>, StoreError>> {
        let mut command = redis::cmd("GET");
        command.arg(key);
        self.query(command)
    }

    fn save<'a>(
        &'a self,
        key: &'a str,
        value: String,
        ttl: Duration,
    ) -> elif::BoxFuture<'a, Result<(), StoreError>> {
        self.query(set_ex(key, value, ttl))
    }

    fn delete<'a>(&'a self, key: &'a str) -> elif::BoxFuture<'a, Result<(), StoreError>> {
        let mut command = redis::cmd("DEL");
        command.arg(key);
        self.query(command)
    }

    fn swap<'a>(
        &'a self,
        key: &'a str,
        value: String,
        ttl: Duration,
    ) -> elif::BoxFuture<'a, Result<Option<String>, StoreError>> {
        // `SET .. GET` (Redis 6.2): the old value, atomically.
        let mut command = set_ex(key, value, ttl);
        command.arg("GET");
        self.query(command)
    }
}

/// A `Set-Cookie` value to send with a response: a new session's id, or
/// the removal of an ended one.
#[derive(Clone)]
pub struct SessionCookie {
    header: String,
    /// The CSRF token's cookie (`XSRF-TOKEN`), set with a new session and
    /// removed with an ended one.
    xsrf: String,
}

impl SessionCookie {
    /// The `Set-Cookie` header's value.
    pub fn header_value(&self) -> &str {
        &self.header
    }

    /// The `name=value` pair a client sends back in its `Cookie` header.
    pub fn pair(&self) -> &str {
        self.header.split(';').next().unwrap_or_default()
    }

    /// The `Set-Cookie` value of the CSRF token's cookie (`XSRF-TOKEN`).
    pub fn xsrf_header_value(&self) -> &str {
        &self.xsrf
    }

    /// The CSRF token a page sends back in `X-XSRF-TOKEN` (empty for an
    /// ended session).
    pub fn xsrf_token(&self) -> &str {
        self.xsrf
            .split(';')
            .next()
            .and_then(|pair| pair.split_once('='))
            .map_or("", |(_, token)| token)
    }

    /// `response` with the session and CSRF cookies set, and
    /// `Cache-Control: no-store` (a response that carries credentials is
    /// never cached).
    pub fn apply(&self, mut response: HttpResponse) -> HttpResponse {
        use elif::http::header;
        for cookie in [&self.header, &self.xsrf] {
            if let Ok(value) = header::HeaderValue::from_str(cookie) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
        }
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
        response
    }
}

impl fmt::Debug for SessionCookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionCookie([redacted])")
    }
}

/// Starts, checks and ends sessions (injectable: `Inject<Sessions>`).
pub struct Sessions {
    store: Arc<dyn SessionStore>,
    clock: Arc<dyn Clock>,
    cookie: String,
    secure: bool,
    prefix: String,
    idle: i64,
    absolute: i64,
    timeout: Duration,
    kind: &'static str,
    enabled: bool,
}

impl fmt::Debug for Sessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sessions")
            .field("store", &self.kind)
            .field("cookie", &self.cookie)
            .finish_non_exhaustive()
    }
}

fn config_error(detail: impl Into<String>, hint: &'static str) -> Error {
    Error::new(500, "AUTH_SESSION_CONFIG", detail.into())
        .with_hint(hint)
        .with_entry(&crate::catalogue::EL5002)
}

impl Sessions {
    /// The sessions of an app in mode `env` named `app`, configured by
    /// `config` and `redis`, on `clock`. Production without Redis is an
    /// error unless the memory store is chosen explicitly.
    /// Sessions that `enabled` is false for (no `session` mechanism) stay
    /// in memory, so that an app without them needs no Redis.
    pub async fn new(
        config: &SessionConfig,
        redis: &RedisConfig,
        app: &AppConfig,
        clock: Arc<dyn Clock>,
        enabled: bool,
    ) -> elif::Result<Self> {
        let timeout = Duration::from_millis(config.store_timeout_ms.max(1));
        let store_name = match (&config.store, &redis.url) {
            _ if !enabled => "memory",
            (Some(store), _) => store.as_str(),
            (None, Some(_)) => "redis",
            (None, None) if app.env == Environment::Production => {
                return Err(config_error(
                    "sessions in production need Redis: `REDIS_URL` is not set",
                    "set REDIS_URL (sessions are shared by every instance), or choose `[auth.sessions] store = \"memory\"` for a single instance that forgets its sessions on restart",
                ));
            }
            (None, None) => "memory",
        };
        let (store, kind): (Arc<dyn SessionStore>, &'static str) = match store_name {
            "redis" => {
                let url = redis.url.as_ref().ok_or_else(|| {
                    config_error(
                        "`[auth.sessions] store = \"redis\"` but `REDIS_URL` is not set",
                        "set REDIS_URL (`redis://127.0.0.1:6379`)",
                    )
                })?;
                let store = RedisStore::connect(url.expose(), timeout)
                    .await
                    .map_err(|e| {
                        config_error(
                            format!("Redis does not answer at boot: {}", e.0),
                            "start Redis, or check REDIS_URL",
                        )
                    })?;
                (Arc::new(store), "redis")
            }
            _ => (Arc::new(MemoryStore::new(clock.clone())), "memory"),
        };
        let development = matches!(app.env, Environment::Development | Environment::Test);
        let app_name = app.app_name();
        Ok(Self {
            store,
            clock,
            cookie: if development {
                config.cookie.clone()
            } else {
                format!("__Host-{}", config.cookie)
            },
            secure: !development,
            prefix: config
                .key_prefix
                .clone()
                .unwrap_or_else(|| format!("{app_name}:session:")),
            idle: i64::try_from(config.idle_timeout_secs).unwrap_or(i64::MAX),
            absolute: i64::try_from(config.absolute_timeout_secs).unwrap_or(i64::MAX),
            timeout,
            kind,
            enabled,
        })
    }

    /// The store's kind: `redis` or `memory`.
    pub fn store_kind(&self) -> &'static str {
        self.kind
    }

    /// The cookie's name.
    pub fn cookie_name(&self) -> &str {
        &self.cookie
    }

    /// Starts a session for `subject`. The session `request` carried, if
    /// any, ends: a new id on every login (no fixation).
    pub async fn start(&self, subject: &str, request: &HttpRequest) -> elif::Result<SessionCookie> {
        if let Some(old) = self.id_of(request) {
            self.run(self.store.delete(&self.key(&old))).await?;
        }
        self.begin(subject).await
    }

    /// A new session for `subject`, outside a request (tests acting as a
    /// user, a command): its `Cookie` pair is `cookie.header_value()`'s
    /// first part.
    pub async fn begin(&self, subject: &str) -> elif::Result<SessionCookie> {
        let id = session_id();
        let now = self.clock.now().timestamp();
        let data = SessionData {
            subject: subject.to_owned(),
            started_at: now,
            seen_at: now,
        };
        self.save(&id, &data).await?;
        tracing::info!(target: "elif_auth::security", event = "session.started", "session started");
        Ok(self.cookie_with(&id, None))
    }

    /// Ends the session `request` carries, on the server: its cookie
    /// answers 401 from now on, on every instance.
    pub async fn end(&self, request: &HttpRequest) -> elif::Result<SessionCookie> {
        if let Some(id) = self.id_of(request) {
            self.run(self.store.delete(&self.key(&id))).await?;
            tracing::info!(target: "elif_auth::security", event = "session.ended", "session ended");
        }
        Ok(self.cookie_with("", Some(0)))
    }

    /// A CSRF token for the session `request` carries (what the
    /// `XSRF-TOKEN` cookie holds), if it carries one.
    pub fn csrf_token(&self, request: &HttpRequest) -> Option<String> {
        self.id_of(request).map(|id| crate::csrf::token_for(&id))
    }

    /// The `Set-Cookie` value of a CSRF token cookie holding `token`.
    pub fn csrf_cookie(&self, token: &str) -> String {
        crate::csrf::cookie(token, self.secure, None)
    }

    /// The session id in `request`'s cookie, if there is one.
    pub fn id_of(&self, request: &HttpRequest) -> Option<String> {
        crate::csrf::cookie_value(request, &self.cookie)
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
    }

    /// The subject of session `id`, if it is valid; it counts as activity
    /// (the idle timeout starts again).
    pub async fn verify(&self, id: &str) -> elif::Result<String> {
        let key = self.key(id);
        let stored = self.run(self.store.load(&key)).await?;
        let data: SessionData = stored
            .and_then(|text| serde_json::from_str(&text).ok())
            .ok_or_else(|| SessionError::Invalid.into_error())?;
        let now = self.clock.now().timestamp();
        if now.saturating_sub(data.seen_at) > self.idle
            || now.saturating_sub(data.started_at) > self.absolute
        {
            self.run(self.store.delete(&key)).await?;
            return Err(SessionError::Expired.into_error());
        }
        let subject = data.subject.clone();
        self.save_at(
            &key,
            &SessionData {
                seen_at: now,
                ..data
            },
        )
        .await?;
        Ok(subject)
    }

    /// Stores `data` under `id` until the sooner of its timeouts, and a
    /// minute more, so that a request just after one answers
    /// `SESSION_EXPIRED` rather than `SESSION_INVALID`.
    async fn save(&self, id: &str, data: &SessionData) -> elif::Result<()> {
        self.save_at(&self.key(id), data).await
    }

    /// As [`Sessions::save`], under the store's `key`.
    async fn save_at(&self, key: &str, data: &SessionData) -> elif::Result<()> {
        let now = self.clock.now().timestamp();
        let left = (data.started_at.saturating_add(self.absolute) - now).min(self.idle);
        let ttl = Duration::from_secs(u64::try_from(left.max(0) + 60).unwrap_or(60));
        let text = serde_json::to_string(data).map_err(|e| Error::internal(e.to_string()))?;
        self.run(self.store.save(key, text, ttl)).await
    }

    /// The value under the app's prefix and `name` (`refresh:..`).
    pub(crate) async fn get_named(&self, name: &str) -> elif::Result<Option<String>> {
        let key = format!("{}{name}", self.prefix);
        self.run(self.store.load(&key)).await
    }

    /// Stores `value` under the app's prefix and `name` for `ttl`.
    pub(crate) async fn put_named(
        &self,
        name: &str,
        value: String,
        ttl: Duration,
    ) -> elif::Result<()> {
        let key = format!("{}{name}", self.prefix);
        self.run(self.store.save(&key, value, ttl)).await
    }

    /// As [`SessionStore::swap`], under the app's prefix and `name`.
    pub(crate) async fn swap_named(
        &self,
        name: &str,
        value: String,
        ttl: Duration,
    ) -> elif::Result<Option<String>> {
        let key = format!("{}{name}", self.prefix);
        self.run(self.store.swap(&key, value, ttl)).await
    }

    /// Whether the store is shared by every instance (Redis), or the
    /// memory store was chosen: where refresh tokens and revoked tokens
    /// may live.
    pub(crate) fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// Runs a store operation within the timeout: 503 otherwise.
    async fn run<T>(
        &self,
        operation: elif::BoxFuture<'_, Result<T, StoreError>>,
    ) -> elif::Result<T> {
        match tokio::time::timeout(self.timeout, operation).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(StoreError(detail))) => {
                tracing::warn!(target: "elif_auth::security", store = self.kind, "session store failed: {detail}");
                Err(SessionError::Unavailable.into_error())
            }
            Err(_) => {
                tracing::warn!(target: "elif_auth::security", store = self.kind, "session store timed out");
                Err(SessionError::Unavailable.into_error())
            }
        }
    }

    /// The store's key of session `id`: the app's prefix and the id's digest.
    fn key(&self, id: &str) -> String {
        let mut key = String::with_capacity(self.prefix.len() + 64);
        key.push_str(&self.prefix);
        push_digest(&mut key, id);
        key
    }

    /// The `Set-Cookie` value for `value` (`max_age`: `Some(0)` removes it).
    fn cookie_with(&self, value: &str, max_age: Option<i64>) -> SessionCookie {
        let mut header = format!("{}={value}; Path=/; HttpOnly; SameSite=Lax", self.cookie);
        if self.secure {
            header.push_str("; Secure");
        }
        if let Some(age) = max_age {
            header.push_str(&format!("; Max-Age={age}"));
        }
        let token = if value.is_empty() {
            String::new()
        } else {
            crate::csrf::token_for(value)
        };
        SessionCookie {
            header,
            xsrf: crate::csrf::cookie(&token, self.secure, max_age),
        }
    }
}

/// Appends the SHA-256 of `text` to `out`, in hex.
pub(crate) fn push_digest(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for byte in sha2::Sha256::digest(text.as_bytes()) {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
}

/// 256 random bits from the OS, base64url.
pub(crate) fn session_id() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    argon2::password_hash::rand_core::RngCore::fill_bytes(
        &mut argon2::password_hash::rand_core::OsRng,
        &mut bytes,
    );
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_256_bits_and_never_repeat() {
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| session_id()).collect();
        assert_eq!(ids.len(), 1000);
        assert!(ids.iter().all(|id| id.len() == 43), "32 bytes in base64url");
    }
}
