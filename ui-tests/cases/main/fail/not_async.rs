#[elif::main]
fn main() {}
