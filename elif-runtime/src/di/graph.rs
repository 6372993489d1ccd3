//! The dependency graph of one app: built from its root module, values and
//! overrides, then checked as a whole (missing providers, visibility, cycles,
//! captive scopes, duplicates) before anything is built.

use std::collections::{HashMap, HashSet};

use elif_catalogue::{EL1001, EL1002, EL1003, EL1004, EL1005, EL1014};

use crate::di::provider::{
    BuildFn, DependencySpec, Hook, Instance, Location, ProviderDescriptor, ProviderKey,
    ProviderKind, Requirement, Scope, registered_providers,
};
use crate::diagnostics::Diagnostic;
use crate::module::{ModuleTree, MountFn};

/// How a node produces its instance.
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
pub(crate) struct Node {
    pub(crate) key: ProviderKey,
    /// The name used in messages: `PostService`, `dyn Mailer`.
    pub(crate) name: String,
    pub(crate) scope: Scope,
    pub(crate) kind: ProviderKind,
    /// Index of the declaring module; `None` for app-wide values and built-ins.
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
    pub(crate) controllers: Vec<(usize, MountFn)>,
    pub(crate) modules: ModuleTree,
}

impl Graph {
    pub(crate) fn index_of(&self, key: ProviderKey) -> Option<usize> {
        self.index.get(&key).copied()
    }

    /// Every config section some provider depends on, once each.
    pub(crate) fn config_requirements(&self) -> Vec<crate::config::ConfigRequirement> {
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
}

/// What an app's graph is made of before it is checked.
pub(crate) struct GraphInput {
    pub(crate) modules: ModuleTree,
    /// App-wide values and built-ins, visible from every module.
    pub(crate) globals: Vec<Node>,
    /// Replacements for providers, by key (tests).
    pub(crate) overrides: Vec<Node>,
    /// Providers the app needs app-wide unless a module declares them
    /// already (app guards).
    pub(crate) shared: Vec<&'static ProviderDescriptor>,
}

/// Builds the graph and runs every check. The graph is only sound when no
/// problem was found; it is returned either way so that later checks (such
/// as config) can still run and report in the same pass.
pub(crate) fn build(input: GraphInput) -> (Graph, Vec<Diagnostic>) {
    let GraphInput {
        modules,
        globals,
        overrides,
        shared,
    } = input;
    let mut table = NodeTable {
        nodes: Vec::new(),
        index: HashMap::new(),
        problems: modules.problems.clone(),
        not_singletons: HashSet::new(),
    };
    let mut controllers = Vec::new();
    for &m in &modules.order {
        for provider in modules.modules[m].descriptor.providers {
            table.add_declared(provider(), m, &modules);
        }
    }
    // Controllers after every declared provider, so a guard a module
    // declares is found before a controller would add it app-wide.
    for &m in &modules.order {
        for controller in modules.modules[m].descriptor.controllers {
            let descriptor = (controller.provider)();
            let Some(i) = table.add_declared(descriptor, m, &modules) else {
                continue;
            };
            table.nodes[i].kind = ProviderKind::Controller;
            table.require_singleton(descriptor, "controller");
            // Guards join the graph app-wide (once each), and the controller depends on them.
            for component in (controller.components)() {
                let key = (component.key)();
                table.require_singleton(component, "guard, interceptor or filter");
                table.add_shared(component, &modules);
                table.nodes[i]
                    .dependencies
                    .push(DependencySpec::new("(guard)", Requirement::Provider(key)));
            }
            controllers.push((i, controller.mount));
        }
    }
    for node in globals {
        table.add(node, &modules);
    }
    for descriptor in shared {
        table.require_singleton(descriptor, "app or module guard, interceptor or filter");
        table.add_shared(descriptor, &modules);
    }
    for node in overrides {
        table.replace(node, &modules);
    }

    let NodeTable {
        nodes,
        index,
        mut problems,
        ..
    } = table;
    let graph = Graph {
        nodes,
        index,
        order: Vec::new(),
        controllers,
        modules,
    };
    check_dependencies(&graph, &mut problems);
    let order = check_cycles(&graph, &mut problems);
    check_captive(&graph, &mut problems);
    (Graph { order, ..graph }, problems)
}

/// The nodes being collected, keyed by what they provide.
struct NodeTable {
    nodes: Vec<Node>,
    index: HashMap<ProviderKey, usize>,
    problems: Vec<Diagnostic>,
    /// Providers already reported as not singletons.
    not_singletons: HashSet<ProviderKey>,
}

impl NodeTable {
    /// Adds a node unless its key is taken (a duplicate is a problem).
    fn add(&mut self, node: Node, modules: &ModuleTree) -> Option<usize> {
        if let Some(&existing) = self.index.get(&node.key) {
            self.problems
                .push(duplicate(&self.nodes[existing], &node, modules));
            return None;
        }
        self.index.insert(node.key, self.nodes.len());
        self.nodes.push(node);
        Some(self.nodes.len() - 1)
    }

    /// Adds a declared provider and its trait bindings; returns the provider's index.
    fn add_declared(
        &mut self,
        descriptor: &'static ProviderDescriptor,
        module: usize,
        modules: &ModuleTree,
    ) -> Option<usize> {
        let node = Node::declared(descriptor, Some(module));
        let target = node.key;
        let index = self.add(node, modules)?;
        for binding in descriptor.bindings {
            let key = (binding.key)();
            let alias = Node {
                key,
                name: key.to_string(),
                scope: descriptor.scope,
                kind: descriptor.kind,
                module: Some(module),
                dependencies: vec![DependencySpec::new(
                    "(binding)",
                    Requirement::Provider(target),
                )],
                builder: Builder::Alias {
                    target,
                    cast: binding.cast,
                },
                on_init: None,
                on_shutdown: None,
                location: Some(descriptor.location),
            };
            self.add(alias, modules);
        }
        Some(index)
    }

    /// Reports `descriptor` unless it is a singleton: what serves requests
    /// is built once and shared by every worker.
    fn require_singleton(&mut self, descriptor: &'static ProviderDescriptor, role: &str) {
        if descriptor.scope != Scope::Singleton && self.not_singletons.insert((descriptor.key)()) {
            self.problems.push(
                Diagnostic::error(
                    &EL1014,
                    format!(
                        "`{}` is a {role} but is {}-scoped",
                        descriptor.name, descriptor.scope
                    ),
                )
                .at(descriptor.location),
            );
        }
    }

    /// Adds an app-wide provider unless one of its key exists already.
    fn add_shared(&mut self, descriptor: &'static ProviderDescriptor, modules: &ModuleTree) {
        if !self.index.contains_key(&(descriptor.key)()) {
            self.add(Node::declared(descriptor, None), modules);
        }
    }

    /// Puts an override in place of the provider of the same key, keeping
    /// its module (so visibility is unchanged); adds it if there is none.
    fn replace(&mut self, mut node: Node, modules: &ModuleTree) {
        match self.index.get(&node.key) {
            Some(&i) => {
                let replaced = &self.nodes[i];
                node.module = replaced.module;
                node.name = replaced.name.clone();
                node.location = replaced.location;
                self.nodes[i] = node;
            }
            None => {
                self.add(node, modules);
            }
        }
    }
}

fn duplicate(first: &Node, second: &Node, modules: &ModuleTree) -> Diagnostic {
    let place = |n: &Node| match n.module {
        Some(m) => format!("module `{}`", modules.modules[m].descriptor.name),
        None => "the app builder".to_owned(),
    };
    let what = if first.name == second.name {
        format!("`{}`", first.name)
    } else {
        format!(
            "`{}` (by `{}` and `{}`)",
            first.key, first.name, second.name
        )
    };
    let mut d = Diagnostic::error(
        &EL1004,
        format!(
            "{what} is provided twice: in {} and in {}",
            place(first),
            place(second)
        ),
    );
    if let Some(location) = second.location {
        d = d.at(location);
    }
    d
}

/// Every provider dependency must exist and be visible from the dependent's module.
fn check_dependencies(graph: &Graph, problems: &mut Vec<Diagnostic>) {
    for node in &graph.nodes {
        for dep in &node.dependencies {
            let Requirement::Provider(key) = &dep.requirement else {
                continue;
            };
            let diagnostic = match graph.index_of(*key) {
                None => missing(graph, node, dep.name, *key),
                Some(target) => match not_visible(graph, node, &graph.nodes[target]) {
                    Some(d) => d,
                    None => continue,
                },
            };
            problems.push(match node.location {
                Some(location) => diagnostic.at(location),
                None => diagnostic,
            });
        }
    }
}

fn missing(graph: &Graph, node: &Node, field: &str, key: ProviderKey) -> Diagnostic {
    let module = node
        .module
        .map(|m| graph.modules.modules[m].descriptor.name)
        .unwrap_or("your root module");
    let message = format!(
        "`{}` needs `{key}` (field `{field}`), but no provider of `{key}` is registered",
        node.name
    );
    let declared: Vec<&ProviderDescriptor> = registered_providers()
        .filter(|p| (p.key)() == key)
        .collect();
    let binders: Vec<&ProviderDescriptor> = registered_providers()
        .filter(|p| p.bindings.iter().any(|b| (b.key)() == key))
        .collect();
    let hint = if let Some(p) = declared.first() {
        format!(
            "`{}` is declared at {} but no module of this app lists it: add it to `providers(...)` of `{module}`",
            p.name, p.location
        )
    } else if !binders.is_empty() {
        let names: Vec<String> = binders
            .iter()
            .map(|p| format!("`{}` ({})", p.name, p.location))
            .collect();
        format!(
            "{} provides `{key}` but no module of this app lists it: add it to `providers(...)` of `{module}`",
            names.join(" or ")
        )
    } else if key.to_string().starts_with("dyn ") {
        format!(
            "mark an implementation with `#[injectable(provides = {key})]` and list it in `providers(...)` of `{module}`, or give the app a value with `App::provide::<{key}>(...)`"
        )
    } else {
        format!(
            "annotate `{key}` with `#[injectable]` and list it in `providers(...)` of `{module}`, or give the app a value with `App::value(...)`"
        )
    };
    Diagnostic::error(&EL1001, message).hint(hint)
}

fn not_visible(graph: &Graph, node: &Node, target: &Node) -> Option<Diagnostic> {
    let (Some(from), Some(owner)) = (node.module, target.module) else {
        return None;
    };
    if graph.modules.is_visible(from, owner, target.key) {
        return None;
    }
    let from_name = graph.modules.modules[from].descriptor.name;
    let owner_name = graph.modules.modules[owner].descriptor.name;
    let mut steps = Vec::new();
    if !graph.modules.exports(owner).contains(&target.key) {
        steps.push(format!(
            "add `{}` to `exports(...)` of `{owner_name}`",
            target.name
        ));
    }
    if !graph.modules.modules[from].imports.contains(&owner) {
        steps.push(format!(
            "add `{owner_name}` to `imports(...)` of `{from_name}`"
        ));
    }
    Some(
        Diagnostic::error(
            &EL1005,
            format!(
                "`{}` (module `{from_name}`) needs `{}`, which module `{owner_name}` provides but does not make visible to `{from_name}`",
                node.name, target.name
            ),
        )
        .hint(steps.join(" and ")),
    )
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
                if let Requirement::Provider(key) = &dep.requirement
                    && let Some(d) = self.graph.index_of(*key)
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
                let Requirement::Provider(key) = &dep.requirement else {
                    return None;
                };
                let d = graph.index_of(*key)?;
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
            let Requirement::Provider(key) = &dep.requirement else {
                continue;
            };
            let Some(d) = graph.index_of(*key) else {
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
