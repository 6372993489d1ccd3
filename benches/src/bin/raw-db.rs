//! The database benchmark's baseline: the same endpoints on actix-web with
//! diesel-async and a bb8 pool directly (the driver and pool elif uses),
//! answering the same responses as `elif-db`. The backend is chosen from
//! `DATABASE_URL` at start; each handler matches on it. The tables are
//! created and seeded by `elif-db`.
//!
//! With `RAW_SHAPE=blog`, `GET /posts/{id}` answers what the example blog
//! (`examples/blog`) answers there instead, from the blog's tables: the post
//! with its author, comments and tags, five queries on one pooled
//! connection, the same JSON byte for byte (`bash benches/run.sh conns`
//! compares the two). Timestamps are read as the text SQLite stores them
//! (SQLite only). `KEEP_ALIVE=<seconds>` sets actix-web's keep-alive
//! (default 5 s), as `server.keep_alive` does for elif.

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

    diesel::allow_tables_to_appear_in_same_query!(authors, posts);
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
struct AuthorWithCount {
    id: i64,
    name: String,
    posts_count: i64,
}

#[derive(Serialize)]
struct PostWithAuthor {
    #[serde(flatten)]
    post: Post,
    author: Author,
}

/// The example blog's tables (`examples/blog/migrations`), for
/// `RAW_SHAPE=blog`.
mod blog {
    diesel::table! {
        authors (id) {
            id -> BigInt,
            name -> Text,
            bio -> Nullable<Text>,
            created_at -> Text,
            updated_at -> Text,
        }
    }

    diesel::table! {
        posts (id) {
            id -> BigInt,
            author_id -> BigInt,
            title -> Text,
            body -> Text,
            created_at -> Text,
            updated_at -> Text,
        }
    }

    diesel::table! {
        comments (id) {
            id -> BigInt,
            post_id -> BigInt,
            name -> Text,
            body -> Text,
            created_at -> Text,
        }
    }

    diesel::table! {
        tags (id) {
            id -> BigInt,
            name -> Text,
        }
    }

    diesel::table! {
        post_tags (id) {
            id -> BigInt,
            post_id -> BigInt,
            tag_id -> BigInt,
        }
    }
}

#[derive(Queryable, Selectable, Serialize)]
#[diesel(table_name = blog::posts)]
struct BlogPost {
    id: i64,
    author_id: i64,
    title: String,
    body: String,
    created_at: String,
    updated_at: String,
}

#[derive(Queryable, Selectable, Serialize)]
#[diesel(table_name = blog::authors)]
struct BlogAuthor {
    id: i64,
    name: String,
    bio: Option<String>,
    created_at: String,
    updated_at: String,
}

#[derive(Queryable, Selectable, Serialize)]
#[diesel(table_name = blog::comments)]
struct BlogComment {
    id: i64,
    post_id: i64,
    name: String,
    body: String,
    created_at: String,
}

#[derive(Queryable, Selectable, Serialize)]
#[diesel(table_name = blog::tags)]
struct BlogTag {
    id: i64,
    name: String,
}

/// A blog post as the example blog shows it.
#[derive(Serialize)]
struct BlogPostShown {
    #[serde(flatten)]
    post: BlogPost,
    author: BlogAuthor,
    comments: Vec<BlogComment>,
    tags: Vec<BlogTag>,
}

type Sqlite = SyncConnectionWrapper<SqliteConnection>;

enum Pools {
    Sqlite(Pool<Sqlite>),
    Postgres(Pool<AsyncPgConnection>),
}

fn json<T: Serialize>(value: &T) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
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

/// The example blog's `GET /posts/{id}` (`RAW_SHAPE=blog`): the post, its
/// author, its comments, its tag links and their tags.
async fn show_blog(id: web::Path<i64>, pools: web::Data<Pools>) -> HttpResponse {
    let id = id.into_inner();
    let found = with_pool!(pools.get_ref(), |c| async {
        let Some(post) = blog::posts::table
            .find(id)
            .select(BlogPost::as_select())
            .first(c)
            .await
            .optional()?
        else {
            return Ok(None);
        };
        let author = blog::authors::table
            .find(post.author_id)
            .select(BlogAuthor::as_select())
            .first(c)
            .await?;
        let comments = blog::comments::table
            .filter(blog::comments::post_id.eq(id))
            .order(blog::comments::id.asc())
            .select(BlogComment::as_select())
            .load(c)
            .await?;
        let tag_ids: Vec<i64> = blog::post_tags::table
            .filter(blog::post_tags::post_id.eq(id))
            .select(blog::post_tags::tag_id)
            .load(c)
            .await?;
        let tags = blog::tags::table
            .filter(blog::tags::id.eq_any(tag_ids))
            .order(blog::tags::id.asc())
            .select(BlogTag::as_select())
            .load(c)
            .await?;
        Ok::<_, diesel::result::Error>(Some(BlogPostShown {
            post,
            author,
            comments,
            tags,
        }))
    }
    .await);
    match found {
        Ok(Some(shown)) => json(&shown),
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

/// The first 20 posts whose author has this name: a correlated `EXISTS`
/// subquery, as elif's `has(Post::author(), ..)` writes it.
async fn by_author(name: web::Path<String>, pools: web::Data<Pools>) -> HttpResponse {
    let name = name.into_inner();
    let loaded = with_pool!(pools.get_ref(), |c| {
        posts::table
            .filter(diesel::dsl::exists(
                authors::table
                    .filter(authors::id.eq(posts::author_id))
                    .filter(authors::name.eq(&name)),
            ))
            .order(posts::id.asc())
            .limit(20)
            .select(Post::as_select())
            .load(c)
            .await
    });
    match loaded {
        Ok(posts) => json(&posts),
        Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
    }
}

/// The first 20 authors, each with how many posts it wrote: the authors,
/// then one grouped count for all of them.
async fn authors_with_counts(pools: web::Data<Pools>) -> HttpResponse {
    let loaded = with_pool!(pools.get_ref(), |c| {
        match authors::table
            .order(authors::id.asc())
            .limit(20)
            .select(Author::as_select())
            .load(c)
            .await
        {
            Ok(authors) => {
                let ids: Vec<i64> = authors.iter().map(|a| a.id).collect();
                posts::table
                    .filter(posts::author_id.eq_any(ids))
                    .group_by(posts::author_id)
                    .select((posts::author_id, diesel::dsl::count_star()))
                    .load::<(i64, i64)>(c)
                    .await
                    .map(|counts| (authors, counts))
            }
            Err(e) => Err(e),
        }
    });
    match loaded {
        Ok((authors, counts)) => {
            let counts: HashMap<i64, i64> = counts.into_iter().collect();
            let page: Vec<AuthorWithCount> = authors
                .into_iter()
                .map(|a| AuthorWithCount {
                    posts_count: counts.get(&a.id).copied().unwrap_or(0),
                    id: a.id,
                    name: a.name,
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
        // As elif's SQLite pools: no `SELECT 1` at each checkout (a local
        // file's handle is not dropped like a network connection).
        Some(path) => Pools::Sqlite(
            Pool::builder()
                .max_size(8)
                .test_on_check_out(false)
                .build_unchecked(AsyncDieselConnectionManager::<Sqlite>::new(path)),
        ),
        None => Pools::Postgres(
            Pool::builder()
                .max_size(8)
                .build_unchecked(AsyncDieselConnectionManager::<AsyncPgConnection>::new(url)),
        ),
    });
    let blog = std::env::var("RAW_SHAPE").is_ok_and(|shape| shape == "blog");
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(pools.clone())
            .wrap_fn(elif_benches::add_default_headers)
            .route(
                "/posts/{id}",
                if blog {
                    web::get().to(show_blog)
                } else {
                    web::get().to(show)
                },
            )
            .route("/posts", web::get().to(list))
            .route("/posts/by/{name}", web::get().to(by_author))
            .route("/authors", web::get().to(authors_with_counts))
    })
    .workers(1);
    if let Some(seconds) = std::env::var("KEEP_ALIVE")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        server = server.keep_alive(std::time::Duration::from_secs(seconds));
    }
    server.bind(("127.0.0.1", port))?.run().await
}
