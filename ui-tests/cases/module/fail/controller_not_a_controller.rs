use elif::prelude::*;

#[injectable]
pub struct Posts;

#[module(controllers(Posts))]
pub struct AppModule;

fn main() {}
