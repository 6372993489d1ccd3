//! `#[derive(Config)]`: from struct to a checked description.

use darling::FromMeta;
use quote::ToTokens;

use crate::attr::{self, Flag, Spec};
use crate::errors::Errors;

const SPEC: Spec = Spec::keys("#[config]", &["section"]);
const FIELD_SPEC: Spec = Spec::keys("#[config]", &["default", "secret", "validate"]);

/// `#[config(section = "mail")]` on the struct.
#[derive(Default, FromMeta)]
#[darling(default)]
struct Args {
    section: Option<syn::LitStr>,
}

/// `#[config(default = expr, secret, validate = path)]` on a field.
#[derive(Default, FromMeta)]
#[darling(default)]
struct FieldArgs {
    default: Option<attr::Expr>,
    secret: Flag,
    validate: Option<syn::Path>,
}

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
    let args: Option<Args> = attr::parse_attributes(&input.attrs, &SPEC, &mut errors);
    let section = args.and_then(|args| args.section).map(|lit| lit.value());
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
    let args: FieldArgs =
        attr::parse_attributes(&field.attrs, &FIELD_SPEC, errors).unwrap_or_default();
    Some(Field {
        ident: field.ident.clone()?,
        ty: field.ty.clone(),
        default: args.default.map(|expr| expr.0),
        secret: args.secret.is_present() || is_secret_type(&field.ty),
        validate: args.validate,
    })
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
    fn specs_match_their_structs() {
        crate::attr::tests::spec_matches::<super::Args>(&super::SPEC);
        crate::attr::tests::spec_matches::<super::FieldArgs>(&super::FIELD_SPEC);
    }

    #[test]
    fn section_names_follow_the_struct_name() {
        assert_eq!(super::default_section("MailConfig"), "mail");
        assert_eq!(super::default_section("HttpClientConfig"), "http_client");
        assert_eq!(super::default_section("Config"), "config");
    }
}
