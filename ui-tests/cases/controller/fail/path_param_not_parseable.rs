use elif::prelude::*;

#[injectable]
pub struct Posts;

#[controller("/posts")]
impl Posts {
    #[get("/{ids}")]
    async fn show(&self, ids: Vec<u64>) -> String {
        format!("{ids:?}")
    }
}

fn main() {}
