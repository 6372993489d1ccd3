//! Rate limits through real requests: `#[throttle]` on routes and
//! controllers, keys by address, user, token and function, the app-wide
//! limit and `off`; 429 with `Retry-After` and the draft's `RateLimit`
//! fields; the clock moving the window; two instances sharing one limit in
//! Redis; Redis stopped (a bounded answer by policy) and back.

#![allow(missing_docs, clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use elif::http::{AuthenticatedBy, HttpRequest, Method};
use elif::prelude::*;
use elif::testing::{TestApp, TestRedis, TestResponse, shared_redis};
use elif::time::{Clock, TestClock};
use serde_json::{Value, json};

/// Authenticates `Authorization: Bearer <user>[.<token>]`; anonymous
/// requests pass.
#[guard]
pub struct Who;

impl Guard for Who {
    const AUTHENTICATES: bool = true;

    async fn check(&self, cx: &RequestContext<'_>) -> elif::Result<()> {
        if let Some(credential) = cx.bearer_token() {
            let (subject, token) = match credential.split_once('.') {
                Some((subject, token)) => (subject, Some(token.to_owned())),
                None => (credential, None),
            };
            cx.insert(AuthenticatedBy {
                mechanism: "test",
                subject: subject.to_owned(),
                token,
            });
        }
        Ok(())
    }
}

fn tenant(request: &HttpRequest) -> Option<String> {
    request
        .headers()
        .get("x-tenant")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[injectable]
pub struct LimitedController;

#[controller("/", guards(Who), public)]
impl LimitedController {
    #[get("/hit")]
    #[throttle(limit = 3, per = "1m")]
    async fn hit(&self) -> &'static str {
        "hit"
    }

    #[get("/mine")]
    #[throttle(limit = 1, per = "1h", key = "user")]
    async fn mine(&self) -> &'static str {
        "mine"
    }

    #[get("/scripted")]
    #[throttle(limit = 1, per = 60, key = "token")]
    async fn scripted(&self) -> &'static str {
        "scripted"
    }

    #[get("/tenant")]
    #[throttle(limit = 1, per = "1m", key = tenant, name = "tenants")]
    async fn by_tenant(&self) -> &'static str {
        "tenant"
    }

    #[get("/open")]
    async fn open(&self) -> &'static str {
        "open"
    }

    #[get("/free")]
    #[throttle(off)]
    async fn free(&self) -> &'static str {
        "free"
    }
}

#[injectable]
pub struct SharedController;

/// One limit its two routes share.
#[throttle(limit = 2, per = "1m", burst = 2)]
#[controller("/shared", public)]
impl SharedController {
    #[get("/a")]
    async fn a(&self) -> &'static str {
        "a"
    }

    #[get("/b")]
    async fn b(&self) -> &'static str {
        "b"
    }
}

#[module(controllers(LimitedController, SharedController))]
pub struct LimitedModule;

fn limited(clock: &Arc<TestClock>) -> App {
    App::new()
        .module(LimitedModule)
        .without_env()
        .override_with::<dyn Clock>(clock.clone())
        .config("rate_limit.store", "memory")
}

fn clock() -> Arc<TestClock> {
    Arc::new(TestClock::at("2026-12-04T12:00:00Z"))
}

async fn get_as(app: &TestApp, path: &str, headers: &[(&'static str, &str)]) -> TestResponse {
    let mut request = app.request(Method::GET, path);
    for (name, value) in headers {
        request = request.insert_header((*name, value.to_string()));
    }
    app.send(request).await
}

fn assert_limited(response: &TestResponse, retry_after: &str, policy: &str) {
    assert_eq!(response.status(), 429, "{}", response.text());
    let problem: Value = response.json();
    assert_eq!(problem["code"], "RATE_LIMITED");
    assert_eq!(response.header("retry-after"), Some(retry_after));
    for name in ["retry-after", "ratelimit", "ratelimit-policy"] {
        assert_eq!(response.header_all(name).count(), 1, "{name} once");
    }
    assert_eq!(response.header("ratelimit-policy"), Some(policy));
    assert!(
        response.header("ratelimit").unwrap().contains(";r=0;"),
        "{:?}",
        response.header("ratelimit")
    );
    assert_eq!(
        response.header("x-content-type-options"),
        Some("nosniff"),
        "a 429 is hardened too"
    );
}

#[elif::test]
async fn a_route_limit_answers_429_with_the_draft_fields_until_the_window_moves() {
    let clock = clock();
    let app = TestApp::start(limited(&clock)).await.unwrap();
    for remaining in [2, 1, 0] {
        let ok = app.get("/hit").await;
        assert_eq!(ok.status(), 200);
        assert_eq!(
            ok.header("ratelimit"),
            Some(format!("\"hit\";r={remaining};t={}", 20 * (3 - remaining)).as_str())
        );
        assert_eq!(ok.header("ratelimit-policy"), Some("\"hit\";q=3;w=60"));
    }
    assert_limited(&app.get("/hit").await, "20", "\"hit\";q=3;w=60");
    clock.advance(Duration::from_secs(20));
    assert_eq!(
        app.get("/hit").await.status(),
        200,
        "one more after an interval"
    );
    assert_eq!(app.get("/hit").await.status(), 429);
    clock.advance(Duration::from_secs(60));
    assert_eq!(
        app.get("/hit").await.header("ratelimit"),
        Some("\"hit\";r=2;t=20")
    );
}

#[elif::test]
async fn limits_count_per_user_per_token_and_per_custom_key() {
    let clock = clock();
    let app = TestApp::start(limited(&clock)).await.unwrap();
    let ada = [("authorization", "Bearer ada")];
    let bob = [("authorization", "Bearer bob")];
    assert_eq!(get_as(&app, "/mine", &ada).await.status(), 200);
    assert_eq!(get_as(&app, "/mine", &ada).await.status(), 429);
    assert_eq!(
        get_as(&app, "/mine", &bob).await.status(),
        200,
        "each user has a limit"
    );
    assert_eq!(
        app.get("/mine").await.status(),
        200,
        "anonymous: by address"
    );
    assert_eq!(app.get("/mine").await.status(), 429);

    let first = [("authorization", "Bearer ada.t1")];
    let second = [("authorization", "Bearer ada.t2")];
    assert_eq!(get_as(&app, "/scripted", &first).await.status(), 200);
    assert_eq!(get_as(&app, "/scripted", &first).await.status(), 429);
    assert_eq!(
        get_as(&app, "/scripted", &second).await.status(),
        200,
        "each token has a limit"
    );

    let acme = [("x-tenant", "acme")];
    assert_eq!(get_as(&app, "/tenant", &acme).await.status(), 200);
    let again = get_as(&app, "/tenant", &acme).await;
    assert_limited(&again, "60", "\"tenants\";q=1;w=60");
    assert_eq!(
        get_as(&app, "/tenant", &[("x-tenant", "globex")])
            .await
            .status(),
        200
    );
}

#[elif::test]
async fn routes_share_their_controller_limit_and_the_app_limit_covers_the_rest() {
    let clock = clock();
    let app = TestApp::start(limited(&clock).config("rate_limit.limit", 2))
        .await
        .unwrap();
    assert_eq!(app.get("/shared/a").await.status(), 200);
    assert_eq!(app.get("/shared/b").await.status(), 200);
    let third = app.get("/shared/a").await;
    assert_limited(&third, "30", "\"SharedController\";q=2;w=60");

    let open = app.get("/open").await;
    assert_eq!(open.status(), 200);
    assert_eq!(
        open.header("ratelimit"),
        None,
        "the app-wide limit sends its fields on 429s only"
    );
    assert_eq!(app.get("/open").await.status(), 200);
    assert_limited(&app.get("/open").await, "30", "\"default\";q=2;w=60");
    for _ in 0..5 {
        assert_eq!(app.get("/free").await.status(), 200, "#[throttle(off)]");
    }
    app.stop().await;

    let unlimited = TestApp::start(limited(&clock).config("rate_limit.limit", 0))
        .await
        .unwrap();
    for _ in 0..5 {
        assert_eq!(unlimited.get("/open").await.status(), 200, "limit = 0: off");
    }
    let routes = unlimited.booted().routes().to_vec();
    let shown = |handler: &str| {
        routes
            .iter()
            .find(|r| r.handler.ends_with(handler))
            .map(|r| r.throttle.describe())
            .unwrap()
    };
    assert_eq!(shown("::hit"), "hit: 3/60s (burst 3) by ip");
    assert_eq!(shown("::mine"), "mine: 1/3600s (burst 1) by user");
    assert_eq!(shown("::free"), "off");
    assert_eq!(shown("::open"), "default");
    let map = serde_json::to_value(unlimited.booted().map().as_ref()).unwrap();
    let tenant = map["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"] == "/tenant")
        .unwrap();
    assert_eq!(tenant["throttle"], "tenants: 1/60s (burst 1) by custom key");
}

fn redis_app(clock: &Arc<TestClock>, url: &str, prefix: &str) -> App {
    App::new()
        .module(LimitedModule)
        .without_env()
        .override_with::<dyn Clock>(clock.clone())
        .config("redis.url", url)
        .config("rate_limit.key_prefix", prefix)
}

#[elif::test]
async fn two_instances_sharing_redis_hit_one_limit_together() {
    let Some(url) = shared_redis() else {
        return;
    };
    let clock = clock();
    let prefix = format!(
        "elif-test:throttle:{}:{:?}:",
        std::process::id(),
        Instant::now()
    );
    let one = TestApp::start(redis_app(&clock, &url, &prefix))
        .await
        .unwrap();
    let two = TestApp::start(redis_app(&clock, &url, &prefix))
        .await
        .unwrap();
    assert_eq!(one.get("/hit").await.status(), 200);
    assert_eq!(two.get("/hit").await.status(), 200);
    let third = one.get("/hit").await;
    assert_eq!(third.header("ratelimit"), Some("\"hit\";r=0;t=60"));
    assert_limited(&two.get("/hit").await, "20", "\"hit\";q=3;w=60");
    assert_limited(&one.get("/hit").await, "20", "\"hit\";q=3;w=60");
    clock.advance(Duration::from_secs(20));
    assert_eq!(
        two.get("/hit").await.status(),
        200,
        "the shared window moved"
    );
    let other = TestApp::start(redis_app(&clock, &url, &format!("{prefix}other:")))
        .await
        .unwrap();
    assert_eq!(
        other.get("/hit").await.status(),
        200,
        "another prefix, another limit"
    );
}

#[elif::test]
async fn a_redis_outage_answers_by_policy_within_the_timeout_then_limits_recover() {
    let Some(mut redis) = TestRedis::start() else {
        return;
    };
    let clock = clock();
    let open = TestApp::start(redis_app(&clock, &redis.url(), "open:"))
        .await
        .unwrap();
    let closed = TestApp::start(
        redis_app(&clock, &redis.url(), "closed:").config("rate_limit.on_store_failure", "closed"),
    )
    .await
    .unwrap();
    assert_eq!(open.get("/hit").await.status(), 200);
    assert_eq!(closed.get("/hit").await.status(), 200);

    redis.stop();
    for _ in 0..3 {
        let started = Instant::now();
        let passed = open.get("/hit").await;
        assert_eq!(passed.status(), 200, "fail open: {}", passed.text());
        assert_eq!(
            passed.header("ratelimit"),
            None,
            "no fields without the store"
        );
        let refused = closed.get("/hit").await;
        assert_eq!(refused.status(), 503, "fail closed: {}", refused.text());
        assert_eq!(refused.json::<Value>()["code"], "RATE_LIMIT_UNAVAILABLE");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "bounded: {:?}",
            started.elapsed()
        );
    }

    redis.start_again();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let response = closed.get("/hit").await;
        if response.status() == 200 {
            assert!(response.header("ratelimit").is_some(), "counting again");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the limit did not recover: {}",
            response.text()
        );
        elif::rt::time::sleep(Duration::from_millis(200)).await;
    }
}

#[elif::test]
async fn bad_rate_limit_config_is_reported_at_boot() {
    let report = App::new()
        .module(LimitedModule)
        .without_env()
        .config("rate_limit.store", "disk")
        .config("rate_limit.window_secs", 0)
        .check()
        .to_string();
    assert!(
        report.contains("`disk` is not a store") && report.contains("rate_limit.window_secs"),
        "{report}"
    );
    let no_redis = App::new()
        .module(LimitedModule)
        .without_env()
        .config("rate_limit.store", "redis")
        .boot()
        .await
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(no_redis.contains("REDIS_URL"), "{no_redis}");
    let _ = json!(null);
}

#[elif::test]
async fn the_app_wide_limit_stays_in_each_instance_unless_shared() {
    let Some(url) = shared_redis() else {
        return;
    };
    let clock = clock();
    let prefix = format!(
        "elif-test:default:{}:{:?}:",
        std::process::id(),
        Instant::now()
    );
    let instance = |shared: bool| {
        redis_app(&clock, &url, &prefix)
            .config("rate_limit.limit", 2)
            .config("rate_limit.share_default", shared)
    };
    let one = TestApp::start(instance(false)).await.unwrap();
    let two = TestApp::start(instance(false)).await.unwrap();
    for _ in 0..2 {
        assert_eq!(one.get("/open").await.status(), 200);
    }
    assert_eq!(one.get("/open").await.status(), 429);
    assert_eq!(
        two.get("/open").await.status(),
        200,
        "its own memory: no Redis round trip"
    );
    one.stop().await;
    two.stop().await;

    let one = TestApp::start(instance(true)).await.unwrap();
    let two = TestApp::start(instance(true)).await.unwrap();
    assert_eq!(one.get("/open").await.status(), 200);
    assert_eq!(two.get("/open").await.status(), 200);
    assert_eq!(one.get("/open").await.status(), 429, "shared through Redis");
}
