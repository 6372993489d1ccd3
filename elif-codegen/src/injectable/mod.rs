//! `#[injectable]`: registers a struct as a provider built from its fields.

mod parse;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::deps;
use crate::errors::with_item;
use crate::paths::{private, private_at};
pub(crate) use parse::Injectable;

/// Expands `#[injectable(args)] item`.
pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_with_kind(args, item, "Injectable")
}

/// Expands an injectable whose runtime `ProviderKind` is `kind` (`Guard`...).
pub(crate) fn expand_with_kind(args: TokenStream, item: TokenStream, kind: &str) -> TokenStream {
    let item = match syn::parse2::<syn::Item>(item.clone()) {
        Ok(item) => item,
        Err(error) => return with_item(item, error),
    };
    match parse::parse(args, item) {
        Ok(injectable) => {
            let p = private();
            let kind = Ident::new(kind, Span::call_site());
            generate(&injectable, quote!(#p::ProviderKind::#kind))
        }
        Err((error, item)) => with_item(item, error),
    }
}

/// The struct, its `Injectable` impl and its registration. `kind` is the
/// runtime `ProviderKind` expression (controllers reuse this with their own).
pub(crate) fn generate(injectable: &Injectable, kind: TokenStream) -> TokenStream {
    let p = private();
    let item = &injectable.item;
    let ident = &item.ident;
    let name = ident.to_string();
    let scope = injectable.scope.tokens();
    let resolver = Ident::new("__elif_resolver", Span::call_site());
    let fields = injectable.fields.as_deref().unwrap_or_default();
    let specs = deps::specs(fields);
    let value = match &injectable.fields {
        None => quote!(#ident),
        Some(fields) => {
            let inits = fields.iter().map(|f| {
                let field = &f.name;
                let value = deps::resolve(f, &resolver);
                quote!(#field: #value)
            });
            quote!(#ident { #(#inits),* })
        }
    };
    let casts = injectable.provides.iter().enumerate().map(|(i, ty)| {
        let cast = Ident::new(&format!("__elif_cast_{i}"), ty.span());
        quote_spanned! {ty.span()=>
            fn #cast(instance: &#p::Instance) -> ::core::option::Option<#p::Instance> {
                #p::downcast::<#ident>(instance).map(|this| {
                    let bound: ::std::sync::Arc<#ty> = this;
                    #p::instance(bound)
                })
            }
        }
    });
    let bindings = injectable.provides.iter().enumerate().map(|(i, ty)| {
        let cast = Ident::new(&format!("__elif_cast_{i}"), ty.span());
        quote!(#p::Binding { key: #p::ProviderKey::of::<#ty>, cast: #cast })
    });
    let binding_count = injectable.provides.len();
    let hook = |key: &Option<syn::Path>, helper: &str| match key {
        Some(path) => {
            // The type is respanned at the key, so a missing trait impl is
            // underlined at `on_init` / `on_shutdown`.
            let helper = Ident::new(helper, path.span());
            let ty = Ident::new(&ident.to_string(), path.span());
            let p = private_at(path.span());
            quote_spanned!(path.span()=> ::core::option::Option::Some(#p::#helper::<#ty>))
        }
        None => quote!(::core::option::Option::None),
    };
    let on_init = hook(&injectable.on_init, "on_init_hook");
    let on_shutdown = hook(&injectable.on_shutdown, "on_shutdown_hook");
    let line = quote_spanned!(ident.span()=> ::core::line!());

    quote! {
        #item

        const _: () = {
            #[automatically_derived]
            impl #p::Injectable for #ident {
                fn descriptor() -> &'static #p::ProviderDescriptor {
                    fn __elif_dependencies() -> ::std::vec::Vec<#p::DependencySpec> {
                        #specs
                    }
                    fn __elif_build(#resolver: #p::Resolver) -> #p::BoxFuture<'static, #p::Result<#p::Instance>> {
                        ::std::boxed::Box::pin(async move {
                            let value = #value;
                            ::core::result::Result::Ok(#p::instance(::std::sync::Arc::new(value)))
                        })
                    }
                    #(#casts)*
                    static __ELIF_BINDINGS: [#p::Binding; #binding_count] = [#(#bindings),*];
                    static __ELIF_DESCRIPTOR: #p::ProviderDescriptor = #p::ProviderDescriptor {
                        name: #name,
                        key: #p::ProviderKey::of::<#ident>,
                        scope: #scope,
                        kind: #kind,
                        dependencies: __elif_dependencies,
                        build: __elif_build,
                        bindings: &__ELIF_BINDINGS,
                        on_init: #on_init,
                        on_shutdown: #on_shutdown,
                        location: #p::Location { file: ::core::file!(), line: #line },
                    };
                    &__ELIF_DESCRIPTOR
                }
            }

            #p::inventory::submit! {
                #p::ProviderRegistration(<#ident as #p::Injectable>::descriptor)
            }
        };
    }
}
