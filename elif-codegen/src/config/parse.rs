//! `#[derive(Config)]`: from struct to a checked description.

use quote::ToTokens;

use crate::errors::{Errors, unknown_key};

const KEYS: &[&str] = &["section"];
const FIELD_KEYS: &[&str] = &["default", "secret", "validate"];

/// One key of the section.
pub(crate) struct Field {
    /// The field name, which is the key's last part.
    pub(crate) ident: syn::Ident,
    /// Its type.
    pub(crate) ty: syn::Type,
    /// `#[config(default = expr)]`.
    pub(crate) default: Option<syn::Expr>,
    /// `#[config(secret)]`, or a `Secret<...>` type.
    pub(crate) secret: bool,
    /// `#[config(validate = path)]`: `fn(&T) -> Result<(), String>`.
    pub(crate) validate: Option<syn::Path>,
}

/// A checked config section.
pub(crate) struct Section {
    /// The struct's name.
    pub(crate) ident: syn::Ident,
    /// The section name (`mail`).
    pub(crate) section: String,
    /// Its keys.
    pub(crate) fields: Vec<Field>,
}

/// Parses `#[config(section = "mail")] struct MailConfig { #[config(default = 25)] port: u16, ... }`.
pub(crate) fn parse(input: syn::DeriveInput) -> syn::Result<Section> {
    let mut errors = Errors::new();
    let mut section = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("config")) {
        errors.ok(attr.parse_nested_meta(|meta| {
            // section = "name"
            if meta.path.is_ident("section") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                section = Some(lit.value());
                Ok(())
            } else {
                Err(unknown_key(&meta.path, KEYS, "#[config]"))
            }
        }));
    }
    let named = match &input.data {
        syn::Data::Struct(syn::DataStruct {
            fields: syn::Fields::Named(named),
            ..
        }) => Some(named),
        _ => {
            errors.at(
                &input.ident,
                "EL0009",
                "`#[derive(Config)]` needs a struct with named fields, one per key\nhelp: write `#[derive(Config)] #[config(section = \"mail\")] struct MailConfig { host: String }`",
            );
            None
        }
    };
    if !input.generics.params.is_empty() {
        errors.at(
            &input.generics,
            "EL0009",
            "a config section cannot be generic",
        );
    }
    let fields = named
        .map(|named| {
            named
                .named
                .iter()
                .filter_map(|f| field(f, &mut errors))
                .collect()
        })
        .unwrap_or_default();
    errors.finish()?;
    let section = section.unwrap_or_else(|| default_section(&input.ident.to_string()));
    Ok(Section {
        ident: input.ident,
        section,
        fields,
    })
}

fn field(field: &syn::Field, errors: &mut Errors) -> Option<Field> {
    let mut out = Field {
        ident: field.ident.clone()?,
        ty: field.ty.clone(),
        default: None,
        secret: is_secret_type(&field.ty),
        validate: None,
    };
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("config")) {
        errors.ok(attr.parse_nested_meta(|meta| {
            // default = expr
            if meta.path.is_ident("default") {
                out.default = Some(meta.value()?.parse()?);
            // secret
            } else if meta.path.is_ident("secret") {
                out.secret = true;
            // validate = path::to::fn
            } else if meta.path.is_ident("validate") {
                out.validate = Some(meta.value()?.parse()?);
            } else {
                return Err(unknown_key(&meta.path, FIELD_KEYS, "#[config]"));
            }
            Ok(())
        }));
    }
    Some(out)
}

/// `Secret<T>`, or any type holding one in its generic arguments
/// (`Option<Secret<T>>`, `Vec<Secret<T>>`, `HashMap<String, Secret<T>>`).
fn is_secret_type(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(path) => path.path.segments.iter().any(|segment| {
            segment.ident == "Secret"
                || matches!(&segment.arguments, syn::PathArguments::AngleBracketed(args)
                    if args.args.iter().any(|arg| matches!(arg, syn::GenericArgument::Type(inner) if is_secret_type(inner))))
        }),
        syn::Type::Array(array) => is_secret_type(&array.elem),
        syn::Type::Slice(slice) => is_secret_type(&slice.elem),
        syn::Type::Tuple(tuple) => tuple.elems.iter().any(is_secret_type),
        syn::Type::Reference(reference) => is_secret_type(&reference.elem),
        syn::Type::Group(group) => is_secret_type(&group.elem),
        syn::Type::Paren(paren) => is_secret_type(&paren.elem),
        _ => false,
    }
}

/// `MailConfig` reads the section `mail`; `HttpClientConfig` reads `http_client`.
fn default_section(name: &str) -> String {
    let base = name
        .strip_suffix("Config")
        .filter(|b| !b.is_empty())
        .unwrap_or(name);
    let mut out = String::new();
    for (i, c) in base.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// The default's source text, for inspection output.
pub(crate) fn shown(expr: &syn::Expr) -> String {
    expr.to_token_stream().to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn section_names_follow_the_struct_name() {
        assert_eq!(super::default_section("MailConfig"), "mail");
        assert_eq!(super::default_section("HttpClientConfig"), "http_client");
        assert_eq!(super::default_section("Config"), "config");
    }
}
