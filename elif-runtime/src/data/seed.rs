//! Seeders: code that fills the database with rows for development or a
//! demo, run by the app's `db seed` command (and `migrate fresh --seed`).
//! A seeder is an `#[injectable]` (so it injects repositories and
//! services) that implements [`Seeder`], registered with `App::seeder`:
//!
//! ```text
//! #[injectable]
//! pub struct DemoSeeder { users: Inject<Repository<User>> }
//!
//! impl Seeder for DemoSeeder {
//!     async fn run(&self) -> elif::Result<()> {
//!         User::factory().count(10).create(&self.users).await?;
//!         Ok(())
//!     }
//! }
//!
//! App::new().module(AppModule).seeder::<DemoSeeder>()
//! ```
//!
//! Seeders run in the order they were registered, each in its own
//! transaction: one that fails leaves nothing behind and stops the rest.

use std::future::Future;

use crate::BoxFuture;
use crate::di::Container;
use crate::di::provider::{Injectable, ProviderDescriptor};

/// Fills the database with rows (`db seed`). Implement it on an
/// `#[injectable]` and register it with `App::seeder::<S>()`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a seeder",
    label = "`App::seeder` runs a `Seeder`",
    note = "mark the struct `#[injectable]` and write `impl Seeder for {Self} {{ async fn run(&self) -> elif::Result<()> {{ .. }} }}`"
)]
pub trait Seeder: Injectable + Send + Sync + 'static {
    /// Inserts the rows.
    fn run(&self) -> impl Future<Output = crate::Result<()>> + Send;
}

/// A registered seeder: its provider, and how to run it from the container.
#[derive(Clone, Copy)]
pub(crate) struct SeederEntry {
    pub(crate) name: &'static str,
    pub(crate) descriptor: fn() -> &'static ProviderDescriptor,
    pub(crate) run: for<'a> fn(&'a Container) -> BoxFuture<'a, crate::Result<()>>,
}

impl SeederEntry {
    /// The entry of seeder `S`.
    pub(crate) fn of<S: Seeder>() -> Self {
        fn run<S: Seeder>(container: &Container) -> BoxFuture<'_, crate::Result<()>> {
            Box::pin(async move {
                let seeder = container.get::<S>().ok_or_else(|| {
                    crate::Error::internal(format!(
                        "seeder `{}` was not built: a seeder must be a singleton",
                        std::any::type_name::<S>()
                    ))
                })?;
                seeder.run().await
            })
        }
        Self {
            name: short_name(std::any::type_name::<S>()),
            descriptor: S::descriptor,
            run: run::<S>,
        }
    }
}

/// `DemoSeeder` of `app::seeds::DemoSeeder`.
fn short_name(full: &'static str) -> &'static str {
    full.rsplit("::").next().unwrap_or(full)
}
