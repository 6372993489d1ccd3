// Upsert needs a key the caller gives; an integer key is generated.
use elif::prelude::*;

#[model]
pub struct Note {
    #[key]
    pub id: i64,
    pub body: String,
}

async fn save(notes: &Repository<Note>) -> elif::Result<Note> {
    notes.upsert(NewNote { body: "hi".into() }).await
}

fn main() {
    let _ = save;
}
