//! `Scoped<T>`: the explicit way a handler takes a request-scoped service.
//!
//! A request's scope is made by its first `Scoped<_>` and kept in the
//! request's extensions, so that every `Scoped<_>` of the request shares
//! it; its instances are dropped with the request. A route can find `T`'s
//! provider once, when it is mounted ([`ScopedProvider`], as it resolves
//! its guards); `Scoped<T>` taken as a plain extractor (a hand-written
//! route) finds it on each request.

use std::future::Future;
use std::marker::PhantomData;
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
        // The extensions' borrow ends with this statement: making a scope
        // borrows them mutably.
        let existing = request.extensions().get::<RequestScope>().cloned();
        let scope = match existing {
            Some(scope) => Ok(scope),
            None => request
                .app_data::<Container>()
                .ok_or_else(no_container)
                .map(|container| request_scope(request, container)),
        };
        Box::pin(async move { scope?.get::<T>().await.map(Scoped) })
    }
}

/// The provider of `T` in the app a route is mounted in, found once, so
/// that the route's `Scoped<T>` costs no lookup of `T` per request.
#[doc(hidden)]
pub struct ScopedProvider<T: ?Sized> {
    /// The app's container and the node of `T`'s provider; `None` when
    /// the route is not mounted in an app, or the app has no provider of
    /// `T` (taking it then answers 500, as the plain extractor does).
    provider: Option<(Container, usize)>,
    /// What the route mounts it for when it has no provider.
    missing: fn() -> Error,
    _provides: PhantomData<fn() -> Arc<T>>,
}

impl<T: ?Sized + Send + Sync + 'static> ScopedProvider<T> {
    /// `T`'s provider in `container`'s app.
    pub(crate) fn new(container: Option<&Container>) -> Self {
        let (provider, missing): (_, fn() -> Error) = match container {
            None => (None, no_container),
            Some(container) => (
                container
                    .index_of::<T>()
                    .map(|index| (container.clone(), index)),
                no_provider::<T>,
            ),
        };
        Self {
            provider,
            missing,
            _provides: PhantomData,
        }
    }

    /// The `Scoped<T>` of `request`.
    pub fn extract(
        &self,
        request: &HttpRequest,
    ) -> impl Future<Output = Result<Scoped<T>, Error>> + 'static {
        let found = self
            .provider
            .as_ref()
            .map(|(container, index)| (request_scope(request, container), *index))
            .ok_or(self.missing);
        async move {
            let (scope, index) = found.map_err(|missing| missing())?;
            scope.get_at::<T>(index).await.map(Scoped)
        }
    }
}

/// The request's scope, created on first use and kept in its extensions.
fn request_scope(request: &HttpRequest, container: &Container) -> RequestScope {
    if let Some(scope) = request.extensions().get::<RequestScope>() {
        return scope.clone();
    }
    let scope = container.request_scope();
    request.extensions_mut().insert(scope.clone());
    scope
}

fn no_container() -> Error {
    Error::internal("the app's container is not attached to this server")
}

fn no_provider<T: ?Sized + 'static>() -> Error {
    Error::internal(format!(
        "no provider for `{}` in this app",
        crate::di::ProviderKey::of::<T>()
    ))
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;
    use crate::di::resolver::tests::{Cart, container};

    #[actix_web::test]
    async fn scoped_arguments_share_their_request_s_instance_and_only_it() {
        let container = container().await;
        let request = || {
            TestRequest::default()
                .app_data(container.clone())
                .to_http_request()
        };
        let first = request();
        let unmounted = ScopedProvider::<Cart>::new(None).extract(&first).await;
        assert_eq!(
            unmounted.err().map(|e| e.detail().to_owned()).as_deref(),
            Some("the app's container is not attached to this server")
        );
        let unknown = ScopedProvider::<String>::new(Some(&container))
            .extract(&first)
            .await;
        assert_eq!(
            unknown.err().map(|e| e.detail().to_owned()).as_deref(),
            Some("no provider for `String` in this app")
        );
        let cart = ScopedProvider::<Cart>::new(Some(&container));
        let a = Scoped::<Cart>::from_request(&first, &mut Payload::None)
            .await
            .expect("cart");
        let b = cart.extract(&first).await.expect("cart");
        assert!(
            Arc::ptr_eq(&Scoped::into_arc(a), &Scoped::into_arc(b)),
            "the plain and the mounted extractor share the request's cart"
        );
        let second = request();
        let c = cart.extract(&second).await.expect("cart");
        let d = cart.extract(&second).await.expect("cart");
        let first_cart = cart.extract(&first).await.expect("cart");
        assert!(Arc::ptr_eq(&c.0, &d.0));
        assert!(
            !Arc::ptr_eq(&c.0, &first_cart.0),
            "each request has its own"
        );
    }
}
