//! The benchmark's baseline: the endpoints written directly on actix-web,
//! producing the same responses (headers included) as `elif-http`.

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
        .content_type("application/json")
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

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let port = elif_benches::port(9001);
    let greeting = web::Data::new("hello".to_owned());
    HttpServer::new(move || {
        App::new()
            .app_data(greeting.clone())
            .app_data(web::JsonConfig::default().limit(256 * 1024))
            .wrap_fn(elif_benches::add_request_id)
            .route("/plaintext", web::get().to(plaintext))
            .route("/json", web::get().to(message))
            .route("/users/{id}", web::get().to(user))
            .route("/users", web::post().to(create))
    })
    .workers(1)
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
