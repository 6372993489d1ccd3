//! The elif example blog: posts (with a guarded write API), a public contact
//! form, and bearer-token auth. `src/main.rs` runs it; `tests/` drives it
//! through `TestApp`.

pub mod auth;
pub mod contact;
pub mod posts;

use elif::prelude::*;

/// The root module: the app is what it reaches.
#[module(imports(auth::AuthModule, posts::PostsModule, contact::ContactModule))]
pub struct AppModule;
