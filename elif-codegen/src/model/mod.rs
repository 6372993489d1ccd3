//! `#[model]`: a struct stored in a table. From one struct it generates
//! the diesel schema (the table's module, see [`table`]), `Selectable`/`Queryable`/`Identifiable`,
//! the forms (`NewPost` for inserts, `PostChanges` for updates, and the
//! client forms `PostInput`/`PostPatch` with only the `#[fillable]`
//! fields), `Serialize` without the `#[hidden]` fields, its JSON Schema,
//! the metadata the inspection commands read, and each query a
//! `Repository<Post>` runs, written once and compiled for both backends.

mod parse;
mod relations;
mod table;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::ext::IdentExt;

use crate::paths::private;
use parse::{CREATED_AT, Field, Model, UPDATED_AT};

/// Expands `#[model(table = "posts")]` on a struct.
pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let item = match syn::parse2::<syn::Item>(item.clone()) {
        Ok(item) => item,
        Err(error) => return crate::errors::with_item(item, error),
    };
    match parse::parse(args, item) {
        Ok(model) => generate(&model),
        Err((error, item)) => crate::errors::with_item(item, error),
    }
}

fn generate(model: &Model) -> TokenStream {
    let p = private();
    let item = struct_with_serde(model);
    let ident = &model.item.ident;
    let vis = &model.item.vis;
    let table = format_ident!("{}", model.table);
    let table_name = &model.table;
    let key = model.key();
    let key_ident = &key.ident;
    let key_ty = &key.ty;
    let name = ident.to_string();
    let new_ident = format_ident!("New{ident}");
    let changes_ident = format_ident!("{ident}Changes");
    let input_ident = format_ident!("{ident}Input");
    let patch_ident = format_ident!("{ident}Patch");
    let diesel = quote!(#p::diesel);

    // The schema: the table's module, the SQL types spelled in full.
    let column_types: Vec<TokenStream> = model.fields.iter().map(sql_type_path).collect();
    let table_module = table::generate(model, &column_types);

    let idents: Vec<&syn::Ident> = model.fields.iter().map(|f| &f.ident).collect();
    let types: Vec<&syn::Type> = model.fields.iter().map(|f| &f.ty).collect();
    let sts: Vec<syn::Ident> = (0..idents.len())
        .map(|i| format_ident!("__ST{i}"))
        .collect();
    let indexes = (0..idents.len()).map(syn::Index::from);

    // Forms.
    let insertable: Vec<&Field> = model.fields.iter().filter(|f| !f.generated).collect();
    let settable: Vec<&Field> = model
        .fields
        .iter()
        .filter(|f| !f.generated && !f.key)
        .collect();
    let fillable: Vec<&Field> = model.fields.iter().filter(|f| f.fillable).collect();
    let guarded: Vec<&Field> = insertable.iter().copied().filter(|f| !f.fillable).collect();

    let new_fields = insertable.iter().map(|f| {
        let (docs, vis, id, ty) = (&f.docs, &f.vis, &f.ident, &f.ty);
        quote!(#(#docs)* #vis #id: #ty,)
    });
    let changes_fields = settable.iter().map(|f| {
        let (docs, vis, id, ty) = (&f.docs, &f.vis, &f.ident, &f.ty);
        quote!(#(#docs)* #vis #id: ::core::option::Option<#ty>,)
    });
    let changes_idents: Vec<&syn::Ident> = settable.iter().map(|f| &f.ident).collect();
    let input_fields = fillable.iter().map(|f| {
        let (docs, vis, id, ty, rules) = (&f.docs, &f.vis, &f.ident, &f.ty, &f.validate);
        quote!(#(#docs)* #(#rules)* #vis #id: #ty,)
    });
    let patch_fields = fillable.iter().filter(|f| !f.key).map(|f| {
        let (docs, vis, id, ty) = (&f.docs, &f.vis, &f.ident, &f.ty);
        if f.nullable {
            // Absent: unchanged; `null`: set to NULL; a value: checked by
            // the field's rules.
            let rules = &f.validate;
            quote! {
                #(#docs)*
                #(#rules)*
                #[serde(default, deserialize_with = "::elif::__private::double_option")]
                #vis #id: ::core::option::Option<#ty>,
            }
        } else {
            let rules = &f.validate;
            quote!(#(#docs)* #(#rules)* #vis #id: ::core::option::Option<#ty>,)
        }
    });
    let patch_idents: Vec<&syn::Ident> = fillable
        .iter()
        .filter(|f| !f.key)
        .map(|f| &f.ident)
        .collect();
    let fillable_idents: Vec<&syn::Ident> = fillable.iter().map(|f| &f.ident).collect();
    let rest_of_changes = (patch_idents.len() < changes_idents.len())
        .then(|| quote!(..::core::default::Default::default()));
    let guarded_params = guarded.iter().map(|f| {
        let (id, ty) = (&f.ident, &f.ty);
        quote!(#id: #ty)
    });
    let guarded_idents: Vec<&syn::Ident> = guarded.iter().map(|f| &f.ident).collect();
    let into_new_doc = if guarded.is_empty() {
        format!("The [`{new_ident}`] these values make.")
    } else {
        let names: Vec<String> = guarded.iter().map(|f| format!("`{}`", f.ident)).collect();
        format!(
            "The [`{new_ident}`] these values make, with the fields a client may not set ({}) given by the server.",
            names.join(", ")
        )
    };
    let from_input = guarded.is_empty().then(|| {
        quote! {
            impl ::core::convert::From<#input_ident> for #new_ident {
                fn from(input: #input_ident) -> Self {
                    input.into_new()
                }
            }
        }
    });

    // Insert and update values.
    let has_created = model.has(CREATED_AT);
    let has_updated = model.has(UPDATED_AT);
    let now = (has_created || has_updated).then(|| quote!(let __now = #p::Timestamp::now();));
    let mut insert_values: Vec<TokenStream> = insertable
        .iter()
        .map(|f| {
            let id = &f.ident;
            quote!(#table::#id.eq(&new.#id))
        })
        .collect();
    for (present, column) in [(has_created, CREATED_AT), (has_updated, UPDATED_AT)] {
        if present {
            let column = format_ident!("{column}");
            insert_values.push(quote!(#table::#column.eq(&__now)));
        }
    }
    let insert_statement = if insert_values.is_empty() {
        quote!(#diesel::insert_into(#table::table).default_values())
    } else {
        quote!(#diesel::insert_into(#table::table).values((#(#insert_values,)*)))
    };
    let mut update_values: Vec<TokenStream> = settable
        .iter()
        .map(|f| {
            let id = &f.ident;
            quote!(changes.#id.as_ref().map(|v| #table::#id.eq(v)))
        })
        .collect();
    if has_updated {
        update_values.push(quote!(#table::updated_at.eq(&__now)));
    }
    let nothing_to_update = if has_updated {
        quote!(false)
    } else {
        quote!(#(changes.#changes_idents.is_none())&&*)
    };
    // Nothing the model lets an update set (only a key): an update is a find.
    let update_body = if update_values.is_empty() {
        quote! {
            let _ = changes;
            <Self as #p::Model>::find_by_key(conn, key).await
        }
    } else {
        quote! {
            if #nothing_to_update {
                return <Self as #p::Model>::find_by_key(conn, key).await;
            }
            #now
            ::elif::with_connection!(*conn, |c, __DB| #diesel::update(#table::table.find(key))
                .set((#(#update_values,)*))
                .returning(<#ident as #diesel::SelectableHelper<__DB>>::as_returning())
                .get_result::<#ident>(c)
                .await
                .optional())
        }
    };

    // Metadata.
    let field_infos = model.fields.iter().map(|f| {
        let field_name = f.ident.unraw().to_string();
        let ty = &f.ty;
        let rust_type = quote!(#ty).to_string().replace(' ', "");
        let sql = format_ident!("{}", f.sql.variant());
        let (nullable, is_key, hidden, fillable, generated) =
            (f.nullable, f.key, f.hidden, f.fillable, f.generated);
        quote! {
            #p::FieldInfo {
                name: #field_name,
                rust_type: #rust_type,
                sql_type: #p::SqlType::#sql,
                nullable: #nullable,
                key: #is_key,
                hidden: #hidden,
                fillable: #fillable,
                generated: #generated,
            }
        }
    });
    // Relation fields, then foreign keys marked `#[belongs_to]` that no
    // relation field already covers.
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
            .any(|r| r.kind == parse::RelationKind::BelongsTo && r.foreign_key == f.ident);
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
    let relation_idents: Vec<&syn::Ident> = model.relations.iter().map(|r| &r.ident).collect();
    // A relation's rows are described by name, not inlined: models refer
    // to each other both ways, and an inlined schema would never end.
    let relation_schemas: Vec<TokenStream> = model
        .relations
        .iter()
        .map(|r| {
            let target = r.target.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
            let optional = r.kind == parse::RelationKind::HasOne
                || model
                    .fields
                    .iter()
                    .any(|f| f.ident == r.foreign_key && f.nullable && r.kind == parse::RelationKind::BelongsTo);
            let description = format!("the related `{target}` row(s), present when loaded");
            match r.kind {
                parse::RelationKind::HasMany | parse::RelationKind::ManyToMany => quote!(
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
        .collect();
    let relation_names: Vec<String> = relation_idents
        .iter()
        .map(|i| i.unraw().to_string())
        .collect();
    let column_consts = model.fields.iter().map(|f| {
        let column = &f.ident;
        let name = format_ident!("__elif_{}", column.unraw());
        quote! {
            #[doc(hidden)]
            #[allow(non_upper_case_globals)]
            pub const #name: #table::#column = #table::#column;
        }
    });
    let relation_methods = relations::generate(model);

    // Upsert: only when the insert form carries the key (a key the
    // database does not generate), so that a conflict names a row.
    let upsert = (!key.generated).then(|| {
        let mut updates: Vec<TokenStream> = settable
            .iter()
            .map(|f| {
                let id = &f.ident;
                quote!(#table::#id.eq(#diesel::upsert::excluded(#table::#id)))
            })
            .collect();
        if has_updated {
            updates
                .push(quote!(#table::updated_at.eq(#diesel::upsert::excluded(#table::updated_at))));
        }
        if updates.is_empty() {
            // Nothing to change, but RETURNING must still give the row.
            updates
                .push(quote!(#table::#key_ident.eq(#diesel::upsert::excluded(#table::#key_ident))));
        }
        let on_conflict = quote!(.on_conflict(#table::#key_ident).do_update().set((#(#updates,)*)));
        quote! {
            impl #p::Upsert for #ident {
                fn upsert(
                    conn: &mut #p::Connection,
                    new: #new_ident,
                ) -> impl ::core::future::Future<Output = #diesel::QueryResult<Self>> + Send {
                    async move {
                        #now
                        ::elif::with_connection!(*conn, |c, __DB| #insert_statement
                            #on_conflict
                            .returning(<#ident as #diesel::SelectableHelper<__DB>>::as_returning())
                            .get_result::<#ident>(c)
                            .await)
                    }
                }
            }
        }
    });
    // Checks that each `belongs_to` names a model.
    let parent_checks = model.fields.iter().filter_map(|f| {
        let parent = f.belongs_to.as_ref()?;
        Some(quote_spanned_check(parent))
    });
    let not_found = format!("{}_NOT_FOUND", parse::snake_case(&name).to_uppercase());

    // JSON Schema without the hidden fields.
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
    let repository_name = format!("Repository<{name}>");
    let new_doc = format!(
        "The values of a new [`{name}`]: every column but the ones the repository sets (generated by `#[model]`)."
    );
    let changes_doc = format!(
        "Changes to a [`{name}`]: `Some` fields are set, `None` ones left as they are (generated by `#[model]`)."
    );
    let input_doc = format!(
        "What a client may send to create a [`{name}`]: its `#[fillable]` fields, nothing else (generated by `#[model]`)."
    );
    let patch_doc = format!(
        "What a client may send to change a [`{name}`]: any of its `#[fillable]` fields (generated by `#[model]`)."
    );

    quote! {
        #item

        #table_module

        #[doc = #new_doc]
        #[derive(::core::fmt::Debug, ::core::clone::Clone)]
        #vis struct #new_ident {
            #(#new_fields)*
        }

        #[doc = #changes_doc]
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::default::Default)]
        #vis struct #changes_ident {
            #(#changes_fields)*
        }

        #[doc = #input_doc]
        #[derive(::core::fmt::Debug, #p::serde::Deserialize, ::elif::Validate, ::elif::Schema)]
        #[serde(crate = "::elif::__private::serde", deny_unknown_fields)]
        #vis struct #input_ident {
            #(#input_fields)*
        }

        #[doc = #patch_doc]
        #[derive(::core::fmt::Debug, ::core::default::Default, #p::serde::Deserialize, ::elif::Validate, ::elif::Schema)]
        #[serde(crate = "::elif::__private::serde", deny_unknown_fields)]
        #vis struct #patch_ident {
            #(#patch_fields)*
        }

        impl #input_ident {
            #[doc = #into_new_doc]
            #[allow(clippy::too_many_arguments)]
            #vis fn into_new(self, #(#guarded_params),*) -> #new_ident {
                #new_ident {
                    #(#fillable_idents: self.#fillable_idents,)*
                    #(#guarded_idents,)*
                }
            }
        }

        #from_input

        #relation_methods

        impl ::core::convert::From<#patch_ident> for #changes_ident {
            fn from(patch: #patch_ident) -> Self {
                Self {
                    #(#patch_idents: patch.#patch_idents,)*
                    #rest_of_changes
                }
            }
        }

        const _: () = {
            use #diesel::{ExpressionMethods as _, OptionalExtension as _, QueryDsl as _};
            use #p::diesel_async::RunQueryDsl as _;

            #(#parent_checks)*

            impl #ident {
                #(#column_consts)*
            }

            impl<__DB: #diesel::backend::Backend> #diesel::Selectable<__DB> for #ident {
                type SelectExpression = (#(#table::#idents,)*);
                fn construct_selection() -> Self::SelectExpression {
                    (#(#table::#idents,)*)
                }
            }

            impl<__DB, #(#sts),*> #diesel::deserialize::Queryable<(#(#sts,)*), __DB> for #ident
            where
                __DB: #diesel::backend::Backend,
                (#(#types,)*): #diesel::deserialize::FromStaticSqlRow<(#(#sts,)*), __DB>,
            {
                type Row = (#(#types,)*);
                fn build(row: Self::Row) -> #diesel::deserialize::Result<Self> {
                    ::core::result::Result::Ok(Self {
                        #(#idents: row.#indexes,)*
                        #(#relation_idents: ::core::default::Default::default(),)*
                    })
                }
            }

            impl #diesel::associations::HasTable for #ident {
                type Table = #table::table;
                fn table() -> Self::Table {
                    #table::table
                }
            }

            impl<'__a> #diesel::Identifiable for &'__a #ident {
                type Id = &'__a #key_ty;
                fn id(self) -> Self::Id {
                    &self.#key_ident
                }
            }

            impl #p::Schema for #ident {
                fn schema() -> #p::serde_json::Value {
                    let mut properties = #p::serde_json::Map::new();
                    let mut required: ::std::vec::Vec<#p::serde_json::Value> = ::std::vec::Vec::new();
                    #(#schema_properties)*
                    #(properties.insert(::std::string::String::from(#relation_names), #relation_schemas);)*
                    #p::serde_json::json!({ "type": "object", "properties": properties, "required": required })
                }
            }

            impl #p::Model for #ident {
                type Key = #key_ty;
                type KeyColumn = #table::#key_ident;
                const KEY_COLUMN: #table::#key_ident = #table::#key_ident;
                type New = #new_ident;
                type Changes = #changes_ident;
                type SqliteSelect = #diesel::dsl::IntoBoxed<'static, #table::table, #diesel::sqlite::Sqlite>;
                type PgSelect = #diesel::dsl::IntoBoxed<'static, #table::table, #diesel::pg::Pg>;

                fn info() -> &'static #p::ModelInfo {
                    static INFO: #p::ModelInfo = #p::ModelInfo {
                        name: #name,
                        table: #table_name,
                        key: ::core::stringify!(#key_ident),
                        not_found: #not_found,
                        fields: &[#(#field_infos),*],
                        relations: &[#(#relation_infos),*],
                        location: #p::Location { file: ::core::file!(), line: ::core::line!() },
                    };
                    &INFO
                }

                fn key(&self) -> &#key_ty {
                    &self.#key_ident
                }

                fn repository() -> &'static #p::ProviderDescriptor {
                    static DESCRIPTOR: #p::ProviderDescriptor =
                        #p::ProviderDescriptor::builtin::<#p::Repository<#ident>>(
                            #repository_name,
                            #p::depends_on_database,
                            #p::build_repository::<#ident>,
                            #p::Location { file: ::core::file!(), line: ::core::line!() },
                        );
                    &DESCRIPTOR
                }

                fn find_by_key(
                    conn: &mut #p::Connection,
                    key: #key_ty,
                ) -> impl ::core::future::Future<Output = #diesel::QueryResult<::core::option::Option<Self>>> + Send {
                    async move {
                        ::elif::with_connection!(*conn, |c, __DB| #table::table
                            .find(key)
                            .select(<#ident as #diesel::SelectableHelper<__DB>>::as_select())
                            .first::<#ident>(c)
                            .await
                            .optional())
                    }
                }

                fn list(
                    conn: &mut #p::Connection,
                    query: &#p::Criteria<Self>,
                ) -> impl ::core::future::Future<Output = #diesel::QueryResult<::std::vec::Vec<Self>>> + Send {
                    async move {
                        ::elif::with_connection!(*conn, |c, __DB| {
                            let select = <__DB as #p::BackendClauses<#ident>>::filter_and_order(
                                query,
                                #table::table.into_boxed(),
                            );
                            let select = match query.limit_value() {
                                ::core::option::Option::Some(n) => select.limit(n),
                                ::core::option::Option::None => select,
                            };
                            let select = match query.offset_value() {
                                ::core::option::Option::Some(n) => select.offset(n),
                                ::core::option::Option::None => select,
                            };
                            select
                                .select(<#ident as #diesel::SelectableHelper<__DB>>::as_select())
                                .load::<#ident>(c)
                                .await
                        })
                    }
                }

                fn count(
                    conn: &mut #p::Connection,
                    query: &#p::Criteria<Self>,
                ) -> impl ::core::future::Future<Output = #diesel::QueryResult<i64>> + Send {
                    async move {
                        ::elif::with_connection!(*conn, |c, __DB| {
                            <__DB as #p::BackendClauses<#ident>>::filter(query, #table::table.into_boxed())
                                .count()
                                .get_result::<i64>(c)
                                .await
                        })
                    }
                }

                fn insert(
                    conn: &mut #p::Connection,
                    new: #new_ident,
                ) -> impl ::core::future::Future<Output = #diesel::QueryResult<Self>> + Send {
                    async move {
                        #now
                        ::elif::with_connection!(*conn, |c, __DB| #insert_statement
                            .returning(<#ident as #diesel::SelectableHelper<__DB>>::as_returning())
                            .get_result::<#ident>(c)
                            .await)
                    }
                }

                fn update(
                    conn: &mut #p::Connection,
                    key: #key_ty,
                    changes: #changes_ident,
                ) -> impl ::core::future::Future<Output = #diesel::QueryResult<::core::option::Option<Self>>> + Send {
                    async move { #update_body }
                }

                fn delete(
                    conn: &mut #p::Connection,
                    key: #key_ty,
                ) -> impl ::core::future::Future<Output = #diesel::QueryResult<usize>> + Send {
                    async move {
                        ::elif::with_connection!(*conn, |c, __DB| #diesel::delete(#table::table.find(key))
                            .execute(c)
                            .await)
                    }
                }
            }

            #upsert

            #p::inventory::submit! {
                #p::ModelRegistration { info: <#ident as #p::Model>::info }
            }
        };
    }
}

/// The struct, deriving `Serialize` with its `#[hidden]` fields skipped,
/// and its relations left out until loaded.
fn struct_with_serde(model: &Model) -> TokenStream {
    let p = private();
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
                .any(|r| Some(&r.ident) == field.ident.as_ref());
            if relation {
                field.attrs.push(syn::parse_quote!(
                    #[serde(skip_serializing_if = "::elif::__private::Related::is_not_loaded")]
                ));
            }
        }
    }
    quote! {
        #[derive(#p::serde::Serialize)]
        #[serde(crate = "::elif::__private::serde")]
        #item
    }
}

/// The SQL type of a column, spelled in full for `table!`.
fn sql_type_path(field: &Field) -> TokenStream {
    let p = private();
    let base = match field.sql {
        parse::Sql::Timestamp => quote!(#p::sql::Timestamp),
        parse::Sql::Uuid => quote!(#p::sql::Uuid),
        parse::Sql::Json => quote!(#p::sql::Json),
        other => {
            let name = format_ident!("{}", other.variant());
            quote!(#p::diesel::sql_types::#name)
        }
    };
    if field.nullable {
        quote!(#p::diesel::sql_types::Nullable<#base>)
    } else {
        base
    }
}

/// A compile-time check, spanned at the parent's path, that `belongs_to`
/// names a model.
fn quote_spanned_check(parent: &syn::Path) -> TokenStream {
    let p = private();
    let span = syn::spanned::Spanned::span(parent);
    quote::quote_spanned! {span=>
        const _: fn() = || {
            fn must_be_a_model<M: #p::Model>() {}
            must_be_a_model::<#parent>();
        };
    }
}
