//! `elif`: the developer command. `elif --help` lists what it does.

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};
use elif_cli::{delegate, expand, explain, generate, new};

fn cli() -> Command {
    let delegated = |name: &'static str, about: &'static str| {
        Command::new(name)
            .about(about)
            .arg(
                Arg::new("package")
                    .long("package")
                    .short('p')
                    .help("The app's package, in a workspace with several"),
            )
            .arg(
                Arg::new("bin")
                    .long("bin")
                    .help("The app's binary, in a package with several"),
            )
            .arg(
                Arg::new("release")
                    .long("release")
                    .action(ArgAction::SetTrue)
                    .help("Build the app in release mode"),
            )
            .arg(
                Arg::new("args")
                    .num_args(0..)
                    .trailing_var_arg(true)
                    .allow_hyphen_values(true)
                    .value_parser(clap::value_parser!(OsString))
                    .help("Passed to the app's command (e.g. --json)"),
            )
    };
    Command::new("elif")
        .about("The elif developer command")
        .subcommand_required(true)
        .subcommand(
            Command::new("expand")
                .about("Print what elif's macros generate for the items of a source file")
                .long_about(
                    "Print, pretty-printed, the code elif's macros generate for the items of a source \
                     file (or only the named item), from the same code the compiler runs. Works on \
                     stable Rust, without cargo-expand. Errors that elif's own checks find are shown \
                     as the compiler shows them, and the exit code is 1. Errors that need type \
                     information (a type that is not a provider, a handler argument that cannot be \
                     extracted) are the compiler's own: run `cargo check` for those.",
                )
                .arg(Arg::new("file").required(true).help("A Rust source file"))
                .arg(Arg::new("item").help("Only this top-level item (struct, fn, module, or an impl block's type)")),
        )
        .subcommand(
            Command::new("explain")
                .about("Explain an error code: what it means, how to fix it, a wrong and a right example")
                .long_about(
                    "Explain an error code: what it means, how to fix it, a wrong and a right example. \
                     elif's own codes (EL0001-EL4999) are answered here; a package's (EL5000-EL9999) by \
                     the app in this directory, which links the package (runs `cargo run -- explain CODE`).",
                )
                .arg(Arg::new("code").required_unless_present("list").help("A code such as EL1001"))
                .arg(Arg::new("list").long("list").action(ArgAction::SetTrue).help("List every code of elif"))
                .arg(Arg::new("package").long("package").short('p').help("For a package's code: the app's package, in a workspace with several")),
        )
        .subcommand(
            Command::new("new")
                .about("Make a new app: its own Cargo project, whose `cargo run` serves and `cargo test` passes")
                .arg(Arg::new("name").required(true).help("The package name (lower case, digits, `-`, `_`)"))
                .arg(Arg::new("dir").long("dir").help("Where to write it (default: ./<name>; must be empty)"))
                .arg(Arg::new("no-auth").long("no-auth").action(ArgAction::SetTrue).help("Leave out elif-auth (users, sign-up, login)"))
                .arg(
                    Arg::new("elif-path")
                        .long("elif-path")
                        .help("The elif checkout to depend on (default: the one this command was built from)"),
                ),
        )
        .subcommand(
            Command::new("generate")
                .about("Add a component to the app in this directory: its file, declared in src/lib.rs and registered in its module")
                .arg(Arg::new("kind").required(true).value_parser(generate::Kind::NAMES).help("What to generate"))
                .arg(Arg::new("name").required(true).help("Its name: `Orders` (a migration's: `create_orders`)"))
                .arg(Arg::new("fields").num_args(0..).help("A model's or resource's fields: `title:string body:text published:bool? author:belongs_to(User)`"))
                .arg(Arg::new("module").long("module").help("The module to register it in (default: its own `<Name>Module` when there is one, else `AppModule`)"))
                .arg(Arg::new("dir").long("dir").help("The app's directory (default: this one)"))
                .arg(Arg::new("dry-run").long("dry-run").action(ArgAction::SetTrue).help("Print the files and edits; write nothing"))
                .arg(Arg::new("force").long("force").action(ArgAction::SetTrue).help("Regenerate an existing file, carrying its keep zones (a file edited outside them is kept beside it, as <file>.orig)"))
                .arg(Arg::new("json").long("json").action(ArgAction::SetTrue).help("Report the files and edits as JSON"))
                .arg(Arg::new("private").long("private").action(ArgAction::SetTrue).help("A resource whose reads need a signed-in user too (default: reads are public)")),
        )
        .subcommand(
            Command::new("dev")
                .about("Serve the app in this directory, and rebuild and restart it on every saved change, the listening socket kept open (no refused connection)")
                .arg(Arg::new("host").long("host").help("The address to listen on (default: $HOST, else 127.0.0.1)"))
                .arg(Arg::new("port").long("port").value_parser(clap::value_parser!(u16)).help("The port (default: $PORT, else 8080; 0 picks a free one)"))
                .arg(Arg::new("package").long("package").short('p').help("The app's package, in a workspace with several"))
                .arg(Arg::new("bin").long("bin").help("The app's binary, in a package with several"))
                .arg(Arg::new("dir").long("dir").help("The app's directory (default: this one)")),
        )
        .subcommand(delegated("migrate", "Apply, revert or generate the migrations of the app in this directory (runs `cargo run -- migrate ...`; `elif migrate generate add_posts_summary` writes one from the models)"))
        .subcommand(delegated("routes", "List the routes of the app in this directory (runs `cargo run -- routes`)"))
        .subcommand(delegated("map", "Describe the app in this directory (runs `cargo run -- map`; add --json)"))
        .subcommand(delegated("openapi", "Print the OpenAPI 3.1 document of the app in this directory (runs `cargo run -- openapi`; add --yaml, --out FILE)"))
        .subcommand(delegated("check", "Run the boot checks of the app in this directory (runs `cargo run -- check`)"))
}

fn main() -> ExitCode {
    let matches = cli().get_matches();
    let code = match matches.subcommand() {
        Some(("expand", args)) => run_expand(args),
        Some(("explain", args)) => run_explain(args),
        Some(("new", args)) => run_new(args),
        Some(("generate", args)) => run_generate(args),
        Some(("dev", args)) => run_dev(args),
        Some((name, args)) => {
            let target = delegate::Target {
                package: args.get_one::<String>("package").cloned(),
                bin: args.get_one::<String>("bin").cloned(),
                release: args.get_flag("release"),
            };
            let rest: Vec<OsString> = args
                .get_many::<OsString>("args")
                .map(|values| values.cloned().collect())
                .unwrap_or_default();
            delegate::run(&target, name, &rest)
        }
        None => 2,
    };
    ExitCode::from(code)
}

fn run_expand(args: &ArgMatches) -> u8 {
    let path = args
        .get_one::<String>("file")
        .map(String::as_str)
        .unwrap_or_default();
    let only = args.get_one::<String>("item").map(String::as_str);
    let source = match std::fs::read_to_string(path) {
        Ok(source) => source,
        Err(error) => {
            eprintln!("error: cannot read {path}: {error}");
            return 1;
        }
    };
    match expand::expand_source(&source, std::path::Path::new(path), only) {
        Ok(expansion) => {
            out(&expansion.code);
            for error in &expansion.errors {
                eprintln!("{}", expand::render(error, path, &source));
            }
            u8::from(!expansion.errors.is_empty())
        }
        Err(error) => {
            eprintln!("{}", expand::render(&error, path, &source));
            1
        }
    }
}

fn run_explain(args: &ArgMatches) -> u8 {
    if args.get_flag("list") {
        out(&explain::list());
        return 0;
    }
    let code = args
        .get_one::<String>("code")
        .map(String::as_str)
        .unwrap_or_default();
    match explain::explain(code) {
        Some(text) => {
            out(&text);
            0
        }
        None if explain::is_package_code(code) => {
            let target = delegate::Target {
                package: args.get_one::<String>("package").cloned(),
                ..delegate::Target::default()
            };
            delegate::run(&target, "explain", &[OsString::from(code)])
        }
        None => {
            let similar = explain::similar(code);
            eprintln!("error: `{code}` is not an elif error code");
            if !similar.is_empty() {
                eprintln!("  did you mean one of: {}", similar.join(", "));
            }
            eprintln!("  `elif explain --list` lists every code");
            2
        }
    }
}

fn run_generate(args: &ArgMatches) -> u8 {
    let kind = args
        .get_one::<String>("kind")
        .and_then(|k| generate::Kind::parse(k));
    let Some(kind) = kind else {
        eprintln!("error: the kinds are {}", generate::Kind::NAMES.join(", "));
        return 2;
    };
    let name = args.get_one::<String>("name").cloned().unwrap_or_default();
    let dir = args
        .get_one::<String>("dir")
        .map_or_else(|| std::path::PathBuf::from("."), std::path::PathBuf::from);
    let module = args.get_one::<String>("module").map(String::as_str);
    let fields: Vec<String> = args
        .get_many::<String>("fields")
        .map(|values| values.cloned().collect())
        .unwrap_or_default();
    let force = args.get_flag("force");
    let planned = if kind == generate::Kind::Resource {
        if module.is_some() {
            eprintln!(
                "error: a resource is a module of its own, imported by `AppModule`: `--module` does not apply"
            );
            return 2;
        }
        generate::plan_resource(&dir, &name, &fields, force, args.get_flag("private"))
    } else if args.get_flag("private") {
        eprintln!("error: `--private` applies to `generate resource` only");
        return 2;
    } else {
        generate::plan(&dir, kind, &name, module, &fields, force)
    };
    let plan = match planned {
        Ok(plan) => plan,
        Err(error) => {
            eprintln!("error: {error}");
            return 2;
        }
    };
    if args.get_flag("json") {
        out(&plan.to_json());
    } else {
        out(&plan.describe());
    }
    if args.get_flag("dry-run") {
        return 0;
    }
    if let Err(error) = plan.apply() {
        eprintln!("error: {error}");
        return 1;
    }
    // The table's migration, from the model: the app's `migrate generate`.
    let Some(mut command) = plan.migrate_command(&dir) else {
        return 0;
    };
    match command.status() {
        Ok(status) if status.success() => 0,
        Ok(_) => {
            eprintln!(
                "error: the files are written, but the migration is not: once the app builds, run `elif migrate generate {}`",
                plan.migrate.as_deref().unwrap_or_default()
            );
            1
        }
        Err(error) => {
            eprintln!("error: cannot run cargo: {error}");
            1
        }
    }
}

fn run_dev(args: &ArgMatches) -> u8 {
    let host = args
        .get_one::<String>("host")
        .cloned()
        .or_else(|| std::env::var("HOST").ok())
        .unwrap_or_else(|| "127.0.0.1".to_owned());
    let port = args
        .get_one::<u16>("port")
        .copied()
        .or_else(|| std::env::var("PORT").ok().and_then(|p| p.parse().ok()))
        .unwrap_or(8080);
    let options = elif_cli::dev::Options {
        dir: args
            .get_one::<String>("dir")
            .map_or_else(|| std::path::PathBuf::from("."), std::path::PathBuf::from),
        address: format!("{host}:{port}"),
        package: args.get_one::<String>("package").cloned(),
        bin: args.get_one::<String>("bin").cloned(),
    };
    match elif_cli::dev::run(&options) {
        Ok(()) => 0,
        Err(error) => {
            eprintln!("error: {error}");
            1
        }
    }
}

fn run_new(args: &ArgMatches) -> u8 {
    let name = args.get_one::<String>("name").cloned().unwrap_or_default();
    let dir = args
        .get_one::<String>("dir")
        .map_or_else(|| std::path::PathBuf::from(&name), std::path::PathBuf::from);
    let elif_path = args.get_one::<String>("elif-path").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".."),
        std::path::PathBuf::from,
    );
    let elif_path = elif_path.canonicalize().unwrap_or(elif_path);
    let app = new::NewApp {
        name,
        elif_path,
        auth: !args.get_flag("no-auth"),
    };
    match new::create(&dir, &app) {
        Ok(written) => {
            for path in &written {
                println!("  wrote {}", path.display());
            }
            println!(
                "\n{} is ready:\n  cd {}\n  cargo run     # serves on http://127.0.0.1:8080\n  cargo test",
                app.name,
                dir.display()
            );
            0
        }
        Err(error) => {
            eprintln!("error: {error}");
            2
        }
    }
}

/// Writes to stdout; a closed pipe (`elif expand f.rs | head`) is not an error.
fn out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}
