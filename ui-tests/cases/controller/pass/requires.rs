use elif::prelude::*;

/// Authenticates and enforces the routes' requirements.
#[guard]
pub struct Auth;

impl Guard for Auth {
    const AUTHENTICATES: bool = true;
    const ENFORCES_REQUIREMENTS: bool = true;

    async fn check(&self, cx: &RequestContext<'_>) -> elif::Result<()> {
        match cx.access().requires() {
            [] => Ok(()),
            [first, ..] => Err(Error::new(403, "REQUIRED", first.to_string())),
        }
    }
}

#[injectable]
pub struct Posts;

#[requires(role = "editor")]
#[controller("/posts", guards(Auth))]
impl Posts {
    #[delete("/{id}")]
    #[requires(role = "admin", permission = "posts.delete")]
    #[elif::requires(permission = "posts.audit")]
    async fn remove(&self, id: u64) -> String {
        format!("{id}")
    }
}

#[injectable]
pub struct Tags;

#[controller("/tags", guards(Auth))]
#[requires(permission = "tags.manage")]
impl Tags {
    #[post("/")]
    async fn create(&self) -> &'static str {
        "created"
    }
}

fn main() {}
