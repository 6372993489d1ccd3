//! The authentication benchmark's baseline: `GET /me` on actix-web, doing
//! by hand what elif-auth's guard does, with the same crates: the
//! `Authorization` header's scheme in any case, the JWT verified with
//! `jsonwebtoken` (HS256 pinned, `exp` required, 30 s of leeway, the `kid`
//! checked against the key's), or the session cookie's id hashed with
//! SHA-256, read from Redis through a `ConnectionManager`, its timeouts
//! checked and its last-seen time written back with the same expiry.
//! Responses are the same as `elif-auth`'s, headers included.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_web::http::header;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use elif_benches::{AUTH_SECRET, Me, SESSION_PREFIX};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use sha2::Digest;

#[derive(Deserialize)]
struct Claims {
    sub: String,
}

#[derive(Serialize, Deserialize)]
struct Session {
    subject: String,
    started_at: i64,
    seen_at: i64,
}

struct State {
    key: DecodingKey,
    kid: String,
    validation: Validation,
    redis: redis::aio::ConnectionManager,
    cookie: String,
}

const IDLE: i64 = 1800;
const ABSOLUTE: i64 = 43_200;

fn unauthorized() -> HttpResponse {
    HttpResponse::Unauthorized().finish()
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

async fn me(request: HttpRequest, state: web::Data<State>) -> HttpResponse {
    let subject = if let Some(value) = request.headers().get(header::AUTHORIZATION) {
        let Some(token) = value.to_str().ok().and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim_start())
        }) else {
            return unauthorized();
        };
        let Ok(header) = jsonwebtoken::decode_header(token) else {
            return unauthorized();
        };
        if header.alg != Algorithm::HS256 || header.kid.as_deref() != Some(state.kid.as_str()) {
            return unauthorized();
        }
        match jsonwebtoken::decode::<Claims>(token, &state.key, &state.validation) {
            Ok(data) => data.claims.sub,
            Err(_) => return unauthorized(),
        }
    } else {
        let id = request
            .headers()
            .get_all(header::COOKIE)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == state.cookie)
            .map(|(_, value)| value.to_owned());
        let Some(id) = id else {
            return unauthorized();
        };
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let digest = sha2::Sha256::digest(id.as_bytes());
        let mut key = String::with_capacity(SESSION_PREFIX.len() + 64);
        key.push_str(SESSION_PREFIX);
        for byte in digest {
            key.push(char::from(HEX[usize::from(byte >> 4)]));
            key.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
        let mut redis = state.redis.clone();
        let stored: Option<String> =
            match tokio_timeout(redis::cmd("GET").arg(&key).query_async(&mut redis)).await {
                Some(Ok(stored)) => stored,
                _ => return HttpResponse::ServiceUnavailable().finish(),
            };
        let Some(mut session) = stored.and_then(|s| serde_json::from_str::<Session>(&s).ok())
        else {
            return unauthorized();
        };
        let now = now();
        if now - session.seen_at > IDLE || now - session.started_at > ABSOLUTE {
            return unauthorized();
        }
        session.seen_at = now;
        let left = (session.started_at + ABSOLUTE - now).clamp(0, IDLE) + 60;
        let text = serde_json::to_string(&session).unwrap_or_default();
        let saved = tokio_timeout(
            redis::cmd("SET")
                .arg(&key)
                .arg(text)
                .arg("EX")
                .arg(left)
                .query_async::<()>(&mut redis),
        )
        .await;
        if !matches!(saved, Some(Ok(()))) {
            return HttpResponse::ServiceUnavailable().finish();
        }
        session.subject
    };
    // An authenticated answer: not stored by caches, as elif marks it.
    HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(serde_json::to_vec(&Me { subject }).unwrap_or_default())
}

/// The store's answer within 500 ms, as elif's `store_timeout_ms`.
async fn tokio_timeout<F: std::future::Future>(future: F) -> Option<F::Output> {
    actix_web::rt::time::timeout(Duration::from_millis(500), future)
        .await
        .ok()
}

async fn health() -> HttpResponse {
    HttpResponse::Ok().finish()
}

/// The `kid` elif-auth gives a secret: the first 8 bytes of a SHA-256
/// over a fixed label and the secret, in hex.
fn kid(secret: &[u8]) -> String {
    let digest = sha2::Sha256::new()
        .chain_update(b"elif-auth kid\0")
        .chain_update(secret)
        .finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let client = redis::Client::open(url).map_err(std::io::Error::other)?;
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_millis(500)))
        .set_response_timeout(Some(Duration::from_millis(500)));
    let redis = redis::aio::ConnectionManager::new_with_config(client, config)
        .await
        .map_err(std::io::Error::other)?;
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 30;
    validation.set_required_spec_claims(&["exp", "sub"]);
    let state = web::Data::new(State {
        key: DecodingKey::from_secret(AUTH_SECRET.as_bytes()).map_err(std::io::Error::other)?,
        kid: kid(AUTH_SECRET.as_bytes()),
        validation,
        redis,
        cookie: "__Host-session".to_owned(),
    });
    HttpServer::new(move || {
        App::new()
            .wrap_fn(elif_benches::add_default_headers)
            .app_data(state.clone())
            .route("/me", web::get().to(me))
            .route("/health", web::get().to(health))
    })
    .workers(1)
    .bind(("127.0.0.1", elif_benches::port(9001)))?
    .run()
    .await
}
