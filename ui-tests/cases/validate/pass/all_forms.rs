use elif::prelude::*;

fn no_spaces(value: &String) -> Result<(), String> {
    if value.contains(' ') { Err("must not contain spaces".into()) } else { Ok(()) }
}

#[derive(Validate)]
pub struct Address {
    #[validate(length(max = 100))]
    pub street: String,
}

#[derive(Validate)]
pub struct Signup {
    #[validate(email, length(max = 254))]
    pub email: String,
    #[validate(length(min = 3), custom = no_spaces)]
    pub username: String,
    #[validate(range(min = 13, max = 130))]
    pub age: Option<u8>,
    #[validate(range(min = 0.0))]
    pub balance: f64,
    #[validate(length(min = 1, max = 5))]
    pub tags: Vec<String>,
    #[validate(nested)]
    pub address: Address,
    pub note: String,
}

fn main() {
    let signup = Signup {
        email: "a@b.co".into(),
        username: "ada".into(),
        age: None,
        balance: 1.0,
        tags: vec!["x".into()],
        address: Address { street: "Main".into() },
        note: String::new(),
    };
    assert!(signup.validate().is_ok());
}
