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

use std::any::Any;
use std::marker::PhantomData;
use std::ops::Deref;
use std::str::FromStr;
use std::sync::Arc;

use elif::data::{Database, Model};
use elif::di::Container;
use elif::http::{FromRequest, HttpMessage, HttpRequest, Payload, Requirement};
use elif::prelude::*;

use crate::api_tokens::{ApiTokenError, ApiTokens};
use crate::jwt::{Jwt, NoClaims, TokenError};
use crate::session::Sessions;
use crate::tokens::Tokens;

/// The `[auth]` config section.
#[derive(Config, Debug, Clone)]
#[config(section = "auth")]
pub struct AuthConfig {
    /// The scheme of `Authorization` headers that carry access tokens,
    /// matched in any case (`Bearer`; RealWorld clients send `Token`).
    #[config(default = "Bearer", validate = token_scheme)]
    pub scheme: String,
    /// The mechanisms that authenticate requests, in order: `jwt` (an
    /// access token in the `Authorization` header), `session` (the session
    /// cookie), `api_token` (an API token in the `Authorization` header,
    /// told from a JWT by its prefix; needs [`AuthDataModule`](crate::AuthDataModule)).
    /// The first whose credentials a request carries decides; a refused
    /// credential never falls through to the next. Unset: `["jwt"]`.
    #[config(validate = known_mechanisms)]
    pub mechanisms: Option<Vec<String>>,
}

impl AuthConfig {
    /// The configured mechanisms, in order (no allocation: the guard
    /// reads them on every request).
    pub fn mechanisms(&self) -> impl Iterator<Item = Mechanism> + '_ {
        let names: &[String] = self.mechanisms.as_deref().unwrap_or_default();
        let default = self.mechanisms.is_none().then_some(Mechanism::Jwt);
        default
            .into_iter()
            .chain(names.iter().filter_map(|name| match name.as_str() {
                "jwt" => Some(Mechanism::Jwt),
                "session" => Some(Mechanism::Session),
                "api_token" => Some(Mechanism::ApiToken),
                _ => None,
            }))
    }

    /// The `WWW-Authenticate` challenge of the app's 401s: the scheme,
    /// when tokens authenticate.
    fn challenge(&self) -> Option<&str> {
        self.mechanisms()
            .any(|m| m != Mechanism::Session)
            .then_some(self.scheme.as_str())
    }
}

fn known_mechanisms(names: &Option<Vec<String>>) -> Result<(), String> {
    let Some(names) = names else { return Ok(()) };
    if names.is_empty() {
        return Err("name at least one mechanism: `jwt`, `session` or `api_token`".to_owned());
    }
    match names
        .iter()
        .find(|n| !matches!(n.as_str(), "jwt" | "session" | "api_token"))
    {
        Some(other) => Err(format!(
            "`{other}` is not an authentication mechanism; use `jwt`, `session` or `api_token`"
        )),
        None => Ok(()),
    }
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

    /// Whether it holds `role` (`#[requires(role = "..")]`). None by
    /// default: read the model's role column, or the roles it loaded.
    fn has_role(&self, role: &str) -> bool {
        let _ = role;
        false
    }

    /// Whether it holds `permission` (`#[requires(permission = "..")]`).
    /// None by default.
    fn has_permission(&self, permission: &str) -> bool {
        let _ = permission;
        false
    }
}

/// A loaded principal, whatever its type, as requests keep it.
pub trait Principal: Any + Send + Sync {
    /// As [`Authenticatable::is_active`].
    fn is_active(&self) -> bool;
    /// As [`Authenticatable::has_role`].
    fn has_role(&self, role: &str) -> bool;
    /// As [`Authenticatable::has_permission`].
    fn has_permission(&self, permission: &str) -> bool;
    /// Itself, for a downcast to the app's principal type.
    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync>;
}

impl<U> Principal for U
where
    U: Authenticatable,
    U::Key: FromStr,
{
    fn is_active(&self) -> bool {
        Authenticatable::is_active(self)
    }

    fn has_role(&self, role: &str) -> bool {
        Authenticatable::has_role(self, role)
    }

    fn has_permission(&self, permission: &str) -> bool {
        Authenticatable::has_permission(self, permission)
    }

    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync> {
        self
    }
}

/// How the app's principals are found by subject. An app provides one,
/// for its user model:
/// `App::new().provide::<dyn Principals>(elif_auth::principals::<User>())`.
pub trait Principals: Send + Sync {
    /// The principal named `subject`, if there is one, through the app's
    /// `container`.
    fn load<'a>(
        &'a self,
        container: &'a Container,
        subject: &'a str,
    ) -> elif::BoxFuture<'a, elif::Result<Option<Arc<dyn Principal>>>>;

    /// The principal type's name, for messages.
    fn type_name(&self) -> &'static str;
}

/// The principals of model `U`, found by key through `Repository<U>`.
pub fn principals<U>() -> Arc<dyn Principals>
where
    U: Authenticatable,
    U::Key: FromStr,
{
    Arc::new(ModelPrincipals::<U>(PhantomData))
}

struct ModelPrincipals<U>(PhantomData<fn() -> U>);

impl<U> Principals for ModelPrincipals<U>
where
    U: Authenticatable,
    U::Key: FromStr,
{
    fn load<'a>(
        &'a self,
        container: &'a Container,
        subject: &'a str,
    ) -> elif::BoxFuture<'a, elif::Result<Option<Arc<dyn Principal>>>> {
        Box::pin(async move {
            let Ok(key) = U::Key::from_str(subject) else {
                return Ok(None);
            };
            let user = repository::<U>(container)?.find(key).await?;
            Ok(user.map(|user| Arc::new(user) as Arc<dyn Principal>))
        })
    }

    fn type_name(&self) -> &'static str {
        std::any::type_name::<U>()
    }
}

/// How a request was authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    /// An access token (JWT) in the `Authorization` header.
    Jwt,
    /// A session cookie.
    Session,
    /// An API token in the `Authorization` header.
    ApiToken,
}

impl Mechanism {
    /// The mechanism's name in `[auth] mechanisms`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Jwt => "jwt",
            Self::Session => "session",
            Self::ApiToken => "api_token",
        }
    }
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
    /// The token's id (`jti`), for revocation; `None` for a session.
    pub token_id: Option<String>,
    /// When the token expires (seconds since the epoch); `None` for a
    /// session or an API token that does not expire.
    pub expires_at: Option<i64>,
    /// What an API token may do (its abilities, `*` for everything);
    /// `None` for the other mechanisms, which do not restrict the
    /// principal's permissions.
    pub abilities: Option<Vec<String>>,
}

impl Identity {
    /// Whether the credentials allow `ability`: always, except an API token
    /// that was not given it.
    pub fn can(&self, ability: &str) -> bool {
        self.abilities
            .as_ref()
            .is_none_or(|abilities| abilities.iter().any(|a| a == "*" || a == ability))
    }
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
    /// The principal lacks a role the route requires.
    #[problem(
        status = 403,
        code = "ROLE_REQUIRED",
        message = "this route requires the role `{0}`"
    )]
    Role(&'static str),
    /// The principal lacks a permission the route requires.
    #[problem(
        status = 403,
        code = "PERMISSION_REQUIRED",
        message = "this route requires the permission `{0}`"
    )]
    Permission(&'static str),
    /// `CurrentUser<U>` where the app's principals are of another type.
    #[problem(
        status = 500,
        code = "AUTH_PRINCIPAL_TYPE",
        message = "the handler asks for another principal type than the app's `dyn Principals` loads",
        hint = "take `CurrentUser<T>` with the type given to `elif_auth::principals::<T>()`"
    )]
    PrincipalType,
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

/// The token of an `Authorization: <scheme> <token>` value: the scheme in
/// any case and one or more spaces after it, then one word. Unlike
/// `elif::http::authorization_token` it does not check the token68
/// alphabet byte by byte: the JWT decoder reads every byte anyway and
/// refuses what is not base64url (`TOKEN_MALFORMED`), so the scan would be
/// the same work twice on every request (1.5 % of `GET /me`'s
/// instructions).
fn token_of<'a>(value: &'a str, scheme: &str) -> Option<&'a str> {
    let (given, token) = value.split_once(' ')?;
    let token = token.trim_start_matches(' ');
    (given.eq_ignore_ascii_case(scheme) && !token.is_empty() && !token.contains(' '))
        .then_some(token)
}

/// The token of `request`'s `Authorization` header: `Ok(None)` without
/// the header, an error when it is not `<scheme> <token>`.
fn header_token<'r>(
    request: &'r HttpRequest,
    config: &AuthConfig,
) -> elif::Result<Option<&'r str>> {
    let Some(header) = request.headers().get("authorization") else {
        return Ok(None);
    };
    let value = header.to_str().map_err(|_| rejected(AuthError::Scheme))?;
    token_of(value, &config.scheme)
        .map(Some)
        .ok_or_else(|| rejected(AuthError::Scheme))
}

/// `token` (a JWT) verified.
fn jwt_identity(token: &str, jwt: &Jwt) -> elif::Result<Identity> {
    let claims = jwt
        .verify::<NoClaims>(token)
        .map_err(|e: TokenError| rejected(e))?;
    Ok(Identity {
        subject: claims.sub,
        mechanism: Mechanism::Jwt,
        token_id: Some(claims.jti),
        expires_at: Some(claims.exp),
        abilities: None,
    })
}

/// `token` (an API token) verified, its use recorded.
async fn api_token_identity(token: &str, api_tokens: &ApiTokens) -> elif::Result<Identity> {
    let token = api_tokens.verify(token).await.map_err(rejected)?;
    Ok(Identity {
        subject: token.subject,
        mechanism: Mechanism::ApiToken,
        token_id: Some(token.id.to_string()),
        expires_at: token.expires_at.map(|at| at.timestamp()),
        abilities: Some(token.abilities.0),
    })
}

/// The session of `request`'s cookie, verified: `Ok(None)` without the
/// cookie, an error when the session is not valid.
async fn session_identity(
    request: &HttpRequest,
    sessions: &Sessions,
) -> elif::Result<Option<Identity>> {
    let Some(id) = sessions.id_of(request) else {
        return Ok(None);
    };
    let subject = sessions.verify(&id).await.map_err(rejected)?;
    Ok(Some(Identity {
        subject,
        mechanism: Mechanism::Session,
        token_id: None,
        expires_at: None,
        abilities: None,
    }))
}

/// What the guard found, kept in the request for the extractors: the
/// verified identity (none for an anonymous request to a public route),
/// and how to load its principal, which is done once, when something
/// asks for it.
#[derive(Clone)]
struct Outcome {
    identity: Option<Identity>,
    principals: Arc<dyn Principals>,
    /// The `[auth]` section, for the challenge of the extractors' 401s.
    config: Config<AuthConfig>,
}

/// `error` with the `WWW-Authenticate` header a 401 carries (RFC 9110
/// 11.6.1, RFC 6750 3): the scheme, and `error="invalid_token"` when a
/// token was refused.
fn challenged(error: Error, challenge: Option<&str>) -> Error {
    match challenge {
        Some(scheme) if error.status() == 401 => {
            let code = error.code();
            let value = if code.starts_with("TOKEN_")
                || code.starts_with("API_TOKEN_")
                || code == "AUTH_SCHEME"
            {
                format!("{scheme} error=\"invalid_token\"")
            } else {
                scheme.to_owned()
            };
            error.with_header("www-authenticate", value)
        }
        _ => error,
    }
}

/// The request's principal, once loaded.
#[derive(Clone)]
struct Loaded(Arc<dyn Principal>);

/// The principal of `request`'s identity, loaded once per request;
/// a gone or disabled one refuses the request (401).
async fn principal_of(
    request: &HttpRequest,
    identity: &Identity,
    principals: &dyn Principals,
) -> elif::Result<Arc<dyn Principal>> {
    if let Some(Loaded(principal)) = request.extensions().get::<Loaded>().cloned() {
        return Ok(principal);
    }
    let container = request
        .app_data::<Container>()
        .ok_or_else(|| Error::internal("the request is not served by an elif app"))?;
    match principals.load(container, &identity.subject).await? {
        Some(principal) if principal.is_active() => {
            request.extensions_mut().insert(Loaded(principal.clone()));
            Ok(principal)
        }
        _ => Err(rejected(AuthError::Principal)),
    }
}

/// The authentication guard: verifies the request's credentials (JWT in
/// the `Authorization` header) and leaves its [`Identity`]. Anonymous
/// requests go on to `#[public]` routes only; credentials that are present
/// are verified on every route. It enforces the route's `#[requires]`
/// against the principal's roles and permissions (403 `ROLE_REQUIRED`,
/// `PERMISSION_REQUIRED`).
#[guard(on_init)]
pub struct Authenticated {
    jwt: Inject<Jwt>,
    tokens: Inject<Tokens>,
    sessions: Inject<Sessions>,
    /// Present when the app imports `AuthDataModule`.
    api_tokens: Option<Inject<ApiTokens>>,
    config: Config<AuthConfig>,
    principals: Inject<dyn Principals>,
}

/// `api_token` is configured but nothing verifies API tokens.
#[derive(Debug, Clone, Copy, DomainError)]
pub enum SetupError {
    /// `[auth] mechanisms` names `api_token` without `AuthDataModule`.
    #[problem(
        status = 500,
        code = "AUTH_API_TOKENS_MISSING",
        message = "`[auth] mechanisms` lists `api_token`, but the app does not import `elif_auth::AuthDataModule`",
        hint = "add `elif_auth::AuthDataModule` to the root module's imports (it brings the tokens' table), or remove `api_token`"
    )]
    ApiTokensMissing,
}

impl OnInit for Authenticated {
    /// Fails the boot when a configured mechanism has nothing to verify it.
    async fn on_init(&self) -> elif::Result<()> {
        if self.api_tokens.is_none() && self.config.mechanisms().any(|m| m == Mechanism::ApiToken) {
            return Err(
                Error::from(SetupError::ApiTokensMissing).with_entry(&crate::catalogue::EL5003)
            );
        }
        Ok(())
    }
}

impl Authenticated {
    /// The verified identity of `request`'s credentials: the first
    /// configured mechanism whose credentials it carries decides, and a
    /// refused credential never falls through to the next. `Ok(None)` for
    /// a request without credentials.
    pub async fn authenticate(&self, request: &HttpRequest) -> elif::Result<Option<Identity>> {
        for mechanism in self.config.mechanisms() {
            let found = match mechanism {
                Mechanism::Jwt => match header_token(request, &self.config)? {
                    Some(token) if !self.is_api_token(token) => {
                        let identity = jwt_identity(token, &self.jwt)?;
                        if let Some(jti) = identity.token_id.as_deref()
                            && self.tokens.checks_deny_list()
                            && self.tokens.is_revoked(jti).await?
                        {
                            return Err(rejected(TokenError::Revoked));
                        }
                        Some(identity)
                    }
                    _ => None,
                },
                Mechanism::ApiToken => {
                    match (header_token(request, &self.config)?, &self.api_tokens) {
                        (Some(token), Some(api_tokens)) if api_tokens.recognises(token) => {
                            // Boxed: its database query's future would
                            // otherwise grow every request's guard future (JWT
                            // ones too), which is moved on each poll setup.
                            Some(Box::pin(api_token_identity(token, api_tokens)).await?)
                        }
                        _ => None,
                    }
                }
                Mechanism::Session => session_identity(request, &self.sessions).await?,
            };
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }

    /// Whether `token` is an API token that the `api_token` mechanism
    /// reads (its prefix, when the mechanism is on): the `jwt` mechanism
    /// leaves it alone.
    fn is_api_token(&self, token: &str) -> bool {
        self.api_tokens
            .as_ref()
            .is_some_and(|api_tokens| api_tokens.recognises(token))
            && self.config.mechanisms().any(|m| m == Mechanism::ApiToken)
    }

    /// The `Authorization` scheme it reads (`[auth] scheme`).
    pub fn scheme(&self) -> &str {
        &self.config.scheme
    }

    /// The mechanisms it accepts, in order (`[auth] mechanisms`).
    pub fn mechanisms(&self) -> Vec<Mechanism> {
        self.config.mechanisms().collect()
    }
}

impl Guard for Authenticated {
    const AUTHENTICATES: bool = true;
    const ENFORCES_REQUIREMENTS: bool = true;

    /// One scheme per mechanism `[auth] mechanisms` turns on: `jwt` and
    /// `api_token` read `Authorization: <scheme> <token>` (HTTP bearer
    /// when the scheme is `Bearer`, a header otherwise, as RealWorld's
    /// `Token`), `session` its cookie.
    fn security(config: &elif::config::source::ConfigSource) -> Vec<elif::http::SecurityScheme> {
        use elif::config::ConfigSection as _;
        use elif::http::{Credentials, SecurityScheme};
        let Ok(auth) = AuthConfig::load(config) else {
            return Vec::new();
        };
        let bearer = auth.scheme.eq_ignore_ascii_case("bearer");
        let header = |format: Option<&str>| {
            if bearer {
                Credentials::Bearer {
                    format: format.map(str::to_owned),
                }
            } else {
                Credentials::Header {
                    name: "Authorization".to_owned(),
                }
            }
        };
        let development = elif::config::AppConfig::load(config)
            .map(|app| app.env != elif::config::Environment::Production)
            .unwrap_or(true);
        auth.mechanisms()
            .map(|mechanism| match mechanism {
                Mechanism::Jwt => SecurityScheme::new(
                    "jwt",
                    header(Some("JWT")),
                    format!("`Authorization: {} <token>`, the token from logging in", auth.scheme),
                ),
                Mechanism::ApiToken => SecurityScheme::new(
                    "api_token",
                    header(None),
                    format!("`Authorization: {} <api token>`, a token made with its abilities", auth.scheme),
                ),
                Mechanism::Session => {
                    let name = crate::session::SessionConfig::load(config)
                        .map(|s| s.cookie)
                        .unwrap_or_else(|_| "session".to_owned());
                    let name = if development { name } else { format!("__Host-{name}") };
                    SecurityScheme::new(
                        "session",
                        Credentials::Cookie { name },
                        "The session cookie set by logging in; unsafe methods also need the `X-XSRF-TOKEN` header",
                    )
                }
            })
            .collect()
    }

    async fn check(&self, cx: &RequestContext<'_>) -> elif::Result<()> {
        self.admit(cx)
            .await
            .map_err(|error| challenged(error, self.config.challenge()))
    }
}

impl Authenticated {
    /// [`Guard::check`] before the challenge is added to its 401s.
    async fn admit(&self, cx: &RequestContext<'_>) -> elif::Result<()> {
        let identity = self.authenticate(cx.request()).await?;
        if crate::csrf::is_unsafe(cx.request().method()) {
            match &identity {
                Some(identity) if identity.mechanism == Mechanism::Session => {
                    crate::csrf::check_session(cx.request(), &self.sessions)?;
                }
                None if self.config.mechanisms().any(|m| m == Mechanism::Session) => {
                    crate::csrf::check_anonymous(cx.request())?;
                }
                _ => {}
            }
        }
        let requires = cx.access().requires();
        match &identity {
            None if !cx.access().is_public() => return Err(rejected(AuthError::Required)),
            None => {}
            Some(identity) => {
                cx.insert(identity.clone());
                cx.insert(elif::http::AuthenticatedBy {
                    mechanism: identity.mechanism.name(),
                    subject: identity.subject.clone(),
                    token: identity.token_id.clone(),
                });
                if !requires.is_empty() {
                    let principal = principal_of(cx.request(), identity, &*self.principals).await?;
                    for requirement in requires {
                        let refused = match *requirement {
                            Requirement::Role(role) if !principal.has_role(role) => {
                                Some(Error::from(AuthError::Role(role)))
                            }
                            Requirement::Permission(permission)
                                if !principal.has_permission(permission) =>
                            {
                                Some(Error::from(AuthError::Permission(permission)))
                            }
                            // An API token restricts what its principal may do.
                            Requirement::Permission(permission) if !identity.can(permission) => {
                                Some(Error::from(ApiTokenError::Ability(permission)))
                            }
                            _ => None,
                        };
                        if let Some(refused) = refused {
                            return Err(denied(refused));
                        }
                    }
                }
            }
        }
        cx.insert(Outcome {
            identity,
            principals: Inject::into_arc(self.principals.clone()),
            config: self.config.clone(),
        });
        Ok(())
    }
}

/// Records an authorisation refusal as a security event.
pub(crate) fn denied(error: impl Into<Error>) -> Error {
    let error = error.into();
    tracing::info!(
        target: "elif_auth::security",
        event = "authorization.denied",
        code = error.code(),
        "access denied"
    );
    error
}

/// The authenticated principal, loaded once per request: 401 when the
/// request is anonymous (take `Option<CurrentUser<U>>` on a `#[public]`
/// route instead) or its principal is gone or disabled.
pub struct CurrentUser<U> {
    user: Arc<U>,
    container: Container,
}

impl<U> CurrentUser<U> {
    /// The principal.
    pub fn into_arc(this: Self) -> Arc<U> {
        this.user
    }

    /// The app's container (the [`Gate`](crate::Gate) finds policies there).
    pub(crate) fn container(&self) -> &Container {
        &self.container
    }
}

impl<U> Clone for CurrentUser<U> {
    fn clone(&self) -> Self {
        Self {
            user: self.user.clone(),
            container: self.container.clone(),
        }
    }
}

impl<U> Deref for CurrentUser<U> {
    type Target = U;

    fn deref(&self) -> &U {
        &self.user
    }
}

impl<U: std::fmt::Debug> std::fmt::Debug for CurrentUser<U> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("CurrentUser").field(&self.user).finish()
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
            let outcome = request.extensions().get::<Outcome>().cloned();
            let Some(Outcome {
                identity,
                principals,
                config,
            }) = outcome
            else {
                return Err(AuthError::NoGuard.into());
            };
            let challenge = config.challenge();
            let identity =
                identity.ok_or_else(|| challenged(AuthError::Required.into(), challenge))?;
            let principal = principal_of(&request, &identity, &*principals)
                .await
                .map_err(|error| challenged(error, challenge))?;
            let user = principal
                .into_any()
                .downcast::<U>()
                .map_err(|_| Error::from(AuthError::PrincipalType))?;
            let container = request
                .app_data::<Container>()
                .cloned()
                .ok_or_else(|| Error::internal("the request is not served by an elif app"))?;
            Ok(CurrentUser { user, container })
        })
    }
}

/// The app's repository of `U`: its singleton, or one on its database.
fn repository<U: Model>(container: &Container) -> elif::Result<Arc<Repository<U>>> {
    if let Some(repository) = container.get::<Repository<U>>() {
        return Ok(repository);
    }
    let database = container.get::<Database>().ok_or_else(|| {
        Error::internal(format!(
            "the principals `{}` need the app's database",
            std::any::type_name::<U>()
        ))
        .with_hint("import `elif::data::DataModule` in the app's root module")
    })?;
    let clock = container
        .get::<dyn Clock>()
        .ok_or_else(|| Error::internal("the app has no clock"))?;
    Ok(Arc::new(Repository::<U>::with_clock(database, clock)))
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
