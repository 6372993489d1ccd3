//! Resolving instances from a validated graph.
//!
//! A request's instances of request-scoped providers live in one slice of
//! cells, one per request-scoped provider of the graph (its slot, numbered
//! once when the container is built): a request scope is one allocation,
//! and finding an instance in it is an index, with no lock and no map.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

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
    /// Each node's cell among a request's cells, for request-scoped nodes.
    request_slots: Vec<Option<usize>>,
    /// How many request-scoped nodes the graph has.
    request_scoped: usize,
}

impl Shared {
    /// The shared state of a validated graph, nothing built yet.
    pub(crate) fn new(graph: Graph, config: HashMap<ProviderKey, Instance>) -> Self {
        let singletons = graph.nodes.iter().map(|_| OnceLock::new()).collect();
        let mut request_scoped = 0;
        let request_slots = graph
            .nodes
            .iter()
            .map(|node| {
                (node.scope == Scope::Request).then(|| {
                    request_scoped += 1;
                    request_scoped - 1
                })
            })
            .collect();
        Self {
            graph,
            singletons,
            config,
            request_slots,
            request_scoped,
        }
    }

    /// The cells of a new request: one per request-scoped provider, empty.
    pub(crate) fn request_cells(&self) -> RequestCells {
        (0..self.request_scoped).map(|_| OnceCell::new()).collect()
    }
}

/// The instances of request-scoped providers for one request, by slot.
pub(crate) type RequestCells = Arc<[OnceCell<Instance>]>;

/// Hands out instances while providers are built. Generated `build`
/// functions receive one and resolve each field through it.
#[derive(Clone)]
pub struct Resolver {
    pub(crate) shared: Arc<Shared>,
    pub(crate) request: Option<RequestCells>,
}

impl Resolver {
    /// The instance of the provider of `T` (`T` may be `dyn Trait`).
    pub async fn get<T: ?Sized + Send + Sync + 'static>(&self) -> crate::Result<Arc<T>> {
        let index = self.index_of(ProviderKey::of::<T>())?;
        self.get_at::<T>(index).await
    }

    /// The instance of `T` if the app provides one (anywhere: an optional
    /// dependency is not bound by module visibility), else `None`.
    pub async fn get_optional<T: ?Sized + Send + Sync + 'static>(
        &self,
    ) -> crate::Result<Option<Arc<T>>> {
        match self.shared.graph.index_of(ProviderKey::of::<T>()) {
            Some(index) => self.get_at::<T>(index).await.map(Some),
            None => Ok(None),
        }
    }

    /// The instance of node `index`, the provider of `T` (found once, e.g.
    /// when a route is mounted). One already built (a singleton, or a
    /// request-scoped instance this request built) is handed out without
    /// a future of its own.
    pub(crate) async fn get_at<T: ?Sized + Send + Sync + 'static>(
        &self,
        index: usize,
    ) -> crate::Result<Arc<T>> {
        let instance = match self.built(index) {
            Some(instance) => instance.clone(),
            None => self.resolve_index(index).await?,
        };
        downcast::<T>(&instance).ok_or_else(|| wrong_type(self.shared.graph.nodes[index].key))
    }

    /// The instance of node `index` if it is built and shared.
    fn built(&self, index: usize) -> Option<&Instance> {
        match self.shared.graph.nodes[index].scope {
            Scope::Singleton => self.shared.singletons[index].get(),
            Scope::Request => self.cell(index)?.get(),
            Scope::Transient => None,
        }
    }

    /// This request's cell for request-scoped node `index`.
    fn cell(&self, index: usize) -> Option<&OnceCell<Instance>> {
        let slot = self.shared.request_slots[index]?;
        self.request.as_deref()?.get(slot)
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

    pub(crate) fn index_of(&self, key: ProviderKey) -> crate::Result<usize> {
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
                    let Some(cell) = this.cell(index) else {
                        return Err(Error::internal(format!(
                            "request-scoped `{}` was resolved outside a request",
                            node.name
                        )));
                    };
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

/// A container with request-scoped providers, for the tests of what uses them.
#[cfg(test)]
pub(crate) mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::di::container::Container;
    use crate::di::graph::Node;
    use crate::di::provider::{
        DependencySpec, Location, ProviderDescriptor, ProviderKind, Requirement, instance,
    };

    const AT: Location = Location {
        file: "cart.rs",
        line: 1,
    };

    #[derive(Debug)]
    struct Clock(u64);

    /// What `#[injectable(scope = "request")] struct Cart { clock: Arc<Clock> }`
    /// writes, counting the carts it builds.
    pub(crate) struct Cart {
        clock: Arc<Clock>,
    }

    /// A second request-scoped provider, so that slots are not all 0.
    struct Basket;

    static BUILT: AtomicUsize = AtomicUsize::new(0);

    fn build_cart(resolver: Resolver) -> BoxFuture<'static, crate::Result<Instance>> {
        Box::pin(async move {
            BUILT.fetch_add(1, Ordering::SeqCst);
            let clock = resolver.get::<Clock>().await?;
            Ok(instance(Arc::new(Cart { clock })))
        })
    }

    fn build_basket(_: Resolver) -> BoxFuture<'static, crate::Result<Instance>> {
        Box::pin(async { Ok(instance(Arc::new(Basket))) })
    }

    static CART: ProviderDescriptor = ProviderDescriptor {
        scope: Scope::Request,
        kind: ProviderKind::Injectable,
        dependencies: || {
            vec![DependencySpec::new(
                "clock",
                Requirement::Provider(ProviderKey::of::<Clock>()),
            )]
        },
        ..ProviderDescriptor::builtin::<Cart>("Cart", Vec::new, build_cart, AT)
    };

    static BASKET: ProviderDescriptor = ProviderDescriptor {
        scope: Scope::Request,
        kind: ProviderKind::Injectable,
        ..ProviderDescriptor::builtin::<Basket>("Basket", Vec::new, build_basket, AT)
    };

    /// A container whose graph has a `Clock` singleton and two
    /// request-scoped providers, `Basket` and `Cart` (which needs the clock).
    pub(crate) async fn container() -> Container {
        let clock = ProviderKey::of::<Clock>();
        let nodes = vec![
            Node::declared(&BASKET, None),
            Node::value(clock, instance(Arc::new(Clock(7))), ProviderKind::Value),
            Node::declared(&CART, None),
        ];
        let index = nodes.iter().enumerate().map(|(i, n)| (n.key, i)).collect();
        let mut graph = Graph::new(nodes, index);
        let mut problems = Vec::new();
        graph.check(&mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        Container::build(graph, HashMap::new())
            .await
            .expect("built")
    }

    #[actix_web::test]
    async fn one_instance_per_request_scope_and_none_outside_one() {
        let container = container().await;
        let outside = container.resolve::<Cart>().await.err().expect("no scope");
        assert_eq!(
            outside.detail(),
            "request-scoped `Cart` was resolved outside a request"
        );
        let before = BUILT.load(Ordering::SeqCst);
        let index = container.index_of::<Cart>().expect("a provider of Cart");
        let first = container.request_scope();
        let a = first.get::<Cart>().await.expect("cart");
        let b = first.get_at::<Cart>(index).await.expect("cart");
        assert!(Arc::ptr_eq(&a, &b), "one cart per request");
        assert_eq!(a.clock.0, 7, "built with the app's singletons");
        let second = container.request_scope();
        let c = second.get_at::<Cart>(index).await.expect("cart");
        assert!(!Arc::ptr_eq(&a, &c), "another request, another cart");
        assert!(second.get::<Basket>().await.is_ok());
        assert_eq!(BUILT.load(Ordering::SeqCst) - before, 2);
    }
}
