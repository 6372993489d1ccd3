//! The `Authenticated` guard and `CurrentUser<U>` through real requests, on
//! both databases: who may call what, every refusal's code, the principal
//! loaded once per request, `#[public]` routes that still verify present
//! credentials, the configured header scheme, and `acting_as`.

#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use elif::data::Database;
use elif::http::Method;
use elif::http::Requirement;
use elif::prelude::*;
use elif::testing::{TestApp, TestDatabase};
use elif::time::TestClock;
use elif_auth::testing::ActingAs;
use elif_auth::{
    Ability, AuthModule, Authenticatable, Authenticated, CurrentUser, Gate, Identity, Jwt,
    NoClaims, Policy, Principals,
};
use serde_json::Value;

use common::{MIGRATIONS, NewUser, SECRET, User};

impl Authenticatable for User {
    fn is_active(&self) -> bool {
        self.active
    }

    fn has_role(&self, role: &str) -> bool {
        self.role == role
    }

    fn has_permission(&self, permission: &str) -> bool {
        match self.role.as_str() {
            "admin" => true,
            "writer" => permission == "posts.create",
            _ => false,
        }
    }
}

#[model(table = "posts")]
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    #[key]
    pub id: i64,
    #[fillable]
    pub author_id: i64,
    #[fillable]
    pub title: String,
}

/// Authors may change their own posts; nobody else may.
#[injectable(provides = dyn Policy<User, Post>)]
pub struct PostPolicy;

impl Policy<User, Post> for PostPolicy {
    fn update(&self, user: &User, post: &Post) -> bool {
        post.author_id == user.id
    }
}

#[injectable]
pub struct Posts {
    posts: Inject<Repository<Post>>,
    gate: Inject<Gate>,
}

#[controller("/posts", guards(Authenticated))]
impl Posts {
    #[post("/")]
    #[requires(permission = "posts.create")]
    async fn create(&self, user: CurrentUser<User>) -> elif::Result<String> {
        let post = self
            .posts
            .insert(NewPost {
                author_id: user.id,
                title: "hello".into(),
            })
            .await?;
        Ok(post.id.to_string())
    }

    #[patch("/{id}")]
    async fn update(&self, user: CurrentUser<User>, id: i64) -> elif::Result<String> {
        let post = self.posts.find_or_fail(id).await?;
        self.gate.authorize(&user, Ability::Update, &post)?;
        Ok(format!("updated {id}"))
    }

    #[delete("/{id}")]
    #[requires(role = "admin")]
    async fn delete(&self, id: i64) -> String {
        format!("deleted {id}")
    }

    /// No policy covers users and identities: refused, never allowed.
    #[get("/{id}/identity")]
    async fn unpoliced(
        &self,
        id: i64,
        user: CurrentUser<User>,
        identity: Extension<Identity>,
    ) -> elif::Result<String> {
        self.gate.authorize(&user, Ability::View, &*identity)?;
        Ok(format!("seen {id}"))
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
    providers(PostPolicy, Repository<Post>),
    controllers(Me, Unguarded, Posts)
)]
pub struct AppModule;

struct Fixture {
    app: TestApp,
    clock: Arc<TestClock>,
    alice: User,
    bob: User,
    users: Arc<Repository<User>>,
}

/// The app with its principals, as `main` builds it.
fn app() -> App {
    App::new()
        .module(AppModule)
        .without_env()
        .provide::<dyn Principals>(elif_auth::principals::<User>())
        .config("auth.jwt.secrets", [SECRET])
}

async fn start(db: &TestDatabase, settings: &[(&str, &str)]) -> Fixture {
    let clock = Arc::new(TestClock::at("2026-12-04T12:00:00Z"));
    let mut app = app()
        .migrations(MIGRATIONS)
        .config("database.url", db.url())
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
            role: "member".into(),
        })
        .await
        .unwrap();
    let bob = users
        .insert(NewUser {
            email: "bob@example.com".into(),
            active: false,
            role: "admin".into(),
        })
        .await
        .unwrap();
    Fixture {
        app,
        clock,
        alice,
        bob,
        users,
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
            ..
        } = start(&db, &[]).await;

        let anonymous = app.get("/me").await;
        assert_eq!(anonymous.status(), 401, "{}", anonymous.text());
        assert_eq!(code(&anonymous), "AUTH_REQUIRED");
        assert_eq!(anonymous.header("www-authenticate"), Some("Bearer"));
        assert_eq!(
            anonymous.header_all("www-authenticate").count(),
            1,
            "the challenge is sent once"
        );

        let me = app.acting_as(&alice).await.get("/me").await;
        assert_eq!(me.status(), 200, "{}", me.text());
        assert_eq!(me.text(), "alice@example.com");
        assert_eq!(
            me.header("cache-control"),
            Some("no-store"),
            "an authenticated answer is not stored by caches"
        );
        let identity = app.acting_as(&alice).await.get("/me/identity").await;
        assert_eq!(identity.text(), alice.id.to_string());

        let token = app.acting_as(&alice).await.token().to_owned();
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
        assert_eq!(
            garbage.header("www-authenticate"),
            Some("Bearer error=\"invalid_token\"")
        );

        // A disabled account's valid token, and a token for nobody.
        let disabled = app.acting_as(&bob).await.get("/me").await;
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
        app.acting_as(&alice).await.get("/me/greeting").await.text(),
        "hello, alice@example.com"
    );
    let bad = with_header(&app, "/me/greeting", "Bearer not.a.token").await;
    assert_eq!(bad.status(), 401, "present but invalid is never anonymous");
    assert_eq!(code(&bad), "TOKEN_MALFORMED");
    let other = with_header(&app, "/me/greeting", "Basic YWxpY2U6c2VjcmV0").await;
    assert_eq!(code(&other), "AUTH_SCHEME");

    let unguarded = app.acting_as(&alice).await.get("/unguarded").await;
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
    let twice = app.acting_as(&alice).await.get("/me/twice").await;
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
    let acting = app.acting_as(&alice).await;
    let token = acting.token().to_owned();
    assert_eq!(acting.get("/me").await.text(), "alice@example.com");
    let token_scheme = with_header(&app, "/me", &format!("Token {token}")).await;
    assert_eq!(token_scheme.status(), 200);
    let bearer = with_header(&app, "/me", &format!("Bearer {token}")).await;
    assert_eq!(
        (bearer.status(), code(&bearer)),
        (401, "AUTH_SCHEME".into())
    );
    assert_eq!(
        bearer.header("www-authenticate"),
        Some("Token error=\"invalid_token\""),
        "the challenge names the configured scheme"
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
    let map = app().map();
    let me = map.routes.iter().find(|r| r.path == "/me").unwrap();
    assert_eq!(me.authentication.guards, ["Authenticated"]);
    assert_eq!(me.authentication.mode.as_str(), "required");
    let greeting = map
        .routes
        .iter()
        .find(|r| r.path == "/me/greeting")
        .unwrap();
    assert_eq!(greeting.authentication.mode.as_str(), "public");
    let delete = map
        .routes
        .iter()
        .find(|r| r.path == "/posts/{id}" && r.method == "DELETE")
        .unwrap();
    assert_eq!(delete.requires, [Requirement::Role("admin")]);
    assert!(map.diagnostics.is_empty(), "{:?}", map.diagnostics);
    let json = map.to_json();
    assert!(
        json.contains("\"provides\": [\n        \"dyn Policy<User, Post>\"")
            || json.contains("dyn Policy<User, Post>"),
        "policies show as the components that provide them"
    );
}

#[test]
fn an_app_without_principals_does_not_boot_its_guard() {
    let report = App::new()
        .module(AppModule)
        .without_env()
        .config("auth.jwt.secrets", [SECRET])
        .check();
    let codes: Vec<&str> = report.diagnostics().iter().map(|d| d.code()).collect();
    assert!(codes.contains(&"EL1001"), "{report}");
    assert!(report.to_string().contains("Principals"), "{report}");
}

#[elif::test]
async fn requirements_and_policies_refuse_with_403() {
    for db in TestDatabase::both("auth_policies").await {
        let Fixture {
            app, alice, users, ..
        } = start(&db, &[]).await;
        let admin = users
            .insert(NewUser {
                email: "admin@example.com".into(),
                active: true,
                role: "admin".into(),
            })
            .await
            .unwrap();
        let writer = users
            .insert(NewUser {
                email: "writer@example.com".into(),
                active: true,
                role: "writer".into(),
            })
            .await
            .unwrap();

        let denied = app.acting_as(&alice).await.post_json("/posts", &()).await;
        assert_eq!(
            (denied.status(), code(&denied)),
            (403, "PERMISSION_REQUIRED".into())
        );
        assert!(denied.text().contains("posts.create"), "{}", denied.text());
        let created = app.acting_as(&writer).await.post_json("/posts", &()).await;
        assert_eq!(created.status(), 200, "{}", created.text());
        let id = created.text();

        let path = format!("/posts/{id}");
        let own = app
            .acting_as(&writer)
            .await
            .send_json(Method::PATCH, &path, &())
            .await;
        assert_eq!(
            own.text(),
            format!("updated {id}"),
            "an author edits their post"
        );
        let other = app
            .acting_as(&alice)
            .await
            .send_json(Method::PATCH, &path, &())
            .await;
        assert_eq!((other.status(), code(&other)), (403, "FORBIDDEN".into()));
        assert_eq!(
            other.json::<Value>()["detail"],
            "you may not update this Post"
        );
        let missing = app
            .acting_as(&writer)
            .await
            .send_json(Method::PATCH, "/posts/999999", &())
            .await;
        assert_eq!(
            missing.status(),
            404,
            "not found before the policy is asked"
        );

        let member = app.acting_as(&alice).await.delete(&path).await;
        assert_eq!(
            (member.status(), code(&member)),
            (403, "ROLE_REQUIRED".into())
        );
        let writer_delete = app.acting_as(&writer).await.delete(&path).await;
        assert_eq!(code(&writer_delete), "ROLE_REQUIRED");
        assert_eq!(
            app.acting_as(&admin).await.delete(&path).await.text(),
            format!("deleted {id}")
        );
        let anonymous = app.send(app.request(Method::DELETE, &path)).await;
        assert_eq!(code(&anonymous), "AUTH_REQUIRED", "401 before 403");

        let unpoliced = app
            .acting_as(&alice)
            .await
            .get(&format!("{path}/identity"))
            .await;
        assert_eq!(
            (unpoliced.status(), code(&unpoliced)),
            (500, "AUTH_NO_POLICY".into())
        );
        app.stop().await;
        db.cleanup().await;
    }
}
