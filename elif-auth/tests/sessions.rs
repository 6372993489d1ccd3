//! Cookie sessions through real requests: in memory and on the real Redis
//! (required under `CI=true`), renewed on login, ended on logout on every
//! instance, idle and absolute timeouts on the app's clock, cookie flags by
//! mode, a Redis outage answered 503 quickly and recovered from without a
//! restart, and production's refusal to keep sessions in memory unasked.

#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use elif::data::Database;
use elif::http::{HttpRequest, HttpResponse, Method};
use elif::prelude::*;
use elif::testing::{TestApp, TestDatabase, TestRedis, TestRequest, TestResponse, shared_redis};
use elif::time::TestClock;
use elif_auth::{AuthModule, Authenticatable, Authenticated, CurrentUser, Principals, Sessions};
use serde_json::Value;

use common::{MIGRATIONS, NewUser, SECRET, User};

impl Authenticatable for User {}

#[derive(Deserialize)]
pub struct Login {
    id: i64,
}

#[injectable]
pub struct Account {
    users: Inject<Repository<User>>,
    sessions: Inject<Sessions>,
}

#[controller("/", guards(Authenticated))]
impl Account {
    #[post("/login")]
    #[public]
    async fn login(&self, request: HttpRequest, body: Json<Login>) -> elif::Result<HttpResponse> {
        let user = self.users.find_or_fail(body.id).await?;
        let cookie = self.sessions.start(&user.subject(), &request).await?;
        Ok(cookie.apply(HttpResponse::Ok().body("welcome")))
    }

    #[post("/logout")]
    async fn logout(&self, request: HttpRequest) -> elif::Result<HttpResponse> {
        let cookie = self.sessions.end(&request).await?;
        Ok(cookie.apply(HttpResponse::NoContent().finish()))
    }

    #[get("/me")]
    async fn me(&self, user: CurrentUser<User>) -> String {
        user.email.clone()
    }
}

#[module(
    imports(AuthModule, elif::data::DataModule),
    providers(Repository<User>),
    controllers(Account)
)]
pub struct AppModule;

/// An app with sessions on `store` (`memory` or a Redis URL), its keys
/// under `prefix`, in mode `env`.
fn app(db: &TestDatabase, store: &str, prefix: &str, env: &str, clock: &Arc<TestClock>) -> App {
    let app = App::new()
        .module(AppModule)
        .without_env()
        .migrations(MIGRATIONS)
        .provide::<dyn Principals>(elif_auth::principals::<User>())
        .override_with::<dyn Clock>(clock.clone())
        .config("app.env", env)
        .config("security.allowed_hosts", ["127.0.0.1"])
        .config("database.url", db.url())
        .config("auth.jwt.secrets", [SECRET])
        .config("auth.mechanisms", ["jwt", "session"])
        .config("auth.sessions.key_prefix", prefix);
    if store == "memory" {
        app.config("auth.sessions.store", "memory")
    } else {
        app.config("redis.url", store)
    }
}

fn prefix(name: &str) -> String {
    format!("elif-test:{name}:{}:", std::process::id())
}

fn clock() -> Arc<TestClock> {
    Arc::new(TestClock::at("2026-12-04T12:00:00Z"))
}

/// Inserts a user (once per database) and returns its id.
async fn user(app: &TestApp) -> i64 {
    let users = app.container().get::<Repository<User>>().unwrap();
    if let Some(user) = users.find(1).await.unwrap() {
        return user.id;
    }
    users
        .insert(NewUser {
            email: "alice@example.com".into(),
            active: true,
            role: "member".into(),
        })
        .await
        .unwrap()
        .id
}

/// `POST /login` as user `id` from the app's own page, carrying `cookie`
/// (a previous session) if any.
async fn login(app: &TestApp, id: i64, cookie: Option<&str>) -> TestResponse {
    let mut request = app
        .request(Method::POST, "/login")
        .insert_header(("sec-fetch-site", "same-origin"));
    if let Some(cookie) = cookie {
        request = request.insert_header(("cookie", cookie.to_owned()));
    }
    app.send_json(request, &serde_json::json!({ "id": id }))
        .await
}

/// The `name=value` pair of a response's `Set-Cookie`.
fn cookie_of(response: &TestResponse) -> String {
    let header = response.header("set-cookie").expect("a Set-Cookie header");
    header.split(';').next().unwrap().to_owned()
}

/// `method path` with the session `cookie`, as the app's own page sends it.
async fn with_cookie(app: &TestApp, method: Method, path: &str, cookie: &str) -> TestResponse {
    app.send(
        app.request(method, path)
            .insert_header(("cookie", cookie.to_owned()))
            .insert_header(("sec-fetch-site", "same-origin")),
    )
    .await
}

fn code(response: &TestResponse) -> String {
    response.json::<Value>()["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The lifecycle of a session on `store`.
async fn lifecycle(store: &str, name: &str) {
    let db = TestDatabase::sqlite(name);
    let app = TestApp::start(app(&db, store, &prefix(name), "test", &clock()))
        .await
        .unwrap();
    let id = user(&app).await;

    let first = login(&app, id, None).await;
    assert_eq!(first.status(), 200, "{}", first.text());
    let set_cookie = first.header("set-cookie").unwrap().to_owned();
    for flag in ["Path=/", "HttpOnly", "SameSite=Lax"] {
        assert!(set_cookie.contains(flag), "{flag} in {set_cookie}");
    }
    assert!(
        !set_cookie.contains("Secure"),
        "not over plain HTTP in tests"
    );
    assert!(set_cookie.starts_with("session="), "{set_cookie}");
    assert_eq!(first.header("cache-control"), Some("no-store"));
    let old = cookie_of(&first);
    assert_eq!(
        with_cookie(&app, Method::GET, "/me", &old).await.text(),
        "alice@example.com"
    );

    // Logging in again renews the id; the old one is gone (fixation).
    let second = login(&app, id, Some(&old)).await;
    let new = cookie_of(&second);
    assert_ne!(new, old);
    let stale = with_cookie(&app, Method::GET, "/me", &old).await;
    assert_eq!(
        (stale.status(), code(&stale)),
        (401, "SESSION_INVALID".into())
    );
    assert_eq!(
        with_cookie(&app, Method::GET, "/me", &new).await.status(),
        200
    );

    // Logging out ends it on the server.
    let out = with_cookie(&app, Method::POST, "/logout", &new).await;
    assert_eq!(out.status(), 204);
    assert!(out.header("set-cookie").unwrap().contains("Max-Age=0"));
    let after = with_cookie(&app, Method::GET, "/me", &new).await;
    assert_eq!(
        (after.status(), code(&after)),
        (401, "SESSION_INVALID".into())
    );
    let forged = with_cookie(&app, Method::GET, "/me", "session=forged-id").await;
    assert_eq!(code(&forged), "SESSION_INVALID");
    app.stop().await;
    db.cleanup().await;
}

#[elif::test]
async fn a_session_starts_renews_on_login_and_ends_on_logout_in_memory() {
    lifecycle("memory", "sessions_memory").await;
}

#[elif::test]
async fn a_session_starts_renews_on_login_and_ends_on_logout_on_redis() {
    if let Some(url) = shared_redis() {
        lifecycle(&url, "sessions_redis").await;
    }
}

#[elif::test]
async fn sessions_end_after_the_idle_and_the_absolute_timeout() {
    let db = TestDatabase::sqlite("sessions_timeouts");
    let clock = clock();
    let app = TestApp::start(app(&db, "memory", &prefix("timeouts"), "test", &clock))
        .await
        .unwrap();
    let id = user(&app).await;
    let cookie = cookie_of(&login(&app, id, None).await);
    clock.advance(Duration::from_secs(29 * 60));
    assert_eq!(
        with_cookie(&app, Method::GET, "/me", &cookie)
            .await
            .status(),
        200
    );
    clock.advance(Duration::from_secs(30 * 60 + 20));
    let idle = with_cookie(&app, Method::GET, "/me", &cookie).await;
    assert_eq!(
        (idle.status(), code(&idle)),
        (401, "SESSION_EXPIRED".into())
    );

    // A busy session still ends 12 hours after it began.
    let cookie = cookie_of(&login(&app, id, None).await);
    let started = Instant::now();
    for _ in 0..(12 * 3) {
        clock.advance(Duration::from_secs(20 * 60));
        let busy = with_cookie(&app, Method::GET, "/me", &cookie).await;
        assert_eq!(busy.status(), 200, "within the absolute timeout");
    }
    clock.advance(Duration::from_secs(20));
    let absolute = with_cookie(&app, Method::GET, "/me", &cookie).await;
    assert_eq!(
        (absolute.status(), code(&absolute)),
        (401, "SESSION_EXPIRED".into())
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    app.stop().await;
    db.cleanup().await;
}

#[elif::test]
async fn two_instances_share_sessions_through_redis() {
    let Some(shared_url) = shared_redis() else {
        return;
    };
    let db = TestDatabase::sqlite("sessions_shared");
    let clock = clock();
    let shared = prefix("shared");
    let one = TestApp::start(app(&db, &shared_url, &shared, "test", &clock))
        .await
        .unwrap();
    let two = TestApp::start(app(&db, &shared_url, &shared, "test", &clock))
        .await
        .unwrap();
    let id = user(&one).await;
    let cookie = cookie_of(&login(&one, id, None).await);
    assert_eq!(
        with_cookie(&two, Method::GET, "/me", &cookie).await.text(),
        "alice@example.com",
        "a session started on one instance is valid on the other"
    );
    assert_eq!(
        with_cookie(&two, Method::POST, "/logout", &cookie)
            .await
            .status(),
        204
    );
    let after = with_cookie(&one, Method::GET, "/me", &cookie).await;
    assert_eq!(
        (after.status(), code(&after)),
        (401, "SESSION_INVALID".into()),
        "a logout on one instance is seen by the other"
    );

    // Another app's prefix does not see them.
    let other = TestApp::start(app(&db, &shared_url, &prefix("other"), "test", &clock))
        .await
        .unwrap();
    let cookie = cookie_of(&login(&one, id, None).await);
    assert_eq!(
        code(&with_cookie(&other, Method::GET, "/me", &cookie).await),
        "SESSION_INVALID"
    );
    for app in [one, two, other] {
        app.stop().await;
    }
    db.cleanup().await;
}

#[elif::test]
async fn a_redis_outage_answers_503_quickly_and_sessions_recover_without_a_restart() {
    let Some(mut redis) = TestRedis::start() else {
        return;
    };
    let url = redis.url();
    let db = TestDatabase::sqlite("sessions_outage");
    let app = TestApp::start(app(&db, &url, &prefix("outage"), "test", &clock()))
        .await
        .unwrap();
    let id = user(&app).await;
    let cookie = cookie_of(&login(&app, id, None).await);
    assert_eq!(
        with_cookie(&app, Method::GET, "/me", &cookie)
            .await
            .status(),
        200
    );

    redis.stop();
    let asked = Instant::now();
    let down = with_cookie(&app, Method::GET, "/me", &cookie).await;
    let waited = asked.elapsed();
    assert_eq!(
        (down.status(), code(&down)),
        (503, "SESSION_STORE_UNAVAILABLE".into())
    );
    assert_eq!(down.header("retry-after"), Some("1"));
    assert!(waited < Duration::from_secs(2), "answered in {waited:?}");
    // Bearer tokens do not need the store.
    let jwt = app.container().get::<elif_auth::Jwt>().unwrap();
    let token = jwt.issue(&id.to_string(), elif_auth::NoClaims {}).unwrap();
    let bearer = app
        .send(
            app.request(Method::GET, "/me")
                .insert_header(("authorization", format!("Bearer {token}"))),
        )
        .await;
    assert_eq!(bearer.status(), 200, "JWT routes keep working");

    redis.start_again();
    let deadline = Instant::now() + Duration::from_secs(10);
    let cookie = loop {
        let again = login(&app, id, None).await;
        if again.status() == 200 {
            break cookie_of(&again);
        }
        assert_eq!(again.status(), 503, "{}", again.text());
        assert!(Instant::now() < deadline, "sessions did not recover");
        elif::rt::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        with_cookie(&app, Method::GET, "/me", &cookie)
            .await
            .status(),
        200
    );
    app.stop().await;
    db.cleanup().await;
}

#[elif::test]
async fn production_keeps_sessions_in_redis_unless_told_otherwise_and_hardens_the_cookie() {
    let db = TestDatabase::sqlite("sessions_production");
    let no_redis = App::new()
        .module(AppModule)
        .without_env()
        .provide::<dyn Principals>(elif_auth::principals::<User>())
        .config("app.env", "production")
        .config("security.allowed_hosts", ["127.0.0.1"])
        .config("database.url", db.url())
        .config("auth.jwt.secrets", [SECRET])
        .config("auth.mechanisms", ["jwt", "session"])
        .boot()
        .await
        .map(|_| ())
        .unwrap_err();
    let report = no_redis.boot_report().unwrap().to_string();
    assert!(
        report.contains("sessions in production need Redis") && report.contains("REDIS_URL"),
        "{report}"
    );

    // Production applies no migrations at start: a test-mode boot does.
    let migrated = TestApp::start(app(&db, "memory", &prefix("production"), "test", &clock()))
        .await
        .unwrap();
    let id = user(&migrated).await;
    migrated.stop().await;
    let app = TestApp::start(app(
        &db,
        "memory",
        &prefix("production"),
        "production",
        &clock(),
    ))
    .await
    .unwrap();
    let response = login(&app, id, None).await;
    let set_cookie = response.header("set-cookie").unwrap();
    assert!(set_cookie.starts_with("__Host-session="), "{set_cookie}");
    assert!(set_cookie.contains("; Secure"), "{set_cookie}");
    let cookie = cookie_of(&response);
    assert_eq!(
        with_cookie(&app, Method::GET, "/me", &cookie)
            .await
            .status(),
        200
    );
    app.stop().await;
    db.cleanup().await;
}

#[elif::test]
async fn without_the_session_mechanism_production_needs_no_redis_and_cookies_are_ignored() {
    let db = TestDatabase::sqlite("sessions_off");
    let app = TestApp::start(
        App::new()
            .module(AppModule)
            .without_env()
            .migrations(MIGRATIONS)
            .provide::<dyn Principals>(elif_auth::principals::<User>())
            .config("app.env", "production")
            .config("security.allowed_hosts", ["127.0.0.1"])
            .config("database.url", db.url())
            .config("auth.jwt.secrets", [SECRET]),
    )
    .await
    .unwrap();
    let response = with_cookie(&app, Method::GET, "/me", "session=anything").await;
    assert_eq!(
        (response.status(), code(&response)),
        (401, "AUTH_REQUIRED".into())
    );
    let _ = app.container().get::<Database>();
    app.stop().await;
    db.cleanup().await;
}

#[elif::test]
async fn tests_act_as_a_user_by_session_or_by_token() {
    use elif_auth::Mechanism;
    use elif_auth::testing::ActingAs;
    let db = TestDatabase::sqlite("sessions_acting");
    let app = TestApp::start(app(&db, "memory", &prefix("acting"), "test", &clock()))
        .await
        .unwrap();
    let id = user(&app).await;
    let alice = app
        .container()
        .get::<Repository<User>>()
        .unwrap()
        .find_or_fail(id)
        .await
        .unwrap();
    let by_session = app.acting_as_with(&alice, Mechanism::Session).await;
    assert!(
        by_session.token().starts_with("session="),
        "{}",
        by_session.token()
    );
    assert_eq!(by_session.get("/me").await.text(), "alice@example.com");
    assert_eq!(
        app.send(by_session.request(Method::POST, "/logout"))
            .await
            .status(),
        204,
        "acting as the app's pages: with the XSRF token"
    );
    let first = app.acting_as(&alice).await;
    assert!(
        first.token().starts_with("ey"),
        "jwt comes first in [auth] mechanisms"
    );
    assert_eq!(first.get("/me").await.text(), "alice@example.com");
    app.stop().await;
    db.cleanup().await;
}

/// Sends `request` with `headers` added.
async fn send_with(
    app: &TestApp,
    mut request: TestRequest,
    headers: &[(&'static str, &str)],
) -> TestResponse {
    for (name, value) in headers {
        request = request.insert_header((*name, value.to_string()));
    }
    app.send(request).await
}

#[elif::test]
async fn csrf_is_decided_by_the_mechanism_that_authenticated() {
    use elif_auth::Mechanism;
    use elif_auth::testing::ActingAs;
    let db = TestDatabase::sqlite("sessions_csrf");
    let app = TestApp::start(
        app(&db, "memory", &prefix("csrf"), "test", &clock())
            .config("security.cors.allowed_origins", ["https://app.example.com"])
            .config("security.cors.allow_credentials", true),
    )
    .await
    .unwrap();
    let id = user(&app).await;
    let signed_in = login(&app, id, None).await;
    let cookies: Vec<String> = signed_in
        .header_all("set-cookie")
        .map(|c| c.split(';').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        cookies.len(),
        2,
        "the session and the XSRF token: {cookies:?}"
    );
    let session = cookies[0].clone();
    let xsrf = cookies[1]
        .strip_prefix("XSRF-TOKEN=")
        .expect("the token's cookie")
        .to_owned();
    let xsrf_cookie = signed_in
        .header_all("set-cookie")
        .nth(1)
        .unwrap()
        .to_owned();
    assert!(
        !xsrf_cookie.contains("HttpOnly"),
        "pages read it: {xsrf_cookie}"
    );
    let both = format!("{session}; XSRF-TOKEN={xsrf}");
    let logout = || app.request(Method::POST, "/logout");

    // Refused: no proof, a foreign page, a token that is not the cookie's
    // or not this session's.
    let other = elif_auth::csrf::token_for("another-session");
    let other_cookie = format!("{session}; XSRF-TOKEN={other}");
    for (what, headers) in [
        ("no proof", vec![("cookie", session.as_str())]),
        (
            "a foreign page",
            vec![
                ("cookie", session.as_str()),
                ("origin", "https://evil.test"),
                ("sec-fetch-site", "cross-site"),
            ],
        ),
        (
            "a sibling site",
            vec![
                ("cookie", session.as_str()),
                ("sec-fetch-site", "same-site"),
            ],
        ),
        (
            "the token without its cookie",
            vec![
                ("cookie", session.as_str()),
                ("x-xsrf-token", xsrf.as_str()),
            ],
        ),
        (
            "a token of another session",
            vec![
                ("cookie", other_cookie.as_str()),
                ("x-xsrf-token", other.as_str()),
            ],
        ),
        (
            "a header unlike the cookie",
            vec![("cookie", both.as_str()), ("x-xsrf-token", other.as_str())],
        ),
    ] {
        let refused = send_with(&app, logout(), &headers).await;
        assert_eq!(
            (refused.status(), code(&refused)),
            (403, "CSRF_REFUSED".into()),
            "{what}"
        );
    }
    assert_eq!(
        with_cookie(&app, Method::GET, "/me", &session)
            .await
            .status(),
        200,
        "reads need no proof"
    );

    // Accepted: the token, an allowed origin, the app's own origin.
    let host = app.addr().to_string();
    let own = format!("http://{host}");
    for (what, headers) in [
        (
            "an allowed origin",
            vec![
                ("cookie", session.as_str()),
                ("origin", "https://app.example.com"),
                ("sec-fetch-site", "cross-site"),
            ],
        ),
        (
            "the app's own origin",
            vec![("cookie", session.as_str()), ("origin", own.as_str())],
        ),
    ] {
        // A route that changes nothing would do; logout ends the session,
        // so each case starts one.
        let fresh = cookie_of(&login(&app, id, None).await);
        let headers: Vec<(&'static str, &str)> = headers
            .into_iter()
            .map(|(name, value)| {
                if name == "cookie" {
                    (name, fresh.as_str())
                } else {
                    (name, value)
                }
            })
            .collect();
        let accepted = send_with(&app, logout(), &headers).await;
        assert_eq!(accepted.status(), 204, "{what}: {}", accepted.text());
    }
    let with_token = send_with(
        &app,
        logout(),
        &[("cookie", both.as_str()), ("x-xsrf-token", xsrf.as_str())],
    )
    .await;
    assert_eq!(with_token.status(), 204, "the token: {}", with_token.text());

    // The token from the endpoint, for pages that cannot read the cookie.
    let fresh = cookie_of(&login(&app, id, None).await);
    let asked = with_cookie(&app, Method::GET, "/auth/csrf", &fresh).await;
    assert_eq!(asked.status(), 200, "{}", asked.text());
    let token = asked.json::<Value>()["token"].as_str().unwrap().to_owned();
    assert!(
        asked
            .header("set-cookie")
            .unwrap()
            .starts_with(&format!("XSRF-TOKEN={token}"))
    );
    let with_fetched = send_with(
        &app,
        logout(),
        &[
            ("cookie", &format!("{fresh}; XSRF-TOKEN={token}")),
            ("x-xsrf-token", &token),
        ],
    )
    .await;
    assert_eq!(with_fetched.status(), 204, "{}", with_fetched.text());

    // Login CSRF: a foreign page's form post is refused; a client that is
    // no browser, and the app's own page, log in.
    let foreign = send_with(
        &app,
        app.request(Method::POST, "/login"),
        &[
            ("origin", "https://evil.test"),
            ("content-type", "application/json"),
        ],
    )
    .await;
    assert_eq!(
        (foreign.status(), code(&foreign)),
        (403, "CSRF_CROSS_SITE".into())
    );
    let script = app
        .post_json("/login", &serde_json::json!({ "id": id }))
        .await;
    assert_eq!(
        script.status(),
        200,
        "no browser headers: {}",
        script.text()
    );

    // Tokens in headers are not affected.
    let alice = app
        .container()
        .get::<Repository<User>>()
        .unwrap()
        .find_or_fail(id)
        .await
        .unwrap();
    let by_jwt = app.acting_as_with(&alice, Mechanism::Jwt).await;
    let jwt = send_with(
        &app,
        by_jwt.request(Method::POST, "/logout"),
        &[("origin", "https://evil.test")],
    )
    .await;
    assert_eq!(jwt.status(), 204, "a JWT is no cookie: {}", jwt.text());
    let no_session = by_jwt.get("/auth/csrf").await;
    assert_eq!(
        (no_session.status(), code(&no_session)),
        (401, "CSRF_NO_SESSION".into())
    );
    app.stop().await;
    db.cleanup().await;
}
