//! The elif example blog: posts with authors, comments and tags stored
//! through models and repositories (SQLite by default, PostgreSQL with
//! `DATABASE_URL`), authors who sign up and log in (elif-auth: a JWT and a
//! session cookie) and make API tokens for their scripts, a permission for
//! who writes posts, a policy for who changes one, a role for who deletes
//! one, and a public contact form. `src/main.rs` runs it;
//! `tests/` drives it through `TestApp`.

pub mod accounts;
pub mod contact;
pub mod models;
pub mod posts;
pub mod seed;

/// The blog's migrations (`migrations/`), embedded in the binary.
pub const MIGRATIONS: elif::data::Migrations = elif::migrations!();

use elif::prelude::*;

/// The blog as `main` runs it and the tests boot it: its modules, its
/// migrations, and its principals (the authors).
pub fn app() -> App {
    App::new()
        .module(AppModule)
        .migrations(MIGRATIONS)
        .provide::<dyn elif_auth::Principals>(elif_auth::principals::<models::Author>())
        .config("auth.mechanisms", ["jwt", "session", "api_token"])
}

/// The root module: the app is what it reaches.
#[module(imports(
    accounts::AccountsModule,
    posts::PostsModule,
    contact::ContactModule,
    seed::SeedModule
))]
pub struct AppModule;
