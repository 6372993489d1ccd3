//! `#[elif::main]` and `#[elif::test]`: run an async body on elif's runtime.

use proc_macro2::TokenStream;
use quote::quote;

use crate::errors::with_item;
use crate::paths::private;

const MAIN_SHAPE: &str = "`#[elif::main]` needs `async fn main()` [EL0008]\nhelp: write `#[elif::main] async fn main() -> elif::Result<()> { App::new().module(AppModule).run().await }`";

/// Expands `#[elif::main] async fn main() -> elif::Result<()> { body }` into a
/// sync `main` that sets up logging and the runtime, runs the body as
/// written, and exits with the error's code on failure.
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    let function = match syn::parse2::<syn::ItemFn>(item.clone()) {
        Ok(function) => function,
        Err(_) => return with_item(item.clone(), syn::Error::new_spanned(item, MAIN_SHAPE)),
    };
    let mut problems = Vec::new();
    if !args.is_empty() {
        problems.push(syn::Error::new_spanned(
            &args,
            "`#[elif::main]` takes no arguments [EL0002]",
        ));
    }
    // One error for a signature of the wrong shape, however many ways it
    // is wrong.
    if function.sig.asyncness.is_none()
        || function.sig.ident != "main"
        || !function.sig.inputs.is_empty()
    {
        problems.push(syn::Error::new_spanned(&function.sig, MAIN_SHAPE));
    }
    if let Some(mut first) = problems.pop() {
        for other in problems {
            first.combine(other);
        }
        return with_item(quote!(#function), first);
    }
    let p = private();
    let attrs = &function.attrs;
    let body = &function.block;
    let run = match &function.sig.output {
        syn::ReturnType::Default => {
            quote!(async move { let () = #body; ::core::result::Result::Ok(()) })
        }
        syn::ReturnType::Type(_, ty) => quote!(async move { let result: #ty = #body; result }),
    };
    quote! {
        #(#attrs)*
        fn main() -> ::std::process::ExitCode {
            #p::run_main(::core::env!("CARGO_PKG_NAME"), #run)
        }
    }
}

/// Expands `#[elif::test] async fn name() { body }` into a `#[test]` that runs
/// the body on elif's runtime (so `TestApp` and its client work).
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    let function = match syn::parse2::<syn::ItemFn>(item.clone()) {
        Ok(function) => function,
        Err(error) => return with_item(item, error),
    };
    if !args.is_empty() {
        return with_item(
            item,
            syn::Error::new_spanned(&args, "`#[elif::test]` takes no arguments [EL0002]"),
        );
    }
    if function.sig.asyncness.is_none() {
        return with_item(
            item,
            syn::Error::new_spanned(
                function.sig.fn_token,
                "`#[elif::test]` needs an `async fn` [EL0008]",
            ),
        );
    }
    let p = private();
    let attrs = &function.attrs;
    let vis = &function.vis;
    let name = &function.sig.ident;
    let output = &function.sig.output;
    let body = &function.block;
    quote! {
        #[::core::prelude::v1::test]
        #(#attrs)*
        #vis fn #name() #output {
            #p::run_test(async move #body)
        }
    }
}
