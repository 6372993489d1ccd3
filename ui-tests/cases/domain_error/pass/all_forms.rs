use elif::prelude::*;

#[derive(Debug, DomainError)]
pub enum PostError {
    #[problem(status = 404, code = "POST_NOT_FOUND", message = "post {0} does not exist", hint = "list posts")]
    NotFound(u64),
    #[problem(status = 409, code = "SLUG_TAKEN", message = "slug {slug} is taken ({{reserved}})")]
    SlugTaken { slug: String },
    #[problem(status = 423, code = "LOCKED", message = "locked")]
    Locked,
}

#[derive(Debug, DomainError)]
#[problem(status = 429, code = "SLOW_DOWN", message = "try again in {0} s")]
pub struct RateLimited(pub u32);

fn find() -> elif::Result<()> {
    Err(PostError::NotFound(1))?
}

fn main() {
    assert_eq!(PostError::SlugTaken { slug: "a".into() }.to_string(), "slug a is taken ({reserved})");
    assert_eq!(Error::from(RateLimited(3)).status(), 429);
    assert!(find().is_err());
}
