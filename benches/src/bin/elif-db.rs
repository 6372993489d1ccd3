//! The database benchmark's elif server: controller → service →
//! `Repository`, on the backend `DATABASE_URL` names. It applies the
//! benchmark's migrations and seeds the tables when they are empty; the raw
//! server (`raw-db`) reads what it wrote.

use elif::data::Migrations;
use elif::prelude::*;
use elif_benches::{SEED_AUTHORS, SEED_POSTS, seeded_post};

/// An author.
#[model(table = "authors")]
#[derive(Debug, Clone)]
pub struct Author {
    /// Its id.
    #[key]
    pub id: i64,
    /// Its name.
    pub name: String,
    /// What it wrote, when loaded.
    #[has_many(Post)]
    pub posts: Related<Vec<Post>>,
    /// How many posts it wrote, when asked for.
    #[count(posts)]
    pub posts_count: Related<i64>,
}

/// A post.
#[model(table = "posts")]
#[derive(Debug, Clone)]
pub struct Post {
    /// Its id.
    #[key]
    pub id: i64,
    /// Its author's id.
    pub author_id: i64,
    /// Its title.
    pub title: String,
    /// Its text.
    pub body: String,
    /// Its author, when loaded.
    #[belongs_to(Author)]
    pub author: Related<Author>,
}

/// The reads the endpoints make.
#[injectable(on_init)]
pub struct PostService {
    posts: Inject<Repository<Post>>,
    authors: Inject<Repository<Author>>,
}

impl PostService {
    /// One post by key (404 when absent).
    pub async fn find(&self, id: i64) -> elif::Result<Post> {
        self.posts.find_or_fail(id).await
    }

    /// The first 20 posts with their authors.
    pub async fn first_page(&self) -> elif::Result<Vec<Post>> {
        self.posts
            .list(
                Criteria::new()
                    .order_by(posts::id.asc())
                    .limit(20)
                    .with(Post::author()),
            )
            .await
    }
}

impl PostService {
    /// The first 20 posts whose author has this name (a relation filter).
    pub async fn by_author(&self, name: String) -> elif::Result<Vec<Post>> {
        self.posts
            .list(
                Criteria::new()
                    .has(Post::author(), |a| a.filter(authors::name.eq(name)))
                    .order_by(posts::id.asc())
                    .limit(20),
            )
            .await
    }

    /// The first 20 authors with how many posts each wrote.
    pub async fn authors(&self) -> elif::Result<Vec<Author>> {
        self.authors
            .list(
                Criteria::new()
                    .order_by(authors::id.asc())
                    .limit(20)
                    .with_count(Author::posts()),
            )
            .await
    }
}

impl OnInit for PostService {
    async fn on_init(&self) -> elif::Result<()> {
        if self.authors.count(Criteria::new()).await? > 0 {
            return Ok(());
        }
        for n in 1..=SEED_AUTHORS {
            self.authors
                .insert(NewAuthor {
                    name: format!("Author {n}"),
                })
                .await?;
        }
        for n in 1..=SEED_POSTS {
            let (author_id, title, body) = seeded_post(n);
            self.posts
                .insert(NewPost {
                    author_id,
                    title,
                    body,
                })
                .await?;
        }
        Ok(())
    }
}

/// The endpoints.
#[injectable]
pub struct PostsController {
    posts: Inject<PostService>,
}

#[controller("/posts", public)]
impl PostsController {
    #[get("/{id}")]
    async fn show(&self, id: i64) -> elif::Result<Json<Post>> {
        self.posts.find(id).await.map(Json)
    }

    #[get("/")]
    async fn list(&self) -> elif::Result<Json<Vec<Post>>> {
        self.posts.first_page().await.map(Json)
    }

    #[get("/by/{name}")]
    async fn by_author(&self, name: String) -> elif::Result<Json<Vec<Post>>> {
        self.posts.by_author(name).await.map(Json)
    }
}

/// The authors endpoint.
#[injectable]
pub struct AuthorsController {
    posts: Inject<PostService>,
}

#[controller("/authors", public)]
impl AuthorsController {
    #[get("/")]
    async fn list(&self) -> elif::Result<Json<Vec<Author>>> {
        self.posts.authors().await.map(Json)
    }
}

/// The benchmark app.
#[module(
    imports(DataModule),
    providers(Repository<Author>, Repository<Post>, PostService),
    controllers(PostsController, AuthorsController)
)]
pub struct BenchModule;

const MIGRATIONS: Migrations = elif::migrations!("../../migrations");

#[elif::main]
async fn main() -> elif::Result<()> {
    App::new()
        .module(BenchModule)
        .migrations(MIGRATIONS)
        .config("server.port", elif_benches::port(9002))
        .config("server.workers", 1)
        .run()
        .await
}
