//! The outermost layer of every request: request id, log span, panic
//! catching, and rendering every error as problem+json.
//!
//! ```text
//! request ─▶ Pipeline ─▶ [app middleware] ─▶ router ─▶ guards ─▶ extractors/validation
//!                                                      ─▶ handler ─▶ response
//! response ◀─ Pipeline (request id header, problem+json for any error, panic → 500)
//! ```

use std::future::{Future, Ready, ready};
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use actix_web::{HttpMessage, HttpResponse};
use tracing::Instrument;

use crate::error::Error;
use crate::http::problem::{PROBLEM_JSON, Problem};

/// The request id header, read from clients and proxies and set on every response.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the current request, in its extensions (extract it with
/// `Extension<RequestId>` or read it from the `X-Request-Id` response header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

impl RequestId {
    /// The id taken from the request's `X-Request-Id` when it is a sane
    /// token (1–128 visible ASCII characters), else a new one.
    fn for_request(request: &ServiceRequest) -> Self {
        let given = request
            .headers()
            .get(&REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()));
        Self(given.map_or_else(generate_id, str::to_owned))
    }
}

/// The request id as a handler argument.
impl actix_web::FromRequest for RequestId {
    type Error = Error;
    type Future = Ready<Result<Self, Error>>;

    fn from_request(
        request: &actix_web::HttpRequest,
        _: &mut actix_web::dev::Payload,
    ) -> Self::Future {
        ready(
            request
                .extensions()
                .get::<RequestId>()
                .cloned()
                .ok_or_else(|| {
                    Error::internal(
                        "no request id: the request did not pass through elif's pipeline",
                    )
                }),
        )
    }
}

/// A process-unique id: a per-process random prefix and a counter.
fn generate_id() -> String {
    static PREFIX: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let prefix = PREFIX.get_or_init(|| {
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        hasher.finish() as u32
    });
    format!("{prefix:08x}-{:012x}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// The pipeline middleware, configured for the app's mode.
#[derive(Clone, Copy)]
pub(crate) struct Pipeline {
    /// In production, 5xx bodies are generic (the detail goes to the log).
    pub(crate) production: bool,
}

impl<S, B> Transform<S, ServiceRequest> for Pipeline
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = PipelineService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(PipelineService {
            service: Rc::new(service),
            production: self.production,
        }))
    }
}

/// The pipeline around one worker's app.
pub(crate) struct PipelineService<S> {
    service: Rc<S>,
    production: bool,
}

impl<S, B> Service<ServiceRequest> for PipelineService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>>>>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let id = RequestId::for_request(&request);
        let span = tracing::info_span!("request", id = %id.0, method = %request.method(), path = %request.path());
        request.extensions_mut().insert(id.clone());
        let service = self.service.clone();
        let production = self.production;
        Box::pin(
            async move {
                // A panic while creating or polling the handler's future is caught.
                let outcome =
                    match std::panic::catch_unwind(AssertUnwindSafe(|| service.call(request))) {
                        Ok(future) => CatchUnwind { inner: future }.await,
                        Err(panic) => Err(panic),
                    };
                // Errors leave as a pre-rendered `Error`: the request was
                // consumed by the router, and actix renders it with `error_response`.
                match outcome {
                    Ok(Ok(response)) => {
                        let mut response = render(response, &id, production);
                        if let Ok(value) = HeaderValue::from_str(&id.0) {
                            response.headers_mut().insert(REQUEST_ID, value);
                        }
                        Ok(response)
                    }
                    Ok(Err(error)) => {
                        let status = error.as_response_error().status_code();
                        let problem = problem_of(&error, status, &id, production);
                        log_server_error(status, &problem, &error);
                        Err(Error::rendered(problem).into())
                    }
                    Err(panic) => {
                        tracing::error!(panic = %panic_message(&panic), "handler panicked");
                        let problem = Error::framework(
                            &elif_catalogue::EL3007,
                            500,
                            "INTERNAL_ERROR",
                            "the handler panicked",
                        )
                        .to_problem(Some(&id.0), production);
                        Err(Error::rendered(problem).into())
                    }
                }
            }
            .instrument(span),
        )
    }
}

/// Leaves successes alone; turns error responses (an error, or an empty
/// body such as the router's 404 and 405) into problem+json.
fn render<B: MessageBody + 'static>(
    response: ServiceResponse<B>,
    id: &RequestId,
    production: bool,
) -> ServiceResponse<EitherBody<B>> {
    let status = response.status();
    if status.as_u16() < 400 {
        return response.map_into_left_body();
    }
    let problem = match response.response().error() {
        Some(error) => {
            let problem = problem_of(error, status, id, production);
            log_server_error(status, &problem, error);
            problem
        }
        // A body the app built on purpose (a problem, `/ready`'s 503) stays.
        None if is_problem(&response) || has_body(&response) => {
            return response.map_into_left_body();
        }
        None => from_status(status, "", id, production),
    };
    let (request, old) = response.into_parts();
    let mut new: HttpResponse<BoxBody> = problem.response();
    for (name, value) in old.headers() {
        if name != CONTENT_TYPE && name != actix_web::http::header::CONTENT_LENGTH {
            new.headers_mut().insert(name.clone(), value.clone());
        }
    }
    ServiceResponse::new(request, new).map_into_right_body()
}

/// The problem for an error: ours as it is, others from their status and message.
fn problem_of(
    error: &actix_web::Error,
    status: StatusCode,
    id: &RequestId,
    production: bool,
) -> Problem {
    match error.as_error::<Error>() {
        Some(ours) => ours.to_problem(Some(&id.0), production),
        None => from_status(status, &error.to_string(), id, production),
    }
}

/// 5xx details go to the log (with the request id, from the span), since
/// production bodies do not carry them.
fn log_server_error(status: StatusCode, problem: &Problem, error: &actix_web::Error) {
    if status.is_server_error() {
        tracing::error!(status = status.as_u16(), code = %problem.code, "{error}");
    }
}

fn has_body<B: MessageBody>(response: &ServiceResponse<B>) -> bool {
    !matches!(
        response.response().body().size(),
        actix_web::body::BodySize::None | actix_web::body::BodySize::Sized(0)
    )
}

fn is_problem<B>(response: &ServiceResponse<B>) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()))
}

/// A problem for an error response elif did not build itself.
fn from_status(status: StatusCode, detail: &str, id: &RequestId, production: bool) -> Problem {
    use elif_catalogue::{EL3001, EL3002, EL3003, EL3005, EL3006, EL3007};
    let (entry, code, default) = match status.as_u16() {
        404 => (&EL3001, "ROUTE_NOT_FOUND", "no route matches this path"),
        405 => (
            &EL3002,
            "METHOD_NOT_ALLOWED",
            "this path does not answer this method; see the Allow header",
        ),
        413 => (
            &EL3005,
            "PAYLOAD_TOO_LARGE",
            "the body is larger than the limit",
        ),
        415 => (
            &EL3006,
            "UNSUPPORTED_MEDIA_TYPE",
            "the body's content type is not accepted here",
        ),
        400..=499 => (&EL3003, "MALFORMED_REQUEST", "the request cannot be read"),
        _ => (&EL3007, "INTERNAL_ERROR", "an internal error occurred"),
    };
    let detail = if detail.is_empty() { default } else { detail };
    Error::framework(entry, status.as_u16(), code, detail)
        .with_hint(entry.hint)
        .to_problem(Some(&id.0), production)
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(non-text panic payload)".to_owned())
}

pin_project_lite::pin_project! {
    /// Polls a future, turning a panic into an `Err` with the panic's payload.
    struct CatchUnwind<F> {
        #[pin]
        inner: F,
    }
}

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Box<dyn std::any::Any + Send>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.project().inner;
        match std::panic::catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}
