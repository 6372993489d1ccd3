//! What the macros read from serde's own attributes.

/// The name a field or variant has on the wire: its `#[serde(rename = "..")]`,
/// else its identifier (without `r#`).
pub(crate) fn wire_name(ident: &syn::Ident, attrs: &[syn::Attribute]) -> String {
    let mut name = ident.to_string().trim_start_matches("r#").to_owned();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        // Other serde keys are skipped whatever their shape; serde checks them.
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                name = lit.value();
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            } else if meta.input.peek(syn::token::Paren) {
                let _content;
                syn::parenthesized!(_content in meta.input);
            }
            Ok(())
        });
    }
    name
}
