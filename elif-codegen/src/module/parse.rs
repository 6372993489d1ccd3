//! `#[module(...)]`: from attribute to a checked description.

use std::collections::HashSet;

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::parse::{Parse, Parser};
use syn::punctuated::Punctuated;

use crate::errors::{Errors, unknown_key};

/// The keys that take a list of types, in slot order; then `middleware`.
const KEYS: &[&str] = &[
    "imports",
    "providers",
    "controllers",
    "exports",
    "guards",
    "interceptors",
    "filters",
    "middleware",
];

/// A checked `#[module]` struct.
pub(crate) struct Module {
    /// The struct as written.
    pub(crate) item: syn::ItemStruct,
    /// `imports(...)`: modules whose exports this one uses.
    pub(crate) imports: Vec<syn::Type>,
    /// `providers(...)`: injectables and factories declared here.
    pub(crate) providers: Vec<syn::Type>,
    /// `controllers(...)`: controllers declared here.
    pub(crate) controllers: Vec<syn::Type>,
    /// `exports(...)`: what importing modules may use.
    pub(crate) exports: Vec<syn::Type>,
    /// `guards(...)`: run by every route of this module's controllers.
    pub(crate) guards: Vec<syn::Type>,
    /// `interceptors(...)`: around every route of this module's controllers.
    pub(crate) interceptors: Vec<syn::Type>,
    /// `filters(...)`: tried on every error of this module's controllers.
    pub(crate) filters: Vec<syn::Type>,
    /// `middleware(...)`: around every route of this module's controllers.
    pub(crate) middleware: Vec<syn::Expr>,
}

/// Parses `#[module(imports(A), providers(B, C), controllers(D), exports(B))]`.
pub(crate) fn parse(
    args: TokenStream,
    item: syn::Item,
) -> Result<Module, (syn::Error, TokenStream)> {
    let mut errors = Errors::new();
    let mut lists: [Vec<syn::Type>; 7] = Default::default();
    let mut middleware: Vec<syn::Expr> = Vec::new();
    let parser = syn::meta::parser(|meta| {
        // middleware(expr, expr): actix-web `Transform` values
        if meta.path.is_ident("middleware") {
            let content;
            syn::parenthesized!(content in meta.input);
            let exprs: Punctuated<syn::Expr, syn::Token![,]> =
                content.parse_terminated(syn::Expr::parse, syn::Token![,])?;
            middleware.extend(exprs);
            return Ok(());
        }
        // imports(A, B) | providers(..) | controllers(..) | exports(A, dyn B) | guards(..) | interceptors(..) | filters(..)
        let Some(slot) = KEYS.iter().position(|k| meta.path.is_ident(k)) else {
            return Err(unknown_key(&meta.path, KEYS, "#[module]"));
        };
        let content;
        syn::parenthesized!(content in meta.input);
        let types: Punctuated<syn::Type, syn::Token![,]> =
            content.parse_terminated(syn::Type::parse, syn::Token![,])?;
        lists[slot].extend(types);
        Ok(())
    });
    errors.ok(parser.parse2(args));
    for (key, list) in KEYS.iter().zip(lists.iter()) {
        let mut seen = HashSet::new();
        for ty in list {
            if !seen.insert(ty.to_token_stream().to_string()) {
                errors.at(
                    ty,
                    "EL0002",
                    format!("`{}` is listed twice in `{key}(...)`", ty.to_token_stream()),
                );
            }
        }
    }
    let item = match item {
        syn::Item::Struct(item) => item,
        other => {
            errors.at(
                &other,
                "EL0002",
                "`#[module]` applies to a struct, usually a unit struct: `pub struct AppModule;`",
            );
            let error = errors.finish().err();
            let tokens = other.to_token_stream();
            return Err((
                error.unwrap_or_else(|| syn::Error::new_spanned(&tokens, "not a struct")),
                tokens,
            ));
        }
    };
    if !item.generics.params.is_empty() {
        errors.at(&item.generics, "EL0004", "a module cannot be generic");
    }
    let [
        imports,
        providers,
        controllers,
        exports,
        guards,
        interceptors,
        filters,
    ] = lists;
    match errors.finish() {
        Ok(()) => Ok(Module {
            item,
            imports,
            providers,
            controllers,
            exports,
            guards,
            interceptors,
            filters,
            middleware,
        }),
        Err(error) => Err((error, item.to_token_stream())),
    }
}
