//! What a `Repository<Post>` runs: the struct as a row of its table
//! (`Selectable`, `Queryable`, `HasTable`, `Identifiable`), and the queries
//! of `Model` and `Upsert`. Each query is written once, inside
//! `with_connection!`, and compiled for both backends: the macro gives the
//! body the connection and the backend (`__DB`) it holds.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::forms::{changes_form, new_form};
use super::parse::{CREATED_AT, Model, UPDATED_AT};
use crate::paths::{diesel, private};

/// The struct as a row of its table: selected, built from a row, found by
/// its key.
pub(super) fn rows(model: &Model) -> TokenStream {
    let diesel = diesel();
    let ident = &model.item.ident;
    let table = format_ident!("{}", model.table);
    let key = model.key();
    let (key_ident, key_ty) = (&key.ident, &key.ty);
    let idents: Vec<&syn::Ident> = model.fields.iter().map(|f| &f.ident).collect();
    let types: Vec<&syn::Type> = model.fields.iter().map(|f| &f.ty).collect();
    let sts: Vec<syn::Ident> = (0..idents.len())
        .map(|i| format_ident!("__ST{i}"))
        .collect();
    let indexes = (0..idents.len()).map(syn::Index::from);
    let relation_idents = model
        .relations
        .iter()
        .map(|r| &r.ident)
        .chain(model.aggregates.iter().map(|a| &a.ident));
    quote! {
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
    }
}

/// `impl Model`: its types, its queries, and `metadata` (the functions
/// that describe the model, from [`super::metadata`]).
pub(super) fn model_impl(model: &Model, metadata: &TokenStream) -> TokenStream {
    let p = private();
    let diesel = diesel();
    let ident = &model.item.ident;
    let table = format_ident!("{}", model.table);
    let key = model.key();
    let (key_ident, key_ty) = (&key.ident, &key.ty);
    let new_ident = new_form(model);
    let changes_ident = changes_form(model);
    let insert = insert_returning(model, TokenStream::new());
    let update_body = update_body(model);
    let update_where_body = update_where_body(model);
    let list = list_fn(
        model,
        quote!(list),
        quote!(<#ident as #diesel::SelectableHelper<__DB>>::as_select()),
        quote!(#ident),
    );
    let list_counted = list_fn(
        model,
        quote!(list_counted),
        quote!((<#ident as #diesel::SelectableHelper<__DB>>::as_select(), #p::CountOver)),
        quote!((#ident, i64)),
    );
    quote! {
        impl #p::Model for #ident {
            type Key = #key_ty;
            type KeyColumn = #table::#key_ident;
            const KEY_COLUMN: #table::#key_ident = #table::#key_ident;
            type New = #new_ident;
            type Changes = #changes_ident;
            type Table = #table::table;
            type SqliteSelect = #diesel::dsl::IntoBoxed<'static, #table::table, #diesel::sqlite::Sqlite>;
            type PgSelect = #diesel::dsl::IntoBoxed<'static, #table::table, #diesel::pg::Pg>;

            #metadata

            fn key(&self) -> &#key_ty {
                &self.#key_ident
            }

            fn find_by_key(
                conn: &mut #p::Connection,
                key: #key_ty,
            ) -> impl ::core::future::Future<Output = #diesel::QueryResult<::core::option::Option<Self>>> + Send {
                async move {
                    #p::with_connection!(*conn, |c, __DB| #table::table
                        .find(key)
                        .select(<#ident as #diesel::SelectableHelper<__DB>>::as_select())
                        .first::<#ident>(c)
                        .await
                        .optional())
                }
            }

            #list

            #list_counted

            fn count(
                conn: &mut #p::Connection,
                query: &#p::Criteria<Self>,
            ) -> impl ::core::future::Future<Output = #diesel::QueryResult<i64>> + Send {
                async move {
                    #p::with_connection!(*conn, |c, __DB| {
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
                now: #p::Timestamp,
            ) -> impl ::core::future::Future<Output = #diesel::QueryResult<Self>> + Send {
                #insert
            }

            fn update(
                conn: &mut #p::Connection,
                key: #key_ty,
                changes: #changes_ident,
                now: #p::Timestamp,
            ) -> impl ::core::future::Future<Output = #diesel::QueryResult<::core::option::Option<Self>>> + Send {
                async move { #update_body }
            }

            fn delete(
                conn: &mut #p::Connection,
                key: #key_ty,
            ) -> impl ::core::future::Future<Output = #diesel::QueryResult<usize>> + Send {
                async move {
                    #p::with_connection!(*conn, |c, __DB| #diesel::delete(#table::table.find(key))
                        .execute(c)
                        .await)
                }
            }

            fn key_in(keys: ::std::vec::Vec<#key_ty>) -> #p::SharedPredicate {
                ::std::sync::Arc::new(#table::#key_ident.eq_any(keys))
            }

            fn keys(
                conn: &mut #p::Connection,
                query: &#p::Criteria<Self>,
            ) -> impl ::core::future::Future<Output = #diesel::QueryResult<::std::vec::Vec<#key_ty>>> + Send {
                async move {
                    #p::with_connection!(*conn, |c, __DB| {
                        <__DB as #p::BackendClauses<#ident>>::filter(query, #table::table.into_boxed())
                            .select(#table::#key_ident)
                            .load::<#key_ty>(c)
                            .await
                    })
                }
            }

            fn update_where(
                conn: &mut #p::Connection,
                query: &#p::Criteria<Self>,
                changes: #changes_ident,
                now: #p::Timestamp,
            ) -> impl ::core::future::Future<Output = #diesel::QueryResult<usize>> + Send {
                async move { #update_where_body }
            }

            fn delete_where(
                conn: &mut #p::Connection,
                query: &#p::Criteria<Self>,
            ) -> impl ::core::future::Future<Output = #diesel::QueryResult<usize>> + Send {
                async move {
                    let condition = query.condition();
                    #p::with_connection!(*conn, |c, __DB| #diesel::delete(#table::table)
                        .filter(condition)
                        .execute(c)
                        .await)
                }
            }
        }
    }
}

/// `impl Upsert`: only when the insert form carries the key (a key the
/// database does not generate), so that a conflict names a row.
pub(super) fn upsert(model: &Model) -> Option<TokenStream> {
    let key = model.key();
    if key.generated {
        return None;
    }
    let p = private();
    let diesel = diesel();
    let ident = &model.item.ident;
    let table = format_ident!("{}", model.table);
    let key_ident = &key.ident;
    let new_ident = new_form(model);
    let updates = upsert_updates(model, quote!(#table::#key_ident));
    let upsert = insert_returning(
        model,
        quote!(.on_conflict(#table::#key_ident).do_update().set((#(#updates,)*))),
    );
    Some(quote! {
        impl #p::Upsert for #ident {
            fn upsert(
                conn: &mut #p::Connection,
                new: #new_ident,
                now: #p::Timestamp,
            ) -> impl ::core::future::Future<Output = #diesel::QueryResult<Self>> + Send {
                #upsert
            }
        }
    })
}

/// The body of `insert` and `upsert`: the timestamps, the insert statement,
/// `tail` (an `ON CONFLICT` clause, or nothing), and the row it returns.
fn insert_returning(model: &Model, tail: TokenStream) -> TokenStream {
    let p = private();
    let diesel = diesel();
    let ident = &model.item.ident;
    let now = now(model);
    let statement = insert_statement(model);
    quote! {
        async move {
            #now
            #p::with_connection!(*conn, |c, __DB| #statement
                #tail
                .returning(<#ident as #diesel::SelectableHelper<__DB>>::as_returning())
                .get_result::<#ident>(c)
                .await)
        }
    }
}

/// `let __now = now;` (the repository's clock) when the model has a
/// timestamp to set, `let _ = now;` otherwise.
fn now(model: &Model) -> TokenStream {
    if model.has(CREATED_AT) || model.has(UPDATED_AT) {
        quote!(let __now = now;)
    } else {
        quote!(let _ = now;)
    }
}

/// `INSERT INTO <table> (..) VALUES (..)` from `new`, with the timestamps
/// the repository sets.
fn insert_statement(model: &Model) -> TokenStream {
    let diesel = diesel();
    let table = format_ident!("{}", model.table);
    let mut insert_values: Vec<TokenStream> = model
        .insertable()
        .map(|f| {
            let id = &f.ident;
            quote!(#table::#id.eq(&new.#id))
        })
        .collect();
    for column in [CREATED_AT, UPDATED_AT] {
        if model.has(column) {
            let column = format_ident!("{column}");
            insert_values.push(quote!(#table::#column.eq(&__now)));
        }
    }
    if insert_values.is_empty() {
        quote!(#diesel::insert_into(#table::table).default_values())
    } else {
        quote!(#diesel::insert_into(#table::table).values((#(#insert_values,)*)))
    }
}

/// What an update sets: each `Some` field of `changes`, and `updated_at`
/// (from `now`) when the model has it; with the test that there is nothing
/// to set. `None` when the model has nothing an update can set (a key only).
fn update_set(model: &Model) -> Option<(Vec<TokenStream>, TokenStream)> {
    let table = format_ident!("{}", model.table);
    let has_updated = model.has(UPDATED_AT);
    let changes_idents: Vec<&syn::Ident> = model.settable().map(|f| &f.ident).collect();
    let mut values: Vec<TokenStream> = changes_idents
        .iter()
        .map(|id| quote!(changes.#id.as_ref().map(|v| #table::#id.eq(v))))
        .collect();
    if has_updated {
        values.push(quote!(#table::updated_at.eq(&now)));
    }
    let nothing = if has_updated {
        quote!(false)
    } else {
        quote!(#(changes.#changes_idents.is_none())&&*)
    };
    (!values.is_empty()).then_some((values, nothing))
}

/// The body of `update`: the `Some` fields of `changes` (and `updated_at`)
/// set on the row with `key`, which is returned. With nothing to set, an
/// update is a find.
fn update_body(model: &Model) -> TokenStream {
    let p = private();
    let diesel = diesel();
    let ident = &model.item.ident;
    let table = format_ident!("{}", model.table);
    let Some((values, nothing)) = update_set(model) else {
        return quote! {
            let _ = (changes, now);
            <Self as #p::Model>::find_by_key(conn, key).await
        };
    };
    quote! {
        if #nothing {
            return <Self as #p::Model>::find_by_key(conn, key).await;
        }
        #p::with_connection!(*conn, |c, __DB| #diesel::update(#table::table.find(key))
            .set((#(#values,)*))
            .returning(<#ident as #diesel::SelectableHelper<__DB>>::as_returning())
            .get_result::<#ident>(c)
            .await
            .optional())
    }
}

/// The body of `update_where`: the `Some` fields of `changes` (and
/// `updated_at`) set on every row the criteria selects; how many.
fn update_where_body(model: &Model) -> TokenStream {
    let p = private();
    let diesel = diesel();
    let table = format_ident!("{}", model.table);
    let Some((values, nothing)) = update_set(model) else {
        return quote! {
            let _ = (conn, query, changes, now);
            ::core::result::Result::Ok(0)
        };
    };
    quote! {
        if #nothing {
            return ::core::result::Result::Ok(0);
        }
        let condition = query.condition();
        #p::with_connection!(*conn, |c, __DB| #diesel::update(#table::table)
            .filter(condition)
            .set((#(#values,)*))
            .execute(c)
            .await)
    }
}

/// What an upsert sets on the row it finds: every settable column and
/// `updated_at` from the values given (`excluded`), or, when there is
/// nothing to set, `fallback` to itself (RETURNING must still give a row).
fn upsert_updates(model: &Model, fallback: TokenStream) -> Vec<TokenStream> {
    let diesel = diesel();
    let table = format_ident!("{}", model.table);
    let mut updates: Vec<TokenStream> = model
        .settable()
        .map(|f| {
            let id = &f.ident;
            quote!(#table::#id.eq(#diesel::upsert::excluded(#table::#id)))
        })
        .collect();
    if model.has(UPDATED_AT) {
        updates.push(quote!(#table::updated_at.eq(#diesel::upsert::excluded(#table::updated_at))));
    }
    if updates.is_empty() {
        updates.push(quote!(#fallback.eq(#diesel::upsert::excluded(#fallback))));
    }
    updates
}

/// `impl UniqueColumn for <table>::<column>` for each `#[unique]` field:
/// upsert and find-or-insert by it.
pub(super) fn unique_columns(model: &Model) -> TokenStream {
    let p = private();
    let diesel = diesel();
    let ident = &model.item.ident;
    let table = format_ident!("{}", model.table);
    let new_ident = new_form(model);
    let impls = model.fields.iter().filter(|f| f.unique && !f.generated).map(|f| {
        let column = &f.ident;
        let updates = upsert_updates(model, quote!(#table::#column));
        let upsert = insert_returning(
            model,
            quote!(.on_conflict(#table::#column).do_update().set((#(#updates,)*))),
        );
        let now = now(model);
        let statement = insert_statement(model);
        quote! {
            impl #p::UniqueColumn for #table::#column {
                type Model = #ident;

                fn upsert(
                    conn: &mut #p::Connection,
                    new: #new_ident,
                    now: #p::Timestamp,
                ) -> impl ::core::future::Future<Output = #diesel::QueryResult<#ident>> + Send {
                    #upsert
                }

                fn first_or_insert(
                    conn: &mut #p::Connection,
                    new: #new_ident,
                    now: #p::Timestamp,
                ) -> impl ::core::future::Future<Output = #diesel::QueryResult<(#ident, bool)>> + Send {
                    async move {
                        #now
                        let inserted = #p::with_connection!(*conn, |c, __DB| #statement
                            .on_conflict(#table::#column)
                            .do_nothing()
                            .returning(<#ident as #diesel::SelectableHelper<__DB>>::as_returning())
                            .get_result::<#ident>(c)
                            .await
                            .optional())?;
                        match inserted {
                            ::core::option::Option::Some(row) => ::core::result::Result::Ok((row, true)),
                            ::core::option::Option::None => #p::with_connection!(*conn, |c, __DB| #table::table
                                .filter(#table::#column.eq(&new.#column))
                                .select(<#ident as #diesel::SelectableHelper<__DB>>::as_select())
                                .first::<#ident>(c)
                                .await)
                            .map(|row| (row, false)),
                        }
                    }
                }
            }
        }
    });
    quote!(#(#impls)*)
}

/// A `Model` query that reads the rows a criteria selects (filters, order,
/// limit, offset, lock) as `row`s built from `selection`: `list`, and
/// `list_counted` with each row's total beside it.
fn list_fn(
    model: &Model,
    name: TokenStream,
    selection: TokenStream,
    row: TokenStream,
) -> TokenStream {
    let p = private();
    let diesel = diesel();
    let ident = &model.item.ident;
    let table = format_ident!("{}", model.table);
    quote! {
        fn #name(
            conn: &mut #p::Connection,
            query: &#p::Criteria<Self>,
        ) -> impl ::core::future::Future<Output = #diesel::QueryResult<::std::vec::Vec<#row>>> + Send {
            async move {
                #p::with_connection!(*conn, |c, __DB| {
                    let select = <__DB as #p::BackendClauses<#ident>>::select(
                        query,
                        #table::table.into_boxed(),
                    );
                    #p::Locked::new(select.select(#selection), query.locked())
                        .load::<#row>(c)
                        .await
                })
            }
        }
    }
}
