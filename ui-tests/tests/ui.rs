//! Every macro misuse elif detects, with the compile error it gives
//! (`cases/<macro>/fail/*.rs` with their `.stderr`), the forms that must
//! compile (`cases/<macro>/pass/*.rs`), and the same passing forms after
//! `elif expand`: what the CLI prints must compile as the macros' output does.
//!
//! Regenerate the `.stderr` files with `TRYBUILD=overwrite cargo test -p elif-ui-tests`,
//! then review them like code.

use std::path::PathBuf;

/// Writes every passing case, expanded by `elif expand`, under the target
/// directory, and returns the glob that finds them.
fn expanded_cases() -> String {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("expanded");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).expect("create the expanded cases' directory");
    let mut count = 0;
    for macro_dir in std::fs::read_dir("cases").expect("cases/") {
        let macro_dir = macro_dir.expect("entry").path();
        let name = macro_dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        for case in std::fs::read_dir(macro_dir.join("pass"))
            .into_iter()
            .flatten()
        {
            let case = case.expect("case").path();
            let source = std::fs::read_to_string(&case).expect("read case");
            let expansion = elif_cli::expand::expand_source(&source, &case, None)
                .unwrap_or_else(|e| panic!("{}: {}", case.display(), e.message));
            assert!(
                expansion.errors.is_empty(),
                "{}: {:?}",
                case.display(),
                expansion.errors
            );
            for attribute in [
                "#[injectable",
                "#[controller",
                "#[module",
                "#[elif::main",
                "derive(Validate",
            ] {
                assert!(
                    !expansion.code.contains(attribute),
                    "{}: {attribute} left",
                    case.display()
                );
            }
            let stem = case
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            std::fs::write(out.join(format!("{name}__{stem}.rs")), expansion.code)
                .expect("write expanded case");
            count += 1;
        }
    }
    assert!(count >= 8, "only {count} passing cases expanded");
    out.join("*.rs").to_string_lossy().into_owned()
}

#[test]
fn ui() {
    let expanded = expanded_cases();
    let t = trybuild::TestCases::new();
    t.pass("cases/*/pass/*.rs");
    t.pass(expanded);
    t.compile_fail("cases/*/fail/*.rs");
}
