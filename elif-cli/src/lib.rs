//! The `elif` developer command, as a library (the binary is a thin shell).
//!
//! - [`expand`]: what elif's macros generate for the items of a source file,
//!   from the same code the proc-macro crate runs (`elif-codegen`).
//! - [`explain`]: a catalogue entry, by code.
//! - [`delegate`]: `elif routes | map | check` run the app binary of the
//!   current directory (`cargo run -- <command>`), so there is one entry point.
//! - [`dev`]: `elif dev`, serving the app and swapping it on every save
//!   with its listening socket kept open.
//! - [`edit`]: adding an item to a `#[module(..)]` list in place.
//! - [`generate`]: `elif generate <kind> <Name>`, a component in a file
//!   of its own, declared and registered in place.
//! - `resource`: the texts of `elif generate resource` and `policy`.
//! - [`new`]: `elif new`, a new app that runs and passes its tests.
//! - [`zones`]: keep zones of generated files, carried when they are
//!   generated again.

pub mod delegate;
pub mod dev;
pub mod edit;
pub mod expand;
pub mod explain;
pub mod generate;
pub mod new;
mod resource;
pub mod zones;
