//! `migrate generate <name>`: a migration from the models, written beside
//! the others with the schema snapshot updated ([`crate::data::schema`]),
//! and what `check` says when the snapshot, the models and the migrations
//! disagree (`EL4009`, `EL4011`).

use std::path::{Path, PathBuf};

use crate::data::schema::{self, Rename, SNAPSHOT_FILE, Schema};
use crate::data::{Migrations, ModelInfo, models};
use crate::diagnostics::Diagnostic;
use crate::error::Error;

/// What `migrate generate` was asked.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    /// The migration's name (`add_posts_summary`); `None` with `baseline`.
    pub name: Option<String>,
    /// `--rename table.old=new`.
    pub renames: Vec<String>,
    /// `--allow-destructive`.
    pub allow_destructive: bool,
    /// `--baseline`: the snapshot only.
    pub baseline: bool,
    /// `--dry-run`: print, write nothing.
    pub dry_run: bool,
    /// The migrations' directory.
    pub dir: PathBuf,
}

/// The app's own models (a package's tables come from its migrations).
fn own_models() -> (Vec<&'static ModelInfo>, Vec<&'static ModelInfo>) {
    let all = models();
    let own = all
        .iter()
        .copied()
        .filter(|m| m.namespace.is_none())
        .collect();
    (own, all)
}

/// The tables the app's models describe.
fn models_schema() -> Schema {
    let (own, all) = own_models();
    Schema::of_models(&own, &all)
}

/// The migration folders in `dir` (`<version>_<name>`), oldest first.
fn folders(dir: &Path) -> crate::Result<Vec<String>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => {
            return Err(Error::internal(format!(
                "cannot read {}: {error}",
                dir.display()
            )));
        }
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.') && name.contains('_'))
        .collect();
    names.sort_by_key(|name| {
        crate::data::migrate::version_order(name.split_once('_').map_or("", |(v, _)| v))
    });
    Ok(names)
}

fn write(path: &Path, text: &str) -> crate::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| Error::internal(format!("cannot make {}: {e}", parent.display())))?;
    }
    std::fs::write(path, text)
        .map_err(|e| Error::internal(format!("cannot write {}: {e}", path.display())))
}

fn snapshot_problem(message: String) -> Error {
    Error::framework(&elif_catalogue::EL4011, message).with_hint(elif_catalogue::EL4011.hint)
}

/// Runs `migrate generate`; returns what to print.
pub(crate) fn run(request: &Request) -> crate::Result<String> {
    let dir = &request.dir;
    let snapshot_path = dir.join(SNAPSHOT_FILE);
    let existing = folders(dir)?;
    let mut target = models_schema();
    if request.baseline {
        target.migration = existing.last().cloned();
        if request.dry_run {
            // The snapshot it would write, as it is.
            return Ok(target.to_json());
        }
        write(&snapshot_path, &target.to_json())?;
        return Ok(format!(
            "wrote {}: the {} table(s) of the models, as the {} migration(s) so far create them\n",
            snapshot_path.display(),
            target.tables.len(),
            existing.len()
        ));
    }
    let name = request.name.clone().unwrap_or_default();
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        return Err(Error::internal(format!(
            "`{name}` is not a migration name: lower-case letters, digits and `_` (`add_posts_summary`)"
        )));
    }
    let snapshot = match std::fs::read_to_string(&snapshot_path) {
        Ok(text) => Schema::parse(&text).map_err(|why| {
            snapshot_problem(format!(
                "{} is not a schema snapshot: {why}",
                snapshot_path.display()
            ))
        })?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound && existing.is_empty() => {
            Schema::empty()
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(snapshot_problem(format!(
                "{} has {} migration(s) and no schema snapshot ({SNAPSHOT_FILE}): what they create is not known",
                dir.display(),
                existing.len()
            )));
        }
        Err(error) => {
            return Err(Error::internal(format!(
                "cannot read {}: {error}",
                snapshot_path.display()
            )));
        }
    };
    if let (Some(recorded), Some(newest)) = (&snapshot.migration, existing.last())
        && recorded != newest
    {
        return Err(snapshot_problem(format!(
            "{} was written with `{recorded}`, but `{newest}` is newer: what it changes is not in the snapshot",
            snapshot_path.display()
        )));
    }
    let renames = request
        .renames
        .iter()
        .map(|text| Rename::parse(text))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Error::internal)?;
    let generated = schema::generate(&snapshot, &target, &renames)
        .map_err(|why| Error::internal(why.to_string()))?;
    if generated.steps.is_empty() {
        return Ok(format!(
            "nothing to generate: the models match {}\n",
            snapshot_path.display()
        ));
    }
    let steps: String = generated
        .steps
        .iter()
        .map(|step| format!("  - {step}\n"))
        .collect();
    let destructive: Vec<String> = generated
        .steps
        .iter()
        .filter(|s| s.is_destructive())
        .map(ToString::to_string)
        .collect();
    if !destructive.is_empty() && !request.allow_destructive {
        return Err(Error::framework(
            &elif_catalogue::EL4010,
            format!(
                "nothing written: the migration would lose data:\n  - {}",
                destructive.join("\n  - ")
            ),
        )
        .with_hint(elif_catalogue::EL4010.hint));
    }
    let version = schema::next_version(
        existing
            .iter()
            .filter_map(|f| f.split_once('_').map(|(version, _)| version)),
    );
    let folder = format!("{version}_{name}");
    let path = dir.join(&folder);
    if request.dry_run {
        return Ok(format!(
            "would write {}/ and {}:\n{steps}\n-- up.sqlite.sql\n{}\n-- up.postgres.sql\n{}",
            path.display(),
            snapshot_path.display(),
            generated.up_sqlite,
            generated.up_postgres
        ));
    }
    write(&path.join("up.sqlite.sql"), &generated.up_sqlite)?;
    write(&path.join("up.postgres.sql"), &generated.up_postgres)?;
    write(&path.join("down.sqlite.sql"), &generated.down_sqlite)?;
    write(&path.join("down.postgres.sql"), &generated.down_postgres)?;
    target.migration = Some(folder);
    write(&snapshot_path, &target.to_json())?;
    Ok(format!(
        "wrote {}/ (up and down, SQLite and PostgreSQL) and {}:\n{steps}",
        path.display(),
        snapshot_path.display()
    ))
}

/// What `check` says of the app's migrations' snapshot: the models changed
/// since it (`EL4009`, a warning per change), a migration newer than it or
/// a snapshot that does not parse (`EL4011`). Nothing when the app keeps
/// no snapshot.
pub(crate) fn diagnostics(plan: &[Migrations]) -> Vec<Diagnostic> {
    let Some(set) = plan.iter().find(|set| set.namespace().is_none()) else {
        return Vec::new();
    };
    let Some(text) = set.snapshot() else {
        return Vec::new();
    };
    let snapshot = match Schema::parse(text) {
        Ok(snapshot) => snapshot,
        Err(why) => {
            return vec![Diagnostic::warning(
                &elif_catalogue::EL4011,
                format!("migrations/{SNAPSHOT_FILE} is not a schema snapshot: {why}"),
            )];
        }
    };
    let mut out = Vec::new();
    let newest = set.iter().last().map(|m| m.id());
    if let (Some(recorded), Some(newest)) = (&snapshot.migration, &newest)
        && recorded != newest
    {
        out.push(Diagnostic::warning(
            &elif_catalogue::EL4011,
            format!(
                "migrations/{SNAPSHOT_FILE} was written with `{recorded}`, but `{newest}` is newer"
            ),
        ));
    }
    match schema::diff(&snapshot, &models_schema(), &[]) {
        Ok(steps) => out.extend(steps.iter().map(|step| {
            Diagnostic::warning(
                &elif_catalogue::EL4009,
                format!("no migration makes this change yet: {step}"),
            )
        })),
        Err(why) => out.push(Diagnostic::warning(
            &elif_catalogue::EL4009,
            why.to_string(),
        )),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Migration, MigrationSql};

    static LIST: [Migration; 1] = [Migration {
        namespace: "",
        version: "2026-12-05-000002",
        name: "add_posts",
        up: MigrationSql {
            sqlite: "",
            postgres: "",
        },
        down: MigrationSql {
            sqlite: "",
            postgres: "",
        },
    }];

    #[test]
    fn check_warns_when_the_snapshot_is_behind_the_models_or_the_migrations() {
        // This crate's tests link no model: a snapshot with a table is a
        // change (the table is dropped) no migration makes yet.
        let snapshot = r#"{"format": "elif.schema/1", "migration": "2026-12-05-000001_create_posts",
            "tables": [{"name": "posts", "columns": [{"name": "id", "type": "bigint", "key": true, "generated": true}]}]}"#;
        let set = Migrations::new(&LIST).with_snapshot(snapshot);
        let said: Vec<(&str, String)> = diagnostics(&[set])
            .iter()
            .map(|d| (d.entry.code, d.message.clone()))
            .collect();
        assert_eq!(
            said,
            [
                (
                    "EL4011",
                    "migrations/schema.json was written with `2026-12-05-000001_create_posts`, but `2026-12-05-000002_add_posts` is newer".to_owned()
                ),
                (
                    "EL4009",
                    "no migration makes this change yet: drop table `posts` (its rows are lost)".to_owned()
                ),
            ]
        );
        assert!(
            diagnostics(&[Migrations::new(&LIST)]).is_empty(),
            "no snapshot kept"
        );
        let broken = Migrations::new(&LIST).with_snapshot("{");
        assert_eq!(diagnostics(&[broken])[0].entry.code, "EL4011");
    }

    #[test]
    fn generate_writes_the_folder_and_the_snapshot_and_refuses_what_it_cannot_know() {
        let dir =
            std::env::temp_dir().join(format!("elif-migrate-generate-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let request = |name: &str| Request {
            name: Some(name.to_owned()),
            renames: Vec::new(),
            allow_destructive: false,
            baseline: false,
            dry_run: false,
            dir: dir.clone(),
        };
        // No models, no migrations: nothing to do.
        assert!(
            run(&request("nothing"))
                .unwrap()
                .starts_with("nothing to generate")
        );
        assert!(run(&request("Bad Name")).is_err());
        // Migrations and no snapshot: refused (EL4011), then a baseline.
        std::fs::create_dir_all(dir.join("0001_hand_written")).unwrap();
        let refused = run(&request("next")).unwrap_err();
        assert!(
            refused.to_string().contains("no schema snapshot"),
            "{refused}"
        );
        let baseline = Request {
            name: None,
            baseline: true,
            ..request("x")
        };
        assert!(run(&baseline).unwrap().starts_with("wrote"));
        let snapshot =
            Schema::parse(&std::fs::read_to_string(dir.join(SNAPSHOT_FILE)).unwrap()).unwrap();
        assert_eq!(snapshot.migration.as_deref(), Some("0001_hand_written"));
        // A table the models no longer have is dropped only when allowed.
        let mut with_table = snapshot.clone();
        with_table.tables.push(crate::data::schema::TableSchema {
            name: "old".into(),
            model: "Old".into(),
            columns: Vec::new(),
        });
        std::fs::write(dir.join(SNAPSHOT_FILE), with_table.to_json()).unwrap();
        let refused = run(&request("drop_old")).unwrap_err();
        assert!(
            refused.to_string().contains("drop table `old`"),
            "{refused}"
        );
        let allowed = Request {
            allow_destructive: true,
            ..request("drop_old")
        };
        let wrote = run(&allowed).unwrap();
        assert!(wrote.contains("drop table `old`"), "{wrote}");
        let folder = folders(&dir).unwrap().pop().unwrap();
        assert!(folder.ends_with("_drop_old"), "{folder}");
        for file in [
            "up.sqlite.sql",
            "up.postgres.sql",
            "down.sqlite.sql",
            "down.postgres.sql",
        ] {
            assert!(dir.join(&folder).join(file).is_file(), "{file}");
        }
        assert_eq!(
            std::fs::read_to_string(dir.join(&folder).join("up.postgres.sql")).unwrap(),
            "DROP TABLE old;\n"
        );
        let snapshot =
            Schema::parse(&std::fs::read_to_string(dir.join(SNAPSHOT_FILE)).unwrap()).unwrap();
        assert_eq!(snapshot.migration.as_deref(), Some(folder.as_str()));
        assert!(snapshot.tables.is_empty());
        assert!(
            run(&request("again"))
                .unwrap()
                .starts_with("nothing to generate")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
