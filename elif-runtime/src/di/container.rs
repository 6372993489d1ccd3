//! The container of a booted app: singletons built in dependency order,
//! request scopes, and the lifecycle hooks.

use std::collections::HashMap;
use std::sync::Arc;

use elif_catalogue::{EL1008, EL1009, Entry};

use crate::di::graph::Graph;
use crate::di::provider::{Instance, ProviderKey, Scope, downcast};
use crate::di::resolver::{Resolver, Shared};
use crate::diagnostics::Diagnostic;

/// The built dependency graph of one app. Cheap to clone.
#[derive(Clone)]
pub struct Container {
    resolver: Resolver,
}

impl Container {
    /// Builds every singleton, dependencies first. Stops at the first
    /// provider that fails (its dependents could not be built anyway).
    pub(crate) async fn build(
        graph: Graph,
        config: HashMap<ProviderKey, Instance>,
    ) -> Result<Self, Diagnostic> {
        let resolver = Resolver {
            shared: Arc::new(Shared::new(graph, config)),
            request: None,
        };
        for &index in &resolver.shared.graph.order {
            let node = &resolver.shared.graph.nodes[index];
            if node.scope != Scope::Singleton {
                continue;
            }
            if let Err(error) = resolver.resolve_index(index).await {
                let mut diagnostic = Diagnostic::error(
                    boot_entry(&error, &EL1008),
                    format!("building `{}` failed: {}", node.name, error.detail()),
                );
                if let Some(hint) = error.hint() {
                    diagnostic = diagnostic.hint(hint.to_owned());
                }
                if let Some(location) = node.location {
                    diagnostic = diagnostic.at(location);
                }
                return Err(diagnostic);
            }
        }
        Ok(Self { resolver })
    }

    pub(crate) fn graph(&self) -> &Graph {
        &self.resolver.shared.graph
    }

    /// The singleton providing `T`, if the app has one. Costs a hash lookup:
    /// fine at boot and in tests; handlers get their dependencies through
    /// their controller instead.
    pub fn get<T: ?Sized + Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        let index = self.graph().index_of(ProviderKey::of::<T>())?;
        self.resolver.shared.singletons[index]
            .get()
            .and_then(downcast::<T>)
    }

    /// Resolves `T` whatever its scope, except request scope (use a
    /// [`RequestScope`]); transients are built anew.
    pub async fn resolve<T: ?Sized + Send + Sync + 'static>(&self) -> crate::Result<Arc<T>> {
        self.resolver.get::<T>().await
    }

    /// The graph's node providing `T`, found once so that requests that
    /// need it (a route's `Scoped<T>`) cost no lookup.
    pub(crate) fn index_of<T: ?Sized + 'static>(&self) -> Option<usize> {
        self.graph().index_of(ProviderKey::of::<T>())
    }

    /// The instance of a singleton node, by index.
    pub(crate) fn singleton(&self, index: usize) -> Option<&Instance> {
        self.resolver.shared.singletons[index].get()
    }

    /// A new request scope: request-scoped providers resolved through it are
    /// built once for it and dropped with it.
    pub fn request_scope(&self) -> RequestScope {
        RequestScope {
            resolver: Resolver {
                shared: self.resolver.shared.clone(),
                request: Some(self.resolver.shared.request_cells()),
            },
        }
    }

    /// Runs every `on_init` hook, dependencies first; stops at the first error.
    pub(crate) async fn init(&self) -> Result<(), Diagnostic> {
        for &index in &self.graph().order {
            let node = &self.graph().nodes[index];
            let (Some(hook), Some(instance)) = (node.on_init, self.singleton(index)) else {
                continue;
            };
            tracing::debug!(component = %node.name, "on_init");
            if let Err(error) = hook(instance.clone()).await {
                let mut diagnostic = Diagnostic::error(
                    boot_entry(&error, &EL1009),
                    match error.code() {
                        "INTERNAL_ERROR" => {
                            format!("`{}`'s on_init failed: {}", node.name, error.detail())
                        }
                        code => format!(
                            "`{}`'s on_init failed ({code}): {}",
                            node.name,
                            error.detail()
                        ),
                    },
                );
                if let Some(hint) = error.hint() {
                    diagnostic = diagnostic.hint(hint.to_owned());
                }
                if let Some(location) = node.location {
                    diagnostic = diagnostic.at(location);
                }
                return Err(diagnostic);
            }
        }
        Ok(())
    }

    /// Runs every `on_shutdown` hook, dependents first (the reverse of
    /// dependency order). A failing hook is logged and the others still run.
    pub(crate) async fn shutdown(&self) {
        for &index in self.graph().order.iter().rev() {
            let node = &self.graph().nodes[index];
            let (Some(hook), Some(instance)) = (node.on_shutdown, self.singleton(index)) else {
                continue;
            };
            tracing::debug!(component = %node.name, "on_shutdown");
            if let Err(error) = hook(instance.clone()).await {
                tracing::error!(component = %node.name, error = %error, "on_shutdown hook failed");
            }
        }
    }
}

/// The providers of one request (or one command run): request-scoped
/// instances are built on first use and shared within the scope.
#[derive(Clone)]
pub struct RequestScope {
    resolver: Resolver,
}

impl RequestScope {
    /// Resolves `T` in this scope.
    pub async fn get<T: ?Sized + Send + Sync + 'static>(&self) -> crate::Result<Arc<T>> {
        self.resolver.get::<T>().await
    }

    /// Resolves `T`, whose node ([`Container::index_of`]) is `index`, in this scope.
    pub(crate) async fn get_at<T: ?Sized + Send + Sync + 'static>(
        &self,
        index: usize,
    ) -> crate::Result<Arc<T>> {
        self.resolver.get_at::<T>(index).await
    }
}

/// The entry a failed build or hook is reported under: the error's own
/// when it carries a boot-time one (a package's diagnostic), else `generic`.
fn boot_entry(error: &crate::Error, generic: &'static Entry) -> &'static Entry {
    error
        .entry()
        .filter(|entry| entry.phase == elif_catalogue::Phase::Boot)
        .unwrap_or(generic)
}
