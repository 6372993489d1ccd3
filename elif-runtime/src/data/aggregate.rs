//! Aggregates over a model's rows that elif writes itself: the counts of a
//! relation for many rows at once (`SELECT post_id, COUNT(*) FROM comments
//! WHERE post_id IN (..) GROUP BY post_id`), which `Criteria::with_count`
//! uses.

use std::marker::PhantomData;
use std::sync::Arc;

use diesel::deserialize::FromSqlRow;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::BigInt;
use diesel::sqlite::Sqlite;
use diesel::{Column, QueryResult};

use crate::data::Connection;
use crate::data::predicate::{MAX_BOUND_KEYS, Predicate, SharedPredicate, WalkOn, Where, table_of};

/// `SELECT <column>, COUNT(*) FROM <table> WHERE .. GROUP BY <column>`,
/// read as `(key, count)` rows whose key has SQL type `ST`.
struct GroupedCount<ST> {
    table: SharedPredicate,
    column: SharedPredicate,
    filters: Option<Where<()>>,
    key: PhantomData<fn() -> ST>,
}

impl<ST> QueryId for GroupedCount<ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST: 'static> Query for GroupedCount<ST>
where
    (ST, BigInt): diesel::sql_types::SqlType,
{
    type SqlType = (ST, BigInt);
}

impl<ST> GroupedCount<ST> {
    fn walk<'b, DB>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()>
    where
        DB: diesel::backend::Backend,
        dyn Predicate: WalkOn<DB>,
        Where<()>: QueryFragment<DB>,
    {
        out.push_sql("SELECT ");
        self.column.walk_on(out.reborrow())?;
        out.push_sql(", COUNT(*) FROM ");
        self.table.walk_on(out.reborrow())?;
        if let Some(filters) = &self.filters {
            out.push_sql(" WHERE ");
            filters.walk_ast(out.reborrow())?;
        }
        out.push_sql(" GROUP BY ");
        self.column.walk_on(out.reborrow())
    }
}

impl<ST> QueryFragment<Sqlite> for GroupedCount<ST> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.walk(out)
    }
}

impl<ST> QueryFragment<Pg> for GroupedCount<ST> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.walk(out)
    }
}

/// How many rows of `column`'s table refer to each of `keys` through
/// `column` (a foreign key), for `with_count`; keys no row refers to are
/// absent. `ST` is the SQL type of the keys; `in_keys` builds `column IN
/// (keys)` for one chunk of keys.
#[doc(hidden)]
pub async fn count_grouped<K, ST, C>(
    conn: &mut Connection,
    column: C,
    keys: Vec<K>,
    in_keys: fn(Vec<K>) -> SharedPredicate,
) -> QueryResult<Vec<(K, i64)>>
where
    K: Clone + Send + 'static,
    ST: Send + 'static,
    (ST, BigInt): diesel::sql_types::SqlType,
    Sqlite: diesel::expression::QueryMetadata<(ST, BigInt)>,
    Pg: diesel::expression::QueryMetadata<(ST, BigInt)>,
    (K, i64): FromSqlRow<(ST, BigInt), Sqlite> + FromSqlRow<(ST, BigInt), Pg> + Send + 'static,
    C: Column + Predicate + Copy,
    C::Table: Default + Predicate,
{
    let mut counts = Vec::new();
    for chunk in keys.chunks(MAX_BOUND_KEYS) {
        let query = GroupedCount::<ST> {
            table: table_of::<C::Table>(),
            column: Arc::new(column),
            filters: Where::all(&[in_keys(chunk.to_vec())]),
            key: PhantomData,
        };
        let rows: Vec<(K, i64)> =
            crate::with_connection!(*conn, |c| query.load::<(K, i64)>(c).await)?;
        counts.extend(rows);
    }
    Ok(counts)
}

/// `UPDATE <table> SET <column> = <column> + $by [, updated_at = $now]
/// WHERE ..`: column arithmetic in one statement, so that a check and a
/// change (`stock >= 1` then `stock - 1`) cannot race.
struct AddTo<ST, V> {
    table: SharedPredicate,
    column: &'static str,
    by: V,
    updated_at: Option<crate::data::Timestamp>,
    filters: Option<Where<()>>,
    sql_type: PhantomData<fn() -> ST>,
}

impl<ST, V> QueryId for AddTo<ST, V> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST, V> AddTo<ST, V> {
    fn walk<'b, DB>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()>
    where
        DB: diesel::backend::Backend + diesel::sql_types::HasSqlType<ST>,
        DB: diesel::sql_types::HasSqlType<crate::data::sql::Timestamp>,
        dyn Predicate: WalkOn<DB>,
        Where<()>: QueryFragment<DB>,
        V: diesel::serialize::ToSql<ST, DB>,
        crate::data::Timestamp: diesel::serialize::ToSql<crate::data::sql::Timestamp, DB>,
    {
        out.push_sql("UPDATE ");
        self.table.walk_on(out.reborrow())?;
        out.push_sql(" SET ");
        out.push_identifier(self.column)?;
        out.push_sql(" = ");
        out.push_identifier(self.column)?;
        out.push_sql(" + ");
        out.push_bind_param::<ST, V>(&self.by)?;
        if let Some(now) = &self.updated_at {
            out.push_sql(", ");
            out.push_identifier(crate::data::UPDATED_AT)?;
            out.push_sql(" = ");
            out.push_bind_param::<crate::data::sql::Timestamp, _>(now)?;
        }
        if let Some(filters) = &self.filters {
            out.push_sql(" WHERE ");
            filters.walk_ast(out.reborrow())?;
        }
        Ok(())
    }
}

impl<ST, V> QueryFragment<Sqlite> for AddTo<ST, V>
where
    Sqlite: diesel::sql_types::HasSqlType<ST>,
    V: diesel::serialize::ToSql<ST, Sqlite>,
{
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.walk(out)
    }
}

impl<ST, V> QueryFragment<Pg> for AddTo<ST, V>
where
    Pg: diesel::sql_types::HasSqlType<ST>,
    V: diesel::serialize::ToSql<ST, Pg>,
{
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.walk(out)
    }
}

/// Adds `by` to `column` of every row `filters` select (and sets
/// `updated_at` to `now` when given); returns how many rows changed.
pub(crate) async fn add_to<C, V>(
    conn: &mut Connection,
    _column: C,
    by: V,
    updated_at: Option<crate::data::Timestamp>,
    filters: Option<Where<()>>,
) -> QueryResult<usize>
where
    C: Column,
    C::Table: Default + Predicate,
    C::SqlType: Send + 'static,
    Sqlite: diesel::sql_types::HasSqlType<C::SqlType>,
    Pg: diesel::sql_types::HasSqlType<C::SqlType>,
    V: diesel::serialize::ToSql<C::SqlType, Sqlite>
        + diesel::serialize::ToSql<C::SqlType, Pg>
        + Send
        + Sync
        + 'static,
{
    let statement = AddTo::<C::SqlType, V> {
        table: table_of::<C::Table>(),
        column: C::NAME,
        by,
        updated_at,
        filters,
        sql_type: PhantomData,
    };
    crate::with_connection!(*conn, |c| statement.execute(c).await)
}
