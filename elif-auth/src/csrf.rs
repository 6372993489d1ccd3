//! Cross-site request forgery, decided by how a request was authenticated.
//!
//! A browser sends cookies with requests that other sites' pages make, so
//! an unsafe request (`POST`, `PUT`, `PATCH`, `DELETE`…) authenticated by
//! the session cookie must prove that a page of the app (or of an origin
//! the app allows, `security.cors.allowed_origins`) sent it:
//!
//! 1. by the headers browsers set and pages cannot forge
//!    (`Sec-Fetch-Site: same-origin`, or an `Origin` that is the app's own
//!    or an allowed one: [`Provenance`]); or
//! 2. by the token, in the convention that Angular and axios follow by
//!    themselves: the `XSRF-TOKEN` cookie, sent back in the `X-XSRF-TOKEN`
//!    header. The token is signed with the session's id (HMAC-SHA256), so
//!    a cookie planted by a sibling subdomain does not pass, and it must
//!    equal the cookie (double submit).
//!
//! Requests authenticated by a JWT or an API token carry their credential
//! in a header a foreign page cannot set, and are not affected.
//!
//! Login CSRF: an unsafe request that no credential authenticated, in an
//! app that uses sessions (a login or sign-up form), is refused when a
//! browser says it comes from a foreign page. Clients that are no browser
//! send neither header and pass.

use base64::Engine;
use elif::http::{HttpRequest, Method, Provenance};
use elif::prelude::*;
use hmac::{KeyInit, Mac};

use crate::session::Sessions;

/// The cookie carrying the token (readable by the page's scripts).
pub const XSRF_COOKIE: &str = "XSRF-TOKEN";
/// The header a page sends the token back in.
pub const XSRF_HEADER: &str = "x-xsrf-token";

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// Why an unsafe request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, DomainError)]
pub enum CsrfError {
    /// A session-authenticated request without proof of its page.
    #[problem(
        status = 403,
        code = "CSRF_REFUSED",
        message = "this request is authenticated by the session cookie but neither comes from the app's pages nor carries the XSRF token",
        hint = "send the `XSRF-TOKEN` cookie's value in the `X-XSRF-TOKEN` header (Angular and axios do), or call from a page of an allowed origin"
    )]
    Refused,
    /// A login or sign-up form posted by another site's page.
    #[problem(
        status = 403,
        code = "CSRF_CROSS_SITE",
        message = "a page of another origin sent this request, and the origin is not in `security.cors.allowed_origins`",
        hint = "post the form from the app's own pages, or allow the page's origin"
    )]
    CrossSite,
    /// `GET /auth/csrf` for a request no session authenticated: the
    /// route's credential is the session cookie, and this request has none
    /// (a token authenticated it, which needs no CSRF token).
    #[problem(
        status = 401,
        code = "CSRF_NO_SESSION",
        message = "CSRF tokens protect session cookies; this request was authenticated by a token, which needs none",
        hint = "ask for the CSRF token with the session cookie"
    )]
    NoSession,
}

/// Whether `method` may change state (anything but `GET`, `HEAD`,
/// `OPTIONS` and `TRACE`).
pub fn is_unsafe(method: &Method) -> bool {
    !matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// A new token for the session `session_id`: a random part and its MAC.
pub fn token_for(session_id: &str) -> String {
    let nonce = crate::session::session_id();
    let tag = mac(session_id, &nonce).finalize().into_bytes();
    format!(
        "{nonce}.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tag)
    )
}

/// Whether `token` was made by [`token_for`] for `session_id`.
pub fn verify(session_id: &str, token: &str) -> bool {
    let Some((nonce, tag)) = token.split_once('.') else {
        return false;
    };
    let Ok(tag) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(tag) else {
        return false;
    };
    mac(session_id, nonce).verify_slice(&tag).is_ok()
}

fn mac(session_id: &str, nonce: &str) -> HmacSha256 {
    // HMAC takes keys of any length.
    let mut mac = match HmacSha256::new_from_slice(session_id.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts a key of any length"),
    };
    mac.update(nonce.as_bytes());
    mac
}

/// The `Set-Cookie` value of the token cookie (`max_age`: `Some(0)`
/// removes it): readable by scripts, `SameSite=Lax`, `Secure` outside
/// development.
pub(crate) fn cookie(token: &str, secure: bool, max_age: Option<i64>) -> String {
    let mut header = format!("{XSRF_COOKIE}={token}; Path=/; SameSite=Lax");
    if secure {
        header.push_str("; Secure");
    }
    if let Some(age) = max_age {
        header.push_str(&format!("; Max-Age={age}"));
    }
    header
}

/// The value of cookie `name` in `request`.
pub(crate) fn cookie_value<'a>(request: &'a HttpRequest, name: &str) -> Option<&'a str> {
    request
        .headers()
        .get_all(elif::http::header::COOKIE)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.trim_matches('"'))
}

/// Refuses an unsafe request that the session cookie authenticated and
/// that proves neither its page nor the token.
pub(crate) fn check_session(request: &HttpRequest, sessions: &Sessions) -> elif::Result<()> {
    if matches!(
        Provenance::of(request),
        Provenance::SameOrigin | Provenance::AllowedOrigin
    ) {
        return Ok(());
    }
    let sent = request
        .headers()
        .get(XSRF_HEADER)
        .and_then(|v| v.to_str().ok());
    let stored = cookie_value(request, XSRF_COOKIE);
    let valid = match (sent, stored, sessions.id_of(request)) {
        (Some(sent), Some(stored), Some(session)) => sent == stored && verify(&session, sent),
        _ => false,
    };
    if valid {
        return Ok(());
    }
    tracing::warn!(target: "elif_auth::security", event = "csrf.refused", path = request.path(), "CSRF check refused a request");
    Err(CsrfError::Refused.into())
}

/// Refuses an unsafe, unauthenticated request that a browser says a
/// foreign page sent (login CSRF).
pub(crate) fn check_anonymous(request: &HttpRequest) -> elif::Result<()> {
    match Provenance::of(request) {
        Provenance::CrossOrigin => {
            tracing::warn!(target: "elif_auth::security", event = "csrf.refused", path = request.path(), "a foreign page posted to a form");
            Err(CsrfError::CrossSite.into())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_for_their_session_only() {
        let token = token_for("session-a");
        assert!(verify("session-a", &token));
        assert!(!verify("session-b", &token), "bound to its session");
        let (nonce, _) = token.split_once('.').unwrap();
        assert!(!verify("session-a", &format!("{nonce}.AAAA")), "forged tag");
        assert!(!verify("session-a", nonce), "no tag");
        assert_ne!(token_for("session-a"), token, "a new nonce each time");
    }

    #[test]
    fn only_state_changing_methods_are_checked() {
        for method in [Method::GET, Method::HEAD, Method::OPTIONS, Method::TRACE] {
            assert!(!is_unsafe(&method), "{method}");
        }
        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            assert!(is_unsafe(&method), "{method}");
        }
        assert!(is_unsafe(&Method::from_bytes(b"PURGE").unwrap()));
    }
}
