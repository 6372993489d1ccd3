use elif::prelude::*;

#[injectable(
    scope = "request",
    scope = "transient",
)]
pub struct Cart {}

fn main() {}
