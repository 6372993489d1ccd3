//! Modules: groups of providers and controllers with explicit imports and
//! exports. An app is its root module and everything it imports.
//!
//! This floor stands on the container's (providers, the graph's nodes) and
//! under HTTP's. A module lists its controllers and the guards, interceptors
//! and filters (its layers) around their routes, but it only knows them as
//! providers: what HTTP needs besides (how to mount a controller's routes,
//! which trait object a layer runs through) is made by the HTTP floor and
//! held here opaque, as a trait binding holds its cast.

mod command;
mod descriptor;
pub(crate) mod graph;
mod layer;
mod tree;

pub use command::{AppCommand, CommandEntry};
pub(crate) use command::{BUILT_IN as BUILT_IN_COMMANDS, valid_name as valid_command_name};
pub use descriptor::{ControllerEntry, Module, ModuleDescriptor, ModuleMigrations};
pub use layer::{FilterKind, GuardKind, InterceptorKind, Layer, LayerKind};
pub(crate) use tree::ModuleTree;
