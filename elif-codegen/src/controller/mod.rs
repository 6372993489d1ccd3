//! `#[controller("/prefix", guards(..))]` on an `impl` block: its methods
//! marked `#[get("/{id}")]` (and `post`, `put`, `patch`, `delete`, `head`,
//! `options`, `route`) become routes. Templates, parameters and handler
//! shapes are checked here; extractor and guard types by the compiler,
//! through spanned bounds.

mod parse;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};

use crate::errors::with_item;
use crate::paths::private;
use parse::{Controller, Route, span_of};

/// Expands `#[controller(args)] impl ... { ... }`.
pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let parsed = syn::parse2::<syn::Item>(item.clone())
        .map_err(|e| (e, item))
        .and_then(|item| parse::parse(args, item));
    match parsed {
        Ok(controller) => generate(&controller),
        Err((error, item)) => with_item(item, error),
    }
}

/// Expands a route attribute found outside a `#[controller]` impl: an error.
pub fn stray_route(name: &str, item: TokenStream) -> TokenStream {
    let message = format!(
        "`#[{name}]` is only read inside an `impl` block marked `#[controller]` [EL0024]\nhelp: put this method in `#[controller(\"/prefix\")] impl YourController {{ ... }}`"
    );
    let span = syn::parse2::<syn::ImplItemFn>(item.clone())
        .map(|f| f.sig.ident.span())
        .or_else(|_| syn::parse2::<syn::ItemFn>(item.clone()).map(|f| f.sig.ident.span()))
        .unwrap_or_else(|_| Span::call_site());
    with_item(item, syn::Error::new(span, message))
}

fn generate(controller: &Controller) -> TokenStream {
    let p = private();
    let item = &controller.item;
    let self_ty = &controller.self_ty;
    let mounts = controller
        .routes
        .iter()
        .map(|route| mount(controller, route));
    let infos = controller
        .routes
        .iter()
        .map(|route| info(controller, route));
    let mut guard_types: Vec<&syn::Type> = Vec::new();
    for guard in controller
        .guards
        .iter()
        .chain(controller.routes.iter().flat_map(|r| &r.guards))
    {
        let text = guard.to_token_stream().to_string();
        if !guard_types
            .iter()
            .any(|g| g.to_token_stream().to_string() == text)
        {
            guard_types.push(guard);
        }
    }
    let components = guard_types
        .iter()
        .map(|g| quote_spanned!(span_of(g)=> <#g as #p::Injectable>::descriptor()));
    quote! {
        #item

        const _: () = {
            #[automatically_derived]
            impl #p::Controller for #self_ty {
                fn routes(self: ::std::sync::Arc<Self>, routes: &mut #p::Routes) {
                    #(#mounts)*
                }

                fn describe() -> ::std::vec::Vec<#p::RouteInfo> {
                    ::std::vec![#(#infos),*]
                }

                fn components() -> ::std::vec::Vec<&'static #p::ProviderDescriptor> {
                    ::std::vec![#(#components),*]
                }
            }
        };
    }
}

/// The route's description, as an expression.
fn info(controller: &Controller, route: &Route) -> TokenStream {
    let p = private();
    let method = method(&route.method);
    let path = &route.path;
    let handler = format!("{}::{}", controller.name, route.handler);
    let typed = |from_path: bool| {
        let items = route
            .arguments
            .iter()
            .filter(|a| a.from_path == from_path)
            .map(|a| {
                let name = a.name.to_string();
                let ty = type_text(&a.ty);
                quote!((::std::string::String::from(#name), #ty))
            });
        quote!(::std::vec![#(#items),*])
    };
    let params = typed(true);
    let extractors = typed(false);
    let response = type_text(&route.output);
    let guards = controller.guards.iter().chain(&route.guards).map(type_text);
    let line = quote_spanned!(route.handler.span()=> ::core::line!());
    quote! {
        #p::RouteInfo {
            method: #method,
            path: ::std::string::String::from(#path),
            handler: ::std::string::String::from(#handler),
            params: #params,
            extractors: #extractors,
            response: #response,
            guards: ::std::vec![#(#guards),*],
            location: ::core::option::Option::Some(#p::Location { file: ::core::file!(), line: #line }),
        }
    }
}

fn method(name: &str) -> TokenStream {
    let p = private();
    match name {
        "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS" => {
            let ident = Ident::new(name, Span::call_site());
            quote!(#p::Method::#ident)
        }
        other => quote!(#p::custom_method(#other)),
    }
}

fn type_text(ty: &syn::Type) -> String {
    ty.to_token_stream()
        .to_string()
        .replace(" < ", "<")
        .replace(" >", ">")
        .replace("< ", "<")
        .replace(" ,", ",")
        .replace(" :: ", "::")
        .replace("& ", "&")
}

/// The code that adds one route to the table.
fn mount(controller: &Controller, route: &Route) -> TokenStream {
    let p = private();
    let handler = &route.handler;
    let request = Ident::new("__elif_request", Span::call_site());
    let payload = Ident::new("__elif_payload", Span::call_site());
    let cx = Ident::new("__elif_cx", Span::call_site());
    let guards: Vec<&syn::Type> = controller.guards.iter().chain(&route.guards).collect();
    let slots: Vec<Ident> = (0..guards.len())
        .map(|i| Ident::new(&format!("__elif_guard_{i}"), Span::call_site()))
        .collect();
    let resolve_guards = guards
        .iter()
        .map(|g| quote_spanned!(span_of(g)=> routes.provider::<#g>()));
    let check_guards = guards.iter().zip(&slots).map(
        |(g, slot)| quote_spanned!(span_of(g)=> <#g as #p::Guard>::check(#slot, &#cx).await?;),
    );
    let arguments = route.arguments.iter().map(|argument| {
        let name = &argument.name;
        let ty = &argument.ty;
        let key = name.to_string();
        let key = key.strip_prefix("r#").unwrap_or(&key).to_owned();
        if argument.from_path {
            quote_spanned!(span_of(ty)=> let #name = #p::path_param::<#ty>(&#request, #key)?;)
        } else {
            quote_spanned!(span_of(ty)=> let #name = #p::extract::<#ty>(&#request, &mut #payload).await?;)
        }
    });
    let names = route.arguments.iter().map(|a| &a.name);
    let output = &route.output;
    let reply = quote_spanned!(span_of(output)=> #p::reply::<#output>(__elif_this.#handler(#(#names),*).await));
    let info = info(controller, route);
    // Everything a request needs from the route sits behind one `Rc`, so a
    // request costs one non-atomic increment, not one per guard.
    quote! {
        {
            let __elif_state = ::std::rc::Rc::new((
                ::std::sync::Arc::clone(&self),
                routes.app_guards(),
                #(#resolve_guards,)*
            ));
            routes.add(#info, move |__elif_input: #p::HandlerInput| {
                let __elif_state = ::std::rc::Rc::clone(&__elif_state);
                async move {
                    let #p::HandlerInput(#request, #payload) = __elif_input;
                    let (__elif_this, __elif_app_guards, #(#slots,)*) = &*__elif_state;
                    let #cx = #p::RequestContext::new(&#request);
                    if #p::has_app_guards(__elif_app_guards) {
                        #p::run_app_guards(__elif_app_guards, &#cx).await?;
                    }
                    #(#check_guards)*
                    #[allow(unused_mut, unused_variables)]
                    let mut #payload = #payload;
                    #(#arguments)*
                    ::core::result::Result::Ok::<_, #p::Error>(#reply)
                }
            });
        }
    }
}
