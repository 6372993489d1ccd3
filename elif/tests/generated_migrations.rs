//! Migrations generated from models (`migrate generate`), applied on both
//! backends: every kind of change (a table created and dropped, columns
//! added, renamed, widened, made NOT NULL, dropped, a unique and an index
//! added, a foreign key), then the models compared with the tables (no
//! drift), the rows kept, and the way down and up again.

#![allow(missing_docs, clippy::unwrap_used)]

use elif::data::diesel;
use elif::data::diesel::sql_types::{BigInt, Nullable, Text};
use elif::data::diesel::{QueryableByName, sql_query};
use elif::data::schema::{self, Generated, Rename, Schema};
use elif::data::{
    Backend, DataModule, Database, Migration, MigrationSql, Migrations, Model, ModelInfo,
};
use elif::prelude::*;
use elif::testing::TestDatabase;

/// The tables as the app first had them.
mod before {
    use elif::prelude::*;

    #[model(table = "widgets")]
    #[derive(Clone)]
    pub struct Widget {
        #[key]
        pub id: i64,
        pub name: String,
        pub count: i32,
        pub note: Option<String>,
        pub legacy: String,
    }

    #[model(table = "gizmos")]
    #[derive(Clone)]
    pub struct Gizmo {
        #[key]
        pub id: i64,
        pub label: String,
    }
}

/// The same app later: `name` renamed `title` and unique, `count` widened,
/// `note` required, `legacy` and `gizmos` gone, `rank` (indexed) and a
/// maker (a new table, referenced) added.
mod after {
    use elif::prelude::*;

    #[model(table = "makers")]
    #[derive(Clone)]
    pub struct Maker {
        #[key]
        pub id: i64,
        #[unique]
        pub code: String,
    }

    #[model(table = "widgets")]
    #[derive(Clone)]
    pub struct Widget {
        #[key]
        pub id: i64,
        #[unique]
        pub title: String,
        pub count: i64,
        pub note: String,
        #[index]
        pub rank: i32,
        pub maker_id: Option<i64>,
        #[belongs_to(Maker)]
        pub maker: Related<Option<Maker>>,
    }
}

#[module(imports(DataModule))]
pub struct DbModule;

fn before() -> [&'static ModelInfo; 2] {
    [before::Widget::info(), before::Gizmo::info()]
}

fn after() -> [&'static ModelInfo; 2] {
    [after::Widget::info(), after::Maker::info()]
}

fn of(models: &[&'static ModelInfo]) -> Schema {
    Schema::of_models(models, &elif::data::models())
}

fn leak(text: &str) -> &'static str {
    Box::leak(text.to_owned().into_boxed_str())
}

/// A migration as `migrations!()` would embed the generated folder.
fn migration(version: &'static str, name: &'static str, generated: &Generated) -> Migration {
    Migration {
        namespace: "",
        version,
        name,
        up: MigrationSql {
            sqlite: leak(&generated.up_sqlite),
            postgres: leak(&generated.up_postgres),
        },
        down: MigrationSql {
            sqlite: leak(&generated.down_sqlite),
            postgres: leak(&generated.down_postgres),
        },
    }
}

async fn no_drift(database: &Database, models: &[&'static ModelInfo], when: &str) {
    let drift = database.drift(models).await.unwrap();
    let said: Vec<String> = drift.iter().map(ToString::to_string).collect();
    assert!(
        said.is_empty(),
        "{when} ({:?}): {said:#?}",
        database.backend()
    );
}

#[derive(QueryableByName, Debug, PartialEq)]
struct Row {
    #[diesel(sql_type = Text)]
    label: String,
    #[diesel(sql_type = BigInt)]
    count: i64,
    #[diesel(sql_type = Nullable<Text>)]
    note: Option<String>,
}

async fn row(database: &Database, sql: &str) -> Row {
    let mut conn = database.connection().await.unwrap();
    elif::with_connection!(conn, |c| {
        use elif::data::diesel_async::RunQueryDsl;
        sql_query(sql).get_result::<Row>(c).await
    })
    .unwrap()
}

async fn execute(database: &Database, sql: &str) -> Result<(), String> {
    use elif::data::diesel_async::SimpleAsyncConnection;
    let mut conn = database.connection().await.unwrap();
    elif::with_connection!(conn, |c| c.batch_execute(sql).await).map_err(|e| e.to_string())
}

#[elif::test]
async fn generated_migrations_make_the_models_tables_both_ways_on_both_backends() {
    let first = schema::generate(&Schema::empty(), &of(&before()), &[]).unwrap();
    let renames = [Rename::parse("widgets.name=title").unwrap()];
    let second = schema::generate(&of(&before()), &of(&after()), &renames).unwrap();
    let destructive: Vec<String> = second
        .steps
        .iter()
        .filter(|s| s.is_destructive())
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        destructive,
        [
            "drop column `widgets.legacy` (its values are lost)",
            "drop table `gizmos` (its rows are lost)"
        ]
    );
    assert!(
        second.up_sqlite.starts_with(schema::NO_TRANSACTION),
        "SQLite rebuilds `widgets`"
    );
    let list: &'static [Migration] = Box::leak(Box::new([
        migration("2026-12-05-000001", "create_widgets", &first),
        migration("2026-12-05-000002", "rework_widgets", &second),
    ]));
    let only_first = [Migrations::new(&list[..1])];
    let both = [Migrations::new(list)];

    for db in TestDatabase::both("generated_migrations").await {
        let booted = App::new()
            .module(DbModule)
            .without_env()
            .config("database.url", db.url())
            .boot()
            .await
            .unwrap();
        let database = booted.container().get::<Database>().unwrap();
        database.migrate_up(&only_first).await.unwrap();
        no_drift(&database, &before(), "created from the models").await;
        execute(
            &database,
            "INSERT INTO widgets (name, count, note, legacy) VALUES ('first', 7, NULL, 'old')",
        )
        .await
        .unwrap();

        database.migrate_up(&both).await.unwrap();
        no_drift(&database, &after(), "changed as the models were").await;
        assert_eq!(
            row(
                &database,
                "SELECT title AS label, CAST(count AS BIGINT) AS count, note FROM widgets"
            )
            .await,
            Row {
                label: "first".into(),
                count: 7,
                note: Some(String::new())
            },
            "the row is kept, renamed, widened, and its NULL given the type's zero"
        );
        // The new constraints hold: the unique title, the foreign key.
        let duplicate = "INSERT INTO widgets (title, count, note, rank) VALUES ('first', 1, '', 0)";
        assert!(execute(&database, duplicate).await.is_err(), "unique title");
        let dangling =
            "INSERT INTO widgets (title, count, note, rank, maker_id) VALUES ('x', 1, '', 0, 999)";
        assert!(
            execute(&database, dangling).await.is_err(),
            "maker_id references makers"
        );
        if db.backend() == Backend::Sqlite {
            let foreign_keys = row(
                &database,
                "SELECT 'on' AS label, foreign_keys AS count, NULL AS note FROM pragma_foreign_keys",
            )
            .await;
            assert_eq!(
                foreign_keys.count, 1,
                "the rebuild turned foreign keys back on"
            );
        }

        let reverted = database.migrate_down(&both, 1).await.unwrap();
        assert_eq!(reverted.len(), 1);
        no_drift(&database, &before(), "reverted").await;
        assert_eq!(
            row(
                &database,
                "SELECT name AS label, CAST(count AS BIGINT) AS count, note FROM widgets"
            )
            .await
            .label,
            "first"
        );
        database.migrate_up(&both).await.unwrap();
        no_drift(&database, &after(), "applied again").await;
        drop((database, booted));
        db.cleanup().await;
    }
}

#[test]
fn the_snapshot_of_the_models_matches_itself_and_names_references() {
    let later = of(&after());
    assert!(schema::diff(&later, &later, &[]).unwrap().is_empty());
    let widgets = later.table("widgets").unwrap();
    let maker = widgets
        .columns
        .iter()
        .find(|c| c.name == "maker_id")
        .unwrap();
    assert_eq!(maker.references.as_deref(), Some("makers"));
    assert!(maker.nullable);
    assert_eq!(Schema::parse(&later.to_json()).unwrap(), later);
}
