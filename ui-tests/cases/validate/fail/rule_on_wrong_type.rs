use elif::prelude::*;

#[derive(Validate)]
pub struct NewPost {
    #[validate(length(min = 1))]
    pub stars: u8,
}

fn main() {}
