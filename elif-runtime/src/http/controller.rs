//! The controller trait and the route table controllers fill.

use std::collections::BTreeMap;
use std::sync::Arc;

use actix_web::http::Method;
use actix_web::http::header::{ALLOW, HeaderValue};
use actix_web::{FromRequest, Handler, HttpResponse, Responder, web};

use crate::di::provider::{Injectable, Instance, downcast};

/// A provider that serves HTTP routes.
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
}

/// Mounts the routes of controller `C` from its type-erased instance.
pub(crate) fn mount<C: Controller>(instance: &Instance, routes: &mut Routes) {
    if let Some(controller) = downcast::<C>(instance) {
        controller.routes(routes);
    }
}

/// The routes of an app, grouped by path when mounted so that a known path
/// with the wrong method answers 405 with an `Allow` header.
#[derive(Default)]
pub struct Routes {
    by_path: BTreeMap<String, Vec<(Method, actix_web::Route)>>,
}

impl Routes {
    /// Adds a route. `handler` is any actix-web handler (an async fn or
    /// closure whose arguments are extractors).
    pub fn add<F, Args>(&mut self, method: Method, path: &str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        let route = web::method(method.clone()).to(handler);
        self.by_path
            .entry(path.to_owned())
            .or_default()
            .push((method, route));
        self
    }

    /// Adds a `GET` route.
    pub fn get<F, Args>(&mut self, path: &str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.add(Method::GET, path, handler)
    }

    /// Adds a `POST` route.
    pub fn post<F, Args>(&mut self, path: &str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.add(Method::POST, path, handler)
    }

    /// Registers every path as one actix resource.
    pub(crate) fn register(self, config: &mut web::ServiceConfig) {
        for (path, routes) in self.by_path {
            let allow: Vec<&str> = routes.iter().map(|(m, _)| m.as_str()).collect();
            let allow =
                HeaderValue::from_str(&allow.join(", ")).unwrap_or(HeaderValue::from_static(""));
            let mut resource = web::resource(path.as_str());
            for (_, route) in routes {
                resource = resource.route(route);
            }
            config.service(resource.default_service(web::to(move || {
                let allow = allow.clone();
                async move {
                    HttpResponse::MethodNotAllowed()
                        .insert_header((ALLOW, allow))
                        .finish()
                }
            })));
        }
    }
}
