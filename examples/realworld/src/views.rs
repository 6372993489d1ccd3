//! What the API answers, in RealWorld's shapes (camelCase members,
//! timestamps in ISO 8601 with milliseconds and `Z`).

use elif::prelude::*;

use crate::models::{Article, Comment, User};

/// `2016-02-18T03:22:56.637Z`.
fn iso(at: &Timestamp) -> String {
    at.0.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// `{"user": ..}`
#[derive(Debug, Serialize, Schema)]
pub struct UserBody {
    /// The signed-in user.
    pub user: UserView,
}

/// The signed-in user, with their token.
#[derive(Debug, Serialize, Schema)]
pub struct UserView {
    /// The sign-in email.
    pub email: String,
    /// A JWT, for `Authorization: Token <jwt>`.
    pub token: String,
    /// The name.
    pub username: String,
    /// A line about them.
    pub bio: Option<String>,
    /// A picture's URL.
    pub image: Option<String>,
}

impl UserView {
    /// `user` with `token`.
    pub fn of(user: &User, token: String) -> UserBody {
        UserBody {
            user: Self {
                email: user.email.clone(),
                token,
                username: user.username.clone(),
                bio: user.bio.clone(),
                image: user.image.clone(),
            },
        }
    }
}

/// `{"profile": ..}`
#[derive(Debug, Serialize, Schema)]
pub struct ProfileBody {
    /// The profile.
    pub profile: Profile,
}

/// A user as others see them.
#[derive(Debug, Serialize, Schema)]
pub struct Profile {
    /// The name.
    pub username: String,
    /// A line about them.
    pub bio: Option<String>,
    /// A picture's URL.
    pub image: Option<String>,
    /// Whether the viewer follows them.
    pub following: bool,
}

impl Profile {
    /// `user` as seen by a viewer who follows them or not.
    pub fn of(user: &User, following: bool) -> Self {
        Self {
            username: user.username.clone(),
            bio: user.bio.clone(),
            image: user.image.clone(),
            following,
        }
    }

    /// A loaded author, `following` read from its flag when asked for.
    fn author(user: &User) -> Self {
        Self::of(user, user.following.get().copied().unwrap_or(false))
    }
}

/// `{"article": ..}`
#[derive(Debug, Serialize, Schema)]
pub struct ArticleBody {
    /// The article.
    pub article: ArticleView,
}

/// An article, with its body.
#[derive(Debug, Serialize, Schema)]
#[serde(rename_all = "camelCase")]
pub struct ArticleView {
    /// Its URL name.
    pub slug: String,
    /// The title.
    pub title: String,
    /// What it is about.
    pub description: String,
    /// The text.
    pub body: String,
    /// Its tags, by name.
    pub tag_list: Vec<String>,
    /// When it was published.
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
    /// Whether the viewer favourited it.
    pub favorited: bool,
    /// How many favourited it.
    pub favorites_count: i64,
    /// Who wrote it.
    pub author: Profile,
}

/// `{"articles": [..], "articlesCount": n}`: no bodies.
#[derive(Debug, Serialize, Schema)]
#[serde(rename_all = "camelCase")]
pub struct ArticlesBody {
    /// A page of articles, newest first.
    pub articles: Vec<ArticleSummary>,
    /// How many articles the filter selects in all.
    pub articles_count: u64,
}

/// An article in a list: all but its body.
#[derive(Debug, Serialize, Schema)]
#[serde(rename_all = "camelCase")]
pub struct ArticleSummary {
    /// Its URL name.
    pub slug: String,
    /// The title.
    pub title: String,
    /// What it is about.
    pub description: String,
    /// Its tags, by name.
    pub tag_list: Vec<String>,
    /// When it was published.
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
    /// Whether the viewer favourited it.
    pub favorited: bool,
    /// How many favourited it.
    pub favorites_count: i64,
    /// Who wrote it.
    pub author: Profile,
}

/// Tag names, sorted (the relation loads in no particular order).
fn tag_names(article: &Article) -> Vec<String> {
    let mut names: Vec<String> = article
        .tags
        .get()
        .map(|tags| tags.iter().map(|t| t.name.clone()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

impl ArticleView {
    /// A loaded article (author, tags, count and flag).
    pub fn of(article: &Article) -> ArticleBody {
        let summary = ArticleSummary::of(article);
        ArticleBody {
            article: Self {
                slug: summary.slug,
                title: summary.title,
                description: summary.description,
                body: article.body.clone(),
                tag_list: summary.tag_list,
                created_at: summary.created_at,
                updated_at: summary.updated_at,
                favorited: summary.favorited,
                favorites_count: summary.favorites_count,
                author: summary.author,
            },
        }
    }
}

impl ArticleSummary {
    /// A loaded article, without its body.
    pub fn of(article: &Article) -> Self {
        let author = article.author.get().map(Profile::author);
        Self {
            slug: article.slug.clone(),
            title: article.title.clone(),
            description: article.description.clone(),
            tag_list: tag_names(article),
            created_at: iso(&article.created_at),
            updated_at: iso(&article.updated_at),
            favorited: article.favorited.get().copied().unwrap_or(false),
            favorites_count: article.favorites_count.get().copied().unwrap_or(0),
            author: author.unwrap_or_else(|| Profile {
                username: String::new(),
                bio: None,
                image: None,
                following: false,
            }),
        }
    }
}

/// `{"comment": ..}`
#[derive(Debug, Serialize, Schema)]
pub struct CommentBody {
    /// The comment.
    pub comment: CommentView,
}

/// `{"comments": [..]}`
#[derive(Debug, Serialize, Schema)]
pub struct CommentsBody {
    /// The article's comments, newest first.
    pub comments: Vec<CommentView>,
}

/// A comment.
#[derive(Debug, Serialize, Schema)]
#[serde(rename_all = "camelCase")]
pub struct CommentView {
    /// Its id.
    pub id: i64,
    /// When it was written.
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
    /// The text.
    pub body: String,
    /// Who wrote it.
    pub author: Profile,
}

impl CommentView {
    /// A comment with its loaded author.
    pub fn of(comment: &Comment) -> Self {
        Self {
            id: comment.id,
            created_at: iso(&comment.created_at),
            updated_at: iso(&comment.updated_at),
            body: comment.body.clone(),
            author: comment
                .author
                .get()
                .map(Profile::author)
                .unwrap_or_else(|| Profile {
                    username: String::new(),
                    bio: None,
                    image: None,
                    following: false,
                }),
        }
    }
}

/// `{"tags": [..]}`
#[derive(Debug, Serialize, Schema)]
pub struct TagsBody {
    /// Every tag, by name.
    pub tags: Vec<String>,
}
