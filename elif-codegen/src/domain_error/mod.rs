//! `#[derive(DomainError)]`: an enum (or struct) of domain errors, each
//! variant mapped to a status, a stable code, a message and a hint.
//!
//! ```text
//! #[derive(Debug, DomainError)]
//! pub enum PostError {
//!     #[problem(status = 404, code = "POST_NOT_FOUND", message = "post {0} does not exist", hint = "list posts with GET /posts")]
//!     NotFound(u64),
//! }
//! ```

use darling::FromMeta;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::attr::{self, Spec};
use crate::errors::Errors;
use crate::paths::private;

const SPEC: Spec = Spec::keys("#[problem]", &["status", "code", "message", "hint"]);

/// `#[problem(status = 404, code = "X", message = "...", hint = "...")]` as written.
#[derive(Default, FromMeta)]
#[darling(default)]
struct Args {
    status: Option<syn::LitInt>,
    code: Option<syn::LitStr>,
    message: Option<syn::LitStr>,
    hint: Option<syn::LitStr>,
}

/// One variant's mapping.
struct Problem {
    status: syn::LitInt,
    code: syn::LitStr,
    message: syn::LitStr,
    hint: Option<syn::LitStr>,
}

/// Expands `#[derive(DomainError)]`.
pub fn expand(input: TokenStream) -> TokenStream {
    match syn::parse2::<syn::DeriveInput>(input).and_then(|input| generate(&input)) {
        Ok(tokens) => tokens,
        Err(error) => error.to_compile_error(),
    }
}

fn problem(
    attrs: &[syn::Attribute],
    at: &dyn quote::ToTokens,
    errors: &mut Errors,
) -> Option<Problem> {
    let Some(attr) = attrs.iter().find(|a| a.path().is_ident("problem")) else {
        errors.at(
            at,
            "EL0015",
            "every domain error needs `#[problem(status = .., code = \"..\", message = \"..\")]`\nhelp: e.g. `#[problem(status = 404, code = \"POST_NOT_FOUND\", message = \"post {0} does not exist\")]`",
        );
        return None;
    };
    let args: Args = attr::parse_attributes(attrs, &SPEC, errors).unwrap_or_default();
    let Args {
        status,
        code,
        message,
        hint,
    } = args;
    if let Some(status) = &status {
        match status.base10_parse::<u16>() {
            Ok(400..=599) => {}
            _ => errors.at(
                status,
                "EL0015",
                "a domain error's status is an HTTP error status, 400 to 599",
            ),
        }
    }
    if let Some(code) = &code {
        let text = code.value();
        if text.is_empty()
            || !text
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        {
            errors.at(code, "EL0015", format!("`{text}` is not a SCREAMING_SNAKE code\nhelp: codes are stable identifiers such as \"POST_NOT_FOUND\""));
        }
    }
    match (status, code, message) {
        (Some(status), Some(code), Some(message)) => Some(Problem {
            status,
            code,
            message,
            hint,
        }),
        _ => {
            errors.at(
                attr,
                "EL0015",
                "`#[problem]` needs `status`, `code` and `message`",
            );
            None
        }
    }
}

/// `"post {0} not found"` → `"post {_0} not found"`, so positional fields
/// bound as `_0`, `_1` can be used as inline format arguments.
fn positional(message: &str) -> String {
    let mut out = String::with_capacity(message.len() + 4);
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '{' {
            if chars.peek() == Some(&'{') {
                out.push('{');
                chars.next();
            } else if chars.peek().is_some_and(char::is_ascii_digit) {
                out.push('_');
            }
        }
    }
    out
}

fn generate(input: &syn::DeriveInput) -> syn::Result<TokenStream> {
    let p = private();
    let ident = &input.ident;
    let mut errors = Errors::new();
    let mut arms = Vec::new();
    let mut push_arm = |pattern: TokenStream, problem: Problem| {
        let Problem {
            status,
            code,
            message,
            hint,
        } = problem;
        let template = message.value();
        let message = syn::LitStr::new(&positional(&message.value()), message.span());
        let hint = match hint {
            Some(hint) => quote!(::core::option::Option::Some(#hint)),
            None => quote!(::core::option::Option::None),
        };
        arms.push((pattern, status, code, message, hint, template));
    };
    match &input.data {
        syn::Data::Enum(data) => {
            for variant in &data.variants {
                let Some(problem) = problem(&variant.attrs, &variant.ident, &mut errors) else {
                    continue;
                };
                let name = &variant.ident;
                let pattern = match &variant.fields {
                    syn::Fields::Unit => quote!(Self::#name),
                    syn::Fields::Unnamed(fields) => {
                        let binds = (0..fields.unnamed.len()).map(|i| format_ident!("_{i}"));
                        quote!(Self::#name(#(#binds),*))
                    }
                    syn::Fields::Named(fields) => {
                        let binds = fields.named.iter().filter_map(|f| f.ident.as_ref());
                        quote!(Self::#name { #(#binds),* })
                    }
                };
                push_arm(pattern, problem);
            }
        }
        syn::Data::Struct(data) => {
            if let Some(problem) = problem(&input.attrs, &input.ident, &mut errors) {
                let pattern = match &data.fields {
                    syn::Fields::Unit => quote!(Self),
                    syn::Fields::Unnamed(fields) => {
                        let binds = (0..fields.unnamed.len()).map(|i| format_ident!("_{i}"));
                        quote!(Self(#(#binds),*))
                    }
                    syn::Fields::Named(fields) => {
                        let binds = fields.named.iter().filter_map(|f| f.ident.as_ref());
                        quote!(Self { #(#binds),* })
                    }
                };
                push_arm(pattern, problem);
            }
        }
        syn::Data::Union(_) => errors.at(
            ident,
            "EL0015",
            "`#[derive(DomainError)]` applies to enums and structs",
        ),
    }
    errors.finish()?;
    let unused = Ident::new("unused_variables", Span::call_site());
    let display = arms.iter().map(
        |(pattern, _, _, message, _, _)| quote!(#pattern => ::core::write!(__elif_f, #message)),
    );
    let status = arms
        .iter()
        .map(|(pattern, status, _, _, _, _)| quote!(#[allow(#unused)] #pattern => #status));
    let code = arms
        .iter()
        .map(|(pattern, _, code, _, _, _)| quote!(#[allow(#unused)] #pattern => #code));
    let hint = arms
        .iter()
        .map(|(pattern, _, _, _, hint, _)| quote!(#[allow(#unused)] #pattern => #hint));
    let declared = arms.iter().map(|(_, status, code, _, _, template)| {
        quote!(#p::DeclaredProblem { status: #status, code: #code, message: #template })
    });
    Ok(quote! {
        const _: () = {
            #[automatically_derived]
            impl ::core::fmt::Display for #ident {
                fn fmt(&self, __elif_f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    match self { #(#display,)* }
                }
            }

            #[automatically_derived]
            impl #p::DomainError for #ident {
                fn status(&self) -> u16 {
                    match self { #(#status,)* }
                }

                fn code(&self) -> &'static str {
                    match self { #(#code,)* }
                }

                fn hint(&self) -> ::core::option::Option<&'static str> {
                    match self { #(#hint,)* }
                }

                fn declared() -> ::std::vec::Vec<#p::DeclaredProblem> {
                    ::std::vec![#(#declared),*]
                }
            }

            #[automatically_derived]
            impl ::core::convert::From<#ident> for #p::Error {
                fn from(error: #ident) -> Self {
                    #p::Error::domain(error)
                }
            }

            // So that a handler may return `Result<T, ThisError>`.
            #[automatically_derived]
            impl ::core::convert::From<#ident> for #p::ActixError {
                fn from(error: #ident) -> Self {
                    #p::ActixError::from(#p::Error::domain(error))
                }
            }
        };
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn positional_arguments_are_renamed() {
        assert_eq!(
            super::positional("post {0} of {1:?}"),
            "post {_0} of {_1:?}"
        );
        assert_eq!(super::positional("{{0}} {title}"), "{{0}} {title}");
    }
}

#[cfg(test)]
mod spec_tests {
    #[test]
    fn spec_matches_its_struct() {
        crate::attr::tests::spec_matches::<super::Args>(&super::SPEC);
    }
}
