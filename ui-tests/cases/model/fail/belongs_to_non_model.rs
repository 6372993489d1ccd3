// `#[belongs_to(..)]` names another model. The first error says so at the
// name; the second is rustc's coherence check on the impls that let the two
// tables be joined (`TableNotEqual`), which cannot be written for a type
// that has no table: it goes away with the first.
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
