//! Resolving instances from a validated graph.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::OnceCell;

use crate::BoxFuture;
use crate::config::ConfigSection;
use crate::di::graph::{Builder, Graph};
use crate::di::provider::{Instance, ProviderKey, Scope, downcast};
use crate::error::Error;

/// What a resolver shares with every other resolver of the same app: the
/// validated graph, the singletons built so far and the loaded config sections.
pub(crate) struct Shared {
    pub(crate) graph: Graph,
    pub(crate) singletons: Vec<OnceLock<Instance>>,
    pub(crate) config: HashMap<ProviderKey, Instance>,
}

/// The instances of request-scoped providers for one request.
#[derive(Default)]
pub(crate) struct RequestCache {
    cells: Mutex<HashMap<usize, Arc<OnceCell<Instance>>>>,
}

impl RequestCache {
    fn cell(&self, index: usize) -> Arc<OnceCell<Instance>> {
        let mut cells = self
            .cells
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        cells.entry(index).or_default().clone()
    }
}

/// Hands out instances while providers are built. Generated `build`
/// functions receive one and resolve each field through it.
#[derive(Clone)]
pub struct Resolver {
    pub(crate) shared: Arc<Shared>,
    pub(crate) request: Option<Arc<RequestCache>>,
}

impl Resolver {
    /// The instance of the provider of `T` (`T` may be `dyn Trait`).
    pub async fn get<T: ?Sized + Send + Sync + 'static>(&self) -> crate::Result<Arc<T>> {
        let key = ProviderKey::of::<T>();
        let index = self.index_of(key)?;
        let instance = self.resolve_index(index).await?;
        downcast::<T>(&instance).ok_or_else(|| wrong_type(key))
    }

    /// The loaded config section `T`.
    pub fn config<T: ConfigSection>(&self) -> crate::Result<Arc<T>> {
        let key = ProviderKey::of::<T>();
        self.shared
            .config
            .get(&key)
            .and_then(downcast::<T>)
            .ok_or_else(|| {
                Error::internal(format!("config section `{key}` was not loaded at boot"))
            })
    }

    fn index_of(&self, key: ProviderKey) -> crate::Result<usize> {
        self.shared
            .graph
            .index_of(key)
            .ok_or_else(|| Error::internal(format!("no provider for `{key}` in this app")))
    }

    /// Resolves the node at `index`, honouring its scope.
    pub(crate) fn resolve_index(
        &self,
        index: usize,
    ) -> BoxFuture<'static, crate::Result<Instance>> {
        let this = self.clone();
        Box::pin(async move {
            let node = &this.shared.graph.nodes[index];
            match node.scope {
                Scope::Singleton => {
                    if let Some(instance) = this.shared.singletons[index].get() {
                        return Ok(instance.clone());
                    }
                    // Boot builds singletons in dependency order, so this only
                    // runs for the singleton being built right now.
                    let root = Resolver {
                        shared: this.shared.clone(),
                        request: None,
                    };
                    let built = root.build(index).await?;
                    Ok(this.shared.singletons[index].get_or_init(|| built).clone())
                }
                Scope::Request => {
                    let Some(cache) = this.request.clone() else {
                        return Err(Error::internal(format!(
                            "request-scoped `{}` was resolved outside a request",
                            node.name
                        )));
                    };
                    let cell = cache.cell(index);
                    cell.get_or_try_init(|| this.build(index)).await.cloned()
                }
                Scope::Transient => this.build(index).await,
            }
        })
    }

    async fn build(&self, index: usize) -> crate::Result<Instance> {
        let node = &self.shared.graph.nodes[index];
        match &node.builder {
            Builder::Build(build) => build(self.clone()).await,
            Builder::Value(instance) => Ok(instance.clone()),
            Builder::Alias { target, cast } => {
                let target_index = self.index_of(*target)?;
                let instance = self.resolve_index(target_index).await?;
                cast(&instance).ok_or_else(|| wrong_type(node.key))
            }
        }
    }
}

fn wrong_type(key: ProviderKey) -> Error {
    Error::internal(format!(
        "the provider of `{key}` built a value of another type"
    ))
}
