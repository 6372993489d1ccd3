//! A route's API description beyond what its signature says: the doc
//! comments (the handler's: summary and description; the `impl` block's:
//! its controller's tag) and `#[openapi(..)]`.
//!
//! ```text
//! #[openapi(operation_id = "signIn", summary = "..", hidden,
//!           status = 200, body = LoggedIn, content_type = "application/json",
//!           errors(LoginError), responses(409),
//!           example = r#"{"email": ".."}"#, response_example = r#"{..}"#)]
//! ```

use darling::FromMeta;
use proc_macro2::TokenStream;
use quote::quote;

use crate::attr::{self, Flag, Spec, Types};
use crate::errors::Errors;
use crate::paths::private;

/// The keys of `#[openapi(..)]`.
#[derive(Default, FromMeta)]
#[darling(default)]
struct Args {
    operation_id: Option<syn::LitStr>,
    summary: Option<syn::LitStr>,
    hidden: Flag,
    status: Option<syn::LitInt>,
    body: Types,
    content_type: Option<syn::LitStr>,
    errors: Types,
    responses: attr::List<syn::LitInt>,
    example: Option<syn::LitStr>,
    response_example: Option<syn::LitStr>,
}

const SPEC: Spec = Spec::keys(
    "#[openapi]",
    &[
        "operation_id",
        "summary",
        "hidden",
        "status",
        "body",
        "content_type",
        "errors",
        "responses",
        "example",
        "response_example",
    ],
);

/// A route's `#[openapi(..)]`, checked.
#[derive(Default)]
pub(crate) struct OpenApiAttr {
    /// `operation_id = ".."`.
    pub(crate) operation_id: Option<String>,
    /// `summary = ".."`.
    pub(crate) summary: Option<String>,
    /// `hidden`.
    pub(crate) hidden: bool,
    /// `status = ..` (with `body = T` when the response has a body).
    pub(crate) status: Option<(u16, Option<syn::Type>)>,
    /// `content_type = ".."`: the body's media type (JSON by default).
    pub(crate) content_type: Option<String>,
    /// `errors(E, ..)`: domain error types.
    pub(crate) errors: Vec<syn::Type>,
    /// `responses(404, ..)`: further statuses the route may answer.
    pub(crate) responses: Vec<u16>,
    /// `example = ".."`: JSON, checked.
    pub(crate) example: Option<String>,
    /// `response_example = ".."`: JSON, checked.
    pub(crate) response_example: Option<String>,
}

/// Whether `path` names elif's `#[openapi]`.
pub(crate) fn is_openapi(path: &syn::Path) -> bool {
    path.is_ident("openapi")
        || (path.segments.len() == 2
            && path.segments[0].ident == "elif"
            && path.segments[1].ident == "openapi")
}

/// The doc comment in `attrs`, its lines joined (one leading space each
/// taken off, as rustdoc does).
pub(crate) fn doc_comment(attrs: &[syn::Attribute]) -> String {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            syn::Meta::NameValue(syn::MetaNameValue {
                value:
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(text),
                        ..
                    }),
                ..
            }) => Some(text.value()),
            _ => None,
        })
        .map(|line| {
            line.strip_prefix(' ')
                .unwrap_or(&line)
                .trim_end()
                .to_owned()
        })
        .collect();
    lines.join("\n").trim().to_owned()
}

/// Takes `#[openapi(..)]` off `attrs`, checked. A second one is an error.
pub(crate) fn take(attrs: &mut Vec<syn::Attribute>, errors: &mut Errors) -> Option<OpenApiAttr> {
    let mut found = Vec::new();
    attrs.retain(|attr| {
        let ours = is_openapi(attr.path());
        if ours {
            found.push(attr.clone());
        }
        !ours
    });
    if let Some(second) = found.get(1) {
        errors.at(second, "EL0039", "one `#[openapi]` per route; merge them");
    }
    let attr = found.into_iter().next()?;
    let tokens = match &attr.meta {
        syn::Meta::List(list) => list.tokens.clone(),
        _ => TokenStream::new(),
    };
    let args = attr::parse::<Args>(tokens, &SPEC, errors).keyed;
    let status = |literal: &syn::LitInt, errors: &mut Errors| match literal.base10_parse::<u16>() {
        Ok(status @ 100..=599) => Some(status),
        _ => {
            errors.at(
                literal,
                "EL0039",
                "an HTTP status is a number from 100 to 599 (`status = 201`)",
            );
            None
        }
    };
    let json = |literal: &Option<syn::LitStr>, errors: &mut Errors| {
        let literal = literal.as_ref()?;
        match serde_json::from_str::<serde_json::Value>(&literal.value()) {
            Ok(_) => Some(literal.value()),
            Err(error) => {
                errors.at(
                    literal,
                    "EL0039",
                    format!("an example is JSON text: {error}\nhelp: write it as a raw string, `example = r#\"{{\"title\": \"Hello\"}}\"#`"),
                );
                None
            }
        }
    };
    if !args.body.0.is_empty() && args.status.is_none() {
        errors.at(
            &attr,
            "EL0039",
            "`body = T` describes the response of `status = ..`; give both (`status = 200, body = T`)",
        );
    }
    // In source order, so errors come as the compiler sorts them.
    let success = args
        .status
        .as_ref()
        .and_then(|literal| status(literal, errors))
        .map(|status| (status, args.body.0.first().cloned()));
    let responses = args
        .responses
        .0
        .iter()
        .filter_map(|literal| status(literal, errors))
        .collect();
    Some(OpenApiAttr {
        operation_id: args.operation_id.map(|id| id.value()),
        summary: args.summary.map(|summary| summary.value()),
        hidden: args.hidden.is_present(),
        status: success,
        content_type: args.content_type.map(|c| c.value()),
        errors: args.errors.0,
        responses,
        example: json(&args.example, errors),
        response_example: json(&args.response_example, errors),
    })
}

/// The route's `OperationSpec`: its doc comments and `#[openapi(..)]`.
pub(crate) fn spec(doc: &str, tag_doc: &str, attr: Option<&OpenApiAttr>) -> TokenStream {
    let p = private();
    let empty = OpenApiAttr::default();
    let attr = attr.unwrap_or(&empty);
    let option = |value: &Option<String>| match value {
        Some(text) => quote!(::core::option::Option::Some(#text)),
        None => quote!(::core::option::Option::None),
    };
    let operation_id = option(&attr.operation_id);
    let summary = option(&attr.summary);
    let hidden = attr.hidden;
    let request_example = option(&attr.example);
    let response_example = option(&attr.response_example);
    let status = attr.status.iter().map(|(status, body)| {
        let schema = match body {
            Some(body) => quote!(::core::option::Option::Some(|| {
                #[allow(unused_imports)]
                use #p::{HasSchema as _, NoSchema as _};
                (&&#p::SchemaProbe::<#body>::new()).probe()
            })),
            None => quote!(::core::option::Option::None),
        };
        let content_type = option(&attr.content_type);
        quote!(#p::ResponseSpec { status: #status, schema: #schema, content_type: #content_type, description: "" })
    });
    let extra = attr.responses.iter().map(
        |status| quote!(#p::ResponseSpec { status: #status, schema: ::core::option::Option::None, content_type: ::core::option::Option::None, description: "" }),
    );
    let errors = attr
        .errors
        .iter()
        .map(|ty| quote!(<#ty as #p::DomainError>::declared));
    quote! {
        #p::OperationSpec {
            doc: #doc,
            tag_doc: #tag_doc,
            operation_id: #operation_id,
            summary: #summary,
            hidden: #hidden,
            responses: &[#(#status,)* #(#extra),*],
            errors: &[#(#errors),*],
            request_example: #request_example,
            response_example: #response_example,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn spec_matches_its_struct() {
        crate::attr::tests::spec_matches::<super::Args>(&super::SPEC);
    }
}
