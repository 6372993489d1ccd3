use elif::prelude::*;

#[injectable]
pub struct Uploads;

#[controller("/uploads", public)]
impl Uploads {
    #[post("/", body_limit = 0)]
    async fn create(&self) -> &'static str {
        "created"
    }
}

fn main() {}
