//! Tests that act as a principal: `app.acting_as(&user).await.get("/me")`
//! sends requests with the credentials of the app's first mechanism
//! (`[auth] mechanisms`): a fresh access token minted by the app's own
//! [`Jwt`] (its keys, clock and claims) in the app's header scheme, or a
//! session started in the app's store. `acting_as_with` picks the
//! mechanism.
//!
//! ```no_run
//! # use elif::prelude::*;
//! # use elif::testing::TestApp;
//! # use elif_auth::Authenticatable;
//! # #[model(table = "users")] #[derive(Clone)] pub struct User { #[key] pub id: i64, pub email: String }
//! # impl Authenticatable for User {}
//! use elif_auth::testing::ActingAs;
//!
//! # async fn demo(app: TestApp, user: User) {
//! let me = app.acting_as(&user).await.get("/me").await;
//! assert_eq!(me.status(), 200);
//! # }
//! ```

use std::str::FromStr;

use elif::http::Method;
use elif::testing::{TestApp, TestRequest, TestResponse};
use serde::Serialize;

use std::sync::Arc;

use elif::di::Container;

use crate::api_tokens::ApiTokens;
use crate::current::{Authenticatable, Authenticated, Mechanism, Principal, Principals};
use crate::jwt::{Jwt, NoClaims};
use crate::session::Sessions;

/// Acting as a principal in [`TestApp`] requests.
pub trait ActingAs {
    /// Requests authenticated as `user` by the app's first mechanism.
    fn acting_as<U>(&self, user: &U) -> impl std::future::Future<Output = Acting<'_>>
    where
        U: Authenticatable,
        U::Key: FromStr;

    /// Requests authenticated as `user` by `mechanism`.
    fn acting_as_with<U>(
        &self,
        user: &U,
        mechanism: Mechanism,
    ) -> impl std::future::Future<Output = Acting<'_>>
    where
        U: Authenticatable,
        U::Key: FromStr;
}

impl ActingAs for TestApp {
    async fn acting_as<U>(&self, user: &U) -> Acting<'_>
    where
        U: Authenticatable,
        U::Key: FromStr,
    {
        let first = self
            .container()
            .get::<Authenticated>()
            .and_then(|guard| guard.mechanisms().first().copied())
            .unwrap_or(Mechanism::Jwt);
        self.acting_as_with(user, first).await
    }

    async fn acting_as_with<U>(&self, user: &U, mechanism: Mechanism) -> Acting<'_>
    where
        U: Authenticatable,
        U::Key: FromStr,
    {
        match mechanism {
            Mechanism::Jwt => {
                let jwt = self.container().get::<Jwt>().unwrap_or_else(|| {
                    panic!("acting_as needs the app's `Jwt`: import `elif_auth::AuthModule`")
                });
                let token = match jwt.issue(&user.subject(), NoClaims {}) {
                    Ok(token) => token,
                    Err(error) => panic!("acting_as could not mint a token: {error}"),
                };
                bearer(self, token)
            }
            Mechanism::ApiToken => {
                let api_tokens = self.container().get::<ApiTokens>().unwrap_or_else(|| {
                    panic!(
                        "acting_as needs the app's `ApiTokens`: import `elif_auth::AuthDataModule`"
                    )
                });
                let created = match api_tokens
                    .create(&user.subject(), "acting_as", &["*"], None)
                    .await
                {
                    Ok(created) => created,
                    Err(error) => panic!("acting_as could not make an API token: {error}"),
                };
                bearer(self, created.plain_text)
            }
            Mechanism::Session => {
                let sessions = self.container().get::<Sessions>().unwrap_or_else(|| {
                    panic!("acting_as needs the app's `Sessions`: import `elif_auth::AuthModule`")
                });
                let cookie = match sessions.begin(&user.subject()).await {
                    Ok(cookie) => cookie,
                    Err(error) => panic!("acting_as could not start a session: {error}"),
                };
                // As the app's own pages send it: the session and CSRF
                // cookies, and the token in `X-XSRF-TOKEN` (axios, Angular).
                let pair = cookie.pair().to_owned();
                let xsrf = cookie.xsrf_token().to_owned();
                Acting {
                    app: self,
                    headers: vec![
                        (
                            "cookie",
                            format!("{pair}; {}={xsrf}", crate::csrf::XSRF_COOKIE),
                        ),
                        (crate::csrf::XSRF_HEADER, xsrf),
                    ],
                    token: pair,
                }
            }
        }
    }
}

/// Requests with `token` in the `Authorization` header, in the scheme the
/// app's guard reads.
fn bearer(app: &TestApp, token: String) -> Acting<'_> {
    let scheme = app
        .container()
        .get::<Authenticated>()
        .map_or_else(|| "Bearer".to_owned(), |guard| guard.scheme().to_owned());
    Acting {
        app,
        headers: vec![("authorization", format!("{scheme} {token}"))],
        token,
    }
}

/// Requests to a [`TestApp`] carrying one principal's credentials.
pub struct Acting<'a> {
    app: &'a TestApp,
    headers: Vec<(&'static str, String)>,
    token: String,
}

impl Acting<'_> {
    /// The credential requests carry: the access token, or the session
    /// cookie's `name=value`.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// A request builder with the credentials set.
    pub fn request(&self, method: Method, path: &str) -> TestRequest {
        let mut request = self.app.request(method, path);
        for (name, value) in &self.headers {
            request = request.insert_header((*name, value.as_str()));
        }
        request
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> TestResponse {
        self.app.send(self.request(Method::GET, path)).await
    }

    /// `method path` with a JSON body.
    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        body: &impl Serialize,
    ) -> TestResponse {
        self.app.send_json(self.request(method, path), body).await
    }

    /// `POST path` with a JSON body.
    pub async fn post_json(&self, path: &str, body: &impl Serialize) -> TestResponse {
        self.send_json(Method::POST, path, body).await
    }

    /// `DELETE path`.
    pub async fn delete(&self, path: &str) -> TestResponse {
        self.app.send(self.request(Method::DELETE, path)).await
    }
}

/// Principals for tests that boot `AuthModule` without a user model (of
/// passwords or tokens alone): nobody is found, so every credential's
/// principal answers 401 `AUTH_PRINCIPAL` when one is asked for.
pub fn no_principals() -> Arc<dyn Principals> {
    Arc::new(Nobody)
}

struct Nobody;

impl Principals for Nobody {
    fn load<'a>(
        &'a self,
        _: &'a Container,
        _: &'a str,
    ) -> elif::BoxFuture<'a, elif::Result<Option<Arc<dyn Principal>>>> {
        Box::pin(std::future::ready(Ok(None)))
    }

    fn type_name(&self) -> &'static str {
        "nobody"
    }
}
