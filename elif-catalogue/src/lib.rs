//! The catalogue of every diagnostic elif can produce.
//!
//! Each entry has a stable code of the form `ELnnnn` (distinct from rustc's
//! `E0xxx`): compile-time errors of the macros are `EL0xxx`, boot-time errors
//! of the dependency graph and modules `EL1xxx`, configuration `EL2xxx`.
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
}

/// One entry of the catalogue.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// Stable code, e.g. `EL1001`.
    pub code: &'static str,
    /// When the diagnostic is raised.
    pub phase: Phase,
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

macro_rules! catalogue {
    ($( $(#[$doc:meta])* $name:ident = { $($field:ident : $value:expr),* $(,)? } )*) => {
        $( $(#[$doc])* pub const $name: Entry = Entry { code: stringify!($name), $($field: $value),* }; )*
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
         macros, `EL1xxx` boot errors of the dependency graph and modules, `EL2xxx` configuration errors. \
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

    #[test]
    fn docs_errors_md_is_up_to_date() {
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
    fn find_is_case_insensitive() {
        assert_eq!(find("el1001").map(|e| e.code), Some("EL1001"));
        assert!(find("EL9999").is_none());
    }
}
