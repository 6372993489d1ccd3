//! The benchmark's baseline: the endpoints written directly on actix-web,
//! producing the same responses (headers included) as `elif-http`.
//! `RAW_STACK` picks the middleware: `defaults` (default: request ids and
//! elif's security headers), `bare` (none) or `access-log` (the defaults
//! and one `tracing` line per request).

use actix_web::http::header::HeaderValue;
use actix_web::{App, HttpResponse, HttpServer, web};
use elif_benches::{Accepted, Detail, Message, User};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct NewUser {
    name: String,
    email: String,
    bio: String,
    tags: Vec<String>,
}

fn json<T: Serialize>(status: actix_web::http::StatusCode, value: &T) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("application/json; charset=utf-8")
        .body(serde_json::to_vec(value).unwrap_or_default())
}

async fn plaintext() -> &'static str {
    "Hello, World!"
}

async fn message() -> HttpResponse {
    json(
        actix_web::http::StatusCode::OK,
        &Message {
            message: "Hello, World!",
        },
    )
}

async fn user(
    id: web::Path<u64>,
    query: web::Query<Detail>,
    greeting: web::Data<String>,
) -> HttpResponse {
    let user = User {
        id: id.into_inner(),
        detail: query.into_inner().detail,
        greeting: greeting.get_ref().clone(),
    };
    json(actix_web::http::StatusCode::OK, &user)
}

async fn create(body: web::Json<NewUser>) -> HttpResponse {
    let user = body.into_inner();
    let valid = (1..=100).contains(&user.name.chars().count())
        && user.email.contains('@')
        && user.bio.chars().count() <= 2000
        && user.tags.len() <= 10;
    if !valid {
        return HttpResponse::UnprocessableEntity().finish();
    }
    let accepted = Accepted {
        name: user.name,
        bio_length: user.bio.chars().count(),
        tags: user.tags.len(),
    };
    let mut response = json(actix_web::http::StatusCode::CREATED, &accepted);
    response.headers_mut().insert(
        actix_web::http::header::LOCATION,
        HeaderValue::from_static("/users/1"),
    );
    response
}

/// Which middleware the raw server runs, from `RAW_STACK`: `defaults`
/// (default: the same `X-Request-Id` and security headers elif sets),
/// `bare` (no middleware at all, the floor elif is measured against), or
/// `access-log` (the defaults and one `tracing` line per request, as elif's
/// opt-in access log writes).
#[derive(Clone, Copy, PartialEq)]
enum Stack {
    Bare,
    Defaults,
    AccessLog,
}

fn stack() -> Stack {
    match std::env::var("RAW_STACK").as_deref() {
        Ok("bare") => Stack::Bare,
        Ok("access-log") => Stack::AccessLog,
        Ok("defaults") | Err(_) => Stack::Defaults,
        Ok(other) => panic!("RAW_STACK={other}: expected bare, defaults or access-log"),
    }
}

fn routes(config: &mut web::ServiceConfig) {
    config
        .app_data(web::Data::new("hello".to_owned()))
        .app_data(web::JsonConfig::default().limit(256 * 1024))
        .route("/plaintext", web::get().to(plaintext))
        .route("/json", web::get().to(message))
        .route("/users/{id}", web::get().to(user))
        .route("/users", web::post().to(create));
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let address = ("127.0.0.1", elif_benches::port(9001));
    // One server per stack, so that each runs exactly its own middleware.
    match stack() {
        Stack::Bare => {
            HttpServer::new(|| App::new().configure(routes))
                .workers(1)
                .bind(address)?
                .run()
                .await
        }
        Stack::Defaults => {
            HttpServer::new(|| {
                App::new()
                    .wrap_fn(elif_benches::add_default_headers)
                    .configure(routes)
            })
            .workers(1)
            .bind(address)?
            .run()
            .await
        }
        Stack::AccessLog => {
            elif_benches::init_access_logging();
            HttpServer::new(|| {
                App::new()
                    // The last `wrap` is the outermost: the access log sees the id.
                    .wrap_fn(elif_benches::add_default_headers)
                    .wrap_fn(elif_benches::log_access)
                    .configure(routes)
            })
            .workers(1)
            .bind(address)?
            .run()
            .await
        }
    }
}
