//! The authentication benchmark's elif server: `GET /me` behind
//! elif-auth's `Authenticated` guard, by JWT or by a session on Redis, in
//! production mode. `POST /token` and `POST /login` hand the load its
//! credentials; `elif-auth hash-time` prints how long an argon2id hash
//! takes at the default parameters.

use std::time::Instant;

use elif::http::{HttpRequest, HttpResponse};
use elif::prelude::*;
use elif_auth::{
    AuthModule, Authenticated, Identity, Jwt, NoClaims, Passwords, Principals, Sessions,
};
use elif_benches::{AUTH_SECRET, Me, SESSION_PREFIX};

/// The endpoints.
#[injectable]
pub struct MeController {
    jwt: Inject<Jwt>,
    sessions: Inject<Sessions>,
}

#[controller("/", guards(Authenticated))]
impl MeController {
    /// Who the credentials name (JWT or session, whichever is sent).
    #[get("/me")]
    async fn me(&self, identity: Extension<Identity>) -> Json<Me> {
        Json(Me {
            subject: identity.subject.clone(),
        })
    }

    /// A token for subject 42.
    #[post("/token")]
    #[public]
    async fn token(&self) -> elif::Result<String> {
        self.jwt.issue("42", NoClaims {})
    }

    /// A session for subject 42.
    #[post("/login")]
    #[public]
    async fn login(&self, request: HttpRequest) -> elif::Result<HttpResponse> {
        let cookie = self.sessions.start("42", &request).await?;
        Ok(cookie.apply(HttpResponse::Ok().finish()))
    }
}

/// The benchmark app.
#[module(imports(AuthModule), controllers(MeController))]
pub struct BenchModule;

fn app() -> App {
    App::new()
        .module(BenchModule)
        .provide::<dyn Principals>(elif_auth::testing::no_principals())
        .config("server.port", elif_benches::port(9002))
        .config("server.workers", 1)
        .config("auth.jwt.secrets", [AUTH_SECRET])
        .config("auth.jwt.ttl_secs", 86_400)
        .config("auth.mechanisms", ["jwt", "session"])
        .config("auth.sessions.key_prefix", SESSION_PREFIX)
}

/// The median of five argon2id hashes, in milliseconds.
async fn hash_time() -> elif::Result<()> {
    let booted = app().boot().await?;
    let passwords = booted
        .container()
        .get::<Passwords>()
        .ok_or_else(|| Error::internal("no Passwords"))?;
    let mut times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        passwords.hash("correct horse battery staple").await?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "ARGON2 hash_ms {:.1} (median of 5; m=19456 KiB, t=2, p=1)",
        times[2]
    );
    booted.shutdown().await;
    Ok(())
}

#[elif::main]
async fn main() -> elif::Result<()> {
    if std::env::args().nth(1).as_deref() == Some("hash-time") {
        return hash_time().await;
    }
    app().run().await
}
