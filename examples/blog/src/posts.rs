//! Posts: the blog's rules in a service over the repositories, and the
//! controllers that serve them.

use elif::prelude::*;

use elif_auth::{Ability, Authenticated, CurrentUser, Gate};

use crate::models::{
    Author, Comment, CommentInput, NewAuthor, NewPostTag, NewTag, Post, PostInput, PostPatch,
    PostTag, Tag, authors, posts, tags,
};

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

/// Which page of posts to list.
#[derive(Debug, Deserialize, Schema)]
pub struct Paging {
    /// 1-based page number (default 1).
    pub page: Option<u64>,
}

/// What a writer sends to publish a post: the post's fillable fields and
/// its tags by name.
#[derive(Debug, Deserialize, Validate, Schema)]
#[serde(deny_unknown_fields)]
pub struct Publish {
    /// The title.
    #[validate(length(min = 1, max = 200))]
    pub title: String,
    /// The text.
    #[validate(length(min = 1, max = 100_000))]
    pub body: String,
    /// Tag names (created when new; a name given twice is one tag).
    #[serde(default)]
    #[validate(
        length(max = 20),
        each(length(min = 1, max = 50), regex = r"^[^\x00-\x1F\x7F-\x9F]+$")
    )]
    pub tags: Vec<String>,
}

/// The blog's rules about posts.
#[injectable]
pub struct PostService {
    authors: Inject<Repository<Author>>,
    posts: Inject<Repository<Post>>,
    comments: Inject<Repository<Comment>>,
    tags: Inject<Repository<Tag>>,
    post_tags: Inject<Repository<PostTag>>,
    config: Config<BlogConfig>,
}

impl PostService {
    /// One page of posts, newest first, each with its author.
    pub async fn page(&self, page: u64) -> elif::Result<Page<Post>> {
        let newest_first = Criteria::new()
            .order_by(posts::id.desc())
            .with(Post::author());
        self.posts
            .page(newest_first, page, self.config.page_size)
            .await
    }

    /// One post with its author, comments and tags.
    pub async fn find(&self, id: i64) -> elif::Result<Post> {
        let mut found = vec![self.posts.find_or_fail(id).await?];
        self.posts.load(&mut found, Post::author()).await?;
        self.posts.load(&mut found, Post::comments()).await?;
        self.posts.load(&mut found, Post::tags()).await?;
        Ok(found.remove(0))
    }

    /// The author of this name, created on first use (without an email:
    /// such an author cannot sign in; the seed's is one).
    pub async fn author(&self, name: &str) -> elif::Result<Author> {
        let existing = self
            .authors
            .first(Criteria::new().filter(authors::name.eq(name.to_owned())))
            .await?;
        match existing {
            Some(author) => Ok(author),
            None => {
                self.authors
                    .insert(NewAuthor {
                        name: name.to_owned(),
                        bio: None,
                        email: None,
                        password_hash: None,
                        role: "author".to_owned(),
                    })
                    .await
            }
        }
    }

    /// The tag of this name, created on first use.
    async fn tag(&self, name: &str) -> elif::Result<Tag> {
        let existing = self
            .tags
            .first(Criteria::new().filter(tags::name.eq(name.to_owned())))
            .await?;
        match existing {
            Some(tag) => Ok(tag),
            None => {
                self.tags
                    .insert(NewTag {
                        name: name.to_owned(),
                    })
                    .await
            }
        }
    }

    /// Publishes a post by `author` with its tags. Run it in a transaction:
    /// a failure leaves no half-published post.
    pub async fn publish(&self, publish: Publish, author: &Author) -> elif::Result<Post> {
        let input = PostInput {
            title: publish.title,
            body: publish.body,
        };
        let post = self.posts.insert(input.into_new(author.id)).await?;
        let mut names: Vec<&String> = Vec::with_capacity(publish.tags.len());
        for name in &publish.tags {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        for name in names {
            let tag = self.tag(name).await?;
            self.post_tags
                .insert(NewPostTag {
                    post_id: post.id,
                    tag_id: tag.id,
                })
                .await?;
        }
        self.find(post.id).await
    }

    /// The post with this key, without its relations (404 when absent).
    pub async fn get(&self, id: i64) -> elif::Result<Post> {
        self.posts.find_or_fail(id).await
    }

    /// Changes a post's title or body.
    pub async fn change(&self, id: i64, patch: PostPatch) -> elif::Result<Post> {
        self.posts.update(id, patch.into()).await?;
        self.find(id).await
    }

    /// Deletes a post (its comments and tag links go with it).
    pub async fn delete(&self, id: i64) -> elif::Result<()> {
        self.posts.delete(id).await
    }

    /// Adds a reader's comment to a post.
    pub async fn comment(&self, id: i64, input: CommentInput) -> elif::Result<Comment> {
        self.posts.find_or_fail(id).await?;
        self.comments.insert(input.into_new(id)).await
    }

    /// Every tag, by name.
    pub async fn tags(&self) -> elif::Result<Vec<Tag>> {
        self.tags
            .list(Criteria::new().order_by(tags::name.asc()))
            .await
    }

    /// The blog's title.
    pub fn title(&self) -> &str {
        &self.config.title
    }
}

/// `/posts`: anyone reads and comments; a signed-in author publishes,
/// and changes their own posts; an admin deletes any.
#[injectable]
pub struct PostsController {
    posts: Inject<PostService>,
    gate: Inject<Gate>,
}

#[controller("/posts", guards(Authenticated))]
impl PostsController {
    /// Lists posts, newest first, with their authors.
    #[get("/")]
    #[public]
    async fn list(&self, paging: Query<Paging>) -> elif::Result<Page<Post>> {
        self.posts.page(paging.page.unwrap_or(1)).await
    }

    /// One post, with its author, comments and tags.
    #[get("/{id}")]
    #[public]
    async fn show(&self, id: i64) -> elif::Result<Json<Post>> {
        self.posts.find(id).await.map(Json)
    }

    /// Publishes a post (writers only), atomically with its tags.
    // The body limit fits the longest valid post: 101,200 characters of
    // title, text and tags, at up to 12 bytes each in JSON (`\ud83d\ude00`).
    #[post("/", interceptors(Transactional), body_limit = 2_097_152)]
    #[requires(permission = "posts.write")]
    async fn create(
        &self,
        input: Valid<Publish>,
        author: CurrentUser<Author>,
    ) -> elif::Result<Created<Post>> {
        let post = self.posts.publish(input.into_inner(), &author).await?;
        Ok(Created::at(format!("/posts/{}", post.id), post))
    }

    /// Changes a post's title or body (its author, or an admin).
    #[patch("/{id}", body_limit = 2_097_152)]
    #[requires(permission = "posts.write")]
    async fn change(
        &self,
        id: i64,
        patch: Valid<PostPatch>,
        author: CurrentUser<Author>,
    ) -> elif::Result<Json<Post>> {
        let post = self.posts.get(id).await?;
        self.gate.authorize(&author, Ability::Update, &post)?;
        self.posts.change(id, patch.into_inner()).await.map(Json)
    }

    /// Deletes a post (admins only).
    #[delete("/{id}")]
    #[requires(role = "admin")]
    async fn delete(&self, id: i64) -> elif::Result<NoContent> {
        self.posts.delete(id).await.map(|()| NoContent)
    }

    /// Comments on a post (anyone).
    #[post("/{id}/comments")]
    #[public]
    async fn comment(&self, id: i64, input: Valid<CommentInput>) -> elif::Result<Created<Comment>> {
        let comment = self.posts.comment(id, input.into_inner()).await?;
        Ok(Created::at(format!("/posts/{id}"), comment))
    }
}

/// `/tags`
#[injectable]
pub struct TagsController {
    posts: Inject<PostService>,
}

#[controller("/tags", public)]
impl TagsController {
    /// Every tag.
    #[get("/")]
    async fn list(&self) -> elif::Result<Json<Vec<Tag>>> {
        self.posts.tags().await.map(Json)
    }
}

/// `/`: what this blog is.
#[injectable]
pub struct HomeController {
    posts: Inject<PostService>,
}

#[controller(public)]
impl HomeController {
    /// The blog's title and where to go next.
    #[get("/")]
    async fn home(&self) -> Json<serde_json::Value> {
        Json(serde_json::json!({
            "title": self.posts.title(),
            "posts": "/posts",
            "tags": "/tags",
            "contact": "/contact"
        }))
    }
}

/// Posts: the service and the controllers.
#[module(
    imports(
        crate::accounts::AccountsModule,
        crate::models::ModelsModule,
        DataModule
    ),
    providers(PostService),
    exports(PostService),
    controllers(PostsController, TagsController, HomeController)
)]
pub struct PostsModule;
