//! `#[derive(Config)]`: a typed config section, read key by key so that
//! every missing or invalid key is reported at once.

mod parse;

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::paths::{private, private_at};

/// Expands `#[derive(Config)]` on `input`.
pub fn expand(input: TokenStream) -> TokenStream {
    match syn::parse2::<syn::DeriveInput>(input).and_then(parse::parse) {
        Ok(section) => generate(&section),
        Err(error) => error.to_compile_error(),
    }
}

fn generate(section: &parse::Section) -> TokenStream {
    let p = private();
    let ident = &section.ident;
    let name = &section.section;
    let reads = section.fields.iter().map(|f| {
        let field = &f.ident;
        let key = field.to_string().trim_start_matches("r#").to_owned();
        let ty = &f.ty;
        let secret = f.secret;
        let default = match &f.default {
            Some(expr) => {
                let p = private_at(expr.span());
                let value = quote_spanned!(expr.span()=> #p::ConfigDefault::<#ty>::into_default(#expr));
                quote_spanned! {expr.span()=>
                    ::core::option::Option::Some({
                        fn __elif_default() -> #ty { #value }
                        __elif_default as fn() -> #ty
                    })
                }
            }
            None => quote!(::core::option::Option::None),
        };
        let validate = match &f.validate {
            Some(path) => quote_spanned!(path.span()=> ::core::option::Option::Some(#path as fn(&#ty) -> ::core::result::Result<(), ::std::string::String>)),
            None => quote!(::core::option::Option::None),
        };
        quote! {
            let #field = __elif_source.field::<#ty>(
                #name,
                #key,
                #p::FieldSpec { default: #default, secret: #secret, validate: #validate },
                &mut __elif_problems,
            );
        }
    });
    let names: Vec<_> = section.fields.iter().map(|f| &f.ident).collect();
    let keys = section.fields.iter().map(|f| {
        let key = format!("{name}.{}", f.ident.to_string().trim_start_matches("r#"));
        let ty = &f.ty;
        let ty_name = quote!(#ty).to_string().replace(' ', "");
        let default = match &f.default {
            // A secret's default is not shown either.
            Some(_) if f.secret => quote!(::core::option::Option::Some("[redacted]")),
            Some(expr) => {
                let shown = parse::shown(expr);
                quote!(::core::option::Option::Some(#shown))
            }
            None => quote!(::core::option::Option::None),
        };
        let secret = f.secret;
        quote!(#p::ConfigKey { key: ::std::string::String::from(#key), rust_type: #ty_name, default: #default, secret: #secret })
    });
    quote! {
        const _: () = {
            #[automatically_derived]
            impl #p::ConfigSection for #ident {
                const SECTION: &'static str = #name;

                fn load(__elif_source: &#p::ConfigSource) -> ::core::result::Result<Self, ::std::vec::Vec<#p::ConfigProblem>> {
                    let mut __elif_problems = ::std::vec::Vec::new();
                    #(#reads)*
                    match (#(#names,)*) {
                        (#(::core::option::Option::Some(#names),)*) => ::core::result::Result::Ok(Self { #(#names),* }),
                        _ => ::core::result::Result::Err(__elif_problems),
                    }
                }

                fn keys() -> ::std::vec::Vec<#p::ConfigKey> {
                    ::std::vec![#(#keys),*]
                }
            }
        };
    }
}
