use elif::prelude::*;

#[injectable]
pub struct Cache<T> {
    #[inject(default)]
    items: Vec<T>,
}

fn main() {}
