//! `#[injectable]`: from attribute and struct to a checked description.

use proc_macro2::TokenStream;
use syn::parse::{Parse, Parser};
use syn::spanned::Spanned;

use crate::deps::Dependency;
use crate::errors::{Errors, unknown_key};
use crate::scope::Scope;

const KEYS: &[&str] = &["scope", "provides", "on_init", "on_shutdown"];
const FIELD_KEYS: &[&str] = &["default"];

/// A checked `#[injectable]` struct.
pub(crate) struct Injectable {
    /// The struct, with elif's field attributes removed.
    pub(crate) item: syn::ItemStruct,
    /// How long instances live.
    pub(crate) scope: Scope,
    /// Trait objects it is also bound to (`provides = dyn Mailer`).
    pub(crate) provides: Vec<syn::Type>,
    /// The `on_init` key, when present (its span carries the trait check).
    pub(crate) on_init: Option<syn::Path>,
    /// The `on_shutdown` key, when present.
    pub(crate) on_shutdown: Option<syn::Path>,
    /// Its fields, each a dependency (`None` for a unit struct).
    pub(crate) fields: Option<Vec<Dependency>>,
}

/// Arguments as written: `#[injectable(scope = "request", provides = dyn Mailer, on_init, on_shutdown)]`.
#[derive(Default)]
pub(crate) struct Args {
    pub(crate) scope: Option<(Scope, syn::LitStr)>,
    pub(crate) provides: Vec<syn::Type>,
    pub(crate) on_init: Option<syn::Path>,
    pub(crate) on_shutdown: Option<syn::Path>,
}

impl Args {
    fn parse(args: TokenStream, errors: &mut Errors) -> Self {
        let mut out = Args::default();
        let parser = syn::meta::parser(|meta| {
            // scope = "singleton" | "request" | "transient"
            if meta.path.is_ident("scope") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                out.scope = Some((Scope::parse(&lit)?, lit));
            // provides = dyn Trait   or   provides(dyn A, dyn B)
            } else if meta.path.is_ident("provides") {
                if meta.input.peek(syn::Token![=]) {
                    out.provides.push(meta.value()?.parse()?);
                } else {
                    let content;
                    syn::parenthesized!(content in meta.input);
                    let types = content.parse_terminated(syn::Type::parse, syn::Token![,])?;
                    out.provides.extend(types);
                }
            // on_init
            } else if meta.path.is_ident("on_init") {
                out.on_init = Some(meta.path.clone());
            // on_shutdown
            } else if meta.path.is_ident("on_shutdown") {
                out.on_shutdown = Some(meta.path.clone());
            } else {
                return Err(unknown_key(&meta.path, KEYS, "#[injectable]"));
            }
            Ok(())
        });
        errors.ok(parser.parse2(args));
        out
    }
}

/// Parses and checks; every error of the item is gathered.
pub(crate) fn parse(
    args: TokenStream,
    item: syn::Item,
) -> Result<Injectable, (syn::Error, TokenStream)> {
    let mut errors = Errors::new();
    let args = Args::parse(args, &mut errors);
    let mut item = match item {
        syn::Item::Struct(item) => item,
        other => {
            let keyword = item_keyword(&other);
            errors.at(
                keyword,
                "EL0001",
                "`#[injectable]` applies to structs only\nhelp: put it on a struct whose fields are dependencies; for a value built by a function, use `#[factory]` on an async fn",
            );
            let error = errors.finish().err();
            return Err((
                error.unwrap_or_else(|| syn::Error::new(other.span(), "unreachable")),
                quote::quote!(#other),
            ));
        }
    };
    if !item.generics.params.is_empty() {
        errors.at(
            &item.generics,
            "EL0004",
            "an injectable cannot be generic\nhelp: the container keys providers by concrete type; make a concrete struct and put `#[injectable]` on it",
        );
    }
    let scope = args.scope.as_ref().map_or(Scope::Singleton, |(s, _)| *s);
    if scope != Scope::Singleton {
        for hook in [&args.on_init, &args.on_shutdown].into_iter().flatten() {
            errors.at(
                hook,
                "EL0005",
                format!(
                    "lifecycle hooks need a singleton, but this provider is {}-scoped\nhelp: drop `{}` or the `scope`",
                    if scope == Scope::Request { "request" } else { "transient" },
                    quote::quote!(#hook)
                ),
            );
        }
    }
    let fields = match &mut item.fields {
        syn::Fields::Unit => None,
        syn::Fields::Named(named) => Some(
            named
                .named
                .iter_mut()
                .filter_map(|field| field_dependency(field, &mut errors))
                .collect(),
        ),
        syn::Fields::Unnamed(unnamed) => {
            errors.at(
                &*unnamed,
                "EL0001",
                "`#[injectable]` needs named fields, one per dependency\nhelp: write `struct Name { field: Inject<Service> }` (or a unit struct)",
            );
            None
        }
    };
    match errors.finish() {
        Ok(()) => Ok(Injectable {
            item,
            scope,
            provides: args.provides,
            on_init: args.on_init,
            on_shutdown: args.on_shutdown,
            fields,
        }),
        Err(error) => Err((error, quote::quote!(#item))),
    }
}

/// Reads `#[inject(default)]` off a field (removing it) and returns the dependency.
fn field_dependency(field: &mut syn::Field, errors: &mut Errors) -> Option<Dependency> {
    let mut default = false;
    let mut kept = Vec::new();
    for attr in std::mem::take(&mut field.attrs) {
        if !attr.path().is_ident("inject") {
            kept.push(attr);
            continue;
        }
        // #[inject(default)]
        errors.ok(attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("default") {
                default = true;
                Ok(())
            } else {
                Err(unknown_key(&meta.path, FIELD_KEYS, "#[inject]"))
            }
        }));
    }
    field.attrs = kept;
    Some(Dependency {
        name: field.ident.clone()?,
        ty: field.ty.clone(),
        default,
    })
}

/// The token to underline when the item is not a struct.
fn item_keyword(item: &syn::Item) -> TokenStream {
    use quote::ToTokens;
    match item {
        syn::Item::Enum(e) => e.enum_token.to_token_stream(),
        syn::Item::Fn(f) => f.sig.fn_token.to_token_stream(),
        syn::Item::Union(u) => u.union_token.to_token_stream(),
        syn::Item::Impl(i) => i.impl_token.to_token_stream(),
        syn::Item::Trait(t) => t.trait_token.to_token_stream(),
        other => other.to_token_stream(),
    }
}
