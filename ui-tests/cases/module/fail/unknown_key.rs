use elif::prelude::*;

#[injectable]
pub struct Mailer;

#[module(provders(Mailer))]
pub struct AppModule;

fn main() {}
