use elif::prelude::*;

pub struct Post;

#[injectable]
pub struct Posts;

#[controller("/posts")]
impl Posts {
    #[get("/")]
    async fn list(&self) -> Post {
        Post
    }
}

fn main() {}
