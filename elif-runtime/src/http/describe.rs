//! What a handler's return type says about the responses it gives, for the
//! API description: the success status and body (`Created<T>` is `201`
//! with a `Location`, `NoContent` is `204`), and the domain errors of the
//! error type in its `Result` (`#[derive(DomainError)]`). Generated route
//! descriptions find it with `(&&ResponseProbe::<R>::new()).probe()`,
//! which is `None` for a return type that says nothing (`HttpResponse`).

use std::marker::PhantomData;

use serde::Serialize;
use serde_json::Value;

use crate::error::DeclaredProblem;
use crate::http::{Created, Json, NoContent, Page, Schema};

/// One response a route may give, as its description knows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseDoc {
    /// The status of success.
    pub status: u16,
    /// The body's media type; `None` for a response without a body.
    pub content_type: Option<&'static str>,
    /// The body's JSON Schema, when its type has one.
    pub schema: Option<Value>,
    /// Headers the response always carries (`Location` for `Created`).
    pub headers: Vec<&'static str>,
    /// The errors the handler declares (its `Result`'s domain error).
    pub problems: Vec<DeclaredProblem>,
    /// What the response means; empty: the status's reason phrase.
    pub description: String,
}

impl ResponseDoc {
    /// A JSON response with status `status` and the schema of `T`.
    pub fn json<T: Schema + ?Sized>(status: u16) -> Self {
        Self {
            status,
            content_type: Some("application/json"),
            schema: Some(T::schema()),
            headers: Vec::new(),
            problems: Vec::new(),
            description: String::new(),
        }
    }

    /// The same response, described as `description`.
    pub fn described(mut self, description: &str) -> Self {
        self.description = description.to_owned();
        self
    }

    /// A response without a body.
    pub fn empty(status: u16) -> Self {
        Self {
            status,
            content_type: None,
            schema: None,
            headers: Vec::new(),
            problems: Vec::new(),
            description: String::new(),
        }
    }
}

/// A return type that describes its response.
pub trait Documented {
    /// The response.
    fn response_doc() -> ResponseDoc;
}

impl<T: Schema> Documented for Json<T> {
    fn response_doc() -> ResponseDoc {
        ResponseDoc::json::<T>(200)
    }
}

impl<T: Schema> Documented for Page<T> {
    fn response_doc() -> ResponseDoc {
        ResponseDoc::json::<Self>(200)
    }
}

impl<T: Schema> Documented for Created<T> {
    fn response_doc() -> ResponseDoc {
        let mut doc = ResponseDoc::json::<T>(201);
        doc.headers.push("Location");
        doc
    }
}

impl Documented for NoContent {
    fn response_doc() -> ResponseDoc {
        ResponseDoc::empty(204)
    }
}

impl Documented for () {
    fn response_doc() -> ResponseDoc {
        ResponseDoc::empty(200)
    }
}

impl Documented for String {
    fn response_doc() -> ResponseDoc {
        ResponseDoc {
            content_type: Some("text/plain"),
            schema: Some(String::schema()),
            ..ResponseDoc::empty(200)
        }
    }
}

impl Documented for &'static str {
    fn response_doc() -> ResponseDoc {
        String::response_doc()
    }
}

impl<T: Documented> Documented for crate::Result<T> {
    fn response_doc() -> ResponseDoc {
        T::response_doc()
    }
}

impl<T: Documented, E: crate::DomainError> Documented for Result<T, E> {
    fn response_doc() -> ResponseDoc {
        let mut doc = T::response_doc();
        doc.problems.extend(E::declared());
        doc
    }
}

/// Finds a return type's [`ResponseDoc`] when it has one, without
/// requiring it (as [`SchemaProbe`](crate::http::SchemaProbe) does for schemas).
pub struct ResponseProbe<T: ?Sized>(PhantomData<T>);

impl<T: ?Sized> ResponseProbe<T> {
    /// A probe for `T`.
    pub fn new() -> Self {
        Self(PhantomData)
    }
}

impl<T: ?Sized> Default for ResponseProbe<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// The probe's answer when `T: Documented`.
pub trait HasResponseDoc {
    /// `Some(doc)`.
    fn probe(&self) -> Option<ResponseDoc>;
}

impl<T: Documented> HasResponseDoc for &ResponseProbe<T> {
    fn probe(&self) -> Option<ResponseDoc> {
        Some(T::response_doc())
    }
}

/// The probe's answer otherwise.
pub trait NoResponseDoc {
    /// `None`.
    fn probe(&self) -> Option<ResponseDoc>;
}

impl<T: ?Sized> NoResponseDoc for ResponseProbe<T> {
    fn probe(&self) -> Option<ResponseDoc> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Gone;

    impl std::fmt::Display for Gone {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("gone")
        }
    }

    impl crate::DomainError for Gone {
        fn status(&self) -> u16 {
            410
        }
        fn code(&self) -> &'static str {
            "GONE"
        }
        fn declared() -> Vec<DeclaredProblem> {
            vec![DeclaredProblem {
                status: 410,
                code: "GONE",
                message: "gone",
            }]
        }
    }

    #[test]
    #[allow(clippy::needless_borrow)] // the double borrow is the probe itself
    fn return_types_say_their_status_body_and_errors() {
        let created = (&&ResponseProbe::<crate::Result<Created<u8>>>::new())
            .probe()
            .unwrap();
        assert_eq!(
            (created.status, created.content_type, created.headers),
            (201, Some("application/json"), vec!["Location"])
        );
        let none = (&&ResponseProbe::<Result<NoContent, Gone>>::new())
            .probe()
            .unwrap();
        assert_eq!((none.status, none.content_type), (204, None));
        assert_eq!(none.problems[0].code, "GONE");
        assert_eq!(
            (&&ResponseProbe::<actix_web::HttpResponse>::new()).probe(),
            None
        );
    }
}
