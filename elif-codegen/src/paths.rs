//! The one table of paths that generated code uses. Everything goes through
//! `::elif::__private`, so a user's crate depends on `elif` alone: the
//! runtime's items, the crates it builds on (diesel, serde, inventory) and
//! the derives and `macro_rules!` macros that generated code invokes
//! (`#p::Validate`, `#p::with_connection!`), which the `elif` facade adds
//! to the runtime's `__private`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};

/// `::elif::__private`, the root of every path generated code uses.
pub fn private() -> TokenStream {
    quote!(::elif::__private)
}

/// `::elif::__private` spanned at `span`. A call such as
/// `#p::extract::<T>(..)` is spanned from its first token to its last, so
/// in code spanned at a user's type the path must start there too: else a
/// failed bound is reported a second time, at the attribute.
pub fn private_at(span: Span) -> TokenStream {
    quote_spanned!(span=> ::elif::__private)
}

/// `::elif::__private::<item>` written inside a string literal, for the
/// attributes that take a path as a string (`#[serde(deserialize_with =
/// "..")]`). The same root as [`private`].
pub fn private_in_string(item: &str) -> String {
    format!("::elif::__private::{item}")
}

/// `::elif::__private::diesel`: the query builder that models, their tables
/// and their queries are written against.
pub fn diesel() -> TokenStream {
    let p = private();
    quote!(#p::diesel)
}

/// `::elif::__private::serde`, for the derives of generated types
/// (`#[derive(#serde::Serialize)]`). Pair it with [`serde_crate`].
pub fn serde() -> TokenStream {
    let p = private();
    quote!(#p::serde)
}

/// `"::elif::__private::serde"`, the value of `#[serde(crate = "..")]` next
/// to a serde derive in generated code, so that the derive's own output
/// names serde through elif too.
pub fn serde_crate() -> String {
    private_in_string("serde")
}

/// `tokens` with every token, in groups too, spanned at `span`.
pub fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let proc_macro2::TokenTree::Group(group) = &token {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                token = proc_macro2::TokenTree::Group(inner);
            } else {
                token.set_span(span);
            }
            token
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path written in a string names what the same path in tokens names.
    #[test]
    fn string_paths_have_the_same_root() {
        let p = private();
        let in_string: syn::Path = syn::parse_str(&serde_crate()).expect("a path");
        assert_eq!(quote!(#in_string).to_string(), serde().to_string());
        let in_string: syn::Path =
            syn::parse_str(&private_in_string("double_option")).expect("a path");
        assert_eq!(
            quote!(#in_string).to_string(),
            quote!(#p::double_option).to_string()
        );
    }

    #[test]
    fn respan_reaches_into_groups() {
        let ty: syn::Type = syn::parse_str("Json<Vec<(u8, String)>>").unwrap();
        let at: syn::Ident = syn::parse_str("      x").unwrap();
        let respanned = super::respan(quote!(#ty), at.span());
        assert_eq!(respanned.to_string(), quote!(#ty).to_string());
        fn columns(tokens: TokenStream, out: &mut Vec<usize>) {
            for token in tokens {
                out.push(token.span().start().column);
                if let proc_macro2::TokenTree::Group(group) = token {
                    columns(group.stream(), out);
                }
            }
        }
        let mut seen = Vec::new();
        columns(respanned, &mut seen);
        assert!(seen.len() > 8);
        assert!(
            seen.iter().all(|c| *c == at.span().start().column),
            "{seen:?}"
        );
    }
}
