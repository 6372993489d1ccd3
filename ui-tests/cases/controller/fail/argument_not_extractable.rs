use elif::prelude::*;

#[injectable]
pub struct Posts;

#[controller("/posts")]
impl Posts {
    #[get("/")]
    async fn show(&self, id: u64) -> String {
        id.to_string()
    }
}

fn main() {}
