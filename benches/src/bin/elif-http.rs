//! The benchmark's elif server: a controller with a DI-injected service and
//! a no-op guard, serving the same endpoints as `raw-http`.

use elif::prelude::*;
use elif_benches::{Accepted, Detail, Message, User};
use serde::Deserialize;

#[derive(Deserialize, Validate)]
struct NewUser {
    #[validate(length(min = 1, max = 100))]
    name: String,
    #[validate(email)]
    email: String,
    #[validate(length(max = 2000))]
    bio: String,
    #[validate(length(max = 10))]
    tags: Vec<String>,
}

/// The service the controller depends on.
#[injectable]
pub struct Greeter {
    #[inject(default)]
    greeting: Greeting,
}

struct Greeting(String);

impl Default for Greeting {
    fn default() -> Self {
        Self("hello".to_owned())
    }
}

/// A guard that lets everything through (its cost is what is measured).
#[guard]
pub struct Open;

impl Guard for Open {
    async fn check(&self, _: &RequestContext<'_>) -> elif::Result<()> {
        Ok(())
    }
}

/// The endpoints.
#[injectable]
pub struct BenchController {
    greeter: Inject<Greeter>,
}

#[controller("/", guards(Open), public)]
impl BenchController {
    #[get("/plaintext")]
    async fn plaintext(&self) -> &'static str {
        "Hello, World!"
    }

    #[get("/json")]
    async fn json(&self) -> Json<Message> {
        Json(Message {
            message: "Hello, World!",
        })
    }

    #[get("/users/{id}")]
    async fn user(&self, id: u64, query: Query<Detail>) -> Json<User> {
        Json(User {
            id,
            detail: query.into_inner().detail,
            greeting: self.greeter.greeting.0.clone(),
        })
    }

    #[post("/users")]
    async fn create(&self, input: Valid<NewUser>) -> Created<Accepted> {
        let user = input.into_inner();
        let accepted = Accepted {
            name: user.name,
            bio_length: user.bio.chars().count(),
            tags: user.tags.len(),
        };
        Created::at("/users/1", accepted)
    }
}

/// The benchmark app.
#[module(providers(Greeter), controllers(BenchController))]
pub struct BenchModule;

#[elif::main]
async fn main() -> elif::Result<()> {
    App::new()
        .module(BenchModule)
        .config("server.port", elif_benches::port(9002))
        .config("server.workers", 1)
        .run()
        .await
}
