// The argument must be a string literal naming a directory.
fn main() {
    let _ = elif::migrations!(migrations);
}
