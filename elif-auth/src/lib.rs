//! Identity for elif apps, as a package: an app adds `elif-auth` next to
//! `elif` and imports [`AuthModule`].
//!
//! ```no_run
//! use elif::prelude::*;
//! use elif_auth::{AuthModule, Check, Jwt, Passwords};
//!
//! #[injectable]
//! pub struct Logins {
//!     passwords: Inject<Passwords>,
//!     jwt: Inject<Jwt>,
//! }
//!
//! impl Logins {
//!     /// A token for the account, if the password is its own (failed
//!     /// attempts are limited per account and per client address).
//!     pub async fn login(&self, request: &elif::http::HttpRequest, email: &str, subject: &str, password: &str, stored: Option<&elif_auth::PasswordHash>) -> elif::Result<Option<String>> {
//!         match self.passwords.check(request, email, password, stored).await? {
//!             Check::Valid { .. } => Ok(Some(self.jwt.issue(subject, elif_auth::NoClaims {})?)),
//!             Check::Invalid => Ok(None),
//!         }
//!     }
//! }
//!
//! #[module(imports(AuthModule), providers(Logins))]
//! pub struct AppModule;
//! ```
//!
//! It is built only on elif's public API, as any third-party package
//! would be: its services are `#[factory]` providers of an exported
//! `#[module]`, its settings `#[derive(Config)]` sections under `[auth.*]`,
//! its errors `DomainError`s with stable codes, its table's migration a
//! namespaced set its [`AuthDataModule`] brings. It holds passwords
//! ([`password`]), JSON Web Tokens ([`jwt`], [`tokens`]), sessions
//! ([`session`]), API tokens ([`api_tokens`]), the current user and the
//! [`Authenticated`] guard ([`current`]), and policies ([`policy`]).

pub mod api_tokens;
pub mod catalogue;
pub mod csrf;
pub mod current;
pub mod jwt;
pub mod one_time;
pub mod password;
pub mod policy;
pub mod security;
pub mod session;
pub mod testing;
pub mod tokens;

use elif::prelude::*;

pub use api_tokens::{
    ABILITY_PATTERN, ApiToken, ApiTokenConfig, ApiTokenError, ApiTokens, CreatedApiToken,
    NAME_PATTERN,
};
pub use csrf::{CsrfError, XSRF_COOKIE, XSRF_HEADER};
pub use current::{
    AuthConfig, AuthError, Authenticatable, Authenticated, CurrentUser, Identity, Mechanism,
    Principal, Principals, SetupError, principals,
};
pub use jwt::{Claims, Jwt, JwtConfig, NoClaims, TokenError};
pub use one_time::{
    EMAIL_VERIFICATION, OneTimeToken, OneTimeTokenError, OneTimeTokens, PASSWORD_RESET,
};
pub use password::{
    Check, PasswordConfig, PasswordHash, PasswordPolicyError, Passwords, check_policy,
};
pub use policy::{Ability, Gate, GateError, Policy};
pub use session::{
    MemoryStore, RedisConfig, RedisStore, SessionConfig, SessionCookie, SessionError, SessionStore,
    Sessions,
};
pub use tokens::{RefreshError, TokenPair, Tokens};

/// The password service, from `[auth.passwords]`.
#[factory]
async fn password_service(config: Config<PasswordConfig>) -> elif::Result<Passwords> {
    Passwords::new(&config).await
}

/// The token service, from `[auth.jwt]` and the app's clock.
#[factory]
async fn token_service(
    config: Config<JwtConfig>,
    app: Config<elif::config::AppConfig>,
    clock: Inject<dyn Clock>,
) -> elif::Result<Jwt> {
    Jwt::new(&config, Inject::into_arc(clock), app.env)
}

/// The sessions, from `[auth.sessions]`, `[redis]` and the app's clock.
/// Without `session` in `[auth] mechanisms` they stay in memory, whatever
/// the mode, and nothing reads them.
#[factory]
async fn session_service(
    config: Config<SessionConfig>,
    redis: Config<RedisConfig>,
    app: Config<elif::config::AppConfig>,
    auth: Config<AuthConfig>,
    jwt: Config<JwtConfig>,
    clock: Inject<dyn Clock>,
) -> elif::Result<Sessions> {
    // The store also keeps refresh tokens and the access tokens' deny-list.
    let enabled =
        auth.mechanisms().any(|m| m == Mechanism::Session) || jwt.refresh_tokens || jwt.deny_list;
    Sessions::new(&config, &redis, &app, Inject::into_arc(clock), enabled).await
}

/// `GET /.well-known/jwks.json`: the public keys that verify the app's
/// tokens, for other services (asymmetric algorithms; 404 for HS256).
#[injectable]
pub struct JwksController {
    jwt: Inject<Jwt>,
}

/// The app signs with a shared secret: there is no public key to serve.
#[derive(Debug, Clone, Copy, DomainError)]
pub enum JwksError {
    /// HS256.
    #[problem(
        status = 404,
        code = "JWKS_NOT_AVAILABLE",
        message = "this app signs its tokens with a shared secret; it publishes no keys"
    )]
    SharedSecret,
}

#[controller("/.well-known", public)]
impl JwksController {
    /// The JWK Set.
    #[get("/jwks.json")]
    #[openapi(
        status = 200,
        body = serde_json::Value,
        content_type = "application/jwk-set+json",
        errors(JwksError)
    )]
    async fn jwks(&self) -> elif::Result<elif::http::HttpResponse> {
        let set = self.jwt.jwks().ok_or(JwksError::SharedSecret)?;
        let body = serde_json::to_vec(&set).map_err(|e| Error::internal(e.to_string()))?;
        Ok(elif::http::HttpResponse::Ok()
            .insert_header((elif::http::header::CONTENT_TYPE, "application/jwk-set+json"))
            .insert_header((elif::http::header::CACHE_CONTROL, "public, max-age=300"))
            .body(body))
    }
}

/// The body of `GET /auth/csrf`.
#[derive(Debug, Schema)]
pub struct CsrfToken {
    /// The token, to send back in `X-XSRF-TOKEN`.
    pub token: String,
}

/// `GET /auth/csrf`: a CSRF token for the session the request carries,
/// in the body and in the `XSRF-TOKEN` cookie, for pages that cannot read
/// the cookie set at login (another subdomain's).
#[injectable]
pub struct CsrfController {
    sessions: Inject<Sessions>,
}

#[controller("/auth", guards(Authenticated))]
impl CsrfController {
    /// `{"token": ".."}`, with the cookie; 401 `CSRF_NO_SESSION` for a
    /// request a token authenticated: this route authenticates by the
    /// session cookie only (a token needs no CSRF token).
    #[get("/csrf")]
    #[openapi(status = 200, body = CsrfToken, errors(CsrfError))]
    async fn csrf(
        &self,
        request: elif::http::HttpRequest,
    ) -> elif::Result<elif::http::HttpResponse> {
        let identity = elif::http::HttpMessage::extensions(&request)
            .get::<Identity>()
            .cloned();
        let session = identity.filter(|i| i.mechanism == Mechanism::Session);
        let token = session
            .and_then(|_| self.sessions.csrf_token(&request))
            .ok_or(CsrfError::NoSession)?;
        let body = serde_json::json!({ "token": token });
        Ok(elif::http::HttpResponse::Ok()
            .insert_header((
                elif::http::header::SET_COOKIE,
                self.sessions.csrf_cookie(&token),
            ))
            .insert_header((elif::http::header::CACHE_CONTROL, "no-store"))
            .json(body))
    }
}

/// Refresh tokens and the deny-list, in the session store.
#[factory]
async fn token_pairs(
    config: Config<JwtConfig>,
    jwt: Inject<Jwt>,
    sessions: Inject<Sessions>,
    clock: Inject<dyn Clock>,
) -> Tokens {
    Tokens::new(
        &config,
        Inject::into_arc(jwt),
        Inject::into_arc(sessions),
        Inject::into_arc(clock),
    )
}

/// Passwords, tokens, sessions, the [`Authenticated`] guard and the
/// [`Gate`], for the modules that import it.
#[module(
    providers(
        password_service,
        token_service,
        session_service,
        token_pairs,
        Authenticated,
        Gate
    ),
    controllers(JwksController, CsrfController),
    exports(Passwords, Jwt, Sessions, Tokens, Authenticated, Gate)
)]
pub struct AuthModule;

/// The migrations of elif-auth's tables (`elif_api_tokens`,
/// `elif_one_time_tokens`), recorded under the namespace `elif_auth`.
/// [`AuthDataModule`] brings them.
pub const MIGRATIONS: elif::data::Migrations = elif::migrations!(namespace = "elif_auth");

/// `auth:prune`: deletes expired API tokens and single-use links (run it
/// from cron; expired ones are refused anyway, this keeps the tables
/// small).
#[injectable]
pub struct PruneCommand {
    api_tokens: Inject<ApiTokens>,
    links: Inject<OneTimeTokens>,
}

impl AppCommand for PruneCommand {
    const NAME: &'static str = "auth:prune";
    const ABOUT: &'static str = "Delete expired API tokens and single-use links";

    async fn run(&self, args: &[String]) -> elif::Result<String> {
        if let Some(extra) = args.first() {
            return Err(Error::internal(format!(
                "`auth:prune` takes no arguments, not `{extra}`"
            )));
        }
        let tokens = self.api_tokens.prune().await?;
        let links = self.links.prune().await?;
        Ok(format!(
            "deleted {tokens} expired API token(s) and {links} expired link(s)\n"
        ))
    }
}

/// elif-auth's services that keep rows in the app's database: API tokens
/// ([`ApiTokens`]) and single-use links ([`OneTimeTokens`]), with the
/// migrations of their tables (namespace `elif_auth`, applied before the
/// app's). Import it next to [`AuthModule`]; add `api_token` to
/// `[auth] mechanisms` for API tokens to authenticate requests.
#[module(
    imports(elif::data::DataModule),
    providers(
        ApiTokens,
        Repository<ApiToken>,
        OneTimeTokens,
        Repository<OneTimeToken>
    ),
    exports(ApiTokens, OneTimeTokens),
    commands(PruneCommand),
    migrations = MIGRATIONS
)]
pub struct AuthDataModule;
