use elif::prelude::*;

#[injectable]
pub struct Posts;

pub struct Admin;

pub struct Editor;

#[controller("/posts")]
impl Posts {
    #[get("/", guards(Admin), guards(Editor))]
    async fn list(&self) -> String {
        String::new()
    }
}

fn main() {}
