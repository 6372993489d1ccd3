//! The loaders of a model's `Related<..>` fields: `Post::comments()`
//! returns a `Relation` whose load function reads the related rows of many
//! parents with one query (two through a join model) and puts each row's
//! share in its field. The other model's columns are reached through the
//! hidden constants every `#[model]` defines (`Comment::__elif_post_id`),
//! so a misspelt foreign key is a compile error naming it.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::ext::IdentExt;

use super::parse::{AggregateKind, Model, RelationField, RelationKind};
use crate::paths::{diesel, private};

/// `impl Post { pub fn comments() -> Relation<Post, Comment> { .. } }` for
/// every relation field.
pub(super) fn generate(model: &Model) -> TokenStream {
    let ident = &model.item.ident;
    let vis = &model.item.vis;
    let methods = model.relations.iter().map(|r| {
        let name = &r.ident;
        let target = &r.target;
        let body = match r.kind {
            RelationKind::HasMany | RelationKind::HasOne => has_many(model, r),
            RelationKind::BelongsTo => belongs_to(model, r),
            RelationKind::ManyToMany => many_to_many(model, r),
        };
        let p = private();
        let diesel = diesel();
        let doc = format!(
            "The `{name}` relation ({}), for `Criteria::with(..)`, `has`, `doesnt_have`, `with_count`, `with_exists` or `Repository::load`.",
            r.kind.name()
        );
        let condition = condition(model, r);
        let count = count(model, r);
        let flag = flag(model, r);
        let assign = assign(model, r);
        quote! {
            #[doc = #doc]
            #vis fn #name() -> #p::Relation<#ident, #target> {
                fn load<'a>(
                    conn: &'a mut #p::Connection,
                    parents: &'a mut [#ident],
                    nested: &'a [::std::boxed::Box<dyn #p::Load<#target>>],
                ) -> #p::BoxFuture<'a, #diesel::QueryResult<()>> {
                    ::std::boxed::Box::pin(async move {
                        if parents.is_empty() {
                            return ::core::result::Result::Ok(());
                        }
                        #body
                        ::core::result::Result::Ok(())
                    })
                }
                #p::Relation::new(::core::stringify!(#name), load)
                    #condition
                    #count
                    #flag
                    #assign
            }
        }
    });
    quote! {
        impl #ident {
            #(#methods)*
        }
    }
}

/// Runs the nested loaders on `rows`.
fn nested(rows: &syn::Ident) -> TokenStream {
    quote! {
        for loader in nested {
            loader.load(&mut *conn, &mut #rows).await?;
        }
    }
}

/// The rows of `target` whose `column` (a hidden column constant or the
/// key column) is one of `keys`, read `MAX_BOUND_KEYS` keys at a time so
/// that no statement binds more values than a backend allows.
fn list_where_in(target: &TokenStream, column: TokenStream, keys: &syn::Ident) -> TokenStream {
    let p = private();
    let diesel = diesel();
    quote! {
        {
            let mut rows = ::std::vec::Vec::new();
            for chunk in #keys.chunks(#p::MAX_BOUND_KEYS) {
                rows.extend(
                    <#target as #p::Model>::list(
                        &mut *conn,
                        &#p::Criteria::<#target>::new()
                            .filter(#diesel::ExpressionMethods::eq_any(#column, chunk.to_vec())),
                    )
                    .await?,
                );
            }
            rows
        }
    }
}

/// `has_many` / `has_one`: the children whose foreign key is a parent's key.
fn has_many(model: &Model, r: &RelationField) -> TokenStream {
    let p = private();
    let target = &r.target;
    let target_ty = quote!(#target);
    let (field, fk) = (&r.ident, &r.foreign_key);
    let key = &model.key().ident;
    let key_ty = &model.key().ty;
    let column = format_ident!("__elif_{}", fk.unraw());
    let keys = format_ident!("keys");
    let children = format_ident!("children");
    let list = list_where_in(&target_ty, quote!(#target::#column), &keys);
    let nested = nested(&children);
    let assign = if r.kind == RelationKind::HasOne {
        quote!(groups.remove(&parent.#key).and_then(|rows| rows.into_iter().next()))
    } else {
        quote!(groups.remove(&parent.#key).unwrap_or_default())
    };
    quote! {
        let #keys: ::std::vec::Vec<#key_ty> = parents.iter().map(|p| ::core::clone::Clone::clone(&p.#key)).collect();
        let mut #children: ::std::vec::Vec<#target> = #list;
        #nested
        let mut groups: ::std::collections::HashMap<#key_ty, ::std::vec::Vec<#target>> =
            ::std::collections::HashMap::new();
        for child in #children {
            if let ::core::option::Option::Some(k) = #p::KeyOf::<#key_ty>::key_of(&child.#fk) {
                groups.entry(k).or_default().push(child);
            }
        }
        for parent in parents.iter_mut() {
            parent.#field = #p::Related::Loaded(#assign);
        }
    }
}

/// `belongs_to`: the parents' owners, by the foreign key on this model.
fn belongs_to(model: &Model, r: &RelationField) -> TokenStream {
    let p = private();
    let target = &r.target;
    let target_ty = quote!(#target);
    let (field, fk) = (&r.ident, &r.foreign_key);
    let nullable = model
        .fields
        .iter()
        .find(|f| f.ident == *fk)
        .is_some_and(|f| f.nullable);
    let owner_key = quote!(<#target as #p::Model>::Key);
    let keys = format_ident!("keys");
    let owners = format_ident!("owners");
    let list = list_where_in(
        &target_ty,
        quote!(<#target as #p::Model>::KEY_COLUMN),
        &keys,
    );
    let nested = nested(&owners);
    let assign = if nullable {
        quote!(parent.#field = #p::Related::Loaded(#p::FromOwner::from_owner(owner));)
    } else {
        quote! {
            if let ::core::option::Option::Some(owner) = owner {
                parent.#field = #p::Related::Loaded(#p::FromOwner::from_owner(owner));
            }
        }
    };
    quote! {
        let #keys: ::std::vec::Vec<#owner_key> =
            #p::distinct(parents.iter().filter_map(|p| #p::KeyOf::<#owner_key>::key_of(&p.#fk)));
        let mut #owners: ::std::vec::Vec<#target> = if #keys.is_empty() {
            ::std::vec::Vec::new()
        } else {
            #list
        };
        #nested
        let #owners: ::std::collections::HashMap<#owner_key, #target> = #owners
            .into_iter()
            .map(|o| (::core::clone::Clone::clone(#p::Model::key(&o)), o))
            .collect();
        for parent in parents.iter_mut() {
            let owner = #p::KeyOf::<#owner_key>::key_of(&parent.#fk)
                .and_then(|k| #owners.get(&k))
                .cloned();
            #assign
        }
    }
}

/// `many_to_many`: the targets joined to the join model's rows for the
/// parents, each with its parent (one query), then the nested loaders on
/// each distinct target.
fn many_to_many(model: &Model, r: &RelationField) -> TokenStream {
    let p = private();
    let diesel = diesel();
    let target = &r.target;
    let (field, fk) = (&r.ident, &r.foreign_key);
    let Some((through, related_key)) = &r.through else {
        return quote!();
    };
    let table = format_ident!("{}", model.table);
    let key = &model.key().ident;
    let key_ty = &model.key().ty;
    let target_key = quote!(<#target as #p::Model>::Key);
    let fk_column = format_ident!("__elif_{}", fk.unraw());
    let related_column = format_ident!("__elif_{}", related_key.unraw());
    let targets = format_ident!("targets");
    let nested = nested(&targets);
    quote! {
        let keys: ::std::vec::Vec<#key_ty> = parents.iter().map(|p| ::core::clone::Clone::clone(&p.#key)).collect();
        let linked: ::std::vec::Vec<(#target, #key_ty)> = #p::load_linked::<#target, #key_ty, <#table::#key as #diesel::Expression>::SqlType, _, _, _, _>(
            &mut *conn,
            <#through as #p::Model>::KEY_COLUMN,
            #through::#fk_column,
            #through::#related_column,
            <#target as #p::Model>::KEY_COLUMN,
            keys,
            |keys| ::std::sync::Arc::new(#diesel::ExpressionMethods::eq_any(#through::#fk_column, keys)),
        )
        .await?;
        let mut seen = ::std::collections::HashSet::new();
        let mut links: ::std::vec::Vec<(#key_ty, #target_key)> = ::std::vec::Vec::with_capacity(linked.len());
        let mut #targets: ::std::vec::Vec<#target> = ::std::vec::Vec::new();
        for (row, parent) in linked {
            let k = ::core::clone::Clone::clone(#p::Model::key(&row));
            links.push((parent, ::core::clone::Clone::clone(&k)));
            if seen.insert(k) {
                #targets.push(row);
            }
        }
        #nested
        let #targets: ::std::collections::HashMap<#target_key, #target> = #targets
            .into_iter()
            .map(|t| (::core::clone::Clone::clone(#p::Model::key(&t)), t))
            .collect();
        let mut groups: ::std::collections::HashMap<#key_ty, ::std::vec::Vec<#target>> =
            ::std::collections::HashMap::new();
        for (parent, k) in links {
            if let ::core::option::Option::Some(found) = #targets.get(&k) {
                groups.entry(parent).or_default().push(::core::clone::Clone::clone(found));
            }
        }
        for parent in parents.iter_mut() {
            parent.#field = #p::Related::Loaded(groups.remove(&parent.#key).unwrap_or_default());
        }
    }
}

/// `.filtered_by(..)`: the `[NOT] EXISTS` condition `has` and `doesnt_have`
/// put on this model's rows; for a `has_many`/`has_one`/`belongs_to` from a
/// model to itself, `[NOT] key IN (SELECT ..)`, which needs no alias.
fn condition(model: &Model, r: &RelationField) -> Option<TokenStream> {
    let p = private();
    let ident = &model.item.ident;
    let target = &r.target;
    let fk = format_ident!("__elif_{}", r.foreign_key.unraw());
    let key = format_ident!("__elif_{}", model.key().ident.unraw());
    let to_itself =
        target.is_ident("Self") || target.segments.last().is_some_and(|s| s.ident == *ident);
    let direct = if to_itself {
        quote!(#p::exists_in_self)
    } else {
        quote!(#p::exists_direct)
    };
    let build = match r.kind {
        RelationKind::HasMany | RelationKind::HasOne => {
            quote!(#direct(#target::#fk, #ident::#key, filters, negated))
        }
        RelationKind::BelongsTo => quote!(#direct(
            <#target as #p::Model>::KEY_COLUMN,
            #ident::#fk,
            filters,
            negated
        )),
        RelationKind::ManyToMany => {
            let (through, related_key) = r.through.as_ref()?;
            let related = format_ident!("__elif_{}", related_key.unraw());
            quote!(#p::exists_through(
                #through::#fk,
                #ident::#key,
                <#target as #p::Model>::KEY_COLUMN,
                #through::#related,
                filters,
                negated
            ))
        }
    };
    Some(quote! {
        .filtered_by(|filters, negated| #build)
    })
}

/// `.counted_by(..)` when a `#[count(relation)]` field counts this
/// relation: one grouped query over the related (or join) table.
fn count(model: &Model, r: &RelationField) -> Option<TokenStream> {
    let aggregate = model
        .aggregates
        .iter()
        .find(|a| a.kind == AggregateKind::Count && a.relation == r.ident)?;
    let p = private();
    let diesel = diesel();
    let field = &aggregate.ident;
    let table = format_ident!("{}", model.table);
    let key = &model.key().ident;
    let key_ty = &model.key().ty;
    let fk = format_ident!("__elif_{}", r.foreign_key.unraw());
    // The table whose rows are counted: the related one, or the join model's.
    let counted = match (&r.kind, &r.through) {
        (RelationKind::ManyToMany, Some((through, _))) => quote!(#through),
        _ => {
            let target = &r.target;
            quote!(#target)
        }
    };
    Some(quote! {
        .counted_by(|conn, parents| ::std::boxed::Box::pin(async move {
            let keys: ::std::vec::Vec<#key_ty> = parents.iter().map(|p| ::core::clone::Clone::clone(&p.#key)).collect();
            let counts = #p::count_grouped::<#key_ty, <#table::#key as #diesel::Expression>::SqlType, _>(
                conn,
                #counted::#fk,
                keys,
                |keys| ::std::sync::Arc::new(#diesel::ExpressionMethods::eq_any(#counted::#fk, keys)),
            )
            .await?;
            let counts: ::std::collections::HashMap<#key_ty, i64> = counts.into_iter().collect();
            for parent in parents.iter_mut() {
                parent.#field = #p::Related::Loaded(counts.get(&parent.#key).copied().unwrap_or(0));
            }
            ::core::result::Result::Ok(())
        }))
    })
}

/// `.flagged_by(..)` when an `#[exists(relation)]` field flags this relation.
fn flag(model: &Model, r: &RelationField) -> Option<TokenStream> {
    let aggregate = model
        .aggregates
        .iter()
        .find(|a| a.kind == AggregateKind::Exists && a.relation == r.ident)?;
    let p = private();
    let field = &aggregate.ident;
    Some(quote! {
        .flagged_by(|row, present| row.#field = #p::Related::Loaded(present))
    })
}

/// `.assigned_by(..)` for a `belongs_to`: how a factory sets the foreign
/// key of an insert form to a parent's key.
fn assign(model: &Model, r: &RelationField) -> Option<TokenStream> {
    if r.kind != RelationKind::BelongsTo {
        return None;
    }
    let p = private();
    let target = &r.target;
    let fk = &r.foreign_key;
    let new_ident = super::forms::new_form(model);
    let nullable = model.fields.iter().any(|f| f.ident == *fk && f.nullable);
    let value = if nullable {
        quote!(::core::option::Option::Some(::core::clone::Clone::clone(
            key
        )))
    } else {
        quote!(::core::clone::Clone::clone(key))
    };
    Some(quote! {
        .assigned_by(|new, key| {
            if let (::core::option::Option::Some(new), ::core::option::Option::Some(key)) = (
                new.downcast_mut::<#new_ident>(),
                key.downcast_ref::<<#target as #p::Model>::Key>(),
            ) {
                new.#fk = #value;
            }
        })
    })
}
