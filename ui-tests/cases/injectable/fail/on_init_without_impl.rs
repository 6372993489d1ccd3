use elif::prelude::*;

#[injectable(on_init)]
pub struct Cache {}

fn main() {}
