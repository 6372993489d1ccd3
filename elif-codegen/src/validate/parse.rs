//! `#[derive(Validate)]`: from struct to a checked list of rules.

use darling::FromMeta;
use syn::spanned::Spanned;

use crate::attr::{self, AtKey, Flag, Spec};
use crate::errors::Errors;
use crate::serde_attrs::{Direction, field_name, rename_all};

const SPEC: Spec = Spec {
    attribute: "#[validate]",
    keys: &[
        "length",
        "range",
        "email",
        "url",
        "uuid",
        "regex",
        "one_of",
        "required",
        "must_match",
        "custom",
        "nested",
        "model",
        "each",
    ],
    nested: &[
        ("length", Spec::keys("length(...)", &["min", "max"])),
        ("range", Spec::keys("range(...)", &["min", "max"])),
        ("each", EACH),
    ],
    positional: attr::Positional::None,
};

/// `each(..)`: the rules on every item of a collection, those that read
/// one value only.
const EACH: Spec = Spec {
    attribute: "each(...)",
    keys: &[
        "length", "range", "email", "url", "uuid", "regex", "one_of", "custom", "nested",
    ],
    nested: &[
        ("length", Spec::keys("length(...)", &["min", "max"])),
        ("range", Spec::keys("range(...)", &["min", "max"])),
    ],
    positional: attr::Positional::None,
};

/// `#[validate(length(min = 1), range(max = 9), email, custom = path, nested)]` as written.
#[derive(Default, FromMeta)]
#[darling(default)]
struct Args {
    length: Option<AtKey<Bounds>>,
    range: Option<AtKey<Bounds>>,
    email: Flag,
    url: Flag,
    uuid: Flag,
    regex: Option<AtKey<syn::LitStr>>,
    one_of: Option<AtKey<attr::Expr>>,
    required: Flag,
    must_match: Option<AtKey<syn::Ident>>,
    custom: Option<AtKey<syn::Path>>,
    nested: Flag,
    model: Option<AtKey<syn::Path>>,
    each: Option<AtKey<Box<Args>>>,
}

/// `min = .., max = ..` of a length or range rule.
#[derive(Default, FromMeta)]
#[darling(default)]
struct Bounds {
    min: Option<attr::Expr>,
    max: Option<attr::Expr>,
}

/// One rule on one field.
#[derive(Clone)]
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
    /// `url`: an absolute `http`/`https` URL.
    Url,
    /// `uuid`
    Uuid,
    /// `regex = "pattern"` (checked when the macro expands).
    Regex(syn::LitStr),
    /// `one_of = ["a", "b"]`
    OneOf(syn::Expr),
    /// `required`: an `Option` field must be present.
    Required,
    /// `must_match = other_field`
    MustMatch(syn::Ident),
    /// `custom = path`: `fn(&T) -> Result<(), String>`, or
    /// `Result<(), RuleError>` to choose the code.
    Custom(syn::Path),
    /// `nested`: the field is itself `Validate`.
    Nested,
    /// `model = users::email`: the rules of a `#[model]` column.
    Model(syn::Path),
    /// `each(length(min = 1), regex = "..")`: rules on every item of a
    /// collection (its pointers end in the item's index).
    Each(Vec<(Rule, proc_macro2::Span)>),
}

impl Rule {
    /// The rule's code in field errors.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Rule::Length { .. } => "length",
            Rule::Range { .. } => "range",
            Rule::Email => "email",
            Rule::Url => "url",
            Rule::Uuid => "uuid",
            Rule::Regex(_) => "regex",
            Rule::OneOf(_) => "one_of",
            Rule::Required => "required",
            Rule::MustMatch(_) => "must_match",
            Rule::Custom(_) => "custom",
            Rule::Nested => "nested",
            Rule::Model(_) => "model",
            Rule::Each(_) => "each",
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
    /// `#[serde(flatten)]`: its fields are the parent's, so a nested
    /// rule's pointers do not name it.
    pub(crate) flatten: bool,
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
    parse_dto(input)
}

/// [`parse`], also for the one-field structs `#[model]` builds to reuse its
/// fields' rules.
pub(crate) fn parse_dto(input: syn::DeriveInput) -> syn::Result<Dto> {
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
    let names: Vec<String> = named
        .iter()
        .filter_map(|f| f.ident.as_ref().map(ToString::to_string))
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut fields = Vec::new();
    for field in &named {
        let Some(ident) = field.ident.clone() else {
            continue;
        };
        let before = errors.count();
        let Some(args) = attr::parse_attributes::<Args>(&field.attrs, &SPEC, &mut errors) else {
            continue;
        };
        // Keys dropped as unknown have had their error: an `each(..)` they
        // emptied needs no second one.
        let keys_known = errors.count() == before;
        let rules = rules(args, &mut errors, keys_known);
        if rules.is_empty() {
            continue;
        }
        for (rule, _) in &rules {
            if let Rule::MustMatch(other) = rule
                && !names.contains(&other.to_string().as_str())
            {
                let near = crate::errors::closest(&other.to_string(), &names)
                    .map(|n| format!("did you mean `{n}`?"))
                    .unwrap_or_else(|| "name another field of this struct".to_owned());
                errors.at(
                    other,
                    "EL0002",
                    format!(
                        "`must_match` names no field `{other}` of `{}`\nhelp: {near}",
                        input.ident
                    ),
                );
            }
        }
        let wire = field_name(&ident, &field.attrs, rule, Direction::Deserialize);
        let options = option_depth(&field.ty);
        if options == 0
            && let Some((_, span)) = rules.iter().find(|(r, _)| matches!(r, Rule::Required))
        {
            errors.push(syn::Error::new(
                *span,
                crate::errors::coded(
                    "`required` is for an `Option` field: a field that is not an `Option` is always present\nhelp: make the field `Option<..>`, or remove `required`",
                    "EL0002",
                ),
            ));
        }
        let flatten = crate::serde_attrs::is_flattened(&field.attrs);
        fields.push(Field {
            ident,
            wire,
            options,
            flatten,
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

/// The rules of one field, in a fixed order, each with the span of its key
/// or value; a length or range rule without bounds is an error.
fn rules(args: Args, errors: &mut Errors, keys_known: bool) -> Vec<(Rule, proc_macro2::Span)> {
    let mut rules = Vec::new();
    let mut bounds = |bounds: Option<AtKey<Bounds>>, name: &str| {
        let bounds = bounds?;
        let span = bounds.span;
        let Bounds { min, max } = bounds.value;
        if min.is_none() && max.is_none() {
            errors.push(syn::Error::new(
                span,
                crate::errors::coded(
                    &format!("`{name}` needs a bound\nhelp: give `min`, `max` or both: `{name}(min = 1, max = 200)`"),
                    "EL0002",
                ),
            ));
            return None;
        }
        Some(((min.map(|e| e.0), max.map(|e| e.0)), span))
    };
    if let Some(((min, max), span)) = bounds(args.length, "length") {
        rules.push((Rule::Length { min, max }, span));
    }
    if let Some(((min, max), span)) = bounds(args.range, "range") {
        rules.push((Rule::Range { min, max }, span));
    }
    if let Some(path) = args.email.0 {
        rules.push((Rule::Email, path.span()));
    }
    if let Some(path) = args.url.0 {
        rules.push((Rule::Url, path.span()));
    }
    if let Some(path) = args.uuid.0 {
        rules.push((Rule::Uuid, path.span()));
    }
    if let Some(regex) = args.regex {
        match regex_lite::Regex::new(&regex.value.value()) {
            Ok(_) => rules.push((Rule::Regex(regex.value), regex.span)),
            Err(e) => errors.push(syn::Error::new(
                regex.value.span(),
                crate::errors::coded(
                    &format!("`regex` is not a valid pattern: {e}\nhelp: the pattern uses the `regex` crate's syntax (without look-around or backreferences)"),
                    "EL0002",
                ),
            )),
        }
    }
    if let Some(one_of) = args.one_of {
        rules.push((Rule::OneOf(one_of.value.0), one_of.span));
    }
    if let Some(path) = args.required.0 {
        rules.push((Rule::Required, path.span()));
    }
    if let Some(other) = args.must_match {
        rules.push((Rule::MustMatch(other.value), other.span));
    }
    if let Some(custom) = args.custom {
        rules.push((Rule::Custom(custom.value), custom.span));
    }
    if let Some(path) = args.nested.0 {
        rules.push((Rule::Nested, path.span()));
    }
    if let Some(model) = args.model {
        if model.value.segments.len() < 2 {
            errors.push(syn::Error::new(
                model.span,
                crate::errors::coded(
                    "`model` names a model's column, by its table\nhelp: write `model = users::email` for the `email` field of the model on table `users`",
                    "EL0002",
                ),
            ));
        } else {
            rules.push((Rule::Model(model.value), model.span));
        }
    }
    if let Some(each) = args.each {
        let items = self::rules(*each.value, errors, keys_known);
        if items.is_empty() && keys_known {
            errors.push(syn::Error::new(
                each.span,
                crate::errors::coded(
                    "`each` needs a rule for the items\nhelp: `each(length(min = 1, max = 30))`, `each(email)`, `each(regex = \"^[a-z]+$\")`...",
                    "EL0002",
                ),
            ));
        } else {
            rules.push((Rule::Each(items), each.span));
        }
    }
    rules
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

#[cfg(test)]
mod spec_tests {
    #[test]
    fn spec_matches_its_struct() {
        crate::attr::tests::spec_matches::<super::Args>(&super::SPEC);
    }
}
