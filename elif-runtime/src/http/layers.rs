//! The layers added around every route at run time, by the app
//! (`App::guard`, `App::interceptor`, `App::filter`) and by a controller's
//! module (`#[module(guards(..))]`). They are chosen when the app is built,
//! not named in attributes, so they are boxed; routes without any skip them
//! after a length check.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::HttpResponse;

use crate::error::Error;
use crate::http::guard::{DynGuard, RequestContext};
use crate::http::intercept::{ExceptionFilter, Interceptor};

/// A boxed future borrowing the request context.
type LocalFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// An interceptor behind a pointer.
pub trait DynInterceptor: Send + Sync {
    /// As [`Interceptor::intercept`], with `next` boxed.
    fn intercept_dyn<'a>(
        &'a self,
        cx: &'a RequestContext<'a>,
        next: LocalFuture<'a, crate::Result<HttpResponse>>,
    ) -> LocalFuture<'a, crate::Result<HttpResponse>>;
}

impl<I: Interceptor> DynInterceptor for I {
    fn intercept_dyn<'a>(
        &'a self,
        cx: &'a RequestContext<'a>,
        next: LocalFuture<'a, crate::Result<HttpResponse>>,
    ) -> LocalFuture<'a, crate::Result<HttpResponse>> {
        Box::pin(self.intercept(cx, next))
    }
}

/// An exception filter behind a pointer.
pub trait DynFilter: Send + Sync {
    /// As [`ExceptionFilter::catch`].
    fn catch_dyn(&self, error: &Error, cx: &RequestContext<'_>) -> Option<HttpResponse>;
}

impl<F: ExceptionFilter> DynFilter for F {
    fn catch_dyn(&self, error: &Error, cx: &RequestContext<'_>) -> Option<HttpResponse> {
        self.catch(error, cx)
    }
}

/// What runs around one controller's routes besides what its attributes
/// name: guards (the app's, then its module's), interceptors and filters
/// (the app's), each in the order they were added.
#[derive(Clone, Default)]
pub struct AppLayers {
    pub(crate) guards: Vec<Arc<dyn DynGuard>>,
    pub(crate) interceptors: Vec<Arc<dyn DynInterceptor>>,
    pub(crate) filters: Vec<Arc<dyn DynFilter>>,
}

/// Whether there are app or module guards to run (generated routes skip
/// the call, and its future, when there are none).
pub fn has_app_guards(layers: &AppLayers) -> bool {
    !layers.guards.is_empty()
}

/// Runs the app's and the module's guards in order.
pub async fn run_app_guards(layers: &AppLayers, cx: &RequestContext<'_>) -> crate::Result<()> {
    for guard in &layers.guards {
        guard.check_dyn(cx).await?;
    }
    Ok(())
}

/// Whether the app adds interceptors or filters: a route whose attributes
/// name none takes its fast path when this is false.
pub fn has_app_wrappers(layers: &AppLayers) -> bool {
    !layers.interceptors.is_empty() || !layers.filters.is_empty()
}

/// Wraps `next` (the handler, inside the route's own interceptors) in the
/// app's interceptors; the first added is the outermost.
pub fn run_app_interceptors<'a>(
    layers: &'a AppLayers,
    cx: &'a RequestContext<'a>,
    next: impl Future<Output = crate::Result<HttpResponse>> + 'a,
) -> LocalFuture<'a, crate::Result<HttpResponse>> {
    let mut next: LocalFuture<'a, _> = Box::pin(next);
    for interceptor in layers.interceptors.iter().rev() {
        next = interceptor.intercept_dyn(cx, next);
    }
    next
}

/// The first answer of the app's filters to `error`, after the route's own
/// filters let it pass.
pub fn run_app_filters(
    layers: &AppLayers,
    error: &Error,
    cx: &RequestContext<'_>,
) -> Option<HttpResponse> {
    layers
        .filters
        .iter()
        .find_map(|filter| filter.catch_dyn(error, cx))
}
