//! `elif new <name>`: a new app, its own Cargo project depending on elif by
//! path, whose `cargo run` serves and whose `cargo test` passes straight
//! away. With identity (elif-auth: a `User` model, sign-up and login, so
//! that generated resources can be guarded) unless `--no-auth`.
//!
//! Files meant to grow by hand carry keep zones ([`crate::zones`]) and the
//! generated header, so that a later generator can regenerate them.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::zones;

/// How to make the app.
#[derive(Debug, Clone)]
pub struct NewApp {
    /// The package name (`blog`, `my-api`).
    pub name: String,
    /// The elif checkout the app depends on (its workspace root).
    pub elif_path: PathBuf,
    /// Whether elif-auth is wired in (users, sign-up, login).
    pub auth: bool,
}

/// Why nothing was made.
#[derive(Debug)]
pub enum NewError {
    /// Not a package name a crate can have.
    BadName(String),
    /// The directory exists and is not empty.
    Exists(PathBuf),
    /// `elif_path` holds no elif checkout.
    NoElif(PathBuf),
    /// Writing failed.
    Io(std::io::Error),
}

impl fmt::Display for NewError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadName(name) => write!(
                f,
                "`{name}` is not a package name: lower-case letters, digits, `-` and `_`, starting with a letter"
            ),
            Self::Exists(dir) => write!(
                f,
                "{} exists and is not empty: nothing written",
                dir.display()
            ),
            Self::NoElif(dir) => write!(
                f,
                "{} holds no elif checkout (no elif/Cargo.toml): pass `--elif-path` to one",
                dir.display()
            ),
            Self::Io(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for NewError {}

impl From<std::io::Error> for NewError {
    fn from(error: std::io::Error) -> Self {
        Self::Io(error)
    }
}

/// Whether `name` can be a package (and, with `-` as `_`, a crate) name.
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && !matches!(name, "elif" | "test" | "self" | "crate" | "super")
}

/// The files of the app, by path relative to its directory.
pub fn files(app: &NewApp) -> Result<Vec<(String, String)>, NewError> {
    if !valid_name(&app.name) {
        return Err(NewError::BadName(app.name.clone()));
    }
    let krate = app.name.replace('-', "_");
    let elif = app.elif_path.display().to_string();
    let fill = |template: &str| {
        template
            .replace("{{name}}", &app.name)
            .replace("{{crate}}", &krate)
            .replace("{{elif}}", &elif)
    };
    let mut files = vec![
        (
            "Cargo.toml".to_owned(),
            fill(if app.auth { CARGO_AUTH } else { CARGO }),
        ),
        ("README.md".to_owned(), fill(README)),
        ("elif.toml".to_owned(), fill(ELIF_TOML)),
        (".env.example".to_owned(), fill(ENV_EXAMPLE)),
        (".gitignore".to_owned(), GITIGNORE.to_owned()),
        ("build.rs".to_owned(), BUILD_RS.to_owned()),
        ("src/main.rs".to_owned(), fill(MAIN_RS)),
        (
            "src/lib.rs".to_owned(),
            zones::stamp(&fill(if app.auth { LIB_AUTH } else { LIB })).map_err(zone_bug)?,
        ),
        (
            "src/notes.rs".to_owned(),
            zones::stamp(&fill(if app.auth { NOTES_AUTH } else { NOTES })).map_err(zone_bug)?,
        ),
        (
            "migrations/0001_notes/up.sqlite.sql".to_owned(),
            NOTES_SQLITE.to_owned(),
        ),
        (
            "migrations/0001_notes/up.postgres.sql".to_owned(),
            NOTES_POSTGRES.to_owned(),
        ),
        (
            "migrations/0001_notes/down.sql".to_owned(),
            "DROP TABLE notes;\n".to_owned(),
        ),
        (
            "tests/app.rs".to_owned(),
            fill(if app.auth { TEST_AUTH } else { TEST }),
        ),
        ("migrations/schema.json".to_owned(), schema(app.auth)),
    ];
    if app.auth {
        files.push((
            "src/users.rs".to_owned(),
            zones::stamp(&fill(USERS)).map_err(zone_bug)?,
        ));
        files.push((
            "migrations/0002_users/up.sqlite.sql".to_owned(),
            USERS_SQLITE.to_owned(),
        ));
        files.push((
            "migrations/0002_users/up.postgres.sql".to_owned(),
            USERS_POSTGRES.to_owned(),
        ));
        files.push((
            "migrations/0002_users/down.sql".to_owned(),
            "DROP TABLE users;\n".to_owned(),
        ));
    }
    Ok(files)
}

/// A template's zones are ours to get right.
fn zone_bug(error: zones::ZoneError) -> NewError {
    NewError::Io(std::io::Error::other(format!(
        "a template of `elif new` is broken: {error}"
    )))
}

/// Writes the app into `dir` (made when absent; it must be empty), and
/// returns the paths written.
pub fn create(dir: &Path, app: &NewApp) -> Result<Vec<PathBuf>, NewError> {
    if !app.elif_path.join("elif").join("Cargo.toml").is_file() {
        return Err(NewError::NoElif(app.elif_path.clone()));
    }
    let files = files(app)?;
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        return Err(NewError::Exists(dir.to_owned()));
    }
    let mut written = Vec::with_capacity(files.len());
    for (path, text) in files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, text)?;
        written.push(path);
    }
    Ok(written)
}

const CARGO: &str = r#"[package]
name = "{{name}}"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
elif = { path = "{{elif}}/elif" }
serde_json = "1"

# Its own workspace, wherever it is put.
[workspace]
"#;

const CARGO_AUTH: &str = r#"[package]
name = "{{name}}"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
elif = { path = "{{elif}}/elif" }
elif-auth = { path = "{{elif}}/elif-auth" }
serde_json = "1"

# Its own workspace, wherever it is put.
[workspace]
"#;

const README: &str = r#"# {{name}}

An [elif](https://elif.rs) app.

```sh
cargo run     # serves on http://127.0.0.1:8080 (SQLite in var/, migrations applied)
cargo test    # its tests, through elif's in-process test app
```

`cargo run -- routes`, `-- map`, `-- check` and `-- openapi` describe it;
`cargo run -- migrate status` shows its migrations, and after a model
changes, `cargo run -- migrate generate <name>` writes the migration from it
(`migrations/schema.json` is what the migrations so far create). Settings are in
`elif.toml`, `.env` (see `.env.example`) and the environment.
"#;

const ELIF_TOML: &str = r#"# {{name}}'s settings; `.env` and the environment override them
# (`APP__SERVER__PORT=9000`, or the usual `PORT`, `HOST`, `DATABASE_URL`).
[app]
name = "{{name}}"
"#;

const ENV_EXAMPLE: &str = r#"# Copy to .env and change what you need.
APP_ENV=development
PORT=8080
# DATABASE_URL=postgres://postgres@127.0.0.1:5432/{{crate}}
# In production the JWT secret is required (32 bytes or more):
# APP__AUTH__JWT__SECRETS=["change me to a long random secret of 32+ bytes"]
"#;

const GITIGNORE: &str = "/target\n/var\n.env\n";

const BUILD_RS: &str = r#"//! Rebuilds the app when a migration folder is added or removed
//! (`elif::migrations!()` embeds the files).

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
"#;

const MAIN_RS: &str = r#"//! `cargo run` serves {{name}}; `cargo run -- --help` lists its commands.

#[elif::main]
async fn main() -> elif::Result<()> {
    {{crate}}::app().run().await
}
"#;

const LIB: &str = r#"//! {{name}}: its modules, migrations and settings.

pub mod notes;

use elif::prelude::*;

/// The app's migrations (`migrations/`), embedded in the binary.
pub const MIGRATIONS: elif::data::Migrations = elif::migrations!();

/// The app as `main` runs it and the tests boot it.
pub fn app() -> App {
    App::new()
        .module(AppModule)
        .migrations(MIGRATIONS)
        // <<<ELIF:BEGIN agent-editable:app>>>
        // <<<ELIF:END agent-editable:app>>>
}

/// The root module: the app is what it reaches.
#[module(imports(
    notes::NotesModule,
    // <<<ELIF:BEGIN agent-editable:modules>>>
    // <<<ELIF:END agent-editable:modules>>>
))]
pub struct AppModule;
"#;

const LIB_AUTH: &str = r#"//! {{name}}: its modules, migrations and settings.

pub mod notes;
pub mod users;

use elif::prelude::*;

/// The app's migrations (`migrations/`), embedded in the binary.
pub const MIGRATIONS: elif::data::Migrations = elif::migrations!();

/// The app as `main` runs it and the tests boot it: users sign in with a
/// JWT (`Authorization: Bearer <token>`).
pub fn app() -> App {
    App::new()
        .module(AppModule)
        .migrations(MIGRATIONS)
        .provide::<dyn elif_auth::Principals>(elif_auth::principals::<users::User>())
        .config("auth.mechanisms", ["jwt"])
        // <<<ELIF:BEGIN agent-editable:app>>>
        // <<<ELIF:END agent-editable:app>>>
}

/// The root module: the app is what it reaches.
#[module(imports(
    users::UsersModule,
    notes::NotesModule,
    // <<<ELIF:BEGIN agent-editable:modules>>>
    // <<<ELIF:END agent-editable:modules>>>
))]
pub struct AppModule;
"#;

const NOTES: &str = r#"//! Notes: a model, its repository and a controller.

use elif::prelude::*;

/// A note.
#[model(table = "notes")]
#[derive(Debug, Clone)]
pub struct Note {
    /// Its id.
    #[key]
    pub id: i64,
    /// What it says.
    #[fillable]
    #[validate(length(min = 1, max = 1000))]
    pub body: String,
    /// When it was written.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    // <<<ELIF:BEGIN agent-editable:note-fields>>>
    // <<<ELIF:END agent-editable:note-fields>>>
}

/// `/notes`
#[injectable]
pub struct NotesController {
    notes: Inject<Repository<Note>>,
}

#[controller("/notes", public)]
impl NotesController {
    /// Every note, newest first.
    #[get("/")]
    async fn list(&self) -> elif::Result<Json<Vec<Note>>> {
        let newest_first = Criteria::new().order_by(notes::id.desc());
        self.notes.list(newest_first).await.map(Json)
    }

    /// Writes a note.
    #[post("/")]
    async fn create(&self, input: Valid<NoteInput>) -> elif::Result<Created<Note>> {
        let note = self.notes.insert(input.into_inner().into_new()).await?;
        Ok(Created::at(format!("/notes/{}", note.id), note))
    }

    // <<<ELIF:BEGIN agent-editable:routes>>>
    // <<<ELIF:END agent-editable:routes>>>
}

/// Notes.
#[module(
    imports(DataModule),
    providers(Repository<Note>),
    controllers(NotesController)
)]
pub struct NotesModule;
"#;

const NOTES_AUTH: &str = r#"//! Notes: a model, its repository and a controller; anyone reads them,
//! signed-in users write them.

use elif::prelude::*;
use elif_auth::Authenticated;

/// A note.
#[model(table = "notes")]
#[derive(Debug, Clone)]
pub struct Note {
    /// Its id.
    #[key]
    pub id: i64,
    /// What it says.
    #[fillable]
    #[validate(length(min = 1, max = 1000))]
    pub body: String,
    /// When it was written.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    // <<<ELIF:BEGIN agent-editable:note-fields>>>
    // <<<ELIF:END agent-editable:note-fields>>>
}

/// `/notes`
#[injectable]
pub struct NotesController {
    notes: Inject<Repository<Note>>,
}

#[controller("/notes", guards(Authenticated))]
impl NotesController {
    /// Every note, newest first.
    #[get("/")]
    #[public]
    async fn list(&self) -> elif::Result<Json<Vec<Note>>> {
        let newest_first = Criteria::new().order_by(notes::id.desc());
        self.notes.list(newest_first).await.map(Json)
    }

    /// Writes a note (signed in).
    #[post("/")]
    async fn create(&self, input: Valid<NoteInput>) -> elif::Result<Created<Note>> {
        let note = self.notes.insert(input.into_inner().into_new()).await?;
        Ok(Created::at(format!("/notes/{}", note.id), note))
    }

    // <<<ELIF:BEGIN agent-editable:routes>>>
    // <<<ELIF:END agent-editable:routes>>>
}

/// Notes.
#[module(
    imports(DataModule, elif_auth::AuthModule),
    providers(Repository<Note>),
    controllers(NotesController)
)]
pub struct NotesModule;
"#;

const USERS: &str = r#"//! Users: sign-up, login (a JWT) and the current user.

use elif::prelude::*;
use elif_auth::{Authenticatable, Authenticated, Check, CurrentUser, Jwt, NoClaims, Passwords};

/// Someone who signs in.
#[model(table = "users")]
#[derive(Debug, Clone)]
pub struct User {
    /// Its id.
    #[key]
    pub id: i64,
    /// The sign-in email, unique; private.
    #[unique]
    #[hidden]
    pub email: String,
    /// The password's argon2id hash; never serialised.
    #[hidden]
    pub password_hash: elif_auth::PasswordHash,
    /// When the row was made.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

impl Authenticatable for User {}

/// `POST /users` and `POST /login`.
#[derive(Debug, Deserialize, Validate, Schema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    /// The sign-in email.
    #[validate(email)]
    pub email: String,
    /// 8 to 128 characters.
    #[validate(length(min = 8, max = 128))]
    pub password: String,
}

/// A login's answer.
#[derive(Debug, Serialize, Schema)]
pub struct Token {
    /// For `Authorization: Bearer <token>`.
    pub token: String,
}

/// The login was refused.
#[derive(Debug, Clone, Copy, DomainError)]
pub enum LoginError {
    /// No such account, or not its password.
    #[problem(status = 401, code = "CREDENTIALS_INVALID", message = "the email or the password is not right")]
    Invalid,
}

/// Sign-up, login and the current user.
#[injectable]
pub struct UsersController {
    users: Inject<Repository<User>>,
    passwords: Inject<Passwords>,
    jwt: Inject<Jwt>,
}

#[controller("/", guards(Authenticated))]
impl UsersController {
    /// Creates an account (409 when the email is taken).
    #[post("/users")]
    #[public]
    #[openapi(responses(409))]
    async fn sign_up(&self, input: Valid<Credentials>) -> elif::Result<Created<User>> {
        let input = input.into_inner();
        let password_hash = self.passwords.hash(&input.password).await?;
        let user = self.users.insert(NewUser { email: input.email, password_hash }).await?;
        Ok(Created::at("/me", user))
    }

    /// Logs in: a token.
    #[post("/login")]
    #[public]
    #[openapi(errors(LoginError))]
    async fn login(
        &self,
        request: elif::http::HttpRequest,
        input: Valid<Credentials>,
    ) -> elif::Result<Json<Token>> {
        let input = input.into_inner();
        let user = self
            .users
            .first(Criteria::new().filter(users::email.eq(input.email.clone())))
            .await?;
        let stored = user.as_ref().map(|u| &u.password_hash);
        let check = self
            .passwords
            .check(&request, &input.email, &input.password, stored)
            .await?;
        match (user, check) {
            (Some(user), Check::Valid { .. }) => {
                let token = self.jwt.issue(&user.subject(), NoClaims {})?;
                Ok(Json(Token { token }))
            }
            _ => Err(LoginError::Invalid.into()),
        }
    }

    /// The signed-in user.
    #[get("/me")]
    async fn me(&self, user: CurrentUser<User>) -> Json<User> {
        Json((*user).clone())
    }

    // <<<ELIF:BEGIN agent-editable:routes>>>
    // <<<ELIF:END agent-editable:routes>>>
}

/// Users, and elif-auth for the modules that guard routes.
#[module(
    imports(DataModule, elif_auth::AuthModule),
    providers(Repository<User>),
    controllers(UsersController),
    exports(elif_auth::AuthModule)
)]
pub struct UsersModule;
"#;

const NOTES_SQLITE: &str = "CREATE TABLE notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
";

const NOTES_POSTGRES: &str = "CREATE TABLE notes (
    id BIGSERIAL PRIMARY KEY,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
";

const USERS_SQLITE: &str = "CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
";

const USERS_POSTGRES: &str = "CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
";

/// The schema snapshot (`migrate generate` compares the models with it):
/// what the migrations above create, in the form the app writes it.
fn schema(auth: bool) -> String {
    const NOTES: &str = r#"    {
      "name": "notes",
      "model": "Note",
      "columns": [
        {"name":"id","type":"bigint","key":true,"generated":true},
        {"name":"body","type":"text"},
        {"name":"created_at","type":"timestamp"},
        {"name":"updated_at","type":"timestamp"}
      ]
    }"#;
    const USERS: &str = r#"    {
      "name": "users",
      "model": "User",
      "columns": [
        {"name":"id","type":"bigint","key":true,"generated":true},
        {"name":"email","type":"text","unique":true},
        {"name":"password_hash","type":"text"},
        {"name":"created_at","type":"timestamp"},
        {"name":"updated_at","type":"timestamp"}
      ]
    }"#;
    let (migration, tables) = if auth {
        ("0002_users", format!("{NOTES},\n{USERS}"))
    } else {
        ("0001_notes", NOTES.to_owned())
    };
    format!(
        "{{\n  \"format\": \"elif.schema/1\",\n  \"migration\": \"{migration}\",\n  \"tables\": [\n{tables}\n  ]\n}}\n"
    )
}

const TEST: &str = r#"//! {{name}} through elif's in-process test app.

use elif::testing::{TestApp, TestDatabase};
use serde_json::{Value, json};

#[elif::test]
async fn notes_are_written_and_listed() {
    let db = TestDatabase::sqlite("{{crate}}_notes");
    let app = TestApp::start({{crate}}::app().without_env().config("database.url", db.url()))
        .await
        .unwrap();
    let created = app.post_json("/notes", &json!({ "body": "hello" })).await;
    assert_eq!(created.status(), 201, "{}", created.text());
    let blank = app.post_json("/notes", &json!({ "body": "" })).await;
    assert_eq!(blank.status(), 422, "{}", blank.text());
    let notes: Value = app.get("/notes").await.json();
    assert_eq!(notes[0]["body"], "hello");
    assert_eq!(app.get("/health").await.status(), 200);
    app.stop().await;
    db.cleanup().await;
}
"#;

const TEST_AUTH: &str = r#"//! {{name}} through elif's in-process test app.

use elif::http::Method;
use elif::testing::{TestApp, TestDatabase};
use serde_json::{Value, json};

#[elif::test]
async fn users_sign_up_log_in_and_write_notes() {
    let db = TestDatabase::sqlite("{{crate}}_users");
    let app = TestApp::start({{crate}}::app().without_env().config("database.url", db.url()))
        .await
        .unwrap();
    let account = json!({ "email": "ada@example.com", "password": "correct horse" });
    let signed_up = app.post_json("/users", &account).await;
    assert_eq!(signed_up.status(), 201, "{}", signed_up.text());
    assert_eq!(app.post_json("/users", &account).await.status(), 409);
    let login = app.post_json("/login", &account).await;
    assert_eq!(login.status(), 200, "{}", login.text());
    let token = login.json::<Value>()["token"].as_str().unwrap().to_owned();
    let wrong = app
        .post_json("/login", &json!({ "email": "ada@example.com", "password": "not hers!" }))
        .await;
    assert_eq!(wrong.status(), 401);

    let anonymous = app.post_json("/notes", &json!({ "body": "hello" })).await;
    assert_eq!(anonymous.status(), 401, "{}", anonymous.text());
    let signed_in = app
        .request(Method::POST, "/notes")
        .insert_header(("authorization", format!("Bearer {token}")));
    let created = app.send_json(signed_in, &json!({ "body": "hello" })).await;
    assert_eq!(created.status(), 201, "{}", created.text());
    let notes: Value = app.get("/notes").await.json();
    assert_eq!(notes[0]["body"], "hello");
    assert_eq!(app.get("/health").await.status(), 200);
    app.stop().await;
    db.cleanup().await;
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn app(name: &str) -> NewApp {
        NewApp {
            name: name.to_owned(),
            elif_path: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."),
            auth: true,
        }
    }

    #[test]
    fn names_that_cannot_be_packages_are_refused_and_nothing_is_written() {
        for bad in ["", "Blog", "1blog", "my app", "elif", "blog!"] {
            assert!(
                matches!(files(&app(bad)), Err(NewError::BadName(_))),
                "{bad:?}"
            );
        }
        let dir = std::env::temp_dir().join(format!("elif-new-bad-{}", std::process::id()));
        assert!(create(&dir, &app("Bad Name")).is_err());
        assert!(!dir.exists(), "nothing written");
    }

    #[test]
    fn an_app_has_its_two_commands_its_zones_and_its_packages() {
        let files = files(&app("my-api")).unwrap();
        let get = |path: &str| {
            &files
                .iter()
                .find(|(p, _)| p == path)
                .unwrap_or_else(|| panic!("{path}"))
                .1
        };
        assert!(
            get("README.md").contains("cargo run ") && get("README.md").contains("cargo test ")
        );
        assert!(get("src/main.rs").contains("my_api::app()"));
        assert!(get("Cargo.toml").contains("elif-auth"));
        for generated in ["src/lib.rs", "src/notes.rs", "src/users.rs"] {
            assert!(get(generated).starts_with(zones::HEADER), "{generated}");
            assert!(
                !zones::edited_outside(get(generated)).unwrap(),
                "{generated}"
            );
        }
        let plain = super::files(&NewApp {
            auth: false,
            ..app("plain")
        })
        .unwrap();
        assert!(
            plain
                .iter()
                .all(|(path, text)| !path.contains("users") && !text.contains("elif_auth"))
        );
    }
}
