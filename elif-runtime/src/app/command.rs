//! The app binary's command line: `serve` (the default), `check`, `routes`
//! and `map`. Only the requested output goes to stdout, so `--json` output
//! can be piped; logs go to stderr.

use std::ffi::OsString;

use clap::{Arg, ArgAction, Command};

use crate::app::{App, serve};
use crate::error::Error;

fn cli(name: &'static str) -> Command {
    Command::new(name)
        .about("An elif application. Without a command, serves HTTP.")
        .subcommand(Command::new("serve").about("Boot the app and serve HTTP on HOST:PORT (default 127.0.0.1:8080)"))
        .subcommand(
            Command::new("check")
                .about("Run every boot-time check (graph, scopes, modules, routes, config) without serving or running hooks; exit 0 clean, 1 on errors")
                .arg(Arg::new("quiet").long("quiet").short('q').action(ArgAction::SetTrue).help("Print nothing when clean"))
                .arg(json_flag("Print the diagnostics as a JSON array of {code, severity, title, message, hint, location}")),
        )
        .subcommand(Command::new("routes").about("List every route: method, path, handler, guards/interceptors/filters, source"))
        .subcommand(
            Command::new("map")
                .about("Describe the whole app: modules, components, routes, models, config keys, problems")
                .arg(json_flag("Print the map as JSON (format `elif.map`, schema in docs/map.schema.json)")),
        )
}

fn json_flag(help: &'static str) -> Arg {
    Arg::new("json")
        .long("json")
        .action(ArgAction::SetTrue)
        .help(help)
}

pub(crate) async fn run<I, S>(app: App, args: I) -> crate::Result<()>
where
    I: IntoIterator<Item = S>,
    S: Into<OsString> + Clone,
{
    let name = super::entry::app_name();
    let matches = match cli(name).try_get_matches_from(args) {
        Ok(matches) => matches,
        Err(error) => {
            let code = u8::try_from(error.exit_code()).unwrap_or(2);
            // clap writes help to stdout and usage errors to stderr itself.
            let _ = error.print();
            return if code == 0 {
                Ok(())
            } else {
                Err(Error::exit(code))
            };
        }
    };
    match matches.subcommand() {
        Some(("check", args)) => check(app, args.get_flag("quiet"), args.get_flag("json")),
        Some(("routes", _)) => {
            out(&app.map().routes_table());
            Ok(())
        }
        Some(("map", args)) => {
            let map = app.map();
            if args.get_flag("json") {
                out(&format!("{}\n", map.to_json()));
            } else {
                out(&map.summary());
            }
            Ok(())
        }
        _ => serve::serve(app.boot().await?).await,
    }
}

fn check(app: App, quiet: bool, json: bool) -> crate::Result<()> {
    let report = app.check();
    if json {
        let json = serde_json::to_string_pretty(report.diagnostics()).unwrap_or_default();
        out(&format!("{json}\n"));
    } else if report.is_empty() {
        if !quiet {
            out("ok: the dependency graph, modules, routes and config are valid\n");
        }
    } else {
        out(&format!("{report}\n"));
    }
    match report.exit_code() {
        0 => Ok(()),
        code => Err(Error::exit(code)),
    }
}

/// Writes a command's output to stdout. A closed pipe (`map --json | head`)
/// is not an error: the reader has what it wanted.
fn out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}
