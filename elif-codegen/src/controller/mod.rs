//! `#[controller("/prefix", guards(..), interceptors(..), filters(..), middleware(..))]`
//! on an `impl` block: its methods marked `#[get("/{id}")]` (and `post`,
//! `put`, `patch`, `delete`, `head`, `options`, `route`) become routes.
//! Templates, parameters and handler shapes are checked here; extractor,
//! guard, interceptor and filter types by the compiler, through spanned bounds.

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

/// The controller's layers followed by the route's.
fn chain<'a, T>(controller: &'a [T], route: &'a [T]) -> Vec<&'a T> {
    controller.iter().chain(route).collect()
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

/// The code that adds one route to the table.
fn mount(controller: &Controller, route: &Route) -> TokenStream {
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
    let check_guards: Vec<TokenStream> = guards
        .iter()
        .zip(&guard_slots)
        .map(|(g, slot)| quote_spanned!(span_of(g)=> <#g as #p::Guard>::check(#slot, &#cx).await?;))
        .collect();
    let arguments: Vec<TokenStream> = route
        .arguments
        .iter()
        .map(|argument| {
            let name = &argument.name;
            let ty = &argument.ty;
            let key = name.to_string();
            let key = key.strip_prefix("r#").unwrap_or(&key).to_owned();
            if argument.from_path {
                quote_spanned!(span_of(ty)=> let #name = #p::path_param::<#ty>(&#request, #key)?;)
            } else {
                quote_spanned!(span_of(ty)=> let #name = #p::extract::<#ty>(&#request, &mut #payload).await?;)
            }
        })
        .collect();
    let names: Vec<&Ident> = route.arguments.iter().map(|a| &a.name).collect();
    let output = &route.output;
    let reply = quote_spanned!(span_of(output)=> #p::reply::<#output>(__elif_this.#handler(#(#names),*).await));
    // Guards first (the app's and module's, boxed; then the attributes',
    // static), then the arguments: every step may answer with an error.
    let prelude = quote! {
        if #p::has_app_guards(__elif_layers) {
            #p::run_app_guards(__elif_layers, &#cx).await?;
        }
        #(#check_guards)*
        #[allow(unused_mut, unused_variables)]
        let mut #payload = #payload;
        #(#arguments)*
    };
    // The fast path: the handler's output is the response.
    let direct = quote! {
        #prelude
        ::core::result::Result::Ok::<_, #p::Error>(#reply)
    };
    // With interceptors or filters (the attributes' or the app's), the
    // output becomes an `HttpResponse` they can see. The first interceptor
    // listed is the outermost, inside the app's; filters are tried in the
    // order listed, then the app's.
    let wrap = interceptors.iter().zip(&interceptor_slots).rev().map(|(ty, slot)| {
        quote_spanned!(span_of(ty)=> let __elif_next = <#ty as #p::Interceptor>::intercept(#slot, &#cx, __elif_next);)
    });
    let catch: Vec<TokenStream> = filters
        .iter()
        .zip(&filter_slots)
        .map(|(ty, slot)| {
            quote_spanned! {span_of(ty)=>
                if let ::core::option::Option::Some(response) = <#ty as #p::ExceptionFilter>::catch(#slot, error, &#cx) {
                    return ::core::result::Result::Ok(response);
                }
            }
        })
        .collect();
    let wrapped = quote! {
        let __elif_result: ::core::result::Result<#p::HttpResponse, #p::Error> = async {
            #prelude
            let __elif_next = async { #p::respond(#reply, &#request) };
            #(#wrap)*
            #p::run_app_interceptors(__elif_layers, &#cx, __elif_next).await
        }
        .await;
        let __elif_error = match &__elif_result {
            ::core::result::Result::Err(error) => ::core::option::Option::Some(error),
            ::core::result::Result::Ok(response) => #p::response_error(response),
        };
        if let ::core::option::Option::Some(error) = __elif_error {
            #(#catch)*
            if let ::core::option::Option::Some(response) = #p::run_app_filters(__elif_layers, error, &#cx) {
                return ::core::result::Result::Ok(response);
            }
        }
        __elif_result
    };
    let serve = |body: TokenStream| {
        quote! {{
            let __elif_output = async {
                let (__elif_this, __elif_layers, #(#all_slots,)*) = &*__elif_state;
                let #cx = #p::RequestContext::new(&#request);
                #body
            }
            .await;
            #p::finish(#request, __elif_output)
        }}
    };
    let respond = if interceptors.is_empty() && filters.is_empty() {
        let (direct, wrapped) = (serve(direct), serve(wrapped));
        quote! {
            if #p::has_app_wrappers(&__elif_state.1) #wrapped else #direct
        }
    } else {
        serve(wrapped)
    };
    let info = info(controller, route);
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
                    #respond
                }
            };
            #add
        }
    }
}
