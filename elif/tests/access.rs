//! Secure by default: every route runs a guard that authenticates or is
//! `#[public]`; the rest is `EL1016` (an error in `check`, `map` and a
//! production boot, a warning at boot otherwise). Guards read the route's
//! `#[public]` to let anonymous requests through while still refusing bad
//! credentials.

#![allow(missing_docs, clippy::unwrap_used)]

use elif::diagnostics::Severity;
use elif::http::{HttpResponse, Method, RouteInfo};
use elif::prelude::*;
use elif::testing::TestApp;
use serde_json::Value;

/// Authenticates `Bearer good`; anonymous requests go on to public routes
/// only, and a bad token is refused everywhere.
#[guard]
pub struct Token;

impl Guard for Token {
    const AUTHENTICATES: bool = true;

    async fn check(&self, cx: &RequestContext<'_>) -> elif::Result<()> {
        match cx.header("authorization") {
            None if cx.access().is_public() => Ok(()),
            None => Err(Error::new(401, "UNAUTHENTICATED", "sign in first")),
            Some("Bearer good") => Ok(()),
            Some(_) => Err(Error::new(401, "TOKEN_INVALID", "bad token")),
        }
    }
}

/// A guard that does not authenticate (it only tags requests).
#[guard]
pub struct Tag;

impl Guard for Tag {
    async fn check(&self, _: &RequestContext<'_>) -> elif::Result<()> {
        Ok(())
    }
}

#[injectable]
pub struct Notes;

#[controller("/notes", guards(Token))]
impl Notes {
    #[get("/")]
    #[public]
    async fn list(&self) -> &'static str {
        "notes"
    }

    #[post("/")]
    async fn create(&self) -> &'static str {
        "created"
    }
}

/// `#[public]` above `#[controller]`: every route is public.
#[injectable]
pub struct Pages;

#[public]
#[controller("/pages", guards(Tag))]
impl Pages {
    #[get("/")]
    async fn index(&self) -> &'static str {
        "pages"
    }
}

/// `#[public]` below `#[controller]`.
#[injectable]
pub struct About;

#[controller("/about")]
#[public]
impl About {
    #[get("/")]
    async fn index(&self) -> &'static str {
        "about"
    }
}

/// Routes no guard authenticates and that are not public.
#[injectable]
pub struct Open;

#[controller("/open", guards(Tag))]
impl Open {
    #[get("/")]
    async fn index(&self) -> &'static str {
        "open"
    }

    #[delete("/{id}")]
    async fn remove(&self, id: u64) -> String {
        format!("removed {id}")
    }
}

/// Requirements on routes whose guards do not enforce them: `EL1017`.
#[injectable]
pub struct Admin;

#[controller("/admin", guards(Token))]
#[requires(role = "admin")]
impl Admin {
    #[delete("/{id}")]
    #[requires(permission = "posts.delete")]
    async fn remove(&self, id: u64) -> String {
        format!("removed {id}")
    }
}

/// Enforces requirements: lets through `Bearer admin` only.
#[guard]
pub struct Roles;

impl Guard for Roles {
    const AUTHENTICATES: bool = true;
    const ENFORCES_REQUIREMENTS: bool = true;

    async fn check(&self, cx: &RequestContext<'_>) -> elif::Result<()> {
        let required = cx.access().requires();
        match cx.header("authorization") {
            Some("Bearer admin") => Ok(()),
            Some(_) if required.is_empty() => Ok(()),
            Some(_) => Err(Error::new(403, "ROLE_REQUIRED", format!("{}", required[0]))),
            None => Err(Error::new(401, "UNAUTHENTICATED", "sign in first")),
        }
    }
}

#[injectable]
pub struct Enforced;

#[requires(role = "admin")]
#[controller("/enforced", guards(Roles))]
impl Enforced {
    #[delete("/{id}")]
    async fn remove(&self, id: u64) -> String {
        format!("removed {id}")
    }
}

#[module(providers(Token, Tag), controllers(Notes, Pages, About), exports(Tag))]
pub struct SecureModule;

#[module(imports(SecureModule), controllers(Open))]
pub struct LeakyModule;

/// The module's guard authenticates the routes of its controllers.
#[module(providers(Token, Tag), guards(Token), controllers(Open))]
pub struct GuardedModule;

#[module(providers(Token), controllers(Admin))]
pub struct AdminModule;

#[module(providers(Roles), controllers(Enforced))]
pub struct EnforcedModule;

fn codes(report: &elif::diagnostics::BootReport) -> Vec<&'static str> {
    report.diagnostics().iter().map(|d| d.code()).collect()
}

#[test]
fn check_refuses_each_route_neither_authenticated_nor_public_naming_both_fixes() {
    assert!(
        App::new().module(SecureModule).check().is_empty(),
        "authenticated or public routes pass"
    );
    let report = App::new().module(LeakyModule).check();
    assert_eq!(codes(&report), ["EL1016", "EL1016"], "{report}");
    let first = &report.diagnostics()[0];
    assert_eq!(first.severity, Severity::Error);
    assert!(
        first.message.contains("GET /open") && first.message.contains("`Open::index`"),
        "{}",
        first.message
    );
    assert!(
        first.hint.contains("guards(Authenticated)") && first.hint.contains("#[public]"),
        "{}",
        first.hint
    );
    assert!(
        first
            .location
            .is_some_and(|l| l.file.ends_with("access.rs")),
        "{first:?}"
    );
    assert!(
        report.diagnostics()[1]
            .message
            .contains("DELETE /open/{id}")
    );
    assert_eq!(report.exit_code(), 1);
}

#[test]
fn a_module_or_app_guard_that_authenticates_secures_its_routes() {
    let report = App::new().module(GuardedModule).check();
    assert!(report.is_empty(), "{report}");

    #[module(providers(Tag), controllers(Open))]
    pub struct Bare;
    #[module(imports(Bare), providers(Token))]
    pub struct Root;
    let report = App::new().module(Root).guard::<Token>().check();
    assert!(report.is_empty(), "{report}");
}

#[test]
fn the_map_and_routes_show_each_routes_authentication() {
    let map = App::new().module(LeakyModule).map();
    let json = serde_json::to_value(&map).unwrap();
    let mode = |path: &str, method: &str| {
        json["routes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["path"] == path && r["method"] == method)
            .map(|r| r["authentication"].clone())
            .unwrap()
    };
    assert_eq!(
        mode("/notes", "GET"),
        serde_json::json!({"mode": "public", "guards": ["Token"]})
    );
    assert_eq!(
        mode("/notes", "POST"),
        serde_json::json!({"mode": "required", "guards": ["Token"]})
    );
    assert_eq!(
        mode("/pages", "GET"),
        serde_json::json!({"mode": "public", "guards": []})
    );
    assert_eq!(mode("/about", "GET")["mode"], "public");
    assert_eq!(
        mode("/open", "GET"),
        serde_json::json!({"mode": "missing", "guards": []})
    );
    let codes: Vec<&str> = map.diagnostics.iter().map(|d| d.code()).collect();
    assert_eq!(codes, ["EL1016", "EL1016"]);

    let table = map.routes_table();
    let line = |path: &str| {
        table
            .lines()
            .find(|l| l.starts_with("GET") && l.contains(&format!(" {path} ")))
            .unwrap()
            .to_owned()
    };
    assert!(line("/notes").contains("auth:public"), "{table}");
    assert!(line("/open").contains("auth:MISSING"), "{table}");
    assert!(table.contains("auth:required"), "{table}");
}

#[elif::test]
async fn production_refuses_to_boot_an_unsecured_route_development_warns() {
    let error = App::new()
        .module(LeakyModule)
        .without_env()
        .config("app.env", "production")
        .config("security.allowed_hosts", ["127.0.0.1"])
        .boot()
        .await
        .map(|_| ())
        .unwrap_err();
    let report = error.boot_report().expect("a boot report");
    assert_eq!(codes(report), ["EL1016", "EL1016"], "{report}");

    let app = TestApp::start(App::new().module(LeakyModule).without_env())
        .await
        .expect("development and tests boot with a warning");
    assert_eq!(app.get("/open").await.text(), "open");
    app.stop().await;
}

#[elif::test]
async fn guards_see_public_routes_and_still_refuse_bad_credentials() {
    let app = TestApp::start(App::new().module(SecureModule).without_env())
        .await
        .unwrap();
    let anonymous = app.get("/notes").await;
    assert_eq!(anonymous.status(), 200, "public: anonymous may read");
    let good = app
        .send(
            app.request(Method::GET, "/notes")
                .insert_header(("authorization", "Bearer good")),
        )
        .await;
    assert_eq!(good.status(), 200);
    let bad = app
        .send(
            app.request(Method::GET, "/notes")
                .insert_header(("authorization", "Bearer forged")),
        )
        .await;
    assert_eq!(
        bad.status(),
        401,
        "present but invalid: 401 on a public route"
    );
    assert_eq!(bad.json::<Value>()["code"], "TOKEN_INVALID");
    let write = app.post_json("/notes", &serde_json::json!({})).await;
    assert_eq!(write.status(), 401, "protected: anonymous may not write");
    assert_eq!(write.json::<Value>()["code"], "UNAUTHENTICATED");
    app.stop().await;
}

/// Controllers written by hand: their routes run no elif guard, so each
/// says it is public or what authenticates it.
#[injectable]
pub struct Unmarked;

impl Controller for Unmarked {
    fn routes(self: Arc<Self>, routes: &mut Routes) {
        routes.get("/manual", || async { HttpResponse::Ok().body("manual") });
    }
}

#[injectable]
pub struct Marked;

impl Controller for Marked {
    fn routes(self: Arc<Self>, routes: &mut Routes) {
        routes.add(RouteInfo::new(Method::GET, "/manual").public(), || async {
            HttpResponse::Ok().body("manual")
        });
        routes.add(
            RouteInfo::new(Method::GET, "/keyed").authenticated_by("ApiKey middleware"),
            || async { HttpResponse::Ok().body("keyed") },
        );
    }
}

#[module(controllers(Unmarked))]
pub struct UnmarkedModule;

#[module(controllers(Marked))]
pub struct MarkedModule;

#[elif::test]
async fn hand_written_routes_are_checked_when_mounted() {
    let production = |app: App| {
        app.without_env()
            .config("app.env", "production")
            .config("security.allowed_hosts", ["127.0.0.1"])
    };
    let error = production(App::new().module(UnmarkedModule))
        .boot()
        .await
        .map(|_| ())
        .unwrap_err();
    let report = error.boot_report().expect("a boot report");
    assert_eq!(codes(report), ["EL1016"], "{report}");
    assert!(report.diagnostics()[0].message.contains("GET /manual"));

    let booted = production(App::new().module(MarkedModule))
        .boot()
        .await
        .expect("public and self-authenticated hand-written routes boot");
    booted.shutdown().await;

    let app = TestApp::start(App::new().module(UnmarkedModule).without_env())
        .await
        .expect("a warning outside production");
    assert_eq!(app.get("/manual").await.text(), "manual");
    app.stop().await;
}

#[elif::test]
async fn requirements_no_guard_enforces_stop_the_boot_in_every_mode() {
    let report = App::new().module(AdminModule).without_env().check();
    assert_eq!(codes(&report), ["EL1017"], "{report}");
    let message = &report.diagnostics()[0].message;
    assert!(
        message.contains("DELETE /admin/{id}")
            && message.contains("requires role:admin, permission:posts.delete"),
        "{message}"
    );
    let error = App::new()
        .module(AdminModule)
        .without_env()
        .boot()
        .await
        .map(|_| ())
        .unwrap_err();
    assert_eq!(
        codes(error.boot_report().unwrap()),
        ["EL1017"],
        "development too"
    );

    let map = App::new().module(EnforcedModule).without_env().map();
    assert!(map.diagnostics.is_empty(), "{:?}", map.diagnostics);
    let json = serde_json::to_value(&map).unwrap();
    assert_eq!(
        json["routes"][0]["requires"],
        serde_json::json!(["role:admin"])
    );
    assert!(map.routes_table().contains("requires(role:admin)"));

    let app = TestApp::start(App::new().module(EnforcedModule).without_env())
        .await
        .unwrap();
    let as_user = app
        .send(
            app.request(Method::DELETE, "/enforced/1")
                .insert_header(("authorization", "Bearer user")),
        )
        .await;
    assert_eq!(as_user.status(), 403, "the guard reads the requirements");
    assert_eq!(as_user.json::<Value>()["detail"], "role:admin");
    let as_admin = app
        .send(
            app.request(Method::DELETE, "/enforced/1")
                .insert_header(("authorization", "Bearer admin")),
        )
        .await;
    assert_eq!(as_admin.text(), "removed 1");
    app.stop().await;
}
