use elif::prelude::*;

#[derive(Debug, DomainError)]
pub enum PostError {
    #[problem(status = 200, code = "NOT_FOUND", message = "post {0} does not exist")]
    NotFound(u64),
}

fn main() {}
