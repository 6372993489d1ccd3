//! The app: a root module and what the builder adds, surveyed (checked
//! without building anything), booted (singletons built, layers resolved,
//! hooks run), then a command (`serve` by default).
//!
//! One job per file: `builder` collects what the app is made of, `survey`
//! reads it into a checked graph and config, `boot` builds it, `layers`
//! resolves the guards, interceptors and filters around each controller's
//! routes, `database` starts and checks the database, `booted` is the
//! result; `serve`, `health` and `inspection` answer HTTP; `command` and
//! `entry` are the app binary's command line and `main`.
//!
//! This is the top floor: it may use every other module, and none of
//! them uses it.

mod boot;
mod booted;
mod builder;
mod command;
mod database;
pub(crate) mod entry;
mod health;
mod inspection;
mod layers;
mod lifecycle;
mod migrate_generate;
pub(crate) mod serve;
mod survey;

pub use booted::Booted;
pub use builder::App;
pub use lifecycle::Lifecycle;
