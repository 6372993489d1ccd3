//! Posts: a store (in memory until the data layer lands), a service with the
//! blog's rules, and a controller.

use std::sync::RwLock;

use elif::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::{Author, Writer};

/// The `[blog]` config section.
#[derive(Config, Debug)]
pub struct BlogConfig {
    /// The blog's title (`APP__BLOG__TITLE`).
    #[config(default = "The elif blog")]
    pub title: String,
    /// How many posts a page lists.
    #[config(default = 20, validate = page_size)]
    pub page_size: u64,
}

fn page_size(size: &u64) -> Result<(), String> {
    if (1..=100).contains(size) {
        Ok(())
    } else {
        Err("must be between 1 and 100".into())
    }
}

/// A blog post.
#[derive(Debug, Clone, Serialize, Schema)]
pub struct Post {
    /// Its id.
    pub id: u64,
    /// Its title.
    pub title: String,
    /// Its text.
    pub body: String,
    /// Who wrote it.
    pub author: String,
}

/// What a writer sends to publish a post.
#[derive(Debug, Deserialize, Validate, Schema)]
pub struct NewPost {
    /// The title.
    #[validate(length(min = 1, max = 200))]
    pub title: String,
    /// The text.
    #[validate(length(min = 1, max = 100_000))]
    pub body: String,
}

/// Which page of posts to list.
#[derive(Debug, Deserialize, Schema)]
pub struct Paging {
    /// 1-based page number (default 1).
    pub page: Option<u64>,
}

/// Keeps the posts. Seeded with a first post when the app starts.
#[injectable(on_init)]
pub struct PostStore {
    #[inject(default)]
    posts: RwLock<Vec<Post>>,
}

impl OnInit for PostStore {
    async fn on_init(&self) -> elif::Result<()> {
        self.insert(
            NewPost {
                title: "Hello, elif".into(),
                body: "The first post of the example blog.".into(),
            },
            "elif",
        );
        Ok(())
    }
}

impl PostStore {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<Post>> {
        self.posts
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn insert(&self, new: NewPost, author: &str) -> Post {
        let mut posts = self
            .posts
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let post = Post {
            id: posts.iter().map(|p| p.id).max().unwrap_or(0) + 1,
            title: new.title,
            body: new.body,
            author: author.to_owned(),
        };
        posts.push(post.clone());
        post
    }

    fn remove(&self, id: u64) -> bool {
        let mut posts = self
            .posts
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let before = posts.len();
        posts.retain(|p| p.id != id);
        posts.len() < before
    }
}

fn not_found(id: u64) -> Error {
    Error::new(404, "POST_NOT_FOUND", format!("post {id} does not exist"))
        .with_hint("list posts with GET /posts")
}

/// The blog's rules about posts.
#[injectable]
pub struct PostService {
    store: Inject<PostStore>,
    config: Config<BlogConfig>,
}

impl PostService {
    /// One page of posts, newest first.
    pub fn page(&self, page: u64) -> Page<Post> {
        let posts = self.store.read();
        let per_page = self.config.page_size;
        let items = posts
            .iter()
            .rev()
            .skip(((page.max(1) - 1) * per_page) as usize)
            .take(per_page as usize)
            .cloned()
            .collect();
        Page::new(items, page.max(1), per_page, posts.len() as u64)
    }

    /// One post.
    pub fn find(&self, id: u64) -> elif::Result<Post> {
        self.store
            .read()
            .iter()
            .find(|p| p.id == id)
            .cloned()
            .ok_or_else(|| not_found(id))
    }

    /// Publishes a post.
    pub fn publish(&self, new: NewPost, author: &Author) -> Post {
        self.store.insert(new, &author.0)
    }

    /// Deletes a post.
    pub fn delete(&self, id: u64) -> elif::Result<()> {
        if self.store.remove(id) {
            Ok(())
        } else {
            Err(not_found(id))
        }
    }

    /// The blog's title.
    pub fn title(&self) -> &str {
        &self.config.title
    }
}

/// `/posts`
#[injectable]
pub struct PostsController {
    posts: Inject<PostService>,
}

#[controller("/posts")]
impl PostsController {
    /// Lists posts, newest first.
    #[get("/")]
    async fn list(&self, paging: Query<Paging>) -> Page<Post> {
        self.posts.page(paging.page.unwrap_or(1))
    }

    /// One post.
    #[get("/{id}")]
    async fn show(&self, id: u64) -> elif::Result<Json<Post>> {
        self.posts.find(id).map(Json)
    }

    /// Publishes a post (writers only).
    #[post("/", guards(Writer))]
    async fn create(&self, input: Valid<NewPost>, author: Extension<Author>) -> Created<Post> {
        let post = self.posts.publish(input.into_inner(), &author);
        Created::at(format!("/posts/{}", post.id), post)
    }

    /// Deletes a post (writers only).
    #[delete("/{id}", guards(Writer))]
    async fn delete(&self, id: u64) -> elif::Result<NoContent> {
        self.posts.delete(id).map(|()| NoContent)
    }
}

/// `/`: what this blog is.
#[injectable]
pub struct HomeController {
    posts: Inject<PostService>,
}

#[controller]
impl HomeController {
    /// The blog's title and where to go next.
    #[get("/")]
    async fn home(&self) -> Json<serde_json::Value> {
        Json(
            serde_json::json!({ "title": self.posts.title(), "posts": "/posts", "contact": "/contact" }),
        )
    }
}

/// Posts: the store, the service and the controllers.
#[module(
    imports(crate::auth::AuthModule),
    providers(PostStore, PostService),
    controllers(PostsController, HomeController)
)]
pub struct PostsModule;
