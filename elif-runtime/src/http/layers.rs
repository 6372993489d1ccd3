//! The layers (guards, interceptors, filters) added around every route at
//! run time, by the app (`App::guard`, `App::interceptor`, `App::filter`)
//! and by a controller's module
//! (`#[module(guards(..), interceptors(..), filters(..))]`). They are chosen
//! when the app is built, not named in attributes, so they are boxed; routes
//! without any skip them after a length check. A [`Layer`] is declared on
//! the modules floor; this floor gives it its trait object.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::HttpResponse;

use crate::di::provider::{Instance, downcast, instance};
use crate::error::Error;
use crate::http::guard::{DynGuard, Guard, RequestContext};
use crate::http::intercept::{ExceptionFilter, Interceptor, response_error};
use crate::module::{FilterKind, GuardKind, InterceptorKind, Layer, LayerKind};

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

/// The trait object through which a kind of layer runs.
pub(crate) trait LayerObject: LayerKind {
    /// `dyn DynGuard`, `dyn DynInterceptor` or `dyn DynFilter`.
    type Object: ?Sized + Send + Sync + 'static;
}

impl LayerObject for GuardKind {
    type Object = dyn DynGuard;
}

impl LayerObject for InterceptorKind {
    type Object = dyn DynInterceptor;
}

impl LayerObject for FilterKind {
    type Object = dyn DynFilter;
}

/// Why a layer could not be resolved in a built container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unresolved {
    /// The graph has no node for the layer's provider key.
    NotInGraph,
    /// The node was not built as a singleton.
    NotBuilt,
    /// The instance is not of the type the layer was made for: its
    /// `Injectable` impl describes another type.
    OtherType,
}

/// The component of `layer`, as its kind's trait object, in a built
/// container, or why there is none.
pub(crate) fn resolve<K: LayerObject>(
    layer: &Layer<K>,
    container: &crate::di::Container,
) -> Result<Arc<K::Object>, Unresolved> {
    let key = ((layer.descriptor)().key)();
    let index = container
        .graph()
        .index_of(key)
        .ok_or(Unresolved::NotInGraph)?;
    let built = container.singleton(index).ok_or(Unresolved::NotBuilt)?;
    (layer.cast)(built)
        .and_then(|cast| downcast::<K::Object>(&cast))
        .ok_or(Unresolved::OtherType)
}

impl Layer<GuardKind> {
    /// The layer of guard `G`.
    pub const fn guard<G: Guard>() -> Self {
        Self::new::<G>(G::descriptor, cast_guard::<G>)
            .authenticating(G::AUTHENTICATES, G::ENFORCES_REQUIREMENTS)
            .with_security(G::security)
    }
}

impl Layer<InterceptorKind> {
    /// The layer of interceptor `I`.
    pub const fn interceptor<I: Interceptor>() -> Self {
        Self::new::<I>(I::descriptor, cast_interceptor::<I>)
    }
}

impl Layer<FilterKind> {
    /// The layer of exception filter `F`.
    pub const fn filter<F: ExceptionFilter>() -> Self {
        Self::new::<F>(F::descriptor, cast_filter::<F>)
    }
}

fn cast_guard<G: Guard>(built: &Instance) -> Option<Instance> {
    downcast::<G>(built).map(|g| instance(g as Arc<dyn DynGuard>))
}

fn cast_interceptor<I: Interceptor>(built: &Instance) -> Option<Instance> {
    downcast::<I>(built).map(|i| instance(i as Arc<dyn DynInterceptor>))
}

fn cast_filter<F: ExceptionFilter>(built: &Instance) -> Option<Instance> {
    downcast::<F>(built).map(|f| instance(f as Arc<dyn DynFilter>))
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
