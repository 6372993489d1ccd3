//! `#[controller(public)]` end to end: routes, path parameters, extractors,
//! validation, guards, responses, and every bad input answered as a 4xx
//! problem+json (never a 500 for bad input, never a dropped connection).

#![allow(missing_docs, clippy::unwrap_used)]

use std::sync::atomic::{AtomicU64, Ordering};

use elif::http::{HttpResponse, Method, RequestId};
use elif::prelude::*;
use elif::testing::TestApp;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Debug, Clone, Serialize, Schema)]
pub struct Post {
    pub id: u64,
    pub title: String,
}

#[derive(Debug, Deserialize, Validate)]
pub struct NewPost {
    #[validate(length(min = 1, max = 20))]
    pub title: String,
    #[validate(email)]
    pub contact: Option<String>,
    #[validate(range(min = 1, max = 5))]
    pub stars: u8,
    #[validate(nested)]
    pub author: Option<Author>,
}

#[derive(Debug, Deserialize, Validate)]
pub struct Author {
    #[serde(rename = "displayName")]
    #[validate(length(min = 2))]
    pub display_name: String,
}

#[derive(Debug, Deserialize, Schema)]
pub struct Paging {
    pub page: u64,
    pub per_page: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct User(pub String);

#[guard]
pub struct Bearer;

impl Guard for Bearer {
    async fn check(&self, cx: &RequestContext<'_>) -> elif::Result<()> {
        match cx.bearer_token() {
            Some("letmein") => {
                cx.insert(User("ada".into()));
                Ok(())
            }
            Some(_) => Err(Error::new(
                403,
                "TOKEN_REJECTED",
                "this token may not do that",
            )),
            None => Err(Error::new(
                401,
                "TOKEN_MISSING",
                "send `Authorization: Bearer <token>`",
            )),
        }
    }
}

#[guard]
pub struct Counted {
    #[inject(default)]
    seen: AtomicU64,
}

impl Guard for Counted {
    async fn check(&self, _: &RequestContext<'_>) -> elif::Result<()> {
        self.seen.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

#[injectable]
pub struct PostsController {
    #[inject(default)]
    next: AtomicU64,
}

#[controller("/posts", public)]
impl PostsController {
    #[get("/")]
    async fn list(&self, paging: Query<Paging>) -> Page<Post> {
        let per_page = paging.per_page.unwrap_or(2);
        let items = (0..per_page)
            .map(|i| Post {
                id: i + 1,
                title: format!("post {}", i + 1),
            })
            .collect();
        Page::new(items, paging.page, per_page, 5)
    }

    #[get("/{id}")]
    async fn show(&self, id: u64) -> elif::Result<Json<Post>> {
        if id == 404 {
            return Err(
                Error::new(404, "POST_NOT_FOUND", format!("post {id} does not exist"))
                    .with_hint("list posts with GET /posts"),
            );
        }
        Ok(Json(Post {
            id,
            title: format!("post {id}"),
        }))
    }

    #[get("/{id}/comments/{comment}")]
    async fn comment(&self, comment: String, id: u64) -> String {
        format!("comment {comment} of post {id}")
    }

    #[post("/", guards(Bearer))]
    async fn create(&self, input: Valid<NewPost>, user: Extension<User>) -> Created<Value> {
        let id = self.next.fetch_add(1, Ordering::SeqCst) + 100;
        Created::at(
            format!("/posts/{id}"),
            json!({ "id": id, "title": input.title, "by": user.0 .0 }),
        )
    }

    #[put("/{id}")]
    async fn replace(&self, id: u64, input: Json<Value>) -> Json<Value> {
        Json(json!({ "id": id, "raw": input.0 }))
    }

    #[delete("/{id}", guards(Bearer))]
    async fn remove(&self, id: u64) -> NoContent {
        let _ = id;
        NoContent
    }

    #[get("/boom")]
    async fn boom(&self) -> String {
        panic!("the handler blew up")
    }

    #[get("/fail")]
    async fn fail(&self) -> elif::Result<String> {
        Err(Error::internal("the database password is hunter2"))
    }

    #[route("/purge", method = "PURGE")]
    async fn purge(&self, id: RequestId) -> HttpResponse {
        HttpResponse::Ok().body(id.to_string())
    }
}

#[module(controllers(PostsController))]
pub struct BlogModule;

fn app() -> App {
    App::new().module(BlogModule).without_env()
}

async fn start() -> TestApp {
    TestApp::start(app()).await.unwrap()
}

#[elif::test]
async fn path_parameters_queries_and_responses() {
    let app = start().await;
    let post: Value = app.get("/posts/7").await.json();
    assert_eq!(post, json!({ "id": 7, "title": "post 7" }));
    assert_eq!(
        app.get("/posts/3/comments/first").await.text(),
        "comment first of post 3"
    );
    let page: Value = app.get("/posts?page=2&per_page=3").await.json();
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
    assert_eq!(
        (
            page["page"].clone(),
            page["pages"].clone(),
            page["total"].clone()
        ),
        (json!(2), json!(2), json!(5))
    );
    let put: Value = app
        .send(
            app.request(Method::PUT, "/posts/9")
                .insert_header(("content-type", "application/json")),
        )
        .await
        .json::<Value>();
    assert_eq!(
        put["code"], "MALFORMED_REQUEST",
        "an empty body is not JSON: {put}"
    );
    let purge = app
        .send(app.request(Method::from_bytes(b"PURGE").unwrap(), "/posts/purge"))
        .await;
    assert_eq!(purge.status(), 200);
    assert_eq!(Some(purge.text().as_str()), purge.header("x-request-id"));
}

#[elif::test]
async fn domain_errors_are_problem_json() {
    let app = start().await;
    let missing = app.get("/posts/404").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.header("content-type"),
        Some("application/problem+json")
    );
    let problem: Value = missing.json();
    assert_eq!(problem["code"], "POST_NOT_FOUND");
    assert_eq!(problem["hint"], "list posts with GET /posts");
    assert_eq!(problem["type"], "about:blank");
    assert_eq!(problem["title"], "Not Found");
    assert!(problem["request_id"].is_string());
}

#[elif::test]
async fn bad_path_parameters_and_queries_are_400() {
    let app = start().await;
    let bad = app.get("/posts/seven").await;
    assert_eq!(bad.status(), 400);
    let problem: Value = bad.json();
    assert_eq!(problem["code"], "MALFORMED_REQUEST");
    assert_eq!(problem["errors"][0]["pointer"], "/id");
    assert_eq!(
        problem["detail"],
        "path parameter `id` must be a non-negative integer"
    );
    let query = app.get("/posts?page=first").await;
    assert_eq!(query.status(), 400);
    assert_eq!(query.json::<Value>()["errors"][0]["pointer"], "/page");
    let missing = app.get("/posts").await;
    assert_eq!(missing.status(), 400);
    assert_eq!(missing.json::<Value>()["errors"][0]["pointer"], "/page");
}

fn authorized(app: &TestApp, method: Method, path: &str) -> elif::testing::TestRequest {
    app.request(method, path)
        .insert_header(("authorization", "Bearer letmein"))
}

#[elif::test]
async fn valid_bodies_are_created_with_location() {
    let app = start().await;
    let created = app
        .send_json(
            authorized(&app, Method::POST, "/posts"),
            &json!({ "title": "Hello", "stars": 4, "author": { "displayName": "Ada" } }),
        )
        .await;
    assert_eq!(created.status(), 201, "{}", created.text());
    assert_eq!(created.header("location"), Some("/posts/100"));
    assert_eq!(
        created.json::<Value>(),
        json!({ "id": 100, "title": "Hello", "by": "ada" })
    );
}

#[elif::test]
async fn validation_reports_every_field_and_unknown_fields() {
    let app = start().await;
    let body = json!({
        "title": "",
        "contact": "not-an-email",
        "stars": 9,
        "author": { "displayName": "A", "age": 3 },
        "admin": true
    });
    let response = app
        .send_json(authorized(&app, Method::POST, "/posts"), &body)
        .await;
    assert_eq!(response.status(), 422, "{}", response.text());
    let problem: Value = response.json();
    assert_eq!(problem["code"], "VALIDATION_FAILED");
    assert_eq!(problem["type"], "https://elif.rs/errors/EL3004");
    let errors: Vec<(String, String)> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["pointer"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for expected in [
        ("/author/age", "unknown_field"),
        ("/admin", "unknown_field"),
        ("/title", "length"),
        ("/contact", "email"),
        ("/stars", "range"),
        ("/author/displayName", "length"),
    ] {
        assert!(
            errors.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} missing in {errors:?}"
        );
    }
    assert_eq!(errors.len(), 6, "{errors:?}");
}

#[elif::test]
async fn unreadable_bodies_are_4xx_with_the_field() {
    let app = start().await;
    let post = |body: &'static str, content_type: &'static str| {
        app.send_body(
            authorized(&app, Method::POST, "/posts").insert_header(("content-type", content_type)),
            body,
        )
    };
    let cases = [
        (
            post("{\"title\": 5, \"stars\": 1}", "application/json").await,
            400,
            "/title",
            "type",
        ),
        (
            post("{\"stars\": 1}", "application/json").await,
            400,
            "/title",
            "type",
        ),
        (
            post("{\"title\": \"x\",", "application/json").await,
            400,
            "",
            "syntax",
        ),
        // An array where the struct's object belongs: the whole body is at
        // fault (serde alone would read `[1, 2]` as the fields in order).
        (post("[1, 2]", "application/json").await, 400, "", "type"),
    ];
    for (response, status, pointer, code) in cases {
        let problem: Value = response.json();
        assert_eq!(response.status(), status, "{problem}");
        assert_eq!(problem["code"], "MALFORMED_REQUEST", "{problem}");
        assert_eq!(problem["errors"][0]["pointer"], pointer, "{problem}");
        assert_eq!(problem["errors"][0]["code"], code, "{problem}");
    }
    let wrong_type = post("title=x", "application/x-www-form-urlencoded").await;
    assert_eq!(wrong_type.status(), 415);
    assert_eq!(wrong_type.json::<Value>()["code"], "UNSUPPORTED_MEDIA_TYPE");
}

#[elif::test]
async fn oversize_bodies_are_413() {
    let app = TestApp::start(app().config("server.body_limit", 1024))
        .await
        .unwrap();
    let big = json!({ "title": "x".repeat(2000), "stars": 1 });
    let response = app
        .send_json(authorized(&app, Method::POST, "/posts"), &big)
        .await;
    assert_eq!(response.status(), 413);
    assert_eq!(response.json::<Value>()["code"], "PAYLOAD_TOO_LARGE");
}

#[elif::test]
async fn guards_reject_before_the_body_is_read() {
    let app = start().await;
    let anonymous = app.post_json("/posts", &json!({ "title": "" })).await;
    assert_eq!(anonymous.status(), 401);
    assert_eq!(anonymous.json::<Value>()["code"], "TOKEN_MISSING");
    let wrong = app
        .send(
            app.request(Method::DELETE, "/posts/1")
                .insert_header(("authorization", "Bearer nope")),
        )
        .await;
    assert_eq!(wrong.status(), 403);
    let ok = app.send(authorized(&app, Method::DELETE, "/posts/1")).await;
    assert_eq!(ok.status(), 204);
}

#[elif::test]
async fn app_guards_run_on_every_route() {
    let app = TestApp::start(app().guard::<Counted>()).await.unwrap();
    app.get("/posts/1").await;
    app.get("/posts/2").await;
    assert_eq!(
        app.container()
            .get::<Counted>()
            .unwrap()
            .seen
            .load(Ordering::SeqCst),
        2
    );
}

#[elif::test]
async fn panics_are_500_problems_and_the_server_keeps_serving() {
    let app = start().await;
    for _ in 0..3 {
        let boom = app.get("/posts/boom").await;
        assert_eq!(boom.status(), 500);
        let problem: Value = boom.json();
        assert_eq!(problem["code"], "INTERNAL_ERROR");
        assert_eq!(problem["detail"], "the handler panicked");
        assert_eq!(problem["request_id"].as_str(), boom.header("x-request-id"));
    }
    assert_eq!(
        app.get("/posts/1").await.status(),
        200,
        "the worker still serves"
    );
}

#[elif::test]
async fn production_hides_5xx_details_but_not_4xx() {
    let dev = start().await;
    assert_eq!(
        dev.get("/posts/fail").await.json::<Value>()["detail"],
        "the database password is hunter2"
    );
    let prod = TestApp::start(
        app()
            .config("app.env", "production")
            .config("security.allowed_hosts", ["127.0.0.1"]),
    )
    .await
    .unwrap();
    let fail: Value = prod.get("/posts/fail").await.json();
    assert_eq!(fail["code"], "INTERNAL_ERROR");
    assert!(!fail.to_string().contains("hunter2"), "{fail}");
    let boom: Value = prod.get("/posts/boom").await.json();
    assert!(!boom.to_string().contains("panicked"), "{boom}");
    assert_eq!(
        prod.get("/posts/404").await.json::<Value>()["detail"],
        "post 404 does not exist"
    );
}

#[elif::test]
async fn head_is_answered_for_get_and_wrong_methods_get_405() {
    let app = start().await;
    let head = app.send(app.request(Method::HEAD, "/posts/1")).await;
    assert_eq!(head.status(), 200);
    assert!(head.text().is_empty());
    let wrong = app.send(app.request(Method::PATCH, "/posts/1")).await;
    assert_eq!(wrong.status(), 405);
    assert_eq!(wrong.header("allow"), Some("GET, PUT, DELETE, HEAD"));
    assert_eq!(wrong.json::<Value>()["code"], "METHOD_NOT_ALLOWED");
}

#[injectable]
pub struct SharedReads;

#[controller("/shared", public)]
impl SharedReads {
    #[get("/")]
    async fn read(&self) -> &'static str {
        "read"
    }

    #[route("/", method = "HEAD")]
    async fn head(&self) -> HttpResponse {
        HttpResponse::NoContent()
            .insert_header(("x-head", "own"))
            .finish()
    }

    #[get("/only-get")]
    async fn only_get(&self) -> &'static str {
        "only get"
    }
}

#[injectable]
pub struct SharedWrites;

#[controller("/shared", public)]
impl SharedWrites {
    #[post("/")]
    async fn write(&self) -> Created<Post> {
        Created::at(
            "/shared/1",
            Post {
                id: 1,
                title: "written".into(),
            },
        )
    }
}

#[module(controllers(SharedReads, SharedWrites))]
pub struct SharedModule;

/// A path served by two controllers is one service over both; methods,
/// `HEAD` and 405s work as on a path of one controller.
#[elif::test]
async fn a_path_shared_by_two_controllers_answers_each_method() {
    let app = TestApp::start(App::new().module(SharedModule).without_env())
        .await
        .unwrap();
    let read = app.get("/shared").await;
    assert_eq!((read.status(), read.text()), (200, "read".to_owned()));
    let written = app.send(app.request(Method::POST, "/shared")).await;
    assert_eq!(written.status(), 201);
    assert_eq!(written.header("location"), Some("/shared/1"));
    // The path's own HEAD route wins over answering HEAD with GET's.
    let head = app.send(app.request(Method::HEAD, "/shared")).await;
    assert_eq!((head.status(), head.header("x-head")), (204, Some("own")));
    let wrong = app.send(app.request(Method::DELETE, "/shared")).await;
    assert_eq!(wrong.status(), 405);
    assert_eq!(wrong.header("allow"), Some("GET, HEAD, POST"));
    assert_eq!(wrong.json::<Value>()["code"], "METHOD_NOT_ALLOWED");
    // A path of one controller with GET only.
    let head = app
        .send(app.request(Method::HEAD, "/shared/only-get"))
        .await;
    assert_eq!((head.status(), head.text()), (200, String::new()));
    let wrong = app.send(app.request(Method::PUT, "/shared/only-get")).await;
    assert_eq!(wrong.header("allow"), Some("GET, HEAD"));
}

#[elif::test]
async fn request_ids_are_kept_from_trusted_proxies_or_made() {
    let direct = start().await;
    let spoofed = direct
        .send(
            direct
                .request(Method::GET, "/posts/1")
                .insert_header(("x-request-id", "abc-123")),
        )
        .await;
    let made = spoofed.header("x-request-id").unwrap();
    assert_ne!(made, "abc-123", "a client does not choose its request's id");
    assert!(made.len() > 8, "{made}");
    direct.stop().await;
    let app = TestApp::start(app().config("security.trusted_proxies", ["127.0.0.1"]))
        .await
        .unwrap();
    let given = app
        .send(
            app.request(Method::GET, "/posts/1")
                .insert_header(("x-request-id", "abc-123")),
        )
        .await;
    assert_eq!(
        given.header("x-request-id"),
        Some("abc-123"),
        "a proxy's is kept"
    );
    let made = app.get("/posts/1").await;
    let id = made.header("x-request-id").unwrap();
    assert!(id.len() > 8, "{id}");
    let bogus = app
        .send(
            app.request(Method::GET, "/posts/1")
                .insert_header(("x-request-id", "has space")),
        )
        .await;
    assert_ne!(bogus.header("x-request-id"), Some("has space"));
}

#[injectable]
pub struct OtherPosts;

#[controller("/posts", public)]
impl OtherPosts {
    #[get("/{slug}")]
    async fn by_slug(&self, slug: String) -> String {
        slug
    }
}

#[module(controllers(PostsController, OtherPosts))]
pub struct ClashingModule;

#[elif::test]
async fn the_same_route_in_two_controllers_is_a_boot_error() {
    let report = App::new().module(ClashingModule).without_env().check();
    let text = report.to_string();
    assert!(text.contains("error[EL1012]: duplicate route"), "{text}");
    assert!(text.contains("GET /posts/{id} is served by both `PostsController::show` and `OtherPosts::by_slug` (as /posts/{slug})"), "{text}");
    assert!(text.contains("--> elif/tests/controllers.rs:"), "{text}");
}

#[elif::test]
async fn routes_are_described_for_inspection() {
    let app = start().await;
    let routes = app.booted().routes();
    let create = routes
        .iter()
        .find(|r| r.handler == "PostsController::create")
        .unwrap();
    assert_eq!(
        (create.method.as_str(), create.path.as_str()),
        ("POST", "/posts")
    );
    assert_eq!(create.guards, ["Bearer"]);
    let described: Vec<(&str, &str)> = create
        .extractors
        .iter()
        .map(|a| (a.name.as_str(), a.rust_type))
        .collect();
    assert_eq!(
        described,
        [("input", "Valid<NewPost>"), ("user", "Extension<User>")]
    );
    assert_eq!(create.response, "Created<Value>");
    assert_eq!(
        create.extractors[1].schema, None,
        "Extension<User> has no schema"
    );
    let comment = routes
        .iter()
        .find(|r| r.handler == "PostsController::comment")
        .unwrap();
    let params: Vec<(&str, &str)> = comment
        .params
        .iter()
        .map(|a| (a.name.as_str(), a.rust_type))
        .collect();
    assert_eq!(params, [("comment", "String"), ("id", "u64")]);
    assert_eq!(
        comment.params[1].schema,
        Some(json!({ "type": "integer", "minimum": 0, "maximum": u64::MAX }))
    );
    let list = routes
        .iter()
        .find(|r| r.handler == "PostsController::list")
        .unwrap();
    assert_eq!(
        list.extractors[0].schema,
        Some(json!({
            "type": "object",
            "properties": {
                "page": { "type": "integer", "minimum": 0, "maximum": u64::MAX },
                "per_page": { "anyOf": [{ "type": "integer", "minimum": 0, "maximum": u64::MAX }, { "type": "null" }] },
            },
            "required": ["page"],
        }))
    );
    let show = routes
        .iter()
        .find(|r| r.handler == "PostsController::show")
        .unwrap();
    assert_eq!(
        show.response_schema.as_ref().unwrap()["properties"]["title"],
        json!({ "type": "string" })
    );
}

#[derive(Debug, DomainError)]
pub enum ShelfError {
    #[problem(
        status = 404,
        code = "BOOK_NOT_FOUND",
        message = "book {0} is not on the shelf",
        hint = "list books with GET /shelf"
    )]
    NotFound(u64),
    #[problem(
        status = 409,
        code = "TITLE_TAKEN",
        message = "the title {title:?} is taken"
    )]
    TitleTaken { title: String },
    #[problem(status = 423, code = "SHELF_LOCKED", message = "the shelf is locked")]
    Locked,
}

#[injectable]
pub struct Shelf;

#[controller("/shelf", public)]
impl Shelf {
    #[get("/{id}")]
    async fn show(&self, id: u64) -> elif::Result<String> {
        match id {
            1 => Ok("Dune".into()),
            2 => Err(ShelfError::TitleTaken {
                title: "Dune".into(),
            })?,
            3 => Err(ShelfError::Locked.into()),
            _ => Err(ShelfError::NotFound(id).into()),
        }
    }
}

#[module(controllers(Shelf))]
pub struct ShelfModule;

#[elif::test]
async fn domain_errors_map_to_status_code_and_hint() {
    let app = TestApp::start(App::new().module(ShelfModule).without_env())
        .await
        .unwrap();
    assert_eq!(app.get("/shelf/1").await.text(), "Dune");
    let missing = app.get("/shelf/7").await;
    assert_eq!(missing.status(), 404);
    let problem: Value = missing.json();
    assert_eq!(problem["code"], "BOOK_NOT_FOUND");
    assert_eq!(problem["detail"], "book 7 is not on the shelf");
    assert_eq!(problem["hint"], "list books with GET /shelf");
    let taken: Value = app.get("/shelf/2").await.json();
    assert_eq!(
        (taken["status"].clone(), taken["detail"].clone()),
        (json!(409), json!("the title \"Dune\" is taken"))
    );
    assert_eq!(app.get("/shelf/3").await.status(), 423);
    let error = Error::from(ShelfError::NotFound(9));
    assert!(matches!(
        error.downcast_ref::<ShelfError>(),
        Some(ShelfError::NotFound(9))
    ));
}

/// Appends `mark;` to the response's `x-trail` header: the order in which
/// interceptors saw the response on its way out.
fn mark_trail(mut response: HttpResponse, mark: &str) -> HttpResponse {
    let trail = response
        .headers()
        .get("x-trail")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let value = elif::http::header::HeaderValue::from_str(&format!("{trail}{mark};")).unwrap();
    response.headers_mut().insert(
        elif::http::header::HeaderName::from_static("x-trail"),
        value,
    );
    response
}

#[injectable]
pub struct Stamp;

impl Interceptor for Stamp {
    async fn intercept<N>(&self, _cx: &RequestContext<'_>, next: N) -> elif::Result<HttpResponse>
    where
        N: std::future::Future<Output = elif::Result<HttpResponse>>,
    {
        Ok(mark_trail(next.await?, "stamp"))
    }
}

#[injectable]
pub struct Cached;

impl Interceptor for Cached {
    async fn intercept<N>(&self, cx: &RequestContext<'_>, next: N) -> elif::Result<HttpResponse>
    where
        N: std::future::Future<Output = elif::Result<HttpResponse>>,
    {
        if cx.request().query_string() == "cached" {
            return Ok(HttpResponse::Ok()
                .insert_header(("x-trail", "cache;"))
                .body("from cache"));
        }
        let mut response = next.await?;
        response.headers_mut().insert(
            elif::http::header::HeaderName::from_static("x-trail"),
            elif::http::header::HeaderValue::from_static("cached;"),
        );
        Ok(response)
    }
}

#[injectable]
pub struct GoneFilter;

impl ExceptionFilter for GoneFilter {
    fn catch(&self, error: &Error, _cx: &RequestContext<'_>) -> Option<HttpResponse> {
        matches!(
            error.downcast_ref::<ShelfError>(),
            Some(ShelfError::NotFound(_))
        )
        .then(|| HttpResponse::Gone().body(format!("gone: {}", error.detail())))
    }
}

#[injectable]
pub struct LayersController;

#[controller(
    "/layers",
    public,
    interceptors(Stamp),
    filters(GoneFilter),
    middleware(elif::http::middleware::DefaultHeaders::new().add(("x-controller", "1")))
)]
impl LayersController {
    #[get("/{id}", interceptors(Cached), middleware(elif::http::middleware::DefaultHeaders::new().add(("x-route", "1"))))]
    async fn show(&self, id: u64) -> elif::Result<String> {
        if id == 0 {
            Err(ShelfError::NotFound(0).into())
        } else {
            Ok(format!("item {id}"))
        }
    }

    #[get("/guarded/{id}", guards(Bearer))]
    async fn guarded(&self, id: u64) -> elif::Result<String> {
        Err(ShelfError::NotFound(id).into())
    }
}

#[module(
    controllers(LayersController),
    middleware(elif::http::middleware::DefaultHeaders::new().add(("x-module", "1")))
)]
pub struct LayersModule;

#[elif::test]
async fn interceptors_filters_and_middleware_compose() {
    let app = TestApp::start(
        App::new()
            .module(LayersModule)
            .without_env()
            .middleware(|route| {
                route.wrap(elif::http::middleware::DefaultHeaders::new().add(("x-app", "1")))
            }),
    )
    .await
    .unwrap();
    let ok = app.get("/layers/7").await;
    assert_eq!(ok.text(), "item 7");
    // The route's interceptor runs inside the controller's: it stamps first.
    assert_eq!(ok.header("x-trail"), Some("cached;stamp;"));
    assert_eq!(
        (
            ok.header("x-app"),
            ok.header("x-controller"),
            ok.header("x-route")
        ),
        (Some("1"), Some("1"), Some("1"))
    );
    assert_eq!(ok.header("x-module"), Some("1"));
    let cached = app.get("/layers/7?cached").await;
    assert_eq!(
        cached.text(),
        "from cache",
        "an interceptor can answer without the handler"
    );
    assert_eq!(cached.header("x-trail"), Some("cache;stamp;"));
    let gone = app.get("/layers/0").await;
    assert_eq!(gone.status(), 410, "the filter maps the domain error");
    assert_eq!(gone.text(), "gone: book 0 is not on the shelf");
    let guarded = app.get("/layers/guarded/1").await;
    assert_eq!(
        guarded.status(),
        401,
        "a guard's error passes the filter untouched"
    );
    let authorized = app
        .send(authorized(&app, Method::GET, "/layers/guarded/3"))
        .await;
    assert_eq!(
        authorized.status(),
        410,
        "the handler's error reaches the filter"
    );
    assert_eq!(
        app.get("/layers/x").await.status(),
        400,
        "extractor errors pass through"
    );
}

#[module(controllers(Shelf), guards(Bearer))]
pub struct LockedShelfModule;

#[elif::test]
async fn module_guards_cover_the_modules_routes() {
    let app = TestApp::start(App::new().module(LockedShelfModule).without_env())
        .await
        .unwrap();
    assert_eq!(app.get("/shelf/1").await.status(), 401);
    assert_eq!(
        app.send(authorized(&app, Method::GET, "/shelf/1"))
            .await
            .text(),
        "Dune"
    );
    assert_eq!(
        app.get("/health").await.status(),
        200,
        "module guards do not reach other routes"
    );
}

#[injectable]
pub struct UserPosts;

#[controller("/users/{user_id}/posts", public)]
impl UserPosts {
    #[get("/{id}")]
    async fn show(&self, user_id: u64, id: u64) -> String {
        format!("post {id} of user {user_id}")
    }
}

#[guard(scope = "request")]
pub struct PerRequestGuard;

impl Guard for PerRequestGuard {
    async fn check(&self, _: &RequestContext<'_>) -> elif::Result<()> {
        Ok(())
    }
}

#[injectable]
pub struct Guarded;

#[controller("/guarded", guards(PerRequestGuard), public)]
impl Guarded {
    #[get("/")]
    async fn index(&self) -> &'static str {
        ""
    }
}

#[module(controllers(UserPosts))]
pub struct UserPostsModule;

#[module(controllers(Guarded))]
pub struct GuardedModule;

#[elif::test]
async fn prefix_parameters_bind_to_arguments() {
    let app = TestApp::start(App::new().module(UserPostsModule).without_env())
        .await
        .unwrap();
    assert_eq!(app.get("/users/3/posts/9").await.text(), "post 9 of user 3");
}

#[elif::test]
async fn guards_must_be_singletons() {
    let report = App::new()
        .module(GuardedModule)
        .without_env()
        .check()
        .to_string();
    assert!(report.contains("error[EL1014]: must be a singleton\n  `PerRequestGuard` is a guard, interceptor or filter but is request-scoped"), "{report}");
}

#[elif::test]
async fn unknown_field_pointers_escape_keys() {
    let app = start().await;
    let body = json!({ "title": "ok", "stars": 1, "a.b": 1, "x/y": 2 });
    let problem: Value = app
        .send_json(authorized(&app, Method::POST, "/posts"), &body)
        .await
        .json();
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["/a.b", "/x~1y"]);
}

/// A DTO whose wire names come from `rename_all`, with one field renamed.
#[derive(Debug, Deserialize, Serialize, Validate, Schema)]
#[serde(rename_all = "camelCase")]
pub struct SignUp {
    #[validate(length(min = 2))]
    pub display_name: String,
    #[serde(rename = "e-mail")]
    #[validate(email)]
    pub email_address: String,
    pub referral_code: Option<String>,
}

/// An enum of unit variants under `rename_all`.
#[derive(Debug, Serialize, Schema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Plan {
    FreeTier,
    PaidMonthly,
}

#[test]
fn validation_pointers_and_schemas_follow_serde_rename_all() {
    let invalid = SignUp {
        display_name: "A".into(),
        email_address: "nope".into(),
        referral_code: None,
    };
    let errors = elif::validate::Validate::validate(&invalid).unwrap_err();
    let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
    assert_eq!(pointers, ["/displayName", "/e-mail"]);

    let schema = <SignUp as Schema>::schema();
    let properties: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
    assert_eq!(properties, ["displayName", "e-mail", "referralCode"]);
    assert_eq!(schema["required"], json!(["displayName", "e-mail"]));
    // serde agrees: the names the schema gives are the ones it writes.
    let written = serde_json::to_value(&invalid).unwrap();
    assert!(written.get("displayName").is_some() && written.get("e-mail").is_some());
    assert_eq!(
        <Plan as Schema>::schema()["enum"],
        json!(["FREE_TIER", "PAID_MONTHLY"])
    );
    assert_eq!(
        serde_json::to_value(Plan::PaidMonthly).unwrap(),
        "PAID_MONTHLY"
    );
}

/// A DTO with defaulted fields and rules on the items of its lists.
#[derive(Debug, Deserialize, Validate, Schema)]
pub struct Tagged {
    #[validate(length(max = 3), each(length(min = 1, max = 5), regex = "^[a-z]+$"))]
    #[serde(default)]
    pub tags: Vec<String>,
    #[validate(each(range(min = 1, max = 9)))]
    pub scores: Option<Vec<u8>>,
    pub title: String,
}

#[test]
fn each_checks_every_item_and_the_schema_says_so() {
    let tagged: Tagged = serde_json::from_value(
        json!({ "tags": ["ok", "", "Caps", "toolong"], "scores": [1, 0, 10], "title": "t" }),
    )
    .unwrap();
    let errors = elif::validate::Validate::validate(&tagged).unwrap_err();
    let found: Vec<(&str, &str)> = errors
        .iter()
        .map(|e| (e.pointer.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            ("/tags", "length"),
            ("/tags/1", "length"),
            ("/tags/1", "regex"),
            ("/tags/2", "regex"),
            ("/tags/3", "length"),
            ("/scores/1", "range"),
            ("/scores/2", "range"),
        ]
    );
    let fine: Tagged = serde_json::from_value(json!({ "title": "t" })).unwrap();
    assert!(elif::validate::Validate::validate(&fine).is_ok());

    let schema = <Tagged as Schema>::schema();
    assert_eq!(
        schema["properties"]["tags"],
        json!({
            "type": "array",
            "maxItems": 3,
            "items": { "type": "string", "minLength": 1, "maxLength": 5, "pattern": "^[a-z]+$" }
        })
    );
    assert_eq!(
        schema["properties"]["scores"]["anyOf"][0]["items"],
        json!({ "type": "integer", "minimum": 1, "maximum": 9 })
    );
    // `tags` may be absent (serde fills it in): it is not required.
    assert_eq!(schema["required"], json!(["title"]));
}

/// An app-wide interceptor: marks the trail last, being outermost.
#[injectable]
pub struct Outer;

impl Interceptor for Outer {
    async fn intercept<N>(&self, _cx: &RequestContext<'_>, next: N) -> elif::Result<HttpResponse>
    where
        N: std::future::Future<Output = elif::Result<HttpResponse>>,
    {
        Ok(mark_trail(next.await?, "outer"))
    }
}

/// An app-wide filter: missing books are a teapot, unless a route's own filter answered.
#[injectable]
pub struct TeapotFilter;

impl ExceptionFilter for TeapotFilter {
    fn catch(&self, error: &Error, _cx: &RequestContext<'_>) -> Option<HttpResponse> {
        matches!(
            error.downcast_ref::<ShelfError>(),
            Some(ShelfError::NotFound(_))
        )
        .then(|| HttpResponse::ImATeapot().body("teapot"))
    }
}

/// Routes without interceptors or filters of their own.
#[injectable]
pub struct PlainShelf;

#[controller("/plain", public)]
impl PlainShelf {
    #[get("/{id}")]
    async fn show(&self, id: u64) -> elif::Result<String> {
        if id == 0 {
            Err(ShelfError::NotFound(0).into())
        } else {
            Ok(format!("plain {id}"))
        }
    }
}

#[module(controllers(LayersController, PlainShelf))]
pub struct AppLayersModule;

#[elif::test]
async fn app_interceptors_and_filters_wrap_every_route() {
    let app = TestApp::start(
        App::new()
            .module(AppLayersModule)
            .without_env()
            .interceptor::<Outer>()
            .filter::<TeapotFilter>(),
    )
    .await
    .unwrap();
    // A route with no layers of its own gets the app's.
    let plain = app.get("/plain/3").await;
    assert_eq!(plain.text(), "plain 3");
    assert_eq!(plain.header("x-trail"), Some("outer;"));
    assert_eq!(app.get("/plain/0").await.status(), 418);
    // Around the attributes' layers: the app's interceptor is outermost, the
    // route's own filter answers first.
    let layered = app.get("/layers/7").await;
    assert_eq!(layered.header("x-trail"), Some("cached;stamp;outer;"));
    assert_eq!(app.get("/layers/0").await.status(), 410);
    assert_eq!(app.get("/layers/guarded/1").await.status(), 401);
    assert_eq!(
        app.get("/plain/x").await.status(),
        400,
        "extractor errors pass"
    );

    let map = App::new()
        .module(AppLayersModule)
        .without_env()
        .interceptor::<Outer>()
        .filter::<TeapotFilter>()
        .map();
    let show = map
        .routes
        .iter()
        .find(|r| r.handler == "LayersController::show")
        .unwrap();
    assert_eq!(show.interceptors, ["Outer", "Stamp", "Cached"]);
    assert_eq!(show.filters, ["GoneFilter", "TeapotFilter"]);
    app.stop().await;
}

#[module(controllers(PlainShelf), interceptors(Outer), filters(TeapotFilter))]
pub struct PlainShelfModule;

#[elif::test]
async fn module_interceptors_and_filters_sit_inside_the_apps() {
    let app = || {
        App::new()
            .module(PlainShelfModule)
            .without_env()
            .interceptor::<Stamp>()
    };
    let server = TestApp::start(app()).await.unwrap();
    let plain = server.get("/plain/3").await;
    // The module's interceptor runs inside the app's: it marks the trail first.
    assert_eq!(plain.header("x-trail"), Some("outer;stamp;"));
    assert_eq!(
        server.get("/plain/0").await.status(),
        418,
        "the module's filter"
    );
    server.stop().await;

    let map = app().map();
    let show = map
        .routes
        .iter()
        .find(|r| r.handler == "PlainShelf::show")
        .unwrap();
    assert_eq!(show.interceptors, ["Stamp", "Outer"]);
    assert_eq!(show.filters, ["TeapotFilter"]);
    let module = map
        .modules
        .iter()
        .find(|m| m.name == "PlainShelfModule")
        .unwrap();
    assert_eq!(
        (module.interceptors.as_slice(), module.filters.as_slice()),
        (&["Outer"][..], &["TeapotFilter"][..])
    );
}
