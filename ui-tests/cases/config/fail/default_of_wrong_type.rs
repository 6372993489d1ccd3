use elif::prelude::*;

#[derive(Config)]
pub struct MailConfig {
    #[config(default = "twenty-five")]
    pub port: u16,
}

fn main() {}
