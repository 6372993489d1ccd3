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
pub use crate::data::test_database::TestDatabase;
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
