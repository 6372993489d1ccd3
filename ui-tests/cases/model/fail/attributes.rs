// Misspelt and conflicting attributes are refused where they are written.
use elif::prelude::*;

#[model(tabel = "posts")]
pub struct Misspelt {
    #[key]
    pub id: i64,
    #[fillabel]
    pub title: String,
}

#[model(table = "posts; DROP")]
#[derive(serde::Serialize)]
pub struct Conflicts {
    #[key]
    #[fillable]
    pub id: i64,
    #[fillable]
    pub created_at: Timestamp,
    pub updated_at: String,
    pub table: String,
    #[key(auto)]
    #[belongs_to]
    pub author_id: i64,
}

fn main() {}
