use elif::prelude::*;

#[public]
pub async fn free() {}

#[public]
pub struct NotAController;

#[injectable]
pub struct Posts;

#[controller("/posts", public)]
impl Posts {
    #[public]
    fn helper(&self) {}

    #[get("/")]
    #[public(always)]
    async fn list(&self) -> &'static str {
        "posts"
    }

    #[get("/other", public)]
    async fn other(&self) -> &'static str {
        "other"
    }
}

fn main() {}
