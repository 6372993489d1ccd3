use elif::prelude::*;

#[injectable]
pub struct Greeter {
    greeting: String,
}

fn main() {}
