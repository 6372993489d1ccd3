//! elif's attribute macros. Each entry point is one line; the parsing,
//! checking and generation live in `elif-codegen`, which the `elif expand`
//! command shares.
//!
//! `ELIF_MACROS_DEBUG=1 cargo build` prints every expansion to stderr
//! (`ELIF_MACROS_DEBUG=PostsController` prints only that item's); the build
//! script makes cargo re-run the macros when the variable changes.

use elif_codegen::dispatch;
use proc_macro::TokenStream;

/// Runs attribute macro `name` (printing the result when `ELIF_MACROS_DEBUG` asks).
fn attribute(name: &str, args: TokenStream, item: TokenStream) -> TokenStream {
    let item = proc_macro2::TokenStream::from(item);
    let output = dispatch::expand_attribute(name, args.into(), item.clone()).unwrap_or_default();
    dispatch::traced(name, &item, output).into()
}

/// Runs derive macro `name` (printing the result when `ELIF_MACROS_DEBUG` asks).
fn derive(name: &str, input: TokenStream) -> TokenStream {
    let input = proc_macro2::TokenStream::from(input);
    let output = dispatch::expand_derive(name, input.clone()).unwrap_or_default();
    dispatch::traced(name, &input, output).into()
}

/// Runs function-like macro `name` (printing the result when `ELIF_MACROS_DEBUG` asks).
fn function(name: &str, input: TokenStream) -> TokenStream {
    let input = proc_macro2::TokenStream::from(input);
    let output = dispatch::expand_function(name, input.clone(), None).unwrap_or_default();
    dispatch::traced(name, &input, output).into()
}

/// Embeds the crate's `migrations/` directory (or the directory given,
/// relative to this file): `App::new().migrations(elif::migrations!())`.
/// Each folder `<version>_<name>/` holds `up.sql` and `down.sql`, or
/// per-backend `up.sqlite.sql` / `up.postgres.sql` (and the same for `down`).
#[proc_macro]
pub fn migrations(input: TokenStream) -> TokenStream {
    function("migrations", input)
}

/// A struct stored in a table: `#[model(table = "posts")]`, one `#[key]`
/// field, `#[fillable]` fields a client may set, `#[hidden]` fields left out
/// of JSON, `#[belongs_to(Author)]` foreign keys, and `created_at` /
/// `updated_at` set by the repository. Generates the diesel schema, the
/// forms (`NewPost`, `PostChanges`, `PostInput`, `PostPatch`) and what
/// `Repository<Post>` runs.
#[proc_macro_attribute]
pub fn model(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute("model", args, item)
}

/// Registers a struct as a provider built from its fields (each a dependency).
///
/// `#[injectable(scope = "request", provides = dyn Mailer, on_init, on_shutdown)]`
#[proc_macro_attribute]
pub fn injectable(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute("injectable", args, item)
}

/// Groups providers and controllers: `#[module(imports(..), providers(..), controllers(..), exports(..))]`.
#[proc_macro_attribute]
pub fn module(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute("module", args, item)
}

/// Makes an async fn the provider of its return value: `#[factory(scope = "...")]`.
#[proc_macro_attribute]
pub fn factory(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute("factory", args, item)
}

/// Derives a typed config section: `#[config(section = "mail")]`, fields with
/// `#[config(default = .., secret, validate = path)]`.
#[proc_macro_derive(Config, attributes(config))]
pub fn derive_config(input: TokenStream) -> TokenStream {
    derive("Config", input)
}

/// The app's entry point: `#[elif::main] async fn main() -> elif::Result<()> { .. }`.
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute("main", args, item)
}

/// An async test on elif's runtime: `#[elif::test] async fn works() { .. }`.
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute("test", args, item)
}

/// Marks an `impl` block as a controller: `#[controller("/posts", guards(Authenticated))]`;
/// its methods marked `#[get("/{id}")]` (`post`, `put`, `patch`, `delete`, `head`,
/// `options`, `route(method = ..)`) become routes.
#[proc_macro_attribute]
pub fn controller(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute("controller", args, item)
}

/// Marks a struct as a guard: an injectable that implements `Guard`.
#[proc_macro_attribute]
pub fn guard(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute("guard", args, item)
}

/// Marks a route anyone may call (authentication becomes optional: present
/// credentials are still verified): next to a route attribute, or on the
/// `#[controller]` impl block for all its routes. An error anywhere else.
#[proc_macro_attribute]
pub fn public(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute("public", args, item)
}

/// What a caller of a route must hold: `#[requires(role = "admin")]`,
/// `#[requires(permission = "posts.delete")]` (all of them, when several),
/// next to a route attribute or on the `#[controller]` impl block. A guard
/// that enforces requirements (elif-auth's `Authenticated`) checks them.
#[proc_macro_attribute]
pub fn requires(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute("requires", args, item)
}

/// A route's rate limit: `#[throttle(limit = 5, per = "1m", key = "user")]`
/// (`burst`, `name`, `key = "ip" | "user" | "token" | my_key_fn`), or
/// `#[throttle(off)]`; next to a route attribute, or on the `#[controller]`
/// impl block for one limit its routes share. Other routes have the
/// app-wide limit (`[rate_limit]`).
#[proc_macro_attribute]
pub fn throttle(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute("throttle", args, item)
}

/// What a route's API description says beyond its signature and doc
/// comment: `#[openapi(operation_id = "..", summary = "..", hidden,
/// status = 200, body = T, errors(E), responses(409), example = "{..}",
/// response_example = "{..}")]`, next to a route attribute.
#[proc_macro_attribute]
pub fn openapi(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute("openapi", args, item)
}

/// Derives `Validate`: `#[validate(length(min = 1, max = 200), email, range(..), custom = f, nested)]`.
#[proc_macro_derive(Validate, attributes(validate))]
pub fn derive_validate(input: TokenStream) -> TokenStream {
    derive("Validate", input)
}

/// Derives a domain error: each variant gets `#[problem(status = 404, code = "POST_NOT_FOUND",
/// message = "post {0} does not exist", hint = "...")]`; it converts into `elif::Error` with `?`.
#[proc_macro_derive(DomainError, attributes(problem))]
pub fn derive_domain_error(input: TokenStream) -> TokenStream {
    derive("DomainError", input)
}

/// Derives the JSON Schema of a DTO (recorded in the routes that use it, for OpenAPI).
#[proc_macro_derive(Schema)]
pub fn derive_schema(input: TokenStream) -> TokenStream {
    derive("Schema", input)
}

/// Derives serde's `Serialize` through elif, so that an app needs no `serde`
/// dependency: every `#[serde(..)]` attribute means what serde says.
#[proc_macro_derive(Serialize, attributes(serde))]
pub fn derive_serialize(input: TokenStream) -> TokenStream {
    derive("Serialize", input)
}

/// Derives serde's `Deserialize` through elif, so that an app needs no
/// `serde` dependency: every `#[serde(..)]` attribute means what serde says.
#[proc_macro_derive(Deserialize, attributes(serde))]
pub fn derive_deserialize(input: TokenStream) -> TokenStream {
    derive("Deserialize", input)
}

macro_rules! route_attributes {
    ($($name:ident),*) => {$(
        /// A route of a `#[controller]` impl block (read by `#[controller]`; an error anywhere else).
        #[proc_macro_attribute]
        pub fn $name(args: TokenStream, item: TokenStream) -> TokenStream {
            attribute(stringify!($name), args, item)
        }
    )*};
}

route_attributes!(get, post, put, patch, delete, head, options, route);
