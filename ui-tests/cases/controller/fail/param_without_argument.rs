use elif::prelude::*;

#[injectable]
pub struct Posts;

#[controller("/posts")]
impl Posts {
    #[get("/{id}")]
    async fn show(&self, post_id: u64) -> String {
        post_id.to_string()
    }
}

fn main() {}
