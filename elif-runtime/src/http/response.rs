//! Responses a handler can return besides any actix-web `Responder`:
//! [`Json`](super::Json), [`Created`], [`NoContent`] and [`Page`].

use actix_web::body::BoxBody;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, Responder};
use serde::Serialize;

use crate::http::body::Json;

impl<T: Serialize> Responder for Json<T> {
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        match serde_json::to_vec(&self.0) {
            Ok(body) => HttpResponse::Ok()
                .content_type("application/json")
                .body(body),
            // An error response: the pipeline renders it (request id, production rules).
            Err(error) => HttpResponse::from_error(crate::Error::internal(format!(
                "the response cannot be serialised: {error}"
            ))),
        }
    }
}

/// What a handler may return: any actix-web `Responder`, including
/// `Result<T, E>` where `E` converts into an error response.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a handler's response",
    label = "not a response",
    note = "return `Json<T>`, `Created<T>`, `NoContent`, `Page<T>`, `HttpResponse`, `String`, or `elif::Result<...>` of one of them"
)]
pub trait Reply: Responder {}

impl<T: Responder> Reply for T {}

/// A handler's output as its response. Generated routes call this once, with
/// the handler's return type named, so that an output that is no response is
/// one compile error, at the return type.
pub fn reply<R: Reply>(output: R, request: &HttpRequest) -> HttpResponse {
    output.respond_to(request).map_into_boxed_body()
}

/// The method of a generated route. `#[controller]` accepts only the names
/// of [`elif_route::METHODS`], each a valid method token (a test below
/// checks every one), so the conversion cannot fail for generated code.
#[allow(clippy::expect_used)]
pub fn custom_method(name: &str) -> actix_web::http::Method {
    actix_web::http::Method::from_bytes(name.as_bytes())
        .expect("a route method outside elif_route::METHODS: generated code was edited by hand")
}

/// `201 Created` with a `Location` header and the created resource as JSON.
#[derive(Debug, Clone)]
pub struct Created<T> {
    location: String,
    body: T,
}

impl<T> Created<T> {
    /// The resource `body`, now at `location` (`/posts/17`).
    pub fn at(location: impl Into<String>, body: T) -> Self {
        Self {
            location: location.into(),
            body,
        }
    }
}

impl<T: Serialize> Responder for Created<T> {
    type Body = BoxBody;

    fn respond_to(self, request: &HttpRequest) -> HttpResponse {
        let mut response = Json(self.body).respond_to(request);
        *response.status_mut() = actix_web::http::StatusCode::CREATED;
        if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&self.location) {
            response.headers_mut().insert(LOCATION, value);
        }
        response
    }
}

/// `204 No Content`.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoContent;

impl Responder for NoContent {
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        HttpResponse::NoContent().finish()
    }
}

/// One page of a list: `{"items": [...], "page": 2, "per_page": 20, "total": 57, "pages": 3}`.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// 1-based page number.
    pub page: u64,
    /// Items per page.
    pub per_page: u64,
    /// Items over all pages.
    pub total: u64,
    /// Number of pages.
    pub pages: u64,
}

impl<T> Page<T> {
    /// A page, computing the number of pages.
    pub fn new(items: Vec<T>, page: u64, per_page: u64, total: u64) -> Self {
        let pages = if per_page == 0 {
            0
        } else {
            total.div_ceil(per_page)
        };
        Self {
            items,
            page,
            per_page,
            total,
            pages,
        }
    }
}

impl<T: Serialize> Responder for Page<T> {
    type Body = BoxBody;

    fn respond_to(self, request: &HttpRequest) -> HttpResponse {
        Json(self).respond_to(request)
    }
}

#[cfg(test)]
mod method_tests {
    #[test]
    fn every_accepted_method_is_a_method_token() {
        for name in elif_route::METHODS {
            assert_eq!(super::custom_method(name).as_str(), *name);
        }
    }
}
