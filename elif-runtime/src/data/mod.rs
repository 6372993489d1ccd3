//! The database: SQLite by default (embedded, a file under `var/`), or
//! PostgreSQL when `DATABASE_URL` says so, chosen at start-up (not by a cargo
//! feature), pooled, and never run on an actix worker thread (PostgreSQL is
//! asynchronous; SQLite runs on tokio's blocking pool).
//!
//! Import [`DataModule`] to get an injectable [`Database`]; run diesel
//! queries on whichever backend is live with [`with_connection!`](crate::with_connection):
//!
//! ```text
//! let mut conn = db.connection().await?;          // 503 problem+json if none within the timeout
//! let rows: Vec<Row> = elif::with_connection!(conn, |c| {
//!     diesel::sql_query("SELECT id, title FROM posts").load::<Row>(c).await
//! })?;
//! ```
//!
//! Migrations (`elif::migrations!()`, [`Migrations`]) are applied by the
//! app's `migrate` command, and at start outside production.
//!
//! See `plan/DATA.md` for the design and what comes next (`#[model]`,
//! repositories).

mod aggregate;
mod clock;
mod config;
pub(crate) mod drift;
mod errors;
pub mod factory;
pub(crate) mod migrate;
mod model;
mod module;
mod predicate;
mod relations;
mod repository;
pub mod schema;
pub(crate) mod seed;
pub mod sql;
pub(crate) mod test_database;
mod transaction;
mod types;

use std::time::Duration;

use diesel::sqlite::SqliteConnection;
use diesel_async::pooled_connection::bb8::{Pool, PooledConnection};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, PoolError};

use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::throttle::Throttled;

use diesel::connection::{Instrumentation, InstrumentationEvent};

/// The column a repository sets on every update, when the model has it.
pub(crate) const UPDATED_AT: &str = "updated_at";

pub use aggregate::{CountOver, Extremum, Locked, Summable, count_grouped, load_linked};
/// chrono, for dates and times (`elif::data::chrono::NaiveDate`).
pub use chrono;
pub use clock::{Clock, SystemClock, TestClock};
pub use config::DatabaseConfig;
pub use factory::{Factory, Fakeable};
pub use migrate::{Migration, MigrationSql, MigrationState, MigrationStatus, Migrations};
pub use model::{
    BackendClauses, Column, Criteria, FieldInfo, Model, ModelInfo, ModelRegistration, RelationInfo,
    SqlType, UniqueColumn, Upsert, models, models_of,
};
pub use module::DataModule;
pub use predicate::{
    MAX_BOUND_KEYS, Predicate, SharedPredicate, Where, exists_direct, exists_in_self,
    exists_through,
};
pub use relations::{
    AssignFn, ConditionFn, CountFn, FlagFn, FromOwner, KeyOf, Load, LoadFn, Related, Relation,
    distinct,
};
pub use repository::{Repository, build_repository, depends_on_database, repository_dependencies};
pub use seed::Seeder;
pub use transaction::Transactional;
pub use types::{Document, Timestamp, Uuid};
/// diesel and diesel-async, for queries (`elif::data::diesel::sql_query`).
pub use {diesel, diesel_async};

use crate::error::Error;

/// An SQLite connection made asynchronous: its work runs on tokio's
/// blocking pool.
pub type SqliteAsync = SyncConnectionWrapper<SqliteConnection>;

/// Which database the app runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite (the default).
    Sqlite,
    /// PostgreSQL (`postgres://...`).
    Postgres,
}

/// The app's database: a pool of connections to the backend the URL names.
pub struct Database {
    /// Replaced once after boot (see [`Database::renew_pool`]).
    pool: std::sync::RwLock<Pools>,
    /// What the pool is rebuilt from.
    config: DatabaseConfig,
    url: String,
    backend: Backend,
    checkout_timeout: Duration,
    /// Tells this database's ambient transaction from another's.
    id: u64,
    /// Statements started on this database's connections.
    queries: Arc<AtomicU64>,
    /// Failed checkouts, logged once per interval with their count.
    unavailable: Arc<Throttled>,
}

/// Logs a failed checkout: the first at once, then, while they go on, one
/// line per interval with their count (under overload every request fails
/// its checkout).
fn log_unavailable(throttled: &Arc<Throttled>, backend: Backend, reason: &str) {
    let interval = crate::throttle::INTERVAL.as_secs();
    crate::throttle::log(
        throttled,
        || {
            tracing::warn!(
                ?backend,
                "no database connection: {reason} (while checkouts keep failing, one line every {interval} s counts them)"
            )
        },
        move |failed| {
            tracing::warn!(
                ?backend,
                failed,
                "no database connection: {failed} failed checkouts in the last {interval} s"
            )
        },
    );
}

#[derive(Clone)]
enum Pools {
    Sqlite(Pool<SqliteAsync>),
    Postgres(Pool<AsyncPgConnection>),
}

/// A pooled connection on either backend, returned to the pool when
/// dropped. Use it with [`with_connection!`](crate::with_connection) to run one diesel query text
/// on whichever backend it is.
pub enum Connection {
    /// On SQLite.
    Sqlite(PooledConnection<'static, SqliteAsync>),
    /// On PostgreSQL (boxed: the connection is large, and a checkout costs
    /// a network round trip anyway).
    Postgres(Box<PooledConnection<'static, AsyncPgConnection>>),
}

/// What [`Database::connection`] gives: a connection of the pool, or,
/// inside [`Database::transaction`], the transaction's own (so that raw
/// queries take part in it). Dereferences to [`Connection`].
pub struct ConnectionGuard(Guard);

enum Guard {
    Pooled(Connection),
    Transaction(tokio::sync::OwnedMutexGuard<Connection>),
}

impl std::ops::Deref for ConnectionGuard {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        match &self.0 {
            Guard::Pooled(c) => c,
            Guard::Transaction(c) => c,
        }
    }
}

impl std::ops::DerefMut for ConnectionGuard {
    fn deref_mut(&mut self) -> &mut Connection {
        match &mut self.0 {
            Guard::Pooled(c) => c,
            Guard::Transaction(c) => c,
        }
    }
}

/// Anything [`with_connection!`](crate::with_connection) can run on: a [`Connection`], or what
/// dereferences to one (a [`ConnectionGuard`], `&mut Connection`).
pub trait AsConnection {
    /// The connection.
    fn as_connection(&mut self) -> &mut Connection;
}

impl AsConnection for Connection {
    fn as_connection(&mut self) -> &mut Connection {
        self
    }
}

impl<T: std::ops::DerefMut<Target = Connection>> AsConnection for T {
    fn as_connection(&mut self) -> &mut Connection {
        self
    }
}

/// Runs `body` with `c` bound to the live connection, whichever backend it
/// is: write a diesel query once, it is compiled for both.
///
/// `with_connection!(conn, |c| diesel::sql_query("SELECT 1").execute(c).await)`
///
/// The form `|c, DB|` also names the backend's diesel type, for queries
/// that need it (`posts::table.into_boxed::<DB>()`).
#[macro_export]
macro_rules! with_connection {
    ($connection:expr, |$c:ident, $backend:ident| $body:expr) => {
        match $crate::data::AsConnection::as_connection(&mut $connection) {
            $crate::data::Connection::Sqlite(pooled) => {
                #[allow(dead_code)]
                type $backend = $crate::data::diesel::sqlite::Sqlite;
                #[allow(unused_imports)]
                use $crate::data::diesel_async::RunQueryDsl as _;
                let $c = &mut **pooled;
                $body
            }
            $crate::data::Connection::Postgres(pooled) => {
                #[allow(dead_code)]
                type $backend = $crate::data::diesel::pg::Pg;
                #[allow(unused_imports)]
                use $crate::data::diesel_async::RunQueryDsl as _;
                let $c = &mut ***pooled;
                $body
            }
        }
    };
    ($connection:expr, |$c:ident| $body:expr) => {
        match $crate::data::AsConnection::as_connection(&mut $connection) {
            $crate::data::Connection::Sqlite(pooled) => {
                #[allow(unused_imports)]
                use $crate::data::diesel_async::RunQueryDsl as _;
                let $c = &mut **pooled;
                $body
            }
            $crate::data::Connection::Postgres(pooled) => {
                #[allow(unused_imports)]
                use $crate::data::diesel_async::RunQueryDsl as _;
                let $c = &mut ***pooled;
                $body
            }
        }
    };
}

impl Database {
    /// A pool for `config`; `app_name` names the default SQLite file
    /// (`var/<app_name>.sqlite3`, its directory created). Connections are
    /// made on first use: an unreachable database makes the app unready
    /// and its queries answer 503, it does not stop the boot.
    pub fn connect(config: &DatabaseConfig, app_name: &str) -> crate::Result<Self> {
        let url = config.url_or_default(app_name)?;
        let checkout_timeout = Duration::from_millis(config.checkout_timeout_ms);
        let queries = Arc::new(AtomicU64::new(0));
        let (pool, backend) = make_pool(config, &url, &queries)?;
        static IDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        Ok(Self {
            pool: std::sync::RwLock::new(pool),
            config: config.clone(),
            url,
            backend,
            checkout_timeout,
            id: IDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            queries,
            unavailable: Arc::new(Throttled::new()),
        })
    }

    /// Replaces the pool with an empty one. The app calls it once, after
    /// boot: PostgreSQL connections made during boot (migrations, the
    /// schema check, `on_init` hooks) have their I/O task on the main
    /// runtime, so every query a worker ran on them would hop threads twice.
    /// A fresh pool connects from the workers, on first use.
    pub(crate) fn renew_pool(&self) {
        if self.backend != Backend::Postgres {
            return;
        }
        match make_pool(&self.config, &self.url, &self.queries) {
            Ok((pool, _)) => {
                *self
                    .pool
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = pool;
            }
            Err(error) => tracing::warn!("keeping the boot-time pool: {}", error.detail()),
        }
    }
}

/// A pool for `url`, of `config`'s size and timeouts, connecting on first use.
fn make_pool(
    config: &DatabaseConfig,
    url: &str,
    queries: &Arc<AtomicU64>,
) -> crate::Result<(Pools, Backend)> {
    let (pool, backend) = if let Some(path) = sqlite_path(url) {
        if let Some(dir) = std::path::Path::new(path).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::internal(format!("cannot create {}: {e}", dir.display())))?;
        }
        let manager = AsyncDieselConnectionManager::<SqliteAsync>::new(path);
        // No `SELECT 1` at each checkout (bb8's default): an SQLite
        // connection is a handle on a local file, it is not dropped like a
        // network connection, and the check cost a blocking-pool round trip
        // per checkout. It also made an overloaded app panic: when bb8's
        // checkout timeout cancelled a checkout while the check ran,
        // diesel-async's cancel guard called `block_in_place`, which panics
        // on actix-web's single-threaded workers. A connection left broken
        // is still discarded when it is returned (`has_broken`).
        let builder = builder(config)
            .test_on_check_out(false)
            .connection_customizer(Box::new(SqliteSetup {
                busy_timeout_ms: config.checkout_timeout_ms,
                queries: queries.clone(),
            }));
        (
            Pools::Sqlite(builder.build_unchecked(manager)),
            Backend::Sqlite,
        )
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new(url.to_owned());
        let builder = builder(config).connection_customizer(Box::new(PostgresSetup {
            statement_timeout_ms: config.statement_timeout_ms,
            queries: queries.clone(),
        }));
        (
            Pools::Postgres(builder.build_unchecked(manager)),
            Backend::Postgres,
        )
    } else {
        return Err(
            Error::internal("database.url must start with `sqlite://` or `postgres://`").with_hint(
                "set DATABASE_URL, e.g. sqlite://var/app.sqlite3 or postgres://user@host/db",
            ),
        );
    };
    Ok((pool, backend))
}

impl Database {
    /// Which backend the app runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// How many statements this database's connections have started since
    /// the pool was made: read it before and after some work to count its
    /// queries (a test that there is no N+1).
    pub fn query_count(&self) -> u64 {
        self.queries.load(Ordering::Relaxed)
    }

    /// A connection: inside [`Database::transaction`], the transaction's;
    /// otherwise one from the pool. When none can be had within the
    /// checkout timeout (the database is down, or every connection is
    /// busy), a 503 problem (`DATABASE_UNAVAILABLE`) that tells the client
    /// to retry.
    pub async fn connection(&self) -> crate::Result<ConnectionGuard> {
        if let Some(shared) = transaction::ambient(self) {
            return transaction::lock(shared).map(|c| ConnectionGuard(Guard::Transaction(c)));
        }
        self.pooled()
            .await
            .map(|c| ConnectionGuard(Guard::Pooled(c)))
    }

    /// A connection from the pool, whatever transaction is open.
    async fn pooled(&self) -> crate::Result<Connection> {
        let pool = self
            .pool
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let result = match &pool {
            Pools::Sqlite(pool) => pool
                .get_owned()
                .await
                .map(Connection::Sqlite)
                .map_err(|e| e.to_string()),
            Pools::Postgres(pool) => pool
                .get_owned()
                .await
                .map(|pooled| Connection::Postgres(Box::new(pooled)))
                .map_err(|e| e.to_string()),
        };
        result.map_err(|reason| {
            log_unavailable(&self.unavailable, self.backend, &reason);
            Error::framework(
                &elif_catalogue::EL3008,
                format!(
                    "no database connection within {} ms",
                    self.checkout_timeout.as_millis()
                ),
            )
            .with_hint(elif_catalogue::EL3008.hint)
        })
    }

    /// Whether the database answers a trivial statement (readiness).
    pub async fn ping(&self) -> crate::Result<()> {
        let mut connection = self.connection().await?;
        with_connection!(connection, |c| c.batch_execute("SELECT 1").await)
            .map_err(|e| Error::internal(format!("database ping failed: {e}")))
    }
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password: not shown.
        f.debug_struct("Database")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

/// A pool builder of `config`'s size and checkout timeout; the pool it
/// builds (unchecked) connects on first use.
fn builder<M: bb8::ManageConnection>(config: &DatabaseConfig) -> bb8::Builder<M> {
    bb8::Pool::builder()
        .max_size(config.pool_size)
        .connection_timeout(Duration::from_millis(config.checkout_timeout_ms))
}

/// Counts the statements a connection starts into `queries`.
fn count_queries(queries: &Arc<AtomicU64>) -> impl Instrumentation + use<> {
    let queries = queries.clone();
    move |event: InstrumentationEvent<'_>| {
        if matches!(event, InstrumentationEvent::StartQuery { .. }) {
            queries.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Sets up each new SQLite connection: foreign keys enforced (SQLite
/// leaves them off), writers wait for each other instead of failing with
/// "database is locked", the write-ahead log lets readers run beside a
/// writer; then its statements are counted.
#[derive(Debug)]
struct SqliteSetup {
    busy_timeout_ms: u64,
    queries: Arc<AtomicU64>,
}

impl bb8::CustomizeConnection<SqliteAsync, PoolError> for SqliteSetup {
    fn on_acquire<'a>(
        &'a self,
        connection: &'a mut SqliteAsync,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<(), PoolError>> + Send + 'a>> {
        Box::pin(async move {
            connection
                .batch_execute(&format!(
                    "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {}; \
                     PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
                    self.busy_timeout_ms
                ))
                .await
                .map_err(PoolError::QueryError)?;
            connection.set_instrumentation(count_queries(&self.queries));
            Ok(())
        })
    }
}

/// Sets PostgreSQL's `statement_timeout` on each new connection, if
/// configured; then its statements are counted.
#[derive(Debug)]
struct PostgresSetup {
    statement_timeout_ms: Option<u64>,
    queries: Arc<AtomicU64>,
}

impl bb8::CustomizeConnection<AsyncPgConnection, PoolError> for PostgresSetup {
    fn on_acquire<'a>(
        &'a self,
        connection: &'a mut AsyncPgConnection,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<(), PoolError>> + Send + 'a>> {
        Box::pin(async move {
            if let Some(ms) = self.statement_timeout_ms {
                connection
                    .batch_execute(&format!("SET statement_timeout = {ms}"))
                    .await
                    .map_err(PoolError::QueryError)?;
            }
            connection.set_instrumentation(count_queries(&self.queries));
            Ok(())
        })
    }
}

/// The file of an `sqlite://` URL (`sqlite://var/app.sqlite3`,
/// `sqlite:///abs/path.sqlite3`, `sqlite::memory:`).
fn sqlite_path(url: &str) -> Option<&str> {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
}

#[cfg(test)]
mod tests {
    use super::sqlite_path;

    #[test]
    fn sqlite_urls_name_a_file() {
        assert_eq!(
            sqlite_path("sqlite://var/blog.sqlite3"),
            Some("var/blog.sqlite3")
        );
        assert_eq!(
            sqlite_path("sqlite:///tmp/x.sqlite3"),
            Some("/tmp/x.sqlite3")
        );
        assert_eq!(sqlite_path("sqlite::memory:"), Some(":memory:"));
        assert_eq!(sqlite_path("postgres://localhost/db"), None);
    }
}
