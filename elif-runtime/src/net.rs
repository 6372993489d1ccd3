//! Addresses, origins and hosts as the security config names them: parsed
//! once when the config loads (where a bad one is reported), matched on
//! requests by `http::hardening`.
//!
//! This module sits at the bottom of the runtime: it imports nothing from it.

use std::net::IpAddr;

/// An address or a CIDR block of addresses (`10.0.0.0/8`, `::1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IpBlock {
    network: IpAddr,
    prefix: u8,
}

impl IpBlock {
    /// `addr` or `addr/prefix`.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text, None),
        };
        let network: IpAddr = addr
            .trim()
            .parse()
            .map_err(|_| "not an IP address or CIDR block (`10.0.0.0/8`, `::1`)".to_owned())?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(prefix) => prefix
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("the prefix length must be 0..={max}"))?,
        };
        Ok(Self { network, prefix })
    }

    /// Whether `addr` is in the block (an IPv4-mapped IPv6 address counts
    /// as its IPv4 address).
    pub(crate) fn contains(&self, addr: IpAddr) -> bool {
        let addr = match addr {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
            v4 => v4,
        };
        match (self.network, addr) {
            (IpAddr::V4(network), IpAddr::V4(addr)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(network) & mask == u32::from(addr) & mask
            }
            (IpAddr::V6(network), IpAddr::V6(addr)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(network) & mask == u128::from(addr) & mask
            }
            _ => false,
        }
    }
}

/// An allowed origin of `[security.cors] allowed_origins`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OriginRule {
    /// `*`: any origin (never `null`).
    Any,
    /// One origin, lower case: `https://app.example.com`.
    Exact(String),
    /// `https://*.example.com[:port]`: the subdomains of a domain, at any
    /// depth, on one scheme and port (not the domain itself).
    Subdomains {
        scheme: String,
        /// `.example.com`.
        suffix: String,
        port: Option<String>,
    },
}

impl OriginRule {
    /// `*`, `scheme://host[:port]` or `scheme://*.domain[:port]`.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        if text == "*" {
            return Ok(Self::Any);
        }
        if text.eq_ignore_ascii_case("null") {
            return Err(
                "`null` is the origin of sandboxed documents and files; it cannot be allowed"
                    .to_owned(),
            );
        }
        let lower = text.to_ascii_lowercase();
        let (scheme, rest) = lower
            .split_once("://")
            .filter(|(scheme, _)| matches!(*scheme, "http" | "https"))
            .ok_or("an origin is `https://host` or `http://host[:port]`")?;
        if rest.contains('/') {
            return Err(
                "an origin has no path (drop what follows the host, a trailing `/` too)".to_owned(),
            );
        }
        let (host, port) = split_port(rest).ok_or("the port is not a number")?;
        let (wild, domain) = match host.strip_prefix("*.") {
            Some(domain) => (true, domain),
            None => (false, host),
        };
        let bracketed = !wild && host.starts_with('[') && host.ends_with(']');
        if !is_host_name(domain) && !bracketed {
            return Err(if domain.contains('*') {
                "`*` may only stand for subdomains, first: `https://*.example.com`".to_owned()
            } else {
                format!("`{domain}` is not a host name")
            });
        }
        if wild && !domain.contains('.') {
            return Err(format!(
                "`*.{domain}` would match across registrable domains; name a domain with a dot"
            ));
        }
        Ok(if wild {
            Self::Subdomains {
                scheme: scheme.to_owned(),
                suffix: format!(".{domain}"),
                port: port.map(str::to_owned),
            }
        } else {
            Self::Exact(lower)
        })
    }

    /// Whether the request's `Origin` value is allowed by this rule.
    pub(crate) fn allows(&self, origin: &str) -> bool {
        match self {
            Self::Any => origin != "null",
            Self::Exact(exact) => exact.eq_ignore_ascii_case(origin),
            Self::Subdomains {
                scheme,
                suffix,
                port,
            } => {
                let Some((given_scheme, rest)) = origin.split_once("://") else {
                    return false;
                };
                let Some((host, given_port)) = split_port(rest) else {
                    return false;
                };
                if !given_scheme.eq_ignore_ascii_case(scheme) || given_port != port.as_deref() {
                    return false;
                }
                let Some(split) = host.len().checked_sub(suffix.len()) else {
                    return false;
                };
                let (sub, tail) = (&host[..split], &host[split..]);
                tail.eq_ignore_ascii_case(suffix) && is_host_name(sub)
            }
        }
    }
}

/// An entry of `[security] allowed_hosts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HostRule {
    /// `*`.
    Any,
    /// `example.com`, lower case.
    Exact(String),
    /// `.example.com`: the domain and its subdomains.
    Domain(String),
}

impl HostRule {
    /// An entry already checked by the config (`*`, `name`, `.name`).
    pub(crate) fn parse(text: &str) -> Self {
        match text {
            "*" => Self::Any,
            _ => match text.strip_prefix('.') {
                Some(domain) => Self::Domain(domain.to_ascii_lowercase()),
                None => Self::Exact(text.to_ascii_lowercase()),
            },
        }
    }

    /// Whether `host` (the `Host` header without its port) is allowed.
    pub(crate) fn allows(&self, host: &str) -> bool {
        match self {
            Self::Any => true,
            Self::Exact(exact) => exact.eq_ignore_ascii_case(host),
            Self::Domain(domain) => {
                host.eq_ignore_ascii_case(domain)
                    || host.len() > domain.len() + 1
                        && host.as_bytes()[host.len() - domain.len() - 1] == b'.'
                        && host[host.len() - domain.len()..].eq_ignore_ascii_case(domain)
            }
        }
    }
}

/// `host[:port]` split at the port; `None` when the port is not a number.
/// A bracketed IPv6 host keeps its brackets.
pub(crate) fn split_port(authority: &str) -> Option<(&str, Option<&str>)> {
    let colon = match authority.rfind(':') {
        Some(i) if !authority[i..].contains(']') => i,
        _ => return Some((authority, None)),
    };
    let port = &authority[colon + 1..];
    (!port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit()))
        .then_some((&authority[..colon], Some(port)))
}

/// Dot-separated labels of letters, digits and hyphens.
fn is_host_name(host: &str) -> bool {
    !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    #[test]
    fn blocks_contain_their_addresses_only() {
        let block = IpBlock::parse("10.1.0.0/16").expect("valid");
        assert!(block.contains(ip("10.1.200.3")));
        assert!(!block.contains(ip("10.2.0.1")));
        assert!(block.contains(ip("::ffff:10.1.0.9")), "IPv4-mapped");
        let one = IpBlock::parse("127.0.0.1").expect("valid");
        assert!(one.contains(ip("127.0.0.1")) && !one.contains(ip("127.0.0.2")));
        let v6 = IpBlock::parse("fd00::/8").expect("valid");
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        assert!(
            IpBlock::parse("0.0.0.0/0")
                .expect("valid")
                .contains(ip("8.8.8.8"))
        );
        for bad in ["10.0.0.0/33", "example.com", "10.0.0/8", "::1/129", ""] {
            assert!(IpBlock::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn subdomain_patterns_match_subdomains_of_that_domain_only() {
        let rule = OriginRule::parse("https://*.example.com").expect("valid");
        for allowed in [
            "https://a.example.com",
            "https://a.b.example.com",
            "HTTPS://A.Example.COM",
        ] {
            assert!(rule.allows(allowed), "{allowed}");
        }
        for refused in [
            "https://evil-example.com",
            "https://example.com.evil.net",
            "https://example.com",
            "https://.example.com",
            "http://a.example.com",
            "https://a.example.com:8443",
            "https://a..example.com",
            "https://a_b.example.com",
            "null",
            "https://a.example.com/",
        ] {
            assert!(!rule.allows(refused), "{refused}");
        }
        let ported = OriginRule::parse("http://*.example.com:8080").expect("valid");
        assert!(ported.allows("http://a.example.com:8080"));
        assert!(!ported.allows("http://a.example.com"));
    }

    #[test]
    fn exact_origins_and_the_wildcard() {
        let exact = OriginRule::parse("https://App.example.com").expect("valid");
        assert!(exact.allows("https://app.example.com"));
        assert!(!exact.allows("https://app.example.com.evil.net"));
        assert!(!exact.allows("http://app.example.com"));
        assert!(
            OriginRule::parse("http://localhost:5173")
                .expect("valid")
                .allows("http://localhost:5173")
        );
        assert!(
            OriginRule::parse("http://[::1]:3000")
                .expect("valid")
                .allows("http://[::1]:3000")
        );
        let any = OriginRule::parse("*").expect("valid");
        assert!(any.allows("https://anything.net") && !any.allows("null"));
    }

    #[test]
    fn bad_origins_are_refused_with_the_reason() {
        for (bad, reason) in [
            ("null", "sandboxed"),
            ("https://example.com/", "no path"),
            ("example.com", "`https://host`"),
            ("ftp://example.com", "`https://host`"),
            ("https://a.*.example.com", "only stand for subdomains"),
            ("https://*.com", "registrable"),
            ("https://example.com:http", "port"),
        ] {
            let error = OriginRule::parse(bad).expect_err(bad);
            assert!(error.contains(reason), "{bad}: {error}");
        }
    }

    #[test]
    fn hosts_match_exactly_or_as_a_domain() {
        let exact = HostRule::parse("example.com");
        assert!(exact.allows("EXAMPLE.com") && !exact.allows("a.example.com"));
        let domain = HostRule::parse(".example.com");
        for allowed in ["example.com", "a.example.com", "a.b.example.com"] {
            assert!(domain.allows(allowed), "{allowed}");
        }
        for refused in ["evil-example.com", "example.com.evil.net", "xexample.com"] {
            assert!(!domain.allows(refused), "{refused}");
        }
        assert!(HostRule::parse("*").allows("anything"));
        assert_eq!(
            split_port("example.com:8080"),
            Some(("example.com", Some("8080")))
        );
        assert_eq!(split_port("[::1]:80"), Some(("[::1]", Some("80"))));
        assert_eq!(split_port("[::1]"), Some(("[::1]", None)));
        assert_eq!(split_port("example.com:x"), None);
    }
}
