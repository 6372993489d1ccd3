use elif::prelude::*;

// One error, at the argument, naming what is missing (`Deserialize`), not
// two, and not "not an extractor".
pub struct Note {
    pub text: String,
}

#[injectable]
pub struct Notes;

#[controller("/notes")]
impl Notes {
    #[post("/")]
    async fn create(&self, input: Json<Note>) -> String {
        input.0.text
    }
}

fn main() {}
