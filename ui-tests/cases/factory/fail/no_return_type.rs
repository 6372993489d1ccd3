use elif::prelude::*;

#[factory]
async fn pool() {}

fn main() {}
