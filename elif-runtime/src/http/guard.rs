//! Guards: components that decide, before extraction and the handler,
//! whether a request may go on.
//!
//! Order for one route: app guards (`App::guard`, boxed), then the
//! controller's `guards(...)`, then the route's `guards(...)` (both
//! dispatched statically). The first to fail answers the request.

use std::future::Future;
use std::pin::Pin;

use actix_web::{HttpMessage, HttpRequest};

use crate::di::Injectable;
use crate::http::Access;

/// What a guard sees: the request, and a place to leave values (such as the
/// authenticated principal) for handlers to take with `Extension<T>`.
pub struct RequestContext<'a> {
    request: &'a HttpRequest,
    access: &'a Access,
}

impl<'a> RequestContext<'a> {
    /// The context of `request` to a route that needs authentication.
    pub fn new(request: &'a HttpRequest) -> Self {
        Self::with_access(request, &Access::PROTECTED)
    }

    /// The context of `request` to a route that declares `access`.
    pub fn with_access(request: &'a HttpRequest, access: &'a Access) -> Self {
        Self { request, access }
    }

    /// What the route declares about who may call it: an authenticating
    /// guard lets a request without credentials through when
    /// [`Access::is_public`] (and still verifies credentials that are there).
    pub fn access(&self) -> &Access {
        self.access
    }

    /// The request.
    pub fn request(&self) -> &HttpRequest {
        self.request
    }

    /// A header's value, if present and valid UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
    }

    /// The token of an `Authorization: Bearer <token>` header: the scheme
    /// in any case, one or more spaces, then a token68 (RFC 9110 §11.4,
    /// RFC 6750 §2.1). Anything else, another scheme included, is `None`.
    pub fn bearer_token(&self) -> Option<&str> {
        authorization_token(self.header("authorization")?, "bearer")
    }

    /// Leaves a value for the handler (`Extension<T>`) and later guards.
    pub fn insert<T: 'static>(&self, value: T) {
        self.request.extensions_mut().insert(value);
    }

    /// A value an earlier guard left.
    pub fn get<T: Clone + 'static>(&self) -> Option<T> {
        self.request.extensions().get::<T>().cloned()
    }
}

/// The token of an `Authorization` value (`credentials`) of `scheme`: the
/// scheme in any case, one or more spaces, then a token68 (RFC 9110
/// §11.4). Anything else, another scheme included, is `None`.
pub fn authorization_token<'a>(credentials: &'a str, scheme: &str) -> Option<&'a str> {
    let (given, token) = credentials.split_once(' ')?;
    let token = token.trim_start_matches(' ');
    (given.eq_ignore_ascii_case(scheme) && is_token68(token)).then_some(token)
}

/// `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_token68(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

/// A guard: `Ok(())` lets the request through, an `Err` answers it
/// (typically 401 or 403). Mark the struct `#[guard]` (it is then built by
/// the container like any injectable) and implement this trait.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a guard [EL0027]",
    label = "not a guard",
    note = "mark `{Self}` with `#[guard]` and implement `elif::http::Guard` for it"
)]
pub trait Guard: Injectable {
    /// Whether this guard authenticates: it establishes who is calling, or
    /// refuses the request (401). A route is secure by default only if one
    /// of its guards (the app's, its module's, its controller's or its
    /// own) authenticates, or it is `#[public]`; otherwise the boot
    /// reports `EL1016`. An authenticating guard lets anonymous requests to
    /// a public route through ([`RequestContext::access`]).
    const AUTHENTICATES: bool = false;

    /// Whether this guard enforces the route's requirements
    /// (`#[requires(role = "admin")]`, read from
    /// [`RequestContext::access`]): a route with requirements and no guard
    /// that enforces them stops the boot (`EL1017`).
    const ENFORCES_REQUIREMENTS: bool = false;

    /// The credentials an authenticating guard accepts, for the API
    /// description's security schemes (`elif openapi`), given the app's
    /// config. None by default; a guard that authenticates says what it
    /// reads, or its routes are described with no way to call them.
    fn security(
        config: &crate::config::source::ConfigSource,
    ) -> Vec<crate::credentials::SecurityScheme>
    where
        Self: Sized,
    {
        let _ = config;
        Vec::new()
    }

    /// Decides whether the request may go on.
    fn check(&self, cx: &RequestContext<'_>) -> impl Future<Output = crate::Result<()>>;
}

/// A guard behind a pointer, for guards added to the app at run time.
pub trait DynGuard: Send + Sync {
    /// As [`Guard::check`].
    fn check_dyn<'a>(
        &'a self,
        cx: &'a RequestContext<'a>,
    ) -> Pin<Box<dyn Future<Output = crate::Result<()>> + 'a>>;
}

impl<G: Guard> DynGuard for G {
    fn check_dyn<'a>(
        &'a self,
        cx: &'a RequestContext<'a>,
    ) -> Pin<Box<dyn Future<Output = crate::Result<()>> + 'a>> {
        Box::pin(self.check(cx))
    }
}

#[cfg(test)]
mod tests {
    use super::authorization_token;

    fn bearer_token(credentials: &str) -> Option<&str> {
        authorization_token(credentials, "bearer")
    }

    #[test]
    fn a_bearer_token_needs_the_scheme_spaces_and_a_token68() {
        for bad in [
            "",
            "Bearer",
            "Bearer ",
            "Bearer    ",
            "Bearer =",
            "Bearer\tabc",
            "Bearerabc",
            "Basic YWRhOnNlY3JldA==",
            "Token abc",
            "Bearer abc def",
            "Bearer abc,def",
            "Bearer a=b",
            "Bearer é",
            " Bearer abc",
        ] {
            assert_eq!(bearer_token(bad), None, "{bad:?}");
        }
        for (good, token) in [
            ("Bearer abc", "abc"),
            ("bearer abc", "abc"),
            ("BEARER abc", "abc"),
            ("bEaReR abc", "abc"),
            ("Bearer    abc", "abc"),
            (
                "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
            ),
            ("Bearer a-b._~+/c==", "a-b._~+/c=="),
        ] {
            assert_eq!(bearer_token(good), Some(token), "{good:?}");
        }
    }
}
