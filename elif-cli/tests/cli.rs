//! The `elif` binary: expand (whole files, one item, errors as rustc shows
//! them), explain, and delegation to the app's binary.

#![allow(missing_docs, clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

fn elif(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_elif"))
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn blog_sources() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/blog/src");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    files
}

#[test]
fn expands_every_file_of_the_example_without_errors() {
    for file in blog_sources() {
        let output = elif(&["expand", file.to_str().unwrap()]);
        assert!(
            output.status.success(),
            "{}: {}",
            file.display(),
            text(&output.stderr)
        );
        let code = text(&output.stdout);
        syn::parse_file(&code)
            .unwrap_or_else(|e| panic!("{}: output does not parse: {e}", file.display()));
        for attribute in [
            "#[injectable",
            "#[controller",
            "#[module",
            "#[guard",
            "#[get(",
            "#[post(",
            "#[elif::main",
        ] {
            assert!(
                !code.contains(attribute),
                "{}: {attribute} left unexpanded",
                file.display()
            );
        }
    }
}

#[test]
fn expands_one_item_of_a_file() {
    let posts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/blog/src/posts.rs");
    let output = elif(&["expand", posts.to_str().unwrap(), "PostsController"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let code = text(&output.stdout);
    assert!(
        code.contains("impl ::elif::__private::Controller for PostsController"),
        "{code}"
    );
    assert!(code.contains("\"PostsController::show\""), "{code}");
    assert!(
        !code.contains("struct PostService"),
        "only the named item: {code}"
    );

    let missing = elif(&["expand", posts.to_str().unwrap(), "Nope"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stderr).contains("no top-level item named `Nope`"));
}

#[test]
fn expand_shows_macro_errors_like_rustc_and_exits_1() {
    let dir = std::env::temp_dir().join(format!("elif-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.rs");
    std::fs::write(
        &file,
        "use elif::prelude::*;\n\n#[injectable(scpoe = \"request\")]\npub struct Cart {}\n",
    )
    .unwrap();
    let output = elif(&["expand", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    let expected = format!(
        "error: unknown argument `scpoe` for `#[injectable]`; did you mean `scope`? [EL0002]\n       \
         help: expected one of `scope`, `provides`, `on_init`, `on_shutdown`\n \
         --> {}:3:14\n  |\n3 | #[injectable(scpoe = \"request\")]\n  |              ^^^^^\n",
        file.display()
    );
    assert!(stderr.starts_with(&expected), "{stderr}");
    // The expansion still goes to stdout, with the compile_error! in place.
    assert!(text(&output.stdout).contains("compile_error!"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn explain_prints_the_catalogue_entry() {
    let output = elif(&["explain", "el1001"]);
    assert!(output.status.success());
    let stdout = text(&output.stdout);
    assert!(stdout.starts_with("EL1001: missing provider"), "{stdout}");
    assert!(
        stdout.contains("Wrong:") && stdout.contains("Right:"),
        "{stdout}"
    );
    assert!(stdout.contains("https://elif.rs/errors/EL1001"), "{stdout}");

    let unknown = elif(&["explain", "EL10"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        text(&unknown.stderr).contains("EL1001"),
        "suggests neighbours"
    );

    let list = text(&elif(&["explain", "--list"]).stdout);
    let errors_md =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/errors.md"))
            .unwrap();
    assert_eq!(
        list.lines().count(),
        errors_md.matches("\n## EL").count(),
        "one line per catalogue entry"
    );
    assert!(list.contains("EL1003  captive dependency"), "{list}");
}

/// `elif routes` runs `$CARGO run --quiet -- routes ..` and passes its exit
/// code through. A stand-in for cargo records the arguments it gets (the
/// real `cargo run` cannot run inside `cargo test`, which holds the build
/// directory's lock).
#[test]
fn routes_map_and_check_delegate_to_the_app_through_cargo_run() {
    let dir = std::env::temp_dir().join(format!("elif-cli-cargo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let stub = dir.join("cargo");
    let log = dir.join("args");
    std::fs::write(
        &stub,
        format!("#!/bin/sh\necho \"$@\" > {}\nexit 2\n", log.display()),
    )
    .unwrap();
    let mut permissions = std::fs::metadata(&stub).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&stub, permissions).unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_elif"))
        .args(["check", "-p", "example-blog", "--json"])
        .env("CARGO", &stub)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "the app's exit code comes through"
    );
    assert_eq!(
        std::fs::read_to_string(&log).unwrap().trim(),
        "run --quiet --package example-blog -- check --json"
    );
    let _ = std::fs::remove_dir_all(dir);
}
