// The newer rules: a `regex` that is not a pattern is a compile error at
// the pattern, `required` needs an `Option` field, `must_match` names a
// field of the struct, `model` names a model's field (`User::email`).
use elif::prelude::*;

#[derive(Validate)]
pub struct SignUp {
    #[validate(regex = "[a-z")]
    pub slug: String,
    #[validate(required)]
    pub name: String,
    #[validate(must_match = pasword)]
    pub password_confirmation: String,
    pub password: String,
    #[validate(model = email)]
    pub email: String,
}

fn main() {}
