//! `#[injectable]`: from attribute and struct to a checked description.

use darling::FromMeta;
use proc_macro2::TokenStream;
use syn::spanned::Spanned;

use crate::attr::{self, Flag, Spec, Types};
use crate::deps::Dependency;
use crate::errors::Errors;
use crate::scope::Scope;

const SPEC: Spec = Spec::keys(
    "#[injectable]",
    &["scope", "provides", "on_init", "on_shutdown"],
);
const FIELD_SPEC: Spec = Spec::keys("#[inject]", &["default"]);

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
#[derive(Default, FromMeta)]
#[darling(default)]
pub(crate) struct Args {
    pub(crate) scope: Option<Scope>,
    pub(crate) provides: Types,
    pub(crate) on_init: Flag,
    pub(crate) on_shutdown: Flag,
}

impl Args {
    /// Reads the attribute's arguments, recording every error.
    pub(crate) fn parse(tokens: TokenStream, errors: &mut Errors) -> Self {
        attr::parse(tokens, &SPEC, errors).keyed
    }
}

/// `#[inject(default)]` on a field.
#[derive(Default, FromMeta)]
#[darling(default)]
struct FieldArgs {
    default: Flag,
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
    let scope = args.scope.unwrap_or_default();
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
    let injectable = Injectable {
        item,
        scope,
        provides: args.provides.0,
        on_init: args.on_init.0,
        on_shutdown: args.on_shutdown.0,
        fields,
    };
    check(&injectable, &mut errors);
    match errors.finish() {
        Ok(()) => Ok(injectable),
        Err(error) => {
            let item = &injectable.item;
            Err((error, quote::quote!(#item)))
        }
    }
}

/// The rules between keys: lifecycle hooks need a singleton.
fn check(injectable: &Injectable, errors: &mut Errors) {
    if injectable.scope == Scope::Singleton {
        return;
    }
    for hook in [&injectable.on_init, &injectable.on_shutdown]
        .into_iter()
        .flatten()
    {
        errors.at(
            hook,
            "EL0005",
            format!(
                "lifecycle hooks need a singleton, but this provider is {}-scoped\nhelp: drop `{}` or the `scope`",
                if injectable.scope == Scope::Request { "request" } else { "transient" },
                quote::quote!(#hook)
            ),
        );
    }
}

/// Reads `#[inject(default)]` off a field (removing it) and returns the dependency.
fn field_dependency(field: &mut syn::Field, errors: &mut Errors) -> Option<Dependency> {
    let args: Option<FieldArgs> = attr::parse_attributes(&field.attrs, &FIELD_SPEC, errors);
    field.attrs.retain(|attr| !attr.path().is_ident("inject"));
    Some(Dependency {
        name: field.ident.clone()?,
        ty: field.ty.clone(),
        default: args.is_some_and(|args| args.default.is_present()),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn errors_of(args: TokenStream, item: TokenStream) -> Vec<String> {
        match parse(args, syn::parse2(item).unwrap()) {
            Ok(_) => Vec::new(),
            Err((error, _)) => error.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn reads_every_key() {
        let item = syn::parse2(quote::quote!(
            struct Mailer {
                #[inject(default)]
                retries: u8,
            }
        ));
        let injectable = parse(
            quote::quote!(provides(dyn A, dyn B), on_init, on_shutdown),
            item.unwrap(),
        )
        .ok()
        .unwrap();
        assert_eq!(injectable.provides.len(), 2);
        assert!(injectable.on_init.is_some() && injectable.on_shutdown.is_some());
        let fields = injectable.fields.unwrap();
        assert!(fields[0].default);
        assert!(injectable.item.fields.iter().all(|f| f.attrs.is_empty()));
    }

    #[test]
    fn hooks_need_a_singleton_and_keys_are_checked_once() {
        let errors = errors_of(
            quote::quote!(scope = "request", on_init, scope = "transient"),
            quote::quote!(
                struct Cart {
                    #[inject(defualt)]
                    #[inject(default, default)]
                    a: u8,
                }
            ),
        );
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors[0].contains("`scope` is given twice"), "{errors:?}");
        assert!(errors[1].contains("did you mean `default`?"), "{errors:?}");
        assert!(
            errors[2].contains("`default` is given twice in `#[inject]`"),
            "{errors:?}"
        );
        assert!(
            errors[3].contains("this provider is request-scoped"),
            "{errors:?}"
        );
    }

    #[test]
    fn specs_match_their_structs() {
        attr::tests::spec_matches::<Args>(&SPEC);
        attr::tests::spec_matches::<FieldArgs>(&FIELD_SPEC);
    }
}
