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

use diesel::QueryResult;
use diesel::pg::Pg;
use diesel::query_dsl::methods::{FilterDsl, ThenOrderDsl};
use diesel::sqlite::Sqlite;

use crate::data::Connection;
use crate::data::relations::{Load, Relation};
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
    type SqliteSelect: Send + 'static;
    #[doc(hidden)]
    type PgSelect: Send + 'static;

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

    #[doc(hidden)]
    fn count(
        conn: &mut Connection,
        query: &Criteria<Self>,
    ) -> impl Future<Output = QueryResult<i64>> + Send;

    #[doc(hidden)]
    fn insert(
        conn: &mut Connection,
        new: Self::New,
    ) -> impl Future<Output = QueryResult<Self>> + Send;

    #[doc(hidden)]
    fn update(
        conn: &mut Connection,
        key: Self::Key,
        changes: Self::Changes,
    ) -> impl Future<Output = QueryResult<Option<Self>>> + Send;

    #[doc(hidden)]
    fn delete(
        conn: &mut Connection,
        key: Self::Key,
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
    ) -> impl Future<Output = QueryResult<Self>> + Send;
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

/// Every model of the binary, by name.
pub fn models() -> Vec<&'static ModelInfo> {
    let mut all: Vec<_> = inventory::iter::<ModelRegistration>
        .into_iter()
        .map(|r| (r.info)())
        .collect();
    all.sort_by_key(|m| m.name);
    all
}

type Clause<Q> = Box<dyn Fn(Q) -> Q + Send + Sync>;

/// The filters and order of one backend's query.
struct Clauses<Q> {
    filters: Vec<Clause<Q>>,
    orders: Vec<Clause<Q>>,
}

impl<Q> Default for Clauses<Q> {
    fn default() -> Self {
        Self {
            filters: Vec::new(),
            orders: Vec::new(),
        }
    }
}

/// What to list: filters (all must hold), order, limit and offset, written
/// with diesel's DSL on the model's table:
///
/// ```text
/// Criteria::new()
///     .filter(posts::author_id.eq(author))
///     .filter(posts::title.like("%rust%"))
///     .order_by(posts::created_at.desc())
///     .limit(20)
/// ```
pub struct Criteria<M: Model> {
    sqlite: Clauses<M::SqliteSelect>,
    postgres: Clauses<M::PgSelect>,
    limit: Option<i64>,
    offset: Option<i64>,
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
            .field("filters", &self.sqlite.filters.len())
            .field("orders", &self.sqlite.orders.len())
            .field("relations", &self.relations.len())
            .field("limit", &self.limit)
            .field("offset", &self.offset)
            .finish()
    }
}

impl<M: Model> Criteria<M> {
    /// Every row, in the database's order.
    pub fn new() -> Self {
        Self {
            sqlite: Clauses::default(),
            postgres: Clauses::default(),
            limit: None,
            offset: None,
            relations: Vec::new(),
        }
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
    pub fn filter<P>(mut self, predicate: P) -> Self
    where
        P: Clone + Send + Sync + 'static,
        M::SqliteSelect: FilterDsl<P, Output = M::SqliteSelect>,
        M::PgSelect: FilterDsl<P, Output = M::PgSelect>,
    {
        let p = predicate.clone();
        self.sqlite
            .filters
            .push(Box::new(move |q| FilterDsl::filter(q, p.clone())));
        self.postgres
            .filters
            .push(Box::new(move |q| FilterDsl::filter(q, predicate.clone())));
        self
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
        self.sqlite
            .orders
            .push(Box::new(move |q| ThenOrderDsl::then_order_by(q, o.clone())));
        self.postgres.orders.push(Box::new(move |q| {
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
}

fn apply<Q>(clauses: &[Clause<Q>], select: Q) -> Q {
    clauses.iter().fold(select, |q, clause| clause(q))
}

impl<M: Model> BackendClauses<M> for Sqlite {
    type Select = M::SqliteSelect;
    fn filter(query: &Criteria<M>, select: Self::Select) -> Self::Select {
        apply(&query.sqlite.filters, select)
    }
    fn filter_and_order(query: &Criteria<M>, select: Self::Select) -> Self::Select {
        apply(&query.sqlite.orders, apply(&query.sqlite.filters, select))
    }
}

impl<M: Model> BackendClauses<M> for Pg {
    type Select = M::PgSelect;
    fn filter(query: &Criteria<M>, select: Self::Select) -> Self::Select {
        apply(&query.postgres.filters, select)
    }
    fn filter_and_order(query: &Criteria<M>, select: Self::Select) -> Self::Select {
        apply(
            &query.postgres.orders,
            apply(&query.postgres.filters, select),
        )
    }
}
