//! Who is calling: the [`Authenticated`] guard, which verifies the
//! request's credentials, and the [`CurrentUser<U>`] extractor, which
//! loads the principal they name, once per request.
//!
//! ```no_run
//! use elif::prelude::*;
//! use elif_auth::{Authenticatable, Authenticated, CurrentUser};
//! # #[model(table = "users")] #[derive(Clone)] pub struct User { #[key] pub id: i64, pub email: String }
//!
//! impl Authenticatable for User {}
//!
//! #[injectable]
//! pub struct Profile;
//!
//! #[controller("/me", guards(Authenticated))]
//! impl Profile {
//!     #[get("/")]
//!     async fn show(&self, user: CurrentUser<User>) -> String {
//!         user.email.clone()
//!     }
//!
//!     #[get("/greeting")]
//!     #[public]
//!     async fn greet(&self, viewer: Option<CurrentUser<User>>) -> String {
//!         match viewer {
//!             Some(user) => format!("hello, {}", user.email),
//!             None => "hello, stranger".to_owned(),
//!         }
//!     }
//! }
//! ```
//!
//! The guard reads `Authorization: <scheme> <token>` (`[auth] scheme`,
//! `Bearer` by default, any case). A request without credentials is
//! refused with 401 `AUTH_REQUIRED`, unless the route is `#[public]`; a
//! request with credentials has them verified everywhere, public routes
//! included: a bad token, or another scheme, answers 401 and never passes
//! as anonymous. Every refusal is a `tracing` event on target
//! `elif_auth::security` (`event = "credentials.rejected"`, with the code,
//! never the token).

use std::ops::Deref;
use std::str::FromStr;
use std::sync::Arc;

use elif::data::{Database, Model};
use elif::di::Container;
use elif::http::{FromRequest, HttpMessage, HttpRequest, Payload};
use elif::prelude::*;

use crate::jwt::{Jwt, NoClaims, TokenError};

/// The `[auth]` config section.
#[derive(Config, Debug, Clone)]
#[config(section = "auth")]
pub struct AuthConfig {
    /// The scheme of `Authorization` headers that carry access tokens,
    /// matched in any case (`Bearer`; RealWorld clients send `Token`).
    #[config(default = "Bearer", validate = token_scheme)]
    pub scheme: String,
}

// A config validator takes `&T` of the field's type, here `&String`.
#[allow(clippy::ptr_arg)]
fn token_scheme(scheme: &String) -> Result<(), String> {
    let valid = !scheme.is_empty()
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if valid {
        Ok(())
    } else {
        Err(format!(
            "`{scheme}` is not an HTTP authentication scheme (one token, such as `Bearer`)"
        ))
    }
}

/// The app's principal type (its users): how one is named in credentials
/// and found again. A `#[model]` needs nothing more than
/// `impl Authenticatable for User {}`: its key is the subject.
pub trait Authenticatable: Model + Clone
where
    Self::Key: FromStr,
{
    /// The subject that names this principal in its credentials (a
    /// token's `sub`): its key, as text.
    fn subject(&self) -> String {
        self.key().to_string()
    }

    /// Whether this principal may authenticate: `false` (a disabled
    /// account) refuses its still-valid credentials with 401.
    fn is_active(&self) -> bool {
        true
    }
}

/// How a request was authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    /// An access token (JWT) in the `Authorization` header.
    Jwt,
}

/// Who the request's verified credentials name; the [`Authenticated`]
/// guard leaves it in the request for handlers (`Extension<Identity>`)
/// and for [`CurrentUser<U>`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The principal's subject.
    pub subject: String,
    /// The credentials' kind.
    pub mechanism: Mechanism,
    /// The token's id (`jti`), for revocation.
    pub token_id: String,
}

/// Why a request is not authenticated (besides a refused token:
/// [`TokenError`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, DomainError)]
pub enum AuthError {
    /// No credentials on a route that needs them.
    #[problem(
        status = 401,
        code = "AUTH_REQUIRED",
        message = "this route needs authentication",
        hint = "send `Authorization: Bearer <token>` with a token from logging in"
    )]
    Required,
    /// An `Authorization` header of another scheme than the configured one.
    #[problem(
        status = 401,
        code = "AUTH_SCHEME",
        message = "the `Authorization` header uses a scheme this app does not accept",
        hint = "send `Authorization: <scheme> <token>` with the scheme of `[auth] scheme` (`Bearer` by default)"
    )]
    Scheme,
    /// Valid credentials of a principal that is gone or disabled.
    #[problem(
        status = 401,
        code = "AUTH_PRINCIPAL",
        message = "the account these credentials name cannot sign in",
        hint = "log in again"
    )]
    Principal,
    /// `CurrentUser<U>` on a route where `Authenticated` did not run.
    #[problem(
        status = 500,
        code = "AUTH_NO_GUARD",
        message = "this route reads the current user but is not guarded by `Authenticated`",
        hint = "add `guards(Authenticated)` to the controller, its module or the app (`#[public]` routes keep anonymous access)"
    )]
    NoGuard,
}

/// Records a refusal as a security event (its code, never the credential).
fn rejected(error: impl Into<Error>) -> Error {
    let error = error.into();
    tracing::info!(
        target: "elif_auth::security",
        event = "credentials.rejected",
        code = error.code(),
        "credentials refused"
    );
    error
}

/// The token of an `Authorization: <scheme> <token>` value, the scheme in
/// any case and one or more spaces after it.
fn token_of<'a>(value: &'a str, scheme: &str) -> Option<&'a str> {
    let (given, token) = value.split_once(' ')?;
    let token = token.trim_start_matches(' ');
    (given.eq_ignore_ascii_case(scheme) && !token.is_empty() && !token.contains(' '))
        .then_some(token)
}

/// The credentials of `request`, verified: `Ok(None)` when it carries
/// none, an error when they are refused.
pub fn authenticate(
    request: &HttpRequest,
    jwt: &Jwt,
    config: &AuthConfig,
) -> elif::Result<Option<Identity>> {
    let Some(header) = request.headers().get("authorization") else {
        return Ok(None);
    };
    let value = header.to_str().map_err(|_| rejected(AuthError::Scheme))?;
    let token = token_of(value, &config.scheme).ok_or_else(|| rejected(AuthError::Scheme))?;
    let claims = jwt
        .verify::<NoClaims>(token)
        .map_err(|e: TokenError| rejected(e))?;
    Ok(Some(Identity {
        subject: claims.sub,
        mechanism: Mechanism::Jwt,
        token_id: claims.jti,
    }))
}

/// What the guard found, kept in the request for the extractors.
#[derive(Clone)]
struct Outcome(Option<Identity>);

/// The authentication guard: verifies the request's credentials (JWT in
/// the `Authorization` header) and leaves its [`Identity`]. Anonymous
/// requests go on to `#[public]` routes only; credentials that are present
/// are verified on every route.
#[guard]
pub struct Authenticated {
    jwt: Inject<Jwt>,
    config: Config<AuthConfig>,
}

impl Authenticated {
    /// The `Authorization` scheme it reads (`[auth] scheme`).
    pub fn scheme(&self) -> &str {
        &self.config.scheme
    }
}

impl Guard for Authenticated {
    const AUTHENTICATES: bool = true;

    async fn check(&self, cx: &RequestContext<'_>) -> elif::Result<()> {
        let identity = authenticate(cx.request(), &self.jwt, &self.config)?;
        if identity.is_none() && !cx.access().is_public() {
            return Err(rejected(AuthError::Required));
        }
        if let Some(identity) = &identity {
            cx.insert(identity.clone());
        }
        cx.insert(Outcome(identity));
        Ok(())
    }
}

/// The authenticated principal, loaded once per request: 401 when the
/// request is anonymous (take `Option<CurrentUser<U>>` on a `#[public]`
/// route instead) or its principal is gone or disabled.
pub struct CurrentUser<U>(Arc<U>);

impl<U> CurrentUser<U> {
    /// The principal.
    pub fn into_arc(this: Self) -> Arc<U> {
        this.0
    }
}

impl<U> Clone for CurrentUser<U> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<U> Deref for CurrentUser<U> {
    type Target = U;

    fn deref(&self) -> &U {
        &self.0
    }
}

impl<U: std::fmt::Debug> std::fmt::Debug for CurrentUser<U> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("CurrentUser").field(&self.0).finish()
    }
}

impl<U> FromRequest for CurrentUser<U>
where
    U: Authenticatable,
    U::Key: FromStr,
{
    type Error = Error;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, Error>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            if let Some(user) = request.extensions().get::<CurrentUser<U>>() {
                return Ok(user.clone());
            }
            let outcome = request.extensions().get::<Outcome>().cloned();
            let identity = match outcome {
                Some(Outcome(Some(identity))) => identity,
                Some(Outcome(None)) => return Err(AuthError::Required.into()),
                None => return Err(AuthError::NoGuard.into()),
            };
            let user = load::<U>(&request, &identity.subject).await?;
            let user = CurrentUser(Arc::new(user));
            request.extensions_mut().insert(user.clone());
            Ok(user)
        })
    }
}

/// The principal named `subject`, through the app's repository of `U`.
async fn load<U>(request: &HttpRequest, subject: &str) -> elif::Result<U>
where
    U: Authenticatable,
    U::Key: FromStr,
{
    let container = request
        .app_data::<Container>()
        .ok_or_else(|| Error::internal("the request is not served by an elif app"))?;
    let repository = match container.get::<Repository<U>>() {
        Some(repository) => repository,
        None => {
            let database = container.get::<Database>().ok_or_else(|| {
                Error::internal(format!(
                    "`CurrentUser<{}>` needs the app's database",
                    std::any::type_name::<U>()
                ))
                .with_hint("import `elif::data::DataModule` in the app's root module")
            })?;
            let clock = container
                .get::<dyn Clock>()
                .ok_or_else(|| Error::internal("the app has no clock"))?;
            Arc::new(Repository::<U>::with_clock(database, clock))
        }
    };
    let key = U::Key::from_str(subject).map_err(|_| rejected(AuthError::Principal))?;
    match repository.find(key).await? {
        Some(user) if user.is_active() => Ok(user),
        _ => Err(rejected(AuthError::Principal)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_is_matched_in_any_case_with_one_token_after_it() {
        assert_eq!(token_of("Bearer abc", "Bearer"), Some("abc"));
        assert_eq!(token_of("bearer   abc", "Bearer"), Some("abc"));
        assert_eq!(token_of("Token abc", "Token"), Some("abc"));
        for refused in ["Basic abc", "Bearer", "Bearer ", "Bearerabc", "Bearer a b"] {
            assert_eq!(token_of(refused, "Bearer"), None, "{refused}");
        }
    }

    #[test]
    fn schemes_are_one_http_token() {
        assert!(token_scheme(&"Token".to_owned()).is_ok());
        assert!(token_scheme(&"Bearer x".to_owned()).is_err());
        assert!(token_scheme(&String::new()).is_err());
    }
}
