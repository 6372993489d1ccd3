use elif::prelude::*;

pub trait Mailer: Send + Sync {}

#[injectable(provides = dyn Mailer)]
pub struct SmtpMailer;

impl Mailer for SmtpMailer {}

#[injectable]
pub struct Posts;

impl Controller for Posts {
    fn routes(self: Arc<Self>, _routes: &mut Routes) {}
}

#[module(providers(SmtpMailer), exports(SmtpMailer, dyn Mailer))]
pub struct MailModule;

#[guard]
pub struct Open;

impl Guard for Open {
    async fn check(&self, _cx: &RequestContext<'_>) -> elif::Result<()> {
        Ok(())
    }
}

#[module(
    imports(MailModule),
    controllers(Posts),
    exports(MailModule),
    guards(Open),
    middleware(elif::http::middleware::DefaultHeaders::new(), elif::http::middleware::NormalizePath::trim())
)]
pub struct AppModule;

#[module()]
pub struct Empty;

fn main() {
    let _ = App::new().module(AppModule);
}
