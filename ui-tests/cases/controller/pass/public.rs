use elif::prelude::*;

/// An authenticating guard: lets anonymous requests through on public routes.
#[guard]
pub struct Auth;

impl Guard for Auth {
    const AUTHENTICATES: bool = true;

    async fn check(&self, cx: &RequestContext<'_>) -> elif::Result<()> {
        match cx.bearer_token() {
            Some(_) => Ok(()),
            None if cx.access().is_public() => Ok(()),
            None => Err(Error::new(401, "UNAUTHENTICATED", "sign in first")),
        }
    }
}

#[injectable]
pub struct Posts;

#[controller("/posts", guards(Auth))]
impl Posts {
    #[get("/")]
    #[public]
    async fn list(&self) -> &'static str {
        "posts"
    }

    #[post("/")]
    async fn create(&self) -> &'static str {
        "created"
    }
}

#[injectable]
pub struct Pages;

#[public]
#[controller("/pages")]
impl Pages {
    #[get("/")]
    async fn index(&self) -> &'static str {
        "pages"
    }
}

#[injectable]
pub struct About;

#[controller("/about")]
#[elif::public]
impl About {
    #[get("/")]
    async fn index(&self) -> &'static str {
        "about"
    }
}

#[injectable]
pub struct Home;

#[controller(public)]
impl Home {
    #[get("/")]
    async fn index(&self) -> &'static str {
        "home"
    }
}

fn main() {}
