//! The `Authenticated` guard and `CurrentUser<U>` through real requests, on
//! both databases: who may call what, every refusal's code, the principal
//! loaded once per request, `#[public]` routes that still verify present
//! credentials, the configured header scheme, and `acting_as`.

#![allow(missing_docs, clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use elif::data::{Database, Migrations};
use elif::http::Method;
use elif::prelude::*;
use elif::testing::{TestApp, TestDatabase};
use elif::time::TestClock;
use elif_auth::testing::ActingAs;
use elif_auth::{AuthModule, Authenticatable, Authenticated, CurrentUser, Identity, Jwt, NoClaims};
use serde_json::Value;

const MIGRATIONS: Migrations = elif::migrations!("migrations");
const SECRET: &str = "an HS256 secret of at least thirty-two bytes";

#[model(table = "users")]
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    #[key]
    pub id: i64,
    #[fillable]
    pub email: String,
    #[fillable]
    pub active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Authenticatable for User {
    fn is_active(&self) -> bool {
        self.active
    }
}

#[injectable]
pub struct Me;

#[controller("/me", guards(Authenticated))]
impl Me {
    #[get("/")]
    async fn show(&self, user: CurrentUser<User>) -> String {
        user.email.clone()
    }

    /// Takes the principal twice: it is loaded once.
    #[get("/twice")]
    async fn twice(&self, first: CurrentUser<User>, second: CurrentUser<User>) -> String {
        format!("{} {}", first.id, second.id)
    }

    #[get("/identity")]
    async fn identity(&self, identity: Extension<Identity>) -> String {
        identity.subject.clone()
    }

    #[get("/greeting")]
    #[public]
    async fn greet(&self, viewer: Option<CurrentUser<User>>) -> String {
        match viewer {
            Some(user) => format!("hello, {}", user.email),
            None => "hello, stranger".to_owned(),
        }
    }
}

/// A public route without the guard: `CurrentUser` there is a mistake
/// the app hears about (500 `AUTH_NO_GUARD`), not an anonymous request.
#[injectable]
pub struct Unguarded;

#[controller("/unguarded", public)]
impl Unguarded {
    #[get("/")]
    async fn show(&self, user: CurrentUser<User>) -> String {
        user.email.clone()
    }
}

#[module(
    imports(AuthModule, elif::data::DataModule),
    controllers(Me, Unguarded)
)]
pub struct AppModule;

struct Fixture {
    app: TestApp,
    clock: Arc<TestClock>,
    alice: User,
    bob: User,
}

async fn start(db: &TestDatabase, settings: &[(&str, &str)]) -> Fixture {
    let clock = Arc::new(TestClock::at("2026-12-04T12:00:00Z"));
    let mut app = App::new()
        .module(AppModule)
        .without_env()
        .migrations(MIGRATIONS)
        .config("database.url", db.url())
        .config("auth.jwt.secrets", [SECRET])
        .override_with::<dyn Clock>(clock.clone());
    for (key, value) in settings {
        app = app.config(key, *value);
    }
    let app = TestApp::start(app).await.unwrap();
    let users = app
        .container()
        .get::<Repository<User>>()
        .unwrap_or_else(|| {
            Arc::new(Repository::with_clock(
                app.container().get::<Database>().unwrap(),
                clock.clone(),
            ))
        });
    let alice = users
        .insert(NewUser {
            email: "alice@example.com".into(),
            active: true,
        })
        .await
        .unwrap();
    let bob = users
        .insert(NewUser {
            email: "bob@example.com".into(),
            active: false,
        })
        .await
        .unwrap();
    Fixture {
        app,
        clock,
        alice,
        bob,
    }
}

async fn with_header(
    app: &TestApp,
    path: &str,
    authorization: &str,
) -> elif::testing::TestResponse {
    app.send(
        app.request(Method::GET, path)
            .insert_header(("authorization", authorization)),
    )
    .await
}

fn code(response: &elif::testing::TestResponse) -> String {
    response.json::<Value>()["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[elif::test]
async fn the_guard_admits_valid_credentials_and_refuses_each_bad_one_with_its_code() {
    for db in TestDatabase::both("auth_current").await {
        let Fixture {
            app,
            clock,
            alice,
            bob,
        } = start(&db, &[]).await;

        let anonymous = app.get("/me").await;
        assert_eq!(anonymous.status(), 401, "{}", anonymous.text());
        assert_eq!(code(&anonymous), "AUTH_REQUIRED");

        let me = app.acting_as(&alice).get("/me").await;
        assert_eq!(me.status(), 200, "{}", me.text());
        assert_eq!(me.text(), "alice@example.com");
        let identity = app.acting_as(&alice).get("/me/identity").await;
        assert_eq!(identity.text(), alice.id.to_string());

        let token = app.acting_as(&alice).token().to_owned();
        let basic = with_header(&app, "/me", "Basic YWxpY2U6c2VjcmV0").await;
        assert_eq!((basic.status(), code(&basic)), (401, "AUTH_SCHEME".into()));
        let lower = with_header(&app, "/me", &format!("bearer {token}")).await;
        assert_eq!(lower.status(), 200, "the scheme in any case");

        let mut tampered = token.clone();
        let last = tampered.pop().unwrap();
        tampered.push(if last == 'A' { 'B' } else { 'A' });
        let forged = with_header(&app, "/me", &format!("Bearer {tampered}")).await;
        assert_eq!(forged.status(), 401);
        assert!(
            ["TOKEN_SIGNATURE", "TOKEN_MALFORMED"].contains(&code(&forged).as_str()),
            "{}",
            forged.text()
        );
        let garbage = with_header(&app, "/me", "Bearer not.a.token").await;
        assert_eq!(
            (garbage.status(), code(&garbage)),
            (401, "TOKEN_MALFORMED".into())
        );

        // A disabled account's valid token, and a token for nobody.
        let disabled = app.acting_as(&bob).get("/me").await;
        assert_eq!(
            (disabled.status(), code(&disabled)),
            (401, "AUTH_PRINCIPAL".into())
        );
        let jwt = app.container().get::<Jwt>().unwrap();
        let ghost = jwt.issue("999999", NoClaims {}).unwrap();
        let gone = with_header(&app, "/me", &format!("Bearer {ghost}")).await;
        assert_eq!((gone.status(), code(&gone)), (401, "AUTH_PRINCIPAL".into()));
        let word = jwt.issue("alice", NoClaims {}).unwrap();
        let unparsable = with_header(&app, "/me", &format!("Bearer {word}")).await;
        assert_eq!(code(&unparsable), "AUTH_PRINCIPAL");

        // The app's clock expires tokens (15 minutes + 30 s of leeway).
        clock.advance(Duration::from_secs(15 * 60 + 31));
        let expired = with_header(&app, "/me", &format!("Bearer {token}")).await;
        assert_eq!(
            (expired.status(), code(&expired)),
            (401, "TOKEN_EXPIRED".into())
        );

        app.stop().await;
        db.cleanup().await;
    }
}

#[elif::test]
async fn public_routes_admit_anonymous_requests_and_still_verify_credentials() {
    let db = TestDatabase::sqlite("auth_public");
    let Fixture { app, alice, .. } = start(&db, &[]).await;
    assert_eq!(app.get("/me/greeting").await.text(), "hello, stranger");
    assert_eq!(
        app.acting_as(&alice).get("/me/greeting").await.text(),
        "hello, alice@example.com"
    );
    let bad = with_header(&app, "/me/greeting", "Bearer not.a.token").await;
    assert_eq!(bad.status(), 401, "present but invalid is never anonymous");
    assert_eq!(code(&bad), "TOKEN_MALFORMED");
    let other = with_header(&app, "/me/greeting", "Basic YWxpY2U6c2VjcmV0").await;
    assert_eq!(code(&other), "AUTH_SCHEME");

    let unguarded = app.acting_as(&alice).get("/unguarded").await;
    assert_eq!(unguarded.status(), 500);
    assert_eq!(code(&unguarded), "AUTH_NO_GUARD");
    app.stop().await;
    db.cleanup().await;
}

#[elif::test]
async fn the_principal_is_loaded_once_per_request() {
    let db = TestDatabase::sqlite("auth_once");
    let Fixture { app, alice, .. } = start(&db, &[]).await;
    let database = app.container().get::<Database>().unwrap();
    let before = database.query_count();
    let twice = app.acting_as(&alice).get("/me/twice").await;
    assert_eq!(twice.text(), format!("{0} {0}", alice.id));
    assert_eq!(
        database.query_count() - before,
        1,
        "one statement loads the user"
    );
    app.stop().await;
    db.cleanup().await;
}

#[elif::test]
async fn the_header_scheme_is_configurable() {
    let db = TestDatabase::sqlite("auth_scheme");
    let Fixture { app, alice, .. } = start(&db, &[("auth.scheme", "Token")]).await;
    let acting = app.acting_as(&alice);
    let token = acting.token().to_owned();
    assert_eq!(acting.get("/me").await.text(), "alice@example.com");
    let token_scheme = with_header(&app, "/me", &format!("Token {token}")).await;
    assert_eq!(token_scheme.status(), 200);
    let bearer = with_header(&app, "/me", &format!("Bearer {token}")).await;
    assert_eq!(
        (bearer.status(), code(&bearer)),
        (401, "AUTH_SCHEME".into())
    );
    app.stop().await;
    db.cleanup().await;

    let refused = App::new()
        .module(AppModule)
        .without_env()
        .config(
            "database.url",
            TestDatabase::sqlite("auth_bad_scheme").url(),
        )
        .config("auth.jwt.secrets", [SECRET])
        .config("auth.scheme", "Bearer token")
        .check();
    let codes: Vec<&str> = refused.diagnostics().iter().map(|d| d.code()).collect();
    assert!(codes.contains(&"EL2003"), "{refused}");
}

#[test]
fn the_map_shows_routes_authenticated_by_the_guard() {
    let map = App::new()
        .module(AppModule)
        .without_env()
        .config("auth.jwt.secrets", [SECRET])
        .map();
    let me = map.routes.iter().find(|r| r.path == "/me").unwrap();
    assert_eq!(me.authentication.guards, ["Authenticated"]);
    assert_eq!(me.authentication.mode.as_str(), "required");
    let greeting = map
        .routes
        .iter()
        .find(|r| r.path == "/me/greeting")
        .unwrap();
    assert_eq!(greeting.authentication.mode.as_str(), "public");
    assert!(map.diagnostics.is_empty(), "{:?}", map.diagnostics);
}
