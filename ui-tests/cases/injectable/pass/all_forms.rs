use std::sync::atomic::AtomicU64;

use elif::prelude::*;

pub trait Mailer: Send + Sync {}
pub trait Notifier: Send + Sync {}

#[derive(Config)]
pub struct MailConfig {
    #[config(default = "localhost")]
    pub host: String,
}

#[injectable]
pub struct Unit;

#[injectable(provides(dyn Mailer, dyn Notifier), on_init, on_shutdown)]
pub struct SmtpMailer {
    config: Config<MailConfig>,
    unit: Inject<Unit>,
    shared: Arc<Unit>,
    #[inject(default)]
    sent: AtomicU64,
}

impl Mailer for SmtpMailer {}
impl Notifier for SmtpMailer {}

impl OnInit for SmtpMailer {
    async fn on_init(&self) -> elif::Result<()> {
        Ok(())
    }
}

impl OnShutdown for SmtpMailer {
    async fn on_shutdown(&self) -> elif::Result<()> {
        Ok(())
    }
}

#[injectable(scope = "request")]
pub struct Cart {
    mailer: Inject<dyn Mailer>,
}

#[injectable(scope = "transient")]
pub struct Stamp {}

fn main() {}
