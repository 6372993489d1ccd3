// `model = users::emial`: a field the model does not have. rustc names the
// rules function elif looked for and suggests the field's.
use elif::prelude::*;

#[model(table = "users")]
pub struct User {
    #[key]
    pub id: i64,
    #[validate(email)]
    pub email: String,
}

#[derive(Validate)]
pub struct ChangeEmail {
    #[validate(model = users::emial)]
    pub email: String,
}

fn main() {}
