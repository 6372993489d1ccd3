//! Migrations on both backends (an SQLite file and a PostgreSQL schema per
//! test): embedded by `migrations!`, applied in order, reverted newest
//! first, a failing one rolled back, applied at start outside production,
//! and reported by `check` (exit code 2) while pending.

#![allow(missing_docs, clippy::unwrap_used)]

use elif::data::diesel;
use elif::data::diesel::sql_types::{BigInt, Text};
use elif::data::diesel::{QueryableByName, sql_query};
use elif::data::{Backend, DataModule, Database, MigrationState, Migrations};
use elif::prelude::*;
use elif::testing::TestDatabase;

const GOOD: Migrations = elif::migrations!("migrations/good");
const FAILING: Migrations = elif::migrations!("migrations/failing");
/// A package's set: its one version is also GOOD's first.
const PACKAGE: Migrations = elif::migrations!("migrations/package", namespace = "notes_pkg");

/// The package's model: its table is the package's migrations'.
#[model(table = "pkg_items", namespace = "notes_pkg")]
pub struct PkgItem {
    #[key]
    pub id: i64,
    pub label: String,
}

/// A package's module, bringing its migrations.
#[module(migrations = PACKAGE)]
pub struct PackageModule;

#[module(imports(DataModule, PackageModule))]
pub struct WithPackageModule;

#[module(imports(DataModule))]
pub struct DbModule;

fn app(db: &TestDatabase) -> App {
    App::new()
        .module(DbModule)
        .without_env()
        .config("database.url", db.url())
}

/// The database of a booted app (no migrations given: nothing applied).
async fn database(db: &TestDatabase) -> (elif::Booted, std::sync::Arc<Database>) {
    let booted = app(db).boot().await.unwrap();
    let database = booted.container().get::<Database>().unwrap();
    (booted, database)
}

#[derive(QueryableByName, Debug, PartialEq)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// How many tables named `name` the database has.
async fn has_table(database: &Database, name: &str) -> bool {
    let mut conn = database.connection().await.unwrap();
    let query = match database.backend() {
        Backend::Sqlite => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = $1"
        }
        Backend::Postgres => {
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1"
        }
    };
    let counts: Vec<Count> = elif::with_connection!(conn, |c| sql_query(query)
        .bind::<Text, _>(name)
        .load::<Count>(c)
        .await)
    .unwrap();
    counts[0].n == 1
}

fn states(status: &[elif::data::MigrationStatus]) -> Vec<(String, bool)> {
    status
        .iter()
        .map(|s| {
            (
                format!("{}_{}", s.version, s.name),
                matches!(s.state, MigrationState::Applied { .. }),
            )
        })
        .collect()
}

#[test]
fn the_macro_embeds_each_folder_in_version_order_with_per_backend_sql() {
    let all: Vec<_> = GOOD.iter().collect();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].id(), "2026-11-26-000001_create_notes");
    assert_eq!(all[1].id(), "2026-11-26-000002_add_tags");
    assert_eq!(all[0].up.sqlite, all[0].up.postgres, "one file for both");
    assert!(all[1].up.sqlite.contains("AUTOINCREMENT"));
    assert!(all[1].up.postgres.contains("BIGSERIAL"));
    assert_eq!(all[1].down.sqlite, "DROP TABLE tags;\n");
}

#[elif::test]
async fn up_applies_pending_migrations_in_order_once() {
    for db in TestDatabase::both("migrate_up").await {
        let (booted, database) = database(&db).await;
        let before = database.migration_status(&[GOOD]).await.unwrap();
        assert!(before.iter().all(|s| s.is_pending()), "{before:?}");

        let applied = database.migrate_up(&[GOOD]).await.unwrap();
        assert_eq!(applied.len(), 2, "{:?}", db.backend());
        assert!(has_table(&database, "notes").await);
        assert!(has_table(&database, "tags").await);
        let after = database.migration_status(&[GOOD]).await.unwrap();
        assert_eq!(
            states(&after),
            [
                ("2026-11-26-000001_create_notes".to_owned(), true),
                ("2026-11-26-000002_add_tags".to_owned(), true)
            ]
        );
        assert!(
            database.migrate_up(&[GOOD]).await.unwrap().is_empty(),
            "nothing left to apply"
        );
        drop((booted, database));
        db.cleanup().await;
    }
}

#[elif::test]
async fn down_reverts_newest_first_and_redo_applies_again() {
    for db in TestDatabase::both("migrate_down").await {
        let (booted, database) = database(&db).await;
        database.migrate_up(&[GOOD]).await.unwrap();

        let reverted = database.migrate_down(&[GOOD], 1).await.unwrap();
        assert_eq!(reverted[0].name, "add_tags");
        assert!(!has_table(&database, "tags").await);
        assert!(has_table(&database, "notes").await);

        let redone = database.migrate_redo(&[GOOD]).await.unwrap().unwrap();
        assert_eq!(redone.name, "create_notes", "the newest applied one");
        assert!(has_table(&database, "notes").await);

        let reverted = database.migrate_down(&[GOOD], 5).await.unwrap();
        assert_eq!(reverted.len(), 1, "only what was applied");
        assert!(!has_table(&database, "notes").await);
        assert!(database.migrate_redo(&[GOOD]).await.unwrap().is_none());
        drop((booted, database));
        db.cleanup().await;
    }
}

#[elif::test]
async fn a_failing_migration_is_rolled_back_and_stops_the_run() {
    for db in TestDatabase::both("migrate_fail").await {
        let (booted, database) = database(&db).await;
        let error = database.migrate_up(&[FAILING]).await.err().unwrap();
        let report = error.boot_report().unwrap();
        let diagnostic = &report.diagnostics()[0];
        assert_eq!(diagnostic.entry.code, "EL4002");
        assert!(
            diagnostic.message.contains("0002_broken"),
            "{}",
            diagnostic.message
        );
        assert!(has_table(&database, "a").await, "the one before stays");
        assert!(
            !has_table(&database, "b").await,
            "the failed one left nothing behind ({:?})",
            db.backend()
        );
        let status = database.migration_status(&[FAILING]).await.unwrap();
        assert_eq!(
            states(&status),
            [
                ("0001_create_a".to_owned(), true),
                ("0002_broken".to_owned(), false)
            ]
        );
        drop((booted, database));
        db.cleanup().await;
    }
}

#[elif::test]
async fn the_app_applies_migrations_at_start_except_in_production() {
    for db in TestDatabase::both("migrate_start").await {
        let production = app(&db)
            .migrations(GOOD)
            .config("app.env", "production")
            .config("security.allowed_hosts", ["127.0.0.1"])
            .boot()
            .await
            .unwrap();
        let database = production.container().get::<Database>().unwrap();
        assert!(
            !has_table(&database, "notes").await,
            "production: not applied"
        );
        drop((production, database));

        let booted = app(&db).migrations(GOOD).boot().await.unwrap();
        let database = booted.container().get::<Database>().unwrap();
        assert!(has_table(&database, "tags").await, "test mode: applied");
        drop((booted, database));

        let failing = TestDatabase::sqlite("migrate_start_failing");
        let error = app(&failing)
            .migrations(FAILING)
            .boot()
            .await
            .err()
            .unwrap();
        assert_eq!(
            error.boot_report().unwrap().diagnostics()[0].entry.code,
            "EL4002",
            "a failed migration stops the boot"
        );
        failing.cleanup().await;
        db.cleanup().await;
    }
}

#[elif::test]
async fn check_reports_pending_migrations_with_exit_code_2() {
    for db in TestDatabase::both("migrate_check").await {
        let production = || {
            app(&db)
                .migrations(GOOD)
                .config("app.env", "production")
                .config("security.allowed_hosts", ["127.0.0.1"])
        };
        let report = production().check_with_database().await;
        assert_eq!(report.exit_code(), 2, "{report}");
        let pending = &report.diagnostics()[0];
        assert_eq!(pending.entry.code, "EL4001");
        assert_eq!(
            pending.message,
            "2 pending migrations: 2026-11-26-000001_create_notes, 2026-11-26-000002_add_tags"
        );

        let (booted, database) = database(&db).await;
        database.migrate_up(&[GOOD]).await.unwrap();
        let report = production().check_with_database().await;
        assert_eq!(report.exit_code(), 0, "{report}");
        assert!(report.is_empty(), "{report}");

        // Another binary: its own migrations are pending, and the
        // database's are unknown to it (warnings).
        let report = app(&db)
            .migrations(FAILING)
            .config("app.env", "production")
            .config("security.allowed_hosts", ["127.0.0.1"])
            .check_with_database()
            .await;
        let codes: Vec<&str> = report.diagnostics().iter().map(|d| d.entry.code).collect();
        assert_eq!(codes, ["EL4001", "EL4003", "EL4003"], "{report}");
        drop((booted, database));
        db.cleanup().await;
    }
}

#[test]
fn a_package_set_records_its_namespace_with_each_version() {
    assert_eq!(PACKAGE.namespace(), Some("notes_pkg"));
    assert_eq!(GOOD.namespace(), None);
    let item = PACKAGE.iter().next().unwrap();
    assert_eq!(item.key(), "notes_pkg/2026-11-26-000001");
    assert_eq!(item.id(), "notes_pkg/2026-11-26-000001_create_pkg_items");
}

#[elif::test]
async fn a_package_module_brings_its_migrations_before_the_app_s_under_its_namespace() {
    for db in TestDatabase::both("migrate_package").await {
        let with_package = || {
            App::new()
                .module(WithPackageModule)
                .without_env()
                .config("database.url", db.url())
                .migrations(GOOD)
        };
        let report = with_package()
            .config("app.env", "production")
            .config("security.allowed_hosts", ["127.0.0.1"])
            .check_with_database()
            .await;
        assert_eq!(
            report.diagnostics()[0].message,
            "3 pending migrations: notes_pkg/2026-11-26-000001_create_pkg_items, 2026-11-26-000001_create_notes, 2026-11-26-000002_add_tags",
            "the package's first, then the app's; the same version does not clash"
        );

        let booted = with_package().boot().await.unwrap();
        let database = booted.container().get::<Database>().unwrap();
        assert!(has_table(&database, "pkg_items").await);
        let report = with_package()
            .config("app.env", "production")
            .config("security.allowed_hosts", ["127.0.0.1"])
            .check_with_database()
            .await;
        assert!(report.is_empty(), "the package's model matches: {report}");
        let models =
            |app: App| -> Vec<&'static str> { app.map().models.iter().map(|m| m.name).collect() };
        assert!(models(with_package()).contains(&"PkgItem"));
        assert!(
            !models(app(&db).migrations(GOOD)).contains(&"PkgItem"),
            "without the package, its model is not the app's"
        );
        assert!(has_table(&database, "notes").await);
        let plan = [PACKAGE, GOOD];
        let status = database.migration_status(&plan).await.unwrap();
        assert_eq!(
            states(&status),
            [
                (
                    "notes_pkg/2026-11-26-000001_create_pkg_items".to_owned(),
                    true
                ),
                ("2026-11-26-000001_create_notes".to_owned(), true),
                ("2026-11-26-000002_add_tags".to_owned(), true),
            ]
        );
        // Reverted in the reverse of the plan's order: the app's first.
        let reverted = database.migrate_down(&plan, 2).await.unwrap();
        let names: Vec<&str> = reverted.iter().map(|m| m.name).collect();
        assert_eq!(names, ["add_tags", "create_notes"]);
        assert!(
            has_table(&database, "pkg_items").await,
            "the package's stays"
        );
        let reverted = database.migrate_down(&plan, 5).await.unwrap();
        assert_eq!(
            reverted[0].id(),
            "notes_pkg/2026-11-26-000001_create_pkg_items"
        );
        assert!(!has_table(&database, "pkg_items").await);

        // Without the package, its applied rows are unknown to the app.
        database.migrate_up(&plan).await.unwrap();
        let status = database.migration_status(&[GOOD]).await.unwrap();
        assert!(
            matches!(status.last().unwrap().state, MigrationState::Unknown { .. }),
            "{status:?}"
        );
        assert_eq!(
            status.last().unwrap().version,
            "notes_pkg/2026-11-26-000001"
        );
        drop((booted, database));
        db.cleanup().await;
    }
}

/// Another package that chose the same namespace.
const SAME_NAMESPACE: Migrations = elif::migrations!("migrations/good", namespace = "notes_pkg");

#[module(migrations = SAME_NAMESPACE)]
pub struct ClashingModule;

#[module(migrations = GOOD)]
pub struct UnnamespacedModule;

#[module(imports(DataModule, PackageModule, ClashingModule, UnnamespacedModule))]
pub struct ClashModule;

#[test]
fn migration_sets_that_would_share_rows_stop_the_boot() {
    let report = App::new()
        .module(ClashModule)
        .without_env()
        .config("database.url", "sqlite::memory:")
        .check();
    let clashes: Vec<&str> = report
        .diagnostics()
        .iter()
        .filter(|d| d.entry.code == "EL4008")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        clashes,
        [
            "module `PackageModule` and module `ClashingModule` both declare migrations under the namespace `notes_pkg`",
            "module `UnnamespacedModule` declares migrations without a namespace: their versions would clash with the app's",
        ],
        "{report}"
    );
}

#[elif::test]
async fn check_names_an_unreachable_database() {
    let report = App::new()
        .module(DbModule)
        .without_env()
        .migrations(GOOD)
        .config("database.url", "postgres://postgres@127.0.0.1:1/none")
        .config("database.checkout_timeout_ms", 200)
        .check_with_database()
        .await;
    assert_eq!(report.exit_code(), 1, "{report}");
    assert_eq!(report.diagnostics()[0].entry.code, "EL4005");
}

#[elif::test]
async fn postgres_cancels_statements_past_the_statement_timeout() {
    let Some(db) = TestDatabase::postgres("statement_timeout").await else {
        return;
    };
    let booted = app(&db)
        .config("database.statement_timeout_ms", 100)
        .boot()
        .await
        .unwrap();
    let database = booted.container().get::<Database>().unwrap();
    let mut conn = database.connection().await.unwrap();
    let slow = elif::with_connection!(conn, |c| sql_query("SELECT pg_sleep(2)").execute(c).await);
    let error = slow.err().unwrap().to_string();
    assert!(error.contains("statement timeout"), "{error}");
    drop(conn);
    drop((database, booted));
    db.cleanup().await;
}
