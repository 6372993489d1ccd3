use elif::prelude::*;

#[derive(Validate)]
pub struct NewPost {
    // Text is not a collection of items.
    #[validate(each(length(min = 1)))]
    pub title: String,
}

fn main() {}
