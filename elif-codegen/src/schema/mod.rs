//! `#[derive(Schema)]`: the JSON Schema of a DTO, recorded in the routes
//! that read or return it (for OpenAPI). Honours serde's `rename` and
//! `rename_all` (the serialize names, where the two sides differ); `Option`
//! fields are not required.

use proc_macro2::TokenStream;
use quote::quote;

use crate::paths::private;
use crate::serde_attrs::{Direction, field_name, rename_all, variant_name};

/// Expands `#[derive(Schema)]` on `input`.
pub fn expand(input: TokenStream) -> TokenStream {
    match syn::parse2::<syn::DeriveInput>(input).and_then(|input| generate(&input)) {
        Ok(tokens) => tokens,
        Err(error) => error.to_compile_error(),
    }
}

fn generate(input: &syn::DeriveInput) -> syn::Result<TokenStream> {
    let p = private();
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let rule = rename_all(&input.attrs, Direction::Serialize);
    let body = match &input.data {
        syn::Data::Struct(syn::DataStruct {
            fields: syn::Fields::Named(fields),
            ..
        }) => {
            let properties = fields.named.iter().filter_map(|f| {
                let name = field_name(f.ident.as_ref()?, &f.attrs, rule, Direction::Serialize);
                let ty = &f.ty;
                Some(quote! {
                    properties.insert(::std::string::String::from(#name), <#ty as #p::Schema>::schema());
                    if !<#ty as #p::Schema>::optional() {
                        required.push(#p::serde_json::Value::from(#name));
                    }
                })
            });
            quote! {
                let mut properties = #p::serde_json::Map::new();
                let mut required: ::std::vec::Vec<#p::serde_json::Value> = ::std::vec::Vec::new();
                #(#properties)*
                #p::serde_json::json!({ "type": "object", "properties": properties, "required": required })
            }
        }
        syn::Data::Enum(data)
            if data
                .variants
                .iter()
                .all(|v| matches!(v.fields, syn::Fields::Unit)) =>
        {
            let names = data
                .variants
                .iter()
                .map(|v| variant_name(&v.ident, &v.attrs, rule, Direction::Serialize));
            quote!(#p::serde_json::json!({ "type": "string", "enum": [#(#names),*] }))
        }
        _ => {
            return Err(syn::Error::new_spanned(
                ident,
                "`#[derive(Schema)]` supports structs with named fields and enums of unit variants [EL0009]",
            ));
        }
    };
    Ok(quote! {
        const _: () = {
            #[automatically_derived]
            impl #impl_generics #p::Schema for #ident #ty_generics #where_clause {
                fn schema() -> #p::serde_json::Value {
                    #body
                }
            }
        };
    })
}
