//! The one error type that handlers, services, factories and hooks return.

use std::borrow::Cow;
use std::fmt;

use elif_catalogue::Entry;

use crate::diagnostics::BootReport;
use crate::http::problem::{FieldError, Problem};

/// `Result` with elif's [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error with an HTTP status, a stable SCREAMING_SNAKE `code` and an
/// optional hint, or a boot report when the app could not start.
///
/// Any `std::error::Error` converts into it with `?` (as a 500
/// `INTERNAL_ERROR` that keeps the original as its source), so services can
/// use the crates they like and still return `elif::Result`.
pub struct Error {
    inner: Box<Inner>,
}

/// Boxed, so that `Result<T, Error>` stays one pointer wide on the error side.
struct Inner {
    status: u16,
    code: Cow<'static, str>,
    detail: String,
    hint: Option<Cow<'static, str>>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    report: Option<BootReport>,
    exit: Option<u8>,
    errors: Vec<FieldError>,
    entry: Option<&'static Entry>,
    rendered: Option<Problem>,
    domain: Option<Box<dyn std::any::Any + Send + Sync>>,
}

/// An error of the app's domain, mapped to a status, a stable code and a
/// hint. Derive it with `#[derive(DomainError)]` (which also writes
/// `Display` and the conversion into [`Error`]), or implement it by hand
/// and convert with [`Error::domain`].
pub trait DomainError: fmt::Display + Send + Sync + 'static {
    /// The HTTP status (400–599).
    fn status(&self) -> u16;
    /// The stable SCREAMING_SNAKE code, e.g. `POST_NOT_FOUND`.
    fn code(&self) -> &'static str;
    /// How to fix it, if there is something to say.
    fn hint(&self) -> Option<&'static str> {
        None
    }
}

impl Error {
    /// An error with the given HTTP status, stable code and human detail.
    pub fn new(status: u16, code: impl Into<Cow<'static, str>>, detail: impl Into<String>) -> Self {
        Self {
            inner: Box::new(Inner {
                status,
                code: code.into(),
                detail: detail.into(),
                hint: None,
                source: None,
                report: None,
                exit: None,
                errors: Vec::new(),
                entry: None,
                rendered: None,
                domain: None,
            }),
        }
    }

    /// An error whose response is already decided (by the pipeline, which
    /// knows the request id and the mode).
    pub(crate) fn rendered(problem: Problem) -> Self {
        let mut error = Self::new(500, "INTERNAL_ERROR", "");
        error.inner.rendered = Some(problem);
        error
    }

    /// The error for a domain error, which stays reachable through
    /// [`Error::downcast_ref`] (exception filters match on it).
    pub fn domain<E: DomainError>(error: E) -> Self {
        let mut converted = Self::new(error.status(), error.code(), error.to_string());
        if let Some(hint) = error.hint() {
            converted = converted.with_hint(hint);
        }
        converted.inner.domain = Some(Box::new(error));
        converted
    }

    /// The domain error this was made from, if it is a `T`.
    pub fn downcast_ref<T: 'static>(&self) -> Option<&T> {
        self.inner
            .domain
            .as_ref()
            .and_then(|d| d.downcast_ref::<T>())
    }

    /// A problem raised by elif itself: its `type` points at the catalogue entry.
    pub fn framework(
        entry: &'static Entry,
        status: u16,
        code: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        let mut error = Self::new(status, code, detail);
        error.inner.entry = Some(entry);
        error
    }

    /// A 422 `VALIDATION_FAILED` listing every field that broke a rule.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.len() {
            1 => "1 field is invalid".to_owned(),
            n => format!("{n} fields are invalid"),
        };
        Self::framework(&elif_catalogue::EL3004, 422, "VALIDATION_FAILED", detail)
            .with_hint("fix the fields listed in `errors`")
            .with_errors(errors)
    }

    /// Adds field-level errors (rendered as the problem's `errors` member).
    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.inner.errors.extend(errors);
        self
    }

    /// The field-level errors.
    pub fn errors(&self) -> &[FieldError] {
        &self.inner.errors
    }

    /// The catalogue entry of a problem raised by elif itself.
    pub fn entry(&self) -> Option<&'static Entry> {
        self.inner.entry
    }

    /// The problem+json document for this error. In production, 5xx details
    /// and hints are replaced by a generic text (the detail belongs in the log).
    pub fn to_problem(&self, request_id: Option<&str>, production: bool) -> Problem {
        let generic = production && self.inner.status >= 500;
        Problem {
            kind: self.inner.entry.map(Problem::type_of),
            status: self.inner.status,
            detail: if generic {
                "an internal error occurred; quote the request id when reporting it".to_owned()
            } else {
                self.inner.detail.clone()
            },
            code: self.inner.code.to_string(),
            hint: if generic {
                None
            } else {
                self.inner.hint.as_deref().map(str::to_owned)
            },
            request_id: request_id.map(str::to_owned),
            errors: self.inner.errors.clone(),
        }
    }

    /// A 500 `INTERNAL_ERROR` with the given detail.
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(500, "INTERNAL_ERROR", detail)
    }

    /// The app could not boot: every problem found is in the report.
    pub fn boot(report: BootReport) -> Self {
        let detail = format!("the application cannot start: {}", report.summary());
        let mut error = Self::new(500, "BOOT_FAILED", detail);
        error.inner.report = Some(report);
        error
    }

    /// A command that has already told the user what went wrong and only
    /// needs to end the process with `code`.
    pub fn exit(code: u8) -> Self {
        let mut error = Self::new(500, "COMMAND_FAILED", "");
        error.inner.exit = Some(code);
        error
    }

    /// Adds a hint: one sentence telling the reader how to fix the problem.
    pub fn with_hint(mut self, hint: impl Into<Cow<'static, str>>) -> Self {
        self.inner.hint = Some(hint.into());
        self
    }

    /// Attaches the underlying cause.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }

    /// The HTTP status this error answers with.
    pub fn status(&self) -> u16 {
        self.inner.status
    }

    /// The stable SCREAMING_SNAKE code, e.g. `POST_NOT_FOUND`.
    pub fn code(&self) -> &str {
        &self.inner.code
    }

    /// The human-readable detail.
    pub fn detail(&self) -> &str {
        &self.inner.detail
    }

    /// The hint, if any.
    pub fn hint(&self) -> Option<&str> {
        self.inner.hint.as_deref()
    }

    /// The boot report, when this error stopped the app from booting.
    pub fn boot_report(&self) -> Option<&BootReport> {
        self.inner.report.as_ref()
    }

    /// The process exit code a command should end with for this error:
    /// the code it was given, the boot report's own code, else 1.
    pub fn exit_code(&self) -> u8 {
        self.inner
            .exit
            .or_else(|| self.inner.report.as_ref().map(|r| r.exit_code()))
            .unwrap_or(1)
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for Error {
    fn from(err: E) -> Self {
        Self::internal(err.to_string()).with_source(err)
    }
}

/// Answers with an `application/problem+json` body (RFC 9457) carrying the
/// stable `code` and the `hint`.
impl actix_web::ResponseError for Error {
    fn status_code(&self) -> actix_web::http::StatusCode {
        actix_web::http::StatusCode::from_u16(self.inner.status)
            .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The response without request context; elif's pipeline re-renders it
    /// with the request id and the production rules.
    fn error_response(&self) -> actix_web::HttpResponse {
        match &self.inner.rendered {
            Some(problem) => problem.response(),
            None => self.to_problem(None, false).response(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(report) = &self.inner.report {
            return report.fmt(f);
        }
        write!(f, "{}", self.inner.detail)?;
        let mut source = self
            .inner
            .source
            .as_deref()
            .map(|s| s as &dyn std::error::Error);
        while let Some(cause) = source {
            let text = cause.to_string();
            if text != self.inner.detail {
                write!(f, "\n  caused by: {text}")?;
            }
            source = cause.source();
        }
        if let Some(hint) = &self.inner.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{} {}] ", self.inner.status, self.inner.code)?;
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn std_errors_convert_to_internal_errors_with_their_cause() {
        fn parse() -> Result<u16> {
            Ok("eighty".parse::<u16>()?)
        }
        let err = parse().unwrap_err();
        assert_eq!(err.status(), 500);
        assert_eq!(err.code(), "INTERNAL_ERROR");
        assert_eq!(err.to_string(), "invalid digit found in string");
        assert_eq!(err.exit_code(), 1);
    }

    #[test]
    fn renders_problem_json() {
        use actix_web::ResponseError;
        let err =
            Error::new(422, "POST_TITLE_EMPTY", "a post needs a title").with_hint("send a title");
        let response = err.error_response();
        assert_eq!(response.status().as_u16(), 422);
        assert_eq!(
            response.headers().get("content-type").unwrap(),
            "application/problem+json"
        );
    }

    #[test]
    fn display_shows_detail_and_hint() {
        let err = Error::new(404, "POST_NOT_FOUND", "post 17 does not exist")
            .with_hint("list posts with GET /posts");
        assert_eq!(
            err.to_string(),
            "post 17 does not exist\n  hint: list posts with GET /posts"
        );
        assert_eq!(
            format!("{err:?}"),
            "[404 POST_NOT_FOUND] post 17 does not exist\n  hint: list posts with GET /posts"
        );
    }
}
