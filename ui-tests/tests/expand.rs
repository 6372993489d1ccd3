//! `elif expand` against the compiler: every error elif's macros report in
//! a failing case is found by `expand` and rendered exactly as rustc shows
//! it in the case's `.stderr`, `migrations!` cases included (their paths
//! are relative to the case file). (The passing cases, expanded, are
//! compiled by `tests/ui.rs`.)

use std::path::{Path, PathBuf};

fn cases(kind: &str) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir("cases")
        .expect("cases/")
        .flat_map(|entry| {
            let dir = entry.expect("entry").path().join(kind);
            std::fs::read_dir(dir).into_iter().flatten()
        })
        .map(|entry| entry.expect("case").path())
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .collect();
    cases.sort();
    cases
}

/// The `error: ... [ELnnnn]` blocks of a `.stderr`: elif's own errors, as
/// opposed to the compiler's `error[E....]` ones.
fn elif_blocks(stderr: &str) -> Vec<String> {
    stderr
        .split("\n\n")
        .filter(|block| block.starts_with("error: ") && block.contains("[EL"))
        .map(|block| block.trim_end().to_owned())
        .collect()
}

fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

#[test]
fn expand_reports_every_macro_error_as_the_compiler_does() {
    let mut compared = 0;
    for case in cases("fail") {
        let source = std::fs::read_to_string(&case).expect("case");
        let stderr = std::fs::read_to_string(case.with_extension("stderr")).expect("stderr");
        let expected = elif_blocks(&stderr);
        let rendered: Vec<String> = match elif_cli::expand::expand_source(&source, &case, None) {
            Ok(expansion) => expansion
                .errors
                .iter()
                .map(|e| elif_cli::expand::render(e, &display(&case), &source))
                .collect(),
            Err(error) => vec![elif_cli::expand::render(&error, &display(&case), &source)],
        };
        // trybuild writes this crate's directory as `$DIR` in paths.
        let dir = format!(
            "{}/",
            display(&std::fs::canonicalize(".").expect("crate dir"))
        );
        let rendered: Vec<String> = rendered
            .iter()
            .map(|r| r.replace(&dir, "$DIR/").trim_end().to_owned())
            .collect();
        assert_eq!(
            rendered,
            expected,
            "{}: `elif expand` and the compiler disagree",
            case.display()
        );
        compared += expected.len();
    }
    assert!(compared >= 20, "only {compared} errors compared");
}

#[test]
fn expand_prints_only_the_named_item() {
    let case = Path::new("cases/controller/pass/all_forms.rs");
    let source = std::fs::read_to_string(case).expect("case");
    let whole = elif_cli::expand::expand_source(&source, case, None).expect("expands");
    assert!(whole.errors.is_empty(), "{:?}", whole.errors);
    assert!(
        !whole.code.contains("#[controller"),
        "every macro is expanded"
    );
    let error =
        elif_cli::expand::expand_source(&source, case, Some("NoSuchItem")).expect_err("no item");
    assert!(error.message.contains("NoSuchItem"));
}
