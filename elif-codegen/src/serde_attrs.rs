//! What the macros read from serde's own attributes: the names fields and
//! variants have on the wire (`rename`, `rename_all`, each in its plain or
//! `serialize = .., deserialize = ..` form), as serde computes them.

/// Which side of serde a name is for: bodies are read (`Validate`'s error
/// pointers), responses written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Serialize,
    Deserialize,
}

/// A container's `rename_all` rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    Lower,
    Upper,
    Pascal,
    Camel,
    Snake,
    ScreamingSnake,
    Kebab,
    ScreamingKebab,
}

impl Rule {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "lowercase" => Self::Lower,
            "UPPERCASE" => Self::Upper,
            "PascalCase" => Self::Pascal,
            "camelCase" => Self::Camel,
            "snake_case" => Self::Snake,
            "SCREAMING_SNAKE_CASE" => Self::ScreamingSnake,
            "kebab-case" => Self::Kebab,
            "SCREAMING-KEBAB-CASE" => Self::ScreamingKebab,
            _ => return None,
        })
    }

    /// A field name (snake_case in Rust) under this rule.
    fn field(self, name: &str) -> String {
        match self {
            Self::Lower | Self::Snake => name.to_owned(),
            Self::Upper | Self::ScreamingSnake => name.to_ascii_uppercase(),
            Self::Pascal => pascal(name),
            Self::Camel => {
                let pascal = pascal(name);
                let mut chars = pascal.chars();
                chars
                    .next()
                    .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            }
            Self::Kebab => name.replace('_', "-"),
            Self::ScreamingKebab => name.replace('_', "-").to_ascii_uppercase(),
        }
    }

    /// A variant name (PascalCase in Rust) under this rule.
    fn variant(self, name: &str) -> String {
        match self {
            Self::Pascal => name.to_owned(),
            Self::Lower => name.to_ascii_lowercase(),
            Self::Upper => name.to_ascii_uppercase(),
            Self::Camel => {
                let mut chars = name.chars();
                chars
                    .next()
                    .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            }
            Self::Snake => snake(name),
            Self::ScreamingSnake => snake(name).to_ascii_uppercase(),
            Self::Kebab => snake(name).replace('_', "-"),
            Self::ScreamingKebab => snake(name).replace('_', "-").to_ascii_uppercase(),
        }
    }
}

fn pascal(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut upper = true;
    for c in field.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn snake(variant: &str) -> String {
    let mut out = String::with_capacity(variant.len() + 4);
    for (i, c) in variant.char_indices() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// The value of `key` in `#[serde(..)]` attributes for `direction`: from
/// `key = "x"`, or `key(serialize = "x", deserialize = "y")`. Other serde
/// keys are skipped whatever their shape; serde checks them.
fn serde_value(attrs: &[syn::Attribute], key: &str, direction: Direction) -> Option<String> {
    let mut found = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident(key) {
                if meta.input.peek(syn::Token![=]) {
                    let lit: syn::LitStr = meta.value()?.parse()?;
                    found = Some(lit.value());
                } else {
                    meta.parse_nested_meta(|side| {
                        let lit: syn::LitStr = side.value()?.parse()?;
                        let wanted = match direction {
                            Direction::Serialize => "serialize",
                            Direction::Deserialize => "deserialize",
                        };
                        if side.path.is_ident(wanted) {
                            found = Some(lit.value());
                        }
                        Ok(())
                    })?;
                }
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            } else if meta.input.peek(syn::token::Paren) {
                let _content;
                syn::parenthesized!(_content in meta.input);
            }
            Ok(())
        });
    }
    found
}

/// The container's `rename_all` rule for `direction`, if it has one.
pub(crate) fn rename_all(attrs: &[syn::Attribute], direction: Direction) -> Option<Rule> {
    serde_value(attrs, "rename_all", direction).and_then(|name| Rule::parse(&name))
}

/// A field's name on the wire: its own `rename`, else the container's rule
/// applied to its identifier (without `r#`).
pub(crate) fn field_name(
    ident: &syn::Ident,
    attrs: &[syn::Attribute],
    rule: Option<Rule>,
    direction: Direction,
) -> String {
    wire_name(ident, attrs, rule, direction, Rule::field)
}

/// A variant's name on the wire: its own `rename`, else the container's
/// rule applied to its identifier.
pub(crate) fn variant_name(
    ident: &syn::Ident,
    attrs: &[syn::Attribute],
    rule: Option<Rule>,
    direction: Direction,
) -> String {
    wire_name(ident, attrs, rule, direction, Rule::variant)
}

/// The `rename` of `attrs` for `direction`, else `rule` applied (by
/// `apply`) to the identifier without `r#`.
fn wire_name(
    ident: &syn::Ident,
    attrs: &[syn::Attribute],
    rule: Option<Rule>,
    direction: Direction,
    apply: fn(Rule, &str) -> String,
) -> String {
    serde_value(attrs, "rename", direction).unwrap_or_else(|| {
        let name = ident.to_string();
        let name = name.trim_start_matches("r#");
        rule.map_or_else(|| name.to_owned(), |rule| apply(rule, name))
    })
}

/// Whether a field is `#[serde(flatten)]`: its fields are read as the
/// parent's own.
pub(crate) fn is_flattened(attrs: &[syn::Attribute]) -> bool {
    has_key(attrs, "flatten")
}

/// Whether `#[serde(default)]` (or `default = "path"`) is on these
/// attributes: on a field, it may be absent from what is read; on a
/// container, every field may.
pub(crate) fn has_default(attrs: &[syn::Attribute]) -> bool {
    has_key(attrs, "default")
}

/// Whether `key` appears in `#[serde(..)]`, bare or with a value.
fn has_key(attrs: &[syn::Attribute], key: &str) -> bool {
    let mut found = false;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        // A malformed `#[serde]` is serde's to report.
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident(key) {
                found = true;
            }
            if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            } else if meta.input.peek(syn::token::Paren) {
                meta.parse_nested_meta(|inner| {
                    if inner.input.peek(syn::Token![=]) {
                        let _: syn::Expr = inner.value()?.parse()?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_serde_for_fields_and_variants() {
        let cases = [
            (
                "lowercase",
                "display_name",
                "display_name",
                "SignedUp",
                "signedup",
            ),
            (
                "UPPERCASE",
                "display_name",
                "DISPLAY_NAME",
                "SignedUp",
                "SIGNEDUP",
            ),
            (
                "PascalCase",
                "display_name",
                "DisplayName",
                "SignedUp",
                "SignedUp",
            ),
            (
                "camelCase",
                "display_name",
                "displayName",
                "SignedUp",
                "signedUp",
            ),
            (
                "snake_case",
                "display_name",
                "display_name",
                "SignedUp",
                "signed_up",
            ),
            (
                "SCREAMING_SNAKE_CASE",
                "display_name",
                "DISPLAY_NAME",
                "SignedUp",
                "SIGNED_UP",
            ),
            (
                "kebab-case",
                "display_name",
                "display-name",
                "SignedUp",
                "signed-up",
            ),
            (
                "SCREAMING-KEBAB-CASE",
                "display_name",
                "DISPLAY-NAME",
                "SignedUp",
                "SIGNED-UP",
            ),
        ];
        for (rule, field, field_out, variant, variant_out) in cases {
            let rule = Rule::parse(rule).unwrap_or(Rule::Snake);
            assert_eq!(rule.field(field), field_out, "{rule:?}");
            assert_eq!(rule.variant(variant), variant_out, "{rule:?}");
        }
    }

    #[test]
    fn rename_beats_rename_all_and_directions_are_kept_apart() {
        let container: syn::DeriveInput = syn::parse_quote! {
            #[serde(deny_unknown_fields, rename_all(serialize = "camelCase", deserialize = "kebab-case"))]
            struct Dto {
                display_name: String,
                #[serde(rename = "e-mail")]
                email: String,
                #[serde(rename(deserialize = "nick"))]
                nick_name: String,
            }
        };
        let syn::Data::Struct(data) = &container.data else {
            return;
        };
        let names = |direction| {
            let rule = rename_all(&container.attrs, direction);
            data.fields
                .iter()
                .filter_map(|f| Some(field_name(f.ident.as_ref()?, &f.attrs, rule, direction)))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(Direction::Serialize),
            ["displayName", "e-mail", "nickName"]
        );
        assert_eq!(
            names(Direction::Deserialize),
            ["display-name", "e-mail", "nick"]
        );
    }
}
