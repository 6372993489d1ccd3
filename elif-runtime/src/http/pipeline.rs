//! The outermost layer of every request: request id, panic catching,
//! rendering every error as problem+json, and (opt-in) the access log.
//!
//! ```text
//! request ─▶ Pipeline ─▶ [app middleware] ─▶ router ─▶ guards ─▶ extractors/validation
//!                                                      ─▶ handler ─▶ response
//! response ◀─ Pipeline (request id header, problem+json for any error, panic → 500,
//!                        one access-log line when `server.access_log` is on)
//! ```
//!
//! What logging costs a request, and when: at the default level (`info`)
//! a request logs nothing unless it fails with a 5xx (an `error` event that
//! names its request id) or the app turned the access log on (one `info`
//! event per request, target `elif::access`). The `request` span that makes
//! a request's id part of every event inside it is a `debug` span: at
//! `info` it is one level comparison, since the fmt subscriber formats a
//! span's fields when it is made (several thousand instructions a request,
//! measured by `benches/run.sh http`).

use std::future::{Future, Ready, ready};
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use actix_web::HttpResponse;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, HeaderName, HeaderValue};

use crate::error::{Error, entry_for_status};
use crate::http::BodySettings;
use crate::http::RateLimitFields;
use crate::http::hardening::{Admitted, AuthenticatedBy, Hardening};
use crate::http::problem::{ErrorFormat, PROBLEM_JSON, Problem};
use crate::throttle::{self, Throttled};

/// The request id header, read from clients and proxies and set on every response.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the current request: a handler argument, and the
/// `X-Request-Id` response header. Cheap to clone; formatted on demand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(Repr);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Repr {
    /// Made here: the process prefix and this counter value.
    Generated(u64),
    /// Taken from the request's `X-Request-Id`.
    Given(Rc<str>),
}

impl RequestId {
    /// The id taken from the request's `X-Request-Id` when a trusted proxy
    /// sent it and it is a sane token (1–128 visible ASCII characters),
    /// else a new one: a client cannot choose the id its request is logged
    /// under.
    fn for_request(request: &ServiceRequest, hardening: &Hardening) -> Self {
        let given = request
            .headers()
            .get(&REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
            .filter(|_| hardening.trusts_peer(request));
        Self(match given {
            Some(given) => Repr::Given(Rc::from(given)),
            None => Repr::Generated(IdBlock::next()),
        })
    }

    /// The header value.
    fn header_value(&self) -> Option<HeaderValue> {
        match &self.0 {
            Repr::Generated(counter) => HeaderValue::from_bytes(&generated(*counter)).ok(),
            Repr::Given(given) => HeaderValue::from_str(given).ok(),
        }
    }
}

/// A worker's next request ids: counter values reserved from the
/// process-wide counter a block at a time, so that the workers do not all
/// write one shared atomic on every request.
struct IdBlock;

const IDS_PER_BLOCK: u64 = 1024;

thread_local! {
    /// This thread's next counter value and the end of its block.
    static IDS: std::cell::Cell<(u64, u64)> = const { std::cell::Cell::new((0, 0)) };
}

impl IdBlock {
    /// A new counter value for this thread's next request.
    fn next() -> u64 {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let (mut next, mut end) = IDS.get();
        if next == end {
            next = NEXT.fetch_add(IDS_PER_BLOCK, Ordering::Relaxed);
            end = next + IDS_PER_BLOCK;
        }
        IDS.set((next + 1, end));
        next
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Repr::Generated(counter) => {
                f.write_str(std::str::from_utf8(&generated(*counter)).unwrap_or_default())
            }
            Repr::Given(given) => f.write_str(given),
        }
    }
}

/// `pppppppp-cccccccccccc`: a per-process random prefix and a counter, in hex.
fn generated(counter: u64) -> [u8; 21] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    // The prefix's eight digits are formatted once per process.
    static PREFIX: std::sync::OnceLock<[u8; 8]> = std::sync::OnceLock::new();
    let prefix = PREFIX.get_or_init(|| {
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
        hasher.write_u128(now.map_or(0, |d| d.as_nanos()));
        let prefix = hasher.finish() as u32;
        std::array::from_fn(|i| HEX[((prefix >> (28 - 4 * i)) & 0xf) as usize])
    });
    let mut out = [b'-'; 21];
    out[..8].copy_from_slice(prefix);
    for (i, slot) in out[9..].iter_mut().enumerate() {
        *slot = HEX[((counter >> (44 - 4 * i)) & 0xf) as usize];
    }
    out
}

/// The request id as a handler argument.
impl actix_web::FromRequest for RequestId {
    type Error = Error;
    type Future = Ready<Result<Self, Error>>;

    fn from_request(_: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(CurrentId::get().ok_or_else(|| {
            Error::internal("no request id: the request did not pass through elif's pipeline")
        }))
    }
}

/// How error responses are rendered: the mode and the app's format.
#[derive(Clone)]
pub(crate) struct Rendering {
    /// In production, 5xx bodies are generic (the detail goes to the log).
    pub(crate) production: bool,
    /// The body's format (problem+json unless `App::error_format`).
    pub(crate) format: Arc<dyn ErrorFormat>,
}

impl Rendering {
    /// The response carrying `problem`.
    fn response(&self, problem: &Problem) -> HttpResponse {
        problem.response_as(&*self.format)
    }
}

/// The pipeline middleware, configured for the app's mode.
#[derive(Clone)]
pub(crate) struct Pipeline {
    /// How errors are rendered.
    pub(crate) rendering: Arc<Rendering>,
    /// One `info` line per request (`server.access_log`).
    pub(crate) access_log: bool,
    /// How JSON bodies are read (`server.body_limit`,
    /// `server.unknown_fields`): installed on each worker as it builds the
    /// app, so that extractors read them without a lookup per request.
    pub(crate) body: BodySettings,
    /// The security headers, hosts, proxies and CORS rules.
    pub(crate) hardening: std::sync::Arc<Hardening>,
}

impl<S> Transform<S, ServiceRequest> for Pipeline
where
    S: Service<ServiceRequest, Response = ServiceResponse<BoxBody>, Error = actix_web::Error>
        + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = actix_web::Error;
    type Transform = PipelineService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    /// Called once per worker, on the worker's thread, as it builds the app.
    fn new_transform(&self, service: S) -> Self::Future {
        self.body.install();
        ready(Ok(PipelineService {
            service: Rc::new(service),
            rendering: Rc::new((*self.rendering).clone()),
            access_log: self.access_log,
            hardening: Rc::new((*self.hardening).clone()),
        }))
    }
}

/// The pipeline around one worker's app.
pub(crate) struct PipelineService<S> {
    service: Rc<S>,
    rendering: Rc<Rendering>,
    access_log: bool,
    hardening: Rc<Hardening>,
}

impl<S> Service<ServiceRequest> for PipelineService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<BoxBody>, Error = actix_web::Error>
        + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = actix_web::Error;
    type Future = PipelineFuture<S::Future>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let id = RequestId::for_request(&request, &self.hardening);
        // The span is made only when something listens at `debug`: a
        // disabled span still costs a callsite check and a drop per request.
        let span = tracing::level_enabled!(tracing::Level::DEBUG)
            .then(|| tracing::debug_span!("request", id = %id, method = %request.method(), path = %request.path()))
            .filter(|span| !span.is_disabled())
            .map(Box::new);
        let access = self
            .access_log
            .then(|| Box::new(AccessEntry::of(&request, &self.hardening)));
        let rendering = Rc::clone(&self.rendering);
        let hardening = Rc::clone(&self.hardening);
        let (inner, early, admitted) = match hardening.admit(&request) {
            Ok(admitted) => {
                // A panic while creating the handler's future is caught too.
                let _entered = span.as_deref().map(tracing::Span::enter);
                match std::panic::catch_unwind(AssertUnwindSafe(|| self.service.call(request))) {
                    Ok(inner) => (Some(inner), None, admitted),
                    Err(panic) => (None, Some(Early::Panic(panic)), admitted),
                }
            }
            Err(refused) => (None, Some(Early::Refused(refused)), Admitted::default()),
        };
        PipelineFuture {
            inner,
            early,
            id,
            span,
            access,
            rendering,
            hardening,
            admitted,
            timer: None,
        }
    }
}

pin_project_lite::pin_project! {
    /// Polls the app's future with the request's id (and span) current,
    /// catching panics, then renders errors as problem+json.
    pub(crate) struct PipelineFuture<F> {
        #[pin]
        inner: Option<F>,
        // What ended the request before the app answered it.
        early: Option<Early>,
        id: RequestId,
        // Boxed, as is the access entry: both are usually absent, and a
        // smaller future is cheaper to move.
        span: Option<Box<tracing::Span>>,
        access: Option<Box<AccessEntry>>,
        rendering: Rc<Rendering>,
        hardening: Rc<Hardening>,
        admitted: Admitted,
        // The request timeout's timer, made when the app first leaves the
        // request pending.
        timer: Option<Pin<Box<tokio::time::Sleep>>>,
    }
}

/// A request answered without the app.
enum Early {
    /// Creating the app's future panicked.
    Panic(Box<dyn std::any::Any + Send>),
    /// Refused before the app (a host not allowed).
    Refused(Error),
}

/// What the access log needs of a request after the app has consumed it.
pub(crate) struct AccessEntry {
    started: std::time::Instant,
    /// The client's address, through trusted proxies.
    client: Option<std::net::IpAddr>,
    method: actix_web::http::Method,
    uri: actix_web::http::Uri,
}

impl AccessEntry {
    fn of(request: &ServiceRequest, hardening: &Hardening) -> Self {
        Self {
            started: std::time::Instant::now(),
            client: hardening.client_ip(request.peer_addr().map(|p| p.ip()), request.headers()),
            method: request.method().clone(),
            uri: request.uri().clone(),
        }
    }

    /// The request's line: id, client address, method, path (no query:
    /// it may carry secrets), status and duration.
    fn log(&self, id: &RequestId, status: StatusCode) {
        tracing::info!(
            target: "elif::access",
            request_id = %id,
            client = self.client.map(tracing::field::display),
            method = %self.method,
            path = self.uri.path(),
            status = status.as_u16(),
            micros = self.started.elapsed().as_micros() as u64,
            "request"
        );
    }
}

impl<F> Future for PipelineFuture<F>
where
    F: Future<Output = Result<ServiceResponse<BoxBody>, actix_web::Error>>,
{
    type Output = Result<ServiceResponse<BoxBody>, actix_web::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let (id, rendering) = (&*this.id, &**this.rendering);
        let production = rendering.production;
        let (hardening, admitted) = (&**this.hardening, &*this.admitted);
        let failure = match this.inner.as_mut().as_pin_mut() {
            Some(inner) => {
                let _entered = this.span.as_deref().map(tracing::Span::enter);
                let _current = CurrentId::set(id);
                match std::panic::catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
                    // Still working: the request's timer is made now (a
                    // request answered in its first poll costs none).
                    Ok(Poll::Pending) => {
                        let timeout = hardening.request_timeout();
                        let timer = this
                            .timer
                            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                        if timer.as_mut().poll(cx).is_pending() {
                            return Poll::Pending;
                        }
                        Ok(Error::framework(
                            &elif_catalogue::EL3021,
                            format!("the app did not answer within {} ms", timeout.as_millis()),
                        )
                        .into())
                    }
                    // The common case, answered here so that the response
                    // is moved as few times as possible.
                    Ok(Poll::Ready(Ok(mut response))) => {
                        if response.status().as_u16() >= 400 {
                            if let Some(answer) = hardening.preflight(
                                admitted,
                                response.status(),
                                response.headers().get(actix_web::http::header::ALLOW),
                            ) {
                                response = preflight(response, answer, id, rendering);
                            } else {
                                response = render(response, id, rendering);
                            }
                        }
                        // Neither errors nor what a guard authenticated
                        // are stored by caches (unless the route says so).
                        let (authenticated, limits) = {
                            let mut extensions =
                                actix_web::HttpMessage::extensions_mut(response.request());
                            (
                                extensions.contains::<AuthenticatedBy>(),
                                extensions.remove::<RateLimitFields>(),
                            )
                        };
                        let no_store = authenticated || response.status().as_u16() >= 400;
                        hardening.finish(response.headers_mut(), admitted, no_store);
                        if let Some(limits) = limits {
                            limits.apply(response.headers_mut());
                        }
                        if let Some(value) = id.header_value() {
                            response.headers_mut().insert(REQUEST_ID, value);
                        }
                        if let Some(access) = this.access.as_deref() {
                            access.log(id, response.status());
                        }
                        return Poll::Ready(Ok(response));
                    }
                    Ok(Poll::Ready(Err(error))) => Ok(error),
                    Err(panic) => Err(panic),
                }
            }
            None => match this.early.take() {
                Some(Early::Panic(panic)) => Err(panic),
                Some(Early::Refused(error)) => Ok(error.into()),
                None => {
                    return Poll::Ready(Err(Error::internal(
                        "the pipeline was polled after completion",
                    )
                    .into()));
                }
            },
        };
        // A handler that timed out is stopped: its future is dropped.
        this.inner.set(None);
        // Errors leave as an error carrying its finished response: the
        // request was consumed by the router (a `ServiceResponse` needs it),
        // and actix sends the response the error holds.
        let (status, problem) = match failure {
            Ok(error) => {
                let status = error.as_response_error().status_code();
                let problem = problem_of(&error, status, id, production);
                log_server_error(status, &problem, &error, id);
                (status, problem)
            }
            Err(panic) => {
                tracing::error!(request_id = %id, panic = %panic_message(&panic), "handler panicked");
                let problem = Error::framework(&elif_catalogue::EL3007, "the handler panicked")
                    .to_problem(Some(&id.to_string()), production);
                (StatusCode::INTERNAL_SERVER_ERROR, problem)
            }
        };
        if let Some(access) = this.access.as_deref() {
            access.log(id, status);
        }
        let mut response = rendering.response(&problem);
        // Errors are not stored by caches (`no_store`).
        hardening.finish(response.headers_mut(), admitted, true);
        let rendered = actix_web::error::InternalError::from_response(problem.code, response);
        Poll::Ready(Err(rendered.into()))
    }
}

thread_local! {
    /// The generated id of the request being polled (0: none, `u64::MAX`: see `GIVEN_ID`).
    static CURRENT_ID: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    /// The id of the request being polled, when the client gave it.
    static GIVEN_ID: std::cell::RefCell<Option<Rc<str>>> = const { std::cell::RefCell::new(None) };
}

/// Makes a request's id current on this thread while its future is polled
/// (an actix worker polls one future at a time), so extracting `RequestId`
/// costs no map insertion per request; restores the previous one on drop.
struct CurrentId {
    previous: u64,
    previous_given: Option<Rc<str>>,
}

impl CurrentId {
    fn set(id: &RequestId) -> Self {
        match &id.0 {
            Repr::Generated(counter) => Self {
                previous: CURRENT_ID.replace(*counter),
                previous_given: None,
            },
            Repr::Given(given) => Self {
                previous: CURRENT_ID.replace(u64::MAX),
                previous_given: GIVEN_ID.with(|g| g.replace(Some(given.clone()))),
            },
        }
    }

    fn get() -> Option<RequestId> {
        match CURRENT_ID.get() {
            0 => None,
            u64::MAX => GIVEN_ID
                .with(|g| g.borrow().clone())
                .map(|given| RequestId(Repr::Given(given))),
            counter => Some(RequestId(Repr::Generated(counter))),
        }
    }
}

impl Drop for CurrentId {
    fn drop(&mut self) {
        if CURRENT_ID.replace(self.previous) == u64::MAX {
            let previous = self.previous_given.take();
            GIVEN_ID.with(|g| *g.borrow_mut() = previous);
        }
    }
}

/// Leaves successes alone; turns error responses (an error, or an empty
/// body such as the router's 404 and 405) into problem+json.
fn render(
    response: ServiceResponse<BoxBody>,
    id: &RequestId,
    rendering: &Rendering,
) -> ServiceResponse<BoxBody> {
    let production = rendering.production;
    let status = response.status();
    if status.as_u16() < 400 {
        return response;
    }
    let problem = match response.response().error() {
        Some(error) => {
            let problem = problem_of(error, status, id, production);
            log_server_error(status, &problem, error, id);
            problem
        }
        // A body the app built on purpose (a problem, `/ready`'s 503) stays.
        None if is_problem(&response) || has_body(&response) => {
            return response;
        }
        None => from_status(status, "", id, production),
    };
    let (request, old) = response.into_parts();
    let mut new: HttpResponse<BoxBody> = rendering.response(&problem);
    // The old response's other headers (a `Set-Cookie`, an `Allow`) go
    // along; those the problem sets itself (`Retry-After`, its own
    // headers, the body's type and length) are not sent twice.
    let own: Vec<HeaderName> = new.headers().keys().cloned().collect();
    for (name, value) in old.headers() {
        if name != CONTENT_TYPE
            && name != actix_web::http::header::CONTENT_LENGTH
            && !own.contains(name)
        {
            new.headers_mut().append(name.clone(), value.clone());
        }
    }
    ServiceResponse::new(request, new)
}

/// The router's 405 for a CORS preflight, answered: 204 with the CORS
/// headers, or the refusal as problem+json.
fn preflight(
    response: ServiceResponse<BoxBody>,
    answer: Result<actix_web::http::header::HeaderMap, Error>,
    id: &RequestId,
    rendering: &Rendering,
) -> ServiceResponse<BoxBody> {
    let (request, _) = response.into_parts();
    let answer = match answer {
        Ok(headers) => {
            let mut answer = HttpResponse::NoContent().finish();
            for (name, value) in headers {
                answer.headers_mut().insert(name, value);
            }
            answer
        }
        Err(refused) => {
            rendering.response(&refused.to_problem(Some(&id.to_string()), rendering.production))
        }
    };
    ServiceResponse::new(request, answer)
}

/// The problem for an error: ours as it is, others from their status and message.
fn problem_of(
    error: &actix_web::Error,
    status: StatusCode,
    id: &RequestId,
    production: bool,
) -> Problem {
    match error.as_error::<Error>() {
        Some(ours) => ours.to_problem(Some(&id.to_string()), production),
        None => from_status(status, &error.to_string(), id, production),
    }
}

/// 5xx details go to the log with the request id, since production bodies
/// do not carry them: one `error` event each, except 503s. A 503 is
/// overload or a dependency that is down (no database connection): every
/// request fails alike, and a line each would flood the log and cost the
/// CPU the server is short of. Each code's first 503 is a `warn` event
/// naming its request id; while they go on, one line per interval counts
/// them (`throttle`).
fn log_server_error(
    status: StatusCode,
    problem: &Problem,
    error: &actix_web::Error,
    id: &RequestId,
) {
    if status == StatusCode::SERVICE_UNAVAILABLE {
        let code = problem.code.clone();
        let interval = throttle::INTERVAL.as_secs();
        throttle::log(
            &unavailable(&problem.code),
            || {
                tracing::warn!(
                    request_id = %id,
                    status = 503,
                    code = %problem.code,
                    "{error} (while they go on, one line every {interval} s counts these)"
                )
            },
            move |count| {
                tracing::warn!(
                    status = 503,
                    code = %code,
                    count,
                    "{count} requests answered 503 {code} in the last {interval} s"
                )
            },
        );
    } else if status.is_server_error() {
        tracing::error!(request_id = %id, status = status.as_u16(), code = %problem.code, "{error}");
    }
}

/// The throttle of 503s with `code`, one per code for the process.
fn unavailable(code: &str) -> Arc<Throttled> {
    static THROTTLES: Mutex<Vec<(String, Arc<Throttled>)>> = Mutex::new(Vec::new());
    let mut throttles = THROTTLES.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, throttled)) = throttles.iter().find(|(c, _)| c == code) {
        return throttled.clone();
    }
    let throttled = Arc::default();
    throttles.push((code.to_owned(), Arc::clone(&throttled)));
    throttled
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

/// A problem for an error response elif did not build itself: the
/// catalogue entry for its status, with the status's usual cause when the
/// response says nothing (the router's 404 and 405).
fn from_status(status: StatusCode, detail: &str, id: &RequestId, production: bool) -> Problem {
    let detail = match (detail, status.as_u16()) {
        ("", 404) => "no route matches this path",
        ("", 405) => "this path does not answer this method; see the Allow header",
        ("", 413) => "the body is larger than the limit",
        ("", 415) => "the body's content type is not accepted here",
        ("", 400..=499) => "the request cannot be read",
        ("", _) => "an internal error occurred",
        (detail, _) => detail,
    };
    let hint = entry_for_status(status.as_u16()).hint;
    Error::from_status(status.as_u16(), detail)
        .with_hint(hint)
        .to_problem(Some(&id.to_string()), production)
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(non-text panic payload)".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_never_repeat_across_blocks_and_threads() {
        let mut seen = std::collections::HashSet::new();
        // More than two blocks, so that the block is renewed on the way.
        for _ in 0..(2 * IDS_PER_BLOCK + 3) {
            let counter = IdBlock::next();
            assert!(seen.insert(counter), "counter {counter} handed out twice");
        }
        let there = std::thread::spawn(|| (0..10).map(|_| IdBlock::next()).collect::<Vec<_>>())
            .join()
            .expect("thread");
        assert!(there.iter().all(|c| !seen.contains(c)));
    }

    #[test]
    fn workers_taking_ids_at_once_never_share_one() {
        // Each thread takes more than two blocks, so that every thread
        // renews its block while the others renew theirs.
        let per_thread = 2 * IDS_PER_BLOCK as usize + 7;
        let start = std::sync::Barrier::new(4);
        let ids: Vec<Vec<u64>> = std::thread::scope(|threads| {
            let workers: Vec<_> = (0..4)
                .map(|_| {
                    threads.spawn(|| {
                        start.wait();
                        (0..per_thread).map(|_| IdBlock::next()).collect()
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|worker| worker.join().expect("worker"))
                .collect()
        });
        let mut seen = std::collections::HashSet::new();
        for id in ids.iter().flatten() {
            assert!(seen.insert(*id), "counter {id} handed out twice");
        }
        assert_eq!(seen.len(), 4 * per_thread);
        for worker in &ids {
            assert!(
                worker.windows(2).all(|pair| pair[0] < pair[1]),
                "one worker's ids rise"
            );
        }
    }

    #[test]
    fn ids_are_a_prefix_and_a_counter_in_hex() {
        let id = RequestId(Repr::Generated(0xabc));
        let text = id.to_string();
        assert_eq!(text.len(), 21);
        assert_eq!(&text[8..], "-000000000abc");
        assert!(text[..8].bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(
            id.header_value().expect("valid").as_bytes(),
            text.as_bytes()
        );
    }

    #[test]
    fn responses_elif_did_not_build_take_the_entry_of_their_status() {
        let id = RequestId(Repr::Generated(1));
        let cases = [
            (
                401,
                "",
                "EL3003",
                "MALFORMED_REQUEST",
                "the request cannot be read",
            ),
            (
                503,
                "",
                "EL3007",
                "INTERNAL_ERROR",
                "an internal error occurred",
            ),
            (
                404,
                "",
                "EL3001",
                "ROUTE_NOT_FOUND",
                "no route matches this path",
            ),
            (
                405,
                "",
                "EL3002",
                "METHOD_NOT_ALLOWED",
                "this path does not answer this method; see the Allow header",
            ),
            (413, "too big", "EL3005", "PAYLOAD_TOO_LARGE", "too big"),
        ];
        for (status, detail, entry, code, said) in cases {
            let status = StatusCode::from_u16(status).expect("status");
            let problem = from_status(status, detail, &id, false);
            let entry = elif_catalogue::find(entry).expect("entry");
            assert_eq!(problem.status, status.as_u16());
            assert_eq!(problem.code, code);
            assert_eq!(problem.detail, said);
            assert_eq!(problem.hint.as_deref(), Some(entry.hint));
            assert_eq!(problem.kind, Some(entry.url()));
        }
    }

    #[derive(serde::Deserialize)]
    struct Point {
        x: i32,
    }

    /// A worker of an app reading `Json<Point>` with `unknown_fields`
    /// (a macro: the worker's request type is actix-http's, unnamed here).
    macro_rules! worker {
        ($unknown_fields:expr) => {
            actix_web::test::init_service(
                actix_web::App::new()
                    .wrap(Pipeline {
                        rendering: Arc::new(Rendering {
                            production: false,
                            format: Arc::new(crate::http::problem::ProblemJson),
                        }),
                        access_log: false,
                        body: BodySettings {
                            limit: 64,
                            unknown_fields: $unknown_fields,
                            timeout: std::time::Duration::from_secs(10),
                        },
                        hardening: Arc::new(Hardening::defaults()),
                    })
                    .route(
                        "/",
                        actix_web::web::post().to(|point: crate::http::Json<Point>| async move {
                            point.x.to_string()
                        }),
                    ),
            )
            .await
        };
    }

    /// A JSON post of `body`.
    fn json_post(body: &str) -> actix_web::test::TestRequest {
        actix_web::test::TestRequest::post()
            .insert_header((CONTENT_TYPE, "application/json"))
            .set_payload(body.to_owned())
    }

    /// The status and body `worker` answers `request` with.
    async fn answer<R, S>(worker: &S, request: R) -> (u16, String)
    where
        S: Service<R, Response = ServiceResponse, Error = actix_web::Error>,
    {
        let response = match worker.call(request).await {
            Ok(response) => response.into_parts().1,
            Err(error) => error.error_response(),
        };
        let status = response.status().as_u16();
        let body = actix_web::body::to_bytes(response.into_body())
            .await
            .expect("body");
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    #[actix_web::test]
    async fn each_worker_reads_bodies_with_the_settings_of_its_app() {
        use crate::config::UnknownFields;
        // A worker thread serves one app; building another on the same
        // thread (only a test does) replaces the settings.
        let strict = worker!(UnknownFields::Reject);
        let (status, body) = answer(&strict, json_post(r#"{"x": 1, "y": 2}"#).to_request()).await;
        assert_eq!(status, 422, "{body}");
        assert!(
            body.contains(r#"{"pointer":"/y","detail":"unknown field: it is not part of this request's schema","code":"unknown_field"}"#),
            "{body}"
        );
        let padded = format!(r#"{{"x": 1, "pad": "{}"}}"#, "x".repeat(64));
        let (status, body) = answer(&strict, json_post(&padded).to_request()).await;
        assert_eq!(status, 413, "the installed limit: {body}");
        let lenient = worker!(UnknownFields::Accept);
        assert_eq!(
            answer(&lenient, json_post(r#"{"x": 1, "y": 2}"#).to_request()).await,
            (200, "1".to_owned())
        );
    }

    /// A `tracing` writer into a shared buffer.
    #[derive(Clone)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("buffer").extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[actix_web::test]
    async fn the_access_line_names_the_client_through_trusted_proxies_only() {
        use crate::config::ConfigSection;
        use crate::config::source::ConfigSource;
        let source = ConfigSource::from_pairs([(
            "security.trusted_proxies",
            serde_json::json!(["10.0.0.0/8"]),
        )]);
        let security = crate::config::security::SecurityConfig::load(&source).expect("valid");
        let server = crate::config::ServerConfig::load(&source).expect("valid");
        let hardening = Hardening::new(&security, &server, crate::config::Environment::Development)
            .expect("boots");
        let line = |peer: &str| {
            let request = actix_web::test::TestRequest::get()
                .uri("/posts?token=secret")
                .peer_addr(peer.parse().expect("address"))
                .insert_header(("x-forwarded-for", "203.0.113.5"))
                .to_srv_request();
            let entry = AccessEntry::of(&request, &hardening);
            logged(|| entry.log(&RequestId(Repr::Generated(9)), StatusCode::OK))
        };
        let proxied = line("10.1.2.3:4000");
        assert!(proxied.contains("client=203.0.113.5"), "{proxied}");
        assert!(
            proxied.contains("path=\"/posts\"") || proxied.contains("path=/posts"),
            "{proxied}"
        );
        assert!(!proxied.contains("secret"), "no query: {proxied}");
        let direct = line("198.51.100.1:4000");
        assert!(
            direct.contains("client=198.51.100.1"),
            "a client's own header is ignored: {direct}"
        );
    }

    /// What `work` logs, as the fmt subscriber writes it.
    fn logged(work: impl FnOnce()) -> String {
        let captured = Captured(Arc::default());
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, work);
        let bytes = captured.0.lock().expect("buffer").clone();
        String::from_utf8(bytes).expect("utf-8")
    }

    #[actix_web::test]
    async fn a_flood_of_503s_is_one_warning_and_other_5xx_are_one_error_each() {
        let id = RequestId(Repr::Generated(7));
        let log = logged(|| {
            for (status, code, times) in [(503, "TEST_OVERLOADED", 50), (500, "TEST_BROKEN", 3)] {
                let error = Error::new(status, code, "it failed");
                let problem = error.to_problem(Some(&id.to_string()), true);
                let error = actix_web::Error::from(error);
                let status = StatusCode::from_u16(status).expect("status");
                for _ in 0..times {
                    log_server_error(status, &problem, &error, &id);
                }
            }
        });
        let overloaded: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("TEST_OVERLOADED"))
            .collect();
        assert_eq!(overloaded.len(), 1, "{log}");
        assert!(overloaded[0].contains("WARN"), "{log}");
        assert!(
            overloaded[0].contains(&id.to_string()),
            "names a request: {log}"
        );
        assert_eq!(
            unavailable("TEST_OVERLOADED").flush(),
            Some(49),
            "the other 49 are counted for the interval's line"
        );
        let broken: Vec<&str> = log.lines().filter(|l| l.contains("TEST_BROKEN")).collect();
        assert_eq!(broken.len(), 3, "{log}");
        assert!(broken.iter().all(|l| l.contains("ERROR")), "{log}");
    }
}
