//! The app as data: `App::map` from the real registry, and the
//! `/_elif/*` endpoints in development, test and production.

#![allow(missing_docs, clippy::unwrap_used)]

use elif::prelude::*;
use elif::testing::TestApp;
use serde_json::Value;

#[injectable]
pub struct Clock;

#[guard]
pub struct Staff;

impl Guard for Staff {
    const AUTHENTICATES: bool = true;

    async fn check(&self, cx: &RequestContext<'_>) -> elif::Result<()> {
        match cx.bearer_token() {
            Some("staff") => Ok(()),
            _ => Err(Error::new(401, "STAFF_ONLY", "staff only").with_hint("send the staff token")),
        }
    }
}

#[injectable]
pub struct Catalogue {
    _clock: Inject<Clock>,
}

#[controller("/")]
impl Catalogue {
    #[get("/items/{id}")]
    #[public]
    async fn show(&self, id: u64) -> String {
        format!("item {id}")
    }

    #[post("/items", guards(Staff))]
    async fn create(&self, body: Json<Value>) -> Json<Value> {
        body
    }

    /// A route that would answer `/_elif/map.json` if nothing answered it first.
    #[get("/{a}/{b}")]
    #[public]
    async fn pair(&self, a: String, b: String) -> String {
        format!("{a}/{b}")
    }
}

#[module(providers(Clock, Staff), controllers(Catalogue))]
pub struct ShopModule;

fn app(env: &str) -> App {
    App::new()
        .module(ShopModule)
        .config("app.env", env)
        .config("security.allowed_hosts", ["127.0.0.1"])
}

#[test]
fn the_map_describes_modules_components_routes_and_config() {
    let map = serde_json::to_value(app("development").map()).unwrap();
    assert_eq!(map["format"], "elif.map");
    assert_eq!(map["version"], 1);
    assert_eq!(map["app"]["env"], "development");
    assert_eq!(map["modules"][0]["name"], "ShopModule");
    assert_eq!(
        map["modules"][0]["controllers"],
        serde_json::json!(["Catalogue"])
    );
    let components = map["components"].as_array().unwrap();
    let catalogue = components
        .iter()
        .find(|c| c["name"] == "Catalogue")
        .unwrap();
    assert_eq!(catalogue["kind"], "controller");
    assert_eq!(catalogue["scope"], "singleton");
    assert_eq!(catalogue["module"], "ShopModule");
    assert_eq!(catalogue["dependencies"][0]["field"], "_clock");
    assert_eq!(catalogue["dependencies"][0]["rust_type"], "Clock");
    assert!(
        catalogue["location"]["file"]
            .as_str()
            .unwrap()
            .ends_with("inspection.rs")
    );
    let staff = components.iter().find(|c| c["name"] == "Staff").unwrap();
    assert_eq!(staff["kind"], "guard");

    let routes = map["routes"].as_array().unwrap();
    assert_eq!(routes.len(), 3);
    let show = &routes[0];
    assert_eq!(show["method"], "GET");
    assert_eq!(show["path"], "/items/{id}");
    assert_eq!(show["handler"], "Catalogue::show");
    assert_eq!(show["params"][0]["name"], "id");
    assert_eq!(show["params"][0]["schema"]["type"], "integer");
    assert_eq!(show["response"]["rust_type"], "String");
    let create = &routes[1];
    assert_eq!(create["guards"], serde_json::json!(["Staff"]));
    assert_eq!(
        create["authentication"],
        serde_json::json!({"mode": "required", "guards": ["Staff"]})
    );
    assert_eq!(
        show["authentication"],
        serde_json::json!({"mode": "public", "guards": []})
    );
    assert_eq!(create["body"]["rust_type"], "Json<Value>");
    assert!(
        !routes
            .iter()
            .any(|r| r["path"].as_str().unwrap().starts_with("/_elif")),
        "the framework's own routes are not listed"
    );

    let config = map["config"].as_array().unwrap();
    let env = config.iter().find(|c| c["key"] == "app.env").unwrap();
    assert_eq!(env["value"], "development");
    assert_eq!(env["origin"]["kind"], "code");
    let port = config.iter().find(|c| c["key"] == "server.port").unwrap();
    assert_eq!(port["origin"]["kind"], "default");
    assert_eq!(map["diagnostics"], serde_json::json!([]));
}

#[test]
fn the_map_of_a_broken_app_still_lists_what_is_declared_and_every_problem() {
    #[module(controllers(Catalogue))]
    pub struct Broken;
    let map = App::new().module(Broken).map();
    assert_eq!(map.routes.len(), 3);
    let codes: Vec<&str> = map.diagnostics.iter().map(|d| d.code()).collect();
    assert!(codes.contains(&"EL1001"), "{codes:?}");
    let json = serde_json::to_value(&map.diagnostics[0]).unwrap();
    for member in ["code", "severity", "title", "message", "hint", "location"] {
        assert!(json.get(member).is_some(), "{member} missing in {json}");
    }
}

#[test]
fn secrets_are_redacted_in_the_map() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    pub struct Upstream {
        pub host: String,
        pub password: Secret<String>,
    }
    #[derive(Debug, Config)]
    #[config(section = "vault")]
    #[allow(dead_code)]
    pub struct VaultConfig {
        #[config(secret)]
        pub token: Secret<String>,
        pub spares: Vec<Secret<String>>,
        pub upstream: Upstream,
    }
    #[injectable]
    pub struct Vault {
        _config: Config<VaultConfig>,
    }
    #[module(providers(Vault))]
    pub struct VaultModule;
    let map = App::new()
        .module(VaultModule)
        .without_env()
        .config("vault.token", "hunter2")
        .config("vault.spares", ["swordfish"])
        .config(
            "vault.upstream",
            serde_json::json!({ "host": "db", "password": "letmein" }),
        )
        .map();
    let json = serde_json::to_string(&map).unwrap();
    for secret in ["hunter2", "swordfish", "letmein"] {
        assert!(!json.contains(secret), "{secret} leaked: {json}");
    }
    let value = |key: &str| {
        map.config
            .iter()
            .find(|c| c.key == key)
            .unwrap()
            .value
            .clone()
    };
    assert_eq!(value("vault.token"), Some(Value::from("[redacted]")));
    assert_eq!(
        value("vault.spares"),
        Some(Value::from("[redacted]")),
        "a Vec of secrets"
    );
    assert_eq!(
        value("vault.upstream"),
        Some(Value::from("[table]")),
        "a struct may hold one"
    );
    assert!(map.diagnostics.is_empty(), "{:?}", map.diagnostics);
}

#[test]
fn config_sections_are_listed_once_even_when_a_provider_reads_a_built_in_one() {
    #[injectable]
    pub struct Banner {
        _server: Config<elif::config::ServerConfig>,
    }
    #[module(providers(Banner))]
    pub struct BannerModule;
    let map = App::new().module(BannerModule).without_env().map();
    let ports = map.config.iter().filter(|c| c.key == "server.port").count();
    assert_eq!(ports, 1);
    assert!(map.diagnostics.is_empty(), "{:?}", map.diagnostics);
}

#[elif::test]
async fn development_serves_the_map_and_shadows_app_routes_under_elif() {
    let app = TestApp::start(app("development")).await.unwrap();
    let response = app.get("/_elif/map.json").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    let map: Value = response.json();
    assert_eq!(map["format"], "elif.map");
    assert_eq!(map["routes"].as_array().unwrap().len(), 3);
    // Nothing else under /_elif, and no app route (`/{a}/{b}`) answers there.
    let other = app.get("/_elif/nothing").await;
    assert_eq!(other.status(), 404);
    assert_eq!(other.json::<Value>()["code"], "ROUTE_NOT_FOUND");
    assert_eq!(app.get("/a/b").await.text(), "a/b");
    app.stop().await;
}

/// `server.host` is the address the app would bind; a `TestApp` listens on
/// 127.0.0.1 whatever it says, and runs in `test` mode unless told otherwise.
#[elif::test]
async fn beyond_loopback_the_map_is_served_only_in_development_set_explicitly() {
    let exposed = App::new()
        .module(ShopModule)
        .without_env()
        .config("server.host", "0.0.0.0");
    let chosen = app("development").config("server.host", "0.0.0.0");
    let test_mode = TestApp::start(exposed).await.unwrap();
    assert_eq!(test_mode.get("/_elif/map.json").await.status(), 404);
    test_mode.stop().await;
    let development = TestApp::start(chosen).await.unwrap();
    assert_eq!(development.get("/_elif/map.json").await.status(), 200);
    development.stop().await;
}

#[elif::test]
async fn production_hides_every_elif_path_but_keeps_health_and_readiness() {
    let app = TestApp::start(app("production")).await.unwrap();
    for path in ["/_elif/map.json", "/_elif/", "/_elif/anything/else"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(
            response.header("content-type"),
            Some("application/problem+json"),
            "{path}"
        );
    }
    assert_eq!(app.get("/health").await.status(), 200);
    assert_eq!(app.get("/ready").await.status(), 200);
    app.stop().await;
}

#[elif::test]
async fn production_serves_the_map_behind_the_opted_in_guard() {
    let app = TestApp::start(app("production").inspection_guard::<Staff>())
        .await
        .unwrap();
    let denied = app.get("/_elif/map.json").await;
    assert_eq!(denied.status(), 401);
    assert_eq!(denied.json::<Value>()["code"], "STAFF_ONLY");
    let allowed = app
        .send(
            app.request(elif::http::Method::GET, "/_elif/map.json")
                .insert_header(("authorization", "Bearer staff")),
        )
        .await;
    assert_eq!(allowed.status(), 200);
    assert_eq!(allowed.json::<Value>()["app"]["env"], "production");
    app.stop().await;
}

static BUILT_OR_INITIALISED: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Records being built or initialised: `check` and `map` must do neither.
#[injectable(on_init)]
pub struct Warmup;

impl OnInit for Warmup {
    async fn on_init(&self) -> elif::Result<()> {
        BUILT_OR_INITIALISED.store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }
}

/// Records being called: `check` and `map` must not build anything.
#[factory]
async fn counter() -> elif::Result<Counter> {
    BUILT_OR_INITIALISED.store(true, std::sync::atomic::Ordering::SeqCst);
    Ok(Counter)
}

pub struct Counter;

#[test]
fn check_and_map_build_nothing_and_run_no_hooks() {
    #[module(providers(Warmup, counter))]
    pub struct WarmupModule;
    let report = App::new().module(WarmupModule).without_env().check();
    assert!(report.is_empty(), "{report}");
    let map = App::new().module(WarmupModule).without_env().map();
    let warmup = map.components.iter().find(|c| c.name == "Warmup").unwrap();
    assert_eq!(warmup.hooks, ["on_init"]);
    assert!(
        map.components.iter().any(|c| c.name == "counter"),
        "the factory is listed"
    );
    assert!(!BUILT_OR_INITIALISED.load(std::sync::atomic::Ordering::SeqCst));
}

// ------------------------------------------------------------- app commands

#[injectable]
pub struct Reindex;

impl AppCommand for Reindex {
    const NAME: &'static str = "search:reindex";
    const ABOUT: &'static str = "Rebuild the search index";

    async fn run(&self, args: &[String]) -> elif::Result<String> {
        Ok(format!("reindexed {}\n", args.join(" ")))
    }
}

#[injectable]
pub struct HidesMigrate;

impl AppCommand for HidesMigrate {
    const NAME: &'static str = "migrate";
    const ABOUT: &'static str = "Shadows elif's";

    async fn run(&self, _: &[String]) -> elif::Result<String> {
        Ok(String::new())
    }
}

#[injectable]
pub struct BadlyNamed;

impl AppCommand for BadlyNamed {
    const NAME: &'static str = "Search Reindex";
    const ABOUT: &'static str = "Not a name";

    async fn run(&self, _: &[String]) -> elif::Result<String> {
        Ok(String::new())
    }
}

#[injectable]
pub struct SameName;

impl AppCommand for SameName {
    const NAME: &'static str = "search:reindex";
    const ABOUT: &'static str = "Taken";

    async fn run(&self, _: &[String]) -> elif::Result<String> {
        Ok(String::new())
    }
}

#[module(commands(Reindex))]
pub struct SearchModule;

#[module(imports(SearchModule), commands(HidesMigrate, BadlyNamed, SameName))]
pub struct ClashingCommands;

#[test]
fn module_commands_are_in_the_map_and_bad_names_stop_the_boot() {
    let map = App::new().module(SearchModule).without_env().map();
    let search = map
        .modules
        .iter()
        .find(|m| m.name == "SearchModule")
        .unwrap();
    assert_eq!(search.commands, ["search:reindex"]);
    let reindex = map.components.iter().find(|c| c.name == "Reindex").unwrap();
    assert_eq!(serde_json::to_value(reindex.kind).unwrap(), "command");
    assert!(map.diagnostics.is_empty(), "{:?}", map.diagnostics);

    let report = App::new().module(ClashingCommands).without_env().check();
    let messages: Vec<&str> = report
        .diagnostics()
        .iter()
        .filter(|d| d.entry.code == "EL1018")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "command `migrate` of `HidesMigrate` would hide elif's own `migrate` command",
            "command `Search Reindex` of `BadlyNamed` is not a command name: lower-case words joined by `-`, after `package:` for a package's",
            "commands `Reindex` and `SameName` are both named `search:reindex`",
        ],
        "{report}"
    );
}
