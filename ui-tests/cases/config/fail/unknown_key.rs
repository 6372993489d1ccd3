use elif::prelude::*;

#[derive(Config)]
pub struct MailConfig {
    #[config(defualt = 25)]
    pub port: u16,
}

fn main() {}
