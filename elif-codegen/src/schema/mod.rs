//! `#[derive(Schema)]`: the JSON Schema of a DTO, recorded in the routes
//! that read or return it (for OpenAPI). Honours serde's `rename` and
//! `rename_all` (the serialize names, where the two sides differ); `Option`
//! fields, and fields serde fills in when absent (`#[serde(default)]` on the
//! field or the struct), are not required; a field's doc comment is its `description` and
//! its `#[validate(..)]` rules its constraints (`length` → `minLength` or
//! `minItems`, `range` → `minimum`/`maximum`, `email`/`url`/`uuid` →
//! `format`, `regex` → `pattern`, `one_of` → `enum`, `each(..)` → the
//! same on `items`), so that what the
//! document promises is what validation accepts.

use proc_macro2::TokenStream;
use quote::quote;

use crate::paths::private;
use crate::serde_attrs::{Direction, field_name, has_default, rename_all, variant_name};

/// Expands `#[derive(Schema)]` on `input`.
pub fn expand(input: TokenStream) -> TokenStream {
    match syn::parse2::<syn::DeriveInput>(input).and_then(|input| generate(&input)) {
        Ok(tokens) => tokens,
        Err(error) => error.to_compile_error(),
    }
}

/// The call that adds `rule`'s constraint to a field's `schema`; `None`
/// for rules a schema cannot say (`custom`, `must_match`, ...).
fn constraint(rule: &crate::validate::parse::Rule) -> Option<TokenStream> {
    let p = private();
    let rule = schema_rule(rule)?;
    Some(quote!(#p::constrain_schema(&mut schema, #rule);))
}

/// The `SchemaRule` that says `rule`, if a schema can say it.
fn schema_rule(rule: &crate::validate::parse::Rule) -> Option<TokenStream> {
    use crate::validate::parse::Rule;
    let p = private();
    let bound = |bound: &Option<syn::Expr>| match bound {
        Some(expr) => quote!(::core::option::Option::Some(#p::serde_json::json!(#expr))),
        None => quote!(::core::option::Option::None),
    };
    Some(match rule {
        Rule::Length { min, max } => {
            let (min, max) = (bound(min), bound(max));
            quote!(#p::SchemaRule::Length(#min, #max))
        }
        Rule::Range { min, max } => {
            let (min, max) = (bound(min), bound(max));
            quote!(#p::SchemaRule::Range(#min, #max))
        }
        Rule::Email => quote!(#p::SchemaRule::Format("email")),
        Rule::Url => quote!(#p::SchemaRule::Format("uri")),
        Rule::Uuid => quote!(#p::SchemaRule::Format("uuid")),
        Rule::Regex(pattern) => quote!(#p::SchemaRule::Pattern(#pattern)),
        Rule::OneOf(values) => quote!(#p::SchemaRule::OneOf(#p::serde_json::json!(#values))),
        Rule::Each(rules) => {
            let rules = rules.iter().filter_map(|(rule, _)| schema_rule(rule));
            quote!(#p::SchemaRule::Each(::std::vec![#(#rules),*]))
        }
        _ => return None,
    })
}

fn generate(input: &syn::DeriveInput) -> syn::Result<TokenStream> {
    let p = private();
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let rule = rename_all(&input.attrs, Direction::Serialize);
    let all_defaulted = has_default(&input.attrs);
    // The rules `#[derive(Validate)]` reads; its own errors are its to report.
    let rules = crate::validate::parse::parse_dto(input.clone())
        .map(|dto| dto.fields)
        .unwrap_or_default();
    let body = match &input.data {
        syn::Data::Struct(syn::DataStruct {
            fields: syn::Fields::Named(fields),
            ..
        }) => {
            let properties = fields.named.iter().filter_map(|f| {
                let name = field_name(f.ident.as_ref()?, &f.attrs, rule, Direction::Serialize);
                let ty = &f.ty;
                let defaulted = all_defaulted || has_default(&f.attrs);
                let doc = crate::controller::openapi::doc_comment(&f.attrs);
                let describe =
                    (!doc.is_empty()).then(|| quote!(#p::describe_schema(&mut schema, #doc);));
                let constraints = rules
                    .iter()
                    .filter(|field| Some(&field.ident) == f.ident.as_ref())
                    .flat_map(|field| field.rules.iter())
                    .filter_map(|(rule, _)| constraint(rule));
                Some(quote! {
                    let mut schema = <#ty as #p::Schema>::schema();
                    #describe
                    #(#constraints)*
                    properties.insert(::std::string::String::from(#name), schema);
                    if !#defaulted && !<#ty as #p::Schema>::optional() {
                        required.push(#p::serde_json::Value::from(#name));
                    }
                })
            });
            quote! {
                let mut properties = #p::serde_json::Map::new();
                let mut required: ::std::vec::Vec<#p::serde_json::Value> = ::std::vec::Vec::new();
                #(#properties)*
                #p::serde_json::json!({ "type": "object", "properties": properties, "required": required })
            }
        }
        syn::Data::Enum(data)
            if data
                .variants
                .iter()
                .all(|v| matches!(v.fields, syn::Fields::Unit)) =>
        {
            let names = data
                .variants
                .iter()
                .map(|v| variant_name(&v.ident, &v.attrs, rule, Direction::Serialize));
            quote!(#p::serde_json::json!({ "type": "string", "enum": [#(#names),*] }))
        }
        _ => {
            return Err(syn::Error::new_spanned(
                ident,
                "`#[derive(Schema)]` supports structs with named fields and enums of unit variants [EL0009]",
            ));
        }
    };
    Ok(quote! {
        const _: () = {
            #[automatically_derived]
            impl #impl_generics #p::Schema for #ident #ty_generics #where_clause {
                fn schema() -> #p::serde_json::Value {
                    #body
                }
            }
        };
    })
}
