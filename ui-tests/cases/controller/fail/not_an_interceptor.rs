use elif::prelude::*;

#[injectable]
pub struct Timing;

#[injectable]
pub struct Posts;

#[controller("/posts", interceptors(Timing))]
impl Posts {
    #[get("/")]
    async fn list(&self) -> String {
        String::new()
    }
}

fn main() {}
