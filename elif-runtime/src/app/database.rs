//! The app's database at start-up and in `check`: pending migrations
//! applied (or reported), then what the database still says (pending
//! migrations, schema drift) as diagnostics.

use std::sync::Arc;

use crate::app::App;
use crate::app::survey::Survey;
use crate::config::Environment;
use crate::data::{Database, DatabaseConfig, Migrations};
use crate::di::Container;
use crate::diagnostics::{BootReport, Diagnostic};
use crate::error::Error;

impl App {
    /// Every check of [`App::check`], then the database's: pending
    /// migrations (`EL4001`, exit code 2), edited or unknown applied ones
    /// (warnings), or an unreachable database (`EL4005`). What the app's
    /// `check` command reports. Builds no provider and runs no hook.
    pub async fn check_with_database(self) -> BootReport {
        self.check_all().await.0
    }

    /// [`App::check_with_database`], and whether the database was looked at.
    pub(crate) async fn check_all(self) -> (BootReport, bool) {
        let survey = match self.survey() {
            Ok(survey) => survey,
            Err(report) => return (report, false),
        };
        let mut report = survey.report.clone();
        report.extend(survey.unsecured.iter().cloned());
        let migrations = &survey.migrations;
        report.extend(super::migrate_generate::diagnostics(migrations));
        let models = crate::data::models_of(migrations);
        let uses_database = !migrations.is_empty() || survey.section::<DatabaseConfig>().is_some();
        if report.has_errors() || !uses_database || (migrations.is_empty() && models.is_empty()) {
            return (report, false);
        }
        let database = match survey.database() {
            Ok(database) => database,
            Err(error) => {
                report.extend(error_diagnostics(&error));
                return (report, true);
            }
        };
        report.extend(database_diagnostics(&database, migrations, &models).await);
        (report, true)
    }
}

impl Survey {
    /// A pool on the app's database, for the commands that need one
    /// without booting the app (`migrate`, `check`).
    pub(crate) fn database(&self) -> crate::Result<Database> {
        let config = self.section::<DatabaseConfig>().ok_or_else(|| {
            Error::internal("the `[database]` config section did not load")
                .with_hint("run `check` to see why")
        })?;
        Database::connect(&config, &self.name)
    }
}

/// At boot, for an app with a `[database]` section: the container's
/// database (else a pool of its own), migrations applied unless
/// `database.migrate_on_start` says otherwise (its default: outside
/// production), then what the database says logged.
pub(super) async fn start(
    container: &Container,
    config: &DatabaseConfig,
    name: &str,
    env: Environment,
    migrations: &[Migrations],
) -> crate::Result<()> {
    let database = match container.get::<Database>() {
        Some(database) => database,
        None => Arc::new(Database::connect(config, name)?),
    };
    let on_start = config
        .migrate_on_start
        .unwrap_or(env != Environment::Production);
    startup_database(&database, migrations, on_start).await
}

/// At start: applies the pending migrations (`on_start`), then logs what
/// the database still says (pending migrations, schema drift) as
/// warnings. A failed migration stops the boot; so does an unreachable
/// database when migrations must be applied. Otherwise the database being
/// down only makes the app unready.
async fn startup_database(
    database: &Database,
    migrations: &[Migrations],
    on_start: bool,
) -> crate::Result<()> {
    if !migrations.is_empty() && on_start {
        let applied = database.migrate_up(migrations).await?;
        if !applied.is_empty() {
            tracing::info!("applied {} migration(s) at start", applied.len());
        }
    }
    let models = crate::data::models_of(migrations);
    if migrations.is_empty() && models.is_empty() {
        return Ok(());
    }
    for diagnostic in database_diagnostics(database, migrations, &models).await {
        tracing::warn!("{diagnostic}");
    }
    Ok(())
}

/// What the database says about the app: pending migrations (then the
/// models are not compared, since applying them is the next step), else
/// each model's drift.
async fn database_diagnostics(
    database: &Database,
    migrations: &[Migrations],
    models: &[&'static crate::data::ModelInfo],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if !migrations.is_empty() {
        match database.migration_status(migrations).await {
            Ok(status) => out.extend(crate::data::migrate::diagnostics(&status)),
            Err(error) => return error_diagnostics(&error),
        }
    }
    if out
        .iter()
        .any(|d| d.entry.code == elif_catalogue::EL4001.code)
        || models.is_empty()
    {
        return out;
    }
    match crate::data::drift::check(database, models).await {
        Ok(drift) => out.extend(drift),
        Err(error) => out.extend(error_diagnostics(&error)),
    }
    out
}

/// The diagnostics an error carries (its boot report's), else one `EL4005`.
fn error_diagnostics(error: &Error) -> Vec<Diagnostic> {
    match error.boot_report() {
        Some(report) => report.diagnostics().to_vec(),
        None => vec![Diagnostic::error(
            &elif_catalogue::EL4005,
            error.detail().to_owned(),
        )],
    }
}
