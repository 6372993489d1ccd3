use elif::prelude::*;

fn port(p: &u16) -> Result<(), String> {
    if *p > 0 { Ok(()) } else { Err("must be positive".into()) }
}

#[derive(Config, Debug)]
#[config(section = "smtp")]
pub struct MailConfig {
    #[config(default = "localhost")]
    pub host: String,
    #[config(default = 25, validate = port)]
    pub port: u16,
    pub password: Secret<String>,
    #[config(secret)]
    pub token: Option<String>,
    pub tls: Option<bool>,
    #[config(default = vec!["a".to_owned()])]
    pub tags: Vec<String>,
}

fn main() {
    use elif::config::ConfigSection;
    assert_eq!(MailConfig::SECTION, "smtp");
    assert_eq!(MailConfig::keys().len(), 6);
}
