use elif::prelude::*;

#[injectable]
pub struct Posts;

#[controller("/posts")]
impl Posts {
    #[get("/by author")]
    async fn by_author(&self) -> String {
        String::new()
    }
}

fn main() {}
