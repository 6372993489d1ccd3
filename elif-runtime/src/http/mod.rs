//! HTTP: controllers and their routes, extractors, responses, guards,
//! problem+json errors, and the pipeline every request goes through.
//!
//! Controllers are providers (built by the container like any injectable)
//! that also mount routes. `#[controller]` on their `impl` block generates
//! the [`Controller`] impl; it can also be written by hand.

mod access;
mod body;
pub(crate) mod controller;
mod describe;
mod extract;
mod guard;
pub(crate) mod hardening;
mod intercept;
mod layers;
mod objects;
pub(crate) mod pipeline;
pub mod problem;
mod rate;
mod response;
mod router;
mod schema;
mod scoped;

pub use crate::config::{DEFAULT_BODY_LIMIT, UnknownFields};
pub use crate::credentials::{Credentials, GuardSecurity, SecurityScheme, SecuritySchemes};
pub use crate::error::DeclaredProblem;
pub use crate::module::Layer;
#[doc(hidden)]
pub use access::GuardSpec;
pub use access::{Access, AuthenticationMode, Requirement};
pub(crate) use access::{unenforced, unsecured};
pub use actix_web::http::{Method, StatusCode, header};
/// actix-web's extractor trait and a request's body stream, for extractors
/// that packages and apps write (`impl FromRequest for CurrentUser<U>`).
pub use actix_web::{FromRequest, HttpMessage, dev::Payload};
/// actix-web's request, response and extractor types, for handlers written by hand.
pub use actix_web::{HttpRequest, HttpResponse, Responder, middleware, web};
pub(crate) use body::BodySettings;
#[doc(hidden)]
pub use body::set_body_limit;
pub use body::{Json, JsonBody, Lenient, Valid};
pub use controller::{ArgumentInfo, Controller, MountFn, Operation, RouteInfo, Routes};
#[doc(hidden)]
pub use controller::{
    ArgumentSpec, OperationSpec, ResponseSpec, RouteResult, RouteSpec, describe_routes, dispatch,
};
pub use describe::{Documented, HasResponseDoc, NoResponseDoc, ResponseDoc, ResponseProbe};
pub use extract::{Extension, Extract, FromPathSegment, Query, extract, path_param};
pub use guard::{DynGuard, Guard, RequestContext, authorization_token};
pub use hardening::{
    AuthenticatedBy, ClientIp, CorsSummary, DEFAULT_HEADERS, HttpLayers, LimitsSummary, Provenance,
};
pub use intercept::{ExceptionFilter, Interceptor, finish, response_error};
pub use layers::{
    AppLayers, DynFilter, DynInterceptor, catch_app, catch_route, has_app_guards,
    has_app_interceptors, run_app_filters, run_app_guards, run_app_interceptors,
};
pub(crate) use layers::{LayerObject, Unresolved, resolve};
pub use pipeline::{REQUEST_ID, RequestId};
pub use problem::{ErrorFormat, FieldError, Problem, ProblemJson};
pub(crate) use rate::{RateLimitFields, RateLimits};
pub use rate::{
    RouteThrottle, Throttle, ThrottleKey, Throttled, rate_limiter, rate_refusal, throttle,
};
pub use response::{Created, NoContent, Page, Reply, custom_method, reply};
pub use schema::{HasSchema, NoSchema, Schema, SchemaProbe};
#[doc(hidden)]
pub use schema::{SchemaRule, constrain_schema, describe_schema};
pub use scoped::Scoped;
#[doc(hidden)]
pub use scoped::ScopedProvider;
