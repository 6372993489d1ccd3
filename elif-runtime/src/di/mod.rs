//! Dependency injection: providers, their dependencies (services and config
//! sections), the graph of an app and the container that builds it.
//!
//! A provider is described once, as `'static` data ([`ProviderDescriptor`]),
//! by `#[injectable]` or `#[factory]`. An app's graph is what its root module
//! reaches through `imports(...)`, plus values given to the app builder; the
//! modules floor builds it from the modules, and it is checked as a
//! whole before anything is built, every problem reported at once. This
//! floor knows config sections but not modules, HTTP or the app.

pub(crate) mod container;
pub mod dependency;
pub(crate) mod graph;
pub mod hooks;
pub mod provider;
pub mod resolver;
mod sections;

pub use container::{Container, RequestScope};
pub use dependency::{Dependency, Inject};
pub use hooks::{OnInit, OnShutdown};
pub use provider::{
    Injectable, Instance, Location, ProviderDescriptor, ProviderKey, ProviderKind, Requirement,
    Scope,
};
pub use resolver::Resolver;
pub use sections::ConfigRequirement;
pub(crate) use sections::load_sections;
