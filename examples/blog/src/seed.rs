//! Seeds a fresh database with a first post, so that the blog has something
//! to show on first start (development and test only).

use elif::config::AppConfig;
use elif::data::Database;
use elif::prelude::*;

use crate::models::Post;
use crate::posts::{PostService, Publish};

/// Publishes the first post, in one transaction, when the blog has none.
#[injectable(on_init)]
pub struct Seeder {
    database: Inject<Database>,
    posts: Inject<PostService>,
    rows: Inject<Repository<Post>>,
    app: Config<AppConfig>,
}

impl OnInit for Seeder {
    async fn on_init(&self) -> elif::Result<()> {
        if self.app.env == Environment::Production || self.rows.count(Criteria::new()).await? > 0 {
            return Ok(());
        }
        let first = Publish {
            title: "Hello, elif".into(),
            body: "The first post of the example blog.".into(),
            tags: vec!["elif".into(), "rust".into()],
        };
        self.database
            .transaction(|| async {
                let author = self.posts.author("elif").await?;
                self.posts.publish(first, &author).await
            })
            .await?;
        Ok(())
    }
}

/// The seeder.
#[module(
    imports(crate::posts::PostsModule, crate::models::ModelsModule, DataModule),
    providers(Seeder)
)]
pub struct SeedModule;
