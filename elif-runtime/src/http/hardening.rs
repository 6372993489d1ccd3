//! What every request is checked against and every response carries, from
//! the `[security]` section: the security headers, HSTS behind a trusted
//! proxy, the production `Host` allow-list, the client's address through
//! trusted proxies, and CORS; and from `[server]`, the limits of a
//! request's head (header count and size, URL length) and of its time. Built once at boot ([`Hardening::new`]); the
//! pipeline calls [`Hardening::admit`] on each request and
//! [`Hardening::finish`] on each response, errors and 404s included.
//!
//! The per-request cost is what a raw actix-web app pays for
//! `DefaultHeaders` with the same headers, plus a header lookup or two
//! (`Origin`, and `Host` in production): the header values are built once,
//! here.

use std::net::IpAddr;

use actix_web::dev::ServiceRequest;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue, ORIGIN};
use actix_web::http::{Method, StatusCode};
use actix_web::{FromRequest, HttpRequest};
use elif_catalogue::{EL1020, EL1021, EL3016, EL3017, EL3018, EL3019};

use crate::config::security::{HeaderSetting, SecurityConfig};
use crate::config::{Environment, ServerConfig};
use crate::diagnostics::Diagnostic;
use crate::error::Error;
use crate::net::{HostRule, IpBlock, OriginRule, split_port};

/// The headers every response carries by default: helmet's, for a JSON API.
pub const DEFAULT_HEADERS: &[(&str, &str)] = &[
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

/// Paths answered whatever the `Host`: load balancers and orchestrators
/// probe them by address.
const ANY_HOST_PATHS: &[&str] = &["/health", "/ready"];

/// The app's security settings, ready for requests.
#[derive(Debug, Clone)]
pub(crate) struct Hardening {
    /// Headers added to every response that does not set them itself (a
    /// response that sets one to an empty value goes without it).
    headers: Box<[(HeaderName, HeaderValue)]>,
    /// `Strict-Transport-Security`, in production, for requests that came
    /// over HTTPS.
    hsts: Option<HeaderValue>,
    /// The hosts answered (production); `None`: any.
    hosts: Option<Box<[HostRule]>>,
    /// Proxies whose forwarding headers are believed.
    proxies: Box<[IpBlock]>,
    /// Cross-origin rules; `None`: no origin is allowed.
    cors: Option<Cors>,
    /// The limits of a request's head and time.
    limits: Limits,
    /// What `map` shows of these settings.
    summary: HttpLayers,
}

/// What every route of the app runs through, as `map --json` shows it
/// (`http`): the headers every response carries, HSTS, the hosts answered,
/// the trusted proxies, CORS and the head and time limits. A route's own
/// rate limit and body limit are on the route.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HttpLayers {
    /// Header name and value, in the order they are added.
    pub headers: Vec<(String, String)>,
    /// `Strict-Transport-Security`, sent in production over HTTPS; `None`: off.
    pub hsts: Option<String>,
    /// The hosts answered; `None`: any (development and test, or `*`).
    pub allowed_hosts: Option<Vec<String>>,
    /// Proxies whose forwarding headers are believed.
    pub trusted_proxies: Vec<String>,
    /// The origins allowed cross-origin (empty: none), and with what.
    pub cors: CorsSummary,
    /// `server.max_headers`, `max_header_bytes`, `max_url_length`,
    /// `request_timeout_ms`.
    pub limits: LimitsSummary,
}

/// CORS as `map` shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CorsSummary {
    /// Allowed origins, as configured.
    pub allowed_origins: Vec<String>,
    /// Methods allowed cross-origin.
    pub allowed_methods: Vec<String>,
    /// Request headers allowed cross-origin.
    pub allowed_headers: Vec<String>,
    /// Response headers exposed.
    pub exposed_headers: Vec<String>,
    /// Whether credentials go cross-origin.
    pub allow_credentials: bool,
}

/// The head and time limits as `map` shows them.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct LimitsSummary {
    /// Header lines.
    pub max_headers: usize,
    /// Bytes of header names and values.
    pub max_header_bytes: usize,
    /// Bytes of path and query.
    pub max_url_length: usize,
    /// Until the app must answer.
    pub request_timeout_ms: u64,
}

/// `[server]`'s limits that the pipeline checks.
#[derive(Debug, Clone, Copy)]
struct Limits {
    max_headers: usize,
    max_header_bytes: usize,
    max_url_length: usize,
    request_timeout: std::time::Duration,
}

/// What the pipeline keeps of a request for its response: small, since it
/// is moved with every request's future.
#[derive(Debug, Default)]
pub(crate) struct Admitted {
    /// Whether the request came over HTTPS through a trusted proxy and the
    /// app sends HSTS.
    https: bool,
    /// The request's `Origin` and what CORS said of it, when it has one.
    cors: Option<Box<CorsRequest>>,
}

/// A cross-origin request.
#[derive(Debug)]
struct CorsRequest {
    origin: HeaderValue,
    allowed: bool,
    /// A preflight's requested method and headers.
    preflight: Option<(HeaderValue, Option<HeaderValue>)>,
}

/// The CORS rules, with the header values built once.
#[derive(Debug, Clone)]
struct Cors {
    origins: Box<[OriginRule]>,
    /// `*` without credentials: answered with `*`, not the origin.
    wildcard: bool,
    methods: Box<[Method]>,
    headers: Box<[HeaderName]>,
    allow_methods: HeaderValue,
    expose: Option<HeaderValue>,
    credentials: bool,
    max_age: HeaderValue,
}

/// The request headers a browser sends cross-origin without asking
/// (the Fetch standard's CORS-safelisted request headers).
const SAFELISTED: &[&str] = &[
    "accept",
    "accept-language",
    "content-language",
    "content-type",
];

impl Hardening {
    /// The settings of `config` in `env`, or the boot errors that forbid
    /// them: `*` with credentials (`EL1020`), a production app without
    /// `allowed_hosts` (`EL1021`).
    pub(crate) fn new(
        config: &SecurityConfig,
        server: &ServerConfig,
        env: Environment,
    ) -> Result<Self, Vec<Diagnostic>> {
        let production = env == Environment::Production;
        let mut problems = Vec::new();
        let mut headers: Vec<(HeaderName, HeaderValue)> = DEFAULT_HEADERS
            .iter()
            .map(|(name, value)| {
                (
                    HeaderName::from_static(name),
                    HeaderValue::from_static(value),
                )
            })
            .collect();
        // The config checked names and values when it loaded.
        for (name, setting) in &config.headers {
            let Ok(name) = HeaderName::from_bytes(name.as_bytes()) else {
                continue;
            };
            headers.retain(|(n, _)| *n != name);
            if let Some(value) = setting.value().and_then(|v| HeaderValue::from_str(v).ok()) {
                headers.push((name, value));
            }
        }
        let hsts = match (&config.hsts, production) {
            (HeaderSetting::Value(value), true) => HeaderValue::from_str(value).ok(),
            _ => None,
        };
        let hosts = if production {
            if config.allowed_hosts.is_empty() {
                problems.push(
                    Diagnostic::error(
                        &EL1021,
                        "a production app needs `security.allowed_hosts`: the hosts it answers",
                    )
                    .hint(
                        "set APP__SECURITY__ALLOWED_HOSTS='[\"example.com\"]' (or `allowed_hosts` under `[security]`); `[\"*\"]` answers any host when a proxy in front checks it",
                    ),
                );
            }
            let rules: Box<[HostRule]> = config
                .allowed_hosts
                .iter()
                .map(|h| HostRule::parse(h))
                .collect();
            (!rules.contains(&HostRule::Any)).then_some(rules)
        } else {
            None
        };
        let proxies = config
            .trusted_proxies
            .iter()
            .filter_map(|p| IpBlock::parse(p).ok())
            .collect();
        let cors = Cors::new(config, &mut problems);
        if !problems.is_empty() {
            return Err(problems);
        }
        let summary = HttpLayers {
            headers: headers
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_owned(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            hsts: hsts
                .as_ref()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
            allowed_hosts: hosts.as_ref().map(|_| config.allowed_hosts.clone()),
            trusted_proxies: config.trusted_proxies.clone(),
            cors: CorsSummary {
                allowed_origins: config.cors.allowed_origins.clone(),
                allowed_methods: config.cors.allowed_methods.clone(),
                allowed_headers: config.cors.allowed_headers.clone(),
                exposed_headers: config.cors.exposed_headers.clone(),
                allow_credentials: config.cors.allow_credentials,
            },
            limits: LimitsSummary {
                max_headers: server.max_headers,
                max_header_bytes: server.max_header_bytes,
                max_url_length: server.max_url_length,
                request_timeout_ms: server.request_timeout_ms,
            },
        };
        Ok(Self {
            summary,
            headers: headers.into_boxed_slice(),
            hsts,
            hosts,
            proxies,
            cors,
            limits: Limits {
                max_headers: server.max_headers,
                max_header_bytes: server.max_header_bytes,
                max_url_length: server.max_url_length,
                request_timeout: std::time::Duration::from_millis(server.request_timeout_ms),
            },
        })
    }

    /// Settings for apps that never boot through elif's config (unit tests
    /// of the pipeline): the default headers, nothing else.
    #[cfg(test)]
    pub(crate) fn defaults() -> Self {
        use crate::config::ConfigSection;
        use crate::config::source::ConfigSource;
        let empty = ConfigSource::from_pairs([]);
        SecurityConfig::load(&empty)
            .ok()
            .zip(ServerConfig::load(&empty).ok())
            .and_then(|(config, server)| Self::new(&config, &server, Environment::Development).ok())
            .unwrap_or_else(|| unreachable!("the default settings boot"))
    }

    /// Checks a request before the app sees it: a production app answers
    /// only its hosts (`421 HOST_NOT_ALLOWED`). Returns what the response
    /// needs to know of the request.
    pub(crate) fn admit(&self, request: &ServiceRequest) -> Result<Admitted, Error> {
        let headers = request.headers();
        self.limits.check(request)?;
        if let Some(hosts) = &self.hosts
            && !ANY_HOST_PATHS.contains(&request.path())
        {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .and_then(split_port)
                .map(|(host, _)| host);
            if !host.is_some_and(|host| hosts.iter().any(|rule| rule.allows(host))) {
                return Err(Error::framework(
                    &EL3016,
                    match host {
                        Some(host) => format!("this app does not answer for the host `{host}`"),
                        None => "the request names no host this app answers".to_owned(),
                    },
                ));
            }
        }
        let https = self.hsts.is_some() && self.forwarded_https(request);
        let cors = match headers.get(ORIGIN) {
            None => None,
            Some(origin) => self.cors_request(request, origin),
        };
        Ok(Admitted { https, cors })
    }

    /// Adds the security and CORS headers to a response. `no_store`: an
    /// error, or a guard authenticated the request (`Cache-Control:
    /// no-store` unless the response set its own).
    pub(crate) fn finish(&self, headers: &mut HeaderMap, admitted: &Admitted, no_store: bool) {
        self.set_defaults(headers);
        if admitted.https
            && let Some(hsts) = &self.hsts
        {
            set_default(headers, &header::STRICT_TRANSPORT_SECURITY, hsts);
        }
        if no_store {
            set_default(
                headers,
                &header::CACHE_CONTROL,
                &HeaderValue::from_static("no-store"),
            );
        }
        if let Some(cors) = &self.cors {
            if !cors.wildcard {
                headers.append(header::VARY, HeaderValue::from_static("Origin"));
            }
            if let Some(request) = admitted.cors.as_deref().filter(|r| r.allowed) {
                cors.allow(headers, &request.origin);
                if let Some(expose) = &cors.expose {
                    headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, expose.clone());
                }
            }
        }
    }

    /// Adds the default headers the response did not set, removes those it
    /// set empty, and gives a bare `application/json` its charset. The
    /// response's own headers (a few) are read in one pass, so that each
    /// default costs one insertion rather than a lookup and an insertion.
    fn set_defaults(&self, headers: &mut HeaderMap) {
        if self.headers.len() > 64 {
            for (name, value) in &*self.headers {
                set_default(headers, name, value);
            }
            return;
        }
        // Bit `i`: the response set `self.headers[i]`.
        let (mut own, mut emptied, mut bare_json) = (0u64, false, false);
        for (name, value) in headers.iter() {
            match self.headers.iter().position(|(default, _)| default == name) {
                Some(i) => {
                    own |= 1 << i;
                    emptied |= value.is_empty();
                }
                None => bare_json |= name == header::CONTENT_TYPE && value == "application/json",
            }
        }
        headers.reserve(self.headers.len());
        for (i, (name, value)) in self.headers.iter().enumerate() {
            if own & (1 << i) == 0 {
                headers.append(name.clone(), value.clone());
            } else if emptied && headers.get(name).is_some_and(HeaderValue::is_empty) {
                headers.remove(name);
            }
        }
        if bare_json {
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
        }
    }

    /// The answer to a CORS preflight that reached a path without an
    /// `OPTIONS` route of its own (the router's 405, whose `Allow` header
    /// lists the path's methods): 204 with the CORS headers, or 403
    /// `CORS_REFUSED` naming what is not allowed. `None`: not a preflight.
    pub(crate) fn preflight(
        &self,
        admitted: &Admitted,
        status: StatusCode,
        allow: Option<&HeaderValue>,
    ) -> Option<Result<HeaderMap, Error>> {
        let request = admitted.cors.as_deref()?;
        let (method, requested_headers) = request.preflight.as_ref()?;
        if status != StatusCode::METHOD_NOT_ALLOWED {
            return None;
        }
        let refused = |detail: String| Some(Err(Error::framework(&EL3017, detail)));
        let Some(cors) = &self.cors else {
            return refused(
                "this app allows no cross-origin requests (`security.cors.allowed_origins` is empty)"
                    .to_owned(),
            );
        };
        let origin = String::from_utf8_lossy(request.origin.as_bytes());
        if !request.allowed {
            return refused(format!(
                "the origin `{origin}` is not in `security.cors.allowed_origins`"
            ));
        }
        let method_name = method.to_str().unwrap_or_default();
        let on_path = allow
            .and_then(|a| a.to_str().ok())
            .is_some_and(|a| a.split(',').any(|m| m.trim() == method_name));
        if !on_path {
            return refused(format!("this path does not answer `{method_name}`"));
        }
        if !cors.methods.iter().any(|m| m.as_str() == method_name) {
            return refused(format!(
                "`{method_name}` is not in `security.cors.allowed_methods`"
            ));
        }
        if let Some(requested) = requested_headers.as_ref().and_then(|h| h.to_str().ok()) {
            for name in requested
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
            {
                let lower = name.to_ascii_lowercase();
                if !SAFELISTED.contains(&lower.as_str())
                    && !cors.headers.iter().any(|h| h.as_str() == lower)
                {
                    return refused(format!(
                        "the header `{name}` is not in `security.cors.allowed_headers`"
                    ));
                }
            }
        }
        let mut headers = HeaderMap::new();
        cors.allow(&mut headers, &request.origin);
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            cors.allow_methods.clone(),
        );
        if let Some(requested) = requested_headers {
            headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested.clone());
        }
        headers.insert(header::ACCESS_CONTROL_MAX_AGE, cors.max_age.clone());
        headers.insert(
            header::VARY,
            HeaderValue::from_static(
                "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
            ),
        );
        Some(Ok(headers))
    }

    /// Whether the client's request id (`X-Request-Id`) is believed: only
    /// from a trusted proxy.
    pub(crate) fn trusts_peer(&self, request: &ServiceRequest) -> bool {
        !self.proxies.is_empty()
            && request
                .peer_addr()
                .is_some_and(|peer| self.trusted(peer.ip()))
    }

    fn trusted(&self, addr: IpAddr) -> bool {
        self.proxies.iter().any(|block| block.contains(addr))
    }

    /// Whether a trusted proxy says the request came over HTTPS
    /// (`X-Forwarded-Proto: https`, or `Forwarded: proto=https`).
    fn forwarded_https(&self, request: &ServiceRequest) -> bool {
        if !self.trusts_peer(request) {
            return false;
        }
        let headers = request.headers();
        if let Some(proto) = headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
        {
            return proto
                .rsplit(',')
                .next()
                .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"));
        }
        forwarded_pairs(headers, "proto")
            .last()
            .is_some_and(|p| p.eq_ignore_ascii_case("https"))
    }

    /// The client's address: the peer's, or when the peer is a trusted
    /// proxy, the rightmost address of `X-Forwarded-For` (or `Forwarded`'s
    /// `for=`) that is not a trusted proxy.
    pub(crate) fn client_ip(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = peer?;
        if !self.trusted(peer) {
            return Some(peer);
        }
        let mut hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        if hops.is_empty() {
            hops = forwarded_pairs(headers, "for");
        }
        let mut client = peer;
        for hop in hops.iter().rev() {
            match parse_hop(hop) {
                // A hop that names no address (`unknown`, garbage): nothing
                // to its left can be believed.
                None => break,
                Some(addr) => {
                    client = addr;
                    if !self.trusted(addr) {
                        break;
                    }
                }
            }
        }
        Some(client)
    }
}

impl Limits {
    /// 414 for a long target, 431 for too many or too large headers: the
    /// limits sit below actix-web's own (96 headers, a 128 KiB head),
    /// which close the connection without an answer a client can read.
    fn check(&self, request: &ServiceRequest) -> Result<(), Error> {
        let target = request
            .uri()
            .path_and_query()
            .map_or(0, |target| target.as_str().len());
        if target > self.max_url_length {
            return Err(Error::framework(
                &EL3019,
                format!(
                    "the request target has {target} bytes; the limit is {}",
                    self.max_url_length
                ),
            ));
        }
        let (mut count, mut bytes) = (0, 0);
        for (name, value) in request.headers() {
            count += 1;
            bytes += name.as_str().len() + value.len();
        }
        if count > self.max_headers || bytes > self.max_header_bytes {
            return Err(Error::framework(
                &EL3018,
                format!(
                    "the request has {count} header lines of {bytes} bytes; the limits are {} lines and {} bytes",
                    self.max_headers, self.max_header_bytes
                ),
            ));
        }
        Ok(())
    }
}

impl Hardening {
    /// What `map` shows of these settings.
    pub(crate) fn summary(&self) -> &HttpLayers {
        &self.summary
    }

    /// How long the app has to answer a request.
    pub(crate) fn request_timeout(&self) -> std::time::Duration {
        self.limits.request_timeout
    }
}

/// Inserts `value` unless the response has the header; a response that
/// set it to an empty value goes without it.
fn set_default(headers: &mut HeaderMap, name: &HeaderName, value: &HeaderValue) {
    match headers.get(name) {
        None => {
            headers.insert(name.clone(), value.clone());
        }
        Some(set) if set.is_empty() => {
            headers.remove(name);
        }
        Some(_) => {}
    }
}

/// The values of `key` in the `Forwarded` header's elements, in order
/// (RFC 7239), quotes removed.
fn forwarded_pairs<'a>(headers: &'a HeaderMap, key: &str) -> Vec<&'a str> {
    headers
        .get_all(header::FORWARDED)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (k, v) = pair.trim().split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case(key)
                    .then(|| v.trim().trim_matches('"'))
            })
        })
        .collect()
}

/// An address of a forwarding header: `1.2.3.4`, `1.2.3.4:5678`, `::1`,
/// `[::1]:5678`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(addr) = hop.parse() {
        return Some(addr);
    }
    if let Ok(socket) = hop.parse::<std::net::SocketAddr>() {
        return Some(socket.ip());
    }
    hop.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .and_then(|h| h.parse().ok())
}

impl Cors {
    fn new(config: &SecurityConfig, problems: &mut Vec<Diagnostic>) -> Option<Self> {
        let cors = &config.cors;
        let origins: Box<[OriginRule]> = cors
            .allowed_origins
            .iter()
            .filter_map(|o| OriginRule::parse(o).ok())
            .collect();
        if origins.is_empty() {
            return None;
        }
        let any = origins.contains(&OriginRule::Any);
        if any && cors.allow_credentials {
            problems.push(
                Diagnostic::error(
                    &EL1020,
                    "`security.cors.allowed_origins` holds `*` and `allow_credentials` is true: any site could act as the signed-in user",
                )
                .hint("list the origins that may send credentials (`https://app.example.com`), or set `allow_credentials = false`"),
            );
        }
        let join = |items: &[String]| HeaderValue::from_str(&items.join(", ")).ok();
        Some(Self {
            wildcard: any && !cors.allow_credentials,
            origins,
            methods: cors
                .allowed_methods
                .iter()
                .filter_map(|m| Method::from_bytes(m.as_bytes()).ok())
                .collect(),
            headers: cors
                .allowed_headers
                .iter()
                .filter_map(|h| HeaderName::from_bytes(h.as_bytes()).ok())
                .collect(),
            allow_methods: join(&cors.allowed_methods).unwrap_or(HeaderValue::from_static("")),
            expose: (!cors.exposed_headers.is_empty())
                .then(|| join(&cors.exposed_headers))
                .flatten(),
            credentials: cors.allow_credentials,
            max_age: HeaderValue::from(cors.max_age),
        })
    }

    /// `Access-Control-Allow-Origin` (and `-Credentials`) for an allowed origin.
    fn allow(&self, headers: &mut HeaderMap, origin: &HeaderValue) {
        let value = if self.wildcard {
            HeaderValue::from_static("*")
        } else {
            origin.clone()
        };
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        if self.credentials {
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
    }
}

impl Hardening {
    /// What CORS says of a request with an `Origin`; `None` when neither
    /// its response nor a preflight answer depends on it.
    fn cors_request(
        &self,
        request: &ServiceRequest,
        origin: &HeaderValue,
    ) -> Option<Box<CorsRequest>> {
        let preflight = (request.method() == Method::OPTIONS)
            .then(|| request.headers().get(header::ACCESS_CONTROL_REQUEST_METHOD))
            .flatten()
            .map(|method| {
                (
                    method.clone(),
                    request
                        .headers()
                        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
                        .cloned(),
                )
            });
        let cors = match &self.cors {
            Some(cors) => cors,
            // No origin is allowed: only a preflight is answered (a 403
            // that says why).
            None if preflight.is_some() => {
                return Some(Box::new(CorsRequest {
                    origin: origin.clone(),
                    allowed: false,
                    preflight,
                }));
            }
            None => return None,
        };
        let allowed = origin
            .to_str()
            .is_ok_and(|o| cors.origins.iter().any(|rule| rule.allows(o)));
        Some(Box::new(CorsRequest {
            origin: origin.clone(),
            allowed,
            preflight,
        }))
    }
}

/// Inserted into a request's extensions by the guard that authenticated
/// it: its response gets `Cache-Control: no-store` unless the route set
/// its own, and what depends on who made a request reads it (rate limits
/// per user or per token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatedBy {
    /// The mechanism: `jwt`, `session`, `api_token`.
    pub mechanism: &'static str,
    /// The principal's subject (a user's id).
    pub subject: String,
    /// The credential's id, when it has one (an API token's, a JWT's `jti`).
    pub token: Option<String>,
}

/// Where a browser says a request comes from (its `Sec-Fetch-Site` and
/// `Origin` headers), as CSRF defences decide on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provenance {
    /// A page of the app itself (`Sec-Fetch-Site: same-origin` or
    /// `none`, or an `Origin` naming the request's own host).
    SameOrigin,
    /// A page of an origin the app allows in `security.cors.allowed_origins`.
    AllowedOrigin,
    /// A page of another origin (or an opaque `null` one).
    CrossOrigin,
    /// Neither header: not a browser, or a very old one.
    Unknown,
}

impl Provenance {
    /// Where `request` comes from. The request's own origin is its `Host`
    /// (the app answers only its allowed hosts in production); an
    /// `Origin` is compared by host and port, since elif serves plain HTTP
    /// behind the proxy that ends TLS.
    pub fn of(request: &HttpRequest) -> Self {
        let headers = request.headers();
        let site = headers.get("sec-fetch-site").map(HeaderValue::as_bytes);
        if matches!(site, Some(b"same-origin" | b"none")) {
            return Self::SameOrigin;
        }
        let Some(origin) = headers.get(ORIGIN).and_then(|o| o.to_str().ok()) else {
            return match site {
                Some(_) => Self::CrossOrigin,
                None => Self::Unknown,
            };
        };
        let authority = origin.split_once("://").map(|(_, rest)| rest);
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        if authority.is_some_and(|a| host.is_some_and(|h| a.eq_ignore_ascii_case(h))) {
            return Self::SameOrigin;
        }
        let allowed = request
            .app_data::<std::sync::Arc<Hardening>>()
            .and_then(|h| h.cors.as_ref())
            .is_some_and(|cors| cors.origins.iter().any(|rule| rule.allows(origin)));
        if allowed {
            Self::AllowedOrigin
        } else {
            Self::CrossOrigin
        }
    }
}

/// The client's IP address, as rate limits and logs use it: the peer's,
/// or through trusted proxies (`security.trusted_proxies`) the rightmost
/// untrusted address of `X-Forwarded-For`/`Forwarded`. A client that is
/// not a trusted proxy cannot choose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// The client address of `request`; `None` when the connection has no
    /// peer address (a request built in a unit test).
    pub fn of(request: &HttpRequest) -> Option<Self> {
        let peer = request.peer_addr().map(|p| p.ip());
        match request.app_data::<std::sync::Arc<Hardening>>() {
            Some(hardening) => hardening.client_ip(peer, request.headers()),
            None => peer,
        }
        .map(Self)
    }
}

impl FromRequest for ClientIp {
    type Error = Error;
    type Future = std::future::Ready<Result<Self, Error>>;

    fn from_request(request: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(
            Self::of(request).ok_or_else(|| Error::internal("the request has no peer address")),
        )
    }
}

impl std::fmt::Display for ClientIp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigSection;
    use crate::config::source::ConfigSource;
    use serde_json::json;

    fn hardening(
        pairs: Vec<(&str, serde_json::Value)>,
        env: Environment,
    ) -> Result<Hardening, Vec<Diagnostic>> {
        let source = ConfigSource::from_pairs(pairs);
        let config = SecurityConfig::load(&source).expect("valid config");
        let server = ServerConfig::load(&source).expect("valid config");
        Hardening::new(&config, &server, env)
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).expect("name"),
                HeaderValue::from_str(value).expect("value"),
            );
        }
        map
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let h = hardening(
            vec![("security.trusted_proxies", json!(["10.0.0.0/8"]))],
            Environment::Development,
        )
        .expect("boots");
        let spoofed = headers(&[("x-forwarded-for", "1.1.1.1")]);
        let stranger: IpAddr = "203.0.113.9".parse().expect("ip");
        assert_eq!(
            h.client_ip(Some(stranger), &spoofed),
            Some(stranger),
            "untrusted peer"
        );
        let proxy: IpAddr = "10.0.0.2".parse().expect("ip");
        // The client prepended a fake; the proxy appended the real peer.
        let chain = headers(&[("x-forwarded-for", "1.1.1.1, 198.51.100.7, 10.0.0.5")]);
        assert_eq!(
            h.client_ip(Some(proxy), &chain),
            "198.51.100.7".parse().ok()
        );
        let forwarded = headers(&[(
            "forwarded",
            "for=198.51.100.8;proto=https, for=\"[2001:db8::1]:4711\"",
        )]);
        assert_eq!(
            h.client_ip(Some(proxy), &forwarded),
            "2001:db8::1".parse().ok()
        );
        let garbage = headers(&[("x-forwarded-for", "198.51.100.7, unknown")]);
        assert_eq!(
            h.client_ip(Some(proxy), &garbage),
            Some(proxy),
            "stops at a hop it cannot read"
        );
        assert_eq!(h.client_ip(Some(proxy), &HeaderMap::new()), Some(proxy));
    }

    #[test]
    fn production_needs_hosts_and_credentials_need_named_origins() {
        let problems = hardening(vec![], Environment::Production).expect_err("no hosts");
        assert_eq!(problems[0].code(), "EL1021");
        let problems = hardening(
            vec![
                ("security.allowed_hosts", json!(["*"])),
                ("security.cors.allowed_origins", json!(["*"])),
                ("security.cors.allow_credentials", json!(true)),
            ],
            Environment::Production,
        )
        .expect_err("wildcard with credentials");
        assert_eq!(problems[0].code(), "EL1020");
        assert!(hardening(vec![], Environment::Development).is_ok());
    }

    #[test]
    fn the_defaults_are_set_changed_and_removed() {
        let h = hardening(
            vec![(
                "security.headers",
                json!({"x-frame-options": false, "content-security-policy": "default-src 'self'", "x-extra": "1"}),
            )],
            Environment::Development,
        )
        .expect("boots");
        let mut map = headers(&[
            ("content-type", "application/json"),
            ("referrer-policy", ""),
        ]);
        h.finish(&mut map, &Admitted::default(), true);
        assert!(map.get("x-frame-options").is_none(), "removed by the app");
        assert!(
            map.get("referrer-policy").is_none(),
            "removed by the response"
        );
        assert_eq!(
            map.get("content-security-policy").unwrap(),
            "default-src 'self'"
        );
        assert_eq!(map.get("x-extra").unwrap(), "1");
        assert_eq!(map.get("x-content-type-options").unwrap(), "nosniff");
        assert_eq!(map.get("cache-control").unwrap(), "no-store");
        assert_eq!(
            map.get("content-type").unwrap(),
            "application/json; charset=utf-8"
        );
        assert!(
            map.get("strict-transport-security").is_none(),
            "not in development"
        );
    }
}
