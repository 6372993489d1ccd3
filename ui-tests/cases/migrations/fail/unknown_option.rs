// The only option is `namespace`.
fn main() {
    let _ = elif::migrations!(package = "auth");
}
