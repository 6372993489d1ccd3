//! Who may change what: authors change and delete their own articles and
//! comments (elif-auth's `Gate` asks these).

use elif::prelude::*;
use elif_auth::Policy;

use crate::models::{Article, Comment, User};

/// An article is its author's to change and delete.
#[injectable(provides = dyn Policy<User, Article>)]
pub struct ArticlePolicy;

impl Policy<User, Article> for ArticlePolicy {
    fn update(&self, user: &User, article: &Article) -> bool {
        article.author_id == user.id
    }

    fn delete(&self, user: &User, article: &Article) -> bool {
        article.author_id == user.id
    }
}

/// A comment is its author's to delete.
#[injectable(provides = dyn Policy<User, Comment>)]
pub struct CommentPolicy;

impl Policy<User, Comment> for CommentPolicy {
    fn delete(&self, user: &User, comment: &Comment) -> bool {
        comment.author_id == user.id
    }
}
