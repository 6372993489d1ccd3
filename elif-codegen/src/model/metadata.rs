//! What a model says about itself: the `ModelInfo` the inspection commands
//! read (its table, columns and relations), the provider descriptor of its
//! `Repository`, and its registration in the app's list of models.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::ext::IdentExt;

use super::parse::{Model, RelationKind, Sql, snake_case};
use crate::paths::private;

/// `fn info()` and `fn repository()` of `impl Model`.
pub(super) fn model_fns(model: &Model) -> TokenStream {
    let p = private();
    let ident = &model.item.ident;
    let name = ident.to_string();
    let table_name = &model.table;
    let key_ident = &model.key().ident;
    let not_found = format!("{}_NOT_FOUND", snake_case(&name).to_uppercase());
    let field_infos = field_infos(model);
    let relation_infos = relation_infos(model);
    let repository_name = format!("Repository<{name}>");
    let namespace = match &model.namespace {
        Some(namespace) => quote!(::core::option::Option::Some(#namespace)),
        None => quote!(::core::option::Option::None),
    };
    quote! {
        fn info() -> &'static #p::ModelInfo {
            static INFO: #p::ModelInfo = #p::ModelInfo {
                name: #name,
                table: #table_name,
                key: ::core::stringify!(#key_ident),
                not_found: #not_found,
                fields: &[#(#field_infos),*],
                relations: &[#(#relation_infos),*],
                namespace: #namespace,
                location: #p::Location { file: ::core::file!(), line: ::core::line!() },
            };
            &INFO
        }

        fn repository() -> &'static #p::ProviderDescriptor {
            static DESCRIPTOR: #p::ProviderDescriptor =
                #p::ProviderDescriptor::builtin::<#p::Repository<#ident>>(
                    #repository_name,
                    #p::repository_dependencies,
                    #p::build_repository::<#ident>,
                    #p::Location { file: ::core::file!(), line: ::core::line!() },
                );
            &DESCRIPTOR
        }
    }
}

/// The model in the app's list of models.
pub(super) fn registration(model: &Model) -> TokenStream {
    let p = private();
    let ident = &model.item.ident;
    quote! {
        #p::inventory::submit! {
            #p::ModelRegistration { info: <#ident as #p::Model>::info }
        }
    }
}

/// A `FieldInfo` per column.
fn field_infos(model: &Model) -> Vec<TokenStream> {
    let p = private();
    model
        .fields
        .iter()
        .map(|f| {
            let field_name = f.ident.unraw().to_string();
            let ty = &f.ty;
            let rust_type = quote!(#ty).to_string().replace(' ', "");
            let sql = match f.sql {
                Sql::Custom => {
                    let ty = f.value_type();
                    quote!(<#ty as #p::Column>::SQL_TYPE)
                }
                other => {
                    let variant = format_ident!("{}", other.variant());
                    quote!(#p::SqlType::#variant)
                }
            };
            let (nullable, is_key, hidden, fillable, generated) =
                (f.nullable, f.key, f.hidden, f.fillable, f.generated);
            let (unique, index) = (f.unique, f.index);
            quote! {
                #p::FieldInfo {
                    name: #field_name,
                    rust_type: #rust_type,
                    sql_type: #sql,
                    nullable: #nullable,
                    key: #is_key,
                    hidden: #hidden,
                    fillable: #fillable,
                    generated: #generated,
                    unique: #unique,
                    index: #index,
                }
            }
        })
        .collect()
}

/// A `RelationInfo` per relation field, then one per foreign key marked
/// `#[belongs_to]` that no relation field already covers.
fn relation_infos(model: &Model) -> Vec<TokenStream> {
    let p = private();
    let mut relation_infos: Vec<TokenStream> = model
        .relations
        .iter()
        .map(|r| {
            let (name, kind) = (r.ident.unraw().to_string(), r.kind.name());
            let target = r.target.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
            let foreign_key = r.foreign_key.unraw().to_string();
            let through = match &r.through {
                Some((through, _)) => {
                    let through = through.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
                    quote!(::core::option::Option::Some(#through))
                }
                None => quote!(::core::option::Option::None),
            };
            quote! {
                #p::RelationInfo { name: #name, kind: #kind, model: #target, foreign_key: #foreign_key, through: #through }
            }
        })
        .collect();
    relation_infos.extend(model.fields.iter().filter_map(|f| {
        let parent = f.belongs_to.as_ref()?;
        let covered = model
            .relations
            .iter()
            .any(|r| r.kind == RelationKind::BelongsTo && r.foreign_key == f.ident);
        if covered {
            return None;
        }
        let parent_name = parent.segments.last()?.ident.to_string();
        let foreign_key = f.ident.unraw().to_string();
        let relation = foreign_key
            .strip_suffix("_id")
            .unwrap_or(&foreign_key)
            .to_owned();
        Some(quote! {
            #p::RelationInfo { name: #relation, kind: "belongs_to", model: #parent_name, foreign_key: #foreign_key, through: ::core::option::Option::None }
        })
    }));
    relation_infos
}
