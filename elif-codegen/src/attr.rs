//! Reading an attribute's arguments: one shared front end for every elif
//! attribute.
//!
//! darling turns keyed arguments (`scope = "request"`, `guards(A, B)`,
//! `on_init`) into typed structs, but it reads only what `syn::Meta` can
//! hold: no positional literal (`#[controller("/posts")]`) and no value that
//! is not an expression (`provides = dyn Mailer`). So an attribute is read in
//! two steps:
//!
//! 1. [`split`] reads the argument list by hand: an optional leading string
//!    literal, then `key`, `key = value` or `key(...)` items. Here every
//!    unknown key (with the closest known one suggested) and every key given
//!    twice is reported, all at once, and a `key = value` whose value is not
//!    an expression is rewritten as `key(value)`, keeping every token's span.
//! 2. [`parse`] hands the accepted items to the darling struct, whose own
//!    errors (a value of the wrong kind) become `EL0006`.
//!
//! Rules that relate one key to another, or a key to the item, are not
//! checked here: each macro's `check` pass does that, after parsing.

use std::collections::HashMap;

use darling::FromMeta;
use darling::ast::NestedMeta;
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::parse::{ParseStream, Parser};

use crate::errors::{Errors, coded, unknown_key};

/// The keys one attribute accepts.
pub(crate) struct Spec {
    /// The attribute as messages name it: `#[injectable]`.
    pub(crate) attribute: &'static str,
    /// Every key, as written by users.
    pub(crate) keys: &'static [&'static str],
    /// Keys whose parenthesised list holds keys of its own
    /// (`length(min = 1, max = 5)`), checked the same way.
    pub(crate) nested: &'static [(&'static str, Spec)],
    /// What may come first, before the keys.
    pub(crate) positional: Positional,
}

/// The one argument an attribute may take before its keys.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Positional {
    /// Keys only.
    None,
    /// An optional string literal: `#[get("/posts")]`.
    Literal,
    /// A path, required: `#[has_many(Comment)]`.
    Path,
}

impl Spec {
    /// A spec with keys only.
    pub(crate) const fn keys(attribute: &'static str, keys: &'static [&'static str]) -> Self {
        Self {
            attribute,
            keys,
            nested: &[],
            positional: Positional::None,
        }
    }
}

/// The arguments of one attribute, checked and typed.
pub(crate) struct Args<T> {
    /// The leading string literal, when the spec allows one and it is there.
    pub(crate) positional: Option<syn::LitStr>,
    /// The leading path, when the spec asks for one.
    pub(crate) target: Option<syn::Path>,
    /// The keyed arguments (`T::default()` where they had errors).
    pub(crate) keyed: T,
}

/// Reads `tokens` (what is inside an attribute's parentheses) as `spec`
/// says, recording every error and returning what could be read.
pub(crate) fn parse<T: FromMeta + Default>(
    tokens: TokenStream,
    spec: &Spec,
    errors: &mut Errors,
) -> Args<T> {
    let lead_path = spec.positional == Positional::Path;
    let Some(items) = errors.ok((|input: ParseStream<'_>| split(input, lead_path)).parse2(tokens))
    else {
        return Args {
            positional: None,
            target: None,
            keyed: T::default(),
        };
    };
    let mut positional = None;
    let mut target = None;
    let mut metas = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        match item {
            Item::Target(path) => target = Some(path),
            Item::Positional(literal) if spec.positional == Positional::Literal && index == 0 => {
                positional = Some(literal);
            }
            Item::Positional(literal) => errors.at(
                &literal,
                "EL0002",
                format!(
                    "unexpected literal in `{}`\nhelp: {}",
                    spec.attribute,
                    if spec.positional == Positional::Literal {
                        "the path comes first; other arguments are `key = value` or `key(...)`"
                    } else {
                        "its arguments are `key = value`, `key(...)` or a bare `key`"
                    }
                ),
            ),
            Item::Keyed(keyed) => metas.push(*keyed),
        }
    }
    let metas = check_keys(metas, spec, errors);
    let keyed = match T::from_list(&metas) {
        Ok(keyed) => keyed,
        Err(error) => {
            for error in error.flatten() {
                errors.push(value_error(error));
            }
            T::default()
        }
    };
    Args {
        positional,
        target,
        keyed,
    }
}

/// Reads a field or variant attribute (`#[inject(default)]`) the same way;
/// every attribute of that name on the item counts, so a key given in two
/// of them is given twice.
pub(crate) fn parse_attributes<T: FromMeta + Default>(
    attrs: &[syn::Attribute],
    spec: &Spec,
    errors: &mut Errors,
) -> Option<T> {
    let name = spec
        .attribute
        .trim_start_matches("#[")
        .trim_end_matches(']');
    let mut tokens = TokenStream::new();
    let mut found = false;
    for attr in attrs.iter().filter(|a| a.path().is_ident(name)) {
        found = true;
        match &attr.meta {
            syn::Meta::List(list) => {
                if !tokens.is_empty() && !list.tokens.is_empty() {
                    tokens.extend(quote!(,));
                }
                tokens.extend(list.tokens.clone());
            }
            other => errors.at(
                other,
                "EL0002",
                format!("`{}` needs arguments: `#[{name}(...)]`", spec.attribute),
            ),
        }
    }
    found.then(|| parse(tokens, spec, errors).keyed)
}

/// A darling error as elif reports it: spanned at the value, with a code.
/// (Through `syn::Error`, darling leaves out its "at key" suffix when the
/// error has a span of its own.)
fn value_error(error: darling::Error) -> syn::Error {
    let error = syn::Error::from(error);
    let message = error.to_string();
    let message = lower_first(message.trim_end_matches('.'));
    syn::Error::new(error.span(), coded(&message, "EL0006"))
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Drops unknown keys and repeated keys, recording an error for each, and
/// checks the keys of nested lists the same way.
fn check_keys(metas: Vec<NestedMeta>, spec: &Spec, errors: &mut Errors) -> Vec<NestedMeta> {
    let mut seen: HashMap<String, Span> = HashMap::new();
    let mut kept = Vec::new();
    for meta in metas {
        let NestedMeta::Meta(inner) = &meta else {
            kept.push(meta);
            continue;
        };
        let path = inner.path();
        let name = key_name(path);
        if !spec.keys.contains(&name.as_str()) {
            errors.push(unknown_key(path, spec.keys, spec.attribute));
            continue;
        }
        let span = path
            .segments
            .first()
            .map_or_else(Span::call_site, |s| s.ident.span());
        if let Some(first) = seen.get(&name) {
            let list = matches!(inner, syn::Meta::List(_))
                && !spec.nested.iter().any(|(key, _)| *key == name);
            errors.at(
                path,
                "EL0002",
                format!(
                    "`{name}` is given twice in `{}`; the first is at line {}, column {}\nhelp: {}",
                    spec.attribute,
                    first.start().line,
                    first.start().column + 1,
                    if list {
                        format!("list every value once: `{name}(A, B)`")
                    } else {
                        "give each key once".to_owned()
                    }
                ),
            );
            continue;
        }
        seen.insert(name.clone(), span);
        match (inner, spec.nested.iter().find(|(key, _)| *key == name)) {
            (syn::Meta::List(list), Some((_, nested))) => {
                let Some(items) = errors.ok(NestedMeta::parse_meta_list(list.tokens.clone()))
                else {
                    continue;
                };
                let items = check_keys(items, nested, errors);
                let path = &list.path;
                kept.push(NestedMeta::Meta(syn::parse_quote!(#path(#(#items),*))));
            }
            _ => kept.push(meta),
        }
    }
    kept
}

fn key_name(path: &syn::Path) -> String {
    match path.get_ident() {
        Some(ident) => {
            let name = ident.to_string();
            name.strip_prefix("r#").map(str::to_owned).unwrap_or(name)
        }
        None => path.to_token_stream().to_string().replace(' ', ""),
    }
}

/// One argument as written.
enum Item {
    /// `Comment` in `#[has_many(Comment)]`.
    Target(syn::Path),
    /// `"/posts"`
    Positional(syn::LitStr),
    /// `key`, `key = value` or `key(...)`.
    Keyed(Box<NestedMeta>),
}

/// Splits an argument list into items, by hand (see the module docs).
fn split(input: ParseStream<'_>, lead_path: bool) -> syn::Result<Vec<Item>> {
    let mut items = Vec::new();
    if lead_path {
        items.push(Item::Target(input.parse()?));
        if !input.is_empty() {
            input.parse::<syn::Token![,]>()?;
        }
    }
    while !input.is_empty() {
        if input.peek(syn::Lit) {
            let literal: syn::Lit = input.parse()?;
            match literal {
                syn::Lit::Str(literal) => items.push(Item::Positional(literal)),
                other => {
                    return Err(syn::Error::new_spanned(
                        &other,
                        coded(
                            "unexpected literal\nhelp: arguments are `key = value`, `key(...)` or a bare `key`",
                            "EL0002",
                        ),
                    ));
                }
            }
        } else {
            items.push(Item::Keyed(Box::new(keyed(input)?)));
        }
        if input.is_empty() {
            break;
        }
        input.parse::<syn::Token![,]>()?;
    }
    Ok(items)
}

/// `key`, `key(...)` or `key = value`; a value that is not an expression
/// (a type such as `dyn Mailer`) comes back as `key(value)`.
fn keyed(input: ParseStream<'_>) -> syn::Result<NestedMeta> {
    let path = input
        .call(syn::Path::parse_mod_style)
        .map_err(|e| syn::Error::new(e.span(), coded("expected an argument name", "EL0002")))?;
    if input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in input);
        let tokens: TokenStream = content.parse()?;
        return Ok(NestedMeta::Meta(syn::parse_quote!(#path(#tokens))));
    }
    if !input.peek(syn::Token![=]) {
        return Ok(NestedMeta::Meta(syn::Meta::Path(path)));
    }
    let eq: syn::Token![=] = input.parse()?;
    let value = value_tokens(input)?;
    if value.is_empty() {
        return Err(syn::Error::new_spanned(
            eq,
            coded(
                &format!("`{}` needs a value after `=`", key_name(&path)),
                "EL0002",
            ),
        ));
    }
    Ok(NestedMeta::Meta(
        match syn::parse2::<syn::Expr>(value.clone()) {
            Ok(expr) => syn::Meta::NameValue(syn::MetaNameValue {
                path,
                eq_token: eq,
                value: expr,
            }),
            Err(_) => syn::parse_quote!(#path(#value)),
        },
    ))
}

/// The tokens of one value: a type or an expression, up to the comma that
/// ends it. A type is tried first, so that `Map<K, V>` keeps its comma.
fn value_tokens(input: ParseStream<'_>) -> syn::Result<TokenStream> {
    let ends = |stream: ParseStream<'_>| stream.is_empty() || stream.peek(syn::Token![,]);
    let fork = input.fork();
    if fork.parse::<syn::Type>().is_ok() && ends(&fork) {
        return input.parse::<syn::Type>().map(ToTokens::into_token_stream);
    }
    let fork = input.fork();
    if fork.parse::<syn::Expr>().is_ok() && ends(&fork) {
        return input.parse::<syn::Expr>().map(ToTokens::into_token_stream);
    }
    let mut tokens = TokenStream::new();
    while !ends(input) {
        tokens.extend([input.parse::<proc_macro2::TokenTree>()?]);
    }
    Ok(tokens)
}

/// Items listed in parentheses (`guards(A, B)`, `middleware(Logger::default())`)
/// or one after `=` (`provides = dyn Mailer`).
#[derive(Clone)]
pub(crate) struct List<T>(pub(crate) Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

/// Types: `guards(A, B)`, `provides = dyn Mailer`.
pub(crate) type Types = List<syn::Type>;
/// Expressions: `middleware(Logger::default())`.
pub(crate) type Exprs = List<syn::Expr>;

impl<T: syn::parse::Parse> FromMeta for List<T> {
    fn from_meta(item: &syn::Meta) -> darling::Result<Self> {
        match item {
            syn::Meta::List(list) => {
                let items = syn::punctuated::Punctuated::<T, syn::Token![,]>::parse_terminated
                    .parse2(list.tokens.clone())?;
                Ok(List(items.into_iter().collect()))
            }
            syn::Meta::NameValue(value) => {
                Ok(List(vec![syn::parse2(value.value.to_token_stream())?]))
            }
            syn::Meta::Path(path) => Err(darling::Error::custom(format!(
                "`{}` needs a list: `{0}(A, B)`",
                key_name(path)
            ))
            .with_span(path)),
        }
    }
}

/// One expression after `=`, as written: unlike darling's own reading of
/// `syn::Expr`, a string literal stays a string (`default = "localhost"`).
#[derive(Clone)]
pub(crate) struct Expr(pub(crate) syn::Expr);

impl FromMeta for Expr {
    fn from_meta(item: &syn::Meta) -> darling::Result<Self> {
        match item {
            syn::Meta::NameValue(value) => Ok(Expr(value.value.clone())),
            other => Err(darling::Error::custom(format!(
                "`{}` needs a value: `{0} = ...`",
                key_name(other.path())
            ))
            .with_span(other)),
        }
    }
}

/// A value kept with the span of its key (`length` in `length(min = 1)`),
/// so that checks of the value can point at the rule.
pub(crate) struct AtKey<T> {
    /// The value.
    pub(crate) value: T,
    /// The key's span.
    pub(crate) span: Span,
}

impl<T: FromMeta> FromMeta for AtKey<T> {
    fn from_meta(item: &syn::Meta) -> darling::Result<Self> {
        Ok(AtKey {
            value: T::from_meta(item)?,
            span: syn::spanned::Spanned::span(item.path()),
        })
    }
}

/// A bare key (`on_init`), kept with the path that turned it on so errors
/// about it can point there.
#[derive(Default, Clone)]
pub(crate) struct Flag(pub(crate) Option<syn::Path>);

impl Flag {
    /// Whether the key was given.
    pub(crate) fn is_present(&self) -> bool {
        self.0.is_some()
    }
}

impl FromMeta for Flag {
    fn from_meta(item: &syn::Meta) -> darling::Result<Self> {
        match item {
            syn::Meta::Path(path) => Ok(Flag(Some(path.clone()))),
            other => Err(darling::Error::custom(format!(
                "`{}` takes no value: write it alone",
                key_name(other.path())
            ))
            .with_span(other)),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Every key of `spec` is a field of `T`: darling accepts each one alone
    /// (it may reject the missing value, but never the key).
    pub(crate) fn spec_matches<T: FromMeta>(spec: &Spec) {
        for key in spec.keys {
            let ident = syn::Ident::new(key, Span::call_site());
            for meta in [quote!(#ident), quote!(#ident = "x"), quote!(#ident())] {
                let list = NestedMeta::parse_meta_list(meta).unwrap();
                if let Err(error) = T::from_list(&list) {
                    for error in error.flatten() {
                        assert!(
                            !error.to_string().starts_with("Unknown field"),
                            "{}: `{key}` is in the spec but not in the struct",
                            spec.attribute
                        );
                    }
                }
            }
        }
    }

    #[derive(Default, FromMeta)]
    struct Sample {
        #[darling(default)]
        scope: Option<syn::LitStr>,
        #[darling(default)]
        provides: Types,
        #[darling(default)]
        on_init: Flag,
        #[darling(default)]
        length: Option<Bounds>,
    }

    #[derive(Default, FromMeta)]
    struct Bounds {
        #[darling(default)]
        min: Option<syn::Expr>,
    }

    const BOUNDS: Spec = Spec::keys("length(...)", &["min"]);
    const SAMPLE: Spec = Spec {
        attribute: "#[sample]",
        keys: &["scope", "provides", "on_init", "length"],
        nested: &[("length", BOUNDS)],
        positional: Positional::Literal,
    };

    fn run(tokens: TokenStream) -> (Args<Sample>, Vec<String>) {
        let mut errors = Errors::new();
        let args = parse::<Sample>(tokens, &SAMPLE, &mut errors);
        let messages = match errors.finish() {
            Ok(()) => Vec::new(),
            Err(error) => error.into_iter().map(|e| e.to_string()).collect(),
        };
        (args, messages)
    }

    #[test]
    fn reads_every_form() {
        let (args, errors) = run(quote!(
            "/posts", scope = "request", provides = dyn Mailer, on_init, length(min = 1)
        ));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(args.positional.unwrap().value(), "/posts");
        assert_eq!(args.keyed.scope.unwrap().value(), "request");
        assert_eq!(args.keyed.provides.0.len(), 1);
        assert!(args.keyed.on_init.is_present());
        assert!(args.keyed.length.unwrap().min.is_some());
    }

    #[test]
    fn generic_types_keep_their_commas() {
        let (args, errors) = run(quote!(provides = Map<K, V>, on_init));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(args.keyed.provides.0.len(), 1);
        assert!(args.keyed.on_init.is_present());
        let (args, errors) = run(quote!(provides(dyn A, Box<dyn B + Send>)));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(args.keyed.provides.0.len(), 2);
    }

    #[test]
    fn reports_every_bad_key_at_once() {
        let (_, errors) = run(quote!(
            scpoe = "request",
            colour = 1,
            on_init,
            length(mn = 1)
        ));
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].contains("did you mean `scope`?"), "{}", errors[0]);
        assert!(errors[0].contains("[EL0002]"));
        assert!(
            errors[1].contains("unknown argument `colour`"),
            "{}",
            errors[1]
        );
        assert!(
            errors[2].contains("unknown argument `mn` for `length(...)`"),
            "{}",
            errors[2]
        );
    }

    #[test]
    fn a_key_given_twice_names_the_first() {
        let (args, errors) = run(quote!(scope = "request", scope = "transient"));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].contains("`scope` is given twice"),
            "{}",
            errors[0]
        );
        assert!(errors[0].contains("the first is at line"), "{}", errors[0]);
        // The first stays.
        assert_eq!(args.keyed.scope.unwrap().value(), "request");
    }

    #[test]
    fn wrong_values_and_misplaced_literals_are_errors() {
        let (_, errors) = run(quote!(scope = 3, on_init = "yes", "/late"));
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors.iter().any(|e| e.contains("unexpected literal")));
        assert!(
            errors.iter().filter(|e| e.contains("[EL0006]")).count() == 2,
            "{errors:?}"
        );
        let (_, errors) = run(quote!(scope =));
        assert!(errors[0].contains("needs a value"), "{errors:?}");
        let (_, errors) = run(quote!(42));
        assert!(errors[0].contains("unexpected literal"), "{errors:?}");
    }

    #[test]
    fn the_sample_spec_matches_its_struct() {
        spec_matches::<Sample>(&SAMPLE);
    }
}
