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

impl Scope {
    /// Parses the value of `scope = "..."`.
    pub(crate) fn parse(value: &syn::LitStr) -> syn::Result<Self> {
        match value.value().as_str() {
            "singleton" => Ok(Scope::Singleton),
            "request" => Ok(Scope::Request),
            "transient" => Ok(Scope::Transient),
            other => Err(syn::Error::new_spanned(
                value,
                format!(
                    "unknown scope \"{other}\" [EL0006]\nhelp: expected \"singleton\" (the default), \"request\" or \"transient\""
                ),
            )),
        }
    }

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
