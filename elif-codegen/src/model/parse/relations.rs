//! A model's `Related<..>` fields and their one relation attribute each:
//! `#[belongs_to(Author)]`, `#[has_many(Comment)]`, `#[has_one(Profile)]`,
//! `#[many_to_many(Tag, through = PostTag)]`.

use darling::FromMeta;
use proc_macro2::TokenStream;
use syn::ext::IdentExt;

use super::names::snake_case;
use crate::attr::{self, Spec};
use crate::errors::Errors;

const fn relation_spec(attribute: &'static str, keys: &'static [&'static str]) -> Spec {
    Spec {
        attribute,
        keys,
        nested: &[],
        positional: attr::Positional::Path,
    }
}
const BELONGS_TO_SPEC: Spec = relation_spec("#[belongs_to]", &["foreign_key"]);
const HAS_MANY_SPEC: Spec = relation_spec("#[has_many]", &["foreign_key"]);
const HAS_ONE_SPEC: Spec = relation_spec("#[has_one]", &["foreign_key"]);
const MANY_TO_MANY_SPEC: Spec = relation_spec(
    "#[many_to_many]",
    &["through", "foreign_key", "related_key"],
);

/// The keys after a relation's model: `#[many_to_many(Tag, through = PostTag)]`.
#[derive(Default, FromMeta)]
#[darling(default)]
struct RelationArgs {
    foreign_key: Option<syn::Path>,
    through: Option<syn::Path>,
    related_key: Option<syn::Path>,
}

/// The kind of a relation field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RelationKind {
    BelongsTo,
    HasMany,
    HasOne,
    ManyToMany,
}

impl RelationKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::BelongsTo => "belongs_to",
            Self::HasMany => "has_many",
            Self::HasOne => "has_one",
            Self::ManyToMany => "many_to_many",
        }
    }
}

/// A field of type `Related<..>`: rows of another model, loaded on demand.
pub(crate) struct RelationField {
    pub(crate) ident: syn::Ident,
    pub(crate) kind: RelationKind,
    /// The related model.
    pub(crate) target: syn::Path,
    /// `belongs_to`: the column of this model; `has_many`/`has_one`: the
    /// column of the related model; `many_to_many`: the join model's
    /// column that refers to this model.
    pub(crate) foreign_key: syn::Ident,
    /// `many_to_many`: the join model and its column referring to the target.
    pub(crate) through: Option<(syn::Path, syn::Ident)>,
}

/// What an aggregate field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AggregateKind {
    /// `#[count(comments)] comments_count: Related<i64>`.
    Count,
    /// `#[exists(favorited_by)] favorited: Related<bool>`.
    Exists,
}

impl AggregateKind {
    fn attribute(self) -> &'static str {
        match self {
            Self::Count => "count",
            Self::Exists => "exists",
        }
    }

    fn holds(self) -> &'static str {
        match self {
            Self::Count => "i64",
            Self::Exists => "bool",
        }
    }
}

/// A field filled from a relation by `with_count` / `with_exists`.
pub(crate) struct Aggregate {
    pub(crate) ident: syn::Ident,
    pub(crate) kind: AggregateKind,
    /// The relation field it is about.
    pub(crate) relation: syn::Ident,
}

/// Reads a `#[count(relation)]` or `#[exists(relation)]` field:
/// `None` when the field has neither attribute, `Some(None)` when it has
/// one but is malformed (reported).
pub(super) fn parse_aggregate(
    field: &mut syn::Field,
    relations: &[(syn::Ident, Option<String>)],
    errors: &mut Errors,
) -> Option<Option<Aggregate>> {
    let position = field
        .attrs
        .iter()
        .position(|a| a.path().is_ident("count") || a.path().is_ident("exists"))?;
    let attr = field.attrs.remove(position);
    let kind = if attr.path().is_ident("count") {
        AggregateKind::Count
    } else {
        AggregateKind::Exists
    };
    let (name, holds) = (kind.attribute(), kind.holds());
    let ident = field.ident.clone()?;
    let relation = match attr.parse_args::<syn::Ident>() {
        Ok(relation) => relation,
        Err(_) => {
            errors.at(
                &attr,
                "EL0033",
                format!("`#[{name}]` names one relation field of this model\nhelp: write `#[{name}(comments)]`"),
            );
            return Some(None);
        }
    };
    check_aggregate(kind, &relation, relations, errors);
    let inner = first_type_argument(&field.ty);
    let right = is_related(&field.ty)
        && matches!(inner, Some(syn::Type::Path(p)) if p.path.is_ident(holds));
    if !right {
        errors.at(
            &field.ty,
            "EL0033",
            format!("a `#[{name}]` field holds `Related<{holds}>`, filled when a query asks for it\nhelp: write `pub {ident}: Related<{holds}>`"),
        );
        return Some(None);
    }
    Some(Some(Aggregate {
        ident,
        kind,
        relation,
    }))
}

/// The relation fields of a struct as declared, before they are parsed:
/// each name with its relation attribute (`has_many`, ..), if any.
pub(super) fn declared(fields: &syn::Fields) -> Vec<(syn::Ident, Option<String>)> {
    fields
        .iter()
        .filter(|f| is_related(&f.ty))
        .filter_map(|f| {
            let kind = f.attrs.iter().find_map(|a| {
                let name = a.path().get_ident()?.to_string();
                matches!(
                    name.as_str(),
                    "belongs_to" | "has_many" | "has_one" | "many_to_many"
                )
                .then_some(name)
            });
            Some((f.ident.clone()?, kind))
        })
        .collect()
}

/// That an aggregate names a relation field of the model, which a count
/// can count (not a `belongs_to`).
fn check_aggregate(
    kind: AggregateKind,
    relation: &syn::Ident,
    relations: &[(syn::Ident, Option<String>)],
    errors: &mut Errors,
) {
    let name = kind.attribute();
    let declared = relations.iter().filter(|(_, kind)| kind.is_some());
    match declared.clone().find(|(ident, _)| ident == relation) {
        None => {
            let known: Vec<String> = declared.map(|(r, _)| format!("`{r}`")).collect();
            let known = if known.is_empty() {
                "this model declares no relation field".to_owned()
            } else {
                format!("its relation fields are {}", known.join(", "))
            };
            errors.at(
                relation,
                "EL0033",
                format!(
                    "`#[{name}({relation})]` names no relation field of this model\nhelp: {known}"
                ),
            );
        }
        Some((r, Some(relation_kind)))
            if kind == AggregateKind::Count && relation_kind == "belongs_to" =>
        {
            errors.at(
                relation,
                "EL0033",
                format!("`{r}` is a `belongs_to` relation: a row has one or none, nothing to count\nhelp: count a `has_many` or `many_to_many` relation, or use `#[exists({r})]`"),
            );
        }
        Some(_) => {}
    }
}

/// Whether a field is a relation (`Related<..>`).
pub(super) fn is_related(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Related"))
}

/// The first type argument of the last segment (`T` of `Related<T>`).
fn first_type_argument(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    match &path.path.segments.last()?.arguments {
        syn::PathArguments::AngleBracketed(args) => match args.args.first()? {
            syn::GenericArgument::Type(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}

/// Reads a `Related<..>` field and its one relation attribute.
pub(super) fn parse_relation(
    field: &mut syn::Field,
    model_snake: &str,
    columns: &[syn::Ident],
    errors: &mut Errors,
) -> Option<RelationField> {
    let ident = field.ident.clone()?;
    let mut found: Vec<(RelationKind, syn::Attribute)> = Vec::new();
    let mut kept = Vec::new();
    for attr in std::mem::take(&mut field.attrs) {
        let kind = match attr.path().get_ident().map(ToString::to_string).as_deref() {
            Some("belongs_to") => RelationKind::BelongsTo,
            Some("has_many") => RelationKind::HasMany,
            Some("has_one") => RelationKind::HasOne,
            Some("many_to_many") => RelationKind::ManyToMany,
            Some(other @ ("key" | "hidden" | "fillable")) => {
                errors.at(
                    attr.path(),
                    "EL0033",
                    format!("a relation field cannot be `#[{other}]`\nhelp: `Related<..>` fields are loaded, not stored"),
                );
                continue;
            }
            _ => {
                kept.push(attr);
                continue;
            }
        };
        found.push((kind, attr));
    }
    field.attrs = kept;
    let shape = "help: declare it with one of `#[has_many(Comment)]`, `#[has_one(Profile)]`, `#[belongs_to(Author)]`, `#[many_to_many(Tag, through = PostTag)]`";
    let (kind, attr) = match found.len() {
        1 => found.remove(0),
        0 => {
            errors.at(
                &field.ty,
                "EL0033",
                format!("relation field `{ident}` does not say which relation it is\n{shape}"),
            );
            return None;
        }
        _ => {
            errors.at(
                &found[1].1,
                "EL0033",
                format!("relation field `{ident}` has more than one relation attribute\n{shape}"),
            );
            return None;
        }
    };
    let spec = match kind {
        RelationKind::ManyToMany => &MANY_TO_MANY_SPEC,
        RelationKind::BelongsTo => &BELONGS_TO_SPEC,
        RelationKind::HasMany => &HAS_MANY_SPEC,
        RelationKind::HasOne => &HAS_ONE_SPEC,
    };
    let tokens = match &attr.meta {
        syn::Meta::List(list) => list.tokens.clone(),
        _ => TokenStream::new(),
    };
    let mut parsed = Errors::new();
    let args = attr::parse::<RelationArgs>(tokens, spec, &mut parsed);
    let Some(target) = args.target else {
        drop(parsed.finish());
        errors.at(
            &attr,
            "EL0033",
            format!(
                "`#[{}]` names the related model first\n{shape}",
                kind.name()
            ),
        );
        return None;
    };
    if let Err(error) = parsed.finish() {
        errors.push(error);
    }
    let args = args.keyed;
    let as_ident = |path: syn::Path| path.get_ident().cloned();
    let target_name = target.segments.last()?.ident.to_string();
    let foreign_key = args
        .foreign_key
        .and_then(as_ident)
        .unwrap_or_else(|| match kind {
            RelationKind::BelongsTo => quote::format_ident!("{}_id", ident.unraw()),
            _ => quote::format_ident!("{model_snake}_id"),
        });
    if kind == RelationKind::BelongsTo && !columns.contains(&foreign_key) {
        errors.at(
            &ident,
            "EL0033",
            format!(
                "`belongs_to` relation `{ident}` needs the foreign-key column `{foreign_key}` on this model\nhelp: add `pub {foreign_key}: i64` (or name the column: `#[belongs_to(Parent, foreign_key = column)]`)"
            ),
        );
    }
    let through = match kind {
        RelationKind::ManyToMany => match args.through {
            Some(through) => {
                let related_key = args
                    .related_key
                    .and_then(as_ident)
                    .unwrap_or_else(|| quote::format_ident!("{}_id", snake_case(&target_name)));
                Some((through, related_key))
            }
            None => {
                errors.at(
                    &attr,
                    "EL0033",
                    "`#[many_to_many]` needs the join model\nhelp: write `#[many_to_many(Tag, through = PostTag)]`, `PostTag` a model with `post_id` and `tag_id`",
                );
                return None;
            }
        },
        _ => None,
    };
    let inner = first_type_argument(&field.ty);
    let outer = inner.and_then(|t| match t {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    });
    let expected = match kind {
        RelationKind::HasMany | RelationKind::ManyToMany => {
            (outer.as_deref() != Some("Vec")).then_some("Vec")
        }
        RelationKind::HasOne => (outer.as_deref() != Some("Option")).then_some("Option"),
        RelationKind::BelongsTo => None,
    };
    if let Some(wrapper) = expected {
        errors.at(
            &field.ty,
            "EL0033",
            format!(
                "a `{}` relation holds `Related<{wrapper}<{target_name}>>`\nhelp: write `pub {ident}: Related<{wrapper}<{target_name}>>`",
                kind.name()
            ),
        );
    }
    Some(RelationField {
        ident,
        kind,
        target,
        foreign_key,
        through,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn spec_matches_its_struct() {
        crate::attr::tests::spec_matches::<super::RelationArgs>(&super::MANY_TO_MANY_SPEC);
    }
}
