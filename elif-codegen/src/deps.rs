//! Dependencies as the macros see them (fields of an `#[injectable]`,
//! arguments of a `#[factory]`), and the code that resolves them.

use proc_macro2::{Ident, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::paths::private;

/// One dependency: a field or an argument.
pub(crate) struct Dependency {
    /// The field or argument name.
    pub(crate) name: Ident,
    /// Its type, kept with the user's span so trait errors point at it.
    pub(crate) ty: syn::Type,
    /// `#[inject(default)]`: built with `Default::default()`, not injected.
    pub(crate) default: bool,
}

/// Body of the generated `dependencies()` function.
pub(crate) fn specs(dependencies: &[Dependency]) -> TokenStream {
    let p = private();
    let specs = dependencies.iter().filter(|d| !d.default).map(|d| {
        let name = d.name.to_string();
        let ty = &d.ty;
        let requirement = quote_spanned!(ty.span()=> <#ty as #p::Dependency>::requirement());
        quote!(#p::DependencySpec::new(#name, #requirement))
    });
    quote!(::std::vec![#(#specs),*])
}

/// The expression that obtains one dependency inside a build function.
pub(crate) fn resolve(dependency: &Dependency, resolver: &Ident) -> TokenStream {
    let p = private();
    let ty = &dependency.ty;
    if dependency.default {
        quote_spanned!(ty.span()=> <#ty as ::core::default::Default>::default())
    } else {
        quote_spanned!(ty.span()=> <#ty as #p::Dependency>::resolve(&#resolver).await?)
    }
}
