//! Parse, check and generate for elif's attribute macros, as a plain library.
//!
//! `elif-macros` is a thin shell over this crate (one line per entry point),
//! and the `elif expand` command calls the same functions, so what the CLI
//! prints is what the compiler gets. Each macro follows the same passes:
//! `parse.rs` turns attribute and item into a typed, checked description
//! (gathering every error of the item), and `mod.rs` generates code from
//! that description only. Generated code reaches the runtime through
//! `::elif::__private` (see [`paths`]).

mod config;
mod deps;
mod entry;
mod errors;
mod factory;
mod injectable;
mod module;
pub mod paths;
mod scope;

pub use config::expand as derive_config;
pub use entry::{main, test};
pub use factory::expand as factory;
pub use injectable::expand as injectable;
pub use module::expand as module;
