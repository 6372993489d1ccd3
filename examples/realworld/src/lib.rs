//! Conduit, the RealWorld backend (<https://realworld-docs.netlify.app>),
//! written with elif: users who register, log in (a JWT sent as
//! `Authorization: Token <jwt>`) and follow each other; articles with tags,
//! favourites and comments; RealWorld's error shape for every error. SQLite
//! by default, PostgreSQL with `DATABASE_URL`.

pub mod articles;
pub mod comments;
pub mod errors;
pub mod models;
pub mod policies;
pub mod profiles;
pub mod users;
pub mod views;

use elif::http::HttpResponse;
use elif::http::header::{CONTENT_TYPE, HeaderValue};
use elif::prelude::*;

/// The app's migrations (`migrations/`), embedded in the binary.
pub const MIGRATIONS: elif::data::Migrations = elif::migrations!();

/// Conduit as `main` runs it and the tests boot it.
pub fn app() -> App {
    App::new()
        .module(AppModule)
        .migrations(MIGRATIONS)
        .provide::<dyn elif_auth::Principals>(elif_auth::principals::<models::User>())
        .error_format(errors::RealWorldErrors)
        .interceptor::<Utf8Json>()
        .config("auth.mechanisms", ["jwt"])
        .config("auth.scheme", "Token")
        // The RealWorld frontends are served from elsewhere.
        .config("security.cors.allowed_origins", ["*"])
        // Clients send members the spec does not list (`{"user": {.., "id": 1}}`).
        .config("server.unknown_fields", "accept")
}

/// RealWorld's JSON is `application/json; charset=utf-8`.
#[injectable]
pub struct Utf8Json;

impl Interceptor for Utf8Json {
    async fn intercept<N>(&self, _: &RequestContext<'_>, next: N) -> elif::Result<HttpResponse>
    where
        N: std::future::Future<Output = elif::Result<HttpResponse>>,
    {
        let mut response = next.await?;
        let headers = response.headers_mut();
        if headers
            .get(CONTENT_TYPE)
            .is_some_and(|v| v == "application/json")
        {
            headers.insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
        }
        Ok(response)
    }
}

/// The root module.
#[module(imports(
    users::UsersModule,
    profiles::ProfilesModule,
    articles::ArticlesModule,
    comments::CommentsModule
))]
pub struct AppModule;
