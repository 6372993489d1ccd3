use elif::prelude::*;

#[injectable]
pub struct Mailer;

#[module(providers(Mailer, Mailer))]
pub struct AppModule;

fn main() {}
