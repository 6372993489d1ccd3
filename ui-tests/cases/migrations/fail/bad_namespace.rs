// A namespace is recorded with every migration of the package for good:
// lower-case letters, digits and `_`, starting with a letter.
fn main() {
    let _ = elif::migrations!("../fixtures/invalid", namespace = "Auth-Package");
}
