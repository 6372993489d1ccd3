use elif::prelude::*;

pub trait Mailer: Send + Sync {}
pub struct LogMailer;
impl Mailer for LogMailer {}

#[derive(Config)]
pub struct DbConfig {
    #[config(default = "sqlite://var/app.sqlite3")]
    pub url: String,
}

pub struct Pool(String);

#[factory]
async fn pool(config: Config<DbConfig>) -> elif::Result<Pool> {
    Ok(Pool(config.url.clone()))
}

#[factory(scope = "transient")]
pub async fn mailer() -> Arc<dyn Mailer> {
    Arc::new(LogMailer)
}

#[factory]
async fn io_pool() -> Result<Arc<Vec<u8>>, std::io::Error> {
    Ok(Arc::new(Vec::new()))
}

#[injectable]
pub struct UsesThem {
    pool: Inject<Pool>,
    mailer: Inject<dyn Mailer>,
    bytes: Inject<Vec<u8>>,
}

#[module(providers(pool, mailer, io_pool, UsesThem))]
pub struct AppModule;

fn main() {}
