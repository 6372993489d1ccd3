use elif::prelude::*;

#[injectable]
pub fn mailer() {}

fn main() {}
