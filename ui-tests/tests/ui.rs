//! Every macro misuse elif detects, with the compile error it gives
//! (`cases/<macro>/fail/*.rs` with their `.stderr`), and the forms that
//! must compile (`cases/<macro>/pass/*.rs`).
//!
//! Regenerate the `.stderr` files with `TRYBUILD=overwrite cargo test -p elif-ui-tests`,
//! then review them like code.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("cases/*/pass/*.rs");
    t.compile_fail("cases/*/fail/*.rs");
}
