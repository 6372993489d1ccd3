//! The elif example blog: posts with authors, comments and tags stored
//! through models and repositories (SQLite by default, PostgreSQL with
//! `DATABASE_URL`), a guarded write API, a public contact form, and
//! bearer-token auth. `src/main.rs` runs it; `tests/` drives it through
//! `TestApp`.

pub mod auth;
pub mod contact;
pub mod models;
pub mod posts;
pub mod seed;

/// The blog's migrations (`migrations/`), embedded in the binary.
pub const MIGRATIONS: elif::data::Migrations = elif::migrations!();

use elif::prelude::*;

/// The root module: the app is what it reaches.
#[module(imports(
    auth::AuthModule,
    posts::PostsModule,
    contact::ContactModule,
    seed::SeedModule
))]
pub struct AppModule;
