//! The Rust types models store where SQLite and PostgreSQL differ: a
//! timestamp in UTC, a UUID and a JSON document. Each is a thin wrapper
//! (dereferencing to chrono's, uuid's or the inner value) that diesel
//! writes and reads through elif's portable SQL types ([`super::sql`]).
//! They serialise exactly as the wrapped value does.

use std::fmt;
use std::ops::{Deref, DerefMut};

use serde::{Deserialize, Serialize};

/// A point in time in UTC: `TIMESTAMPTZ` on PostgreSQL, RFC 3339 text on
/// SQLite. Dereferences to `chrono::DateTime<Utc>`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[serde(transparent)]
#[diesel(sql_type = super::sql::Timestamp)]
pub struct Timestamp(pub chrono::DateTime<chrono::Utc>);

impl Timestamp {
    /// The current time, to the microsecond (what both backends keep).
    pub fn now() -> Self {
        let now = chrono::Utc::now();
        let micros = chrono::Timelike::nanosecond(&now) / 1_000 * 1_000;
        Self(chrono::Timelike::with_nanosecond(&now, micros).unwrap_or(now))
    }
}

impl From<chrono::DateTime<chrono::Utc>> for Timestamp {
    fn from(value: chrono::DateTime<chrono::Utc>) -> Self {
        Self(value)
    }
}

impl From<Timestamp> for chrono::DateTime<chrono::Utc> {
    fn from(value: Timestamp) -> Self {
        value.0
    }
}

impl Deref for Timestamp {
    type Target = chrono::DateTime<chrono::Utc>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }
}

/// A UUID: `UUID` on PostgreSQL, hyphenated lower-case text on SQLite.
/// Dereferences to `uuid::Uuid`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[serde(transparent)]
#[diesel(sql_type = super::sql::Uuid)]
pub struct Uuid(pub uuid::Uuid);

impl Uuid {
    /// A random (version 4) UUID.
    pub fn new_v4() -> Self {
        Self(uuid::Uuid::new_v4())
    }
}

impl std::str::FromStr for Uuid {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        uuid::Uuid::parse_str(s).map(Self)
    }
}

impl From<uuid::Uuid> for Uuid {
    fn from(value: uuid::Uuid) -> Self {
        Self(value)
    }
}

impl Deref for Uuid {
    type Target = uuid::Uuid;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

/// A JSON document: `JSONB` on PostgreSQL, text on SQLite. `Document`
/// alone holds any JSON (`serde_json::Value`); `Document<Settings>` a typed
/// one. Dereferences to the value. (Named apart from `http::Json`, the
/// response wrapper.)
#[derive(
    Debug,
    Clone,
    PartialEq,
    Default,
    Serialize,
    Deserialize,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[serde(transparent)]
#[diesel(sql_type = super::sql::Json)]
pub struct Document<T = serde_json::Value>(pub T);

impl<T> Deref for Document<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Document<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T> From<T> for Document<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl crate::http::Schema for Timestamp {
    fn schema() -> serde_json::Value {
        serde_json::json!({ "type": "string", "format": "date-time" })
    }
}

impl crate::http::Schema for Uuid {
    fn schema() -> serde_json::Value {
        serde_json::json!({ "type": "string", "format": "uuid" })
    }
}

impl<T: crate::http::Schema> crate::http::Schema for Document<T> {
    fn schema() -> serde_json::Value {
        T::schema()
    }
}
