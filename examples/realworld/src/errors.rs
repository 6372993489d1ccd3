//! RealWorld's error shape, `{"errors": {"<field>": ["<message>"]}}`, for
//! every error the app answers with (elif's `ErrorFormat`), and Conduit's
//! own errors.

use elif::http::{ErrorFormat, Problem};
use elif::prelude::*;
use serde_json::{Map, Value, json};

/// What the app refuses, in RealWorld's words: the code's first word is
/// the field the message goes under (`ARTICLE_NOT_FOUND` →
/// `{"article": ["not found"]}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, DomainError)]
pub enum Conduit {
    /// A failed login: unknown email or wrong password alike.
    #[problem(status = 401, code = "CREDENTIALS_INVALID", message = "invalid")]
    BadCredentials,
    /// No article has this slug.
    #[problem(status = 404, code = "ARTICLE_NOT_FOUND", message = "not found")]
    ArticleNotFound,
    /// The article is someone else's.
    #[problem(status = 403, code = "ARTICLE_FORBIDDEN", message = "forbidden")]
    ArticleForbidden,
    /// No comment of this article has this id.
    #[problem(status = 404, code = "COMMENT_NOT_FOUND", message = "not found")]
    CommentNotFound,
    /// The comment is someone else's.
    #[problem(status = 403, code = "COMMENT_FORBIDDEN", message = "forbidden")]
    CommentForbidden,
    /// No user has this username.
    #[problem(status = 404, code = "PROFILE_NOT_FOUND", message = "not found")]
    ProfileNotFound,
}

/// Conduit's codes, whose first word names the field.
const OWN_CODES: [&str; 6] = [
    "CREDENTIALS_INVALID",
    "ARTICLE_NOT_FOUND",
    "ARTICLE_FORBIDDEN",
    "COMMENT_NOT_FOUND",
    "COMMENT_FORBIDDEN",
    "PROFILE_NOT_FOUND",
];

/// Writes every error as RealWorld's `GenericErrorModel`.
pub struct RealWorldErrors;

impl RealWorldErrors {
    /// The `{"<field>": ["<message>", ..]}` map for `problem`.
    fn errors(problem: &Problem) -> Map<String, Value> {
        let mut errors = Map::new();
        let mut add = |field: &str, message: &str| {
            if let Value::Array(messages) = errors
                .entry(field.to_owned())
                .or_insert_with(|| Value::Array(Vec::new()))
            {
                messages.push(Value::from(message));
            }
        };
        if OWN_CODES.contains(&problem.code.as_str()) {
            let field = problem.code.split('_').next().unwrap_or_default();
            add(&field.to_lowercase(), &problem.detail);
        } else if problem.status == 401 {
            // Absent, malformed, expired or revoked: RealWorld has one answer.
            add("token", "is missing");
        } else if problem.errors.is_empty() {
            add("body", &problem.detail);
        }
        for error in &problem.errors {
            // `/user/email` → `email`; the body itself → `body`.
            let field = match error.pointer.rsplit('/').next() {
                Some("") | None => "body",
                Some(field) => field,
            };
            let message = match error.code.as_str() {
                "required" | "blank" => "can't be blank",
                "unique" => "has already been taken",
                _ => &error.detail,
            };
            add(field, message);
        }
        errors
    }
}

impl ErrorFormat for RealWorldErrors {
    fn content_type(&self) -> &str {
        "application/json; charset=utf-8"
    }

    fn body(&self, problem: &Problem) -> Vec<u8> {
        let body = json!({ "errors": Self::errors(problem) });
        serde_json::to_vec(&body).unwrap_or_default()
    }

    fn schema_name(&self) -> &str {
        "GenericErrorModel"
    }

    fn schema(&self) -> Value {
        json!({
            "type": "object",
            "required": ["errors"],
            "properties": {
                "errors": {
                    "type": "object",
                    "additionalProperties": { "type": "array", "items": { "type": "string" } }
                }
            }
        })
    }
}

/// `custom = not_blank`: a text with something else than spaces.
pub fn not_blank(value: &str) -> Result<(), elif::validate::RuleError> {
    if value.trim().is_empty() {
        Err(elif::validate::RuleError::new("blank", "can't be blank"))
    } else {
        Ok(())
    }
}
