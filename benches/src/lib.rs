//! Shared pieces of the benchmark servers.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

/// The port a server listens on: `PORT`, or `default`.
pub fn port(default: u16) -> u16 {
    std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(default)
}

/// An id of the same shape as elif's request ids (`pppppppp-cccccccccccc`),
/// formatted the same way (hex digits into a stack buffer), so the raw
/// server pays what elif pays for it.
pub fn request_id() -> [u8; 21] {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let (prefix, counter) = (0x5eed_u32, NEXT.fetch_add(1, Ordering::Relaxed));
    let mut out = [b'-'; 21];
    for (i, slot) in out[..8].iter_mut().enumerate() {
        *slot = HEX[((prefix >> (28 - 4 * i)) & 0xf) as usize];
    }
    for (i, slot) in out[9..].iter_mut().enumerate() {
        *slot = HEX[((counter >> (44 - 4 * i)) & 0xf) as usize];
    }
    out
}

/// `GET /json`'s body.
#[derive(Serialize)]
pub struct Message {
    /// Always "Hello, World!".
    pub message: &'static str,
}

/// `GET /users/{id}`'s query.
#[derive(Deserialize)]
pub struct Detail {
    /// Echoed back.
    pub detail: String,
}

/// `GET /users/{id}`'s body.
#[derive(Serialize)]
pub struct User {
    /// The path parameter.
    pub id: u64,
    /// The query's `detail`.
    pub detail: String,
    /// The injected greeting.
    pub greeting: String,
}

/// `POST /users`'s body.
#[derive(Serialize)]
pub struct Accepted {
    /// The user's name.
    pub name: String,
    /// Characters in the bio.
    pub bio_length: usize,
    /// How many tags.
    pub tags: usize,
}

/// How many authors and posts the database benchmark seeds.
pub const SEED_AUTHORS: i64 = 10;
/// See [`SEED_AUTHORS`].
pub const SEED_POSTS: i64 = 200;

/// The title and body of seeded post `n` (1-based) and its author's id.
pub fn seeded_post(n: i64) -> (i64, String, String) {
    (
        (n - 1) % SEED_AUTHORS + 1,
        format!("Post number {n}"),
        format!("The body of post {n}, long enough to look like text. ").repeat(4),
    )
}

/// The headers elif adds to every response by default (elif's
/// `DEFAULT_HEADERS`, written out here: the raw servers do not link elif).
pub const SECURITY_HEADERS: [(&str, &str); 9] = [
    ("x-content-type-options", "nosniff"),
    (
        "content-security-policy",
        "default-src 'none'; frame-ancestors 'none'",
    ),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    ("origin-agent-cluster", "?1"),
    ("x-permitted-cross-domain-policies", "none"),
    ("x-xss-protection", "0"),
];

/// Middleware for the raw servers (`App::wrap_fn(elif_benches::add_default_headers)`):
/// adds an `X-Request-Id` header and the security headers, as elif does on
/// every response (each security header only when the response did not
/// set it, as actix-web's `DefaultHeaders` does).
pub fn add_default_headers<S, B>(
    request: actix_web::dev::ServiceRequest,
    service: &S,
) -> impl std::future::Future<Output = Result<actix_web::dev::ServiceResponse<B>, actix_web::Error>>
+ use<S, B>
where
    S: actix_web::dev::Service<
            actix_web::dev::ServiceRequest,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
{
    use actix_web::http::header::{HeaderName, HeaderValue};
    let id = request_id();
    let response = service.call(request);
    async move {
        let mut response = response.await?;
        let headers = response.headers_mut();
        for (name, value) in SECURITY_HEADERS {
            let name = HeaderName::from_static(name);
            if !headers.contains_key(&name) {
                headers.insert(name, HeaderValue::from_static(value));
            }
        }
        if let Ok(value) = HeaderValue::from_bytes(&id) {
            headers.insert(HeaderName::from_static("x-request-id"), value);
        }
        Ok(response)
    }
}

/// Logging for the raw server's `access-log` stack: the subscriber elif
/// installs by default (`tracing` to stderr, `info` and above).
pub fn init_access_logging() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter = tracing_subscriber::filter::Targets::new().with_default(tracing::Level::INFO);
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false);
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .try_init();
}

/// Middleware for the raw server's `access-log` stack: one `info` line per
/// request with the fields elif's access log writes (request id, method,
/// path, status, duration).
pub fn log_access<S, B>(
    request: actix_web::dev::ServiceRequest,
    service: &S,
) -> impl std::future::Future<Output = Result<actix_web::dev::ServiceResponse<B>, actix_web::Error>>
+ use<S, B>
where
    S: actix_web::dev::Service<
            actix_web::dev::ServiceRequest,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
{
    let started = std::time::Instant::now();
    let method = request.method().clone();
    let uri = request.uri().clone();
    // The client's address, as elif logs it (no proxy is trusted here).
    let client = request.peer_addr().map(|peer| peer.ip());
    let response = service.call(request);
    async move {
        let response = response.await?;
        let id = response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        tracing::info!(
            target: "elif::access",
            request_id = id,
            client = client.map(tracing::field::display),
            method = %method,
            path = uri.path(),
            status = response.status().as_u16(),
            micros = started.elapsed().as_micros() as u64,
            "request"
        );
        Ok(response)
    }
}

/// `GET /me`'s body in the authentication benchmark.
#[derive(Serialize)]
pub struct Me {
    /// The authenticated subject.
    pub subject: String,
}

/// The HS256 secret both authentication servers verify tokens with.
pub const AUTH_SECRET: &str = "the benchmark's HS256 secret, thirty-two bytes or more";

/// The prefix of both servers' session keys in Redis.
pub const SESSION_PREFIX: &str = "elif-bench:session:";
