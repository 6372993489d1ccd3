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

/// What a guard sees: the request, and a place to leave values (such as the
/// authenticated principal) for handlers to take with `Extension<T>`.
pub struct RequestContext<'a> {
    request: &'a HttpRequest,
}

impl<'a> RequestContext<'a> {
    /// The context of `request`.
    pub fn new(request: &'a HttpRequest) -> Self {
        Self { request }
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

    /// The token of an `Authorization: Bearer <token>` header.
    pub fn bearer_token(&self) -> Option<&str> {
        self.header("authorization")?
            .strip_prefix("Bearer ")
            .map(str::trim)
            .filter(|t| !t.is_empty())
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

/// A guard: `Ok(())` lets the request through, an `Err` answers it
/// (typically 401 or 403). Mark the struct `#[guard]` (it is then built by
/// the container like any injectable) and implement this trait.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a guard [EL0027]",
    label = "not a guard",
    note = "mark `{Self}` with `#[guard]` and implement `elif::http::Guard` for it"
)]
pub trait Guard: Injectable {
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
