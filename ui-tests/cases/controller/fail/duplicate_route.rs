use elif::prelude::*;

#[injectable]
pub struct Posts;

#[controller("/posts")]
impl Posts {
    #[get("/{id}")]
    async fn show(&self, id: u64) -> String {
        id.to_string()
    }

    #[get("/{post_id}")]
    async fn view(&self, post_id: u64) -> String {
        post_id.to_string()
    }
}

fn main() {}
