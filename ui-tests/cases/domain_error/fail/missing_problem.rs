use elif::prelude::*;

#[derive(Debug, DomainError)]
pub enum PostError {
    #[problem(status = 404, code = "POST_NOT_FOUND", message = "post {0} does not exist")]
    NotFound(u64),
    Locked,
}

fn main() {}
