use elif::prelude::*;

pub struct Pool;

#[factory]
async fn pool(url: String) -> Pool {
    let _ = url;
    Pool
}

fn main() {}
