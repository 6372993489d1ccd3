//! The example blog through `TestApp`, on SQLite and on PostgreSQL (a
//! database of each test's own): reads with their relations, guarded and
//! atomic writes, comments, the public contact form, and their bad inputs.

#![allow(clippy::unwrap_used)]

use elif::http::Method;
use elif::prelude::*;
use elif::testing::{TestApp, TestDatabase};
use serde_json::{Value, json};

async fn blog(db: &TestDatabase) -> TestApp {
    TestApp::start(
        example_blog::app()
            .without_env()
            .config("database.url", db.url()),
    )
    .await
    .unwrap()
}

/// Signs `name` up and logs them in: their bearer token and session cookie.
async fn author(app: &TestApp, name: &str) -> (String, String) {
    let email = format!("{name}@example.com");
    let signed_up = app
        .post_json(
            "/users",
            &json!({ "name": name, "email": email, "password": "correct horse" }),
        )
        .await;
    assert_eq!(signed_up.status(), 201, "{}", signed_up.text());
    let login = app
        .post_json(
            "/login",
            &json!({ "email": email, "password": "correct horse" }),
        )
        .await;
    assert_eq!(login.status(), 200, "{}", login.text());
    assert_eq!(login.header("cache-control"), Some("no-store"));
    let cookie = login
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    (
        login.json::<Value>()["token"].as_str().unwrap().to_owned(),
        cookie,
    )
}

#[elif::test]
async fn the_seeded_post_with_its_author_comments_and_tags() {
    for db in TestDatabase::both("blog_read").await {
        let app = blog(&db).await;
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
async fn authors_sign_up_log_in_and_write_atomically() {
    for db in TestDatabase::both("blog_write").await {
        let app = blog(&db).await;
        let anonymous = app
            .post_json("/posts", &json!({ "title": "x", "body": "y" }))
            .await;
        assert_eq!(anonymous.status(), 401);
        assert_eq!(anonymous.json::<Value>()["code"], "AUTH_REQUIRED");

        let (token, cookie) = author(&app, "ada").await;
        let me: Value = app
            .send(
                app.request(Method::GET, "/me")
                    .insert_header(("authorization", format!("Bearer {token}"))),
            )
            .await
            .json();
        assert_eq!(me["name"], "ada");
        assert!(me.get("password_hash").is_none(), "{me}");
        let write = |method: Method, path: &str| {
            app.request(method, path)
                .insert_header(("authorization", format!("Bearer {token}")))
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
        assert_eq!(post["author"]["name"], "ada");
        assert!(
            post["author"].get("email").is_none() && post["author"].get("password_hash").is_none(),
            "an author's email and password stay private: {post}"
        );
        assert_eq!(post["tags"][1]["name"], "news");
        // A cookie alone does not write: a browser says which page sent
        // the request (CSRF).
        let forged = app
            .send_json(
                app.request(Method::POST, "/posts")
                    .insert_header(("cookie", cookie.clone())),
                &json!({ "title": "Forged", "body": "Sent by another site's page." }),
            )
            .await;
        assert_eq!(forged.status(), 403, "{}", forged.text());
        assert_eq!(forged.json::<Value>()["code"], "CSRF_REFUSED");
        let by_session = app
            .send_json(
                app.request(Method::POST, "/posts")
                    .insert_header(("cookie", cookie.clone()))
                    .insert_header(("sec-fetch-site", "same-origin")),
                &json!({ "title": "By cookie", "body": "Sent by a browser." }),
            )
            .await;
        assert_eq!(by_session.status(), 201, "the session cookie works too");
        assert_eq!(
            app.send(
                app.request(Method::DELETE, "/posts/3")
                    .insert_header(("cookie", cookie.clone()))
                    .insert_header(("sec-fetch-site", "same-origin"))
            )
            .await
            .json::<Value>()["code"],
            "ROLE_REQUIRED",
            "only admins delete"
        );

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

        // The second tag is one the table's CHECK would refuse: the DTO's
        // `each(..)` rule refuses it first, pointing at it, and nothing is
        // written (a failure in the database would roll the post back:
        // the route is `Transactional`).
        let half = app
            .send_json(
                write(Method::POST, "/posts"),
                &json!({ "title": "Half", "body": "b", "tags": ["fine", ""] }),
            )
            .await;
        assert_eq!(half.status(), 422, "{}", half.text());
        let half: Value = half.json();
        assert_eq!(half["code"], "VALIDATION_FAILED");
        assert_eq!(half["errors"][0]["pointer"], "/tags/1", "{half}");
        let page: Value = app.get("/posts").await.json();
        assert_eq!(page["total"], 3, "nothing of the failed request remains");
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

        // Another author may not change it; an admin may, and deletes it.
        let (other, _) = author(&app, "bob").await;
        let theirs = app
            .send_json(
                app.request(Method::PATCH, "/posts/2")
                    .insert_header(("authorization", format!("Bearer {other}"))),
                &json!({ "title": "Mine now" }),
            )
            .await;
        assert_eq!(theirs.status(), 403);
        assert_eq!(theirs.json::<Value>()["code"], "FORBIDDEN");
        let authors = app
            .container()
            .get::<Repository<example_blog::models::Author>>()
            .unwrap();
        let bob = authors
            .first(Criteria::new().filter(example_blog::models::authors::name.eq("bob".to_owned())))
            .await
            .unwrap()
            .unwrap();
        let promoted = example_blog::models::AuthorChanges {
            role: Some("admin".to_owned()),
            ..Default::default()
        };
        authors.update(bob.id, promoted).await.unwrap();
        let admin = |method: Method, path: &str| {
            app.request(method, path)
                .insert_header(("authorization", format!("Bearer {other}")))
        };
        assert_eq!(
            app.send(admin(Method::DELETE, "/posts/2")).await.status(),
            204
        );
        assert_eq!(
            app.send(admin(Method::DELETE, "/posts/2")).await.status(),
            404
        );

        // Logging out ends the session: its cookie no longer writes.
        let out = app
            .send(
                app.request(Method::POST, "/logout")
                    .insert_header(("cookie", cookie.clone()))
                    .insert_header(("sec-fetch-site", "same-origin")),
            )
            .await;
        assert_eq!(out.status(), 204);
        let after = app
            .send_json(
                app.request(Method::POST, "/posts")
                    .insert_header(("cookie", cookie))
                    .insert_header(("sec-fetch-site", "same-origin")),
                &json!({ "title": "After", "body": "logout" }),
            )
            .await;
        assert_eq!(after.json::<Value>()["code"], "SESSION_INVALID");
        app.stop().await;
        db.cleanup().await;
    }
}

#[elif::test]
async fn sign_up_and_login_refuse_bad_input_without_telling_accounts_apart() {
    let db = TestDatabase::sqlite("blog_accounts");
    let app = blog(&db).await;
    author(&app, "ada").await;
    let taken = app
        .post_json(
            "/users",
            &json!({ "name": "ada", "email": "ada@example.com", "password": "correct horse" }),
        )
        .await;
    assert_eq!(taken.status(), 409, "{}", taken.text());
    let short = app
        .post_json(
            "/users",
            &json!({ "name": "eve", "email": "eve@example.com", "password": "short" }),
        )
        .await;
    // elif-auth's policy (8 to 128 characters) is the DTO's rule too, so
    // that the OpenAPI document states it: a field error.
    assert_eq!(short.status(), 422);
    let short: Value = short.json();
    assert_eq!(short["code"], "VALIDATION_FAILED");
    assert_eq!(short["errors"][0]["pointer"], "/password", "{short}");
    assert_eq!(short["errors"][0]["code"], "length", "{short}");
    let bad_email = app
        .post_json(
            "/users",
            &json!({ "name": "eve", "email": "nope", "password": "long enough" }),
        )
        .await;
    assert_eq!(bad_email.status(), 422);
    let wrong = app
        .post_json(
            "/login",
            &json!({ "email": "ada@example.com", "password": "not hers" }),
        )
        .await;
    let unknown = app
        .post_json(
            "/login",
            &json!({ "email": "who@example.com", "password": "not hers" }),
        )
        .await;
    for refused in [&wrong, &unknown] {
        assert_eq!(refused.status(), 401);
        assert_eq!(refused.json::<Value>()["code"], "CREDENTIALS_INVALID");
    }
    assert_eq!(
        wrong.json::<Value>()["detail"],
        unknown.json::<Value>()["detail"]
    );
    app.stop().await;
    db.cleanup().await;
}

#[elif::test]
async fn anyone_may_comment_with_valid_fields() {
    let db = TestDatabase::sqlite("blog_comment");
    let app = blog(&db).await;
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
    let app = blog(&db).await;
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
async fn production_mode_needs_its_secrets_and_does_not_seed() {
    let db = TestDatabase::sqlite("blog_production");
    let refused = example_blog::app()
        .without_env()
        .config("database.url", db.url())
        .config("app.env", "production")
        .config("security.allowed_hosts", ["127.0.0.1"])
        .boot()
        .await
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(refused.contains("auth.jwt.secrets"), "{refused}");
    assert!(
        refused.contains("error[EL5001]: JWT configuration invalid"),
        "elif-auth's own code: {refused}"
    );
    let app = TestApp::start(
        example_blog::app()
            .without_env()
            .config("database.url", db.url())
            .config("app.env", "production")
            .config("security.allowed_hosts", ["127.0.0.1"])
            .config(
                "auth.jwt.secrets",
                ["a production secret of thirty-two bytes"],
            )
            .config("auth.sessions.store", "memory"),
    )
    .await
    .unwrap();
    assert_eq!(app.get("/health").await.status(), 200);
    app.stop().await;
    db.cleanup().await;
}

#[elif::test]
async fn authors_make_api_tokens_whose_abilities_limit_what_scripts_may_do() {
    for db in TestDatabase::both("blog_tokens").await {
        let app = blog(&db).await;
        let (jwt, _) = author(&app, "grace").await;
        let as_author = |method: Method, path: &str| {
            app.request(method, path)
                .insert_header(("authorization", format!("Bearer {jwt}")))
        };
        let made = app
            .send_json(
                as_author(Method::POST, "/tokens"),
                &json!({ "name": "reader", "abilities": ["posts.read"] }),
            )
            .await;
        assert_eq!(made.status(), 201, "{}", made.text());
        assert_eq!(made.header("cache-control"), Some("no-store"));
        let made: Value = made.json();
        let reader = made["plain_text"].as_str().unwrap().to_owned();
        assert!(made["token"].get("token_hash").is_none(), "{made}");
        let writer: Value = app
            .send_json(
                as_author(Method::POST, "/tokens"),
                &json!({ "name": "writer", "abilities": ["posts.write"] }),
            )
            .await
            .json();
        let writer = writer["plain_text"].as_str().unwrap().to_owned();
        let with = |token: &str, method: Method, path: &str| {
            app.request(method, path)
                .insert_header(("authorization", format!("Bearer {token}")))
        };

        let me: Value = app.send(with(&reader, Method::GET, "/me")).await.json();
        assert_eq!(me["name"], "grace");
        let post = json!({ "title": "By script", "body": "Automated." });
        let refused = app
            .send_json(with(&reader, Method::POST, "/posts"), &post)
            .await;
        assert_eq!(refused.status(), 403, "{}", refused.text());
        assert_eq!(refused.json::<Value>()["code"], "ABILITY_REQUIRED");
        let written = app
            .send_json(with(&writer, Method::POST, "/posts"), &post)
            .await;
        assert_eq!(written.status(), 201, "{}", written.text());

        let listed: Value = app.send(as_author(Method::GET, "/tokens")).await.json();
        let names: Vec<&str> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["writer", "reader"], "newest first");
        assert!(listed[0]["last_used_at"].is_string(), "{listed}");

        let id = listed[0]["id"].as_i64().unwrap();
        let (other, _) = author(&app, "hopper").await;
        let not_theirs = app
            .send(
                app.request(Method::DELETE, &format!("/tokens/{id}"))
                    .insert_header(("authorization", format!("Bearer {other}"))),
            )
            .await;
        assert_eq!(not_theirs.status(), 404);
        assert_eq!(not_theirs.json::<Value>()["code"], "TOKEN_NOT_FOUND");
        let revoked = app
            .send(as_author(Method::DELETE, &format!("/tokens/{id}")))
            .await;
        assert_eq!(revoked.status(), 204);
        let gone = app.send(with(&writer, Method::GET, "/me")).await;
        assert_eq!(gone.status(), 401);
        assert_eq!(gone.json::<Value>()["code"], "API_TOKEN_INVALID");

        let bad = app
            .send_json(
                as_author(Method::POST, "/tokens"),
                &json!({ "name": "x", "abilities": ["two words"] }),
            )
            .await;
        assert_eq!(bad.status(), 422, "{}", bad.text());
        let empty = app
            .send_json(
                as_author(Method::POST, "/tokens"),
                &json!({ "name": "", "abilities": ["*"] }),
            )
            .await;
        assert_eq!(empty.status(), 422, "{}", empty.text());
        app.stop().await;
        db.cleanup().await;
    }
}

#[elif::test]
async fn failed_logins_are_throttled_per_account_and_per_address() {
    use elif::time::{Clock, TestClock};
    let db = TestDatabase::sqlite("blog_login_throttle");
    let clock = std::sync::Arc::new(TestClock::at("2026-12-04T12:00:00Z"));
    let app = TestApp::start(
        example_blog::app()
            .without_env()
            .config("database.url", db.url())
            .override_with::<dyn Clock>(clock.clone()),
    )
    .await
    .unwrap();
    author(&app, "ada").await;
    let login = |email: String, password: &'static str| {
        let app = &app;
        async move {
            app.post_json("/login", &json!({ "email": email, "password": password }))
                .await
        }
    };
    let ada = || "ada@example.com".to_owned();
    for _ in 0..5 {
        assert_eq!(login(ada(), "not hers").await.status(), 401);
    }
    // The sixth attempt is refused before its password is checked.
    let locked = login(ada(), "correct horse").await;
    assert_eq!(locked.status(), 429, "{}", locked.text());
    assert_eq!(locked.json::<Value>()["code"], "RATE_LIMITED");
    assert_eq!(locked.header("retry-after"), Some("180"));
    assert_eq!(
        locked.header("ratelimit-policy"),
        Some("\"login-account\";q=5;w=900")
    );
    let other = login("ADA@Example.com".to_owned(), "correct horse").await;
    assert_eq!(other.status(), 429, "the account, however it is written");
    author(&app, "bob").await;
    clock.advance(std::time::Duration::from_secs(180));
    assert_eq!(
        login(ada(), "correct horse").await.status(),
        200,
        "one more try after 3 minutes"
    );

    // Per address: 20 failures a minute, whichever accounts they name.
    for i in 0..20 {
        let refused = login(format!("nobody{i}@example.com"), "guess").await;
        assert_eq!(refused.status(), 401, "attempt {i}: {}", refused.text());
    }
    let flood = login("bob@example.com".to_owned(), "correct horse").await;
    assert_eq!(flood.status(), 429);
    assert_eq!(
        flood.header("ratelimit-policy"),
        Some("\"login-address\";q=20;w=60")
    );
    app.stop().await;
    db.cleanup().await;
}
