//! Problem details (RFC 9457) on the wire: the body of every error response,
//! unless the app chose another [`ErrorFormat`]. The document itself
//! ([`Problem`], [`FieldError`]) is plain data of the error floor; this
//! module sends it.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use serde_json::Value;

use crate::error::Error;
pub use crate::error::{FieldError, Problem};

/// The media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Where catalogue entries are documented; a framework problem's `type` is
/// this followed by its code.
pub const CATALOGUE_URL: &str = elif_catalogue::URL;

/// How error responses are written. Every error the app answers with (the
/// router's 404 and 405, unreadable bodies, validation, guards, rate
/// limits, domain errors, panics) is first a [`Problem`]: its status,
/// stable code, detail, field errors and request id. The format writes its
/// body; elif sets the status and the headers (`X-Request-Id`,
/// `Retry-After`, the error's own), so that only the body's shape changes.
///
/// [`ProblemJson`] (RFC 9457) is the default; an app that must answer in
/// another shape (RealWorld's `{"errors": {"body": ["can't be blank"]}}`)
/// sets its own with `App::error_format`. Its schema and media type are
/// the OpenAPI document's for every error response.
pub trait ErrorFormat: Send + Sync + 'static {
    /// The `Content-Type` of error bodies.
    fn content_type(&self) -> &str;

    /// The body of the response for `problem` (5xx details are already
    /// generic in production).
    fn body(&self, problem: &Problem) -> Vec<u8>;

    /// The name of the bodies' schema among the OpenAPI document's
    /// `components/schemas`.
    fn schema_name(&self) -> &str;

    /// The JSON Schema (2020-12) of every body.
    fn schema(&self) -> Value;
}

/// RFC 9457 problem details with elif's `code`, `hint`, `request_id` and
/// `errors` members, as `application/problem+json`: the default format.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProblemJson;

impl ErrorFormat for ProblemJson {
    fn content_type(&self) -> &str {
        PROBLEM_JSON
    }

    fn body(&self, problem: &Problem) -> Vec<u8> {
        problem.to_json().into_bytes()
    }

    fn schema_name(&self) -> &str {
        "Problem"
    }

    fn schema(&self) -> Value {
        problem_schema()
    }
}

/// The schema of elif's problem+json error body (RFC 9457 with elif's
/// members), shared by every error response.
pub fn problem_schema() -> Value {
    serde_json::json!({
        "type": "object",
        "description": "An error (RFC 9457 problem details): `code` is stable, `hint` says how to fix it.",
        "properties": {
            "type": { "type": "string", "description": "A URI naming the kind of problem; elif's own point at their catalogue entry." },
            "title": { "type": "string" },
            "status": { "type": "integer", "minimum": 100, "maximum": 599 },
            "detail": { "type": "string" },
            "code": { "type": "string", "pattern": "^[A-Z][A-Z0-9_]*$", "description": "Stable SCREAMING_SNAKE code." },
            "hint": { "type": "string" },
            "request_id": { "type": "string" },
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "pointer": { "type": "string", "description": "JSON pointer to the field." },
                        "detail": { "type": "string" },
                        "code": { "type": "string" }
                    },
                    "required": ["pointer", "detail", "code"]
                }
            }
        },
        "required": ["type", "title", "status", "detail", "code"]
    })
}

impl Problem {
    /// The HTTP response carrying it as problem+json (with `X-Request-Id`
    /// when known).
    pub fn response(&self) -> HttpResponse {
        self.response_as(&ProblemJson)
    }

    /// The HTTP response carrying it in `format`: the problem's status,
    /// `X-Request-Id` when known, `Retry-After` and the error's own
    /// headers, and the body the format writes.
    pub fn response_as(&self, format: &dyn ErrorFormat) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = HttpResponse::build(status);
        response.insert_header((actix_web::http::header::CONTENT_TYPE, format.content_type()));
        if let Some(id) = &self.request_id {
            response.insert_header((crate::http::pipeline::REQUEST_ID, id.as_str()));
        }
        if let Some(seconds) = self.retry_after {
            response.insert_header((actix_web::http::header::RETRY_AFTER, seconds.to_string()));
        }
        for (name, value) in &self.headers {
            if let Ok(value) = actix_web::http::header::HeaderValue::from_str(value) {
                response.append_header((*name, value));
            }
        }
        response.body(format.body(self))
    }
}

/// Answers with an `application/problem+json` body (RFC 9457) carrying the
/// stable `code` and the `hint`.
impl actix_web::ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The response without request context; elif's pipeline re-renders it
    /// with the request id and the production rules.
    fn error_response(&self) -> HttpResponse {
        self.to_problem(None, false).response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_problem_json() {
        use actix_web::ResponseError;
        let err =
            Error::new(422, "POST_TITLE_EMPTY", "a post needs a title").with_hint("send a title");
        let response = err.error_response();
        assert_eq!(response.status().as_u16(), 422);
        assert_eq!(
            response.headers().get("content-type").unwrap(),
            PROBLEM_JSON
        );
        assert!(response.headers().get("retry-after").is_none());
    }

    #[test]
    fn retry_after_is_a_header_not_a_member() {
        use actix_web::ResponseError;
        let err = Error::new(503, "BUSY", "try later").with_retry_after(2);
        let response = err.error_response();
        assert_eq!(response.headers().get("retry-after").unwrap(), "2");
        assert!(!err.to_problem(None, false).to_json().contains("retry"));
    }

    #[test]
    fn extra_headers_go_on_the_response_and_bad_values_are_left_out() {
        use actix_web::ResponseError;
        let err = Error::new(401, "AUTH_REQUIRED", "sign in")
            .with_header("www-authenticate", "Bearer")
            .with_header("x-bad", "line\nbreak");
        let response = err.error_response();
        assert_eq!(
            response.headers().get("www-authenticate").unwrap(),
            "Bearer"
        );
        assert!(response.headers().get("x-bad").is_none());
        assert!(!err.to_problem(None, false).to_json().contains("Bearer"));
    }
}
