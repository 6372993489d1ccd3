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
    ///
    /// Reads the operating system's clock: code that a test should be able
    /// to set the time for injects [`Clock`](crate::time::Clock) instead.
    pub fn now() -> Self {
        Self(chrono::Utc::now()).to_micros()
    }

    /// This instant without its nanoseconds past the microsecond.
    pub fn to_micros(self) -> Self {
        let micros = chrono::Timelike::nanosecond(&self.0) / 1_000 * 1_000;
        Self(chrono::Timelike::with_nanosecond(&self.0, micros).unwrap_or(self.0))
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

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use diesel::QueryableByName;
    use diesel::result::Error as DieselError;
    use diesel::sql_types::{BigInt, Text};
    use diesel_async::SimpleAsyncConnection;
    use serde_json::json;

    use super::*;
    use crate::data::test_database::TestDatabase;
    use crate::data::{Backend, sql};
    use crate::http::Schema;

    fn at(text: &str) -> Timestamp {
        match chrono::DateTime::parse_from_rfc3339(text) {
            Ok(t) => Timestamp(t.with_timezone(&chrono::Utc)),
            Err(e) => panic!("{text}: {e}"),
        }
    }

    #[test]
    fn timestamps_are_utc_to_the_microsecond_and_print_as_rfc3339() {
        let now = Timestamp::now();
        assert_eq!(
            now.timestamp_subsec_nanos() % 1_000,
            0,
            "what both backends keep: {now}"
        );
        let t = at("2026-03-01T10:20:30.123456+02:00");
        assert_eq!(t.to_string(), "2026-03-01T08:20:30.123456Z", "in UTC");
        assert_eq!(
            at("2026-03-01T08:20:30Z").to_string(),
            "2026-03-01T08:20:30Z",
            "no fraction when there is none"
        );
        assert_eq!(
            serde_json::to_value(t).unwrap(),
            json!("2026-03-01T08:20:30.123456Z"),
            "serialised as the bare string, not an object"
        );
        let back: Timestamp =
            serde_json::from_value(json!("2026-03-01T10:20:30.123456+02:00")).unwrap();
        assert_eq!(back, t);
        assert!(serde_json::from_value::<Timestamp>(json!("yesterday")).is_err());
        assert!(serde_json::from_value::<Timestamp>(json!(1_700_000_000)).is_err());
        let chrono: chrono::DateTime<chrono::Utc> = t.into();
        assert_eq!(Timestamp::from(chrono), t);
        assert!(at("2026-03-01T08:20:30Z") < t, "ordered by time");
        assert_eq!(
            HashSet::from([t, back, at("2026-03-01T08:20:30Z")]).len(),
            2,
            "the same instant hashes alike, whatever offset it was written with"
        );
        assert_eq!(format!("{t:?}"), "Timestamp(2026-03-01T08:20:30.123456Z)");
    }

    #[test]
    fn uuids_parse_any_case_and_print_hyphenated_lower_case() {
        let id: Uuid = "67E55044-10B1-426F-9247-BB680E5FE0C8".parse().unwrap();
        assert_eq!(id.to_string(), "67e55044-10b1-426f-9247-bb680e5fe0c8");
        assert_eq!(
            serde_json::to_value(id).unwrap(),
            json!("67e55044-10b1-426f-9247-bb680e5fe0c8")
        );
        let error = "67e55044-10b1-426f-9247-bb680e5fe0cz"
            .parse::<Uuid>()
            .unwrap_err();
        assert!(error.to_string().contains("invalid character"), "{error}");
        assert!("".parse::<Uuid>().is_err());
        assert!(
            serde_json::from_value::<Uuid>(json!("not-a-uuid")).is_err(),
            "a bad UUID in a request body is rejected, not stored"
        );
        assert!(Uuid::default().is_nil());
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        assert_ne!(a, b);
        assert_eq!(a.get_version_num(), 4);
        assert_eq!(Uuid::from(*a), a);
        assert_eq!(
            format!("{id:?}"),
            "Uuid(67e55044-10b1-426f-9247-bb680e5fe0c8)"
        );
        assert_eq!(HashSet::from([a, a, b]).len(), 2);
        assert!(
            Uuid::from(uuid::Uuid::nil()) < a,
            "ordered as uuid::Uuid is"
        );
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Settings {
        theme: String,
        width: u32,
    }

    #[test]
    fn documents_hold_any_json_or_a_typed_value_and_serialise_as_it() {
        let mut doc = Document::<serde_json::Value>::default();
        assert_eq!(*doc, serde_json::Value::Null);
        *doc = json!({ "tags": ["a"] });
        doc["n"] = json!(1);
        assert_eq!(
            serde_json::to_value(&doc).unwrap(),
            json!({ "tags": ["a"], "n": 1 })
        );
        let typed: Document<Settings> =
            serde_json::from_value(json!({ "theme": "dark", "width": 80 })).unwrap();
        assert_eq!(typed.theme, "dark");
        assert_eq!(
            typed,
            Document::from(Settings {
                theme: "dark".into(),
                width: 80
            })
        );
        let error =
            serde_json::from_value::<Document<Settings>>(json!({ "theme": "dark" })).unwrap_err();
        assert!(
            error.to_string().contains("missing field `width`"),
            "{error}"
        );
    }

    #[test]
    fn schemas_are_those_of_the_wrapped_types() {
        assert_eq!(
            Timestamp::schema(),
            json!({ "type": "string", "format": "date-time" })
        );
        assert_eq!(
            Uuid::schema(),
            json!({ "type": "string", "format": "uuid" })
        );
        assert_eq!(Document::<Uuid>::schema(), Uuid::schema());
        assert_eq!(Document::<serde_json::Value>::schema(), json!({}));
        assert_eq!(Document::<Option<Uuid>>::schema(), <Option<Uuid>>::schema());
    }

    #[derive(QueryableByName, Debug, PartialEq)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        id: i64,
        #[diesel(sql_type = sql::Timestamp)]
        at: Timestamp,
        #[diesel(sql_type = sql::Uuid)]
        uid: Uuid,
        #[diesel(sql_type = sql::Json)]
        doc: Document,
    }

    #[derive(QueryableByName, Debug)]
    struct Stored {
        #[diesel(sql_type = Text)]
        text: String,
    }

    #[derive(QueryableByName, Debug)]
    struct TypedDoc {
        #[diesel(sql_type = sql::Json)]
        #[allow(dead_code)]
        doc: Document<Settings>,
    }

    /// Writes rows through the SQL types and reads them back; text order
    /// on SQLite is time order.
    async fn round_trip(test: &TestDatabase) {
        let database = test.connect();
        let backend = database.backend();
        let mut conn = database.connection().await.unwrap();
        let ddl = match backend {
            Backend::Sqlite => "CREATE TABLE stamps (id BIGINT, at TEXT, uid TEXT, doc TEXT)",
            Backend::Postgres => {
                "CREATE TABLE stamps (id BIGINT, at TIMESTAMPTZ, uid UUID, doc JSONB)"
            }
        };
        crate::with_connection!(conn, |c| c.batch_execute(ddl).await).unwrap();
        // A whole second and half a second later: as variable-width text
        // (`..:30Z` against `..:30.5Z`), the later one would sort first.
        let rows = [
            Row {
                id: 1,
                at: at("2026-03-01T08:20:30.500000Z"),
                uid: "67e55044-10b1-426f-9247-bb680e5fe0c8".parse().unwrap(),
                doc: Document(json!({ "tags": ["a", "b"], "n": 1, "quote": "it's" })),
            },
            Row {
                id: 2,
                at: at("2026-03-01T08:20:30Z"),
                uid: Uuid::new_v4(),
                doc: Document(json!(null)),
            },
        ];
        for row in &rows {
            let inserted = crate::with_connection!(conn, |c| diesel::sql_query(
                "INSERT INTO stamps (id, at, uid, doc) VALUES ($1, $2, $3, $4)"
            )
            .bind::<BigInt, _>(row.id)
            .bind::<sql::Timestamp, _>(row.at)
            .bind::<sql::Uuid, _>(row.uid)
            .bind::<sql::Json, _>(&row.doc)
            .execute(c)
            .await)
            .unwrap();
            assert_eq!(inserted, 1);
        }
        let read: Vec<Row> = crate::with_connection!(conn, |c| diesel::sql_query(
            "SELECT id, at, uid, doc FROM stamps ORDER BY at"
        )
        .load::<Row>(c)
        .await)
        .unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[0], rows[1], "{backend:?}: ordered by time");
        assert_eq!(read[1], rows[0], "{backend:?}: read back as written");
        let typed: Result<Vec<TypedDoc>, _> = crate::with_connection!(conn, |c| diesel::sql_query(
            "SELECT doc FROM stamps WHERE id = 1"
        )
        .load::<TypedDoc>(c)
        .await);
        assert!(
            matches!(&typed, Err(DieselError::DeserializationError(e)) if e.to_string().contains("missing field `theme`")),
            "{backend:?}: a document that does not fit the type is an error: {typed:?}"
        );
    }

    #[actix_web::test]
    async fn timestamps_uuids_and_documents_round_trip_on_both_backends() {
        for test in TestDatabase::both("types_round_trip").await {
            round_trip(&test).await;
            test.cleanup().await;
        }
    }

    #[actix_web::test]
    async fn sqlite_stores_fixed_width_utc_text_and_rejects_what_it_cannot_read() {
        let test = TestDatabase::sqlite("types_sqlite_text");
        let database = test.connect();
        let mut conn = database.connection().await.unwrap();
        crate::with_connection!(conn, |c| c
            .batch_execute(
                "CREATE TABLE t (id BIGINT, at TEXT, uid TEXT, doc TEXT);
                 INSERT INTO t VALUES (1, '2026-03-01 08:20:30', '67E55044-10B1-426F-9247-BB680E5FE0C8', '{}');
                 INSERT INTO t VALUES (2, 'soon', 'not-a-uuid', '{broken');"
            )
            .await)
        .unwrap();
        let stored: Vec<Stored> = crate::with_connection!(conn, |c| diesel::sql_query(
            "SELECT $1 AS text UNION ALL SELECT $2"
        )
        .bind::<sql::Timestamp, _>(at("2026-03-01T10:20:30+02:00"))
        .bind::<sql::Uuid, _>(Uuid(
            "67E55044-10B1-426F-9247-BB680E5FE0C8".parse().unwrap()
        ))
        .load::<Stored>(c)
        .await)
        .unwrap();
        assert_eq!(stored[0].text, "2026-03-01T08:20:30.000000Z");
        assert_eq!(stored[1].text, "67e55044-10b1-426f-9247-bb680e5fe0c8");
        // SQLite's own `CURRENT_TIMESTAMP` format (a column default) is read as UTC.
        let read: Vec<Row> = crate::with_connection!(conn, |c| diesel::sql_query(
            "SELECT id, at, uid, doc FROM t WHERE id = 1"
        )
        .load::<Row>(c)
        .await)
        .unwrap();
        assert_eq!(read[0].at, at("2026-03-01T08:20:30Z"));
        assert_eq!(
            read[0].uid.to_string(),
            "67e55044-10b1-426f-9247-bb680e5fe0c8"
        );
        for (column, what) in [
            ("'soon' AS at, uid, doc", "a timestamp"),
            ("at, 'not-a-uuid' AS uid, doc", "a UUID"),
            ("at, uid, '{broken' AS doc", "JSON"),
        ] {
            let query = format!("SELECT id, {column} FROM t WHERE id = 1");
            let result: Result<Vec<Row>, _> =
                crate::with_connection!(conn, |c| diesel::sql_query(query).load::<Row>(c).await);
            assert!(
                matches!(result, Err(DieselError::DeserializationError(_))),
                "text that is not {what} is an error, not a default: {result:?}"
            );
        }
        drop(conn);
        test.cleanup().await;
    }

    #[actix_web::test]
    async fn postgres_json_columns_are_not_read_as_jsonb() {
        let Some(test) = TestDatabase::postgres("types_pg_json").await else {
            return;
        };
        let database = test.connect();
        let mut conn = database.connection().await.unwrap();
        let result: Result<Vec<TypedDoc>, _> = crate::with_connection!(conn, |c| {
            diesel::sql_query("SELECT '{\"theme\": \"dark\", \"width\": 1}'::json AS doc")
                .load::<TypedDoc>(c)
                .await
        });
        assert!(
            matches!(&result, Err(DieselError::DeserializationError(e)) if e.to_string() == "unsupported JSONB encoding version"),
            "{result:?}"
        );
        let result: Result<Vec<TypedDoc>, _> = crate::with_connection!(conn, |c| {
            diesel::sql_query("SELECT '{\"theme\": \"dark\", \"width\": 1}'::jsonb AS doc")
                .load::<TypedDoc>(c)
                .await
        });
        assert_eq!(result.map(|rows| rows.len()).ok(), Some(1), "JSONB is");
        drop(conn);
        test.cleanup().await;
    }
}
