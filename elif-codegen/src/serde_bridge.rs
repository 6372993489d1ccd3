//! `#[derive(Serialize)]` / `#[derive(Deserialize)]` from `elif::prelude`,
//! so that an app names serde through elif and needs no `serde` dependency
//! of its own.
//!
//! serde's derive writes `extern crate serde`, which only a crate with a
//! direct `serde` dependency can resolve, unless the type says
//! `#[serde(crate = "..")]`. These derives write that for the user: next to
//! the type they put a copy of it (the same fields, generics and `serde`
//! attributes) that derives serde's trait as a *remote* definition of the
//! type, `#[serde(remote = "Type", crate = "::elif::__private::serde")]`,
//! and implement the trait on the type by calling the copy's function. The
//! copy is serde's own derive, so every serde attribute means what serde
//! says. The copy's name never shows: serde's messages name the remote
//! type (`expected struct NewPost`), and the copy is renamed to the type's
//! name for the formats that write it.

use crate::errors::Errors;
use crate::paths::{serde, serde_crate};
use crate::serde_attrs::Direction;
use proc_macro2::{Group, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote};
use syn::punctuated::Punctuated;
use syn::{Attribute, Meta, Token};

/// Derives `Serialize` (`direction` says which) on `input` through serde.
pub fn expand(input: TokenStream, direction: Direction) -> TokenStream {
    match syn::parse2::<syn::DeriveInput>(input).and_then(|input| generate(input, direction)) {
        Ok(tokens) => tokens,
        Err(error) => error.to_compile_error(),
    }
}

/// What the container's `serde` attributes say that the bridge must know.
struct Container {
    /// The `serde` attributes to copy (without `crate = ..`).
    attrs: Vec<Attribute>,
    /// Whether the type renames itself (else the copy takes the type's name).
    renamed: bool,
    /// `bound = ".."` or `bound(serialize = "..")`: the impl's where clause.
    bound: Option<Punctuated<syn::WherePredicate, Token![,]>>,
}

fn generate(input: syn::DeriveInput, direction: Direction) -> syn::Result<TokenStream> {
    let mut errors = Errors::new();
    let container = container(&input.attrs, direction, &mut errors);
    if let syn::Data::Union(data) = &input.data {
        errors.at(
            data.union_token,
            "EL0035",
            "serde cannot derive its traits for a union\nhelp: use a struct or an enum, or implement the trait by hand",
        );
    }
    errors.finish()?;

    let ident = &input.ident;
    let shadow = format_ident!("__ElifSerde{}", ident);
    let serde = serde();
    let krate = serde_crate();
    let remote = ident.to_string();
    let name = (!container.renamed).then(|| quote!(rename = #remote,));
    let this = {
        let (_, ty_generics, _) = input.generics.split_for_impl();
        quote!(#ident #ty_generics)
    };
    let data = shadow_data(&input.data, &this);
    let attrs = &container.attrs;
    let generics = &input.generics;
    let (keyword, body) = data;
    let derive_trait = match direction {
        Direction::Serialize => quote!(Serialize),
        Direction::Deserialize => quote!(Deserialize),
    };

    let copy = quote! {
        #[derive(#serde::#derive_trait)]
        #[serde(remote = #remote, crate = #krate, #name)]
        #(#attrs)*
        #[allow(dead_code, non_camel_case_types, clippy::all)]
        #keyword #shadow #generics #body
    };

    let imp = match direction {
        Direction::Serialize => {
            let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
            let where_clause = bounded(
                &input.generics,
                where_clause,
                container.bound.as_ref(),
                |_| quote!(#serde::Serialize),
            );
            quote! {
                #[automatically_derived]
                impl #impl_generics #serde::Serialize for #ident #ty_generics #where_clause {
                    fn serialize<__S>(&self, serializer: __S) -> ::core::result::Result<__S::Ok, __S::Error>
                    where
                        __S: #serde::Serializer,
                    {
                        #shadow::serialize(self, serializer)
                    }
                }
            }
        }
        Direction::Deserialize => {
            let mut generics = input.generics.clone();
            let lifetimes: Vec<syn::Lifetime> =
                generics.lifetimes().map(|l| l.lifetime.clone()).collect();
            let de: syn::LifetimeParam = if lifetimes.is_empty() {
                syn::parse_quote!('de)
            } else {
                syn::parse_quote!('de: #(#lifetimes)+*)
            };
            generics.params.insert(0, syn::GenericParam::Lifetime(de));
            let (impl_generics, _, where_clause) = generics.split_for_impl();
            let (_, ty_generics, _) = input.generics.split_for_impl();
            let where_clause = bounded(
                &input.generics,
                where_clause,
                container.bound.as_ref(),
                |_| quote!(#serde::Deserialize<'de>),
            );
            quote! {
                #[automatically_derived]
                impl #impl_generics #serde::Deserialize<'de> for #ident #ty_generics #where_clause {
                    fn deserialize<__D>(deserializer: __D) -> ::core::result::Result<Self, __D::Error>
                    where
                        __D: #serde::Deserializer<'de>,
                    {
                        #shadow::deserialize(deserializer)
                    }
                }
            }
        }
    };

    Ok(quote! {
        const _: () = {
            #copy
            #imp
        };
    })
}

/// The container's `serde` attributes: `remote` is refused (the derive is
/// a remote definition itself), `crate` is dropped (the copy names serde
/// through elif).
fn container(attrs: &[Attribute], direction: Direction, errors: &mut Errors) -> Container {
    let mut kept = Vec::new();
    let mut renamed = false;
    let mut bound = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let Some(metas) =
            errors.ok(attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated))
        else {
            continue;
        };
        let mut rest = Vec::new();
        for meta in metas {
            let path = meta.path();
            if path.is_ident("remote") {
                errors.at(
                    path,
                    "EL0035",
                    "elif's serde derives are already remote definitions of the type\nhelp: for a remote type, derive `serde`'s own traits (add the `serde` crate) or implement them by hand",
                );
            } else if path.is_ident("crate") {
                continue;
            } else {
                if path.is_ident("rename") {
                    renamed = true;
                }
                if path.is_ident("bound") {
                    bound = errors.ok(bounds(&meta, direction)).flatten();
                }
                rest.push(meta);
            }
        }
        if !rest.is_empty() {
            kept.push(syn::parse_quote!(#[serde(#(#rest),*)]));
        }
    }
    Container {
        attrs: kept,
        renamed,
        bound,
    }
}

/// The predicates of `bound = ".."` or of its `serialize`/`deserialize`
/// half for `direction`.
fn bounds(
    meta: &Meta,
    direction: Direction,
) -> syn::Result<Option<Punctuated<syn::WherePredicate, Token![,]>>> {
    let text = match meta {
        Meta::NameValue(pair) => Some(string(&pair.value)?),
        Meta::List(list) => {
            let wanted = match direction {
                Direction::Serialize => "serialize",
                Direction::Deserialize => "deserialize",
            };
            let halves = list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)?;
            halves
                .iter()
                .filter(|half| half.path().is_ident(wanted))
                .map(|half| match half {
                    Meta::NameValue(pair) => string(&pair.value),
                    other => Err(syn::Error::new_spanned(
                        other,
                        "expected `serialize = \"..\"`",
                    )),
                })
                .next()
                .transpose()?
        }
        Meta::Path(path) => return Err(syn::Error::new_spanned(path, "expected `bound = \"..\"`")),
    };
    text.map(|text| syn::parse::Parser::parse_str(Punctuated::parse_terminated, &text))
        .transpose()
}

fn string(expr: &syn::Expr) -> syn::Result<String> {
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Ok(s.value()),
        other => Err(syn::Error::new_spanned(other, "expected a string")),
    }
}

/// The impl's where clause: the type's own, plus the container's `bound`
/// if it has one, else `T: Trait` for every type parameter (as std's
/// derives do; serde's own inference, which can leave a parameter
/// unbounded, still applies to the copy).
fn bounded(
    generics: &syn::Generics,
    where_clause: Option<&syn::WhereClause>,
    bound: Option<&Punctuated<syn::WherePredicate, Token![,]>>,
    trait_for: impl Fn(&syn::Ident) -> TokenStream,
) -> TokenStream {
    let own = where_clause
        .map(|w| w.predicates.iter().collect::<Vec<_>>())
        .unwrap_or_default();
    let added: Vec<TokenStream> = match bound {
        Some(bound) => bound.iter().map(ToTokens::to_token_stream).collect(),
        None => generics
            .type_params()
            .map(|t| {
                let ident = &t.ident;
                let tr = trait_for(ident);
                quote!(#ident: #tr)
            })
            .collect(),
    };
    if own.is_empty() && added.is_empty() {
        return TokenStream::new();
    }
    quote!(where #(#own,)* #(#added,)*)
}

/// The copy's item keyword and body: the type's fields and variants with
/// only their `serde` and `cfg` attributes, and `Self` replaced by the
/// type itself (in the copy, `Self` would be the copy).
fn shadow_data(data: &syn::Data, this: &TokenStream) -> (TokenStream, TokenStream) {
    match data {
        syn::Data::Struct(data) => {
            let fields = fields(&data.fields, this);
            let semi = match data.fields {
                syn::Fields::Named(_) => None,
                _ => Some(quote!(;)),
            };
            (quote!(struct), quote!(#fields #semi))
        }
        syn::Data::Enum(data) => {
            let variants = data.variants.iter().map(|v| {
                let attrs = kept_attrs(&v.attrs);
                let ident = &v.ident;
                let fields = fields(&v.fields, this);
                quote!(#(#attrs)* #ident #fields)
            });
            (quote!(enum), quote!({ #(#variants,)* }))
        }
        syn::Data::Union(_) => unreachable!("refused before"),
    }
}

fn fields(fields: &syn::Fields, this: &TokenStream) -> TokenStream {
    let each = fields.iter().map(|f| {
        let attrs = kept_attrs(&f.attrs);
        let ident = f.ident.as_ref().map(|i| quote!(#i:));
        let ty = replace_self(f.ty.to_token_stream(), this);
        quote!(#(#attrs)* #ident #ty)
    });
    match fields {
        syn::Fields::Named(_) => quote!({ #(#each,)* }),
        syn::Fields::Unnamed(_) => quote!(( #(#each,)* )),
        syn::Fields::Unit => TokenStream::new(),
    }
}

fn kept_attrs(attrs: &[Attribute]) -> impl Iterator<Item = &Attribute> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde") || a.path().is_ident("cfg"))
}

/// `tokens` with each `Self` made `Type<..>` (or `<Type<..>>` before `::`).
fn replace_self(tokens: TokenStream, this: &TokenStream) -> TokenStream {
    let mut out = Vec::new();
    let mut iter = tokens.into_iter().peekable();
    while let Some(token) = iter.next() {
        match token {
            TokenTree::Ident(ident) if ident == "Self" => {
                let before_path =
                    matches!(iter.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ':');
                if before_path {
                    out.extend(quote!(<#this>));
                } else {
                    out.extend(this.clone());
                }
            }
            TokenTree::Group(group) => {
                let mut inner = Group::new(group.delimiter(), replace_self(group.stream(), this));
                inner.set_span(group.span());
                out.push(TokenTree::Group(inner));
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expanded(input: TokenStream, direction: Direction) -> String {
        expand(input, direction).to_string()
    }

    #[test]
    fn the_copy_is_a_remote_definition_named_as_the_type() {
        let out = expanded(
            quote! {
                #[serde(rename_all = "camelCase", crate = "serde")]
                pub struct NewPost { #[validate(length(min = 1))] #[serde(default)] pub title: String }
            },
            Direction::Deserialize,
        );
        assert!(out.contains("remote = \"NewPost\""), "{out}");
        assert!(out.contains("rename = \"NewPost\""), "{out}");
        assert!(out.contains("rename_all = \"camelCase\""), "{out}");
        assert!(
            !out.contains("crate = \"serde\""),
            "the user's crate path is dropped: {out}"
        );
        assert!(
            !out.contains("validate"),
            "only serde attributes are copied: {out}"
        );
        assert!(out.contains("# [serde (default)] title : String"), "{out}");
    }

    #[test]
    fn a_renamed_type_keeps_its_name() {
        let out = expanded(
            quote!(
                #[serde(rename = "post")]
                struct NewPost {
                    title: String,
                }
            ),
            Direction::Serialize,
        );
        assert!(!out.contains("rename = \"NewPost\""), "{out}");
        assert!(out.contains("rename = \"post\""), "{out}");
    }

    #[test]
    fn self_in_a_field_names_the_type() {
        let out = expanded(
            quote!(
                struct Node<T> {
                    children: Vec<Self>,
                    value: T,
                }
            ),
            Direction::Serialize,
        );
        assert!(out.contains("children : Vec < Node < T > >"), "{out}");
        assert!(
            out.contains("T : :: elif :: __private :: serde :: Serialize"),
            "{out}"
        );
    }

    #[test]
    fn remote_and_unions_are_refused_with_a_code() {
        let out = expanded(
            quote!(
                #[serde(remote = "Other")]
                struct Mirror {
                    a: i32,
                }
            ),
            Direction::Serialize,
        );
        assert!(out.contains("EL0035"), "{out}");
        let out = expanded(quote!(union U { a: i32 }), Direction::Deserialize);
        assert!(out.contains("EL0035"), "{out}");
    }

    #[test]
    fn an_explicit_bound_replaces_the_inferred_one() {
        let out = expanded(
            quote! {
                #[serde(bound(deserialize = "T: Default + Deserialize<'de>"))]
                struct Wrap<T> { value: T }
            },
            Direction::Deserialize,
        );
        assert!(
            out.contains("where T : Default + Deserialize < 'de >"),
            "{out}"
        );
    }
}
