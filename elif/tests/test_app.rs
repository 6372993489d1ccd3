//! The in-process test app: real HTTP on an ephemeral port, overrides,
//! config, readiness, and many apps in parallel.

#![allow(missing_docs, clippy::unwrap_used)]

use elif::http::{HttpResponse, web};
use elif::prelude::*;
use elif::testing::TestApp;

pub trait Clock: Send + Sync {
    fn now(&self) -> u64;
}

#[injectable(provides = dyn Clock)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> u64 {
        1_700_000_000
    }
}

#[derive(Config)]
pub struct GreetingConfig {
    #[config(default = "Hello")]
    pub word: String,
}

#[injectable]
pub struct Greeter {
    config: Config<GreetingConfig>,
    clock: Inject<dyn Clock>,
}

#[injectable]
pub struct GreetController {
    greeter: Inject<Greeter>,
}

impl Controller for GreetController {
    fn routes(self: Arc<Self>, routes: &mut Routes) {
        let this = self.clone();
        routes.get("/greet/{name}", move |name: web::Path<String>| {
            let greeting = format!("{}, {}!", this.greeter.config.word, name.into_inner());
            let at = this.greeter.clock.now();
            async move { HttpResponse::Ok().json(serde_json::json!({ "greeting": greeting, "at": at })) }
        });
        routes.post("/greet/{name}", |name: web::Path<String>| async move {
            Err::<HttpResponse, _>(Error::new(
                403,
                "GREETING_FORBIDDEN",
                format!("{} may not be greeted", name.into_inner()),
            ))
        });
    }
}

static CARTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[injectable(scope = "request")]
pub struct Cart {
    #[inject(default)]
    number: CartNumber,
    clock: Inject<dyn Clock>,
}

#[derive(Debug)]
pub struct CartNumber(usize);

impl Default for CartNumber {
    fn default() -> Self {
        Self(CARTS.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
    }
}

#[injectable]
pub struct CartController;

impl Controller for CartController {
    fn routes(self: Arc<Self>, routes: &mut Routes) {
        routes.get(
            "/cart",
            |a: Scoped<Cart>, b: Scoped<Cart>, greeter: Scoped<Greeter>| async move {
                HttpResponse::Ok().json(serde_json::json!({
                "a": a.number.0, "b": b.number.0, "at": a.clock.now(), "word": greeter.config.word,
            }))
            },
        );
    }
}

#[module(
    providers(SystemClock, Greeter, Cart),
    controllers(GreetController, CartController)
)]
pub struct GreetModule;

struct FrozenClock(u64);

impl Clock for FrozenClock {
    fn now(&self) -> u64 {
        self.0
    }
}

fn app() -> App {
    App::new().module(GreetModule).without_env()
}

#[elif::test]
async fn serves_controllers_with_injected_services() {
    let app = TestApp::start(app()).await.unwrap();
    let response = app.get("/greet/ada").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json();
    assert_eq!(
        body,
        serde_json::json!({ "greeting": "Hello, ada!", "at": 1_700_000_000 })
    );
    assert_eq!(app.booted().app_config().env, Environment::Test);
    app.stop().await;
}

#[elif::test]
async fn overrides_and_config_apply_per_app() {
    let app = TestApp::start(
        app()
            .config("greeting.word", "Hi")
            .override_with::<dyn Clock>(Arc::new(FrozenClock(42))),
    )
    .await
    .unwrap();
    let body: serde_json::Value = app.get("/greet/bob").await.json();
    assert_eq!(
        body,
        serde_json::json!({ "greeting": "Hi, bob!", "at": 42 })
    );
}

#[elif::test]
async fn errors_are_problem_json_and_wrong_methods_get_405_with_allow() {
    let app = TestApp::start(app()).await.unwrap();
    let forbidden = app.post_json("/greet/eve", &serde_json::json!({})).await;
    assert_eq!(forbidden.status(), 403);
    assert_eq!(
        forbidden.header("content-type"),
        Some("application/problem+json")
    );
    let problem: serde_json::Value = forbidden.json();
    assert_eq!(problem["code"], "GREETING_FORBIDDEN");
    assert_eq!(problem["detail"], "eve may not be greeted");
    let wrong = app
        .send(app.request(elif::http::Method::DELETE, "/greet/eve"))
        .await;
    assert_eq!(wrong.status(), 405);
    assert_eq!(wrong.header("allow"), Some("GET, POST, HEAD"));
    assert_eq!(
        wrong.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(
        wrong.json::<serde_json::Value>()["code"],
        "METHOD_NOT_ALLOWED"
    );
    let missing = app.get("/nowhere").await;
    assert_eq!(missing.status(), 404);
    let problem: serde_json::Value = missing.json();
    assert_eq!(problem["code"], "ROUTE_NOT_FOUND");
    assert_eq!(problem["type"], "https://elif.rs/errors/EL3001");
    assert_eq!(
        problem["request_id"].as_str(),
        missing.header("x-request-id")
    );
}

#[elif::test]
async fn request_scoped_services_reach_handlers_through_scoped() {
    let app = TestApp::start(app()).await.unwrap();
    let first: serde_json::Value = app.get("/cart").await.json();
    let second: serde_json::Value = app.get("/cart").await.json();
    assert_eq!(first["a"], first["b"], "one Cart per request: {first}");
    assert_ne!(first["a"], second["a"], "a new Cart for the next request");
    assert_eq!(first["at"], 1_700_000_000);
    assert_eq!(first["word"], "Hello");
}

#[elif::test]
async fn health_and_readiness() {
    let app = TestApp::start(app()).await.unwrap();
    assert_eq!(
        app.get("/health").await.json::<serde_json::Value>()["status"],
        "ok"
    );
    assert_eq!(app.get("/ready").await.status(), 200);
    app.booted().lifecycle().begin_drain();
    let draining = app.get("/ready").await;
    assert_eq!(draining.status(), 503);
    assert_eq!(draining.json::<serde_json::Value>()["status"], "draining");
    assert_eq!(
        app.get("/health").await.status(),
        200,
        "liveness does not change while draining"
    );
}

#[elif::test]
async fn many_apps_run_side_by_side() {
    let mut apps = Vec::new();
    for i in 0..4u64 {
        apps.push(
            TestApp::start(app().override_with::<dyn Clock>(Arc::new(FrozenClock(i))))
                .await
                .unwrap(),
        );
    }
    for (i, app) in apps.iter().enumerate() {
        let body: serde_json::Value = app.get("/greet/x").await.json();
        assert_eq!(body["at"], i as u64);
    }
    let ports: std::collections::HashSet<u16> = apps.iter().map(|a| a.addr().port()).collect();
    assert_eq!(ports.len(), 4);
    for app in apps {
        app.stop().await;
    }
}
