use elif::prelude::*;

#[injectable(scope = "session")]
pub struct Cart {}

fn main() {}
