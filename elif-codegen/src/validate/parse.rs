//! `#[derive(Validate)]`: from struct to a checked list of rules.

use syn::spanned::Spanned;

use crate::errors::{Errors, unknown_key};
use crate::serde_attrs::{Direction, field_name, rename_all};

const RULES: &[&str] = &["length", "range", "email", "custom", "nested"];
const BOUNDS: &[&str] = &["min", "max"];

/// One rule on one field.
pub(crate) enum Rule {
    /// `length(min = .., max = ..)`
    Length {
        min: Option<syn::Expr>,
        max: Option<syn::Expr>,
    },
    /// `range(min = .., max = ..)`
    Range {
        min: Option<syn::Expr>,
        max: Option<syn::Expr>,
    },
    /// `email`
    Email,
    /// `custom = path`: `fn(&T) -> Result<(), String>`
    Custom(syn::Path),
    /// `nested`: the field is itself `Validate`.
    Nested,
}

impl Rule {
    /// The rule's code in field errors.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Rule::Length { .. } => "length",
            Rule::Range { .. } => "range",
            Rule::Email => "email",
            Rule::Custom(_) => "custom",
            Rule::Nested => "nested",
        }
    }
}

/// A field and its rules.
pub(crate) struct Field {
    /// The Rust name.
    pub(crate) ident: syn::Ident,
    /// The name on the wire (`#[serde(rename)]` honoured).
    pub(crate) wire: String,
    /// How many `Option`s wrap the value (rules apply when present):
    /// 0, 1, or 2 for a patch field that may be absent or `null`.
    pub(crate) options: usize,
    /// Its rules.
    pub(crate) rules: Vec<(Rule, proc_macro2::Span)>,
}

/// A checked DTO.
pub(crate) struct Dto {
    /// The struct's name.
    pub(crate) ident: syn::Ident,
    /// Its generics.
    pub(crate) generics: syn::Generics,
    /// Fields with at least one rule.
    pub(crate) fields: Vec<Field>,
}

/// Parses `#[validate(...)]` on every field.
pub(crate) fn parse(input: syn::DeriveInput) -> syn::Result<Dto> {
    let mut errors = Errors::new();
    let named = match &input.data {
        syn::Data::Struct(syn::DataStruct {
            fields: syn::Fields::Named(named),
            ..
        }) => named.named.iter().collect::<Vec<_>>(),
        _ => {
            errors.at(
                &input.ident,
                "EL0009",
                "`#[derive(Validate)]` needs a struct with named fields",
            );
            Vec::new()
        }
    };
    let rule = rename_all(&input.attrs, Direction::Deserialize);
    let mut fields = Vec::new();
    for field in named {
        let Some(ident) = field.ident.clone() else {
            continue;
        };
        let mut rules = Vec::new();
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("validate")) {
            errors.ok(attr.parse_nested_meta(|meta| {
                let span = meta.path.span();
                // length(min = 1, max = 200) | range(min = 0, max = 10)
                if meta.path.is_ident("length") || meta.path.is_ident("range") {
                    let (mut min, mut max) = (None, None);
                    meta.parse_nested_meta(|bound| {
                        if bound.path.is_ident("min") {
                            min = Some(bound.value()?.parse()?);
                        } else if bound.path.is_ident("max") {
                            max = Some(bound.value()?.parse()?);
                        } else {
                            return Err(unknown_key(&bound.path, BOUNDS, "a length or range rule"));
                        }
                        Ok(())
                    })?;
                    if min.is_none() && max.is_none() {
                        return Err(meta.error("give `min`, `max` or both [EL0002]"));
                    }
                    let rule = if meta.path.is_ident("length") {
                        Rule::Length { min, max }
                    } else {
                        Rule::Range { min, max }
                    };
                    rules.push((rule, span));
                // email
                } else if meta.path.is_ident("email") {
                    rules.push((Rule::Email, span));
                // custom = path::to::check
                } else if meta.path.is_ident("custom") {
                    rules.push((Rule::Custom(meta.value()?.parse()?), span));
                // nested
                } else if meta.path.is_ident("nested") {
                    rules.push((Rule::Nested, span));
                } else {
                    return Err(unknown_key(&meta.path, RULES, "#[validate]"));
                }
                Ok(())
            }));
        }
        if rules.is_empty() {
            continue;
        }
        let wire = field_name(&ident, &field.attrs, rule, Direction::Deserialize);
        let options = option_depth(&field.ty);
        fields.push(Field {
            ident,
            wire,
            options,
            rules,
        });
    }
    errors.finish()?;
    Ok(Dto {
        ident: input.ident,
        generics: input.generics,
        fields,
    })
}

/// How many `Option`s wrap a type, counting at most two.
fn option_depth(ty: &syn::Type) -> usize {
    let inner = |ty: &syn::Type| -> Option<syn::Type> {
        let syn::Type::Path(p) = ty else { return None };
        let last = p.path.segments.last()?;
        if last.ident != "Option" {
            return None;
        }
        match &last.arguments {
            syn::PathArguments::AngleBracketed(args) => match args.args.first()? {
                syn::GenericArgument::Type(t) => Some(t.clone()),
                _ => None,
            },
            _ => None,
        }
    };
    match inner(ty) {
        None => 0,
        Some(once) => 1 + usize::from(inner(&once).is_some()),
    }
}
