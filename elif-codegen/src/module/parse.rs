//! `#[module(...)]`: from attribute to a checked description.

use std::collections::HashSet;

use darling::FromMeta;
use proc_macro2::TokenStream;
use quote::ToTokens;

use crate::attr::{self, Exprs, Spec, Types};
use crate::errors::Errors;

const SPEC: Spec = Spec::keys(
    "#[module]",
    &[
        "imports",
        "providers",
        "controllers",
        "exports",
        "guards",
        "interceptors",
        "filters",
        "middleware",
        "migrations",
        "commands",
    ],
);

/// Arguments as written: `#[module(imports(A), providers(B, C), controllers(D), exports(B))]`.
#[derive(Default, FromMeta)]
#[darling(default)]
struct Args {
    imports: Types,
    providers: Types,
    controllers: Types,
    exports: Types,
    guards: Types,
    interceptors: Types,
    filters: Types,
    middleware: Exprs,
    migrations: Option<syn::Expr>,
    commands: Types,
}

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
    /// `migrations = ..`: the package migrations this module brings (a
    /// constant `Migrations`, namespaced).
    pub(crate) migrations: Option<syn::Expr>,
    /// `commands(...)`: commands it adds to the app's binary.
    pub(crate) commands: Vec<syn::Type>,
}

/// Parses `#[module(imports(A), providers(B, C), controllers(D), exports(B))]`.
pub(crate) fn parse(
    args: TokenStream,
    item: syn::Item,
) -> Result<Module, (syn::Error, TokenStream)> {
    let mut errors = Errors::new();
    let args: Args = attr::parse(args, &SPEC, &mut errors).keyed;
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
    let module = Module {
        item,
        imports: args.imports.0,
        providers: args.providers.0,
        controllers: args.controllers.0,
        exports: args.exports.0,
        guards: args.guards.0,
        interceptors: args.interceptors.0,
        filters: args.filters.0,
        middleware: args.middleware.0,
        migrations: args.migrations,
        commands: args.commands.0,
    };
    check(&module, &mut errors);
    match errors.finish() {
        Ok(()) => Ok(module),
        Err(error) => Err((error, module.item.to_token_stream())),
    }
}

/// A type listed twice in one list is a mistake.
fn check(module: &Module, errors: &mut Errors) {
    let lists = [
        ("imports", &module.imports),
        ("providers", &module.providers),
        ("controllers", &module.controllers),
        ("exports", &module.exports),
        ("guards", &module.guards),
        ("interceptors", &module.interceptors),
        ("filters", &module.filters),
        ("commands", &module.commands),
    ];
    for (key, list) in lists {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_matches_its_struct() {
        attr::tests::spec_matches::<Args>(&SPEC);
    }
}
