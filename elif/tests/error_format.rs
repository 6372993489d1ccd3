//! `App::error_format`: every error the app answers with, whoever raised
//! it (the router, the body reader, validation, a guard, a domain error, a
//! panic), is written in the app's format, with its status, headers, code
//! and request id kept; the OpenAPI document declares the format.

#![allow(missing_docs, clippy::unwrap_used)]

use elif::http::{ErrorFormat, Method, Problem};
use elif::prelude::*;
use elif::testing::TestApp;
use serde::Deserialize;
use serde_json::{Value, json};

/// RealWorld's shape, `{"errors": {"<field>": ["<message>"]}}`, with the
/// status, code and request id beside it so that the test sees them reach
/// the format.
struct ByField;

impl ErrorFormat for ByField {
    fn content_type(&self) -> &str {
        "application/json; charset=utf-8"
    }

    fn body(&self, problem: &Problem) -> Vec<u8> {
        let mut errors = serde_json::Map::new();
        if problem.errors.is_empty() {
            errors.insert(problem.code.to_lowercase(), json!([problem.detail]));
        }
        for error in &problem.errors {
            let field = error.pointer.rsplit('/').next().unwrap_or_default();
            let messages = errors.entry(field.to_owned()).or_insert_with(|| json!([]));
            messages.as_array_mut().unwrap().push(json!(error.code));
        }
        serde_json::to_vec(&json!({
            "errors": errors,
            "status": problem.status,
            "code": problem.code,
            "request_id": problem.request_id,
        }))
        .unwrap()
    }

    fn schema_name(&self) -> &str {
        "ErrorsByField"
    }

    fn schema(&self) -> Value {
        json!({
            "type": "object",
            "properties": {
                "errors": { "type": "object", "additionalProperties": { "type": "array", "items": { "type": "string" } } }
            },
            "required": ["errors"]
        })
    }
}

#[guard]
pub struct Token;

impl Guard for Token {
    const AUTHENTICATES: bool = true;

    async fn check(&self, cx: &RequestContext<'_>) -> elif::Result<()> {
        match cx.header("authorization") {
            Some("Token good") => Ok(()),
            None if cx.access().is_public() => Ok(()),
            _ => Err(Error::new(401, "TOKEN_MISSING", "is missing")),
        }
    }
}

#[derive(Debug, Deserialize, Validate, Schema)]
pub struct NewArticle {
    #[validate(length(min = 1))]
    pub title: String,
    #[validate(length(min = 1))]
    pub body: String,
}

#[derive(Debug, Clone, Copy, DomainError)]
pub enum ArticleError {
    #[problem(status = 404, code = "ARTICLE_NOT_FOUND", message = "not found")]
    NotFound,
}

#[injectable]
pub struct Articles;

#[controller("/articles", guards(Token))]
impl Articles {
    #[post("/")]
    async fn create(&self, input: Valid<NewArticle>) -> Json<Value> {
        Json(json!({ "title": input.title }))
    }

    #[get("/{slug}")]
    #[public]
    async fn show(&self, slug: String) -> Result<Json<Value>, ArticleError> {
        if slug == "known" {
            Ok(Json(json!({ "slug": slug })))
        } else {
            Err(ArticleError::NotFound)
        }
    }

    #[get("/broken/panic")]
    #[public]
    async fn broken(&self) -> &'static str {
        panic!("a bug")
    }
}

#[module(controllers(Articles), guards(Token))]
pub struct ArticlesModule;

fn app() -> App {
    App::new()
        .module(ArticlesModule)
        .error_format(ByField)
        .config("server.body_limit", 256)
}

fn authed(app: &TestApp, method: Method, path: &str) -> elif::testing::TestRequest {
    app.request(method, path)
        .insert_header(("authorization", "Token good"))
}

/// The body, after checking that the response is in the format and keeps
/// its status and request id.
fn errors_of(response: &elif::testing::TestResponse, status: u16, code: &str) -> Value {
    assert_eq!(response.status(), status, "{}", response.text());
    assert_eq!(
        response.header("content-type"),
        Some("application/json; charset=utf-8"),
        "{}",
        response.text()
    );
    let body: Value = response.json();
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    let id = response
        .header("x-request-id")
        .expect("the request id header");
    assert_eq!(body["request_id"], id, "{body}");
    body["errors"].clone()
}

#[elif::test]
async fn every_error_is_written_in_the_apps_format() {
    let app = TestApp::start(app()).await.unwrap();

    let no_route = app.get("/nowhere").await;
    assert_eq!(
        errors_of(&no_route, 404, "ROUTE_NOT_FOUND"),
        json!({ "route_not_found": ["no route matches this path"] })
    );
    let no_method = app.send(app.request(Method::PUT, "/articles/known")).await;
    errors_of(&no_method, 405, "METHOD_NOT_ALLOWED");
    assert!(no_method.header("allow").is_some(), "headers are kept");

    let anonymous = app
        .send_json(app.request(Method::POST, "/articles"), &json!({}))
        .await;
    assert_eq!(
        errors_of(&anonymous, 401, "TOKEN_MISSING"),
        json!({ "token_missing": ["is missing"] })
    );

    let blank = app
        .send_json(
            authed(&app, Method::POST, "/articles"),
            &json!({ "title": "", "body": "" }),
        )
        .await;
    assert_eq!(
        errors_of(&blank, 422, "VALIDATION_FAILED"),
        json!({ "title": ["length"], "body": ["length"] })
    );
    let malformed = app
        .send_body(
            authed(&app, Method::POST, "/articles")
                .insert_header(("content-type", "application/json")),
            "{\"title\": ",
        )
        .await;
    errors_of(&malformed, 400, "MALFORMED_REQUEST");
    let not_json = app
        .send_body(
            authed(&app, Method::POST, "/articles").insert_header(("content-type", "text/plain")),
            "hi",
        )
        .await;
    errors_of(&not_json, 415, "UNSUPPORTED_MEDIA_TYPE");
    let large = app
        .send_json(
            authed(&app, Method::POST, "/articles"),
            &json!({ "title": "x".repeat(300), "body": "b" }),
        )
        .await;
    errors_of(&large, 413, "PAYLOAD_TOO_LARGE");

    let missing = app.get("/articles/unknown").await;
    assert_eq!(
        errors_of(&missing, 404, "ARTICLE_NOT_FOUND"),
        json!({ "article_not_found": ["not found"] })
    );
    let found = app.get("/articles/known").await;
    assert_eq!(found.status(), 200, "successes are untouched");
    assert_eq!(found.json::<Value>(), json!({ "slug": "known" }));

    let panicked = app.get("/articles/broken/panic").await;
    errors_of(&panicked, 500, "INTERNAL_ERROR");
    app.stop().await;
}

#[test]
fn the_openapi_document_declares_the_format_for_every_error() {
    let document = serde_json::to_value(app().openapi().unwrap()).unwrap();
    let schemas = &document["components"]["schemas"];
    assert!(schemas.get("Problem").is_none(), "{schemas}");
    assert_eq!(schemas["ErrorsByField"]["required"], json!(["errors"]));
    let create = &document["paths"]["/articles"]["post"]["responses"];
    for status in ["400", "401", "413", "415", "422"] {
        let content = &create[status]["content"];
        assert_eq!(
            content["application/json; charset=utf-8"]["schema"]["$ref"],
            "#/components/schemas/ErrorsByField",
            "{status}: {content}"
        );
        assert!(content.get("application/problem+json").is_none());
    }
    let show = &document["paths"]["/articles/{slug}"]["get"]["responses"]["404"];
    assert!(
        show["description"]
            .as_str()
            .unwrap()
            .contains("ARTICLE_NOT_FOUND"),
        "{show}"
    );
}
