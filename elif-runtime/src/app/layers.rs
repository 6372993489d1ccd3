//! The layers (guards, interceptors, filters) and middleware around each
//! controller's routes, resolved once at boot: the app's, then the
//! controller's module's, in the order they run. A layer that cannot be
//! resolved fails the boot (`EL1015`): a guard that silently went missing
//! would leave its routes open.

use std::sync::Arc;

use elif_catalogue::EL1015;

use crate::app::builder::AppLayerList;
use crate::di::Container;
use crate::di::provider::Instance;
use crate::diagnostics::Diagnostic;
use crate::http::controller::RouteMiddleware;
use crate::http::{AppLayers, LayerObject, MountFn, Unresolved, resolve as resolve_layer};
use crate::module::graph::ControllerNode;
use crate::module::{Layer, LayerKind, ModuleTree};
use crate::util::short_type_name;

/// A controller ready to mount on a server worker.
#[derive(Clone)]
pub(crate) struct MountedController {
    pub(crate) instance: Instance,
    pub(crate) mount: MountFn,
    pub(crate) layers: AppLayers,
    pub(crate) middleware: Vec<RouteMiddleware>,
}

/// Resolves every layer of `list` in `container`, in order; each one that
/// cannot be resolved is a diagnostic naming `owner` (`the app`,
/// `module \`PostsModule\``).
fn resolve_all<K: LayerObject>(
    list: &[Layer<K>],
    container: &Container,
    owner: &str,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Arc<K::Object>> {
    list.iter()
        .filter_map(|layer| resolve(layer, container, owner, problems))
        .collect()
}

/// Resolves `layer` in `container`; if it cannot be, a diagnostic naming
/// `owner` says why.
pub(super) fn resolve<K: LayerObject>(
    layer: &Layer<K>,
    container: &Container,
    owner: &str,
    problems: &mut Vec<Diagnostic>,
) -> Option<Arc<K::Object>> {
    resolve_layer(layer, container)
        .map_err(|why| problems.push(unresolved(layer, why, owner)))
        .ok()
}

/// The diagnostic of a layer that cannot be resolved.
fn unresolved<K: LayerKind>(layer: &Layer<K>, why: Unresolved, owner: &str) -> Diagnostic {
    let descriptor = (layer.descriptor)();
    let key = (descriptor.key)();
    let name = short_type_name((layer.rust_type)());
    let why = match why {
        Unresolved::NotInGraph => format!("the app's graph has no provider of `{key}`"),
        Unresolved::NotBuilt => format!("its provider `{key}` is not built as a singleton"),
        Unresolved::OtherType => format!(
            "its `Injectable` impl describes `{key}`, which is not a {kind} `{name}`",
            kind = K::NAME,
        ),
    };
    Diagnostic::error(
        &EL1015,
        format!(
            "{kind} `{name}` of {owner} cannot be resolved: {why}",
            kind = K::NAME,
        ),
    )
    .at(descriptor.location)
}

/// The app builder's layers, resolved.
pub(super) fn app_layers(
    list: &AppLayerList,
    container: &Container,
    problems: &mut Vec<Diagnostic>,
) -> AppLayers {
    let owner = "the app";
    AppLayers {
        guards: resolve_all(&list.guards, container, owner, problems),
        interceptors: resolve_all(&list.interceptors, container, owner, problems),
        filters: resolve_all(&list.filters, container, owner, problems),
    }
}

/// Every controller with its instance, route mounter, and what runs around
/// its routes besides what its attributes name: the app's layers and its
/// module's, and middleware. Every module's layers are resolved, once,
/// whether or not the module has controllers.
pub(super) fn mount_controllers(
    container: &Container,
    modules: &ModuleTree,
    controllers: &[ControllerNode],
    app: &AppLayers,
    middleware: &[RouteMiddleware],
    problems: &mut Vec<Diagnostic>,
) -> Vec<MountedController> {
    let by_module: Vec<AppLayers> = modules
        .modules
        .iter()
        .map(|info| {
            let module = info.descriptor;
            let owner = format!("module `{}`", module.name);
            // Guards: the app's, then the module's. Interceptors: the app's
            // outermost, then the module's. Filters: the module's before the
            // app's (the attributes' come before both).
            AppLayers {
                guards: [
                    app.guards.clone(),
                    resolve_all(module.guards, container, &owner, problems),
                ]
                .concat(),
                interceptors: [
                    app.interceptors.clone(),
                    resolve_all(module.interceptors, container, &owner, problems),
                ]
                .concat(),
                filters: [
                    resolve_all(module.filters, container, &owner, problems),
                    app.filters.clone(),
                ]
                .concat(),
            }
        })
        .collect();
    controllers
        .iter()
        .filter_map(|controller| {
            let module = modules.modules[controller.module].descriptor;
            // Each entry wraps the ones before it: the module's go first so
            // that the app's end up outermost.
            let middleware = module
                .middleware
                .iter()
                .map(|&wrap| Arc::new(wrap) as RouteMiddleware)
                .chain(middleware.iter().cloned())
                .collect();
            Some(MountedController {
                instance: container.singleton(controller.node)?.clone(),
                mount: controller.entry.http().mount,
                layers: by_module[controller.module].clone(),
                middleware,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::any::TypeId;
    use std::sync::Arc;

    use crate::App;
    use crate::di::Resolver;
    use crate::di::provider::{Injectable, Instance, Location, ProviderDescriptor, instance};
    use crate::http::{Guard, RequestContext};
    use crate::module::{Layer, Module, ModuleDescriptor};

    const AT: Location = Location {
        file: "impostor.rs",
        line: 3,
    };

    struct Clock;

    fn build_clock(_: Resolver) -> crate::BoxFuture<'static, crate::Result<Instance>> {
        Box::pin(async { Ok(instance(Arc::new(Clock))) })
    }

    static CLOCK: ProviderDescriptor =
        ProviderDescriptor::builtin::<Clock>("Clock", Vec::new, build_clock, AT);

    /// A guard whose hand-written `Injectable` impl describes another type
    /// (`Clock`): the graph has a singleton for its key, but it is no
    /// `Impostor`, so no guard can be made of it.
    struct Impostor;

    impl Injectable for Impostor {
        fn descriptor() -> &'static ProviderDescriptor {
            &CLOCK
        }
    }

    impl Guard for Impostor {
        async fn check(&self, _cx: &RequestContext<'_>) -> crate::Result<()> {
            Ok(())
        }
    }

    fn module(guards: &'static [Layer<crate::module::GuardKind>]) -> ModuleDescriptor {
        ModuleDescriptor {
            name: "GuardedModule",
            key: TypeId::of::<GuardedModule>,
            imports: &[],
            providers: &[],
            controllers: &[],
            guards,
            interceptors: &[],
            filters: &[],
            middleware: &[],
            exports: &[],
            commands: &[],
            migrations: None,
            location: AT,
        }
    }

    struct EmptyModule;

    impl Module for EmptyModule {
        fn descriptor() -> &'static ModuleDescriptor {
            static M: std::sync::OnceLock<ModuleDescriptor> = std::sync::OnceLock::new();
            M.get_or_init(|| module(&[]))
        }
    }

    struct GuardedModule;

    impl Module for GuardedModule {
        fn descriptor() -> &'static ModuleDescriptor {
            static GUARDS: [Layer<crate::module::GuardKind>; 1] = [Layer::guard::<Impostor>()];
            static M: std::sync::OnceLock<ModuleDescriptor> = std::sync::OnceLock::new();
            M.get_or_init(|| module(&GUARDS))
        }
    }

    /// The one diagnostic of a boot that must fail.
    async fn boot_error(app: App) -> crate::diagnostics::Diagnostic {
        let error = app.without_env().boot().await.err().unwrap();
        assert_eq!(error.code(), "BOOT_FAILED");
        let report = error.boot_report().unwrap();
        let [diagnostic] = report.diagnostics() else {
            panic!("one diagnostic: {report}");
        };
        diagnostic.clone()
    }

    #[actix_web::test]
    async fn an_app_guard_that_is_not_its_own_provider_fails_the_boot() {
        let app = App::new().module(EmptyModule).guard::<Impostor>();
        let diagnostic = boot_error(app).await;
        assert_eq!(diagnostic.code(), "EL1015");
        assert_eq!(
            diagnostic.message,
            "guard `Impostor` of the app cannot be resolved: its `Injectable` impl describes `Clock`, which is not a guard `Impostor`"
        );
        assert_eq!(diagnostic.location, Some(AT));
    }

    #[actix_web::test]
    async fn a_module_guard_and_an_inspection_guard_fail_closed_too() {
        let diagnostic = boot_error(App::new().module(GuardedModule)).await;
        assert_eq!(diagnostic.code(), "EL1015");
        assert!(
            diagnostic.message.contains("of module `GuardedModule`"),
            "{}",
            diagnostic.message
        );
        let app = App::new()
            .module(EmptyModule)
            .inspection_guard::<Impostor>();
        let diagnostic = boot_error(app).await;
        assert_eq!(diagnostic.code(), "EL1015");
        assert!(
            diagnostic.message.contains("of the inspection endpoints"),
            "{}",
            diagnostic.message
        );
    }
}
