//! The app's OpenAPI 3.1 description, built from what its routes already
//! declare (paths, parameters, bodies, return types, guards, doc comments,
//! `#[openapi(..)]`): nothing is written twice. `openapi` (the app
//! command), `elif openapi` and `GET /_elif/openapi.json` print it;
//! `GET /_elif/docs` shows it in Swagger UI, served by the app itself.
//!
//! The document is utoipa's model (`utoipa::openapi::OpenApi`), so an app
//! can change it with typed code before serving it. JSON Schemas come from
//! elif's [`Schema`](crate::http::Schema) (draft 2020-12); each is kept in
//! utoipa's typed schema when that holds it exactly, and carried verbatim
//! otherwise (`schema`), so the document never loses a keyword.
//!
//! `config` is the `[openapi]` section, `build` makes the document from the
//! app's map and routes, `schema` holds the JSON Schema side and `ui` the
//! docs page.

mod build;
mod config;
pub(crate) mod schema;
pub(crate) mod ui;

pub use crate::http::problem::problem_schema;
pub(crate) use build::{Sources, document};
pub use config::{OpenApiConfig, OpenApiContact, OpenApiLicense, OpenApiServer};
pub use schema::to_schema;
/// utoipa's OpenAPI document model, which [`App::openapi`](crate::App::openapi) returns.
pub use utoipa::openapi::OpenApi;

/// The document as pretty JSON.
pub fn to_json(document: &OpenApi) -> String {
    serde_json::to_string_pretty(document).unwrap_or_else(|_| "{}".to_owned())
}

/// The document as YAML.
pub fn to_yaml(document: &OpenApi) -> String {
    yaml_serde::to_string(document).unwrap_or_default()
}
