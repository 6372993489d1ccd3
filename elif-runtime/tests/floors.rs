//! The runtime's modules stand in floors, and a module imports only from
//! the floors below its own (and, on its own floor, only along the few
//! edges listed in `SIDEWAYS`). This test reads every `.rs` file under
//! `src/`, finds every path into the crate (`use crate::…` lines, grouped
//! imports, and fully qualified `crate::x::Y` / `$crate::x` / escaping
//! `super::…` paths in code, tests included; comments and string literals
//! are not code), and fails naming the file, the line and the import of
//! each one that reaches up. `plan/DECISIONS.md` ("The runtime's modules
//! stand in floors") says what goes on each floor and why.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Every top-level module of the runtime and its floor, bottom first.
const FLOORS: &[(&str, u8)] = &[
    // 0: what went wrong, said to people; small helpers.
    ("util", 0),
    ("throttle", 0),
    ("net", 0),
    ("diagnostics", 0),
    ("error", 0),
    // 1: configuration and the container.
    ("config", 1),
    ("di", 1),
    ("validate", 1),
    ("redis", 1),
    ("ratelimit", 1),
    ("credentials", 1),
    // 2: modules, and the app's graph built from them.
    ("module", 2),
    // 3: serving requests; the database.
    ("http", 3),
    ("data", 3),
    // 4: the app, its map, the test app.
    ("inspect", 4),
    ("app", 4),
    ("openapi", 4),
    ("testing", 4),
    // The clock, re-exported from the data layer under its own name.
    ("time", 4),
];

/// The imports allowed between two modules of one floor, importer first.
/// Each says which way the dependency goes, so that the floor has no circle
/// (checked below).
const SIDEWAYS: &[(&str, &str)] = &[
    // `Error::boot` carries a `BootReport`.
    ("error", "diagnostics"),
    // The container injects config sections (`Config<T>`).
    ("di", "config"),
    // The Redis connection is configured by its section.
    ("redis", "config"),
    // Rate limits shared across instances live in Redis.
    ("ratelimit", "redis"),
    // Its section.
    ("ratelimit", "config"),
    // An authenticating guard's schemes depend on what the config turns on.
    ("credentials", "config"),
    // The data layer answers HTTP: `Transactional` is an interceptor,
    // `Page` a response, its types have JSON Schemas.
    ("data", "http"),
    // The app builds and serves its map.
    ("app", "inspect"),
    // The app serves and prints its description.
    ("app", "openapi"),
    // The description is read from the map.
    ("openapi", "inspect"),
    // The test app boots and serves an app.
    ("testing", "app"),
];

/// Items defined or re-exported at the crate root, by the module they
/// belong to (`lib`: defined in `lib.rs` for every floor).
const ROOT_ITEMS: &[(&str, &str)] = &[
    ("Result", "error"),
    ("Error", "error"),
    ("DomainError", "error"),
    ("BoxFuture", "lib"),
    ("App", "app"),
    ("Booted", "app"),
    ("Lifecycle", "app"),
    ("with_connection", "data"),
];

/// One path into the crate: where it is, which module it names, and the
/// line as written.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Import {
    line: usize,
    target: String,
    text: String,
}

fn floor_of(module: &str) -> Option<u8> {
    if module == "lib" {
        return Some(0);
    }
    FLOORS.iter().find(|(m, _)| *m == module).map(|&(_, f)| f)
}

/// The module a path's first segment after `crate::` belongs to.
fn module_of(segment: &str) -> Option<&'static str> {
    FLOORS
        .iter()
        .map(|(m, _)| *m)
        .find(|m| *m == segment)
        .or_else(|| {
            ROOT_ITEMS
                .iter()
                .find(|(item, _)| *item == segment)
                .map(|&(_, m)| m)
        })
}

/// The source with comments and string and char literals blanked out
/// (newlines kept, so that line numbers hold).
fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let prev_ident = i > 0 && ident(chars[i - 1]);
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && !prev_ident && matches!(next, Some('"' | '#')) && {
            let hashes = chars[i + 1..].iter().take_while(|&&h| h == '#').count();
            chars.get(i + 1 + hashes) == Some(&'"')
        } {
            let hashes = chars[i + 1..].iter().take_while(|&&h| h == '#').count();
            let close: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            out.push('r');
            i += 1 + hashes + 1;
            out.push_str(&" ".repeat(hashes + 1));
            let rest: String = chars[i..].iter().collect();
            let end = rest.find(&close).map_or(rest.len(), |e| e + close.len());
            for ch in rest[..end].chars() {
                out.push(blank(ch));
            }
            i += rest[..end].chars().count();
        } else if c == '"' {
            i = blank_quoted(&chars, i, '"', &mut out);
        } else if c == '\'' && (next == Some('\\') || chars.get(i + 2) == Some(&'\'')) {
            // A char literal ('x', '\n', '\u{1F600}'); otherwise a lifetime.
            i = blank_quoted(&chars, i, '\'', &mut out);
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// The first identifier of `text`.
fn first_ident(text: &str) -> &str {
    let text = text.trim_start();
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// The modules a `{ … }` group names at its top level (`crate::{a::X, b}`).
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                heads.push(first_ident(&group[start..i]).to_owned());
                start = i + 1;
            }
            _ => {}
        }
    }
    heads.push(first_ident(&group[start..]).to_owned());
    heads.retain(|h| !h.is_empty() && h != "self");
    heads
}

/// The text of a `{ … }` group starting at byte `open` of `code`.
fn group_at(code: &str, open: usize) -> &str {
    let mut depth = 0;
    for (i, c) in code[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &code[open + 1..open + i];
                }
            }
            _ => {}
        }
    }
    &code[open + 1..]
}

/// Every path into the crate in a file whose module sits `depth` modules
/// below the crate root (`src/a.rs`: 1, `src/a/b.rs`: 2).
fn imports(source: &str, depth: usize) -> Vec<Import> {
    let code = code_only(source);
    let lines: Vec<&str> = source.lines().collect();
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    let text_of = |line: usize| lines.get(line - 1).map_or("", |l| l.trim()).to_owned();
    let bytes = code.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut found = Vec::new();
    let mut push = |at: usize, targets: Vec<String>| {
        let line = line_of(at);
        for target in targets {
            found.push(Import {
                line,
                target,
                text: text_of(line),
            });
        }
    };
    // `crate::…` and `$crate::…`.
    for (at, _) in code.match_indices("crate::") {
        if at > 0 && is_ident(bytes[at - 1]) {
            continue;
        }
        let rest = &code[at + "crate::".len()..];
        let after = rest.trim_start();
        let targets = if after.starts_with('{') {
            let open = code.len() - after.len();
            group_heads(group_at(&code, open))
        } else {
            vec![first_ident(rest).to_owned()]
        };
        push(at, targets);
    }
    // `super::` chains that climb out of the file's top-level module: the
    // inline modules (`mod tests { … }`) open around each one count too.
    let mut inline: Vec<usize> = Vec::new();
    let mut brace = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || !is_ident(bytes[i - 1]);
        if starts_word && code[i..].starts_with("mod ") {
            let name = first_ident(&code[i + 4..]);
            let after = code[i + 4..].trim_start()[name.len()..].trim_start();
            if after.starts_with('{') {
                inline.push(brace + 1);
            }
        }
        match bytes[i] {
            b'{' => brace += 1,
            b'}' => {
                if inline.last() == Some(&brace) {
                    inline.pop();
                }
                brace = brace.saturating_sub(1);
            }
            _ => {}
        }
        if starts_word && code[i..].starts_with("super::") {
            let mut climbs = 0;
            let mut j = i;
            while code[j..].starts_with("super::") {
                climbs += 1;
                j += "super::".len();
            }
            if climbs >= depth + inline.len() {
                push(i, vec![first_ident(&code[j..]).to_owned()]);
            }
            i = j;
            continue;
        }
        i += 1;
    }
    found
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir:?}: {e}"));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// A file's top-level module (`None` for `lib.rs`, the crate root) and how
/// deep its own module is.
fn place(file: &Path) -> (Option<String>, usize) {
    let relative = file.strip_prefix(src()).expect("a file under src/");
    let parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts == ["lib.rs"] {
        return (None, 0);
    }
    let top = parts[0].trim_end_matches(".rs").to_owned();
    let depth = if parts.last().is_some_and(|p| p == "mod.rs") {
        parts.len() - 1
    } else {
        parts.len()
    };
    (Some(top), depth)
}

/// Every import of every file that breaks the floors, as `file:line: …`.
fn violations() -> Vec<String> {
    let mut out = Vec::new();
    for file in rust_files(&src()) {
        let (Some(module), depth) = place(&file) else {
            continue;
        };
        let name = file.strip_prefix(src()).expect("under src/").display();
        let Some(floor) = floor_of(&module) else {
            out.push(format!(
                "src/{name}: module `{module}` has no floor: add it to FLOORS"
            ));
            continue;
        };
        let source = std::fs::read_to_string(&file).expect("a readable file");
        for import in imports(&source, depth) {
            let Some(target) = module_of(&import.target) else {
                out.push(format!(
                    "src/{name}:{}: `crate::{}` is neither a module nor a root item listed here: add it to FLOORS or ROOT_ITEMS: {}",
                    import.line, import.target, import.text
                ));
                continue;
            };
            let target_floor = floor_of(target).expect("every listed module has a floor");
            let allowed = target == module
                || target_floor < floor
                || (target_floor == floor && SIDEWAYS.contains(&(module.as_str(), target)));
            if !allowed {
                out.push(format!(
                    "src/{name}:{}: `{module}` (floor {floor}) imports `{target}` (floor {target_floor}): {}",
                    import.line, import.text
                ));
            }
        }
    }
    out
}

#[test]
fn no_module_imports_from_a_higher_floor() {
    let found = violations();
    assert!(
        found.is_empty(),
        "imports against the floors (see plan/DECISIONS.md):\n{}",
        found.join("\n")
    );
}

#[test]
fn nothing_below_the_top_floor_names_the_app_or_its_map() {
    let mut found = Vec::new();
    for file in rust_files(&src()) {
        let (Some(module), depth) = place(&file) else {
            continue;
        };
        if floor_of(&module).is_some_and(|f| f >= 4) {
            continue;
        }
        let source = std::fs::read_to_string(&file).expect("a readable file");
        for import in imports(&source, depth) {
            if matches!(module_of(&import.target), Some("app" | "inspect")) {
                found.push(format!(
                    "{}:{}: {}",
                    file.display(),
                    import.line,
                    import.text
                ));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn every_top_level_module_has_a_floor() {
    let mut modules = BTreeSet::new();
    for entry in std::fs::read_dir(src()).expect("src/") {
        let path = entry.expect("an entry").path();
        let name = path
            .file_stem()
            .expect("a name")
            .to_string_lossy()
            .into_owned();
        if name != "lib" {
            modules.insert(name);
        }
    }
    let listed: BTreeSet<String> = FLOORS.iter().map(|(m, _)| (*m).to_owned()).collect();
    assert_eq!(modules, listed, "src/ and FLOORS list the same modules");
}

#[test]
fn sideways_imports_stay_on_one_floor_and_go_one_way() {
    for &(from, to) in SIDEWAYS {
        assert_eq!(floor_of(from), floor_of(to), "{from} -> {to}");
        assert!(
            !SIDEWAYS.contains(&(to, from)),
            "{from} and {to} may not see each other both ways"
        );
    }
    // No longer circle either: follow every edge from every module.
    for &(start, _) in SIDEWAYS {
        let mut frontier = vec![start];
        let mut seen = BTreeSet::new();
        while let Some(at) = frontier.pop() {
            for &(from, to) in SIDEWAYS {
                if from == at {
                    assert_ne!(to, start, "a circle through {start}");
                    if seen.insert(to) {
                        frontier.push(to);
                    }
                }
            }
        }
    }
}

#[test]
fn the_reader_finds_every_kind_of_path_and_skips_comments_and_strings() {
    let source = r##"//! Docs may name crate::app::App freely.
use crate::di::Container;
use crate::{error::Error, http::{Guard, Routes}, self};
pub(crate) fn f() -> crate::Result<()> {
    let _ = "crate::inspect::AppMap";
    let _ = r#"crate::inspect::AppMap"#;
    let _ = '"'; let _ = crate::app::entry::run_main;
    /* crate::testing::TestApp */
    $crate::data::Database::connect();
    Ok(())
}
mod tests {
    use super::*;
    use super::super::module::Module;
}
"##;
    let found: Vec<(usize, String)> = imports(source, 1)
        .into_iter()
        .map(|i| (i.line, i.target))
        .collect();
    let expected: Vec<(usize, String)> = [
        (2, "di"),
        (3, "error"),
        (3, "http"),
        (4, "Result"),
        (7, "app"),
        (9, "data"),
        (14, "module"),
    ]
    .into_iter()
    .map(|(line, target)| (line, target.to_owned()))
    .collect();
    assert_eq!(found, expected);
    assert_eq!(
        imports("use super::pipeline::Pipeline;", 2),
        [],
        "`super` inside a top-level module stays in it"
    );
}

/// Blanks the literal that opens at `chars[i]` and closes at the next
/// unescaped `quote`, keeping line breaks; returns the index after it.
fn blank_quoted(chars: &[char], mut i: usize, quote: char, out: &mut String) -> usize {
    out.push(' ');
    i += 1;
    while i < chars.len() && chars[i] != quote {
        if chars[i] == '\\' {
            out.push(' ');
            i += 1;
        }
        if i < chars.len() {
            out.push(blank(chars[i]));
            i += 1;
        }
    }
    out.push(' ');
    i + 1
}

/// A blanked character: line breaks stay, so line numbers do.
fn blank(c: char) -> char {
    if c == '\n' { '\n' } else { ' ' }
}
