//! Parse, check and generate for elif's attribute macros, as a plain library.
//!
//! `elif-macros` is a thin shell over this crate (one line per entry point),
//! and the `elif expand` command calls the same functions, so what the CLI
//! prints is what the compiler gets. Each macro follows the same passes:
//! `parse.rs` turns attribute and item into a typed, checked description
//! (gathering every error of the item), and `mod.rs` generates code from
//! that description only. Generated code reaches the runtime through
//! `::elif::__private` (see [`paths`]).

mod attr;
mod config;
mod controller;
mod deps;
pub mod dispatch;
mod domain_error;
mod entry;
mod errors;
mod factory;
mod injectable;
mod migrations;
mod model;
mod module;
pub mod paths;
mod schema;
mod scope;
mod serde_attrs;
mod serde_bridge;
mod validate;

pub use config::expand as derive_config;
pub use controller::{expand as controller, openapi, public, requires, stray_route, throttle};
pub use domain_error::expand as derive_domain_error;
pub use entry::{main, test};
pub use factory::expand as factory;
pub use injectable::expand as injectable;
pub use migrations::expand as migrations;
pub use model::expand as model;
pub use module::expand as module;
pub use schema::expand as derive_schema;

/// `#[derive(Serialize)]` through serde, for an app without a `serde` dependency.
pub fn derive_serialize(input: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    serde_bridge::expand(input, serde_attrs::Direction::Serialize)
}

/// `#[derive(Deserialize)]` through serde, for an app without a `serde` dependency.
pub fn derive_deserialize(input: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    serde_bridge::expand(input, serde_attrs::Direction::Deserialize)
}
pub use validate::expand as derive_validate;

/// Expands `#[guard]`: an injectable that the container builds and routes run as a guard.
pub fn guard(
    args: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    injectable::expand_with_kind(args, item, "Guard")
}
