//! Posts: a store (in memory until the data layer lands), a service with the
//! blog's rules, and a controller.

use std::sync::RwLock;

use elif::http::{HttpResponse, web};
use elif::prelude::*;
use serde::{Deserialize, Serialize};

/// The `[blog]` config section.
#[derive(Config, Debug)]
#[config(section = "blog")]
pub struct BlogConfig {
    /// The blog's title (`APP__BLOG__TITLE`).
    #[config(default = "The elif blog")]
    pub title: String,
    /// How many posts a page lists.
    #[config(default = 20, validate = page_size)]
    pub page_size: usize,
}

fn page_size(size: &usize) -> Result<(), String> {
    if (1..=100).contains(size) {
        Ok(())
    } else {
        Err("must be between 1 and 100".into())
    }
}

/// A blog post.
#[derive(Debug, Clone, Serialize)]
pub struct Post {
    /// Its id.
    pub id: u64,
    /// Its title.
    pub title: String,
    /// Its text.
    pub body: String,
}

/// What a client sends to create a post.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPost {
    /// The title.
    pub title: String,
    /// The text.
    pub body: String,
}

/// Keeps the posts. Seeded with a first post when the app starts.
#[injectable(on_init)]
pub struct PostStore {
    #[inject(default)]
    posts: RwLock<Vec<Post>>,
}

impl OnInit for PostStore {
    async fn on_init(&self) -> elif::Result<()> {
        self.insert(NewPost {
            title: "Hello, elif".into(),
            body: "The first post of the example blog.".into(),
        });
        Ok(())
    }
}

impl PostStore {
    fn all(&self) -> Vec<Post> {
        self.posts.read().map(|p| p.clone()).unwrap_or_default()
    }

    fn insert(&self, new: NewPost) -> Post {
        let mut posts = self
            .posts
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let post = Post {
            id: posts.len() as u64 + 1,
            title: new.title,
            body: new.body,
        };
        posts.push(post.clone());
        post
    }
}

/// The blog's rules about posts.
#[injectable]
pub struct PostService {
    store: Inject<PostStore>,
    config: Config<BlogConfig>,
}

impl PostService {
    /// The latest page of posts, newest first.
    pub fn latest(&self) -> Vec<Post> {
        let mut posts = self.store.all();
        posts.reverse();
        posts.truncate(self.config.page_size);
        posts
    }

    /// One post.
    pub fn find(&self, id: u64) -> Option<Post> {
        self.store.all().into_iter().find(|p| p.id == id)
    }

    /// Publishes a post.
    pub fn publish(&self, new: NewPost) -> elif::Result<Post> {
        if new.title.trim().is_empty() {
            return Err(Error::new(422, "POST_TITLE_EMPTY", "a post needs a title")
                .with_hint("send a non-empty `title`"));
        }
        Ok(self.store.insert(new))
    }
}

/// `/posts`: written by hand against `Controller` until `#[controller]` lands.
#[injectable]
pub struct PostsController {
    posts: Inject<PostService>,
    config: Config<BlogConfig>,
}

impl Controller for PostsController {
    fn routes(self: Arc<Self>, routes: &mut Routes) {
        let this = self.clone();
        routes.get("/", move || {
            let title = this.config.title.clone();
            async move { HttpResponse::Ok().json(serde_json::json!({ "title": title })) }
        });
        let this = self.clone();
        routes.get("/posts", move || {
            let posts = this.posts.latest();
            async move { HttpResponse::Ok().json(posts) }
        });
        let this = self.clone();
        routes.get("/posts/{id}", move |id: web::Path<u64>| {
            let post = this.posts.find(id.into_inner());
            async move {
                match post {
                    Some(post) => Ok(HttpResponse::Ok().json(post)),
                    None => Err(Error::new(404, "POST_NOT_FOUND", "no post has this id")
                        .with_hint("list posts with GET /posts")),
                }
            }
        });
        let this = self;
        routes.post("/posts", move |new: web::Json<NewPost>| {
            let result = this.posts.publish(new.into_inner());
            async move { result.map(|post| HttpResponse::Created().json(post)) }
        });
    }
}

/// Posts: the store, the service and the controller.
#[module(providers(PostStore, PostService), controllers(PostsController))]
pub struct PostsModule;
