//! Commands a module adds to the app's binary, next to `serve`, `check`,
//! `migrate` and the rest: `#[module(commands(PruneTokens))]`, then
//! `./app auth:prune`. A package brings its maintenance tasks this way,
//! as a Laravel package registers artisan commands.
//!
//! A command is an `#[injectable]` (so it injects services, repositories
//! and config) that implements [`AppCommand`]. The app boots before it
//! runs (config checked, migrations applied outside production, `on_init`
//! hooks run) and shuts down after.

use std::future::Future;

use crate::BoxFuture;
use crate::di::Container;
use crate::di::provider::{Injectable, ProviderDescriptor};

/// A command of the app's binary, added by a module's `commands(..)`.
///
/// ```text
/// #[injectable]
/// pub struct PruneTokens { tokens: Inject<ApiTokens> }
///
/// impl AppCommand for PruneTokens {
///     const NAME: &'static str = "auth:prune";
///     const ABOUT: &'static str = "Delete expired API tokens and links";
///     async fn run(&self, args: &[String]) -> elif::Result<String> {
///         let n = self.tokens.prune().await?;
///         Ok(format!("deleted {n}\n"))
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an app command",
    label = "`commands(..)` lists types that implement `AppCommand`",
    note = "mark the struct `#[injectable]` and write `impl AppCommand for {Self} {{ const NAME: &'static str = \"pkg:verb\"; const ABOUT: &'static str = \"..\"; async fn run(&self, args: &[String]) -> elif::Result<String> {{ .. }} }}`"
)]
pub trait AppCommand: Injectable + Send + Sync + 'static {
    /// Its name on the command line: lower-case words joined by `-`, after
    /// the package's name and `:` for a package's (`auth:prune`). A name
    /// elif uses (`serve`, `check`, `migrate`..) or another command's is a
    /// boot error (`EL1018`).
    const NAME: &'static str;
    /// One line for `--help`.
    const ABOUT: &'static str;
    /// Runs it with the words after its name; what it returns is printed
    /// to stdout, an error exits non-zero with the error on stderr.
    fn run(&self, args: &[String]) -> impl Future<Output = crate::Result<String>> + Send;
}

/// A command listed in a module: its provider, name and help, and how to
/// run it from the booted app's container. Made by [`CommandEntry::of`].
#[derive(Debug, Clone, Copy)]
pub struct CommandEntry {
    /// The command's provider (a singleton, built at boot).
    pub provider: fn() -> &'static ProviderDescriptor,
    /// [`AppCommand::NAME`].
    pub name: &'static str,
    /// [`AppCommand::ABOUT`].
    pub about: &'static str,
    /// Finds the command in the container and runs it.
    pub(crate) run: for<'a> fn(&'a Container, &'a [String]) -> BoxFuture<'a, crate::Result<String>>,
}

impl CommandEntry {
    /// The entry of command `C`.
    pub const fn of<C: AppCommand>() -> Self {
        Self {
            provider: C::descriptor,
            name: C::NAME,
            about: C::ABOUT,
            run: run::<C>,
        }
    }

    /// Runs the command in the booted app of `container`.
    pub(crate) fn run<'a>(
        &self,
        container: &'a Container,
        args: &'a [String],
    ) -> BoxFuture<'a, crate::Result<String>> {
        (self.run)(container, args)
    }
}

fn run<'a, C: AppCommand>(
    container: &'a Container,
    args: &'a [String],
) -> BoxFuture<'a, crate::Result<String>> {
    Box::pin(async move {
        let command = container.get::<C>().ok_or_else(|| {
            crate::Error::internal(format!(
                "command `{}` was not built: a command must be a singleton",
                C::NAME
            ))
        })?;
        command.run(args).await
    })
}

/// The names elif's own commands use.
pub(crate) const BUILT_IN: &[&str] = &[
    "serve", "check", "routes", "map", "openapi", "migrate", "db", "explain", "help",
];

/// Whether `name` is lower-case words of letters and digits joined by
/// `-`, with at most one `package:` before them.
pub(crate) fn valid_name(name: &str) -> bool {
    let word = |w: &str| {
        !w.is_empty()
            && w.starts_with(|c: char| c.is_ascii_lowercase())
            && w.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            })
    };
    match name.split_once(':') {
        Some((package, verb)) => word(package) && word(verb),
        None => word(name),
    }
}

#[cfg(test)]
mod tests {
    use super::valid_name;

    #[test]
    fn names_are_words_with_one_optional_package() {
        for good in ["prune", "auth:prune", "auth:prune-tokens", "cache2:clear"] {
            assert!(valid_name(good), "{good}");
        }
        for bad in [
            "",
            "Auth:prune",
            "auth:",
            ":prune",
            "a:b:c",
            "auth prune",
            "auth:-x",
            "9lives",
        ] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
