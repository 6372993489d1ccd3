//! Edits of an app's sources where its items are declared: a new module
//! goes into the root module's `imports(..)`, a provider or controller
//! into its module's `providers(..)`/`controllers(..)`. The file is parsed
//! with syn (span locations on), and only the text at the list's spans
//! changes: every other byte of the file stays as it was, comments and
//! keep zones included. Span columns count characters, not bytes, so
//! positions are turned into byte offsets through the line's characters.

use std::fmt;

use proc_macro2::{Delimiter, LineColumn, TokenTree};

/// Why the file was not edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    /// The file does not parse.
    Parse(String),
    /// No struct of this name has a `#[module(..)]` attribute.
    NoModule(String),
    /// The item is in the list already.
    Present {
        /// The list's key (`imports`).
        key: String,
        /// The item.
        item: String,
    },
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Parse(why) => write!(f, "the file does not parse: {why}"),
            Self::NoModule(name) => write!(f, "no `#[module(..)] struct {name}` in the file"),
            Self::Present { key, item } => write!(f, "`{item}` is in `{key}(..)` already"),
        }
    }
}

impl std::error::Error for EditError {}

/// The byte offset of `at` (a 1-based line and a column in characters) in
/// `source`.
fn offset(source: &str, at: LineColumn) -> usize {
    let line_start: usize = source
        .split_inclusive('\n')
        .take(at.line.saturating_sub(1))
        .map(str::len)
        .sum();
    let line = &source[line_start..];
    line_start
        + line
            .char_indices()
            .nth(at.column)
            .map_or(line.len(), |(byte, _)| byte)
}

/// `source` with `item` added to the `key(..)` list of the `#[module]`
/// attribute on `struct module`: after the list's last entry (before its
/// closing parenthesis, after any trailing comment), or as a new
/// `key(item)` when the attribute has no such list.
pub fn add_to_module(
    source: &str,
    module: &str,
    key: &str,
    item: &str,
) -> Result<String, EditError> {
    let file = syn::parse_file(source).map_err(|e| EditError::Parse(e.to_string()))?;
    let attribute = file
        .items
        .iter()
        .filter_map(|i| match i {
            syn::Item::Struct(s) if s.ident == module => Some(s),
            _ => None,
        })
        .flat_map(|s| s.attrs.iter())
        .find(|a| a.path().is_ident("module"))
        .ok_or_else(|| EditError::NoModule(module.to_owned()))?;
    let syn::Meta::List(list) = &attribute.meta else {
        // `#[module]` alone: the whole attribute becomes `#[module(key(item))]`.
        let path = attribute.meta.path();
        let Some(last) = path.segments.last() else {
            return Err(EditError::NoModule(module.to_owned()));
        };
        let end = offset(source, last.ident.span().end());
        let mut edited = source.to_owned();
        edited.insert_str(end, &format!("({key}({item}))"));
        return Ok(edited);
    };
    let tokens: Vec<TokenTree> = list.tokens.clone().into_iter().collect();
    for (index, token) in tokens.iter().enumerate() {
        let TokenTree::Ident(ident) = token else {
            continue;
        };
        if *ident != key {
            continue;
        }
        let Some(TokenTree::Group(group)) = tokens.get(index + 1) else {
            continue;
        };
        if group.delimiter() != Delimiter::Parenthesis {
            continue;
        }
        let entries: Vec<String> = group
            .stream()
            .to_string()
            .split(',')
            .map(|e| e.split_whitespace().collect::<String>())
            .filter(|e| !e.is_empty())
            .collect();
        if entries
            .iter()
            .any(|e| *e == item.split_whitespace().collect::<String>())
        {
            return Err(EditError::Present {
                key: key.to_owned(),
                item: item.to_owned(),
            });
        }
        let close = offset(source, group.span_close().start());
        let open = offset(source, group.span_open().end());
        let inside = &source[open..close];
        // After the last entry's text; a comment after it (a keep zone's
        // markers) stays after it, so the entry goes before the comments
        // that end the list, and a comma separates it from the last entry.
        let last_code = last_code_end(inside);
        let mut edited = String::with_capacity(source.len() + item.len() + 2);
        edited.push_str(&source[..open + last_code]);
        let before = inside[..last_code].trim_end();
        let needs_comma = !before.is_empty() && !before.ends_with(',');
        if needs_comma {
            edited.push(',');
        }
        if inside.contains('\n') {
            let indent = indentation(inside);
            edited.push_str(&format!("\n{indent}{item},"));
        } else {
            edited.push_str(if before.is_empty() { "" } else { " " });
            edited.push_str(item);
        }
        edited.push_str(&source[open + last_code..]);
        return Ok(edited);
    }
    // No such list: `key(item)` after the attribute's last entry.
    // (After its last code: a comment that ends the attribute stays last.)
    let close = offset(source, list.delimiter.span().close().start());
    let open = offset(source, list.delimiter.span().open().end());
    let end = last_code_end(&source[open..close]);
    let before = source[open..open + end].trim_end();
    let mut edited = source.to_owned();
    let addition = if before.is_empty() {
        format!("{key}({item})")
    } else if before.ends_with(',') {
        format!(" {key}({item})")
    } else {
        format!(", {key}({item})")
    };
    edited.insert_str(open + end, &addition);
    Ok(edited)
}

/// The byte offset just after the last code (not comment, not blank) in
/// a list's inside.
fn last_code_end(inside: &str) -> usize {
    let mut end = 0;
    let mut position = 0;
    for line in inside.split_inclusive('\n') {
        let code = line.split("//").next().unwrap_or_default();
        if !code.trim().is_empty() {
            end = position + code.trim_end().len();
        }
        position += line.len();
    }
    end
}

/// The indentation of the list's entries (its first indented line's).
fn indentation(inside: &str) -> String {
    inside
        .lines()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.chars().take_while(|c| c.is_whitespace()).collect())
        .unwrap_or_else(|| "    ".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &str = r#"//! The app — café edition (non-ASCII before the spans).

use elif::prelude::*;

/// The root module.
#[module(imports(
    users::UsersModule,
    notes::NotesModule,
    // <<<ELIF:BEGIN agent-editable:modules>>>
    // <<<ELIF:END agent-editable:modules>>>
))]
pub struct AppModule;

/// Posts.
#[module(imports(DataModule), providers(PostService), controllers(PostsController))] // é
pub struct PostsModule;

#[module]
pub struct Empty;
"#;

    #[test]
    fn an_entry_goes_after_the_last_and_every_other_byte_stays() {
        let edited = add_to_module(ROOT, "AppModule", "imports", "posts::PostsModule").unwrap();
        assert_eq!(
            edited,
            ROOT.replace(
                "    notes::NotesModule,\n",
                "    notes::NotesModule,\n    posts::PostsModule,\n"
            )
        );
        let one_line = add_to_module(ROOT, "PostsModule", "controllers", "TagsController").unwrap();
        assert_eq!(
            one_line,
            ROOT.replace(
                "controllers(PostsController)",
                "controllers(PostsController, TagsController)"
            )
        );
        syn::parse_file(&edited).unwrap();
        syn::parse_file(&one_line).unwrap();
    }

    #[test]
    fn a_missing_list_is_added_and_a_present_entry_or_an_unknown_module_refused() {
        let added = add_to_module(ROOT, "AppModule", "providers", "Mailer").unwrap();
        assert!(
            added.contains("    // <<<ELIF:END agent-editable:modules>>>\n), providers(Mailer))]"),
            "{added}"
        );
        let commented = "#[module(imports(A), // the imports\n)]\npub struct M;\n";
        assert_eq!(
            add_to_module(commented, "M", "controllers", "C").unwrap(),
            "#[module(imports(A), controllers(C) // the imports\n)]\npub struct M;\n"
        );
        let bare = add_to_module(ROOT, "Empty", "controllers", "HomeController").unwrap();
        assert!(
            bare.contains("#[module(controllers(HomeController))]\npub struct Empty;"),
            "{bare}"
        );
        assert_eq!(
            add_to_module(ROOT, "PostsModule", "providers", "PostService"),
            Err(EditError::Present {
                key: "providers".into(),
                item: "PostService".into()
            })
        );
        assert_eq!(
            add_to_module(ROOT, "Nowhere", "imports", "X"),
            Err(EditError::NoModule("Nowhere".into()))
        );
        assert!(matches!(
            add_to_module("fn (", "X", "imports", "Y"),
            Err(EditError::Parse(_))
        ));
    }

    /// The root module `elif new` writes takes a new module.
    #[test]
    fn a_new_apps_root_module_takes_a_module() {
        let app = crate::new::NewApp {
            name: "shop".into(),
            elif_path: std::path::PathBuf::from("/elif"),
            auth: true,
        };
        let files = crate::new::files(&app).unwrap();
        let lib = &files.iter().find(|(p, _)| p == "src/lib.rs").unwrap().1;
        let edited = add_to_module(lib, "AppModule", "imports", "orders::OrdersModule").unwrap();
        assert!(
            edited.contains(
                "    notes::NotesModule,\n    orders::OrdersModule,\n    // <<<ELIF:BEGIN"
            ),
            "{edited}"
        );
        assert_eq!(
            edited.len(),
            lib.len() + "\n    orders::OrdersModule,".len()
        );
        syn::parse_file(&edited).unwrap();
    }

    #[test]
    fn columns_in_characters_become_byte_offsets() {
        let source = "// ééé\nlet x = 1;\n";
        let at = LineColumn { line: 1, column: 4 };
        assert_eq!(&source[offset(source, at)..offset(source, at) + 2], "é");
        assert_eq!(
            offset(source, LineColumn { line: 2, column: 4 }),
            source.find('x').unwrap()
        );
    }
}
