//! The database benchmark's baseline: the same endpoints on actix-web with
//! diesel-async and a bb8 pool directly (the driver and pool elif uses),
//! answering the same responses as `elif-db`. The backend is chosen from
//! `DATABASE_URL` at start; each handler matches on it. The tables are
//! created and seeded by `elif-db`.

use std::collections::HashMap;

use actix_web::{App, HttpResponse, HttpServer, web};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::pooled_connection::bb8::Pool;
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;

/// The tables `elif-db` created (private: not documented item by item).
mod schema {
    diesel::table! {
        authors (id) {
            id -> BigInt,
            name -> Text,
        }
    }

    diesel::table! {
        posts (id) {
            id -> BigInt,
            author_id -> BigInt,
            title -> Text,
            body -> Text,
        }
    }
}

use schema::{authors, posts};

#[derive(Queryable, Selectable, Serialize, Clone)]
#[diesel(table_name = authors)]
struct Author {
    id: i64,
    name: String,
}

#[derive(Queryable, Selectable, Serialize)]
#[diesel(table_name = posts)]
struct Post {
    id: i64,
    author_id: i64,
    title: String,
    body: String,
}

#[derive(Serialize)]
struct PostWithAuthor {
    #[serde(flatten)]
    post: Post,
    author: Author,
}

type Sqlite = SyncConnectionWrapper<SqliteConnection>;

enum Pools {
    Sqlite(Pool<Sqlite>),
    Postgres(Pool<AsyncPgConnection>),
}

fn json<T: Serialize>(value: &T) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(serde_json::to_vec(value).unwrap_or_default())
}

fn not_found(id: i64) -> HttpResponse {
    HttpResponse::NotFound().body(format!("post {id} does not exist"))
}

fn unavailable(error: impl std::fmt::Display) -> HttpResponse {
    HttpResponse::ServiceUnavailable().body(error.to_string())
}

/// Runs `$body` with `$c` a connection of whichever pool is live (one
/// copy per backend), or answers 503 when none comes.
macro_rules! with_pool {
    ($pools:expr, |$c:ident| $body:expr) => {
        match $pools {
            Pools::Sqlite(pool) => match pool.get().await {
                Ok(mut conn) => {
                    let $c = &mut *conn;
                    $body
                }
                Err(e) => return unavailable(e),
            },
            Pools::Postgres(pool) => match pool.get().await {
                Ok(mut conn) => {
                    let $c = &mut *conn;
                    $body
                }
                Err(e) => return unavailable(e),
            },
        }
    };
}

async fn show(id: web::Path<i64>, pools: web::Data<Pools>) -> HttpResponse {
    let id = id.into_inner();
    let found = with_pool!(pools.get_ref(), |c| posts::table
        .find(id)
        .select(Post::as_select())
        .first(c)
        .await
        .optional());
    match found {
        Ok(Some(post)) => json(&post),
        Ok(None) => not_found(id),
        Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
    }
}

/// The first 20 posts, then their authors in one query.
async fn list(pools: web::Data<Pools>) -> HttpResponse {
    let loaded = with_pool!(pools.get_ref(), |c| {
        match posts::table
            .order(posts::id.asc())
            .limit(20)
            .select(Post::as_select())
            .load(c)
            .await
        {
            Ok(posts) => {
                let mut ids: Vec<i64> = posts.iter().map(|p| p.author_id).collect();
                ids.sort_unstable();
                ids.dedup();
                authors::table
                    .filter(authors::id.eq_any(ids))
                    .select(Author::as_select())
                    .load(c)
                    .await
                    .map(|authors| (posts, authors))
            }
            Err(e) => Err(e),
        }
    });
    match loaded {
        Ok((posts, authors)) => {
            let authors: HashMap<i64, Author> = authors.into_iter().map(|a| (a.id, a)).collect();
            let page: Vec<PostWithAuthor> = posts
                .into_iter()
                .filter_map(|post| {
                    let author = authors.get(&post.author_id)?.clone();
                    Some(PostWithAuthor { post, author })
                })
                .collect();
            json(&page)
        }
        Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let port = elif_benches::port(9001);
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://bench.sqlite3".into());
    let pools = web::Data::new(match url.strip_prefix("sqlite://") {
        Some(path) => Pools::Sqlite(
            Pool::builder()
                .max_size(8)
                .build_unchecked(AsyncDieselConnectionManager::<Sqlite>::new(path)),
        ),
        None => Pools::Postgres(
            Pool::builder()
                .max_size(8)
                .build_unchecked(AsyncDieselConnectionManager::<AsyncPgConnection>::new(url)),
        ),
    });
    HttpServer::new(move || {
        App::new()
            .app_data(pools.clone())
            .wrap_fn(elif_benches::add_request_id)
            .route("/posts/{id}", web::get().to(show))
            .route("/posts", web::get().to(list))
    })
    .workers(1)
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
