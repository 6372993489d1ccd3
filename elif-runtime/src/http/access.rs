//! Secure by default: every route is reachable only through a guard that
//! authenticates, or is marked `#[public]`.
//!
//! A guard says it authenticates with [`Guard::AUTHENTICATES`]
//! (`elif-auth`'s `Authenticated` does). `#[public]` on a route or its
//! controller makes authentication optional, not absent: the guards still
//! run and read [`RequestContext::access`] to let anonymous requests
//! through while verifying credentials that are present. A route that is
//! neither authenticated nor public is `EL1016`: an error in `check` and
//! `map`, and at boot in production; a warning at boot otherwise.
//!
//! [`Guard::AUTHENTICATES`]: crate::http::Guard::AUTHENTICATES
//! [`RequestContext::access`]: crate::http::RequestContext::access

use std::fmt;

use elif_catalogue::{EL1016, EL1017};

use crate::diagnostics::Diagnostic;
use crate::http::RouteInfo;

/// What a route declares about who may call it, for guards to read at
/// request time ([`RequestContext::access`](crate::http::RequestContext::access)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Access {
    public: bool,
    requires: &'static [Requirement],
}

/// What a caller must hold: `#[requires(role = "admin")]`,
/// `#[requires(permission = "posts.delete")]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    /// A role.
    Role(&'static str),
    /// A permission.
    Permission(&'static str),
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Requirement::Role(role) => write!(f, "role:{role}"),
            Requirement::Permission(permission) => write!(f, "permission:{permission}"),
        }
    }
}

impl serde::Serialize for Requirement {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl Access {
    /// A route that needs authentication (the default).
    pub const PROTECTED: Access = Access::new(false, &[]);

    /// A route marked `#[public]`.
    pub const PUBLIC: Access = Access::new(true, &[]);

    /// A route that is `public` or not, whose callers must hold every one
    /// of `requires`.
    pub const fn new(public: bool, requires: &'static [Requirement]) -> Self {
        Self { public, requires }
    }

    /// What a caller must hold, every one of them (`#[requires]` on the
    /// route and its controller). A guard that enforces them declares
    /// [`Guard::ENFORCES_REQUIREMENTS`](crate::http::Guard::ENFORCES_REQUIREMENTS).
    pub const fn requires(&self) -> &'static [Requirement] {
        self.requires
    }

    /// Whether the route is `#[public]`: a request without credentials may
    /// go on; one with credentials still has them verified.
    pub const fn is_public(&self) -> bool {
        self.public
    }
}

/// One guard of a route, as generated code records it.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct GuardSpec {
    /// The guard's type, as written.
    pub name: &'static str,
    /// Its [`Guard::AUTHENTICATES`](crate::http::Guard::AUTHENTICATES).
    pub authenticates: bool,
    /// Its [`Guard::ENFORCES_REQUIREMENTS`](crate::http::Guard::ENFORCES_REQUIREMENTS).
    pub enforces: bool,
    /// Its [`Guard::security`](crate::http::Guard::security).
    pub security: crate::http::SecuritySchemes,
}

/// How a route is authenticated, as `routes` and `map --json` show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthenticationMode {
    /// A guard authenticates every request.
    Required,
    /// `#[public]`: anonymous requests go on; credentials that are present
    /// are verified by the authenticating guards listed.
    Public,
    /// Neither: `EL1016`.
    Missing,
}

impl AuthenticationMode {
    /// The mode of a route that is `public` or not, with the names of the
    /// guards that authenticate it.
    pub fn of(public: bool, authenticated_by: &[&'static str]) -> Self {
        match (public, authenticated_by.is_empty()) {
            (true, _) => Self::Public,
            (false, false) => Self::Required,
            (false, true) => Self::Missing,
        }
    }

    /// The mode's name, as the map writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::Public => "public",
            Self::Missing => "missing",
        }
    }
}

/// `EL1016` for `route`, whose guards (the app's and module's included)
/// `authenticated_by` are the ones that authenticate: an error, unless the
/// route is public or authenticated.
pub(crate) fn unsecured(
    route: &RouteInfo,
    authenticated_by: &[&'static str],
) -> Option<Diagnostic> {
    if AuthenticationMode::of(route.public, authenticated_by) != AuthenticationMode::Missing {
        return None;
    }
    let hint = match route.handler.split_once("::") {
        Some((controller, _)) => format!(
            "guard it with an authenticating guard (`#[controller(\"..\", guards(Authenticated))]` on `{controller}`, `#[module(guards(Authenticated))]` or `App::guard::<Authenticated>()`), or mark it `#[public]` if anyone may call it"
        ),
        // Written by hand: no elif guard runs on it.
        None => "a route written by hand runs no elif guard: describe it with `RouteInfo::new(..).public()` if anyone may call it, or `.authenticated_by(\"..\")` naming what authenticates it".to_owned(),
    };
    let mut diagnostic = Diagnostic::error(
        &EL1016,
        format!(
            "{} {} (`{}`) is neither authenticated nor public: none of its guards authenticates",
            route.method, route.path, route.handler
        ),
    )
    .hint(hint);
    if let Some(location) = route.location {
        diagnostic = diagnostic.at(location);
    }
    Some(diagnostic)
}

/// `EL1017` for `route` when it has requirements and none of its guards
/// (`enforced_by`, the app's and module's included) enforces them.
pub(crate) fn unenforced(route: &RouteInfo, enforced_by: &[&'static str]) -> Option<Diagnostic> {
    if route.requires.is_empty() || !enforced_by.is_empty() {
        return None;
    }
    let requires: Vec<String> = route.requires.iter().map(ToString::to_string).collect();
    let mut diagnostic = Diagnostic::error(
        &EL1017,
        format!(
            "{} {} (`{}`) requires {} but none of its guards enforces requirements",
            route.method,
            route.path,
            route.handler,
            requires.join(", ")
        ),
    );
    if let Some(location) = route.location {
        diagnostic = diagnostic.at(location);
    }
    Some(diagnostic)
}

#[cfg(test)]
mod tests {
    use actix_web::http::Method;

    use super::*;

    #[test]
    fn a_route_is_secured_by_an_authenticating_guard_or_public() {
        let route = RouteInfo::new(Method::GET, "/posts");
        let error = unsecured(&route, &[]).expect("an open route is reported");
        assert_eq!(error.entry.code, "EL1016");
        assert!(error.message.contains("GET /posts"), "{}", error.message);
        let mut generated = route.clone();
        generated.handler = "Posts::list".to_owned();
        let hint = unsecured(&generated, &[]).unwrap().hint;
        assert!(
            hint.contains("on `Posts`") && hint.contains("#[public]"),
            "{hint}"
        );
        assert!(
            error.hint.contains("RouteInfo::new(..).public()"),
            "by hand: {}",
            error.hint
        );
        assert!(unsecured(&route, &["Authenticated"]).is_none());
        assert!(unsecured(&route.clone().public(), &[]).is_none());
    }

    #[test]
    fn requirements_need_a_guard_that_enforces_them() {
        let mut route = RouteInfo::new(Method::DELETE, "/posts/{id}");
        assert!(unenforced(&route, &[]).is_none(), "nothing required");
        route.requires = vec![
            Requirement::Role("admin"),
            Requirement::Permission("posts.delete"),
        ];
        let error = unenforced(&route, &[]).unwrap();
        assert_eq!(error.entry.code, "EL1017");
        assert!(
            error
                .message
                .contains("requires role:admin, permission:posts.delete"),
            "{}",
            error.message
        );
        assert!(unenforced(&route, &["Authenticated"]).is_none());
    }

    #[test]
    fn modes_read_as_the_map_writes_them() {
        assert_eq!(AuthenticationMode::of(true, &[]).as_str(), "public");
        assert_eq!(AuthenticationMode::of(true, &["A"]).as_str(), "public");
        assert_eq!(AuthenticationMode::of(false, &["A"]).as_str(), "required");
        assert_eq!(AuthenticationMode::of(false, &[]).as_str(), "missing");
    }
}
