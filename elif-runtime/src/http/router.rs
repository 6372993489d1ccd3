//! How the route table becomes actix services: one service per path, which
//! picks the route for the request's method itself.
//!
//! actix-web's own `Resource` checks each `Route`'s method guard in turn,
//! and calls a route given as a service through two boxed futures (the
//! resource's and the route's) and an error-mapping layer, each of which
//! moves the route's whole future or response. Here a path is one service
//! whose method match is a comparison per route. A path whose routes are
//! all generated calls them directly (`ErasedRoute`: one boxed future, the
//! router's box around the path its only other layer); a path with routes
//! of other kinds (hand-written handlers, routes wrapped in middleware) is
//! served the same way over actix `Route`s, whose guards are honoured.
//!
//! Either way a known path with another method answers 405 with an `Allow`
//! header, and `HEAD` is answered by the `GET` route where the path has no
//! `HEAD` route of its own (the HTTP/1 encoder sends no body for `HEAD`).
//!
//! Nothing here is generic over a controller: rustc puts the instances of
//! elif's generic code that an app needs in a few shared codegen units of
//! the app, so code generic over the controller would be compiled again for
//! every controller whenever one handler changes (benches/README.md,
//! compile).

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
struct PathService<E: Endpoint> {
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

    always_ready!();

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
    enum PathFuture<F> {
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
    Generated(ErasedRoute),
    /// A route made as an actix `Route` when the table is registered
    /// (handlers written by hand, routes wrapped in middleware).
    Actix(Box<dyn Fn() -> Route>),
}

impl RouteEntry {
    /// The route as an actix `Route`.
    fn into_route(self) -> Route {
        match self {
            Self::Generated(route) => route.into_route(web::route()),
            Self::Actix(make) => make(),
        }
    }
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
        let generated = routes
            .iter()
            .all(|(_, entry)| matches!(entry, RouteEntry::Generated(_)));
        if generated {
            let endpoints = routes
                .into_iter()
                .filter_map(|(method, entry)| match entry {
                    RouteEntry::Generated(route) => Some((method, route)),
                    RouteEntry::Actix(_) => None,
                })
                .collect();
            config.service(PathRoutes { path, endpoints });
        } else {
            let endpoints = routes
                .into_iter()
                .map(|(method, entry)| (method, entry.into_route()))
                .collect();
            config.service(PathRoutes { path, endpoints });
        }
    }
}

/// A generated route: the controller's `dispatch` function called with the
/// controller's state and the route's index, its future boxed. One type
/// for every route of every controller, so that the router's services and
/// actix's `Route` machinery are compiled once, in elif, rather than once
/// per controller in every app (where an edit of one handler would
/// recompile them for all controllers: rustc groups instances of elif's
/// generic code in a few codegen units of the app).
#[derive(Clone)]
pub(crate) struct ErasedRoute(Rc<dyn Fn(ServiceRequest) -> LocalBoxFuture<'static, RouteResult>>);

impl ErasedRoute {
    /// Route `index` of the controller whose `state` and `dispatch` are given.
    pub(crate) fn new<S, F, Fut>(state: &Rc<S>, dispatch: F, index: usize) -> Self
    where
        S: 'static,
        F: Fn(Rc<S>, usize, ServiceRequest) -> Fut + Copy + 'static,
        Fut: Future<Output = RouteResult> + 'static,
    {
        let state = Rc::clone(state);
        Self(Rc::new(move |request| {
            Box::pin(dispatch(Rc::clone(&state), index, request))
        }))
    }

    /// `route` serving this route.
    pub(crate) fn into_route(self, route: Route) -> Route {
        route.service(self)
    }
}

impl ServiceFactory<ServiceRequest> for ErasedRoute {
    type Response = ServiceResponse;
    type Error = actix_web::Error;
    type Config = ();
    type Service = Self;
    type InitError = ();
    type Future = Ready<Result<Self, ()>>;

    fn new_service(&self, _: ()) -> Self::Future {
        ready(Ok(self.clone()))
    }
}

impl Service<ServiceRequest> for ErasedRoute {
    type Response = ServiceResponse;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, RouteResult>;

    always_ready!();

    fn call(&self, request: ServiceRequest) -> Self::Future {
        (self.0)(request)
    }
}

impl Endpoint for ErasedRoute {
    fn accepts(_: &Self, _: &mut ServiceRequest) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use actix_web::http::StatusCode;
    use actix_web::{App, guard, test};

    use super::*;

    /// A path over actix `Route`s: their guards decide as in a `Resource`,
    /// and a request no route takes is a 405 naming the path's methods.
    #[actix_web::test]
    async fn actix_routes_keep_their_guards_and_head_falls_back_to_get() {
        let endpoints = vec![
            (
                Method::GET,
                web::route()
                    .guard(guard::Header("x-version", "2"))
                    .to(|| async { "v2" }),
            ),
            (Method::GET, web::route().to(|| async { "v1" })),
            (Method::POST, web::route().to(|| async { "posted" })),
        ];
        let path = PathRoutes {
            path: "items".to_owned(),
            endpoints,
        };
        let app = test::init_service(App::new().service(path)).await;
        let body = |request: test::TestRequest| {
            let app = &app;
            async move { test::call_and_read_body(app, request.to_request()).await }
        };
        assert_eq!(body(test::TestRequest::get().uri("/items")).await, "v1");
        let v2 = test::TestRequest::get()
            .uri("/items")
            .insert_header(("x-version", "2"));
        assert_eq!(body(v2).await, "v2");
        assert_eq!(
            body(test::TestRequest::post().uri("/items")).await,
            "posted"
        );
        let head = test::TestRequest::default()
            .method(Method::HEAD)
            .uri("/items")
            .to_request();
        assert_eq!(
            test::call_service(&app, head).await.status(),
            StatusCode::OK
        );
        let wrong = test::TestRequest::delete().uri("/items").to_request();
        let wrong = test::call_service(&app, wrong).await;
        assert_eq!(wrong.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(wrong.headers().get(ALLOW).unwrap(), "GET, POST, HEAD");
    }
}
