use elif::prelude::*;

#[injectable]
pub struct Admin;

#[injectable]
pub struct Posts;

#[controller("/posts", guards(Admin))]
impl Posts {
    #[get("/")]
    async fn list(&self) -> String {
        String::new()
    }
}

fn main() {}
