//! The elif runtime: the dependency-injection container, modules, typed
//! configuration, lifecycle hooks, app boot and the HTTP server around it.
//!
//! Users depend on the `elif` facade, which re-exports this crate; the macros
//! of `elif-macros` generate small impls of the traits defined here
//! ([`Injectable`](di::Injectable), [`Module`](module::Module),
//! [`ConfigSection`](config::ConfigSection)). Everything else is plain,
//! generic Rust that can be used and tested without macros.

pub mod app;
pub mod config;
pub mod credentials;
pub mod data;
pub mod di;
pub mod diagnostics;
pub mod error;
pub mod http;
pub mod inspect;
pub mod module;
mod net;
pub mod openapi;
pub mod ratelimit;
pub mod redis;
pub mod testing;
mod throttle;
pub mod time;
pub mod validate;

mod util;

/// The async runtime elif runs on (actix-rt over tokio).
pub use actix_rt as rt;
pub use app::{App, Booted, Lifecycle};
pub use error::{DomainError, Error, Result};

/// A boxed, sendable future, as used for type-erased builders and hooks.
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// Items that macro-generated code uses. Not public API: names and shapes may
/// change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::app::entry::{run_main, run_test};
    pub use crate::config::set_app_name;
    pub use crate::config::source::{ConfigSource, FieldSpec};
    pub use crate::config::{ConfigDefault, ConfigKey, ConfigProblem, ConfigSection};
    pub use crate::data::{
        BackendClauses, Column, Connection, CountOver, Criteria, Factory, Fakeable, FieldInfo,
        FromOwner, KeyOf, Load, LoadFn, Locked, MAX_BOUND_KEYS, Migration, MigrationSql,
        Migrations, Model, ModelInfo, ModelRegistration, Related, Relation, RelationInfo,
        Repository, SharedPredicate, SqlType, Timestamp, UniqueColumn, Upsert, build_repository,
        count_grouped, depends_on_database, distinct, exists_direct, exists_in_self,
        exists_through, factory, load_linked, repository_dependencies, sql,
    };
    pub use crate::di::hooks::{on_init_hook, on_shutdown_hook};
    pub use crate::di::provider::{
        Binding, DependencySpec, Injectable, Instance, Location, ProviderDescriptor, ProviderKey,
        ProviderKind, ProviderRegistration, Scope, downcast, instance,
    };
    pub use crate::di::{Dependency, Resolver};
    pub use crate::http::{
        Access, AppLayers, ArgumentInfo, ArgumentSpec, Controller, DeclaredProblem,
        ExceptionFilter, Extract, Guard, GuardSpec, HasResponseDoc, HasSchema, HttpRequest,
        HttpResponse, Interceptor, Layer, Method, NoResponseDoc, NoSchema, OperationSpec,
        RequestContext, Requirement, ResponseDoc, ResponseProbe, ResponseSpec, RouteInfo,
        RouteResult, RouteSpec, RouteThrottle, Routes, Schema, SchemaProbe, SchemaRule,
        ScopedProvider, Throttle, ThrottleKey, Throttled, catch_app, catch_route, constrain_schema,
        custom_method, describe_routes, describe_schema, dispatch, extract, finish, has_app_guards,
        has_app_interceptors, path_param, reply, run_app_guards, run_app_interceptors,
        set_body_limit, throttle, web,
    };
    pub use crate::module::{
        AppCommand, CommandEntry, ControllerEntry, Module, ModuleDescriptor, ModuleMigrations,
    };
    pub use crate::ratelimit::Quota;
    pub use crate::util::double_option;
    pub use crate::validate::{self, Validate};
    pub use crate::{BoxFuture, DomainError, Error, Result};
    pub use actix_web::Error as ActixError;
    pub use actix_web::Route as ActixRoute;
    pub use actix_web::dev::{ServiceRequest, ServiceResponse};
    pub use diesel;
    pub use diesel_async;
    pub use inventory;
    pub use pin_project_lite::pin_project;
    pub use serde;
    pub use serde_json;
}
