//! The modules an app's root reaches: imports walked (cycles reported),
//! exports settled (invalid ones reported), and who sees what.

use std::any::TypeId;
use std::collections::{HashMap, HashSet};

use elif_catalogue::{EL1006, EL1007};

use crate::di::provider::ProviderKey;
use crate::diagnostics::Diagnostic;
use crate::module::ModuleDescriptor;

/// One module of an app, with its imports resolved to indices.
#[derive(Debug)]
pub(crate) struct ModuleInfo {
    pub(crate) descriptor: &'static ModuleDescriptor,
    pub(crate) imports: Vec<usize>,
}

/// Every module an app's root reaches, with what each exports.
#[derive(Debug)]
pub(crate) struct ModuleTree {
    /// Modules in discovery order; the root is first.
    pub(crate) modules: Vec<ModuleInfo>,
    /// Module indices, imports before their importers.
    pub(crate) order: Vec<usize>,
    /// Import cycles and invalid exports.
    pub(crate) problems: Vec<Diagnostic>,
    exported: Vec<HashSet<ProviderKey>>,
}

impl ModuleTree {
    /// Walks the imports from `root`, then settles every module's exports.
    pub(crate) fn new(root: &'static ModuleDescriptor) -> Self {
        let mut tree = Self {
            modules: Vec::new(),
            order: Vec::new(),
            problems: Vec::new(),
            exported: Vec::new(),
        };
        let mut index = HashMap::new();
        let mut finished = Vec::new();
        tree.visit(root, &mut index, &mut Vec::new(), &mut finished);
        tree.exported = vec![HashSet::new(); tree.modules.len()];
        for &m in &finished {
            tree.exported[m] = tree.settle_exports(m);
        }
        tree.order = finished;
        tree
    }

    fn visit(
        &mut self,
        descriptor: &'static ModuleDescriptor,
        index: &mut HashMap<TypeId, usize>,
        path: &mut Vec<usize>,
        finished: &mut Vec<usize>,
    ) -> usize {
        let key = (descriptor.key)();
        if let Some(&m) = index.get(&key) {
            if let Some(start) = path.iter().position(|&p| p == m) {
                let mut names: Vec<&str> = path[start..]
                    .iter()
                    .map(|&p| self.modules[p].descriptor.name)
                    .collect();
                names.push(descriptor.name);
                self.problems.push(
                    Diagnostic::error(
                        &EL1007,
                        format!("module import cycle: {}", names.join(" -> ")),
                    )
                    .at(descriptor.location),
                );
            }
            return m;
        }
        let m = self.modules.len();
        index.insert(key, m);
        self.modules.push(ModuleInfo {
            descriptor,
            imports: Vec::new(),
        });
        path.push(m);
        for import in descriptor.imports {
            let i = self.visit(import(), index, path, finished);
            self.modules[m].imports.push(i);
        }
        path.pop();
        finished.push(m);
        m
    }

    /// The keys module `m` exports; imports are settled before `m`.
    fn settle_exports(&mut self, m: usize) -> HashSet<ProviderKey> {
        let descriptor = self.modules[m].descriptor;
        let own = own_keys(descriptor);
        let mut exported = HashSet::new();
        for export in descriptor.exports {
            let key = export();
            if own.contains(&key) {
                exported.insert(key);
                exported.extend(bindings_of(descriptor, key));
                continue;
            }
            let imports = &self.modules[m].imports;
            if let Some(&i) = imports
                .iter()
                .find(|&&i| (self.modules[i].descriptor.key)() == key.type_id())
            {
                exported.extend(self.exported[i].iter().copied());
            } else if imports.iter().any(|&i| self.exported[i].contains(&key)) {
                exported.insert(key);
            } else {
                self.problems.push(
                    Diagnostic::error(
                        &EL1006,
                        format!(
                            "module `{}` exports `{key}`, which it neither provides nor imports from another module",
                            descriptor.name
                        ),
                    )
                    .hint(format!(
                        "add `{key}` to `providers(...)` of `{}`, or import the module that exports it",
                        descriptor.name
                    ))
                    .at(descriptor.location),
                );
            }
        }
        exported
    }

    /// What module `m` makes available to the modules that import it.
    pub(crate) fn exports(&self, m: usize) -> &HashSet<ProviderKey> {
        &self.exported[m]
    }

    /// Whether `key`, provided in module `owner`, can be injected in module `from`.
    pub(crate) fn is_visible(&self, from: usize, owner: usize, key: ProviderKey) -> bool {
        from == owner
            || self.modules[from]
                .imports
                .iter()
                .any(|&i| self.exported[i].contains(&key))
    }
}

/// Keys of everything a module declares: providers, their bindings, controllers.
fn own_keys(descriptor: &ModuleDescriptor) -> HashSet<ProviderKey> {
    let providers = descriptor.providers.iter().map(|p| p());
    let controllers = descriptor.controllers.iter().map(|c| (c.provider)());
    providers
        .chain(controllers)
        .flat_map(|p| std::iter::once((p.key)()).chain(p.bindings.iter().map(|b| (b.key)())))
        .collect()
}

/// The trait bindings of the provider of `key` in this module.
fn bindings_of(descriptor: &ModuleDescriptor, key: ProviderKey) -> Vec<ProviderKey> {
    descriptor
        .providers
        .iter()
        .map(|p| p())
        .filter(|p| (p.key)() == key)
        .flat_map(|p| p.bindings.iter().map(|b| (b.key)()))
        .collect()
}
