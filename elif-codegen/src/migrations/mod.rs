//! `migrations!()`: embeds the crate's `migrations/` directory in the binary.
//!
//! Each folder `<version>_<name>/` holds `up.sql` and `down.sql`, or
//! per-backend files (`up.sqlite.sql`, `up.postgres.sql`, and the same for
//! `down`) that, together with the shared one, cover both backends. The
//! files are embedded with `include_str!`, so editing one rebuilds the
//! crate; cargo does not watch the directory itself, so a crate that adds
//! folders should have a build script printing
//! `cargo:rerun-if-changed=migrations`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::LitStr;

use crate::dispatch::Caller;
use crate::errors::{Errors, closest};

const CODE: &str = "EL0030";
const FILES: &[&str] = &[
    "up.sql",
    "down.sql",
    "up.sqlite.sql",
    "up.postgres.sql",
    "down.sqlite.sql",
    "down.postgres.sql",
];

/// One folder, checked.
struct Folder {
    version: String,
    name: String,
    up: (PathBuf, PathBuf),
    down: (PathBuf, PathBuf),
}

/// Expands `migrations!()`, `migrations!("relative/dir")`, optionally with
/// `namespace = "my_package"` (a package's). `caller` says
/// where the call is written when the compiler does not (`elif expand`,
/// which parses files itself); without it, the span and `CARGO_MANIFEST_DIR`
/// say.
pub fn expand(input: TokenStream, caller: Option<&Caller>) -> TokenStream {
    match expand_checked(input, caller) {
        Ok(tokens) => tokens,
        Err(error) => {
            // An expression still, so that only our errors are reported.
            let errors = error.to_compile_error();
            let private = crate::paths::private();
            quote!({ #errors #private::Migrations::new(&[]) })
        }
    }
}

/// What the macro's input says: a directory and a namespace, each
/// optional: `()`, `("db/migrations")`, `(namespace = "my_pkg")`,
/// `("db/migrations", namespace = "my_pkg")`.
struct Input {
    dir: Option<LitStr>,
    namespace: Option<LitStr>,
}

impl syn::parse::Parse for Input {
    fn parse(input: syn::parse::ParseStream<'_>) -> syn::Result<Self> {
        let usage = "expected nothing, a directory, or `namespace = \"..\"`: `migrations!()`, `migrations!(\"db/migrations\")` or `migrations!(namespace = \"my_package\")`";
        let mut out = Self {
            dir: None,
            namespace: None,
        };
        if input.peek(LitStr) {
            out.dir = Some(input.parse()?);
            if input.is_empty() {
                return Ok(out);
            }
            input
                .parse::<syn::Token![,]>()
                .map_err(|e| syn::Error::new(e.span(), crate::errors::coded(usage, CODE)))?;
        }
        if input.is_empty() {
            return Ok(out);
        }
        let wrong = |span: Span| syn::Error::new(span, crate::errors::coded(usage, CODE));
        let start = input.span();
        let key: syn::Ident = input.parse().map_err(|_| wrong(start))?;
        if key != "namespace" {
            return Err(wrong(key.span()));
        }
        input
            .parse::<syn::Token![=]>()
            .map_err(|e| wrong(e.span()))?;
        out.namespace = Some(input.parse().map_err(|e| wrong(e.span()))?);
        let _ = input.parse::<Option<syn::Token![,]>>()?;
        if !input.is_empty() {
            return Err(wrong(input.span()));
        }
        Ok(out)
    }
}

/// The longest namespace: with `/` and a version it must fit
/// `__elif_migrations.version` (64 characters).
const NAMESPACE_MAX: usize = 32;

/// Whether `value` can name a package's migrations (and, in
/// `#[model(namespace = ..)]`, the models their tables are for):
/// lower-case ASCII letters, digits and `_`, starting with a letter, at
/// most [`NAMESPACE_MAX`] characters.
pub(crate) fn is_namespace(value: &str) -> bool {
    value.starts_with(|c: char| c.is_ascii_lowercase())
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && value.len() <= NAMESPACE_MAX
}

/// A namespace names a package's rows for good: a crate's name, with `_`.
fn check_namespace(namespace: &LitStr) -> syn::Result<String> {
    let value = namespace.value();
    if is_namespace(&value) {
        Ok(value)
    } else {
        Err(syn::Error::new(
            namespace.span(),
            crate::errors::coded(
                &format!(
                    "invalid migration namespace `{value}`: it is recorded with every migration of the package\n\
                     help: use the package's crate name with `_`, lower-case letters, digits and `_`, at most {NAMESPACE_MAX} characters (`elif_auth`)"
                ),
                CODE,
            ),
        ))
    }
}

fn expand_checked(input: TokenStream, caller: Option<&Caller>) -> syn::Result<TokenStream> {
    let input: Input = syn::parse2(input)?;
    let namespace = input.namespace.as_ref().map(check_namespace).transpose()?;
    let (dir, span) = match &input.dir {
        None => {
            let root = match caller {
                Some(caller) => caller.manifest_dir.clone(),
                None => std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from),
            };
            (
                root.unwrap_or_default().join("migrations"),
                caller.map_or_else(Span::call_site, |c| c.span),
            )
        }
        Some(literal) => (
            relative_to_source(literal, caller.map(|c| c.file.as_path())),
            literal.span(),
        ),
    };
    let folders = read(&dir, span)?;
    let namespace = namespace.unwrap_or_default();
    if let Some(long) = folders
        .iter()
        .find(|f| f.version.len() + namespace.len() + 1 > 64)
    {
        return Err(syn::Error::new(
            span,
            crate::errors::coded(
                &format!(
                    "migration version `{}` is too long: with its namespace it must fit 64 characters\n\
                     help: use a version such as `2026-11-26-000001`",
                    long.version
                ),
                CODE,
            ),
        ));
    }
    let private = crate::paths::private();
    let migrations = folders.iter().map(|f| {
        let (version, name) = (&f.version, &f.name);
        let sql = |(sqlite, postgres): &(PathBuf, PathBuf)| {
            let (sqlite, postgres) = (path_str(sqlite), path_str(postgres));
            quote!(#private::MigrationSql {
                sqlite: ::core::include_str!(#sqlite),
                postgres: ::core::include_str!(#postgres),
            })
        };
        let (up, down) = (sql(&f.up), sql(&f.down));
        quote!(#private::Migration {
            namespace: #namespace,
            version: #version,
            name: #name,
            up: #up,
            down: #down,
        })
    });
    let set = quote!(#private::Migrations::namespaced(#namespace, &[#(#migrations),*]));
    // The schema snapshot `migrate generate` keeps beside the folders:
    // embedded (a change rebuilds the app) for `check` to compare.
    let snapshot = dir.join("schema.json");
    Ok(if snapshot.is_file() {
        let snapshot = path_str(&snapshot);
        quote!(#set.with_snapshot(::core::include_str!(#snapshot)))
    } else {
        set
    })
}

fn path_str(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// A path given to the macro: relative to the file that names it, like
/// `include_str!`; relative to the crate's root when the file is unknown
/// (outside the compiler, as in `elif expand`).
fn relative_to_source(literal: &LitStr, source: Option<&Path>) -> PathBuf {
    let given = PathBuf::from(literal.value());
    if given.is_absolute() {
        return given;
    }
    let file = source
        .map(Path::to_owned)
        .or_else(|| source_file(literal.span()));
    let base = match file.as_deref().and_then(Path::parent) {
        Some(dir) => dir.to_owned(),
        None => std::env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_default(),
    };
    normalize(&base.join(given))
}

/// `a/b/../c` → `a/c`, without touching the file system (for messages).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The source file of a span, when the compiler knows it: made absolute
/// (it is relative to the compiler's working directory, which is the
/// macro's too) so that `include_str!` finds what it names.
fn source_file(span: Span) -> Option<PathBuf> {
    let file = span.local_file()?;
    std::fs::canonicalize(&file).ok().or(Some(file))
}

/// Reads and checks every folder of `dir`, oldest version first.
fn read(dir: &Path, span: Span) -> syn::Result<Vec<Folder>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        syn::Error::new(
            span,
            crate::errors::coded(
                &format!(
                    "cannot read the migrations directory {}: {e}\n\
                     help: create it, with one folder per migration (`2026-11-26-000001_create_posts/up.sql` and `down.sql`)",
                    dir.display()
                ),
                CODE,
            ),
        )
    })?;
    let mut errors = Errors::new();
    let mut folders: BTreeMap<String, Folder> = BTreeMap::new();
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
    paths.sort();
    for path in paths {
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if file_name.starts_with('.') || !path.is_dir() {
            continue;
        }
        let mut error = |message: String| {
            errors.push(syn::Error::new(span, crate::errors::coded(&message, CODE)));
        };
        let Some((version, name)) = split_name(&file_name) else {
            error(format!(
                "migration folder `{file_name}` is not named `<version>_<name>`\n\
                 help: start it with a version of digits and dashes, e.g. `2026-11-26-000001_{file_name}`"
            ));
            continue;
        };
        if let Some(other) = folders.get(version) {
            error(format!(
                "migrations `{file_name}` and `{}_{}` have the same version `{version}`\n\
                 help: give each migration its own version; they are applied in version order",
                other.version, other.name
            ));
            continue;
        }
        let present: Vec<String> = std::fs::read_dir(&path)
            .into_iter()
            .flatten()
            .filter_map(|e| Some(e.ok()?.file_name().to_string_lossy().into_owned()))
            .filter(|n| !n.starts_with('.'))
            .collect();
        let mut ok = true;
        for unknown in present.iter().filter(|n| !FILES.contains(&n.as_str())) {
            ok = false;
            let hint = match closest(unknown, FILES) {
                Some(near) => format!("help: did you mean `{near}`?"),
                None => format!("help: a migration folder holds only {}", FILES.join(", ")),
            };
            error(format!(
                "unexpected file `{unknown}` in migration `{file_name}`\n{hint}"
            ));
        }
        let mut pick = |direction: &str| -> Option<(PathBuf, PathBuf)> {
            let has = |n: &str| present.iter().any(|p| p == n);
            let shared = format!("{direction}.sql");
            let file = |backend: &str| {
                let specific = format!("{direction}.{backend}.sql");
                if has(&specific) {
                    Some(path.join(specific))
                } else if has(&shared) {
                    Some(path.join(&shared))
                } else {
                    None
                }
            };
            match (file("sqlite"), file("postgres")) {
                (Some(sqlite), Some(postgres)) => Some((sqlite, postgres)),
                (sqlite, _) => {
                    let missing = if sqlite.is_none() {
                        "SQLite"
                    } else {
                        "PostgreSQL"
                    };
                    error(format!(
                        "migration `{file_name}` has no `{direction}` SQL for {missing}\n\
                         help: add `{shared}` (both backends) or `{direction}.{}.sql`",
                        if sqlite.is_none() {
                            "sqlite"
                        } else {
                            "postgres"
                        }
                    ));
                    None
                }
            }
        };
        let (up, down) = (pick("up"), pick("down"));
        if let (Some(up), Some(down), true) = (up, down, ok) {
            folders.insert(
                version.to_owned(),
                Folder {
                    version: version.to_owned(),
                    name: name.to_owned(),
                    up,
                    down,
                },
            );
        }
    }
    errors.finish()?;
    let mut folders: Vec<Folder> = folders.into_values().collect();
    folders.sort_by_key(|f| version_order(&f.version));
    Ok(folders)
}

/// A version as numbers, segment by segment, so that `9` comes before
/// `10` (the runtime orders applied versions the same way).
fn version_order(version: &str) -> Vec<u64> {
    version
        .split('-')
        .map(|part| part.parse().unwrap_or(u64::MAX))
        .collect()
}

/// `2026-11-26-000001_create_posts` → (`2026-11-26-000001`, `create_posts`).
fn split_name(folder: &str) -> Option<(&str, &str)> {
    let (version, name) = folder.split_once('_')?;
    let version_ok = version.starts_with(|c: char| c.is_ascii_digit())
        && version.chars().all(|c| c.is_ascii_digit() || c == '-');
    (version_ok && !name.is_empty()).then_some((version, name))
}

#[cfg(test)]
mod tests {
    use super::split_name;

    #[test]
    fn folder_names_split_at_the_first_underscore() {
        assert_eq!(
            split_name("2026-11-26-000001_create_posts"),
            Some(("2026-11-26-000001", "create_posts"))
        );
        assert_eq!(split_name("0001_a"), Some(("0001", "a")));
        assert_eq!(split_name("create_posts"), None);
        assert_eq!(split_name("0001_"), None);
        assert_eq!(split_name("-1_x"), None);
    }

    #[test]
    fn versions_order_by_number() {
        use super::version_order;
        assert!(version_order("9") < version_order("10"));
        assert!(version_order("2026-11-26-000002") > version_order("2026-11-26-000001"));
    }
}
