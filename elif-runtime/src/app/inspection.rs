//! The inspection endpoints: `/_elif/map.json` serves the app's map (the
//! same document as `map --json`), `/_elif/openapi.json` its OpenAPI
//! document (as `openapi`) and `/_elif/docs/` Swagger UI reading it. Without a guard they are on in
//! development and test, and only on a loopback address unless
//! `app.env = "development"` is set explicitly: `APP_ENV` unset means
//! development, and a server bound to `0.0.0.0` by a forgotten `APP_ENV`
//! must not hand its internals to the network. In production, or off for
//! that reason, every `/_elif/*` path answers 404, unless the app opts in
//! with [`App::inspection_guard`](crate::App::inspection_guard), whose
//! guard then runs before them in every environment and on every address.

use std::net::IpAddr;
use std::sync::Arc;

use actix_web::http::header::ContentType;
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};

use crate::config::Environment;
use crate::http::{DynGuard, RequestContext};
use crate::inspect::AppMap;

/// The `/_elif/*` endpoints are on: the guard in front of them, if any.
#[derive(Clone)]
pub(crate) struct Inspection {
    pub(crate) guard: Option<Arc<dyn DynGuard>>,
}

/// Whether the endpoints are served without a guard, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unguarded {
    /// Served: development or test, on a loopback address or with the
    /// mode set explicitly.
    Served,
    /// Off: the app runs in production.
    Production,
    /// Off: the app listens beyond this machine and its mode is
    /// development only because nothing set `app.env`, or is `test`.
    Exposed,
}

/// Whether the endpoints are served without a guard, for an app in `env`
/// (set explicitly or not) listening on `host`.
pub(crate) fn unguarded(env: Environment, env_is_explicit: bool, host: &str) -> Unguarded {
    match env {
        Environment::Production => Unguarded::Production,
        _ if is_loopback(host) => Unguarded::Served,
        Environment::Development if env_is_explicit => Unguarded::Served,
        _ => Unguarded::Exposed,
    }
}

/// Whether `host` (`server.host`) only accepts connections from this
/// machine: `localhost` or a loopback IP (`127.0.0.0/8`, `::1`). Any other
/// name, and the unspecified `0.0.0.0` and `::`, may be reached from
/// elsewhere.
pub(crate) fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Adds `GET /_elif/map.json` (when `inspection` is on) and a 404 for every
/// other `/_elif/*` path, so that no app route (`/{a}/{b}`) can answer them.
/// One scope with a static prefix: other requests pay a prefix comparison.
pub(crate) fn register(
    config: &mut web::ServiceConfig,
    documents: Documents,
    inspection: Option<Inspection>,
) {
    let mut scope = web::scope("/_elif");
    if let Some(Inspection { guard }) = inspection {
        let json = |body: Bytes, guard: Option<Arc<dyn DynGuard>>| {
            web::get().to(move |request: HttpRequest| {
                let body = body.clone();
                let guard = guard.clone();
                async move { serve(&request, guard.as_deref(), body).await }
            })
        };
        let docs = crate::openapi::ui::config();
        let page_guard = guard.clone();
        scope = scope
            .route("/map.json", json(documents.map, guard.clone()))
            .route("/openapi.json", json(documents.openapi, guard.clone()))
            .route(
                "/docs",
                web::get().to(|| async {
                    HttpResponse::PermanentRedirect()
                        .insert_header((
                            actix_web::http::header::LOCATION,
                            crate::openapi::ui::DOCS_PATH,
                        ))
                        .finish()
                }),
            )
            .route(
                "/docs/{file:.*}",
                web::get().to(move |request: HttpRequest| {
                    let guard = page_guard.clone();
                    let docs = docs.clone();
                    async move {
                        if let Some(guard) = guard.as_deref() {
                            guard.check_dyn(&RequestContext::new(&request)).await?;
                        }
                        let file = request.match_info().get("file").unwrap_or_default();
                        crate::Result::<HttpResponse>::Ok(crate::openapi::ui::file(file, docs))
                    }
                }),
            );
    }
    config.service(scope.default_service(web::to(|| async { HttpResponse::NotFound().finish() })));
}

async fn serve(
    request: &HttpRequest,
    guard: Option<&dyn DynGuard>,
    body: Bytes,
) -> crate::Result<HttpResponse> {
    if let Some(guard) = guard {
        guard.check_dyn(&RequestContext::new(request)).await?;
    }
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(body))
}

/// The documents the endpoints serve, serialised once at start-up.
#[derive(Clone)]
pub(crate) struct Documents {
    /// The map (`map --json`).
    pub(crate) map: Bytes,
    /// The OpenAPI document (`openapi`).
    pub(crate) openapi: Bytes,
}

impl Documents {
    /// The documents of `map` and `openapi`.
    pub(crate) fn new(map: &Arc<AppMap>, openapi: &crate::openapi::OpenApi) -> Self {
        Self {
            map: Bytes::from(map.to_json()),
            openapi: Bytes::from(crate::openapi::to_json(openapi)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::any::TypeId;

    use super::*;
    use crate::App;
    use crate::di::provider::Location;
    use crate::module::{Module, ModuleDescriptor};

    /// An app with nothing in it.
    struct EmptyModule;

    impl Module for EmptyModule {
        fn descriptor() -> &'static ModuleDescriptor {
            static EMPTY: ModuleDescriptor = ModuleDescriptor {
                name: "EmptyModule",
                key: TypeId::of::<EmptyModule>,
                imports: &[],
                providers: &[],
                controllers: &[],
                guards: &[],
                interceptors: &[],
                filters: &[],
                middleware: &[],
                exports: &[],
                commands: &[],
                migrations: None,
                location: Location {
                    file: "empty.rs",
                    line: 1,
                },
            };
            &EMPTY
        }
    }

    /// Whether the booted app serves `/_elif/*`, for `server.host` = `host`
    /// and `app.env` = `env` (unset when `None`; the process environment
    /// is not read).
    async fn serves(host: &str, env: Option<&str>) -> bool {
        let mut app = App::new()
            .module(EmptyModule)
            .without_env()
            .config("server.host", host)
            .config("security.allowed_hosts", ["127.0.0.1"]);
        if let Some(env) = env {
            app = app.config("app.env", env);
        }
        let booted = app.boot().await.unwrap();
        let served = booted.inspection.is_some();
        booted.shutdown().await;
        served
    }

    #[actix_web::test]
    async fn an_unset_mode_serves_the_endpoints_on_loopback_only() {
        assert!(serves("127.0.0.1", None).await, "APP_ENV unset, loopback");
        assert!(
            !serves("0.0.0.0", None).await,
            "APP_ENV unset, every address"
        );
        assert!(
            serves("0.0.0.0", Some("development")).await,
            "development set explicitly"
        );
        assert!(!serves("0.0.0.0", Some("test")).await);
        assert!(!serves("127.0.0.1", Some("production")).await);
    }

    #[test]
    fn loopback_hosts_are_local_names_and_addresses() {
        for host in [
            "127.0.0.1",
            "127.1.2.3",
            "::1",
            "[::1]",
            "localhost",
            "LocalHost",
        ] {
            assert!(is_loopback(host), "{host}");
        }
        for host in [
            "0.0.0.0",
            "::",
            "[::]",
            "10.0.0.7",
            "192.168.1.2",
            "example.com",
            "",
        ] {
            assert!(!is_loopback(host), "{host}");
        }
    }

    #[test]
    fn beyond_loopback_only_an_explicit_development_mode_serves_unguarded() {
        use Environment::{Development, Production, Test};
        let cases = [
            // mode, set explicitly, host: served?
            (Development, false, "127.0.0.1", Unguarded::Served),
            (Development, false, "0.0.0.0", Unguarded::Exposed),
            (Development, true, "0.0.0.0", Unguarded::Served),
            (Test, true, "127.0.0.1", Unguarded::Served),
            (Test, true, "0.0.0.0", Unguarded::Exposed),
            (Production, true, "127.0.0.1", Unguarded::Production),
            (Production, false, "0.0.0.0", Unguarded::Production),
        ];
        for (env, explicit, host, expected) in cases {
            assert_eq!(
                unguarded(env, explicit, host),
                expected,
                "{env} (explicit: {explicit}) on {host}"
            );
        }
    }
}
