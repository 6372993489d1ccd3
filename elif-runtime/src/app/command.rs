//! The app binary's command line: `serve` (the default), `check`, `routes`,
//! `map`, `openapi`, `migrate`, `db seed`, and the commands the app's modules add
//! (`commands(..)`). Only the requested output goes to stdout, so `--json`
//! output can be piped; logs go to stderr.

use std::ffi::OsString;

use clap::{Arg, ArgAction, Command};

use crate::app::{App, serve};
use crate::data::Migration;
use crate::data::seed::SeederEntry;
use crate::diagnostics::Diagnostic;
use crate::error::Error;
use crate::module::{BUILT_IN_COMMANDS, CommandEntry, ModuleTree, valid_command_name};

/// The commands the modules of `app` add, imports before importers.
pub(crate) fn module_commands(modules: &ModuleTree) -> Vec<CommandEntry> {
    modules
        .order
        .iter()
        .flat_map(|&m| modules.modules[m].descriptor.commands.iter().copied())
        .collect()
}

/// `EL1018` for each command whose name is malformed, elif's own, or
/// another command's.
pub(crate) fn command_problems(commands: &[CommandEntry]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for (i, command) in commands.iter().enumerate() {
        let owner = (command.provider)();
        let problem = if !valid_command_name(command.name) {
            Some(format!(
                "command `{}` of `{}` is not a command name: lower-case words joined by `-`, after `package:` for a package's",
                command.name, owner.name
            ))
        } else if BUILT_IN_COMMANDS.contains(&command.name) {
            Some(format!(
                "command `{}` of `{}` would hide elif's own `{}` command",
                command.name, owner.name, command.name
            ))
        } else {
            commands[..i]
                .iter()
                .find(|other| other.name == command.name)
                .map(|other| {
                    format!(
                        "commands `{}` and `{}` are both named `{}`",
                        (other.provider)().name,
                        owner.name,
                        command.name
                    )
                })
        };
        if let Some(message) = problem {
            problems.push(Diagnostic::error(&elif_catalogue::EL1018, message).at(owner.location));
        }
    }
    problems
}

fn cli(name: &'static str, commands: &[CommandEntry]) -> Command {
    let mut cli = builtin_cli(name);
    for command in commands {
        if valid_command_name(command.name) && !BUILT_IN_COMMANDS.contains(&command.name) {
            cli = cli.subcommand(
                Command::new(command.name).about(command.about).arg(
                    Arg::new("args")
                        .num_args(0..)
                        .trailing_var_arg(true)
                        .allow_hyphen_values(true)
                        .help("Passed to the command"),
                ),
            );
        }
    }
    cli
}

fn builtin_cli(name: &'static str) -> Command {
    Command::new(name)
        .about("An elif application. Without a command, serves HTTP.")
        .subcommand(Command::new("serve").about("Boot the app and serve HTTP on HOST:PORT (default 127.0.0.1:8080)"))
        .subcommand(
            Command::new("check")
                .about("Run every boot-time check (graph, scopes, modules, routes, config, pending migrations) without serving or running hooks; exit 0 clean, 1 on errors, 2 when only the database is behind (pending migrations)")
                .arg(Arg::new("quiet").long("quiet").short('q').action(ArgAction::SetTrue).help("Print nothing when clean"))
                .arg(json_flag("Print the diagnostics as a JSON array of {code, severity, title, message, hint, location}")),
        )
        .subcommand(Command::new("routes").about("List every route: method, path, handler, guards/interceptors/filters, source"))
        .subcommand(
            Command::new("map")
                .about("Describe the whole app: modules, components, routes, models, config keys, problems")
                .arg(json_flag("Print the map as JSON (format `elif.map`, schema in docs/map.schema.json)")),
        )
        .subcommand(
            Command::new("openapi")
                .about("Print the app's OpenAPI 3.1 document (JSON), built from its routes without a database or hooks")
                .arg(Arg::new("yaml").long("yaml").action(ArgAction::SetTrue).help("Print YAML instead of JSON"))
                .arg(Arg::new("out").long("out").value_name("FILE").help("Write it to FILE instead of stdout")),
        )
        .subcommand(
            Command::new("migrate")
                .about("Apply or revert the migrations embedded in the binary (`App::migrations`)")
                .subcommand_required(true)
                .subcommand(Command::new("up").about("Apply every pending migration, oldest first"))
                .subcommand(
                    Command::new("down")
                        .about("Revert the most recent migrations, newest first")
                        .arg(
                            Arg::new("steps")
                                .value_name("N")
                                .default_value("1")
                                .value_parser(clap::value_parser!(usize))
                                .help("How many to revert"),
                        ),
                )
                .subcommand(Command::new("status").about("List every migration: applied (when) or pending"))
                .subcommand(Command::new("redo").about("Revert the most recent migration and apply it again"))
                .subcommand(
                    Command::new("generate")
                        .about("Write a migration from the models: what changed since the schema snapshot (migrations/schema.json), as up and down SQL for SQLite and PostgreSQL, and the snapshot updated; needs no database")
                        .arg(Arg::new("name").value_name("NAME").required_unless_present("baseline").help("The migration's name: `add_posts_summary`"))
                        .arg(Arg::new("rename").long("rename").value_name("TABLE.OLD=NEW").action(ArgAction::Append).help("A column renamed in its model (not dropped and added): `posts.title=headline`"))
                        .arg(Arg::new("allow-destructive").long("allow-destructive").action(ArgAction::SetTrue).help("Write steps that lose data: a dropped table or column, a narrowed type"))
                        .arg(Arg::new("baseline").long("baseline").action(ArgAction::SetTrue).conflicts_with("name").help("Write only the snapshot, from the models: the migrations so far create their tables (check that `check` reports no drift first)"))
                        .arg(Arg::new("dry-run").long("dry-run").action(ArgAction::SetTrue).help("Print the steps and the SQL, write nothing"))
                        .arg(Arg::new("dir").long("dir").value_name("DIR").default_value("migrations").help("The migrations' directory")),
                )
                .subcommand(
                    Command::new("fresh")
                        .about("Not in production: revert every migration and apply them all again (every table's rows are lost)")
                        .arg(Arg::new("seed").long("seed").action(ArgAction::SetTrue).help("Then run the seeders (`db seed`)")),
                ),
        )
        .subcommand(
            Command::new("explain")
                .about("Explain a diagnostic code: elif's, or one of a package this app links (EL5000-EL9999)")
                .arg(Arg::new("code").value_name("CODE").required_unless_present("list").help("The code, e.g. EL1001"))
                .arg(Arg::new("list").long("list").action(ArgAction::SetTrue).help("List every code with its title")),
        )
        .subcommand(
            Command::new("db")
                .about("The database's rows")
                .subcommand_required(true)
                .subcommand(Command::new("seed").about("Boot the app and run its seeders (`App::seeder`) in order, each in a transaction")),
        )
}

fn json_flag(help: &'static str) -> Arg {
    Arg::new("json")
        .long("json")
        .action(ArgAction::SetTrue)
        .help(help)
}

pub(crate) async fn run(app: App, args: Vec<OsString>) -> crate::Result<()> {
    let name = crate::config::app_name();
    let commands = app
        .root
        .map(|root| module_commands(&ModuleTree::new(root)))
        .unwrap_or_default();
    let matches = match cli(name, &commands).try_get_matches_from(args) {
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
        Some(("check", args)) => check(app, args.get_flag("quiet"), args.get_flag("json")).await,
        Some(("migrate", args)) => migrate(app, args).await,
        Some(("db", _)) => seed(app).await,
        Some(("explain", args)) => explain(args),
        Some(("routes", _)) => {
            out(&app.map().routes_table());
            Ok(())
        }
        Some(("openapi", args)) => {
            let document = app.openapi()?;
            let text = if args.get_flag("yaml") {
                crate::openapi::to_yaml(&document)
            } else {
                format!("{}\n", crate::openapi::to_json(&document))
            };
            match args.get_one::<String>("out") {
                Some(path) => std::fs::write(path, text).map_err(|error| {
                    Error::internal(format!("cannot write the document to {path}: {error}"))
                }),
                None => {
                    out(&text);
                    Ok(())
                }
            }
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
        Some((other, args)) if other != "serve" => {
            match commands.iter().find(|c| c.name == other) {
                Some(command) => {
                    let words: Vec<String> = args
                        .get_many::<String>("args")
                        .map(|words| words.cloned().collect())
                        .unwrap_or_default();
                    run_command(app, *command, &words).await
                }
                None => Err(Error::internal(format!("no command `{other}`"))),
            }
        }
        _ => serve::serve(app.boot().await?).await,
    }
}

async fn check(app: App, quiet: bool, json: bool) -> crate::Result<()> {
    let (report, database) = app.check_all().await;
    if json {
        let json = serde_json::to_string_pretty(report.diagnostics()).unwrap_or_default();
        out(&format!("{json}\n"));
    } else if report.is_empty() {
        if !quiet {
            out(if database {
                "ok: the dependency graph, modules, routes and config are valid, and the database is migrated and matches the models\n"
            } else {
                "ok: the dependency graph, modules, routes and config are valid\n"
            });
        }
    } else {
        out(&format!("{report}\n"));
    }
    match report.exit_code() {
        0 => Ok(()),
        code => Err(Error::exit(code)),
    }
}

/// `migrate up | down [N] | status | redo | fresh`, on the app's database,
/// without booting the app (no provider built, no hook run); `migrate
/// generate`, from the models, without a database.
async fn migrate(app: App, args: &clap::ArgMatches) -> crate::Result<()> {
    if let Some(("generate", args)) = args.subcommand() {
        // From the models and the snapshot: no app survey, no database.
        let request = super::migrate_generate::Request {
            name: args.get_one::<String>("name").cloned(),
            renames: args
                .get_many::<String>("rename")
                .map(|values| values.cloned().collect())
                .unwrap_or_default(),
            allow_destructive: args.get_flag("allow-destructive"),
            baseline: args.get_flag("baseline"),
            dry_run: args.get_flag("dry-run"),
            dir: args
                .get_one::<String>("dir")
                .map_or_else(|| "migrations".into(), Into::into),
        };
        drop(app);
        out(&super::migrate_generate::run(&request)?);
        return Ok(());
    }
    let for_seeding = app.clone();
    let survey = app.survey().map_err(Error::boot)?;
    if survey.report.has_errors() {
        return Err(Error::boot(survey.report));
    }
    let migrations = &survey.migrations;
    if migrations.is_empty() {
        return Err(Error::internal("this app embeds no migrations")
            .with_hint("add `.migrations(elif::migrations!())` to the `App` in main.rs"));
    }
    let database = survey.database()?;
    let list = |done: &[&Migration]| -> String {
        done.iter().map(|m| format!("  {}\n", m.id())).collect()
    };
    match args.subcommand() {
        Some(("up", _)) => {
            let done = database.migrate_up(migrations).await?;
            out(&match done.len() {
                0 => "nothing to apply: the database is up to date\n".to_owned(),
                n => format!("applied {n}:\n{}", list(&done)),
            });
        }
        Some(("down", args)) => {
            let steps = args.get_one::<usize>("steps").copied().unwrap_or(1);
            let done = database.migrate_down(migrations, steps).await?;
            out(&match done.len() {
                0 => "nothing to revert: no migration is applied\n".to_owned(),
                n => format!("reverted {n}:\n{}", list(&done)),
            });
        }
        Some(("fresh", args)) => {
            let production = survey
                .app_config
                .as_ref()
                .is_none_or(|c| c.env == crate::config::Environment::Production);
            if production {
                return Err(Error::framework(
                    &elif_catalogue::EL4007,
                    "`migrate fresh` reverts every migration, losing every row: it is refused in production",
                )
                .with_hint("run it against a development database with APP_ENV=development; in production, use `migrate down N`"));
            }
            let reverted = database.migrate_down(migrations, usize::MAX).await?;
            let applied = database.migrate_up(migrations).await?;
            out(&format!(
                "reverted {}, applied {}:\n{}",
                reverted.len(),
                applied.len(),
                list(&applied)
            ));
            if args.get_flag("seed") {
                drop(database);
                return seed(for_seeding).await;
            }
        }
        Some(("redo", _)) => match database.migrate_redo(migrations).await? {
            Some(migration) => out(&format!("redone: {}\n", migration.id())),
            None => out("nothing to redo: no migration is applied\n"),
        },
        _ => {
            let status = database.migration_status(migrations).await?;
            let mut text = String::new();
            for line in &status {
                text.push_str(&format!("{line}\n"));
            }
            if status.is_empty() {
                text.push_str("no migrations\n");
            }
            out(&text);
        }
    }
    Ok(())
}

/// `explain CODE | --list`: elif's catalogue and the packages' linked in.
fn explain(args: &clap::ArgMatches) -> crate::Result<()> {
    if args.get_flag("list") {
        let mut text = String::new();
        for entry in elif_catalogue::ALL {
            text.push_str(&format!("{}  {}\n", entry.code, entry.title));
        }
        for catalogue in crate::diagnostics::package_catalogues() {
            for entry in catalogue.entries {
                text.push_str(&format!(
                    "{}  {} ({})\n",
                    entry.code, entry.title, catalogue.package
                ));
            }
        }
        out(&text);
        return Ok(());
    }
    let code = args.get_one::<String>("code").map_or("", String::as_str);
    match crate::diagnostics::find_entry(code) {
        Some((entry, more)) => {
            out(&elif_catalogue::explain(entry, &more));
            Ok(())
        }
        None => {
            eprintln!(
                "error: `{code}` is not a code of elif or of a package this app links; `explain --list` lists them"
            );
            Err(Error::exit(2))
        }
    }
}

/// A module's command: boots the app (applying pending migrations outside
/// production, as serving does), runs it, prints what it returns, and
/// shuts the app down.
async fn run_command(app: App, command: CommandEntry, args: &[String]) -> crate::Result<()> {
    let booted = app.boot().await?;
    let result = command.run(booted.container(), args).await;
    booted.shutdown().await;
    out(&result?);
    Ok(())
}

/// `db seed`: boots the app (applying pending migrations outside
/// production, as serving does), then runs each seeder in a transaction.
async fn seed(app: App) -> crate::Result<()> {
    if app.seeders.is_empty() {
        return Err(Error::internal("this app registers no seeder")
            .with_hint("write an `#[injectable]` that implements `Seeder` and add `.seeder::<MySeeder>()` to the `App` in main.rs"));
    }
    let seeders = app.seeders.clone();
    let booted = app.boot().await?;
    let result = run_seeders(&booted, &seeders).await;
    booted.shutdown().await;
    result
}

async fn run_seeders(booted: &crate::Booted, seeders: &[SeederEntry]) -> crate::Result<()> {
    let container = booted.container();
    let database = container.get::<crate::data::Database>().ok_or_else(|| {
        Error::internal("seeders need the database")
            .with_hint("import `DataModule` in the app's modules")
    })?;
    for seeder in seeders {
        database.transaction(|| (seeder.run)(container)).await?;
        out(&format!("seeded: {}\n", seeder.name));
    }
    Ok(())
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
