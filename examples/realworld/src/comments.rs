//! Comments on articles.

use elif::prelude::*;
use elif_auth::{Ability, Authenticated, CurrentUser, Gate};

use crate::articles::ArticleService;
use crate::errors::{Conduit, not_blank};
use crate::models::{Comment, NewComment, User, comments, users};
use crate::views::{CommentBody, CommentView, CommentsBody};

/// `{"comment": {"body"}}`
#[derive(Debug, Deserialize, Validate, Schema)]
pub struct Say {
    /// The comment.
    #[validate(required, nested)]
    pub comment: Option<NewCommentInput>,
}

/// A new comment.
#[derive(Debug, Default, Deserialize, Validate, Schema)]
pub struct NewCommentInput {
    /// The text.
    #[validate(required, custom = not_blank)]
    pub body: Option<String>,
}

/// `/api/articles/{slug}/comments`
#[injectable]
pub struct CommentsController {
    articles: Inject<ArticleService>,
    comments: Inject<Repository<Comment>>,
    gate: Inject<Gate>,
}

impl CommentsController {
    /// Comments with their authors, and whether the viewer follows each.
    fn shown(viewer: Option<&User>) -> Criteria<Comment> {
        match viewer.map(|v| v.id) {
            Some(me) => Criteria::new().with(
                Comment::author()
                    .with_exists(User::followers(), move |f| f.filter(users::id.eq(me))),
            ),
            None => Criteria::new().with(Comment::author()),
        }
    }
}

#[controller("/api/articles", guards(Authenticated))]
impl CommentsController {
    /// An article's comments, newest first.
    #[get("/{slug}/comments")]
    #[public]
    #[openapi(errors(Conduit))]
    async fn list(
        &self,
        slug: String,
        viewer: Option<CurrentUser<User>>,
    ) -> elif::Result<Json<CommentsBody>> {
        let viewer = viewer.as_deref();
        let article = self.articles.show(&slug, viewer).await?;
        let found = self
            .comments
            .list(
                Self::shown(viewer)
                    .filter(comments::article_id.eq(article.id))
                    .order_by(comments::id.desc()),
            )
            .await?;
        Ok(Json(CommentsBody {
            comments: found.iter().map(CommentView::of).collect(),
        }))
    }

    /// Comments on an article.
    #[post("/{slug}/comments")]
    #[openapi(errors(Conduit))]
    async fn add(
        &self,
        slug: String,
        input: Valid<Say>,
        author: CurrentUser<User>,
    ) -> elif::Result<Created<CommentBody>> {
        let article = self.articles.show(&slug, Some(&author)).await?;
        let comment = self
            .comments
            .insert(NewComment {
                article_id: article.id,
                author_id: author.id,
                body: input
                    .into_inner()
                    .comment
                    .and_then(|c| c.body)
                    .unwrap_or_default(),
            })
            .await?;
        let shown = self
            .comments
            .first(Self::shown(Some(&author)).filter(comments::id.eq(comment.id)))
            .await?
            .ok_or(Conduit::CommentNotFound)?;
        Ok(Created::at(
            format!("/api/articles/{slug}/comments"),
            CommentBody {
                comment: CommentView::of(&shown),
            },
        ))
    }

    /// Deletes one's own comment.
    #[delete("/{slug}/comments/{id}")]
    #[openapi(errors(Conduit))]
    async fn delete(
        &self,
        slug: String,
        id: i64,
        viewer: CurrentUser<User>,
    ) -> elif::Result<NoContent> {
        let article = self.articles.show(&slug, Some(&viewer)).await?;
        let comment = self
            .comments
            .first(
                Criteria::new()
                    .filter(comments::id.eq(id))
                    .filter(comments::article_id.eq(article.id)),
            )
            .await?
            .ok_or(Conduit::CommentNotFound)?;
        if !self.gate.allows(&viewer, Ability::Delete, &comment)? {
            return Err(Conduit::CommentForbidden.into());
        }
        self.comments.delete(comment.id).await?;
        Ok(NoContent)
    }
}

/// Comments.
#[module(
    imports(
        crate::models::ModelsModule,
        crate::articles::ArticlesModule,
        elif_auth::AuthModule
    ),
    providers(crate::policies::CommentPolicy),
    controllers(CommentsController)
)]
pub struct CommentsModule;
