//! The schema check: every `#[model]` compared with the live database
//! (missing table or column, type or nullability mismatch, a required
//! column the model cannot fill). `check` reports drift with exit code 2;
//! the boot report logs it.

use diesel::QueryableByName;
use diesel::sql_types::{Bool, Text};
use diesel_async::RunQueryDsl;

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
}

const SQLITE_COLUMNS: &str = "SELECT name, type AS data_type, (\"notnull\" = 0 AND pk = 0) AS nullable, \
     (dflt_value IS NOT NULL OR pk > 0) AS has_default FROM pragma_table_info($1)";
const POSTGRES_COLUMNS: &str = "SELECT column_name::text AS name, data_type::text AS data_type, \
     is_nullable = 'YES' AS nullable, (column_default IS NOT NULL OR is_identity = 'YES') AS has_default \
     FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1";

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
    }];
    static MODEL: ModelInfo = ModelInfo {
        name: "Post",
        table: "posts",
        key: "id",
        not_found: "POST_NOT_FOUND",
        fields: FIELDS,
        relations: &[],
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
}
