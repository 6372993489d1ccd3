use elif::prelude::*;

#[derive(Validate)]
pub struct NewPost {
    #[validate(lenght(min = 1))]
    pub title: String,
}

fn main() {}
