//! `elif routes | map | check` inside an app's directory: runs the app's
//! binary with that command through `cargo run`, so a user has one entry
//! point and the app's own registry answers (never a scan of its source).

use std::ffi::OsString;
use std::process::Command;

/// Where the app lives and which binary to run.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// `cargo run --package`, for a workspace with several apps.
    pub package: Option<String>,
    /// `cargo run --bin`, for a package with several binaries.
    pub bin: Option<String>,
    /// `cargo run --release`.
    pub release: bool,
}

/// The command that runs `command args..` on the app: `$CARGO` (or
/// `cargo`) `run --quiet [--package P] [--bin B] [--release] -- command args..`.
pub fn command(target: &Target, app_command: &str, args: &[OsString]) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut command = Command::new(cargo);
    command.arg("run").arg("--quiet");
    if let Some(package) = &target.package {
        command.args(["--package", package]);
    }
    if let Some(bin) = &target.bin {
        command.args(["--bin", bin]);
    }
    if target.release {
        command.arg("--release");
    }
    command.arg("--").arg(app_command).args(args);
    command
}

/// Runs the app's command and returns its exit code (1 when it could not
/// be started; 101 is cargo's own failure, such as a build error).
pub fn run(target: &Target, app_command: &str, args: &[OsString]) -> u8 {
    match command(target, app_command, args).status() {
        Ok(status) => status
            .code()
            .and_then(|c| u8::try_from(c).ok())
            .unwrap_or(1),
        Err(error) => {
            eprintln!("error: cannot run cargo: {error}");
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_the_command_and_its_arguments_after_the_separator() {
        let target = Target {
            package: Some("example-blog".into()),
            bin: None,
            release: false,
        };
        let command = command(&target, "check", &["--json".into()]);
        let args: Vec<_> = command
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args,
            [
                "run",
                "--quiet",
                "--package",
                "example-blog",
                "--",
                "check",
                "--json"
            ]
        );
    }
}
