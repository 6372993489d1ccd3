// Folders that are not migrations: a name without a version, a missing
// `down.sql`, a misspelt backend file, two folders with one version, and
// SQL for only one backend. Every problem is reported at once.
fn main() {
    let _ = elif::migrations!("../fixtures/invalid");
}
