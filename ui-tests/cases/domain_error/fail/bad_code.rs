use elif::prelude::*;

#[derive(Debug, DomainError)]
pub enum PostError {
    #[problem(status = 404, code = "not-found", message = "post {0} does not exist")]
    NotFound(u64),
}

fn main() {}
