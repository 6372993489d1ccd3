//! `Post::factory()` and the fake insert form behind it: each insertable
//! field gets a value from its name, SQL type and `#[validate]` rules
//! (`length`, `range`, `email`), unique when the field is `#[unique]`; a
//! foreign key stays 0 (`None` when nullable) until a factory's
//! `for_parent` sets it.

use proc_macro2::TokenStream;
use quote::quote;
use syn::ext::IdentExt;

use super::forms::new_form;
use super::parse::{Field, Model, RelationKind, Sql};
use crate::paths::private;

/// `impl Post { fn factory() }`, which names the model's factory.
pub(super) fn factory_fn(model: &Model) -> TokenStream {
    let p = private();
    let ident = &model.item.ident;
    let vis = &model.item.vis;
    let doc = format!(
        "Rows of fake `{ident}`s for tests and seeders: `{ident}::factory().count(3).with(|n| ..).create(&repository)`."
    );
    quote! {
        impl #ident {
            #[doc = #doc]
            #vis fn factory() -> #p::Factory<#ident> {
                #p::Factory::new()
            }
        }
    }
}

/// `impl Fakeable`: the fake insert form.
pub(super) fn fakeable(model: &Model) -> TokenStream {
    let p = private();
    let ident = &model.item.ident;
    let new_ident = new_form(model);
    let values = model.insertable().map(|f| {
        let name = &f.ident;
        let value = value(model, f);
        quote!(#name: #value)
    });
    quote! {
        impl #p::Fakeable for #ident {
            fn fake_new(sequence: u64) -> #new_ident {
                let _ = sequence;
                #new_ident { #(#values,)* }
            }
        }
    }
}

/// The fake value of one field.
fn value(model: &Model, f: &Field) -> TokenStream {
    let p = private();
    let foreign_key = f.belongs_to.is_some()
        || model
            .relations
            .iter()
            .any(|r| r.kind == RelationKind::BelongsTo && r.foreign_key == f.ident);
    if foreign_key {
        return if f.nullable {
            quote!(::core::option::Option::None)
        } else {
            quote!(::core::default::Default::default())
        };
    }
    let rules = rules(f);
    let name = f.ident.unraw().to_string();
    let inner = match (f.nullable, &f.ty) {
        (true, syn::Type::Path(path)) => path
            .path
            .segments
            .last()
            .and_then(|s| match &s.arguments {
                syn::PathArguments::AngleBracketed(a) => a.args.first().and_then(|a| match a {
                    syn::GenericArgument::Type(t) => Some(t.clone()),
                    _ => None,
                }),
                _ => None,
            })
            .unwrap_or_else(|| f.ty.clone()),
        _ => f.ty.clone(),
    };
    let value = match (f.sql, one_of(f)) {
        (Sql::Text, Some(allowed)) => quote!(#p::factory::pick(&#allowed, sequence)),
        _ => value_of_type(f, &inner, &rules, &name),
    };
    if f.nullable {
        quote!(::core::option::Option::Some(#value))
    } else {
        value
    }
}

/// The `one_of = [..]` list of a field's rules, if any.
fn one_of(f: &Field) -> Option<syn::Expr> {
    let mut found = None;
    for attr in &f.validate {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("one_of") {
                found = Some(meta.value()?.parse::<syn::Expr>()?);
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            } else if meta.input.peek(syn::token::Paren) {
                meta.parse_nested_meta(|inner| {
                    let _: syn::Expr = inner.value()?.parse()?;
                    Ok(())
                })?;
            }
            Ok(())
        });
    }
    found
}

/// A fake value of the field's SQL type.
fn value_of_type(f: &Field, inner: &syn::Type, rules: &TokenStream, name: &str) -> TokenStream {
    let p = private();
    match f.sql {
        Sql::Text => quote!(#p::factory::text(#name, #rules, sequence)),
        Sql::SmallInt | Sql::Integer | Sql::BigInt => quote!(
            #p::factory::integer(#rules, i64::from(#inner::MIN), i64::from(#inner::MAX)) as #inner
        ),
        Sql::Float | Sql::Double => quote!(#p::factory::number(#rules) as #inner),
        Sql::Bool => quote!(#p::factory::boolean()),
        Sql::Binary => quote!(#p::factory::bytes()),
        Sql::Date => quote!(#p::factory::date()),
        Sql::Timestamp => quote!(#p::factory::timestamp()),
        Sql::Uuid => quote!(#p::factory::uuid()),
        Sql::Json => quote!(::core::default::Default::default()),
        Sql::Custom => quote!(<#inner as #p::Column>::fake(sequence)),
    }
}

/// The `Rules` of a field, from its `#[validate(..)]` attributes.
fn rules(f: &Field) -> TokenStream {
    let p = private();
    let (mut min_length, mut max_length, mut min, mut max) = (None, None, None, None);
    let (mut email, mut url, mut uuid) = (false, false, false);
    for attr in &f.validate {
        // Malformed rules are reported by the form's `Validate` derive.
        let _ = attr.parse_nested_meta(|meta| {
            let rule = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            match rule.as_str() {
                "email" => email = true,
                "url" => url = true,
                "uuid" => uuid = true,
                "length" | "range" => meta.parse_nested_meta(|bound| {
                    let expr: syn::Expr = bound.value()?.parse()?;
                    let side = bound
                        .path
                        .get_ident()
                        .map(ToString::to_string)
                        .unwrap_or_default();
                    match (rule.as_str(), side.as_str()) {
                        ("length", "min") => min_length = Some(expr),
                        ("length", "max") => max_length = Some(expr),
                        ("range", "min") => min = Some(expr),
                        ("range", "max") => max = Some(expr),
                        _ => {}
                    }
                    Ok(())
                })?,
                _ => {
                    // Other rules (`custom`, `regex`, `one_of`, ..) take no
                    // part here.
                    if meta.input.peek(syn::Token![=]) {
                        let _: syn::Expr = meta.value()?.parse()?;
                    }
                }
            }
            Ok(())
        });
    }
    let option = |e: Option<syn::Expr>, ty: TokenStream| match e {
        Some(e) => quote!(::core::option::Option::Some((#e) as #ty)),
        None => quote!(::core::option::Option::None),
    };
    let (min_length, max_length) = (
        option(min_length, quote!(usize)),
        option(max_length, quote!(usize)),
    );
    let (min, max) = (option(min, quote!(f64)), option(max, quote!(f64)));
    let unique = f.unique;
    quote! {
        #p::factory::Rules {
            min_length: #min_length,
            max_length: #max_length,
            min: #min,
            max: #max,
            email: #email,
            url: #url,
            uuid: #uuid,
            unique: #unique,
        }
    }
}
