//! JSON Web Tokens through a booted app: what is issued verifies, and each
//! token an attacker or a clock can produce is refused with its own code.

#![allow(missing_docs, clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use elif::prelude::*;
use elif::time::TestClock;
use elif_auth::{AuthModule, Claims, Jwt, NoClaims, TokenError};
use serde_json::{Value, json};

const SECRET: &str = "an HS256 secret of at least thirty-two bytes";
const OLD_SECRET: &str = "the previous secret, also thirty-two bytes or more";

#[module(imports(AuthModule), exports(AuthModule))]
struct TestModule;

async fn boot(settings: Value, clock: &Arc<TestClock>) -> elif::Result<elif::Booted> {
    let mut app = App::new()
        .module(TestModule)
        .without_env()
        .provide::<dyn elif_auth::Principals>(elif_auth::testing::no_principals())
        .override_with::<dyn Clock>(clock.clone())
        .config("security.allowed_hosts", ["127.0.0.1"]);
    for (key, value) in settings.as_object().unwrap() {
        match key.as_str() {
            "env" => app = app.config("app.env", value),
            _ => app = app.config(&format!("auth.jwt.{key}"), value),
        }
    }
    app.boot().await
}

async fn jwt(settings: Value, clock: &Arc<TestClock>) -> Arc<Jwt> {
    let booted = boot(settings, clock).await.unwrap();
    booted.container().get::<Jwt>().unwrap()
}

fn clock() -> Arc<TestClock> {
    Arc::new(TestClock::at("2026-12-04T12:00:00Z"))
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A token with `header` and `claims`, its signature HS256 under `secret`.
fn forged(header: &Value, claims: &Value, secret: &[u8]) -> String {
    use sha2::Digest;
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    // HMAC-SHA256 by its definition (RFC 2104), so the test needs no
    // second implementation of what it checks.
    let mut key = secret.to_vec();
    if key.len() > 64 {
        key = sha2::Sha256::digest(&key).to_vec();
    }
    key.resize(64, 0);
    let pad = |byte: u8| key.iter().map(|k| k ^ byte).collect::<Vec<u8>>();
    let inner = sha2::Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(input.as_bytes())
        .finalize();
    let outer = sha2::Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    format!("{input}.{}", b64(&outer))
}

fn header_of(token: &str) -> Value {
    let part = token.split('.').next().unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap(),
    )
    .unwrap()
}

fn claims_of(token: &str) -> Value {
    let part = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap(),
    )
    .unwrap()
}

#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Role {
    role: String,
}

#[elif::test]
async fn an_issued_token_verifies_with_its_claims() {
    let clock = clock();
    let jwt = jwt(json!({"secrets": [SECRET]}), &clock).await;
    let token = jwt
        .issue(
            "42",
            Role {
                role: "admin".into(),
            },
        )
        .unwrap();
    let claims: Claims<Role> = jwt.verify(&token).unwrap();
    assert_eq!(claims.sub, "42");
    assert_eq!(
        claims.custom,
        Role {
            role: "admin".into()
        }
    );
    let now = clock.now().timestamp();
    assert_eq!((claims.iat, claims.exp), (now, now + 900));
    assert_eq!(claims.jti.len(), 32, "128 random bits");
    let header = header_of(&token);
    assert_eq!(header["alg"], "HS256");
    assert_eq!(header["kid"].as_str().unwrap().len(), 16);
    let other = jwt.issue("42", NoClaims {}).unwrap();
    assert_ne!(claims_of(&other)["jti"], claims_of(&token)["jti"]);
}

#[elif::test]
async fn alg_none_and_algorithm_confusion_are_refused() {
    let clock = clock();
    let jwt = jwt(json!({"secrets": [SECRET]}), &clock).await;
    let token = jwt.issue("42", NoClaims {}).unwrap();
    let claims = claims_of(&token);
    let kid = header_of(&token)["kid"].clone();

    let none = format!(
        "{}.{}.",
        b64(json!({"alg": "none", "typ": "JWT"}).to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    assert_eq!(jwt.verify::<NoClaims>(&none), Err(TokenError::Algorithm));
    let none_upper = none.replacen(
        &b64(json!({"alg": "none", "typ": "JWT"}).to_string().as_bytes()),
        &b64(json!({"alg": "None"}).to_string().as_bytes()),
        1,
    );
    assert_eq!(
        jwt.verify::<NoClaims>(&none_upper),
        Err(TokenError::Algorithm)
    );

    // HS384 with the right secret is still another algorithm.
    let hs384 = json!({"alg": "HS384", "kid": kid});
    assert_eq!(
        jwt.verify::<NoClaims>(&forged(&hs384, &claims, SECRET.as_bytes())),
        Err(TokenError::Algorithm)
    );

    // RS/HS confusion: an EdDSA app's public key used as an HS256 secret.
    let ed = jwt_ed(&clock, &["ed25519"]).await;
    let ed_token = ed.issue("42", NoClaims {}).unwrap();
    let public = std::fs::read(key("ed25519.pub.pem")).unwrap();
    let confused = forged(
        &json!({"alg": "HS256", "kid": header_of(&ed_token)["kid"]}),
        &claims_of(&ed_token),
        &public,
    );
    assert_eq!(ed.verify::<NoClaims>(&confused), Err(TokenError::Algorithm));
    assert!(ed.verify::<NoClaims>(&ed_token).is_ok());
}

#[elif::test]
async fn tampered_foreign_and_garbled_tokens_are_refused() {
    let clock = clock();
    let jwt = jwt(json!({"secrets": [SECRET]}), &clock).await;
    let token = jwt.issue("42", NoClaims {}).unwrap();
    let header = header_of(&token);

    // Another subject under the same header and signature.
    let mut claims = claims_of(&token);
    claims["sub"] = json!("1");
    let parts: Vec<&str> = token.split('.').collect();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        b64(claims.to_string().as_bytes()),
        parts[2]
    );
    assert_eq!(
        jwt.verify::<NoClaims>(&tampered),
        Err(TokenError::Signature)
    );

    // Signed with another secret under our kid; a `jku` is never followed.
    let mut with_jku = header.clone();
    with_jku["jku"] = json!("http://127.0.0.1:9/keys.json");
    let foreign = forged(
        &with_jku,
        &claims_of(&token),
        b"an attacker's secret of 32 bytes!!",
    );
    assert_eq!(jwt.verify::<NoClaims>(&foreign), Err(TokenError::Signature));

    // A kid this app does not have, and none at all.
    let unknown = forged(
        &json!({"alg": "HS256", "kid": "0000000000000000"}),
        &claims_of(&token),
        SECRET.as_bytes(),
    );
    assert_eq!(
        jwt.verify::<NoClaims>(&unknown),
        Err(TokenError::UnknownKey)
    );
    let no_kid = forged(
        &json!({"alg": "HS256"}),
        &claims_of(&token),
        SECRET.as_bytes(),
    );
    assert_eq!(jwt.verify::<NoClaims>(&no_kid), Err(TokenError::UnknownKey));

    for garbled in ["", "abc", "a.b.c", "..", &format!("{token}.x")] {
        assert_eq!(
            jwt.verify::<NoClaims>(garbled),
            Err(TokenError::Malformed),
            "{garbled:?}"
        );
    }
    // Claims without `exp` are not ours.
    let no_exp = forged(
        &header,
        &json!({"sub": "1", "iat": 0, "jti": "x"}),
        SECRET.as_bytes(),
    );
    assert_eq!(jwt.verify::<NoClaims>(&no_exp), Err(TokenError::Malformed));
}

#[elif::test]
async fn expiry_and_not_before_follow_the_app_s_clock_with_leeway() {
    let clock = clock();
    let jwt = jwt(json!({"secrets": [SECRET], "ttl_secs": 60}), &clock).await;
    let token = jwt.issue("42", NoClaims {}).unwrap();
    clock.advance(Duration::from_secs(60 + 29));
    assert!(
        jwt.verify::<NoClaims>(&token).is_ok(),
        "within the 30 s leeway"
    );
    clock.advance(Duration::from_secs(1));
    assert_eq!(jwt.verify::<NoClaims>(&token), Err(TokenError::Expired));

    let now = clock.now().timestamp();
    let mut claims: Claims = jwt.verify(&jwt.issue("42", NoClaims {}).unwrap()).unwrap();
    claims.nbf = Some(now + 31);
    let early = jwt.sign(&claims).unwrap();
    assert_eq!(jwt.verify::<NoClaims>(&early), Err(TokenError::NotYetValid));
    clock.advance(Duration::from_secs(1));
    assert!(jwt.verify::<NoClaims>(&early).is_ok());
}

#[elif::test]
async fn issuer_and_audience_are_checked_when_configured() {
    let clock = clock();
    let settings = |aud: &str| json!({"secrets": [SECRET], "issuer": "elif", "audience": aud});
    let web = jwt(settings("web"), &clock).await;
    let admin = jwt(settings("admin"), &clock).await;
    let open = jwt(json!({"secrets": [SECRET]}), &clock).await;
    let token = web.issue("42", NoClaims {}).unwrap();
    assert_eq!(claims_of(&token)["aud"], "web");
    assert!(web.verify::<NoClaims>(&token).is_ok());
    assert_eq!(admin.verify::<NoClaims>(&token), Err(TokenError::Audience));
    // An app that names no audience takes any, but one that does refuses
    // a token without.
    assert!(open.verify::<NoClaims>(&token).is_ok());
    let bare = open.issue("42", NoClaims {}).unwrap();
    assert_eq!(web.verify::<NoClaims>(&bare), Err(TokenError::Audience));
}

#[elif::test]
async fn keys_rotate_the_first_signs_and_all_verify() {
    let clock = clock();
    let old = jwt(json!({"secrets": [OLD_SECRET]}), &clock).await;
    let rotated = jwt(json!({"secrets": [SECRET, OLD_SECRET]}), &clock).await;
    let new_only = jwt(json!({"secrets": [SECRET]}), &clock).await;
    let before = old.issue("42", NoClaims {}).unwrap();
    assert!(rotated.verify::<NoClaims>(&before).is_ok());
    let after = rotated.issue("42", NoClaims {}).unwrap();
    assert_ne!(header_of(&after)["kid"], header_of(&before)["kid"]);
    assert!(new_only.verify::<NoClaims>(&after).is_ok());
    assert_eq!(
        new_only.verify::<NoClaims>(&before),
        Err(TokenError::UnknownKey)
    );

    // The same with EdDSA key pairs.
    let ed_old = jwt_ed(&clock, &["ed25519-old"]).await;
    let ed_rotated = jwt_ed(&clock, &["ed25519", "ed25519-old"]).await;
    let token = ed_old.issue("7", NoClaims {}).unwrap();
    assert_eq!(header_of(&token)["alg"], "EdDSA");
    assert!(ed_rotated.verify::<NoClaims>(&token).is_ok());
    assert!(
        ed_old
            .verify::<NoClaims>(&ed_rotated.issue("7", NoClaims {}).unwrap())
            .is_err()
    );
}

#[elif::test]
async fn a_missing_or_short_secret_stops_the_boot_with_the_fix() {
    let clock = clock();
    let development = boot(json!({}), &clock)
        .await
        .expect("development makes a secret");
    let jwt = development.container().get::<Jwt>().unwrap();
    let token = jwt.issue("42", NoClaims {}).unwrap();
    assert_eq!(jwt.verify::<NoClaims>(&token).unwrap().sub, "42");
    let other = boot(json!({}), &clock).await.unwrap();
    let other = other.container().get::<Jwt>().unwrap();
    assert_eq!(
        other.verify::<NoClaims>(&token).unwrap_err(),
        TokenError::UnknownKey,
        "each process makes its own"
    );
    for (settings, expected) in [
        (json!({"env": "production"}), "HS256 needs a secret"),
        (
            json!({"secrets": ["short"]}),
            "has 5 bytes; HS256 needs at least 32",
        ),
        (json!({"algorithm": "EdDSA"}), "EdDSA needs key pairs"),
        (json!({"algorithm": "HS512"}), "not an accepted algorithm"),
    ] {
        let Err(error) = boot(settings.clone(), &clock).await else {
            panic!("{settings} booted");
        };
        let report = format!("{:?}", error.boot_report().expect("a boot report"));
        assert!(report.contains(expected), "{settings}: {report}");
        assert!(
            !report.contains("short\""),
            "a secret never shows: {report}"
        );
    }
}

fn key(name: &str) -> String {
    format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR"))
}

async fn jwt_ed(clock: &Arc<TestClock>, names: &[&str]) -> Arc<Jwt> {
    let private: Vec<String> = names.iter().map(|n| key(&format!("{n}.pem"))).collect();
    let public: Vec<String> = names.iter().map(|n| key(&format!("{n}.pub.pem"))).collect();
    jwt(
        json!({"algorithm": "EdDSA", "private_keys": private, "public_keys": public}),
        clock,
    )
    .await
}

#[elif::test]
async fn the_public_keys_are_served_as_a_jwk_set_and_verify_the_tokens() {
    let names = ["ed25519", "ed25519-old"];
    let private: Vec<String> = names.iter().map(|n| key(&format!("{n}.pem"))).collect();
    let public: Vec<String> = names.iter().map(|n| key(&format!("{n}.pub.pem"))).collect();
    let app = elif::testing::TestApp::start(
        App::new()
            .module(TestModule)
            .without_env()
            .provide::<dyn elif_auth::Principals>(elif_auth::testing::no_principals())
            .config("auth.jwt.algorithm", "EdDSA")
            .config("auth.jwt.private_keys", private)
            .config("auth.jwt.public_keys", public),
    )
    .await
    .unwrap();
    let response = app.get("/.well-known/jwks.json").await;
    assert_eq!(response.status(), 200, "{}", response.text());
    assert_eq!(
        response.header("content-type"),
        Some("application/jwk-set+json")
    );
    let set: jsonwebtoken::jwk::JwkSet = serde_json::from_str(&response.text()).unwrap();
    assert_eq!(set.keys.len(), 2, "every key that verifies");
    let body: Value = response.json();
    assert_eq!(body["keys"][0]["kty"], "OKP");
    assert_eq!(body["keys"][0]["crv"], "Ed25519");
    assert!(
        body["keys"][0].get("d").is_none(),
        "no private part: {body}"
    );

    let jwt = app.container().get::<Jwt>().unwrap();
    let token = jwt.issue("42", NoClaims {}).unwrap();
    let kid = jsonwebtoken::decode_header(&token).unwrap().kid.unwrap();
    let jwk = set
        .find(&kid)
        .expect("the signing key is listed by its kid");
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    validation.validate_exp = false;
    let claims = jsonwebtoken::decode::<Value>(&token, &key, &validation).unwrap();
    assert_eq!(
        claims.claims["sub"], "42",
        "another service verifies with the set"
    );
    app.stop().await;

    let hs = elif::testing::TestApp::start(
        App::new()
            .module(TestModule)
            .without_env()
            .provide::<dyn elif_auth::Principals>(elif_auth::testing::no_principals())
            .config("auth.jwt.secrets", [SECRET]),
    )
    .await
    .unwrap();
    let none = hs.get("/.well-known/jwks.json").await;
    assert_eq!(none.status(), 404);
    assert_eq!(none.json::<Value>()["code"], "JWKS_NOT_AVAILABLE");
    assert!(!none.text().contains(SECRET));
    hs.stop().await;
}
