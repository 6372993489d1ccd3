//! The schema check: every `#[model]` compared with the live database
//! (missing table or column, type or nullability mismatch, a required
//! column the model cannot fill). `check` reports drift with exit code 2;
//! the boot report logs it.

use diesel::QueryableByName;
use diesel::sql_types::{Bool, Text};

use crate::data::model::{ModelInfo, SqlType};
use crate::data::{Backend, Database};
use crate::diagnostics::Diagnostic;

/// One live column.
#[derive(QueryableByName, Debug)]
struct LiveColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
    #[diesel(sql_type = Bool)]
    has_default: bool,
    /// A unique index (or constraint) on this column alone.
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    /// An index whose first column this is.
    #[diesel(sql_type = Bool)]
    indexed: bool,
}

const SQLITE_COLUMNS: &str = "SELECT c.name, c.type AS data_type, (c.\"notnull\" = 0 AND c.pk = 0) AS nullable, \
     (c.dflt_value IS NOT NULL OR c.pk > 0) AS has_default, \
     EXISTS (SELECT 1 FROM pragma_index_list($1) AS l WHERE l.\"unique\" = 1 \
        AND (SELECT COUNT(*) FROM pragma_index_info(l.name)) = 1 \
        AND (SELECT i.name FROM pragma_index_info(l.name) AS i) = c.name) AS is_unique, \
     EXISTS (SELECT 1 FROM pragma_index_list($1) AS l \
        WHERE (SELECT i.name FROM pragma_index_info(l.name) AS i WHERE i.seqno = 0) = c.name) AS indexed \
     FROM pragma_table_info($1) AS c";
const POSTGRES_COLUMNS: &str = "SELECT c.column_name::text AS name, c.data_type::text AS data_type, \
     c.is_nullable = 'YES' AS nullable, (c.column_default IS NOT NULL OR c.is_identity = 'YES') AS has_default, \
     EXISTS (SELECT 1 FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid \
        JOIN pg_namespace n ON n.oid = t.relnamespace \
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0] \
        WHERE n.nspname = current_schema() AND t.relname = $1 AND a.attname = c.column_name \
        AND x.indisunique AND x.indnkeyatts = 1) AS is_unique, \
     EXISTS (SELECT 1 FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid \
        JOIN pg_namespace n ON n.oid = t.relnamespace \
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0] \
        WHERE n.nspname = current_schema() AND t.relname = $1 AND a.attname = c.column_name) AS indexed \
     FROM information_schema.columns AS c WHERE c.table_schema = current_schema() AND c.table_name = $1";

/// The drift of each model against `database`: one diagnostic per problem.
pub(crate) async fn check(
    database: &Database,
    models: &[&'static ModelInfo],
) -> crate::Result<Vec<Diagnostic>> {
    let backend = database.backend();
    let mut diagnostics = Vec::new();
    let mut conn = database.connection().await?;
    for model in models {
        let query = match backend {
            Backend::Sqlite => SQLITE_COLUMNS,
            Backend::Postgres => POSTGRES_COLUMNS,
        };
        let live: Vec<LiveColumn> = crate::with_connection!(conn, |c| diesel::sql_query(query)
            .bind::<Text, _>(model.table)
            .load::<LiveColumn>(c)
            .await)
        .map_err(|e| {
            crate::Error::internal(format!("cannot read the columns of `{}`: {e}", model.table))
        })?;
        for problem in compare(model, backend, &live) {
            let mut diagnostic = Diagnostic::error(&elif_catalogue::EL4006, problem);
            diagnostic.location = Some(model.location);
            diagnostics.push(diagnostic);
        }
    }
    Ok(diagnostics)
}

impl Database {
    /// What differs between each of `models` and its table (one `EL4006`
    /// diagnostic per problem): what `check` reports of the app's models.
    pub async fn drift(&self, models: &[&'static ModelInfo]) -> crate::Result<Vec<Diagnostic>> {
        check(self, models).await
    }
}

/// What differs between `model` and its table's live columns.
fn compare(model: &ModelInfo, backend: Backend, live: &[LiveColumn]) -> Vec<String> {
    let (name, table) = (model.name, model.table);
    if live.is_empty() {
        return vec![format!("model `{name}`: table `{table}` does not exist")];
    }
    let mut problems = Vec::new();
    for field in model.fields {
        let Some(column) = live.iter().find(|c| c.name == field.name) else {
            problems.push(format!(
                "model `{name}`: column `{table}.{}` does not exist",
                field.name
            ));
            continue;
        };
        if !compatible(field.sql_type, backend, &column.data_type) {
            problems.push(format!(
                "model `{name}`: `{table}.{}` is `{}` in the database, but the model's `{}` needs {}",
                field.name,
                column.data_type,
                field.rust_type,
                expected(field.sql_type, backend)
            ));
        }
        if field.key && field.generated && !generates_keys(backend, column) {
            problems.push(format!(
                "model `{name}`: `{table}.{}` is a generated key, but the database does not generate it ({})",
                field.name,
                match backend {
                    Backend::Sqlite => "SQLite generates only an `INTEGER PRIMARY KEY`",
                    Backend::Postgres => "make it `BIGSERIAL`, or `GENERATED ... AS IDENTITY`",
                }
            ));
        }
        if field.unique && !column.is_unique {
            problems.push(format!(
                "model `{name}`: `{table}.{}` is `#[unique]`, but the table has no unique index on it alone (a `UNIQUE` column or `CREATE UNIQUE INDEX`)",
                field.name
            ));
        }
        if field.index && !column.indexed {
            problems.push(format!(
                "model `{name}`: `{table}.{}` is `#[index]`, but no index of the table starts with it (`CREATE INDEX .. ON {table} ({})`)",
                field.name, field.name
            ));
        }
        match (field.nullable, column.nullable) {
            (false, true) => problems.push(format!(
                "model `{name}`: `{table}.{}` may be NULL, but the model's `{}` cannot hold NULL",
                field.name, field.rust_type
            )),
            (true, false) => problems.push(format!(
                "model `{name}`: `{table}.{}` is NOT NULL, but the model's `{}` may be None",
                field.name, field.rust_type
            )),
            _ => {}
        }
    }
    for column in live {
        let known = model.fields.iter().any(|f| f.name == column.name);
        if !known && !column.nullable && !column.has_default {
            problems.push(format!(
                "model `{name}`: `{table}.{}` is NOT NULL without a default, and the model has no such field, so inserts fail",
                column.name
            ));
        }
    }
    problems
}

/// Whether the database fills in a key column: PostgreSQL by a default
/// (a sequence) or identity; SQLite only for a column declared exactly
/// `INTEGER PRIMARY KEY` (the rowid), not `BIGINT PRIMARY KEY`.
fn generates_keys(backend: Backend, column: &LiveColumn) -> bool {
    match backend {
        Backend::Postgres => column.has_default,
        Backend::Sqlite => column.data_type.eq_ignore_ascii_case("integer"),
    }
}

/// Whether a live column's type stores `sql` on `backend`. SQLite's
/// declared types are matched by affinity, as SQLite itself does.
fn compatible(sql: SqlType, backend: Backend, declared: &str) -> bool {
    let t = declared.to_ascii_lowercase();
    match backend {
        Backend::Postgres => match sql {
            SqlType::SmallInt => t == "smallint",
            SqlType::Integer => t == "integer",
            SqlType::BigInt => t == "bigint",
            SqlType::Float => t == "real",
            SqlType::Double => t == "double precision",
            SqlType::Bool => t == "boolean",
            SqlType::Text => matches!(t.as_str(), "text" | "character varying" | "character"),
            SqlType::Binary => t == "bytea",
            SqlType::Date => t == "date",
            SqlType::Timestamp => t == "timestamp with time zone",
            SqlType::Uuid => t == "uuid",
            // `json` (not `jsonb`) reads back as text, not JSONB's format.
            SqlType::Json => t == "jsonb",
        },
        Backend::Sqlite => {
            let has = |part: &str| t.contains(part);
            let text = has("char") || has("clob") || has("text");
            match sql {
                SqlType::SmallInt | SqlType::Integer | SqlType::BigInt => has("int"),
                SqlType::Float | SqlType::Double => has("real") || has("floa") || has("doub"),
                SqlType::Bool => has("bool") || has("int") || has("numeric"),
                SqlType::Text => text,
                SqlType::Binary => has("blob") || t.is_empty(),
                SqlType::Date => text || has("date"),
                SqlType::Timestamp => text || has("date") || has("time"),
                SqlType::Uuid => text || has("uuid"),
                SqlType::Json => text || has("json"),
            }
        }
    }
}

/// The column types that fit, for messages.
fn expected(sql: SqlType, backend: Backend) -> &'static str {
    match (backend, sql) {
        (Backend::Postgres, SqlType::SmallInt) => "SMALLINT",
        (Backend::Postgres, SqlType::Integer) => "INTEGER",
        (Backend::Postgres, SqlType::BigInt) => "BIGINT",
        (Backend::Postgres, SqlType::Float) => "REAL",
        (Backend::Postgres, SqlType::Double) => "DOUBLE PRECISION",
        (Backend::Postgres, SqlType::Bool) => "BOOLEAN",
        (Backend::Postgres, SqlType::Text) => "TEXT or VARCHAR",
        (Backend::Postgres, SqlType::Binary) => "BYTEA",
        (Backend::Postgres, SqlType::Date) => "DATE",
        (Backend::Postgres, SqlType::Timestamp) => "TIMESTAMPTZ",
        (Backend::Postgres, SqlType::Uuid) => "UUID",
        (Backend::Postgres, SqlType::Json) => "JSONB",
        (Backend::Sqlite, SqlType::SmallInt | SqlType::Integer | SqlType::BigInt) => "INTEGER",
        (Backend::Sqlite, SqlType::Float | SqlType::Double) => "REAL or DOUBLE",
        (Backend::Sqlite, SqlType::Bool) => "BOOLEAN or INTEGER",
        (Backend::Sqlite, SqlType::Binary) => "BLOB",
        (Backend::Sqlite, _) => "TEXT",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, data_type: &str, nullable: bool) -> LiveColumn {
        LiveColumn {
            name: name.to_owned(),
            data_type: data_type.to_owned(),
            nullable,
            has_default: false,
            is_unique: false,
            indexed: false,
        }
    }

    static FIELDS: &[crate::data::FieldInfo] = &[crate::data::FieldInfo {
        name: "title",
        rust_type: "String",
        sql_type: SqlType::Text,
        nullable: false,
        key: false,
        hidden: false,
        fillable: true,
        generated: false,
        unique: false,
        index: false,
    }];
    static MODEL: ModelInfo = ModelInfo {
        name: "Post",
        table: "posts",
        key: "id",
        not_found: "POST_NOT_FOUND",
        fields: FIELDS,
        relations: &[],
        namespace: None,
        location: crate::di::provider::Location {
            file: "x.rs",
            line: 1,
        },
    };

    #[test]
    fn types_nullability_and_unfillable_columns_are_compared() {
        assert!(compare(&MODEL, Backend::Postgres, &[column("title", "text", false)]).is_empty());
        assert_eq!(
            compare(&MODEL, Backend::Postgres, &[]),
            ["model `Post`: table `posts` does not exist"]
        );
        let drift = compare(
            &MODEL,
            Backend::Postgres,
            &[
                column("title", "integer", true),
                column("body", "text", false),
            ],
        );
        assert_eq!(drift.len(), 3, "{drift:?}");
        assert!(
            drift[0].contains("is `integer` in the database"),
            "{drift:?}"
        );
        assert!(drift[1].contains("may be NULL"), "{drift:?}");
        assert!(drift[2].contains("`posts.body` is NOT NULL without a default"));
        let id = |data_type: &str, has_default| LiveColumn {
            has_default,
            ..column("id", data_type, false)
        };
        assert!(generates_keys(Backend::Sqlite, &id("INTEGER", true)));
        assert!(
            !generates_keys(Backend::Sqlite, &id("BIGINT", true)),
            "not the rowid"
        );
        assert!(generates_keys(Backend::Postgres, &id("bigint", true)));
        assert!(!generates_keys(Backend::Postgres, &id("bigint", false)));
        assert!(compatible(SqlType::BigInt, Backend::Sqlite, "BIGINT"));
        assert!(compatible(SqlType::Timestamp, Backend::Sqlite, "TEXT"));
        assert!(!compatible(SqlType::Text, Backend::Sqlite, "INTEGER"));
    }

    /// A field of the gadget models.
    const fn field(
        name: &'static str,
        rust_type: &'static str,
        sql_type: SqlType,
        nullable: bool,
    ) -> crate::data::FieldInfo {
        crate::data::FieldInfo {
            name,
            rust_type,
            sql_type,
            nullable,
            key: false,
            hidden: false,
            fillable: true,
            generated: false,
            unique: false,
            index: false,
        }
    }

    /// One field of every SQL type, a generated key and a nullable column.
    static GADGET_FIELDS: &[crate::data::FieldInfo] = &[
        crate::data::FieldInfo {
            key: true,
            generated: true,
            fillable: false,
            ..field("id", "i64", SqlType::BigInt, false)
        },
        field("small", "i16", SqlType::SmallInt, false),
        crate::data::FieldInfo {
            index: true,
            ..field("count", "i32", SqlType::Integer, false)
        },
        field("ratio", "f32", SqlType::Float, false),
        field("score", "f64", SqlType::Double, false),
        field("flag", "bool", SqlType::Bool, false),
        crate::data::FieldInfo {
            unique: true,
            ..field("label", "String", SqlType::Text, false)
        },
        field("note", "Option<String>", SqlType::Text, true),
        field("blob", "Vec<u8>", SqlType::Binary, false),
        field("born", "NaiveDate", SqlType::Date, false),
        field("at", "Timestamp", SqlType::Timestamp, false),
        field("uid", "Uuid", SqlType::Uuid, false),
        field("meta", "Document", SqlType::Json, false),
    ];

    const fn gadget(table: &'static str, line: u32) -> ModelInfo {
        ModelInfo {
            name: "Gadget",
            table,
            key: "id",
            not_found: "GADGET_NOT_FOUND",
            fields: GADGET_FIELDS,
            relations: &[],
            namespace: None,
            location: crate::di::provider::Location {
                file: "gadget.rs",
                line,
            },
        }
    }

    static GOOD: ModelInfo = gadget("gadgets", 10);
    static DRIFTED: ModelInfo = gadget("drifted", 20);
    static MISSING: ModelInfo = gadget("nowhere", 30);

    /// The tables: `gadgets` as the model needs it (in types each
    /// backend's affinity or spelling accepts), `drifted` with a problem
    /// in most columns.
    fn ddl(backend: Backend) -> &'static str {
        match backend {
            Backend::Sqlite => {
                "CREATE TABLE gadgets (id INTEGER PRIMARY KEY, small SMALLINT NOT NULL, \
                 count INT NOT NULL, ratio FLOAT NOT NULL, score DOUBLE NOT NULL, \
                 flag BOOLEAN NOT NULL, label VARCHAR(20) NOT NULL, note TEXT, blob NOT NULL, \
                 born DATE NOT NULL, at DATETIME NOT NULL, uid UUID NOT NULL, \
                 meta JSON NOT NULL, extra TEXT, defaulted TEXT NOT NULL DEFAULT 'x', \
                 UNIQUE (label));
                 CREATE INDEX gadgets_count ON gadgets (count, small);
                 CREATE TABLE drifted (id BIGINT PRIMARY KEY, small TEXT NOT NULL, \
                 count INTEGER NOT NULL, ratio INTEGER NOT NULL, score REAL NOT NULL, \
                 flag NUMERIC NOT NULL, label TEXT, note TEXT NOT NULL, blob TEXT NOT NULL, \
                 born INTEGER NOT NULL, at INTEGER NOT NULL, uid BLOB NOT NULL, \
                 meta TEXT NOT NULL, legacy TEXT NOT NULL);
                 CREATE UNIQUE INDEX drifted_pair ON drifted (label, note);
                 CREATE INDEX drifted_second ON drifted (small, count)"
            }
            Backend::Postgres => {
                "CREATE TABLE gadgets (id BIGSERIAL PRIMARY KEY, small SMALLINT NOT NULL, \
                 count INTEGER NOT NULL, ratio REAL NOT NULL, score DOUBLE PRECISION NOT NULL, \
                 flag BOOLEAN NOT NULL, label VARCHAR(20) NOT NULL, note TEXT, \
                 blob BYTEA NOT NULL, born DATE NOT NULL, at TIMESTAMPTZ NOT NULL, \
                 uid UUID NOT NULL, meta JSONB NOT NULL, extra TEXT, \
                 defaulted TEXT NOT NULL DEFAULT 'x', UNIQUE (label));
                 CREATE INDEX gadgets_count ON gadgets (count, small);
                 CREATE TABLE drifted (id BIGINT PRIMARY KEY, small INTEGER NOT NULL, \
                 count INTEGER NOT NULL, ratio DOUBLE PRECISION NOT NULL, \
                 score DOUBLE PRECISION NOT NULL, flag BOOLEAN NOT NULL, label TEXT, \
                 note TEXT NOT NULL, blob TEXT NOT NULL, born DATE NOT NULL, \
                 at TIMESTAMP NOT NULL, uid UUID NOT NULL, meta JSON NOT NULL, \
                 legacy TEXT NOT NULL);
                 CREATE UNIQUE INDEX drifted_pair ON drifted (label, note);
                 CREATE INDEX drifted_second ON drifted (small, count)"
            }
        }
    }

    /// What `check` reports about `drifted` and `nowhere`, in order.
    fn expected_drift(backend: Backend) -> Vec<&'static str> {
        match backend {
            Backend::Sqlite => vec![
                "model `Gadget`: `drifted.id` is a generated key, but the database does not generate it (SQLite generates only an `INTEGER PRIMARY KEY`)",
                "model `Gadget`: `drifted.small` is `TEXT` in the database, but the model's `i16` needs INTEGER",
                "model `Gadget`: `drifted.count` is `#[index]`, but no index of the table starts with it (`CREATE INDEX .. ON drifted (count)`)",
                "model `Gadget`: `drifted.ratio` is `INTEGER` in the database, but the model's `f32` needs REAL or DOUBLE",
                "model `Gadget`: `drifted.label` is `#[unique]`, but the table has no unique index on it alone (a `UNIQUE` column or `CREATE UNIQUE INDEX`)",
                "model `Gadget`: `drifted.label` may be NULL, but the model's `String` cannot hold NULL",
                "model `Gadget`: `drifted.note` is NOT NULL, but the model's `Option<String>` may be None",
                "model `Gadget`: `drifted.blob` is `TEXT` in the database, but the model's `Vec<u8>` needs BLOB",
                "model `Gadget`: `drifted.born` is `INTEGER` in the database, but the model's `NaiveDate` needs TEXT",
                "model `Gadget`: `drifted.at` is `INTEGER` in the database, but the model's `Timestamp` needs TEXT",
                "model `Gadget`: `drifted.uid` is `BLOB` in the database, but the model's `Uuid` needs TEXT",
                "model `Gadget`: `drifted.legacy` is NOT NULL without a default, and the model has no such field, so inserts fail",
                "model `Gadget`: table `nowhere` does not exist",
            ],
            Backend::Postgres => vec![
                "model `Gadget`: `drifted.id` is a generated key, but the database does not generate it (make it `BIGSERIAL`, or `GENERATED ... AS IDENTITY`)",
                "model `Gadget`: `drifted.small` is `integer` in the database, but the model's `i16` needs SMALLINT",
                "model `Gadget`: `drifted.count` is `#[index]`, but no index of the table starts with it (`CREATE INDEX .. ON drifted (count)`)",
                "model `Gadget`: `drifted.ratio` is `double precision` in the database, but the model's `f32` needs REAL",
                "model `Gadget`: `drifted.label` is `#[unique]`, but the table has no unique index on it alone (a `UNIQUE` column or `CREATE UNIQUE INDEX`)",
                "model `Gadget`: `drifted.label` may be NULL, but the model's `String` cannot hold NULL",
                "model `Gadget`: `drifted.note` is NOT NULL, but the model's `Option<String>` may be None",
                "model `Gadget`: `drifted.blob` is `text` in the database, but the model's `Vec<u8>` needs BYTEA",
                "model `Gadget`: `drifted.at` is `timestamp without time zone` in the database, but the model's `Timestamp` needs TIMESTAMPTZ",
                "model `Gadget`: `drifted.meta` is `json` in the database, but the model's `Document` needs JSONB",
                "model `Gadget`: `drifted.legacy` is NOT NULL without a default, and the model has no such field, so inserts fail",
                "model `Gadget`: table `nowhere` does not exist",
            ],
        }
    }

    #[actix_web::test]
    async fn the_live_schema_is_checked_model_by_model_on_both_backends() {
        use diesel_async::SimpleAsyncConnection;
        for test in crate::data::test_database::TestDatabase::both("drift_check").await {
            let database = test.connect();
            let backend = database.backend();
            let mut conn = database.connection().await.unwrap();
            crate::with_connection!(conn, |c| c.batch_execute(ddl(backend)).await).unwrap();
            drop(conn);
            let clean = check(&database, &[&GOOD]).await.unwrap();
            assert!(
                clean.is_empty(),
                "{backend:?}: every type the model's fields take is accepted: {clean:#?}"
            );
            let drift = check(&database, &[&GOOD, &DRIFTED, &MISSING])
                .await
                .unwrap();
            let messages: Vec<&str> = drift.iter().map(|d| d.message.as_str()).collect();
            assert_eq!(messages, expected_drift(backend), "{backend:?}");
            for d in &drift {
                assert_eq!(d.code(), "EL4006", "{backend:?}");
                assert_eq!(d.severity, crate::diagnostics::Severity::Error);
                assert_eq!(d.hint, elif_catalogue::EL4006.hint);
            }
            let lines: Vec<u32> = drift
                .iter()
                .filter_map(|d| d.location)
                .map(|l| l.line)
                .collect();
            assert_eq!(
                lines.len(),
                drift.len(),
                "{backend:?}: each points at its model"
            );
            assert_eq!(lines.last(), Some(&30));
            assert!(lines[..lines.len() - 1].iter().all(|&l| l == 20));
            drop(database);
            test.cleanup().await;
        }
    }

    #[actix_web::test]
    async fn an_unreachable_database_is_an_error_not_an_empty_report() {
        let config = crate::data::DatabaseConfig {
            url: Some(crate::config::Secret::new(
                "postgres://postgres@127.0.0.1:1/none".to_owned(),
            )),
            pool_size: 1,
            checkout_timeout_ms: 200,
            statement_timeout_ms: None,
            migrate_on_start: None,
        };
        let database = Database::connect(&config, "drift").unwrap();
        let error = check(&database, &[&GOOD]).await.unwrap_err();
        assert_eq!(error.status(), 503);
        assert_eq!(error.code(), "DATABASE_UNAVAILABLE");
        assert_eq!(error.detail(), "no database connection within 200 ms");
        assert!(error.hint().is_some());
    }

    #[test]
    fn each_mismatch_names_the_types_that_would_fit() {
        let all = [
            SqlType::SmallInt,
            SqlType::Integer,
            SqlType::BigInt,
            SqlType::Float,
            SqlType::Double,
            SqlType::Bool,
            SqlType::Text,
            SqlType::Binary,
            SqlType::Date,
            SqlType::Timestamp,
            SqlType::Uuid,
            SqlType::Json,
        ];
        let postgres: Vec<&str> = all
            .iter()
            .map(|&t| expected(t, Backend::Postgres))
            .collect();
        assert_eq!(
            postgres,
            [
                "SMALLINT",
                "INTEGER",
                "BIGINT",
                "REAL",
                "DOUBLE PRECISION",
                "BOOLEAN",
                "TEXT or VARCHAR",
                "BYTEA",
                "DATE",
                "TIMESTAMPTZ",
                "UUID",
                "JSONB"
            ]
        );
        let sqlite: Vec<&str> = all.iter().map(|&t| expected(t, Backend::Sqlite)).collect();
        assert_eq!(
            sqlite,
            [
                "INTEGER",
                "INTEGER",
                "INTEGER",
                "REAL or DOUBLE",
                "REAL or DOUBLE",
                "BOOLEAN or INTEGER",
                "TEXT",
                "BLOB",
                "TEXT",
                "TEXT",
                "TEXT",
                "TEXT"
            ]
        );
        // PostgreSQL reports its own spellings, compared whatever their case.
        assert!(compatible(SqlType::Text, Backend::Postgres, "CHARACTER"));
        assert!(!compatible(SqlType::BigInt, Backend::Postgres, "integer"));
        assert!(!compatible(SqlType::Json, Backend::Postgres, "json"));
        // SQLite by affinity: an untyped column holds blobs, not text.
        assert!(compatible(SqlType::Binary, Backend::Sqlite, ""));
        assert!(!compatible(SqlType::Text, Backend::Sqlite, ""));
        assert!(compatible(SqlType::Bool, Backend::Sqlite, "TINYINT"));
        assert!(compatible(SqlType::Double, Backend::Sqlite, "FLOAT8"));
    }
}
