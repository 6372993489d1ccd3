use elif::prelude::*;

#[throttle(limit = 5, per = "1m")]
pub async fn free() {}

#[injectable]
pub struct Posts;

#[controller("/posts", public)]
impl Posts {
    #[get("/")]
    #[throttle(limit = 0, per = "1m")]
    async fn list(&self) -> &'static str {
        "posts"
    }

    #[get("/{id}")]
    #[throttle(limit = 5, per = "1 fortnight")]
    async fn show(&self, id: u64) -> String {
        format!("{id}")
    }

    #[delete("/{id}")]
    #[throttle(limit = 5, per = "1m", key = "usr")]
    async fn remove(&self, id: u64) -> String {
        format!("{id}")
    }

    #[patch("/{id}")]
    #[throttle(per = "1m")]
    async fn edit(&self, id: u64) -> String {
        format!("{id}")
    }

    #[put("/{id}")]
    #[throttle(off, limit = 5)]
    async fn replace(&self, id: u64) -> String {
        format!("{id}")
    }

    #[post("/")]
    #[throttle(limit = 5, per = "1m", burst = 0)]
    async fn create(&self) -> &'static str {
        "created"
    }

    #[post("/import")]
    #[throttle(limit = 5, per = "1m")]
    #[throttle(limit = 9, per = "1h")]
    async fn import(&self) -> &'static str {
        "imported"
    }

    #[post("/export")]
    #[throttle(limti = 5, per = "1m")]
    async fn export(&self) -> &'static str {
        "exported"
    }

    #[throttle(limit = 5, per = "1m")]
    fn helper(&self) {}
}

fn main() {}
