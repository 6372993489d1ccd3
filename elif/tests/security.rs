//! Hardened HTTP by default, through real requests: the security headers on
//! every response (200, 404, 405, 422, 500), changed or removed per app and
//! per response; HSTS behind a trusted proxy; the production `Host`
//! allow-list; the client's address through trusted proxies; CORS
//! preflights allowed and refused, and CORS headers on errors.

#![allow(missing_docs, clippy::unwrap_used)]

use elif::http::{AuthenticatedBy, ClientIp, DEFAULT_HEADERS, HttpResponse, Method};
use elif::prelude::*;
use elif::testing::{TestApp, TestResponse};
use serde_json::{Value, json};

/// Authenticates `Authorization: Bearer ok` the way an identity package
/// does: it records how.
#[guard]
pub struct Token;

impl Guard for Token {
    const AUTHENTICATES: bool = true;

    async fn check(&self, cx: &RequestContext<'_>) -> elif::Result<()> {
        match cx.bearer_token() {
            Some("ok") => {
                cx.insert(AuthenticatedBy {
                    mechanism: "test",
                    subject: "ada".to_owned(),
                    token: None,
                });
                Ok(())
            }
            _ => Err(Error::new(401, "TOKEN_MISSING", "send a token")),
        }
    }
}

#[derive(Debug, serde::Deserialize, Validate)]
pub struct Note {
    #[validate(length(min = 1))]
    pub text: String,
}

#[injectable]
pub struct NotesController;

#[controller("/notes", public)]
impl NotesController {
    #[get("/")]
    async fn list(&self) -> Json<Value> {
        Json(json!(["a", "b"]))
    }

    #[post("/")]
    async fn create(&self, note: Valid<Note>) -> Json<Value> {
        Json(json!({ "text": note.text }))
    }

    #[get("/boom")]
    async fn boom(&self) -> String {
        panic!("the handler blew up")
    }

    #[get("/fail")]
    async fn fail(&self) -> elif::Result<String> {
        Err(Error::internal("broken"))
    }

    /// A page with its own policy, and without one of the defaults.
    #[get("/page")]
    async fn page(&self) -> HttpResponse {
        HttpResponse::Ok()
            .insert_header(("content-security-policy", "default-src 'self'"))
            .insert_header(("x-frame-options", ""))
            .body("<p>hi</p>")
    }

    #[get("/ip")]
    async fn ip(&self, ip: ClientIp) -> String {
        ip.to_string()
    }
}

#[injectable]
pub struct PrivateController;

#[controller("/private", guards(Token))]
impl PrivateController {
    #[get("/")]
    async fn show(&self) -> Json<Value> {
        Json(json!({ "secret": true }))
    }

    #[get("/cached")]
    async fn cached(&self) -> HttpResponse {
        HttpResponse::Ok()
            .insert_header(("cache-control", "private, max-age=60"))
            .body("mine")
    }

    #[delete("/{id}")]
    async fn remove(&self, id: u64) -> String {
        id.to_string()
    }
}

#[module(controllers(NotesController, PrivateController))]
pub struct NotesModule;

fn notes() -> App {
    App::new().module(NotesModule).without_env()
}

fn production() -> App {
    notes()
        .config("app.env", "production")
        .config("security.allowed_hosts", ["127.0.0.1", ".example.com"])
}

async fn start(app: App) -> TestApp {
    TestApp::start(app).await.unwrap()
}

async fn get_with(app: &TestApp, path: &str, headers: &[(&'static str, &str)]) -> TestResponse {
    send(app, Method::GET, path, headers).await
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    headers: &[(&'static str, &str)],
) -> TestResponse {
    let mut request = app.request(method, path);
    for (name, value) in headers {
        request = request.append_header((*name, value.to_string()));
    }
    app.send(request).await
}

fn assert_default_headers(response: &TestResponse, what: &str) {
    for (name, value) in DEFAULT_HEADERS {
        assert_eq!(response.header(name), Some(*value), "{name} on {what}");
    }
    assert_eq!(
        response.header("server"),
        None,
        "no server banner on {what}"
    );
}

#[elif::test]
async fn every_response_carries_the_default_headers() {
    for app in [start(notes()).await, start(production()).await] {
        let ok = app.get("/notes").await;
        assert_eq!(ok.status(), 200);
        assert_default_headers(&ok, "a 200");
        assert_eq!(
            ok.header("content-type"),
            Some("application/json; charset=utf-8")
        );
        assert_eq!(
            ok.header("cache-control"),
            None,
            "public responses may be cached"
        );
        let missing = app.get("/nowhere").await;
        assert_eq!(missing.status(), 404);
        assert_default_headers(&missing, "a 404");
        let wrong = send(&app, Method::PATCH, "/notes", &[]).await;
        assert_eq!(wrong.status(), 405);
        assert_default_headers(&wrong, "a 405");
        let invalid = app.post_json("/notes", &json!({"text": ""})).await;
        assert_eq!(invalid.status(), 422);
        assert_default_headers(&invalid, "a 422");
        assert_eq!(invalid.header("cache-control"), Some("no-store"));
        for path in ["/notes/boom", "/notes/fail"] {
            let failed = app.get(path).await;
            assert_eq!(failed.status(), 500, "{path}");
            assert_default_headers(&failed, path);
        }
        let text = app.get("/notes/ip").await;
        assert_eq!(
            text.header("content-type"),
            Some("text/plain; charset=utf-8")
        );
        app.stop().await;
    }
}

#[elif::test]
async fn an_app_and_a_response_change_or_remove_headers() {
    let app = start(notes().config(
        "security.headers",
        json!({"x-frame-options": "SAMEORIGIN", "origin-agent-cluster": false, "permissions-policy": "camera=()"}),
    ))
    .await;
    let ok = app.get("/notes").await;
    assert_eq!(ok.header("x-frame-options"), Some("SAMEORIGIN"));
    assert_eq!(ok.header("origin-agent-cluster"), None);
    assert_eq!(ok.header("permissions-policy"), Some("camera=()"));
    assert_eq!(ok.header("x-content-type-options"), Some("nosniff"));
    let page = app.get("/notes/page").await;
    assert_eq!(
        page.header("content-security-policy"),
        Some("default-src 'self'")
    );
    assert_eq!(
        page.header("x-frame-options"),
        None,
        "the response removed it"
    );
    app.stop().await;
    let refused = App::new()
        .module(NotesModule)
        .without_env()
        .config("security.headers", json!({"x-frame-options": true}))
        .check()
        .to_string();
    assert!(
        refused.contains("EL2003") && refused.contains("`false` to remove it"),
        "{refused}"
    );
}

#[elif::test]
async fn authenticated_responses_are_not_stored_unless_the_route_says_so() {
    let app = start(notes()).await;
    let mine = get_with(&app, "/private", &[("authorization", "Bearer ok")]).await;
    assert_eq!(mine.status(), 200);
    assert_eq!(mine.header("cache-control"), Some("no-store"));
    let cached = get_with(&app, "/private/cached", &[("authorization", "Bearer ok")]).await;
    assert_eq!(cached.header("cache-control"), Some("private, max-age=60"));
    let refused = app.get("/private").await;
    assert_eq!(refused.status(), 401);
    assert_eq!(refused.header("cache-control"), Some("no-store"));
    assert_default_headers(&refused, "a 401");
}

#[elif::test]
async fn hsts_is_sent_in_production_over_https_through_a_trusted_proxy_only() {
    let https = [("x-forwarded-proto", "https")];
    let untrusted = start(production()).await;
    let spoofed = get_with(&untrusted, "/notes", &https).await;
    assert_eq!(
        spoofed.header("strict-transport-security"),
        None,
        "the peer is no proxy"
    );
    untrusted.stop().await;

    let proxied = start(production().config("security.trusted_proxies", ["127.0.0.0/8"])).await;
    let secure = get_with(&proxied, "/notes", &https).await;
    assert_eq!(
        secure.header("strict-transport-security"),
        Some("max-age=31536000; includeSubDomains")
    );
    let forwarded = get_with(
        &proxied,
        "/nowhere",
        &[("forwarded", "for=1.2.3.4;proto=https")],
    )
    .await;
    assert_eq!(forwarded.status(), 404);
    assert!(
        forwarded.header("strict-transport-security").is_some(),
        "on errors too"
    );
    let plain = get_with(&proxied, "/notes", &[("x-forwarded-proto", "http")]).await;
    assert_eq!(plain.header("strict-transport-security"), None);
    proxied.stop().await;

    let development = start(notes().config("security.trusted_proxies", ["127.0.0.1"])).await;
    let dev = get_with(&development, "/notes", &https).await;
    assert_eq!(
        dev.header("strict-transport-security"),
        None,
        "off in development"
    );
    development.stop().await;

    let off = start(
        production()
            .config("security.trusted_proxies", ["127.0.0.1"])
            .config("security.hsts", false),
    )
    .await;
    assert_eq!(
        get_with(&off, "/notes", &https)
            .await
            .header("strict-transport-security"),
        None
    );
}

#[elif::test]
async fn production_answers_its_hosts_only() {
    let app = start(production()).await;
    assert_eq!(app.get("/notes").await.status(), 200, "127.0.0.1:port");
    for host in ["example.com", "api.example.com:8443"] {
        let allowed = get_with(&app, "/notes", &[("host", host)]).await;
        assert_eq!(allowed.status(), 200, "{host}");
    }
    for host in ["evil.test", "example.com.evil.test", "evilexample.com"] {
        let refused = get_with(&app, "/notes", &[("host", host)]).await;
        assert_eq!(refused.status(), 421, "{host}");
        let problem: Value = refused.json();
        assert_eq!(problem["code"], "HOST_NOT_ALLOWED");
        assert_default_headers(&refused, "a 421");
    }
    let probe = get_with(&app, "/health", &[("host", "10.0.0.7:8080")]).await;
    assert_eq!(probe.status(), 200, "probes by address are answered");
    let map = serde_json::to_value(app.booted().map().as_ref()).unwrap();
    let http = &map["http"];
    assert_eq!(http["allowed_hosts"], json!(["127.0.0.1", ".example.com"]));
    assert_eq!(http["hsts"], "max-age=31536000; includeSubDomains");
    assert_eq!(http["headers"][2], json!(["x-frame-options", "DENY"]));
    assert_eq!(http["limits"]["max_headers"], 64);
    assert_eq!(http["cors"]["allowed_origins"], json!([]), "CORS off");
    app.stop().await;

    let report = App::new()
        .module(NotesModule)
        .without_env()
        .config("app.env", "production")
        .check()
        .to_string();
    assert!(report.contains("EL1021"), "{report}");
    let development = start(notes()).await;
    let any = get_with(&development, "/notes", &[("host", "evil.test")]).await;
    assert_eq!(any.status(), 200, "development answers any host");
}

#[elif::test]
async fn the_client_address_comes_through_trusted_proxies_only() {
    let spoof = [("x-forwarded-for", "203.0.113.50")];
    let direct = start(notes()).await;
    assert_eq!(
        get_with(&direct, "/notes/ip", &spoof).await.text(),
        "127.0.0.1"
    );
    direct.stop().await;
    let proxied =
        start(notes().config("security.trusted_proxies", ["127.0.0.1", "10.0.0.0/8"])).await;
    let chain = [("x-forwarded-for", "6.6.6.6, 203.0.113.50, 10.1.2.3")];
    assert_eq!(
        get_with(&proxied, "/notes/ip", &chain).await.text(),
        "203.0.113.50",
        "the rightmost address that is no trusted proxy"
    );
}

const ORIGIN: &str = "https://app.example.com";

fn cors() -> App {
    notes()
        .config(
            "security.cors.allowed_origins",
            [ORIGIN, "https://*.partner.test"],
        )
        .config("security.cors.allow_credentials", true)
}

async fn preflight(
    app: &TestApp,
    path: &str,
    origin: &str,
    method: &str,
    headers: Option<&str>,
) -> TestResponse {
    let mut sent = vec![
        ("origin", origin),
        ("access-control-request-method", method),
    ];
    if let Some(headers) = headers {
        sent.push(("access-control-request-headers", headers));
    }
    send(app, Method::OPTIONS, path, &sent).await
}

#[elif::test]
async fn preflights_are_answered_before_guards_for_allowed_origins() {
    let app = start(cors()).await;
    // The route is guarded: the preflight carries no credentials, and is
    // answered anyway.
    let allowed = preflight(
        &app,
        "/private/7",
        ORIGIN,
        "DELETE",
        Some("Authorization, X-XSRF-Token"),
    )
    .await;
    assert_eq!(allowed.status(), 204, "{}", allowed.text());
    assert_eq!(allowed.header("access-control-allow-origin"), Some(ORIGIN));
    assert_eq!(
        allowed.header("access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(
        allowed.header("access-control-allow-methods"),
        Some("GET, HEAD, POST, PUT, PATCH, DELETE")
    );
    assert_eq!(
        allowed.header("access-control-allow-headers"),
        Some("Authorization, X-XSRF-Token")
    );
    assert_eq!(allowed.header("access-control-max-age"), Some("600"));
    assert!(allowed.header("vary").unwrap().contains("Origin"));
    assert_default_headers(&allowed, "a preflight");
    let sub = preflight(
        &app,
        "/notes",
        "https://a.b.partner.test",
        "POST",
        Some("content-type"),
    )
    .await;
    assert_eq!(sub.status(), 204);

    for (origin, method, headers, said) in [
        ("https://evil.test", "GET", None, "https://evil.test"),
        ("https://evil-partner.test", "GET", None, "not in"),
        ("https://partner.test.evil.net", "GET", None, "not in"),
        ("https://partner.test", "GET", None, "not in"),
        ("null", "GET", None, "null"),
        (ORIGIN, "PATCH", None, "does not answer `PATCH`"),
        (ORIGIN, "DELETE", Some("x-secret"), "`x-secret`"),
    ] {
        let refused = preflight(&app, "/private/7", origin, method, headers).await;
        assert_eq!(refused.status(), 403, "{origin} {method}");
        let problem: Value = refused.json();
        assert_eq!(problem["code"], "CORS_REFUSED");
        assert!(
            problem["detail"].as_str().unwrap().contains(said),
            "{problem}"
        );
        if origin != ORIGIN {
            assert_eq!(refused.header("access-control-allow-origin"), None);
        }
    }
    let unknown = preflight(&app, "/nowhere", ORIGIN, "GET", None).await;
    assert_eq!(unknown.status(), 404, "a preflight of no route");
    let plain = send(&app, Method::OPTIONS, "/notes", &[]).await;
    assert_eq!(
        plain.status(),
        405,
        "an OPTIONS that is no preflight is unchanged"
    );
}

#[elif::test]
async fn cross_origin_responses_errors_included_are_readable_by_allowed_origins_only() {
    let app = start(cors()).await;
    let ok = get_with(&app, "/notes", &[("origin", ORIGIN)]).await;
    assert_eq!(ok.header("access-control-allow-origin"), Some(ORIGIN));
    assert_eq!(ok.header("access-control-allow-credentials"), Some("true"));
    assert!(
        ok.header("access-control-expose-headers")
            .unwrap()
            .contains("x-request-id")
    );
    assert_eq!(ok.header("vary"), Some("Origin"));
    let unauthorised = get_with(&app, "/private", &[("origin", ORIGIN)]).await;
    assert_eq!(unauthorised.status(), 401);
    assert_eq!(
        unauthorised.header("access-control-allow-origin"),
        Some(ORIGIN),
        "a 401 is readable"
    );
    let invalid = send(
        &app,
        Method::POST,
        "/notes",
        &[("origin", ORIGIN), ("content-type", "application/json")],
    )
    .await;
    assert_eq!(invalid.status(), 400);
    assert_eq!(invalid.header("access-control-allow-origin"), Some(ORIGIN));
    let stranger = get_with(&app, "/notes", &[("origin", "https://evil.test")]).await;
    assert_eq!(stranger.status(), 200);
    assert_eq!(stranger.header("access-control-allow-origin"), None);
    assert_eq!(stranger.header("vary"), Some("Origin"));
    let same = app.get("/notes").await;
    assert_eq!(
        same.header("vary"),
        Some("Origin"),
        "caches keep the answers apart"
    );
}

#[elif::test]
async fn cors_is_off_by_default_and_a_wildcard_never_carries_credentials() {
    let app = start(notes()).await;
    let refused = preflight(&app, "/notes", ORIGIN, "GET", None).await;
    assert_eq!(refused.status(), 403);
    assert!(
        refused.text().contains("allows no cross-origin requests"),
        "{}",
        refused.text()
    );
    let simple = get_with(&app, "/notes", &[("origin", ORIGIN)]).await;
    assert_eq!(simple.header("access-control-allow-origin"), None);
    assert_eq!(simple.header("vary"), None);
    app.stop().await;

    let open = start(notes().config("security.cors.allowed_origins", ["*"])).await;
    let any = get_with(&open, "/notes", &[("origin", "https://any.test")]).await;
    assert_eq!(any.header("access-control-allow-origin"), Some("*"));
    assert_eq!(any.header("access-control-allow-credentials"), None);
    let null = get_with(&open, "/notes", &[("origin", "null")]).await;
    assert_eq!(
        null.header("access-control-allow-origin"),
        None,
        "`*` does not cover null"
    );
    open.stop().await;

    let report = notes()
        .config("security.cors.allowed_origins", ["*"])
        .config("security.cors.allow_credentials", true)
        .check()
        .to_string();
    assert!(report.contains("EL1020"), "{report}");
    let report = notes()
        .config(
            "security.cors.allowed_origins",
            ["https://*.example.com/", "null"],
        )
        .check()
        .to_string();
    assert!(
        report.contains("EL2003") && report.contains("no path"),
        "{report}"
    );
}
