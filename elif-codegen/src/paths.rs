//! The one table of paths that generated code uses. Everything goes through
//! `::elif::__private`, so a user's crate depends on `elif` alone.

use proc_macro2::TokenStream;
use quote::quote;

/// `::elif::__private`, the root of every path generated code uses.
pub fn private() -> TokenStream {
    quote!(::elif::__private)
}
