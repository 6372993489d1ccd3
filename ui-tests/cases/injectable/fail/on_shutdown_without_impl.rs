use elif::prelude::*;

#[injectable(on_shutdown)]
pub struct Pool {}

fn main() {}
