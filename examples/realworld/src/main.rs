//! Conduit, the RealWorld backend. `cargo run -p example-realworld` serves
//! the API under `/api` on http://127.0.0.1:8080 (`PORT`, `HOST`), storing
//! its data in SQLite (or `DATABASE_URL=postgres://...`), migrations applied
//! at start.

#[elif::main]
async fn main() -> elif::Result<()> {
    example_realworld::app().run().await
}
