use elif::prelude::*;
use std::sync::atomic::AtomicU64;

#[injectable]
pub struct Counter {
    #[inject(defualt)]
    hits: AtomicU64,
}

fn main() {}
