//! `elif dev`: serves the app in this directory and, on every saved change,
//! rebuilds it and swaps the running process, keeping the listening socket
//! open across restarts: `elif dev` binds it once and hands it to each
//! process as `LISTEN_FDS` (fd 3, systemd's socket activation), which the
//! runtime takes instead of binding. A request sent while the app restarts
//! waits in the socket's queue and is answered by the new process: no
//! connection is refused.
//!
//! The old process keeps serving while the new build compiles; a build
//! that fails leaves it serving, and the compiler's errors are printed with
//! elif's codes (`elif explain ELxxxx`). Each swap prints the time from the
//! save to the first answer of the new process.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use command_fds::{CommandFdExt, FdMapping};
use notify::{RecursiveMode, Watcher};
use socket2::{Domain, Protocol, Socket, Type};

/// What `elif dev` serves.
#[derive(Debug, Clone)]
pub struct Options {
    /// The app's directory.
    pub dir: PathBuf,
    /// `host:port` to listen on.
    pub address: String,
    /// `cargo build --package`.
    pub package: Option<String>,
    /// `cargo build --bin`.
    pub bin: Option<String>,
}

/// The paths whose changes rebuild the app.
const WATCHED: [&str; 6] = [
    "src",
    "migrations",
    "Cargo.toml",
    "build.rs",
    "elif.toml",
    ".env",
];

/// The listening socket, as the runtime would make it.
fn listen(address: &str) -> Result<(Socket, SocketAddr), String> {
    let mut failure = String::from("no address");
    let addresses = address
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {address}: {e}"))?;
    for addr in addresses {
        let bound = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
            .and_then(|socket| {
                socket.set_reuse_address(true)?;
                socket.bind(&addr.into())?;
                socket.listen(1024)?;
                Ok(socket)
            });
        match bound {
            Ok(socket) => {
                let local = socket
                    .local_addr()
                    .ok()
                    .and_then(|a| a.as_socket())
                    .unwrap_or(addr);
                return Ok((socket, local));
            }
            Err(error) => failure = error.to_string(),
        }
    }
    Err(format!("cannot listen on {address}: {failure}"))
}

/// What a build gave.
enum Build {
    /// The app's executable.
    Built(PathBuf),
    /// It did not compile; the errors are printed.
    Failed,
}

/// `cargo build`, its diagnostics printed as the compiler renders them
/// and each of elif's codes named once more at the end.
fn build(options: &Options) -> Result<Build, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(["build", "--message-format=json-diagnostic-rendered-ansi"])
        .current_dir(&options.dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(package) = &options.package {
        command.args(["--package", package]);
    }
    if let Some(bin) = &options.bin {
        command.args(["--bin", bin]);
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stdout = child.stdout.take().ok_or("cargo has no output")?;
    let mut executables = Vec::new();
    let mut codes: Vec<String> = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| e.to_string())?;
        if line.contains("\"reason\":\"compiler-message\"") {
            if let Some(rendered) = json_field(&line, "rendered") {
                eprint!("{rendered}");
                codes.extend(elif_codes(&rendered));
            }
        } else if line.contains("\"reason\":\"compiler-artifact\"")
            && let Some(executable) = json_field(&line, "executable")
        {
            executables.push(PathBuf::from(executable));
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if !status.success() {
        codes.sort();
        codes.dedup();
        if !codes.is_empty() {
            eprintln!(
                "elif: the build failed with {}: `elif explain <CODE>` says what each means and how to fix it",
                codes.join(", ")
            );
        }
        return Ok(Build::Failed);
    }
    let wanted = options.bin.clone().or_else(|| options.package.clone());
    let executable = match wanted {
        Some(name) => executables
            .into_iter()
            .find(|path| path.file_stem().is_some_and(|stem| stem == name.as_str())),
        None if executables.len() == 1 => executables.pop(),
        None => {
            return Err(format!(
                "the package has {} binaries: choose one with `--bin`",
                executables.len()
            ));
        }
    };
    executable
        .map(Build::Built)
        .ok_or_else(|| "the build made no binary to serve".to_owned())
}

/// elif's codes (`[EL0031]`) in a rendered diagnostic.
fn elif_codes(rendered: &str) -> Vec<String> {
    let mut codes = Vec::new();
    let mut rest = rendered;
    while let Some(at) = rest.find("EL") {
        let code = &rest[at..];
        if code.len() >= 6 && code.as_bytes()[2..6].iter().all(u8::is_ascii_digit) {
            let before = rendered.len() - rest.len() + at;
            let boundary = before == 0
                || !rendered.as_bytes()[before - 1].is_ascii_alphanumeric()
                    && code
                        .as_bytes()
                        .get(6)
                        .is_none_or(|b| !b.is_ascii_alphanumeric());
            if boundary {
                codes.push(code[..6].to_owned());
            }
        }
        rest = &rest[at + 2..];
    }
    codes
}

/// The string value of `"name":"..."` in a line of cargo's JSON, unescaped.
fn json_field(line: &str, name: &str) -> Option<String> {
    let start = line.find(&format!("\"{name}\":\""))? + name.len() + 4;
    let mut out = String::new();
    let mut chars = line[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    let unit = u32::from_str_radix(&hex, 16).ok()?;
                    out.push(char::from_u32(unit).unwrap_or('\u{fffd}'));
                }
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

/// Starts the app's process with the socket as fd 3.
fn spawn(executable: &Path, socket: &Socket, dir: &Path) -> Result<Child, String> {
    let handed = socket
        .try_clone()
        .map_err(|e| format!("cannot hand the socket over: {e}"))?;
    let mut command = Command::new(executable);
    command
        .current_dir(dir)
        .env("LISTEN_FDS", "1")
        .env_remove("LISTEN_PID")
        .fd_mappings(vec![FdMapping {
            parent_fd: handed.into(),
            child_fd: 3,
        }])
        .map_err(|e| e.to_string())?;
    command
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", executable.display()))
}

/// Waits until the app answers `GET /health` through the socket (a
/// request sent before it accepts waits in the queue), or stops.
fn wait_until_serving(addr: SocketAddr, child: &mut Child) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("the app stopped before serving ({status})"));
        }
        if let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
            let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
            let request = "GET /health HTTP/1.1\r\nHost: elif-dev\r\nConnection: close\r\n\r\n";
            if stream.write_all(request.as_bytes()).is_ok() {
                let mut head = [0_u8; 12];
                if stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.") {
                    return Ok(());
                }
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Err("the app did not answer within 120 s".to_owned())
}

/// Stops the app's process: SIGTERM (it drains its requests), then, after
/// 10 s, SIGKILL.
fn stop(child: &mut Child) {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    if let Ok(pid) = i32::try_from(child.id()) {
        let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Serves the app until interrupted.
pub fn run(options: &Options) -> Result<(), String> {
    let dir = options
        .dir
        .canonicalize()
        .map_err(|e| format!("cannot use {}: {e}", options.dir.display()))?;
    let options = &Options {
        dir,
        ..options.clone()
    };
    let (socket, addr) = listen(&options.address)?;
    let (events, changes) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && !matches!(event.kind, notify::EventKind::Access(_))
        {
            let _ = events.send(event.paths);
        }
    })
    .map_err(|e| format!("cannot watch files: {e}"))?;
    for path in WATCHED {
        let path = options.dir.join(path);
        if path.exists() {
            watcher
                .watch(&path, RecursiveMode::Recursive)
                .map_err(|e| format!("cannot watch {}: {e}", path.display()))?;
        }
    }
    println!(
        "elif dev: http://{addr} (the socket stays open while the app rebuilds); watching {}",
        WATCHED.join(", ")
    );
    let started = Instant::now();
    let mut running: Option<Child> = None;
    let mut since = started;
    loop {
        match build(options)? {
            Build::Failed if running.is_some() => {
                println!("elif dev: the build failed; the previous build keeps serving");
            }
            Build::Failed => println!("elif dev: the build failed; waiting for a change"),
            Build::Built(executable) => {
                let built = since.elapsed();
                if let Some(mut old) = running.take() {
                    stop(&mut old);
                }
                let mut child = spawn(&executable, &socket, &options.dir)?;
                match wait_until_serving(addr, &mut child) {
                    Ok(()) => println!(
                        "elif dev: serving (pid {}) {} ms after the {} (build {} ms)",
                        child.id(),
                        since.elapsed().as_millis(),
                        if since == started { "start" } else { "save" },
                        built.as_millis()
                    ),
                    Err(why) => println!("elif dev: {why}; waiting for a change"),
                }
                running = Some(child);
            }
        }
        let _ = std::io::stdout().flush();
        // The next change, and whatever else is saved with it.
        let Ok(first) = changes.recv() else {
            return Ok(());
        };
        since = Instant::now();
        let mut paths = first;
        while let Ok(more) = changes.recv_timeout(Duration::from_millis(100)) {
            paths.extend(more);
        }
        paths.sort();
        paths.dedup();
        let shown: Vec<String> = paths
            .iter()
            .map(|p| {
                p.strip_prefix(&options.dir)
                    .unwrap_or(p)
                    .display()
                    .to_string()
            })
            .collect();
        println!("elif dev: changed {}; rebuilding", shown.join(", "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_json_fields_are_read_and_unescaped() {
        let line = r#"{"reason":"compiler-artifact","executable":"/t/debug/shop","fresh":true}"#;
        assert_eq!(
            json_field(line, "executable").as_deref(),
            Some("/t/debug/shop")
        );
        let message = r#"{"reason":"compiler-message","message":{"children":[{"rendered":null}],"rendered":"error: `u64` [EL0031]\n  \u001b[1m\"a\\b\""}}"#;
        assert_eq!(
            json_field(message, "rendered").as_deref(),
            Some("error: `u64` [EL0031]\n  \u{1b}[1m\"a\\b\"")
        );
        assert_eq!(json_field(line, "missing"), None);
    }

    #[test]
    fn elif_codes_are_found_in_rendered_errors() {
        assert_eq!(
            elif_codes("error[EL0002]: bad\n  = note: see EL0031, not HELLO1234 or EL12"),
            ["EL0002", "EL0031"]
        );
    }
}
