//! Layers: the guards, interceptors and filters that a module
//! (`#[module(guards(..), interceptors(..), filters(..))]`) or the app
//! (`App::guard`, `App::interceptor`, `App::filter`) puts around routes.
//! Here a layer is a provider plus the cast of its instance to the trait
//! object its kind runs through; the HTTP floor, which owns those traits,
//! makes the casts (`Layer::guard::<G>()` …) and reads them back.

use std::fmt;
use std::marker::PhantomData;

use crate::di::provider::{Instance, ProviderDescriptor};

/// A kind of layer. Marker types, so that a module's guard list holds
/// guards only.
pub trait LayerKind: 'static {
    /// The kind's name in messages (`guard`).
    const NAME: &'static str;
}

/// The kind of a guard's layer.
#[derive(Debug)]
pub enum GuardKind {}

/// The kind of an interceptor's layer.
#[derive(Debug)]
pub enum InterceptorKind {}

/// The kind of an exception filter's layer.
#[derive(Debug)]
pub enum FilterKind {}

impl LayerKind for GuardKind {
    const NAME: &'static str = "guard";
}

impl LayerKind for InterceptorKind {
    const NAME: &'static str = "interceptor";
}

impl LayerKind for FilterKind {
    const NAME: &'static str = "filter";
}

/// One guard, interceptor or filter put around routes: a provider of the
/// graph, used through the trait object of its kind `K`.
pub struct Layer<K> {
    /// The component's provider.
    pub descriptor: fn() -> &'static ProviderDescriptor,
    /// Its instance as its kind's trait object (an `Arc<dyn …>` wrapped in
    /// an [`Instance`], as a trait binding's cast makes it); `None` when the
    /// instance is not of the type the layer was made for.
    pub(crate) cast: fn(&Instance) -> Option<Instance>,
    /// The Rust type the layer was made for (`std::any::type_name`).
    pub(crate) rust_type: fn() -> &'static str,
    /// Whether the component authenticates (a guard's `AUTHENTICATES`).
    pub(crate) authenticates: bool,
    /// Whether it enforces routes' requirements (a guard's
    /// `ENFORCES_REQUIREMENTS`).
    pub(crate) enforces: bool,
    /// An authenticating guard's security schemes (`Guard::security`).
    pub(crate) security: Option<crate::credentials::SecuritySchemes>,
    kind: PhantomData<fn() -> K>,
}

impl<K> Layer<K> {
    /// A layer of type `T`, whose provider is `descriptor`'s, viewed
    /// through `cast`.
    pub(crate) const fn new<T: 'static>(
        descriptor: fn() -> &'static ProviderDescriptor,
        cast: fn(&Instance) -> Option<Instance>,
    ) -> Self {
        Self {
            descriptor,
            cast,
            rust_type: std::any::type_name::<T>,
            authenticates: false,
            enforces: false,
            security: None,
            kind: PhantomData,
        }
    }

    /// The same layer, recorded as authenticating and enforcing routes'
    /// requirements or not.
    pub(crate) const fn authenticating(mut self, authenticates: bool, enforces: bool) -> Self {
        self.authenticates = authenticates;
        self.enforces = enforces;
        self
    }

    /// The same layer, with the security schemes of the guard it is.
    pub(crate) const fn with_security(
        mut self,
        security: crate::credentials::SecuritySchemes,
    ) -> Self {
        self.security = Some(security);
        self
    }

    /// The guard's security schemes, when it authenticates.
    pub fn security(&self) -> Option<crate::credentials::GuardSecurity> {
        let schemes = self.security.filter(|_| self.authenticates)?;
        Some(crate::credentials::GuardSecurity {
            guard: self.name(),
            schemes,
        })
    }

    /// Whether the component enforces routes' requirements.
    pub fn enforces_requirements(&self) -> bool {
        self.enforces
    }

    /// Whether the component authenticates requests (see
    /// `elif::http::Guard::AUTHENTICATES`).
    pub fn authenticates(&self) -> bool {
        self.authenticates
    }

    /// The component's name.
    pub fn name(&self) -> &'static str {
        (self.descriptor)().name
    }
}

impl<K> Clone for Layer<K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K> Copy for Layer<K> {}

impl<K> fmt::Debug for Layer<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
