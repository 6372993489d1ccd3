//! What an authenticating guard reads from a request, described for the
//! API description (OpenAPI's security schemes): a guard says which
//! credentials it accepts ([`Guard::security`](crate::http::Guard::security)),
//! given the app's config, since which mechanisms are on is configuration.

use serde::Serialize;

/// Where a credential travels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "in", rename_all = "lowercase")]
pub enum Credentials {
    /// `Authorization: Bearer <token>`; `format` says what the token is
    /// (`JWT`), when that helps clients.
    Bearer {
        /// The token's format, such as `JWT`.
        format: Option<String>,
    },
    /// A token in a request header (`Authorization: Token <jwt>` for a
    /// scheme other than Bearer, `X-Api-Key`, ...).
    Header {
        /// The header's name.
        name: String,
    },
    /// A cookie (a session).
    Cookie {
        /// The cookie's name.
        name: String,
    },
}

/// One way to authenticate that a guard accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecurityScheme {
    /// The scheme's name in the description (`jwt`, `session`): guards
    /// that accept the same credentials name them alike.
    pub name: String,
    /// Where the credential travels.
    pub credentials: Credentials,
    /// What a client sends, in a sentence.
    pub description: String,
}

impl SecurityScheme {
    /// A scheme named `name`, read from `credentials`.
    pub fn new(
        name: impl Into<String>,
        credentials: Credentials,
        description: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            credentials,
            description: description.into(),
        }
    }
}

/// The security schemes of an authenticating guard, given the app's config
/// (`Guard::security`, kept as a function so routes are described without
/// building the guard).
pub type SecuritySchemes = fn(&crate::config::source::ConfigSource) -> Vec<SecurityScheme>;

/// One authenticating guard and where to read its schemes.
#[derive(Debug, Clone, Copy)]
pub struct GuardSecurity {
    /// The guard's name.
    pub guard: &'static str,
    /// Its schemes.
    pub schemes: SecuritySchemes,
}
