//! elif-auth's stored tokens on both databases. API tokens through real
//! requests: made with a name
//! and abilities, stored only as their SHA-256 (in the package's own
//! migrated table), accepted as `Authorization: Bearer`, their last use
//! recorded, refused once revoked or expired, their abilities restricting
//! the principal's permissions, told apart from JWTs in the same header,
//! and the mechanism refused at boot without its module. Single-use links
//! (password reset, email verification): hashed, replaced by the next,
//! used once even by racing requests, expiring.

#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use elif::data::Database;
use elif::data::diesel;
use elif::data::diesel::sql_types::Text;
use elif::data::diesel::{QueryableByName, sql_query};
use elif::http::Method;
use elif::prelude::*;
use elif::testing::{TestApp, TestDatabase, TestResponse};
use elif::time::TestClock;
use elif_auth::testing::ActingAs;
use elif_auth::{
    ApiTokens, AuthDataModule, AuthModule, Authenticatable, Authenticated, CurrentUser,
    EMAIL_VERIFICATION, Identity, Mechanism, OneTimeTokens, PASSWORD_RESET, Principals,
};
use serde_json::Value;

use common::{MIGRATIONS, NewUser, SECRET, User};

impl Authenticatable for User {
    fn is_active(&self) -> bool {
        self.active
    }

    fn has_permission(&self, permission: &str) -> bool {
        self.role == "admin" || permission == "posts.create"
    }
}

#[injectable]
pub struct Reports;

#[controller("/reports", guards(Authenticated))]
impl Reports {
    #[get("/")]
    async fn mine(&self, user: CurrentUser<User>, identity: Extension<Identity>) -> String {
        format!("{} {:?}", user.email, identity.mechanism)
    }

    #[post("/")]
    #[requires(permission = "posts.create")]
    async fn create(&self) -> &'static str {
        "created"
    }

    #[delete("/")]
    #[requires(permission = "posts.delete")]
    async fn purge(&self) -> &'static str {
        "purged"
    }
}

#[module(
    imports(AuthModule, AuthDataModule, elif::data::DataModule),
    controllers(Reports)
)]
pub struct AppModule;

/// The same app without `AuthDataModule`.
#[module(imports(AuthModule, elif::data::DataModule), controllers(Reports))]
pub struct WithoutTokensModule;

fn app<M: elif::modules::Module>(module: M, db: &TestDatabase, clock: Arc<TestClock>) -> App {
    App::new()
        .module(module)
        .without_env()
        .provide::<dyn Principals>(elif_auth::principals::<User>())
        .config("auth.jwt.secrets", [SECRET])
        .config("auth.mechanisms", ["jwt", "api_token"])
        .migrations(MIGRATIONS)
        .config("database.url", db.url())
        .override_with::<dyn Clock>(clock)
}

async fn user(app: &TestApp, clock: Arc<TestClock>, email: &str, role: &str) -> User {
    let users = Repository::<User>::with_clock(app.container().get::<Database>().unwrap(), clock);
    users
        .insert(NewUser {
            email: email.into(),
            active: true,
            role: role.into(),
        })
        .await
        .unwrap()
}

async fn call(app: &TestApp, method: Method, token: &str) -> TestResponse {
    app.send(
        app.request(method, "/reports")
            .insert_header(("authorization", format!("Bearer {token}"))),
    )
    .await
}

fn code(response: &TestResponse) -> String {
    response.json::<Value>()["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[derive(QueryableByName)]
struct Stored {
    #[diesel(sql_type = Text)]
    token_hash: String,
}

#[elif::test]
async fn api_tokens_authenticate_until_revoked_or_expired_and_are_stored_hashed() {
    for db in TestDatabase::both("auth_api_tokens").await {
        let clock = Arc::new(TestClock::at("2026-12-05T12:00:00Z"));
        let app = TestApp::start(app(AppModule, &db, clock.clone()))
            .await
            .unwrap();
        let alice = user(&app, clock.clone(), "alice@example.com", "member").await;
        let tokens = app.container().get::<ApiTokens>().unwrap();
        let report = self::app(AppModule, &db, clock.clone())
            .config("app.env", "production")
            .config("security.allowed_hosts", ["127.0.0.1"])
            .check_with_database()
            .await;
        assert!(
            report.is_empty(),
            "the package's tables match its models: {report}"
        );

        let made = tokens
            .create(&alice.subject(), "deploy script", &["posts.create"], None)
            .await
            .unwrap();
        assert!(made.plain_text.starts_with("elif_"), "{}", made.plain_text);
        assert_eq!(made.plain_text.len(), "elif_".len() + 43, "256 bits");
        assert!(!format!("{made:?}").contains(&made.plain_text));

        // Only the SHA-256 is stored, in the package's own table.
        let database = app.container().get::<Database>().unwrap();
        let mut conn = database.connection().await.unwrap();
        let stored: Vec<Stored> = elif::with_connection!(conn, |c| sql_query(
            "SELECT token_hash FROM elif_api_tokens"
        )
        .load::<Stored>(c)
        .await)
        .unwrap();
        drop(conn);
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].token_hash.len(), 64);
        assert_ne!(stored[0].token_hash, made.plain_text);
        let listed = serde_json::to_value(tokens.list(&alice.subject()).await.unwrap()).unwrap();
        assert_eq!(listed[0]["name"], "deploy script");
        assert!(listed[0].get("token_hash").is_none(), "never serialised");

        let mine = call(&app, Method::GET, &made.plain_text).await;
        assert_eq!(mine.status(), 200, "{}", mine.text());
        assert_eq!(mine.text(), "alice@example.com ApiToken");
        let used = tokens.list(&alice.subject()).await.unwrap();
        assert_eq!(used[0].last_used_at, Some(clock.now()), "its use recorded");

        // A JWT in the same header still works.
        let jwt = app
            .acting_as_with(&alice, Mechanism::Jwt)
            .await
            .get("/reports")
            .await;
        assert_eq!(jwt.text(), "alice@example.com Jwt");

        // Unknown text, then revoked: refused, never another mechanism.
        let unknown = call(&app, Method::GET, "elif_not-a-real-token").await;
        assert_eq!(
            (unknown.status(), code(&unknown)),
            (401, "API_TOKEN_INVALID".into())
        );
        assert_eq!(
            unknown.header("www-authenticate"),
            Some("Bearer error=\"invalid_token\"")
        );
        let bob = user(&app, clock.clone(), "bob@example.com", "member").await;
        assert!(
            !tokens.revoke(&bob.subject(), made.token.id).await.unwrap(),
            "someone else's token stays"
        );
        assert!(
            tokens
                .revoke(&alice.subject(), made.token.id)
                .await
                .unwrap()
        );
        let revoked = call(&app, Method::GET, &made.plain_text).await;
        assert_eq!(
            (revoked.status(), code(&revoked)),
            (401, "API_TOKEN_INVALID".into())
        );

        // Expiry follows the app's clock.
        let expires = Timestamp(*clock.now() + elif::data::chrono::Duration::hours(1));
        let short = tokens
            .create(&alice.subject(), "short", &["*"], Some(expires))
            .await
            .unwrap();
        assert_eq!(
            call(&app, Method::GET, &short.plain_text).await.status(),
            200
        );
        clock.advance(Duration::from_secs(3600));
        let expired = call(&app, Method::GET, &short.plain_text).await;
        assert_eq!(
            (expired.status(), code(&expired)),
            (401, "API_TOKEN_EXPIRED".into())
        );
        let forever = tokens
            .create(&alice.subject(), "forever", &["*"], None)
            .await
            .unwrap();
        assert_eq!(tokens.prune().await.unwrap(), 1, "the expired one only");
        assert_eq!(
            call(&app, Method::GET, &forever.plain_text).await.status(),
            200
        );
        assert_eq!(tokens.revoke_all(&alice.subject()).await.unwrap(), 1);

        app.stop().await;
        db.cleanup().await;
    }
}

#[elif::test]
async fn a_token_s_abilities_restrict_its_principal_s_permissions() {
    let db = TestDatabase::sqlite("auth_api_abilities");
    let clock = Arc::new(TestClock::at("2026-12-05T12:00:00Z"));
    let app = TestApp::start(app(AppModule, &db, clock.clone()))
        .await
        .unwrap();
    let admin = user(&app, clock.clone(), "root@example.com", "admin").await;
    let tokens = app.container().get::<ApiTokens>().unwrap();
    let read_only = tokens
        .create(&admin.subject(), "read only", &["reports.read"], None)
        .await
        .unwrap();
    let creator = tokens
        .create(&admin.subject(), "creator", &["posts.create"], None)
        .await
        .unwrap();

    let refused = call(&app, Method::POST, &read_only.plain_text).await;
    assert_eq!(
        (refused.status(), code(&refused)),
        (403, "ABILITY_REQUIRED".into()),
        "the admin may, the token may not"
    );
    assert_eq!(
        call(&app, Method::POST, &creator.plain_text).await.status(),
        200
    );
    let purge = call(&app, Method::DELETE, &creator.plain_text).await;
    assert_eq!(code(&purge), "ABILITY_REQUIRED");
    let everything = app
        .acting_as_with(&admin, Mechanism::ApiToken)
        .await
        .request(Method::DELETE, "/reports");
    assert_eq!(app.send(everything).await.text(), "purged", "`*` may");

    // A member's `*` token gives no permission the member lacks.
    let member = user(&app, clock.clone(), "m@example.com", "member").await;
    let acting = app.acting_as_with(&member, Mechanism::ApiToken).await;
    let denied = app.send(acting.request(Method::DELETE, "/reports")).await;
    assert_eq!(code(&denied), "PERMISSION_REQUIRED");

    assert!(
        tokens
            .create(&admin.subject(), " ", &["*"], None)
            .await
            .is_err()
    );
    let bad = tokens
        .create(&admin.subject(), "x", &["two words"], None)
        .await
        .err()
        .unwrap();
    assert_eq!(bad.code(), "API_TOKEN_ABILITY");
    app.stop().await;
    db.cleanup().await;
}

#[elif::test]
async fn without_the_mechanism_an_api_token_is_no_jwt_and_without_the_module_the_app_does_not_boot()
{
    let db = TestDatabase::sqlite("auth_api_setup");
    let clock = Arc::new(TestClock::at("2026-12-05T12:00:00Z"));
    let jwt_only =
        TestApp::start(app(AppModule, &db, clock.clone()).config("auth.mechanisms", ["jwt"]))
            .await
            .unwrap();
    let alice = user(&jwt_only, clock.clone(), "alice@example.com", "member").await;
    let made = jwt_only
        .container()
        .get::<ApiTokens>()
        .unwrap()
        .create(&alice.subject(), "unused", &["*"], None)
        .await
        .unwrap();
    let refused = call(&jwt_only, Method::GET, &made.plain_text).await;
    assert_eq!(
        (refused.status(), code(&refused)),
        (401, "TOKEN_MALFORMED".into())
    );
    jwt_only.stop().await;

    // Without the module, its models are not the app's: no drift reported
    // for tables the app never created.
    let report = app(WithoutTokensModule, &db, clock.clone())
        .config("auth.mechanisms", ["jwt"])
        .config("app.env", "production")
        .config("security.allowed_hosts", ["127.0.0.1"])
        .check_with_database()
        .await;
    assert!(
        report
            .diagnostics()
            .iter()
            .all(|d| d.entry.code != "EL4006"),
        "{report}"
    );
    let map = app(WithoutTokensModule, &db, clock.clone()).map();
    assert!(map.models.iter().all(|m| m.name != "ApiToken"));

    let error = app(WithoutTokensModule, &db, clock)
        .boot()
        .await
        .err()
        .unwrap();
    let text = error.to_string();
    assert!(text.contains("AUTH_API_TOKENS_MISSING"), "{text}");
    assert!(
        text.contains("error[EL5003]: API tokens configured without their module"),
        "elif-auth's own code: {text}"
    );
    assert!(text.contains("AuthDataModule"), "{text}");
    db.cleanup().await;
}

#[elif::test]
async fn single_use_links_work_once_for_their_purpose_until_they_expire() {
    for db in TestDatabase::both("auth_one_time").await {
        let clock = Arc::new(TestClock::at("2026-12-05T12:00:00Z"));
        let app = TestApp::start(app(AppModule, &db, clock.clone()))
            .await
            .unwrap();
        let links = app.container().get::<OneTimeTokens>().unwrap();
        let hour = Duration::from_secs(3600);

        let reset = links.issue(PASSWORD_RESET, "7", hour).await.unwrap();
        assert_eq!(reset.len(), 43, "256 bits");
        let wrong_purpose = links.consume(EMAIL_VERIFICATION, &reset).await;
        assert_eq!(wrong_purpose.err().unwrap().code(), "LINK_INVALID");
        assert_eq!(links.consume(PASSWORD_RESET, &reset).await.unwrap(), "7");
        let again = links.consume(PASSWORD_RESET, &reset).await;
        assert_eq!(again.err().unwrap().code(), "LINK_INVALID", "used once");

        // A newer link replaces the older; other subjects keep theirs.
        let first = links.issue(PASSWORD_RESET, "7", hour).await.unwrap();
        let other = links.issue(PASSWORD_RESET, "8", hour).await.unwrap();
        let second = links.issue(PASSWORD_RESET, "7", hour).await.unwrap();
        let replaced = links.consume(PASSWORD_RESET, &first).await;
        assert_eq!(replaced.err().unwrap().code(), "LINK_INVALID");
        assert_eq!(links.consume(PASSWORD_RESET, &other).await.unwrap(), "8");

        // Two requests racing with one link: one wins.
        let (a, b) = futures_util::future::join(
            links.consume(PASSWORD_RESET, &second),
            links.consume(PASSWORD_RESET, &second),
        )
        .await;
        assert_eq!(
            [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
            1,
            "{a:?} {b:?}"
        );

        let verify = links.issue(EMAIL_VERIFICATION, "7", hour).await.unwrap();
        clock.advance(hour);
        let expired = links.consume(EMAIL_VERIFICATION, &verify).await;
        assert_eq!(expired.err().unwrap().code(), "LINK_EXPIRED");
        let after = links.consume(EMAIL_VERIFICATION, &verify).await;
        assert_eq!(after.err().unwrap().code(), "LINK_INVALID", "and gone");
        let stale = links.issue(EMAIL_VERIFICATION, "9", hour).await.unwrap();
        let fresh = links.issue(PASSWORD_RESET, "9", hour * 3).await.unwrap();
        clock.advance(hour * 2);
        assert_eq!(links.prune().await.unwrap(), 1, "the expired one only");
        assert_eq!(links.consume(PASSWORD_RESET, &fresh).await.unwrap(), "9");
        assert_eq!(
            links
                .consume(EMAIL_VERIFICATION, &stale)
                .await
                .err()
                .unwrap()
                .code(),
            "LINK_INVALID"
        );

        // The table holds digests only.
        let database = app.container().get::<Database>().unwrap();
        let mut conn = database.connection().await.unwrap();
        let stored: Vec<Stored> = elif::with_connection!(conn, |c| sql_query(
            "SELECT token_hash FROM elif_one_time_tokens"
        )
        .load::<Stored>(c)
        .await)
        .unwrap();
        drop(conn);
        assert!(stored.iter().all(|s| s.token_hash.len() == 64));
        app.stop().await;
        db.cleanup().await;
    }
}
