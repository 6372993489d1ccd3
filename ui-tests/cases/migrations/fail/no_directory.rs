// The directory does not exist (paths are relative to this file).
fn main() {
    let _ = elif::migrations!("../fixtures/none");
}
