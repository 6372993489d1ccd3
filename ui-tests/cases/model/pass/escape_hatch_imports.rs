// diesel's query traits imported at the top of a file, as a hand-written
// query needs them, must not take over the repository's own methods:
// `RunQueryDsl` is implemented for every type, so `self.tags.first(..)` on
// an `Inject<Repository<Tag>>` would be diesel's `first` if it were in
// scope. `with_connection!` brings it into scope inside its body only.
use elif::data::diesel::QueryDsl;
use elif::prelude::*;

#[model(table = "tags")]
#[derive(Debug, Clone)]
pub struct Tag {
    #[key]
    pub id: i64,
    pub name: String,
}

#[injectable]
pub struct TagService {
    tags: Inject<Repository<Tag>>,
}

impl TagService {
    pub async fn first_and_loaded(&self) -> elif::Result<Option<Tag>> {
        let first = self
            .tags
            .first(Criteria::new().order_by(tags::name.asc()))
            .await?;
        let mut rows: Vec<Tag> = first.iter().cloned().collect();
        self.tags.count(Criteria::new()).await?;
        self.tags.find(1).await?;
        let _ = &mut rows;
        Ok(first)
    }

    pub async fn by_hand(&self) -> elif::Result<Vec<String>> {
        let mut conn = self.tags.database().connection().await?;
        let names = elif::with_connection!(conn, |c| tags::table
            .select(tags::name)
            .filter(tags::id.gt(0))
            .load::<String>(c)
            .await)
        .map_err(|e| elif::Error::internal(e.to_string()))?;
        Ok(names)
    }
}

fn main() {}
