//! `Scoped<T>`: the explicit way a handler takes a request-scoped service.

use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload};

use crate::di::{Container, RequestScope};
use crate::error::Error;

/// A handler argument holding the instance of `T` for this request.
/// Request-scoped providers are built on first use and shared by every
/// `Scoped<_>` of the same request; singletons and transients work too.
pub struct Scoped<T: ?Sized>(Arc<T>);

impl<T: ?Sized> Scoped<T> {
    /// The underlying `Arc`.
    pub fn into_arc(this: Self) -> Arc<T> {
        this.0
    }
}

impl<T: ?Sized> Deref for Scoped<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: ?Sized + Send + Sync + 'static> FromRequest for Scoped<T> {
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Error>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let scope = request_scope(request);
        Box::pin(async move { scope?.get::<T>().await.map(Scoped) })
    }
}

/// The request's scope, created on first use and kept in its extensions.
fn request_scope(request: &HttpRequest) -> Result<RequestScope, Error> {
    if let Some(scope) = request.extensions().get::<RequestScope>() {
        return Ok(scope.clone());
    }
    let container = request
        .app_data::<Container>()
        .ok_or_else(|| Error::internal("the app's container is not attached to this server"))?;
    let scope = container.request_scope();
    request.extensions_mut().insert(scope.clone());
    Ok(scope)
}
