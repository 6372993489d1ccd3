use elif::prelude::*;

#[injectable]
pub struct Posts;

#[controller("/posts")]
impl Posts {
    #[route("/", method = "GETT")]
    async fn list(&self) -> String {
        String::new()
    }

    #[route("/{id}", method = "FETCH")]
    async fn show(&self, id: u64) -> String {
        id.to_string()
    }
}

fn main() {}
