//! `#[model]`: a struct stored in a table. From one struct it generates
//! the diesel schema (the table's module, see [`table`]), the forms
//! (`NewPost` for inserts, `PostChanges` for updates, and the client forms
//! `PostInput`/`PostPatch` with only the `#[fillable]` fields, see
//! [`forms`]), `Serialize` without the `#[hidden]` fields and its JSON
//! Schema ([`json`]), the loaders of its relations ([`relations`]), the
//! metadata the inspection commands read ([`metadata`]), and
//! `Selectable`/`Queryable`/`Identifiable` and each query a
//! `Repository<Post>` runs, written once and compiled for both backends
//! ([`queries`]). [`parse`] reads and checks the struct first; the
//! generators read only its description.

mod fake;
mod forms;
mod json;
mod metadata;
mod parse;
mod queries;
mod relations;
mod table;

use proc_macro2::TokenStream;
use quote::quote;

use crate::paths::{diesel, private};
use parse::Model;

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

/// The struct and what a user names next to it (the table's module, the
/// forms, the relation methods), then, in one `const _` block, the trait
/// impls and the registration, which add no name.
fn generate(model: &Model) -> TokenStream {
    let p = private();
    let diesel = diesel();
    let item = json::serialized_struct(model);
    let table_module = table::generate(model);
    let forms = forms::generate(model);
    let field_rules = forms::field_rules(model);
    let relation_methods = relations::generate(model);
    let factory_fn = fake::factory_fn(model);
    let fakeable = fake::fakeable(model);
    let column_constants = table::column_constants(model);
    let join_pairs = table::join_pairs(model);
    let rows = queries::rows(model);
    let schema = json::schema(model);
    let model_impl = queries::model_impl(model, &metadata::model_fns(model));
    let upsert = queries::upsert(model);
    let unique_columns = queries::unique_columns(model);
    let registration = metadata::registration(model);
    quote! {
        #item

        #table_module

        #forms

        #field_rules

        #relation_methods

        #factory_fn

        const _: () = {
            use #diesel::{ExpressionMethods as _, OptionalExtension as _, QueryDsl as _};
            use #p::diesel_async::RunQueryDsl as _;

            #column_constants

            #join_pairs

            #rows

            #schema

            #model_impl

            #upsert

            #unique_columns

            #fakeable

            #registration
        };
    }
}
