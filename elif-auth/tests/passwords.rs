//! Passwords through a booted app, at OWASP's argon2id parameters: hashes
//! verify, wrong and unknown accounts are refused alike, old parameters ask
//! for a rehash, the length policy holds, and a flood answers 503 with
//! `Retry-After` instead of queueing without end.

#![allow(missing_docs, clippy::unwrap_used)]

use std::sync::Arc;

use elif::http::Method;
use elif::prelude::*;
use elif::testing::TestApp;
use elif_auth::{AuthModule, Check, PasswordHash, Passwords};
use serde_json::{Value, json};

#[module(imports(AuthModule), exports(AuthModule))]
struct TestModule;

async fn passwords(settings: Value) -> Arc<Passwords> {
    let mut app = App::new()
        .module(TestModule)
        .without_env()
        .provide::<dyn elif_auth::Principals>(elif_auth::testing::no_principals());
    for (key, value) in settings.as_object().unwrap() {
        app = app.config(&format!("auth.passwords.{key}"), value);
    }
    let booted = app
        .config(
            "auth.jwt.secrets",
            [std::iter::repeat_n('s', 32).collect::<String>()],
        )
        .boot()
        .await
        .unwrap();
    booted.container().get::<Passwords>().unwrap()
}

#[elif::test]
async fn a_hash_is_argon2id_at_owasp_parameters_and_verifies() {
    let passwords = passwords(json!({})).await;
    let hash = passwords.hash("correct horse battery").await.unwrap();
    assert!(
        hash.as_phc().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{}",
        hash.as_phc()
    );
    let again = passwords.hash("correct horse battery").await.unwrap();
    assert_ne!(hash, again, "a fresh salt each time");
    assert_eq!(
        passwords
            .verify("correct horse battery", Some(&hash))
            .await
            .unwrap(),
        Check::Valid {
            needs_rehash: false
        }
    );
    assert_eq!(
        passwords
            .verify("correct horse batterY", Some(&hash))
            .await
            .unwrap(),
        Check::Invalid
    );
    // Stored text reads back.
    let stored = PasswordHash::from_phc(hash.as_phc()).unwrap();
    assert!(
        passwords
            .verify("correct horse battery", Some(&stored))
            .await
            .unwrap()
            .is_valid()
    );
    // Neither the hash nor the service shows it.
    assert_eq!(format!("{hash:?}"), "PasswordHash([redacted])");
    assert!(!format!("{passwords:?}").contains("argon2id$"));
}

#[elif::test]
async fn an_unknown_account_is_refused_like_a_wrong_password() {
    let passwords = passwords(json!({})).await;
    assert_eq!(
        passwords.verify("elif dummy password", None).await.unwrap(),
        Check::Invalid,
        "not even the dummy's own password opens a missing account"
    );
    assert_eq!(
        passwords.verify("anything at all", None).await.unwrap(),
        Check::Invalid
    );
}

#[elif::test]
async fn a_hash_made_with_other_parameters_asks_for_a_rehash() {
    let cheap = passwords(json!({"memory_kib": 8192, "iterations": 1})).await;
    let owasp = passwords(json!({})).await;
    let old = cheap.hash("correct horse battery").await.unwrap();
    assert_eq!(
        owasp
            .verify("correct horse battery", Some(&old))
            .await
            .unwrap(),
        Check::Valid { needs_rehash: true }
    );
    assert_eq!(
        owasp
            .verify("wrong horse battery", Some(&old))
            .await
            .unwrap(),
        Check::Invalid,
        "a wrong password learns nothing about the parameters"
    );
}

#[elif::test]
async fn length_is_8_to_128_characters_never_truncated() {
    let passwords = passwords(json!({})).await;
    let short = passwords.hash("1234567").await.unwrap_err();
    assert_eq!((short.status(), short.code()), (422, "PASSWORD_TOO_SHORT"));
    let long = passwords.hash(&"x".repeat(129)).await.unwrap_err();
    assert_eq!((long.status(), long.code()), (422, "PASSWORD_TOO_LONG"));
    let longest = "y".repeat(128);
    let hash = passwords.hash(&longest).await.unwrap();
    assert!(
        passwords
            .verify(&longest, Some(&hash))
            .await
            .unwrap()
            .is_valid()
    );
    // Nothing is cut: one character less or more does not match.
    assert!(
        !passwords
            .verify(&longest[..127], Some(&hash))
            .await
            .unwrap()
            .is_valid()
    );
    assert_eq!(
        passwords
            .verify(&"y".repeat(129), Some(&hash))
            .await
            .unwrap(),
        Check::Invalid
    );
    // Characters, not bytes: eight accented letters are enough.
    assert!(passwords.hash("éééééééé").await.is_ok());
}

#[injectable]
struct LoginController {
    passwords: Inject<Passwords>,
}

#[controller("/", public)]
impl LoginController {
    #[post("/login")]
    async fn login(&self, request: elif::http::HttpRequest) -> elif::Result<Json<bool>> {
        let check = self
            .passwords
            .check(&request, "someone", "guess", None)
            .await?;
        Ok(Json(check.is_valid()))
    }

    #[get("/ping")]
    async fn ping(&self) -> &'static str {
        "pong"
    }
}

#[module(imports(AuthModule), controllers(LoginController))]
struct LoginModule;

#[elif::test]
async fn a_flood_beyond_the_queue_answers_503_with_retry_after() {
    let app = TestApp::start(
        App::new()
            .module(LoginModule)
            .without_env()
            .provide::<dyn elif_auth::Principals>(elif_auth::testing::no_principals())
            .config("auth.passwords.concurrency", 1)
            .config("auth.passwords.queue_timeout_ms", 1)
            .config("auth.jwt.secrets", ["s".repeat(32)]),
    )
    .await
    .unwrap();
    let requests = (0..6).map(|_| app.send(app.request(Method::POST, "/login")));
    let responses = futures_util::future::join_all(requests).await;
    let statuses: Vec<u16> = responses.iter().map(|r| r.status()).collect();
    assert!(statuses.contains(&200), "{statuses:?}");
    let busy: Vec<_> = responses.iter().filter(|r| r.status() == 503).collect();
    assert!(!busy.is_empty(), "{statuses:?}");
    for response in busy {
        assert_eq!(response.header("retry-after"), Some("1"));
        assert_eq!(response.json::<Value>()["code"], "AUTH_BUSY");
    }
    assert_eq!(app.get("/ping").await.status(), 200);
}

mod common;

/// A model that stores its password hash as a `PasswordHash` column.
#[model(table = "credentials")]
#[derive(Debug, Clone)]
pub struct Credential {
    #[key]
    pub id: i64,
    pub email: String,
    #[hidden]
    pub password_hash: PasswordHash,
}

#[module(imports(AuthModule, elif::data::DataModule), providers(Repository<Credential>))]
struct CredentialsModule;

#[elif::test]
async fn password_hash_is_a_model_column_on_both_databases() {
    use elif::testing::TestDatabase;
    for db in TestDatabase::both("auth_password_column").await {
        let booted = App::new()
            .module(CredentialsModule)
            .without_env()
            .provide::<dyn elif_auth::Principals>(elif_auth::testing::no_principals())
            .config("auth.jwt.secrets", [common::SECRET])
            .migrations(common::MIGRATIONS)
            .config("database.url", db.url())
            .boot()
            .await
            .unwrap();
        let passwords = booted.container().get::<Passwords>().unwrap();
        let credentials = booted.container().get::<Repository<Credential>>().unwrap();

        let hash = passwords.hash("correct horse").await.unwrap();
        let stored = credentials
            .insert(NewCredential {
                email: "ann@example.com".into(),
                password_hash: hash.clone(),
            })
            .await
            .unwrap();
        let read = credentials.find_or_fail(stored.id).await.unwrap();
        assert_eq!(read.password_hash, hash, "written and read as PHC text");
        assert!(matches!(
            passwords
                .verify("correct horse", Some(&read.password_hash))
                .await
                .unwrap(),
            Check::Valid {
                needs_rehash: false
            }
        ));
        let json = serde_json::to_value(&read).unwrap();
        assert!(json.get("password_hash").is_none(), "{json}");
        assert_eq!(
            format!("{read:?}").matches("redacted").count(),
            1,
            "{read:?}"
        );

        // Factories give a hash of `password`, at parameters to rehash.
        let made = Credential::factory()
            .create_one(&credentials)
            .await
            .unwrap();
        assert_eq!(
            passwords
                .verify("password", Some(&made.password_hash))
                .await
                .unwrap(),
            Check::Valid { needs_rehash: true }
        );

        // A stored value that is not PHC text fails the read, loudly.
        let database = booted.container().get::<elif::data::Database>().unwrap();
        let mut conn = database.connection().await.unwrap();
        elif::with_connection!(conn, |c| elif::data::diesel_async::RunQueryDsl::execute(
            elif::data::diesel::sql_query("UPDATE credentials SET password_hash = 'plain text'"),
            c
        )
        .await)
        .unwrap();
        drop(conn);
        let error = credentials.find(stored.id).await.err().unwrap();
        assert_eq!(error.status(), 500, "{error:?}");
        assert!(!format!("{error:?}").contains("plain text"), "{error:?}");
        drop(booted);
        db.cleanup().await;
    }
}
