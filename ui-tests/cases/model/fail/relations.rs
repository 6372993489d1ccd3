// Relation fields: a `Related<..>` field says which relation it is, with
// the right shape, and a `belongs_to` relation needs its foreign key.
use elif::prelude::*;

#[model]
#[derive(Clone)]
pub struct Tag {
    #[key]
    pub id: i64,
}

#[model]
pub struct Post {
    #[key]
    pub id: i64,
    #[has_many(Tag)]
    pub tag: Related<Tag>,
    pub favourite: Related<Option<Tag>>,
    #[has_many(Tag, foreign_kee = post_id)]
    pub drafts: Related<Vec<Tag>>,
    #[belongs_to(Tag)]
    pub main_tag: Related<Tag>,
    #[many_to_many(Tag)]
    pub tags: Related<Vec<Tag>>,
}

fn main() {}
