//! The app binary's command line: `serve` (the default) and `check`; the
//! inspection and data issues add `routes`, `map` and `migrate`.

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
                .about("Run every boot-time check (graph, modules, config) without serving; exit 1 on errors")
                .arg(Arg::new("quiet").long("quiet").short('q').action(ArgAction::SetTrue).help("Print nothing when clean")),
        )
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
        Some(("check", args)) => check(app, args.get_flag("quiet")),
        _ => serve::serve(app.boot().await?).await,
    }
}

fn check(app: App, quiet: bool) -> crate::Result<()> {
    let report = app.check();
    if report.is_empty() {
        if !quiet {
            println!("ok: the dependency graph, modules and config are valid");
        }
        return Ok(());
    }
    println!("{report}");
    match report.exit_code() {
        0 => Ok(()),
        code => Err(Error::exit(code)),
    }
}
