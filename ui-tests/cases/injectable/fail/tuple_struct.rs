use elif::prelude::*;

#[injectable]
pub struct Mailer(u16);

fn main() {}
