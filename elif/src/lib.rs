//! # elif
//!
//! A declarative web framework for Rust in the NestJS/Laravel mould:
//! annotate plain structs, and the framework assembles the application.
//!
//! ```no_run
//! use elif::prelude::*;
//!
//! #[derive(Config)]
//! #[config(section = "greeting")]
//! pub struct GreetingConfig {
//!     #[config(default = "Hello")]
//!     pub word: String,
//! }
//!
//! #[injectable]
//! pub struct Greeter {
//!     config: Config<GreetingConfig>,
//! }
//!
//! impl Greeter {
//!     pub fn greet(&self, name: &str) -> String {
//!         format!("{}, {name}!", self.config.word)
//!     }
//! }
//!
//! #[module(providers(Greeter))]
//! pub struct AppModule;
//!
//! #[elif::main]
//! async fn main() -> elif::Result<()> {
//!     App::new().module(AppModule).run().await
//! }
//! ```
//!
//! Users depend on this crate only; it re-exports the runtime and the macros.
//! See the guides in `docs/` for the container, modules, config and lifecycle.

pub use elif_macros::{
    Config, DomainError, Schema, Validate, controller, delete, factory, get, guard, head,
    injectable, main, migrations, model, module, openapi, options, patch, post, public, put,
    requires, route, test, throttle,
};
/// serde's traits with elif's derives of them (`#[derive(Serialize,
/// Deserialize)]`), so that an app needs no `serde` dependency of its own.
pub use elif_macros::{Deserialize, Serialize};
pub use elif_runtime::__private::serde::{de::Deserialize, ser::Serialize};
pub use elif_runtime::{App, Booted, BoxFuture, DomainError, Error, Lifecycle, Result};
pub use elif_runtime::{
    app, config, data, di, diagnostics, error, http, inspect, module as modules, package_catalogue,
    ratelimit, redis, testing, time, validate, with_connection,
};

/// What most files of an elif app need: `use elif::prelude::*;`.
pub mod prelude {
    pub use crate::{
        App, Config, Deserialize, DomainError, Error, Lifecycle, Result, Schema, Serialize,
        Validate, controller, delete, factory, get, guard, head, injectable, model, module,
        openapi, options, patch, post, public, put, requires, route, throttle,
    };
    pub use elif_runtime::config::{Config, Environment, Secret};
    /// diesel's expression methods, for filters and order on a model's
    /// columns (`posts::title.eq(..)`, `.like(..)`, `.desc()`, `.and(..)`).
    pub use elif_runtime::data::diesel::{
        BoolExpressionMethods as _, ExpressionMethods as _, TextExpressionMethods as _,
    };
    pub use elif_runtime::data::{
        Clock, Criteria, DataModule, Related, Repository, Seeder, Timestamp, Transactional,
    };
    pub use elif_runtime::di::{Inject, OnInit, OnShutdown};
    pub use elif_runtime::http::{
        Controller, Created, ExceptionFilter, Extension, FieldError, Guard, Interceptor, Json,
        NoContent, Page, Query, RequestContext, Routes, Schema, Scoped, Valid,
    };
    pub use elif_runtime::module::AppCommand;
    pub use elif_runtime::validate::Validate;
    pub use std::sync::Arc;
}

/// The async runtime elif runs on (actix-rt over tokio): `elif::rt::time::sleep`, `elif::rt::spawn`.
pub use elif_runtime::rt;

/// Items that macro-generated code uses: the runtime's, and the derives and
/// macros that generated code invokes (`#[derive(Validate)]` on a model's
/// forms, `with_connection!` in its queries), so that every path it writes
/// starts at `::elif::__private`. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use elif_macros::{Schema, Validate};
    pub use elif_runtime::__private::*;
    pub use elif_runtime::with_connection;
}
