//! The example's binary as its own command line: `routes`, `map --json`
//! (validated against `docs/map.schema.json`) and `check --json`.

#![allow(missing_docs, clippy::unwrap_used)]

use std::process::{Command, Output};

use serde_json::Value;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_example-blog"))
        .args(args)
        .env("APP_ENV", "development")
        .env_remove("APP__AUTH__TOKEN")
        .env("RUST_LOG", "info")
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// Validates `instance` against `docs/map.schema.json` (or one of its `$defs`).
fn validate(instance: &Value, pointer: &str) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/map.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler
        .add_resource("file:///map.schema.json", schema)
        .unwrap();
    let index = compiler
        .compile(&format!("file:///map.schema.json#{pointer}"), &mut schemas)
        .unwrap();
    if let Err(error) = schemas.validate(instance, index) {
        panic!("{error:#}\n\n{instance:#}");
    }
}

/// The member of `list` whose `field` is `value`.
fn entry<'a>(list: &'a Value, field: &str, value: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|item| item[field] == value)
        .unwrap_or_else(|| panic!("no {field} = {value} in {list:#}"))
}

#[test]
fn routes_lists_one_route_per_line_with_handler_guards_and_source() {
    let output = run(&["routes"]);
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    let create = lines
        .iter()
        .find(|l| l.contains("PostsController::create"))
        .unwrap();
    let columns: Vec<&str> = create
        .split("  ")
        .filter(|c| !c.is_empty())
        .map(str::trim)
        .collect();
    assert_eq!(columns[0], "POST");
    assert_eq!(columns[1], "/posts");
    assert_eq!(columns[3], "guards(Writer)");
    assert!(
        columns[4].starts_with("examples/blog/src/posts.rs:"),
        "{create}"
    );
    assert!(
        !text.contains("/_elif") && !text.contains("/health"),
        "{text}"
    );
    assert!(
        !text.contains('\u{1b}'),
        "no colours when stdout is not a terminal"
    );
}

#[test]
fn map_json_follows_its_schema_and_describes_the_whole_app() {
    let output = run(&["map", "--json"]);
    assert!(output.status.success(), "{output:?}");
    let map: Value = serde_json::from_str(&stdout(&output)).unwrap();
    validate(&map, "");
    assert_eq!(map["app"]["name"], "example-blog");
    let modules: Vec<&str> = map["modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        modules,
        ["AppModule", "AuthModule", "PostsModule", "ContactModule"]
    );
    let service = entry(&map["components"], "name", "PostService");
    assert_eq!(service["module"], "PostsModule");
    assert_eq!(service["dependencies"][1]["kind"], "config");
    assert_eq!(service["dependencies"][1]["section"], "blog");
    let contact = entry(&map["routes"], "path", "/contact");
    assert_eq!(contact["body"]["schema"]["type"], "object");
    let token = entry(&map["config"], "key", "auth.token");
    assert_eq!(token["secret"], true);
}

#[test]
fn map_json_redacts_secrets_set_in_the_environment() {
    let output = Command::new(env!("CARGO_BIN_EXE_example-blog"))
        .args(["map", "--json"])
        .env("APP__AUTH__TOKEN", "correct-horse-battery")
        .output()
        .unwrap();
    let text = stdout(&output);
    assert!(!text.contains("correct-horse-battery"), "{text}");
    let map: Value = serde_json::from_str(&text).unwrap();
    validate(&map, "");
    let token = entry(&map["config"], "key", "auth.token");
    assert_eq!(token["value"], "[redacted]");
    assert_eq!(token["origin"]["name"], "APP__AUTH__TOKEN");
}

#[test]
fn check_json_is_an_empty_list_and_exit_0_when_clean() {
    let output = run(&["check", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let diagnostics: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(diagnostics, serde_json::json!([]));
}

#[test]
fn map_without_json_is_a_readable_summary() {
    let output = run(&["map"]);
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    let line = |start: &str| {
        text.lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no line starting {start:?} in:\n{text}"))
    };
    assert_eq!(line("example-blog"), "example-blog (development)");
    assert!(line("  PostsModule ").contains("examples/blog/src/posts.rs:"));
    assert_eq!(
        line("    imports: AuthModule"),
        "    imports: AuthModule, PostsModule, ContactModule",
        "the root module's imports come first"
    );
    let service: Vec<&str> = line("  PostService ").split_whitespace().collect();
    assert_eq!(
        &service[..5],
        ["PostService", "injectable", "singleton", "<-", "PostStore,"]
    );
    assert!(line("  blog.title ").ends_with("from the default"));
    assert!(line("  POST    /posts ").contains("guards(Writer)"));
}

#[test]
fn a_closed_pipe_is_not_a_panic() {
    // `map --json | head`: the reader goes away before the app has written.
    let mut child = Command::new(env!("CARGO_BIN_EXE_example-blog"))
        .args(["map", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(output.status.success(), "{output:?}");
}
