//! Packages' catalogues that break the rules of the packages' codes stop
//! the boot (`EL1019`), and `find_entry` finds a package's entries. (Its
//! own test binary: the catalogues registered here are in every app this
//! binary boots. elif-auth's tests show a package's code naming a failed
//! factory and hook in the boot report.)

#![allow(missing_docs, clippy::unwrap_used)]

use elif::diagnostics::catalogue::Phase;
use elif::prelude::*;

elif::package_catalogue! {
    /// A well-behaved package.
    pub static GOOD = ("good-pkg", 9800..=9849, "https://example.com/good-pkg");
    /// Its only diagnostic.
    EL9801 = {
        phase: Phase::Boot,
        title: "the widget is not configured",
        explanation: "The widget needs a colour.",
        hint: "set `widget.colour`",
        wrong: "[widget]",
        right: "[widget]\ncolour = \"red\"",
    }
}

elif::package_catalogue! {
    /// A package whose block overlaps the first's and whose entry is
    /// outside it.
    pub static BAD = ("bad-pkg", 9840..=9899, "https://example.com/bad-pkg");
    /// Outside its block.
    EL4242 = {
        phase: Phase::Boot,
        title: "stray",
        explanation: "Outside.",
        hint: "move it",
        wrong: "EL4242",
        right: "EL9842",
    }
}

#[module()]
pub struct EmptyModule;

#[elif::test]
async fn a_package_catalogue_outside_its_block_stops_the_boot() {
    let error = App::new()
        .module(EmptyModule)
        .without_env()
        .boot()
        .await
        .map(|_| ())
        .unwrap_err();
    let report = error.boot_report().unwrap();
    let codes: Vec<&str> = report.diagnostics().iter().map(|d| d.entry.code).collect();
    assert_eq!(codes, ["EL1019", "EL1019"], "{report}");
    let messages: Vec<&str> = report
        .diagnostics()
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert!(
        messages.contains(&"`bad-pkg`'s code `EL4242` is not in its block EL9840–EL9899"),
        "{report}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("reserve the same codes")),
        "{report}"
    );
    let (entry, more) = elif::diagnostics::find_entry("el9801").unwrap();
    assert_eq!(entry.title, "the widget is not configured");
    assert_eq!(more, "https://example.com/good-pkg");
}
