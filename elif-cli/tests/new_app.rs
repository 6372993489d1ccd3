//! `elif new` end to end: the app it writes, with identity and without,
//! builds and passes its own tests, and again after every generator ran
//! in it (two resources, one belonging to the other, with identity). Each app gets a copy of the workspace's
//! `Cargo.lock` (the same dependency versions, nothing resolved), and all
//! build in one persistent target directory (`target/elif-new`, as
//! trybuild keeps its own), so that only the first run builds actix-web
//! and diesel.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

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

        if auth {
            dev_serves_across_a_change(&dir, &target);
        }

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

/// `GET path` on `port`: the status and the body, or `None` when no
/// answer came (a refused or dropped connection).
fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .ok()?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.get(9..12)?.parse().ok()?;
    let body = response.split_once("\r\n\r\n")?.1.to_owned();
    Some((status, body))
}

/// `elif dev` serves the app, and after a one-line change serves the new
/// build, while a client sending requests all along gets every answer.
fn dev_serves_across_a_change(dir: &Path, target: &Path) {
    let mut dev = Command::new(env!("CARGO_BIN_EXE_elif"))
        .args(["dev", "--port", "0"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_NET_OFFLINE", "true")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run `elif dev`");
    let (lines, said) = mpsc::channel();
    let stdout = dev.stdout.take().expect("its output");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let mut pids = Vec::new();
    let mut next = |what: &str| -> String {
        loop {
            let line = said
                .recv_timeout(Duration::from_secs(600))
                .unwrap_or_else(|_| panic!("`elif dev` did not say {what}"));
            if let Some(pid) = line
                .split("(pid ")
                .nth(1)
                .and_then(|rest| rest.split(')').next())
            {
                pids.push(pid.to_owned());
            }
            if line.contains(what) {
                return line;
            }
        }
    };
    let first = next("elif dev: http://");
    let port: u16 = first
        .split("http://127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|port| port.parse().ok())
        .expect("the port");
    next("after the start");
    assert_eq!(get(port, "/health").map(|(status, _)| status), Some(200));

    // A client asks all along; the change is saved meanwhile.
    let done = Arc::new(AtomicBool::new(false));
    let (answered, unanswered) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let client = {
        let (done, answered, unanswered) = (done.clone(), answered.clone(), unanswered.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                match get(port, "/health") {
                    Some((200, _)) => answered.fetch_add(1, Ordering::Relaxed),
                    _ => unanswered.fetch_add(1, Ordering::Relaxed),
                };
            }
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let notes = dir.join("src/notes.rs");
    let source = std::fs::read_to_string(&notes).unwrap();
    let changed = source.replacen(
        "    // <<<ELIF:BEGIN agent-editable:routes>>>\n",
        "    // <<<ELIF:BEGIN agent-editable:routes>>>\n    #[get(\"/version\")] #[public] async fn version(&self) -> &'static str { \"two\" }\n",
        1,
    );
    assert_ne!(changed, source);
    std::fs::write(&notes, changed).unwrap();
    let swapped = next("after the save");
    std::thread::sleep(Duration::from_millis(300));
    done.store(true, Ordering::Relaxed);
    client.join().unwrap();
    let version = get(port, "/notes/version");
    let _ = dev.kill();
    let _ = dev.wait();
    for pid in &pids {
        let _ = Command::new("kill").arg(pid).stderr(Stdio::null()).status();
    }
    std::fs::write(&notes, source).unwrap();
    assert_eq!(
        version,
        Some((200, "two".to_owned())),
        "the new build serves"
    );
    assert!(answered.load(Ordering::Relaxed) > 0);
    assert_eq!(
        unanswered.load(Ordering::Relaxed),
        0,
        "every request sent while the app rebuilt and restarted was answered ({} were)",
        answered.load(Ordering::Relaxed)
    );
    eprintln!("elif dev, a one-line change: {swapped}");
}
