//! The `[security]` section: the headers every response carries, the hosts
//! a production app answers, the proxies it believes, and CORS
//! (`[security.cors]`). The values are checked here, when the config loads;
//! `http::hardening` turns them into what a request is checked against.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::source::{ConfigSource, FieldSpec, Validate};
use super::{ConfigKey, ConfigProblem, ConfigSection, key};

/// The `Strict-Transport-Security` value sent by default: one year, with
/// subdomains (not `preload`, which commits the whole domain).
pub const DEFAULT_HSTS: &str = "max-age=31536000; includeSubDomains";

/// A header's setting in `[security.headers]` or `security.hsts`: a value,
/// or `false` to leave the header out.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum HeaderSetting {
    /// Send this value.
    Value(String),
    /// `false`: do not send the header.
    Off(bool),
}

impl HeaderSetting {
    /// The value to send, if any.
    pub fn value(&self) -> Option<&str> {
        match self {
            Self::Value(value) => Some(value),
            Self::Off(_) => None,
        }
    }
}

/// The `[security]` section. Every default is safe; see docs/security.md.
#[derive(Debug, Clone)]
pub struct SecurityConfig {
    /// Changes to the default response headers: `name = "value"` sets one
    /// (a default or a new one), `name = false` removes a default.
    pub headers: BTreeMap<String, HeaderSetting>,
    /// `Strict-Transport-Security` in production on requests that came over
    /// HTTPS (default [`DEFAULT_HSTS`]; `false` turns it off).
    pub hsts: HeaderSetting,
    /// The hosts a production app answers (`example.com`, `.example.com`
    /// for it and its subdomains, `*` for any); required in production.
    pub allowed_hosts: Vec<String>,
    /// The proxies whose `X-Forwarded-*`, `Forwarded` and `X-Request-Id`
    /// headers are believed: addresses or CIDR blocks (default: none).
    pub trusted_proxies: Vec<String>,
    /// Cross-origin requests (`[security.cors]`).
    pub cors: CorsConfig,
}

/// The `[security.cors]` section: which other origins' pages may call the
/// app from a browser. None by default.
#[derive(Debug, Clone)]
pub struct CorsConfig {
    /// Origins allowed: exact (`https://app.example.com`), a pattern for
    /// subdomains (`https://*.example.com`) or `*` (any, without credentials).
    pub allowed_origins: Vec<String>,
    /// Methods a cross-origin request may use.
    pub allowed_methods: Vec<String>,
    /// Request headers a cross-origin request may send (besides the
    /// CORS-safelisted ones).
    pub allowed_headers: Vec<String>,
    /// Response headers a cross-origin page may read (besides the
    /// CORS-safelisted ones).
    pub exposed_headers: Vec<String>,
    /// Whether cookies and `Authorization` go with cross-origin requests.
    pub allow_credentials: bool,
    /// How long a browser may cache a preflight's answer, in seconds.
    pub max_age: u64,
}

/// The methods allowed cross-origin by default.
pub const DEFAULT_CORS_METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
/// The request headers allowed cross-origin by default.
pub const DEFAULT_CORS_HEADERS: &[&str] = &[
    "accept",
    "authorization",
    "content-type",
    "x-requested-with",
    "x-xsrf-token",
    "x-request-id",
];
/// The response headers exposed cross-origin by default.
pub const DEFAULT_CORS_EXPOSED: &[&str] = &[
    "x-request-id",
    "location",
    "retry-after",
    "ratelimit",
    "ratelimit-policy",
];

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

impl ConfigSection for SecurityConfig {
    const SECTION: &'static str = "security";

    fn load(source: &ConfigSource) -> Result<Self, Vec<ConfigProblem>> {
        let mut problems = Vec::new();
        let p = &mut problems;
        let headers = read(
            source,
            "security",
            "headers",
            BTreeMap::new,
            check_headers,
            p,
        );
        let hsts = read(
            source,
            "security",
            "hsts",
            || HeaderSetting::Value(DEFAULT_HSTS.to_owned()),
            check_hsts,
            p,
        );
        let allowed_hosts = read(
            source,
            "security",
            "allowed_hosts",
            Vec::new,
            check_hosts,
            p,
        );
        let trusted_proxies = read(
            source,
            "security",
            "trusted_proxies",
            Vec::new,
            check_proxies,
            p,
        );
        let c = "security.cors";
        let allowed_origins = read(source, c, "allowed_origins", Vec::new, check_origins, p);
        let allowed_methods = read(
            source,
            c,
            "allowed_methods",
            || strings(DEFAULT_CORS_METHODS),
            check_methods,
            p,
        );
        let allowed_headers = read(
            source,
            c,
            "allowed_headers",
            || strings(DEFAULT_CORS_HEADERS),
            check_header_names,
            p,
        );
        let exposed_headers = read(
            source,
            c,
            "exposed_headers",
            || strings(DEFAULT_CORS_EXPOSED),
            check_header_names,
            p,
        );
        let allow_credentials = read(source, c, "allow_credentials", || false, |_| Ok(()), p);
        let max_age = read(source, c, "max_age", || 600, |_| Ok(()), p);
        match (
            headers,
            hsts,
            allowed_hosts,
            trusted_proxies,
            allowed_origins,
            allowed_methods,
            allowed_headers,
            exposed_headers,
            allow_credentials,
            max_age,
        ) {
            (
                Some(headers),
                Some(hsts),
                Some(allowed_hosts),
                Some(trusted_proxies),
                Some(allowed_origins),
                Some(allowed_methods),
                Some(allowed_headers),
                Some(exposed_headers),
                Some(allow_credentials),
                Some(max_age),
            ) if problems.is_empty() => Ok(Self {
                headers,
                hsts,
                allowed_hosts,
                trusted_proxies,
                cors: CorsConfig {
                    allowed_origins,
                    allowed_methods,
                    allowed_headers,
                    exposed_headers,
                    allow_credentials,
                    max_age,
                },
            }),
            _ => Err(problems),
        }
    }

    fn keys() -> Vec<ConfigKey> {
        vec![
            key("security.headers", "Map<String, HeaderSetting>", Some("{}")),
            key(
                "security.hsts",
                "HeaderSetting",
                Some("\"max-age=31536000; includeSubDomains\""),
            ),
            key("security.allowed_hosts", "Vec<String>", Some("[]")),
            key("security.trusted_proxies", "Vec<String>", Some("[]")),
            key("security.cors.allowed_origins", "Vec<String>", Some("[]")),
            key(
                "security.cors.allowed_methods",
                "Vec<String>",
                Some(r#"["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]"#),
            ),
            key(
                "security.cors.allowed_headers",
                "Vec<String>",
                Some(
                    r#"["accept", "authorization", "content-type", "x-requested-with", "x-xsrf-token", "x-request-id"]"#,
                ),
            ),
            key(
                "security.cors.exposed_headers",
                "Vec<String>",
                Some(
                    r#"["x-request-id", "location", "retry-after", "ratelimit", "ratelimit-policy"]"#,
                ),
            ),
            key("security.cors.allow_credentials", "bool", Some("false")),
            key("security.cors.max_age", "u64", Some("600")),
        ]
    }
}

/// One field with a default and a check.
fn read<T: serde::de::DeserializeOwned>(
    source: &ConfigSource,
    section: &str,
    name: &str,
    default: fn() -> T,
    validate: Validate<T>,
    problems: &mut Vec<ConfigProblem>,
) -> Option<T> {
    source.field(
        section,
        name,
        FieldSpec::defaulted(default).checked(validate),
        problems,
    )
}

fn check_headers(headers: &BTreeMap<String, HeaderSetting>) -> Result<(), String> {
    for (name, setting) in headers {
        if actix_web::http::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(format!("`{name}` is not a header name"));
        }
        match setting {
            HeaderSetting::Off(true) => {
                return Err(format!(
                    "`{name} = true` says nothing; give the header's value, or `false` to remove it"
                ));
            }
            HeaderSetting::Value(value) => check_value(name, value)?,
            HeaderSetting::Off(false) => {}
        }
    }
    Ok(())
}

fn check_value(name: &str, value: &str) -> Result<(), String> {
    if value.is_empty() || actix_web::http::header::HeaderValue::from_str(value).is_err() {
        return Err(format!(
            "`{value}` is not a value for `{name}` (visible ASCII, not empty; `false` removes the header)"
        ));
    }
    Ok(())
}

fn check_hsts(hsts: &HeaderSetting) -> Result<(), String> {
    match hsts {
        HeaderSetting::Value(value) => {
            check_value("Strict-Transport-Security", value)?;
            if !value.trim_start().starts_with("max-age=") {
                return Err(format!(
                    "`{value}` has no `max-age=`; write e.g. \"{DEFAULT_HSTS}\", or `false`"
                ));
            }
            Ok(())
        }
        HeaderSetting::Off(true) => Err(format!(
            "`true` says nothing; give the value (\"{DEFAULT_HSTS}\") or `false`"
        )),
        HeaderSetting::Off(false) => Ok(()),
    }
}

fn check_hosts(hosts: &Vec<String>) -> Result<(), String> {
    for host in hosts {
        let name = host.strip_prefix('.').unwrap_or(host);
        let valid = host == "*"
            || (!name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
                && !name.starts_with('.')
                && !name.ends_with('.'));
        if !valid {
            return Err(format!(
                "`{host}` is not a host: write `example.com`, `.example.com` (it and its subdomains) or `*` (any), without scheme or port"
            ));
        }
    }
    Ok(())
}

fn check_proxies(proxies: &Vec<String>) -> Result<(), String> {
    for proxy in proxies {
        crate::net::IpBlock::parse(proxy).map_err(|e| format!("`{proxy}`: {e}"))?;
    }
    Ok(())
}

fn check_origins(origins: &Vec<String>) -> Result<(), String> {
    for origin in origins {
        crate::net::OriginRule::parse(origin).map_err(|e| format!("`{origin}`: {e}"))?;
    }
    Ok(())
}

fn check_methods(methods: &Vec<String>) -> Result<(), String> {
    for method in methods {
        if actix_web::http::Method::from_bytes(method.as_bytes()).is_err()
            || method.to_ascii_uppercase() != *method
        {
            return Err(format!(
                "`{method}` is not a method name (upper case, as `PATCH`)"
            ));
        }
    }
    Ok(())
}

fn check_header_names(names: &Vec<String>) -> Result<(), String> {
    for name in names {
        if name == "*" {
            return Err(
                "`*` is refused: name each header (a wildcard does not cover `Authorization`, and with credentials it is taken literally)"
                    .to_owned(),
            );
        }
        if actix_web::http::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(format!("`{name}` is not a header name"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_are_safe() {
        let config = SecurityConfig::load(&ConfigSource::from_pairs([])).expect("defaults");
        assert!(config.headers.is_empty());
        assert_eq!(config.hsts.value(), Some(DEFAULT_HSTS));
        assert!(config.allowed_hosts.is_empty() && config.trusted_proxies.is_empty());
        assert!(
            config.cors.allowed_origins.is_empty(),
            "CORS denies by default"
        );
        assert!(!config.cors.allow_credentials);
    }

    #[test]
    fn every_bad_value_is_named_in_one_report() {
        let source = ConfigSource::from_pairs([
            ("security.headers", json!({"x frame": "1", "x-ok": true})),
            ("security.hsts", json!("includeSubDomains")),
            ("security.allowed_hosts", json!(["https://example.com"])),
            ("security.trusted_proxies", json!(["10.0.0.0/33"])),
            (
                "security.cors.allowed_origins",
                json!(["https://*.example.com/", "null"]),
            ),
            ("security.cors.allowed_methods", json!(["get"])),
            ("security.cors.allowed_headers", json!(["*"])),
        ]);
        let problems = SecurityConfig::load(&source).expect_err("all refused");
        let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "security.headers",
                "security.hsts",
                "security.allowed_hosts",
                "security.trusted_proxies",
                "security.cors.allowed_origins",
                "security.cors.allowed_methods",
                "security.cors.allowed_headers",
            ]
        );
        assert!(
            problems[0]
                .message
                .contains("`x frame` is not a header name"),
            "{}",
            problems[0].message
        );
        assert!(
            problems[4].message.contains("path"),
            "{}",
            problems[4].message
        );
    }

    #[test]
    fn a_header_is_changed_or_removed() {
        let source = ConfigSource::from_pairs([(
            "security.headers",
            json!({"x-frame-options": false, "content-security-policy": "default-src 'self'"}),
        )]);
        let config = SecurityConfig::load(&source).expect("valid");
        assert_eq!(config.headers["x-frame-options"], HeaderSetting::Off(false));
        assert_eq!(
            config.headers["content-security-policy"].value(),
            Some("default-src 'self'")
        );
    }
}
