//! `elif new` end to end: the app it writes, with identity and without,
//! builds and passes its own tests, and again after every generator ran
//! in it (two resources, one belonging to the other, with identity). Each app gets a copy of the workspace's
//! `Cargo.lock` (the same dependency versions, nothing resolved), and all
//! build in one persistent target directory (`target/elif-new`, as
//! trybuild keeps its own), so that only the first run builds actix-web
//! and diesel.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("the workspace")
}

#[test]
fn a_new_app_builds_and_passes_its_tests_with_and_without_identity() {
    let workspace = workspace();
    let target = workspace.join("target").join("elif-new");
    let apps = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("elif-new");
    for (name, auth) in [("fresh-app", true), ("fresh-plain", false)] {
        let dir = apps.join(name);
        let _ = std::fs::remove_dir_all(&dir);
        let started = Instant::now();
        let mut new = Command::new(env!("CARGO_BIN_EXE_elif"));
        new.args(["new", name, "--dir"])
            .arg(&dir)
            .arg("--elif-path")
            .arg(&workspace);
        if !auth {
            new.arg("--no-auth");
        }
        let made = new.output().expect("run `elif new`");
        assert!(
            made.status.success(),
            "{}",
            String::from_utf8_lossy(&made.stderr)
        );
        std::fs::copy(workspace.join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy the lock");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let tested = Command::new(cargo)
            .args(["test", "--offline", "--quiet"])
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", &target)
            .output()
            .expect("run cargo test in the new app");
        let stdout = String::from_utf8_lossy(&tested.stdout);
        let stderr = String::from_utf8_lossy(&tested.stderr);
        assert!(tested.status.success(), "{name}: {stdout}\n{stderr}");
        assert!(
            stdout.contains("test result: ok. 1 passed"),
            "{name}: its test ran: {stdout}"
        );
        eprintln!(
            "{name}: `elif new` to a passing `cargo test` in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        // Components generated into it are declared, registered and built,
        // and its tests (one generated) still pass.
        // A model's migration comes from the model: `elif generate` runs
        // the app's `migrate generate`, built in the same target directory.
        let elif = |args: &[&str]| {
            let mut command = Command::new(env!("CARGO_BIN_EXE_elif"));
            command
                .args(args)
                .current_dir(&dir)
                .env("CARGO_TARGET_DIR", &target)
                .env("CARGO_NET_OFFLINE", "true");
            command.output().expect("run `elif`")
        };
        let baseline = elif(&["migrate", "generate", "nothing_yet"]);
        assert!(
            String::from_utf8_lossy(&baseline.stdout).starts_with("nothing to generate"),
            "the new app's schema snapshot is what its migrations create: {}{}",
            String::from_utf8_lossy(&baseline.stdout),
            String::from_utf8_lossy(&baseline.stderr)
        );
        let generate = |args: &[&str]| {
            let generated = elif(&[&["generate"], args].concat());
            assert!(
                generated.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&generated.stderr)
            );
            String::from_utf8_lossy(&generated.stdout).into_owned()
        };
        let dry = generate(&["module", "Orders", "--dry-run", "--json"]);
        assert!(
            dry.starts_with("{\"writes\": [") && !dir.join("src/orders.rs").exists(),
            "{dry}"
        );
        generate(&["module", "Orders"]);
        generate(&["controller", "Orders"]);
        generate(&["service", "Orders"]);
        generate(&["guard", "Staff", "--module", "OrdersModule"]);
        generate(&["migration", "create_orders"]);
        generate(&["test", "Orders"]);
        // A model with its migrations, its repository in OrdersModule; with
        // identity, it belongs to a user.
        let mut model = vec![
            "model",
            "Order",
            "reference:string",
            "total:int",
            "paid:bool?",
        ];
        if auth {
            model.push("buyer:belongs_to(User)");
        }
        model.extend(["--module", "OrdersModule"]);
        generate(&model);
        // Two resources, the second belonging to the first; and a policy.
        // Without identity, a resource is refused (it is guarded).
        let post = [
            "resource",
            "Post",
            "title:string",
            "body:text",
            "published:bool",
            "author:belongs_to(User)",
        ];
        let comment = [
            "resource",
            "Comment",
            "body:text",
            "post:belongs_to(Post)",
            "author:belongs_to(User)",
            "--private",
        ];
        if auth {
            generate(&post);
            generate(&comment);
            generate(&["policy", "Order"]);
        } else {
            let refused = Command::new(env!("CARGO_BIN_EXE_elif"))
                .arg("generate")
                .args(&post[..5])
                .arg("--dir")
                .arg(&dir)
                .output()
                .expect("run `elif generate resource`");
            assert_eq!(refused.status.code(), Some(2));
            assert!(
                String::from_utf8_lossy(&refused.stderr).contains("`User` model (elif-auth)"),
                "{}",
                String::from_utf8_lossy(&refused.stderr)
            );
            assert!(!dir.join("src/post.rs").exists(), "nothing written");
        }
        let again = Command::new(env!("CARGO_BIN_EXE_elif"))
            .args(["generate", "module", "Orders", "--dir"])
            .arg(&dir)
            .output()
            .expect("run `elif generate` again");
        assert_eq!(
            again.status.code(),
            Some(2),
            "an existing module is refused"
        );
        // Each model's table came from it, and the snapshot followed.
        let folders: Vec<String> = std::fs::read_dir(dir.join("migrations"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let tables: &[&str] = if auth {
            &["create_orders", "create_posts", "create_comments"]
        } else {
            &["create_orders"]
        };
        for table in tables {
            let generated = folders
                .iter()
                .filter(|f| f.ends_with(&format!("_{table}")))
                .count();
            // `create_orders` is there twice: the empty one written by hand,
            // then the model's.
            let expected = if *table == "create_orders" { 2 } else { 1 };
            assert_eq!(generated, expected, "{table}: {folders:?}");
        }
        let settled = elif(&["migrate", "generate", "nothing_more"]);
        assert!(
            String::from_utf8_lossy(&settled.stdout).starts_with("nothing to generate"),
            "{}{}",
            String::from_utf8_lossy(&settled.stdout),
            String::from_utf8_lossy(&settled.stderr)
        );
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let retested = Command::new(cargo)
            .args(["test", "--offline", "--quiet"])
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", &target)
            .output()
            .expect("run cargo test after generating");
        let stdout = String::from_utf8_lossy(&retested.stdout);
        assert!(
            retested.status.success(),
            "{name} after generating: {stdout}\n{}",
            String::from_utf8_lossy(&retested.stderr)
        );
        assert_eq!(
            stdout.matches("test result: ok. 1 passed").count(),
            2,
            "{stdout}"
        );
        assert_eq!(
            stdout.matches("test result: ok. 3 passed").count(),
            if auth { 2 } else { 0 },
            "each resource's three tests: {stdout}"
        );
        eprintln!(
            "{name}: `elif new`, generators and a passing `cargo test` in {:.1} s",
            started.elapsed().as_secs_f64()
        );

        // A second `elif new` into the same directory writes nothing.
        let again = Command::new(env!("CARGO_BIN_EXE_elif"))
            .args(["new", name, "--dir"])
            .arg(&dir)
            .output()
            .expect("run `elif new` again");
        assert_eq!(again.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&again.stderr).contains("is not empty: nothing written"));
    }
}
