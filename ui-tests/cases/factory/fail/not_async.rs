use elif::prelude::*;

pub struct Pool;

#[factory]
fn pool() -> Pool {
    Pool
}

fn main() {}
