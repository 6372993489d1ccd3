//! The app as data, for people and agents: modules, components, routes,
//! models, config keys and every boot problem, read from the real registry
//! (the descriptors the macros emit) rather than from source text.
//!
//! `map --json` prints an [`AppMap`], `/_elif/map.json` serves it in
//! development, and `routes` prints its routes as a table. The JSON shape is
//! versioned ([`MAP_VERSION`]) and described by `docs/map.schema.json`.
//!
//! `model` holds the document's types, `build` makes one from what
//! the app floor surveyed (lent as a `MapSource`, so that this module needs
//! nothing of the app), and `render` writes it as JSON and as text.

mod build;
mod model;
mod render;

pub(crate) use build::{LayerNames, MapSource, authenticated_by, enforced_by};
pub use model::{
    AppMap, AppSummary, ComponentMap, ConfigEntry, DependencyMap, MAP_FORMAT, MAP_VERSION,
    MigrationsMap, ModelField, ModelMap, ModelRelation, ModuleMap, ResponseMap, RouteMap,
};
