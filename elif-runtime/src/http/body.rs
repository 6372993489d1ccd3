//! JSON bodies: [`Json<T>`] and [`Valid<T>`] read the body up to the app's
//! limit and reject members the type does not declare, unless the app
//! (`server.unknown_fields = "accept"`) or the type ([`Lenient<T>`]) accepts
//! them. Every problem is a problem+json response naming the field.
//!
//! The app's body settings are captured once per worker, when the worker
//! builds the app (the pipeline's `new_transform`), and kept in a
//! thread-local of that worker: an actix worker is a thread serving one
//! app, so a request reads them with one thread-local load instead of a
//! lookup in the app data.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::web::{Bytes, BytesMut};
use actix_web::{FromRequest, HttpRequest};
use elif_catalogue::{EL3003, EL3005, EL3006, EL3020};
use serde::de::DeserializeOwned;

use crate::config::{DEFAULT_BODY_LIMIT, UnknownFields};
use crate::error::{Error, FieldError};
use crate::http::extract::{escape, pointer_of, wrappers};
use crate::http::objects::Objects;
use crate::validate::{Errors, Validate};

/// How the app's JSON bodies are read: `server.body_limit` and
/// `server.unknown_fields`, as the worker serving the request mounted them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BodySettings {
    /// The largest body read, in bytes.
    pub(crate) limit: usize,
    /// What to do with members the body's type does not declare.
    pub(crate) unknown_fields: UnknownFields,
    /// How long the client has to send the body.
    pub(crate) timeout: std::time::Duration,
}

thread_local! {
    /// The settings of the app this worker thread serves.
    static SETTINGS: Cell<BodySettings> = const { Cell::new(BodySettings::DEFAULT) };
}

impl BodySettings {
    /// What a thread that mounted no app reads with: the config's defaults.
    pub(crate) const DEFAULT: Self = Self {
        limit: DEFAULT_BODY_LIMIT,
        unknown_fields: UnknownFields::Reject,
        timeout: std::time::Duration::from_secs(10),
    };

    /// Makes these the settings of every body this thread reads from now
    /// on. Called once per worker, when it builds the app.
    pub(crate) fn install(self) {
        SETTINGS.set(self);
    }

    /// The settings of the app this thread serves.
    fn current() -> Self {
        SETTINGS.get()
    }
}

type LocalBoxFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// What [`Json`] and [`Valid`] read a body into: any `DeserializeOwned`
/// type, whose unknown members are rejected unless the app accepts them,
/// or a [`Lenient<T>`], which accepts them.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be read from a JSON body",
    label = "not deserializable",
    note = "derive it: `#[derive(serde::Deserialize)]`"
)]
pub trait JsonBody: Sized + 'static {
    /// The type serde reads.
    type Value: DeserializeOwned;

    /// Whether members the type does not declare are accepted whatever
    /// `server.unknown_fields` says.
    const ACCEPTS_UNKNOWN_FIELDS: bool;

    /// The body, from the value read.
    fn from_value(value: Self::Value) -> Self;
}

impl<T: DeserializeOwned + 'static> JsonBody for T {
    type Value = T;
    const ACCEPTS_UNKNOWN_FIELDS: bool = false;

    fn from_value(value: T) -> T {
        value
    }
}

/// A body type that accepts members it does not declare, whatever the
/// app's `server.unknown_fields`: `Json<Lenient<NewUser>>`,
/// `Valid<Lenient<NewUser>>` (a type alias makes it the type's own rule).
/// It dereferences to `T`. Only the body's outermost type can be lenient,
/// and then the whole body is, nested members included.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lenient<T>(pub T);

impl<T: DeserializeOwned + 'static> JsonBody for Lenient<T> {
    type Value = T;
    const ACCEPTS_UNKNOWN_FIELDS: bool = true;

    fn from_value(value: T) -> Self {
        Self(value)
    }
}

impl<T: Validate> Validate for Lenient<T> {
    fn validate_into(&self, errors: &mut Errors, pointer: &str) {
        self.0.validate_into(errors, pointer);
    }
}

/// A JSON body read into `T`. Malformed JSON, wrong types and missing fields
/// answer 400 with the field's JSON pointer; members `T` does not declare
/// 422 naming each one (see [`Lenient`] and `server.unknown_fields`); a
/// body over the limit 413; a content type other than JSON 415. As a
/// response, serialises `T` as JSON.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Json<T>(pub T);

impl<T: JsonBody> FromRequest for Json<T> {
    type Error = Error;
    type Future = LocalBoxFuture<Result<Self, Error>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read::<T>(request, payload, |_| Ok(()));
        Box::pin(async move { body.await.map(Json) })
    }
}

/// A JSON body read into `T` and validated: unknown fields and broken
/// rules (`#[derive(Validate)]`) answer 422 with every field listed;
/// unreadable bodies answer like [`Json`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Valid<T>(pub T);

impl<T: JsonBody + Validate> FromRequest for Valid<T> {
    type Error = Error;
    type Future = LocalBoxFuture<Result<Self, Error>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read::<T>(request, payload, T::validate);
        Box::pin(async move { body.await.map(Valid) })
    }
}

wrappers!(Json, Valid, Lenient);

/// A route's own body limit, in bytes: generated routes with `body_limit`
/// on their attribute put it in the request before reading arguments.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RouteBodyLimit(pub(crate) usize);

/// Gives the request its route's body limit (generated code calls it for
/// routes with `body_limit = ..`).
#[doc(hidden)]
pub fn set_body_limit(request: &HttpRequest, limit: usize) {
    actix_web::HttpMessage::extensions_mut(request).insert(RouteBodyLimit(limit));
}

/// Reads the body into `B`, then lists its unknown members (unless they are
/// accepted) and what `rules` finds: any of those is one 422 listing all.
fn read<B: JsonBody>(
    request: &HttpRequest,
    payload: &mut Payload,
    rules: impl FnOnce(&B) -> Result<(), Vec<FieldError>> + 'static,
) -> impl Future<Output = Result<B, Error>> + 'static {
    let settings = BodySettings::current();
    let reject_unknown =
        !B::ACCEPTS_UNKNOWN_FIELDS && settings.unknown_fields == UnknownFields::Reject;
    // A route's own limit (`body_limit = ..` on its attribute) replaces the app's.
    let limit = actix_web::HttpMessage::extensions(request)
        .get::<RouteBodyLimit>()
        .map_or(settings.limit, |own| own.0);
    let body = read_json_body(request, payload, limit, settings.timeout);
    async move {
        let body = body.await?;
        let mut errors = Vec::new();
        let value = if reject_unknown {
            parse_listing_unknown::<B::Value>(&body, &mut errors)?
        } else {
            parse::<B::Value>(&body)?
        };
        let value = B::from_value(value);
        if let Err(broken) = rules(&value) {
            errors.extend(broken);
        }
        if errors.is_empty() {
            Ok(value)
        } else {
            Err(Error::validation(errors))
        }
    }
}

/// `application/json` or `application/<name>+json`, in any case. A media
/// type is made of token characters (RFC 9110 §5.6.2), so anything else
/// (a space, a non-ASCII letter) is not one. Byte comparisons only: this
/// runs on every request with a body.
fn is_json_type(media_type: &str) -> bool {
    const APPLICATION: &[u8] = b"application/";
    const SUFFIX: &[u8] = b"+json";
    let media_type = media_type.as_bytes();
    let Some(subtype) = media_type
        .get(..APPLICATION.len())
        .filter(|kind| kind.eq_ignore_ascii_case(APPLICATION))
        .map(|_| &media_type[APPLICATION.len()..])
    else {
        return false;
    };
    let is_token_char = |b: &u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b);
    subtype.eq_ignore_ascii_case(b"json")
        || (subtype.len() > SUFFIX.len()
            && subtype[subtype.len() - SUFFIX.len()..].eq_ignore_ascii_case(SUFFIX)
            && subtype.iter().all(is_token_char))
}

/// Checks the content type and reads the body up to `limit` bytes, within
/// `timeout` (408 `BODY_TIMEOUT` after it). (The returned future is not
/// boxed: the extractor that awaits it is.)
fn read_json_body(
    request: &HttpRequest,
    payload: &mut Payload,
    limit: usize,
    timeout: std::time::Duration,
) -> impl Future<Output = Result<Bytes, Error>> + 'static {
    let is_json = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| match v.bytes().position(|b| b == b';') {
            Some(parameters) => &v[..parameters],
            None => v,
        })
        .map(str::trim_ascii)
        .is_some_and(is_json_type);
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let mut payload = payload.take();
    async move {
        if !is_json {
            return Err(Error::framework(
                &EL3006,
                "this route reads a JSON body: send `Content-Type: application/json`",
            ));
        }
        let too_large = || {
            Error::framework(&EL3005, format!("the body is larger than {limit} bytes")).with_hint(
                "send a smaller body, or raise `server.body_limit` (or the route's `body_limit`)",
            )
        };
        if declared.is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        let read = async move {
            let mut body = BytesMut::with_capacity(declared.unwrap_or(0).min(limit));
            while let Some(chunk) = std::future::poll_fn(|cx| {
                futures_core::Stream::poll_next(Pin::new(&mut payload), cx)
            })
            .await
            {
                let chunk = chunk.map_err(|e| Error::framework(&EL3003, e.to_string()))?;
                if body.len() + chunk.len() > limit {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(body.freeze())
        };
        crate::util::Deadline::new(read, timeout)
            .await
            .unwrap_or_else(|| {
                Err(Error::framework(
                    &EL3020,
                    format!("the body did not arrive within {} ms", timeout.as_millis()),
                ))
            })
    }
}

/// Parses JSON, ignoring members `T` does not declare (as serde does).
/// Structs are read from objects only ([`Objects`]), here and below.
fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    let mut json = serde_json::Deserializer::from_slice(body);
    let parsed = T::deserialize(Objects(&mut json)).and_then(|value| json.end().map(|()| value));
    parsed.map_err(|error| parse_error::<T>(body, error))
}

/// Parses JSON, adding an `unknown_field` error to `unknown` for each
/// member `T` does not declare, at any depth.
fn parse_listing_unknown<T: DeserializeOwned>(
    body: &[u8],
    unknown: &mut Vec<FieldError>,
) -> Result<T, Error> {
    let mut json = serde_json::Deserializer::from_slice(body);
    let parsed = serde_ignored::deserialize(Objects(&mut json), |path| {
        unknown.push(FieldError::new(
            pointer_of_ignored(&path),
            "unknown_field",
            "unknown field: it is not part of this request's schema",
        ));
    })
    .and_then(|value| json.end().map(|()| value));
    parsed.map_err(|error| parse_error::<T>(body, error))
}

/// The 400 for a body that does not parse. The happy path parses once
/// without path tracking; only a failure is parsed again, with
/// `serde_path_to_error`, to find the field's JSON pointer.
fn parse_error<T: DeserializeOwned>(body: &[u8], error: serde_json::Error) -> Error {
    if error.is_syntax() || error.is_eof() {
        syntax_error(&error)
    } else {
        shape_error::<T>(body, error)
    }
}

/// The 400 for a body of the wrong shape, naming the field at fault (found
/// by parsing again with path tracking).
fn shape_error<T: DeserializeOwned>(body: &[u8], first: serde_json::Error) -> Error {
    let mut json = serde_json::Deserializer::from_slice(body);
    let (pointer, message) = match serde_path_to_error::deserialize::<_, T>(Objects(&mut json)) {
        Err(error) => {
            let message = error.inner().to_string();
            (pointer_of(error.path(), &message), message)
        }
        Ok(_) => (String::new(), first.to_string()),
    };
    let detail = strip_position(&message);
    Error::framework(
        &EL3003,
        format!("the body does not match the expected shape: {detail}"),
    )
    .with_hint(EL3003.hint)
    .with_errors(vec![FieldError::new(pointer, "type", detail)])
}

fn syntax_error(error: &serde_json::Error) -> Error {
    let detail = format!("the body is not valid JSON: {error}");
    Error::framework(&EL3003, detail.clone())
        .with_hint(EL3003.hint)
        .with_errors(vec![FieldError::new("", "syntax", detail)])
}

fn pointer_of_ignored(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}/{index}", pointer_of_ignored(parent)),
        Path::Map { parent, key } => format!("{}/{}", pointer_of_ignored(parent), escape(key)),
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => pointer_of_ignored(parent),
    }
}

/// "invalid type: ..., expected u16 at line 1 column 12" → without the position.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;
    use serde::Deserialize;

    use super::*;

    #[test]
    fn json_media_types() {
        for no in [
            "",
            "json",
            "+json",
            "text/json",
            "application/",
            "application/jsonx",
            "application/+json",
            "application/x-www-form-urlencoded",
            "application/é+json",
            "application/vnd api+json",
            "application/vnd/api+json",
            "image/svg+json",
        ] {
            assert!(!is_json_type(no), "{no:?} is not a JSON type");
        }
        for yes in [
            "application/json",
            "Application/JSON",
            "application/problem+json",
            "application/vnd.api+JSON",
            "application/x~custom!+json",
        ] {
            assert!(is_json_type(yes), "{yes}");
        }
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Author {
        name: String,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct NewPost {
        title: String,
        author: Author,
    }

    impl Validate for NewPost {
        fn validate_into(&self, errors: &mut Errors, pointer: &str) {
            if self.title.is_empty() {
                errors.push(pointer, "title", "length", "must not be empty");
            }
        }
    }

    const EXTRA: &str =
        r#"{"title": "Hi", "admin": true, "author": {"name": "Ada", "age": 36}, "tags/x~": 1}"#;
    const EXACT: &str = r#"{"title": "Hi", "author": {"name": "Ada"}}"#;

    /// Runs extractor `E` on a JSON request carrying `body`.
    async fn extract<E: FromRequest<Error = Error>>(body: &str) -> Result<E, Error> {
        let (request, mut payload) = TestRequest::post()
            .insert_header((CONTENT_TYPE, "application/json"))
            .set_payload(body.to_owned())
            .to_http_parts();
        E::from_request(&request, &mut payload).await
    }

    fn pointers_and_codes(error: &Error) -> Vec<(&str, &str)> {
        error
            .errors()
            .iter()
            .map(|e| (e.pointer.as_str(), e.code.as_str()))
            .collect()
    }

    #[actix_web::test]
    async fn unknown_members_at_any_depth_are_one_422_naming_each() {
        let error = extract::<Json<NewPost>>(EXTRA).await.unwrap_err();
        assert_eq!((error.status(), error.code()), (422, "VALIDATION_FAILED"));
        assert_eq!(error.detail(), "3 fields are invalid");
        assert_eq!(
            pointers_and_codes(&error),
            [
                ("/admin", "unknown_field"),
                ("/author/age", "unknown_field"),
                ("/tags~1x~0", "unknown_field"),
            ]
        );
        assert_eq!(
            error.errors()[0].detail,
            "unknown field: it is not part of this request's schema"
        );
        assert_eq!(error.entry().map(|e| e.code), Some("EL3004"));
        let json = error.to_problem(None, false).to_json();
        assert!(
            json.starts_with(r#"{"type":"https://elif.rs/errors/EL3004","title":"Unprocessable Entity","status":422,"detail":"3 fields are invalid","code":"VALIDATION_FAILED","hint":"fix the fields listed in `errors`","errors":[{"pointer":"/admin","detail":"unknown field: it is not part of this request's schema","code":"unknown_field"}"#),
            "{json}"
        );
        let valid = extract::<Valid<NewPost>>(r#"{"title": "", "author": {"name": "A", "x": 1}}"#)
            .await
            .unwrap_err();
        assert_eq!(
            pointers_and_codes(&valid),
            [("/author/x", "unknown_field"), ("/title", "length")],
            "`Valid` lists unknown members and broken rules together"
        );
        let exact = extract::<Json<NewPost>>(EXACT).await.unwrap();
        assert_eq!(exact.author.name, "Ada");
    }

    /// serde alone reads a struct from an array of its fields in order; the
    /// document says `object`, and so does the extractor, at any depth, in
    /// either mode of unknown fields.
    #[actix_web::test]
    async fn a_struct_body_is_an_object_not_an_array_of_its_fields() {
        for body in [
            r#"["Hi", {"name": "Ada"}]"#,
            r#"{"title": "Hi", "author": ["Ada"]}"#,
        ] {
            let strict = extract::<Json<NewPost>>(body).await.unwrap_err();
            let lenient = extract::<Valid<Lenient<NewPost>>>(body).await.unwrap_err();
            for error in [strict, lenient] {
                assert_eq!(
                    (error.status(), error.code()),
                    (400, "MALFORMED_REQUEST"),
                    "{body}"
                );
                assert!(
                    error
                        .detail()
                        .contains("invalid type: sequence, expected struct"),
                    "{}",
                    error.detail()
                );
            }
        }
        let nested = extract::<Json<NewPost>>(r#"{"title": "Hi", "author": ["Ada"]}"#)
            .await
            .unwrap_err();
        assert_eq!(pointers_and_codes(&nested), [("/author", "type")]);
    }

    #[actix_web::test]
    async fn a_lenient_type_accepts_unknown_members_and_keeps_its_rules() {
        let lenient = extract::<Json<Lenient<NewPost>>>(EXTRA).await.unwrap();
        assert_eq!(lenient.title, "Hi");
        assert_eq!(lenient.into_inner().into_inner().author.name, "Ada");
        let broken =
            extract::<Valid<Lenient<NewPost>>>(r#"{"title": "", "author": {"name": "A"}, "x": 1}"#)
                .await
                .unwrap_err();
        assert_eq!(pointers_and_codes(&broken), [("/title", "length")]);
        let malformed = extract::<Json<Lenient<NewPost>>>(r#"{"title": 5}"#)
            .await
            .unwrap_err();
        assert_eq!(
            (malformed.status(), malformed.code()),
            (400, "MALFORMED_REQUEST")
        );
        assert_eq!(pointers_and_codes(&malformed), [("/title", "type")]);
    }

    #[actix_web::test]
    async fn an_app_that_accepts_unknown_members_reads_them_like_serde() {
        // Each test runs on its own thread: this is the settings a worker
        // of such an app installs.
        BodySettings {
            unknown_fields: UnknownFields::Accept,
            ..BodySettings::DEFAULT
        }
        .install();
        let post = extract::<Json<NewPost>>(EXTRA).await.unwrap();
        assert_eq!(post.author, Author { name: "Ada".into() });
        let valid = extract::<Valid<NewPost>>(EXTRA).await.unwrap();
        assert_eq!(valid.title, "Hi");
        let missing = extract::<Json<NewPost>>(r#"{"title": "Hi", "extra": 1}"#)
            .await
            .unwrap_err();
        assert_eq!(missing.status(), 400, "other problems still answer");
        assert_eq!(pointers_and_codes(&missing), [("/author", "type")]);
    }

    #[actix_web::test]
    async fn the_installed_limit_bounds_the_body() {
        BodySettings {
            limit: 16,
            ..BodySettings::DEFAULT
        }
        .install();
        let error = extract::<Json<NewPost>>(EXACT).await.unwrap_err();
        assert_eq!((error.status(), error.code()), (413, "PAYLOAD_TOO_LARGE"));
        assert_eq!(error.detail(), "the body is larger than 16 bytes");
        assert_eq!(
            error.hint(),
            Some("send a smaller body, or raise `server.body_limit` (or the route's `body_limit`)")
        );
    }

    #[actix_web::test]
    async fn a_body_that_is_not_json_is_a_415() {
        // Header values may carry obs-text; such a type is no token.
        let (request, mut payload) = TestRequest::post()
            .insert_header((
                CONTENT_TYPE,
                actix_web::http::header::HeaderValue::from_bytes("application/é+json".as_bytes())
                    .unwrap(),
            ))
            .set_payload(EXACT)
            .to_http_parts();
        let error = Json::<NewPost>::from_request(&request, &mut payload)
            .await
            .unwrap_err();
        assert_eq!(
            (error.status(), error.code()),
            (415, "UNSUPPORTED_MEDIA_TYPE")
        );
        let (request, mut payload) = TestRequest::post()
            .insert_header((CONTENT_TYPE, "Application/vnd.api+JSON ; charset=utf-8"))
            .set_payload(EXACT)
            .to_http_parts();
        let post = Json::<NewPost>::from_request(&request, &mut payload).await;
        assert!(post.is_ok(), "parameters and case do not matter");
    }
}
