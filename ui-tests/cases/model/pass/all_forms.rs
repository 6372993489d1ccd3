// Every field attribute and supported type, a default table name, and the
// generated forms and repository used as an app would.
use elif::data::{Document, Uuid};
use elif::prelude::*;

#[model(table = "authors")]
#[derive(Debug, Clone)]
pub struct Author {
    #[key]
    pub id: i64,
    #[fillable]
    #[validate(length(min = 1))]
    pub name: String,
    #[hidden]
    pub password_hash: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[model]
pub struct Gadget {
    #[key]
    pub id: Uuid,
    #[belongs_to(Author)]
    pub author_id: i64,
    pub small: i16,
    pub count: i32,
    pub ratio: f32,
    pub precise: f64,
    pub active: bool,
    pub bytes: Vec<u8>,
    pub day: elif::data::chrono::NaiveDate,
    pub meta: Document,
    #[fillable]
    pub note: Option<String>,
    /// A raw identifier: the column is `type`.
    pub r#type: String,
}

/// A table of keys alone: an update has nothing to set.
#[model]
pub struct Marker {
    #[key]
    pub id: i64,
}

#[module(
    imports(DataModule),
    providers(Repository<Author>, Repository<Gadget>, Repository<Marker>)
)]
pub struct AppModule;

async fn use_them(authors: &Repository<Author>, gadgets: &Repository<Gadget>) -> elif::Result<()> {
    let ada = authors.insert(AuthorInput { name: "ada".into() }.into_new("hash".into())).await?;
    let _ = authors
        .list(Criteria::new().filter(authors::name.like("a%")).order_by(authors::id.desc()))
        .await?;
    let _ = authors.update(ada.id, AuthorPatch::default().into()).await?;
    let _ = gadgets.count(Criteria::new().filter(gadgets::author_id.eq(ada.id))).await?;
    let _ = gadgets.upsert(NewGadget {
        id: Uuid::new_v4(),
        author_id: ada.id,
        small: 1,
        count: 2,
        ratio: 0.5,
        precise: 0.25,
        active: true,
        bytes: vec![1],
        day: elif::data::chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        meta: Document(serde_json::json!({})),
        note: None,
        r#type: "gadget".into(),
    })
    .await?;
    gadgets.delete(Uuid::new_v4()).await
}

fn main() {
    let _ = use_them;
    assert_eq!(<Gadget as elif::data::Model>::info().table, "gadgets");
}
