//! The layers added around every route at run time, by the app
//! (`App::guard`, `App::interceptor`, `App::filter`) and by a controller's
//! module (`#[module(guards(..), interceptors(..), filters(..))]`). They are chosen when the app is built,
//! not named in attributes, so they are boxed; routes without any skip them
//! after a length check.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::HttpResponse;

use crate::di::provider::{Instance, ProviderDescriptor, downcast};
use crate::error::Error;
use crate::http::guard::{DynGuard, Guard, RequestContext};
use crate::http::intercept::{ExceptionFilter, Interceptor, response_error};

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

/// A guard, interceptor or filter that a module
/// (`#[module(guards(..), interceptors(..), filters(..))]`) or the app
/// (`App::guard`, `App::interceptor`, `App::filter`) puts around routes: a
/// provider of the graph, used through the trait object `T`.
pub struct Layer<T: ?Sized> {
    /// The component's provider.
    pub descriptor: fn() -> &'static ProviderDescriptor,
    /// Its instance as `T`.
    pub cast: fn(&Instance) -> Option<Arc<T>>,
}

impl<T: ?Sized> Clone for Layer<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: ?Sized> Copy for Layer<T> {}

impl<T: ?Sized> std::fmt::Debug for Layer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str((self.descriptor)().name)
    }
}

impl<T: ?Sized> Layer<T> {
    /// The component's name.
    pub fn name(&self) -> &'static str {
        (self.descriptor)().name
    }

    /// The component's instance in a built container.
    pub(crate) fn resolve(&self, container: &crate::di::Container) -> Option<Arc<T>> {
        let index = container.graph().index_of(((self.descriptor)().key)())?;
        (self.cast)(container.singleton(index)?)
    }
}

impl Layer<dyn DynGuard> {
    /// The layer of guard `G`.
    pub const fn guard<G: Guard>() -> Self {
        Self {
            descriptor: G::descriptor,
            cast: cast_guard::<G>,
        }
    }
}

impl Layer<dyn DynInterceptor> {
    /// The layer of interceptor `I`.
    pub const fn interceptor<I: Interceptor>() -> Self {
        Self {
            descriptor: I::descriptor,
            cast: cast_interceptor::<I>,
        }
    }
}

impl Layer<dyn DynFilter> {
    /// The layer of exception filter `F`.
    pub const fn filter<F: ExceptionFilter>() -> Self {
        Self {
            descriptor: F::descriptor,
            cast: cast_filter::<F>,
        }
    }
}

fn cast_guard<G: Guard>(instance: &Instance) -> Option<Arc<dyn DynGuard>> {
    downcast::<G>(instance).map(|g| g as Arc<dyn DynGuard>)
}

fn cast_interceptor<I: Interceptor>(instance: &Instance) -> Option<Arc<dyn DynInterceptor>> {
    downcast::<I>(instance).map(|i| i as Arc<dyn DynInterceptor>)
}

fn cast_filter<F: ExceptionFilter>(instance: &Instance) -> Option<Arc<dyn DynFilter>> {
    downcast::<F>(instance).map(|f| f as Arc<dyn DynFilter>)
}

/// What runs around one controller's routes besides what its attributes
/// name: guards and interceptors (the app's, then its module's), filters
/// (its module's, then the app's), each list in the order declared.
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

/// Whether there are app or module interceptors around the handler
/// (generated routes await the handler in place when there are none).
pub fn has_app_interceptors(layers: &AppLayers) -> bool {
    !layers.interceptors.is_empty()
}

/// Runs the app's and the module's guards in order.
pub async fn run_app_guards(layers: &AppLayers, cx: &RequestContext<'_>) -> crate::Result<()> {
    for guard in &layers.guards {
        guard.check_dyn(cx).await?;
    }
    Ok(())
}

/// Wraps `next` (the handler, inside the route's own interceptors) in the
/// app's interceptors; the first added is the outermost.
pub fn run_app_interceptors<'a>(
    layers: &'a AppLayers,
    cx: &'a RequestContext<'a>,
    mut next: LocalFuture<'a, crate::Result<HttpResponse>>,
) -> LocalFuture<'a, crate::Result<HttpResponse>> {
    for interceptor in layers.interceptors.iter().rev() {
        next = interceptor.intercept_dyn(cx, next);
    }
    next
}

/// The answer of a route's own filters (`catch`, which tries them in
/// order) to the error `outcome` carries; `outcome` if none answers.
pub fn catch_route(
    outcome: crate::Result<HttpResponse>,
    catch: impl FnOnce(&Error) -> Option<HttpResponse>,
) -> crate::Result<HttpResponse> {
    match error_of(&outcome).and_then(catch) {
        Some(response) => Ok(response),
        None => outcome,
    }
}

/// The first answer of the app's filters to the error `outcome` carries,
/// after the route's own filters let it pass; `outcome` if none answers.
pub fn catch_app(
    layers: &AppLayers,
    cx: &RequestContext<'_>,
    outcome: crate::Result<HttpResponse>,
) -> crate::Result<HttpResponse> {
    if layers.filters.is_empty() {
        return outcome;
    }
    match error_of(&outcome).and_then(|error| run_app_filters(layers, error, cx)) {
        Some(response) => Ok(response),
        None => outcome,
    }
}

/// The error an outcome carries, for filters: an `Err`, or an error
/// response built from an `elif::Error`.
fn error_of(outcome: &crate::Result<HttpResponse>) -> Option<&Error> {
    match outcome {
        Err(error) => Some(error),
        Ok(response) => response_error(response),
    }
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
