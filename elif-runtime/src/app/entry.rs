//! The process entry point behind `#[elif::main]`: logging, the runtime, and
//! turning the outcome into an exit code.

use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;
use std::str::FromStr;

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::set_app_name;

/// Runs the body of an `#[elif::main]` function: installs logging (to
/// stderr; stdout belongs to command output), starts the runtime, and maps
/// an error to its report on stderr and its exit code.
pub fn run_main<F>(package: &'static str, main: F) -> ExitCode
where
    F: Future<Output = crate::Result<()>>,
{
    // Boxed at once: the runtime's entry is compiled here, once, not in
    // every app for its `main`'s future type.
    main_boxed(package, Box::pin(main))
}

fn main_boxed(package: &'static str, main: LocalFuture<'_, crate::Result<()>>) -> ExitCode {
    set_app_name(package);
    init_logging();
    match actix_rt::System::new().block_on(main) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if !error.detail().is_empty() {
                // The process is about to end: the report goes to the user directly.
                eprintln!("{error}");
            }
            ExitCode::from(error.exit_code())
        }
    }
}

/// Runs the body of an `#[elif::test]` function on a fresh runtime.
pub fn run_test<F: Future>(test: F) -> F::Output {
    // As `run_main`: the runtime's entry is compiled once, for a boxed future.
    let mut output = None;
    block_on(Box::pin(async {
        output = Some(test.await);
    }));
    output.expect("the test's future completed")
}

fn block_on(future: LocalFuture<'_, ()>) {
    actix_rt::System::new().block_on(future)
}

type LocalFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// Logs to stderr, filtered by `RUST_LOG` (e.g. `info,elif_runtime=debug`), `info` by default.
fn init_logging() {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|spec| Targets::from_str(&spec).ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO));
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .try_init();
}
