//! `#[factory]`: from an async fn to a checked description.

use darling::FromMeta;
use proc_macro2::TokenStream;
use quote::ToTokens;

use crate::attr::{self, Spec};
use crate::deps::Dependency;
use crate::errors::Errors;
use crate::scope::Scope;

const SPEC: Spec = Spec::keys("#[factory]", &["scope"]);

/// Arguments as written: `#[factory(scope = "request")]`.
#[derive(Default, FromMeta)]
#[darling(default)]
struct Args {
    scope: Option<Scope>,
}

/// What the function returns, and so what it provides.
pub(crate) struct Output {
    /// The provided type (`Pool`, `dyn Mailer`).
    pub(crate) provided: syn::Type,
    /// Whether it returns a `Result` (`?` is applied).
    pub(crate) fallible: bool,
    /// Whether it already returns an `Arc` of the provided type.
    pub(crate) shared: bool,
}

/// A checked `#[factory]` function.
pub(crate) struct Factory {
    /// The function as written.
    pub(crate) item: syn::ItemFn,
    /// How long its values live.
    pub(crate) scope: Scope,
    /// Its arguments, each a dependency.
    pub(crate) arguments: Vec<Dependency>,
    /// What it provides.
    pub(crate) output: Output,
}

const SHAPE: &str = "`#[factory]` needs an async fn that returns the value it provides\nhelp: write `#[factory] async fn name(dep: Inject<Dep>) -> elif::Result<Value>`";

/// Parses `#[factory(scope = "...")]` on an async fn.
pub(crate) fn parse(
    args: TokenStream,
    item: syn::Item,
) -> Result<Factory, (syn::Error, TokenStream)> {
    let mut errors = Errors::new();
    let args: Args = attr::parse(args, &SPEC, &mut errors).keyed;
    let scope = args.scope.unwrap_or_default();
    let item = match item {
        syn::Item::Fn(item) => item,
        other => {
            errors.at(&other, "EL0010", SHAPE);
            let tokens = other.to_token_stream();
            let error = errors.finish().err();
            return Err((
                error.unwrap_or_else(|| syn::Error::new_spanned(&tokens, SHAPE)),
                tokens,
            ));
        }
    };
    if item.sig.asyncness.is_none() {
        errors.at(item.sig.fn_token, "EL0010", SHAPE);
    }
    if !item.sig.generics.params.is_empty() {
        errors.at(
            &item.sig.generics,
            "EL0010",
            "a factory cannot be generic: it provides one concrete type",
        );
    }
    let mut arguments = Vec::new();
    for input in &item.sig.inputs {
        match input {
            syn::FnArg::Typed(arg) => match &*arg.pat {
                syn::Pat::Ident(pat) => arguments.push(Dependency {
                    name: pat.ident.clone(),
                    ty: (*arg.ty).clone(),
                    default: false,
                }),
                other => errors.at(
                    other,
                    "EL0010",
                    "factory arguments must be plain names: `config: Config<DbConfig>`",
                ),
            },
            syn::FnArg::Receiver(receiver) => {
                errors.at(
                    receiver,
                    "EL0010",
                    "a factory is a free function; it cannot take `self`",
                );
            }
        }
    }
    let output = match &item.sig.output {
        syn::ReturnType::Type(_, ty) => Some(output(ty)),
        syn::ReturnType::Default => {
            errors.at(&item.sig, "EL0010", SHAPE);
            None
        }
    };
    match (errors.finish(), output) {
        (Ok(()), Some(output)) => Ok(Factory {
            item,
            scope,
            arguments,
            output,
        }),
        (result, _) => {
            let error = result
                .err()
                .unwrap_or_else(|| syn::Error::new_spanned(&item.sig, SHAPE));
            Err((error, item.to_token_stream()))
        }
    }
}

/// Peels `Result<...>` and `Arc<...>` off the return type.
fn output(ty: &syn::Type) -> Output {
    let (inner, fallible) = match generic_argument(ty, "Result") {
        Some(inner) => (inner, true),
        None => (ty.clone(), false),
    };
    match generic_argument(&inner, "Arc") {
        Some(provided) => Output {
            provided,
            fallible,
            shared: true,
        },
        None => Output {
            provided: inner,
            fallible,
            shared: false,
        },
    }
}

/// `T` when `ty` is `...::Name<T, ...>`.
fn generic_argument(ty: &syn::Type, name: &str) -> Option<syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    args.args.iter().find_map(|arg| match arg {
        syn::GenericArgument::Type(ty) => Some(ty.clone()),
        _ => None,
    })
}

#[cfg(test)]
mod spec_tests {
    use super::*;

    #[test]
    fn spec_matches_its_struct() {
        attr::tests::spec_matches::<Args>(&SPEC);
    }
}
