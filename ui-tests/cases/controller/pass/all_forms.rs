use elif::http::{HttpRequest, HttpResponse, RequestId};
use elif::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Schema)]
pub struct Post {
    id: u64,
}

#[derive(Deserialize, Validate)]
pub struct NewPost {
    #[validate(length(min = 1))]
    title: String,
}

#[derive(Deserialize)]
pub struct Paging {
    page: Option<u32>,
}

#[derive(Clone)]
pub struct User;

#[guard]
pub struct Auth;

impl Guard for Auth {
    async fn check(&self, cx: &RequestContext<'_>) -> elif::Result<()> {
        cx.insert(User);
        Ok(())
    }
}

#[injectable(scope = "request")]
pub struct Cart;

#[injectable]
pub struct Timing;

impl Interceptor for Timing {
    async fn intercept<N>(&self, _cx: &RequestContext<'_>, next: N) -> elif::Result<HttpResponse>
    where
        N: std::future::Future<Output = elif::Result<HttpResponse>>,
    {
        next.await
    }
}

#[injectable]
pub struct Gone;

impl ExceptionFilter for Gone {
    fn catch(&self, _error: &Error, _cx: &RequestContext<'_>) -> Option<HttpResponse> {
        None
    }
}

#[injectable]
pub struct Posts;

#[controller("/posts", guards(Auth), interceptors(Timing), filters(Gone), middleware(elif::http::middleware::DefaultHeaders::new()))]
impl Posts {
    #[get("/")]
    async fn list(&self, paging: Query<Paging>) -> Page<Post> {
        Page::new(vec![], u64::from(paging.page.unwrap_or(1)), 20, 0)
    }

    #[get("/{id}")]
    async fn show(&self, id: u64) -> elif::Result<Json<Post>> {
        Ok(Json(Post { id }))
    }

    #[post("/", guards(Auth))]
    async fn create(&self, input: Valid<NewPost>, _user: Extension<User>) -> Created<Post> {
        let _ = &input.title;
        Created::at("/posts/1", Post { id: 1 })
    }

    #[put("/{id}")]
    async fn replace(&self, id: u64, _body: Json<serde_json::Value>, _cart: Scoped<Cart>) -> NoContent {
        let _ = id;
        NoContent
    }

    #[patch("/{id}/title/{type}")]
    async fn retitle(&self, id: u64, r#type: String) -> String {
        format!("{id} {type}", type = r#type)
    }

    #[delete("/{id}")]
    async fn remove(&self, id: u64, _request: HttpRequest, _rid: RequestId) -> HttpResponse {
        let _ = id;
        HttpResponse::NoContent().finish()
    }

    #[head("/ping")]
    async fn ping(&self) -> &'static str {
        ""
    }

    #[options("/")]
    async fn options(&self) -> HttpResponse {
        HttpResponse::Ok().finish()
    }

    #[route("/cache", method = "PURGE")]
    async fn purge(&self) -> String {
        String::new()
    }

    fn helper(&self) -> u8 {
        1
    }
}

#[controller]
impl Cart {}

#[module(controllers(Posts))]
pub struct AppModule;

fn main() {
    let _ = Posts.helper();
}
