//! How the route table becomes actix services: one service per path, which
//! picks the route for the request's method itself.
//!
//! actix-web's own `Resource` checks each `Route`'s method guard in turn
//! and calls it through two boxed futures (the resource's and the route's),
//! plus an error-mapping layer for a route given as a service. Here, a path
//! whose routes all belong to one generated controller is one typed
//! service: its method match is a comparison per route, and the router's
//! box around it is the only allocation. Paths with routes of other kinds
//! (hand-written handlers, routes wrapped in middleware, routes of two
//! controllers) are served the same way over actix `Route`s, whose guards
//! are honoured.
//!
//! Either way a known path with another method answers 405 with an `Allow`
//! header, and `HEAD` is answered by the `GET` route where the path has no
//! `HEAD` route of its own (the HTTP/1 encoder sends no body for `HEAD`).

use std::any::{Any, TypeId};
use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use actix_web::dev::{
    AppService, HttpServiceFactory, ResourceDef, Service, ServiceFactory, ServiceRequest,
    ServiceResponse, always_ready,
};
use actix_web::http::Method;
use actix_web::http::header::{ALLOW, HeaderValue};
use actix_web::{HttpResponse, Route, web};
use futures_core::future::LocalBoxFuture;

use crate::http::controller::{RouteInfo, RouteResult};

/// A route's service factory, as a path's service calls it.
pub(crate) trait Endpoint:
    ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse,
        Error = actix_web::Error,
        InitError = (),
    > + 'static
{
    /// Whether this route takes the request, its method aside (an actix
    /// `Route`'s own guards).
    fn accepts(service: &Self::Service, request: &mut ServiceRequest) -> bool;
}

impl Endpoint for Route {
    fn accepts(service: &Self::Service, request: &mut ServiceRequest) -> bool {
        service.check(request)
    }
}

/// The routes of one path, in the order they were added.
pub(crate) struct PathRoutes<E> {
    /// The path template (`/posts/{id}`).
    pub(crate) path: String,
    /// Each route's method and service factory.
    pub(crate) endpoints: Vec<(Method, E)>,
}

impl<E> PathRoutes<E> {
    /// The `Allow` header of a 405 on this path: its methods, and `HEAD`
    /// wherever `GET` is.
    fn allow(&self) -> HeaderValue {
        let mut methods: Vec<&str> = Vec::new();
        for (method, _) in &self.endpoints {
            if !methods.contains(&method.as_str()) {
                methods.push(method.as_str());
            }
        }
        if methods.contains(&"GET") && !methods.contains(&"HEAD") {
            methods.push("HEAD");
        }
        // Method names are tokens, valid in a header value.
        HeaderValue::from_str(&methods.join(", ")).unwrap_or(HeaderValue::from_static(""))
    }
}

impl<E: Endpoint> HttpServiceFactory for PathRoutes<E> {
    fn register(self, config: &mut AppService) {
        // As actix's `Resource` does at the root: a pattern always starts with `/`.
        let pattern = if self.path.starts_with('/') {
            self.path.clone()
        } else {
            format!("/{}", self.path)
        };
        let allow = self.allow();
        let factory = PathFactory {
            endpoints: self.endpoints,
            allow,
        };
        config.register_service(ResourceDef::new(pattern), None, factory, None);
    }
}

/// A path's routes given as generated route services of one type behind
/// `Any`, with the function that registers them typed (see
/// `Routes::register`).
pub(crate) struct TypedPath {
    pub(crate) routes: PathRoutes<Box<dyn Any>>,
    pub(crate) register: fn(PathRoutes<Box<dyn Any>>, &mut AppService),
}

impl HttpServiceFactory for TypedPath {
    fn register(self, config: &mut AppService) {
        (self.register)(self.routes, config);
    }
}

/// Builds a path's service on each worker.
struct PathFactory<E> {
    endpoints: Vec<(Method, E)>,
    allow: HeaderValue,
}

impl<E: Endpoint> ServiceFactory<ServiceRequest> for PathFactory<E> {
    type Response = ServiceResponse;
    type Error = actix_web::Error;
    type Config = ();
    type Service = PathService<E>;
    type InitError = ();
    type Future = LocalBoxFuture<'static, Result<Self::Service, ()>>;

    fn new_service(&self, _: ()) -> Self::Future {
        let pending: Vec<(Method, E::Future)> = self
            .endpoints
            .iter()
            .map(|(method, factory)| (method.clone(), factory.new_service(())))
            .collect();
        let allow = self.allow.clone();
        Box::pin(async move {
            let mut endpoints = Vec::with_capacity(pending.len());
            for (method, service) in pending {
                endpoints.push((method, service.await?));
            }
            Ok(PathService {
                endpoints: endpoints.into_boxed_slice(),
                allow,
            })
        })
    }
}

/// One path's routes on one worker.
pub(crate) struct PathService<E: Endpoint> {
    endpoints: Box<[(Method, E::Service)]>,
    allow: HeaderValue,
}

impl<E: Endpoint> PathService<E> {
    /// The route for the request's method (for `GET`'s, with
    /// `head_as_get`), if one takes the request.
    fn find(&self, request: &mut ServiceRequest, head_as_get: bool) -> Option<&E::Service> {
        for (method, service) in &self.endpoints {
            let wanted = if head_as_get {
                *method == Method::GET
            } else {
                method == request.method()
            };
            if wanted && E::accepts(service, request) {
                return Some(service);
            }
        }
        None
    }
}

impl<E: Endpoint> Service<ServiceRequest> for PathService<E> {
    type Response = ServiceResponse;
    type Error = actix_web::Error;
    type Future = PathFuture<<E::Service as Service<ServiceRequest>>::Future>;

    actix_web::dev::always_ready!();

    fn call(&self, mut request: ServiceRequest) -> Self::Future {
        let route = match self.find(&mut request, false) {
            None if request.method() == Method::HEAD => self.find(&mut request, true),
            route => route,
        };
        match route {
            Some(route) => PathFuture::Route {
                future: route.call(request),
            },
            None => PathFuture::NotAllowed {
                response: ready(Ok(request.into_response(
                    HttpResponse::MethodNotAllowed()
                        .insert_header((ALLOW, self.allow.clone()))
                        .finish(),
                ))),
            },
        }
    }
}

pin_project_lite::pin_project! {
    /// A path's answer: its route's future, or a 405.
    #[project = PathFutureProjection]
    pub(crate) enum PathFuture<F> {
        Route { #[pin] future: F },
        NotAllowed { response: Ready<RouteResult> },
    }
}

impl<F: Future<Output = RouteResult>> Future for PathFuture<F> {
    type Output = RouteResult;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<RouteResult> {
        match self.project() {
            PathFutureProjection::Route { future } => future.poll(cx),
            PathFutureProjection::NotAllowed { response } => Pin::new(response).poll(cx),
        }
    }
}

/// How one route is served, until the table is registered.
pub(crate) enum RouteEntry {
    /// A generated controller's route with no middleware around it.
    Generated(GeneratedRoute),
    /// A route made as an actix `Route` when the table is registered
    /// (handlers written by hand, routes wrapped in middleware).
    Actix(Box<dyn Fn() -> Route>),
}

/// A generated route's service, kept typed behind `Any` so that a path
/// whose routes all share its type is served without boxing each route.
pub(crate) struct GeneratedRoute {
    /// A `RouteService<S, F>`.
    service: Box<dyn Any>,
    /// The `TypeId` of that service type.
    kind: TypeId,
    /// Registers a path whose routes are all of this type.
    register: fn(PathRoutes<Box<dyn Any>>, &mut AppService),
    /// The route as an actix `Route`, for a path it shares with routes of
    /// other kinds.
    into_route: fn(Box<dyn Any>) -> Route,
}

impl RouteEntry {
    /// Route `index` of a generated controller, whose `dispatch` answers it.
    pub(crate) fn generated<S, F, Fut>(state: &Rc<S>, dispatch: F, index: usize) -> Self
    where
        S: 'static,
        F: Fn(Rc<S>, usize, ServiceRequest) -> Fut + Copy + 'static,
        Fut: Future<Output = RouteResult> + 'static,
    {
        let service = RouteService {
            state: Rc::clone(state),
            dispatch,
            index,
        };
        Self::Generated(GeneratedRoute {
            service: Box::new(service),
            kind: TypeId::of::<RouteService<S, F>>(),
            register: register_typed::<S, F, Fut>,
            into_route: |service| match service.downcast::<RouteService<S, F>>() {
                Ok(service) => web::route().service(*service),
                Err(_) => unreachable!("a GeneratedRoute holds the service its functions name"),
            },
        })
    }

    /// The type of a generated route's service.
    fn kind(&self) -> Option<TypeId> {
        match self {
            Self::Generated(route) => Some(route.kind),
            Self::Actix(_) => None,
        }
    }

    /// The route as an actix `Route`.
    fn into_route(self) -> Route {
        match self {
            Self::Generated(route) => (route.into_route)(route.service),
            Self::Actix(make) => make(),
        }
    }
}

/// Registers a path whose routes are all `RouteService<S, F>`, as one
/// typed service.
fn register_typed<S, F, Fut>(routes: PathRoutes<Box<dyn Any>>, config: &mut AppService)
where
    S: 'static,
    F: Fn(Rc<S>, usize, ServiceRequest) -> Fut + Copy + 'static,
    Fut: Future<Output = RouteResult> + 'static,
{
    let endpoints = routes
        .endpoints
        .into_iter()
        .map(
            |(method, service)| match service.downcast::<RouteService<S, F>>() {
                Ok(service) => (method, *service),
                Err(_) => {
                    unreachable!("a path is registered typed only when its routes share one type")
                }
            },
        )
        .collect();
    PathRoutes {
        path: routes.path,
        endpoints,
    }
    .register(config);
}

/// Registers the table, one service per path. The router tries paths in
/// order: paths with fewer parameters go first (`/posts/latest` beats
/// `/posts/{id}`); otherwise paths keep the order they were declared in.
pub(crate) fn register(entries: Vec<(RouteInfo, RouteEntry)>, config: &mut web::ServiceConfig) {
    let mut by_path: Vec<(String, Vec<(Method, RouteEntry)>)> = Vec::new();
    for (info, entry) in entries {
        match by_path.iter_mut().find(|(path, _)| *path == info.path) {
            Some((_, routes)) => routes.push((info.method, entry)),
            None => by_path.push((info.path, vec![(info.method, entry)])),
        }
    }
    by_path.sort_by_key(|(path, _)| path.matches('{').count());
    for (path, routes) in by_path {
        let kind = routes.first().and_then(|(_, entry)| entry.kind());
        let typed = kind.is_some() && routes.iter().all(|(_, entry)| entry.kind() == kind);
        if typed {
            let mut register = None;
            let mut endpoints = Vec::with_capacity(routes.len());
            for (method, entry) in routes {
                if let RouteEntry::Generated(route) = entry {
                    register = Some(route.register);
                    endpoints.push((method, route.service));
                }
            }
            if let Some(register) = register {
                let routes = PathRoutes { path, endpoints };
                config.service(TypedPath { routes, register });
            }
        } else {
            let endpoints = routes
                .into_iter()
                .map(|(method, entry)| (method, entry.into_route()))
                .collect();
            config.service(PathRoutes { path, endpoints });
        }
    }
}

/// The actix service (and its factory) of one route of a generated
/// controller: the controller's state and `dispatch` function, and the
/// route's index.
struct RouteService<S, F> {
    state: Rc<S>,
    dispatch: F,
    index: usize,
}

impl<S, F: Copy> Clone for RouteService<S, F> {
    fn clone(&self) -> Self {
        Self {
            state: Rc::clone(&self.state),
            dispatch: self.dispatch,
            index: self.index,
        }
    }
}

impl<S, F, Fut> ServiceFactory<ServiceRequest> for RouteService<S, F>
where
    F: Fn(Rc<S>, usize, ServiceRequest) -> Fut + Copy,
    Fut: Future<Output = RouteResult>,
{
    type Response = ServiceResponse;
    type Error = actix_web::Error;
    type Config = ();
    type Service = Self;
    type InitError = ();
    type Future = std::future::Ready<Result<Self, ()>>;

    fn new_service(&self, _: ()) -> Self::Future {
        std::future::ready(Ok(self.clone()))
    }
}

impl<S, F, Fut> Service<ServiceRequest> for RouteService<S, F>
where
    F: Fn(Rc<S>, usize, ServiceRequest) -> Fut,
    Fut: Future<Output = RouteResult>,
{
    type Response = ServiceResponse;
    type Error = actix_web::Error;
    type Future = Fut;

    always_ready!();

    fn call(&self, request: ServiceRequest) -> Fut {
        (self.dispatch)(Rc::clone(&self.state), self.index, request)
    }
}

/// Puts route `index` of a controller into an actix route.
pub(crate) fn route_service<S, F, Fut>(
    state: &Rc<S>,
    dispatch: F,
    index: usize,
) -> Box<dyn Fn(Route) -> Route>
where
    S: 'static,
    F: Fn(Rc<S>, usize, ServiceRequest) -> Fut + Copy + 'static,
    Fut: Future<Output = RouteResult> + 'static,
{
    let service = RouteService {
        state: Rc::clone(state),
        dispatch,
        index,
    };
    Box::new(move |route: Route| route.service(service.clone()))
}

impl<S, F, Fut> Endpoint for RouteService<S, F>
where
    S: 'static,
    F: Fn(Rc<S>, usize, ServiceRequest) -> Fut + Copy + 'static,
    Fut: Future<Output = RouteResult> + 'static,
{
    fn accepts(_: &Self::Service, _: &mut ServiceRequest) -> bool {
        true
    }
}
