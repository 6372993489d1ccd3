//! `#[module(...)]`: groups providers and controllers with explicit imports
//! and exports.

mod parse;

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::errors::with_item;
use crate::paths::{private, private_at};

/// Expands `#[module(args)] item`.
pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let parsed = syn::parse2::<syn::Item>(item.clone())
        .map_err(|e| (e, item))
        .and_then(|item| parse::parse(args, item));
    match parsed {
        Ok(module) => generate(&module),
        Err((error, item)) => with_item(item, error),
    }
}

fn generate(module: &parse::Module) -> TokenStream {
    let p = private();
    let item = &module.item;
    let ident = &item.ident;
    let name = ident.to_string();
    let imports = module
        .imports
        .iter()
        .map(|ty| quote_spanned!(ty.span()=> <#ty as #p::Module>::descriptor));
    let providers = module
        .providers
        .iter()
        .map(|ty| quote_spanned!(ty.span()=> <#ty as #p::Injectable>::descriptor));
    let controllers = module.controllers.iter().map(|ty| {
        let p = private_at(ty.span());
        quote_spanned!(ty.span()=> #p::ControllerEntry::of::<#ty>())
    });
    let commands = module.commands.iter().map(|ty| {
        let p = private_at(ty.span());
        quote_spanned!(ty.span()=> #p::CommandEntry::of::<#ty>())
    });
    let exports = module.exports.iter().map(|ty| {
        let p = private_at(ty.span());
        quote_spanned!(ty.span()=> #p::ProviderKey::of::<#ty>)
    });
    let layer = |types: &[syn::Type], kind: &str| -> Vec<TokenStream> {
        let kind = syn::Ident::new(kind, proc_macro2::Span::call_site());
        types
            .iter()
            .map(|ty| {
                let p = private_at(ty.span());
                quote_spanned!(ty.span()=> #p::Layer::#kind::<#ty>())
            })
            .collect()
    };
    let guards = layer(&module.guards, "guard");
    let interceptors = layer(&module.interceptors, "interceptor");
    let filters = layer(&module.filters, "filter");
    // The first listed is the outermost: wrapped last.
    let wraps = module.middleware.iter().rev();
    let middleware = if module.middleware.is_empty() {
        quote!(&[])
    } else {
        quote!({
            fn __elif_middleware(route: #p::ActixRoute) -> #p::ActixRoute {
                route #(.wrap(#wraps))*
            }
            &[__elif_middleware]
        })
    };
    let migrations = match &module.migrations {
        Some(expr) => {
            let p = private_at(expr.span());
            quote_spanned!(expr.span()=> ::core::option::Option::Some(#p::ModuleMigrations::of(&#expr)))
        }
        None => quote!(::core::option::Option::None),
    };
    let line = quote_spanned!(ident.span()=> ::core::line!());
    quote! {
        #item

        const _: () = {
            #[automatically_derived]
            impl #p::Module for #ident {
                fn descriptor() -> &'static #p::ModuleDescriptor {
                    static __ELIF_MODULE: #p::ModuleDescriptor = #p::ModuleDescriptor {
                        name: #name,
                        key: ::core::any::TypeId::of::<#ident>,
                        imports: &[#(#imports),*],
                        providers: &[#(#providers),*],
                        controllers: &[#(#controllers),*],
                        guards: &[#(#guards),*],
                        interceptors: &[#(#interceptors),*],
                        filters: &[#(#filters),*],
                        middleware: #middleware,
                        exports: &[#(#exports),*],
                        commands: &[#(#commands),*],
                        migrations: #migrations,
                        location: #p::Location { file: ::core::file!(), line: #line },
                    };
                    &__ELIF_MODULE
                }
            }
        };
    }
}
