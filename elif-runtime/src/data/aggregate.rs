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
use crate::data::predicate::{
    MAX_BOUND_KEYS, Predicate, SharedPredicate, WalkOn, Where, push_where, rendered_by_walk,
    table_of,
};

/// `SELECT <column>, COUNT(*) FROM <table> WHERE .. GROUP BY <column>`,
/// read as `(key, count)` rows whose key has SQL type `ST`.
struct GroupedCount<ST> {
    table: SharedPredicate,
    column: SharedPredicate,
    filters: Option<Where<()>>,
    key: PhantomData<fn() -> ST>,
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
        push_where(&mut out, &self.filters)?;
        out.push_sql(" GROUP BY ");
        self.column.walk_on(out.reborrow())
    }
}

rendered_by_walk!(GroupedCount<ST>);

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
        push_where(&mut out, &self.filters)?;
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

/// `COUNT(*) OVER ()`: beside each row of a page, how many rows the query
/// selects before its limit and offset, so that a page and its total are
/// one statement.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default)]
pub struct CountOver;

impl QueryId for CountOver {
    type QueryId = CountOver;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::Expression for CountOver {
    type SqlType = BigInt;
}

impl<QS> diesel::AppearsOnTable<QS> for CountOver {}

impl<QS> diesel::SelectableExpression<QS> for CountOver {}

impl diesel::expression::ValidGrouping<()> for CountOver {
    // A window function: evaluated per row, it needs no GROUP BY.
    type IsAggregate = diesel::expression::is_aggregate::No;
}

impl<DB: diesel::backend::Backend> QueryFragment<DB> for CountOver {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("COUNT(*) OVER ()");
        Ok(())
    }
}

/// `SELECT <target's columns>, <link_parent> FROM <target> INNER JOIN <link>
/// ON <link_target> = <target key> WHERE <link_parent> IN (..) ORDER BY
/// <link key>`: the rows of a `many_to_many` relation for many parents, each
/// with the parent it belongs to, in one statement.
struct LinkedRows<TS, KS> {
    target: SharedPredicate,
    columns: SharedPredicate,
    target_key: SharedPredicate,
    link: SharedPredicate,
    link_key: SharedPredicate,
    link_parent: SharedPredicate,
    link_target: SharedPredicate,
    filters: Option<Where<()>>,
    sql_types: PhantomData<fn() -> (TS, KS)>,
}

impl<TS: 'static, KS: 'static> Query for LinkedRows<TS, KS>
where
    (TS, KS): diesel::sql_types::SqlType,
{
    type SqlType = (TS, KS);
}

impl<TS, KS> LinkedRows<TS, KS> {
    fn walk<'b, DB>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()>
    where
        DB: diesel::backend::Backend,
        dyn Predicate: WalkOn<DB>,
        Where<()>: QueryFragment<DB>,
    {
        out.push_sql("SELECT ");
        self.columns.walk_on(out.reborrow())?;
        out.push_sql(", ");
        self.link_parent.walk_on(out.reborrow())?;
        out.push_sql(" FROM ");
        self.target.walk_on(out.reborrow())?;
        out.push_sql(" INNER JOIN ");
        self.link.walk_on(out.reborrow())?;
        out.push_sql(" ON ");
        self.link_target.walk_on(out.reborrow())?;
        out.push_sql(" = ");
        self.target_key.walk_on(out.reborrow())?;
        push_where(&mut out, &self.filters)?;
        out.push_sql(" ORDER BY ");
        self.link_key.walk_on(out.reborrow())
    }
}

rendered_by_walk!(LinkedRows<TS, KS>);

/// The rows of `T` linked to each of `keys` through a join model, with the
/// key each belongs to: `link_parent` is the join model's column naming
/// the parent, `link_target` the one naming `T`, `target_key` `T`'s key.
/// `KS` is the SQL type of the parents' keys (read from `link_parent`, which
/// the `IN` filter keeps from being NULL); `in_keys` builds `link_parent IN
/// (keys)` for one chunk of keys.
#[doc(hidden)]
#[allow(clippy::too_many_arguments)]
pub async fn load_linked<T, K, KS, LK, LP, LT, TK>(
    conn: &mut Connection,
    link_key: LK,
    link_parent: LP,
    link_target: LT,
    target_key: TK,
    keys: Vec<K>,
    in_keys: fn(Vec<K>) -> SharedPredicate,
) -> QueryResult<Vec<(T, K)>>
where
    T: crate::data::Model,
    <T::Table as diesel::Table>::AllColumns: Predicate,
    <T::Table as diesel::query_builder::AsQuery>::SqlType: 'static,
    K: Clone + Send + 'static,
    KS: Send + 'static,
    (<T::Table as diesel::query_builder::AsQuery>::SqlType, KS): diesel::sql_types::SqlType,
    Sqlite: diesel::expression::QueryMetadata<(
            <T::Table as diesel::query_builder::AsQuery>::SqlType,
            KS,
        )>,
    Pg: diesel::expression::QueryMetadata<(
            <T::Table as diesel::query_builder::AsQuery>::SqlType,
            KS,
        )>,
    (T, K): FromSqlRow<(<T::Table as diesel::query_builder::AsQuery>::SqlType, KS), Sqlite>
        + FromSqlRow<(<T::Table as diesel::query_builder::AsQuery>::SqlType, KS), Pg>
        + Send
        + 'static,
    LK: Column + Predicate + Copy,
    LK::Table: Default + Predicate,
    LP: Predicate + Copy,
    LT: Predicate + Copy,
    TK: Predicate + Copy,
{
    let mut rows = Vec::new();
    for chunk in keys.chunks(MAX_BOUND_KEYS) {
        let query = LinkedRows::<<T::Table as diesel::query_builder::AsQuery>::SqlType, KS> {
            target: table_of::<T::Table>(),
            columns: Arc::new(<T::Table as diesel::Table>::all_columns()),
            target_key: Arc::new(target_key),
            link: table_of::<LK::Table>(),
            link_key: Arc::new(link_key),
            link_parent: Arc::new(link_parent),
            link_target: Arc::new(link_target),
            filters: Where::all(&[in_keys(chunk.to_vec())]),
            sql_types: PhantomData,
        };
        let found: Vec<(T, K)> = crate::with_connection!(*conn, |c| query.load(c).await)?;
        rows.extend(found);
    }
    Ok(rows)
}

/// A select statement, then ` FOR UPDATE` on PostgreSQL when `lock` is set
/// (`Criteria::lock_for_update`); SQLite has no row locks (its write
/// transaction already holds the database).
#[doc(hidden)]
#[derive(Debug)]
pub struct Locked<Q> {
    query: Q,
    lock: bool,
}

impl<Q> Locked<Q> {
    /// `query`, locked when `lock`.
    pub fn new(query: Q, lock: bool) -> Self {
        Self { query, lock }
    }
}

impl<Q> QueryId for Locked<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Locked<Q> {
    type SqlType = Q::SqlType;
}

impl<Q: QueryFragment<Sqlite>> QueryFragment<Sqlite> for Locked<Q> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.query.walk_ast(out)
    }
}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Locked<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.query.walk_ast(out.reborrow())?;
        if self.lock {
            out.push_sql(" FOR UPDATE");
        }
        Ok(())
    }
}

/// `SELECT <before><column><after> FROM <table> WHERE ..`: one aggregate
/// of a column (`MIN(`, `)`), read as one value of SQL type `ST`.
struct Scalar<ST> {
    table: SharedPredicate,
    column: SharedPredicate,
    around: (&'static str, &'static str),
    filters: Option<Where<()>>,
    sql_type: PhantomData<fn() -> ST>,
}

impl<ST: diesel::sql_types::SqlType + 'static> Query for Scalar<ST> {
    type SqlType = ST;
}

impl<ST> Scalar<ST> {
    fn walk<'b, DB>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()>
    where
        DB: diesel::backend::Backend,
        dyn Predicate: WalkOn<DB>,
        Where<()>: QueryFragment<DB>,
    {
        out.push_sql("SELECT ");
        out.push_sql(self.around.0);
        self.column.walk_on(out.reborrow())?;
        out.push_sql(self.around.1);
        out.push_sql(" FROM ");
        self.table.walk_on(out.reborrow())?;
        push_where(&mut out, &self.filters)?;
        Ok(())
    }
}

rendered_by_walk!(Scalar<ST>);

/// One aggregate of `column` over the rows `filters` select, as a `V` read
/// with SQL type `ST`.
pub(crate) async fn scalar<C, ST, V>(
    conn: &mut Connection,
    column: C,
    around: (&'static str, &'static str),
    filters: Option<Where<()>>,
) -> QueryResult<V>
where
    C: Column + Predicate,
    C::Table: Default + Predicate,
    ST: diesel::sql_types::SqlType + diesel::sql_types::SingleValue + Send + 'static,
    Sqlite: diesel::expression::QueryMetadata<ST>,
    Pg: diesel::expression::QueryMetadata<ST>,
    V: FromSqlRow<ST, Sqlite> + FromSqlRow<ST, Pg> + Send + 'static,
{
    let query = Scalar::<ST> {
        table: table_of::<C::Table>(),
        column: Arc::new(column),
        around,
        filters,
        sql_type: PhantomData,
    };
    crate::with_connection!(*conn, |c| query.get_result::<V>(c).await)
}

/// A column whose smallest or largest value can be read as an
/// `Option<V>` on both backends (what `Repository::min`/`max` need).
#[diagnostic::on_unimplemented(
    message = "the values of `{Self}` cannot be read as `Option<{V}>`",
    note = "ask for the column's own Rust type: `let newest: Option<Timestamp> = posts.max(.., posts::created_at)`"
)]
pub trait Extremum<V>: Column + Predicate {
    #[doc(hidden)]
    fn read<'a>(
        self,
        conn: &'a mut Connection,
        around: (&'static str, &'static str),
        filters: Option<Where<()>>,
    ) -> crate::BoxFuture<'a, QueryResult<Option<V>>>;
}

impl<C, V> Extremum<V> for C
where
    C: Column + Predicate,
    C::Table: Default + Predicate,
    diesel::sql_types::Nullable<C::SqlType>:
        diesel::sql_types::SqlType + diesel::sql_types::SingleValue + Send + 'static,
    Sqlite: diesel::expression::QueryMetadata<diesel::sql_types::Nullable<C::SqlType>>,
    Pg: diesel::expression::QueryMetadata<diesel::sql_types::Nullable<C::SqlType>>,
    Option<V>: FromSqlRow<diesel::sql_types::Nullable<C::SqlType>, Sqlite>
        + FromSqlRow<diesel::sql_types::Nullable<C::SqlType>, Pg>
        + Send
        + 'static,
{
    fn read<'a>(
        self,
        conn: &'a mut Connection,
        around: (&'static str, &'static str),
        filters: Option<Where<()>>,
    ) -> crate::BoxFuture<'a, QueryResult<Option<V>>> {
        Box::pin(scalar::<
            C,
            diesel::sql_types::Nullable<C::SqlType>,
            Option<V>,
        >(conn, self, around, filters))
    }
}

/// How many rows `filters` select for each value of `column`, by value.
pub(crate) async fn grouped<C, V>(
    conn: &mut Connection,
    column: C,
    filters: Option<Where<()>>,
) -> QueryResult<Vec<(V, i64)>>
where
    C: Column + Predicate + Copy,
    C::Table: Default + Predicate,
    C::SqlType: Send + 'static,
    (C::SqlType, BigInt): diesel::sql_types::SqlType,
    Sqlite: diesel::expression::QueryMetadata<(C::SqlType, BigInt)>,
    Pg: diesel::expression::QueryMetadata<(C::SqlType, BigInt)>,
    (V, i64): FromSqlRow<(C::SqlType, BigInt), Sqlite>
        + FromSqlRow<(C::SqlType, BigInt), Pg>
        + Send
        + 'static,
{
    let query = GroupedCount::<C::SqlType> {
        table: table_of::<C::Table>(),
        column: Arc::new(column),
        filters,
        key: PhantomData,
    };
    crate::with_connection!(*conn, |c| query.load::<(V, i64)>(c).await)
}

/// A numeric SQL type `Repository::sum` can add up, and what the sum is:
/// integers add up to an `i64`, floating-point numbers to an `f64`, and
/// both backends answer that type (PostgreSQL's `SUM(bigint)` alone would
/// be a `numeric`).
pub trait Summable {
    /// The Rust type of the sum.
    type Sum: Send + 'static;
    #[doc(hidden)]
    type SqlType: diesel::sql_types::SqlType + diesel::sql_types::SingleValue + Send + 'static;
    #[doc(hidden)]
    const AROUND: (&'static str, &'static str);
}

macro_rules! summable {
    ($($sql:ty => $sum:ty, $sum_sql:ty, $cast:literal;)*) => {$(
        impl Summable for $sql {
            type Sum = $sum;
            type SqlType = $sum_sql;
            const AROUND: (&'static str, &'static str) = ("CAST(COALESCE(SUM(", concat!("), 0) AS ", $cast, ")"));
        }
        impl Summable for diesel::sql_types::Nullable<$sql> {
            type Sum = $sum;
            type SqlType = $sum_sql;
            const AROUND: (&'static str, &'static str) = ("CAST(COALESCE(SUM(", concat!("), 0) AS ", $cast, ")"));
        }
    )*};
}

summable! {
    diesel::sql_types::SmallInt => i64, BigInt, "BIGINT";
    diesel::sql_types::Integer => i64, BigInt, "BIGINT";
    diesel::sql_types::BigInt => i64, BigInt, "BIGINT";
    diesel::sql_types::Float => f64, diesel::sql_types::Double, "DOUBLE PRECISION";
    diesel::sql_types::Double => f64, diesel::sql_types::Double, "DOUBLE PRECISION";
}
