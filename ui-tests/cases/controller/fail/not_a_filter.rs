use elif::prelude::*;

#[injectable]
pub struct Gone;

#[injectable]
pub struct Posts;

#[controller("/posts")]
impl Posts {
    #[get("/", filters(Gone))]
    async fn list(&self) -> String {
        String::new()
    }
}

fn main() {}
