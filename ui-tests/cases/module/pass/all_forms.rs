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

#[injectable]
pub struct Passthrough;

impl Interceptor for Passthrough {
    async fn intercept<N>(&self, _cx: &RequestContext<'_>, next: N) -> elif::Result<elif::http::HttpResponse>
    where
        N: std::future::Future<Output = elif::Result<elif::http::HttpResponse>>,
    {
        next.await
    }
}

#[injectable]
pub struct LetPass;

impl ExceptionFilter for LetPass {
    fn catch(&self, _error: &Error, _cx: &RequestContext<'_>) -> Option<elif::http::HttpResponse> {
        None
    }
}

#[module(
    imports(MailModule),
    controllers(Posts),
    exports(MailModule),
    guards(Open),
    interceptors(Passthrough),
    filters(LetPass),
    middleware(elif::http::middleware::DefaultHeaders::new(), elif::http::middleware::NormalizePath::trim())
)]
pub struct AppModule;

#[module()]
pub struct Empty;

fn main() {
    let _ = App::new().module(AppModule);
}
