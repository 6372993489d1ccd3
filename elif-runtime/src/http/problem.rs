//! Problem details (RFC 9457) on the wire: the body of every error response.
//! The document itself ([`Problem`], [`FieldError`]) is plain data of the
//! error floor; this module sends it.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;

use crate::error::Error;
pub use crate::error::{FieldError, Problem};

/// The media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Where catalogue entries are documented; a framework problem's `type` is
/// this followed by its code.
pub const CATALOGUE_URL: &str = elif_catalogue::URL;

impl Problem {
    /// The HTTP response carrying it (with `X-Request-Id` when known).
    pub fn response(&self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = HttpResponse::build(status);
        response.content_type(PROBLEM_JSON);
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
        response.body(self.to_json())
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
