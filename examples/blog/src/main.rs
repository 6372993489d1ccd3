//! The elif example blog. Run it with `cargo run -p example-blog`; it serves
//! on http://127.0.0.1:8080 (`PORT` and `HOST` change that), storing its data
//! in `var/example-blog.sqlite3` (or `DATABASE_URL=postgres://...`), with its
//! migrations applied at start. The app binary is also its command line:
//! `cargo run -p example-blog -- check`, `-- migrate status`.

#[elif::main]
async fn main() -> elif::Result<()> {
    example_blog::app().run().await
}
