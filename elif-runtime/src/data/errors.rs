//! Database errors as problems: constraint violations become 409/422
//! naming the columns (never the values), a row that does not fit its model
//! a clear 500, a cancelled statement a 503. Nothing here panics.

use diesel::result::{DatabaseErrorInformation, DatabaseErrorKind, Error as DieselError};

use crate::data::model::ModelInfo;
use crate::error::Error;
use crate::http::FieldError;

/// What the failed statement was doing: a foreign-key violation means a
/// missing parent on a write, a remaining child on a delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    Read,
    Write,
    Delete,
}

/// The problem for a failed query on `model`'s table.
pub(crate) fn query_error(model: &ModelInfo, operation: Operation, error: DieselError) -> Error {
    match error {
        DieselError::DatabaseError(kind, info) => database_error(model, operation, kind, &*info),
        DieselError::DeserializationError(cause) => Error::framework(
            &elif_catalogue::EL3014,
            format!(
                "a row of `{}` does not match the model `{}`: {cause}",
                model.table, model.name
            ),
        )
        .with_hint(elif_catalogue::EL3014.hint),
        other => internal(model, &other.to_string()),
    }
}

fn database_error(
    model: &ModelInfo,
    operation: Operation,
    kind: DatabaseErrorKind,
    info: &dyn DatabaseErrorInformation,
) -> Error {
    let columns = columns(model, info);
    let errors = |code: &str, detail: &str| -> Vec<FieldError> {
        columns
            .iter()
            .map(|c| FieldError::new(format!("/{c}"), code, detail))
            .collect()
    };
    let named = |what: &str| match (columns.is_empty(), info.constraint_name()) {
        (false, _) => format!("{what} ({})", columns.join(", ")),
        (true, Some(constraint)) => format!("{what} (constraint `{constraint}`)"),
        (true, None) => what.to_owned(),
    };
    match kind {
        DatabaseErrorKind::UniqueViolation => Error::framework(
            &elif_catalogue::EL3010,
            named(&format!("a {} with this value already exists", model.name)),
        )
        .with_hint(elif_catalogue::EL3010.hint)
        .with_errors(errors("unique", "already taken")),
        DatabaseErrorKind::ForeignKeyViolation if operation == Operation::Delete => {
            Error::framework(
                &elif_catalogue::EL3012,
                named(&format!("this {} is still referred to", model.name)),
            )
            .with_hint(elif_catalogue::EL3012.hint)
        }
        DatabaseErrorKind::ForeignKeyViolation => Error::framework(
            &elif_catalogue::EL3011,
            named("a reference names a row that does not exist"),
        )
        .with_hint(elif_catalogue::EL3011.hint)
        .with_errors(errors("reference", "refers to a missing row")),
        DatabaseErrorKind::NotNullViolation => Error::framework(
            &elif_catalogue::EL3013,
            named("a required value is missing"),
        )
        .with_hint(elif_catalogue::EL3013.hint)
        .with_errors(errors("required", "must have a value")),
        DatabaseErrorKind::CheckViolation => Error::framework(
            &elif_catalogue::EL3013,
            named("a value breaks a rule of the table"),
        )
        .with_hint(elif_catalogue::EL3013.hint)
        .with_errors(errors("check", "is not accepted by the table")),
        // PostgreSQL's text cannot hold U+0000, which JSON can carry
        // (`"\u0000"`): the value is refused, as a broken rule of the table
        // is (SQLite stores it).
        _ if info.message().contains("invalid byte sequence for encoding") => Error::framework(
            &elif_catalogue::EL3013,
            named("a text value holds a character the database cannot store (PostgreSQL text cannot hold U+0000)"),
        )
        .with_hint(elif_catalogue::EL3013.hint),
        _ if info.message().contains("statement timeout") => Error::framework(
            &elif_catalogue::EL3015,
            format!(
                "a query on `{}` ran past the statement timeout",
                model.table
            ),
        )
        .with_hint(elif_catalogue::EL3015.hint),
        _ => internal(model, info.message()),
    }
}

fn internal(model: &ModelInfo, message: &str) -> Error {
    Error::internal(format!("a query on `{}` failed: {message}", model.table))
}

/// The model's columns a violation names: PostgreSQL's column (not null)
/// or key (`Key (name)=(...)` in the detail; the values are dropped);
/// SQLite's `table.column` list in its message.
fn columns(model: &ModelInfo, info: &dyn DatabaseErrorInformation) -> Vec<String> {
    let known = |name: &str| model.fields.iter().any(|f| f.name == name);
    if let Some(column) = info.column_name()
        && known(column)
    {
        return vec![column.to_owned()];
    }
    if let Some(detail) = info.details()
        && let Some(rest) = detail.strip_prefix("Key (")
        && let Some((list, _)) = rest.split_once(")=")
    {
        return list
            .split(',')
            .map(str::trim)
            .filter(|c| known(c))
            .map(str::to_owned)
            .collect();
    }
    // SQLite: "UNIQUE constraint failed: tags.name, tags.slug"
    if let Some((_, list)) = info.message().split_once("constraint failed: ") {
        return list
            .split(',')
            .filter_map(|c| c.trim().split_once('.'))
            .map(|(_, column)| column)
            .filter(|c| known(c))
            .map(str::to_owned)
            .collect();
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use diesel_async::SimpleAsyncConnection;

    use super::*;
    use crate::data::model::{FieldInfo, SqlType};
    use crate::data::test_database::TestDatabase;
    use crate::data::{Backend, ConnectionGuard};

    const fn field(name: &'static str, sql_type: SqlType) -> FieldInfo {
        FieldInfo {
            name,
            rust_type: "",
            sql_type,
            nullable: false,
            key: false,
            hidden: false,
            fillable: true,
            generated: false,
            unique: false,
            index: false,
        }
    }

    static AUTHOR_FIELDS: &[FieldInfo] = &[
        field("id", SqlType::BigInt),
        field("email", SqlType::Text),
        field("team", SqlType::Text),
        field("nick", SqlType::Text),
    ];
    static POST_FIELDS: &[FieldInfo] = &[
        field("id", SqlType::BigInt),
        field("author_id", SqlType::BigInt),
        field("title", SqlType::Text),
    ];

    const fn model(
        name: &'static str,
        table: &'static str,
        fields: &'static [FieldInfo],
    ) -> ModelInfo {
        ModelInfo {
            name,
            table,
            key: "id",
            not_found: "NOT_FOUND",
            fields,
            relations: &[],
            namespace: None,
            location: crate::di::provider::Location {
                file: "models.rs",
                line: 1,
            },
        }
    }

    static AUTHOR: ModelInfo = model("Author", "authors", AUTHOR_FIELDS);
    static POST: ModelInfo = model("Post", "posts", POST_FIELDS);

    /// `secret` is a value that must never appear in a problem.
    const SCHEMA: &str = "CREATE TABLE authors (id BIGINT PRIMARY KEY, email TEXT NOT NULL UNIQUE, \
         team TEXT NOT NULL, nick TEXT NOT NULL, hidden TEXT UNIQUE, \
         CONSTRAINT team_nick UNIQUE (team, nick));
         CREATE TABLE posts (id BIGINT PRIMARY KEY, author_id BIGINT NOT NULL REFERENCES authors (id), \
         title TEXT NOT NULL CHECK (length(title) > 0));
         INSERT INTO authors VALUES (1, 'secret@example.com', 'red', 'ace', 'secret-hidden');
         INSERT INTO posts VALUES (1, 1, 'hello')";

    async fn fail(conn: &mut ConnectionGuard, sql: &str) -> DieselError {
        let result = crate::with_connection!(*conn, |c| diesel::sql_query(sql).execute(c).await);
        match result {
            Ok(n) => panic!("`{sql}` did not fail ({n} rows)"),
            Err(error) => error,
        }
    }

    /// One failing statement and the problem it must become, per backend:
    /// `(status, code, detail, field errors as "pointer code detail")`.
    struct Case {
        model: &'static ModelInfo,
        operation: Operation,
        sql: &'static str,
        sqlite: (u16, &'static str, &'static str, &'static [&'static str]),
        postgres: (u16, &'static str, &'static str, &'static [&'static str]),
    }

    const TAKEN: &str = "a Author with this value already exists";

    fn cases() -> Vec<Case> {
        vec![
            Case {
                model: &AUTHOR,
                operation: Operation::Write,
                sql: "INSERT INTO authors VALUES (2, 'secret@example.com', 'x', 'y', NULL)",
                sqlite: (
                    409,
                    "ALREADY_EXISTS",
                    "a Author with this value already exists (email)",
                    &["/email unique already taken"],
                ),
                postgres: (
                    409,
                    "ALREADY_EXISTS",
                    "a Author with this value already exists (email)",
                    &["/email unique already taken"],
                ),
            },
            Case {
                model: &AUTHOR,
                operation: Operation::Write,
                sql: "INSERT INTO authors VALUES (2, 'b@example.com', 'red', 'ace', NULL)",
                sqlite: (
                    409,
                    "ALREADY_EXISTS",
                    "a Author with this value already exists (team, nick)",
                    &["/team unique already taken", "/nick unique already taken"],
                ),
                postgres: (
                    409,
                    "ALREADY_EXISTS",
                    "a Author with this value already exists (team, nick)",
                    &["/team unique already taken", "/nick unique already taken"],
                ),
            },
            // A column the model does not have is not named as a field.
            Case {
                model: &AUTHOR,
                operation: Operation::Write,
                sql: "INSERT INTO authors VALUES (2, 'b@example.com', 'x', 'y', 'secret-hidden')",
                sqlite: (409, "ALREADY_EXISTS", TAKEN, &[]),
                postgres: (
                    409,
                    "ALREADY_EXISTS",
                    "a Author with this value already exists (constraint `authors_hidden_key`)",
                    &[],
                ),
            },
            Case {
                model: &POST,
                operation: Operation::Write,
                sql: "INSERT INTO posts VALUES (2, 999, 't')",
                sqlite: (
                    422,
                    "INVALID_REFERENCE",
                    "a reference names a row that does not exist",
                    &[],
                ),
                postgres: (
                    422,
                    "INVALID_REFERENCE",
                    "a reference names a row that does not exist (author_id)",
                    &["/author_id reference refers to a missing row"],
                ),
            },
            Case {
                model: &AUTHOR,
                operation: Operation::Delete,
                sql: "DELETE FROM authors WHERE id = 1",
                sqlite: (
                    409,
                    "STILL_REFERENCED",
                    "this Author is still referred to",
                    &[],
                ),
                postgres: (
                    409,
                    "STILL_REFERENCED",
                    "this Author is still referred to (id)",
                    &[],
                ),
            },
            Case {
                model: &POST,
                operation: Operation::Write,
                sql: "INSERT INTO posts VALUES (2, 1, NULL)",
                sqlite: (
                    422,
                    "CONSTRAINT_VIOLATION",
                    "a required value is missing (title)",
                    &["/title required must have a value"],
                ),
                postgres: (
                    422,
                    "CONSTRAINT_VIOLATION",
                    "a required value is missing (title)",
                    &["/title required must have a value"],
                ),
            },
            Case {
                model: &POST,
                operation: Operation::Write,
                sql: "INSERT INTO posts VALUES (2, 1, '')",
                sqlite: (
                    422,
                    "CONSTRAINT_VIOLATION",
                    "a value breaks a rule of the table",
                    &[],
                ),
                postgres: (
                    422,
                    "CONSTRAINT_VIOLATION",
                    "a value breaks a rule of the table (constraint `posts_title_check`)",
                    &[],
                ),
            },
            Case {
                model: &POST,
                operation: Operation::Read,
                sql: "SELECT nope FROM posts",
                sqlite: (
                    500,
                    "INTERNAL_ERROR",
                    "a query on `posts` failed: no such column: nope",
                    &[],
                ),
                postgres: (
                    500,
                    "INTERNAL_ERROR",
                    "a query on `posts` failed: column \"nope\" does not exist",
                    &[],
                ),
            },
        ]
    }

    #[actix_web::test]
    async fn constraint_violations_name_the_model_s_columns_never_the_values() {
        for test in TestDatabase::both("errors_constraints").await {
            let database = test.connect();
            let backend = database.backend();
            let mut conn = database.connection().await.unwrap();
            crate::with_connection!(conn, |c| c.batch_execute(SCHEMA).await).unwrap();
            for case in cases() {
                let error =
                    query_error(case.model, case.operation, fail(&mut conn, case.sql).await);
                let (status, code, detail, fields) = match backend {
                    Backend::Sqlite => case.sqlite,
                    Backend::Postgres => case.postgres,
                };
                let context = format!("{backend:?}: {}", case.sql);
                assert_eq!(error.status(), status, "{context}");
                assert_eq!(error.code(), code, "{context}");
                assert_eq!(error.detail(), detail, "{context}");
                let errors: Vec<String> = error
                    .errors()
                    .iter()
                    .map(|e| format!("{} {} {}", e.pointer, e.code, e.detail))
                    .collect();
                assert_eq!(errors, fields, "{context}");
                if status != 500 {
                    assert_eq!(
                        error.hint(),
                        error.entry().map(|e| e.hint),
                        "{context}: the catalogue's hint"
                    );
                }
                let json = error.to_problem(None, false).to_json();
                assert!(
                    !json.contains("secret") && !json.contains("999"),
                    "{context}: no value in {json}"
                );
            }
            drop(conn);
            test.cleanup().await;
        }
    }

    #[derive(diesel::QueryableByName, Debug)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        #[allow(dead_code)]
        id: i64,
    }

    #[actix_web::test]
    async fn a_row_that_does_not_fit_the_model_is_a_500_naming_table_and_model() {
        let test = TestDatabase::sqlite("errors_mismatch");
        let database = test.connect();
        let mut conn = database.connection().await.unwrap();
        let result = crate::with_connection!(conn, |c| diesel::sql_query("SELECT NULL AS id")
            .load::<Id>(c)
            .await);
        let error = query_error(&POST, Operation::Read, result.unwrap_err());
        assert_eq!(error.status(), 500);
        assert_eq!(error.code(), "MODEL_MISMATCH");
        assert!(
            error
                .detail()
                .starts_with("a row of `posts` does not match the model `Post`: "),
            "{}",
            error.detail()
        );
        assert_eq!(error.hint(), Some(elif_catalogue::EL3014.hint));
        let missing = query_error(&POST, Operation::Read, DieselError::NotFound);
        assert_eq!(
            (missing.status(), missing.code(), missing.detail()),
            (
                500,
                "INTERNAL_ERROR",
                "a query on `posts` failed: Record not found"
            )
        );
        drop(conn);
        test.cleanup().await;
    }

    #[actix_web::test]
    async fn a_statement_past_postgres_s_timeout_is_a_503() {
        let Some(test) = TestDatabase::postgres("errors_timeout").await else {
            return;
        };
        let database = test.connect();
        let mut conn = database.connection().await.unwrap();
        crate::with_connection!(conn, |c| c
            .batch_execute("SET statement_timeout = 50")
            .await)
        .unwrap();
        let error = query_error(
            &POST,
            Operation::Read,
            fail(&mut conn, "SELECT pg_sleep(2)").await,
        );
        assert_eq!(error.status(), 503);
        assert_eq!(error.code(), "QUERY_TIMEOUT");
        assert_eq!(
            error.detail(),
            "a query on `posts` ran past the statement timeout"
        );
        assert_eq!(error.hint(), Some(elif_catalogue::EL3015.hint));
        crate::with_connection!(conn, |c| c.batch_execute("RESET statement_timeout").await)
            .unwrap();
        drop(conn);
        test.cleanup().await;
    }
}
