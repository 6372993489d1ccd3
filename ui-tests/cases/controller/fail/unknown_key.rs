use elif::prelude::*;

#[injectable]
pub struct Posts;

#[controller("/posts", gaurds(Admin))]
impl Posts {
    #[get("/")]
    async fn list(&self) -> String {
        String::new()
    }
}

fn main() {}
