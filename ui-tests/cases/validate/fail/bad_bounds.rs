use elif::prelude::*;

#[derive(Validate)]
pub struct NewPost {
    #[validate(length(mn = 1, max = 200), length(max = 3))]
    pub title: String,
    #[validate(range())]
    pub stars: u8,
}

fn main() {}
