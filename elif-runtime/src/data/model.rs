//! Models: what `#[model]` implements for a struct (its table, key, forms,
//! metadata and the queries a [`Repository`](super::Repository) runs), and
//! [`Criteria`], the typed filters, order and paging of a listing.
//!
//! A query is written once with diesel's expression DSL on the table
//! `#[model]` declares (`posts::author_id.eq(3)`), and kept for both
//! backends: the backend is chosen at start-up, so each filter is stored as
//! one small closure per backend and applied to that backend's boxed
//! statement. Values are always bound parameters.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use diesel::expression::{AppearsOnTable, Expression, NonAggregate};
use diesel::pg::Pg;
use diesel::query_dsl::methods::{FilterDsl, LimitDsl, OffsetDsl, ThenOrderDsl};
use diesel::sql_types::BoolOrNullableBool;
use diesel::sqlite::Sqlite;
use diesel::{QueryResult, Table};

use crate::data::predicate::{InList, InListable, Predicate, SharedPredicate, Where};
use crate::data::relations::{Load, Relation};
use crate::data::{Connection, Timestamp};
use crate::di::provider::{Location, ProviderDescriptor};

/// A struct stored in a table, implemented by `#[model]`.
///
/// The methods marked hidden are the queries a `Repository` runs: `#[model]`
/// writes each once, and diesel compiles it for both backends.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a model",
    label = "not a `#[model]` struct",
    note = "mark the struct `#[model(table = \"...\")]` so that it has a table and a repository"
)]
pub trait Model: Sized + Send + Sync + 'static {
    /// The key's type (`i64` for `#[key] id: i64`).
    type Key: Clone + Eq + std::hash::Hash + Send + Sync + fmt::Display + 'static;
    #[doc(hidden)]
    type KeyColumn: Copy + Send + Sync + 'static;
    #[doc(hidden)]
    const KEY_COLUMN: Self::KeyColumn;
    /// What an insert takes: every column but a generated key and the
    /// timestamps (`NewPost`).
    type New: Send + 'static;
    /// What an update takes: every settable column as an `Option`, `None`
    /// left unchanged (`PostChanges`).
    type Changes: Send + 'static;
    #[doc(hidden)]
    type Table: Table + Default + Predicate;
    #[doc(hidden)]
    type SqliteSelect: FilterDsl<Where<Self::Table>, Output = Self::SqliteSelect>
        + LimitDsl<Output = Self::SqliteSelect>
        + OffsetDsl<Output = Self::SqliteSelect>
        + Send
        + 'static;
    #[doc(hidden)]
    type PgSelect: FilterDsl<Where<Self::Table>, Output = Self::PgSelect>
        + LimitDsl<Output = Self::PgSelect>
        + OffsetDsl<Output = Self::PgSelect>
        + Send
        + 'static;

    /// The model's name, table, fields and relations.
    fn info() -> &'static ModelInfo;

    /// This row's key.
    fn key(&self) -> &Self::Key;

    #[doc(hidden)]
    fn repository() -> &'static ProviderDescriptor;

    #[doc(hidden)]
    fn find_by_key(
        conn: &mut Connection,
        key: Self::Key,
    ) -> impl Future<Output = QueryResult<Option<Self>>> + Send;

    #[doc(hidden)]
    fn list(
        conn: &mut Connection,
        query: &Criteria<Self>,
    ) -> impl Future<Output = QueryResult<Vec<Self>>> + Send;

    /// The rows `query` selects, each with how many rows it selects before
    /// its limit and offset (`COUNT(*) OVER ()`): a page and its total in
    /// one statement.
    #[doc(hidden)]
    fn list_counted(
        conn: &mut Connection,
        query: &Criteria<Self>,
    ) -> impl Future<Output = QueryResult<Vec<(Self, i64)>>> + Send;

    #[doc(hidden)]
    fn count(
        conn: &mut Connection,
        query: &Criteria<Self>,
    ) -> impl Future<Output = QueryResult<i64>> + Send;

    #[doc(hidden)]
    fn insert(
        conn: &mut Connection,
        new: Self::New,
        now: Timestamp,
    ) -> impl Future<Output = QueryResult<Self>> + Send;

    #[doc(hidden)]
    fn update(
        conn: &mut Connection,
        key: Self::Key,
        changes: Self::Changes,
        now: Timestamp,
    ) -> impl Future<Output = QueryResult<Option<Self>>> + Send;

    #[doc(hidden)]
    fn delete(
        conn: &mut Connection,
        key: Self::Key,
    ) -> impl Future<Output = QueryResult<usize>> + Send;

    /// `key IN (keys)`, on this model's table.
    #[doc(hidden)]
    fn key_in(keys: Vec<Self::Key>) -> SharedPredicate;

    /// The keys of the rows `query` selects (its filters only).
    #[doc(hidden)]
    fn keys(
        conn: &mut Connection,
        query: &Criteria<Self>,
    ) -> impl Future<Output = QueryResult<Vec<Self::Key>>> + Send;

    /// Sets the `Some` fields of `changes` (and `updated_at`) on every row
    /// `query` selects; returns how many.
    #[doc(hidden)]
    fn update_where(
        conn: &mut Connection,
        query: &Criteria<Self>,
        changes: Self::Changes,
        now: Timestamp,
    ) -> impl Future<Output = QueryResult<usize>> + Send;

    /// Deletes every row `query` selects; returns how many.
    #[doc(hidden)]
    fn delete_where(
        conn: &mut Connection,
        query: &Criteria<Self>,
    ) -> impl Future<Output = QueryResult<usize>> + Send;
}

/// A model whose insert form carries its key (a `Uuid` key, say, not one
/// the database generates), so that an insert can name an existing row:
/// `Repository::upsert` inserts or updates it. `#[model]` implements it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be upserted: the database generates its key",
    label = "its insert form has no key to find an existing row by",
    note = "upsert needs a key the caller gives (e.g. `#[key] id: Uuid`); with a generated key, `find` then `update` or `insert`"
)]
pub trait Upsert: Model {
    #[doc(hidden)]
    fn upsert(
        conn: &mut Connection,
        new: Self::New,
        now: Timestamp,
    ) -> impl Future<Output = QueryResult<Self>> + Send;
}

/// A `#[unique]` column of a model (`users::email`): `Repository::upsert_by`
/// and `Repository::first_or_insert` find an existing row by it.
/// `#[model]` implements it for each `#[unique]` field.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `#[unique]` column",
    label = "an existing row cannot be found by this column",
    note = "mark the field `#[unique]` (the table needs a unique index on it, which `check` verifies) to upsert or find-or-insert by it"
)]
pub trait UniqueColumn: Copy + Send + Sync + 'static {
    /// The model the column belongs to.
    type Model: Model;

    #[doc(hidden)]
    fn upsert(
        conn: &mut Connection,
        new: <Self::Model as Model>::New,
        now: Timestamp,
    ) -> impl Future<Output = QueryResult<Self::Model>> + Send;

    #[doc(hidden)]
    fn first_or_insert(
        conn: &mut Connection,
        new: <Self::Model as Model>::New,
        now: Timestamp,
    ) -> impl Future<Output = QueryResult<(Self::Model, bool)>> + Send;
}

/// A model as data: for `map --json`, the schema check and error messages.
#[derive(Debug)]
pub struct ModelInfo {
    /// The struct's name (`Post`).
    pub name: &'static str,
    /// The table (`posts`).
    pub table: &'static str,
    /// The key column.
    pub key: &'static str,
    /// The code of its not-found problem (`POST_NOT_FOUND`).
    pub not_found: &'static str,
    /// Every column, in declaration order.
    pub fields: &'static [FieldInfo],
    /// Its `belongs_to` relations.
    pub relations: &'static [RelationInfo],
    /// A package's model (`#[model(namespace = "elif_auth")]`): its table
    /// is created by the migrations of that namespace, so `check` compares
    /// it with the database, and `map` shows it, only in apps that apply
    /// them (that import the package's module). `None`: the app's own.
    pub namespace: Option<&'static str>,
    /// Where the struct is declared.
    pub location: Location,
}

/// One column of a model.
#[derive(Debug)]
pub struct FieldInfo {
    /// The field and column name.
    pub name: &'static str,
    /// The Rust type as written.
    pub rust_type: &'static str,
    /// The portable SQL type.
    pub sql_type: SqlType,
    /// Whether it may be NULL (`Option<T>`).
    pub nullable: bool,
    /// Whether it is the key.
    pub key: bool,
    /// Whether serialisation leaves it out (`#[hidden]`).
    pub hidden: bool,
    /// Whether a client may set it (`#[fillable]`): the `Input`/`Patch`
    /// forms take only these.
    pub fillable: bool,
    /// Whether the repository sets it (a generated key, `created_at`,
    /// `updated_at`).
    pub generated: bool,
    /// `#[unique]`: the table has a unique index on this column alone
    /// (the schema check verifies it); upserts may find a row by it.
    pub unique: bool,
    /// `#[index]`: the table has an index led by this column (checked).
    pub index: bool,
}

/// A type stored in one column beyond the built-in ones: `#[model]` takes a
/// field of any type that implements it (a package's `PasswordHash`, stored
/// as text). The type also implements diesel's `AsExpression<Self::Sql>`
/// and `FromSqlRow` (derive them) and `FromSql`/`ToSql` for `Self::Sql` on
/// SQLite and PostgreSQL, which the compiler checks where the model's
/// queries use them.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a column type [EL0031]",
    label = "`#[model]` cannot store this type",
    note = "supported: i16, i32, i64, f32, f64, bool, String, Vec<u8>, NaiveDate, Timestamp, Uuid, Document<T>, `Option` of these, and types that implement `elif::data::Column`",
    note = "a list or a map is a `Document<T>` (JSON); a type of your own implements `Column` and diesel's `AsExpression`, `FromSqlRow`, `FromSql` and `ToSql` for its SQL type"
)]
pub trait Column: Sized + Send + Sync + 'static {
    /// Its SQL type: one of diesel's (`diesel::sql_types::Text`) or
    /// elif's portable ones ([`sql`](super::sql)).
    type Sql: diesel::sql_types::SqlType + diesel::sql_types::SingleValue + Default;
    /// The same, as the map and the drift check name it.
    const SQL_TYPE: SqlType;
    /// The value factories give such a field in row number `sequence`.
    fn fake(sequence: u64) -> Self;
}

/// The SQL types a model field may have, the same on both backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlType {
    /// `i16`: `SMALLINT`.
    SmallInt,
    /// `i32`: `INTEGER`.
    Integer,
    /// `i64`: `BIGINT`.
    BigInt,
    /// `f32`: `REAL`.
    Float,
    /// `f64`: `DOUBLE PRECISION`.
    Double,
    /// `bool`: `BOOLEAN`.
    Bool,
    /// `String`: `TEXT`.
    Text,
    /// `Vec<u8>`: `BYTEA` / `BLOB`.
    Binary,
    /// `chrono::NaiveDate`: `DATE`.
    Date,
    /// [`Timestamp`](super::Timestamp): `TIMESTAMPTZ` / RFC 3339 text.
    Timestamp,
    /// [`Uuid`](super::Uuid): `UUID` / text.
    Uuid,
    /// [`Document`](super::Document): `JSONB` / text.
    Json,
}

impl SqlType {
    /// The type's name in `map --json` (lower case).
    pub fn name(self) -> &'static str {
        match self {
            Self::SmallInt => "smallint",
            Self::Integer => "integer",
            Self::BigInt => "bigint",
            Self::Float => "float",
            Self::Double => "double",
            Self::Bool => "bool",
            Self::Text => "text",
            Self::Binary => "binary",
            Self::Date => "date",
            Self::Timestamp => "timestamp",
            Self::Uuid => "uuid",
            Self::Json => "json",
        }
    }
}

/// A relation of a model.
#[derive(Debug)]
pub struct RelationInfo {
    /// The relation's name: its field (`comments`), or for a foreign key
    /// alone, the key without `_id` (`author`).
    pub name: &'static str,
    /// `belongs_to`, `has_many`, `has_one` or `many_to_many`.
    pub kind: &'static str,
    /// The related model's name (`Author`).
    pub model: &'static str,
    /// The foreign-key column (`author_id`; on the related model for
    /// `has_many`/`has_one`, on the join model for `many_to_many`).
    pub foreign_key: &'static str,
    /// The join model of a `many_to_many` (`PostTag`).
    pub through: Option<&'static str>,
}

/// Registers a model for the inspection commands (`#[model]` submits one).
pub struct ModelRegistration {
    /// The model's description.
    pub info: fn() -> &'static ModelInfo,
}

inventory::collect!(ModelRegistration);

/// The models of an app that applies `plan`: its own, and those of the
/// packages whose migrations it applies (a package's model whose module
/// the app does not import has no table there, and is none of its
/// business).
pub fn models_of(plan: &[crate::data::Migrations]) -> Vec<&'static ModelInfo> {
    models()
        .into_iter()
        .filter(|m| {
            m.namespace
                .is_none_or(|namespace| plan.iter().any(|set| set.namespace() == Some(namespace)))
        })
        .collect()
}

/// Every model linked into the binary, by name.
pub fn models() -> Vec<&'static ModelInfo> {
    let mut all: Vec<_> = inventory::iter::<ModelRegistration>
        .into_iter()
        .map(|r| (r.info)())
        .collect();
    all.sort_by_key(|m| m.name);
    all
}

type Clause<Q> = Box<dyn Fn(Q) -> Q + Send + Sync>;

/// What to list, count, update or delete: filters (all must hold), order,
/// limit and offset, written with diesel's DSL on the model's table, and
/// relations to load with the rows:
///
/// ```text
/// Criteria::new()
///     .filter(posts::author_id.eq(author))
///     .filter(posts::title.like("%rust%"))
///     .has(Post::tags(), |t| t.filter(tags::name.eq("rust")))
///     .order_by(posts::created_at.desc())
///     .limit(20)
/// ```
pub struct Criteria<M: Model> {
    filters: Vec<SharedPredicate>,
    sqlite_orders: Vec<Clause<M::SqliteSelect>>,
    pg_orders: Vec<Clause<M::PgSelect>>,
    limit: Option<i64>,
    offset: Option<i64>,
    lock: bool,
    relations: Vec<Box<dyn Load<M>>>,
}

impl<M: Model> Default for Criteria<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: Model> fmt::Debug for Criteria<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Criteria")
            .field("model", &M::info().name)
            .field("filters", &self.filters.len())
            .field("orders", &self.sqlite_orders.len())
            .field("relations", &self.relations.len())
            .field("limit", &self.limit)
            .field("offset", &self.offset)
            .field("lock", &self.lock)
            .finish()
    }
}

impl<M: Model> Criteria<M> {
    /// Every row, in the database's order.
    pub fn new() -> Self {
        Self {
            filters: Vec::new(),
            sqlite_orders: Vec::new(),
            pg_orders: Vec::new(),
            limit: None,
            offset: None,
            lock: false,
            relations: Vec::new(),
        }
    }

    /// Locks the rows it reads until the transaction ends (`SELECT .. FOR
    /// UPDATE` on PostgreSQL), so that a read, a decision and a write
    /// cannot interleave with another transaction's. Use it inside
    /// `Database::transaction` (outside one the lock ends with the
    /// statement). On SQLite a transaction takes the write lock when it
    /// begins, which already serialises them.
    pub fn lock_for_update(mut self) -> Self {
        self.lock = true;
        self
    }

    /// Whether the rows read are locked.
    #[doc(hidden)]
    pub fn locked(&self) -> bool {
        self.lock
    }

    /// Also loads `relation` for every row (`Post::comments()`), with one
    /// more query for all the rows together.
    pub fn with<C>(mut self, relation: Relation<M, C>) -> Self
    where
        C: Send + Sync + 'static,
    {
        self.relations.push(Box::new(relation));
        self
    }

    /// Fills the model's `#[count(relation)]` field of every row with how
    /// many related rows it has (`with_count(Post::comments())` fills
    /// `comments_count`), with one more query for all the rows together.
    pub fn with_count<C>(mut self, relation: Relation<M, C>) -> Self
    where
        C: Model,
    {
        self.relations.push(relation.counted());
        self
    }

    /// Fills the model's `#[exists(relation)]` field of every row with
    /// whether it has a related row that passes `related`'s filters
    /// (`with_exists(Article::favorited_by(), |u| u.filter(users::id.eq(me)))`
    /// fills `favorited`), with one more query for all the rows together.
    pub fn with_exists<C>(
        mut self,
        relation: Relation<M, C>,
        related: impl FnOnce(Criteria<C>) -> Criteria<C>,
    ) -> Self
    where
        C: Model,
    {
        let condition = relation.condition(related, false);
        self.relations.push(relation.flagged(condition));
        self
    }

    /// Keeps the rows that have at least one related row passing
    /// `related`'s filters: `has(Post::tags(), |t| t.filter(tags::name.eq("rust")))`.
    /// One statement (`EXISTS (SELECT ..)`), whatever the number of rows;
    /// `related` may itself filter by its own relations.
    pub fn has<C>(
        self,
        relation: Relation<M, C>,
        related: impl FnOnce(Criteria<C>) -> Criteria<C>,
    ) -> Self
    where
        C: Model,
    {
        let condition = relation.condition(related, false);
        self.where_shared(condition)
    }

    /// Keeps the rows that have no related row passing `related`'s filters
    /// (`NOT EXISTS (SELECT ..)`).
    pub fn doesnt_have<C>(
        self,
        relation: Relation<M, C>,
        related: impl FnOnce(Criteria<C>) -> Criteria<C>,
    ) -> Self
    where
        C: Model,
    {
        let condition = relation.condition(related, true);
        self.where_shared(condition)
    }

    /// Loads the relations asked for with [`Criteria::with`] into `rows`.
    pub(crate) async fn load_relations(
        &self,
        conn: &mut Connection,
        rows: &mut [M],
    ) -> QueryResult<()> {
        for relation in &self.relations {
            relation.load(conn, rows).await?;
        }
        Ok(())
    }

    /// Keeps the rows for which `predicate` holds (`posts::id.gt(10)`);
    /// several filters must all hold.
    pub fn filter<P>(self, predicate: P) -> Self
    where
        P: Expression + AppearsOnTable<M::Table> + NonAggregate + Predicate,
        P::SqlType: BoolOrNullableBool,
    {
        self.where_shared(Arc::new(predicate))
    }

    /// Keeps the rows whose `column` is one of `values`, however many:
    /// `filter_in(posts::author_id, ids)`. Unlike `eq_any`, whose every
    /// value is a bound parameter (SQLite takes at most 32,766), the list is
    /// one parameter: a JSON array read with `json_each` on SQLite, an array
    /// with `= ANY` on PostgreSQL. For integer and text columns.
    pub fn filter_in<C, V>(self, column: C, values: Vec<V>) -> Self
    where
        C: diesel::Column<Table = M::Table> + Predicate + Copy,
        C::SqlType: InListable + diesel::sql_types::SqlType + 'static,
        Pg: diesel::sql_types::HasSqlType<C::SqlType>,
        V: serde::Serialize + Send + Sync + 'static,
        Vec<V>: diesel::serialize::ToSql<diesel::sql_types::Array<C::SqlType>, Pg>,
    {
        // Integers and strings always serialise; a failure leaves no value
        // to match, never a silently dropped filter.
        let json = serde_json::to_string(&values).unwrap_or_else(|_| "[]".to_owned());
        self.where_shared(Arc::new(InList {
            column,
            values,
            json,
        }))
    }

    /// Adds a condition already checked against the table.
    #[doc(hidden)]
    pub fn where_shared(mut self, predicate: SharedPredicate) -> Self {
        self.filters.push(predicate);
        self
    }

    /// The filters.
    pub(crate) fn filters(&self) -> &[SharedPredicate] {
        &self.filters
    }

    /// The filters as one condition, always true when there is none (for
    /// `UPDATE`/`DELETE`, whose statement type must not depend on it).
    #[doc(hidden)]
    pub fn condition(&self) -> Where<M::Table> {
        Where::always(&self.filters)
    }

    /// The filters as one condition, `None` when there is none.
    #[doc(hidden)]
    pub fn where_clause(&self) -> Option<Where<M::Table>> {
        Where::all(&self.filters)
    }

    /// Orders by `order` (`posts::created_at.desc()`), after any order
    /// given before.
    pub fn order_by<O>(mut self, order: O) -> Self
    where
        O: Clone + Send + Sync + 'static,
        M::SqliteSelect: ThenOrderDsl<O, Output = M::SqliteSelect>,
        M::PgSelect: ThenOrderDsl<O, Output = M::PgSelect>,
    {
        let o = order.clone();
        self.sqlite_orders
            .push(Box::new(move |q| ThenOrderDsl::then_order_by(q, o.clone())));
        self.pg_orders.push(Box::new(move |q| {
            ThenOrderDsl::then_order_by(q, order.clone())
        }));
        self
    }

    /// At most `n` rows.
    pub fn limit(mut self, n: u64) -> Self {
        self.limit = Some(i64::try_from(n).unwrap_or(i64::MAX));
        self
    }

    /// Skips the first `n` rows.
    pub fn offset(mut self, n: u64) -> Self {
        self.offset = Some(i64::try_from(n).unwrap_or(i64::MAX));
        self
    }

    /// The limit, if any.
    pub fn limit_value(&self) -> Option<i64> {
        self.limit
    }

    /// The offset, if any.
    pub fn offset_value(&self) -> Option<i64> {
        self.offset
    }
}

/// Picks a query's clauses for backend `DB`, in code `#[model]` writes
/// once for both backends.
#[doc(hidden)]
pub trait BackendClauses<M: Model> {
    /// The boxed select statement of `M`'s table on this backend.
    type Select;
    /// Applies the filters.
    fn filter(query: &Criteria<M>, select: Self::Select) -> Self::Select;
    /// Applies the filters, then the order.
    fn filter_and_order(query: &Criteria<M>, select: Self::Select) -> Self::Select;
    /// Applies the filters, the order, the limit and the offset.
    fn select(query: &Criteria<M>, select: Self::Select) -> Self::Select;
}

/// `select` with the criteria's limit and offset, if any.
fn limited<Q>(query_limit: Option<i64>, query_offset: Option<i64>, select: Q) -> Q
where
    Q: LimitDsl<Output = Q> + OffsetDsl<Output = Q>,
{
    let select = match query_limit {
        Some(n) => LimitDsl::limit(select, n),
        None => select,
    };
    match query_offset {
        Some(n) => OffsetDsl::offset(select, n),
        None => select,
    }
}

fn apply<Q>(clauses: &[Clause<Q>], select: Q) -> Q {
    clauses.iter().fold(select, |q, clause| clause(q))
}

impl<M: Model> BackendClauses<M> for Sqlite {
    type Select = M::SqliteSelect;
    fn filter(query: &Criteria<M>, select: Self::Select) -> Self::Select {
        match query.where_clause() {
            Some(condition) => FilterDsl::filter(select, condition),
            None => select,
        }
    }
    fn filter_and_order(query: &Criteria<M>, select: Self::Select) -> Self::Select {
        apply(&query.sqlite_orders, Self::filter(query, select))
    }
    fn select(query: &Criteria<M>, select: Self::Select) -> Self::Select {
        limited(
            query.limit,
            query.offset,
            Self::filter_and_order(query, select),
        )
    }
}

impl<M: Model> BackendClauses<M> for Pg {
    type Select = M::PgSelect;
    fn filter(query: &Criteria<M>, select: Self::Select) -> Self::Select {
        match query.where_clause() {
            Some(condition) => FilterDsl::filter(select, condition),
            None => select,
        }
    }
    fn filter_and_order(query: &Criteria<M>, select: Self::Select) -> Self::Select {
        apply(&query.pg_orders, Self::filter(query, select))
    }
    fn select(query: &Criteria<M>, select: Self::Select) -> Self::Select {
        limited(
            query.limit,
            query.offset,
            Self::filter_and_order(query, select),
        )
    }
}
