use elif::prelude::*;

#[injectable(scpoe = "request")]
pub struct Cart {}

fn main() {}
