//! The container through the macros: scopes, bindings, factories, values,
//! overrides, hooks, and every graph check, all reported at once.

#![allow(missing_docs, dead_code, clippy::unwrap_used)]

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use elif::prelude::*;

fn app<M: elif::modules::Module>(module: M) -> App {
    App::new()
        .module(module)
        .without_env()
        .name("container-test")
}

async fn boot_err<M: elif::modules::Module>(module: M) -> String {
    match app(module).boot().await {
        Ok(_) => panic!("the app booted but should not have"),
        Err(error) => {
            assert!(
                error.boot_report().is_some(),
                "not a boot report: {error:?}"
            );
            error.to_string()
        }
    }
}

// ---------------------------------------------------------------- scopes

static BUILT: AtomicUsize = AtomicUsize::new(0);

#[injectable]
pub struct Clock;

#[injectable(scope = "transient")]
pub struct Stamp {
    clock: Inject<Clock>,
    #[inject(default)]
    serial: usize,
}

impl Default for Counter {
    fn default() -> Self {
        BUILT.fetch_add(1, Ordering::SeqCst);
        Counter
    }
}

pub struct Counter;

#[injectable(scope = "request")]
pub struct Cart {
    #[inject(default)]
    _counter: Counter,
    clock: Arc<Clock>,
}

#[injectable]
pub struct Catalogue {
    clock: Inject<Clock>,
    first: Inject<Stamp>,
    second: Inject<Stamp>,
}

#[module(providers(Clock, Stamp, Cart, Catalogue))]
pub struct ScopesModule;

#[elif::test]
async fn singletons_are_shared_transients_are_new_request_scoped_are_per_scope() {
    let booted = app(ScopesModule).boot().await.unwrap();
    let container = booted.container();
    let catalogue = container.get::<Catalogue>().unwrap();
    let clock = container.get::<Clock>().unwrap();
    assert!(
        Arc::ptr_eq(Inject::as_arc(&catalogue.clock), &clock),
        "one Clock for the app"
    );
    assert!(
        !Arc::ptr_eq(
            Inject::as_arc(&catalogue.first),
            Inject::as_arc(&catalogue.second)
        ),
        "a transient is built for each dependent"
    );
    assert_eq!(catalogue.first.serial, 0);
    assert!(Arc::ptr_eq(Inject::as_arc(&catalogue.first.clock), &clock));
    assert!(
        container.get::<Stamp>().is_none(),
        "transients are not kept"
    );

    let before = BUILT.load(Ordering::SeqCst);
    let scope = container.request_scope();
    let a = scope.get::<Cart>().await.unwrap();
    let b = scope.get::<Cart>().await.unwrap();
    assert!(Arc::ptr_eq(&a, &b), "one Cart per request");
    assert!(Arc::ptr_eq(&a.clock, &clock));
    let other = container.request_scope().get::<Cart>().await.unwrap();
    assert!(
        !Arc::ptr_eq(&a, &other),
        "another request gets another Cart"
    );
    assert_eq!(BUILT.load(Ordering::SeqCst) - before, 2);
    assert!(
        container.resolve::<Cart>().await.is_err(),
        "request scope needs a request"
    );
}

// ------------------------------------------------- bindings, factories, values

pub trait Mailer: Send + Sync {
    fn send(&self, to: &str) -> String;
}

#[injectable(provides = dyn Mailer)]
pub struct SmtpMailer {
    config: Config<MailConfig>,
}

impl Mailer for SmtpMailer {
    fn send(&self, to: &str) -> String {
        format!("smtp://{}:{} -> {to}", self.config.host, self.config.port)
    }
}

#[derive(Config, Debug)]
#[config(section = "mail")]
pub struct MailConfig {
    #[config(default = "localhost")]
    pub host: String,
    #[config(default = 25, validate = valid_port)]
    pub port: u16,
    #[config(secret)]
    pub password: Option<String>,
}

fn valid_port(port: &u16) -> Result<(), String> {
    if *port == 0 {
        Err("must be between 1 and 65535".into())
    } else {
        Ok(())
    }
}

#[injectable]
pub struct Signup {
    mailer: Inject<dyn Mailer>,
    greeting: Inject<Greeting>,
    region: Inject<Region>,
}

pub struct Greeting(String);

#[factory]
async fn greeting(config: Config<MailConfig>) -> elif::Result<Greeting> {
    Ok(Greeting(format!("welcome from {}", config.host)))
}

pub struct Region(&'static str);

#[module(providers(SmtpMailer, Signup, greeting))]
pub struct MailModule;

#[elif::test]
async fn trait_bindings_factories_values_and_config() {
    let booted = app(MailModule)
        .value(Region("eu"))
        .config("mail.host", "smtp.test")
        .boot()
        .await
        .unwrap();
    let signup = booted.container().get::<Signup>().unwrap();
    assert_eq!(
        signup.mailer.send("ada@example.com"),
        "smtp://smtp.test:25 -> ada@example.com"
    );
    assert_eq!(signup.greeting.0, "welcome from smtp.test");
    assert_eq!(signup.region.0, "eu");
    let components = &booted.map().components;
    let described: Vec<(String, String, Option<&str>)> = components
        .iter()
        .map(|c| {
            (
                c.name.clone(),
                format!("{:?}/{:?}", c.kind, c.scope),
                c.module,
            )
        })
        .collect();
    assert!(
        described.contains(&(
            "greeting".into(),
            "Factory/Singleton".into(),
            Some("MailModule")
        )),
        "{described:?}"
    );
    let smtp = components.iter().find(|c| c.name == "SmtpMailer").unwrap();
    assert_eq!(
        smtp.provides,
        ["dyn Mailer"],
        "trait bindings fold into their implementation"
    );
    assert!(
        described.contains(&("Region".into(), "Value/Singleton".into(), None)),
        "{described:?}"
    );
    let signup = components.iter().find(|c| c.name == "Signup").unwrap();
    let dependencies: Vec<_> = signup
        .dependencies
        .iter()
        .map(|d| d.rust_type.clone().unwrap_or_default())
        .collect();
    assert_eq!(dependencies, ["dyn Mailer", "Greeting", "Region"]);
    let position = |name: &str| components.iter().position(|c| c.name == name).unwrap();
    assert!(
        position("SmtpMailer") < position("Signup"),
        "dependencies come first"
    );
    let mailer: Arc<dyn Mailer> = booted.container().get::<dyn Mailer>().unwrap();
    let smtp = booted.container().get::<SmtpMailer>().unwrap();
    assert_eq!(
        Arc::as_ptr(&mailer).cast::<()>(),
        Arc::as_ptr(&smtp).cast::<()>(),
        "the binding shares the provider's instance"
    );
}

pub struct FakeMailer(Mutex<Vec<String>>);

impl Mailer for FakeMailer {
    fn send(&self, to: &str) -> String {
        self.0.lock().unwrap().push(to.to_owned());
        format!("fake -> {to}")
    }
}

#[elif::test]
async fn overrides_replace_any_provider_before_boot() {
    let fake = Arc::new(FakeMailer(Mutex::new(Vec::new())));
    let booted = app(MailModule)
        .value(Region("us"))
        .override_with::<dyn Mailer>(fake.clone())
        .boot()
        .await
        .unwrap();
    let signup = booted.container().get::<Signup>().unwrap();
    assert_eq!(
        signup.mailer.send("bob@example.com"),
        "fake -> bob@example.com"
    );
    assert_eq!(*fake.0.lock().unwrap(), ["bob@example.com"]);
}

#[elif::test]
async fn config_problems_are_all_reported_and_secrets_are_not_printed() {
    let report = match app(MailModule)
        .value(Region("eu"))
        .config("mail.port", 0)
        .config("mail.password", vec![1, 2, 3])
        .config("server.port", "eighty")
        .boot()
        .await
    {
        Ok(_) => panic!("bad config booted"),
        Err(error) => error.to_string(),
    };
    assert!(
        report.contains("error[EL2002]: invalid configuration value"),
        "{report}"
    );
    assert!(
        report.contains("`server.port` (from a value set in code) is invalid"),
        "{report}"
    );
    assert!(report.contains("eighty"), "{report}");
    assert!(report.contains("error[EL2003]"), "{report}");
    assert!(
        report.contains(
            "`mail.port` (from a value set in code) is rejected: must be between 1 and 65535"
        ),
        "{report}"
    );
    assert!(report.contains("`mail.password`"), "{report}");
    assert!(
        !report.contains("[1, 2, 3]") && !report.contains("sequence"),
        "secret leaked: {report}"
    );
    assert!(
        report.starts_with("the application cannot start: 3 errors"),
        "{report}"
    );
}

// ------------------------------------------------------------- graph checks

pub struct Unregistered;

#[injectable]
pub struct NeedsMailer {
    mailer: Inject<dyn Mailer>,
    nobody: Inject<Unregistered>,
    clock: Inject<Clock>,
}

#[injectable]
pub struct CycleA {
    b: Inject<CycleB>,
}

#[injectable]
pub struct CycleB {
    c: Inject<CycleC>,
}

#[injectable]
pub struct CycleC {
    a: Inject<CycleA>,
}

#[injectable(scope = "transient")]
pub struct PriceFormatter {
    cart: Inject<Cart>,
}

#[injectable]
pub struct Checkout {
    formatter: Inject<PriceFormatter>,
}

#[module(providers(Clock))]
pub struct ClockModule;

#[module(
    imports(ClockModule),
    providers(
        NeedsMailer,
        CycleA,
        CycleB,
        CycleC,
        Cart,
        PriceFormatter,
        Checkout,
        Catalogue
    )
)]
pub struct BrokenModule;

#[derive(Config)]
#[config(section = "broken")]
pub struct BrokenConfig {
    pub required: String,
}

#[injectable]
pub struct NeedsConfig {
    config: Config<BrokenConfig>,
}

#[module(imports(BrokenModule), providers(NeedsConfig, Clock))]
pub struct BrokenRoot;

#[elif::test]
async fn every_graph_problem_is_reported_at_once_with_hints() {
    let report = boot_err(BrokenRoot).await;
    // Missing providers, with the hint naming the registered implementation.
    assert!(
        report.contains("error[EL1001]: missing provider"),
        "{report}"
    );
    assert!(
        report.contains("`NeedsMailer` needs `dyn Mailer` (field `mailer`)"),
        "{report}"
    );
    assert!(report.contains("`SmtpMailer` (") && report.contains("provides `dyn Mailer` but no module of this app lists it: add it to `providers(...)` of `BrokenModule`"), "{report}");
    assert!(
        report.contains("`NeedsMailer` needs `Unregistered` (field `nobody`)"),
        "{report}"
    );
    assert!(
        report.contains("annotate `Unregistered` with `#[injectable]`"),
        "{report}"
    );
    // Visibility: Clock is provided by ClockModule (not exported) and by BrokenRoot (not imported).
    assert!(
        report.contains("error[EL1005]: provider not visible"),
        "{report}"
    );
    assert!(
        report.contains("add `Clock` to `exports(...)` of `ClockModule`"),
        "{report}"
    );
    // The cycle, as a chain.
    assert!(
        report.contains("dependency cycle: CycleA -> CycleB -> CycleC -> CycleA"),
        "{report}"
    );
    // Captive scope through a transient.
    assert!(
        report.contains("singleton `Checkout` would capture request-scoped `Cart`: `Checkout` (singleton) -> `PriceFormatter` (transient) -> `Cart` (request)"),
        "{report}"
    );
    // Duplicate: Clock is declared in ClockModule and BrokenRoot.
    assert!(report.contains("error[EL1004]: duplicate provider\n  `Clock` is provided twice: in module `ClockModule` and in module `BrokenRoot`"), "{report}");
    // Locations point at the declarations.
    assert!(report.contains("--> elif/tests/container.rs:"), "{report}");
    // Config is checked in the same report... only when the graph is sound enough to know its sections.
    assert!(
        report.contains("error[EL2001]: missing configuration key\n  `broken.required` is not set"),
        "{report}"
    );
    assert!(report.contains("APP__BROKEN__REQUIRED"), "{report}");
}

#[module(providers(Catalogue))]
pub struct NotExported;

#[module(imports(NotExported), providers(NeedsCatalogue))]
pub struct ImportsButNoExport;

#[injectable]
pub struct NeedsCatalogue {
    catalogue: Inject<Catalogue>,
}

#[elif::test]
async fn a_provider_needs_an_export_to_be_used_by_an_importer() {
    let report = boot_err(ImportsButNoExport).await;
    assert!(
        report.contains("`NeedsCatalogue` (module `ImportsButNoExport`) needs `Catalogue`, which module `NotExported` provides but does not make visible to `ImportsButNoExport`"),
        "{report}"
    );
    assert!(
        report.contains("hint: add `Catalogue` to `exports(...)` of `NotExported`"),
        "{report}"
    );
    // The other dependencies (Clock, Stamp) are missing too.
    assert!(
        report.contains("`Catalogue` needs `Clock` (field `clock`)"),
        "{report}"
    );
}

#[module(providers(Clock, Stamp, Catalogue), exports(Catalogue))]
pub struct CatalogueModule;

#[module(imports(CatalogueModule), exports(CatalogueModule))]
pub struct ReExports;

#[module(imports(ReExports), providers(NeedsCatalogue))]
pub struct UsesReExport;

#[elif::test]
async fn exports_and_re_exports_make_providers_visible() {
    let booted = app(UsesReExport).boot().await.unwrap();
    assert!(booted.container().get::<NeedsCatalogue>().is_some());
}

#[module(imports(LoopB))]
pub struct LoopA;

#[module(imports(LoopA), exports(Clock))]
pub struct LoopB;

#[elif::test]
async fn module_import_cycles_and_bad_exports_are_reported() {
    let report = boot_err(LoopA).await;
    assert!(
        report.contains(
            "error[EL1007]: module import cycle\n  module import cycle: LoopA -> LoopB -> LoopA"
        ),
        "{report}"
    );
    assert!(
        report.contains("error[EL1006]: invalid export\n  module `LoopB` exports `Clock`"),
        "{report}"
    );
}

// -------------------------------------------------------------- lifecycle

static EVENTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn event(e: impl Into<String>) {
    EVENTS.lock().unwrap().push(e.into());
}

#[injectable(on_init, on_shutdown)]
pub struct Database;

impl OnInit for Database {
    async fn on_init(&self) -> elif::Result<()> {
        event("db init");
        Ok(())
    }
}

impl OnShutdown for Database {
    async fn on_shutdown(&self) -> elif::Result<()> {
        tokio_like_yield().await;
        event("db shutdown");
        Ok(())
    }
}

#[injectable(on_init, on_shutdown)]
pub struct Cache {
    _db: Inject<Database>,
    lifecycle: Inject<Lifecycle>,
}

impl OnInit for Cache {
    async fn on_init(&self) -> elif::Result<()> {
        event("cache init");
        struct Guard;
        impl Drop for Guard {
            fn drop(&mut self) {
                event("cache task cancelled");
            }
        }
        // The guard is moved into the task, so it is dropped when the task
        // is cancelled, whether or not the task was ever polled.
        let guard = Guard;
        self.lifecycle.spawn(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        });
        Ok(())
    }
}

impl OnShutdown for Cache {
    async fn on_shutdown(&self) -> elif::Result<()> {
        event("cache shutdown");
        Err(Error::internal("flush failed"))
    }
}

async fn tokio_like_yield() {
    struct YieldOnce(bool);
    impl std::future::Future for YieldOnce {
        type Output = ();
        fn poll(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<()> {
            if self.0 {
                std::task::Poll::Ready(())
            } else {
                self.0 = true;
                cx.waker().wake_by_ref();
                std::task::Poll::Pending
            }
        }
    }
    YieldOnce(false).await;
}

#[module(providers(Cache, Database))]
pub struct HooksModule;

#[elif::test]
async fn hooks_run_in_dependency_order_and_shutdown_in_reverse() {
    let booted = app(HooksModule).boot().await.unwrap();
    assert_eq!(*EVENTS.lock().unwrap(), ["db init", "cache init"]);
    assert!(booted.lifecycle().is_ready());
    booted.shutdown().await;
    assert!(!booted.lifecycle().is_ready());
    assert_eq!(
        *EVENTS.lock().unwrap(),
        [
            "db init",
            "cache init",
            "cache task cancelled",
            "cache shutdown",
            "db shutdown"
        ],
        "tasks stop first, then dependents before dependencies, even when a hook fails"
    );
}

#[injectable(on_init)]
pub struct FailsToInit;

impl OnInit for FailsToInit {
    async fn on_init(&self) -> elif::Result<()> {
        Err(Error::internal("cannot reach the cache"))
    }
}

pub struct Pool;

#[factory]
async fn broken_pool() -> elif::Result<Pool> {
    Err(Error::internal("connection refused").with_hint("is the database running?"))
}

#[module(providers(FailsToInit))]
pub struct FailingInit;

#[module(providers(broken_pool))]
pub struct FailingFactory;

#[elif::test]
async fn failing_factories_and_init_hooks_stop_the_boot() {
    let report = boot_err(FailingFactory).await;
    assert!(report.contains("error[EL1008]: provider failed to build\n  building `broken_pool` failed: connection refused"), "{report}");
    assert!(
        report.contains("hint: is the database running?"),
        "{report}"
    );
    let report = boot_err(FailingInit).await;
    assert!(report.contains("error[EL1009]: on_init hook failed\n  `FailsToInit`'s on_init failed: cannot reach the cache"), "{report}");
}

#[module()]
pub struct Empty;

#[test]
fn an_app_needs_a_root_module() {
    let report = App::new().without_env().check();
    assert_eq!(report.diagnostics().len(), 1);
    assert_eq!(report.diagnostics()[0].code(), "EL1011");
    assert!(App::new().module(Empty).without_env().check().is_empty());
}

#[elif::test]
async fn several_apps_live_in_one_process() {
    let (a, b) = futures_join(
        app(MailModule).value(Region("a")).config("mail.host", "a"),
        app(MailModule).value(Region("b")).config("mail.host", "b"),
    )
    .await;
    assert_eq!(
        a.container().get::<Signup>().unwrap().greeting.0,
        "welcome from a"
    );
    assert_eq!(
        b.container().get::<Signup>().unwrap().greeting.0,
        "welcome from b"
    );
    assert!(app(Empty).boot().await.is_ok());
}

async fn futures_join(a: App, b: App) -> (elif::Booted, elif::Booted) {
    let a = a.boot().await.unwrap();
    let b = b.boot().await.unwrap();
    (a, b)
}

// ---------------------------------------------------------- optional dependencies

/// A service another package may or may not bring.
#[injectable]
pub struct Extra;

/// Works with or without `Extra`, wherever the app provides it.
#[injectable]
pub struct UsesExtra {
    extra: Option<Inject<Extra>>,
}

#[module(providers(UsesExtra), exports(UsesExtra))]
pub struct UserModule;

/// Provides `Extra` without exporting it to `UserModule`.
#[module(providers(Extra))]
pub struct ExtraModule;

#[module(imports(UserModule))]
pub struct WithoutExtra;

#[module(imports(UserModule, ExtraModule))]
pub struct WithExtra;

#[elif::test]
async fn an_optional_dependency_is_met_app_wide_or_left_empty() {
    let booted = app(WithoutExtra).boot().await.unwrap();
    let uses = booted.container().get::<UsesExtra>().unwrap();
    assert!(uses.extra.is_none(), "no module provides it");

    let booted = app(WithExtra).boot().await.unwrap();
    let uses = booted.container().get::<UsesExtra>().unwrap();
    let extra = booted.container().get::<Extra>().unwrap();
    assert!(
        Arc::ptr_eq(Inject::as_arc(uses.extra.as_ref().unwrap()), &extra),
        "the app's one singleton, though `ExtraModule` does not export it"
    );
    let map = app(WithExtra).map();
    let component = map
        .components
        .iter()
        .find(|c| c.name == "UsesExtra")
        .unwrap();
    assert_eq!(component.dependencies[0].kind, "optional");
}
