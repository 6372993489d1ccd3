//! Problem details (RFC 9457): an error as the client receives it, and the
//! field-level errors it lists. Plain data, so that validation and the data
//! layer can describe what went wrong without the HTTP floor; `http::problem`
//! sends it.

use elif_catalogue::Entry;
use serde::Serialize;

/// One field that broke a rule, in a problem's `errors` member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FieldError {
    /// JSON pointer to the field (`/author/name`, `/tags/0`); `""` for the whole document.
    pub pointer: String,
    /// What is wrong, for people.
    pub detail: String,
    /// The rule, for programs (`length`, `required`, `unknown_field`, `type`).
    pub code: String,
}

impl FieldError {
    /// A field error.
    pub fn new(
        pointer: impl Into<String>,
        code: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            pointer: pointer.into(),
            detail: detail.into(),
            code: code.into(),
        }
    }
}

/// A problem document: `type`, `title`, `status`, `detail`, plus elif's
/// members `code`, `hint`, `request_id` and `errors`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The catalogue URL for problems raised by elif; `about:blank` otherwise.
    pub kind: Option<String>,
    /// HTTP status.
    pub status: u16,
    /// Human detail.
    pub detail: String,
    /// Stable SCREAMING_SNAKE code.
    pub code: String,
    /// How to fix it.
    pub hint: Option<String>,
    /// The request id, to find the request in the log.
    pub request_id: Option<String>,
    /// Field-level errors.
    pub errors: Vec<FieldError>,
    /// Seconds for the `Retry-After` header (not a member of the body).
    pub retry_after: Option<u32>,
    /// Other response headers (not members of the body).
    pub headers: Vec<(&'static str, String)>,
}

#[derive(Serialize)]
struct Document<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    title: &'a str,
    status: u16,
    detail: &'a str,
    code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<&'a str>,
    #[serde(skip_serializing_if = "<[FieldError]>::is_empty")]
    errors: &'a [FieldError],
}

impl Problem {
    /// The `type` URL of a catalogue entry.
    pub fn type_of(entry: &'static Entry) -> String {
        entry.url()
    }

    /// The status's reason phrase, used as `title`.
    pub fn title(&self) -> &'static str {
        actix_web::http::StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("Error")
    }

    /// The JSON text.
    pub fn to_json(&self) -> String {
        let document = Document {
            kind: self.kind.as_deref().unwrap_or("about:blank"),
            title: self.title(),
            status: self.status,
            detail: &self.detail,
            code: &self.code,
            hint: self.hint.as_deref(),
            request_id: self.request_id.as_deref(),
            errors: &self.errors,
        };
        serde_json::to_string(&document).unwrap_or_default()
    }
}
