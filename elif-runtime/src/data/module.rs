//! `DataModule`: import it to get an injectable [`Database`]
//! (`#[module(imports(elif::data::DataModule), ...)]`).

use std::any::TypeId;
use std::sync::Arc;

use crate::config::AppConfig;
use crate::data::{Database, DatabaseConfig, Transactional};
use crate::di::provider::{
    DependencySpec, Injectable, Instance, Location, ProviderDescriptor, ProviderKey, Requirement,
    instance,
};
use crate::di::{ConfigRequirement, Resolver};
use crate::module::{Module, ModuleDescriptor};

/// The module providing [`Database`], configured by `[database]`
/// (`DATABASE_URL`), and the [`Transactional`] interceptor. Import it where
/// the database is needed; it exports both.
pub struct DataModule;

impl Module for DataModule {
    fn descriptor() -> &'static ModuleDescriptor {
        static MODULE: ModuleDescriptor = ModuleDescriptor {
            name: "DataModule",
            key: TypeId::of::<DataModule>,
            imports: &[],
            providers: &[
                <Database as Injectable>::descriptor,
                <Transactional as Injectable>::descriptor,
            ],
            controllers: &[],
            guards: &[],
            interceptors: &[],
            filters: &[],
            middleware: &[],
            exports: &[
                ProviderKey::of::<Database>,
                ProviderKey::of::<Transactional>,
            ],
            commands: &[],
            migrations: None,
            location: Location {
                file: file!(),
                line: line!(),
            },
        };
        &MODULE
    }
}

impl Injectable for Database {
    fn descriptor() -> &'static ProviderDescriptor {
        static DESCRIPTOR: ProviderDescriptor = ProviderDescriptor::builtin::<Database>(
            "Database",
            dependencies,
            build,
            Location {
                file: file!(),
                line: line!(),
            },
        );
        &DESCRIPTOR
    }
}

fn dependencies() -> Vec<DependencySpec> {
    vec![
        DependencySpec::new(
            "config",
            Requirement::Config(ConfigRequirement::of::<DatabaseConfig>()),
        ),
        DependencySpec::new(
            "app",
            Requirement::Config(ConfigRequirement::of::<AppConfig>()),
        ),
    ]
}

fn build(resolver: Resolver) -> crate::BoxFuture<'static, crate::Result<Instance>> {
    Box::pin(async move {
        let config = resolver.config::<DatabaseConfig>()?;
        let app = resolver.config::<AppConfig>()?;
        let name = app
            .name
            .clone()
            .unwrap_or_else(|| crate::config::app_name().to_owned());
        let database = Database::connect(&config, &name)?;
        tracing::debug!(backend = ?database.backend(), "database pool ready");
        Ok(instance(Arc::new(database)))
    })
}
