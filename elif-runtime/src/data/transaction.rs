//! Transactions: `db.transaction(|| async { .. })` commits when the block
//! returns `Ok`, rolls back on `Err` or a panic; a transaction opened
//! inside another is a savepoint. The [`Transactional`] interceptor runs a
//! whole handler in one (a request-scoped unit of work).
//!
//! How singleton repositories join in: the transaction's connection is
//! *ambient*, kept in a task-local for the duration of the block, and
//! [`Database::connection`] (which every repository call goes through)
//! hands out that connection instead of a pooled one. Nothing
//! request-scoped is injected into a singleton, so the captive-scope rule
//! holds, and no repository method needs an executor argument. The price:
//! the transaction belongs to the task, so work spawned onto another task
//! is outside it, and the connection serves one query at a time (a second
//! query while the first holds it is an error, not a deadlock).

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use diesel_async::{AsyncConnection, SimpleAsyncConnection, TransactionManager};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::data::{Connection, Database};
use crate::di::Resolver;
use crate::di::provider::{Injectable, Instance, Location, ProviderDescriptor, instance};
use crate::error::Error;
use crate::http::{HttpResponse, Interceptor, RequestContext};

/// The open transactions of this task: per database, its connection and
/// how many transactions this scope has open on it (1 at the top level, 2
/// inside a nested one...).
type Ambient = Arc<Vec<(u64, Arc<Mutex<Connection>>, u32)>>;

tokio::task_local! {
    static AMBIENT: Ambient;
}

/// The connection of `database`'s open transaction in this task, if any.
pub(crate) fn ambient(database: &Database) -> Option<Arc<Mutex<Connection>>> {
    ambient_with_depth(database).map(|(c, _)| c)
}

/// The connection and the depth this scope expects it at.
fn ambient_with_depth(database: &Database) -> Option<(Arc<Mutex<Connection>>, u32)> {
    AMBIENT
        .try_with(|open| {
            open.iter()
                .find(|(id, _, _)| *id == database.id)
                .map(|(_, c, depth)| (c.clone(), *depth))
        })
        .ok()
        .flatten()
}

/// `open`, with `database`'s entry set to `connection` at `depth`.
fn with_entry(database: &Database, connection: &Arc<Mutex<Connection>>, depth: u32) -> Ambient {
    let mut open: Vec<_> = AMBIENT.try_with(|o| o.to_vec()).unwrap_or_default();
    open.retain(|(id, _, _)| *id != database.id);
    open.push((database.id, connection.clone(), depth));
    Arc::new(open)
}

/// How many transactions are open on the connection (savepoints included).
fn depth_of(conn: &mut Connection) -> u32 {
    fn depth<C: AsyncConnection>(c: &mut C) -> u32 {
        C::TransactionManager::transaction_manager_status_mut(c)
            .transaction_depth()
            .ok()
            .flatten()
            .map_or(0, std::num::NonZeroU32::get)
    }
    crate::with_connection!(*conn, |c| depth(c))
}

/// Takes the transaction's connection for one query; an error, rather
/// than a deadlock, when this task already holds it.
pub(crate) fn lock(shared: Arc<Mutex<Connection>>) -> crate::Result<OwnedMutexGuard<Connection>> {
    shared.try_lock_owned().map_err(|_| {
        Error::internal(
            "the transaction's connection is in use: a query ran while another held it",
        )
        .with_hint(
            "drop the connection from `Database::connection` before calling a repository, and do not run queries of one transaction concurrently",
        )
    })
}

async fn begin<C: AsyncConnection>(c: &mut C) -> diesel::QueryResult<()> {
    C::TransactionManager::begin_transaction(c).await
}

async fn commit<C: AsyncConnection>(c: &mut C) -> diesel::QueryResult<()> {
    C::TransactionManager::commit_transaction(c).await
}

async fn rollback<C: AsyncConnection>(c: &mut C) -> diesel::QueryResult<()> {
    C::TransactionManager::rollback_transaction(c).await
}

/// Begins a transaction (a savepoint inside another). SQLite's top-level
/// transactions take the write lock at once (`BEGIN IMMEDIATE`), so that
/// two that read then write wait for each other (`busy_timeout`) instead of
/// one failing with "database is locked".
async fn begin_on(conn: &mut Connection, top_level: bool) -> diesel::QueryResult<()> {
    match conn {
        Connection::Sqlite(c) if top_level => {
            let c: &mut crate::data::SqliteAsync = c;
            c.spawn_blocking(|c| {
                diesel::connection::AnsiTransactionManager::begin_transaction_sql(
                    c,
                    "BEGIN IMMEDIATE",
                )
            })
            .await
        }
        other => crate::with_connection!(*other, |c| begin(c).await),
    }
}

/// Transactions of one task on one connection did not nest: one was left
/// open (its future dropped) or two ran side by side.
fn interleaved() -> Error {
    Error::internal(
        "transactions on this connection did not nest: a nested transaction was abandoned half-way, or two ran side by side; everything was rolled back",
    )
    .with_hint("await each nested `transaction` to its end, one after another (not in `join!` or `select!`)")
}

/// The transaction was aborted by a failed statement the block handled.
fn aborted() -> Error {
    Error::internal(
        "a statement of this transaction failed (its error was handled), so PostgreSQL aborted the transaction: nothing was committed",
    )
    .with_hint("run the statement that may fail in a nested `transaction` (a savepoint), so that its failure does not abort the outer one")
}

fn failed(what: &str, error: &diesel::result::Error) -> Error {
    Error::internal(format!("cannot {what} the transaction: {error}"))
}

impl Database {
    /// Runs `body` in a transaction on this database: committed when it
    /// returns `Ok`, rolled back when it returns `Err` or panics (the panic
    /// then continues). Every repository and [`Database::connection`] call
    /// made by `body` (in this task) takes part. Inside another
    /// transaction, this one is a savepoint: rolling it back keeps the
    /// outer one's work.
    ///
    /// ```text
    /// db.transaction(|| async {
    ///     let author = authors.insert(new_author).await?;
    ///     posts.insert(first_post.into_new(author.id)).await?;
    ///     Ok(author)
    /// }).await?
    /// ```
    pub async fn transaction<R, F, Fut>(&self, body: F) -> crate::Result<R>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = crate::Result<R>>,
    {
        self.transaction_where(body, Result::is_ok).await
    }

    /// [`Database::transaction`], committing only when `keep` approves of
    /// the outcome.
    pub(crate) async fn transaction_where<R, F, Fut>(
        &self,
        body: F,
        keep: impl FnOnce(&crate::Result<R>) -> bool,
    ) -> crate::Result<R>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = crate::Result<R>>,
    {
        // `outer`: how many transactions this scope already has open on the
        // connection (0: this one is the top level).
        let (shared, outer) = match ambient_with_depth(self) {
            Some((shared, depth)) => (shared, depth),
            None => (Arc::new(Mutex::new(self.pooled().await?)), 0),
        };
        let top_level = outer == 0;
        {
            let mut conn = lock(shared.clone())?;
            if depth_of(&mut conn) != outer {
                return Err(interleaved());
            }
            begin_on(&mut conn, top_level)
                .await
                .map_err(|e| failed("begin", &e))?;
        }
        let scope = with_entry(self, &shared, outer + 1);
        let outcome = CatchUnwind {
            inner: AMBIENT.scope(scope, body()),
        }
        .await;
        let mut conn = lock(shared)?;
        // A nested transaction whose future was dropped half-way left its
        // savepoint open: committing now would only release that one.
        if outcome.is_ok() && depth_of(&mut conn) != outer + 1 {
            while depth_of(&mut conn) > outer {
                crate::with_connection!(conn, |c| rollback(c).await)
                    .map_err(|e| failed("roll back", &e))?;
            }
            return Err(interleaved());
        }
        match outcome {
            Ok(result) if keep(&result) => {
                // PostgreSQL aborts a transaction at its first failed
                // statement, and a later COMMIT rolls back *without* an
                // error: a failure the block caught and handled would make
                // all of its work vanish while the caller sees `Ok`.
                if top_level && self.backend() == crate::data::Backend::Postgres {
                    let alive =
                        crate::with_connection!(conn, |c| c.batch_execute("SELECT 1").await);
                    if alive.is_err() {
                        crate::with_connection!(conn, |c| rollback(c).await)
                            .map_err(|e| failed("roll back", &e))?;
                        return Err(aborted());
                    }
                }
                crate::with_connection!(conn, |c| commit(c).await)
                    .map_err(|e| failed("commit", &e))?;
                result
            }
            Ok(result) => {
                crate::with_connection!(conn, |c| rollback(c).await)
                    .map_err(|e| failed("roll back", &e))?;
                result
            }
            Err(panic) => {
                if let Err(e) = crate::with_connection!(conn, |c| rollback(c).await) {
                    tracing::error!("rolling back after a panic failed: {e}");
                }
                std::panic::resume_unwind(panic)
            }
        }
    }
}

pin_project_lite::pin_project! {
    /// A future that catches a panic of the future it wraps.
    struct CatchUnwind<F> {
        #[pin]
        inner: F,
    }
}

impl<F: Future> Future for CatchUnwind<F> {
    type Output = std::thread::Result<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.project().inner;
        match std::panic::catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

/// Runs each handler it wraps in a transaction: its database work is
/// committed when the handler answers 2xx or 3xx, and rolled back when it
/// fails or answers 4xx/5xx. A request-scoped unit of work:
/// `#[post("/", interceptors(Transactional))]` (import `DataModule`).
pub struct Transactional {
    database: Arc<Database>,
}

impl Interceptor for Transactional {
    async fn intercept<N>(&self, _cx: &RequestContext<'_>, next: N) -> crate::Result<HttpResponse>
    where
        N: Future<Output = crate::Result<HttpResponse>>,
    {
        self.database
            .transaction_where(
                || next,
                |outcome| outcome.as_ref().is_ok_and(|r| r.status().as_u16() < 400),
            )
            .await
    }
}

impl Injectable for Transactional {
    fn descriptor() -> &'static ProviderDescriptor {
        static DESCRIPTOR: ProviderDescriptor = ProviderDescriptor::builtin::<Transactional>(
            "Transactional",
            crate::data::depends_on_database,
            build,
            Location {
                file: file!(),
                line: line!(),
            },
        );
        &DESCRIPTOR
    }
}

fn build(resolver: Resolver) -> crate::BoxFuture<'static, crate::Result<Instance>> {
    Box::pin(async move {
        let database = resolver.get::<Database>().await?;
        Ok(instance(Arc::new(Transactional { database })))
    })
}
