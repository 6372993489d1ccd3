// `#[count(..)]` and `#[exists(..)]` fields: they name a relation field of
// the model, count what can be counted, and hold `Related<i64>` /
// `Related<bool>`.
use elif::prelude::*;

#[model]
#[derive(Clone)]
pub struct User {
    #[key]
    pub id: i64,
}

#[model]
#[derive(Clone)]
pub struct Comment {
    #[key]
    pub id: i64,
    pub post_id: i64,
}

#[model]
pub struct Post {
    #[key]
    pub id: i64,
    pub author_id: i64,
    #[has_many(Comment)]
    pub comments: Related<Vec<Comment>>,
    #[belongs_to(User)]
    pub author: Related<User>,
    #[count(coments)]
    pub comments_count: Related<i64>,
    #[count(author)]
    pub author_count: Related<i64>,
    #[count(comments)]
    pub how_many: i64,
    #[exists(comments)]
    pub commented: Related<i64>,
    #[exists]
    pub nothing: Related<bool>,
}

fn main() {}
