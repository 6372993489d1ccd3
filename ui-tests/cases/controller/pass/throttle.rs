use elif::http::HttpRequest;
use elif::prelude::*;

fn tenant(request: &HttpRequest) -> Option<String> {
    request
        .headers()
        .get("x-tenant")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[injectable]
pub struct Posts;

/// One limit the controller's routes share.
#[throttle(limit = 100, per = "1h")]
#[controller("/posts", public)]
impl Posts {
    #[get("/")]
    async fn list(&self) -> &'static str {
        "posts"
    }

    #[post("/login")]
    #[throttle(limit = 5, per = "15m", burst = 2, key = "user", name = "login")]
    async fn login(&self) -> &'static str {
        "welcome"
    }

    #[get("/tenant")]
    #[throttle(limit = 10, per = 60, key = tenant)]
    async fn by_tenant(&self) -> &'static str {
        "tenant"
    }

    #[get("/health")]
    #[throttle(off)]
    async fn health(&self) -> &'static str {
        "ok"
    }
}

fn main() {}
