//! The container of a booted app: singletons built in dependency order,
//! request scopes, and the lifecycle hooks.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use elif_catalogue::{EL1008, EL1009};

use crate::di::graph::Graph;
use crate::di::provider::{Instance, ProviderKey, Scope, downcast};
use crate::di::resolver::{RequestCache, Resolver, Shared};
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
        let singletons = (0..graph.nodes.len()).map(|_| OnceLock::new()).collect();
        let resolver = Resolver {
            shared: Arc::new(Shared {
                graph,
                singletons,
                config,
            }),
            request: None,
        };
        for &index in &resolver.shared.graph.order {
            let node = &resolver.shared.graph.nodes[index];
            if node.scope != Scope::Singleton {
                continue;
            }
            if let Err(error) = resolver.resolve_index(index).await {
                let mut diagnostic = Diagnostic::error(
                    &EL1008,
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

    /// Every component of the app's graph, as data (what `map` lists).
    pub fn components(&self) -> Vec<crate::inspect::ComponentMap> {
        crate::inspect::components(self.graph())
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
                request: Some(Arc::new(RequestCache::default())),
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
                    &EL1009,
                    format!("`{}`'s on_init failed: {}", node.name, error.detail()),
                );
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
}
