//! Conduit's tables, one `#[model]` each (`migrations/` creates them for
//! SQLite and PostgreSQL).

use elif::prelude::*;

/// A user: signs in with an email and a password, writes articles, follows
/// other users and favourites articles.
#[model(table = "users")]
#[derive(Debug, Clone)]
pub struct User {
    /// Its id.
    #[key]
    pub id: i64,
    /// The sign-in email, unique.
    #[unique]
    #[hidden]
    pub email: String,
    /// The name profiles and articles show, unique.
    #[unique]
    pub username: String,
    /// The password's argon2id hash (PHC text); never serialised.
    #[hidden]
    pub password_hash: elif_auth::PasswordHash,
    /// A line about them.
    pub bio: Option<String>,
    /// A picture's URL.
    pub image: Option<String>,
    /// When the row was made.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// Who follows this user (`follows.followed_id` is this user).
    #[many_to_many(User, through = Follow, foreign_key = followed_id, related_key = follower_id)]
    pub followers: Related<Vec<User>>,
    /// Whether the viewer follows this user (asked for per query).
    #[exists(followers)]
    pub following: Related<bool>,
}

/// `follower_id` follows `followed_id`.
#[model(table = "follows")]
#[derive(Debug, Clone)]
pub struct Follow {
    /// Its id.
    #[key]
    pub id: i64,
    /// Who follows.
    pub follower_id: i64,
    /// Whom.
    pub followed_id: i64,
}

/// An article.
#[model(table = "articles")]
#[derive(Debug, Clone)]
pub struct Article {
    /// Its id.
    #[key]
    pub id: i64,
    /// Its URL name, unique: the title in kebab case and a random suffix.
    #[unique]
    pub slug: String,
    /// The title.
    pub title: String,
    /// What it is about, in a line.
    pub description: String,
    /// The text.
    pub body: String,
    /// Who wrote it.
    #[index]
    pub author_id: i64,
    /// When it was published.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// Its author.
    #[belongs_to(User)]
    pub author: Related<User>,
    /// Its tags.
    #[many_to_many(Tag, through = ArticleTag)]
    pub tags: Related<Vec<Tag>>,
    /// Who favourited it.
    #[many_to_many(User, through = Favorite)]
    pub favorited_by: Related<Vec<User>>,
    /// How many favourited it.
    #[count(favorited_by)]
    pub favorites_count: Related<i64>,
    /// Whether the viewer favourited it.
    #[exists(favorited_by)]
    pub favorited: Related<bool>,
}

/// A tag, shared by articles.
#[model(table = "tags")]
#[derive(Debug, Clone)]
pub struct Tag {
    /// Its id.
    #[key]
    pub id: i64,
    /// Unique.
    #[unique]
    pub name: String,
}

/// Which article has which tag.
#[model(table = "article_tags")]
#[derive(Debug, Clone)]
pub struct ArticleTag {
    /// Its id.
    #[key]
    pub id: i64,
    /// The article.
    pub article_id: i64,
    /// The tag.
    pub tag_id: i64,
}

/// Who favourited which article.
#[model(table = "favorites")]
#[derive(Debug, Clone)]
pub struct Favorite {
    /// Its id.
    #[key]
    pub id: i64,
    /// The article.
    pub article_id: i64,
    /// The user.
    pub user_id: i64,
}

/// A comment on an article.
#[model(table = "comments")]
#[derive(Debug, Clone)]
pub struct Comment {
    /// Its id.
    #[key]
    pub id: i64,
    /// The article.
    #[index]
    pub article_id: i64,
    /// Who wrote it.
    pub author_id: i64,
    /// The text.
    pub body: String,
    /// When it was written.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// Its author.
    #[belongs_to(User)]
    pub author: Related<User>,
}

/// The repositories, for the modules that import it.
#[module(
    imports(DataModule),
    providers(
        Repository<User>,
        Repository<Follow>,
        Repository<Article>,
        Repository<Tag>,
        Repository<ArticleTag>,
        Repository<Favorite>,
        Repository<Comment>
    ),
    exports(
        Repository<User>,
        Repository<Follow>,
        Repository<Article>,
        Repository<Tag>,
        Repository<ArticleTag>,
        Repository<Favorite>,
        Repository<Comment>
    )
)]
pub struct ModelsModule;
