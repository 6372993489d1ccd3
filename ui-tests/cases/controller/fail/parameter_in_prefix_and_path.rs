use elif::prelude::*;

#[injectable]
pub struct Posts;

#[controller("/users/{id}/posts")]
impl Posts {
    #[get("/{id}")]
    async fn show(&self, id: u64) -> String {
        id.to_string()
    }
}

fn main() {}
