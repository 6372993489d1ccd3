//! Conditions kept for both backends. A filter written once with diesel's
//! DSL (`posts::title.eq(x)`) is type-checked against the model's table when
//! it is added to a [`Criteria`](super::Criteria), then kept as one shared
//! [`Predicate`] that renders itself for SQLite or PostgreSQL. A criteria's
//! filters are one [`Where`] condition, which a `SELECT`, an `UPDATE` and a
//! `DELETE` on the table accept alike, and which a relation filter nests in
//! an `EXISTS` subquery ([`RelatedRows`]). Values stay bound parameters.

use std::marker::PhantomData;
use std::sync::Arc;

use diesel::expression::{AppearsOnTable, Expression, ValidGrouping, is_aggregate};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::query_source::{AppearsInFromClause, Once};
use diesel::sql_types::Bool;
use diesel::sqlite::Sqlite;
use diesel::{QueryResult, Table};

/// A piece of SQL (a condition, a column, a table) that renders itself on
/// both backends.
pub trait Predicate: QueryFragment<Sqlite> + QueryFragment<Pg> + Send + Sync + 'static {}

impl<T> Predicate for T where T: QueryFragment<Sqlite> + QueryFragment<Pg> + Send + Sync + 'static {}

/// A shared [`Predicate`].
pub type SharedPredicate = Arc<dyn Predicate>;

/// Renders `part` on whichever backend `out` is for.
pub(crate) trait WalkOn<DB: diesel::backend::Backend> {
    fn walk_on<'b>(&'b self, out: AstPass<'_, 'b, DB>) -> QueryResult<()>;
}

impl WalkOn<Sqlite> for dyn Predicate {
    fn walk_on<'b>(&'b self, out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        QueryFragment::<Sqlite>::walk_ast(self, out)
    }
}

impl WalkOn<Pg> for dyn Predicate {
    fn walk_on<'b>(&'b self, out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        QueryFragment::<Pg>::walk_ast(self, out)
    }
}

/// `QueryFragment` on both backends for a statement elif writes, by its
/// backend-generic `walk` method (and the same query id, never cached by
/// type): `rendered_by_walk!(GroupedCount<ST>)`.
macro_rules! rendered_by_walk {
    ($name:ident $(<$($param:ident),*>)?) => {
        impl$(<$($param),*>)? diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite> for $name$(<$($param),*>)? {
            fn walk_ast<'b>(
                &'b self,
                out: diesel::query_builder::AstPass<'_, 'b, diesel::sqlite::Sqlite>,
            ) -> diesel::QueryResult<()> {
                self.walk(out)
            }
        }

        impl$(<$($param),*>)? diesel::query_builder::QueryFragment<diesel::pg::Pg> for $name$(<$($param),*>)? {
            fn walk_ast<'b>(
                &'b self,
                out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
            ) -> diesel::QueryResult<()> {
                self.walk(out)
            }
        }

        impl$(<$($param),*>)? diesel::query_builder::QueryId for $name$(<$($param),*>)? {
            type QueryId = ();
            const HAS_STATIC_QUERY_ID: bool = false;
        }
    };
}
pub(crate) use rendered_by_walk;

/// `(a) AND (b) AND ..`: every filter of a criteria on table `T`.
pub struct Where<T> {
    parts: Arc<[SharedPredicate]>,
    table: PhantomData<fn() -> T>,
}

impl<T> Clone for Where<T> {
    fn clone(&self) -> Self {
        Self {
            parts: self.parts.clone(),
            table: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for Where<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Where({} conditions)", self.parts.len())
    }
}

impl<T> Where<T> {
    /// All of `parts`; `None` when there is none (no `WHERE` at all).
    pub(crate) fn all(parts: &[SharedPredicate]) -> Option<Self> {
        (!parts.is_empty()).then(|| Self {
            parts: parts.into(),
            table: PhantomData,
        })
    }

    /// All of `parts`, true when there is none.
    pub(crate) fn always(parts: &[SharedPredicate]) -> Self {
        Self {
            parts: parts.into(),
            table: PhantomData,
        }
    }

    fn walk<'b, DB>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()>
    where
        DB: diesel::backend::Backend,
        dyn Predicate: WalkOn<DB>,
    {
        if self.parts.is_empty() {
            out.push_sql("1 = 1");
        }
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                out.push_sql(" AND ");
            }
            out.push_sql("(");
            part.walk_on(out.reborrow())?;
            out.push_sql(")");
        }
        Ok(())
    }
}

impl<T> Expression for Where<T> {
    type SqlType = Bool;
}

impl<T, QS> AppearsOnTable<QS> for Where<T> where QS: AppearsInFromClause<T, Count = Once> {}

impl<T> ValidGrouping<()> for Where<T> {
    type IsAggregate = is_aggregate::No;
}

rendered_by_walk!(Where<T>);

/// ` WHERE <filters>`, when there are filters.
pub(crate) fn push_where<'b, DB>(
    out: &mut AstPass<'_, 'b, DB>,
    filters: &'b Option<Where<()>>,
) -> QueryResult<()>
where
    DB: diesel::backend::Backend,
    Where<()>: QueryFragment<DB>,
{
    if let Some(filters) = filters {
        out.push_sql(" WHERE ");
        filters.walk_ast(out.reborrow())?;
    }
    Ok(())
}

/// Whether a row has related rows that pass the related criteria's
/// filters: `inner` is the related table's column, `outer` the filtered
/// table's. One statement, no id list, in one of two shapes.
pub(crate) struct RelatedRows {
    pub(crate) shape: Shape,
    pub(crate) negated: bool,
    pub(crate) table: SharedPredicate,
    pub(crate) inner: SharedPredicate,
    pub(crate) outer: SharedPredicate,
    pub(crate) filters: Arc<[SharedPredicate]>,
}

/// How a [`RelatedRows`] condition is written.
#[derive(Clone, Copy)]
pub(crate) enum Shape {
    /// `[NOT] EXISTS (SELECT 1 FROM <table> WHERE inner = outer AND ..)`:
    /// a correlated subquery.
    Exists,
    /// `outer IN (SELECT inner FROM <table> WHERE inner IS NOT NULL AND
    /// ..)`, and `NOT COALESCE(<that>, FALSE)` negated: for a relation from
    /// a table to itself (`categories.parent_id` → `categories`), where a
    /// correlated `EXISTS` would name the table twice in one scope. The
    /// outer column stands before the subquery, so it names the outer row
    /// and everything inside names the related one, without an alias. Both
    /// backends plan it as a semi-join; `IS NOT NULL` and `COALESCE` give
    /// `NOT` the meaning of `NOT EXISTS` when a foreign key is NULL.
    InSelf,
}

impl RelatedRows {
    fn walk<'b, DB>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()>
    where
        DB: diesel::backend::Backend,
        dyn Predicate: WalkOn<DB>,
    {
        match (self.shape, self.negated) {
            (Shape::Exists, true) => out.push_sql("NOT EXISTS (SELECT 1 FROM "),
            (Shape::Exists, false) => out.push_sql("EXISTS (SELECT 1 FROM "),
            (Shape::InSelf, negated) => {
                if negated {
                    out.push_sql("NOT COALESCE(");
                }
                self.outer.walk_on(out.reborrow())?;
                out.push_sql(" IN (SELECT ");
                self.inner.walk_on(out.reborrow())?;
                out.push_sql(" FROM ");
            }
        }
        self.table.walk_on(out.reborrow())?;
        out.push_sql(" WHERE ");
        self.inner.walk_on(out.reborrow())?;
        match self.shape {
            Shape::Exists => {
                out.push_sql(" = ");
                self.outer.walk_on(out.reborrow())?;
            }
            Shape::InSelf => out.push_sql(" IS NOT NULL"),
        }
        for part in self.filters.iter() {
            out.push_sql(" AND (");
            part.walk_on(out.reborrow())?;
            out.push_sql(")");
        }
        out.push_sql(")");
        if matches!(self.shape, Shape::InSelf) && self.negated {
            out.push_sql(", FALSE)");
        }
        Ok(())
    }

    fn shared<I, O>(
        shape: Shape,
        inner: I,
        outer: O,
        filters: Arc<[SharedPredicate]>,
        negated: bool,
    ) -> SharedPredicate
    where
        I: diesel::Column + Predicate,
        I::Table: Default + Predicate,
        O: Predicate,
    {
        Arc::new(Self {
            shape,
            negated,
            table: table_of::<I::Table>(),
            inner: Arc::new(inner),
            outer: Arc::new(outer),
            filters,
        })
    }
}

rendered_by_walk!(RelatedRows);

/// The quoted name of table `T`, for SQL elif writes around diesel's.
pub(crate) fn table_of<T>() -> SharedPredicate
where
    T: Table + Default + Predicate,
{
    Arc::new(T::default())
}

/// The most keys elif binds in one `IN (..)` list: more are read in
/// chunks. SQLite takes at most 32,766 bound values in one statement and
/// PostgreSQL 65,535; a chunk leaves room for a query's other filters.
pub const MAX_BOUND_KEYS: usize = 10_000;

/// The condition of a relation through a foreign key:
/// `[NOT] EXISTS (SELECT 1 FROM <inner's table> WHERE inner = outer AND ..filters)`.
/// `inner` is the related table's column (`comments.post_id` for
/// `Post::comments()`, `authors.id` for `Post::author()`), `outer` the
/// filtered table's (`posts.id`, `posts.author_id`).
#[doc(hidden)]
pub fn exists_direct<I, O>(
    inner: I,
    outer: O,
    filters: Arc<[SharedPredicate]>,
    negated: bool,
) -> SharedPredicate
where
    I: diesel::Column + Predicate,
    I::Table: Default + Predicate,
    O: Predicate,
{
    RelatedRows::shared(Shape::Exists, inner, outer, filters, negated)
}

/// The condition of a relation from a table to itself (`has_many`,
/// `has_one` or `belongs_to` over `categories.parent_id`): `outer IN
/// (SELECT inner FROM <table> WHERE ..filters)`, see [`Shape::InSelf`]. `inner`
/// and `outer` are as for [`exists_direct`].
#[doc(hidden)]
pub fn exists_in_self<I, O>(
    inner: I,
    outer: O,
    filters: Arc<[SharedPredicate]>,
    negated: bool,
) -> SharedPredicate
where
    I: diesel::Column + Predicate,
    I::Table: Default + Predicate,
    O: Predicate,
{
    RelatedRows::shared(Shape::InSelf, inner, outer, filters, negated)
}

/// The condition of a relation through a join model (`Post::tags()`
/// through `post_tags`): a join row refers to the filtered row
/// (`link_parent = outer`) and, when the related criteria has filters, to
/// a related row that passes them (`EXISTS (SELECT 1 FROM tags WHERE tags.id
/// = post_tags.tag_id AND ..)`).
#[doc(hidden)]
pub fn exists_through<L, O, T, R>(
    link_parent: L,
    outer: O,
    target_key: T,
    link_target: R,
    filters: Arc<[SharedPredicate]>,
    negated: bool,
) -> SharedPredicate
where
    L: diesel::Column + Predicate,
    L::Table: Default + Predicate,
    O: Predicate,
    T: diesel::Column + Predicate,
    T::Table: Default + Predicate,
    R: Predicate,
{
    let target: Arc<[SharedPredicate]> = if filters.is_empty() {
        filters
    } else {
        Arc::new([exists_direct(target_key, link_target, filters, false)])
    };
    exists_direct(link_parent, outer, target, negated)
}

/// `column IN (values)` with the values bound as one parameter, however
/// many there are: `IN (SELECT value FROM json_each(?))` with a JSON array
/// on SQLite, `= ANY(?)` with an array on PostgreSQL. So no statement hits
/// SQLite's 32,766 or PostgreSQL's 65,535 bound values.
pub(crate) struct InList<C, V> {
    pub(crate) column: C,
    pub(crate) values: Vec<V>,
    pub(crate) json: String,
}

impl<C, V> QueryFragment<Sqlite> for InList<C, V>
where
    C: QueryFragment<Sqlite>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (SELECT value FROM json_each(");
        out.push_bind_param::<diesel::sql_types::Text, String>(&self.json)?;
        out.push_sql("))");
        Ok(())
    }
}

impl<C, V> QueryFragment<Pg> for InList<C, V>
where
    C: QueryFragment<Pg> + diesel::Expression,
    C::SqlType: diesel::sql_types::SqlType + 'static,
    Pg: diesel::sql_types::HasSqlType<C::SqlType>,
    Vec<V>: diesel::serialize::ToSql<diesel::sql_types::Array<C::SqlType>, Pg>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" = ANY(");
        out.push_bind_param::<diesel::sql_types::Array<C::SqlType>, Vec<V>>(&self.values)?;
        out.push_sql(")");
        Ok(())
    }
}

/// The SQL types `Criteria::filter_in` takes: integers and text, whose
/// JSON form SQLite's `json_each` reads back as the same values.
#[diagnostic::on_unimplemented(
    message = "`filter_in` takes integer and text columns, not `{Self}`",
    note = "for other types, filter with `column.eq_any(values)` (at most 32,766 values on SQLite)"
)]
pub trait InListable {}

impl InListable for diesel::sql_types::SmallInt {}
impl InListable for diesel::sql_types::Integer {}
impl InListable for diesel::sql_types::BigInt {}
impl InListable for diesel::sql_types::Text {}
impl<T: InListable> InListable for diesel::sql_types::Nullable<T> {}
