use elif::prelude::*;

#[injectable(scope = "request", on_init)]
pub struct Cart {}

fn main() {}
