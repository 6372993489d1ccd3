//! The `scope = "..."` argument shared by `#[injectable]` and `#[factory]`.

use proc_macro2::TokenStream;
use quote::quote;

use crate::paths::private;

/// How long instances live (mirrors the runtime's `Scope`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Scope {
    /// One for the app (default).
    #[default]
    Singleton,
    /// One per request.
    Request,
    /// A new one per dependent.
    Transient,
}

impl darling::FromMeta for Scope {
    fn from_value(value: &syn::Lit) -> darling::Result<Self> {
        let syn::Lit::Str(text) = value else {
            return Err(darling::Error::custom(
                "a scope is a string: \"singleton\", \"request\" or \"transient\"",
            )
            .with_span(value));
        };
        match text.value().as_str() {
            "singleton" => Ok(Scope::Singleton),
            "request" => Ok(Scope::Request),
            "transient" => Ok(Scope::Transient),
            other => Err(darling::Error::custom(format!(
                "unknown scope \"{other}\"\nhelp: expected \"singleton\" (the default), \"request\" or \"transient\""
            ))
            .with_span(value)),
        }
    }
}

impl Scope {
    /// The runtime's `Scope` value.
    pub(crate) fn tokens(self) -> TokenStream {
        let p = private();
        match self {
            Scope::Singleton => quote!(#p::Scope::Singleton),
            Scope::Request => quote!(#p::Scope::Request),
            Scope::Transient => quote!(#p::Scope::Transient),
        }
    }
}
