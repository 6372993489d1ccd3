//! Migrations: up/down SQL embedded in the binary by `elif::migrations!()`,
//! applied in version order, one transaction each, recorded in the table
//! `__elif_migrations`.
//!
//! An app applies a *plan*: the sets of the packages its modules import
//! (each `#[module(migrations = ..)]`, under its namespace, imports before
//! importers), then its own (`App::migrations`). A package's migration is
//! recorded as `<namespace>/<version>`, so two packages (or a package and
//! the app) may use the same version without clashing. `down` reverts in
//! the reverse of the plan's order, which respects what each set may
//! depend on (an app's tables may reference a package's, never the reverse)
//! and does not depend on clocks.
//!
//! Our own runner rather than `diesel_migrations`' harness: diesel-async's
//! harness calls `block_in_place`, which panics on the current-thread
//! runtime actix runs on; this one is plain async on both backends.

use std::fmt;

use diesel::{ExpressionMethods, QueryDsl, Queryable};
use diesel_async::{AsyncConnection, SimpleAsyncConnection};

use crate::data::{Backend, Database};
use crate::diagnostics::{BootReport, Diagnostic};
use crate::error::Error;

diesel::table! {
    /// The migrations a database has applied.
    __elif_migrations (version) {
        version -> Text,
        name -> Text,
        checksum -> Text,
        applied_at -> Text,
    }
}

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS __elif_migrations (\
     version VARCHAR(64) PRIMARY KEY, \
     name TEXT NOT NULL, \
     checksum TEXT NOT NULL, \
     applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)";

/// One migration: a version (its folder's prefix), a name, and its SQL
/// for each backend. Written by `elif::migrations!()`.
#[derive(Debug)]
pub struct Migration {
    /// The package's namespace (`elif_auth`), empty for the app's own.
    pub namespace: &'static str,
    /// The version: digits and dashes, sorting in application order.
    pub version: &'static str,
    /// The rest of the folder's name (`create_posts`).
    pub name: &'static str,
    /// What applies it.
    pub up: MigrationSql,
    /// What reverts it.
    pub down: MigrationSql,
}

/// A migration's SQL for each backend (the same text when the folder has
/// one file for both).
#[derive(Debug, Clone, Copy)]
pub struct MigrationSql {
    /// On SQLite.
    pub sqlite: &'static str,
    /// On PostgreSQL.
    pub postgres: &'static str,
}

impl MigrationSql {
    /// The text for `backend`.
    pub fn for_backend(&self, backend: Backend) -> &'static str {
        match backend {
            Backend::Sqlite => self.sqlite,
            Backend::Postgres => self.postgres,
        }
    }
}

impl Migration {
    /// `<version>_<name>`, as its folder is named, after `<namespace>/` for
    /// a package's.
    pub fn id(&self) -> String {
        format!("{}_{}", self.key(), self.name)
    }

    /// What `__elif_migrations` records: the version, after `<namespace>/`
    /// for a package's.
    pub fn key(&self) -> std::borrow::Cow<'static, str> {
        if self.namespace.is_empty() {
            self.version.into()
        } else {
            format!("{}/{}", self.namespace, self.version).into()
        }
    }

    /// A fingerprint of the `up` SQL for `backend` (64-bit FNV-1a, hex):
    /// recorded when applied, compared by `status` to spot edited history.
    pub fn checksum(&self, backend: Backend) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in self.up.for_backend(backend).bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{hash:016x}")
    }
}

/// One set of migrations, in version order: the app's
/// (`App::new().migrations(elif::migrations!())`) or a package's
/// (`#[module(migrations = MIGRATIONS)]` with
/// `const MIGRATIONS: Migrations = elif::migrations!(namespace = "my_pkg")`).
#[derive(Debug, Clone, Copy)]
pub struct Migrations {
    namespace: &'static str,
    list: &'static [Migration],
    snapshot: Option<&'static str>,
}

impl Migrations {
    /// The app's migrations, which `migrations!()` sorts by version.
    pub const fn new(list: &'static [Migration]) -> Self {
        Self {
            namespace: "",
            list,
            snapshot: None,
        }
    }

    /// A package's migrations, each of which `migrations!(namespace = ..)`
    /// writes with the same `namespace`.
    pub const fn namespaced(namespace: &'static str, list: &'static [Migration]) -> Self {
        Self {
            namespace,
            list,
            snapshot: None,
        }
    }

    /// With the schema snapshot committed beside them (`schema.json`, the
    /// tables the models described when the newest migration was
    /// generated): `migrations!()` embeds it when there is one, and
    /// `check` compares it with the models.
    pub const fn with_snapshot(self, text: &'static str) -> Self {
        Self {
            snapshot: Some(text),
            ..self
        }
    }

    /// The schema snapshot's text, when the directory has one.
    pub fn snapshot(&self) -> Option<&'static str> {
        self.snapshot
    }

    /// The namespace: `None` for the app's own set.
    pub fn namespace(&self) -> Option<&'static str> {
        (!self.namespace.is_empty()).then_some(self.namespace)
    }

    /// Every migration, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &'static Migration> + use<> {
        self.list.iter()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

impl crate::module::ModuleMigrations {
    /// A module's set: `#[module(migrations = SET)]` writes it.
    pub const fn of(set: &'static Migrations) -> Self {
        Self(set)
    }

    /// The set.
    pub(crate) fn set(&self) -> Migrations {
        // The field is crate-private and `of` above is the only place that
        // sets it, always to a `Migrations`.
        *self
            .0
            .downcast_ref::<Migrations>()
            .expect("every ModuleMigrations is made by ModuleMigrations::of")
    }
}

/// Every migration of `plan`, in the plan's order (sets as given, each in
/// version order).
fn in_order(plan: &[Migrations]) -> Vec<&'static Migration> {
    plan.iter().flat_map(Migrations::iter).collect()
}

/// The sets an app applies, in order: each module's (imports before
/// importers), then the app's own. A module's set must be namespaced, and
/// no two sets may share a namespace (`EL4008`): their rows in
/// `__elif_migrations` would be confused.
pub(crate) fn plan(
    modules: impl IntoIterator<Item = (&'static str, Migrations)>,
    app: Option<Migrations>,
) -> (Vec<Migrations>, Vec<Diagnostic>) {
    let mut plan: Vec<Migrations> = Vec::new();
    let mut owners: Vec<String> = Vec::new();
    let mut problems = Vec::new();
    let sets = modules
        .into_iter()
        .map(|(module, set)| (format!("module `{module}`"), set, true))
        .chain(app.map(|set| ("the app (`App::migrations`)".to_owned(), set, false)));
    for (owner, set, from_module) in sets {
        if from_module && set.namespace().is_none() {
            problems.push(Diagnostic::error(
                &elif_catalogue::EL4008,
                format!(
                    "{owner} declares migrations without a namespace: their versions would clash with the app's"
                ),
            ));
            continue;
        }
        if let Some(first) = plan
            .iter()
            .position(|other| other.namespace == set.namespace)
        {
            let namespace = set.namespace().unwrap_or("(the app's, none)");
            problems.push(Diagnostic::error(
                &elif_catalogue::EL4008,
                format!(
                    "{} and {owner} both declare migrations under the namespace `{namespace}`",
                    owners[first]
                ),
            ));
            continue;
        }
        owners.push(owner);
        plan.push(set);
    }
    (plan, problems)
}

/// Where one migration stands in a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigrationState {
    /// Applied, as embedded.
    Applied {
        /// When (the database's clock, as it prints it).
        applied_at: String,
    },
    /// Embedded, not applied.
    Pending,
    /// Applied, but its `up` SQL has changed since.
    Edited {
        /// When it was applied.
        applied_at: String,
    },
    /// Applied, but not embedded in this binary.
    Unknown {
        /// When it was applied.
        applied_at: String,
    },
}

/// One line of `migrate status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    /// The migration's version, after `<namespace>/` for a package's.
    pub version: String,
    /// Its name.
    pub name: String,
    /// Whether it is applied.
    pub state: MigrationState,
}

impl MigrationStatus {
    /// Whether the database has not applied it yet.
    pub fn is_pending(&self) -> bool {
        self.state == MigrationState::Pending
    }
}

impl fmt::Display for MigrationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            MigrationState::Applied { applied_at } => format!("applied  {applied_at}"),
            MigrationState::Pending => "pending".to_owned(),
            MigrationState::Edited { applied_at } => {
                format!("applied  {applied_at}  (edited since: see EL4004)")
            }
            MigrationState::Unknown { applied_at } => {
                format!("applied  {applied_at}  (not in this binary: see EL4003)")
            }
        };
        write!(f, "{:<28} {:<32} {state}", self.version, self.name)
    }
}

/// A row of `__elif_migrations`.
#[derive(Queryable, Debug)]
struct Applied {
    version: String,
    name: String,
    checksum: String,
    applied_at: String,
}

/// A version as numbers, segment by segment (`9` before `10`), as
/// `migrations!()` orders them (a package's namespace is ignored).
pub(crate) fn version_order(version: &str) -> Vec<u64> {
    let version = version.rsplit('/').next().unwrap_or(version);
    version
        .split('-')
        .map(|part| part.parse().unwrap_or(u64::MAX))
        .collect()
}

/// A migration error naming the migration: `EL4002`, in a boot report.
fn failed(migration: &Migration, direction: &str, error: &diesel::result::Error) -> Error {
    Error::boot(BootReport::new(vec![Diagnostic::error(
        &elif_catalogue::EL4002,
        format!(
            "migration {} failed ({direction}) and was rolled back: {error}",
            migration.id()
        ),
    )]))
}

/// The database could not be reached: `EL4005`, in a boot report.
pub(crate) fn unreachable(error: &Error) -> Error {
    Error::boot(BootReport::new(vec![Diagnostic::error(
        &elif_catalogue::EL4005,
        format!("the database cannot be reached: {}", error.detail()),
    )]))
}

/// Bookkeeping failed (the migrations table itself).
fn bookkeeping(error: &diesel::result::Error) -> Error {
    unreachable(&Error::internal(format!(
        "cannot read or write __elif_migrations: {error}"
    )))
}

impl Database {
    /// Every migration of `plan`'s state, in the plan's order, then any
    /// applied migration the plan does not hold. Writes nothing (a
    /// database never migrated has every migration pending).
    pub async fn migration_status(
        &self,
        plan: &[Migrations],
    ) -> crate::Result<Vec<MigrationStatus>> {
        let applied = if self.has_bookkeeping().await? {
            self.applied().await?
        } else {
            Vec::new()
        };
        let backend = self.backend();
        let embedded = in_order(plan);
        let mut status: Vec<MigrationStatus> = embedded
            .iter()
            .map(|m| {
                let key = m.key();
                let state = match applied.iter().find(|a| a.version == key) {
                    None => MigrationState::Pending,
                    Some(a) if a.checksum != m.checksum(backend) => MigrationState::Edited {
                        applied_at: a.applied_at.clone(),
                    },
                    Some(a) => MigrationState::Applied {
                        applied_at: a.applied_at.clone(),
                    },
                };
                MigrationStatus {
                    version: key.into_owned(),
                    name: m.name.to_owned(),
                    state,
                }
            })
            .collect();
        // Applied rows the plan does not hold (`status` has the plan's).
        let unknown: Vec<Applied> = applied
            .into_iter()
            .filter(|a| !status.iter().any(|s| s.version == a.version))
            .collect();
        status.extend(unknown.into_iter().map(|a| MigrationStatus {
            version: a.version,
            name: a.name,
            state: MigrationState::Unknown {
                applied_at: a.applied_at,
            },
        }));
        Ok(status)
    }

    /// Applies every pending migration of `plan`, in the plan's order, each
    /// in its own transaction; stops at the first failure (which is rolled
    /// back). Returns the migrations applied.
    pub async fn migrate_up(&self, plan: &[Migrations]) -> crate::Result<Vec<&'static Migration>> {
        let applied = self.applied().await?;
        let mut done = Vec::new();
        for migration in in_order(plan) {
            let key = migration.key();
            if applied.iter().any(|a| a.version == key) {
                continue;
            }
            if self.apply(migration).await? {
                tracing::info!("applied migration {}", migration.id());
                done.push(migration);
            }
        }
        Ok(done)
    }

    /// Reverts the last `steps` applied migrations in the reverse of
    /// `plan`'s order (the app's newest first, then each package's, the
    /// last imported first), each in its own transaction. An applied
    /// migration the plan does not hold comes first and stops it
    /// (`EL4003`): this binary cannot revert what it does not embed.
    /// Returns the migrations reverted.
    pub async fn migrate_down(
        &self,
        plan: &[Migrations],
        steps: usize,
    ) -> crate::Result<Vec<&'static Migration>> {
        let embedded = in_order(plan);
        let keys: Vec<_> = embedded.iter().map(|m| m.key()).collect();
        let mut applied: Vec<(Option<usize>, Applied)> = self
            .applied()
            .await?
            .into_iter()
            .map(|a| (keys.iter().position(|key| *key == a.version), a))
            .collect();
        // Unknown rows first (newest version first), then by plan position.
        applied.sort_by_key(|(position, a)| {
            (
                position.is_some(),
                std::cmp::Reverse(*position),
                std::cmp::Reverse(version_order(&a.version)),
            )
        });
        let mut done = Vec::new();
        for (position, row) in applied.into_iter().take(steps) {
            let Some(position) = position else {
                return Err(Error::boot(BootReport::new(vec![Diagnostic::error(
                    &elif_catalogue::EL4003,
                    format!(
                        "cannot revert {}_{}: this binary does not embed it",
                        row.version, row.name
                    ),
                )])));
            };
            let migration = embedded[position];
            self.revert(migration).await?;
            tracing::info!("reverted migration {}", migration.id());
            done.push(migration);
        }
        Ok(done)
    }

    /// Reverts the last migration (as [`Database::migrate_down`] orders
    /// them) and applies it again.
    pub async fn migrate_redo(
        &self,
        plan: &[Migrations],
    ) -> crate::Result<Option<&'static Migration>> {
        let reverted = self.migrate_down(plan, 1).await?;
        let Some(migration) = reverted.into_iter().next() else {
            return Ok(None);
        };
        self.apply(migration).await?;
        Ok(Some(migration))
    }

    /// Whether `__elif_migrations` exists.
    async fn has_bookkeeping(&self) -> crate::Result<bool> {
        #[derive(diesel::QueryableByName)]
        struct Found {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let query = match self.backend() {
            Backend::Sqlite => {
                "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = '__elif_migrations'"
            }
            Backend::Postgres => {
                "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '__elif_migrations'"
            }
        };
        let mut conn = self.connection().await.map_err(|e| unreachable(&e))?;
        let found: Vec<Found> =
            crate::with_connection!(conn, |c| diesel::sql_query(query).load::<Found>(c).await)
                .map_err(|e| bookkeeping(&e))?;
        Ok(found.iter().any(|f| f.n > 0))
    }

    /// The bookkeeping table's rows, the table created if missing.
    async fn applied(&self) -> crate::Result<Vec<Applied>> {
        let mut conn = self.connection().await.map_err(|e| unreachable(&e))?;
        crate::with_connection!(conn, |c| async {
            c.batch_execute(CREATE_TABLE).await?;
            __elif_migrations::table
                .order(__elif_migrations::version)
                .load::<Applied>(c)
                .await
        }
        .await)
        .map_err(|e| bookkeeping(&e))
    }

    /// Applies one migration in a transaction and records it. `false` when
    /// another process applied it first (PostgreSQL locks the table for the
    /// transaction, so two instances starting together apply it once).
    async fn apply(&self, migration: &'static Migration) -> crate::Result<bool> {
        let backend = self.backend();
        let sql = migration.up.for_backend(backend);
        let checksum = migration.checksum(backend);
        let key = migration.key();
        let mut conn = self.connection().await.map_err(|e| unreachable(&e))?;
        if outside_transaction(backend, sql) {
            // SQLite's table rebuild: it brackets itself (`BEGIN`/`COMMIT`)
            // around `PRAGMA foreign_keys = OFF`, which a transaction would
            // ignore. SQLite has one writer, so nobody applies it meanwhile.
            let already = crate::with_connection!(conn, |c| __elif_migrations::table
                .find(key.as_ref())
                .count()
                .get_result::<i64>(c)
                .await)
            .map_err(|e| bookkeeping(&e))?;
            if already > 0 {
                return Ok(false);
            }
            crate::with_connection!(conn, |c| run_outside_transaction(c, sql).await)
                .map_err(|e| failed(migration, "up", &e))?;
            crate::with_connection!(conn, |c| diesel::insert_into(__elif_migrations::table)
                .values((
                    __elif_migrations::version.eq(key.as_ref()),
                    __elif_migrations::name.eq(migration.name),
                    __elif_migrations::checksum.eq(&checksum),
                ))
                .execute(c)
                .await)
            .map_err(|e| bookkeeping(&e))?;
            return Ok(true);
        }
        crate::with_connection!(conn, |c| c
            .transaction(async |c| {
                if backend == Backend::Postgres {
                    c.batch_execute("LOCK TABLE __elif_migrations IN EXCLUSIVE MODE")
                        .await?;
                }
                let already = __elif_migrations::table
                    .find(key.as_ref())
                    .count()
                    .get_result::<i64>(c)
                    .await?;
                if already > 0 {
                    return Ok(false);
                }
                c.batch_execute(sql).await?;
                diesel::insert_into(__elif_migrations::table)
                    .values((
                        __elif_migrations::version.eq(key.as_ref()),
                        __elif_migrations::name.eq(migration.name),
                        __elif_migrations::checksum.eq(&checksum),
                    ))
                    .execute(c)
                    .await?;
                Ok::<_, diesel::result::Error>(true)
            })
            .await)
        .map_err(|e| failed(migration, "up", &e))
    }

    /// Reverts one migration in a transaction and forgets it.
    async fn revert(&self, migration: &'static Migration) -> crate::Result<()> {
        let sql = migration.down.for_backend(self.backend());
        let key = migration.key();
        let mut conn = self.connection().await.map_err(|e| unreachable(&e))?;
        if outside_transaction(self.backend(), sql) {
            crate::with_connection!(conn, |c| run_outside_transaction(c, sql).await)
                .map_err(|e| failed(migration, "down", &e))?;
            crate::with_connection!(conn, |c| diesel::delete(
                __elif_migrations::table.find(key.as_ref())
            )
            .execute(c)
            .await)
            .map_err(|e| bookkeeping(&e))?;
            return Ok(());
        }
        crate::with_connection!(conn, |c| c
            .transaction(async |c| {
                c.batch_execute(sql).await?;
                diesel::delete(__elif_migrations::table.find(key.as_ref()))
                    .execute(c)
                    .await?;
                Ok::<_, diesel::result::Error>(())
            })
            .await)
        .map_err(|e| failed(migration, "down", &e))
    }
}

/// Whether `sql` runs outside the transaction the runner gives a
/// migration: SQLite files that start with
/// [`NO_TRANSACTION`](crate::data::schema::NO_TRANSACTION).
fn outside_transaction(backend: Backend, sql: &str) -> bool {
    backend == Backend::Sqlite && sql.starts_with(crate::data::schema::NO_TRANSACTION)
}

/// Runs a file that makes its own transaction; when it fails, rolls back
/// what it began and turns foreign keys back on, so the pooled connection
/// is left as it was found.
async fn run_outside_transaction<C>(c: &mut C, sql: &str) -> Result<(), diesel::result::Error>
where
    C: SimpleAsyncConnection + Send,
{
    match c.batch_execute(sql).await {
        Ok(()) => Ok(()),
        Err(error) => {
            let _ = c.batch_execute("ROLLBACK").await;
            let _ = c.batch_execute("PRAGMA foreign_keys = ON").await;
            Err(error)
        }
    }
}

/// What `check` and the boot report say about `status`: pending
/// migrations (exit code 2 in `check`), edited and unknown ones (warnings).
pub(crate) fn diagnostics(status: &[MigrationStatus]) -> Vec<Diagnostic> {
    let pending: Vec<String> = status
        .iter()
        .filter(|s| s.is_pending())
        .map(|s| format!("{}_{}", s.version, s.name))
        .collect();
    let mut out = Vec::new();
    if !pending.is_empty() {
        out.push(Diagnostic::error(
            &elif_catalogue::EL4001,
            format!(
                "{} pending migration{}: {}",
                pending.len(),
                if pending.len() == 1 { "" } else { "s" },
                pending.join(", ")
            ),
        ));
    }
    for s in status {
        match &s.state {
            MigrationState::Edited { .. } => out.push(Diagnostic::warning(
                &elif_catalogue::EL4004,
                format!(
                    "migration {}_{} was edited after it was applied",
                    s.version, s.name
                ),
            )),
            MigrationState::Unknown { .. } => out.push(Diagnostic::warning(
                &elif_catalogue::EL4003,
                format!(
                    "the database has applied {}_{}, which this binary does not embed",
                    s.version, s.name
                ),
            )),
            MigrationState::Applied { .. } | MigrationState::Pending => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: Migration = Migration {
        namespace: "",
        version: "2026-11-26-000001",
        name: "create_posts",
        up: MigrationSql {
            sqlite: "CREATE TABLE posts (id INTEGER PRIMARY KEY)",
            postgres: "CREATE TABLE posts (id BIGSERIAL PRIMARY KEY)",
        },
        down: MigrationSql {
            sqlite: "DROP TABLE posts",
            postgres: "DROP TABLE posts",
        },
    };

    #[test]
    fn checksums_follow_the_backend_sql() {
        assert_ne!(
            ONE.checksum(Backend::Sqlite),
            ONE.checksum(Backend::Postgres)
        );
        assert_eq!(ONE.checksum(Backend::Sqlite), ONE.checksum(Backend::Sqlite));
        assert_eq!(ONE.checksum(Backend::Sqlite).len(), 16);
    }

    #[test]
    fn pending_migrations_are_one_error_edited_and_unknown_are_warnings() {
        let status = vec![
            MigrationStatus {
                version: "1".into(),
                name: "a".into(),
                state: MigrationState::Pending,
            },
            MigrationStatus {
                version: "2".into(),
                name: "b".into(),
                state: MigrationState::Pending,
            },
            MigrationStatus {
                version: "0".into(),
                name: "z".into(),
                state: MigrationState::Unknown {
                    applied_at: "x".into(),
                },
            },
        ];
        let d = diagnostics(&status);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].entry.code, "EL4001");
        assert_eq!(d[0].message, "2 pending migrations: 1_a, 2_b");
        assert_eq!(d[1].entry.code, "EL4003");
    }
}
