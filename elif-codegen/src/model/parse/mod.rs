//! `#[model]`: from attribute and struct to a checked description. This
//! file reads the attribute and the struct and holds the description;
//! [`fields`] reads a column, [`relations`] a `Related<..>` field, [`sql`]
//! maps Rust types to SQL ones and [`names`] makes and checks table names.

mod fields;
mod names;
mod relations;
mod sql;

use darling::FromMeta;
use proc_macro2::TokenStream;
use quote::ToTokens;

use crate::attr::{self, Spec};
use crate::errors::Errors;

pub(crate) use names::snake_case;
pub(crate) use relations::{Aggregate, AggregateKind, RelationField, RelationKind};
pub(crate) use sql::Sql;

const SPEC: Spec = Spec::keys("#[model]", &["table", "namespace"]);

/// `#[model(table = "posts", namespace = "my_pkg")]` as written.
#[derive(Default, FromMeta)]
#[darling(default)]
struct Args {
    table: Option<syn::LitStr>,
    namespace: Option<syn::LitStr>,
}

/// Field names the repository sets.
pub(crate) const CREATED_AT: &str = "created_at";
pub(crate) const UPDATED_AT: &str = "updated_at";

/// One checked field.
pub(crate) struct Field {
    pub(crate) ident: syn::Ident,
    pub(crate) vis: syn::Visibility,
    pub(crate) ty: syn::Type,
    pub(crate) sql: Sql,
    pub(crate) nullable: bool,
    pub(crate) key: bool,
    pub(crate) hidden: bool,
    pub(crate) fillable: bool,
    /// `#[unique]`: a unique index on the column alone.
    pub(crate) unique: bool,
    /// `#[index]`: an index led by the column.
    pub(crate) index: bool,
    /// Set by the repository: an integer key, `created_at`, `updated_at`.
    pub(crate) generated: bool,
    /// `#[belongs_to(Parent)]`.
    pub(crate) belongs_to: Option<syn::Path>,
    /// `#[validate(...)]` attributes, carried to the client forms.
    pub(crate) validate: Vec<syn::Attribute>,
    /// `///` docs, carried to the forms.
    pub(crate) docs: Vec<syn::Attribute>,
}

impl Field {
    /// The type of its values: `T` of `Option<T>`, else its type.
    pub(crate) fn value_type(&self) -> &syn::Type {
        sql::option_inner(&self.ty).unwrap_or(&self.ty)
    }
}

/// A checked `#[model]` struct.
pub(crate) struct Model {
    /// The struct, with elif's field attributes removed.
    pub(crate) item: syn::ItemStruct,
    pub(crate) table: String,
    /// `namespace = ".."`: a package's model, whose table the package's
    /// migrations (under that namespace) create.
    pub(crate) namespace: Option<String>,
    /// The columns.
    pub(crate) fields: Vec<Field>,
    /// The `Related<..>` fields.
    pub(crate) relations: Vec<RelationField>,
    /// The `#[count(..)]` and `#[exists(..)]` fields.
    pub(crate) aggregates: Vec<Aggregate>,
}

impl Model {
    /// The `#[key]` field.
    pub(crate) fn key(&self) -> &Field {
        // `parse` checked that there is exactly one.
        self.fields
            .iter()
            .find(|f| f.key)
            .unwrap_or(&self.fields[0])
    }

    /// Whether the model has a column named `name`.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.fields.iter().any(|f| f.ident == name)
    }

    /// The columns an insert gives: all but the generated ones.
    pub(crate) fn insertable(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| !f.generated)
    }

    /// The columns an update may set: all but the generated ones and the key.
    pub(crate) fn settable(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| !f.generated && !f.key)
    }
}

/// Parses and checks; every error of the item is gathered.
pub(crate) fn parse(
    args: TokenStream,
    item: syn::Item,
) -> Result<Model, (syn::Error, TokenStream)> {
    let mut errors = Errors::new();
    let args: Args = attr::parse(args, &SPEC, &mut errors).keyed;
    if let Some(lit) = &args.table
        && !names::is_sql_identifier(&lit.value())
    {
        errors.at(
            lit,
            "EL0033",
            format!(
                "`{}` is not a table name\nhelp: use letters, digits and `_`, starting with a letter: `table = \"posts\"`",
                lit.value()
            ),
        );
    }
    let table = args.table.map(|lit| lit.value());
    let namespace = args.namespace.map(|lit| {
        let value = lit.value();
        if !crate::migrations::is_namespace(&value) {
            errors.at(
                &lit,
                "EL0033",
                format!("`{value}` is not a migration namespace\nhelp: name the namespace of the package's `migrations!(namespace = ..)`: lower-case letters, digits and `_`"),
            );
        }
        value
    });

    let mut item = match item {
        syn::Item::Struct(item) => item,
        other => {
            errors.at(
                item_keyword(&other),
                "EL0034",
                "`#[model]` applies to structs only\nhelp: put it on a struct with one named field per column",
            );
            let error = errors.finish().err();
            let span = proc_macro2::Span::call_site();
            return Err((
                error.unwrap_or_else(|| syn::Error::new(span, "unreachable")),
                other.into_token_stream(),
            ));
        }
    };
    if !item.generics.params.is_empty() {
        errors.at(
            &item.generics,
            "EL0034",
            "a model cannot be generic\nhelp: a model is one table; make a concrete struct",
        );
    }
    for attr in &item.attrs {
        if attr.path().is_ident("derive") {
            let _ = attr.parse_nested_meta(|meta| {
                if meta.path.segments.last().is_some_and(|s| s.ident == "Serialize") {
                    errors.at(
                        &meta.path,
                        "EL0033",
                        "`#[model]` derives `Serialize` itself, leaving out `#[hidden]` fields\nhelp: remove `Serialize` from the derive",
                    );
                }
                Ok(())
            });
        }
    }
    let mut fields = Vec::new();
    let mut relations = Vec::new();
    let mut aggregates = Vec::new();
    let model_snake = snake_case(&item.ident.to_string());
    let columns: Vec<syn::Ident> = item
        .fields
        .iter()
        .filter(|f| !relations::is_related(&f.ty))
        .filter_map(|f| f.ident.clone())
        .collect();
    let declared_relations = relations::declared(&item.fields);
    match &mut item.fields {
        syn::Fields::Named(named) => {
            for field in named.named.iter_mut() {
                if let Some(aggregate) =
                    relations::parse_aggregate(field, &declared_relations, &mut errors)
                {
                    aggregates.extend(aggregate);
                } else if relations::is_related(&field.ty) {
                    if let Some(relation) =
                        relations::parse_relation(field, &model_snake, &columns, &mut errors)
                    {
                        relations.push(relation);
                    }
                } else if let Some(field) = fields::parse_field(field, &mut errors) {
                    fields.push(field);
                }
            }
        }
        other => errors.at(
            &*other,
            "EL0034",
            "a model needs named fields, one per column\nhelp: write `struct Post { #[key] id: i64, title: String }`",
        ),
    }
    let keys: Vec<&Field> = fields.iter().filter(|f| f.key).collect();
    match keys.as_slice() {
        [] if matches!(item.fields, syn::Fields::Named(_)) => errors.at(
            &item.ident,
            "EL0032",
            format!(
                "model `{}` has no `#[key]` field\nhelp: mark the primary key: `#[key] pub id: i64`",
                item.ident
            ),
        ),
        [_, second, ..] => errors.at(
            &second.ident,
            "EL0032",
            "a model has one `#[key]` field\nhelp: keep `#[key]` on the primary key only (composite keys are not supported yet)",
        ),
        [key] if key.nullable => errors.at(
            &key.ty,
            "EL0032",
            "a key cannot be optional\nhelp: a primary key is never NULL: drop the `Option`",
        ),
        _ => {}
    }
    let table = table.unwrap_or_else(|| names::default_table(&item.ident.to_string()));
    match errors.finish() {
        Ok(()) => Ok(Model {
            item,
            table,
            namespace,
            fields,
            relations,
            aggregates,
        }),
        Err(error) => Err((error, item.into_token_stream())),
    }
}

/// The keyword of an item that is not a struct, where EL0034 points.
fn item_keyword(item: &syn::Item) -> TokenStream {
    match item {
        syn::Item::Enum(e) => e.enum_token.to_token_stream(),
        syn::Item::Fn(f) => f.sig.fn_token.to_token_stream(),
        syn::Item::Impl(i) => i.impl_token.to_token_stream(),
        syn::Item::Union(u) => u.union_token.to_token_stream(),
        other => other.to_token_stream(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn spec_matches_its_struct() {
        crate::attr::tests::spec_matches::<super::Args>(&super::SPEC);
    }
}
