//! Conduit through `TestApp`, on SQLite and on PostgreSQL (a database of
//! each test's own): every endpoint of the RealWorld spec, its shapes, and
//! every error case with RealWorld's statuses and messages.

#![allow(clippy::unwrap_used)]

use elif::data::{Criteria, Database, Repository};
use elif::http::Method;
use elif::testing::{TestApp, TestDatabase, TestRequest, TestResponse};
use example_realworld::models::{ArticleTag, Comment, Favorite};
use serde_json::{Value, json};

async fn conduit(db: &TestDatabase) -> TestApp {
    TestApp::start(
        example_realworld::app()
            .without_env()
            .config("database.url", db.url()),
    )
    .await
    .unwrap()
}

/// Registers `name`: their token.
async fn register(app: &TestApp, name: &str) -> String {
    let response = app
        .post_json(
            "/api/users",
            &json!({ "user": { "username": name, "email": format!("{name}@example.com"), "password": "password1" } }),
        )
        .await;
    assert_eq!(response.status(), 201, "{}", response.text());
    response.json::<Value>()["user"]["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn with(app: &TestApp, method: Method, path: &str, token: &str) -> TestRequest {
    app.request(method, path)
        .insert_header(("authorization", format!("Token {token}")))
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> TestResponse {
    let request = with(app, method, path, token);
    match body {
        Some(body) => app.send_json(request, &body).await,
        None => app.send(request).await,
    }
}

/// The errors of a RealWorld error response, after checking its status
/// and content type.
fn errors(response: &TestResponse, status: u16) -> Value {
    assert_eq!(response.status(), status, "{}", response.text());
    assert_eq!(
        response.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    let body: Value = response.json();
    assert_eq!(body.as_object().unwrap().len(), 1, "only `errors`: {body}");
    body["errors"].clone()
}

/// A JSON success with RealWorld's content type.
fn ok(response: &TestResponse, status: u16) -> Value {
    assert_eq!(response.status(), status, "{}", response.text());
    assert_eq!(
        response.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    response.json()
}

/// `2016-02-18T03:22:56.637Z`: milliseconds and `Z`.
fn is_iso_millis(value: &Value) -> bool {
    let text = value.as_str().unwrap_or_default();
    text.len() == 24 && text.ends_with('Z') && text.as_bytes()[19] == b'.'
}

#[elif::test]
async fn users_register_log_in_read_and_update_themselves() {
    for db in TestDatabase::both("rw_users").await {
        let app = conduit(&db).await;
        let registered = ok(
            &app.post_json(
                "/api/users",
                &json!({ "user": { "username": "jake", "email": "jake@jake.jake", "password": "jakejake" } }),
            )
            .await,
            201,
        );
        let user = &registered["user"];
        assert_eq!(user["username"], "jake");
        assert_eq!(user["email"], "jake@jake.jake");
        assert_eq!(
            (user["bio"].clone(), user["image"].clone()),
            (Value::Null, Value::Null)
        );
        let mut members: Vec<&String> = user.as_object().unwrap().keys().collect();
        members.sort();
        assert_eq!(members, ["bio", "email", "image", "token", "username"]);

        // Taken at registration: 409, per field.
        let taken = app
            .post_json(
                "/api/users",
                &json!({ "user": { "username": "jake", "email": "other@jake.jake", "password": "jakejake" } }),
            )
            .await;
        assert_eq!(
            errors(&taken, 409),
            json!({ "username": ["has already been taken"] })
        );
        let taken = app
            .post_json(
                "/api/users",
                &json!({ "user": { "username": "other", "email": "jake@jake.jake", "password": "jakejake" } }),
            )
            .await;
        assert_eq!(
            errors(&taken, 409),
            json!({ "email": ["has already been taken"] })
        );
        // Missing or blank: 422, "can't be blank".
        let blank = app
            .post_json(
                "/api/users",
                &json!({ "user": { "username": "", "email": "  " } }),
            )
            .await;
        assert_eq!(
            errors(&blank, 422),
            json!({ "username": ["can't be blank"], "email": ["can't be blank"], "password": ["can't be blank"] })
        );

        let login = app
            .post_json(
                "/api/users/login",
                &json!({ "user": { "email": "jake@jake.jake", "password": "jakejake" } }),
            )
            .await;
        let token = ok(&login, 200)["user"]["token"]
            .as_str()
            .unwrap()
            .to_owned();
        for wrong in [
            json!({ "user": { "email": "jake@jake.jake", "password": "not his" } }),
            json!({ "user": { "email": "nobody@jake.jake", "password": "jakejake" } }),
        ] {
            let refused = app.post_json("/api/users/login", &wrong).await;
            assert_eq!(errors(&refused, 401), json!({ "credentials": ["invalid"] }));
        }
        let unwrapped = app.post_json("/api/users/login", &json!({})).await;
        assert_eq!(
            errors(&unwrapped, 422),
            json!({ "user": ["can't be blank"] })
        );
        let blank = app
            .post_json("/api/users/login", &json!({ "user": { "email": "" } }))
            .await;
        assert_eq!(
            errors(&blank, 422),
            json!({ "email": ["can't be blank"], "password": ["can't be blank"] })
        );

        let me = ok(
            &send(&app, Method::GET, "/api/user", &token, None).await,
            200,
        );
        assert_eq!(me["user"]["username"], "jake");
        for response in [
            app.get("/api/user").await,
            send(&app, Method::GET, "/api/user", "not.a.jwt", None).await,
            app.send(
                app.request(Method::GET, "/api/user")
                    .insert_header(("authorization", format!("Bearer {token}"))),
            )
            .await,
        ] {
            assert_eq!(errors(&response, 401), json!({ "token": ["is missing"] }));
        }

        let updated = ok(
            &send(
                &app,
                Method::PUT,
                "/api/user",
                &token,
                Some(json!({ "user": { "bio": "I like to skateboard", "image": "https://i.stack.imgur.com/xHWG8.jpg" } })),
            )
            .await,
            200,
        );
        assert_eq!(updated["user"]["bio"], "I like to skateboard");
        assert_eq!(updated["user"]["email"], "jake@jake.jake", "untouched");
        let cleared = ok(
            &send(
                &app,
                Method::PUT,
                "/api/user",
                &token,
                Some(json!({ "user": { "image": null } })),
            )
            .await,
            200,
        );
        assert_eq!(cleared["user"]["image"], Value::Null);
        assert_eq!(cleared["user"]["bio"], "I like to skateboard");

        // Taken on update: 422, as the contract says.
        register(&app, "ann").await;
        let taken = send(
            &app,
            Method::PUT,
            "/api/user",
            &token,
            Some(json!({ "user": { "username": "ann" } })),
        )
        .await;
        assert_eq!(
            errors(&taken, 422),
            json!({ "username": ["has already been taken"] })
        );
        let blank = send(
            &app,
            Method::PUT,
            "/api/user",
            &token,
            Some(json!({ "user": { "email": "" } })),
        )
        .await;
        assert_eq!(errors(&blank, 422), json!({ "email": ["can't be blank"] }));

        // A new password is hashed again: the old one no longer logs in.
        ok(
            &send(
                &app,
                Method::PUT,
                "/api/user",
                &token,
                Some(json!({ "user": { "password": "a new secret" } })),
            )
            .await,
            200,
        );
        let old = app
            .post_json(
                "/api/users/login",
                &json!({ "user": { "email": "jake@jake.jake", "password": "jakejake" } }),
            )
            .await;
        errors(&old, 401);
        let new = app
            .post_json(
                "/api/users/login",
                &json!({ "user": { "email": "jake@jake.jake", "password": "a new secret" } }),
            )
            .await;
        ok(&new, 200);
        app.stop().await;
        db.cleanup().await;
    }
}

#[elif::test]
async fn profiles_are_followed_and_unfollowed() {
    for db in TestDatabase::both("rw_profiles").await {
        let app = conduit(&db).await;
        let jake = register(&app, "jake").await;
        register(&app, "ann").await;

        let seen = ok(&app.get("/api/profiles/ann").await, 200);
        assert_eq!(
            seen,
            json!({ "profile": { "username": "ann", "bio": null, "image": null, "following": false } })
        );
        let missing = app.get("/api/profiles/nobody").await;
        assert_eq!(errors(&missing, 404), json!({ "profile": ["not found"] }));

        let followed = ok(
            &send(&app, Method::POST, "/api/profiles/ann/follow", &jake, None).await,
            200,
        );
        assert_eq!(followed["profile"]["following"], true);
        let again = ok(
            &send(&app, Method::POST, "/api/profiles/ann/follow", &jake, None).await,
            200,
        );
        assert_eq!(
            again["profile"]["following"], true,
            "following twice changes nothing"
        );
        let viewed = ok(
            &send(&app, Method::GET, "/api/profiles/ann", &jake, None).await,
            200,
        );
        assert_eq!(viewed["profile"]["following"], true);
        assert_eq!(
            ok(&app.get("/api/profiles/ann").await, 200)["profile"]["following"],
            false
        );

        let unfollowed = ok(
            &send(
                &app,
                Method::DELETE,
                "/api/profiles/ann/follow",
                &jake,
                None,
            )
            .await,
            200,
        );
        assert_eq!(unfollowed["profile"]["following"], false);
        let viewed = ok(
            &send(&app, Method::GET, "/api/profiles/ann", &jake, None).await,
            200,
        );
        assert_eq!(viewed["profile"]["following"], false);

        let anonymous = app
            .send(app.request(Method::POST, "/api/profiles/ann/follow"))
            .await;
        assert_eq!(errors(&anonymous, 401), json!({ "token": ["is missing"] }));
        let nobody = send(
            &app,
            Method::POST,
            "/api/profiles/nobody/follow",
            &jake,
            None,
        )
        .await;
        assert_eq!(errors(&nobody, 404), json!({ "profile": ["not found"] }));
        app.stop().await;
        db.cleanup().await;
    }
}

fn article(title: &str, tags: &[&str]) -> Value {
    json!({ "article": { "title": title, "description": "Ever wonder how?", "body": "You have to believe", "tagList": tags } })
}

#[elif::test]
async fn articles_are_written_listed_filtered_favourited_and_deleted() {
    for db in TestDatabase::both("rw_articles").await {
        let app = conduit(&db).await;
        let jake = register(&app, "jake").await;
        let ann = register(&app, "ann").await;

        let created = send(
            &app,
            Method::POST,
            "/api/articles",
            &jake,
            Some(article(
                "How to train your dragon",
                &["dragons", "training"],
            )),
        )
        .await;
        let body = ok(&created, 201);
        let dragon = &body["article"];
        let slug = dragon["slug"].as_str().unwrap().to_owned();
        assert!(slug.starts_with("how-to-train-your-dragon-"), "{slug}");
        assert_eq!(
            created.header("location"),
            Some(format!("/api/articles/{slug}").as_str())
        );
        assert_eq!(dragon["tagList"], json!(["dragons", "training"]));
        assert_eq!(
            (
                dragon["favorited"].clone(),
                dragon["favoritesCount"].clone()
            ),
            (json!(false), json!(0))
        );
        assert_eq!(dragon["author"]["username"], "jake");
        assert!(
            is_iso_millis(&dragon["createdAt"]) && is_iso_millis(&dragon["updatedAt"]),
            "{dragon}"
        );
        let mut members: Vec<&String> = dragon.as_object().unwrap().keys().collect();
        members.sort();
        assert_eq!(
            members,
            [
                "author",
                "body",
                "createdAt",
                "description",
                "favorited",
                "favoritesCount",
                "slug",
                "tagList",
                "title",
                "updatedAt"
            ]
        );

        // The same title again: another slug.
        let twin = ok(
            &send(
                &app,
                Method::POST,
                "/api/articles",
                &jake,
                Some(article("How to train your dragon", &[])),
            )
            .await,
            201,
        );
        assert_ne!(twin["article"]["slug"], slug);
        let anns = ok(
            &send(
                &app,
                Method::POST,
                "/api/articles",
                &ann,
                Some(article("Ann's", &["dragons"])),
            )
            .await,
            201,
        );
        let anns_slug = anns["article"]["slug"].as_str().unwrap().to_owned();

        let blank = send(
            &app,
            Method::POST,
            "/api/articles",
            &jake,
            Some(json!({ "article": { "title": "", "body": "b" } })),
        )
        .await;
        assert_eq!(
            errors(&blank, 422),
            json!({ "title": ["can't be blank"], "description": ["can't be blank"] })
        );
        let anonymous = app.post_json("/api/articles", &article("x", &[])).await;
        assert_eq!(errors(&anonymous, 401), json!({ "token": ["is missing"] }));

        let shown = ok(&app.get(&format!("/api/articles/{slug}")).await, 200);
        assert_eq!(shown["article"]["body"], "You have to believe");
        let missing = app.get("/api/articles/no-such-slug").await;
        assert_eq!(errors(&missing, 404), json!({ "article": ["not found"] }));

        // Lists: newest first, no body, the total that matches.
        let all = ok(&app.get("/api/articles").await, 200);
        assert_eq!(all["articlesCount"], 3);
        let titles: Vec<&str> = all["articles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["title"].as_str().unwrap())
            .collect();
        assert_eq!(
            titles,
            [
                "Ann's",
                "How to train your dragon",
                "How to train your dragon"
            ]
        );
        assert!(
            all["articles"][0].get("body").is_none(),
            "lists leave out the body"
        );
        let one = ok(&app.get("/api/articles?limit=1&offset=1").await, 200);
        assert_eq!(
            (
                one["articles"].as_array().unwrap().len(),
                one["articlesCount"].clone()
            ),
            (1, json!(3))
        );
        assert_eq!(
            ok(&app.get("/api/articles?tag=dragons").await, 200)["articlesCount"],
            2
        );
        assert_eq!(
            ok(&app.get("/api/articles?author=ann").await, 200)["articlesCount"],
            1
        );
        assert_eq!(
            ok(&app.get("/api/articles?author=nobody").await, 200)["articlesCount"],
            0
        );
        for bad in ["limit=0", "limit=101", "limit=-1", "offset=x"] {
            let refused = app.get(&format!("/api/articles?{bad}")).await;
            assert!(
                matches!(refused.status(), 400 | 422),
                "{bad}: {}",
                refused.text()
            );
            assert!(refused.json::<Value>()["errors"].is_object(), "{bad}");
        }

        // Favourites.
        let favourited = ok(
            &send(
                &app,
                Method::POST,
                &format!("/api/articles/{anns_slug}/favorite"),
                &jake,
                None,
            )
            .await,
            200,
        );
        assert_eq!(
            (
                favourited["article"]["favorited"].clone(),
                favourited["article"]["favoritesCount"].clone()
            ),
            (json!(true), json!(1))
        );
        let twice = ok(
            &send(
                &app,
                Method::POST,
                &format!("/api/articles/{anns_slug}/favorite"),
                &jake,
                None,
            )
            .await,
            200,
        );
        assert_eq!(
            twice["article"]["favoritesCount"], 1,
            "favouriting twice changes nothing"
        );
        let by_jake = ok(
            &send(
                &app,
                Method::GET,
                "/api/articles?favorited=jake",
                &jake,
                None,
            )
            .await,
            200,
        );
        assert_eq!(by_jake["articlesCount"], 1);
        assert_eq!(by_jake["articles"][0]["favorited"], true);
        let unfavourited = ok(
            &send(
                &app,
                Method::DELETE,
                &format!("/api/articles/{anns_slug}/favorite"),
                &jake,
                None,
            )
            .await,
            200,
        );
        assert_eq!(
            (
                unfavourited["article"]["favorited"].clone(),
                unfavourited["article"]["favoritesCount"].clone()
            ),
            (json!(false), json!(0))
        );
        let nothing = send(
            &app,
            Method::POST,
            "/api/articles/no-such-slug/favorite",
            &jake,
            None,
        )
        .await;
        assert_eq!(errors(&nothing, 404), json!({ "article": ["not found"] }));

        // The feed: articles of followed authors only.
        let empty = ok(
            &send(&app, Method::GET, "/api/articles/feed", &jake, None).await,
            200,
        );
        assert_eq!(empty, json!({ "articles": [], "articlesCount": 0 }));
        send(&app, Method::POST, "/api/profiles/ann/follow", &jake, None).await;
        let feed = ok(
            &send(&app, Method::GET, "/api/articles/feed", &jake, None).await,
            200,
        );
        assert_eq!(feed["articlesCount"], 1);
        assert_eq!(
            feed["articles"][0]["author"],
            json!({ "username": "ann", "bio": null, "image": null, "following": true })
        );
        assert_eq!(
            errors(&app.get("/api/articles/feed").await, 401),
            json!({ "token": ["is missing"] })
        );

        // Updates: one's own only; a new title is a new slug.
        let forbidden = send(
            &app,
            Method::PUT,
            &format!("/api/articles/{anns_slug}"),
            &jake,
            Some(json!({ "article": { "title": "Mine now" } })),
        )
        .await;
        assert_eq!(errors(&forbidden, 403), json!({ "article": ["forbidden"] }));
        let missing = send(
            &app,
            Method::PUT,
            "/api/articles/no-such-slug",
            &jake,
            Some(json!({ "article": { "title": "x" } })),
        )
        .await;
        assert_eq!(errors(&missing, 404), json!({ "article": ["not found"] }));
        let renamed = ok(
            &send(&app, Method::PUT, &format!("/api/articles/{slug}"), &jake, Some(json!({ "article": { "title": "Did you train your dragon?", "tagList": ["dragons"] } }))).await,
            200,
        );
        let new_slug = renamed["article"]["slug"].as_str().unwrap().to_owned();
        assert!(
            new_slug.starts_with("did-you-train-your-dragon-"),
            "{new_slug}"
        );
        assert_eq!(
            renamed["article"]["body"], "You have to believe",
            "untouched"
        );
        assert_eq!(renamed["article"]["tagList"], json!(["dragons"]));
        errors(&app.get(&format!("/api/articles/{slug}")).await, 404);
        let blank = send(
            &app,
            Method::PUT,
            &format!("/api/articles/{new_slug}"),
            &jake,
            Some(json!({ "article": { "body": "" } })),
        )
        .await;
        assert_eq!(errors(&blank, 422), json!({ "body": ["can't be blank"] }));

        // Deletion: one's own, with its comments and favourites.
        send(
            &app,
            Method::POST,
            &format!("/api/articles/{new_slug}/favorite"),
            &ann,
            None,
        )
        .await;
        let said = send(
            &app,
            Method::POST,
            &format!("/api/articles/{new_slug}/comments"),
            &ann,
            Some(json!({ "comment": { "body": "Nice" } })),
        )
        .await;
        ok(&said, 201);
        let forbidden = send(
            &app,
            Method::DELETE,
            &format!("/api/articles/{new_slug}"),
            &ann,
            None,
        )
        .await;
        assert_eq!(errors(&forbidden, 403), json!({ "article": ["forbidden"] }));
        let deleted = send(
            &app,
            Method::DELETE,
            &format!("/api/articles/{new_slug}"),
            &jake,
            None,
        )
        .await;
        assert_eq!(deleted.status(), 204, "{}", deleted.text());
        errors(&app.get(&format!("/api/articles/{new_slug}")).await, 404);
        let comments = app.container().get::<Repository<Comment>>().unwrap();
        let favorites = app.container().get::<Repository<Favorite>>().unwrap();
        assert_eq!(
            comments.count(Criteria::new()).await.unwrap(),
            0,
            "its comments went with it"
        );
        assert_eq!(
            favorites.count(Criteria::new()).await.unwrap(),
            0,
            "its favourites went with it"
        );
        let links = app.container().get::<Repository<ArticleTag>>().unwrap();
        assert_eq!(
            links.count(Criteria::new()).await.unwrap(),
            1,
            "only Ann's article's tag link is left"
        );
        let tags = ok(&app.get("/api/tags").await, 200);
        assert_eq!(tags, json!({ "tags": ["dragons", "training"] }));
        app.stop().await;
        db.cleanup().await;
    }
}

#[elif::test]
async fn comments_are_added_listed_and_deleted_by_their_authors() {
    for db in TestDatabase::both("rw_comments").await {
        let app = conduit(&db).await;
        let jake = register(&app, "jake").await;
        let ann = register(&app, "ann").await;
        let created = ok(
            &send(
                &app,
                Method::POST,
                "/api/articles",
                &jake,
                Some(article("Dragons", &[])),
            )
            .await,
            201,
        );
        let slug = created["article"]["slug"].as_str().unwrap().to_owned();
        let path = format!("/api/articles/{slug}/comments");

        let first = ok(
            &send(
                &app,
                Method::POST,
                &path,
                &ann,
                Some(json!({ "comment": { "body": "His name was my name too." } })),
            )
            .await,
            201,
        );
        let comment = &first["comment"];
        assert_eq!(comment["body"], "His name was my name too.");
        assert_eq!(comment["author"]["username"], "ann");
        assert!(
            comment["id"].is_i64() && is_iso_millis(&comment["createdAt"]),
            "{comment}"
        );
        ok(
            &send(
                &app,
                Method::POST,
                &path,
                &jake,
                Some(json!({ "comment": { "body": "Thanks" } })),
            )
            .await,
            201,
        );
        let blank = send(
            &app,
            Method::POST,
            &path,
            &ann,
            Some(json!({ "comment": { "body": " " } })),
        )
        .await;
        assert_eq!(errors(&blank, 422), json!({ "body": ["can't be blank"] }));
        let anonymous = app
            .post_json(&path, &json!({ "comment": { "body": "x" } }))
            .await;
        assert_eq!(errors(&anonymous, 401), json!({ "token": ["is missing"] }));
        let nowhere = send(
            &app,
            Method::POST,
            "/api/articles/nope/comments",
            &ann,
            Some(json!({ "comment": { "body": "x" } })),
        )
        .await;
        assert_eq!(errors(&nowhere, 404), json!({ "article": ["not found"] }));

        let listed = ok(&app.get(&path).await, 200);
        let bodies: Vec<&str> = listed["comments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["body"].as_str().unwrap())
            .collect();
        assert_eq!(bodies, ["Thanks", "His name was my name too."]);
        errors(&app.get("/api/articles/nope/comments").await, 404);

        let id = comment["id"].as_i64().unwrap();
        let forbidden = send(&app, Method::DELETE, &format!("{path}/{id}"), &jake, None).await;
        assert_eq!(errors(&forbidden, 403), json!({ "comment": ["forbidden"] }));
        let deleted = send(&app, Method::DELETE, &format!("{path}/{id}"), &ann, None).await;
        assert_eq!(deleted.status(), 204, "{}", deleted.text());
        let gone = send(&app, Method::DELETE, &format!("{path}/{id}"), &ann, None).await;
        assert_eq!(errors(&gone, 404), json!({ "comment": ["not found"] }));
        assert_eq!(
            ok(&app.get(&path).await, 200)["comments"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        app.stop().await;
        db.cleanup().await;
    }
}

#[elif::test]
async fn any_origin_may_call_and_bad_requests_answer_in_realworlds_shape() {
    let db = TestDatabase::sqlite("rw_cors");
    let app = conduit(&db).await;
    let preflight = app
        .send(
            app.request(Method::OPTIONS, "/api/articles")
                .insert_header(("origin", "https://demo.realworld.show"))
                .insert_header(("access-control-request-method", "POST"))
                .insert_header((
                    "access-control-request-headers",
                    "authorization, content-type",
                )),
        )
        .await;
    assert!(
        matches!(preflight.status(), 200 | 204),
        "{}",
        preflight.text()
    );
    assert!(preflight.header("access-control-allow-origin").is_some());
    let allowed = preflight
        .header("access-control-allow-headers")
        .unwrap()
        .to_lowercase();
    assert!(
        allowed.contains("authorization") && allowed.contains("content-type"),
        "{allowed}"
    );
    let simple = app
        .send(
            app.request(Method::GET, "/api/tags")
                .insert_header(("origin", "http://localhost:4200")),
        )
        .await;
    assert!(simple.header("access-control-allow-origin").is_some());

    let nowhere = app.get("/api/nowhere").await;
    assert!(errors(&nowhere, 404)["body"].is_array());
    let malformed = app
        .send_body(
            app.request(Method::POST, "/api/users")
                .insert_header(("content-type", "application/json")),
            "{\"user\": ",
        )
        .await;
    assert!(errors(&malformed, 400)["body"].is_array());
    app.stop().await;
    db.cleanup().await;
}

#[elif::test]
async fn a_page_of_articles_takes_six_queries_whatever_its_size() {
    for db in TestDatabase::both("rw_queries").await {
        let app = conduit(&db).await;
        let jake = register(&app, "jake").await;
        let ann = register(&app, "ann").await;
        send(&app, Method::POST, "/api/profiles/ann/follow", &jake, None).await;
        for i in 0..25 {
            let token = if i % 2 == 0 { &jake } else { &ann };
            let created = ok(
                &send(
                    &app,
                    Method::POST,
                    "/api/articles",
                    token,
                    Some(article(&format!("Article {i}"), &["a", "b"])),
                )
                .await,
                201,
            );
            if i % 3 == 0 {
                let slug = created["article"]["slug"].as_str().unwrap().to_owned();
                send(
                    &app,
                    Method::POST,
                    &format!("/api/articles/{slug}/favorite"),
                    &jake,
                    None,
                )
                .await;
            }
        }
        let database = app.container().get::<Database>().unwrap();
        let service = app
            .container()
            .get::<example_realworld::articles::ArticleService>()
            .unwrap();
        let users = app
            .container()
            .get::<Repository<example_realworld::models::User>>()
            .unwrap();
        let viewer = users.find_or_fail(1).await.unwrap();
        // A PostgreSQL checkout checks the connection first: not a query of the list.
        let check = u64::from(database.backend() == elif::data::Backend::Postgres);
        let mut counts = Vec::new();
        for limit in [5, 20] {
            let filter = example_realworld::articles::Filter {
                limit: Some(limit),
                ..Default::default()
            };
            let before = database.query_count();
            let page = service.list(filter, Some(&viewer)).await.unwrap();
            counts.push(database.query_count() - before - check);
            assert_eq!(page.articles.len() as u64, limit);
            assert_eq!(page.articles_count, 25);
            let first = &page.articles[0];
            assert_eq!(
                (first.title.as_str(), first.favorited, first.favorites_count),
                ("Article 24", true, 1)
            );
            assert!(
                page.articles.iter().any(|a| a.author.following),
                "ann is followed"
            );
        }
        eprintln!(
            "{:?} queries for pages of 5 and 20 articles ({:?})",
            counts,
            db.backend()
        );
        assert_eq!(counts[0], counts[1], "the same whatever the page size");
        assert!(
            counts[0] <= 6,
            "{} queries for a page of articles",
            counts[0]
        );
        app.stop().await;
        db.cleanup().await;
    }
}

#[elif::test]
async fn concurrent_articles_of_one_title_get_distinct_slugs() {
    for db in TestDatabase::both("rw_slugs").await {
        let app = conduit(&db).await;
        let jake = register(&app, "jake").await;
        let creates = (0..8).map(|_| {
            send(
                &app,
                Method::POST,
                "/api/articles",
                &jake,
                Some(article("Same title", &["same"])),
            )
        });
        let responses = futures_join_all(creates).await;
        let mut slugs: Vec<String> = responses
            .iter()
            .map(|r| ok(r, 201)["article"]["slug"].as_str().unwrap().to_owned())
            .collect();
        slugs.sort();
        slugs.dedup();
        assert_eq!(slugs.len(), 8, "{slugs:?}");
        assert_eq!(
            ok(&app.get("/api/articles?tag=same").await, 200)["articlesCount"],
            8
        );
        app.stop().await;
        db.cleanup().await;
    }
}

/// Runs the futures together (on this task), in order of their results.
async fn futures_join_all<F: std::future::Future>(
    futures: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    let mut pending: Vec<std::pin::Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut done: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut all = true;
        for (future, slot) in pending.iter_mut().zip(done.iter_mut()) {
            if slot.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(output) => *slot = Some(output),
                    std::task::Poll::Pending => all = false,
                }
            }
        }
        if all {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    done.into_iter().map(|o| o.unwrap()).collect()
}
