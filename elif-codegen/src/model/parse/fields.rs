//! A model's column fields: `#[key]`, `#[hidden]`, `#[fillable]`,
//! `#[unique]`, `#[index]`, `#[belongs_to(Parent)]` and the attributes carried to the forms, read
//! and checked against the field's SQL type.

use syn::ext::IdentExt;

use super::sql::{Sql, option_inner, sql_type};
use super::{CREATED_AT, Field, UPDATED_AT};
use crate::errors::{Errors, closest};

/// elif's field attributes on a model.
const FIELD_ATTRIBUTES: &[&str] = &[
    "key",
    "hidden",
    "fillable",
    "unique",
    "index",
    "belongs_to",
    "has_many",
    "has_one",
    "many_to_many",
];
/// Attributes a model field may carry that are not elif's.
const FOREIGN_ATTRIBUTES: &[&str] = &["doc", "validate", "serde", "allow", "expect", "cfg_attr"];

/// Reads and removes elif's attributes of one field.
pub(super) fn parse_field(field: &mut syn::Field, errors: &mut Errors) -> Option<Field> {
    let ident = field.ident.clone()?;
    if matches!(
        ident.unraw().to_string().as_str(),
        "table" | "columns" | "star"
    ) {
        errors.at(
            &ident,
            "EL0033",
            format!("a column cannot be named `{ident}`: the table's generated module has an item of that name\nhelp: rename the field"),
        );
    }
    let (mut key, mut hidden, mut fillable, mut belongs_to) = (None, None, None, None);
    let (mut unique, mut index) = (None, None);
    let mut validate = Vec::new();
    let mut docs = Vec::new();
    let mut kept = Vec::new();
    for attr in std::mem::take(&mut field.attrs) {
        let name = attr
            .path()
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        match name.as_str() {
            "key" | "hidden" | "fillable" | "unique" | "index" => {
                if let Err(e) = attr.meta.require_path_only() {
                    errors.push(syn::Error::new(
                        e.span(),
                        crate::errors::coded(&format!("`#[{name}]` takes no arguments"), "EL0033"),
                    ));
                }
                let slot = match name.as_str() {
                    "key" => &mut key,
                    "hidden" => &mut hidden,
                    "unique" => &mut unique,
                    "index" => &mut index,
                    _ => &mut fillable,
                };
                if let Some(first) = slot {
                    errors.at(
                        &attr,
                        "EL0033",
                        twice(&format!("#[{name}]"), first),
                    );
                }
                slot.get_or_insert(attr);
            }
            "belongs_to" => match attr.parse_args::<syn::Path>() {
                Ok(_) if belongs_to.is_some() => {
                    let (first, _) = belongs_to.as_ref().expect("checked");
                    errors.at(&attr, "EL0033", twice("#[belongs_to]", first));
                }
                Ok(parent) => belongs_to = Some((attr, parent)),
                Err(_) => errors.at(
                    &attr,
                    "EL0033",
                    "`#[belongs_to]` names the parent model\nhelp: write `#[belongs_to(Author)]` on the foreign-key field",
                ),
            },
            "validate" => validate.push(attr),
            "doc" => {
                docs.push(attr.clone());
                kept.push(attr);
            }
            _ => {
                if !FOREIGN_ATTRIBUTES.contains(&name.as_str())
                    && let Some(near) = closest(&name, FIELD_ATTRIBUTES)
                {
                    errors.at(
                        attr.path(),
                        "EL0033",
                        format!("unknown model field attribute `#[{name}]`; did you mean `#[{near}]`?\nhelp: a model field takes `#[key]`, `#[hidden]`, `#[fillable]`, `#[unique]`, `#[index]`, `#[belongs_to(Model)]` and `#[validate(...)]`"),
                    );
                } else {
                    kept.push(attr);
                }
            }
        }
    }
    field.attrs = kept;
    let (inner, nullable) = match option_inner(&field.ty) {
        Some(inner) => (inner.clone(), true),
        None => (field.ty.clone(), false),
    };
    let sql = sql_type(&inner).unwrap_or_else(|message| {
        // Reported; the field still counts (as a key, say) so that no
        // second, misleading error follows.
        errors.at(&field.ty, "EL0031", message);
        Sql::Text
    });
    let timestamp = ident == CREATED_AT || ident == UPDATED_AT;
    if timestamp && (sql != Sql::Timestamp || nullable) {
        errors.at(
            &field.ty,
            "EL0033",
            format!("`{ident}` is set by the repository, so it must be a `Timestamp`\nhelp: write `pub {ident}: Timestamp` (`elif::data::Timestamp`), or rename the field"),
        );
    }
    let generated = timestamp || (key.is_some() && sql.is_integer());
    if let (Some(fillable), true) = (&fillable, generated) {
        let why = if timestamp {
            "the repository sets it"
        } else {
            "the database generates this key"
        };
        errors.at(
            fillable,
            "EL0033",
            format!("`{ident}` cannot be `#[fillable]`: {why}\nhelp: remove `#[fillable]`"),
        );
    }
    for (attr, what) in [(&unique, "unique"), (&index, "indexed")] {
        if let (Some(attr), true) = (attr, key.is_some()) {
            errors.at(
                attr,
                "EL0033",
                format!("a key is {what} already\nhelp: remove it"),
            );
        }
    }
    if let (Some(attr), true) = (&index, unique.is_some()) {
        errors.at(
            attr,
            "EL0033",
            "a `#[unique]` column is indexed already (its unique index)\nhelp: remove `#[index]`",
        );
    }
    if let (Some(attr), true) = (&unique, timestamp) {
        errors.at(
            attr,
            "EL0033",
            format!("`{ident}` is set by the repository; it cannot be `#[unique]`\nhelp: remove `#[unique]`"),
        );
    }
    if let (Some(attr), true) = (&belongs_to, key.is_some()) {
        errors.at(
            &attr.0,
            "EL0033",
            "a key cannot also be `#[belongs_to]`\nhelp: put `#[belongs_to(Parent)]` on the foreign-key field",
        );
    }
    Some(Field {
        ident,
        vis: field.vis.clone(),
        ty: field.ty.clone(),
        sql,
        nullable,
        key: key.is_some(),
        hidden: hidden.is_some(),
        fillable: fillable.is_some(),
        unique: unique.is_some(),
        index: index.is_some(),
        generated,
        belongs_to: belongs_to.map(|(_, parent)| parent),
        validate,
        docs,
    })
}

/// The message for a field attribute given twice.
fn twice(name: &str, first: &syn::Attribute) -> String {
    use syn::spanned::Spanned;
    format!(
        "`{name}` is given twice on this field; the first is at line {}\nhelp: remove one",
        first.span().start().line
    )
}
