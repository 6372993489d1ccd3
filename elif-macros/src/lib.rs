//! elif's attribute macros. Each entry point is one line; the parsing,
//! checking and generation live in `elif-codegen`, which the `elif expand`
//! command shares.

use proc_macro::TokenStream;

/// Registers a struct as a provider built from its fields (each a dependency).
///
/// `#[injectable(scope = "request", provides = dyn Mailer, on_init, on_shutdown)]`
#[proc_macro_attribute]
pub fn injectable(args: TokenStream, item: TokenStream) -> TokenStream {
    elif_codegen::injectable(args.into(), item.into()).into()
}

/// Groups providers and controllers: `#[module(imports(..), providers(..), controllers(..), exports(..))]`.
#[proc_macro_attribute]
pub fn module(args: TokenStream, item: TokenStream) -> TokenStream {
    elif_codegen::module(args.into(), item.into()).into()
}

/// Makes an async fn the provider of its return value: `#[factory(scope = "...")]`.
#[proc_macro_attribute]
pub fn factory(args: TokenStream, item: TokenStream) -> TokenStream {
    elif_codegen::factory(args.into(), item.into()).into()
}

/// Derives a typed config section: `#[config(section = "mail")]`, fields with
/// `#[config(default = .., secret, validate = path)]`.
#[proc_macro_derive(Config, attributes(config))]
pub fn derive_config(input: TokenStream) -> TokenStream {
    elif_codegen::derive_config(input.into()).into()
}

/// The app's entry point: `#[elif::main] async fn main() -> elif::Result<()> { .. }`.
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    elif_codegen::main(args.into(), item.into()).into()
}

/// An async test on elif's runtime: `#[elif::test] async fn works() { .. }`.
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    elif_codegen::test(args.into(), item.into()).into()
}

/// Marks an `impl` block as a controller: `#[controller("/posts", guards(Authenticated))]`;
/// its methods marked `#[get("/{id}")]` (`post`, `put`, `patch`, `delete`, `head`,
/// `options`, `route(method = ..)`) become routes.
#[proc_macro_attribute]
pub fn controller(args: TokenStream, item: TokenStream) -> TokenStream {
    elif_codegen::controller(args.into(), item.into()).into()
}

/// Marks a struct as a guard: an injectable that implements `Guard`.
#[proc_macro_attribute]
pub fn guard(args: TokenStream, item: TokenStream) -> TokenStream {
    elif_codegen::guard(args.into(), item.into()).into()
}

/// Derives `Validate`: `#[validate(length(min = 1, max = 200), email, range(..), custom = f, nested)]`.
#[proc_macro_derive(Validate, attributes(validate))]
pub fn derive_validate(input: TokenStream) -> TokenStream {
    elif_codegen::derive_validate(input.into()).into()
}

/// Derives a domain error: each variant gets `#[problem(status = 404, code = "POST_NOT_FOUND",
/// message = "post {0} does not exist", hint = "...")]`; it converts into `elif::Error` with `?`.
#[proc_macro_derive(DomainError, attributes(problem))]
pub fn derive_domain_error(input: TokenStream) -> TokenStream {
    elif_codegen::derive_domain_error(input.into()).into()
}

/// Derives the JSON Schema of a DTO (recorded in the routes that use it, for OpenAPI).
#[proc_macro_derive(Schema)]
pub fn derive_schema(input: TokenStream) -> TokenStream {
    elif_codegen::derive_schema(input.into()).into()
}

macro_rules! route_attributes {
    ($($name:ident),*) => {$(
        /// A route of a `#[controller]` impl block (read by `#[controller]`; an error anywhere else).
        #[proc_macro_attribute]
        pub fn $name(_args: TokenStream, item: TokenStream) -> TokenStream {
            elif_codegen::stray_route(stringify!($name), item.into()).into()
        }
    )*};
}

route_attributes!(get, post, put, patch, delete, head, options, route);
