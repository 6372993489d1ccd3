//! Handler arguments: path parameters and extractors, and elif's own
//! extractors whose failures are problem+json with field-level errors.

use std::any::Any;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use elif_catalogue::{EL3003, EL3007};
use serde::de::DeserializeOwned;

use crate::error::{Error, FieldError};

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
                Error::from_status(status, error.to_string())
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

        impl<T> ::std::ops::Deref for $name<T> {
            type Target = T;

            fn deref(&self) -> &T {
                &self.0
            }
        }
    )*};
}

pub(super) use wrappers;

wrappers!(Query, Extension);

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
    Error::framework(&EL3003, format!("the query string is invalid: {detail}"))
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
                        format!("no `{}` in the request", std::any::type_name::<T>()),
                    )
                    .with_hint("apply the guard that provides it to this route")
                }),
        )
    }
}

/// A serde path as a JSON pointer; "missing field `x`" points at `x` itself.
pub(super) fn pointer_of(path: &serde_path_to_error::Path, message: &str) -> String {
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

/// JSON pointer escaping (RFC 6901).
pub(super) fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}
