use elif::http::{Created, HttpResponse, Json};
use elif::prelude::*;

#[derive(Serialize, Schema)]
pub struct Post {
    pub id: u64,
}

#[derive(Debug, DomainError)]
pub enum PostError {
    #[problem(status = 404, code = "POST_NOT_FOUND", message = "post {0} does not exist")]
    NotFound(u64),
    #[problem(status = 409, code = "POST_TAKEN", message = "that title is taken")]
    Taken,
}

#[injectable]
pub struct Posts;

/// Posts, newest first.
#[controller("/posts", public)]
impl Posts {
    /// One post.
    ///
    /// Its comments are not loaded.
    #[get("/{id}")]
    async fn show(&self, id: u64) -> Result<Json<Post>, PostError> {
        if id == 0 {
            return Err(PostError::NotFound(id));
        }
        Ok(Json(Post { id }))
    }

    #[post("/")]
    #[openapi(
        operation_id = "createPost",
        summary = "Publishes a post",
        errors(PostError),
        responses(503),
        example = r#"{"title": "Hello"}"#,
        response_example = r#"{"id": 1}"#
    )]
    async fn create(&self) -> elif::Result<Created<Post>> {
        Ok(Created::at("/posts/1", Post { id: 1 }))
    }

    #[get("/feed.xml")]
    #[openapi(status = 200, body = String, content_type = "application/rss+xml")]
    async fn feed(&self) -> HttpResponse {
        HttpResponse::Ok().finish()
    }

    #[get("/internal")]
    #[openapi(hidden)]
    async fn internal(&self) -> &'static str {
        "hidden"
    }
}

fn main() {}
