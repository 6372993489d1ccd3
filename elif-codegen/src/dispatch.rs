//! elif's macros by name: what `elif-macros` exports and `elif expand`
//! applies, in one table, plus the `ELIF_MACROS_DEBUG` switch.

use proc_macro2::TokenStream;

/// The attribute macros, by the name they are used under.
pub const ATTRIBUTES: &[&str] = &[
    "injectable",
    "module",
    "factory",
    "controller",
    "guard",
    "model",
    "main",
    "test",
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "head",
    "options",
    "route",
    "public",
    "requires",
    "throttle",
    "openapi",
];

/// Attribute names that are elif's only when written with the `elif::`
/// path (`#[elif::main]`), since the bare names belong to the language.
pub const QUALIFIED_ONLY: &[&str] = &["main", "test"];

/// The derive macros, with the helper attributes each declares.
pub const DERIVES: &[(&str, &[&str])] = &[
    ("Config", &["config"]),
    ("Validate", &["validate"]),
    ("DomainError", &["problem"]),
    ("Schema", &[]),
];

/// The derives of serde's traits that `elif::prelude` exports
/// (`#[derive(Serialize, Deserialize)]` in an app without a `serde`
/// dependency), with the helper attribute they declare. `elif expand`
/// leaves them to the compiler, as it leaves serde's own: a bare
/// `Serialize` may be either, and both mean what serde says.
pub const SERDE_DERIVES: &[(&str, &[&str])] =
    &[("Serialize", &["serde"]), ("Deserialize", &["serde"])];

/// The function-like macros.
pub const FUNCTIONS: &[&str] = &["migrations"];

/// Where a function-like macro is called, for a caller that expands files
/// itself (`elif expand`): inside the compiler, spans and the environment
/// say it.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The file the call is written in (paths in the call are relative to it).
    pub file: std::path::PathBuf,
    /// The directory of the crate's `Cargo.toml` (`migrations!()` reads
    /// `migrations/` there), if one was found.
    pub manifest_dir: Option<std::path::PathBuf>,
    /// The call, for errors about it as a whole.
    pub span: proc_macro2::Span,
}

/// Expands function-like macro `name` (one of [`FUNCTIONS`]) on `input`
/// (`caller`: where the call is, when the compiler is not the caller);
/// `None` for a name elif does not define.
pub fn expand_function(
    name: &str,
    input: TokenStream,
    caller: Option<&Caller>,
) -> Option<TokenStream> {
    let output = match name {
        "migrations" => crate::migrations(input, caller),
        _ => return None,
    };
    Some(output)
}

/// Expands attribute macro `name` (one of [`ATTRIBUTES`]) on `item`;
/// `None` for a name elif does not define.
pub fn expand_attribute(name: &str, args: TokenStream, item: TokenStream) -> Option<TokenStream> {
    let output = match name {
        "injectable" => crate::injectable(args, item),
        "module" => crate::module(args, item),
        "factory" => crate::factory(args, item),
        "controller" => crate::controller(args, item),
        "guard" => crate::guard(args, item),
        "model" => crate::model(args, item),
        "main" => crate::main(args, item),
        "test" => crate::test(args, item),
        "get" | "post" | "put" | "patch" | "delete" | "head" | "options" | "route" => {
            crate::stray_route(name, item)
        }
        "public" => crate::public(args, item),
        "requires" => crate::requires(args, item),
        "throttle" => crate::throttle(args, item),
        "openapi" => crate::openapi(args, item),
        _ => return None,
    };
    Some(output)
}

/// Expands derive macro `name` (one of [`DERIVES`] or [`SERDE_DERIVES`])
/// on `input`; `None` for a name elif does not define.
pub fn expand_derive(name: &str, input: TokenStream) -> Option<TokenStream> {
    let output = match name {
        "Config" => crate::derive_config(input),
        "Validate" => crate::derive_validate(input),
        "DomainError" => crate::derive_domain_error(input),
        "Schema" => crate::derive_schema(input),
        "Serialize" => crate::derive_serialize(input),
        "Deserialize" => crate::derive_deserialize(input),
        _ => return None,
    };
    Some(output)
}

/// The name of the environment variable that makes the macros print what
/// they generate while a crate compiles: `1` (or `true`, `all`) for every
/// expansion, otherwise the name of the one item to print.
pub const DEBUG_VAR: &str = "ELIF_MACROS_DEBUG";

/// Prints `output` to stderr, pretty, when [`DEBUG_VAR`] asks for macro
/// `name` on `item`, and returns it unchanged. `elif-macros` calls it on
/// every expansion; its build script makes cargo re-run the macros when the
/// variable changes.
pub fn traced(name: &str, item: &TokenStream, output: TokenStream) -> TokenStream {
    let Ok(wanted) = std::env::var(DEBUG_VAR) else {
        return output;
    };
    let item_name = item_name(item);
    let all = matches!(wanted.as_str(), "1" | "true" | "all");
    if wanted.is_empty() || wanted == "0" || (!all && item_name.as_deref() != Some(&wanted)) {
        return output;
    }
    let text = match syn::parse2::<syn::File>(output.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => output.to_string(),
    };
    eprintln!(
        "// ---- elif: #[{name}] on `{}` ----\n{text}// ---- end of #[{name}] ----",
        item_name.as_deref().unwrap_or("?")
    );
    output
}

/// The name of the item a macro is applied to: a struct's, enum's, fn's or
/// module's ident, an impl block's self type.
pub fn item_name(item: &TokenStream) -> Option<String> {
    let item: syn::Item = syn::parse2(item.clone()).ok()?;
    name_of(&item)
}

/// As [`item_name`], for a parsed item.
pub fn name_of(item: &syn::Item) -> Option<String> {
    let ident = match item {
        syn::Item::Struct(s) => &s.ident,
        syn::Item::Enum(e) => &e.ident,
        syn::Item::Union(u) => &u.ident,
        syn::Item::Fn(f) => &f.sig.ident,
        syn::Item::Mod(m) => &m.ident,
        syn::Item::Trait(t) => &t.ident,
        syn::Item::Type(t) => &t.ident,
        syn::Item::Const(c) => &c.ident,
        syn::Item::Static(s) => &s.ident,
        syn::Item::Impl(i) => match &*i.self_ty {
            syn::Type::Path(p) => &p.path.segments.last()?.ident,
            _ => return None,
        },
        _ => return None,
    };
    Some(ident.to_string())
}
