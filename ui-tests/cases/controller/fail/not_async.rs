use elif::prelude::*;

#[injectable]
pub struct Posts;

#[controller("/posts")]
impl Posts {
    #[get("/")]
    fn list(&self) -> String {
        String::new()
    }
}

fn main() {}
