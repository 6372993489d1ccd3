use elif::prelude::*;

#[injectable]
pub enum Mailer {
    Smtp,
    Log,
}

fn main() {}
