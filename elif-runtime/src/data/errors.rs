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
            500,
            "MODEL_MISMATCH",
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
            .map(|c| FieldError::new(format!("/{c}"), detail, code))
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
            409,
            "ALREADY_EXISTS",
            named(&format!("a {} with this value already exists", model.name)),
        )
        .with_hint(elif_catalogue::EL3010.hint)
        .with_errors(errors("unique", "already taken")),
        DatabaseErrorKind::ForeignKeyViolation if operation == Operation::Delete => {
            Error::framework(
                &elif_catalogue::EL3012,
                409,
                "STILL_REFERENCED",
                named(&format!("this {} is still referred to", model.name)),
            )
            .with_hint(elif_catalogue::EL3012.hint)
        }
        DatabaseErrorKind::ForeignKeyViolation => Error::framework(
            &elif_catalogue::EL3011,
            422,
            "INVALID_REFERENCE",
            named("a reference names a row that does not exist"),
        )
        .with_hint(elif_catalogue::EL3011.hint)
        .with_errors(errors("reference", "refers to a missing row")),
        DatabaseErrorKind::NotNullViolation => Error::framework(
            &elif_catalogue::EL3013,
            422,
            "CONSTRAINT_VIOLATION",
            named("a required value is missing"),
        )
        .with_hint(elif_catalogue::EL3013.hint)
        .with_errors(errors("required", "must have a value")),
        DatabaseErrorKind::CheckViolation => Error::framework(
            &elif_catalogue::EL3013,
            422,
            "CONSTRAINT_VIOLATION",
            named("a value breaks a rule of the table"),
        )
        .with_hint(elif_catalogue::EL3013.hint)
        .with_errors(errors("check", "is not accepted by the table")),
        _ if info.message().contains("statement timeout") => Error::framework(
            &elif_catalogue::EL3015,
            503,
            "QUERY_TIMEOUT",
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
