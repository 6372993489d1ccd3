use elif::http::HttpResponse;
use elif::prelude::*;

#[openapi(summary = "not a route")]
pub async fn free() {}

#[injectable]
pub struct Posts;

#[controller("/posts", public)]
impl Posts {
    #[post("/")]
    #[openapi(body = String)]
    async fn create(&self) -> HttpResponse {
        HttpResponse::Created().finish()
    }

    #[post("/import")]
    #[openapi(status = 200, example = "{title: 1}")]
    async fn import(&self) -> HttpResponse {
        HttpResponse::Ok().finish()
    }

    #[post("/export")]
    #[openapi(status = 700, responses(99))]
    async fn export(&self) -> HttpResponse {
        HttpResponse::Ok().finish()
    }

    #[get("/{id}")]
    #[openapi(summary = "one")]
    #[openapi(hidden)]
    async fn show(&self, id: u64) -> String {
        format!("{id}")
    }

    #[get("/")]
    #[openapi(sumary = "typo")]
    async fn list(&self) -> &'static str {
        "posts"
    }

    #[openapi(hidden)]
    fn helper(&self) {}
}

fn main() {}
