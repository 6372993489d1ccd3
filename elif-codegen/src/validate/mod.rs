//! `#[derive(Validate)]`: rules on the fields of a request DTO, checked by
//! `Valid<T>` after the body is read; every broken rule is reported.

pub(crate) mod parse;

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

/// The checks of one field, in two lists: those on the field as a whole
/// (`required`, `must_match`, reading `self`), and those on its value when
/// present (`__elif_value`). `wire` is the field's name in pointers: a
/// string literal, or `__elif_wire` in a model's rules function.
fn field_checks(field: &parse::Field, wire: &TokenStream) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let name = &field.ident;
    let mut whole = Vec::new();
    let mut on_value = Vec::new();
    for (rule, span) in &field.rules {
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
            Rule::Url => quote_spanned!(*span=> #p::validate::url(__elif_value)),
            Rule::Uuid => quote_spanned!(*span=> #p::validate::uuid(__elif_value)),
            Rule::Regex(pattern) => quote_spanned! {*span=>
                #p::validate::matches(__elif_value, {
                    static PATTERN: ::std::sync::OnceLock<#p::validate::Pattern> = ::std::sync::OnceLock::new();
                    PATTERN.get_or_init(|| #p::validate::Pattern::new(#pattern))
                })
            },
            Rule::OneOf(allowed) => {
                quote_spanned!(*span=> #p::validate::one_of(__elif_value, &#allowed))
            }
            Rule::Custom(path) => {
                on_value.push(quote_spanned! {*span=>
                    if let ::core::result::Result::Err((__elif_code, __elif_detail)) =
                        #p::validate::CustomOutcome::outcome(#path(__elif_value))
                    {
                        __elif_errors.push(__elif_pointer, #wire, __elif_code, __elif_detail);
                    }
                });
                continue;
            }
            Rule::Nested => {
                let pointer = if field.flatten {
                    quote!(__elif_pointer)
                } else {
                    quote!(&#p::validate::child(__elif_pointer, #wire))
                };
                on_value.push(quote_spanned! {*span=>
                    #p::Validate::validate_into(__elif_value, __elif_errors, #pointer);
                });
                continue;
            }
            Rule::Model(path) => {
                // The column's rules function (`users::email::__elif_rules`).
                on_value.push(quote_spanned! {*span=>
                    #path::__elif_rules(__elif_value, __elif_errors, __elif_pointer, #wire);
                });
                continue;
            }
            Rule::Each(rules) => {
                // The item rules, as those of a field named by the index,
                // under the collection's pointer.
                let items = parse::Field {
                    ident: field.ident.clone(),
                    wire: String::new(),
                    options: 0,
                    flatten: false,
                    rules: rules.clone(),
                };
                let (_, checks) = field_checks(&items, &quote!(__elif_index));
                on_value.push(quote_spanned! {*span=>
                    {
                        let __elif_pointer: &str = &#p::validate::child(__elif_pointer, #wire);
                        for (__elif_index, __elif_value) in #p::validate::Items::items(__elif_value).enumerate() {
                            let __elif_index: &str = &__elif_index.to_string();
                            #(#checks)*
                        }
                    }
                });
                continue;
            }
            Rule::Required => {
                whole.push(quote_spanned! {*span=>
                    if self.#name.is_none() {
                        __elif_errors.push(__elif_pointer, #wire, #code, "is required");
                    }
                });
                continue;
            }
            Rule::MustMatch(other) => {
                let detail = format!("must match `{other}`");
                whole.push(quote_spanned! {*span=>
                    if self.#name != self.#other {
                        __elif_errors.push(__elif_pointer, #wire, #code, #detail);
                    }
                });
                continue;
            }
        };
        on_value.push(quote! {
            if let ::core::result::Result::Err(__elif_detail) = #check {
                __elif_errors.push(__elif_pointer, #wire, #code, __elif_detail);
            }
        });
    }
    (whole, on_value)
}

/// What `#[model]` puts in `users::email::__elif_rules(__elif_value,
/// __elif_errors, __elif_pointer, __elif_wire)`: the column's value rules,
/// for request types that reuse them (`#[validate(model = users::email)]`).
pub(crate) fn value_checks(field: &parse::Field) -> TokenStream {
    let (_, on_value) = field_checks(field, &quote!(__elif_wire));
    quote!(#(#on_value)*)
}

fn generate(dto: &parse::Dto) -> TokenStream {
    let p = private();
    let ident = &dto.ident;
    let (impl_generics, ty_generics, where_clause) = dto.generics.split_for_impl();
    let checks = dto.fields.iter().map(|field| {
        let name = &field.ident;
        let wire = &field.wire;
        let (whole, on_value) = field_checks(field, &quote!(#wire));
        let present = match field.options {
            0 => quote!({ let __elif_value = &self.#name; #(#on_value)* }),
            1 => quote!(if let ::core::option::Option::Some(__elif_value) = &self.#name { #(#on_value)* }),
            _ => quote!(
                if let ::core::option::Option::Some(::core::option::Option::Some(__elif_value)) = &self.#name { #(#on_value)* }
            ),
        };
        quote!(#(#whole)* #present)
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
