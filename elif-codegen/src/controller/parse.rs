//! `#[controller]`: from attribute and impl block to a checked description.

use std::collections::HashMap;

use darling::FromMeta;
use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::spanned::Spanned;

use crate::attr::{self, Exprs, Flag, Positional, Spec, Types};
use crate::errors::{Errors, closest, coded};

/// Route attributes, by name, with their HTTP method.
pub(crate) const ROUTE_ATTRIBUTES: &[(&str, &str)] = &[
    ("get", "GET"),
    ("post", "POST"),
    ("put", "PUT"),
    ("patch", "PATCH"),
    ("delete", "DELETE"),
    ("head", "HEAD"),
    ("options", "OPTIONS"),
    ("route", ""),
];

const LAYER_KEYS: &[&str] = &[
    "guards",
    "interceptors",
    "filters",
    "middleware",
    "body_limit",
];

/// `#[controller("/prefix", guards(..))]`, `#[get("/path", guards(..))]`.
const fn spec(attribute: &'static str, keys: &'static [&'static str]) -> Spec {
    Spec {
        attribute,
        keys,
        nested: &[],
        positional: Positional::Literal,
    }
}

const CONTROLLER_SPEC: Spec = spec(
    "#[controller]",
    &["guards", "interceptors", "filters", "middleware", "public"],
);

/// The spec of a route attribute: `#[route]` also takes `method`.
fn route_spec(name: &str) -> Spec {
    match name {
        "get" => spec("#[get]", LAYER_KEYS),
        "post" => spec("#[post]", LAYER_KEYS),
        "put" => spec("#[put]", LAYER_KEYS),
        "patch" => spec("#[patch]", LAYER_KEYS),
        "delete" => spec("#[delete]", LAYER_KEYS),
        "head" => spec("#[head]", LAYER_KEYS),
        "options" => spec("#[options]", LAYER_KEYS),
        _ => spec(
            "#[route]",
            &[
                "guards",
                "interceptors",
                "filters",
                "middleware",
                "body_limit",
                "method",
            ],
        ),
    }
}

/// One argument of a handler.
pub(crate) struct Argument {
    /// Its name.
    pub(crate) name: syn::Ident,
    /// Its type.
    pub(crate) ty: syn::Type,
    /// Whether a `{name}` of the template fills it.
    pub(crate) from_path: bool,
}

/// One route: a handler method and its attribute.
pub(crate) struct Route {
    /// `GET`, `POST`...
    pub(crate) method: String,
    /// The full template, prefix included.
    pub(crate) path: String,
    /// The handler's name.
    pub(crate) handler: syn::Ident,
    /// Its arguments after `&self`.
    pub(crate) arguments: Vec<Argument>,
    /// Its return type (`()` when none).
    pub(crate) output: syn::Type,
    /// The route's own guards, interceptors, filters and middleware.
    pub(crate) layers: Layers,
    /// `#[public]` on the handler.
    pub(crate) public: bool,
    /// `#[requires(..)]` on the handler.
    pub(crate) requires: Vec<Requirement>,
    /// `#[throttle(..)]` on the handler.
    pub(crate) throttle: Option<ThrottleAttr>,
    /// `body_limit = ..` on the route attribute, in bytes.
    pub(crate) body_limit: Option<usize>,
    /// Its doc comment.
    pub(crate) doc: String,
    /// Its `#[openapi(..)]`.
    pub(crate) openapi: Option<super::openapi::OpenApiAttr>,
}

/// A checked `#[throttle(..)]`.
#[derive(Clone)]
pub(crate) enum ThrottleAttr {
    /// `#[throttle(off)]`: no limit, not even the app's.
    Off,
    /// A limit of its own.
    Limit {
        limit: u32,
        window_secs: u64,
        burst: u32,
        key: ThrottleKeyAttr,
        /// `name = ".."`, if given.
        name: Option<String>,
    },
}

/// Whose requests share a `#[throttle]` limit.
#[derive(Clone)]
pub(crate) enum ThrottleKeyAttr {
    Ip,
    User,
    Token,
    /// `key = path::to::function`.
    Custom(syn::Path),
}

/// One `#[requires(role = "admin")]` or `#[requires(permission = "..")]`.
#[derive(Clone)]
pub(crate) struct Requirement {
    /// `role` or `permission`.
    pub(crate) kind: &'static str,
    /// The role's or permission's name.
    pub(crate) name: String,
}

/// What runs around handlers, named on a controller or a route.
#[derive(Default)]
pub(crate) struct Layers {
    /// `guards(A, B)`
    pub(crate) guards: Vec<syn::Type>,
    /// `interceptors(A, B)`: the first listed is the outermost.
    pub(crate) interceptors: Vec<syn::Type>,
    /// `filters(A, B)`: tried in order on errors.
    pub(crate) filters: Vec<syn::Type>,
    /// `middleware(expr, ..)`: actix-web `Transform` values; the first listed is the outermost.
    pub(crate) middleware: Vec<syn::Expr>,
}

/// A checked `#[controller]` impl block.
pub(crate) struct Controller {
    /// The impl block, route attributes removed.
    pub(crate) item: syn::ItemImpl,
    /// The controller type.
    pub(crate) self_ty: syn::Type,
    /// Its name, for messages and descriptions.
    pub(crate) name: String,
    /// Guards, interceptors, filters and middleware of every route.
    pub(crate) layers: Layers,
    /// `#[public]` on the impl block (or `public` in its attribute): every
    /// route is public.
    pub(crate) public: bool,
    /// `#[requires(..)]` on the impl block: every route requires them.
    pub(crate) requires: Vec<Requirement>,
    /// `#[throttle(..)]` on the impl block: one limit its routes share.
    pub(crate) throttle: Option<ThrottleAttr>,
    /// The routes, in declaration order.
    pub(crate) routes: Vec<Route>,
    /// The impl block's doc comment (the controller's tag in OpenAPI).
    pub(crate) doc: String,
}

/// The keys of a controller or route attribute, as written:
/// `guards(A, B), interceptors(..), filters(..), middleware(..)`; on
/// `#[route]`, `method = "PURGE"`; on `#[controller]`, `public`.
#[derive(Default, FromMeta)]
#[darling(default)]
struct Args {
    guards: Types,
    interceptors: Types,
    filters: Types,
    middleware: Exprs,
    method: Option<syn::LitStr>,
    public: Flag,
    body_limit: Option<syn::LitInt>,
}

impl Args {
    fn layers(self) -> Layers {
        Layers {
            guards: self.guards.0,
            interceptors: self.interceptors.0,
            filters: self.filters.0,
            middleware: self.middleware.0,
        }
    }
}

/// A template error at the literal, with the template and a caret line.
fn template_error(
    errors: &mut Errors,
    literal: &syn::LitStr,
    template: &str,
    error: &elif_route::TemplateError,
) {
    let message = format!(
        "malformed route template: {}\n{}\nhelp: {}",
        error.message,
        error.pointer(template),
        error.help
    );
    errors.push(syn::Error::new_spanned(literal, coded(&message, "EL0020")));
}

/// Parses and checks `#[controller(args)] impl Type { ... }`.
pub(crate) fn parse(
    args: TokenStream,
    item: syn::Item,
) -> Result<Controller, (syn::Error, TokenStream)> {
    let mut errors = Errors::new();
    let args = attr::parse::<Args>(args, &CONTROLLER_SPEC, &mut errors);
    let mut item = match item {
        syn::Item::Impl(item) if item.trait_.is_none() => item,
        other => {
            errors.at(
                &other,
                "EL0024",
                "`#[controller]` goes on an inherent `impl` block of an `#[injectable]` struct\nhelp: write `#[controller(\"/posts\")] impl PostsController { #[get(\"/\")] async fn list(&self) ... }`",
            );
            let tokens = other.to_token_stream();
            let error = errors.finish().err();
            return Err((
                error.unwrap_or_else(|| syn::Error::new(Span::call_site(), "not an impl")),
                tokens,
            ));
        }
    };
    if !item.generics.params.is_empty() {
        errors.at(&item.generics, "EL0004", "a controller cannot be generic");
    }
    let prefix = args.positional.as_ref().map(syn::LitStr::value);
    if let (Some(text), Some(literal)) = (&prefix, &args.positional)
        && let Err(error) = elif_route::Template::parse(text)
    {
        template_error(&mut errors, literal, text, &error);
    }
    let prefix = prefix.unwrap_or_default();
    let public = args.keyed.public.is_present() | take_public(&mut item.attrs, &mut errors);
    let requires = take_requires(&mut item.attrs, &mut errors);
    let throttle = take_throttle(&mut item.attrs, &mut errors);
    let doc = super::openapi::doc_comment(&item.attrs);
    let layers = args.keyed.layers();
    let self_ty = (*item.self_ty).clone();
    let name = match &self_ty {
        syn::Type::Path(path) => path
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default(),
        other => other.to_token_stream().to_string(),
    };
    let mut routes = Vec::new();
    for impl_item in &mut item.items {
        let syn::ImplItem::Fn(function) = impl_item else {
            continue;
        };
        let inherited = Inherited {
            public,
            requires: requires.first(),
        };
        if let Some(route) = route_of(function, &prefix, &inherited, &mut errors) {
            routes.push(route);
        }
    }
    let controller = Controller {
        item,
        self_ty,
        name,
        layers,
        public,
        requires,
        throttle,
        routes,
        doc,
    };
    check(&controller, &mut errors);
    match errors.finish() {
        Ok(()) => Ok(controller),
        Err(error) => Err((error, controller.item.to_token_stream())),
    }
}

/// The rules between routes: no two answer the same method and path.
fn check(controller: &Controller, errors: &mut Errors) {
    let mut seen: HashMap<(&str, String), &syn::Ident> = HashMap::new();
    for route in &controller.routes {
        let key = (route.method.as_str(), elif_route::shape(&route.path));
        if let Some(first) = seen.get(&key) {
            errors.at(
                &route.handler,
                "EL0023",
                format!(
                    "`{}` answers {} {} like `{first}` does\nhelp: parameter names do not make paths different; change the method or the path",
                    route.handler, route.method, route.path
                ),
            );
        } else {
            seen.insert(key, &route.handler);
        }
    }
}
/// Whether `path` names elif's `#[public]` (`public`, `elif::public`).
pub(crate) fn is_public(path: &syn::Path) -> bool {
    path.is_ident("public")
        || (path.segments.len() == 2
            && path.segments[0].ident == "elif"
            && path.segments[1].ident == "public")
}

/// Takes every `#[public]` off `attrs`: whether there was one. One with
/// arguments is an error.
fn take_public(attrs: &mut Vec<syn::Attribute>, errors: &mut Errors) -> bool {
    let before = attrs.len();
    attrs.retain(|attr| {
        if !is_public(attr.path()) {
            return true;
        }
        if !matches!(attr.meta, syn::Meta::Path(_)) {
            errors.at(attr, "EL0036", "`#[public]` takes no arguments");
        }
        false
    });
    attrs.len() != before
}

/// Whether `path` names elif's `#[requires]`.
pub(crate) fn is_requires(path: &syn::Path) -> bool {
    path.is_ident("requires")
        || (path.segments.len() == 2
            && path.segments[0].ident == "elif"
            && path.segments[1].ident == "requires")
}

/// The keys of `#[requires(..)]`.
#[derive(Default, FromMeta)]
#[darling(default)]
struct RequiresArgs {
    role: Option<syn::LitStr>,
    permission: Option<syn::LitStr>,
}

const REQUIRES_SPEC: Spec = Spec::keys("#[requires]", &["role", "permission"]);

/// Takes every `#[requires(..)]` off `attrs`, checked: each names a role
/// or a permission (or both), none empty.
fn take_requires(attrs: &mut Vec<syn::Attribute>, errors: &mut Errors) -> Vec<Requirement> {
    let mut found = Vec::new();
    attrs.retain(|attr| {
        if !is_requires(attr.path()) {
            return true;
        }
        found.push(attr.clone());
        false
    });
    let mut requires = Vec::new();
    for attr in found {
        let tokens = match &attr.meta {
            syn::Meta::List(list) => list.tokens.clone(),
            _ => TokenStream::new(),
        };
        let before = requires.len();
        let args = attr::parse::<RequiresArgs>(tokens.clone(), &REQUIRES_SPEC, errors).keyed;
        for (kind, value) in [("role", args.role), ("permission", args.permission)] {
            let Some(value) = value else { continue };
            if value.value().trim().is_empty() {
                errors.at(&value, "EL0037", format!("`{kind}` names no {kind}"));
                continue;
            }
            requires.push(Requirement {
                kind,
                name: value.value(),
            });
        }
        if requires.len() == before && tokens.is_empty() {
            errors.at(
                &attr,
                "EL0037",
                "`#[requires]` names what a caller must have: `#[requires(role = \"admin\")]` or `#[requires(permission = \"posts.delete\")]`",
            );
        }
    }
    requires
}

/// What every route of a controller has from its impl block.
struct Inherited<'a> {
    public: bool,
    requires: Option<&'a Requirement>,
}

/// Takes the route attribute off a method (if it has one) and checks the
/// handler; `inherited` is what the impl block gives every route.
fn route_of(
    function: &mut syn::ImplItemFn,
    prefix: &str,
    inherited: &Inherited<'_>,
    errors: &mut Errors,
) -> Option<Route> {
    let public_attr = function
        .attrs
        .iter()
        .find(|attr| is_public(attr.path()))
        .cloned();
    let public = take_public(&mut function.attrs, errors);
    let requires_attr = function
        .attrs
        .iter()
        .find(|attr| is_requires(attr.path()))
        .cloned();
    let requires = take_requires(&mut function.attrs, errors);
    let throttle_attr = function
        .attrs
        .iter()
        .find(|attr| is_throttle(attr.path()))
        .cloned();
    let throttle = take_throttle(&mut function.attrs, errors);
    let openapi_attr = function
        .attrs
        .iter()
        .find(|attr| super::openapi::is_openapi(attr.path()))
        .cloned();
    let openapi = super::openapi::take(&mut function.attrs, errors);
    let doc = super::openapi::doc_comment(&function.attrs);
    let mut found: Vec<(syn::Attribute, &'static str)> = Vec::new();
    function.attrs.retain(|attr| {
        let method = ROUTE_ATTRIBUTES
            .iter()
            .find(|(name, _)| attr.path().is_ident(name));
        match method {
            Some((_, method)) => {
                found.push((attr.clone(), method));
                false
            }
            None => true,
        }
    });
    let (attr, method) = match found.len() {
        0 => {
            if let Some(attr) = requires_attr {
                errors.at(
                    &attr,
                    "EL0037",
                    format!(
                        "`#[requires]` on `{}`, which is not a route\nhelp: `#[requires]` goes next to a route attribute, or on the impl block for every route",
                        function.sig.ident
                    ),
                );
            }
            if let Some(attr) = throttle_attr {
                errors.at(
                    &attr,
                    "EL0038",
                    format!(
                        "`#[throttle]` on `{}`, which is not a route\nhelp: `#[throttle]` goes next to a route attribute, or on the impl block for a limit its routes share",
                        function.sig.ident
                    ),
                );
            }
            if let Some(attr) = openapi_attr {
                errors.at(
                    &attr,
                    "EL0039",
                    format!(
                        "`#[openapi]` on `{}`, which is not a route\nhelp: `#[openapi(..)]` goes next to a route attribute",
                        function.sig.ident
                    ),
                );
            }
            if let Some(attr) = public_attr {
                errors.at(
                    &attr,
                    "EL0036",
                    format!(
                        "`#[public]` on `{}`, which is not a route\nhelp: `#[public]` goes next to a route attribute (`#[get(\"/\")] #[public]`), or on the impl block for every route",
                        function.sig.ident
                    ),
                );
            }
            return None;
        }
        1 => found.remove(0),
        _ => {
            errors.at(
                &found[1].0,
                "EL0023",
                "a handler has one route attribute; declare another handler for the second route",
            );
            found.remove(0)
        }
    };
    let name = attr
        .path()
        .get_ident()
        .map(ToString::to_string)
        .unwrap_or_default();
    let tokens = match &attr.meta {
        syn::Meta::List(list) => list.tokens.clone(),
        _ => TokenStream::new(),
    };
    let args = attr::parse::<Args>(tokens, &route_spec(&name), errors);
    let Some(literal) = args.positional.clone() else {
        errors.at(
            &attr,
            "EL0020",
            format!("`#[{name}]` needs a path: `#[{name}(\"/posts/{{id}}\")]`"),
        );
        return None;
    };
    let args = args.keyed;
    let body_limit = match &args.body_limit {
        None => None,
        Some(limit) => match limit.base10_parse::<usize>() {
            Ok(0) | Err(_) => {
                errors.at(
                    limit,
                    "EL0002",
                    "`body_limit` is the route's largest body in bytes, at least 1 (`body_limit = 10_485_760` for 10 MiB)",
                );
                None
            }
            Ok(n) => Some(n),
        },
    };
    let method = if name == "route" {
        let Some(method) = &args.method else {
            errors.at(
                &attr,
                "EL0002",
                "`#[route]` needs a method: `#[route(\"/path\", method = \"PURGE\")]`",
            );
            return None;
        };
        let text = method.value().to_ascii_uppercase();
        if !elif_route::METHODS.contains(&text.as_str()) {
            let suggestion = closest(&text, elif_route::METHODS)
                .map(|near| format!("; did you mean \"{near}\"?"))
                .unwrap_or_default();
            errors.at(
                method,
                "EL0006",
                format!(
                    "`{}` is not an HTTP method elif knows{suggestion}\nhelp: a method of the IANA registry (GET, POST, PUT, PATCH, DELETE, QUERY, PROPFIND, ...) or PURGE; for the common ones, `#[get]`, `#[post]`, ... read better",
                    method.value()
                ),
            );
            return None;
        }
        text
    } else {
        method.to_owned()
    };
    let template = literal.value();
    if let Err(error) = elif_route::Template::parse(&template) {
        template_error(errors, &literal, &template, &error);
        return None;
    }
    let path = elif_route::join(prefix, &template);
    // Parameters come from the prefix too (`#[controller("/users/{user_id}")]`).
    let parsed = match elif_route::Template::parse(&path) {
        Ok(joined) => joined,
        // An invalid prefix is reported once, at the prefix.
        Err(_) if elif_route::Template::parse(prefix).is_err() && !prefix.is_empty() => {
            return None;
        }
        Err(error) => {
            let message = format!(
                "malformed route template: {} (in the prefix and path joined)\n{}\nhelp: {}",
                error.message,
                error.pointer(&path),
                error.help
            );
            errors.push(syn::Error::new_spanned(&literal, coded(&message, "EL0020")));
            return None;
        }
    };

    let sig = &function.sig;
    if sig.asyncness.is_none() {
        errors.at(
            sig.fn_token,
            "EL0025",
            "a handler must be `async fn`\nhelp: write `async fn name(&self, ...)`",
        );
    }
    if !sig.generics.params.is_empty() {
        errors.at(&sig.generics, "EL0025", "a handler cannot be generic");
    }
    let mut inputs = sig.inputs.iter();
    match inputs.next() {
        Some(syn::FnArg::Receiver(receiver))
            if receiver.reference.is_some() && receiver.mutability.is_none() => {}
        Some(other) => errors.at(other, "EL0025", "a handler's first parameter is `&self`"),
        None => errors.at(
            &sig.ident,
            "EL0025",
            "a handler's first parameter is `&self`",
        ),
    }
    let params: Vec<&str> = parsed.params().collect();
    let mut arguments = Vec::new();
    for input in inputs {
        let syn::FnArg::Typed(typed) = input else {
            continue;
        };
        let syn::Pat::Ident(pat) = &*typed.pat else {
            errors.at(
                &typed.pat,
                "EL0025",
                "handler arguments are plain names: `id: u64`",
            );
            continue;
        };
        let arg_name = pat.ident.to_string();
        let arg_name = arg_name.strip_prefix("r#").unwrap_or(&arg_name).to_owned();
        arguments.push(Argument {
            name: pat.ident.clone(),
            ty: (*typed.ty).clone(),
            from_path: params.contains(&arg_name.as_str()),
        });
    }
    for part in parsed.parts() {
        if let elif_route::Part::Param { name: param, at } = part
            && !arguments
                .iter()
                .any(|a| a.from_path && a.name.to_string().trim_start_matches("r#") == param)
        {
            {
                let error = elif_route::TemplateError {
                    message: format!("`{{{param}}}` has no handler argument named `{param}`"),
                    at: *at..*at + param.len() + 2,
                    help: "",
                };
                let message = format!(
                    "route parameter `{{{param}}}` has no argument named `{param}`\n{}\nhelp: add `{param}: <type>` to `{}`, or rename the parameter",
                    error.pointer(&path),
                    sig.ident
                );
                errors.push(syn::Error::new_spanned(&literal, coded(&message, "EL0021")));
            }
        }
    }
    let output = match &sig.output {
        syn::ReturnType::Default => syn::parse_quote!(()),
        syn::ReturnType::Type(_, ty) => (**ty).clone(),
    };
    let required = inherited.requires.or(requires.first());
    if let (true, Some(first)) = (inherited.public || public, required) {
        errors.at(
            &sig.ident,
            "EL0037",
            format!(
                "`{}` is `#[public]` and `#[requires({} = \"{}\")]`: a public route admits anonymous requests, which hold no role or permission\nhelp: drop one of them (a `#[public]` impl block makes every route public)",
                sig.ident, first.kind, first.name
            ),
        );
    }
    Some(Route {
        method,
        path,
        handler: sig.ident.clone(),
        arguments,
        output,
        layers: args.layers(),
        public,
        requires,
        throttle,
        body_limit,
        doc,
        openapi,
    })
}

/// Whether `path` names elif's `#[throttle]`.
pub(crate) fn is_throttle(path: &syn::Path) -> bool {
    path.is_ident("throttle")
        || (path.segments.len() == 2
            && path.segments[0].ident == "elif"
            && path.segments[1].ident == "throttle")
}

/// The keys of `#[throttle(..)]`.
#[derive(Default, FromMeta)]
#[darling(default)]
struct ThrottleArgs {
    limit: Option<syn::LitInt>,
    per: Option<syn::Lit>,
    burst: Option<syn::LitInt>,
    key: Option<KeyArg>,
    name: Option<syn::LitStr>,
    off: Flag,
}

/// `key = "user"` or `key = path::to::function`, as written.
enum KeyArg {
    Text(syn::LitStr),
    Path(syn::Path),
    Other(syn::Expr),
}

impl FromMeta for KeyArg {
    fn from_expr(expr: &syn::Expr) -> darling::Result<Self> {
        Ok(match expr {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(text),
                ..
            }) => Self::Text(text.clone()),
            syn::Expr::Path(path) => Self::Path(path.path.clone()),
            other => Self::Other(other.clone()),
        })
    }
}

const THROTTLE_SPEC: Spec = Spec::keys(
    "#[throttle]",
    &["limit", "per", "burst", "key", "name", "off"],
);

const THROTTLE_EXAMPLE: &str = "`#[throttle(limit = 5, per = \"1m\", key = \"user\")]`";

/// Takes `#[throttle(..)]` off `attrs`, checked: a positive limit per a
/// duration, or `off`. A second one is an error.
fn take_throttle(attrs: &mut Vec<syn::Attribute>, errors: &mut Errors) -> Option<ThrottleAttr> {
    let mut found = Vec::new();
    attrs.retain(|attr| {
        if !is_throttle(attr.path()) {
            return true;
        }
        found.push(attr.clone());
        false
    });
    if let Some(second) = found.get(1) {
        errors.at(
            second,
            "EL0038",
            "one `#[throttle]` per route or controller; merge them",
        );
    }
    let attr = found.into_iter().next()?;
    let tokens = match &attr.meta {
        syn::Meta::List(list) => list.tokens.clone(),
        _ => TokenStream::new(),
    };
    let before = errors.count();
    let args = attr::parse::<ThrottleArgs>(tokens, &THROTTLE_SPEC, errors).keyed;
    if errors.count() > before {
        // A key misspelt or given twice: said once, not again as missing.
        return None;
    }
    if args.off.is_present() {
        if args.limit.is_some() || args.per.is_some() || args.burst.is_some() || args.key.is_some()
        {
            errors.at(
                &attr,
                "EL0038",
                "`#[throttle(off)]` takes no other key: the route has no limit",
            );
        }
        return Some(ThrottleAttr::Off);
    }
    let Some(limit) = args.limit else {
        errors.at(
            &attr,
            "EL0038",
            format!(
                "`#[throttle]` needs `limit` and `per`: {THROTTLE_EXAMPLE}, or `#[throttle(off)]`"
            ),
        );
        return None;
    };
    let limit = match limit.base10_parse::<u32>() {
        Ok(0) | Err(_) => {
            errors.at(
                &limit,
                "EL0038",
                "`limit` is a number of requests from 1 to 4294967295",
            );
            return None;
        }
        Ok(n) => n,
    };
    let window_secs = match &args.per {
        None => {
            errors.at(
                &attr,
                "EL0038",
                format!("`#[throttle]` needs `per`, the window: {THROTTLE_EXAMPLE}"),
            );
            return None;
        }
        Some(per) => match duration_secs(per) {
            Some(secs) => secs,
            None => {
                errors.at(
                    per,
                    "EL0038",
                    "`per` is a window: \"30s\", \"1m\", \"15m\", \"1h\", \"1d\" or a number of seconds, not zero",
                );
                return None;
            }
        },
    };
    let burst = match &args.burst {
        None => limit,
        Some(burst) => match burst.base10_parse::<u32>() {
            Ok(0) | Err(_) => {
                errors.at(
                    burst,
                    "EL0038",
                    "`burst` is a number of requests, at least 1",
                );
                return None;
            }
            Ok(n) => n,
        },
    };
    let key = match &args.key {
        None => ThrottleKeyAttr::Ip,
        Some(KeyArg::Text(text)) => match text.value().as_str() {
            "ip" => ThrottleKeyAttr::Ip,
            "user" => ThrottleKeyAttr::User,
            "token" => ThrottleKeyAttr::Token,
            other => {
                let hint = closest(other, &["ip", "user", "token"])
                    .map(|s| format!("\nhelp: did you mean `\"{s}\"`?"))
                    .unwrap_or_default();
                errors.at(
                    text,
                    "EL0038",
                    format!("`key = \"{other}\"` names no key: `\"ip\"`, `\"user\"`, `\"token\"`, or a function `fn(&HttpRequest) -> Option<String>`{hint}"),
                );
                return None;
            }
        },
        Some(KeyArg::Path(path)) => ThrottleKeyAttr::Custom(path.clone()),
        Some(KeyArg::Other(other)) => {
            errors.at(
                other,
                "EL0038",
                "`key` is `\"ip\"`, `\"user\"`, `\"token\"`, or the path of a function `fn(&HttpRequest) -> Option<String>`",
            );
            return None;
        }
    };
    Some(ThrottleAttr::Limit {
        limit,
        window_secs,
        burst,
        key,
        name: args.name.map(|n| n.value()),
    })
}

/// Seconds of a `per` value: `30s`, `1m`, `15m`, `1h`, `1d`, or an integer.
fn duration_secs(per: &syn::Lit) -> Option<u64> {
    let secs = match per {
        syn::Lit::Int(int) => int.base10_parse::<u64>().ok()?,
        syn::Lit::Str(text) => {
            let text = text.value();
            let text = text.trim();
            let split = text
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(text.len());
            let (number, unit) = text.split_at(split);
            let number: u64 = number.parse().ok()?;
            let unit = match unit.trim() {
                "s" | "sec" | "second" | "seconds" => 1,
                "m" | "min" | "minute" | "minutes" => 60,
                "h" | "hour" | "hours" => 3600,
                "d" | "day" | "days" => 86_400,
                _ => return None,
            };
            number.checked_mul(unit)?
        }
        _ => return None,
    };
    (secs > 0).then_some(secs)
}

/// The span of a type, for spanned bound checks.
pub(crate) fn span_of(ty: &syn::Type) -> Span {
    ty.span()
}

#[cfg(test)]
mod spec_tests {
    use quote::quote;

    fn errors_of(args: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> Vec<String> {
        match super::parse(args, syn::parse2(item).unwrap()) {
            Ok(_) => Vec::new(),
            Err((error, _)) => error.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn unknown_methods_are_errors_with_a_suggestion() {
        let errors = errors_of(
            quote!("/posts"),
            quote!(impl Posts {
                #[route("/", method = "GETT")]
                async fn list(&self) {}
                #[route("/x", method = "purge")]
                async fn purge(&self) {}
                #[route("/y", method = "FETCH")]
                async fn fetch(&self) {}
            }),
        );
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[0].contains("`GETT` is not an HTTP method elif knows; did you mean \"GET\"?"),
            "{}",
            errors[0]
        );
        assert!(
            errors[1].contains("`FETCH`") && errors[1].contains("[EL0006]"),
            "{}",
            errors[1]
        );
    }

    #[test]
    fn bad_keys_on_controller_and_routes_are_all_reported() {
        let errors = errors_of(
            quote!("/posts", gaurds(A), guards(B), guards(C)),
            quote!(impl Posts {
                #[get("/", method = "GET", filters(F))]
                async fn list(&self) {}
                #[route("/")]
                async fn other(&self) {}
                #[get("/")]
                async fn again(&self) {}
            }),
        );
        assert!(errors[0].contains("did you mean `guards`?"), "{errors:?}");
        assert!(
            errors[1].contains("`guards` is given twice in `#[controller]`"),
            "{errors:?}"
        );
        assert!(
            errors[2].contains("unknown argument `method` for `#[get]`"),
            "{errors:?}"
        );
        assert!(
            errors[3].contains("`#[route]` needs a method"),
            "{errors:?}"
        );
        assert!(
            errors[4].contains("`again` answers GET /posts like `list` does"),
            "{errors:?}"
        );
        assert_eq!(errors.len(), 5, "{errors:?}");
    }

    #[test]
    fn requirements_are_checked() {
        let errors = errors_of(
            quote!("/posts"),
            quote!(impl Posts {
                #[get("/")]
                #[public]
                #[requires(role = "admin")]
                async fn list(&self) {}
                #[requires(role = "")]
                #[get("/x")]
                async fn empty(&self) {}
                #[requires]
                #[get("/y")]
                async fn bare(&self) {}
                #[requires(rol = "admin")]
                #[get("/z")]
                async fn typo(&self) {}
                #[requires(role = "admin")]
                fn helper(&self) {}
            }),
        );
        assert!(
            errors[0].contains("`list` is `#[public]` and `#[requires(role = \"admin\")]`"),
            "{errors:?}"
        );
        assert!(errors[1].contains("`role` names no role"), "{errors:?}");
        assert!(errors[2].contains("`#[requires]` names what"), "{errors:?}");
        assert!(errors[3].contains("did you mean `role`"), "{errors:?}");
        assert!(errors[4].contains("which is not a route"), "{errors:?}");
        assert_eq!(errors.len(), 5, "{errors:?}");
    }

    #[test]
    fn specs_match_their_struct() {
        crate::attr::tests::spec_matches::<super::RequiresArgs>(&super::REQUIRES_SPEC);
        crate::attr::tests::spec_matches::<super::ThrottleArgs>(&super::THROTTLE_SPEC);
        crate::attr::tests::spec_matches::<super::Args>(&super::route_spec("route"));
        crate::attr::tests::spec_matches::<super::Args>(&super::CONTROLLER_SPEC);
    }
}
