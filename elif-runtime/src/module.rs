//! Modules: groups of providers and controllers with explicit imports and
//! exports. An app is its root module and everything it imports.

use std::any::TypeId;
use std::collections::{HashMap, HashSet};

use elif_catalogue::{EL1006, EL1007};

use crate::di::provider::{Instance, Location, ProviderDescriptor, ProviderKey};
use crate::diagnostics::Diagnostic;
use crate::http::{Controller, DynFilter, DynGuard, DynInterceptor, Layer, RouteInfo, Routes};

/// Mounts a controller's routes, given its instance.
pub type MountFn = fn(&Instance, &mut Routes);

/// A controller listed in a module: its provider and how to mount its routes.
#[derive(Debug, Clone, Copy)]
pub struct ControllerEntry {
    /// The controller's provider (controllers are built like any injectable).
    pub provider: fn() -> &'static ProviderDescriptor,
    /// Mounts its routes.
    pub mount: MountFn,
    /// Describes its routes without an instance.
    pub describe: fn() -> Vec<RouteInfo>,
    /// Providers its routes need (guards).
    pub components: fn() -> Vec<&'static ProviderDescriptor>,
}

impl ControllerEntry {
    /// The entry of controller `C`.
    pub const fn of<C: Controller>() -> Self {
        Self {
            provider: C::descriptor,
            mount: crate::http::controller::mount::<C>,
            describe: C::describe,
            components: C::components,
        }
    }
}

/// A module, as `#[module(...)]` describes it.
#[derive(Debug)]
pub struct ModuleDescriptor {
    /// The module's name (`BlogModule`).
    pub name: &'static str,
    /// The `TypeId` of the module type, so `exports(...)` can re-export a module.
    pub key: fn() -> TypeId,
    /// Modules whose exports this module can use.
    pub imports: &'static [fn() -> &'static ModuleDescriptor],
    /// Providers declared in this module.
    pub providers: &'static [fn() -> &'static ProviderDescriptor],
    /// Controllers declared in this module.
    pub controllers: &'static [ControllerEntry],
    /// Guards every route of this module's controllers runs (after the
    /// app's, before the controller's).
    pub guards: &'static [Layer<dyn DynGuard>],
    /// Interceptors around every route of its controllers, outside the
    /// attributes' (the first listed is the outermost).
    pub interceptors: &'static [Layer<dyn DynInterceptor>],
    /// Exception filters tried on its controllers' errors after the
    /// attributes' filters.
    pub filters: &'static [Layer<dyn DynFilter>],
    /// Middleware around every route of this module's controllers (inside
    /// the app's, outside the controllers').
    pub middleware: &'static [fn(actix_web::Route) -> actix_web::Route],
    /// Types (own providers, trait bindings, imported modules or their
    /// exports) that modules importing this one can use.
    pub exports: &'static [fn() -> ProviderKey],
    /// Where it is declared.
    pub location: Location,
}

/// A type marked `#[module(...)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a module [EL0012]",
    label = "not `#[module]`",
    note = "annotate `{Self}` with `#[module(...)]`"
)]
pub trait Module: 'static {
    /// The module's description.
    fn descriptor() -> &'static ModuleDescriptor;
}

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

    /// Number of controllers over all modules.
    pub(crate) fn controller_count(&self) -> usize {
        self.modules
            .iter()
            .map(|m| m.descriptor.controllers.len())
            .sum()
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
