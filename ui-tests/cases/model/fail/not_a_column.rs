// A type of the app's own is a column only if it implements `Column`.
use elif::prelude::*;

#[derive(Debug, Clone)]
pub struct Colour(String);

#[model]
pub struct Paint {
    #[key]
    pub id: i64,
    pub colour: Colour,
}

fn main() {}
