use elif::prelude::*;

pub struct Mailer;

#[module(providers(Mailer))]
pub struct AppModule;

fn main() {}
