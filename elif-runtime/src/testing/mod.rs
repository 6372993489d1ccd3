//! The in-process test app: boots an app (with overridden providers and
//! config), serves it on a free port of 127.0.0.1, and gives an HTTP/1.1
//! client with JSON helpers. Each test gets its own app; many run in parallel.
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
pub use crate::data::test_database::TestDatabase;
use crate::di::Container;

mod client;
mod redis;
pub use redis::{TestRedis, shared_redis};

pub use client::TestRequest;

/// A booted app serving on an ephemeral port, with an HTTP client.
pub struct TestApp {
    booted: Booted,
    addr: SocketAddr,
    handle: ServerHandle,
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
    pub fn request(&self, method: actix_web::http::Method, path: &str) -> TestRequest {
        TestRequest::new(self.addr, method, path)
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(self.request(actix_web::http::Method::GET, path))
            .await
    }

    /// `POST path` with a JSON body.
    pub async fn post_json(&self, path: &str, body: &impl Serialize) -> TestResponse {
        let request = self.request(actix_web::http::Method::POST, path);
        self.send_json(request, body).await
    }

    /// Sends a request built with [`TestApp::request`] with a JSON body
    /// (`Content-Type: application/json` unless the request sets one).
    pub async fn send_json(&self, request: TestRequest, body: &impl Serialize) -> TestResponse {
        let body = match serde_json::to_vec(body) {
            Ok(body) => body,
            Err(error) => panic!("the test request's body cannot be serialised: {error}"),
        };
        self.checked(request)
            .default_content_type("application/json")
            .send(&body)
            .await
    }

    /// Sends a request built with [`TestApp::request`] with a raw body.
    pub async fn send_body(&self, request: TestRequest, body: impl Into<Bytes>) -> TestResponse {
        self.checked(request).send(&body.into()).await
    }

    /// Sends a request built with [`TestApp::request`].
    pub async fn send(&self, request: TestRequest) -> TestResponse {
        self.checked(request).send(&[]).await
    }

    /// `request`, which must have been made by this app.
    fn checked(&self, request: TestRequest) -> TestRequest {
        assert_eq!(
            request.address, self.addr,
            "a request built by another TestApp was sent through this one"
        );
        request
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
    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// A header's value, if present and valid UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Every value of a header (`Set-Cookie`, `Vary`), in order; values
    /// that are not UTF-8 are left out.
    pub fn header_all<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers.get_all(name).filter_map(|v| v.to_str().ok())
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
