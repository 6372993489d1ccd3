use elif::prelude::*;

#[requires(role = "admin")]
pub async fn free() {}

#[injectable]
pub struct Posts;

#[controller("/posts")]
impl Posts {
    #[get("/")]
    #[public]
    #[requires(role = "admin")]
    async fn list(&self) -> &'static str {
        "posts"
    }

    #[delete("/{id}")]
    #[requires(role = "")]
    async fn remove(&self, id: u64) -> String {
        format!("{id}")
    }

    #[patch("/{id}")]
    #[requires]
    async fn edit(&self, id: u64) -> String {
        format!("{id}")
    }

    #[put("/{id}")]
    #[requires(rol = "admin")]
    async fn replace(&self, id: u64) -> String {
        format!("{id}")
    }

    #[requires(permission = "posts.audit")]
    fn helper(&self) {}
}

fn main() {}
