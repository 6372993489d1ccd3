// `#[unique]` and `#[index]`: not on a key (unique and indexed already) or
// a timestamp the repository sets, not both at once; and only a
// `#[unique]` column finds the row to upsert by.
use elif::prelude::*;

#[model]
pub struct User {
    #[key]
    #[unique]
    pub id: i64,
    #[unique]
    #[index]
    pub email: String,
    pub name: String,
    #[unique]
    pub created_at: Timestamp,
}

#[model(table = "tags")]
#[derive(Debug, Clone)]
pub struct Tag {
    #[key]
    pub id: i64,
    #[unique]
    pub slug: String,
    pub label: String,
}

async fn upsert(tags: &Repository<Tag>) -> elif::Result<Tag> {
    tags.upsert_by(
        tags::label,
        NewTag {
            slug: "rust".into(),
            label: "Rust".into(),
        },
    )
    .await
}

fn main() {
    let _ = upsert;
}
