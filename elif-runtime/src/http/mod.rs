//! HTTP: controllers and the routes they mount.
//!
//! Controllers are providers (built by the container like any injectable)
//! that also mount routes. The `#[controller]` attribute generates the
//! [`Controller`] impl; it can also be written by hand.

pub(crate) mod controller;
pub(crate) mod health;
mod scoped;

pub use actix_web::http::Method;
/// actix-web's request, response and extractor types, for handlers written by hand.
pub use actix_web::{HttpRequest, HttpResponse, Responder, web};
pub use controller::{Controller, Routes};
pub use scoped::Scoped;
