//! `elif generate <kind> <Name>`: a component of an app in a file of its
//! own, declared in `src/lib.rs` and registered in its module where the
//! module is declared ([`crate::edit`]), every other byte of the edited
//! files kept. Generated files carry keep zones and the fingerprint line
//! ([`crate::zones`]). Nothing is written when anything is wrong: a name
//! that is not an identifier, a file or item that exists, a module that
//! is not there.
//!
//! Each kind's file is `src/<name>_<kind>.rs` (`src/orders.rs` for a
//! module), registered in `--module` (default: the app's root module,
//! `AppModule`, for modules; the module named after the component, when
//! the app has one, else `AppModule`, for the others).

use std::fmt;
use std::path::{Path, PathBuf};

use crate::edit::{self, EditError};
use crate::{resource, zones};

/// What can be generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `src/<name>.rs`: a module, imported by the root module.
    Module,
    /// `src/<name>_controller.rs`: a controller, in a module's `controllers`.
    Controller,
    /// `src/<name>_service.rs`: an injectable, in a module's `providers`.
    Service,
    /// `src/<name>_guard.rs`: a guard that refuses until written, in a
    /// module's `providers`.
    Guard,
    /// `migrations/<timestamp>_<name>/`: SQL for both backends.
    Migration,
    /// `tests/<name>.rs`: a test through `TestApp`.
    Test,
    /// `src/<name>_model.rs`: a `#[model]` with its fields (`title:string
    /// published:bool? author:belongs_to(User)`), its table's migration for
    /// both backends, and its repository in a module's `providers`.
    Model,
    /// A model with its migrations, module, service, CRUD controller,
    /// policy and tests (see [`crate::resource`]).
    Resource,
    /// `src/<name>_policy.rs`: a policy for the model `<Name>`, refusing
    /// everything until written, in a module's `providers`.
    Policy,
}

impl Kind {
    /// The kind named `name` on the command line.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "module" => Self::Module,
            "controller" => Self::Controller,
            "service" => Self::Service,
            "guard" => Self::Guard,
            "migration" => Self::Migration,
            "test" => Self::Test,
            "model" => Self::Model,
            "resource" => Self::Resource,
            "policy" => Self::Policy,
            _ => return None,
        })
    }

    /// Every kind's command-line name.
    pub const NAMES: [&'static str; 9] = [
        "module",
        "controller",
        "service",
        "guard",
        "migration",
        "test",
        "model",
        "resource",
        "policy",
    ];
}

/// Why nothing was generated.
#[derive(Debug)]
pub enum GenerateError {
    /// Not a name this kind can have.
    BadName {
        /// The kind.
        kind: &'static str,
        /// The name given.
        name: String,
    },
    /// The file exists.
    Exists(PathBuf),
    /// The directory is not an elif app made by `elif new` (no `src/lib.rs`).
    NotAnApp(PathBuf),
    /// A source could not be edited.
    Edit {
        /// The file.
        file: PathBuf,
        /// Why.
        error: EditError,
    },
    /// A model's field is not `name:type` of a known type, or fields were
    /// given to a kind that takes none.
    BadField(String),
    /// The existing file's keep zones cannot be carried (broken markers, a
    /// zone the new text has no place for).
    Zones {
        /// The file.
        file: PathBuf,
        /// Why.
        error: zones::ZoneError,
    },
    /// Not something `--force` can do.
    Unsupported(String),
    /// Reading or writing failed.
    Io(std::io::Error),
}

impl fmt::Display for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadName { kind, name } => write!(f, "`{name}` is not a {kind}; nothing written"),
            Self::Exists(path) => write!(
                f,
                "{} exists; nothing written (`--force` regenerates it, keeping its keep zones)",
                path.display()
            ),
            Self::NotAnApp(dir) => write!(
                f,
                "{} has no src/lib.rs: run `elif generate` in an app's directory",
                dir.display()
            ),
            Self::Edit { file, error } => write!(f, "{}: {error}; nothing written", file.display()),
            Self::BadField(why) => write!(f, "{why}; nothing written"),
            Self::Zones { file, error } => {
                write!(f, "{}: {error}; nothing written", file.display())
            }
            Self::Unsupported(why) => write!(f, "{why}; nothing written"),
            Self::Io(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for GenerateError {}

/// A model's field, parsed from `name:type` (`?` after the type: nullable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field {
    pub(crate) name: String,
    /// The type as given (`string`, `belongs_to`), without `?`.
    pub(crate) kind: String,
    /// Whether it may be NULL.
    pub(crate) nullable: bool,
    /// The Rust type (`String`, `Option<bool>`).
    rust: String,
    /// `belongs_to(User)`: the related model's name and path
    /// (`User|crate::users::User`).
    pub(crate) belongs_to: Option<String>,
    /// The first `belongs_to(User)`: the row's owner, set by the server to
    /// the signed-in user (never by the client).
    owner: bool,
}

impl Field {
    /// The related model's name and path, for a `belongs_to` field.
    pub(crate) fn related(&self) -> Option<(&str, &str)> {
        self.belongs_to
            .as_deref()
            .map(|related| related.split_once('|').unwrap_or((related, related)))
    }

    /// Whether it is the key of the row's owner (the first
    /// `belongs_to(User)`), which the server sets to the signed-in user.
    pub(crate) fn is_owner(&self) -> bool {
        self.owner
    }

    /// Its column (`author_id` for `author:belongs_to(User)`).
    pub(crate) fn column(&self) -> String {
        if self.belongs_to.is_some() {
            format!("{}_id", self.name)
        } else {
            self.name.clone()
        }
    }

    /// Its `#[validate(..)]` rule, for text a client sends.
    fn rule(&self) -> Option<&'static str> {
        match self.kind.as_str() {
            "string" => Some("length(min = 1, max = 200)"),
            "text" => Some("length(min = 1, max = 10_000)"),
            _ => None,
        }
    }

    /// A value a client may send for it, as JSON (`second` gives another).
    pub(crate) fn sample(&self, second: bool) -> String {
        let pick = |a: &str, b: &str| if second { b.to_owned() } else { a.to_owned() };
        match self.kind.as_str() {
            "string" => pick(
                &format!("\"A {}\"", self.name.replace('_', " ")),
                "\"Changed\"",
            ),
            "text" => pick("\"Some text.\"", "\"Other text.\""),
            "int" | "bigint" => pick("7", "8"),
            "float" => pick("1.5", "2.5"),
            "bool" => pick("true", "false"),
            "date" => pick("\"2026-01-02\"", "\"2026-03-04\""),
            "timestamp" => pick("\"2026-01-02T03:04:05Z\"", "\"2026-03-04T05:06:07Z\""),
            "uuid" => pick(
                "\"67e55044-10b1-426f-9247-bb680e5fe0c8\"",
                "\"1b4e28ba-2fa1-41d2-883f-0016d3cca427\"",
            ),
            "bytes" => pick("[1, 2, 3]", "[4, 5]"),
            _ => "null".to_owned(),
        }
    }
}

/// Where the app declares model `target`: its path (`crate::users::User`)
/// and its table, read from its `#[model(table = "..")]`.
pub(crate) fn find_model(app: &Path, target: &str) -> Result<(String, String), GenerateError> {
    let needle = format!("pub struct {target} {{");
    for entry in std::fs::read_dir(app.join("src"))? {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = read(&path)?;
        let Some(at) = text.find(&needle) else {
            continue;
        };
        let table = text[..at]
            .rfind("#[model(table = \"")
            .map(|start| &text[start + "#[model(table = \"".len()..at])
            .and_then(|rest| rest.split('"').next())
            .map(str::to_owned);
        if let Some(table) = table {
            let stem = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let module = if stem == "lib" {
                String::new()
            } else {
                format!("{stem}::")
            };
            return Ok((format!("crate::{module}{target}"), table));
        }
    }
    Err(GenerateError::BadField(format!(
        "no `#[model(table = ..)] pub struct {target}` in src/: generate it first"
    )))
}

/// The fields `name:type`, checked (a `belongs_to` model must exist).
pub(crate) fn fields(app: &Path, specs: &[String]) -> Result<Vec<Field>, GenerateError> {
    let mut fields: Vec<Field> = Vec::with_capacity(specs.len());
    for spec in specs {
        let (name, kind) = spec.split_once(':').ok_or_else(|| {
            GenerateError::BadField(format!("`{spec}` is not `name:type` (`title:string`)"))
        })?;
        let (kind, nullable) = match kind.strip_suffix('?') {
            Some(kind) => (kind, true),
            None => (kind, false),
        };
        if !is_snake_name(name) || syn::parse_str::<syn::Ident>(name).is_err() {
            return Err(GenerateError::BadField(format!(
                "`{name}` is not a field name (snake_case, not a keyword)"
            )));
        }
        if matches!(name, "id" | "created_at" | "updated_at")
            || fields.iter().any(|f| f.name == name)
        {
            return Err(GenerateError::BadField(format!(
                "`{name}` is given twice, or is a column every model has"
            )));
        }
        let belongs = kind
            .strip_prefix("belongs_to(")
            .and_then(|rest| rest.strip_suffix(')'));
        let (rust, belongs_to) = if let Some(target) = belongs {
            if !is_type_name(target) {
                return Err(GenerateError::BadField(format!(
                    "`{target}` is not a model's name"
                )));
            }
            let (path, _) = find_model(app, target)?;
            ("i64", Some(format!("{target}|{path}")))
        } else {
            let rust = match kind {
                "string" | "text" => "String",
                "int" => "i32",
                "bigint" => "i64",
                "float" => "f64",
                "bool" => "bool",
                "date" => "elif::data::chrono::NaiveDate",
                "timestamp" => "Timestamp",
                "uuid" => "elif::data::Uuid",
                "bytes" => "Vec<u8>",
                other => {
                    return Err(GenerateError::BadField(format!(
                        "`{other}` is not a field type: string, text, int, bigint, float, bool, date, timestamp, uuid, bytes, belongs_to(Model); `?` after it makes it nullable"
                    )));
                }
            };
            (rust, None)
        };
        // The row's owner: the first required `belongs_to(User)`.
        let owner = belongs == Some("User") && !nullable && !fields.iter().any(|f| f.owner);
        fields.push(Field {
            name: name.to_owned(),
            kind: if belongs.is_some() {
                "belongs_to".to_owned()
            } else {
                kind.to_owned()
            },
            nullable,
            rust: if nullable {
                format!("Option<{rust}>")
            } else {
                rust.to_owned()
            },
            belongs_to,
            owner,
        });
    }
    Ok(fields)
}

impl From<std::io::Error> for GenerateError {
    fn from(error: std::io::Error) -> Self {
        Self::Io(error)
    }
}

/// What a generator does: files written and files edited, each with its
/// whole new text.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Plan {
    /// New files.
    pub writes: Vec<(PathBuf, String)>,
    /// Edited files, with their new text and what changes.
    pub edits: Vec<(PathBuf, String, String)>,
    /// The migration to generate from the models once the files are
    /// written (`create_posts`): the app's `migrate generate`, which needs
    /// the app built ([`Plan::migrate_command`]).
    pub migrate: Option<String>,
}

impl Plan {
    /// Writes it.
    pub fn apply(&self) -> std::io::Result<()> {
        for (path, text) in &self.writes {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, text)?;
        }
        for (path, text, _) in &self.edits {
            std::fs::write(path, text)?;
        }
        Ok(())
    }

    /// For people (`--dry-run`).
    pub fn describe(&self) -> String {
        let mut out = String::new();
        for (path, text) in &self.writes {
            out.push_str(&format!(
                "write {} ({} lines)\n",
                path.display(),
                text.lines().count()
            ));
        }
        for (path, _, what) in &self.edits {
            out.push_str(&format!("edit  {}: {what}\n", path.display()));
        }
        if let Some(name) = &self.migrate {
            out.push_str(&format!(
                "then  cargo run -- migrate generate {name} (the table's migration, from the model)\n"
            ));
        }
        out
    }

    /// The command that generates [`Plan::migrate`]'s migration in the app
    /// at `app`: `cargo run --quiet -- migrate generate <name>`.
    pub fn migrate_command(&self, app: &Path) -> Option<std::process::Command> {
        let name = self.migrate.as_ref()?;
        let mut command = crate::delegate::command(
            &crate::delegate::Target::default(),
            "migrate",
            &["generate".into(), name.into()],
        );
        command.current_dir(app);
        Some(command)
    }

    /// For agents (`--json`).
    pub fn to_json(&self) -> String {
        let quote = |s: &str| format!("{:?}", s);
        let writes: Vec<String> = self
            .writes
            .iter()
            .map(|(p, t)| {
                format!(
                    "{{\"path\": {}, \"text\": {}}}",
                    quote(&p.display().to_string()),
                    json_string(t)
                )
            })
            .collect();
        let edits: Vec<String> = self
            .edits
            .iter()
            .map(|(p, _, w)| {
                format!(
                    "{{\"path\": {}, \"change\": {}}}",
                    quote(&p.display().to_string()),
                    json_string(w)
                )
            })
            .collect();
        let then = self
            .migrate
            .as_ref()
            .map(|name| format!("\"cargo run -- migrate generate {name}\""))
            .unwrap_or_default();
        format!(
            "{{\"writes\": [{}], \"edits\": [{}], \"then\": [{then}]}}\n",
            writes.join(", "),
            edits.join(", ")
        )
    }
}

/// `text` as a JSON string.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `OrderItems` → `order_items`.
pub(crate) fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// A type name: `Orders`, `OrderItems`.
fn is_type_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric())
        && syn::parse_str::<syn::Ident>(name).is_ok()
}

/// A migration name: `create_orders`.
fn is_snake_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The text of `path`, as it is.
fn read(path: &Path) -> Result<String, GenerateError> {
    Ok(std::fs::read_to_string(path)?)
}

/// `source` with `pub mod name;` after its last `pub mod` line (or at its
/// top, after the header and inner doc comments).
fn declare_module(source: &str, name: &str) -> String {
    let line = format!("pub mod {name};\n");
    let mut at = None;
    let mut position = 0;
    for text in source.split_inclusive('\n') {
        position += text.len();
        if text.starts_with("pub mod ") || text.starts_with("mod ") {
            at = Some(position);
        }
    }
    let at = at.unwrap_or_else(|| {
        let mut position = 0;
        for text in source.split_inclusive('\n') {
            if !(text.starts_with("//") || text.trim().is_empty()) {
                break;
            }
            position += text.len();
        }
        position
    });
    let mut out = source.to_owned();
    out.insert_str(at, &line);
    out
}

/// `source` after a generator's edit: a generated file that was not edited
/// outside its zones before stays so (its fingerprint follows the edit);
/// one that was keeps its old header (it stays "edited").
fn restamp(before: &str, after: String) -> String {
    match (
        before.starts_with(zones::HEADER),
        zones::edited_outside(before),
    ) {
        (true, Ok(false)) => {
            let body = after.split_once('\n').map_or("", |(_, body)| body);
            zones::stamp(body).unwrap_or(after)
        }
        _ => after,
    }
}

/// The file that declares `module` (a `#[module] struct` of that name)
/// among the app's sources.
fn module_file(app: &Path, module: &str) -> Result<PathBuf, GenerateError> {
    let needle = format!("pub struct {module};");
    for entry in std::fs::read_dir(app.join("src"))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "rs") && read(&path)?.contains(&needle) {
            return Ok(path);
        }
    }
    Err(GenerateError::Edit {
        file: app.join("src"),
        error: EditError::NoModule(module.to_owned()),
    })
}

/// The plan for generating `kind` named `name` in the app at `app`,
/// registered in `module` when given.
pub fn plan(
    app: &Path,
    kind: Kind,
    name: &str,
    module: Option<&str>,
    field_specs: &[String],
    force: bool,
) -> Result<Plan, GenerateError> {
    let lib = app.join("src").join("lib.rs");
    if !lib.is_file() {
        return Err(GenerateError::NotAnApp(app.to_owned()));
    }
    let kind_name = Kind::NAMES[kind as usize];
    let valid = match kind {
        Kind::Migration => is_snake_name(name),
        _ => is_type_name(name),
    };
    if !valid {
        return Err(GenerateError::BadName {
            kind: kind_name,
            name: name.to_owned(),
        });
    }
    if kind == Kind::Resource {
        return plan_resource(app, name, field_specs, force, false);
    }
    if kind != Kind::Model && !field_specs.is_empty() {
        return Err(GenerateError::BadField(format!(
            "a {kind_name} takes no fields"
        )));
    }
    let model_fields = if kind == Kind::Model {
        fields(app, field_specs)?
    } else {
        Vec::new()
    };
    let snake_name = snake(name);
    let mut plan = Plan::default();
    let (file_stem, item, key) = match kind {
        Kind::Module => (snake_name.clone(), format!("{name}Module"), "imports"),
        Kind::Controller => (
            format!("{snake_name}_controller"),
            format!("{name}Controller"),
            "controllers",
        ),
        Kind::Service => (
            format!("{snake_name}_service"),
            format!("{name}Service"),
            "providers",
        ),
        Kind::Guard => (
            format!("{snake_name}_guard"),
            format!("{name}Guard"),
            "providers",
        ),
        Kind::Model => (format!("{snake_name}_model"), String::new(), "providers"),
        Kind::Policy => (
            format!("{snake_name}_policy"),
            format!("{name}Policy"),
            "providers",
        ),
        Kind::Resource => unreachable!("returned above"),
        Kind::Migration => {
            let stamp = migration_version(app);
            let dir = app.join("migrations").join(format!("{stamp}_{name}"));
            if dir.exists() {
                return Err(GenerateError::Exists(dir));
            }
            let note = format!("-- {name}: write the change here (this file runs on {{}}).\n");
            plan.writes
                .push((dir.join("up.sqlite.sql"), note.replace("{}", "SQLite")));
            plan.writes.push((
                dir.join("up.postgres.sql"),
                note.replace("{}", "PostgreSQL"),
            ));
            plan.writes
                .push((dir.join("down.sql"), format!("-- {name}: undo it here.\n")));
            // The schema snapshot names it: generated migrations come after
            // it, and it changes nothing the models describe (when it does,
            // `migrate generate --baseline` records what it made).
            let snapshot = app.join("migrations").join("schema.json");
            if snapshot.is_file() {
                let before = read(&snapshot)?;
                let folder = format!("{stamp}_{name}");
                let after: String = before
                    .split_inclusive('\n')
                    .map(|line| {
                        if line.starts_with("  \"migration\": ") {
                            format!("  \"migration\": \"{folder}\",\n")
                        } else {
                            line.to_owned()
                        }
                    })
                    .collect();
                if after != before {
                    plan.edits.push((
                        snapshot,
                        after,
                        format!("names `{folder}` as the newest migration"),
                    ));
                }
            }
            return Ok(plan);
        }
        Kind::Test => {
            let path = app.join("tests").join(format!("{snake_name}.rs"));
            let krate = crate_name(app)?;
            write_generated(
                &mut plan,
                path,
                &test_file(name, &snake_name, &krate),
                force,
            )?;
            return Ok(plan);
        }
    };
    let path = app.join("src").join(format!("{file_stem}.rs"));
    if path.exists() && force && kind == Kind::Model {
        return Err(GenerateError::Unsupported(
            "regenerating a model changes its table: change the model in its keep zone and write the migration (`elif generate migration`)".to_owned(),
        ));
    }
    let text = match kind {
        Kind::Module => module_source(name),
        Kind::Controller => controller_source(name, &snake_name),
        Kind::Service => service_source(name),
        Kind::Guard => guard_source(name, &snake_name),
        Kind::Model => model_source(name, &snake_name, &model_fields),
        Kind::Policy => {
            let (model, _) = find_model(app, name)?;
            let (user, _) = user_model(app)?;
            resource::standalone_policy(name, &model, &user)
        }
        Kind::Migration | Kind::Test | Kind::Resource => unreachable!("returned above"),
    };
    if kind == Kind::Model {
        plan.migrate = Some(format!("create_{snake_name}s"));
    }
    write_generated(&mut plan, path, &text, force)?;

    // `pub mod <file>;` in src/lib.rs.
    let lib_text = read(&lib)?;
    let declared = lib_text
        .lines()
        .any(|l| l.trim() == format!("pub mod {file_stem};"));
    let mut lib_after = if declared {
        lib_text.clone()
    } else {
        declare_module(&lib_text, &file_stem)
    };
    let mut lib_what = vec![format!("declares `mod {file_stem}`")];

    // Registered in its module.
    let target = match (kind, module) {
        (_, Some(module)) => module.to_owned(),
        (Kind::Module, None) => "AppModule".to_owned(),
        (_, None) => {
            let own = format!("{name}Module");
            if module_file(app, &own).is_ok() {
                own
            } else {
                "AppModule".to_owned()
            }
        }
    };
    let entry = if kind == Kind::Model {
        format!("Repository<crate::{file_stem}::{name}>")
    } else {
        format!("crate::{file_stem}::{item}")
    };
    // A repository needs the database: its module imports `DataModule`.
    let register = |source: &str, file: &Path| -> Result<String, GenerateError> {
        let mut source = source.to_owned();
        if kind == Kind::Model {
            match edit::add_to_module(&source, &target, "imports", "DataModule") {
                Ok(with) => source = with,
                Err(EditError::Present { .. }) => {}
                Err(error) => {
                    return Err(GenerateError::Edit {
                        file: file.to_owned(),
                        error,
                    });
                }
            }
        }
        match edit::add_to_module(&source, &target, key, &entry) {
            Ok(with) => Ok(with),
            // Regenerating: it is registered already.
            Err(EditError::Present { .. }) if force => Ok(source),
            Err(error) => Err(GenerateError::Edit {
                file: file.to_owned(),
                error,
            }),
        }
    };
    let change = format!("adds `{entry}` to `{target}`'s `{key}`");
    let target_file = module_file(app, &target)?;
    if target_file == lib {
        lib_after = register(&lib_after, &lib)?;
        lib_what.push(change);
    } else {
        let before = read(&target_file)?;
        let after = register(&before, &target_file)?;
        plan.edits
            .push((target_file, restamp(&before, after), change));
    }
    plan.edits.insert(
        0,
        (
            lib.clone(),
            restamp(&lib_text, lib_after),
            lib_what.join(", "),
        ),
    );
    Ok(plan)
}

/// The app's `User` model (elif-auth's principal), which policies and
/// resources are written for.
fn user_model(app: &Path) -> Result<(String, String), GenerateError> {
    find_model(app, "User").map_err(|_| {
        GenerateError::Unsupported(
            "policies and resources are written for the app's `User` model (elif-auth), and src/ declares none (an app made with `--no-auth`): generate a model and a controller instead".to_owned(),
        )
    })
}

/// `elif generate resource <Name> [fields] [--private] [--force]`: the
/// model and its migrations, then its module (registered in the root
/// module), service, controller, policy and tests ([`crate::resource`]).
/// With `--force`, an existing resource's files are regenerated through
/// their keep zones; its model and migrations are left as they are.
pub fn plan_resource(
    app: &Path,
    name: &str,
    field_specs: &[String],
    force: bool,
    private: bool,
) -> Result<Plan, GenerateError> {
    let lib = app.join("src").join("lib.rs");
    if !lib.is_file() {
        return Err(GenerateError::NotAnApp(app.to_owned()));
    }
    if !is_type_name(name) || name == "User" {
        return Err(GenerateError::BadName {
            kind: "resource",
            name: name.to_owned(),
        });
    }
    let (user, _) = user_model(app)?;
    let fields = fields(app, field_specs)?;
    let snake_name = snake(name);
    let krate = crate_name(app)?;
    let resource = resource::Resource {
        name,
        snake: &snake_name,
        krate: &krate,
        fields: &fields,
        user: &user,
        private,
    };
    let mut plan = Plan::default();
    let model = app.join("src").join(format!("{snake_name}_model.rs"));
    let mut stems = vec![format!("{snake_name}_model")];
    if !model.exists() {
        plan.migrate = Some(format!("create_{snake_name}s"));
        write_generated(
            &mut plan,
            model,
            &model_source(name, &snake_name, &fields),
            false,
        )?;
    } else if !force {
        return Err(GenerateError::Exists(model));
    } else if field_specs.is_empty() {
        return Err(GenerateError::Unsupported(
            "`--force` regenerates a resource's files from its fields: give them as the first time (`title:string ...`); its model and migrations stay as they are".to_owned(),
        ));
    }
    for (stem, text) in [
        (snake_name.clone(), resource.module()),
        (format!("{snake_name}_service"), resource.service()),
        (format!("{snake_name}_controller"), resource.controller()),
        (format!("{snake_name}_policy"), resource.policy()),
    ] {
        write_generated(
            &mut plan,
            app.join("src").join(format!("{stem}.rs")),
            &text,
            force,
        )?;
        stems.push(stem);
    }
    write_generated(
        &mut plan,
        app.join("tests").join(format!("{snake_name}.rs")),
        &resource.tests(app)?,
        force,
    )?;

    let before = read(&lib)?;
    let mut after = before.clone();
    for stem in &stems {
        if !after
            .lines()
            .any(|l| l.trim() == format!("pub mod {stem};"))
        {
            after = declare_module(&after, stem);
        }
    }
    let entry = format!("crate::{snake_name}::{name}Module");
    after = match edit::add_to_module(&after, "AppModule", "imports", &entry) {
        Ok(with) => with,
        Err(EditError::Present { .. }) if force => after,
        Err(error) => {
            return Err(GenerateError::Edit {
                file: lib.clone(),
                error,
            });
        }
    };
    plan.edits.push((
        lib,
        restamp(&before, after),
        format!(
            "declares `mod {}`, adds `{entry}` to `AppModule`'s `imports`",
            stems.join("`, `mod ")
        ),
    ));
    Ok(plan)
}

/// Writes `fresh` (a template's text) at `path`: stamped when the file is
/// new; when it exists, only if `force`, carrying its keep zones into the
/// new text, and keeping the old text beside it (`<file>.orig`) when it was
/// edited outside its zones.
fn write_generated(
    plan: &mut Plan,
    path: PathBuf,
    fresh: &str,
    force: bool,
) -> Result<(), GenerateError> {
    let zone_error = |error| GenerateError::Zones {
        file: path.clone(),
        error,
    };
    if !path.exists() {
        plan.writes
            .push((path.clone(), zones::stamp(fresh).map_err(zone_error)?));
        return Ok(());
    }
    if !force {
        return Err(GenerateError::Exists(path));
    }
    let old = read(&path)?;
    let regenerated = zones::regenerate(&old, fresh, true).map_err(zone_error)?;
    if regenerated.keep_old {
        let mut kept = path.with_extension("rs.orig");
        let mut n = 1;
        while kept.exists() {
            n += 1;
            kept = path.with_extension(format!("rs.orig.{n}"));
        }
        plan.writes.push((kept, old));
    }
    plan.writes.push((path, regenerated.text));
    Ok(())
}

/// The app's crate name, from its Cargo.toml's package name.
fn crate_name(app: &Path) -> Result<String, GenerateError> {
    let manifest = read(&app.join("Cargo.toml"))?;
    let name = manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("name = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .ok_or_else(|| GenerateError::NotAnApp(app.to_owned()))?;
    Ok(name.replace('-', "_"))
}

/// A new migration's version, `YYYY-MM-DD-HHMMSS` (UTC): now, or a second
/// after the newest folder in `migrations/` in this form when that is not
/// older (two generators in one second, a clock behind), so versions stay
/// unique and in the order they were made: the app's `migrate generate`
/// names its folders the same way.
pub(crate) fn migration_version(app: &Path) -> String {
    const FORMAT: &str = "%Y-%m-%d-%H%M%S";
    let after_newest = std::fs::read_dir(app.join("migrations"))
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let (version, _) = name.split_once('_')?;
            chrono::NaiveDateTime::parse_from_str(version, FORMAT).ok()
        })
        .max()
        .map(|newest| newest.and_utc() + chrono::Duration::seconds(1));
    let now = chrono::Utc::now();
    after_newest
        .map_or(now, |after| after.max(now))
        .format(FORMAT)
        .to_string()
}

fn model_source(name: &str, snake_name: &str, fields: &[Field]) -> String {
    let mut columns = String::new();
    let mut relations = String::new();
    for field in fields {
        match &field.belongs_to {
            Some(_) => {
                let (_, path) = field.related().unwrap_or_default();
                // The owner is set by the server; another parent's key is
                // the client's to give (the database checks it exists).
                let (doc, fillable) = if field.is_owner() {
                    ("the user who made it (the server sets it)".to_owned(), "")
                } else {
                    (
                        format!("its {}", field.name.replace('_', " ")),
                        "    #[fillable]\n",
                    )
                };
                columns.push_str(&format!(
                    "    /// The key of {doc}.\n{fillable}    pub {}_id: {},\n",
                    field.name, field.rust
                ));
                let related = if field.nullable {
                    format!("Option<{path}>")
                } else {
                    path.to_owned()
                };
                relations.push_str(&format!(
                    "    /// Its {} (loaded on demand).\n    #[belongs_to({path})]\n    pub {}: Related<{related}>,\n",
                    field.name, field.name,
                ));
            }
            None => columns.push_str(&format!(
                "    /// Its {}.\n    #[fillable]\n{}    pub {}: {},\n",
                if field.kind == "bool" {
                    format!("`{}` flag", field.name)
                } else {
                    field.name.replace('_', " ")
                },
                field
                    .rule()
                    .map(|rule| format!("    #[validate({rule})]\n"))
                    .unwrap_or_default(),
                field.name,
                field.rust
            )),
        }
    }
    format!(
        "//! The `{snake_name}s` table.

use elif::prelude::*;

/// A row of `{snake_name}s`.
#[model(table = \"{snake_name}s\")]
#[derive(Debug, Clone)]
pub struct {name} {{
    /// Its id.
    #[key]
    pub id: i64,
{columns}    /// When the row was made.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
{relations}    // <<<ELIF:BEGIN agent-editable:fields>>>
    // <<<ELIF:END agent-editable:fields>>>
}}
"
    )
}

fn module_source(name: &str) -> String {
    format!(
        "//! {name}.

use elif::prelude::*;

/// {name}: its providers and controllers.
#[module(imports(DataModule))]
pub struct {name}Module;

// <<<ELIF:BEGIN agent-editable:items>>>
// <<<ELIF:END agent-editable:items>>>
"
    )
}

fn controller_source(name: &str, snake_name: &str) -> String {
    format!(
        "//! `/{snake_name}`.

use elif::prelude::*;

/// `/{snake_name}`: each route says who may call it (`#[public]`, or the
/// controller's guards).
#[injectable]
pub struct {name}Controller;

#[controller(\"/{snake_name}\")]
impl {name}Controller {{
    // <<<ELIF:BEGIN agent-editable:routes>>>
    // <<<ELIF:END agent-editable:routes>>>
}}
"
    )
}

fn service_source(name: &str) -> String {
    format!(
        "//! {name}'s rules.

use elif::prelude::*;

/// {name}'s rules, for controllers to inject (`Inject<{name}Service>`).
#[injectable]
pub struct {name}Service {{
    // <<<ELIF:BEGIN agent-editable:fields>>>
    // <<<ELIF:END agent-editable:fields>>>
}}

impl {name}Service {{
    // <<<ELIF:BEGIN agent-editable:methods>>>
    // <<<ELIF:END agent-editable:methods>>>
}}
"
    )
}

fn guard_source(name: &str, snake_name: &str) -> String {
    let code = format!("{}_REFUSED", snake_name.to_uppercase());
    format!(
        "//! The {name} guard.

use elif::prelude::*;

/// Decides whether a request may reach the routes it guards. It refuses
/// every request until its check is written: a guard fails closed.
#[guard]
pub struct {name}Guard;

impl Guard for {name}Guard {{
    async fn check(&self, cx: &RequestContext<'_>) -> elif::Result<()> {{
        let _ = cx;
        // <<<ELIF:BEGIN agent-editable:check>>>
        Err(Error::new(403, \"{code}\", \"the {name} guard's check is not written yet\"))
        // <<<ELIF:END agent-editable:check>>>
    }}
}}
"
    )
}

fn test_file(name: &str, snake_name: &str, krate: &str) -> String {
    format!(
        "//! {name} through elif's in-process test app.

use elif::testing::{{TestApp, TestDatabase}};

#[elif::test]
async fn {snake_name}_boots_and_answers() {{
    let db = TestDatabase::sqlite(\"{krate}_{snake_name}\");
    let app = TestApp::start({krate}::app().without_env().config(\"database.url\", db.url()))
        .await
        .unwrap();
    assert_eq!(app.get(\"/health\").await.status(), 200);
    // <<<ELIF:BEGIN agent-editable:test>>>
    // <<<ELIF:END agent-editable:test>>>
    app.stop().await;
    db.cleanup().await;
}}
"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new app in a temporary directory.
    fn app(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("elif-generate-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let new = crate::new::NewApp {
            name: "shop".into(),
            elif_path: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."),
            auth: true,
        };
        crate::new::create(&dir, &new).unwrap();
        dir
    }

    #[test]
    fn a_module_and_its_components_are_written_declared_and_registered() {
        let dir = app("components");
        plan(&dir, Kind::Module, "Orders", None, &[], false)
            .unwrap()
            .apply()
            .unwrap();
        plan(&dir, Kind::Controller, "Orders", None, &[], false)
            .unwrap()
            .apply()
            .unwrap();
        plan(&dir, Kind::Service, "Orders", None, &[], false)
            .unwrap()
            .apply()
            .unwrap();
        plan(&dir, Kind::Guard, "Staff", Some("OrdersModule"), &[], false)
            .unwrap()
            .apply()
            .unwrap();
        let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
        for declared in [
            "pub mod orders;",
            "pub mod orders_controller;",
            "pub mod orders_service;",
            "pub mod staff_guard;",
        ] {
            assert!(lib.contains(declared), "{declared}: {lib}");
        }
        assert!(lib.contains("crate::orders::OrdersModule,"), "{lib}");
        assert!(
            !zones::edited_outside(&lib).unwrap(),
            "the generator's own edits keep the file generated"
        );
        let orders = std::fs::read_to_string(dir.join("src/orders.rs")).unwrap();
        assert!(
            orders.contains("#[module(imports(DataModule), controllers(crate::orders_controller::OrdersController), providers(crate::orders_service::OrdersService, crate::staff_guard::StaffGuard))]"),
            "{orders}"
        );
        syn::parse_file(&lib).unwrap();
        syn::parse_file(&orders).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn bad_names_existing_files_and_missing_modules_write_nothing() {
        let dir = app("refusals");
        let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
        for (kind, name) in [
            (Kind::Module, "orders"),
            (Kind::Controller, "Order Items"),
            (Kind::Migration, "CreateOrders"),
            (Kind::Service, "fn"),
        ] {
            assert!(
                matches!(
                    plan(&dir, kind, name, None, &[], false),
                    Err(GenerateError::BadName { .. })
                ),
                "{name}"
            );
        }
        plan(&dir, Kind::Module, "Orders", None, &[], false)
            .unwrap()
            .apply()
            .unwrap();
        assert!(matches!(
            plan(&dir, Kind::Module, "Orders", None, &[], false),
            Err(GenerateError::Exists(_))
        ));
        assert!(matches!(
            plan(
                &dir,
                Kind::Service,
                "Payments",
                Some("BillingModule"),
                &[],
                false
            ),
            Err(GenerateError::Edit {
                error: EditError::NoModule(_),
                ..
            })
        ));
        assert!(!dir.join("src/payments_service.rs").exists());
        assert_ne!(
            std::fs::read_to_string(dir.join("src/lib.rs")).unwrap(),
            lib,
            "only the module was added"
        );
        assert!(matches!(
            plan(&dir.join("src"), Kind::Module, "X", None, &[], false),
            Err(GenerateError::NotAnApp(_))
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_resource_is_its_model_module_service_controller_policy_and_tests() {
        let dir = app("resource");
        let fields: Vec<String> = ["title:string", "body:text", "author:belongs_to(User)"]
            .iter()
            .map(|f| (*f).to_owned())
            .collect();
        let resource = plan_resource(&dir, "Post", &fields, false, false).unwrap();
        let text = |suffix: &str| {
            resource
                .writes
                .iter()
                .find(|(p, _)| p.to_string_lossy().ends_with(suffix))
                .map(|(_, text)| text.clone())
                .unwrap_or_else(|| panic!("{suffix}"))
        };
        for file in [
            "src/post_model.rs",
            "src/post.rs",
            "src/post_service.rs",
            "src/post_controller.rs",
            "src/post_policy.rs",
            "tests/post.rs",
        ] {
            let source = text(file);
            syn::parse_file(&source).unwrap_or_else(|e| panic!("{file}: {e}\n{source}"));
            assert!(source.starts_with(zones::HEADER), "{file}");
        }
        let model = text("src/post_model.rs");
        assert!(
            model.contains("    #[fillable]\n    #[validate(length(min = 1, max = 200))]\n    pub title: String,"),
            "{model}"
        );
        assert!(
            model.contains("(the server sets it).\n    pub author_id: i64,"),
            "the owner's key is not fillable: {model}"
        );
        let controller = text("src/post_controller.rs");
        assert!(controller.contains("#[controller(\"/posts\", guards(Authenticated))]"));
        assert_eq!(
            controller.matches("    #[public]\n").count(),
            2,
            "reads are public"
        );
        assert!(controller.contains("self.gate.authorize(&user, Ability::Delete, &row)?;"));
        assert!(controller.contains("self.rows.create(input.into_inner(), user.id)"));
        assert!(
            text("src/post_policy.rs").contains("row.author_id == user.id"),
            "the owner changes and deletes"
        );
        assert!(
            text("src/post.rs").contains("crate::post_policy::PostPolicy"),
            "the module registers every component"
        );
        let tests = text("tests/post.rs");
        assert!(
            tests.contains(".for_parent(Post::author(), owner)"),
            "{tests}"
        );
        assert!(tests.contains("app.acting_as(&other).await"), "{tests}");
        let (_, lib, what) = &resource.edits[0];
        assert!(lib.contains("    crate::post::PostModule,\n"), "{lib}");
        assert!(lib.contains("pub mod post_policy;"), "{lib}");
        assert!(what.contains("adds `crate::post::PostModule`"), "{what}");
        resource.apply().unwrap();

        // A second, private one, whose rows belong to the first.
        let fields: Vec<String> = ["body:text", "post:belongs_to(Post)"]
            .iter()
            .map(|f| (*f).to_owned())
            .collect();
        let comments = plan_resource(&dir, "Comment", &fields, false, true).unwrap();
        let controller = &comments
            .writes
            .iter()
            .find(|(p, _)| p.ends_with("src/comment_controller.rs"))
            .unwrap()
            .1;
        assert!(!controller.contains("#[public]"), "{controller}");
        let policy = &comments
            .writes
            .iter()
            .find(|(p, _)| p.ends_with("src/comment_policy.rs"))
            .unwrap()
            .1;
        assert!(
            policy.contains("        true\n"),
            "no owner: every signed-in user: {policy}"
        );
        let tests = &comments
            .writes
            .iter()
            .find(|(p, _)| p.ends_with("tests/comment.rs"))
            .unwrap()
            .1;
        assert!(
            tests.contains("let post_row = a_post(app, owner).await;")
                && tests.contains("\"post_id\": post_row.id"),
            "{tests}"
        );
        assert_eq!(
            comments.migrate.as_deref(),
            Some("create_comments"),
            "its migration"
        );

        // Refused, nothing written: it exists; a bad name; a bad field.
        assert!(matches!(
            plan_resource(&dir, "Post", &[], false, false),
            Err(GenerateError::Exists(_))
        ));
        for name in ["post", "User", "Bad Name"] {
            assert!(
                matches!(
                    plan_resource(&dir, name, &[], false, false),
                    Err(GenerateError::BadName { .. })
                ),
                "{name}"
            );
        }
        assert!(matches!(
            plan_resource(
                &dir,
                "Tag",
                &["x:belongs_to(Nothing)".to_owned()],
                false,
                false
            ),
            Err(GenerateError::BadField(_))
        ));

        // Forced: the zones of its files are carried, its model kept.
        let controller = dir.join("src/post_controller.rs");
        let route = "    #[get(\"/count\")]\n    #[public]\n    async fn count(&self) -> &'static str {\n        \"3\"\n    }\n";
        let zoned = std::fs::read_to_string(&controller).unwrap().replace(
            "    // <<<ELIF:BEGIN agent-editable:routes>>>\n",
            &format!("    // <<<ELIF:BEGIN agent-editable:routes>>>\n{route}"),
        );
        std::fs::write(&controller, &zoned).unwrap();
        assert!(matches!(
            plan_resource(&dir, "Post", &[], true, false),
            Err(GenerateError::Unsupported(_))
        ));
        let fields: Vec<String> = ["title:string", "body:text", "author:belongs_to(User)"]
            .iter()
            .map(|f| (*f).to_owned())
            .collect();
        let again = plan_resource(&dir, "Post", &fields, true, false).unwrap();
        assert!(
            again
                .writes
                .iter()
                .all(|(p, _)| !p.ends_with("src/post_model.rs")
                    && !p.to_string_lossy().contains("migrations")),
            "{:?}",
            again.describe()
        );
        assert_eq!(again.migrate, None, "its table is there");
        again.apply().unwrap();
        assert_eq!(std::fs::read_to_string(&controller).unwrap(), zoned);
        let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
        assert_eq!(lib.matches("crate::post::PostModule").count(), 1, "{lib}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_policy_refuses_until_written_and_needs_its_model_and_users() {
        let dir = app("policy");
        let fields = vec!["title:string".to_owned()];
        plan(&dir, Kind::Model, "Post", None, &fields, false)
            .unwrap()
            .apply()
            .unwrap();
        let policy = plan(&dir, Kind::Policy, "Post", None, &[], false).unwrap();
        let text = &policy.writes[0].1;
        assert!(
            text.contains("#[injectable(provides = dyn Policy<User, Post>)]"),
            "{text}"
        );
        assert_eq!(text.matches("        false\n").count(), 3, "{text}");
        assert!(policy.edits[0].1.contains("crate::post_policy::PostPolicy"));
        syn::parse_file(text).unwrap();
        assert!(matches!(
            plan(&dir, Kind::Policy, "Nothing", None, &[], false),
            Err(GenerateError::BadField(_))
        ));
        let plain =
            std::env::temp_dir().join(format!("elif-generate-plain-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&plain);
        crate::new::create(
            &plain,
            &crate::new::NewApp {
                name: "plain".into(),
                elif_path: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."),
                auth: false,
            },
        )
        .unwrap();
        assert!(matches!(
            plan_resource(&plain, "Post", &fields, false, false),
            Err(GenerateError::Unsupported(_))
        ));
        assert!(!plain.join("src/post.rs").exists());
        let _ = std::fs::remove_dir_all(&plain);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_model_has_its_fields_its_migrations_and_its_repository() {
        let dir = app("model");
        plan(&dir, Kind::Module, "Blog", None, &[], false)
            .unwrap()
            .apply()
            .unwrap();
        let fields: Vec<String> = [
            "title:string",
            "body:text",
            "published:bool",
            "rating:int?",
            "writer:belongs_to(User)",
        ]
        .iter()
        .map(|f| (*f).to_owned())
        .collect();
        let model = plan(
            &dir,
            Kind::Model,
            "Post",
            Some("BlogModule"),
            &fields,
            false,
        )
        .unwrap();
        let text = |suffix: &str| {
            &model
                .writes
                .iter()
                .find(|(p, _)| p.to_string_lossy().ends_with(suffix))
                .unwrap()
                .1
        };
        let source = text("src/post_model.rs");
        assert!(
            source.contains("pub title: String,") && source.contains("pub rating: Option<i32>,"),
            "{source}"
        );
        assert!(
            source.contains("pub writer_id: i64,")
                && source.contains("pub writer: Related<crate::users::User>,"),
            "{source}"
        );
        assert_eq!(
            model.migrate.as_deref(),
            Some("create_posts"),
            "the table's migration comes from the model (`migrate generate`)"
        );
        assert!(
            model
                .describe()
                .contains("then  cargo run -- migrate generate create_posts")
        );
        assert!(
            model
                .to_json()
                .ends_with("\"then\": [\"cargo run -- migrate generate create_posts\"]}\n")
        );
        let (_, blog, _) = model
            .edits
            .iter()
            .find(|(p, _, _)| p.ends_with("src/blog.rs"))
            .unwrap();
        assert!(
            blog.contains("providers(Repository<crate::post_model::Post>)"),
            "{blog}"
        );
        syn::parse_file(source).unwrap();
        for bad in [
            vec!["title"],
            vec!["title:money"],
            vec!["id:int"],
            vec!["a:int", "a:text"],
            vec!["type:int"],
            vec!["x:belongs_to(user)"],
        ] {
            let bad: Vec<String> = bad.into_iter().map(str::to_owned).collect();
            assert!(
                matches!(
                    plan(&dir, Kind::Model, "Post", Some("BlogModule"), &bad, false),
                    Err(GenerateError::BadField(_))
                ),
                "{bad:?}"
            );
        }
        assert!(matches!(
            plan(&dir, Kind::Service, "X", None, &fields, false),
            Err(GenerateError::BadField(_))
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn force_regenerates_keeping_zones_and_saves_a_file_edited_outside_them() {
        let dir = app("force");
        plan(&dir, Kind::Module, "Orders", None, &[], false)
            .unwrap()
            .apply()
            .unwrap();
        plan(&dir, Kind::Controller, "Orders", None, &[], false)
            .unwrap()
            .apply()
            .unwrap();
        let path = dir.join("src/orders_controller.rs");
        let generated = std::fs::read_to_string(&path).unwrap();
        let route = "    #[get(\"/\")]\n    #[public]\n    async fn list(&self) -> &'static str {\n        \"orders\"\n    }\n";
        let zoned = generated.replace(
            "    // <<<ELIF:BEGIN agent-editable:routes>>>\n",
            &format!("    // <<<ELIF:BEGIN agent-editable:routes>>>\n{route}"),
        );
        std::fs::write(&path, &zoned).unwrap();
        assert!(matches!(
            plan(&dir, Kind::Controller, "Orders", None, &[], false),
            Err(GenerateError::Exists(_))
        ));

        // Edited inside its zones only: regenerated as it is, nothing saved aside.
        let again = plan(&dir, Kind::Controller, "Orders", None, &[], true).unwrap();
        again.apply().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), zoned);
        assert!(!dir.join("src/orders_controller.rs.orig").exists());
        let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
        assert_eq!(
            lib.matches("pub mod orders_controller;").count(),
            1,
            "declared once"
        );
        let module = std::fs::read_to_string(dir.join("src/orders.rs")).unwrap();
        assert_eq!(
            module.matches("OrdersController").count(),
            1,
            "registered once"
        );

        // Edited outside them too: the new text keeps the zone, the old is kept beside it.
        let outside = zoned.replace(
            "pub struct OrdersController;",
            "pub struct OrdersController; // mine",
        );
        std::fs::write(&path, &outside).unwrap();
        plan(&dir, Kind::Controller, "Orders", None, &[], true)
            .unwrap()
            .apply()
            .unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), zoned);
        assert_eq!(
            std::fs::read_to_string(dir.join("src/orders_controller.rs.orig")).unwrap(),
            outside
        );

        let fields = vec!["title:string".to_owned()];
        plan(
            &dir,
            Kind::Model,
            "Order",
            Some("OrdersModule"),
            &fields,
            false,
        )
        .unwrap()
        .apply()
        .unwrap();
        assert!(matches!(
            plan(
                &dir,
                Kind::Model,
                "Order",
                Some("OrdersModule"),
                &fields,
                true
            ),
            Err(GenerateError::Unsupported(_))
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn migrations_and_tests_and_the_reports() {
        let dir = app("files");
        let migration = plan(&dir, Kind::Migration, "create_orders", None, &[], false).unwrap();
        assert_eq!(migration.writes.len(), 3);
        assert!(
            migration.writes[0]
                .0
                .to_string_lossy()
                .contains("_create_orders/up.sqlite.sql")
        );
        let test = plan(&dir, Kind::Test, "Orders", None, &[], false).unwrap();
        assert!(test.writes[0].1.contains("shop::app()"));
        let controller = plan(&dir, Kind::Controller, "Orders", None, &[], false).unwrap();
        let json = controller.to_json();
        assert!(json.starts_with("{\"writes\": [{\"path\": "), "{json}");
        assert!(
            json.contains(
                "adds `crate::orders_controller::OrdersController` to `AppModule`'s `controllers`"
            ),
            "{json}"
        );
        assert!(controller.describe().contains("write "));
        assert_eq!(migration_version(&dir).len(), 17);
        std::fs::create_dir_all(dir.join("migrations/2999-12-31-235959_later")).unwrap();
        assert_eq!(
            migration_version(&dir),
            "3000-01-01-000000",
            "after the newest, unique"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
