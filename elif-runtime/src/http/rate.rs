//! Rate limits on routes: `#[throttle(..)]` on a route or controller, and
//! the app-wide limit (`[rate_limit]`) on every other route. A route's
//! limit runs after its guards (so that it can count per user), before its
//! arguments are read. A refused request gets 429 `RATE_LIMITED` with
//! `Retry-After` and the `RateLimit`/`RateLimit-Policy` fields of
//! draft-ietf-httpapi-ratelimit-headers-08; a route with its own limit
//! sends them on every response.

use std::sync::Arc;

use actix_web::{HttpMessage, HttpRequest};
use elif_catalogue::{EL3022, EL3023};
use futures_core::future::LocalBoxFuture;

use crate::error::Error;
use crate::http::RequestContext;
use crate::http::hardening::{AuthenticatedBy, ClientIp};
use crate::ratelimit::{Decision, Failure, Key, Limiter, Mode, Quota};

/// A route's rate limit, as `#[throttle]` declares it.
#[derive(Debug, Clone, Copy)]
pub enum RouteThrottle {
    /// The app-wide limit (`[rate_limit]`).
    Default,
    /// No limit (`#[throttle(off)]`).
    Off,
    /// The route's own.
    Limit(Throttle),
}

/// A limit of its own: `#[throttle(limit = 5, per = "1m", key = "user")]`.
#[derive(Debug, Clone, Copy)]
pub struct Throttle {
    /// The policy's name (its `RateLimit` item; the handler's by default).
    pub name: &'static str,
    /// How many requests, how often.
    pub quota: Quota,
    /// Whose requests count together.
    pub key: ThrottleKey,
}

/// Whose requests share a limit.
#[derive(Debug, Clone, Copy)]
pub enum ThrottleKey {
    /// The client's address (through trusted proxies).
    Ip,
    /// The authenticated user (the address for anonymous requests).
    User,
    /// The credential (an API token, a JWT's id); else the user, else the
    /// address.
    Token,
    /// A function of the request (`None`: the address).
    Custom(fn(&HttpRequest) -> Option<String>),
}

impl RouteThrottle {
    /// How `map` and `routes` show it: `default`, `off`, or
    /// `name: 5/60s (burst 5) by user`.
    pub fn describe(&self) -> String {
        match self {
            Self::Default => "default".to_owned(),
            Self::Off => "off".to_owned(),
            Self::Limit(throttle) => {
                let key = match throttle.key {
                    ThrottleKey::Ip => "ip",
                    ThrottleKey::User => "user",
                    ThrottleKey::Token => "token",
                    ThrottleKey::Custom(_) => "custom key",
                };
                let quota = throttle.quota;
                format!(
                    "{}: {}/{}s (burst {}) by {key}",
                    throttle.name, quota.limit, quota.window_secs, quota.burst
                )
            }
        }
    }
}

/// The app's limiter and its defaults, in the app data of every worker.
#[derive(Debug)]
pub(crate) struct RateLimits {
    pub(crate) limiter: Limiter,
    /// Where the app-wide limit is kept when not in `limiter`: this
    /// instance's memory (unless `rate_limit.share_default`).
    pub(crate) default_limiter: Option<Limiter>,
    pub(crate) default: Option<Quota>,
    pub(crate) on_failure: Failure,
}

/// The `RateLimit` fields of a route with a limit of its own, kept in the
/// request for the pipeline to put on the response.
#[derive(Debug)]
pub(crate) struct RateLimitFields {
    pub(crate) limit: String,
    pub(crate) policy: String,
}

impl RateLimitFields {
    /// Puts the fields on a response.
    pub(crate) fn apply(self, headers: &mut actix_web::http::header::HeaderMap) {
        use actix_web::http::header::{HeaderName, HeaderValue};
        for (name, value) in [("ratelimit", self.limit), ("ratelimit-policy", self.policy)] {
            if let Ok(value) = HeaderValue::try_from(value) {
                headers.insert(HeaderName::from_static(name), value);
            }
        }
    }
}

/// What a route's limit says, at once when the store is in memory.
pub enum Throttled {
    /// Go on.
    Pass,
    /// 429 (or 503 when the store failed and the policy is closed).
    Refused(Error),
    /// Ask Redis first.
    Wait(LocalBoxFuture<'static, Result<(), Error>>),
}

/// Checks `route`'s limit for the request (generated routes call it after
/// their guards).
pub fn throttle(cx: &RequestContext<'_>, route: &RouteThrottle) -> Throttled {
    let request = cx.request();
    let Some(limits) = request.app_data::<Arc<RateLimits>>() else {
        return Throttled::Pass;
    };
    let (name, quota, key, own) = match route {
        RouteThrottle::Off => return Throttled::Pass,
        RouteThrottle::Default => match limits.default {
            Some(quota) => ("default", quota, ThrottleKey::Ip, false),
            None => return Throttled::Pass,
        },
        RouteThrottle::Limit(throttle) => (throttle.name, throttle.quota, throttle.key, true),
    };
    let key = key_of(request, key);
    let limiter = match (&limits.default_limiter, own) {
        (Some(local), false) => local,
        _ => &limits.limiter,
    };
    match limiter.check_now(name, key.as_key(), quota, Mode::Hit) {
        Some(decision) => match judge(request, &decision, name, quota, own) {
            Ok(()) => Throttled::Pass,
            Err(error) => Throttled::Refused(error),
        },
        None => {
            let (limits, request) = (Arc::clone(limits), request.clone());
            Throttled::Wait(Box::pin(async move {
                let decision = limits
                    .limiter
                    .check(name, key.as_key(), quota, Mode::Hit, limits.on_failure)
                    .await;
                judge(&request, &decision, name, quota, own)
            }))
        }
    }
}

/// A request's key, owned (a route's limit may wait for Redis with it).
enum OwnedKey {
    Address(std::net::IpAddr),
    Named(String),
}

impl OwnedKey {
    fn as_key(&self) -> Key<'_> {
        match self {
            Self::Address(ip) => Key::Address(*ip),
            Self::Named(name) => Key::Named(name),
        }
    }
}

/// The key of `request` under `key`.
fn key_of(request: &HttpRequest, key: ThrottleKey) -> OwnedKey {
    let address = || match ClientIp::of(request) {
        Some(ip) => OwnedKey::Address(ip.0),
        None => OwnedKey::Named("unknown".to_owned()),
    };
    let authenticated = || request.extensions().get::<AuthenticatedBy>().cloned();
    let named = OwnedKey::Named;
    match key {
        ThrottleKey::Ip => address(),
        ThrottleKey::User => {
            authenticated().map_or_else(address, |by| named(format!("user:{}", by.subject)))
        }
        ThrottleKey::Token => match authenticated() {
            Some(AuthenticatedBy {
                token: Some(token), ..
            }) => named(format!("token:{token}")),
            Some(by) => named(format!("user:{}", by.subject)),
            None => address(),
        },
        ThrottleKey::Custom(key) => {
            key(request).map_or_else(address, |k| named(format!("key:{k}")))
        }
    }
}

/// The app's limiter, for packages that count requests of their own (a
/// credential check counts failed logins); `None` outside an elif app.
pub fn rate_limiter(request: &HttpRequest) -> Option<&Limiter> {
    request
        .app_data::<Arc<RateLimits>>()
        .map(|limits| &limits.limiter)
}

/// `Ok` for an allowed request (keeping its `RateLimit` fields when the
/// route has its own limit), else the error to answer.
fn judge(
    request: &HttpRequest,
    decision: &Decision,
    name: &str,
    quota: Quota,
    own: bool,
) -> Result<(), Error> {
    if decision.allowed {
        if own && !decision.store_failed {
            request.extensions_mut().insert(RateLimitFields {
                limit: decision.header(name),
                policy: quota.policy(name),
            });
        }
        return Ok(());
    }
    Err(rate_refusal(decision, name, quota))
}

/// The answer to a request that `decision` refused under policy `name`:
/// 429 `RATE_LIMITED` with `Retry-After` and the `RateLimit` fields, or 503
/// `RATE_LIMIT_UNAVAILABLE` when the store failed and the limit fails
/// closed.
pub fn rate_refusal(decision: &Decision, name: &str, quota: Quota) -> Error {
    if decision.store_failed {
        return Error::framework(
            &EL3023,
            "the rate limit store does not answer and this limit fails closed",
        )
        .with_retry_after(1);
    }
    let seconds = u32::try_from(decision.retry_after_secs()).unwrap_or(u32::MAX);
    Error::framework(
        &EL3022,
        format!(
            "more than {} requests in {} s; retry in {seconds} s",
            quota.limit, quota.window_secs
        ),
    )
    .with_retry_after(seconds)
    .with_header("ratelimit", decision.header(name))
    .with_header("ratelimit-policy", quota.policy(name))
}
