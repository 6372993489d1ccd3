//! Refresh tokens and the access tokens' deny-list through real requests,
//! in memory and on the real Redis (required under `CI=true`): rotation,
//! reuse revoking the family, concurrent refreshes of one token, logout,
//! expiry on the app's clock, and `Cache-Control: no-store`.

#![allow(missing_docs, clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use elif::http::{HttpResponse, Method};
use elif::prelude::*;
use elif::testing::{TestApp, TestResponse};
use elif::time::TestClock;
use elif_auth::{AuthModule, Authenticated, Identity, Tokens};
use serde_json::{Value, json};

const SECRET: &str = "an HS256 secret of at least thirty-two bytes";

#[derive(Deserialize)]
pub struct RefreshBody {
    refresh_token: String,
}

#[injectable]
pub struct TokensController {
    tokens: Inject<Tokens>,
}

#[controller("/", guards(Authenticated))]
impl TokensController {
    #[post("/login")]
    #[public]
    async fn login(&self) -> elif::Result<HttpResponse> {
        self.tokens.issue("42").await?.response()
    }

    #[post("/refresh")]
    #[public]
    async fn refresh(&self, body: Json<RefreshBody>) -> elif::Result<HttpResponse> {
        self.tokens.refresh(&body.refresh_token).await?.response()
    }

    #[post("/logout")]
    async fn logout(
        &self,
        identity: Extension<Identity>,
        body: Json<RefreshBody>,
    ) -> elif::Result<HttpResponse> {
        self.tokens.revoke(&body.refresh_token).await?;
        self.tokens.revoke_access(&identity).await?;
        Ok(HttpResponse::NoContent().finish())
    }

    #[get("/me")]
    async fn me(&self, identity: Extension<Identity>) -> String {
        identity.subject.clone()
    }
}

#[module(imports(AuthModule), controllers(TokensController))]
pub struct AppModule;

async fn start(store: &str, name: &str, clock: &Arc<TestClock>, refresh: bool) -> TestApp {
    let mut app = App::new()
        .module(AppModule)
        .without_env()
        .provide::<dyn elif_auth::Principals>(elif_auth::testing::no_principals())
        .override_with::<dyn Clock>(clock.clone())
        .config("auth.jwt.secrets", [SECRET])
        .config("auth.jwt.refresh_tokens", refresh)
        .config("auth.jwt.deny_list", true)
        .config(
            "auth.sessions.key_prefix",
            format!("elif-test:{name}:{}:", std::process::id()),
        );
    app = if store == "memory" {
        app.config("auth.sessions.store", "memory")
    } else {
        app.config("redis.url", store)
    };
    TestApp::start(app).await.unwrap()
}

fn clock() -> Arc<TestClock> {
    Arc::new(TestClock::at("2026-12-04T12:00:00Z"))
}

fn code(response: &TestResponse) -> String {
    response.json::<Value>()["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn refresh(app: &TestApp, token: &str) -> TestResponse {
    app.post_json("/refresh", &json!({ "refresh_token": token }))
        .await
}

/// Rotation, reuse and logout on `store`.
async fn lifecycle(store: &str, name: &str) {
    let clock = clock();
    let app = start(store, name, &clock, true).await;
    let login = app.post_json("/login", &json!({})).await;
    assert_eq!(login.status(), 200, "{}", login.text());
    assert_eq!(login.header("cache-control"), Some("no-store"));
    let first: Value = login.json();
    assert_eq!(first["token_type"], "Bearer");
    assert_eq!(first["expires_in"], 900);
    let first_refresh = first["refresh_token"].as_str().unwrap().to_owned();

    let rotated = refresh(&app, &first_refresh).await;
    assert_eq!(rotated.status(), 200, "{}", rotated.text());
    assert_eq!(rotated.header("cache-control"), Some("no-store"));
    let second: Value = rotated.json();
    let second_refresh = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second_refresh, first_refresh);

    // The first token comes back: it was copied. The family is revoked.
    let reused = refresh(&app, &first_refresh).await;
    assert_eq!(
        (reused.status(), code(&reused)),
        (401, "REFRESH_REUSED".into())
    );
    let revoked = refresh(&app, &second_refresh).await;
    assert_eq!(
        (revoked.status(), code(&revoked)),
        (401, "REFRESH_INVALID".into()),
        "the owner's newer token dies with the family"
    );
    assert_eq!(code(&refresh(&app, "forged").await), "REFRESH_INVALID");

    // Logout: the refresh family and the access token both end.
    let pair: Value = app.post_json("/login", &json!({})).await.json();
    let access = pair["access_token"].as_str().unwrap().to_owned();
    let bearer = |method: Method, path: &str| {
        app.request(method, path)
            .insert_header(("authorization", format!("Bearer {access}")))
    };
    assert_eq!(app.send(bearer(Method::GET, "/me")).await.text(), "42");
    let out = app
        .send_json(
            bearer(Method::POST, "/logout"),
            &json!({ "refresh_token": pair["refresh_token"] }),
        )
        .await;
    assert_eq!(out.status(), 204, "{}", out.text());
    let after = app.send(bearer(Method::GET, "/me")).await;
    assert_eq!(
        (after.status(), code(&after)),
        (401, "TOKEN_REVOKED".into())
    );
    let refreshed = refresh(&app, pair["refresh_token"].as_str().unwrap()).await;
    assert_eq!(code(&refreshed), "REFRESH_INVALID");
    let other: Value = app.post_json("/login", &json!({})).await.json();
    let fresh = app
        .send(app.request(Method::GET, "/me").insert_header((
            "authorization",
            format!("Bearer {}", other["access_token"].as_str().unwrap()),
        )))
        .await;
    assert_eq!(fresh.status(), 200, "other tokens are not revoked");

    // Ten requests race with one refresh token: one rotates it.
    let pair: Value = app.post_json("/login", &json!({})).await.json();
    let token = pair["refresh_token"].as_str().unwrap().to_owned();
    let racing = (0..10).map(|_| refresh(&app, &token));
    let statuses: Vec<u16> = futures_util::future::join_all(racing)
        .await
        .iter()
        .map(|r| r.status())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );

    // A refresh token expires after 30 days on the app's clock.
    let pair: Value = app.post_json("/login", &json!({})).await.json();
    clock.advance(Duration::from_secs(30 * 24 * 3600 + 1));
    let expired = refresh(&app, pair["refresh_token"].as_str().unwrap()).await;
    assert_eq!(code(&expired), "REFRESH_INVALID");
    app.stop().await;
}

#[elif::test]
async fn refresh_tokens_rotate_reuse_revokes_the_family_and_logout_ends_both_in_memory() {
    lifecycle("memory", "tokens_memory").await;
}

#[elif::test]
async fn refresh_tokens_rotate_reuse_revokes_the_family_and_logout_ends_both_on_redis() {
    if let Some(url) = elif::testing::shared_redis() {
        lifecycle(&url, "tokens_redis").await;
    }
}

#[elif::test]
async fn refresh_tokens_are_refused_until_enabled() {
    let app = start("memory", "tokens_off", &clock(), false).await;
    let login = app.post_json("/login", &json!({})).await;
    assert_eq!(
        (login.status(), code(&login)),
        (500, "AUTH_REFRESH_DISABLED".into())
    );
    app.stop().await;
}
