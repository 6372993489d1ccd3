// `#[model]` is for plain structs with named fields.
use elif::prelude::*;

#[model]
pub enum State {
    Draft,
}

#[model]
pub struct Tuple(i64);

#[model]
pub struct Generic<T> {
    #[key]
    pub id: i64,
    pub value: T,
}

fn main() {}
