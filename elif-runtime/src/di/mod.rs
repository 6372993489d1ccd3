//! Dependency injection: providers, their dependencies, the graph of an app
//! and the container that builds it.
//!
//! A provider is described once, as `'static` data ([`ProviderDescriptor`]),
//! by `#[injectable]` or `#[factory]`. An app's graph is what its root module
//! reaches through `imports(...)`, plus values given to the app builder; it is
//! checked as a whole before anything is built, and every problem is reported
//! at once.

pub(crate) mod container;
pub mod dependency;
pub(crate) mod graph;
pub mod hooks;
pub mod provider;
pub mod resolver;

pub use container::{Container, RequestScope};
pub use dependency::{Dependency, Inject};
pub use hooks::{OnInit, OnShutdown};
pub use provider::{
    Injectable, Instance, Location, ProviderDescriptor, ProviderKey, ProviderKind, Requirement,
    Scope,
};
pub use resolver::Resolver;
