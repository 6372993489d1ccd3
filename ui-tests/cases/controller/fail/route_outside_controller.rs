use elif::prelude::*;

pub struct Posts;

impl Posts {
    #[get("/")]
    pub async fn list(&self) -> String {
        String::new()
    }
}

fn main() {}
