//! `#[factory]`: an async fn whose return value is a provider. It also
//! generates a marker type of the same name (in the type namespace only), so
//! a module lists it like any injectable: `providers(db_pool)`.

mod parse;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};

use crate::deps;
use crate::errors::with_item;
use crate::paths::private;

/// Expands `#[factory(args)] item`.
pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let parsed = syn::parse2::<syn::Item>(item.clone())
        .map_err(|e| (e, item))
        .and_then(|item| parse::parse(args, item));
    match parsed {
        Ok(factory) => generate(&factory),
        Err((error, item)) => with_item(item, error),
    }
}

fn generate(factory: &parse::Factory) -> TokenStream {
    let p = private();
    let item = &factory.item;
    let vis = &item.vis;
    let function = &item.sig.ident;
    let name = function.to_string();
    let scope = factory.scope.tokens();
    let provided = &factory.output.provided;
    let resolver = Ident::new("__elif_resolver", Span::call_site());
    let specs = deps::specs(&factory.arguments);
    let arguments = factory
        .arguments
        .iter()
        .map(|a| deps::resolve(a, &resolver));
    let call = quote!(#function(#(#arguments),*).await);
    let value = if factory.output.fallible {
        quote!(#call?)
    } else {
        call
    };
    let shared = if factory.output.shared {
        value
    } else {
        quote!(::std::sync::Arc::new(#value))
    };
    let line = quote_spanned!(function.span()=> ::core::line!());
    quote! {
        #item

        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis struct #function {}

        const _: () = {
            #[automatically_derived]
            impl #p::Injectable for #function {
                fn descriptor() -> &'static #p::ProviderDescriptor {
                    fn __elif_dependencies() -> ::std::vec::Vec<#p::DependencySpec> {
                        #specs
                    }
                    fn __elif_build(#resolver: #p::Resolver) -> #p::BoxFuture<'static, #p::Result<#p::Instance>> {
                        ::std::boxed::Box::pin(async move {
                            let value: ::std::sync::Arc<#provided> = #shared;
                            ::core::result::Result::Ok(#p::instance(value))
                        })
                    }
                    static __ELIF_DESCRIPTOR: #p::ProviderDescriptor = #p::ProviderDescriptor {
                        name: #name,
                        key: #p::ProviderKey::of::<#provided>,
                        scope: #scope,
                        kind: #p::ProviderKind::Factory,
                        dependencies: __elif_dependencies,
                        build: __elif_build,
                        bindings: &[],
                        on_init: ::core::option::Option::None,
                        on_shutdown: ::core::option::Option::None,
                        location: #p::Location { file: ::core::file!(), line: #line },
                    };
                    &__ELIF_DESCRIPTOR
                }
            }

            #p::inventory::submit! {
                #p::ProviderRegistration(<#function as #p::Injectable>::descriptor)
            }
        };
    }
}
