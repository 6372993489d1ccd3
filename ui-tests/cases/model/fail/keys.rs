// A model has exactly one `#[key]`, never optional.
use elif::prelude::*;

#[model]
pub struct NoKey {
    pub id: i64,
}

#[model]
pub struct TwoKeys {
    #[key]
    pub id: i64,
    #[key]
    pub other: i64,
}

#[model]
pub struct OptionalKey {
    #[key]
    pub id: Option<i64>,
}

fn main() {}
