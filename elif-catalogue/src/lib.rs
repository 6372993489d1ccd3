//! The catalogue of every diagnostic elif can produce.
//!
//! Each entry has a stable code of the form `ELnnnn` (distinct from rustc's
//! `E0xxx`): compile-time errors of the macros are `EL0xxx`, boot-time errors
//! of the dependency graph and modules `EL1xxx`, configuration `EL2xxx`,
//! problems answered to HTTP requests `EL3xxx` (their problem+json `type`),
//! the database's state at boot and in `check` `EL4xxx`. `EL5000`–`EL9999`
//! belong to packages: each reserves a block ([`Catalogue`]) for its own
//! boot diagnostics.
//! The macros (through `elif-codegen`), the boot report and the CLI all take
//! their codes, titles and hints from here, so there is one place to read and
//! one place to change.

/// When a diagnostic can be raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// While the user's crate compiles (a macro or a trait bound rejects it).
    Compile,
    /// While the app boots, before a port is bound (also `check`).
    Boot,
    /// While serving a request: the `code` of a problem+json response.
    Request,
}

/// One entry of the catalogue.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// Stable code, e.g. `EL1001`.
    pub code: &'static str,
    /// When the diagnostic is raised.
    pub phase: Phase,
    /// What a request-time diagnostic answers (every [`Phase::Request`]
    /// entry has one, and no other entry does).
    pub answer: Option<Answer>,
    /// One-line title, lower case, no final stop.
    pub title: &'static str,
    /// What it means and why it happens.
    pub explanation: &'static str,
    /// How to fix it, in one or two sentences.
    pub hint: &'static str,
    /// A minimal example that triggers it.
    pub wrong: &'static str,
    /// The same example, fixed.
    pub right: &'static str,
}

/// The HTTP status and problem+json `code` a request-time diagnostic
/// answers with. Call sites name the entry; the status and code come from
/// here, so the catalogue and the responses cannot disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status (400–599).
    pub status: u16,
    /// The stable SCREAMING_SNAKE `code` member. `EL3009`'s is a suffix:
    /// the model's name goes before it (`POST_NOT_FOUND`).
    pub code: &'static str,
}

/// Where the catalogue is published; an entry's page is this followed by
/// its code (the `type` of framework problems, the link `explain` prints).
pub const URL: &str = "https://elif.rs/errors/";

impl Entry {
    /// The entry's page: [`URL`] followed by its code.
    pub fn url(&self) -> String {
        format!("{URL}{}", self.code)
    }
}

impl Entry {
    /// The fields an entry may leave out (only request-time entries
    /// answer): the base of a package's entries, `Entry { code: "EL5001",
    /// .., ..Entry::BLANK }`.
    pub const BLANK: Entry = UNANSWERED;
}

/// The codes packages reserve their blocks in.
pub const PACKAGE_CODES: std::ops::RangeInclusive<u16> = 5000..=9999;

/// A package's own diagnostics: the block of codes it reserved (listed in
/// docs/packages.md, so that two packages never share one) and its
/// entries, boot-time ones (a package's request-time problems keep their
/// `DomainError` codes).
#[derive(Debug)]
pub struct Catalogue {
    /// The package (`elif-auth`).
    pub package: &'static str,
    /// The first code of its block (`5000` for `EL5000`).
    pub first: u16,
    /// The last code of its block.
    pub last: u16,
    /// Where its entries are documented (what `explain` points to).
    pub docs: &'static str,
    /// Its entries, in code order.
    pub entries: &'static [Entry],
}

impl Catalogue {
    /// The entry for `code`, case-insensitively.
    pub fn find(&self, code: &str) -> Option<&'static Entry> {
        self.entries
            .iter()
            .find(|e| e.code.eq_ignore_ascii_case(code))
    }

    /// Whether its block and `other`'s share a code.
    pub fn overlaps(&self, other: &Catalogue) -> bool {
        self.first <= other.last && other.first <= self.last
    }

    /// What is wrong with it: a block outside [`PACKAGE_CODES`], an entry
    /// outside its block, malformed, repeated or not a boot-time one.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.first > self.last
            || !PACKAGE_CODES.contains(&self.first)
            || !PACKAGE_CODES.contains(&self.last)
        {
            out.push(format!(
                "`{}` reserves EL{}–EL{}, outside the packages' codes EL{}–EL{}",
                self.package,
                self.first,
                self.last,
                PACKAGE_CODES.start(),
                PACKAGE_CODES.end()
            ));
        }
        for (i, entry) in self.entries.iter().enumerate() {
            let number = entry
                .code
                .strip_prefix("EL")
                .filter(|n| n.len() == 4)
                .and_then(|n| n.parse::<u16>().ok());
            match number {
                Some(n) if (self.first..=self.last).contains(&n) => {}
                _ => out.push(format!(
                    "`{}`'s code `{}` is not in its block EL{}–EL{}",
                    self.package, entry.code, self.first, self.last
                )),
            }
            if self.entries[..i].iter().any(|e| e.code == entry.code) {
                out.push(format!("`{}` defines `{}` twice", self.package, entry.code));
            }
            if entry.phase != Phase::Boot || entry.answer.is_some() {
                out.push(format!(
                    "`{}`'s `{}` is not a boot-time entry",
                    self.package, entry.code
                ));
            }
        }
        out
    }
}

/// An entry as text: title, when it is raised, what it means, how to fix
/// it, a wrong and a right example, and where to read `more` (what
/// `explain` prints).
pub fn explain(entry: &Entry, more: &str) -> String {
    let phase = match entry.phase {
        Phase::Compile => "a compile error of elif's macros",
        Phase::Boot => "a boot error, reported before any port is bound (also by `check`)",
        Phase::Request => "a problem answered to an HTTP request (problem+json `type`)",
    };
    let indent = |text: &str| {
        text.lines()
            .map(|l| format!("    {l}\n"))
            .collect::<String>()
    };
    format!(
        "{code}: {title}\n\nThis is {phase}.\n\n{explanation}\n\nHow to fix it: {hint}\n\nWrong:\n\n{wrong}\nRight:\n\n{right}\nMore: {url}\n",
        code = entry.code,
        title = entry.title,
        explanation = entry.explanation,
        hint = entry.hint,
        wrong = indent(entry.wrong),
        right = indent(entry.right),
        url = more,
    )
}

/// The fields an entry may leave out: only request-time entries answer.
const UNANSWERED: Entry = Entry {
    code: "",
    phase: Phase::Compile,
    answer: None,
    title: "",
    explanation: "",
    hint: "",
    wrong: "",
    right: "",
};

macro_rules! catalogue {
    ($( $(#[$doc:meta])* $name:ident = { $($field:ident : $value:expr),* $(,)? } )*) => {
        $(
            $(#[$doc])*
            // Request-time entries give every field; the others take `answer` from the base.
            #[allow(clippy::needless_update)]
            pub const $name: Entry = Entry { code: stringify!($name), $($field: $value,)* ..UNANSWERED };
        )*
        /// Every entry, in code order.
        pub const ALL: &[Entry] = &[$($name),*];
    };
}

catalogue! {
    /// `#[injectable]` on something that is not a struct with named fields.
    EL0001 = {
        phase: Phase::Compile,
        title: "`#[injectable]` applies to structs only",
        explanation: "`#[injectable]` builds a value from its fields, each field being a dependency. \
            Enums, unions, functions and tuple structs have no named fields to inject.",
        hint: "put `#[injectable]` on a struct with named fields (or a unit struct); \
            to provide a value built by a function, use `#[factory]` on an async fn",
        wrong: "#[injectable]\nenum Mailer { Smtp, Log }",
        right: "#[injectable]\nstruct Mailer { config: Config<MailConfig> }",
    }
    /// An attribute key elif does not know.
    EL0002 = {
        phase: Phase::Compile,
        title: "unknown or malformed attribute argument",
        explanation: "Every elif attribute accepts a fixed set of keys. A misspelt key, a key given twice \
            or a value of the wrong shape is rejected rather than ignored.",
        hint: "use one of the keys listed in the error; the message suggests the closest one",
        wrong: "#[injectable(scpoe = \"request\")]\nstruct Cart {}",
        right: "#[injectable(scope = \"request\")]\nstruct Cart {}",
    }
    /// A field whose type the container cannot provide.
    EL0003 = {
        phase: Phase::Compile,
        title: "field type cannot be injected",
        explanation: "Every field of an `#[injectable]` struct is filled by the container, so its type must be \
            a dependency: `Inject<T>` or `Arc<T>` for a service, `Inject<dyn Trait>` for a trait binding, \
            `Config<T>` for a config section. Plain values such as `String` or `u32` have no provider.",
        hint: "wrap the type in `Inject<...>`, read it from a config section with `Config<...>`, \
            or mark the field `#[inject(default)]` to build it with `Default::default()`",
        wrong: "#[injectable]\nstruct Greeter { greeting: String }",
        right: "#[injectable]\nstruct Greeter { config: Config<GreeterConfig>, #[inject(default)] greeted: AtomicU64 }",
    }
    /// Generic parameters on an injectable.
    EL0004 = {
        phase: Phase::Compile,
        title: "injectables cannot be generic",
        explanation: "The container keys providers by their concrete type, and a module lists them by name. \
            A generic struct is a family of types, so there is no single provider to register.",
        hint: "make a concrete struct (or a type alias of one instance) and put `#[injectable]` on that",
        wrong: "#[injectable]\nstruct Cache<T> { store: Inject<Store> }",
        right: "#[injectable]\nstruct UserCache { store: Inject<Store> }",
    }
    /// A lifecycle hook on a provider that is not a singleton.
    EL0005 = {
        phase: Phase::Compile,
        title: "lifecycle hooks need a singleton",
        explanation: "`on_init` runs once after the graph is built and `on_shutdown` once while the app stops. \
            Request-scoped and transient providers have many instances and no such moments.",
        hint: "drop the hook, or make the provider a singleton (the default scope)",
        wrong: "#[injectable(scope = \"request\", on_init)]\nstruct Cart {}",
        right: "#[injectable(on_init)]\nstruct Catalogue {}",
    }
    /// A value of the wrong kind for an attribute key.
    EL0006 = {
        phase: Phase::Compile,
        title: "invalid attribute value",
        explanation: "The key is right but its value is not one elif accepts, such as an unknown scope.",
        hint: "use one of the values listed in the error",
        wrong: "#[injectable(scope = \"session\")]\nstruct Cart {}",
        right: "#[injectable(scope = \"request\")]\nstruct Cart {}",
    }
    /// A type in `providers(...)` that is not a provider.
    EL0007 = {
        phase: Phase::Compile,
        title: "not a provider",
        explanation: "`#[module(providers(...))]` lists types the container can build: structs marked \
            `#[injectable]` and functions marked `#[factory]`.",
        hint: "annotate the type with `#[injectable]` (or the function with `#[factory]`)",
        wrong: "struct Mailer;\n#[module(providers(Mailer))]\nstruct AppModule;",
        right: "#[injectable]\nstruct Mailer;\n#[module(providers(Mailer))]\nstruct AppModule;",
    }
    /// `#[elif::main]` on something other than `async fn main`.
    EL0008 = {
        phase: Phase::Compile,
        title: "`#[elif::main]` needs `async fn main`",
        explanation: "`#[elif::main]` starts the runtime and logging, then runs the body of the async main \
            function. It cannot wrap a function with another name, arguments or a non-async body.",
        hint: "write `#[elif::main] async fn main() -> elif::Result<()> { ... }`",
        wrong: "#[elif::main]\nfn main() {}",
        right: "#[elif::main]\nasync fn main() -> elif::Result<()> {\n    App::new().module(AppModule).run().await\n}",
    }
    /// `#[derive(Config)]` on something that is not a struct with named fields.
    EL0009 = {
        phase: Phase::Compile,
        title: "`#[derive(Config)]` needs a struct with named fields",
        explanation: "A config section maps keys (`[mail] host = ...`, `APP__MAIL__HOST`) to named fields. \
            Enums and tuple structs have no key names.",
        hint: "derive `Config` on a struct with named fields and give it a section: `#[config(section = \"mail\")]`",
        wrong: "#[derive(Config)]\nstruct Port(u16);",
        right: "#[derive(Config)]\n#[config(section = \"server\")]\nstruct ServerConfig { port: u16 }",
    }
    /// `#[factory]` on something other than an async fn returning a value.
    EL0010 = {
        phase: Phase::Compile,
        title: "`#[factory]` needs an async fn that returns the value",
        explanation: "A factory builds one provided value from its arguments, which are dependencies like the \
            fields of an `#[injectable]`. It must be a free `async fn` with a return type, either `T` or \
            `elif::Result<T>`.",
        hint: "write `#[factory] async fn name(dep: Inject<Dep>) -> elif::Result<Value>`",
        wrong: "#[factory]\nfn pool() {}",
        right: "#[factory]\nasync fn pool(config: Config<DbConfig>) -> elif::Result<Pool> { Pool::connect(&config.url).await }",
    }
    /// A lifecycle hook key without the matching trait impl.
    EL0011 = {
        phase: Phase::Compile,
        title: "lifecycle hook without its trait",
        explanation: "`#[injectable(on_init)]` calls `OnInit::on_init` once the app is built, and `on_shutdown` \
            calls `OnShutdown::on_shutdown` while it stops. The key asks for the call; the impl provides it.",
        hint: "implement `OnInit` (or `OnShutdown`) for the type, or drop the key",
        wrong: "#[injectable(on_init)]\nstruct Cache {}",
        right: "#[injectable(on_init)]\nstruct Cache {}\nimpl OnInit for Cache {\n    async fn on_init(&self) -> elif::Result<()> { Ok(()) }\n}",
    }
    /// A type in `imports(...)` that is not a module.
    EL0012 = {
        phase: Phase::Compile,
        title: "not a module",
        explanation: "`imports(...)` lists modules (types marked `#[module]`); their exports become visible to the importer.",
        hint: "annotate the type with `#[module(...)]`, or move it to `providers(...)` if it is a service",
        wrong: "#[injectable] struct Mailer;\n#[module(imports(Mailer))]\nstruct AppModule;",
        right: "#[injectable] struct Mailer;\n#[module(providers(Mailer))]\nstruct AppModule;",
    }
    /// A type in `controllers(...)` that is not a controller.
    EL0013 = {
        phase: Phase::Compile,
        title: "not a controller",
        explanation: "`controllers(...)` lists types that serve routes: an `#[injectable]` struct that implements \
            `Controller` (which `#[controller]` on its impl block generates).",
        hint: "implement `Controller` for the type (or annotate its impl block with `#[controller]`), \
            or move it to `providers(...)` if it serves no routes",
        wrong: "#[injectable] struct Posts;\n#[module(controllers(Posts))]\nstruct AppModule;",
        right: "#[injectable] struct Posts;\nimpl Controller for Posts { fn routes(self: Arc<Self>, routes: &mut Routes) { /* ... */ } }\n#[module(controllers(Posts))]\nstruct AppModule;",
    }
    /// A config default of the wrong type.
    EL0014 = {
        phase: Phase::Compile,
        title: "invalid config default",
        explanation: "`#[config(default = ...)]` must be a value of the field's type; string literals are also \
            accepted for `String`, `PathBuf` and `Secret<String>` fields.",
        hint: "write the default as a value of the field's type, e.g. `default = 25` for a `u16`",
        wrong: "#[config(default = \"25\")]\nport: u16,",
        right: "#[config(default = 25)]\nport: u16,",
    }
    /// A domain error without a complete `#[problem]` mapping.
    EL0015 = {
        phase: Phase::Compile,
        title: "incomplete domain error",
        explanation: "`#[derive(DomainError)]` turns each variant into a problem response, so each needs an HTTP \
            error status (400–599), a stable SCREAMING_SNAKE code and a message (which may use the variant's \
            fields: `{0}`, `{name}`).",
        hint: "add `#[problem(status = .., code = \"..\", message = \"..\")]` to the variant",
        wrong: "#[derive(DomainError)]\nenum PostError { NotFound(u64) }",
        right: "#[derive(DomainError)]\nenum PostError {\n    #[problem(status = 404, code = \"POST_NOT_FOUND\", message = \"post {0} does not exist\")]\n    NotFound(u64),\n}",
    }
    /// A route template that does not parse.
    EL0020 = {
        phase: Phase::Compile,
        title: "malformed route template",
        explanation: "A route template starts with `/`, separates segments with `/`, and names parameters \
            `{name}` after the handler argument they fill. Unbalanced braces, empty or invalid names, doubled \
            slashes and characters a URL cannot hold are rejected when the controller compiles.",
        hint: "fix the template at the character the error points to",
        wrong: "#[get(\"/posts/{id\")]",
        right: "#[get(\"/posts/{id}\")]",
    }
    /// A template parameter with no handler argument of that name.
    EL0021 = {
        phase: Phase::Compile,
        title: "route parameter without an argument",
        explanation: "Each `{name}` in a route template is bound to the handler argument called `name`. \
            A parameter no argument takes would be matched and then ignored, which is almost always a typo.",
        hint: "add an argument with the parameter's name (`id: u64`), or rename the parameter",
        wrong: "#[get(\"/posts/{id}\")]\nasync fn show(&self, post_id: u64) -> Result<Json<Post>>",
        right: "#[get(\"/posts/{id}\")]\nasync fn show(&self, id: u64) -> Result<Json<Post>>",
    }
    /// A path parameter whose type cannot be parsed from a segment.
    EL0022 = {
        phase: Phase::Compile,
        title: "path parameter type cannot be parsed",
        explanation: "A path parameter is read from one URL segment, so its type must implement \
            `FromPathSegment` (integers, floats, `bool`, `char`, `String`, and any `FromStr` type you opt in).",
        hint: "use a type that parses from text (`u64`, `String`, `Uuid`...), or take the value from the body or query",
        wrong: "#[get(\"/posts/{ids}\")]\nasync fn show(&self, ids: Vec<u64>)",
        right: "#[get(\"/posts/{id}\")]\nasync fn show(&self, id: u64)",
    }
    /// Two routes of one controller on the same method and path.
    EL0023 = {
        phase: Phase::Compile,
        title: "duplicate route",
        explanation: "Two handlers of one controller answer the same method on the same path. Parameter names \
            do not make paths different: `/{id}` and `/{post_id}` match the same requests.",
        hint: "change the method or the path of one of them, or merge them",
        wrong: "#[get(\"/{id}\")] async fn show(&self, id: u64)\n#[get(\"/{post_id}\")] async fn view(&self, post_id: u64)",
        right: "#[get(\"/{id}\")] async fn show(&self, id: u64)\n#[get(\"/{id}/view\")] async fn view(&self, id: u64)",
    }
    /// A route attribute outside a `#[controller]` impl.
    EL0024 = {
        phase: Phase::Compile,
        title: "route attribute outside a controller",
        explanation: "`#[get]`, `#[post]` and the other route attributes are read by `#[controller]` on the \
            enclosing `impl` block. On their own they would register nothing.",
        hint: "put the method in an `impl` block marked `#[controller(\"/prefix\")]`",
        wrong: "impl Posts {\n    #[get(\"/\")] async fn list(&self) -> Json<Vec<Post>>\n}",
        right: "#[controller(\"/posts\")]\nimpl Posts {\n    #[get(\"/\")] async fn list(&self) -> Json<Vec<Post>>\n}",
    }
    /// A handler that is not `async fn ...(&self, ...)`.
    EL0025 = {
        phase: Phase::Compile,
        title: "handler must be `async fn` taking `&self`",
        explanation: "A handler runs on the server's event loop and reaches its services through the controller, \
            so it is an `async fn` whose first parameter is `&self`.",
        hint: "write `async fn name(&self, ...)`",
        wrong: "#[get(\"/\")]\nfn list() -> Json<Vec<Post>>",
        right: "#[get(\"/\")]\nasync fn list(&self) -> Json<Vec<Post>>",
    }
    /// A handler argument that is neither a path parameter nor an extractor.
    EL0026 = {
        phase: Phase::Compile,
        title: "argument cannot be extracted",
        explanation: "A handler argument is either a path parameter (its name appears as `{name}` in the template) \
            or an extractor: `Json<T>`, `Query<T>`, `Valid<T>`, `Scoped<T>`, `Extension<T>`, `HttpRequest`, \
            or any actix-web `FromRequest` type.",
        hint: "if it is a path parameter, add `{name}` to the route template; otherwise wrap it in an extractor",
        wrong: "#[get(\"/posts\")]\nasync fn show(&self, id: u64)",
        right: "#[get(\"/posts/{id}\")]\nasync fn show(&self, id: u64)",
    }
    /// A type in `guards(...)` that is not a guard.
    EL0027 = {
        phase: Phase::Compile,
        title: "not a guard",
        explanation: "`guards(...)` lists types marked `#[guard]` that implement `Guard`; each one runs before \
            the handler and may reject the request.",
        hint: "mark the type `#[guard]` and implement `Guard` for it",
        wrong: "struct Admin;\n#[controller(\"/admin\", guards(Admin))]",
        right: "#[guard]\nstruct Admin;\nimpl Guard for Admin { async fn check(&self, cx: &RequestContext) -> elif::Result<()> { Ok(()) } }",
    }
    /// A type in `interceptors(...)` that is not an interceptor.
    EL0028 = {
        phase: Phase::Compile,
        title: "not an interceptor",
        explanation: "`interceptors(...)` lists `#[injectable]` types that implement `Interceptor`; each one wraps \
            the handler and may change its response or answer without it.",
        hint: "implement `Interceptor` for the type (and mark it `#[injectable]`)",
        wrong: "#[injectable] struct Timing;\n#[controller(\"/posts\", interceptors(Timing))]",
        right: "#[injectable] struct Timing;\nimpl Interceptor for Timing { async fn intercept<N>(&self, cx: &RequestContext<'_>, next: N) -> elif::Result<HttpResponse> where N: Future<Output = elif::Result<HttpResponse>> { next.await } }",
    }
    /// A type in `filters(...)` that is not an exception filter.
    EL0029 = {
        phase: Phase::Compile,
        title: "not an exception filter",
        explanation: "`filters(...)` lists `#[injectable]` types that implement `ExceptionFilter`; each one may turn \
            an error of the route into a response.",
        hint: "implement `ExceptionFilter` for the type (and mark it `#[injectable]`)",
        wrong: "#[injectable] struct Gone;\n#[controller(\"/posts\", filters(Gone))]",
        right: "#[injectable] struct Gone;\nimpl ExceptionFilter for Gone { fn catch(&self, e: &Error, cx: &RequestContext<'_>) -> Option<HttpResponse> { None } }",
    }
    /// `migrations!()` cannot embed the migrations directory.
    EL0030 = {
        phase: Phase::Compile,
        title: "invalid migrations directory",
        explanation: "`elif::migrations!()` embeds every `<version>_<name>/` folder of the crate's `migrations/` \
            directory (or the directory given, relative to the file that names it). Each folder needs `up.sql` and \
            `down.sql`, or per-backend files (`up.sqlite.sql`, `up.postgres.sql`) covering both backends; versions \
            are digits and dashes, unique, applied in sorting order.",
        hint: "name each folder `<version>_<name>` (e.g. `2026-11-26-000001_create_posts`) and give it `up.sql` and `down.sql`",
        wrong: "migrations/create_posts/up.sql",
        right: "migrations/2026-11-26-000001_create_posts/up.sql\nmigrations/2026-11-26-000001_create_posts/down.sql",
    }
    /// A model field's type has no portable SQL type.
    EL0031 = {
        phase: Phase::Compile,
        title: "unsupported model field type",
        explanation: "Every field of a `#[model]` is a column that must mean the same on SQLite and PostgreSQL. \
            Supported: `i16`, `i32`, `i64`, `f32`, `f64`, `bool`, `String`, `Vec<u8>`, `NaiveDate`, \
            `elif::data::Timestamp`, `elif::data::Uuid`, `elif::data::Document<T>`, and `Option` of these. Unsigned \
            integers have no PostgreSQL type; `chrono::DateTime` and `serde_json::Value` have portable wrappers.",
        hint: "use a supported type (the message names the closest one)",
        wrong: "#[model] struct Post { #[key] id: u64 }",
        right: "#[model] struct Post { #[key] id: i64 }",
    }
    /// A model without exactly one usable key.
    EL0032 = {
        phase: Phase::Compile,
        title: "model key missing or ambiguous",
        explanation: "A `#[model]` has exactly one `#[key]` field, its primary key, which is never NULL. An integer \
            key is generated by the database; any other key (a `Uuid`) is given in the insert form.",
        hint: "mark the primary key field with `#[key]`, once",
        wrong: "#[model] struct Post { id: i64, title: String }",
        right: "#[model] struct Post { #[key] id: i64, title: String }",
    }
    /// A misspelt, misplaced or conflicting model attribute.
    EL0033 = {
        phase: Phase::Compile,
        title: "invalid model attribute",
        explanation: "Model fields take `#[key]`, `#[hidden]` (left out of JSON), `#[fillable]` (a client may set \
            it), `#[belongs_to(Parent)]` and `#[validate(...)]`. Fields the repository sets (a generated key, \
            `created_at`, `updated_at`, which must be `Timestamp`s) cannot be fillable, and the model derives \
            `Serialize` itself.",
        hint: "fix the attribute named in the message",
        wrong: "#[fillabel] pub title: String",
        right: "#[fillable] pub title: String",
    }
    /// `#[model]` on something that is not a plain struct.
    EL0034 = {
        phase: Phase::Compile,
        title: "not a model struct",
        explanation: "`#[model]` applies to a non-generic struct with named fields, one per column.",
        hint: "put `#[model]` on a struct such as `struct Post { #[key] id: i64, title: String }`",
        wrong: "#[model] enum Post { Draft, Published }",
        right: "#[model] struct Post { #[key] id: i64, state: String }",
    }
    /// elif's `Serialize`/`Deserialize` derive on what it cannot derive.
    EL0035 = {
        phase: Phase::Compile,
        title: "serde derive not possible through elif",
        explanation: "`#[derive(Serialize, Deserialize)]` from `elif::prelude` derives serde's traits through \
            elif, so that an app needs no `serde` dependency: next to the type it writes a copy that derives \
            serde's trait as a remote definition of the type. So the type cannot be a remote definition itself \
            (`#[serde(remote = \"..\")]`), and, as with serde, it cannot be a union.",
        hint: "for a remote definition, add the `serde` crate and derive its traits (`serde::Serialize`)",
        wrong: "#[derive(Serialize)]\n#[serde(remote = \"Duration\")]\nstruct DurationDef { secs: u64, nanos: u32 }",
        right: "#[derive(serde::Serialize)]\n#[serde(remote = \"Duration\")]\nstruct DurationDef { secs: u64, nanos: u32 }",
    }
    /// `#[public]` somewhere other than a route or a controller.
    EL0036 = {
        phase: Phase::Compile,
        title: "`#[public]` outside a controller",
        explanation: "`#[public]` marks a route that anyone may call: authentication becomes optional (credentials \
            that are present are still verified). It is read by `#[controller]`, on a handler next to its route \
            attribute or on the controller's `impl` block for every route. Anywhere else it would protect \
            nothing, so it is refused; it takes no arguments.",
        hint: "put `#[public]` next to the route attribute (`#[get(\"/\")] #[public]`), or on the `#[controller]` impl block",
        wrong: "#[public]\nasync fn list() {}",
        right: "#[controller(\"/posts\", guards(Authenticated))]\nimpl PostsController {\n    #[get(\"/\")]\n    #[public]\n    async fn list(&self) {}\n}",
    }
    /// `#[requires]` misplaced or malformed.
    EL0037 = {
        phase: Phase::Compile,
        title: "`#[requires]` misused",
        explanation: "`#[requires(role = \"admin\")]` and `#[requires(permission = \"posts.delete\")]` declare what a \
            caller must hold; `#[controller]` reads them on a route, next to its route attribute, or on the impl \
            block for every route. They need a non-empty role or permission, and cannot go with `#[public]`: a \
            public route admits anonymous requests, which hold nothing.",
        hint: "write `#[requires(role = \"admin\")]` next to a route attribute of a controller that is not `#[public]`",
        wrong: "#[get(\"/\")]\n#[public]\n#[requires(role = \"admin\")]\nasync fn list(&self) {}",
        right: "#[get(\"/\")]\n#[requires(role = \"admin\")]\nasync fn list(&self) {}",
    }
    /// `#[throttle]` misused.
    EL0038 = {
        phase: Phase::Compile,
        title: "`#[throttle]` misused",
        explanation: "`#[throttle(limit = 5, per = \"1m\")]` gives a route (next to its route attribute) or a \
            controller's routes (on the impl block, one limit they share) a rate limit of their own; \
            `#[throttle(off)]` exempts a route from the app-wide one. It needs a positive `limit` and a `per` \
            window (`\"30s\"`, `\"1m\"`, `\"15m\"`, `\"1h\"`, `\"1d\"` or seconds); `burst` is at least 1; \
            `key` is `\"ip\"` (default), `\"user\"`, `\"token\"` or a function `fn(&HttpRequest) -> Option<String>`; \
            `off` takes no other key; one `#[throttle]` per route.",
        hint: "write `#[throttle(limit = 5, per = \"1m\", key = \"user\")]` next to a route attribute",
        wrong: "#[post(\"/login\")]\n#[throttle(limit = 0, per = \"1 minute\")]\nasync fn login(&self) {}",
        right: "#[post(\"/login\")]\n#[throttle(limit = 5, per = \"1m\")]\nasync fn login(&self) {}",
    }
    /// `#[openapi]` misused.
    EL0039 = {
        phase: Phase::Compile,
        title: "`#[openapi]` misused",
        explanation: "`#[openapi(..)]` goes next to a route attribute and says what the route's API description \
            cannot read from its signature and doc comment: `operation_id`, `summary`, `hidden`, the success \
            response of a handler that answers `HttpResponse` (`status = 201, body = T`; `body` needs `status`), \
            `errors(E)` (domain error types whose variants it may answer with), `responses(409)` (further \
            statuses), and JSON `example` / `response_example` text, checked when it compiles. Statuses are \
            100-599; one `#[openapi]` per route.",
        hint: "write `#[openapi(status = 200, body = LoggedIn, errors(LoginError))]` next to the route attribute",
        wrong: "#[post(\"/login\")]\n#[openapi(body = LoggedIn, example = \"{email: 1}\")]\nasync fn login(&self) -> Result<HttpResponse> {}",
        right: "#[post(\"/login\")]\n#[openapi(status = 200, body = LoggedIn, example = r#\"{\"email\": \"ada@example.com\"}\"#)]\nasync fn login(&self) -> Result<HttpResponse> {}",
    }
    /// A dependency nobody provides.
    EL1001 = {
        phase: Phase::Boot,
        title: "missing provider",
        explanation: "A component depends on a type that no module reachable from the root module provides. \
            The container only builds what the root module reaches through `imports(...)`.",
        hint: "list the provider in `providers(...)` of a module, or import the module that exports it",
        wrong: "#[injectable]\nstruct Signup { mailer: Inject<dyn Mailer> }\n#[module(providers(Signup))]\nstruct AppModule;",
        right: "#[injectable(provides = dyn Mailer)]\nstruct SmtpMailer {}\n#[module(providers(Signup, SmtpMailer))]\nstruct AppModule;",
    }
    /// A dependency cycle.
    EL1002 = {
        phase: Phase::Boot,
        title: "dependency cycle",
        explanation: "Building the first component of the chain needs the last one, which needs the first. \
            The container cannot build either.",
        hint: "break the cycle: move the shared part into a third service both depend on, \
            or have one side look the other up later instead of holding it",
        wrong: "#[injectable] struct A { b: Inject<B> }\n#[injectable] struct B { a: Inject<A> }",
        right: "#[injectable] struct A { shared: Inject<Shared> }\n#[injectable] struct B { shared: Inject<Shared> }",
    }
    /// A longer-lived provider holding a shorter-lived one.
    EL1003 = {
        phase: Phase::Boot,
        title: "captive dependency",
        explanation: "A singleton lives for the whole app, a request-scoped provider for one request. \
            A singleton that depends on a request-scoped provider (directly or through transients) would keep \
            the first request's instance for ever and hand it to every other request.",
        hint: "make the dependent provider request-scoped too, or take the request-scoped service in the handler \
            through the `Scoped<T>` extractor instead of holding it",
        wrong: "#[injectable(scope = \"request\")] struct CurrentCart {}\n#[injectable] struct Checkout { cart: Inject<CurrentCart> }",
        right: "#[injectable(scope = \"request\")] struct CurrentCart {}\n#[injectable(scope = \"request\")] struct Checkout { cart: Inject<CurrentCart> }",
    }
    /// Two providers for one type.
    EL1004 = {
        phase: Phase::Boot,
        title: "duplicate provider",
        explanation: "Each type (or trait) has exactly one provider in an app. Two modules providing the same \
            type, or two implementations both declaring `provides = dyn Trait`, leave the container unable to choose.",
        hint: "provide it in one module and export it to the others, or drop one of the `provides = ...` bindings",
        wrong: "#[module(providers(Mailer))] struct A;\n#[module(providers(Mailer))] struct B;",
        right: "#[module(providers(Mailer), exports(Mailer))] struct A;\n#[module(imports(A))] struct B;",
    }
    /// A provider used outside its module without being exported.
    EL1005 = {
        phase: Phase::Boot,
        title: "provider not visible",
        explanation: "A provider is injectable inside its own module; other modules see it only if its module \
            exports it and they import that module.",
        hint: "add the provider to `exports(...)` of its module and import that module where it is needed",
        wrong: "#[module(providers(Mailer))] struct MailModule;\n#[module(imports(MailModule), providers(Signup))] struct UsersModule;",
        right: "#[module(providers(Mailer), exports(Mailer))] struct MailModule;\n#[module(imports(MailModule), providers(Signup))] struct UsersModule;",
    }
    /// An export that the module does not have.
    EL1006 = {
        phase: Phase::Boot,
        title: "invalid export",
        explanation: "A module can export its own providers and what its imported modules export. \
            Exporting anything else would promise a provider that is not there.",
        hint: "list the type in `providers(...)` of this module, or import the module that exports it",
        wrong: "#[module(exports(Mailer))] struct MailModule;",
        right: "#[module(providers(Mailer), exports(Mailer))] struct MailModule;",
    }
    /// Modules that import each other.
    EL1007 = {
        phase: Phase::Boot,
        title: "module import cycle",
        explanation: "Module imports form a tree (or a graph without cycles): a module cannot import itself \
            through other modules, since neither side's exports could be settled first.",
        hint: "move what both modules need into a third module that both import",
        wrong: "#[module(imports(B))] struct A;\n#[module(imports(A))] struct B;",
        right: "#[module(imports(Shared))] struct A;\n#[module(imports(Shared))] struct B;",
    }
    /// A provider whose build (factory or async init) failed.
    EL1008 = {
        phase: Phase::Boot,
        title: "provider failed to build",
        explanation: "The graph is valid, but building one provider returned an error at boot, \
            for example a factory that could not connect to a service.",
        hint: "read the cause below the message; it comes from the provider's own code",
        wrong: "#[factory]\nasync fn pool(config: Config<DbConfig>) -> elif::Result<Pool> { Err(...) }",
        right: "#[factory]\nasync fn pool(config: Config<DbConfig>) -> elif::Result<Pool> { Pool::connect(&config.url).await }",
    }
    /// An `on_init` hook that failed.
    EL1009 = {
        phase: Phase::Boot,
        title: "on_init hook failed",
        explanation: "All providers were built, then a component's `on_init` hook returned an error, \
            so the app does not serve.",
        hint: "read the cause below the message; it comes from the component's `OnInit::on_init`",
        wrong: "impl OnInit for Cache { async fn on_init(&self) -> elif::Result<()> { Err(...) } }",
        right: "impl OnInit for Cache { async fn on_init(&self) -> elif::Result<()> { self.warm().await } }",
    }
    /// The server cannot listen on its address.
    EL1010 = {
        phase: Phase::Boot,
        title: "cannot bind the server address",
        explanation: "The graph booted but the HTTP server could not listen on `HOST:PORT`, usually because \
            another process uses the port or the host is not an address of this machine.",
        hint: "set `PORT` (or `[server] port` in elif.toml) to a free port, or stop the other process",
        wrong: "PORT=80 cargo run   # as a user without the right to bind port 80",
        right: "PORT=8080 cargo run",
    }
    /// An app with no root module.
    EL1011 = {
        phase: Phase::Boot,
        title: "no root module",
        explanation: "An app is its root module and everything that module imports. \
            `App::new()` alone has nothing to build or serve.",
        hint: "give the app its root module: `App::new().module(AppModule)`",
        wrong: "App::new().run().await",
        right: "App::new().module(AppModule).run().await",
    }
    /// Two routes on the same method and path, across controllers.
    EL1012 = {
        phase: Phase::Boot,
        title: "duplicate route",
        explanation: "Two routes of the app, in two controllers or in one written by hand, answer the same \
            method on the same path (after prefixes are joined; `/{id}` and `/{slug}` are the same path). \
            Only one could ever be reached.",
        hint: "change the prefix or path of one of the routes",
        wrong: "#[controller(\"/posts\")] impl A { #[get(\"/{id}\")] .. }\n#[controller(\"/posts\")] impl B { #[get(\"/{slug}\")] .. }",
        right: "#[controller(\"/posts\")] impl A { #[get(\"/{id}\")] .. }\n#[controller(\"/drafts\")] impl B { #[get(\"/{slug}\")] .. }",
    }
    /// The app is built to abort on panic.
    EL1013 = {
        phase: Phase::Boot,
        title: "built with `panic = \"abort\"`",
        explanation: "elif answers a panicking handler with a 500 problem and keeps serving, which needs \
            unwinding. Built with `panic = \"abort\"`, one panicking request ends the whole process \
            and every request in flight with it. This is a warning: the app still starts.",
        hint: "remove `panic = \"abort\"` from the `[profile.*]` sections of Cargo.toml",
        wrong: "[profile.release]\npanic = \"abort\"",
        right: "[profile.release]\npanic = \"unwind\"   # the default",
    }
    /// A controller, guard, interceptor or filter that is not a singleton.
    EL1014 = {
        phase: Phase::Boot,
        title: "must be a singleton",
        explanation: "Controllers, guards, interceptors and exception filters are built once and shared by \
            every request of every worker, so that a request costs no container lookup. A request-scoped or \
            transient one has no single instance to share.",
        hint: "drop the `scope` from its `#[injectable]` / `#[guard]`; take request-scoped services in the \
            handler with `Scoped<T>`",
        wrong: "#[guard(scope = \"request\")]\nstruct Authenticated;",
        right: "#[guard]\nstruct Authenticated;",
    }
    /// An app, module or inspection guard, interceptor or filter that cannot be resolved.
    EL1015 = {
        phase: Phase::Boot,
        title: "layer cannot be resolved",
        explanation: "A guard, interceptor or exception filter added with `App::guard` (`interceptor`, `filter`, \
            `inspection_guard`) or listed in `#[module(guards(..), interceptors(..), filters(..))]` has no \
            instance of its type in the built container: its `Injectable` impl describes another type, or it \
            is not built as a singleton. The boot stops rather than serve its routes without it: a guard \
            that silently went missing would leave them open.",
        hint: "derive the component with `#[guard]` or `#[injectable]` rather than implementing `Injectable` \
            by hand, so that its descriptor describes the type itself",
        wrong: "struct Admin;\nimpl Injectable for Admin { fn descriptor() -> &'static ProviderDescriptor { Other::descriptor() } }\nApp::new().guard::<Admin>()",
        right: "#[guard]\nstruct Admin;\nApp::new().guard::<Admin>()",
    }
    /// A route that no guard authenticates and that is not `#[public]`.
    EL1016 = {
        phase: Phase::Boot,
        title: "route neither authenticated nor public",
        explanation: "elif is secure by default: every route must run a guard that authenticates \
            (`Guard::AUTHENTICATES`, such as elif-auth's `Authenticated`) on the route, its controller, its \
            module or the app, or be marked `#[public]`. A route that is neither is an error in `check` and \
            `map`, stops the boot in production, and is a warning at boot in development and tests. Routes \
            written by hand run no elif guard: they say `RouteInfo::public()` or `authenticated_by(..)`.",
        hint: "add an authenticating guard (`guards(Authenticated)` on the controller, the module or `App::guard`), \
            or mark the route `#[public]` if anyone may call it",
        wrong: "#[controller(\"/posts\")]\nimpl Posts { #[get(\"/\")] async fn list(&self) {} }",
        right: "#[controller(\"/posts\", guards(Authenticated))]\nimpl Posts { #[get(\"/\")] #[public] async fn list(&self) {} }",
    }
    /// A route with `#[requires]` that no guard enforces.
    EL1017 = {
        phase: Phase::Boot,
        title: "route requirements not enforced",
        explanation: "`#[requires(role = \"..\")]` and `#[requires(permission = \"..\")]` declare what a caller \
            must hold; a guard that declares `Guard::ENFORCES_REQUIREMENTS` (elif-auth's `Authenticated`) \
            checks them. A route that requires something but runs no such guard would let every caller \
            through, so `check` reports it and the boot stops, in every mode.",
        hint: "guard the route with one that enforces requirements (`guards(Authenticated)` on the controller, its \
            module or the app)",
        wrong: "#[controller(\"/admin\", guards(ApiKey))]\nimpl Admin { #[delete(\"/{id}\")] #[requires(role = \"admin\")] async fn remove(&self, id: i64) {} }",
        right: "#[controller(\"/admin\", guards(Authenticated))]\nimpl Admin { #[delete(\"/{id}\")] #[requires(role = \"admin\")] async fn remove(&self, id: i64) {} }",
    }
    /// An app command's name is malformed or taken.
    EL1018 = {
        phase: Phase::Boot,
        title: "app command name invalid or taken",
        explanation: "A module's `commands(..)` adds commands to the app's binary under their `AppCommand::NAME`. \
            A name is lower-case words of letters and digits joined by `-`, with at most one `package:` before \
            them (`auth:prune`); it cannot be one of elif's own commands (`serve`, `check`, `routes`, `map`, \
            `migrate`, `db`, `explain`, `help`) or another command's, which would make one of them unreachable.",
        hint: "rename the command, with its package's name before a `:` (`auth:prune`, `billing:sync`)",
        wrong: "const NAME: &'static str = \"migrate\";",
        right: "const NAME: &'static str = \"auth:prune\";",
    }
    /// Package catalogues that break the rules of the packages' codes.
    EL1019 = {
        phase: Phase::Boot,
        title: "package error codes out of their block",
        explanation: "Codes `EL5000`–`EL9999` belong to packages: each reserves a block (listed in docs/packages.md) \
            and declares its boot diagnostics there with `elif::package_catalogue!`. A block outside that range, an \
            entry outside its package's block, a code defined twice or two packages sharing codes would make a code \
            mean two things, so the app does not boot.",
        hint: "keep the package's codes in the block it reserved; reserve a new block in docs/packages.md",
        wrong: "elif::package_catalogue! { pub static CATALOGUE = (\"my-pkg\", 5000..=5099, \"..\"); EL4242 = { .. } }",
        right: "elif::package_catalogue! { pub static CATALOGUE = (\"my-pkg\", 5100..=5199, \"..\"); EL5101 = { .. } }",
    }
    /// CORS allows any origin and credentials together.
    EL1020 = {
        phase: Phase::Boot,
        title: "CORS wildcard with credentials",
        explanation: "`security.cors.allowed_origins` holds `*` and `security.cors.allow_credentials` is true. \
            Browsers refuse `Access-Control-Allow-Origin: *` on credentialed requests, and echoing any origin \
            instead would let every site on the web send requests as the signed-in user and read the answers, \
            so the app does not boot.",
        hint: "list the origins that may send cookies or `Authorization` (`https://app.example.com`, \
            `https://*.example.com`), or set `allow_credentials = false`",
        wrong: "[security.cors]\nallowed_origins = [\"*\"]\nallow_credentials = true",
        right: "[security.cors]\nallowed_origins = [\"https://app.example.com\"]\nallow_credentials = true",
    }
    /// A production app without a `Host` allow-list.
    EL1021 = {
        phase: Phase::Boot,
        title: "production app without allowed hosts",
        explanation: "In production an app answers only the hosts in `security.allowed_hosts`; other `Host` \
            headers get 421 (`EL3016`), so that poisoned absolute links (password-reset mails built from the \
            `Host`) and DNS rebinding do not reach it. With the list empty, the app could answer nothing, so \
            it does not boot. `/health` and `/ready` answer any host.",
        hint: "set `allowed_hosts` under `[security]` (or APP__SECURITY__ALLOWED_HOSTS='[\"example.com\"]'); \
            `.example.com` allows the domain and its subdomains, `[\"*\"]` any host when a proxy in front checks it",
        wrong: "APP_ENV=production ./app serve   # no security.allowed_hosts",
        right: "APP_ENV=production APP__SECURITY__ALLOWED_HOSTS='[\"api.example.com\"]' ./app serve",
    }
    /// A required configuration key has no value.
    EL2001 = {
        phase: Phase::Boot,
        title: "missing configuration key",
        explanation: "A config section used by the app has a field with no default, and no source \
            (environment, `.env`, `elif.toml`) sets it.",
        hint: "set the environment variable named in the message, or add the key to elif.toml",
        wrong: "#[derive(Config)] #[config(section = \"mail\")] struct MailConfig { host: String }\n# and nothing sets mail.host",
        right: "APP__MAIL__HOST=smtp.example.com cargo run   # or [mail] host = \"...\" in elif.toml",
    }
    /// A configuration value of the wrong type.
    EL2002 = {
        phase: Phase::Boot,
        title: "invalid configuration value",
        explanation: "A configuration key is set, but its value cannot be read as the field's type.",
        hint: "fix the value at the source named in the message",
        wrong: "PORT=eighty cargo run",
        right: "PORT=8080 cargo run",
    }
    /// A configuration value that fails its section's validation.
    EL2003 = {
        phase: Phase::Boot,
        title: "configuration value rejected by validation",
        explanation: "The value has the right type but the section's validation (`#[config(validate = ...)]`) \
            rejected it.",
        hint: "change the value so that it meets the rule in the message",
        wrong: "APP__MAIL__PORT=0 cargo run   # validate rejects port 0",
        right: "APP__MAIL__PORT=587 cargo run",
    }
    /// A configuration file that cannot be read.
    EL2004 = {
        phase: Phase::Boot,
        title: "unreadable configuration source",
        explanation: "`elif.toml` or `.env` exists but cannot be read or parsed.",
        hint: "fix the syntax at the line named in the message",
        wrong: "[server\nport = 8080",
        right: "[server]\nport = 8080",
    }
    /// No route matches the path.
    EL3001 = {
        phase: Phase::Request,
        answer: Some(Answer { status: 404, code: "ROUTE_NOT_FOUND" }),
        title: "route not found",
        explanation: "No route of the app matches the request's path (code `ROUTE_NOT_FOUND`, status 404).",
        hint: "check the path; `routes` lists every route of the app",
        wrong: "GET /post/1",
        right: "GET /posts/1",
    }
    /// The path exists but not with this method.
    EL3002 = {
        phase: Phase::Request,
        answer: Some(Answer { status: 405, code: "METHOD_NOT_ALLOWED" }),
        title: "method not allowed",
        explanation: "The path matches a route, but not with this method (code `METHOD_NOT_ALLOWED`, status 405). \
            The `Allow` header lists the methods the path answers.",
        hint: "use one of the methods in the `Allow` header",
        wrong: "DELETE /posts",
        right: "GET /posts",
    }
    /// A body or query that cannot be read as the expected type.
    EL3003 = {
        phase: Phase::Request,
        answer: Some(Answer { status: 400, code: "MALFORMED_REQUEST" }),
        title: "malformed request",
        explanation: "The body is not valid JSON, or a field has the wrong type or is missing, or the query \
            string or a path parameter cannot be read (code `MALFORMED_REQUEST`, status 400). `errors` lists \
            each problem with its field path.",
        hint: "fix the fields listed in `errors`",
        wrong: "POST /posts {\"title\": 5}",
        right: "POST /posts {\"title\": \"Hello\", \"body\": \"...\"}",
    }
    /// A body that fails validation or has unknown fields.
    EL3004 = {
        phase: Phase::Request,
        answer: Some(Answer { status: 422, code: "VALIDATION_FAILED" }),
        title: "validation failed",
        explanation: "The body was read but breaks the DTO's rules, or carries fields the DTO does not have \
            (code `VALIDATION_FAILED`, status 422). `errors` lists each field and rule.",
        hint: "fix the fields listed in `errors`; unknown fields are rejected, not ignored",
        wrong: "POST /signup {\"email\": \"x\", \"admin\": true}",
        right: "POST /signup {\"email\": \"ada@example.com\"}",
    }
    /// A body over the size limit.
    EL3005 = {
        phase: Phase::Request,
        answer: Some(Answer { status: 413, code: "PAYLOAD_TOO_LARGE" }),
        title: "payload too large",
        explanation: "The body is larger than `server.body_limit` (code `PAYLOAD_TOO_LARGE`, status 413).",
        hint: "send a smaller body, or raise `server.body_limit`",
        wrong: "POST /posts with a 10 MiB body",
        right: "POST /posts with a body under the limit (256 KiB by default)",
    }
    /// A body of a type the route does not read.
    EL3006 = {
        phase: Phase::Request,
        answer: Some(Answer { status: 415, code: "UNSUPPORTED_MEDIA_TYPE" }),
        title: "unsupported media type",
        explanation: "The route reads JSON but the request's `Content-Type` is something else \
            (code `UNSUPPORTED_MEDIA_TYPE`, status 415).",
        hint: "send `Content-Type: application/json`",
        wrong: "Content-Type: text/plain",
        right: "Content-Type: application/json",
    }
    /// A failure inside the app.
    EL3007 = {
        phase: Phase::Request,
        answer: Some(Answer { status: 500, code: "INTERNAL_ERROR" }),
        title: "internal error",
        explanation: "The handler (or a guard or service it called) failed or panicked (code `INTERNAL_ERROR`, \
            status 500). In production the body says only that; the detail is in the log under the response's \
            request id.",
        hint: "look up the request id (the `X-Request-Id` header) in the app's log",
        wrong: "a handler that panics",
        right: "a handler that returns `Err(Error::new(...))` for expected failures",
    }
    /// No database connection within the checkout timeout.
    EL3008 = {
        phase: Phase::Request,
        answer: Some(Answer { status: 503, code: "DATABASE_UNAVAILABLE" }),
        title: "database unavailable",
        explanation: "A query needed a database connection and none could be had within \
            `database.checkout_timeout_ms` (code `DATABASE_UNAVAILABLE`, status 503): the database is down or \
            unreachable, or every pooled connection is busy. The request is not retried; the pool reconnects by \
            itself when the database returns, and `/ready` answers 503 meanwhile.",
        hint: "retry later; operators: check that the database answers at `DATABASE_URL`, and raise \
            `database.pool_size` if connections are all busy",
        wrong: "DATABASE_URL=postgres://app@db.internal/app   # db.internal is down",
        right: "DATABASE_URL=postgres://app@db.internal/app   # reachable, or a larger database.pool_size",
    }
    /// A model's row looked up by key does not exist.
    EL3009 = {
        phase: Phase::Request,
        answer: Some(Answer { status: 404, code: "NOT_FOUND" }),
        title: "row not found",
        explanation: "`Repository::find_or_fail`, `update` or `delete` was given a key no row has (status 404). \
            The code is `NOT_FOUND` after the model's name: `POST_NOT_FOUND` for `Post`.",
        hint: "check the key; list the rows to see which exist",
        wrong: "GET /posts/999   # no post 999",
        right: "GET /posts/1",
    }
    /// An insert or update would duplicate a unique value.
    EL3010 = {
        phase: Phase::Request,
        answer: Some(Answer { status: 409, code: "ALREADY_EXISTS" }),
        title: "unique value already taken",
        explanation: "The database refused a row because a unique column (or set of columns) already holds \
            the value (code `ALREADY_EXISTS`, status 409). `errors` names the columns where the database says \
            which; the values are never echoed.",
        hint: "choose another value for the field named in `errors`, or update the existing row",
        wrong: "POST /tags {\"name\": \"rust\"}   # a tag named rust exists",
        right: "POST /tags {\"name\": \"rust-lang\"}",
    }
    /// An insert or update refers to a row that does not exist.
    EL3011 = {
        phase: Phase::Request,
        answer: Some(Answer { status: 422, code: "INVALID_REFERENCE" }),
        title: "reference to a missing row",
        explanation: "A foreign key names a row that does not exist (code `INVALID_REFERENCE`, status 422).",
        hint: "refer to an existing row (its key), or create it first",
        wrong: "POST /posts {\"author_id\": 999}   # no author 999",
        right: "POST /posts {\"author_id\": 1}",
    }
    /// A delete would leave other rows referring to a missing row.
    EL3012 = {
        phase: Phase::Request,
        answer: Some(Answer { status: 409, code: "STILL_REFERENCED" }),
        title: "row still referenced",
        explanation: "The row is referred to by rows of another table through a foreign key, so deleting it \
            is refused (code `STILL_REFERENCED`, status 409).",
        hint: "delete or reassign the rows that refer to it first (or declare the foreign key `ON DELETE CASCADE`)",
        wrong: "DELETE /authors/1   # posts refer to author 1",
        right: "DELETE /posts?author=1, then DELETE /authors/1",
    }
    /// A NOT NULL or CHECK constraint refused a row.
    EL3013 = {
        phase: Phase::Request,
        answer: Some(Answer { status: 422, code: "CONSTRAINT_VIOLATION" }),
        title: "constraint violated",
        explanation: "A `NOT NULL` or `CHECK` constraint of the table refused the row (code \
            `CONSTRAINT_VIOLATION`, status 422). Validating the input (`Valid<T>`) catches most of these earlier \
            with a better message.",
        hint: "give the field named in `errors` a value the table accepts",
        wrong: "CHECK (length(title) > 0) and a post with an empty title",
        right: "#[validate(length(min = 1))] on the input's title",
    }
    /// A row read from the database does not fit its model.
    EL3014 = {
        phase: Phase::Request,
        answer: Some(Answer { status: 500, code: "MODEL_MISMATCH" }),
        title: "row does not match the model",
        explanation: "A value read from the table cannot be turned into the model's field (code `MODEL_MISMATCH`, \
            status 500): the table and the `#[model]` struct disagree (schema drift), e.g. a NULL in a column \
            the model says is not optional. `check` compares models with the live database.",
        hint: "run the app's `check` command to see the drift, then write a migration or fix the model",
        wrong: "pub summary: String   // the column is nullable",
        right: "pub summary: Option<String>",
    }
    /// A statement ran past the statement timeout.
    EL3015 = {
        phase: Phase::Request,
        answer: Some(Answer { status: 503, code: "QUERY_TIMEOUT" }),
        title: "query timed out",
        explanation: "The database cancelled a statement that ran longer than `database.statement_timeout_ms` \
            (code `QUERY_TIMEOUT`, status 503; PostgreSQL only).",
        hint: "retry later; developers: add an index or narrow the query, or raise the timeout",
        wrong: "database.statement_timeout_ms = 100 and a full scan of a large table",
        right: "an index on the filtered column",
    }
    /// A request for a host the app does not answer.
    EL3016 = {
        phase: Phase::Request,
        answer: Some(Answer { status: 421, code: "HOST_NOT_ALLOWED" }),
        title: "host not allowed",
        explanation: "The request's `Host` is not in `security.allowed_hosts` (code `HOST_NOT_ALLOWED`, status 421 \
            Misdirected Request). Only production apps check it; `/health` and `/ready` answer any host.",
        hint: "send the request to a host the app serves; operators: add the host to `security.allowed_hosts`",
        wrong: "curl -H 'Host: evil.example' https://api.example.com/posts",
        right: "curl https://api.example.com/posts   # with allowed_hosts = [\"api.example.com\"]",
    }
    /// A CORS preflight the app's CORS rules refuse.
    EL3017 = {
        phase: Phase::Request,
        answer: Some(Answer { status: 403, code: "CORS_REFUSED" }),
        title: "cross-origin request refused",
        explanation: "A browser asked (with an `OPTIONS` preflight) whether a page of another origin may send this \
            request, and the app's `[security.cors]` rules say no (code `CORS_REFUSED`, status 403): the origin, \
            the method or a header is not allowed. The detail names which. CORS is off by default.",
        hint: "add the page's origin to `security.cors.allowed_origins` (and the method or header to \
            `allowed_methods`/`allowed_headers`)",
        wrong: "fetch('https://api.example.com/posts', {method: 'POST'}) from https://app.example.com, no CORS rules",
        right: "[security.cors]\nallowed_origins = [\"https://app.example.com\"]",
    }
    /// A request whose headers pass the app's limits.
    EL3018 = {
        phase: Phase::Request,
        answer: Some(Answer { status: 431, code: "HEADERS_TOO_LARGE" }),
        title: "request headers too large",
        explanation: "The request carries more header lines than `server.max_headers` (default 64) or more bytes \
            of header names and values than `server.max_header_bytes` (default 16 KiB) (code `HEADERS_TOO_LARGE`, \
            status 431). Large cookies are the usual cause.",
        hint: "send fewer or smaller headers (clear old cookies); operators: raise the limits, up to actix-web's \
            96 lines and 128 KiB",
        wrong: "Cookie: a 20 KiB cookie",
        right: "Cookie: a session id",
    }
    /// A request target longer than the app's limit.
    EL3019 = {
        phase: Phase::Request,
        answer: Some(Answer { status: 414, code: "URI_TOO_LONG" }),
        title: "URI too long",
        explanation: "The request's path and query are longer than `server.max_url_length` (default 8 KiB) (code \
            `URI_TOO_LONG`, status 414).",
        hint: "send long inputs in a body (a POST), not in the query",
        wrong: "GET /search?q=<10 KiB of text>",
        right: "POST /search {\"q\": \"...\"}",
    }
    /// A body that arrives too slowly.
    EL3020 = {
        phase: Phase::Request,
        answer: Some(Answer { status: 408, code: "BODY_TIMEOUT" }),
        title: "body timeout",
        explanation: "The client did not finish sending the body within `server.body_timeout_ms` (default 10 s) \
            (code `BODY_TIMEOUT`, status 408). A client sending a body a byte at a time would otherwise hold the \
            request open; actix-web's own timeout covers the head only.",
        hint: "send the whole body promptly; operators: raise `server.body_timeout_ms` for slow uploads",
        wrong: "a client that sends one byte of its body every second",
        right: "a client that sends its body at once",
    }
    /// A request the app took too long to answer.
    EL3021 = {
        phase: Phase::Request,
        answer: Some(Answer { status: 503, code: "REQUEST_TIMEOUT" }),
        title: "request timed out",
        explanation: "The app did not answer within `server.request_timeout_ms` (default 30 s) (code \
            `REQUEST_TIMEOUT`, status 503): the handler was stopped (its future dropped, so its transaction, if \
            any, rolled back) and the client told to retry later.",
        hint: "retry later; developers: find what the handler waits on (the log names the request id), or \
            move long work to a background task",
        wrong: "a handler that waits a minute on a slow service",
        right: "a handler that answers 202 and finishes the work in a background task",
    }
    /// A request over a rate limit.
    EL3022 = {
        phase: Phase::Request,
        answer: Some(Answer { status: 429, code: "RATE_LIMITED" }),
        title: "rate limited",
        explanation: "The client sent more requests than the route's limit allows (code `RATE_LIMITED`, status \
            429): the app-wide `[rate_limit]` (1000 per minute per client address by default) or the route's \
            `#[throttle]`. `Retry-After` says when to try again; `RateLimit` and `RateLimit-Policy` \
            (draft-ietf-httpapi-ratelimit-headers-08) give the remaining quota and the policy.",
        hint: "wait for `Retry-After` seconds; operators: raise the limit, or set `security.trusted_proxies` \
            when every client seems to come from the proxy's address",
        wrong: "a script sending 2000 requests a minute from one address",
        right: "the script paced to the `RateLimit-Policy`",
    }
    /// A rate limit whose store does not answer, failing closed.
    EL3023 = {
        phase: Phase::Request,
        answer: Some(Answer { status: 503, code: "RATE_LIMIT_UNAVAILABLE" }),
        title: "rate limit store unavailable",
        explanation: "The limit is kept in Redis, Redis did not answer within `redis.timeout_ms`, and the limit \
            fails closed (`rate_limit.on_store_failure = \"closed\"`, or a credential check) (code \
            `RATE_LIMIT_UNAVAILABLE`, status 503). The limit answers again as soon as Redis does.",
        hint: "retry in a moment; operators: check that Redis answers at `REDIS_URL`",
        wrong: "REDIS_URL=redis://cache.internal:6379   # cache.internal is down",
        right: "REDIS_URL=redis://cache.internal:6379   # reachable",
    }
    /// Migrations embedded in the binary that the database has not applied.
    EL4001 = {
        phase: Phase::Boot,
        title: "pending migrations",
        explanation: "The binary embeds migrations that the database has not applied, so the tables may not \
            match the models. In development and test the app applies them when it starts \
            (`database.migrate_on_start`); elsewhere `check` reports them and exits with code 2.",
        hint: "run the app's `migrate up` command (or set `database.migrate_on_start = true`)",
        wrong: "APP_ENV=production ./blog serve   # a new migration was deployed, not applied",
        right: "APP_ENV=production ./blog migrate up && APP_ENV=production ./blog serve",
    }
    /// A migration's SQL failed; it was rolled back.
    EL4002 = {
        phase: Phase::Boot,
        title: "migration failed",
        explanation: "The database rejected a statement of a migration. Each migration runs in its own \
            transaction, so the failed one left nothing behind and the ones before it stay applied.",
        hint: "fix the SQL of the migration named in the message, then run `migrate up` again",
        wrong: "CREAT TABLE posts (id INTEGER PRIMARY KEY)",
        right: "CREATE TABLE posts (id INTEGER PRIMARY KEY)",
    }
    /// The database records a migration this binary does not embed.
    EL4003 = {
        phase: Phase::Boot,
        title: "applied migration unknown to this binary",
        explanation: "`__elif_migrations` lists a version that no folder of this binary's migrations has: the \
            database was migrated by a newer build, or a migration folder was renamed or deleted. This binary \
            cannot revert it (it does not have its `down.sql`).",
        hint: "deploy the build that has this migration, or restore its folder under `migrations/`",
        wrong: "rm -r migrations/2026-11-26-000002_add_tags   # after it was applied",
        right: "git restore migrations/2026-11-26-000002_add_tags",
    }
    /// An applied migration's SQL changed since it was applied.
    EL4004 = {
        phase: Phase::Boot,
        title: "applied migration was edited",
        explanation: "The checksum of an applied migration's `up` SQL differs from the one recorded when it \
            was applied: the edit never reached this database. Applied migrations are history; changes belong \
            in a new migration.",
        hint: "revert the edit and write a new migration for the change (or `migrate redo` it in development)",
        wrong: "vim migrations/2026-11-26-000001_create_posts/up.sql   # already applied",
        right: "mkdir migrations/2026-11-27-000001_alter_posts   # a new migration",
    }
    /// The database could not be reached by a command that needs it.
    EL4005 = {
        phase: Phase::Boot,
        title: "database unreachable",
        explanation: "`migrate`, `check` and the migrations applied at start need a connection, and none could \
            be had within `database.checkout_timeout_ms`.",
        hint: "check that the database answers at `DATABASE_URL` (SQLite: that its directory is writable)",
        wrong: "DATABASE_URL=postgres://app@db.internal/app ./blog migrate up   # db.internal is down",
        right: "DATABASE_URL=postgres://app@localhost/app ./blog migrate up",
    }
    /// A model and its table disagree.
    EL4006 = {
        phase: Phase::Boot,
        title: "schema drift",
        explanation: "A `#[model]` and the live table disagree: the table or a column is missing, a column's type \
            cannot hold the field's, a column may be NULL where the field cannot (or the reverse), a `#[unique]` \
            column has no unique index on it alone or an `#[index]` column no index that starts with it, or the \
            table has a NOT NULL column without a default that the model cannot fill. Queries on the model would fail \
            at run time; `check` exits with code 2 (the database is behind, or the model is ahead).",
        hint: "write a migration that brings the table in line with the model (or fix the model), then `migrate up`",
        wrong: "pub summary: String   // the column `summary` is nullable",
        right: "pub summary: Option<String>",
    }
    /// A command that destroys data was run in production.
    EL4007 = {
        phase: Phase::Boot,
        title: "destructive command refused in production",
        explanation: "`migrate fresh` reverts every migration and applies them again, which loses every row \
            of every table the migrations create. It runs only when `APP_ENV` is not `production` (the default \
            outside `APP_ENV` is development).",
        hint: "run it against a development database; in production revert with `migrate down N`",
        wrong: "APP_ENV=production ./blog migrate fresh --seed",
        right: "APP_ENV=development DATABASE_URL=sqlite://var/dev.sqlite3 ./blog migrate fresh --seed",
    }
    /// Two sets of migrations would share rows of `__elif_migrations`.
    EL4008 = {
        phase: Phase::Boot,
        title: "migration namespaces clash",
        explanation: "An app applies the migrations of every package its modules import (`#[module(migrations = ..)]`), \
            then its own (`App::migrations`). Each package's are recorded under their namespace \
            (`elif_auth/2026-12-05-000001`) so that versions never clash; a module whose set has no namespace, or \
            two sets with the same namespace, would confuse their rows, so the app does not boot.",
        hint: "embed a package's migrations with `elif::migrations!(namespace = \"my_package\")`, a name no other package uses",
        wrong: "#[module(migrations = MIGRATIONS)] pub struct AuthModule;   // const MIGRATIONS = elif::migrations!();",
        right: "const MIGRATIONS: Migrations = elif::migrations!(namespace = \"elif_auth\");",
    }
    /// The models changed since the schema snapshot was written.
    EL4009 = {
        phase: Phase::Boot,
        title: "models differ from the schema snapshot",
        explanation: "`migrations/schema.json` records the tables the models described when the newest migration \
            was generated (`migrate generate`). The models now describe other tables (a field, a model, a \
            `#[unique]` added or changed), and no migration makes that change yet, so the database will not match \
            them once migrated. `check` lists each change as a warning.",
        hint: "run `migrate generate <name>` (or `elif migrate generate <name>`) to write the migration, then `migrate up`",
        wrong: "pub summary: Option<String>,   // added to the model, no migration written",
        right: "cargo run -- migrate generate add_posts_summary && cargo run -- migrate up",
    }
    /// `migrate generate` refused steps that lose data.
    EL4010 = {
        phase: Phase::Boot,
        title: "generated migration would lose data",
        explanation: "The difference between the snapshot and the models drops a table or a column, or changes \
            a column to a type that cannot hold every value it holds now (`bigint` to `integer`, `text` to `bool`). \
            Those rows or values would be lost when the migration runs, so `migrate generate` writes nothing \
            unless told that this is meant. A column that was renamed is not dropped: say so with `--rename`.",
        hint: "rename with `--rename table.old=new`; when the loss is meant, pass `--allow-destructive`",
        wrong: "cargo run -- migrate generate rename_title   # posts.title renamed to headline in the model",
        right: "cargo run -- migrate generate rename_title --rename posts.title=headline",
    }
    /// The schema snapshot and the migrations disagree.
    EL4011 = {
        phase: Phase::Boot,
        title: "schema snapshot and migrations disagree",
        explanation: "`migrate generate` compares the models with the snapshot `migrations/schema.json`, which \
            names the migration it was written with. The snapshot is missing while migrations exist, does not \
            parse, or names an older migration than the newest (one written by hand after it): what those \
            migrations change is not in the snapshot, so a generated migration could repeat or undo it.",
        hint: "check that `check` reports no drift on a migrated database, then `migrate generate --baseline` records the models as what the migrations create",
        wrong: "mkdir migrations/2026-12-05-120000_add_index   # by hand, after the last generated one",
        right: "cargo run -- migrate up && cargo run -- check && cargo run -- migrate generate --baseline",
    }
}

/// Looks an entry up by its code, case-insensitively (`el1001` finds `EL1001`).
pub fn find(code: &str) -> Option<&'static Entry> {
    ALL.iter().find(|e| e.code.eq_ignore_ascii_case(code))
}

/// The catalogue as Markdown: the text of `docs/errors.md`.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Error catalogue\n\n\
         <!-- Generated from elif-catalogue/src/lib.rs. Do not edit: run \
         `ELIF_BLESS=1 cargo test -p elif-catalogue` after changing the catalogue. -->\n\n\
         Every diagnostic elif produces has a stable code. `EL0xxx` codes are compile errors of the \
         macros, `EL1xxx` boot errors of the dependency graph and modules, `EL2xxx` configuration errors, \
         `EL3xxx` problems answered to HTTP requests (their problem+json `type` points here), \
         `EL4xxx` the database's state at boot and in `check` (migrations, schema drift). \
         `EL5000`–`EL9999` are packages' own boot diagnostics, in blocks each package reserves \
         (docs/packages.md); an app's `explain CODE` command explains them. \
         Boot errors are all reported at once, before a port is bound.\n\n",
    );
    for e in ALL {
        out.push_str(&format!(
            "- [`{}`](#{}) {}\n",
            e.code,
            e.code.to_lowercase(),
            e.title
        ));
    }
    for e in ALL {
        let phase = match e.phase {
            Phase::Compile => "compile time",
            Phase::Boot => "boot time",
            Phase::Request => "request time",
        };
        out.push_str(&format!(
            "\n## {}\n\n**{}** ({phase})\n\n{}\n\n**Fix:** {}\n\nWrong:\n\n```rust,ignore\n{}\n```\n\nRight:\n\n```rust,ignore\n{}\n```\n",
            e.code, e.title, e.explanation, e.hint, e.wrong, e.right
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What is wrong with the whitespace of one prose text (a title, an
    /// explanation, a hint): a lost `\` line continuation leaves a newline
    /// and the next line's indentation in it, which ship in the docs and in
    /// every problem's hint.
    fn whitespace_fault(text: &str) -> Option<&'static str> {
        if text.contains(['\n', '\r', '\t']) {
            Some("a line break or tab")
        } else if text.contains("  ") {
            Some("a run of spaces")
        } else if text.trim() != text {
            Some("leading or trailing spaces")
        } else {
            None
        }
    }

    /// Every prose text's whitespace fault, as `CODE field: fault`.
    fn prose_faults(entries: &[Entry]) -> Vec<String> {
        let mut faults = Vec::new();
        for e in entries {
            for (field, text) in [
                ("title", e.title),
                ("explanation", e.explanation),
                ("hint", e.hint),
            ] {
                if let Some(fault) = whitespace_fault(text) {
                    faults.push(format!("{} {field}: {fault}", e.code));
                }
            }
        }
        faults
    }

    #[test]
    fn prose_with_broken_whitespace_is_caught() {
        let lost_continuation = Entry {
            code: "EL9001",
            hint: "raise             `database.pool_size`",
            ..UNANSWERED
        };
        let line_break = Entry {
            code: "EL9002",
            explanation: "the pool\n    reconnects",
            ..UNANSWERED
        };
        let trailing = Entry {
            code: "EL9003",
            title: "database unavailable ",
            ..UNANSWERED
        };
        assert_eq!(
            prose_faults(&[lost_continuation, line_break, trailing]),
            [
                "EL9001 hint: a run of spaces",
                "EL9002 explanation: a line break or tab",
                "EL9003 title: leading or trailing spaces",
            ]
        );
        let indented_example = Entry {
            code: "EL9004",
            title: "fine",
            wrong: "fn main() {\n    run();\n}",
            ..UNANSWERED
        };
        assert!(
            prose_faults(&[indented_example]).is_empty(),
            "examples keep their indentation"
        );
    }

    #[test]
    fn docs_errors_md_is_up_to_date() {
        let faults = prose_faults(ALL);
        assert!(
            faults.is_empty(),
            "catalogue prose has broken whitespace (a lost `\\` line continuation?): {faults:#?}"
        );
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/errors.md");
        let expected = markdown();
        if std::env::var_os("ELIF_BLESS").is_some() {
            std::fs::write(&path, &expected).expect("write docs/errors.md");
        }
        let actual = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            actual == expected,
            "docs/errors.md is out of date: run `ELIF_BLESS=1 cargo test -p elif-catalogue`"
        );
    }

    #[test]
    fn codes_are_unique_sorted_and_well_formed() {
        let codes: Vec<&str> = ALL.iter().map(|e| e.code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted, "catalogue codes must be unique and in order");
        for e in ALL {
            assert!(e.code.len() == 6 && e.code.starts_with("EL"), "{}", e.code);
            assert!(
                e.code[2..].chars().all(|c| c.is_ascii_digit()),
                "{}",
                e.code
            );
            let compile = e.code.starts_with("EL0");
            assert_eq!(
                compile,
                e.phase == Phase::Compile,
                "{}: phase must match the range",
                e.code
            );
            for text in [e.title, e.explanation, e.hint, e.wrong, e.right] {
                assert!(!text.trim().is_empty(), "{} has an empty field", e.code);
            }
        }
    }

    #[test]
    fn request_time_entries_and_only_they_answer_and_say_so() {
        for e in ALL {
            let Some(answer) = e.answer else {
                assert!(
                    e.phase != Phase::Request,
                    "{} is raised at request time: give it an `answer`",
                    e.code
                );
                continue;
            };
            assert_eq!(
                e.phase,
                Phase::Request,
                "{}: only request-time entries answer",
                e.code
            );
            assert!(
                e.code.starts_with("EL3"),
                "{}: request-time entries are EL3xxx",
                e.code
            );
            assert!(
                (400..=599).contains(&answer.status),
                "{}: {} is not an error status",
                e.code,
                answer.status
            );
            assert!(
                !answer.code.is_empty()
                    && answer
                        .code
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b == b'_'),
                "{}: `{}` is not SCREAMING_SNAKE",
                e.code,
                answer.code
            );
            assert!(
                e.explanation.contains(&format!("status {}", answer.status))
                    && e.explanation.contains(&format!("`{}`", answer.code)),
                "{}: the explanation must say `status {}` and `{}`",
                e.code,
                answer.status,
                answer.code
            );
        }
    }

    #[test]
    fn a_package_catalogue_keeps_to_its_block_and_to_boot_entries() {
        const ONE: Entry = Entry {
            code: "EL5001",
            phase: Phase::Boot,
            ..Entry::BLANK
        };
        const STRAY: Entry = Entry {
            code: "EL5200",
            phase: Phase::Request,
            ..Entry::BLANK
        };
        let good = Catalogue {
            package: "a",
            first: 5000,
            last: 5099,
            docs: "",
            entries: &[ONE],
        };
        assert!(good.problems().is_empty());
        assert_eq!(good.find("el5001").map(|e| e.code), Some("EL5001"));
        let bad = Catalogue {
            package: "b",
            first: 4900,
            last: 5050,
            docs: "",
            entries: &[ONE, ONE, STRAY],
        };
        assert_eq!(
            bad.problems(),
            [
                "`b` reserves EL4900–EL5050, outside the packages' codes EL5000–EL9999",
                "`b` defines `EL5001` twice",
                "`b`'s code `EL5200` is not in its block EL4900–EL5050",
                "`b`'s `EL5200` is not a boot-time entry",
            ]
        );
        assert!(good.overlaps(&bad) && bad.overlaps(&good));
    }

    #[test]
    fn find_is_case_insensitive() {
        assert_eq!(find("el1001").map(|e| e.code), Some("EL1001"));
        assert!(find("EL9999").is_none());
    }
}
