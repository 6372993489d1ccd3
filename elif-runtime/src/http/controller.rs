//! The controller trait, route descriptions, and the route table
//! controllers fill.

use crate::http::rate::RouteThrottle;
use std::collections::BTreeMap;
use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;

use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::{FromRequest, Handler, Responder, web};
use elif_catalogue::EL1012;

use crate::credentials::GuardSecurity;
use crate::di::Container;
use crate::di::provider::{Injectable, Instance, Location, ProviderDescriptor, downcast};
use crate::diagnostics::Diagnostic;
use crate::error::DeclaredProblem;
use crate::http::AppLayers;
use crate::http::ResponseDoc;
use crate::http::access::{Access, GuardSpec, Requirement};
use crate::http::router::{self, ErasedRoute, RouteEntry};
use crate::http::scoped::ScopedProvider;
use crate::module::ControllerEntry;

/// A provider that serves HTTP routes. `#[controller("/prefix")]` on the
/// struct's `impl` block generates this impl; it can also be written by hand.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a controller [EL0013]",
    label = "not a controller",
    note = "annotate the `impl` block of `{Self}` with `#[controller(\"/prefix\")]`, or implement `elif::http::Controller` by hand"
)]
pub trait Controller: Injectable {
    /// Adds this controller's routes to the table. Called once per server
    /// worker; handlers capture `self` (an `Arc`), so calling a handler costs
    /// no container lookup.
    fn routes(self: Arc<Self>, routes: &mut Routes);

    /// The routes, described without an instance (for `check` and inspection).
    fn describe() -> Vec<RouteInfo>
    where
        Self: Sized,
    {
        Vec::new()
    }

    /// Providers the routes need besides the controller's fields: the
    /// guards, interceptors and filters its routes name (its layers); they
    /// join the app's graph.
    fn layers() -> Vec<&'static ProviderDescriptor>
    where
        Self: Sized,
    {
        Vec::new()
    }
}

/// Mounts a controller's routes, given its instance.
pub type MountFn = fn(&Instance, &mut Routes);

/// Mounts the routes of controller `C` from its type-erased instance.
fn mount<C: Controller>(instance: &Instance, routes: &mut Routes) {
    if let Some(controller) = downcast::<C>(instance) {
        controller.routes(routes);
    }
}

/// What the HTTP floor keeps about a controller in its module's
/// [`ControllerEntry`]: how to mount its routes and how to describe them.
#[derive(Debug)]
pub(crate) struct ControllerRoutes {
    /// Mounts its routes, given its instance.
    pub(crate) mount: MountFn,
    /// Describes its routes without an instance.
    pub(crate) describe: fn() -> Vec<RouteInfo>,
}

/// The routes of controller `C`, as a constant that `ControllerEntry::of`
/// can point at.
struct RoutesOf<C>(std::marker::PhantomData<C>);

impl<C: Controller> RoutesOf<C> {
    const ROUTES: ControllerRoutes = ControllerRoutes {
        mount: mount::<C>,
        describe: C::describe,
    };
}

impl ControllerEntry {
    /// The entry of controller `C`.
    pub const fn of<C: Controller>() -> Self {
        Self {
            provider: C::descriptor,
            layers: C::layers,
            routes: &RoutesOf::<C>::ROUTES,
        }
    }

    /// How to mount and describe the controller's routes.
    pub(crate) fn http(&self) -> &'static ControllerRoutes {
        // `routes` is crate-private and `of` above is the only place that
        // sets it, always to a `ControllerRoutes`.
        self.routes
            .downcast_ref::<ControllerRoutes>()
            .expect("every ControllerEntry is made by ControllerEntry::of")
    }
}

/// One route, as data: for duplicate checks, `routes`, `map` and OpenAPI.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RouteInfo {
    /// The HTTP method.
    #[serde(serialize_with = "method_name")]
    pub method: Method,
    /// The full path template, prefix included (`/posts/{id}`).
    pub path: String,
    /// `Controller::handler`.
    pub handler: String,
    /// Path parameters.
    pub params: Vec<ArgumentInfo>,
    /// Other arguments (extractors).
    pub extractors: Vec<ArgumentInfo>,
    /// The handler's return type.
    pub response: &'static str,
    /// The response body's JSON Schema, when its type has one.
    pub response_schema: Option<serde_json::Value>,
    /// Guards, in the order they run (controller's, then the route's).
    pub guards: Vec<&'static str>,
    /// `#[public]`: authentication is optional (see [`crate::http::Access`]).
    pub public: bool,
    /// The guards of `guards` that authenticate
    /// ([`Guard::AUTHENTICATES`](crate::http::Guard::AUTHENTICATES)). A
    /// route written by hand runs no elif guard: it names here what
    /// authenticates it ([`RouteInfo::authenticated_by`]).
    pub authenticated_by: Vec<&'static str>,
    /// What a caller must hold (`#[requires]`), every one.
    pub requires: Vec<Requirement>,
    /// The guards of `guards` that enforce `requires`
    /// ([`Guard::ENFORCES_REQUIREMENTS`](crate::http::Guard::ENFORCES_REQUIREMENTS)).
    pub enforced_by: Vec<&'static str>,
    /// Interceptors, outermost first (controller's, then the route's).
    pub interceptors: Vec<&'static str>,
    /// Exception filters, in the order they are tried.
    pub filters: Vec<&'static str>,
    /// Its rate limit (`#[throttle]`; the app-wide one by default).
    #[serde(serialize_with = "throttle_text")]
    pub throttle: RouteThrottle,
    /// Its own body limit in bytes (`body_limit = ..`), if any.
    pub body_limit: Option<usize>,
    /// What its return type says of its responses, when it says something.
    pub responds: Option<ResponseDoc>,
    /// What its doc comment and `#[openapi]` add to its description.
    pub operation: Operation,
    /// Its authenticating guards' security schemes (the controller's and
    /// the route's guards).
    #[serde(skip)]
    pub security: Vec<GuardSecurity>,
    /// Where the handler is declared.
    pub location: Option<Location>,
}

/// What a route's doc comment and `#[openapi(..)]` add to its description.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Operation {
    /// The handler's doc comment: its first paragraph is the summary.
    pub doc: String,
    /// The controller's doc comment (its `impl` block's), for its tag.
    pub tag_doc: String,
    /// `operation_id = ".."`: replaces `Controller_handler`.
    pub operation_id: Option<String>,
    /// `summary = ".."`: replaces the doc comment's first paragraph.
    pub summary: Option<String>,
    /// `hidden`: the route is left out of the description.
    pub hidden: bool,
    /// `response(status = .., body = T)`: responses the return type does
    /// not show (a handler answering `HttpResponse`).
    pub responses: Vec<ResponseDoc>,
    /// `errors(E, ..)`: domain errors the handler may answer with.
    pub problems: Vec<DeclaredProblem>,
    /// `example = ".."`: an example request body.
    pub request_example: Option<serde_json::Value>,
    /// `response_example = ".."`: an example body of its success response.
    pub response_example: Option<serde_json::Value>,
}

fn throttle_text<S: serde::Serializer>(
    throttle: &RouteThrottle,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&throttle.describe())
}

/// One handler argument, as data.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ArgumentInfo {
    /// The argument's name.
    pub name: String,
    /// Its Rust type, as written.
    pub rust_type: &'static str,
    /// Its JSON Schema (of the value it reads), when its type has one.
    pub schema: Option<serde_json::Value>,
}

fn method_name<S: serde::Serializer>(method: &Method, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(method.as_str())
}

impl RouteInfo {
    /// A route with only a method and a path (hand-written routes).
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        let path = path.into();
        Self {
            handler: format!("{method} {path}"),
            method,
            path,
            params: Vec::new(),
            extractors: Vec::new(),
            response: "",
            response_schema: None,
            guards: Vec::new(),
            public: false,
            authenticated_by: Vec::new(),
            requires: Vec::new(),
            enforced_by: Vec::new(),
            interceptors: Vec::new(),
            filters: Vec::new(),
            throttle: RouteThrottle::Default,
            body_limit: None,
            responds: None,
            operation: Operation::default(),
            security: Vec::new(),
            location: None,
        }
    }

    /// Describes the route's success response (hand-written routes).
    pub fn responds(mut self, response: ResponseDoc) -> Self {
        self.responds = Some(response);
        self
    }

    /// Marks the route public: anyone may call it (`#[public]`).
    pub fn public(mut self) -> Self {
        self.public = true;
        self
    }

    /// Records that callers must hold `requirement`, and that `check`
    /// (the handler itself, or middleware around it) enforces it.
    pub fn requires(mut self, requirement: Requirement, check: &'static str) -> Self {
        self.requires.push(requirement);
        if !self.enforced_by.contains(&check) {
            self.enforced_by.push(check);
        }
        self
    }

    /// Records that `check` (the handler itself, or middleware around it)
    /// authenticates the route: hand-written routes run no elif guard, so
    /// each says it is public or what authenticates it.
    pub fn authenticated_by(mut self, check: &'static str) -> Self {
        self.authenticated_by.push(check);
        self
    }
}

/// A route's description as generated code writes it: static data, turned
/// into a [`RouteInfo`] here (one function in elif, not code in every
/// controller for every route).
#[doc(hidden)]
pub struct RouteSpec {
    /// The HTTP method's name (checked by the macro).
    pub method: &'static str,
    /// The full path template, prefix included.
    pub path: &'static str,
    /// `Controller::handler`.
    pub handler: &'static str,
    /// Path parameters.
    pub params: &'static [ArgumentSpec],
    /// Other arguments (extractors).
    pub extractors: &'static [ArgumentSpec],
    /// The handler's return type.
    pub response: &'static str,
    /// The response body's JSON Schema, when its type has one.
    pub response_schema: fn() -> Option<serde_json::Value>,
    /// Guards, in the order they run.
    pub guards: &'static [GuardSpec],
    /// Who may call the route: `#[public]` or not.
    pub access: Access,
    /// Interceptors, outermost first.
    pub interceptors: &'static [&'static str],
    /// Exception filters, in the order they are tried.
    pub filters: &'static [&'static str],
    /// Its rate limit.
    pub throttle: RouteThrottle,
    /// Its own body limit in bytes.
    pub body_limit: Option<usize>,
    /// What its return type says of its responses.
    pub responds: fn() -> Option<ResponseDoc>,
    /// Its doc comment and `#[openapi(..)]`.
    pub operation: OperationSpec,
    /// Where the handler is declared.
    pub location: Location,
}

/// A route's doc comment and `#[openapi(..)]`, as generated code writes
/// them (see [`Operation`]).
#[doc(hidden)]
pub struct OperationSpec {
    /// The handler's doc comment.
    pub doc: &'static str,
    /// The controller's doc comment.
    pub tag_doc: &'static str,
    /// `operation_id = ".."`.
    pub operation_id: Option<&'static str>,
    /// `summary = ".."`.
    pub summary: Option<&'static str>,
    /// `hidden`.
    pub hidden: bool,
    /// `response(..)`, each.
    pub responses: &'static [ResponseSpec],
    /// `errors(E, ..)`: each type's declared problems.
    pub errors: &'static [fn() -> Vec<DeclaredProblem>],
    /// `example = ".."`, JSON checked by the macro.
    pub request_example: Option<&'static str>,
    /// `response_example = ".."`, JSON checked by the macro.
    pub response_example: Option<&'static str>,
}

/// One `response(status = .., body = T, description = "..")`.
#[doc(hidden)]
pub struct ResponseSpec {
    /// Its status.
    pub status: u16,
    /// Its body's schema, when it has a body.
    pub schema: Option<fn() -> Option<serde_json::Value>>,
    /// Its body's media type (`application/json` when `None`).
    pub content_type: Option<&'static str>,
    /// Its description; empty: the status's reason.
    pub description: &'static str,
}

impl OperationSpec {
    /// The description it adds.
    fn operation(&self) -> Operation {
        let example = |text: Option<&str>| text.and_then(|t| serde_json::from_str(t).ok());
        Operation {
            doc: self.doc.to_owned(),
            tag_doc: self.tag_doc.to_owned(),
            operation_id: self.operation_id.map(str::to_owned),
            summary: self.summary.map(str::to_owned),
            hidden: self.hidden,
            responses: self
                .responses
                .iter()
                .map(|r| {
                    let schema = r.schema.and_then(|schema| schema());
                    ResponseDoc {
                        content_type: r
                            .schema
                            .map(|_| r.content_type.unwrap_or("application/json")),
                        schema,
                        headers: Vec::new(),
                        problems: Vec::new(),
                        description: String::new(),
                        status: r.status,
                    }
                    .described(r.description)
                })
                .collect(),
            problems: self.errors.iter().flat_map(|declared| declared()).collect(),
            request_example: example(self.request_example),
            response_example: example(self.response_example),
        }
    }
}

/// One handler argument, as generated code writes it.
#[doc(hidden)]
pub struct ArgumentSpec {
    /// The argument's name.
    pub name: &'static str,
    /// Its Rust type, as written.
    pub rust_type: &'static str,
    /// Its JSON Schema, when its type has one.
    pub schema: fn() -> Option<serde_json::Value>,
}

impl RouteSpec {
    /// The route's description.
    pub fn info(&self) -> RouteInfo {
        let arguments = |specs: &[ArgumentSpec]| -> Vec<ArgumentInfo> {
            specs
                .iter()
                .map(|spec| ArgumentInfo {
                    name: spec.name.to_owned(),
                    rust_type: spec.rust_type,
                    schema: (spec.schema)(),
                })
                .collect()
        };
        RouteInfo {
            method: crate::http::custom_method(self.method),
            path: self.path.to_owned(),
            handler: self.handler.to_owned(),
            params: arguments(self.params),
            extractors: arguments(self.extractors),
            response: self.response,
            response_schema: (self.response_schema)(),
            guards: self.guards.iter().map(|g| g.name).collect(),
            public: self.access.is_public(),
            authenticated_by: self
                .guards
                .iter()
                .filter(|g| g.authenticates)
                .map(|g| g.name)
                .collect(),
            requires: self.access.requires().to_vec(),
            enforced_by: self
                .guards
                .iter()
                .filter(|g| g.enforces)
                .map(|g| g.name)
                .collect(),
            interceptors: self.interceptors.to_vec(),
            filters: self.filters.to_vec(),
            throttle: self.throttle,
            body_limit: self.body_limit,
            responds: (self.responds)(),
            operation: self.operation.operation(),
            security: self
                .guards
                .iter()
                .filter(|g| g.authenticates)
                .map(|g| GuardSecurity {
                    guard: g.name,
                    schemes: g.security,
                })
                .collect(),
            location: Some(self.location),
        }
    }
}

/// The descriptions of a controller's routes (`Controller::describe`).
#[doc(hidden)]
pub fn describe_routes(specs: &[RouteSpec]) -> Vec<RouteInfo> {
    specs.iter().map(RouteSpec::info).collect()
}

/// Middleware applied to every route of the app (`App::middleware`).
pub type RouteMiddleware =
    std::sync::Arc<dyn Fn(actix_web::Route) -> actix_web::Route + Send + Sync>;

/// The routes of one server worker, grouped by path when registered so
/// that a known path with the wrong method answers 405 with an `Allow`
/// header, and `HEAD` is answered wherever `GET` is.
pub struct Routes {
    container: Option<Container>,
    app_layers: std::rc::Rc<AppLayers>,
    middleware: Vec<RouteMiddleware>,
    entries: Vec<(RouteInfo, RouteEntry)>,
}

impl Routes {
    /// An empty table for a worker of the app whose container is given.
    pub(crate) fn new(
        container: Option<Container>,
        app_layers: std::rc::Rc<AppLayers>,
        middleware: Vec<RouteMiddleware>,
    ) -> Self {
        Self {
            container,
            app_layers,
            middleware,
            entries: Vec::new(),
        }
    }

    /// Adds a route. `handler` is any actix-web handler (an async fn or
    /// closure whose arguments are extractors).
    pub fn add<F, Args>(&mut self, info: RouteInfo, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.push_actix(info, Box::new(move || web::route().to(handler.clone())))
    }

    /// Adds a route wrapped in middleware: `wrap` receives the actix route
    /// and returns it wrapped (`|route| route.wrap(Logger::default())`).
    pub fn add_wrapped<F, Args, W>(&mut self, info: RouteInfo, handler: F, wrap: W) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
        W: Fn(actix_web::Route) -> actix_web::Route + 'static,
    {
        self.push_actix(
            info,
            Box::new(move || wrap(web::route().to(handler.clone()))),
        )
    }

    /// Adds route `index` of a generated controller: `dispatch` answers a
    /// request to any of the controller's routes, given the controller's
    /// `state` and the route's index. The route is an `ErasedRoute`, one
    /// type for every route of every controller, so the router's and
    /// actix's service machinery is compiled once, in elif.
    #[doc(hidden)]
    pub fn add_route<S, F, Fut>(
        &mut self,
        info: RouteInfo,
        state: &Rc<S>,
        dispatch: F,
        index: usize,
    ) -> &mut Self
    where
        S: 'static,
        F: Fn(Rc<S>, usize, ServiceRequest) -> Fut + Copy + 'static,
        Fut: Future<Output = RouteResult> + 'static,
    {
        let route = ErasedRoute::new(state, dispatch, index);
        if self.middleware.is_empty() {
            self.entries.push((info, RouteEntry::Generated(route)));
            return self;
        }
        self.push_actix(
            info,
            Box::new(move || route.clone().into_route(web::route())),
        )
    }

    /// As [`Routes::add_route`], with the route wrapped in middleware.
    #[doc(hidden)]
    pub fn add_route_wrapped<S, F, Fut, W>(
        &mut self,
        info: RouteInfo,
        state: &Rc<S>,
        dispatch: F,
        index: usize,
        wrap: W,
    ) -> &mut Self
    where
        S: 'static,
        F: Fn(Rc<S>, usize, ServiceRequest) -> Fut + Copy + 'static,
        Fut: Future<Output = RouteResult> + 'static,
        W: Fn(actix_web::Route) -> actix_web::Route + 'static,
    {
        let route = ErasedRoute::new(state, dispatch, index);
        self.push_actix(
            info,
            Box::new(move || wrap(route.clone().into_route(web::route()))),
        )
    }

    /// Adds a route served as the actix route `make` builds, with the app's
    /// and module's middleware (captured now) around it.
    fn push_actix(
        &mut self,
        info: RouteInfo,
        make: Box<dyn Fn() -> actix_web::Route>,
    ) -> &mut Self {
        let middleware = self.middleware.clone();
        let make = Box::new(move || middleware.iter().fold(make(), |route, mw| mw(route)));
        self.entries.push((info, RouteEntry::Actix(make)));
        self
    }

    /// Adds a `GET` route written by hand.
    pub fn get<F, Args>(&mut self, path: &str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.add(RouteInfo::new(Method::GET, path), handler)
    }

    /// Adds a `POST` route written by hand.
    pub fn post<F, Args>(&mut self, path: &str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.add(RouteInfo::new(Method::POST, path), handler)
    }

    /// The singleton providing `T` (a guard a route names). The graph check
    /// at boot guarantees it exists for generated controllers.
    pub fn provider<T: ?Sized + Send + Sync + 'static>(&self) -> Arc<T> {
        self.container
            .as_ref()
            .and_then(|c| c.get::<T>())
            .unwrap_or_else(|| {
                panic!(
                    "`{}` is not a singleton of this app",
                    std::any::type_name::<T>()
                )
            })
    }

    /// The provider of `T` for a route's `Scoped<T>` arguments, found as
    /// the route is mounted (like its guards), so that a request costs no
    /// lookup of `T`. An app without one answers 500 when it is taken.
    #[doc(hidden)]
    pub fn scoped<T: ?Sized + Send + Sync + 'static>(&self) -> ScopedProvider<T> {
        ScopedProvider::new(self.container.as_ref())
    }

    /// Sets the middleware around the next controller's routes.
    pub(crate) fn set_middleware(&mut self, middleware: Vec<RouteMiddleware>) {
        self.middleware = middleware;
    }

    /// Sets what the app and module put around the next controller's routes.
    pub(crate) fn set_app_layers(&mut self, layers: std::rc::Rc<AppLayers>) {
        self.app_layers = layers;
    }

    /// What the app and module put around this controller's routes
    /// (guards before the route's own, interceptors and filters outside them).
    pub fn app_layers(&self) -> std::rc::Rc<AppLayers> {
        self.app_layers.clone()
    }

    /// The routes added so far.
    pub fn infos(&self) -> impl Iterator<Item = &RouteInfo> {
        self.entries.iter().map(|(info, _)| info)
    }

    /// Registers every path as one actix service.
    pub(crate) fn register(self, config: &mut web::ServiceConfig) {
        router::register(self.entries, config);
    }
}

/// What a route's service answers.
#[doc(hidden)]
pub type RouteResult = Result<ServiceResponse, actix_web::Error>;

/// The dispatch function of a generated controller, for `state` (the
/// closure's signature is read from this call).
#[doc(hidden)]
pub fn dispatch<S, F, Fut>(_state: &Rc<S>, dispatch: F) -> F
where
    F: Fn(Rc<S>, usize, ServiceRequest) -> Fut + Copy,
{
    dispatch
}

/// Two routes with the same method and path shape (`/{id}` and `/{post_id}`
/// are the same) are an error; each duplicate is reported once.
pub(crate) fn duplicate_routes<'a>(
    routes: impl IntoIterator<Item = &'a RouteInfo>,
) -> Vec<Diagnostic> {
    let mut seen: BTreeMap<(String, String), &RouteInfo> = BTreeMap::new();
    let mut problems = Vec::new();
    for route in routes {
        let key = (route.method.to_string(), elif_route::shape(&route.path));
        match seen.get(&key) {
            Some(first) => {
                let mut diagnostic = Diagnostic::error(
                    &EL1012,
                    format!(
                        "{} {} is served by both `{}` and `{}` (as {})",
                        route.method, first.path, first.handler, route.handler, route.path
                    ),
                );
                if let Some(location) = route.location {
                    diagnostic = diagnostic.at(location);
                }
                problems.push(diagnostic);
            }
            None => {
                seen.insert(key, route);
            }
        }
    }
    problems
}
