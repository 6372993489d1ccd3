//! The blog's tables, one `#[model]` each. Migrations (`migrations/`)
//! create them; `check` compares them with the live database.

use elif::prelude::*;

/// Someone who writes posts, and signs in to do so.
#[model(table = "authors")]
#[derive(Debug, Clone)]
pub struct Author {
    /// Its id.
    #[key]
    pub id: i64,
    /// Unique.
    pub name: String,
    /// A line about them.
    pub bio: Option<String>,
    /// Their sign-in email, unique (none for an author who cannot sign
    /// in); private: posts show their author without it.
    #[unique]
    #[hidden]
    pub email: Option<String>,
    /// Their password's argon2id hash (PHC text); never serialised.
    #[hidden]
    pub password_hash: Option<elif_auth::PasswordHash>,
    /// `author` or `admin`.
    pub role: String,
    /// When the row was made.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// What they wrote (loaded on demand).
    #[has_many(Post)]
    pub posts: Related<Vec<Post>>,
}

/// A blog post.
#[model(table = "posts")]
#[derive(Debug, Clone)]
pub struct Post {
    /// Its id.
    #[key]
    pub id: i64,
    /// Who wrote it: set from the request's writer, never by the client.
    pub author_id: i64,
    /// Its title.
    #[fillable]
    #[validate(length(min = 1, max = 200))]
    pub title: String,
    /// Its text.
    #[fillable]
    #[validate(length(min = 1, max = 100_000))]
    pub body: String,
    /// When it was published.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// Its author (loaded on demand).
    #[belongs_to(Author)]
    pub author: Related<Author>,
    /// Its comments (loaded on demand).
    #[has_many(Comment)]
    pub comments: Related<Vec<Comment>>,
    /// Its tags (loaded on demand).
    #[many_to_many(Tag, through = PostTag)]
    pub tags: Related<Vec<Tag>>,
}

/// A reader's comment on a post.
#[model(table = "comments")]
#[derive(Debug, Clone)]
pub struct Comment {
    /// Its id.
    #[key]
    pub id: i64,
    /// The post.
    #[belongs_to(Post)]
    pub post_id: i64,
    /// Who wrote it.
    #[fillable]
    #[validate(length(min = 1, max = 100))]
    pub name: String,
    /// What they wrote.
    #[fillable]
    #[validate(length(min = 1, max = 5000))]
    pub body: String,
    /// When.
    pub created_at: Timestamp,
}

/// A tag, shared by posts.
#[model(table = "tags")]
#[derive(Debug, Clone)]
pub struct Tag {
    /// Its id.
    #[key]
    pub id: i64,
    /// Unique.
    #[fillable]
    #[validate(length(min = 1, max = 50))]
    pub name: String,
}

/// Which post has which tag.
#[model(table = "post_tags")]
#[derive(Debug, Clone)]
pub struct PostTag {
    /// Its id.
    #[key]
    pub id: i64,
    /// The post.
    #[belongs_to(Post)]
    pub post_id: i64,
    /// The tag.
    #[belongs_to(Tag)]
    pub tag_id: i64,
}

/// A message sent through the contact form.
#[model(table = "messages")]
#[derive(Debug, Clone)]
pub struct Message {
    /// Its id.
    #[key]
    pub id: i64,
    /// The sender's name.
    #[fillable]
    #[validate(length(min = 1, max = 100))]
    pub name: String,
    /// Where to answer; never shown back.
    #[fillable]
    #[hidden]
    #[validate(email)]
    pub email: String,
    /// The message.
    #[fillable]
    #[validate(length(min = 10, max = 5000))]
    pub message: String,
    /// When it arrived.
    pub created_at: Timestamp,
}

/// The repositories, for the modules that import it.
#[module(
    imports(DataModule),
    providers(
        Repository<Author>,
        Repository<Post>,
        Repository<Comment>,
        Repository<Tag>,
        Repository<PostTag>,
        Repository<Message>
    ),
    exports(
        Repository<Author>,
        Repository<Post>,
        Repository<Comment>,
        Repository<Tag>,
        Repository<PostTag>,
        Repository<Message>
    )
)]
pub struct ModelsModule;
