//! The one error type that handlers, services, factories and hooks return.

use std::borrow::Cow;
use std::fmt;

use elif_catalogue::Entry;

use crate::diagnostics::BootReport;

mod problem;

pub use problem::{FieldError, Problem};

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
    domain: Option<Box<dyn std::any::Any + Send + Sync>>,
    retry_after: Option<u32>,
    headers: Vec<(&'static str, String)>,
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

    /// Every error of the type, for the API description of the routes
    /// that return it (`#[derive(DomainError)]` lists its variants).
    fn declared() -> Vec<DeclaredProblem>
    where
        Self: Sized,
    {
        Vec::new()
    }
}

/// One error a handler declares: a variant of its `#[derive(DomainError)]`
/// type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DeclaredProblem {
    /// Its HTTP status.
    pub status: u16,
    /// Its stable code (`POST_NOT_FOUND`).
    pub code: &'static str,
    /// Its message template, as declared (`post {0} does not exist`).
    pub message: &'static str,
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
                domain: None,
                retry_after: None,
                headers: Vec::new(),
            }),
        }
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

    /// A problem raised by elif itself: its status and `code` are the
    /// catalogue entry's [`Answer`](elif_catalogue::Answer), and its `type`
    /// points at the entry. An entry without an answer (not a request-time
    /// one, which the catalogue's tests rule out) answers 500 `INTERNAL_ERROR`.
    pub fn framework(entry: &'static Entry, detail: impl Into<String>) -> Self {
        let (status, code) = entry.answer.map_or((500, "INTERNAL_ERROR"), |answer| {
            (answer.status, answer.code)
        });
        let mut error = Self::new(status, code, detail);
        error.inner.entry = Some(entry);
        error
    }

    /// This error with a boot-time catalogue entry, a package's
    /// (`package_catalogue!`) or elif's: a factory or `on_init` hook that
    /// fails with it is reported under the entry's code, with the error's
    /// message and hint. The status and `code` stay.
    pub fn with_entry(mut self, entry: &'static Entry) -> Self {
        self.inner.entry = Some(entry);
        self
    }

    /// An error known only by its HTTP status (one of actix-web's, or an
    /// error response without a body): the catalogue entry for the status
    /// ([`entry_for_status`]), keeping the status itself.
    pub(crate) fn from_status(status: u16, detail: impl Into<String>) -> Self {
        let mut error = Self::framework(entry_for_status(status), detail);
        error.inner.status = status;
        error
    }

    /// Replaces the `code`: for entries whose code names the app's own
    /// type (`EL3009`'s `POST_NOT_FOUND`).
    pub(crate) fn with_code(mut self, code: &'static str) -> Self {
        self.inner.code = Cow::Borrowed(code);
        self
    }

    /// A 422 `VALIDATION_FAILED` listing every field that broke a rule.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.len() {
            1 => "1 field is invalid".to_owned(),
            n => format!("{n} fields are invalid"),
        };
        Self::framework(&elif_catalogue::EL3004, detail)
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
            retry_after: self.inner.retry_after,
            headers: self.inner.headers.clone(),
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

    /// Adds a `Retry-After: <seconds>` header to the response (a 503 or 429
    /// that knows when to come back).
    pub fn with_retry_after(mut self, seconds: u32) -> Self {
        self.inner.retry_after = Some(seconds);
        self
    }

    /// Adds a response header (`WWW-Authenticate` on a 401, `Allow` on a
    /// 405). A value that is not a valid header value is left out.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.inner.headers.push((name, value.into()));
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

/// The request-time entry for an error known only by its status: the
/// HTTP layer's entry answering exactly that status (404, 405, 413, 415),
/// else malformed request for a 4xx and internal error for anything else.
/// The data layer's entries are not candidates: a 503 from elsewhere is not
/// a database outage, nor a 409 a taken unique value.
pub(crate) fn entry_for_status(status: u16) -> &'static Entry {
    use elif_catalogue::{EL3001, EL3002, EL3003, EL3005, EL3006, EL3007};
    const BY_STATUS: [&Entry; 4] = [&EL3001, &EL3002, &EL3005, &EL3006];
    let exact = BY_STATUS
        .into_iter()
        .find(|entry| entry.answer.is_some_and(|answer| answer.status == status));
    match exact {
        Some(entry) => entry,
        None if (400..500).contains(&status) => &EL3003,
        None => &EL3007,
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for Error {
    fn from(err: E) -> Self {
        Self::internal(err.to_string()).with_source(err)
    }
}

impl BootReport {
    /// `Ok(())` when nothing stops the app, else the report as an error.
    pub fn into_result(self) -> Result<()> {
        if self.has_errors() {
            Err(Error::boot(self))
        } else {
            Ok(())
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
    fn framework_errors_answer_with_their_entry() {
        let error = Error::framework(&elif_catalogue::EL3003, "the body is not valid JSON");
        assert_eq!((error.status(), error.code()), (400, "MALFORMED_REQUEST"));
        assert_eq!(error.entry().map(|e| e.code), Some("EL3003"));
        let not_found = Error::framework(&elif_catalogue::EL3009, "post 9 does not exist")
            .with_code("POST_NOT_FOUND");
        assert_eq!(
            (not_found.status(), not_found.code()),
            (404, "POST_NOT_FOUND")
        );
        // An entry that never answers a request (a boot error) is a 500.
        let boot = Error::framework(&elif_catalogue::EL1001, "misused");
        assert_eq!((boot.status(), boot.code()), (500, "INTERNAL_ERROR"));
    }

    #[test]
    fn errors_known_by_status_keep_it_and_take_the_http_entry() {
        for (status, entry, code) in [
            (401, "EL3003", "MALFORMED_REQUEST"),
            (409, "EL3003", "MALFORMED_REQUEST"),
            (503, "EL3007", "INTERNAL_ERROR"),
            (599, "EL3007", "INTERNAL_ERROR"),
            (400, "EL3003", "MALFORMED_REQUEST"),
            (404, "EL3001", "ROUTE_NOT_FOUND"),
            (405, "EL3002", "METHOD_NOT_ALLOWED"),
            (413, "EL3005", "PAYLOAD_TOO_LARGE"),
            (415, "EL3006", "UNSUPPORTED_MEDIA_TYPE"),
            (500, "EL3007", "INTERNAL_ERROR"),
        ] {
            let error = Error::from_status(status, "it failed");
            assert_eq!(error.status(), status);
            assert_eq!(error.code(), code, "{status}");
            assert_eq!(error.entry().map(|e| e.code), Some(entry), "{status}");
        }
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
