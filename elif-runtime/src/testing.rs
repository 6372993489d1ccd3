//! The in-process test app: boots an app (with overridden providers and
//! config), serves it on a free port of 127.0.0.1, and gives an HTTP client
//! with JSON helpers. Each test gets its own app; many run in parallel.
//!
//! ```no_run
//! # use elif_runtime::{App, testing::TestApp};
//! # async fn demo(app: App) -> elif_runtime::Result<()> {
//! let app = TestApp::start(app.config("mail.host", "localhost")).await?;
//! let health = app.get("/health").await;
//! assert_eq!(health.status(), 200);
//! app.stop().await;
//! # Ok(()) }
//! ```

use std::net::{SocketAddr, TcpListener};

use actix_web::dev::ServerHandle;
use actix_web::http::header::HeaderMap;
use actix_web::web::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::app::{App, Booted, serve};

use crate::di::Container;
/// The test client's request builder and response (from `awc`).
pub use awc::{ClientRequest, ClientResponse};

/// A booted app serving on an ephemeral port, with an HTTP client.
pub struct TestApp {
    booted: Booted,
    addr: SocketAddr,
    handle: ServerHandle,
    client: awc::Client,
}

impl TestApp {
    /// Boots `app` in `test` mode (unless its config says otherwise) and
    /// serves it with one worker on `127.0.0.1:0`.
    pub async fn start(app: App) -> crate::Result<Self> {
        let booted = app.config_default("app.env", "test").boot().await?;
        let started = TcpListener::bind("127.0.0.1:0").and_then(|listener| {
            let addr = listener.local_addr()?;
            serve::http_server(&booted, listener, 1).map(|server| (addr, server))
        });
        let (addr, server) = match started {
            Ok(started) => started,
            Err(error) => {
                booted.shutdown().await;
                return Err(error.into());
            }
        };
        let handle = server.handle();
        actix_rt::spawn(server);
        Ok(Self {
            booted,
            addr,
            handle,
            client: awc::Client::default(),
        })
    }

    /// The address the app listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// The app's container, to look at or call its singletons.
    pub fn container(&self) -> &Container {
        self.booted.container()
    }

    /// The booted app.
    pub fn booted(&self) -> &Booted {
        &self.booted
    }

    /// A request builder for anything the helpers do not cover.
    pub fn request(&self, method: actix_web::http::Method, path: &str) -> awc::ClientRequest {
        self.client.request(method, self.url(path))
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> TestResponse {
        TestResponse::from(self.client.get(self.url(path)).send().await).await
    }

    /// `POST path` with a JSON body.
    pub async fn post_json(&self, path: &str, body: &impl Serialize) -> TestResponse {
        TestResponse::from(self.client.post(self.url(path)).send_json(body).await).await
    }

    /// Sends a request built with [`TestApp::request`] with a JSON body.
    pub async fn send_json(
        &self,
        request: awc::ClientRequest,
        body: &impl Serialize,
    ) -> TestResponse {
        TestResponse::from(request.send_json(body).await).await
    }

    /// Sends a request built with [`TestApp::request`] with a raw body.
    pub async fn send_body(
        &self,
        request: awc::ClientRequest,
        body: impl Into<Bytes>,
    ) -> TestResponse {
        TestResponse::from(request.send_body(body.into()).await).await
    }

    /// Sends a request built with [`TestApp::request`].
    pub async fn send(&self, request: awc::ClientRequest) -> TestResponse {
        TestResponse::from(request.send().await).await
    }

    /// Stops serving (draining in-flight requests) and shuts the app down,
    /// running its `on_shutdown` hooks.
    pub async fn stop(self) {
        self.booted.lifecycle().begin_drain();
        self.handle.stop(true).await;
        self.booted.shutdown().await;
    }
}

/// A fully read response.
#[derive(Debug)]
pub struct TestResponse {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
}

impl TestResponse {
    async fn from<S>(response: Result<awc::ClientResponse<S>, awc::error::SendRequestError>) -> Self
    where
        S: futures_core::Stream<Item = Result<Bytes, actix_web::error::PayloadError>> + Unpin,
    {
        let mut response = match response {
            Ok(response) => response,
            Err(error) => panic!("the test request failed before a response: {error}"),
        };
        let body = match response.body().limit(16 * 1024 * 1024).await {
            Ok(body) => body,
            Err(error) => panic!("reading the response body failed: {error}"),
        };
        Self {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body,
        }
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// A header's value, if present and valid UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON; panics with the body when it is not.
    pub fn json<T: DeserializeOwned>(&self) -> T {
        match serde_json::from_slice(&self.body) {
            Ok(value) => value,
            Err(error) => panic!(
                "the body is not the expected JSON ({error}): {}",
                self.text()
            ),
        }
    }
}

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
    backend: crate::data::Backend,
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
            backend: crate::data::Backend::Sqlite,
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
                backend: crate::data::Backend::Postgres,
                schema: Some((base, schema)),
            }),
            Err(error) if std::env::var("CI").is_ok_and(|v| v == "true") => {
                panic!("PostgreSQL is required under CI=true ({base}): {error}")
            }
            Err(error) => {
                eprintln!("skipping the PostgreSQL half: {base} does not answer ({error})");
                None
            }
        }
    }

    /// SQLite, then PostgreSQL when it answers (always under `CI=true`).
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
    pub fn backend(&self) -> crate::data::Backend {
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
