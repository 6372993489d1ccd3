//! A model as JSON: the struct derives `Serialize` without its `#[hidden]`
//! fields and with its relations left out until loaded, and its JSON
//! Schema describes that same shape.

use proc_macro2::TokenStream;
use quote::quote;
use syn::ext::IdentExt;

use super::parse::{AggregateKind, Model, RelationKind};
use crate::paths::{private, private_in_string, serde, serde_crate};

/// The struct, deriving `Serialize` with its `#[hidden]` fields skipped,
/// and its relations left out until loaded.
pub(super) fn serialized_struct(model: &Model) -> TokenStream {
    let serde = serde();
    let serde_crate = serde_crate();
    let is_not_loaded = private_in_string("Related::is_not_loaded");
    let mut item = model.item.clone();
    if let syn::Fields::Named(named) = &mut item.fields {
        for field in named.named.iter_mut() {
            let hidden = model
                .fields
                .iter()
                .any(|f| f.hidden && Some(&f.ident) == field.ident.as_ref());
            if hidden {
                field
                    .attrs
                    .push(syn::parse_quote!(#[serde(skip_serializing)]));
            }
            let relation = model
                .relations
                .iter()
                .map(|r| &r.ident)
                .chain(model.aggregates.iter().map(|a| &a.ident))
                .any(|r| Some(r) == field.ident.as_ref());
            if relation {
                field.attrs.push(syn::parse_quote!(
                    #[serde(skip_serializing_if = #is_not_loaded)]
                ));
            }
        }
    }
    quote! {
        #[derive(#serde::Serialize)]
        #[serde(crate = #serde_crate)]
        #item
    }
}

/// `impl Schema`: the JSON Schema of what `Serialize` writes, without the
/// hidden fields.
pub(super) fn schema(model: &Model) -> TokenStream {
    let p = private();
    let ident = &model.item.ident;
    let schema_properties = model.fields.iter().filter(|f| !f.hidden).map(|f| {
        let field_name = f.ident.unraw().to_string();
        let ty = &f.ty;
        quote! {
            properties.insert(::std::string::String::from(#field_name), <#ty as #p::Schema>::schema());
            if !<#ty as #p::Schema>::optional() {
                required.push(#p::serde_json::Value::from(#field_name));
            }
        }
    });
    let relation_names: Vec<String> = model
        .relations
        .iter()
        .map(|r| r.ident.unraw().to_string())
        .collect();
    let relation_schemas = relation_schemas(model);
    let aggregate_names = model.aggregates.iter().map(|a| a.ident.unraw().to_string());
    let aggregate_schemas = model.aggregates.iter().map(|a| {
        let description = format!(
            "the `{}` relation's {}, present when asked for",
            a.relation.unraw(),
            match a.kind {
                AggregateKind::Count => "count",
                AggregateKind::Exists => "existence",
            }
        );
        let ty = match a.kind {
            AggregateKind::Count => "integer",
            AggregateKind::Exists => "boolean",
        };
        quote!(#p::serde_json::json!({ "type": #ty, "description": #description }))
    });
    quote! {
        impl #p::Schema for #ident {
            fn schema() -> #p::serde_json::Value {
                let mut properties = #p::serde_json::Map::new();
                let mut required: ::std::vec::Vec<#p::serde_json::Value> = ::std::vec::Vec::new();
                #(#schema_properties)*
                #(properties.insert(::std::string::String::from(#relation_names), #relation_schemas);)*
                #(properties.insert(::std::string::String::from(#aggregate_names), #aggregate_schemas);)*
                #p::serde_json::json!({ "type": "object", "properties": properties, "required": required })
            }
        }
    }
}

/// The schema of each relation field. A relation's rows are described by
/// name, not inlined: models refer to each other both ways, and an inlined
/// schema would never end.
fn relation_schemas(model: &Model) -> Vec<TokenStream> {
    let p = private();
    model
        .relations
        .iter()
        .map(|r| {
            let target = r.target.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
            let optional = r.kind == RelationKind::HasOne
                || model
                    .fields
                    .iter()
                    .any(|f| f.ident == r.foreign_key && f.nullable && r.kind == RelationKind::BelongsTo);
            let description = format!("the related `{target}` row(s), present when loaded");
            match r.kind {
                RelationKind::HasMany | RelationKind::ManyToMany => quote!(
                    #p::serde_json::json!({ "type": "array", "items": { "type": "object", "title": #target }, "description": #description })
                ),
                _ if optional => quote!(
                    #p::serde_json::json!({ "type": ["object", "null"], "title": #target, "description": #description })
                ),
                _ => quote!(
                    #p::serde_json::json!({ "type": "object", "title": #target, "description": #description })
                ),
            }
        })
        .collect()
}
