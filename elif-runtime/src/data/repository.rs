//! `Repository<M>`: the rows of a `#[model]`, injectable like any service
//! (list it in a module's `providers(Repository<Post>)` next to an import
//! of `DataModule`).

use std::marker::PhantomData;
use std::sync::Arc;

use crate::data::aggregate::{Extremum, Summable, add_to, grouped, scalar};
use crate::data::errors::{Operation, query_error};
use crate::data::model::{Criteria, Model, UniqueColumn, Upsert};
use crate::data::predicate::{Predicate, Where};
use crate::data::relations::{Load, Relation};
use crate::data::{Clock, SystemClock};
use crate::data::{ConnectionGuard, Database, UPDATED_AT};
use crate::di::Resolver;
use crate::di::provider::{
    DependencySpec, Injectable, Instance, ProviderDescriptor, ProviderKey, Requirement,
};
use crate::error::Error;
use crate::http::Page;

/// Finds, lists, inserts, updates and deletes rows of model `M`, on
/// whichever backend the app runs. Every value is a bound parameter.
///
/// ```text
/// let post = posts.find_or_fail(id).await?;                 // 404 POST_NOT_FOUND
/// let page = posts.page(Criteria::new().order_by(posts::id.desc()), 1, 20).await?;
/// let post = posts.insert(NewPost { title, body, author_id }).await?;
/// ```
///
/// For anything else, [`Repository::database`] gives the pool, and
/// `with_connection!` runs any diesel query on it.
pub struct Repository<M: Model> {
    database: Arc<Database>,
    clock: Arc<dyn Clock>,
    model: PhantomData<fn() -> M>,
}

impl<M: Model> std::fmt::Debug for Repository<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Repository")
            .field("model", &M::info().name)
            .finish()
    }
}

impl<M: Model> Repository<M> {
    /// A repository on `database`, whose timestamps come from the system
    /// clock.
    pub fn new(database: Arc<Database>) -> Self {
        Self::with_clock(database, Arc::new(SystemClock))
    }

    /// A repository on `database` that sets `created_at` and `updated_at`
    /// from `clock` (the app's `dyn Clock`, when the container builds it).
    pub fn with_clock(database: Arc<Database>, clock: Arc<dyn Clock>) -> Self {
        Self {
            database,
            clock,
            model: PhantomData,
        }
    }

    /// The clock the repository sets timestamps from.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The database, for queries the repository does not offer
    /// (`with_connection!` on `database().connection().await?`).
    pub fn database(&self) -> &Arc<Database> {
        &self.database
    }

    async fn connection(&self) -> crate::Result<ConnectionGuard> {
        self.database.connection().await
    }

    /// The row with this key, if any.
    pub async fn find(&self, key: M::Key) -> crate::Result<Option<M>> {
        let mut conn = self.connection().await?;
        M::find_by_key(&mut conn, key)
            .await
            .map_err(|e| query_error(M::info(), Operation::Read, e))
    }

    /// The row with this key, or a 404 problem (`POST_NOT_FOUND` for `Post`).
    pub async fn find_or_fail(&self, key: M::Key) -> crate::Result<M> {
        self.find(key.clone())
            .await?
            .ok_or_else(|| not_found::<M>(&key))
    }

    /// The rows `query` selects, with the relations it asks for.
    pub async fn list(&self, query: Criteria<M>) -> crate::Result<Vec<M>> {
        let mut conn = self.connection().await?;
        let mut rows = M::list(&mut conn, &query)
            .await
            .map_err(|e| query_error(M::info(), Operation::Read, e))?;
        query
            .load_relations(&mut conn, &mut rows)
            .await
            .map_err(|e| query_error(M::info(), Operation::Read, e))?;
        Ok(rows)
    }

    /// The first row `query` selects, if any.
    pub async fn first(&self, query: Criteria<M>) -> crate::Result<Option<M>> {
        Ok(self.list(query.limit(1)).await?.into_iter().next())
    }

    /// Loads `relation` into rows already read (one query for all of them).
    pub async fn load<C>(&self, rows: &mut [M], relation: Relation<M, C>) -> crate::Result<()>
    where
        C: Send + Sync + 'static,
    {
        let mut conn = self.connection().await?;
        relation
            .load(&mut conn, rows)
            .await
            .map_err(|e| query_error(M::info(), Operation::Read, e))
    }

    /// Every row.
    pub async fn all(&self) -> crate::Result<Vec<M>> {
        self.list(Criteria::new()).await
    }

    /// Page `page` (1-based) of `per_page` rows of what `query` selects
    /// (its own limit and offset are replaced), with the total count. The
    /// rows and the total are one statement (`COUNT(*) OVER ()`), unless
    /// the page is past the end (then the total is counted apart).
    pub async fn page(
        &self,
        query: Criteria<M>,
        page: u64,
        per_page: u64,
    ) -> crate::Result<Page<M>> {
        let page = page.max(1);
        let offset = (page - 1).saturating_mul(per_page);
        let (items, total) = self
            .list_with_total(query.limit(per_page).offset(offset))
            .await?;
        Ok(Page::new(items, page, per_page, total))
    }

    /// The rows `query` selects, its limit and offset applied, with their
    /// relations, and how many rows it selects without limit and offset:
    /// paging by offset (`?limit=20&offset=40`), where [`page`](Self::page)
    /// pages by number. The rows and the total are one statement
    /// (`COUNT(*) OVER ()`), unless no row comes back past the start (then
    /// the total is counted apart).
    pub async fn list_with_total(&self, query: Criteria<M>) -> crate::Result<(Vec<M>, u64)> {
        let read = |e| query_error(M::info(), Operation::Read, e);
        let mut conn = self.connection().await?;
        let rows = M::list_counted(&mut conn, &query).await.map_err(read)?;
        let past_start = query.offset_value().unwrap_or(0) > 0;
        let total = match rows.first() {
            Some((_, total)) => *total,
            None if past_start || query.limit_value() == Some(0) => {
                M::count(&mut conn, &query).await.map_err(read)?
            }
            None => 0,
        };
        let mut items: Vec<M> = rows.into_iter().map(|(row, _)| row).collect();
        query
            .load_relations(&mut conn, &mut items)
            .await
            .map_err(read)?;
        Ok((items, u64::try_from(total).unwrap_or(0)))
    }

    /// How many rows `query` selects (its order, limit and offset ignored).
    pub async fn count(&self, query: Criteria<M>) -> crate::Result<u64> {
        let mut conn = self.connection().await?;
        let n = M::count(&mut conn, &query)
            .await
            .map_err(|e| query_error(M::info(), Operation::Read, e))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The sum of the numeric `column` over the rows `query` selects, 0
    /// when there is none: an `i64` for integer columns, an `f64` for
    /// floating-point ones (`SELECT CAST(COALESCE(SUM(col), 0) AS ..)`, so
    /// that both backends answer the same type).
    pub async fn sum<C>(
        &self,
        query: Criteria<M>,
        column: C,
    ) -> crate::Result<<C::SqlType as Summable>::Sum>
    where
        C: diesel::Column<Table = M::Table> + Predicate,
        C::SqlType: Summable,
        diesel::sqlite::Sqlite:
            diesel::expression::QueryMetadata<<C::SqlType as Summable>::SqlType>,
        diesel::pg::Pg: diesel::expression::QueryMetadata<<C::SqlType as Summable>::SqlType>,
        <C::SqlType as Summable>::Sum: diesel::deserialize::FromSqlRow<
                <C::SqlType as Summable>::SqlType,
                diesel::sqlite::Sqlite,
            > + diesel::deserialize::FromSqlRow<<C::SqlType as Summable>::SqlType, diesel::pg::Pg>,
    {
        let mut conn = self.connection().await?;
        scalar::<C, <C::SqlType as Summable>::SqlType, _>(
            &mut conn,
            column,
            <C::SqlType as Summable>::AROUND,
            Where::all(query.filters()),
        )
        .await
        .map_err(|e| query_error(M::info(), Operation::Read, e))
    }

    /// The smallest value of `column` over the rows `query` selects (NULLs
    /// left out), `None` when there is none: `posts.min(Criteria::new(), posts::created_at)`.
    pub async fn min<C, V>(&self, query: Criteria<M>, column: C) -> crate::Result<Option<V>>
    where
        C: diesel::Column<Table = M::Table> + Extremum<V>,
    {
        self.extreme(query, column, ("MIN(", ")")).await
    }

    /// The largest value of `column` over the rows `query` selects (NULLs
    /// left out), `None` when there is none.
    pub async fn max<C, V>(&self, query: Criteria<M>, column: C) -> crate::Result<Option<V>>
    where
        C: diesel::Column<Table = M::Table> + Extremum<V>,
    {
        self.extreme(query, column, ("MAX(", ")")).await
    }

    async fn extreme<C, V>(
        &self,
        query: Criteria<M>,
        column: C,
        around: (&'static str, &'static str),
    ) -> crate::Result<Option<V>>
    where
        C: Extremum<V>,
    {
        let mut conn = self.connection().await?;
        column
            .read(&mut conn, around, Where::all(query.filters()))
            .await
            .map_err(|e| query_error(M::info(), Operation::Read, e))
    }

    /// How many rows `query` selects for each value of `column`
    /// (`SELECT col, COUNT(*) .. GROUP BY col`), in no particular order:
    /// `posts.count_by(Criteria::new(), posts::author_id)`. A nullable
    /// column gives `Option` values (NULLs counted together).
    pub async fn count_by<C, V>(
        &self,
        query: Criteria<M>,
        column: C,
    ) -> crate::Result<Vec<(V, i64)>>
    where
        C: diesel::Column<Table = M::Table> + Predicate + Copy,
        C::SqlType: Send + 'static,
        (C::SqlType, diesel::sql_types::BigInt): diesel::sql_types::SqlType,
        diesel::sqlite::Sqlite:
            diesel::expression::QueryMetadata<(C::SqlType, diesel::sql_types::BigInt)>,
        diesel::pg::Pg: diesel::expression::QueryMetadata<(C::SqlType, diesel::sql_types::BigInt)>,
        (V, i64): diesel::deserialize::FromSqlRow<
                (C::SqlType, diesel::sql_types::BigInt),
                diesel::sqlite::Sqlite,
            > + diesel::deserialize::FromSqlRow<(C::SqlType, diesel::sql_types::BigInt), diesel::pg::Pg>
            + Send
            + 'static,
    {
        let mut conn = self.connection().await?;
        grouped(&mut conn, column, Where::all(query.filters()))
            .await
            .map_err(|e| query_error(M::info(), Operation::Read, e))
    }

    /// Whether `query` selects any row.
    pub async fn exists(&self, query: Criteria<M>) -> crate::Result<bool> {
        Ok(!self.list(query.limit(1)).await?.is_empty())
    }

    /// Inserts a row and returns it as stored (generated key, timestamps).
    /// A duplicate unique value is a 409, a missing parent a 422.
    pub async fn insert(&self, new: M::New) -> crate::Result<M> {
        let mut conn = self.connection().await?;
        M::insert(&mut conn, new, self.clock.now())
            .await
            .map_err(|e| query_error(M::info(), Operation::Write, e))
    }

    /// Inserts the row, or, when a row with its key exists, sets every
    /// column to the given values (and `updated_at`; `created_at` stays).
    /// Only for models whose key is in the insert form (`Upsert`).
    pub async fn upsert(&self, new: M::New) -> crate::Result<M>
    where
        M: Upsert,
    {
        let mut conn = self.connection().await?;
        M::upsert(&mut conn, new, self.clock.now())
            .await
            .map_err(|e| query_error(M::info(), Operation::Write, e))
    }

    /// Inserts the row, or, when a row with the same value in the
    /// `#[unique]` column exists, sets every column to the given values
    /// (and `updated_at`; `created_at` and the key stay): one statement
    /// (`INSERT .. ON CONFLICT (column) DO UPDATE`), so two requests cannot
    /// both insert. `users.upsert_by(users::email, new)`.
    pub async fn upsert_by<C>(&self, column: C, new: M::New) -> crate::Result<M>
    where
        C: UniqueColumn<Model = M>,
    {
        let _ = column;
        let mut conn = self.connection().await?;
        C::upsert(&mut conn, new, self.clock.now())
            .await
            .map_err(|e| query_error(M::info(), Operation::Write, e))
    }

    /// The row with the same value in the `#[unique]` column as `new`, or
    /// `new` inserted when there is none, and whether it was inserted
    /// (`INSERT .. ON CONFLICT (column) DO NOTHING`, then a read when it
    /// did nothing): Laravel's `firstOrCreate`, safe under concurrent calls.
    pub async fn first_or_insert<C>(&self, column: C, new: M::New) -> crate::Result<(M, bool)>
    where
        C: UniqueColumn<Model = M>,
    {
        let _ = column;
        let mut conn = self.connection().await?;
        C::first_or_insert(&mut conn, new, self.clock.now())
            .await
            .map_err(|e| query_error(M::info(), Operation::Write, e))
    }

    /// Sets the `Some` fields of `changes` on the row with this key (and
    /// `updated_at`, if the model has it); returns the row as stored, or a
    /// 404 problem when no row has the key.
    pub async fn update(&self, key: M::Key, changes: M::Changes) -> crate::Result<M> {
        let mut conn = self.connection().await?;
        M::update(&mut conn, key.clone(), changes, self.clock.now())
            .await
            .map_err(|e| query_error(M::info(), Operation::Write, e))?
            .ok_or_else(|| not_found::<M>(&key))
    }

    /// Sets the `Some` fields of `changes` (and `updated_at`, if the model
    /// has it) on every row `query` selects, in one statement; returns how
    /// many rows it changed. `Criteria::new()` changes every row.
    pub async fn update_where(
        &self,
        query: Criteria<M>,
        changes: M::Changes,
    ) -> crate::Result<u64> {
        let mut conn = self.connection().await?;
        let n = M::update_where(&mut conn, &query, changes, self.clock.now())
            .await
            .map_err(|e| query_error(M::info(), Operation::Write, e))?;
        Ok(n as u64)
    }

    /// Deletes every row `query` selects, in one statement; returns how
    /// many. `Criteria::new()` deletes every row; a 409 when other rows
    /// still refer to one of them (and then none is deleted).
    pub async fn delete_where(&self, query: Criteria<M>) -> crate::Result<u64> {
        let mut conn = self.connection().await?;
        let n = M::delete_where(&mut conn, &query)
            .await
            .map_err(|e| query_error(M::info(), Operation::Delete, e))?;
        Ok(n as u64)
    }

    /// Adds `by` (negative to subtract) to the numeric `column` of every
    /// row `query` selects, and sets `updated_at`, in one statement that
    /// checks and changes at once; returns how many rows it changed. A
    /// stock that must not go below zero:
    ///
    /// ```text
    /// let taken = products
    ///     .increment(Criteria::new().filter(products::id.eq(id)).filter(products::stock.ge(qty)), products::stock, -qty)
    ///     .await? == 1;
    /// ```
    pub async fn increment<C, V>(&self, query: Criteria<M>, column: C, by: V) -> crate::Result<u64>
    where
        C: diesel::Column<Table = M::Table>,
        C::SqlType: diesel::sql_types::ops::Add + Send + 'static,
        diesel::sqlite::Sqlite: diesel::sql_types::HasSqlType<C::SqlType>,
        diesel::pg::Pg: diesel::sql_types::HasSqlType<C::SqlType>,
        V: diesel::serialize::ToSql<C::SqlType, diesel::sqlite::Sqlite>
            + diesel::serialize::ToSql<C::SqlType, diesel::pg::Pg>
            + Send
            + Sync
            + 'static,
    {
        let updated_at = M::info()
            .fields
            .iter()
            .any(|f| f.name == UPDATED_AT)
            .then(|| self.clock.now());
        let mut conn = self.connection().await?;
        let n = add_to(
            &mut conn,
            column,
            by,
            updated_at,
            Where::all(query.filters()),
        )
        .await
        .map_err(|e| query_error(M::info(), Operation::Write, e))?;
        Ok(n as u64)
    }

    /// Deletes the row with this key; a 404 problem when no row has it, a
    /// 409 when other rows still refer to it.
    pub async fn delete(&self, key: M::Key) -> crate::Result<()> {
        let mut conn = self.connection().await?;
        let deleted = M::delete(&mut conn, key.clone())
            .await
            .map_err(|e| query_error(M::info(), Operation::Delete, e))?;
        if deleted == 0 {
            Err(not_found::<M>(&key))
        } else {
            Ok(())
        }
    }
}

/// `POST_NOT_FOUND`: no row of `M` has the key.
fn not_found<M: Model>(key: &M::Key) -> Error {
    let info = M::info();
    Error::framework(
        &elif_catalogue::EL3009,
        format!("{} {key} does not exist", info.name),
    )
    .with_code(info.not_found)
    .with_hint(format!(
        "check the key; no row of `{}` has {} = {key}",
        info.table, info.key
    ))
}

impl<M: Model> Injectable for Repository<M> {
    fn descriptor() -> &'static ProviderDescriptor {
        M::repository()
    }
}

/// What the `Transactional` interceptor depends on: the app's [`Database`].
#[doc(hidden)]
pub fn depends_on_database() -> Vec<DependencySpec> {
    vec![DependencySpec::new(
        "database",
        Requirement::Provider(ProviderKey::of::<Database>()),
    )]
}

/// What every repository depends on: the app's [`Database`] and its
/// [`Clock`].
#[doc(hidden)]
pub fn repository_dependencies() -> Vec<DependencySpec> {
    let mut dependencies = depends_on_database();
    dependencies.push(DependencySpec::new(
        "clock",
        Requirement::Provider(ProviderKey::of::<dyn Clock>()),
    ));
    dependencies
}

/// Builds `Repository<M>` (the descriptor `#[model]` writes points here).
#[doc(hidden)]
pub fn build_repository<M: Model>(
    resolver: Resolver,
) -> crate::BoxFuture<'static, crate::Result<Instance>> {
    Box::pin(async move {
        let database = resolver.get::<Database>().await?;
        let clock = resolver.get::<dyn Clock>().await?;
        Ok(crate::di::provider::instance(Arc::new(
            Repository::<M>::with_clock(database, clock),
        )))
    })
}
