//! The example blog through `TestApp`: reads, guarded writes, the public
//! contact form, and its bad inputs.

#![allow(clippy::unwrap_used)]

use elif::http::Method;
use elif::prelude::*;
use elif::testing::TestApp;
use serde_json::{Value, json};

async fn blog(token: Option<&str>) -> TestApp {
    let mut app = App::new().module(example_blog::AppModule).without_env();
    if let Some(token) = token {
        app = app.config("auth.token", token);
    }
    TestApp::start(app).await.unwrap()
}

#[elif::test]
async fn home_and_posts() {
    let app = blog(None).await;
    let home: Value = app.get("/").await.json();
    assert_eq!(home["title"], "The elif blog");
    let page: Value = app.get("/posts").await.json();
    assert_eq!(page["items"][0]["title"], "Hello, elif");
    assert_eq!(page["total"], 1);
    let post: Value = app.get("/posts/1").await.json();
    assert_eq!(post["author"], "elif");
    let missing = app.get("/posts/99").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.json::<Value>()["code"], "POST_NOT_FOUND");
    assert_eq!(app.get("/posts/abc").await.status(), 400);
}

#[elif::test]
async fn writes_need_the_configured_token() {
    let closed = blog(None).await;
    let response = closed
        .post_json("/posts", &json!({ "title": "x", "body": "y" }))
        .await;
    assert_eq!(response.status(), 403);
    assert_eq!(response.json::<Value>()["code"], "WRITES_DISABLED");

    let app = blog(Some("s3cret")).await;
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
            &json!({ "title": "Second", "body": "More." }),
        )
        .await;
    assert_eq!(created.status(), 201);
    assert_eq!(created.header("location"), Some("/posts/2"));
    assert_eq!(created.json::<Value>()["author"], "editor");
    let invalid = app
        .send_json(
            write(Method::POST, "/posts"),
            &json!({ "title": "", "body": "b", "draft": true }),
        )
        .await;
    assert_eq!(invalid.status(), 422);
    assert_eq!(
        invalid.json::<Value>()["errors"].as_array().unwrap().len(),
        2
    );
    assert_eq!(
        app.send(write(Method::DELETE, "/posts/2")).await.status(),
        204
    );
    assert_eq!(
        app.send(write(Method::DELETE, "/posts/2")).await.status(),
        404
    );
}

#[elif::test]
async fn the_contact_form_validates_every_field() {
    let app = blog(None).await;
    let sent = app
        .post_json(
            "/contact",
            &json!({ "name": "Ada", "email": "ada@example.com", "message": "Hello there, blog!" }),
        )
        .await;
    assert_eq!(sent.status(), 201);
    assert_eq!(sent.json::<Value>()["received"], 1);
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
}

#[elif::test]
async fn production_mode_starts_without_secrets() {
    let app = TestApp::start(
        App::new()
            .module(example_blog::AppModule)
            .without_env()
            .config("app.env", "production"),
    )
    .await
    .unwrap();
    assert_eq!(app.get("/health").await.status(), 200);
}
