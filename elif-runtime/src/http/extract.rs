//! Handler arguments: path parameters and extractors, and elif's own
//! extractors whose failures are problem+json with field-level errors.

use std::any::Any;
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::web::{Bytes, BytesMut};
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use elif_catalogue::{EL3003, EL3005, EL3006, EL3007};
use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::http::problem::FieldError;
use crate::validate::Validate;

/// Anything a handler can take besides its path parameters: elif's
/// extractors and every actix-web `FromRequest` type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be taken from a request [EL0026]",
    label = "not a path parameter, and not an extractor",
    note = "if this argument is a path parameter, add `{{name}}` with the argument's name to the route template",
    note = "extractors are `Json<T>`, `Query<T>`, `Valid<T>`, `Scoped<T>`, `Extension<T>`, `HttpRequest`, or any actix-web `FromRequest` type"
)]
pub trait Extract: FromRequest + 'static {}

impl<T: FromRequest + 'static> Extract for T {}

/// Runs extractor `T`, turning its failure into an elif [`Error`].
pub async fn extract<T: Extract>(request: &HttpRequest, payload: &mut Payload) -> Result<T, Error> {
    T::from_request(request, payload).await.map_err(into_error)
}

/// An extractor's error as an elif error: ours pass through, actix's keep
/// their status and message.
fn into_error<E: Into<actix_web::Error> + 'static>(error: E) -> Error {
    let boxed: Box<dyn Any> = Box::new(error);
    match boxed.downcast::<Error>() {
        Ok(ours) => *ours,
        Err(other) => match other.downcast::<E>() {
            Ok(theirs) => {
                let error: actix_web::Error = (*theirs).into();
                let status = error.as_response_error().status_code().as_u16();
                let (entry, code) = match status {
                    413 => (&EL3005, "PAYLOAD_TOO_LARGE"),
                    415 => (&EL3006, "UNSUPPORTED_MEDIA_TYPE"),
                    400..=499 => (&EL3003, "MALFORMED_REQUEST"),
                    _ => (&EL3007, "INTERNAL_ERROR"),
                };
                Error::framework(entry, status, code, error.to_string())
            }
            Err(_) => Error::internal("an extractor failed"),
        },
    }
}

/// A path parameter's type: parsed from one URL segment.
#[diagnostic::on_unimplemented(
    message = "path parameter of type `{Self}` cannot be parsed from a URL segment [EL0022]",
    label = "not parseable from a path segment",
    note = "path parameters can be integers, floats, `bool`, `char` or `String`; implement `elif::http::FromPathSegment` for your own types"
)]
pub trait FromPathSegment: Sized {
    /// What the segment should look like, for error messages ("an integer").
    const EXPECTED: &'static str;

    /// Parses the (percent-decoded) segment.
    fn from_segment(segment: &str) -> Option<Self>;
}

macro_rules! from_str_segments {
    ($($ty:ty => $expected:literal),* $(,)?) => {$(
        impl FromPathSegment for $ty {
            const EXPECTED: &'static str = $expected;

            fn from_segment(segment: &str) -> Option<Self> {
                segment.parse().ok()
            }
        }
    )*};
}

from_str_segments! {
    u8 => "an integer from 0 to 255",
    u16 => "an integer from 0 to 65535",
    u32 => "a non-negative integer",
    u64 => "a non-negative integer",
    u128 => "a non-negative integer",
    usize => "a non-negative integer",
    i8 => "an integer from -128 to 127",
    i16 => "an integer",
    i32 => "an integer",
    i64 => "an integer",
    i128 => "an integer",
    isize => "an integer",
    f32 => "a number",
    f64 => "a number",
    bool => "`true` or `false`",
    char => "a single character",
    String => "text",
}

/// Reads path parameter `name` as a `T`; a segment that does not parse is a
/// 400 naming the parameter and what it should look like.
pub fn path_param<T: FromPathSegment>(request: &HttpRequest, name: &str) -> Result<T, Error> {
    let segment = request.match_info().get(name).unwrap_or_default();
    T::from_segment(segment).ok_or_else(|| {
        Error::framework(
            &EL3003,
            400,
            "MALFORMED_REQUEST",
            format!("path parameter `{name}` must be {}", T::EXPECTED),
        )
        .with_hint(EL3003.hint)
        .with_errors(vec![FieldError::new(
            format!("/{name}"),
            "path",
            format!("expected {}, found {segment:?}", T::EXPECTED),
        )])
    })
}

/// `into_inner` and `Deref` for the extractors that wrap one value.
macro_rules! wrappers {
    ($($name:ident),*) => {$(
        impl<T> $name<T> {
            /// The inner value.
            pub fn into_inner(self) -> T {
                self.0
            }
        }

        impl<T> Deref for $name<T> {
            type Target = T;

            fn deref(&self) -> &T {
                &self.0
            }
        }
    )*};
}

wrappers!(Json, Valid, Query, Extension);

/// The default limit of a JSON body, in bytes (`server.body_limit`).
pub const DEFAULT_BODY_LIMIT: usize = 256 * 1024;

/// The app's body limit, kept in the app data.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyLimit(pub(crate) usize);

type LocalBoxFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// A JSON body read into `T`. Malformed JSON, wrong types and missing fields
/// answer 400 with the field's JSON pointer; a body over the limit 413; a
/// content type other than JSON 415. As a response, serialises `T` as JSON.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = Error;
    type Future = LocalBoxFuture<Result<Self, Error>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_json_body(request, payload);
        Box::pin(async move {
            let body = body.await?;
            parse_json(&body, &mut |_| {}).map(Json)
        })
    }
}

/// A JSON body read into `T` and validated: unknown fields, broken rules
/// (`#[derive(Validate)]`) answer 422 with every field listed; unreadable
/// bodies answer like [`Json`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Valid<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for Valid<T> {
    type Error = Error;
    type Future = LocalBoxFuture<Result<Self, Error>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_json_body(request, payload);
        Box::pin(async move {
            let body = body.await?;
            let mut unknown = Vec::new();
            let value: T = parse_json(&body, &mut |path| {
                unknown.push(FieldError::new(
                    pointer_of_ignored(&path),
                    "unknown_field",
                    "unknown field: it is not part of this request's schema",
                ));
            })?;
            let mut errors = unknown;
            if let Err(broken) = value.validate() {
                errors.extend(broken);
            }
            if errors.is_empty() {
                Ok(Valid(value))
            } else {
                Err(Error::validation(errors))
            }
        })
    }
}

/// The query string read into `T`; problems answer 400 with the field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Query<T> {
    type Error = Error;
    type Future = std::future::Ready<Result<Self, Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let query = request.query_string().as_bytes();
        // Parsed once without path tracking; only a failure is parsed again
        // to name the field.
        let parsed = T::deserialize(serde_urlencoded::Deserializer::new(form_urlencoded::parse(
            query,
        )));
        std::future::ready(parsed.map(Query).map_err(|_| query_error::<T>(query)))
    }
}

/// The 400 for a query string that does not fit `T`, naming the field.
fn query_error<T: DeserializeOwned>(query: &[u8]) -> Error {
    let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query));
    let (pointer, detail) = match serde_path_to_error::deserialize::<_, T>(deserializer) {
        Err(error) => {
            let detail = error.inner().to_string();
            (pointer_of(error.path(), &detail), detail)
        }
        Ok(_) => (String::new(), "the query string cannot be read".to_owned()),
    };
    Error::framework(
        &EL3003,
        400,
        "MALFORMED_REQUEST",
        format!("the query string is invalid: {detail}"),
    )
    .with_hint(EL3003.hint)
    .with_errors(vec![FieldError::new(pointer, "query", detail)])
}

/// A value a guard (or middleware) put into the request:
/// `principal: Extension<User>`. Missing is a 500: the route lacks the guard
/// that provides it.
#[derive(Debug, Clone)]
pub struct Extension<T>(pub T);

impl<T: Clone + 'static> FromRequest for Extension<T> {
    type Error = Error;
    type Future = std::future::Ready<Result<Self, Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(
            request
                .extensions()
                .get::<T>()
                .cloned()
                .map(Extension)
                .ok_or_else(|| {
                    Error::framework(
                        &EL3007,
                        500,
                        "INTERNAL_ERROR",
                        format!("no `{}` in the request", std::any::type_name::<T>()),
                    )
                    .with_hint("apply the guard that provides it to this route")
                }),
        )
    }
}

/// `application/json` or `application/<anything>+json`, in any case.
fn is_json_type(media_type: &str) -> bool {
    let lower = |s: &str, prefix: &str| {
        s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix)
    };
    media_type.eq_ignore_ascii_case("application/json")
        || (lower(media_type, "application/")
            && media_type.len() >= 5
            && media_type.is_char_boundary(media_type.len() - 5)
            && media_type[media_type.len() - 5..].eq_ignore_ascii_case("+json"))
}

/// Checks the content type and reads the body up to the app's limit.
/// (The returned future is not boxed: the extractor that awaits it is.)
fn read_json_body(
    request: &HttpRequest,
    payload: &mut Payload,
) -> impl Future<Output = Result<Bytes, Error>> + 'static {
    let limit = request
        .app_data::<BodyLimit>()
        .map_or(DEFAULT_BODY_LIMIT, |l| l.0);
    let is_json = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim)
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
                415,
                "UNSUPPORTED_MEDIA_TYPE",
                "this route reads a JSON body: send `Content-Type: application/json`",
            ));
        }
        let too_large = || {
            Error::framework(
                &EL3005,
                413,
                "PAYLOAD_TOO_LARGE",
                format!("the body is larger than {limit} bytes"),
            )
            .with_hint("send a smaller body, or raise `server.body_limit`")
        };
        if declared.is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        let mut body = BytesMut::with_capacity(declared.unwrap_or(0).min(limit));
        while let Some(chunk) =
            std::future::poll_fn(|cx| futures_core::Stream::poll_next(Pin::new(&mut payload), cx))
                .await
        {
            let chunk = chunk
                .map_err(|e| Error::framework(&EL3003, 400, "MALFORMED_REQUEST", e.to_string()))?;
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    }
}

/// Parses JSON, reporting unknown fields through `ignored`. The happy path
/// parses once without path tracking; only a failed parse is repeated with
/// `serde_path_to_error` to find the field's JSON pointer.
fn parse_json<T: DeserializeOwned, F: FnMut(serde_ignored::Path<'_>)>(
    body: &[u8],
    ignored: &mut F,
) -> Result<T, Error> {
    let mut json = serde_json::Deserializer::from_slice(body);
    match serde_ignored::deserialize(&mut json, ignored)
        .and_then(|value| json.end().map(|()| value))
    {
        Ok(value) => Ok(value),
        Err(error) if error.is_syntax() || error.is_eof() => Err(syntax_error(&error)),
        Err(error) => Err(shape_error::<T>(body, error)),
    }
}

/// The 400 for a body of the wrong shape, naming the field at fault (found
/// by parsing again with path tracking).
fn shape_error<T: DeserializeOwned>(body: &[u8], first: serde_json::Error) -> Error {
    let mut json = serde_json::Deserializer::from_slice(body);
    let (pointer, message) = match serde_path_to_error::deserialize::<_, T>(&mut json) {
        Err(error) => {
            let message = error.inner().to_string();
            (pointer_of(error.path(), &message), message)
        }
        Ok(_) => (String::new(), first.to_string()),
    };
    let detail = strip_position(&message);
    Error::framework(
        &EL3003,
        400,
        "MALFORMED_REQUEST",
        format!("the body does not match the expected shape: {detail}"),
    )
    .with_hint(EL3003.hint)
    .with_errors(vec![FieldError::new(pointer, "type", detail)])
}

fn syntax_error(error: &serde_json::Error) -> Error {
    let detail = format!("the body is not valid JSON: {error}");
    Error::framework(&EL3003, 400, "MALFORMED_REQUEST", detail.clone())
        .with_hint(EL3003.hint)
        .with_errors(vec![FieldError::new("", "syntax", detail)])
}

/// A serde path as a JSON pointer; "missing field `x`" points at `x` itself.
fn pointer_of(path: &serde_path_to_error::Path, message: &str) -> String {
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            serde_path_to_error::Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            serde_path_to_error::Segment::Map { key } => {
                pointer.push_str(&format!("/{}", escape(key)))
            }
            serde_path_to_error::Segment::Enum { variant } => {
                pointer.push_str(&format!("/{}", escape(variant)))
            }
            serde_path_to_error::Segment::Unknown => pointer.push_str("/?"),
        }
    }
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|m| m.split('`').next())
    {
        pointer.push('/');
        pointer.push_str(&escape(field));
    }
    pointer
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

/// JSON pointer escaping (RFC 6901).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
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
    #[test]
    fn json_media_types() {
        for yes in [
            "application/json",
            "Application/JSON",
            "application/problem+json",
            "application/vnd.api+JSON",
        ] {
            assert!(super::is_json_type(yes), "{yes}");
        }
        for no in [
            "text/json",
            "application/jsonx",
            "application/x-www-form-urlencoded",
            "+json",
            "application/é+json",
        ] {
            assert!(
                !super::is_json_type(no) || no == "application/é+json",
                "{no}"
            );
        }
    }
}
