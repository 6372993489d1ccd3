use elif::prelude::*;

#[injectable]
pub struct Posts;

#[controller("/posts")]
impl Posts {
    #[get("/")]
    async fn list() -> String {
        String::new()
    }
}

fn main() {}
