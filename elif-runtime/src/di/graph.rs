//! The dependency graph of one app: its nodes (providers, values, trait
//! bindings) keyed by what they provide, and the checks that need nothing
//! but the graph (cycles, captive scopes). The modules floor builds it from
//! an app's modules and checks what modules decide (duplicates, visibility);
//! the container builds its instances from it.

use std::collections::{HashMap, HashSet};

use elif_catalogue::{EL1002, EL1003};

use crate::di::provider::{
    BuildFn, DependencySpec, Hook, Instance, Location, ProviderDescriptor, ProviderKey,
    ProviderKind, Requirement, Scope,
};
use crate::di::sections::ConfigRequirement;
use crate::diagnostics::Diagnostic;

/// How a node produces its instance.
#[derive(Clone)]
pub(crate) enum Builder {
    /// Call the provider's generated build function.
    Build(BuildFn),
    /// Hand out a value given to the app builder (or an override).
    Value(Instance),
    /// A trait binding: resolve `target` and cast it.
    Alias {
        target: ProviderKey,
        cast: fn(&Instance) -> Option<Instance>,
    },
}

/// One provider in the app's graph.
#[derive(Clone)]
pub(crate) struct Node {
    pub(crate) key: ProviderKey,
    /// The name used in messages: `PostService`, `dyn Mailer`.
    pub(crate) name: String,
    pub(crate) scope: Scope,
    pub(crate) kind: ProviderKind,
    /// Index of the declaring module (in the app's module tree); `None`
    /// for app-wide values and built-ins.
    pub(crate) module: Option<usize>,
    pub(crate) dependencies: Vec<DependencySpec>,
    pub(crate) builder: Builder,
    pub(crate) on_init: Option<Hook>,
    pub(crate) on_shutdown: Option<Hook>,
    pub(crate) location: Option<Location>,
}

impl Node {
    /// The node of a declared provider, in module `module`.
    pub(crate) fn declared(descriptor: &'static ProviderDescriptor, module: Option<usize>) -> Self {
        Self {
            key: (descriptor.key)(),
            name: descriptor.name.to_owned(),
            scope: descriptor.scope,
            kind: descriptor.kind,
            module,
            dependencies: (descriptor.dependencies)(),
            builder: Builder::Build(descriptor.build),
            on_init: descriptor.on_init,
            on_shutdown: descriptor.on_shutdown,
            location: Some(descriptor.location),
        }
    }

    /// A ready-made singleton value.
    pub(crate) fn value(key: ProviderKey, instance: Instance, kind: ProviderKind) -> Self {
        Self {
            key,
            name: key.to_string(),
            scope: Scope::Singleton,
            kind,
            module: None,
            dependencies: Vec::new(),
            builder: Builder::Value(instance),
            on_init: None,
            on_shutdown: None,
            location: None,
        }
    }
}

/// A validated graph: every dependency has a visible provider, there is no
/// cycle and no captive scope. `order` lists nodes dependencies-first.
pub(crate) struct Graph {
    pub(crate) nodes: Vec<Node>,
    index: HashMap<ProviderKey, usize>,
    pub(crate) order: Vec<usize>,
}

impl Graph {
    /// A graph of `nodes`, `index` giving the node of each key; not yet
    /// ordered (see [`Graph::check`]).
    pub(crate) fn new(nodes: Vec<Node>, index: HashMap<ProviderKey, usize>) -> Self {
        Self {
            nodes,
            index,
            order: Vec::new(),
        }
    }

    pub(crate) fn index_of(&self, key: ProviderKey) -> Option<usize> {
        self.index.get(&key).copied()
    }

    /// Every config section some provider depends on, once each.
    pub(crate) fn config_requirements(&self) -> Vec<ConfigRequirement> {
        let mut seen = HashSet::new();
        self.nodes
            .iter()
            .flat_map(|n| &n.dependencies)
            .filter_map(|d| match &d.requirement {
                Requirement::Config(c) if seen.insert(c.key) => Some(c.clone()),
                _ => None,
            })
            .collect()
    }

    /// Orders the nodes dependencies-first and reports every cycle and
    /// every singleton that would capture a request-scoped provider.
    pub(crate) fn check(&mut self, problems: &mut Vec<Diagnostic>) {
        self.order = check_cycles(self, problems);
        check_captive(self, problems);
    }
}

/// Finds every cycle; returns the nodes in dependency order (dependencies first).
fn check_cycles(graph: &Graph, problems: &mut Vec<Diagnostic>) -> Vec<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    struct Walk<'g> {
        graph: &'g Graph,
        marks: Vec<Mark>,
        stack: Vec<usize>,
        order: Vec<usize>,
        cycles: Vec<Vec<usize>>,
    }
    impl Walk<'_> {
        fn visit(&mut self, n: usize) {
            match self.marks[n] {
                Mark::Done => return,
                Mark::Active => {
                    let start = self.stack.iter().rposition(|&s| s == n).unwrap_or(0);
                    self.cycles.push(self.stack[start..].to_vec());
                    return;
                }
                Mark::New => {}
            }
            self.marks[n] = Mark::Active;
            self.stack.push(n);
            for dep in &self.graph.nodes[n].dependencies {
                if let Some(key) = dep.requirement.provider()
                    && let Some(d) = self.graph.index_of(key)
                {
                    self.visit(d);
                }
            }
            self.stack.pop();
            self.marks[n] = Mark::Done;
            self.order.push(n);
        }
    }
    let mut walk = Walk {
        graph,
        marks: vec![Mark::New; graph.nodes.len()],
        stack: Vec::new(),
        order: Vec::new(),
        cycles: Vec::new(),
    };
    for n in 0..graph.nodes.len() {
        walk.visit(n);
    }
    let mut seen: HashSet<Vec<usize>> = HashSet::new();
    for cycle in walk.cycles {
        let mut canonical = cycle.clone();
        canonical.sort_unstable();
        if !seen.insert(canonical) {
            continue;
        }
        let mut names: Vec<&str> = cycle
            .iter()
            .map(|&i| graph.nodes[i].name.as_str())
            .collect();
        names.push(names[0]);
        let mut d = Diagnostic::error(&EL1002, format!("dependency cycle: {}", names.join(" -> ")));
        if let Some(location) = graph.nodes[cycle[0]].location {
            d = d.at(location);
        }
        problems.push(d);
    }
    walk.order
}

/// A singleton must not depend, directly or through transients, on a
/// request-scoped provider.
fn check_captive(graph: &Graph, problems: &mut Vec<Diagnostic>) {
    // For each node: the chain to a request-scoped provider, if it has one.
    fn request_chain(
        graph: &Graph,
        n: usize,
        memo: &mut HashMap<usize, Option<Vec<usize>>>,
    ) -> Option<Vec<usize>> {
        if let Some(known) = memo.get(&n) {
            return known.clone();
        }
        memo.insert(n, None); // cuts cycles, which are reported elsewhere
        let node = &graph.nodes[n];
        let chain = match node.scope {
            Scope::Request => Some(vec![n]),
            Scope::Singleton => None,
            Scope::Transient => node.dependencies.iter().find_map(|dep| {
                let d = graph.index_of(dep.requirement.provider()?)?;
                let mut rest = request_chain(graph, d, memo)?;
                rest.insert(0, n);
                Some(rest)
            }),
        };
        memo.insert(n, chain.clone());
        chain
    }

    let mut memo = HashMap::new();
    for node in &graph.nodes {
        if node.scope != Scope::Singleton {
            continue;
        }
        for dep in &node.dependencies {
            let Some(d) = dep
                .requirement
                .provider()
                .and_then(|key| graph.index_of(key))
            else {
                continue;
            };
            let Some(chain) = request_chain(graph, d, &mut memo) else {
                continue;
            };
            let mut path = vec![format!("`{}` (singleton)", node.name)];
            path.extend(
                chain
                    .iter()
                    .map(|&i| format!("`{}` ({})", graph.nodes[i].name, graph.nodes[i].scope)),
            );
            let request = &graph.nodes[chain[chain.len() - 1]].name;
            let mut diagnostic = Diagnostic::error(
                &EL1003,
                format!(
                    "singleton `{}` would capture request-scoped `{request}`: {}",
                    node.name,
                    path.join(" -> ")
                ),
            )
            .hint(format!(
                "make `{}` request-scoped with `#[injectable(scope = \"request\")]`, or take `{request}` in the handler through the `Scoped<{request}>` extractor",
                node.name
            ));
            if let Some(location) = node.location {
                diagnostic = diagnostic.at(location);
            }
            problems.push(diagnostic);
        }
    }
}
