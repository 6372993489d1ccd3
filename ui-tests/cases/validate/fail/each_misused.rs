use elif::prelude::*;

#[derive(Validate)]
pub struct NewPost {
    // A rule on the whole field is not an item rule.
    #[validate(each(required))]
    pub tags: Vec<String>,
    // Item rules, but none given.
    #[validate(each())]
    pub labels: Vec<String>,
}

fn main() {}
