//! `elif expand`: applies elif's macros to the items of a source file, with
//! the same functions the proc-macro crate calls, and pretty-prints the
//! result. Errors found by elif's own parse/check steps are returned with
//! their positions, to be shown as the compiler shows them; errors that
//! need type information (a missing trait implementation) are the
//! compiler's and do not appear here.

use std::fmt::Write as _;

use elif_codegen::dispatch::{self, ATTRIBUTES, DERIVES, FUNCTIONS, QUALIFIED_ONLY, SERDE_DERIVES};
use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::visit_mut::VisitMut;
use syn::{Attribute, Item, Meta, Token};

/// The result of expanding a file.
#[derive(Debug)]
pub struct Expansion {
    /// The expanded items, pretty-printed.
    pub code: String,
    /// Errors elif's macros reported, in source order.
    pub errors: Vec<ExpandError>,
}

/// One error, with its position in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpandError {
    /// The message, as the compiler would print it (first line: the title).
    pub message: String,
    /// 1-based line of the first offending token.
    pub line: usize,
    /// 0-based column (in characters) where it starts.
    pub column: usize,
    /// 0-based column where it ends, on the same line (or the line's end).
    pub end_column: usize,
}

/// Expands every elif macro in `source`, the text of the file at `path`
/// (paths in `migrations!` are relative to it). With `only`, prints just the
/// top-level items of that name (a struct's, fn's, module's name, or an
/// impl block's type). `Err` when the file does not parse or has no such item.
pub fn expand_source(
    source: &str,
    path: &std::path::Path,
    only: Option<&str>,
) -> Result<Expansion, ExpandError> {
    let file = syn::parse_file(source).map_err(|e| from_syn(&e))?;
    let mut expander = Expander {
        file: Some(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned())),
        serde_is_elif: !imports_serde_derives(&file),
        ..Expander::default()
    };
    let mut items = Vec::new();
    let mut found = false;
    for item in file.items {
        let name = dispatch::name_of(&item);
        if let Some(only) = only
            && name.as_deref() != Some(only)
        {
            continue;
        }
        found = true;
        items.extend(expander.item(item));
    }
    if let Some(only) = only
        && !found
    {
        return Err(ExpandError {
            message: format!("no top-level item named `{only}` in this file"),
            line: 1,
            column: 0,
            end_column: 0,
        });
    }
    let attrs = if only.is_some() {
        Vec::new()
    } else {
        file.attrs
    };
    let mut expanded = syn::File {
        shebang: None,
        attrs,
        items,
    };
    // Function-like macros (`migrations!`) sit in expressions.
    expander.visit_file_mut(&mut expanded);
    let code = prettyplease::unparse(&expanded);
    expander.errors.sort_by_key(|e| (e.line, e.column));
    expander.errors.dedup();
    Ok(Expansion {
        code,
        errors: expander.errors,
    })
}

/// Shows an error as rustc does: the message (continuation lines indented
/// under its first), `--> path:line:column`, the source line and carets
/// under the offending tokens.
pub fn render(error: &ExpandError, path: &str, source: &str) -> String {
    let mut out = format!("error: {}\n", error.message.replace('\n', "\n       "));
    let number = error.line.to_string();
    let pad = " ".repeat(number.len());
    let _ = writeln!(out, "{pad}--> {path}:{}:{}", error.line, error.column + 1);
    if let Some(text) = source.lines().nth(error.line.saturating_sub(1)) {
        let available = text.chars().count().saturating_sub(error.column).max(1);
        let width = error
            .end_column
            .saturating_sub(error.column)
            .clamp(1, available);
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{number} | {text}");
        let _ = writeln!(
            out,
            "{pad} | {}{}",
            " ".repeat(error.column),
            "^".repeat(width)
        );
    }
    out
}

/// The first elif macro found on an item.
enum Found {
    Attribute(&'static str),
    /// The elif derives of one `#[derive]`, and its other derives.
    Derives((Vec<&'static str>, Vec<syn::Path>)),
}

#[derive(Default)]
struct Expander {
    errors: Vec<ExpandError>,
    /// The file expanded, which paths in `migrations!` are relative to.
    file: Option<std::path::PathBuf>,
    /// Whether a bare `Serialize`/`Deserialize` derive is elif's (the
    /// prelude's): the file imports neither from `serde`.
    serde_is_elif: bool,
}

impl Expander {
    /// Expands one item into the items it becomes.
    fn item(&mut self, mut item: Item) -> Vec<Item> {
        match &mut item {
            Item::Mod(module) => {
                if let Some((_, content)) = &mut module.content {
                    let inner = std::mem::take(content);
                    *content = inner.into_iter().flat_map(|i| self.item(i)).collect();
                }
            }
            Item::Fn(function) if !has_elif_attribute(&function.attrs) => {
                self.nested(&mut function.block.stmts);
                return vec![item];
            }
            Item::Impl(block) if !has_elif_attribute(&block.attrs) => {
                self.methods(&mut block.items);
                return vec![item];
            }
            _ => {}
        }
        let Some(attrs) = attributes(&mut item) else {
            return vec![item];
        };
        let found = attrs.iter().enumerate().find_map(|(index, attribute)| {
            match elif_attribute(attribute) {
                Some(name) => Some((index, Found::Attribute(name))),
                None => elif_derives(attribute, self.serde_is_elif)
                    .map(|derives| (index, Found::Derives(derives))),
            }
        });
        match found {
            None => vec![item],
            Some((index, Found::Attribute(name))) => {
                let args = match attrs.remove(index).meta {
                    Meta::Path(_) => TokenStream::new(),
                    Meta::List(list) => list.tokens,
                    Meta::NameValue(pair) => pair.value.into_token_stream(),
                };
                let output = dispatch::expand_attribute(name, args, item.into_token_stream())
                    .unwrap_or_default();
                self.output(output)
            }
            Some((index, Found::Derives((ours, others)))) => {
                // The derives see the item without their `#[derive]`; the
                // item itself keeps the other derives, without the helper
                // attributes of the expanded ones.
                attrs.remove(index);
                let input = item.to_token_stream();
                if !others.is_empty()
                    && let Some(attrs) = attributes(&mut item)
                {
                    attrs.insert(index, syn::parse_quote!(#[derive(#(#others),*)]));
                }
                let helpers: Vec<&str> = ours
                    .iter()
                    .flat_map(|name| {
                        DERIVES
                            .iter()
                            .chain(SERDE_DERIVES)
                            .filter(move |(d, _)| d == name)
                    })
                    .flat_map(|(_, helpers)| helpers.iter().copied())
                    .collect();
                strip_helpers(&mut item, &helpers);
                let mut items = self.item(item);
                for name in ours {
                    let output = dispatch::expand_derive(name, input.clone()).unwrap_or_default();
                    items.extend(self.output(output));
                }
                items
            }
        }
    }

    /// Expands elif attributes on the methods of an impl block that is not
    /// a controller (where a route attribute is an error).
    fn methods(&mut self, items: &mut Vec<syn::ImplItem>) {
        let old = std::mem::take(items);
        for mut member in old {
            let syn::ImplItem::Fn(method) = &mut member else {
                items.push(member);
                continue;
            };
            let Some(index) = method
                .attrs
                .iter()
                .position(|a| elif_attribute(a).is_some())
            else {
                items.push(member);
                continue;
            };
            let attribute = method.attrs.remove(index);
            let name = elif_attribute(&attribute).unwrap_or_default();
            let args = match attribute.meta {
                Meta::List(list) => list.tokens,
                _ => TokenStream::new(),
            };
            let output = dispatch::expand_attribute(name, args, method.to_token_stream())
                .unwrap_or_default();
            collect_errors(output.clone(), &mut self.errors);
            match syn::parse2::<syn::ItemImpl>(quote::quote!(impl __Elif { #output })) {
                Ok(block) => {
                    let mut expanded = block.items;
                    self.methods(&mut expanded);
                    items.extend(expanded);
                }
                Err(error) => self.errors.push(from_syn(&error)),
            }
        }
    }

    /// Expands items declared inside a function body.
    fn nested(&mut self, stmts: &mut Vec<syn::Stmt>) {
        let old = std::mem::take(stmts);
        for stmt in old {
            match stmt {
                syn::Stmt::Item(item) => {
                    stmts.extend(self.item(item).into_iter().map(syn::Stmt::Item))
                }
                other => stmts.push(other),
            }
        }
    }

    /// Records the errors a macro emitted and parses its output as items,
    /// expanding any elif macro left in them.
    fn output(&mut self, output: TokenStream) -> Vec<Item> {
        collect_errors(output.clone(), &mut self.errors);
        match syn::parse2::<syn::File>(output) {
            Ok(file) => file.items.into_iter().flat_map(|i| self.item(i)).collect(),
            Err(error) => {
                self.errors.push(from_syn(&error));
                Vec::new()
            }
        }
    }
}

impl VisitMut for Expander {
    /// Expands an elif function-like macro in expression position
    /// (`elif::migrations!("db/migrations")`) into the expression it becomes.
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        if let syn::Expr::Macro(call) = expr
            && let Some(name) = elif_function(&call.mac.path)
        {
            let caller = self.file.as_ref().map(|file| dispatch::Caller {
                file: file.clone(),
                manifest_dir: manifest_dir(file),
                span: call.mac.path.segments[0].ident.span(),
            });
            let output = dispatch::expand_function(name, call.mac.tokens.clone(), caller.as_ref())
                .unwrap_or_default();
            collect_errors(output.clone(), &mut self.errors);
            match syn::parse2::<syn::Expr>(output) {
                Ok(expansion) => *expr = expansion,
                Err(error) => self.errors.push(from_syn(&error)),
            }
            return;
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }
}

/// The directory of the `Cargo.toml` nearest above `file`: the crate it
/// belongs to.
fn manifest_dir(file: &std::path::Path) -> Option<std::path::PathBuf> {
    file.ancestors()
        .skip(1)
        .find(|dir| dir.join("Cargo.toml").is_file())
        .map(std::path::Path::to_owned)
}

/// The elif function-like macro a macro path invokes: `migrations!` or
/// `elif::migrations!`.
fn elif_function(path: &syn::Path) -> Option<&'static str> {
    let last = path.segments.last()?.ident.to_string();
    let name = *FUNCTIONS.iter().find(|n| **n == last)?;
    let qualified = path.segments.len() == 2 && path.segments[0].ident == "elif";
    (qualified || path.segments.len() == 1).then_some(name)
}

fn has_elif_attribute(attrs: &[Attribute]) -> bool {
    attrs
        .iter()
        .any(|a| elif_attribute(a).is_some() || elif_derives(a, false).is_some())
}

/// The elif attribute macro an attribute invokes: `#[injectable]`,
/// `#[elif::controller(..)]`, `#[elif::main]` (`main` and `test` only with
/// the `elif::` path, since the bare names are the language's).
fn elif_attribute(attribute: &Attribute) -> Option<&'static str> {
    let path = attribute.path();
    let last = path.segments.last()?.ident.to_string();
    let name = *ATTRIBUTES.iter().find(|n| **n == last)?;
    let qualified = path.segments.len() == 2 && path.segments[0].ident == "elif";
    let bare = path.segments.len() == 1 && !QUALIFIED_ONLY.contains(&name);
    (qualified || bare).then_some(name)
}

/// For a `#[derive(..)]` naming elif derives (`Validate`, `elif::Validate`,
/// or `::elif::__private::Validate` as generated code writes it): those (by
/// name) and the others. serde's derives are elif's when written
/// `elif::Serialize`, or bare when `bare_serde_is_elif` (the file imports
/// them from the prelude, not from `serde`).
fn elif_derives(
    attribute: &Attribute,
    bare_serde_is_elif: bool,
) -> Option<(Vec<&'static str>, Vec<syn::Path>)> {
    if !attribute.path().is_ident("derive") {
        return None;
    }
    let paths = attribute
        .parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated)
        .ok()?;
    let mut ours = Vec::new();
    let mut others = Vec::new();
    for path in paths {
        let last = path.segments.last().map(|s| s.ident.to_string());
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        let elif_path = matches!(
            segments.as_slice(),
            [_] | ["elif", _] | ["elif", "__private", _]
        );
        let serde = SERDE_DERIVES
            .iter()
            .find(|(name, _)| Some(*name) == last.as_deref())
            .filter(|_| match segments.as_slice() {
                [_] => bare_serde_is_elif,
                ["elif", _] => true,
                _ => false,
            });
        match DERIVES
            .iter()
            .find(|(name, _)| Some(*name) == last.as_deref())
            .or(serde)
        {
            Some((name, _)) if elif_path => ours.push(*name),
            _ => others.push(path),
        }
    }
    (!ours.is_empty()).then_some((ours, others))
}

/// Whether `file` imports `Serialize` or `Deserialize` from `serde` (by
/// name or by glob), at its top or in an inline module: then a bare derive
/// of them is serde's.
fn imports_serde_derives(file: &syn::File) -> bool {
    fn in_items(items: &[Item]) -> bool {
        items.iter().any(|item| match item {
            Item::Use(item) => under_serde(&item.tree, false),
            Item::Mod(module) => module
                .content
                .as_ref()
                .is_some_and(|(_, items)| in_items(items)),
            _ => false,
        })
    }
    fn under_serde(tree: &syn::UseTree, in_serde: bool) -> bool {
        let derive = |ident: &syn::Ident| ident == "Serialize" || ident == "Deserialize";
        match tree {
            syn::UseTree::Path(path) => under_serde(&path.tree, in_serde || path.ident == "serde"),
            syn::UseTree::Name(name) => in_serde && derive(&name.ident),
            syn::UseTree::Rename(rename) => in_serde && derive(&rename.rename),
            syn::UseTree::Glob(_) => in_serde,
            syn::UseTree::Group(group) => group.items.iter().any(|t| under_serde(t, in_serde)),
        }
    }
    in_items(&file.items)
}

fn attributes(item: &mut Item) -> Option<&mut Vec<Attribute>> {
    Some(match item {
        Item::Struct(i) => &mut i.attrs,
        Item::Enum(i) => &mut i.attrs,
        Item::Union(i) => &mut i.attrs,
        Item::Fn(i) => &mut i.attrs,
        Item::Impl(i) => &mut i.attrs,
        Item::Mod(i) => &mut i.attrs,
        Item::Trait(i) => &mut i.attrs,
        Item::Type(i) => &mut i.attrs,
        Item::Const(i) => &mut i.attrs,
        Item::Static(i) => &mut i.attrs,
        _ => return None,
    })
}

/// Removes the helper attributes of expanded derives (`#[validate(..)]`,
/// `#[config(..)]`, `#[problem(..)]`) from an item, its fields and variants:
/// without the derive that declares them they would not compile.
fn strip_helpers(item: &mut Item, helpers: &[&str]) {
    if helpers.is_empty() {
        return;
    }
    let keep = |a: &Attribute| !helpers.iter().any(|h| a.path().is_ident(h));
    let fields = |fields: &mut syn::Fields| {
        for field in fields.iter_mut() {
            field.attrs.retain(keep);
        }
    };
    match item {
        Item::Struct(s) => {
            s.attrs.retain(keep);
            fields(&mut s.fields);
        }
        Item::Enum(e) => {
            e.attrs.retain(keep);
            for variant in &mut e.variants {
                variant.attrs.retain(keep);
                fields(&mut variant.fields);
            }
        }
        Item::Union(u) => {
            u.attrs.retain(keep);
            for field in &mut u.fields.named {
                field.attrs.retain(keep);
            }
        }
        _ => {}
    }
}

/// Finds `compile_error!("..")` invocations in macro output.
fn collect_errors(tokens: TokenStream, errors: &mut Vec<ExpandError>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, token) in tokens.iter().enumerate() {
        match token {
            TokenTree::Ident(ident) if ident == "compile_error" => {
                let (Some(TokenTree::Punct(bang)), Some(TokenTree::Group(group))) =
                    (tokens.get(i + 1), tokens.get(i + 2))
                else {
                    continue;
                };
                if bang.as_char() != '!' {
                    continue;
                }
                let Ok(message) = syn::parse2::<syn::LitStr>(group.stream()) else {
                    continue;
                };
                errors.push(ExpandError::at(message.value(), ident.span(), group.span()));
            }
            TokenTree::Group(group) => collect_errors(group.stream(), errors),
            _ => {}
        }
    }
}

fn from_syn(error: &syn::Error) -> ExpandError {
    ExpandError::at(error.to_string(), error.span(), error.span())
}

impl ExpandError {
    /// An error from the start of `first` to the end of `last` (the end of
    /// the line when they are on different lines).
    fn at(message: String, first: proc_macro2::Span, last: proc_macro2::Span) -> Self {
        let (start, end) = (first.start(), last.end());
        Self {
            message,
            line: start.line,
            column: start.column,
            end_column: if end.line == start.line {
                end.column
            } else {
                usize::MAX
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_names_need_the_elif_path_only_where_ambiguous() {
        let name = |attr: Attribute| elif_attribute(&attr);
        assert_eq!(name(syn::parse_quote!(#[injectable])), Some("injectable"));
        assert_eq!(
            name(syn::parse_quote!(#[elif::controller("/")])),
            Some("controller")
        );
        assert_eq!(name(syn::parse_quote!(#[elif::main])), Some("main"));
        assert_eq!(name(syn::parse_quote!(#[test])), None);
        assert_eq!(name(syn::parse_quote!(#[main])), None);
        assert_eq!(name(syn::parse_quote!(#[serde(rename = "x")])), None);
        assert_eq!(name(syn::parse_quote!(#[other::injectable])), None);
    }

    #[test]
    fn derives_split_into_elif_and_others() {
        let attr: Attribute =
            syn::parse_quote!(#[derive(Debug, Validate, serde::Deserialize, elif::Schema)]);
        let (ours, others) = elif_derives(&attr, true).unwrap_or_default();
        assert_eq!(ours, ["Validate", "Schema"]);
        assert_eq!(others.len(), 2);
        let generated: Attribute = syn::parse_quote!(
            #[derive(::core::fmt::Debug, ::elif::__private::Validate, ::elif::__private::Schema)]
        );
        let (ours, others) = elif_derives(&generated, true).unwrap_or_default();
        assert_eq!(ours, ["Validate", "Schema"]);
        assert_eq!(others.len(), 1);
        let plain: Attribute = syn::parse_quote!(#[derive(Debug, Clone)]);
        assert!(elif_derives(&plain, true).is_none());
    }

    #[test]
    fn serde_derives_are_elif_s_unless_the_file_imports_serde_s() {
        let attr: Attribute = syn::parse_quote!(#[derive(Serialize, elif::Deserialize)]);
        assert_eq!(
            elif_derives(&attr, true).unwrap().0,
            ["Serialize", "Deserialize"]
        );
        assert_eq!(elif_derives(&attr, false).unwrap().0, ["Deserialize"]);
        let generated: Attribute =
            syn::parse_quote!(#[derive(::elif::__private::serde::Serialize)]);
        assert!(elif_derives(&generated, true).is_none());
        let file = |source: &str| imports_serde_derives(&syn::parse_file(source).unwrap());
        assert!(file("use serde::Deserialize;"));
        assert!(file("use serde::{Serialize, de::Deserialize as D};"));
        assert!(file("mod m { use ::serde::*; }"));
        assert!(!file("use elif::prelude::*; use serde_json::json;"));
    }
}
