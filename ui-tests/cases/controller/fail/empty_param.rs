use elif::prelude::*;

#[injectable]
pub struct Posts;

#[controller("/posts")]
impl Posts {
    #[get("/{}")]
    async fn show(&self) -> String {
        String::new()
    }
}

fn main() {}
