//! The example blog through `TestApp`, on SQLite and on PostgreSQL (a
//! database of each test's own): reads with their relations, guarded and
//! atomic writes, comments, the public contact form, and their bad inputs.

#![allow(clippy::unwrap_used)]

use elif::http::Method;
use elif::prelude::*;
use elif::testing::{TestApp, TestDatabase};
use serde_json::{Value, json};

async fn blog(db: &TestDatabase, token: Option<&str>) -> TestApp {
    let mut app = App::new()
        .module(example_blog::AppModule)
        .migrations(example_blog::MIGRATIONS)
        .without_env()
        .config("database.url", db.url());
    if let Some(token) = token {
        app = app.config("auth.token", token);
    }
    TestApp::start(app).await.unwrap()
}

#[elif::test]
async fn the_seeded_post_with_its_author_comments_and_tags() {
    for db in TestDatabase::both("blog_read").await {
        let app = blog(&db, None).await;
        let home: Value = app.get("/").await.json();
        assert_eq!(home["title"], "The elif blog");
        let page: Value = app.get("/posts").await.json();
        assert_eq!(page["items"][0]["title"], "Hello, elif");
        assert_eq!(page["items"][0]["author"]["name"], "elif");
        assert!(
            page["items"][0].get("comments").is_none(),
            "not loaded for lists"
        );
        assert_eq!(page["total"], 1);
        let post: Value = app.get("/posts/1").await.json();
        assert_eq!(
            post["tags"],
            json!([{ "id": 1, "name": "elif" }, { "id": 2, "name": "rust" }])
        );
        assert_eq!(post["comments"], json!([]));
        let tags: Value = app.get("/tags").await.json();
        assert_eq!(tags.as_array().unwrap().len(), 2);
        let missing = app.get("/posts/99").await;
        assert_eq!(missing.status(), 404);
        assert_eq!(missing.json::<Value>()["code"], "POST_NOT_FOUND");
        assert_eq!(app.get("/posts/abc").await.status(), 400);
        app.stop().await;
        db.cleanup().await;
    }
}

#[elif::test]
async fn writes_need_the_configured_token_and_are_atomic() {
    for db in TestDatabase::both("blog_write").await {
        let closed = blog(&db, None).await;
        let response = closed
            .post_json("/posts", &json!({ "title": "x", "body": "y" }))
            .await;
        assert_eq!(response.status(), 403);
        assert_eq!(response.json::<Value>()["code"], "WRITES_DISABLED");
        closed.stop().await;

        let app = blog(&db, Some("s3cret")).await;
        assert_eq!(
            app.post_json("/posts", &json!({ "title": "x", "body": "y" }))
                .await
                .status(),
            401
        );
        let write = |method: Method, path: &str| {
            app.request(method, path)
                .insert_header(("authorization", "Bearer s3cret"))
        };
        let created = app
            .send_json(
                write(Method::POST, "/posts"),
                &json!({ "title": "Second", "body": "More.", "tags": ["rust", "news"] }),
            )
            .await;
        assert_eq!(created.status(), 201, "{}", created.text());
        assert_eq!(created.header("location"), Some("/posts/2"));
        let post: Value = created.json();
        assert_eq!(post["author"]["name"], "editor");
        assert_eq!(post["tags"][1]["name"], "news");

        let invalid = app
            .send_json(
                write(Method::POST, "/posts"),
                &json!({ "title": "", "body": "" }),
            )
            .await;
        assert_eq!(invalid.status(), 422);
        assert_eq!(
            invalid.json::<Value>()["errors"].as_array().unwrap().len(),
            2
        );
        let sneaky = app
            .send_json(
                write(Method::POST, "/posts"),
                &json!({ "title": "t", "body": "b", "author_id": 1 }),
            )
            .await;
        assert_eq!(
            sneaky.status(),
            400,
            "no mass assignment: {}",
            sneaky.text()
        );

        // The second tag breaks the table's CHECK: the whole request is
        // rolled back, post included.
        let half = app
            .send_json(
                write(Method::POST, "/posts"),
                &json!({ "title": "Half", "body": "b", "tags": ["fine", ""] }),
            )
            .await;
        assert_eq!(half.status(), 422, "{}", half.text());
        assert_eq!(half.json::<Value>()["code"], "CONSTRAINT_VIOLATION");
        let page: Value = app.get("/posts").await.json();
        assert_eq!(page["total"], 2, "nothing of the failed request remains");
        let tags: Value = app.get("/tags").await.json();
        assert!(!tags.to_string().contains("fine"), "{tags}");

        let renamed = app
            .send_json(
                write(Method::PATCH, "/posts/2"),
                &json!({ "title": "Renamed" }),
            )
            .await;
        assert_eq!(renamed.status(), 200, "{}", renamed.text());
        assert_eq!(renamed.json::<Value>()["title"], "Renamed");
        assert_eq!(renamed.json::<Value>()["body"], "More.");
        assert_eq!(
            app.send(write(Method::DELETE, "/posts/2")).await.status(),
            204
        );
        assert_eq!(
            app.send(write(Method::DELETE, "/posts/2")).await.status(),
            404
        );
        app.stop().await;
        db.cleanup().await;
    }
}

#[elif::test]
async fn anyone_may_comment_with_valid_fields() {
    let db = TestDatabase::sqlite("blog_comment");
    let app = blog(&db, None).await;
    let sent = app
        .post_json(
            "/posts/1/comments",
            &json!({ "name": "Ada", "body": "Nice!" }),
        )
        .await;
    assert_eq!(sent.status(), 201, "{}", sent.text());
    let post: Value = app.get("/posts/1").await.json();
    assert_eq!(post["comments"][0]["body"], "Nice!");
    let bad = app
        .post_json("/posts/1/comments", &json!({ "name": "", "body": "" }))
        .await;
    assert_eq!(bad.status(), 422);
    let nowhere = app
        .post_json("/posts/42/comments", &json!({ "name": "Ada", "body": "?" }))
        .await;
    assert_eq!(nowhere.status(), 404);
    app.stop().await;
    db.cleanup().await;
}

#[elif::test]
async fn the_contact_form_validates_every_field_and_keeps_the_email_private() {
    let db = TestDatabase::sqlite("blog_contact");
    let app = blog(&db, None).await;
    let sent = app
        .post_json(
            "/contact",
            &json!({ "name": "Ada", "email": "ada@example.com", "message": "Hello there, blog!" }),
        )
        .await;
    assert_eq!(sent.status(), 201);
    let message: Value = sent.json();
    assert_eq!(message["id"], 1);
    assert!(message.get("email").is_none(), "{message}");
    let bad = app
        .post_json(
            "/contact",
            &json!({ "name": "", "email": "nope", "message": "hi" }),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let problem: Value = bad.json();
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["/name", "/email", "/message"]);
    let malformed = app
        .send_body(
            app.request(Method::POST, "/contact")
                .insert_header(("content-type", "application/json")),
            "{",
        )
        .await;
    assert_eq!(malformed.status(), 400);
    app.stop().await;
    db.cleanup().await;
}

#[elif::test]
async fn production_mode_starts_without_secrets_or_seeding() {
    let db = TestDatabase::sqlite("blog_production");
    let app = TestApp::start(
        App::new()
            .module(example_blog::AppModule)
            .migrations(example_blog::MIGRATIONS)
            .without_env()
            .config("database.url", db.url())
            .config("app.env", "production"),
    )
    .await
    .unwrap();
    assert_eq!(app.get("/health").await.status(), 200);
    app.stop().await;
    db.cleanup().await;
}
