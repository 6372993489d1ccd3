//! The example's binary as its own command line: `routes`, `map --json`
//! (validated against `docs/map.schema.json`), `check --json` and
//! `migrate`, each on an SQLite file of its own.

#![allow(missing_docs, clippy::unwrap_used)]

use std::process::{Command, Output};

use serde_json::Value;

/// An SQLite file for one test (removed first).
fn database(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("elif-blog-commands-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.sqlite3"));
    let _ = std::fs::remove_file(&file);
    format!("sqlite://{}", file.display())
}

fn run_on(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_example-blog"))
        .args(args)
        .env("APP_ENV", "development")
        .env("DATABASE_URL", url)
        .env_remove("APP__AUTH__JWT__SECRETS")
        .env("RUST_LOG", "info")
        .output()
        .unwrap()
}

fn run(args: &[&str]) -> Output {
    run_on(&database(&args.join("_").replace('-', "")), args)
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
    assert_eq!(lines.len(), 18, "{text}");
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
    assert_eq!(columns[3], "auth:required");
    assert_eq!(
        columns[4],
        "requires(permission:posts.write) guards(Authenticated) interceptors(Transactional)"
    );
    assert!(
        columns[5].starts_with("examples/blog/src/posts.rs:"),
        "{create}"
    );
    let delete = lines
        .iter()
        .find(|l| l.contains("PostsController::delete"))
        .unwrap();
    assert!(
        delete.contains("auth:required")
            && delete.contains("requires(role:admin) guards(Authenticated)"),
        "{delete}"
    );
    let list = lines
        .iter()
        .find(|l| l.contains("PostsController::list"))
        .unwrap();
    assert!(list.contains("auth:public"), "{list}");
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
        [
            "AppModule",
            "AccountsModule",
            "AuthModule",
            "AuthDataModule",
            "DataModule",
            "ModelsModule",
            "PostsModule",
            "ContactModule",
            "SeedModule"
        ]
    );
    let post = entry(&map["models"], "name", "Post");
    assert_eq!(post["table"], "posts");
    let tags = entry(&post["relations"], "name", "tags");
    assert_eq!(tags["kind"], "many_to_many");
    assert_eq!(tags["through"], "PostTag");
    let service = entry(&map["components"], "name", "PostService");
    assert_eq!(service["module"], "PostsModule");
    let config = entry(&service["dependencies"], "kind", "config");
    assert_eq!(config["section"], "blog");
    let contact = entry(&map["routes"], "path", "/contact");
    assert_eq!(contact["body"]["schema"]["type"], "object");
    let secrets = entry(&map["config"], "key", "auth.jwt.secrets");
    assert_eq!(secrets["secret"], true);
    let tokens = entry(&map["modules"], "name", "AuthDataModule");
    assert_eq!(
        tokens["migrations"],
        serde_json::json!({
            "namespace": "elif_auth",
            "versions": [
                "elif_auth/2026-12-05-000001_create_api_tokens",
                "elif_auth/2026-12-05-000002_create_one_time_tokens"
            ]
        }),
        "a package's migrations, under its namespace"
    );
    let guard = entry(&map["components"], "name", "Authenticated");
    let optional = entry(&guard["dependencies"], "field", "api_tokens");
    assert_eq!(optional["kind"], "optional");
    let policy = entry(&map["components"], "name", "PostPolicy");
    assert_eq!(
        policy["provides"],
        serde_json::json!(["dyn Policy<Author, Post>"])
    );
    let delete = map["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["handler"] == "PostsController::delete")
        .unwrap();
    assert_eq!(delete["requires"], serde_json::json!(["role:admin"]));
    assert_eq!(
        delete["authentication"]["guards"],
        serde_json::json!(["Authenticated"])
    );
}

#[test]
fn map_json_redacts_secrets_set_in_the_environment() {
    let output = Command::new(env!("CARGO_BIN_EXE_example-blog"))
        .args(["map", "--json"])
        .env(
            "APP__AUTH__JWT__SECRETS",
            r#"["correct-horse-battery-staple-0123456789"]"#,
        )
        .output()
        .unwrap();
    let text = stdout(&output);
    assert!(!text.contains("correct-horse-battery"), "{text}");
    let map: Value = serde_json::from_str(&text).unwrap();
    validate(&map, "");
    let secrets = entry(&map["config"], "key", "auth.jwt.secrets");
    assert_eq!(secrets["value"], "[redacted]");
    assert_eq!(secrets["origin"]["name"], "APP__AUTH__JWT__SECRETS");
    assert_eq!(
        map["diagnostics"],
        serde_json::json!([]),
        "a JSON array in a variable sets the list"
    );
}

#[test]
fn check_exits_2_until_migrated_then_0_with_an_empty_list() {
    let url = database("check");
    let pending = run_on(&url, &["check", "--json"]);
    assert_eq!(pending.status.code(), Some(2), "{pending:?}");
    let diagnostics: Value = serde_json::from_str(&stdout(&pending)).unwrap();
    assert_eq!(diagnostics[0]["code"], "EL4001");
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("7 pending migrations: elif_auth/2026-12-05-000001_create_api_tokens, elif_auth/2026-12-05-000002_create_one_time_tokens, 2026-11-26-000001_create_authors_and_posts"),
        "{diagnostics}"
    );

    let up = run_on(&url, &["migrate", "up"]);
    assert!(up.status.success(), "{up:?}");
    assert!(
        stdout(&up).starts_with("applied 7:\n  elif_auth/2026-12-05-000001_create_api_tokens\n"),
        "the package's first: {}",
        stdout(&up)
    );
    let clean = run_on(&url, &["check", "--json"]);
    assert_eq!(clean.status.code(), Some(0), "{clean:?}");
    let diagnostics: Value = serde_json::from_str(&stdout(&clean)).unwrap();
    assert_eq!(diagnostics, serde_json::json!([]));
}

#[test]
fn migrate_status_down_and_redo() {
    let url = database("migrate");
    assert!(run_on(&url, &["migrate", "up"]).status.success());
    let status = stdout(&run_on(&url, &["migrate", "status"]));
    let lines: Vec<&str> = status.lines().collect();
    assert_eq!(lines.len(), 7, "{status}");
    let first: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(
        &first[..3],
        [
            "elif_auth/2026-12-05-000001",
            "create_api_tokens",
            "applied"
        ],
        "{status}"
    );
    let second: Vec<&str> = lines[2].split_whitespace().collect();
    assert_eq!(
        &second[..3],
        ["2026-11-26-000001", "create_authors_and_posts", "applied"],
        "{status}"
    );
    assert!(lines.iter().all(|l| l.contains(" applied ")), "{status}");

    let down = run_on(&url, &["migrate", "down", "2"]);
    assert_eq!(
        stdout(&down),
        "reverted 2:\n  2026-12-04-000005_accounts\n  2026-11-26-000004_create_messages\n"
    );
    let status = stdout(&run_on(&url, &["migrate", "status"]));
    assert_eq!(status.matches(" pending").count(), 2, "{status}");
    let check = run_on(&url, &["check"]);
    assert_eq!(check.status.code(), Some(2), "{check:?}");
    assert!(
        stdout(&check).contains("2 pending migrations"),
        "{}",
        stdout(&check)
    );

    assert!(run_on(&url, &["migrate", "up"]).status.success());
    let redo = run_on(&url, &["migrate", "redo"]);
    assert_eq!(stdout(&redo), "redone: 2026-12-04-000005_accounts\n");
    let bad = run_on(&url, &["migrate", "down", "many"]);
    assert_eq!(bad.status.code(), Some(2), "a usage error: {bad:?}");
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
        line("    migrations: "),
        "    migrations: elif_auth/2026-12-05-000001_create_api_tokens, elif_auth/2026-12-05-000002_create_one_time_tokens"
    );
    assert_eq!(
        line("    imports: AccountsModule"),
        "    imports: AccountsModule, PostsModule, ContactModule, SeedModule",
        "the root module's imports come first"
    );
    let service: Vec<&str> = line("  PostService ").split_whitespace().collect();
    assert_eq!(
        &service[..5],
        [
            "PostService",
            "injectable",
            "singleton",
            "<-",
            "Repository<Author>,"
        ]
    );
    assert!(line("  Post (table posts)").contains("examples/blog/src/models.rs:"));
    assert!(line("  blog.title ").ends_with("from the default"));
    assert!(line("  POST    /posts ").contains("guards(Authenticated)"));
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

#[test]
fn packages_add_commands_to_the_binary() {
    let help = stdout(&run(&["--help"]));
    assert!(
        help.contains("auth:prune") && help.contains("Delete expired API tokens"),
        "{help}"
    );
    let url = database("prune");
    let pruned = run_on(&url, &["auth:prune"]);
    assert!(pruned.status.success(), "{pruned:?}");
    assert_eq!(
        stdout(&pruned),
        "deleted 0 expired API token(s) and 0 expired link(s)\n",
        "the app booted (migrations applied) before the command ran"
    );
    let extra = run_on(&url, &["auth:prune", "now"]);
    assert!(!extra.status.success(), "{extra:?}");
    assert!(
        String::from_utf8_lossy(&extra.stderr).contains("takes no arguments"),
        "{extra:?}"
    );
}

#[test]
fn explain_knows_elif_s_codes_and_those_of_the_packages_the_app_links() {
    let own = run(&["explain", "EL5001"]);
    assert!(own.status.success(), "{own:?}");
    let text = stdout(&own);
    assert!(
        text.starts_with("EL5001: JWT configuration invalid\n"),
        "{text}"
    );
    assert!(
        text.contains("https://elif.rs/packages/elif-auth"),
        "{text}"
    );
    let core = stdout(&run(&["explain", "el1001"]));
    assert!(core.starts_with("EL1001: "), "{core}");
    let list = stdout(&run(&["explain", "--list"]));
    assert!(
        list.contains("EL5003  API tokens configured without their module (elif-auth)"),
        "{list}"
    );
    let unknown = run(&["explain", "EL5099"]);
    assert_eq!(unknown.status.code(), Some(2), "{unknown:?}");
}
