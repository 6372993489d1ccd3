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
}

#[module(imports(DataModule), providers(Repository<Author>, Repository<Gadget>))]
pub struct AppModule;

async fn use_them(authors: &Repository<Author>, gadgets: &Repository<Gadget>) -> elif::Result<()> {
    let ada = authors.insert(AuthorInput { name: "ada".into() }.into_new("hash".into())).await?;
    let _ = authors
        .list(Criteria::new().filter(authors::name.like("a%")).order_by(authors::id.desc()))
        .await?;
    let _ = authors.update(ada.id, AuthorPatch::default().into()).await?;
    let _ = gadgets.count(Criteria::new().filter(gadgets::author_id.eq(ada.id))).await?;
    gadgets.delete(Uuid::new_v4()).await
}

fn main() {
    let _ = use_them;
    assert_eq!(<Gadget as elif::data::Model>::info().table, "gadgets");
}
