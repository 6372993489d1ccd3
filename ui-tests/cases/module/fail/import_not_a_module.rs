use elif::prelude::*;

#[injectable]
pub struct Mailer;

#[module(imports(Mailer))]
pub struct AppModule;

fn main() {}
