//! `#[controller("/prefix", guards(..), interceptors(..), filters(..), middleware(..))]`
//! on an `impl` block: its methods marked `#[get("/{id}")]` (and `post`,
//! `put`, `patch`, `delete`, `head`, `options`, `route`) become routes.
//! Templates, parameters and handler shapes are checked here; extractor,
//! guard, interceptor and filter types by the compiler, through spanned bounds.

pub(crate) mod openapi;
mod parse;

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};

use crate::errors::with_item;
use crate::paths::{private, private_at};
use parse::{Controller, Route, ThrottleAttr, ThrottleKeyAttr, span_of};

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

/// Expands `#[public]` where the compiler finds it. Inside a
/// `#[controller]` impl block `#[controller]` reads it first; on the impl
/// block above `#[controller]`, it becomes the controller's `public` key;
/// anywhere else it is an error.
pub fn public(args: TokenStream, item: TokenStream) -> TokenStream {
    if let Some(block) = controller_block(&item) {
        let block = with_controller_key(block, "public");
        return match (!args.is_empty()).then(|| {
            syn::Error::new_spanned(
                &args,
                crate::errors::coded("`#[public]` takes no arguments", "EL0036"),
            )
        }) {
            Some(error) => with_item(block, error),
            None => block,
        };
    }
    stray_access(
        "public",
        "EL0036",
        "`#[get(\"/\")] #[public] async fn list(&self) ..`",
        &args,
        item,
    )
}

/// Expands `#[throttle(..)]` where the compiler finds it: on a
/// `#[controller]` impl block above `#[controller]`, it moves below it
/// (where `#[controller]` reads it); anywhere else it is an error.
pub fn throttle(args: TokenStream, item: TokenStream) -> TokenStream {
    if let Some(mut block) = controller_block(&item) {
        block.attrs.push(syn::parse_quote!(#[throttle(#args)]));
        return block.into_token_stream();
    }
    stray_access(
        "throttle",
        "EL0038",
        "`#[post(\"/login\")] #[throttle(limit = 5, per = \"1m\")] async fn login(&self, ..) ..`",
        &TokenStream::new(),
        item,
    )
}

/// Expands `#[openapi(..)]` where the compiler finds it: `#[controller]`
/// takes it off its routes, so anywhere else it is an error.
pub fn openapi(_args: TokenStream, item: TokenStream) -> TokenStream {
    stray_access(
        "openapi",
        "EL0039",
        "`#[post(\"/login\")] #[openapi(operation_id = \"signIn\")] async fn login(&self, ..) ..`",
        &TokenStream::new(),
        item,
    )
}

/// Expands `#[requires(..)]` where the compiler finds it: on a
/// `#[controller]` impl block above `#[controller]`, it moves below it
/// (where `#[controller]` reads it); anywhere else it is an error.
pub fn requires(args: TokenStream, item: TokenStream) -> TokenStream {
    if let Some(mut block) = controller_block(&item) {
        block.attrs.push(syn::parse_quote!(#[requires(#args)]));
        return block.into_token_stream();
    }
    stray_access(
        "requires",
        "EL0037",
        "`#[delete(\"/{id}\")] #[requires(role = \"admin\")] async fn remove(&self, id: i64) ..`",
        &TokenStream::new(),
        item,
    )
}

/// `item` as an impl block with a `#[controller]` attribute, if it is one.
fn controller_block(item: &TokenStream) -> Option<syn::ItemImpl> {
    match syn::parse2::<syn::Item>(item.clone()) {
        Ok(syn::Item::Impl(block)) if block.attrs.iter().any(is_controller_attr) => Some(block),
        _ => None,
    }
}

fn is_controller_attr(attr: &syn::Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "controller")
}

/// `block` with `key` added to its `#[controller(..)]` arguments.
fn with_controller_key(mut block: syn::ItemImpl, key: &str) -> TokenStream {
    let key = Ident::new(key, Span::call_site());
    if let Some(attr) = block.attrs.iter_mut().find(|a| is_controller_attr(a)) {
        attr.meta = match &attr.meta {
            syn::Meta::List(list) if !list.tokens.is_empty() => {
                let (path, tokens) = (&list.path, &list.tokens);
                syn::parse_quote!(#path(#tokens, #key))
            }
            other => {
                let path = other.path();
                syn::parse_quote!(#path(#key))
            }
        };
    }
    block.into_token_stream()
}

/// The error of `#[name]` outside a controller (`example`: its right use).
fn stray_access(
    name: &str,
    code: &str,
    example: &str,
    args: &TokenStream,
    item: TokenStream,
) -> TokenStream {
    let places = if name == "openapi" {
        "on a route, next to its route attribute"
    } else {
        "on a route, next to its route attribute, or on the controller's impl block"
    };
    let message = format!(
        "`#[{name}]` is only read by `#[controller]`: {places} [{code}]\nhelp: write {example} inside `#[controller(\"/prefix\")] impl YourController {{ .. }}`"
    );
    let span = match syn::parse2::<syn::Item>(item.clone()) {
        Ok(syn::Item::Fn(f)) => f.sig.ident.span(),
        Ok(syn::Item::Struct(s)) => s.ident.span(),
        Ok(syn::Item::Enum(e)) => e.ident.span(),
        Ok(syn::Item::Impl(i)) => syn::spanned::Spanned::span(&i.self_ty),
        Ok(other) => syn::spanned::Spanned::span(&other),
        Err(_) => syn::parse2::<syn::ImplItemFn>(item.clone())
            .map(|f| f.sig.ident.span())
            .unwrap_or_else(|_| Span::call_site()),
    };
    let mut error = syn::Error::new(span, message);
    if !args.is_empty() {
        error.combine(syn::Error::new_spanned(
            args,
            crate::errors::coded(&format!("`#[{name}]` takes no arguments"), code),
        ));
    }
    with_item(item, error)
}

/// The controller's layers followed by the route's.
fn chain<'a, T>(controller: &'a [T], route: &'a [T]) -> Vec<&'a T> {
    controller.iter().chain(route).collect()
}

fn generate(controller: &Controller) -> TokenStream {
    let p = private();
    let item = &controller.item;
    let self_ty = &controller.self_ty;
    // Each route's description is written once, as static data in
    // `__ELIF_ROUTES`: `describe` turns them all into `RouteInfo`s, `routes`
    // hands each its own (no code per route for descriptions).
    let schemas = Schemas::of(controller);
    let specs = controller
        .routes
        .iter()
        .map(|route| spec(controller, route, &schemas));
    let schema_fns = schemas.functions();
    let count = Literal::usize_unsuffixed(controller.routes.len());
    let (route_items, routes) = routes(controller);
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
            static __ELIF_ROUTES: [#p::RouteSpec; #count] = [#(#specs),*];

            #schema_fns

            #route_items

            #[automatically_derived]
            impl #p::Controller for #self_ty {
                fn routes(self: ::std::sync::Arc<Self>, routes: &mut #p::Routes) {
                    #routes
                }

                fn describe() -> ::std::vec::Vec<#p::RouteInfo> {
                    #p::describe_routes(&__ELIF_ROUTES)
                }

                fn layers() -> ::std::vec::Vec<&'static #p::ProviderDescriptor> {
                    ::std::vec![#(#components),*]
                }
            }
        };
    }
}

/// The JSON Schema probes of a controller's argument and response types:
/// one function per distinct type (`__elif_schema_N`), which the routes'
/// descriptions point to.
struct Schemas<'a> {
    types: Vec<(String, &'a syn::Type)>,
    /// The routes' return types, each once.
    outputs: Vec<&'a syn::Type>,
}

impl<'a> Schemas<'a> {
    fn of(controller: &'a Controller) -> Self {
        let mut types: Vec<(String, &syn::Type)> = Vec::new();
        for route in &controller.routes {
            let used = route.arguments.iter().map(|a| &a.ty).chain([&route.output]);
            for ty in used {
                let text = ty.to_token_stream().to_string();
                if !types.iter().any(|(known, _)| *known == text) {
                    types.push((text, ty));
                }
            }
        }
        let mut outputs: Vec<&syn::Type> = Vec::new();
        for route in &controller.routes {
            let text = route.output.to_token_stream().to_string();
            if !outputs
                .iter()
                .any(|known| known.to_token_stream().to_string() == text)
            {
                outputs.push(&route.output);
            }
        }
        Self { types, outputs }
    }

    /// The name of the probe of `ty`.
    fn probe(&self, ty: &syn::Type) -> Ident {
        let text = ty.to_token_stream().to_string();
        let index = self
            .types
            .iter()
            .position(|(known, _)| *known == text)
            .unwrap_or_default();
        Ident::new(&format!("__elif_schema_{index}"), Span::call_site())
    }

    /// The probes: each gives its type's schema, if it has one (the probe
    /// needs the concrete type, so it is written here).
    fn functions(&self) -> TokenStream {
        let p = private();
        let functions = self.types.iter().map(|(_, ty)| {
            let name = self.probe(ty);
            quote! {
                fn #name() -> ::core::option::Option<#p::serde_json::Value> {
                    #[allow(unused_imports)]
                    use #p::{HasSchema as _, NoSchema as _};
                    (&&#p::SchemaProbe::<#ty>::new()).probe()
                }
            }
        });
        // Return types also say what they answer (`Created<T>`: 201).
        let outputs = self.outputs.iter().map(|ty| {
            let name = self.responds(ty);
            quote! {
                fn #name() -> ::core::option::Option<#p::ResponseDoc> {
                    #[allow(unused_imports)]
                    use #p::{HasResponseDoc as _, NoResponseDoc as _};
                    (&&#p::ResponseProbe::<#ty>::new()).probe()
                }
            }
        });
        quote!(#(#functions)* #(#outputs)*)
    }

    /// The name of the response probe of return type `ty`.
    fn responds(&self, ty: &syn::Type) -> Ident {
        let text = ty.to_token_stream().to_string();
        let index = self
            .outputs
            .iter()
            .position(|known| known.to_token_stream().to_string() == text)
            .unwrap_or_default();
        Ident::new(&format!("__elif_responds_{index}"), Span::call_site())
    }
}

/// The route's description, as a constant expression (a `RouteSpec`).
fn spec(controller: &Controller, route: &Route, schemas: &Schemas<'_>) -> TokenStream {
    let p = private();
    let method = &route.method;
    let path = &route.path;
    let handler = format!("{}::{}", controller.name, route.handler);
    let probe = |ty: &syn::Type| schemas.probe(ty);
    let typed = |from_path: bool| {
        let items = route
            .arguments
            .iter()
            .filter(|a| a.from_path == from_path)
            .map(|a| {
                let name = a.name.to_string();
                let name = name.strip_prefix("r#").unwrap_or(&name).to_owned();
                let rust_type = type_text(&a.ty);
                let schema = probe(&a.ty);
                quote!(#p::ArgumentSpec { name: #name, rust_type: #rust_type, schema: #schema })
            });
        quote!(&[#(#items),*])
    };
    let params = typed(true);
    let extractors = typed(false);
    let response = type_text(&route.output);
    let response_schema = probe(&route.output);
    let responds = schemas.responds(&route.output);
    let operation = openapi::spec(&route.doc, &controller.doc, route.openapi.as_ref());
    let names = |controller_level, route_level| {
        let names = chain(controller_level, route_level)
            .into_iter()
            .map(type_text);
        quote!(&[#(#names),*])
    };
    // Each guard's `AUTHENTICATES`, read where the guard is named: a type
    // that is no guard is reported there once, as for its `check`.
    let guards = chain(&controller.layers.guards, &route.layers.guards)
        .into_iter()
        .map(|g| {
            let name = type_text(g);
            let p = private_at(span_of(g));
            quote_spanned!(span_of(g)=> #p::GuardSpec {
                name: #name,
                authenticates: <#g as #p::Guard>::AUTHENTICATES,
                enforces: <#g as #p::Guard>::ENFORCES_REQUIREMENTS,
                security: <#g as #p::Guard>::security,
            })
        });
    let guards = quote!(&[#(#guards),*]);
    let public = controller.public || route.public;
    let requires = controller.requires.iter().chain(&route.requires).map(|r| {
        let name = &r.name;
        match r.kind {
            "role" => quote!(#p::Requirement::Role(#name)),
            _ => quote!(#p::Requirement::Permission(#name)),
        }
    });
    let access = quote!(#p::Access::new(#public, &[#(#requires),*]));
    let interceptors = names(&controller.layers.interceptors, &route.layers.interceptors);
    let filters = names(&controller.layers.filters, &route.layers.filters);
    let throttle = throttle_spec(controller, route);
    let body_limit = match route.body_limit {
        Some(limit) => quote!(::core::option::Option::Some(#limit)),
        None => quote!(::core::option::Option::None),
    };
    let line = quote_spanned!(route.handler.span()=> ::core::line!());
    quote! {
        #p::RouteSpec {
            method: #method,
            path: #path,
            handler: #handler,
            params: #params,
            extractors: #extractors,
            response: #response,
            response_schema: #response_schema,
            guards: #guards,
            access: #access,
            interceptors: #interceptors,
            filters: #filters,
            throttle: #throttle,
            body_limit: #body_limit,
            responds: #responds,
            operation: #operation,
            location: #p::Location { file: ::core::file!(), line: #line },
        }
    }
}

/// The route's limit: its own `#[throttle]`, else the controller's (one
/// limit its routes share, named after the controller), else the app's.
fn throttle_spec(controller: &Controller, route: &Route) -> TokenStream {
    let p = private();
    let (attr, default_name) = match (&route.throttle, &controller.throttle) {
        (Some(own), _) => (own, route.handler.to_string()),
        (None, Some(shared)) => (shared, controller.name.clone()),
        (None, None) => return quote!(#p::RouteThrottle::Default),
    };
    match attr {
        ThrottleAttr::Off => quote!(#p::RouteThrottle::Off),
        ThrottleAttr::Limit {
            limit,
            window_secs,
            burst,
            key,
            name,
        } => {
            let name = name.clone().unwrap_or(default_name);
            let key = match key {
                ThrottleKeyAttr::Ip => quote!(#p::ThrottleKey::Ip),
                ThrottleKeyAttr::User => quote!(#p::ThrottleKey::User),
                ThrottleKeyAttr::Token => quote!(#p::ThrottleKey::Token),
                ThrottleKeyAttr::Custom(path) => {
                    quote_spanned!(syn::spanned::Spanned::span(path)=> #p::ThrottleKey::Custom(#path))
                }
            };
            quote!(#p::RouteThrottle::Limit(#p::Throttle {
                name: #name,
                quota: #p::Quota::new(#limit, #window_secs).with_burst(#burst),
                key: #key,
            }))
        }
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
        .map(|i| Ident::new(&format!("{prefix}{i}"), Span::call_site()))
        .collect()
}

/// The body of `Controller::routes`, and the items it needs.
///
/// Every route of a controller is served by one function, `__elif_dispatch`,
/// given the controller's state and the route's index: the routes share one
/// actix service type, so actix's service machinery is compiled once per
/// controller, not once per route (and a change to one handler recompiles
/// that much less). Each route is one `async fn` (`__elif_route_N`); when
/// there are several, an enum with one variant per route holds whichever a
/// request runs (no boxing). Everything a request needs from its route sits
/// behind one `Rc`, so a request costs one non-atomic increment, not one per
/// component. The items are named, so that the types built on them have
/// short names (debug info is much of what a change recompiles).
fn routes(controller: &Controller) -> (TokenStream, TokenStream) {
    let p = private();
    let count = controller.routes.len();
    if count == 0 {
        return (TokenStream::new(), quote!(let _ = (self, routes);));
    }
    let component_types = controller.routes.iter().map(|route| {
        let layers = layers(controller, route);
        let types = layers.components().map(|ty| quote!(::std::sync::Arc<#ty>));
        let scoped = scoped_arguments(route).map(|(_, inner)| quote!(#p::ScopedProvider<#inner>));
        quote!((#(#types,)* #(#scoped,)*))
    });
    let self_ty = &controller.self_ty;
    let components = controller.routes.iter().map(|route| {
        let layers = layers(controller, route);
        let resolve = layers
            .components()
            .map(|ty| quote_spanned!(span_of(ty)=> routes.provider::<#ty>()));
        let scoped = scoped_arguments(route)
            .map(|(_, inner)| quote_spanned!(span_of(inner)=> routes.scoped::<#inner>()));
        quote!((#(#resolve,)* #(#scoped,)*))
    });
    let names = slots("__elif_route_", count);
    let functions = controller.routes.iter().enumerate().map(|(index, route)| {
        let name = &names[index];
        let body = route_future(controller, route, index);
        quote! {
            async fn #name(
                __elif_state: ::std::rc::Rc<__ElifState>,
                __elif_service_request: #p::ServiceRequest,
            ) -> #p::RouteResult #body
        }
    });
    let variants = slots("R", count);
    let params = slots("F", count);
    let arms = names.iter().enumerate().map(|(index, name)| {
        let future = quote!(#name(__elif_state, __elif_service_request));
        let future = if count == 1 {
            future
        } else {
            let variant = &variants[index];
            quote!(__ElifRoute::#variant { future: #future })
        };
        if index + 1 == count {
            quote!(_ => #future)
        } else {
            let index = Literal::usize_unsuffixed(index);
            quote!(#index => #future,)
        }
    });
    let add = controller.routes.iter().enumerate().map(|(index, route)| {
        let index = Literal::usize_unsuffixed(index);
        let info = quote!(__ELIF_ROUTES[#index].info());
        let middleware = chain(&controller.layers.middleware, &route.layers.middleware);
        if middleware.is_empty() {
            quote!(routes.add_route(#info, &__elif_state, __elif_dispatch, #index);)
        } else {
            // The first middleware listed is the outermost: wrapped last.
            let layers = middleware.iter().rev();
            quote!(routes.add_route_wrapped(#info, &__elif_state, __elif_dispatch, #index, |route| route #(.wrap(#layers))*);)
        }
    });
    let body = quote! {
        let __elif_state = ::std::rc::Rc::new(__ElifState {
            this: self,
            layers: routes.app_layers(),
            routes: (#(#components,)*),
        });
        let __elif_dispatch = #p::dispatch(
            &__elif_state,
            |__elif_state, __elif_index, __elif_service_request| match __elif_index {
                #(#arms)*
            },
        );
        #(#add)*
    };
    let future_type = (count > 1).then(|| {
        quote! {
            #p::pin_project! {
                #[project = __ElifRouteProjection]
                enum __ElifRoute<#(#params),*> {
                    #(#variants { #[pin] future: #params },)*
                }
            }

            impl<#(#params),*> ::core::future::Future for __ElifRoute<#(#params),*>
            where
                #(#params: ::core::future::Future<Output = #p::RouteResult>,)*
            {
                type Output = #p::RouteResult;

                fn poll(
                    self: ::core::pin::Pin<&mut Self>,
                    cx: &mut ::core::task::Context<'_>,
                ) -> ::core::task::Poll<#p::RouteResult> {
                    match self.project() {
                        #(__ElifRouteProjection::#variants { future } => future.poll(cx),)*
                    }
                }
            }
        }
    });
    // The controller's state: itself, the layers around its routes, and the
    // components each route names.
    let items = quote! {
        struct __ElifState {
            this: ::std::sync::Arc<#self_ty>,
            layers: ::std::rc::Rc<#p::AppLayers>,
            routes: (#(#component_types,)*),
        }

        #future_type

        #(#functions)*

    };
    (items, body)
}

/// The route's arguments written `Scoped<X>` (by the type's last segment),
/// with `X`: their providers are found once, at mount, and kept in the
/// route's state, so that a request takes them without a lookup. (An alias
/// of `Scoped<X>` goes through the plain extractor, which looks `X` up.)
fn scoped_arguments(route: &Route) -> impl Iterator<Item = (&parse::Argument, &syn::Type)> {
    route
        .arguments
        .iter()
        .filter(|argument| !argument.from_path)
        .filter_map(|argument| scoped_inner(&argument.ty).map(|inner| (argument, inner)))
}

/// `X` of `Scoped<X>` (or `elif::http::Scoped<X>`).
fn scoped_inner(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != "Scoped" {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) if args.args.len() == 1 => match &args.args[0] {
            syn::GenericArgument::Type(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}

/// What runs around one route: the controller's layers, then the route's.
struct RouteLayers<'a> {
    guards: Vec<&'a syn::Type>,
    interceptors: Vec<&'a syn::Type>,
    filters: Vec<&'a syn::Type>,
}

impl RouteLayers<'_> {
    /// The components the route resolves, in the order of its state's slots.
    fn components(&self) -> impl Iterator<Item = &syn::Type> {
        self.guards
            .iter()
            .chain(&self.interceptors)
            .chain(&self.filters)
            .copied()
    }
}

fn layers<'a>(controller: &'a Controller, route: &'a Route) -> RouteLayers<'a> {
    RouteLayers {
        guards: chain(&controller.layers.guards, &route.layers.guards),
        interceptors: chain(&controller.layers.interceptors, &route.layers.interceptors),
        filters: chain(&controller.layers.filters, &route.layers.filters),
    }
}

/// The body of the `async fn` that answers one request to route `index`
/// (from `__elif_service_request` and the controller's `__elif_state`).
/// Guards run first (the app's and module's, boxed; then the attributes',
/// static), then the arguments are taken: every step may stop the route
/// with an error (`break '__elif_route`), which filters see. The steps are
/// written in this one future, without nested futures per route.
fn route_future(controller: &Controller, route: &Route, index: usize) -> TokenStream {
    let p = private();
    let handler = &route.handler;
    let request = Ident::new("__elif_request", Span::call_site());
    let payload = Ident::new("__elif_payload", Span::call_site());
    let cx = Ident::new("__elif_cx", Span::call_site());
    let RouteLayers {
        guards,
        interceptors,
        filters,
    } = layers(controller, route);
    let guard_slots = slots("__elif_guard_", guards.len());
    let interceptor_slots = slots("__elif_interceptor_", interceptors.len());
    let filter_slots = slots("__elif_filter_", filters.len());
    let scoped_slots = slots("__elif_scoped_", scoped_arguments(route).count());
    let all_slots = guard_slots
        .iter()
        .chain(&interceptor_slots)
        .chain(&filter_slots)
        .chain(&scoped_slots);
    let mut scoped_slot = scoped_slots.iter();
    let slot = Literal::usize_unsuffixed(index);
    let check_guards = guards.iter().zip(&guard_slots).map(|(g, slot)| {
        quote_spanned! {span_of(g)=>
            if let ::core::result::Result::Err(error) = <#g as #p::Guard>::check(#slot, &#cx).await {
                break '__elif_route __ElifErr(error);
            }
        }
    });
    let arguments = route.arguments.iter().map(|argument| {
        let name = &argument.name;
        let ty = &argument.ty;
        let key = name.to_string();
        let key = key.strip_prefix("r#").unwrap_or(&key).to_owned();
        let p = private_at(span_of(ty));
        let value = if argument.from_path {
            quote_spanned!(span_of(ty)=> #p::path_param::<#ty>(&#request, #key))
        } else if scoped_inner(ty).is_some() {
            let slot = scoped_slot.next();
            quote_spanned!(span_of(ty)=> #slot.extract(&#request).await)
        } else {
            // Every token of the call, the type's included, is spanned at
            // the type's first token: the call, its bound and its `.await`
            // then fail at one span, which rustc reports once.
            let one = crate::paths::respan(ty.to_token_stream(), span_of(ty));
            quote_spanned!(span_of(ty)=> #p::extract::<#one>(&#request, &mut #payload).await)
        };
        quote! {
            let #name = match #value {
                __ElifOk(value) => value,
                __ElifErr(error) => break '__elif_route __ElifErr(error),
            };
        }
    });
    let names = route.arguments.iter().map(|a| &a.name);
    let set_body_limit = route
        .body_limit
        .map(|limit| quote!(#p::set_body_limit(&#request, #limit);));
    // The handler's output becomes its response in one place, with the
    // return type named (`__elif_reply`): an output that is no response is
    // one compile error, at the return type. Everything after it sees a
    // response.
    let output = &route.output;
    let p_out = private_at(span_of(output));
    let call = quote_spanned! {span_of(output)=>
        let __elif_reply = #p_out::reply::<#output>;
        let __elif_call = __elif_this.#handler(#(#names),*);
    };
    // The app's and module's interceptors wrap the handler (awaited in place
    // when there are none); the route's own sit inside them, the first
    // listed outermost.
    let call = if interceptors.is_empty() {
        quote! {
            #call
            if #p::has_app_interceptors(__elif_layers) {
                let #request = &#request;
                #p::run_app_interceptors(
                    __elif_layers,
                    &#cx,
                    ::std::boxed::Box::pin(async move {
                        ::core::result::Result::Ok(__elif_reply(__elif_call.await, #request))
                    }),
                )
                .await
            } else {
                ::core::result::Result::Ok(__elif_reply(__elif_call.await, &#request))
            }
        }
    } else {
        let wrap = interceptors.iter().zip(&interceptor_slots).rev().map(|(ty, slot)| {
            quote_spanned!(span_of(ty)=> let __elif_next = <#ty as #p::Interceptor>::intercept(#slot, &#cx, __elif_next);)
        });
        quote! {
            #call
            let #request = &#request;
            let __elif_next = async move {
                ::core::result::Result::Ok(__elif_reply(__elif_call.await, #request))
            };
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
    quote! {
        {
            // (A `break` value that starts with `::` reads as a labelled
            // loop to syn, which `elif expand` uses.)
            #[allow(unused_imports)]
            use ::core::result::Result::{Err as __ElifErr, Ok as __ElifOk};
            #[allow(unused_mut, unused_variables)]
            let (#request, mut #payload) = __elif_service_request.into_parts();
            let __elif_this = &__elif_state.this;
            let __elif_layers = &__elif_state.layers;
            #[allow(unused_variables)]
            let (#(#all_slots,)*) = &__elif_state.routes.#slot;
            let #cx = #p::RequestContext::with_access(&#request, &__ELIF_ROUTES[#slot].access);
            let __elif_outcome: #p::Result<#p::HttpResponse> = '__elif_route: {
                if #p::has_app_guards(__elif_layers) {
                    if let ::core::result::Result::Err(error) = #p::run_app_guards(__elif_layers, &#cx).await {
                        break '__elif_route __ElifErr(error);
                    }
                }
                #(#check_guards)*
                match #p::throttle(&#cx, &__ELIF_ROUTES[#slot].throttle) {
                    #p::Throttled::Pass => {}
                    #p::Throttled::Refused(error) => break '__elif_route __ElifErr(error),
                    #p::Throttled::Wait(check) => {
                        if let ::core::result::Result::Err(error) = check.await {
                            break '__elif_route __ElifErr(error);
                        }
                    }
                }
                #set_body_limit
                #(#arguments)*
                #call
            };
            #catch
            let __elif_outcome = #p::catch_app(__elif_layers, &#cx, __elif_outcome);
            #p::finish(#request, __elif_outcome)
        }
    }
}
