//! `#[controller("/prefix", guards(..), interceptors(..), filters(..), middleware(..))]`
//! on an `impl` block: its methods marked `#[get("/{id}")]` (and `post`,
//! `put`, `patch`, `delete`, `head`, `options`, `route`) become routes.
//! Templates, parameters and handler shapes are checked here; extractor,
//! guard, interceptor and filter types by the compiler, through spanned bounds.

mod parse;

use proc_macro2::{Ident, Literal, Span, TokenStream};
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

/// The controller's layers followed by the route's.
fn chain<'a, T>(controller: &'a [T], route: &'a [T]) -> Vec<&'a T> {
    controller.iter().chain(route).collect()
}

fn generate(controller: &Controller) -> TokenStream {
    let p = private();
    let item = &controller.item;
    let self_ty = &controller.self_ty;
    // Each route's description is written once, in `__elif_routes`: `describe`
    // returns them, `routes` hands each to its route.
    let infos = controller
        .routes
        .iter()
        .map(|route| info(controller, route));
    let names = slots("route", controller.routes.len());
    let count = Literal::usize_unsuffixed(names.len());
    let mounts = controller
        .routes
        .iter()
        .zip(&names)
        .map(|(route, name)| mount(controller, route, name));
    // Every guard, interceptor and filter joins the graph, once.
    let mut component_types: Vec<&syn::Type> = Vec::new();
    let layers =
        std::iter::once(&controller.layers).chain(controller.routes.iter().map(|r| &r.layers));
    for layer in layers {
        for ty in layer
            .guards
            .iter()
            .chain(&layer.interceptors)
            .chain(&layer.filters)
        {
            let text = ty.to_token_stream().to_string();
            if !component_types
                .iter()
                .any(|t| t.to_token_stream().to_string() == text)
            {
                component_types.push(ty);
            }
        }
    }
    let components = component_types
        .iter()
        .map(|ty| quote_spanned!(span_of(ty)=> <#ty as #p::Injectable>::descriptor()));
    quote! {
        #item

        const _: () = {
            fn __elif_routes() -> [#p::RouteInfo; #count] {
                [#(#infos),*]
            }

            #[automatically_derived]
            impl #p::Controller for #self_ty {
                fn routes(self: ::std::sync::Arc<Self>, routes: &mut #p::Routes) {
                    let [#(#names),*] = __elif_routes();
                    #(#mounts)*
                }

                fn describe() -> ::std::vec::Vec<#p::RouteInfo> {
                    ::std::vec::Vec::from(__elif_routes())
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
    let probe = |ty: &syn::Type| {
        quote! {{
            #[allow(unused_imports)]
            use #p::{HasSchema as _, NoSchema as _};
            (&&#p::SchemaProbe::<#ty>::new()).probe()
        }}
    };
    let typed = |from_path: bool| {
        let items = route.arguments.iter().filter(|a| a.from_path == from_path).map(|a| {
            let name = a.name.to_string();
            let name = name.strip_prefix("r#").unwrap_or(&name).to_owned();
            let rust_type = type_text(&a.ty);
            let schema = probe(&a.ty);
            quote!(#p::ArgumentInfo { name: ::std::string::String::from(#name), rust_type: #rust_type, schema: #schema })
        });
        quote!(::std::vec![#(#items),*])
    };
    let params = typed(true);
    let extractors = typed(false);
    let response = type_text(&route.output);
    let response_schema = probe(&route.output);
    let names = |controller_level, route_level| {
        let names = chain(controller_level, route_level)
            .into_iter()
            .map(type_text);
        quote!(::std::vec![#(#names),*])
    };
    let guards = names(&controller.layers.guards, &route.layers.guards);
    let interceptors = names(&controller.layers.interceptors, &route.layers.interceptors);
    let filters = names(&controller.layers.filters, &route.layers.filters);
    let line = quote_spanned!(route.handler.span()=> ::core::line!());
    quote! {
        #p::RouteInfo {
            method: #method,
            path: ::std::string::String::from(#path),
            handler: ::std::string::String::from(#handler),
            params: #params,
            extractors: #extractors,
            response: #response,
            response_schema: #response_schema,
            guards: #guards,
            interceptors: #interceptors,
            filters: #filters,
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

fn slots(prefix: &str, count: usize) -> Vec<Ident> {
    (0..count)
        .map(|i| Ident::new(&format!("__elif_{prefix}_{i}"), Span::call_site()))
        .collect()
}

/// The code that adds one route to the table, with its description `info`.
fn mount(controller: &Controller, route: &Route, info: &Ident) -> TokenStream {
    let p = private();
    let handler = &route.handler;
    let request = Ident::new("__elif_request", Span::call_site());
    let payload = Ident::new("__elif_payload", Span::call_site());
    let cx = Ident::new("__elif_cx", Span::call_site());
    let guards = chain(&controller.layers.guards, &route.layers.guards);
    let interceptors = chain(&controller.layers.interceptors, &route.layers.interceptors);
    let filters = chain(&controller.layers.filters, &route.layers.filters);
    let middleware = chain(&controller.layers.middleware, &route.layers.middleware);
    let guard_slots = slots("guard", guards.len());
    let interceptor_slots = slots("interceptor", interceptors.len());
    let filter_slots = slots("filter", filters.len());
    let resolve = guards
        .iter()
        .chain(&interceptors)
        .chain(&filters)
        .map(|ty| quote_spanned!(span_of(ty)=> routes.provider::<#ty>()));
    let all_slots: Vec<&Ident> = guard_slots
        .iter()
        .chain(&interceptor_slots)
        .chain(&filter_slots)
        .collect();
    let check_guards = guards.iter().zip(&guard_slots).map(
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
    // The handler's output becomes its response in one place, with the
    // return type named: an output that is no response is one compile
    // error, at the return type. Everything after it sees a response.
    let output = &route.output;
    let call = quote_spanned! {span_of(output)=>
        async { #p::reply::<#output>(__elif_this.#handler(#(#names),*).await, &#request) }
    };
    // The app's and module's interceptors wrap the handler (`call_handler`
    // awaits it in place when there are none); the route's own sit inside
    // them, the first listed outermost.
    let call = if interceptors.is_empty() {
        quote!(#p::call_handler(__elif_layers, &#cx, #call).await)
    } else {
        let wrap = interceptors.iter().zip(&interceptor_slots).rev().map(|(ty, slot)| {
            quote_spanned!(span_of(ty)=> let __elif_next = <#ty as #p::Interceptor>::intercept(#slot, &#cx, __elif_next);)
        });
        quote! {
            let __elif_call = #call;
            let __elif_next = async { ::core::result::Result::Ok(__elif_call.await) };
            #(#wrap)*
            #p::run_app_interceptors(__elif_layers, &#cx, ::std::boxed::Box::pin(__elif_next)).await
        }
    };
    // The route's filters are tried in the order listed, then the app's.
    let catch = filters.iter().zip(&filter_slots).map(|(ty, slot)| {
        quote_spanned! {span_of(ty)=>
            if let ::core::option::Option::Some(response) = <#ty as #p::ExceptionFilter>::catch(#slot, error, &#cx) {
                return ::core::option::Option::Some(response);
            }
        }
    });
    let catch = (!filters.is_empty()).then(|| {
        quote! {
            let __elif_outcome = #p::catch_route(__elif_outcome, |error| {
                #(#catch)*
                ::core::option::Option::None
            });
        }
    });
    let add = if middleware.is_empty() {
        quote!(routes.add_service(#info, __elif_service);)
    } else {
        // The first middleware listed is the outermost: wrapped last.
        let layers = middleware.iter().rev();
        quote!(routes.add_service_wrapped(#info, __elif_service, |route| route #(.wrap(#layers))*);)
    };
    // Everything a request needs from the route sits behind one `Rc`, so a
    // request costs one non-atomic increment, not one per component. The
    // route is an actix service of its own: it takes the whole request and
    // answers it, without actix's extractor-tuple and responder steps.
    // Guards run first (the app's and module's, boxed; then the attributes',
    // static), then the arguments are taken: every step may answer with an
    // error, which filters see.
    quote! {
        {
            let __elif_state = ::std::rc::Rc::new((
                ::std::sync::Arc::clone(&self),
                routes.app_layers(),
                #(#resolve,)*
            ));
            let __elif_service = move |__elif_service_request: #p::ServiceRequest| {
                let __elif_state = ::std::rc::Rc::clone(&__elif_state);
                async move {
                    let (#request, #payload) = __elif_service_request.into_parts();
                    let (__elif_this, __elif_layers, #(#all_slots,)*) = &*__elif_state;
                    let __elif_outcome = {
                        let #cx = #p::RequestContext::new(&#request);
                        let __elif_outcome = async {
                            if #p::has_app_guards(__elif_layers) {
                                #p::run_app_guards(__elif_layers, &#cx).await?;
                            }
                            #(#check_guards)*
                            #[allow(unused_mut, unused_variables)]
                            let mut #payload = #payload;
                            #(#arguments)*
                            #call
                        }
                        .await;
                        #catch
                        #p::catch_app(__elif_layers, &#cx, __elif_outcome)
                    };
                    #p::finish(#request, __elif_outcome)
                }
            };
            #add
        }
    }
}
