// `#[belongs_to(..)]` names another model.
use elif::prelude::*;

pub struct Author;

#[model]
pub struct Post {
    #[key]
    pub id: i64,
    #[belongs_to(Author)]
    pub author_id: i64,
}

fn main() {}
