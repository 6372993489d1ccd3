//! SQL types that mean the same on SQLite and PostgreSQL, for the Rust
//! types diesel maps differently (or not at all) on the two backends:
//!
//! | Rust type | PostgreSQL | SQLite |
//! |---|---|---|
//! | [`Timestamp`](super::Timestamp) (wraps `chrono::DateTime<Utc>`) | `TIMESTAMPTZ` | `TEXT`, RFC 3339 in UTC (sorts in time order) |
//! | [`Uuid`](super::Uuid) (wraps `uuid::Uuid`) | `UUID` | `TEXT`, hyphenated lower case |
//! | [`Document<T>`](super::Document) | `JSONB` | `TEXT` |
//!
//! The other supported types use diesel's own, the same on both:
//! `SmallInt`, `Integer`, `BigInt`, `Float`, `Double`, `Bool`, `Text`,
//! `Binary`, `Date` (`chrono::NaiveDate`). `#[model]` picks the SQL type of each field; these are
//! public so that `table!` and hand-written queries can name them.

use diesel::deserialize::{self, FromSql};
use std::io::Write;

use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types;
use diesel::sqlite::{Sqlite, SqliteValue};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A point in time, in UTC: `TIMESTAMPTZ` on PostgreSQL, RFC 3339 text on SQLite.
#[derive(
    Debug, Clone, Copy, Default, diesel::sql_types::SqlType, diesel::query_builder::QueryId,
)]
#[diesel(postgres_type(oid = 1184, array_oid = 1185))]
#[diesel(sqlite_type(name = "Text"))]
pub struct Timestamp;

/// A UUID: `UUID` on PostgreSQL, hyphenated text on SQLite.
#[derive(
    Debug, Clone, Copy, Default, diesel::sql_types::SqlType, diesel::query_builder::QueryId,
)]
#[diesel(postgres_type(oid = 2950, array_oid = 2951))]
#[diesel(sqlite_type(name = "Text"))]
pub struct Uuid;

/// A JSON document: `JSONB` on PostgreSQL, text on SQLite.
#[derive(
    Debug, Clone, Copy, Default, diesel::sql_types::SqlType, diesel::query_builder::QueryId,
)]
#[diesel(postgres_type(oid = 3802, array_oid = 3807))]
#[diesel(sqlite_type(name = "Text"))]
pub struct Json;

use super::types;

impl ToSql<Timestamp, Pg> for types::Timestamp {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <chrono::DateTime<chrono::Utc> as ToSql<sql_types::Timestamptz, Pg>>::to_sql(&self.0, out)
    }
}

impl FromSql<Timestamp, Pg> for types::Timestamp {
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        <chrono::DateTime<chrono::Utc> as FromSql<sql_types::Timestamptz, Pg>>::from_sql(bytes)
            .map(Self)
    }
}

impl ToSql<Timestamp, Sqlite> for types::Timestamp {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        // Fixed width (microseconds) and always `Z`: text order is time order.
        out.set_value(self.0.to_rfc3339_opts(chrono::SecondsFormat::Micros, true));
        Ok(IsNull::No)
    }
}

impl FromSql<Timestamp, Sqlite> for types::Timestamp {
    fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        // RFC 3339 as written above; SQLite's own `CURRENT_TIMESTAMP`
        // format (a column default) is read too, as UTC.
        <chrono::DateTime<chrono::Utc> as FromSql<sql_types::TimestamptzSqlite, Sqlite>>::from_sql(
            value,
        )
        .map(Self)
    }
}

impl ToSql<Uuid, Pg> for types::Uuid {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <uuid::Uuid as ToSql<sql_types::Uuid, Pg>>::to_sql(&self.0, out)
    }
}

impl FromSql<Uuid, Pg> for types::Uuid {
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        <uuid::Uuid as FromSql<sql_types::Uuid, Pg>>::from_sql(bytes).map(Self)
    }
}

impl ToSql<Uuid, Sqlite> for types::Uuid {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.0.hyphenated().to_string());
        Ok(IsNull::No)
    }
}

impl FromSql<Uuid, Sqlite> for types::Uuid {
    fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        let text = <String as FromSql<sql_types::Text, Sqlite>>::from_sql(value)?;
        Ok(Self(uuid::Uuid::parse_str(&text)?))
    }
}

impl<T: Serialize + std::fmt::Debug> ToSql<Json, Pg> for types::Document<T> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        // JSONB's binary format: a version byte, then the text.
        out.write_all(&[1])?;
        serde_json::to_writer(out, &self.0)?;
        Ok(IsNull::No)
    }
}

impl<T: DeserializeOwned> FromSql<Json, Pg> for types::Document<T> {
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        match bytes.as_bytes() {
            [1, text @ ..] => Ok(Self(serde_json::from_slice(text)?)),
            _ => Err("unsupported JSONB encoding version".into()),
        }
    }
}

impl<T: Serialize + std::fmt::Debug> ToSql<Json, Sqlite> for types::Document<T> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(serde_json::to_string(&self.0)?);
        Ok(IsNull::No)
    }
}

impl<T: DeserializeOwned> FromSql<Json, Sqlite> for types::Document<T> {
    fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        let text = <String as FromSql<sql_types::Text, Sqlite>>::from_sql(value)?;
        Ok(Self(serde_json::from_str(&text)?))
    }
}
