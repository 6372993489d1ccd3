//! An app's graph, built from its modules: each module's providers and
//! controllers, the layers they need, the app's values and overrides; then
//! what modules decide is checked (duplicates, missing providers, visibility
//! across imports and exports) before the graph's own checks (cycles,
//! captive scopes).

use std::collections::{HashMap, HashSet};

use elif_catalogue::{EL1001, EL1004, EL1005, EL1014};

use crate::di::graph::{Builder, Graph, Node};
use crate::di::provider::{
    DependencySpec, ProviderDescriptor, ProviderKey, ProviderKind, Requirement, Scope,
    registered_providers,
};
use crate::diagnostics::Diagnostic;
use crate::module::{ControllerEntry, ModuleTree};

/// An app's checked graph, with the modules it was built from.
pub(crate) struct ModuleGraph {
    pub(crate) graph: Graph,
    pub(crate) modules: ModuleTree,
    /// Every controller, modules in dependency order.
    pub(crate) controllers: Vec<ControllerNode>,
}

/// A controller of the graph: its node, its module and its entry.
#[derive(Clone, Copy)]
pub(crate) struct ControllerNode {
    /// Its node in the graph.
    pub(crate) node: usize,
    /// Its module, in the module tree.
    pub(crate) module: usize,
    /// What its module lists for it.
    pub(crate) entry: &'static ControllerEntry,
}

/// What an app's graph is made of before it is checked.
pub(crate) struct GraphInput {
    pub(crate) modules: ModuleTree,
    /// App-wide values and built-ins, visible from every module.
    pub(crate) globals: Vec<Node>,
    /// Replacements for providers, by key (tests).
    pub(crate) overrides: Vec<Node>,
    /// Built-ins every app has unless the app or a module provides the
    /// same key (the system `dyn Clock`).
    pub(crate) defaults: Vec<Node>,
    /// Providers the app needs app-wide unless a module declares them
    /// already (app guards).
    pub(crate) shared: Vec<&'static ProviderDescriptor>,
}

/// Builds the graph and runs every check. The graph is only sound when no
/// problem was found; it is returned either way so that later checks (such
/// as config) can still run and report in the same pass.
pub(crate) fn build(input: GraphInput) -> (ModuleGraph, Vec<Diagnostic>) {
    let GraphInput {
        modules,
        globals,
        overrides,
        defaults,
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
        for command in modules.modules[m].descriptor.commands {
            let descriptor = (command.provider)();
            if let Some(i) = table.add_declared(descriptor, m, &modules) {
                table.nodes[i].kind = ProviderKind::Command;
                table.require_singleton(descriptor, "app command");
            }
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
            // The layers its routes name join the graph app-wide (once
            // each), and the controller depends on them.
            for layer in (controller.layers)() {
                let key = (layer.key)();
                table.require_singleton(layer, "guard, interceptor or filter");
                table.add_shared(layer, &modules);
                table.nodes[i]
                    .dependencies
                    .push(DependencySpec::new("(layer)", Requirement::Provider(key)));
            }
            controllers.push(ControllerNode {
                node: i,
                module: m,
                entry: controller,
            });
        }
    }
    for node in globals {
        table.add(node, &modules);
    }
    for descriptor in shared {
        table.require_singleton(descriptor, "app or module guard, interceptor or filter");
        table.add_shared(descriptor, &modules);
    }
    for node in defaults {
        if !table.index.contains_key(&node.key) {
            table.add(node, &modules);
        }
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
    let mut graph = Graph::new(nodes, index);
    check_dependencies(&graph, &modules, &mut problems);
    graph.check(&mut problems);
    let built = ModuleGraph {
        graph,
        modules,
        controllers,
    };
    (built, problems)
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
fn check_dependencies(graph: &Graph, modules: &ModuleTree, problems: &mut Vec<Diagnostic>) {
    for node in &graph.nodes {
        for dep in &node.dependencies {
            // An optional dependency is met app-wide, or not at all.
            let Requirement::Provider(key) = &dep.requirement else {
                continue;
            };
            let diagnostic = match graph.index_of(*key) {
                None => missing(modules, node, dep.name, *key),
                Some(target) => match not_visible(modules, node, &graph.nodes[target]) {
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

fn missing(modules: &ModuleTree, node: &Node, field: &str, key: ProviderKey) -> Diagnostic {
    let module = node
        .module
        .map(|m| modules.modules[m].descriptor.name)
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
    } else if key.to_string().starts_with("Repository<") {
        format!(
            "a model's repository is a provider its module declares: add `{key}` to `providers(...)` of `{module}` (which imports `elif::data::DataModule`)"
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

fn not_visible(modules: &ModuleTree, node: &Node, target: &Node) -> Option<Diagnostic> {
    let (Some(from), Some(owner)) = (node.module, target.module) else {
        return None;
    };
    if modules.is_visible(from, owner, target.key) {
        return None;
    }
    let from_name = modules.modules[from].descriptor.name;
    let owner_name = modules.modules[owner].descriptor.name;
    let mut steps = Vec::new();
    if !modules.exports(owner).contains(&target.key) {
        steps.push(format!(
            "add `{}` to `exports(...)` of `{owner_name}`",
            target.name
        ));
    }
    if !modules.modules[from].imports.contains(&owner) {
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
