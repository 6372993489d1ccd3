//! Boot-time diagnostics: every problem found while booting, gathered into one
//! report before anything is served.

use std::fmt;

use elif_catalogue::Entry;
pub use elif_catalogue::{self as catalogue};

/// What `package_catalogue!` registers with (not public API).
#[doc(hidden)]
pub use inventory as __inventory;

/// A package's catalogue, as `package_catalogue!` registers it.
#[derive(Debug)]
pub struct CatalogueRegistration(pub &'static elif_catalogue::Catalogue);

inventory::collect!(CatalogueRegistration);

/// Every package catalogue linked into the binary.
pub fn package_catalogues() -> impl Iterator<Item = &'static elif_catalogue::Catalogue> {
    inventory::iter::<CatalogueRegistration>
        .into_iter()
        .map(|registration| registration.0)
}

/// The entry for `code` in elif's catalogue or a package's, with where to
/// read more about it.
pub fn find_entry(code: &str) -> Option<(&'static Entry, String)> {
    if let Some(entry) = elif_catalogue::find(code) {
        return Some((entry, entry.url()));
    }
    package_catalogues().find_map(|catalogue| {
        catalogue
            .find(code)
            .map(|entry| (entry, catalogue.docs.to_owned()))
    })
}

/// `EL1019` for every package catalogue out of the packages' codes, with
/// an entry outside its block, or sharing codes with another's.
pub(crate) fn catalogue_problems() -> Vec<Diagnostic> {
    let catalogues: Vec<&elif_catalogue::Catalogue> = package_catalogues().collect();
    let mut out: Vec<Diagnostic> = Vec::new();
    for (i, catalogue) in catalogues.iter().enumerate() {
        out.extend(
            catalogue
                .problems()
                .into_iter()
                .map(|problem| Diagnostic::error(&elif_catalogue::EL1019, problem)),
        );
        for other in catalogues[..i].iter().filter(|o| o.overlaps(catalogue)) {
            out.push(Diagnostic::error(
                &elif_catalogue::EL1019,
                format!(
                    "`{}` (EL{}–EL{}) and `{}` (EL{}–EL{}) reserve the same codes",
                    other.package,
                    other.first,
                    other.last,
                    catalogue.package,
                    catalogue.first,
                    catalogue.last
                ),
            ));
        }
    }
    out
}

/// A package's own boot diagnostics, in the block of codes it reserved
/// (docs/packages.md lists the blocks given out), registered so that the
/// boot checks them and the app's `explain` command finds them. Raise one
/// with `Error::framework(&EL5001, "..")` (from a factory or an `on_init`
/// hook: the boot report then names it).
///
/// ```text
/// elif::package_catalogue! {
///     /// elif-auth's diagnostics.
///     pub static CATALOGUE = ("elif-auth", 5000..=5099, "https://docs.rs/elif-auth");
///     /// The JWT settings cannot sign or verify tokens.
///     EL5001 = {
///         phase: Phase::Boot,
///         title: "JWT configuration invalid",
///         explanation: "..", hint: "..", wrong: "..", right: "..",
///     }
/// }
/// ```
#[macro_export]
macro_rules! package_catalogue {
    (
        $(#[$catalogue_doc:meta])*
        $vis:vis static $catalogue:ident = ($package:literal, $first:literal ..= $last:literal, $docs:literal);
        $( $(#[$doc:meta])* $name:ident = { $($field:ident : $value:expr),* $(,)? } )*
    ) => {
        $(
            $(#[$doc])*
            #[allow(clippy::needless_update)]
            $vis const $name: $crate::diagnostics::catalogue::Entry = $crate::diagnostics::catalogue::Entry {
                code: ::core::stringify!($name),
                $($field: $value,)*
                ..$crate::diagnostics::catalogue::Entry::BLANK
            };
        )*
        $(#[$catalogue_doc])*
        $vis static $catalogue: $crate::diagnostics::catalogue::Catalogue = $crate::diagnostics::catalogue::Catalogue {
            package: $package,
            first: $first,
            last: $last,
            docs: $docs,
            entries: &[$($name),*],
        };
        $crate::diagnostics::__inventory::submit! {
            $crate::diagnostics::CatalogueRegistration(&$catalogue)
        }
    };
}

/// Where a component is declared in the user's source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    /// Path of the file, as `file!()` gives it.
    pub file: &'static str,
    /// 1-based line.
    pub line: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth fixing, but the app can still start.
    Warning,
    /// The app cannot start.
    Error,
}

/// One problem found at boot, with its catalogue entry and a specific message.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// The catalogue entry (stable code, title, generic hint).
    pub entry: &'static Entry,
    /// How bad it is.
    pub severity: Severity,
    /// What is wrong in this app, naming its components.
    pub message: String,
    /// How to fix it in this app; defaults to the catalogue's hint.
    pub hint: String,
    /// Where the offending declaration is, when known.
    pub location: Option<Location>,
}

impl Diagnostic {
    /// An error with the catalogue's hint.
    pub fn error(entry: &'static Entry, message: impl Into<String>) -> Self {
        Self {
            entry,
            severity: Severity::Error,
            message: message.into(),
            hint: entry.hint.to_owned(),
            location: None,
        }
    }

    /// A warning with the catalogue's hint: reported, but the app starts.
    pub fn warning(entry: &'static Entry, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(entry, message)
        }
    }

    /// Replaces the catalogue's generic hint with one specific to this app.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }

    /// Sets where the offending declaration is.
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    /// The stable catalogue code, e.g. `EL1001`.
    pub fn code(&self) -> &'static str {
        self.entry.code
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{label}[{}]: {}", self.entry.code, self.entry.title)?;
        write!(f, "\n  {}", self.message.replace('\n', "\n  "))?;
        if let Some(location) = &self.location {
            write!(f, "\n  --> {location}")?;
        }
        write!(f, "\n  hint: {}", self.hint)
    }
}

impl serde::Serialize for Diagnostic {
    /// `{code, severity, title, message, hint, location}`: the shape of
    /// `check --json` and of the `diagnostics` of `map --json`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("Diagnostic", 6)?;
        out.serialize_field("code", self.entry.code)?;
        out.serialize_field("severity", &self.severity)?;
        out.serialize_field("title", self.entry.title)?;
        out.serialize_field("message", &self.message)?;
        out.serialize_field("hint", &self.hint)?;
        out.serialize_field("location", &self.location)?;
        out.end()
    }
}

/// The errors that only say the database is behind the code (pending
/// migrations, schema drift): `check` exits with 2 for them rather than 1, so a deploy
/// script can tell "migrate first" from "broken".
const DATABASE_BEHIND: &[&str] = &[elif_catalogue::EL4001.code, elif_catalogue::EL4006.code];

/// Every problem found while booting, in the order the checks ran.
#[derive(Debug, Clone, Default)]
pub struct BootReport {
    diagnostics: Vec<Diagnostic>,
}

impl BootReport {
    /// A report of the given diagnostics.
    pub fn new(diagnostics: Vec<Diagnostic>) -> Self {
        Self { diagnostics }
    }

    /// Adds a diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Adds every diagnostic of another report.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.diagnostics.extend(other);
    }

    /// The diagnostics, in the order they were found.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Whether any diagnostic stops the app from starting.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// Whether the report is empty.
    pub fn is_empty(&self) -> bool {
        self.diagnostics.is_empty()
    }

    /// The exit code of a command that found these problems: 0 without
    /// errors, 2 when the only errors say the database is behind (pending
    /// migrations), else 1.
    pub fn exit_code(&self) -> u8 {
        let errors = self
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error);
        let mut errors = errors.peekable();
        if errors.peek().is_none() {
            0
        } else if errors.all(|d| DATABASE_BEHIND.contains(&d.entry.code)) {
            2
        } else {
            1
        }
    }

    /// "3 errors" or "1 error, 1 warning".
    pub fn summary(&self) -> String {
        let errors = self
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        let warnings = self.diagnostics.len() - errors;
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        match (errors, warnings) {
            (e, 0) => plural(e, "error"),
            (0, w) => plural(w, "warning"),
            (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
        }
    }
}

impl IntoIterator for BootReport {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.diagnostics.into_iter()
    }
}

impl fmt::Display for BootReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.exit_code() == 2 {
            write!(
                f,
                "the database is behind the code (migrate it): {}",
                self.summary()
            )?;
        } else if self.has_errors() {
            write!(f, "the application cannot start: {}", self.summary())?;
        } else {
            write!(f, "the application can start, with {}", self.summary())?;
        }
        for diagnostic in &self.diagnostics {
            write!(f, "\n\n{diagnostic}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use elif_catalogue::{EL1001, EL1002};

    #[test]
    fn report_lists_every_problem_with_code_message_and_hint() {
        let report = BootReport::new(vec![
            Diagnostic::error(
                &EL1001,
                "`Signup` depends on `dyn Mailer`, which nothing provides",
            ),
            Diagnostic::error(&EL1002, "A -> B -> A").hint("split them"),
        ]);
        let text = report.to_string();
        assert!(
            text.starts_with("the application cannot start: 2 errors"),
            "{text}"
        );
        assert!(
            text.contains("error[EL1001]: missing provider\n  `Signup` depends on `dyn Mailer`"),
            "{text}"
        );
        assert!(
            text.contains("error[EL1002]: dependency cycle\n  A -> B -> A\n  hint: split them"),
            "{text}"
        );
        assert_eq!(report.exit_code(), 1);
    }

    #[test]
    fn warnings_alone_do_not_stop_the_app() {
        let report = BootReport::new(vec![Diagnostic::warning(
            &elif_catalogue::EL1013,
            "built with abort",
        )]);
        assert!(!report.has_errors());
        assert_eq!(report.exit_code(), 0);
        assert!(
            report
                .to_string()
                .starts_with("the application can start, with 1 warning\n\nwarning[EL1013]"),
            "{report}"
        );
    }
}
