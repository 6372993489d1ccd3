use elif::prelude::*;

#[derive(Config)]
pub struct Port(u16);

fn main() {}
