//! `#[derive(Validate)]`: rules on the fields of a request DTO, checked by
//! `Valid<T>` after the body is read; every broken rule is reported.

mod parse;

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use crate::paths::{private, private_at};
use parse::Rule;

/// Expands `#[derive(Validate)]` on `input`.
pub fn expand(input: TokenStream) -> TokenStream {
    match syn::parse2::<syn::DeriveInput>(input).and_then(parse::parse) {
        Ok(dto) => generate(&dto),
        Err(error) => error.to_compile_error(),
    }
}

fn generate(dto: &parse::Dto) -> TokenStream {
    let p = private();
    let ident = &dto.ident;
    let (impl_generics, ty_generics, where_clause) = dto.generics.split_for_impl();
    let checks = dto.fields.iter().map(|field| {
        let name = &field.ident;
        let wire = &field.wire;
        let rules = field.rules.iter().map(|(rule, span)| {
            let code = rule.code();
            let bound = |e: &Option<syn::Expr>| match e {
                Some(e) => quote!(::core::option::Option::Some(#e)),
                None => quote!(::core::option::Option::None),
            };
            let p = private_at(*span);
            let check = match rule {
                Rule::Length { min, max } => {
                    let (min, max) = (bound(min), bound(max));
                    quote_spanned!(*span=> #p::validate::length(__elif_value, #min, #max))
                }
                Rule::Range { min, max } => {
                    let (min, max) = (bound(min), bound(max));
                    quote_spanned!(*span=> #p::validate::range(__elif_value, #min, #max))
                }
                Rule::Email => quote_spanned!(*span=> #p::validate::email(__elif_value)),
                Rule::Custom(path) => quote_spanned!(*span=> #path(__elif_value)),
                Rule::Nested => {
                    return quote_spanned! {*span=>
                        #p::Validate::validate_into(__elif_value, __elif_errors, &#p::validate::child(__elif_pointer, #wire));
                    };
                }
            };
            quote! {
                if let ::core::result::Result::Err(__elif_detail) = #check {
                    __elif_errors.push(__elif_pointer, #wire, #code, __elif_detail);
                }
            }
        });
        match field.options {
            0 => quote!({ let __elif_value = &self.#name; #(#rules)* }),
            1 => quote!(if let ::core::option::Option::Some(__elif_value) = &self.#name { #(#rules)* }),
            _ => quote!(
                if let ::core::option::Option::Some(::core::option::Option::Some(__elif_value)) = &self.#name { #(#rules)* }
            ),
        }
    });
    quote! {
        const _: () = {
            #[automatically_derived]
            impl #impl_generics #p::Validate for #ident #ty_generics #where_clause {
                fn validate_into(&self, __elif_errors: &mut #p::validate::Errors, __elif_pointer: &str) {
                    #(#checks)*
                }
            }
        };
    }
}
