//! Migrations from models: the tables an app's `#[model]`s describe, a
//! snapshot of them committed beside the migrations
//! (`migrations/schema.json`, updated with each generated migration), and
//! the difference between the two as `up`/`down` SQL for SQLite and
//! PostgreSQL (`migrate generate <name>`). No database is needed: the
//! snapshot is what the migrations so far create.
//!
//! SQLite cannot `ALTER` a column's type, nullability or reference, nor
//! drop a column with a reference or an index: such a table is rebuilt
//! (a new table, the rows copied, the old dropped, the new renamed, its
//! indexes made again). A rebuild runs with `PRAGMA foreign_keys = OFF`,
//! which has no effect inside a transaction, so its file starts with
//! [`NO_TRANSACTION`] and brackets itself with `BEGIN`/`COMMIT`; the runner
//! then runs it outside the transaction it gives other migrations.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::data::Backend;
use crate::data::model::ModelInfo;

/// The snapshot's file name, in the migrations' directory.
pub const SNAPSHOT_FILE: &str = "schema.json";

/// The snapshot's `format`.
pub const FORMAT: &str = "elif.schema/1";

/// The first line of a migration file the runner runs outside a
/// transaction (it has its own `BEGIN`/`COMMIT`).
pub const NO_TRANSACTION: &str = "-- elif:no-transaction";

/// The tables of an app's models.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    /// [`FORMAT`].
    pub format: String,
    /// The migration this snapshot was written with (`<version>_<name>`),
    /// the newest of the app's when it was written.
    #[serde(default)]
    pub migration: Option<String>,
    /// Every table, by name.
    pub tables: Vec<TableSchema>,
}

/// One table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSchema {
    /// Its name.
    pub name: String,
    /// The model it is for.
    #[serde(default)]
    pub model: String,
    /// Its columns, in the model's order.
    pub columns: Vec<ColumnSchema>,
}

/// One column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnSchema {
    /// Its name.
    pub name: String,
    /// The portable type (`text`, `bigint`: [`SqlType::name`]).
    #[serde(rename = "type")]
    pub kind: String,
    /// Whether it may be NULL.
    #[serde(default, skip_serializing_if = "is_false")]
    pub nullable: bool,
    /// Whether it is the key.
    #[serde(default, skip_serializing_if = "is_false")]
    pub key: bool,
    /// Whether the database generates it (an auto-increment key).
    #[serde(default, skip_serializing_if = "is_false")]
    pub generated: bool,
    /// `#[unique]`: a unique index on it alone.
    #[serde(default, skip_serializing_if = "is_false")]
    pub unique: bool,
    /// `#[index]`: an index on it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub index: bool,
    /// `#[belongs_to]`: the table its values are keys of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub references: Option<String>,
}

fn is_false(value: &bool) -> bool {
    !*value
}

impl Schema {
    /// No tables.
    pub fn empty() -> Self {
        Self {
            format: FORMAT.to_owned(),
            migration: None,
            tables: Vec::new(),
        }
    }

    /// The tables of `models`; `all` (every model linked in, packages'
    /// too) gives the tables that `belongs_to` relations reference.
    pub fn of_models(models: &[&ModelInfo], all: &[&ModelInfo]) -> Self {
        let mut tables: Vec<TableSchema> = models
            .iter()
            .map(|model| TableSchema {
                name: model.table.to_owned(),
                model: model.name.to_owned(),
                columns: model
                    .fields
                    .iter()
                    .map(|field| ColumnSchema {
                        name: field.name.to_owned(),
                        kind: field.sql_type.name().to_owned(),
                        nullable: field.nullable,
                        key: field.key,
                        generated: field.key && field.generated,
                        unique: field.unique,
                        index: field.index,
                        references: model
                            .relations
                            .iter()
                            .find(|r| r.kind == "belongs_to" && r.foreign_key == field.name)
                            .and_then(|r| all.iter().find(|m| m.name == r.model))
                            .map(|target| target.table.to_owned()),
                    })
                    .collect(),
            })
            .collect();
        tables.sort_by(|a, b| a.name.cmp(&b.name));
        Self {
            format: FORMAT.to_owned(),
            migration: None,
            tables,
        }
    }

    /// Reads a snapshot.
    pub fn parse(text: &str) -> Result<Self, String> {
        let schema: Self = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if schema.format != FORMAT {
            return Err(format!(
                "its format is `{}`; this elif reads `{FORMAT}`",
                schema.format
            ));
        }
        Ok(schema)
    }

    /// The snapshot's text: a column a line (what is false or absent left
    /// out), so that a diff in review reads as the change.
    pub fn to_json(&self) -> String {
        let string = |s: &str| serde_json::to_string(s).unwrap_or_default();
        let tables: Vec<String> = self
            .tables
            .iter()
            .map(|table| {
                let columns: Vec<String> = table
                    .columns
                    .iter()
                    .map(|c| format!("        {}", serde_json::to_string(c).unwrap_or_default()))
                    .collect();
                format!(
                    "    {{\n      \"name\": {},\n      \"model\": {},\n      \"columns\": [\n{}\n      ]\n    }}",
                    string(&table.name),
                    string(&table.model),
                    columns.join(",\n")
                )
            })
            .collect();
        let migration = self
            .migration
            .as_deref()
            .map_or_else(|| "null".to_owned(), string);
        let tables = if tables.is_empty() {
            "[]".to_owned()
        } else {
            format!("[\n{}\n  ]", tables.join(",\n"))
        };
        format!(
            "{{\n  \"format\": {},\n  \"migration\": {migration},\n  \"tables\": {tables}\n}}\n",
            string(&self.format)
        )
    }

    /// The table named `name`.
    pub fn table(&self, name: &str) -> Option<&TableSchema> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// Whether the tables are the same (whatever the migrations).
    pub fn same_tables(&self, other: &Self) -> bool {
        self.tables == other.tables
    }
}

impl TableSchema {
    fn column(&self, name: &str) -> Option<&ColumnSchema> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// `--rename posts.title=headline`: a column renamed, not dropped and added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    /// The table.
    pub table: String,
    /// The old name.
    pub from: String,
    /// The new name.
    pub to: String,
}

impl Rename {
    /// Reads `table.from=to`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let parsed = text.split_once('=').and_then(|(left, to)| {
            let (table, from) = left.split_once('.')?;
            let ok =
                |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            (ok(table) && ok(from) && ok(to)).then(|| Self {
                table: table.to_owned(),
                from: from.to_owned(),
                to: to.to_owned(),
            })
        });
        parsed.ok_or_else(|| format!("`{text}` is not `table.old_column=new_column`"))
    }

    fn reversed(&self) -> Self {
        Self {
            table: self.table.clone(),
            from: self.to.clone(),
            to: self.from.clone(),
        }
    }
}

/// One change from a schema to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A new table.
    CreateTable(TableSchema),
    /// A table no model describes any more (its rows are lost).
    DropTable(TableSchema),
    /// A new column.
    AddColumn {
        /// The table.
        table: String,
        /// The column.
        column: ColumnSchema,
    },
    /// A column no field describes any more (its values are lost).
    DropColumn {
        /// The table.
        table: String,
        /// The column.
        column: ColumnSchema,
    },
    /// A column renamed (`--rename`).
    RenameColumn {
        /// The table.
        table: String,
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
    /// A column's type, nullability, reference or indexes changed.
    AlterColumn {
        /// The table.
        table: String,
        /// As it was (under its new name when renamed).
        from: ColumnSchema,
        /// As it is to be.
        to: ColumnSchema,
    },
}

impl Step {
    /// Whether it can lose data: a dropped table or column, a type that
    /// cannot hold every value of the old one.
    pub fn is_destructive(&self) -> bool {
        match self {
            Self::DropTable(_) | Self::DropColumn { .. } => true,
            Self::AlterColumn { from, to, .. } => !widens(&from.kind, &to.kind),
            _ => false,
        }
    }

    fn table(&self) -> &str {
        match self {
            Self::CreateTable(t) | Self::DropTable(t) => &t.name,
            Self::AddColumn { table, .. }
            | Self::DropColumn { table, .. }
            | Self::RenameColumn { table, .. }
            | Self::AlterColumn { table, .. } => table,
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CreateTable(t) => write!(f, "create table `{}`", t.name),
            Self::DropTable(t) => write!(f, "drop table `{}` (its rows are lost)", t.name),
            Self::AddColumn { table, column } => {
                write!(
                    f,
                    "add column `{table}.{}` ({})",
                    column.name,
                    describe(column)
                )
            }
            Self::DropColumn { table, column } => write!(
                f,
                "drop column `{table}.{}` (its values are lost)",
                column.name
            ),
            Self::RenameColumn { table, from, to } => {
                write!(f, "rename column `{table}.{from}` to `{to}`")
            }
            Self::AlterColumn { table, from, to } => write!(
                f,
                "change column `{table}.{}` from {} to {}",
                to.name,
                describe(from),
                describe(to)
            ),
        }
    }
}

fn describe(column: &ColumnSchema) -> String {
    let mut text = column.kind.clone();
    if column.nullable {
        text.push_str(" NULL");
    } else {
        text.push_str(" NOT NULL");
    }
    if column.unique {
        text.push_str(", unique");
    }
    if column.index {
        text.push_str(", indexed");
    }
    if let Some(table) = &column.references {
        text.push_str(&format!(", references `{table}`"));
    }
    text
}

/// Whether every value of `from` fits `to` (`integer` → `bigint`).
fn widens(from: &str, to: &str) -> bool {
    let rank = |kind: &str| match kind {
        "smallint" => Some((0, 0)),
        "integer" => Some((0, 1)),
        "bigint" => Some((0, 2)),
        "float" => Some((1, 0)),
        "double" => Some((1, 1)),
        _ => None,
    };
    from == to || matches!((rank(from), rank(to)), (Some((a, x)), Some((b, y))) if a == b && x <= y)
}

/// Why no migration could be generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffError {
    /// A `--rename` names a column that is not there.
    BadRename(String),
    /// A table's key changed: write that migration by hand.
    KeyChanged(String),
}

impl fmt::Display for DiffError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadRename(why) | Self::KeyChanged(why) => f.write_str(why),
        }
    }
}

/// The steps from `from` to `to`, tables in name order: created tables
/// first (in an order that creates a referenced table before the tables
/// that reference it), then changes, then dropped tables.
pub fn diff(from: &Schema, to: &Schema, renames: &[Rename]) -> Result<Vec<Step>, DiffError> {
    for rename in renames {
        let known = from
            .table(&rename.table)
            .and_then(|t| t.column(&rename.from))
            .is_some()
            && to
                .table(&rename.table)
                .and_then(|t| t.column(&rename.to))
                .is_some();
        if !known {
            return Err(DiffError::BadRename(format!(
                "`--rename {}.{}={}`: the snapshot has no column `{}.{}`, or the models no `{}.{}`",
                rename.table,
                rename.from,
                rename.to,
                rename.table,
                rename.from,
                rename.table,
                rename.to
            )));
        }
    }
    let mut created: Vec<TableSchema> = to
        .tables
        .iter()
        .filter(|t| from.table(&t.name).is_none())
        .cloned()
        .collect();
    created = referenced_first(created);
    let mut steps: Vec<Step> = created.into_iter().map(Step::CreateTable).collect();
    for table in &to.tables {
        let Some(old) = from.table(&table.name) else {
            continue;
        };
        let renamed = |name: &str| {
            renames
                .iter()
                .find(|r| r.table == table.name && r.from == name)
                .map(|r| r.to.clone())
        };
        // The new names of the old columns that stay.
        let mut kept: Vec<String> = Vec::with_capacity(old.columns.len());
        for column in &old.columns {
            let now = renamed(&column.name).unwrap_or_else(|| column.name.clone());
            match table.column(&now) {
                None => steps.push(Step::DropColumn {
                    table: table.name.clone(),
                    column: column.clone(),
                }),
                Some(new) => {
                    kept.push(now.clone());
                    if column.key != new.key
                        || (column.key
                            && (column.generated != new.generated || column.kind != new.kind))
                    {
                        return Err(DiffError::KeyChanged(format!(
                            "the key of `{}` changed: a migration that changes a table's key is written by hand (`elif generate migration`)",
                            table.name
                        )));
                    }
                    if now != column.name {
                        steps.push(Step::RenameColumn {
                            table: table.name.clone(),
                            from: column.name.clone(),
                            to: now.clone(),
                        });
                    }
                    let old_named = ColumnSchema {
                        name: now.clone(),
                        ..column.clone()
                    };
                    if old_named != *new {
                        steps.push(Step::AlterColumn {
                            table: table.name.clone(),
                            from: old_named,
                            to: new.clone(),
                        });
                    }
                }
            }
        }
        for column in &table.columns {
            if !kept.contains(&column.name) {
                steps.push(Step::AddColumn {
                    table: table.name.clone(),
                    column: column.clone(),
                });
            }
        }
    }
    let mut dropped: Vec<TableSchema> = from
        .tables
        .iter()
        .filter(|t| to.table(&t.name).is_none())
        .cloned()
        .collect();
    dropped = referenced_first(dropped);
    dropped.reverse();
    steps.extend(dropped.into_iter().map(Step::DropTable));
    Ok(steps)
}

/// `tables` ordered so that a table comes after the tables it references
/// (among these; a cycle keeps the given order).
fn referenced_first(mut tables: Vec<TableSchema>) -> Vec<TableSchema> {
    let mut ordered: Vec<TableSchema> = Vec::with_capacity(tables.len());
    while !tables.is_empty() {
        let ready = tables
            .iter()
            .position(|t| {
                t.columns.iter().all(|c| {
                    c.references
                        .as_ref()
                        .is_none_or(|r| *r == t.name || !tables.iter().any(|o| o.name == *r))
                })
            })
            .unwrap_or(0);
        ordered.push(tables.remove(ready));
    }
    ordered
}

/// A generated migration: its SQL, each way, on each backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// The steps, for the report.
    pub steps: Vec<Step>,
    /// `up.sqlite.sql`.
    pub up_sqlite: String,
    /// `up.postgres.sql`.
    pub up_postgres: String,
    /// `down.sqlite.sql`.
    pub down_sqlite: String,
    /// `down.postgres.sql`.
    pub down_postgres: String,
}

/// The migration from `from` to `to`: the steps, and SQL both ways (the
/// way down is the difference back, renames reversed).
pub fn generate(from: &Schema, to: &Schema, renames: &[Rename]) -> Result<Generated, DiffError> {
    let steps = diff(from, to, renames)?;
    let back: Vec<Rename> = renames.iter().map(Rename::reversed).collect();
    let down = diff(to, from, &back)?;
    Ok(Generated {
        up_sqlite: render(&steps, from, to, Backend::Sqlite),
        up_postgres: render(&steps, from, to, Backend::Postgres),
        down_sqlite: render(&down, to, from, Backend::Sqlite),
        down_postgres: render(&down, to, from, Backend::Postgres),
        steps,
    })
}

/// The SQL type of `column` on `backend`.
fn sql_type(column: &ColumnSchema, backend: Backend) -> String {
    if column.key && column.generated {
        return match backend {
            Backend::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT".to_owned(),
            Backend::Postgres => match column.kind.as_str() {
                "smallint" => "SMALLSERIAL PRIMARY KEY",
                "integer" => "SERIAL PRIMARY KEY",
                _ => "BIGSERIAL PRIMARY KEY",
            }
            .to_owned(),
        };
    }
    let kind = kind_sql(&column.kind, backend);
    if column.key {
        return format!("{kind} PRIMARY KEY");
    }
    kind.to_owned()
}

fn kind_sql(kind: &str, backend: Backend) -> &'static str {
    use Backend::{Postgres, Sqlite};
    match (kind, backend) {
        ("smallint", Postgres) => "SMALLINT",
        ("smallint" | "integer", _) => "INTEGER",
        ("bigint", _) => "BIGINT",
        ("float", _) | ("double", Sqlite) => "REAL",
        ("double", Postgres) => "DOUBLE PRECISION",
        ("bool", _) => "BOOLEAN",
        ("binary", Postgres) => "BYTEA",
        ("binary", Sqlite) => "BLOB",
        ("date", Postgres) => "DATE",
        ("timestamp", Postgres) => "TIMESTAMPTZ",
        ("uuid", Postgres) => "UUID",
        ("json", Postgres) => "JSONB",
        _ => "TEXT",
    }
}

/// The value rows already there get in a new NOT NULL column.
fn zero(kind: &str, backend: Backend) -> &'static str {
    use Backend::{Postgres, Sqlite};
    match (kind, backend) {
        ("smallint" | "integer" | "bigint" | "float" | "double", _) | ("bool", Sqlite) => "0",
        ("bool", Postgres) => "FALSE",
        ("binary", Postgres) => "'\\x'",
        ("binary", Sqlite) => "X''",
        ("date", _) => "'1970-01-01'",
        ("timestamp", Postgres) => "'1970-01-01T00:00:00Z'",
        ("timestamp", Sqlite) => "'1970-01-01T00:00:00.000000Z'",
        ("uuid", _) => "'00000000-0000-0000-0000-000000000000'",
        ("json", _) => "'null'",
        _ => "''",
    }
}

/// A column's definition in `CREATE TABLE` / `ADD COLUMN`.
fn definition(column: &ColumnSchema, backend: Backend) -> String {
    let mut text = format!("{} {}", column.name, sql_type(column, backend));
    if !column.nullable && !column.key {
        text.push_str(" NOT NULL");
    }
    if let Some(table) = &column.references {
        text.push_str(&format!(" REFERENCES {table} (id)"));
    }
    text
}

fn index_name(table: &str, column: &ColumnSchema, unique: bool) -> String {
    format!(
        "{table}_{}_{}",
        column.name,
        if unique { "key" } else { "idx" }
    )
}

/// `CREATE [UNIQUE] INDEX` on the column alone.
fn create_index(table: &str, column: &ColumnSchema, unique: bool) -> String {
    format!(
        "CREATE {}INDEX {} ON {table} ({});",
        if unique { "UNIQUE " } else { "" },
        index_name(table, column, unique),
        column.name
    )
}

/// The column's indexes (`#[unique]`, `#[index]`), each as whether it is
/// unique; a key has its own.
fn indexes(column: &ColumnSchema) -> impl Iterator<Item = bool> + '_ {
    [(column.unique, true), (column.index, false)]
        .into_iter()
        .filter(|(has, _)| *has && !column.key)
        .map(|(_, unique)| unique)
}

/// `CREATE [UNIQUE] INDEX` for the column's indexes.
fn create_indexes(table: &str, column: &ColumnSchema, out: &mut Vec<String>) {
    out.extend(indexes(column).map(|unique| create_index(table, column, unique)));
}

fn create_table(table: &TableSchema, name: &str, backend: Backend) -> String {
    let columns: Vec<String> = table
        .columns
        .iter()
        .map(|c| format!("    {}", definition(c, backend)))
        .collect();
    format!("CREATE TABLE {name} (\n{}\n);", columns.join(",\n"))
}

/// Whether SQLite must rebuild `table` for these steps.
fn sqlite_rebuilds(table: &str, steps: &[Step]) -> bool {
    steps
        .iter()
        .filter(|s| s.table() == table)
        .any(|step| match step {
            Step::AlterColumn { from, to, .. } => {
                from.kind != to.kind
                    || from.nullable != to.nullable
                    || from.references != to.references
            }
            Step::DropColumn { column, .. } => {
                column.references.is_some() || column.unique || column.index
            }
            Step::AddColumn { column, .. } => column.references.is_some() && !column.nullable,
            _ => false,
        })
}

/// The SQL of `steps` (from `from` to `to`) on `backend`.
fn render(steps: &[Step], from: &Schema, to: &Schema, backend: Backend) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut rebuilt: Vec<&str> = Vec::new();
    for step in steps {
        let table = step.table();
        if backend == Backend::Sqlite
            && !matches!(step, Step::CreateTable(_) | Step::DropTable(_))
            && sqlite_rebuilds(table, steps)
        {
            if !rebuilt.contains(&table) {
                rebuilt.push(table);
                if let (Some(old), Some(new)) = (from.table(table), to.table(table)) {
                    rebuild(old, new, steps, &mut out);
                }
            }
            continue;
        }
        match step {
            Step::CreateTable(t) => {
                out.push(create_table(t, &t.name, backend));
                for column in &t.columns {
                    create_indexes(&t.name, column, &mut out);
                }
            }
            Step::DropTable(t) => out.push(format!("DROP TABLE {};", t.name)),
            Step::AddColumn { table, column } => {
                if !column.nullable && column.references.is_some() {
                    out.push(format!(
                        "-- `{}` has no value to give rows already there: this fails when `{table}` has rows.",
                        column.name
                    ));
                }
                // Rows already there need a value (PostgreSQL drops the
                // default after; SQLite keeps it).
                let needs_value = !column.nullable && column.references.is_none();
                let default = if needs_value {
                    format!(" DEFAULT {}", zero(&column.kind, backend))
                } else {
                    String::new()
                };
                out.push(format!(
                    "ALTER TABLE {table} ADD COLUMN {}{default};",
                    definition(column, backend)
                ));
                if needs_value && backend == Backend::Postgres {
                    out.push(format!(
                        "ALTER TABLE {table} ALTER COLUMN {} DROP DEFAULT;",
                        column.name
                    ));
                }
                create_indexes(table, column, &mut out);
            }
            Step::DropColumn { table, column } => {
                drop_indexes(table, column, &mut out);
                out.push(format!("ALTER TABLE {table} DROP COLUMN {};", column.name));
            }
            Step::RenameColumn {
                table,
                from: old,
                to: new,
            } => {
                out.push(format!("ALTER TABLE {table} RENAME COLUMN {old} TO {new};"));
                // Its indexes are named after it: they follow.
                if let Some(column) = from.table(table).and_then(|t| t.column(old)) {
                    let renamed = ColumnSchema {
                        name: new.clone(),
                        ..column.clone()
                    };
                    for unique in indexes(column) {
                        let was = index_name(table, column, unique);
                        match backend {
                            Backend::Postgres => out.push(format!(
                                "ALTER INDEX {was} RENAME TO {};",
                                index_name(table, &renamed, unique)
                            )),
                            Backend::Sqlite => {
                                out.push(format!("DROP INDEX {was};"));
                                out.push(create_index(table, &renamed, unique));
                            }
                        }
                    }
                }
            }
            Step::AlterColumn {
                table,
                from: old,
                to: new,
            } => alter(table, old, new, backend, &mut out),
        }
    }
    let body = out.join("\n");
    if !rebuilt.is_empty() {
        return format!(
            "{NO_TRANSACTION}\n-- SQLite rebuilds {} (it cannot ALTER this); PRAGMA foreign_keys has no\n-- effect inside a transaction, so this file runs outside one and makes its own.\nPRAGMA foreign_keys = OFF;\nBEGIN;\n{body}\nCOMMIT;\nPRAGMA foreign_keys = ON;\n",
            rebuilt
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if body.is_empty() {
        return "-- Nothing changes on this backend.\n".to_owned();
    }
    format!("{body}\n")
}

fn drop_indexes(table: &str, column: &ColumnSchema, out: &mut Vec<String>) {
    out.extend(
        indexes(column).map(|unique| format!("DROP INDEX {};", index_name(table, column, unique))),
    );
}

/// A column changed in place (PostgreSQL; indexes alone on SQLite).
fn alter(
    table: &str,
    old: &ColumnSchema,
    new: &ColumnSchema,
    backend: Backend,
    out: &mut Vec<String>,
) {
    for (had, has, unique) in [
        (old.unique, new.unique, true),
        (old.index, new.index, false),
    ] {
        if had && !has {
            out.push(format!("DROP INDEX {};", index_name(table, old, unique)));
        }
    }
    if backend == Backend::Postgres {
        let column = &new.name;
        if old.kind != new.kind {
            let kind = kind_sql(&new.kind, backend);
            out.push(format!(
                "ALTER TABLE {table} ALTER COLUMN {column} TYPE {kind} USING {column}::{kind};"
            ));
        }
        if old.nullable && !new.nullable {
            // Rows with NULL get the type's zero, as SQLite's rebuild gives them.
            out.push(format!(
                "UPDATE {table} SET {column} = {} WHERE {column} IS NULL;",
                zero(&new.kind, backend)
            ));
        }
        if old.nullable != new.nullable {
            out.push(format!(
                "ALTER TABLE {table} ALTER COLUMN {column} {} NOT NULL;",
                if new.nullable { "DROP" } else { "SET" }
            ));
        }
        if old.references != new.references {
            if old.references.is_some() {
                out.push(format!(
                    "ALTER TABLE {table} DROP CONSTRAINT {table}_{}_fkey;",
                    old.name
                ));
            }
            if let Some(target) = &new.references {
                out.push(format!(
                    "ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_fkey FOREIGN KEY ({column}) REFERENCES {target} (id);"
                ));
            }
        }
    }
    for (had, has, unique) in [
        (old.unique, new.unique, true),
        (old.index, new.index, false),
    ] {
        if has && !had {
            out.push(create_index(table, new, unique));
        }
    }
}

/// SQLite's rebuild of `old` as `new`: the rows copied column by column
/// (a renamed column from its old name, a new NOT NULL one given the
/// type's zero), then the indexes made again.
fn rebuild(old: &TableSchema, new: &TableSchema, steps: &[Step], out: &mut Vec<String>) {
    let name = &new.name;
    let temporary = format!("{name}__elif_new");
    out.push(create_table(new, &temporary, Backend::Sqlite));
    let mut targets = Vec::new();
    let mut sources = Vec::new();
    for column in &new.columns {
        let renamed_from = steps.iter().find_map(|s| match s {
            Step::RenameColumn { table, from, to } if table == name && *to == column.name => {
                Some(from.clone())
            }
            _ => None,
        });
        let source = renamed_from.unwrap_or_else(|| column.name.clone());
        targets.push(column.name.clone());
        match old.column(&source) {
            Some(was) if column.nullable || !was.nullable => sources.push(source),
            Some(_) => sources.push(format!(
                "COALESCE({source}, {})",
                zero(&column.kind, Backend::Sqlite)
            )),
            None if column.nullable => sources.push("NULL".to_owned()),
            None => sources.push(zero(&column.kind, Backend::Sqlite).to_owned()),
        }
    }
    out.push(format!(
        "INSERT INTO {temporary} ({}) SELECT {} FROM {name};",
        targets.join(", "),
        sources.join(", ")
    ));
    out.push(format!("DROP TABLE {name};"));
    out.push(format!("ALTER TABLE {temporary} RENAME TO {name};"));
    for column in &new.columns {
        create_indexes(name, column, out);
    }
}

/// The form of generated migration versions: `2026-12-05-143000`, UTC.
const VERSION_FORMAT: &str = "%Y-%m-%d-%H%M%S";

/// A migration version for `at`.
pub fn version_at(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format(VERSION_FORMAT).to_string()
}

/// A new migration's version: now, or a second after the newest of
/// `existing` (folder versions) in this form when that is not older (two in
/// one second, a clock behind), so that versions stay unique and in the
/// order they were made.
pub fn next_version<'a>(existing: impl IntoIterator<Item = &'a str>) -> String {
    let after_newest = existing
        .into_iter()
        .filter_map(|v| chrono::NaiveDateTime::parse_from_str(v, VERSION_FORMAT).ok())
        .max()
        .map(|newest| newest.and_utc() + chrono::Duration::seconds(1));
    let now = chrono::Utc::now();
    version_at(after_newest.map_or(now, |after| after.max(now)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, kind: &str) -> ColumnSchema {
        ColumnSchema {
            name: name.to_owned(),
            kind: kind.to_owned(),
            nullable: false,
            key: false,
            generated: false,
            unique: false,
            index: false,
            references: None,
        }
    }

    fn key() -> ColumnSchema {
        ColumnSchema {
            key: true,
            generated: true,
            ..column("id", "bigint")
        }
    }

    fn table(name: &str, columns: Vec<ColumnSchema>) -> TableSchema {
        let mut all = vec![key()];
        all.extend(columns);
        TableSchema {
            name: name.to_owned(),
            model: String::new(),
            columns: all,
        }
    }

    fn schema(tables: Vec<TableSchema>) -> Schema {
        Schema {
            tables,
            ..Schema::empty()
        }
    }

    #[test]
    fn new_tables_come_after_the_tables_they_reference_and_drop_before() {
        let posts = table(
            "posts",
            vec![ColumnSchema {
                references: Some("authors".into()),
                ..column("author_id", "bigint")
            }],
        );
        let authors = table("authors", vec![column("name", "text")]);
        let to = schema(vec![posts.clone(), authors.clone()]);
        let steps = diff(&Schema::empty(), &to, &[]).unwrap();
        assert_eq!(
            steps,
            [Step::CreateTable(authors), Step::CreateTable(posts)]
        );
        let back = diff(&to, &Schema::empty(), &[]).unwrap();
        assert!(
            matches!(&back[0], Step::DropTable(t) if t.name == "posts"),
            "{back:?}"
        );
        assert!(back.iter().all(Step::is_destructive));
        let sql = render(&steps, &Schema::empty(), &to, Backend::Postgres);
        assert!(
            sql.contains("    author_id BIGINT NOT NULL REFERENCES authors (id)"),
            "{sql}"
        );
        assert!(sql.contains("    id BIGSERIAL PRIMARY KEY,"), "{sql}");
        let sql = render(&steps, &Schema::empty(), &to, Backend::Sqlite);
        assert!(
            sql.contains("    id INTEGER PRIMARY KEY AUTOINCREMENT,"),
            "{sql}"
        );
        assert!(!sql.contains(NO_TRANSACTION));
    }

    #[test]
    fn columns_are_added_renamed_altered_and_dropped() {
        let from = schema(vec![table(
            "posts",
            vec![
                column("title", "text"),
                column("views", "integer"),
                column("legacy", "text"),
                ColumnSchema {
                    nullable: true,
                    ..column("note", "text")
                },
            ],
        )]);
        let to = schema(vec![table(
            "posts",
            vec![
                ColumnSchema {
                    unique: true,
                    ..column("headline", "text")
                },
                column("views", "bigint"),
                column("note", "text"),
                ColumnSchema {
                    index: true,
                    ..column("rank", "integer")
                },
            ],
        )]);
        let renames = [Rename::parse("posts.title=headline").unwrap()];
        let steps = diff(&from, &to, &renames).unwrap();
        let said: Vec<String> = steps.iter().map(ToString::to_string).collect();
        assert_eq!(
            said,
            [
                "rename column `posts.title` to `headline`",
                "change column `posts.headline` from text NOT NULL to text NOT NULL, unique",
                "change column `posts.views` from integer NOT NULL to bigint NOT NULL",
                "drop column `posts.legacy` (its values are lost)",
                "change column `posts.note` from text NULL to text NOT NULL",
                "add column `posts.rank` (integer NOT NULL, indexed)",
            ]
        );
        let destructive: Vec<bool> = steps.iter().map(Step::is_destructive).collect();
        assert_eq!(destructive, [false, false, false, true, false, false]);

        let postgres = render(&steps, &from, &to, Backend::Postgres);
        for expected in [
            "ALTER TABLE posts RENAME COLUMN title TO headline;",
            "CREATE UNIQUE INDEX posts_headline_key ON posts (headline);",
            "ALTER TABLE posts ALTER COLUMN views TYPE BIGINT USING views::BIGINT;",
            "ALTER TABLE posts DROP COLUMN legacy;",
            "UPDATE posts SET note = '' WHERE note IS NULL;\nALTER TABLE posts ALTER COLUMN note SET NOT NULL;",
            "ALTER TABLE posts ADD COLUMN rank INTEGER NOT NULL DEFAULT 0;",
            "ALTER TABLE posts ALTER COLUMN rank DROP DEFAULT;",
            "CREATE INDEX posts_rank_idx ON posts (rank);",
        ] {
            assert!(postgres.contains(expected), "{expected}\n{postgres}");
        }
        // SQLite cannot alter the type or nullability: one rebuild, outside
        // the runner's transaction, the renamed column copied from its old name.
        let sqlite = render(&steps, &from, &to, Backend::Sqlite);
        assert!(sqlite.starts_with(NO_TRANSACTION), "{sqlite}");
        assert!(
            sqlite.contains("PRAGMA foreign_keys = OFF;\nBEGIN;\n"),
            "{sqlite}"
        );
        assert!(
            sqlite.contains("INSERT INTO posts__elif_new (id, headline, views, note, rank) SELECT id, title, views, COALESCE(note, ''), 0 FROM posts;"),
            "{sqlite}"
        );
        assert!(sqlite.contains("ALTER TABLE posts__elif_new RENAME TO posts;"));
        assert!(sqlite.contains("CREATE UNIQUE INDEX posts_headline_key ON posts (headline);"));
        assert_eq!(sqlite.matches("CREATE TABLE").count(), 1, "{sqlite}");

        // Down: the way back, renames reversed.
        let generated = generate(&from, &to, &renames).unwrap();
        assert!(
            generated
                .down_postgres
                .contains("ALTER TABLE posts RENAME COLUMN headline TO title;")
        );
        assert!(
            generated
                .down_postgres
                .contains("ALTER TABLE posts ADD COLUMN legacy TEXT NOT NULL DEFAULT '';")
        );
        assert!(
            generated.down_postgres.contains(
                "ALTER INDEX posts_headline_key RENAME TO posts_title_key;\nDROP INDEX posts_title_key;"
            ),
            "an index follows its column's name: {}",
            generated.down_postgres
        );
        assert!(diff(&to, &to, &[]).unwrap().is_empty());
    }

    #[test]
    fn renames_must_name_columns_and_keys_do_not_change() {
        let from = schema(vec![table("posts", vec![column("title", "text")])]);
        assert!(matches!(
            diff(&from, &from, &[Rename::parse("posts.nope=title").unwrap()]),
            Err(DiffError::BadRename(_))
        ));
        for bad in ["posts.title", "title=headline", "posts.ti tle=x", ".a=b"] {
            assert!(Rename::parse(bad).is_err(), "{bad}");
        }
        let uuid_key = schema(vec![TableSchema {
            columns: vec![ColumnSchema {
                key: true,
                ..column("id", "uuid")
            }],
            ..table("posts", vec![])
        }]);
        assert!(matches!(
            diff(&from, &uuid_key, &[]),
            Err(DiffError::KeyChanged(_))
        ));
    }

    #[test]
    fn widening_types_keeps_every_value() {
        assert!(widens("integer", "bigint") && widens("float", "double"));
        assert!(
            !widens("bigint", "integer") && !widens("text", "bool") && !widens("integer", "double")
        );
    }

    #[test]
    fn snapshots_read_back_and_refuse_other_formats() {
        let one = schema(vec![table("posts", vec![column("title", "text")])]);
        assert_eq!(Schema::parse(&one.to_json()).unwrap(), one);
        assert!(Schema::parse("{\"format\": \"other/9\", \"tables\": []}").is_err());
        assert!(Schema::parse("[]").is_err());
    }

    #[test]
    fn versions_are_unique_and_ordered() {
        let at = chrono::DateTime::from_timestamp(1_764_935_999, 0).unwrap();
        assert_eq!(version_at(at), "2025-12-05-115959");
        let now = next_version([]);
        let after = next_version([now.as_str(), "0001"]);
        assert!(after > now, "{after} > {now}");
        assert_eq!(next_version(["2999-12-31-235959"]), "3000-01-01-000000");
    }
}
