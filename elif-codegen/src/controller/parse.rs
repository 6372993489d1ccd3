//! `#[controller]`: from attribute and impl block to a checked description.

use std::collections::HashMap;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;

use crate::errors::{Errors, coded, unknown_key};

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

const CONTROLLER_KEYS: &[&str] = &["guards", "interceptors", "filters", "middleware"];
const ROUTE_KEYS: &[&str] = &["guards", "interceptors", "filters", "middleware", "method"];

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
    /// The routes, in declaration order.
    pub(crate) routes: Vec<Route>,
}

/// `"/prefix", guards(A, B)` or `"/path", guards(..), method = "PURGE"`.
struct AttributeArgs {
    path: Option<syn::LitStr>,
    layers: Layers,
    method: Option<syn::LitStr>,
}

fn parse_args(
    tokens: TokenStream,
    keys: &'static [&'static str],
    attribute: &'static str,
) -> syn::Result<AttributeArgs> {
    let parser = move |input: ParseStream| {
        let mut args = AttributeArgs {
            path: None,
            layers: Layers::default(),
            method: None,
        };
        if input.peek(syn::LitStr) {
            args.path = Some(input.parse()?);
            if !input.is_empty() {
                input.parse::<syn::Token![,]>()?;
            }
        }
        let metas = syn::meta::parser(|meta| {
            let types = |meta: &syn::meta::ParseNestedMeta<'_>| -> syn::Result<Vec<syn::Type>> {
                let content;
                syn::parenthesized!(content in meta.input);
                let list: Punctuated<syn::Type, syn::Token![,]> =
                    content.parse_terminated(syn::Type::parse, syn::Token![,])?;
                Ok(list.into_iter().collect())
            };
            // guards(A, B)
            if meta.path.is_ident("guards") {
                args.layers.guards.extend(types(&meta)?);
            // interceptors(A, B)
            } else if meta.path.is_ident("interceptors") {
                args.layers.interceptors.extend(types(&meta)?);
            // filters(A, B)
            } else if meta.path.is_ident("filters") {
                args.layers.filters.extend(types(&meta)?);
            // middleware(expr, expr)
            } else if meta.path.is_ident("middleware") {
                let content;
                syn::parenthesized!(content in meta.input);
                let list: Punctuated<syn::Expr, syn::Token![,]> =
                    content.parse_terminated(syn::Expr::parse, syn::Token![,])?;
                args.layers.middleware.extend(list);
            } else if meta.path.is_ident("method") && keys.contains(&"method") {
                args.method = Some(meta.value()?.parse()?);
            } else {
                return Err(unknown_key(&meta.path, keys, attribute));
            }
            Ok(())
        });
        metas.parse2(input.parse::<TokenStream>()?)?;
        Ok(args)
    };
    parser.parse2(tokens)
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
    let args = errors.ok(parse_args(args, CONTROLLER_KEYS, "#[controller]"));
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
    let (prefix, layers) = match args {
        Some(args) => {
            let prefix = args.path.as_ref().map(|lit| (lit.value(), lit.clone()));
            if let Some((text, literal)) = &prefix
                && let Err(error) = elif_route::Template::parse(text)
            {
                template_error(&mut errors, literal, text, &error);
            }
            (
                prefix.map(|(text, _)| text).unwrap_or_default(),
                args.layers,
            )
        }
        None => (String::new(), Layers::default()),
    };
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
    let mut seen: HashMap<(String, String), syn::Ident> = HashMap::new();
    for impl_item in &mut item.items {
        let syn::ImplItem::Fn(function) = impl_item else {
            continue;
        };
        if let Some(route) = route_of(function, &prefix, &mut errors) {
            let key = (route.method.clone(), elif_route::shape(&route.path));
            if let Some(first) = seen.get(&key) {
                errors.at(
                    &function.sig.ident,
                    "EL0023",
                    format!(
                        "`{}` answers {} {} like `{first}` does\nhelp: parameter names do not make paths different; change the method or the path",
                        function.sig.ident, route.method, route.path
                    ),
                );
            } else {
                seen.insert(key, function.sig.ident.clone());
            }
            routes.push(route);
        }
    }
    match errors.finish() {
        Ok(()) => Ok(Controller {
            item,
            self_ty,
            name,
            layers,
            routes,
        }),
        Err(error) => Err((error, item.to_token_stream())),
    }
}

/// Takes the route attribute off a method (if it has one) and checks the handler.
fn route_of(function: &mut syn::ImplItemFn, prefix: &str, errors: &mut Errors) -> Option<Route> {
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
        0 => return None,
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
    let attribute: &'static str = match name.as_str() {
        "route" => "#[route]",
        _ => "a route attribute",
    };
    let keys: &'static [&'static str] = if name == "route" {
        ROUTE_KEYS
    } else {
        &ROUTE_KEYS[..4]
    };
    let args = errors.ok(parse_args(tokens, keys, attribute))?;
    let Some(literal) = args.path.clone() else {
        errors.at(
            &attr,
            "EL0020",
            format!("`#[{name}]` needs a path: `#[{name}(\"/posts/{{id}}\")]`"),
        );
        return None;
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
        let text = method.value();
        if text.is_empty()
            || !text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
        {
            errors.at(method, "EL0006", format!("`{text}` is not an HTTP method"));
            return None;
        }
        text.to_ascii_uppercase()
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
    Some(Route {
        method,
        path,
        handler: sig.ident.clone(),
        arguments,
        output,
        layers: args.layers,
    })
}

/// The span of a type, for spanned bound checks.
pub(crate) fn span_of(ty: &syn::Type) -> Span {
    ty.span()
}
