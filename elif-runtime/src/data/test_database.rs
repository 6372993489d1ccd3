//! A database of one test's own: the data layer's test fixture, used by
//! its own tests and, through `elif::testing`, by apps' tests.

use crate::data::Backend;

/// A database of one test's own, on either backend, so tests run in
/// parallel: an SQLite file under the system's temporary directory, or a
/// schema on the PostgreSQL service (`ELIF_TEST_POSTGRES`, default
/// `postgres://postgres@127.0.0.1:5432/test`) that the URL selects.
///
/// ```no_run
/// # use elif_runtime::{App, testing::{TestApp, TestDatabase}};
/// # async fn demo(app: App) -> elif_runtime::Result<()> {
/// for db in TestDatabase::both("posts_crud").await {
///     let app = TestApp::start(app_for(&db)).await?;
///     // ...
///     app.stop().await;
///     db.cleanup().await;
/// }
/// # fn app_for(db: &TestDatabase) -> App { App::new().config("database.url", db.url()) }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct TestDatabase {
    url: String,
    backend: Backend,
    /// PostgreSQL: the server's URL and the schema to drop.
    schema: Option<(String, String)>,
}

impl TestDatabase {
    /// A fresh SQLite file for test `name` (any earlier one removed).
    pub fn sqlite(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("elif-test-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let file = dir.join(format!("{name}.sqlite3"));
        let _ = std::fs::remove_file(&file);
        Self {
            url: format!("sqlite://{}", file.display()),
            backend: Backend::Sqlite,
            schema: None,
        }
    }

    /// A fresh schema for test `name` on the PostgreSQL service. `None`
    /// when the server does not answer, except under `CI=true`, where
    /// that panics: CI must not pass by skipping.
    pub async fn postgres(name: &str) -> Option<Self> {
        use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
        let base = std::env::var("ELIF_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
        let schema = format!("elif_{name}_{}", std::process::id()).to_lowercase();
        let created = async {
            let mut connection = AsyncPgConnection::establish(&base).await?;
            connection
                .batch_execute(&format!(
                    "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
                ))
                .await?;
            Ok::<_, Box<dyn std::error::Error>>(())
        }
        .await;
        match created {
            Ok(()) => Some(Self {
                url: format!(
                    "{base}{}options=-csearch_path%3D{schema}",
                    if base.contains('?') { '&' } else { '?' }
                ),
                backend: Backend::Postgres,
                schema: Some((base, schema)),
            }),
            Err(error) if std::env::var("CI").is_ok_and(|v| v == "true") => {
                panic!("PostgreSQL is required under CI=true ({base}): {error}")
            }
            Err(error) => {
                skipped_postgres(&base, &error.to_string());
                None
            }
        }
    }

    /// SQLite, then PostgreSQL when it answers (always under `CI=true`).
    /// Each one's [`backend`](Self::backend) says which it is; a PostgreSQL
    /// that does not answer is reported once per test binary on the
    /// terminal, passing tests included.
    pub async fn both(name: &str) -> Vec<Self> {
        let mut all = vec![Self::sqlite(name)];
        all.extend(Self::postgres(name).await);
        all
    }

    /// The URL to give the app: `.config("database.url", db.url())`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Which backend it is on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Removes the database (the SQLite file, or the PostgreSQL schema and
    /// everything in it). Call it when the test is done with the app.
    pub async fn cleanup(self) {
        use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
        match self.schema {
            Some((base, schema)) => {
                if let Ok(mut connection) = AsyncPgConnection::establish(&base).await {
                    let sql = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
                    let _ = connection.batch_execute(&sql).await;
                }
            }
            None => {
                let file = self.url.trim_start_matches("sqlite://");
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{file}{suffix}"));
                }
            }
        }
    }
}

#[cfg(test)]
impl TestDatabase {
    /// A pool on this database (two connections), for the runtime's own
    /// tests, which have no app to boot.
    pub(crate) fn connect(&self) -> crate::data::Database {
        let config = crate::data::DatabaseConfig {
            url: Some(crate::config::Secret::new(self.url.clone())),
            pool_size: 2,
            checkout_timeout_ms: 5_000,
            statement_timeout_ms: None,
            migrate_on_start: None,
        };
        match crate::data::Database::connect(&config, "elif-runtime-test") {
            Ok(database) => database,
            Err(error) => panic!("cannot make a pool on {}: {error}", self.url),
        }
    }
}

/// Says, once per test binary and past the test harness's capture of
/// `eprintln!` (which hides a passing test's output), that tests ran on
/// SQLite only because PostgreSQL did not answer.
fn skipped_postgres(base: &str, error: &str) {
    use std::io::Write;
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // `std::io::stderr()` written directly is not captured.
        let _ = writeln!(
            std::io::stderr(),
            "elif: PostgreSQL at {base} does not answer ({error}); database tests of this \
             binary ran on SQLite only (set CI=true to require PostgreSQL, \
             ELIF_TEST_POSTGRES to point elsewhere)"
        );
    });
}
