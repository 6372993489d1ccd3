//! Interceptors (around the handler) and exception filters (on errors),
//! named in `#[controller(.., interceptors(..), filters(..))]` or on a route,
//! and dispatched statically.

use std::future::Future;

use actix_web::dev::ServiceResponse;
use actix_web::{HttpRequest, HttpResponse};

use crate::di::Injectable;
use crate::error::Error;
use crate::http::guard::RequestContext;

/// Runs around a handler: it may act before, call `next` (the handler, or
/// the next interceptor) and change its response, or answer without calling
/// it (a cache hit). Mark the struct `#[injectable]` and implement this.
///
/// ```text
/// impl Interceptor for Timing {
///     async fn intercept<N>(&self, _cx: &RequestContext<'_>, next: N) -> elif::Result<HttpResponse>
///     where
///         N: Future<Output = elif::Result<HttpResponse>>,
///     {
///         let started = std::time::Instant::now();
///         let mut response = next.await?;
///         response.headers_mut().insert(
///             HeaderName::from_static("server-timing"),
///             HeaderValue::from_str(&format!("app;dur={}", started.elapsed().as_millis())).unwrap(),
///         );
///         Ok(response)
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an interceptor [EL0028]",
    label = "not an interceptor",
    note = "mark `{Self}` with `#[injectable]` and implement `elif::http::Interceptor` for it"
)]
pub trait Interceptor: Injectable {
    /// Wraps `next`, which produces the handler's response.
    fn intercept<N>(
        &self,
        cx: &RequestContext<'_>,
        next: N,
    ) -> impl Future<Output = crate::Result<HttpResponse>>
    where
        N: Future<Output = crate::Result<HttpResponse>>;
}

/// Turns an error of its route (from a guard, an extractor or the handler)
/// into a response, or lets it pass (`None`). Filters are tried in order;
/// the first that answers wins.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an exception filter [EL0029]",
    label = "not an exception filter",
    note = "mark `{Self}` with `#[injectable]` and implement `elif::http::ExceptionFilter` for it"
)]
pub trait ExceptionFilter: Injectable {
    /// The response for `error`, or `None` to let it pass.
    fn catch(&self, error: &Error, cx: &RequestContext<'_>) -> Option<HttpResponse>;
}

/// The end of a generated route's service: its response (or the error that
/// stopped it) as the response to `request`. Errors keep their
/// `elif::Error` inside, so that the pipeline renders them as problem+json.
pub fn finish(
    request: HttpRequest,
    outcome: crate::Result<HttpResponse>,
) -> Result<ServiceResponse, actix_web::Error> {
    Ok(match outcome {
        Ok(response) => ServiceResponse::new(request, response),
        Err(error) => ServiceResponse::from_err(error, request),
    })
}

/// The elif error a response carries, if it is an error response built from one.
pub fn response_error(response: &HttpResponse) -> Option<&Error> {
    response.error().and_then(|e| e.as_error::<Error>())
}
