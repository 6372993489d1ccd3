//! Articles: lists (filtered, and the feed of followed authors), one by
//! slug, writing and deleting one's own, favourites, and the tags.

use elif::prelude::*;
use elif_auth::{Ability, Authenticated, CurrentUser, Gate};

use crate::errors::{Conduit, not_blank};
use crate::models::{
    Article, ArticleChanges, ArticleTag, Favorite, NewArticle, NewArticleTag, NewFavorite, NewTag,
    Tag, User, article_tags, articles, favorites, tags, users,
};
use crate::views::{ArticleBody, ArticleSummary, ArticleView, ArticlesBody, TagsBody};

/// `?tag=&author=&favorited=&limit=&offset=`
#[derive(Debug, Default, Deserialize, Validate, Schema)]
pub struct Filter {
    /// Articles with this tag.
    pub tag: Option<String>,
    /// Articles by this username.
    pub author: Option<String>,
    /// Articles this username favourited.
    pub favorited: Option<String>,
    /// How many (1 to 100, default 20).
    #[validate(range(min = 1, max = 100))]
    pub limit: Option<u64>,
    /// How many to skip (default 0).
    #[validate(range(max = 1_000_000_000))]
    pub offset: Option<u64>,
}

impl Filter {
    /// The filter, checked: out-of-range paging is a 422.
    fn checked(self) -> elif::Result<Self> {
        match elif::validate::Validate::validate(&self) {
            Ok(()) => Ok(self),
            Err(errors) => Err(
                Error::new(422, "VALIDATION_FAILED", "the paging is out of range")
                    .with_errors(errors),
            ),
        }
    }
}

/// `{"article": {"title", "description", "body", "tagList"}}`
#[derive(Debug, Deserialize, Validate, Schema)]
pub struct Publish {
    /// The article.
    #[validate(required, nested)]
    pub article: Option<NewArticleInput>,
}

/// A new article.
#[derive(Debug, Default, Deserialize, Validate, Schema)]
#[serde(rename_all = "camelCase")]
pub struct NewArticleInput {
    /// The title.
    #[validate(required, custom = not_blank)]
    pub title: Option<String>,
    /// What it is about.
    #[validate(required, custom = not_blank)]
    pub description: Option<String>,
    /// The text.
    #[validate(required, custom = not_blank)]
    pub body: Option<String>,
    /// Tag names.
    #[serde(default)]
    #[validate(each(custom = not_blank))]
    pub tag_list: Vec<String>,
}

/// `{"article": {..}}`: what changes.
#[derive(Debug, Deserialize, Validate, Schema)]
pub struct Edit {
    /// The changes.
    #[validate(required, nested)]
    pub article: Option<ArticleEdit>,
}

/// The fields to change; absent ones stay. A new title gives a new slug.
#[derive(Debug, Default, Deserialize, Validate, Schema)]
#[serde(rename_all = "camelCase")]
pub struct ArticleEdit {
    /// A new title.
    #[validate(custom = not_blank)]
    pub title: Option<String>,
    /// A new description.
    #[validate(custom = not_blank)]
    pub description: Option<String>,
    /// A new text.
    #[validate(custom = not_blank)]
    pub body: Option<String>,
    /// New tags (replacing the old).
    #[validate(each(custom = not_blank))]
    pub tag_list: Option<Vec<String>>,
}

/// The slug of a title: its words in lower-case kebab case, and a random
/// suffix, so that two articles of the same title (even created at the
/// same instant) never share one.
fn slug(title: &str) -> String {
    let mut slug = String::with_capacity(title.len() + 9);
    for word in title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if slug.len() > 80 {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.extend(word.chars().flat_map(char::to_lowercase));
    }
    let suffix: u32 = rand_suffix();
    if !slug.is_empty() {
        slug.push('-');
    }
    slug.push_str(&format!("{suffix:08x}"));
    slug
}

/// 32 random bits (from the process's random hasher keys and a counter).
fn rand_suffix() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    (hasher.finish() >> 32) as u32
}

/// Conduit's rules about articles.
#[injectable]
pub struct ArticleService {
    articles: Inject<Repository<Article>>,
    tags: Inject<Repository<Tag>>,
    article_tags: Inject<Repository<ArticleTag>>,
    favorites: Inject<Repository<Favorite>>,
}

impl ArticleService {
    /// What a response shows of articles: authors (and whether the viewer
    /// follows each), tags, favourite counts (and whether the viewer
    /// favourited each). One query per relation, whatever the number.
    fn shown(viewer: Option<&User>) -> Criteria<Article> {
        let criteria = Criteria::new()
            .with(Article::tags())
            .with_count(Article::favorited_by());
        match viewer.map(|v| v.id) {
            Some(me) => criteria
                .with(
                    Article::author()
                        .with_exists(User::followers(), move |f| f.filter(users::id.eq(me))),
                )
                .with_exists(Article::favorited_by(), move |u| u.filter(users::id.eq(me))),
            None => criteria.with(Article::author()),
        }
    }

    /// A page of articles, newest first, and how many the filter selects.
    pub async fn list(&self, filter: Filter, viewer: Option<&User>) -> elif::Result<ArticlesBody> {
        let paging = (filter.limit, filter.offset);
        let mut criteria = Self::shown(viewer).order_by(articles::id.desc());
        if let Some(tag) = filter.tag {
            criteria = criteria.has(Article::tags(), |t| t.filter(tags::name.eq(tag)));
        }
        if let Some(author) = filter.author {
            criteria = criteria.has(Article::author(), |u| u.filter(users::username.eq(author)));
        }
        if let Some(fan) = filter.favorited {
            criteria = criteria.has(Article::favorited_by(), |u| {
                u.filter(users::username.eq(fan))
            });
        }
        self.page(criteria, paging).await
    }

    /// The articles of the authors `viewer` follows, newest first.
    pub async fn feed(&self, filter: Filter, viewer: &User) -> elif::Result<ArticlesBody> {
        let me = viewer.id;
        let criteria = Self::shown(Some(viewer))
            .order_by(articles::id.desc())
            .has(Article::author(), |a| {
                a.has(User::followers(), |f| f.filter(users::id.eq(me)))
            });
        self.page(criteria, (filter.limit, filter.offset)).await
    }

    /// `(limit, offset)` of what `criteria` selects, 20 from the start by
    /// default.
    async fn page(
        &self,
        criteria: Criteria<Article>,
        (limit, offset): (Option<u64>, Option<u64>),
    ) -> elif::Result<ArticlesBody> {
        let criteria = criteria
            .limit(limit.unwrap_or(20))
            .offset(offset.unwrap_or(0));
        let (articles, total) = self.articles.list_with_total(criteria).await?;
        Ok(ArticlesBody {
            articles: articles.iter().map(ArticleSummary::of).collect(),
            articles_count: total,
        })
    }

    /// The article with this slug, as shown (404 `ARTICLE_NOT_FOUND`).
    pub async fn show(&self, slug: &str, viewer: Option<&User>) -> elif::Result<Article> {
        self.articles
            .first(Self::shown(viewer).filter(articles::slug.eq(slug.to_owned())))
            .await?
            .ok_or_else(|| Conduit::ArticleNotFound.into())
    }

    /// The article with this slug, without its relations (404
    /// `ARTICLE_NOT_FOUND`).
    pub async fn find(&self, slug: &str) -> elif::Result<Article> {
        self.articles
            .first(Criteria::new().filter(articles::slug.eq(slug.to_owned())))
            .await?
            .ok_or_else(|| Conduit::ArticleNotFound.into())
    }

    /// Links `article` to the tags of these names (made when new), in
    /// place of its old ones.
    async fn tag(&self, article: i64, names: &[String]) -> elif::Result<()> {
        self.article_tags
            .delete_where(Criteria::new().filter(article_tags::article_id.eq(article)))
            .await?;
        let mut seen: Vec<&str> = Vec::with_capacity(names.len());
        for name in names {
            let name = name.trim();
            if seen.contains(&name) {
                continue;
            }
            seen.push(name);
            let (tag, _) = self
                .tags
                .first_or_insert(
                    tags::name,
                    NewTag {
                        name: name.to_owned(),
                    },
                )
                .await?;
            self.article_tags
                .insert(NewArticleTag {
                    article_id: article,
                    tag_id: tag.id,
                })
                .await?;
        }
        Ok(())
    }

    /// Publishes an article by `author`.
    pub async fn publish(&self, input: NewArticleInput, author: &User) -> elif::Result<Article> {
        let title = input.title.unwrap_or_default();
        let article = self
            .articles
            .insert(NewArticle {
                slug: slug(&title),
                title,
                description: input.description.unwrap_or_default(),
                body: input.body.unwrap_or_default(),
                author_id: author.id,
            })
            .await?;
        self.tag(article.id, &input.tag_list).await?;
        self.show(&article.slug, Some(author)).await
    }

    /// Changes `viewer`'s article; a new title gives a new slug.
    /// Changes `article` (the policy allowed it); a new title gives a new
    /// slug. As `viewer` sees it afterwards.
    pub async fn edit(
        &self,
        article: Article,
        edit: ArticleEdit,
        viewer: &User,
    ) -> elif::Result<Article> {
        let changes = ArticleChanges {
            slug: edit.title.as_deref().map(slug),
            title: edit.title,
            description: edit.description,
            body: edit.body,
            ..ArticleChanges::default()
        };
        let changed = self.articles.update(article.id, changes).await?;
        if let Some(names) = &edit.tag_list {
            self.tag(article.id, names).await?;
        }
        self.show(&changed.slug, Some(viewer)).await
    }

    /// Deletes `article` (the policy allowed it) with its comments,
    /// favourites and tag links (the tables cascade).
    pub async fn delete(&self, article: Article) -> elif::Result<()> {
        self.articles.delete(article.id).await
    }

    /// `viewer` favourites the article (again: no change).
    pub async fn favorite(&self, slug: &str, viewer: &User) -> elif::Result<Article> {
        let article = self.show(slug, Some(viewer)).await?;
        if !article.favorited.get().copied().unwrap_or(false) {
            let new = NewFavorite {
                article_id: article.id,
                user_id: viewer.id,
            };
            match self.favorites.insert(new).await {
                Err(error) if error.code() != "ALREADY_EXISTS" => return Err(error),
                _ => {}
            }
        }
        self.show(slug, Some(viewer)).await
    }

    /// `viewer` no longer favourites the article.
    pub async fn unfavorite(&self, slug: &str, viewer: &User) -> elif::Result<Article> {
        let article = self.show(slug, Some(viewer)).await?;
        self.favorites
            .delete_where(
                Criteria::new()
                    .filter(favorites::article_id.eq(article.id))
                    .filter(favorites::user_id.eq(viewer.id)),
            )
            .await?;
        self.show(slug, Some(viewer)).await
    }

    /// Every tag's name.
    pub async fn tags(&self) -> elif::Result<Vec<String>> {
        let tags = self
            .tags
            .list(Criteria::new().order_by(tags::name.asc()))
            .await?;
        Ok(tags.into_iter().map(|t| t.name).collect())
    }
}

/// `/api/articles`
#[injectable]
pub struct ArticlesController {
    articles: Inject<ArticleService>,
    gate: Inject<Gate>,
}

impl ArticlesController {
    /// The article with this slug, if `viewer` may do `ability` to it
    /// (404, then 403).
    async fn allowed(
        &self,
        slug: &str,
        viewer: &CurrentUser<User>,
        ability: Ability,
    ) -> elif::Result<Article> {
        let article = self.articles.find(slug).await?;
        if self.gate.allows(viewer, ability, &article)? {
            Ok(article)
        } else {
            Err(Conduit::ArticleForbidden.into())
        }
    }
}

#[controller("/api/articles", guards(Authenticated))]
impl ArticlesController {
    /// Articles, newest first, filtered by `tag`, `author` or `favorited`.
    #[get("/")]
    #[public]
    async fn list(
        &self,
        filter: Query<Filter>,
        viewer: Option<CurrentUser<User>>,
    ) -> elif::Result<Json<ArticlesBody>> {
        let filter = filter.into_inner().checked()?;
        self.articles
            .list(filter, viewer.as_deref())
            .await
            .map(Json)
    }

    /// Articles of the authors the viewer follows, newest first.
    #[get("/feed")]
    async fn feed(
        &self,
        filter: Query<Filter>,
        viewer: CurrentUser<User>,
    ) -> elif::Result<Json<ArticlesBody>> {
        let filter = filter.into_inner().checked()?;
        self.articles.feed(filter, &viewer).await.map(Json)
    }

    /// One article.
    #[get("/{slug}")]
    #[public]
    #[openapi(errors(Conduit))]
    async fn show(
        &self,
        slug: String,
        viewer: Option<CurrentUser<User>>,
    ) -> elif::Result<Json<ArticleBody>> {
        let article = self.articles.show(&slug, viewer.as_deref()).await?;
        Ok(Json(ArticleView::of(&article)))
    }

    /// Publishes an article.
    #[post("/", interceptors(Transactional))]
    async fn create(
        &self,
        input: Valid<Publish>,
        author: CurrentUser<User>,
    ) -> elif::Result<Created<ArticleBody>> {
        let article = self
            .articles
            .publish(input.into_inner().article.unwrap_or_default(), &author)
            .await?;
        Ok(Created::at(
            format!("/api/articles/{}", article.slug),
            ArticleView::of(&article),
        ))
    }

    /// Changes one's own article.
    #[put("/{slug}", interceptors(Transactional))]
    #[openapi(errors(Conduit))]
    async fn update(
        &self,
        slug: String,
        input: Valid<Edit>,
        viewer: CurrentUser<User>,
    ) -> elif::Result<Json<ArticleBody>> {
        let article = self
            .articles
            .edit(
                self.allowed(&slug, &viewer, Ability::Update).await?,
                input.into_inner().article.unwrap_or_default(),
                &viewer,
            )
            .await?;
        Ok(Json(ArticleView::of(&article)))
    }

    /// Deletes one's own article, with its comments and favourites.
    #[delete("/{slug}", interceptors(Transactional))]
    #[openapi(errors(Conduit))]
    async fn delete(&self, slug: String, viewer: CurrentUser<User>) -> elif::Result<NoContent> {
        let article = self.allowed(&slug, &viewer, Ability::Delete).await?;
        self.articles.delete(article).await.map(|()| NoContent)
    }

    /// Favourites an article.
    #[post("/{slug}/favorite")]
    #[openapi(status = 200, errors(Conduit))]
    async fn favorite(
        &self,
        slug: String,
        viewer: CurrentUser<User>,
    ) -> elif::Result<Json<ArticleBody>> {
        let article = self.articles.favorite(&slug, &viewer).await?;
        Ok(Json(ArticleView::of(&article)))
    }

    /// No longer favourites an article.
    #[delete("/{slug}/favorite")]
    #[openapi(errors(Conduit))]
    async fn unfavorite(
        &self,
        slug: String,
        viewer: CurrentUser<User>,
    ) -> elif::Result<Json<ArticleBody>> {
        let article = self.articles.unfavorite(&slug, &viewer).await?;
        Ok(Json(ArticleView::of(&article)))
    }
}

/// `/api/tags`
#[injectable]
pub struct TagsController {
    articles: Inject<ArticleService>,
}

#[controller("/api/tags", public)]
impl TagsController {
    /// Every tag.
    #[get("/")]
    async fn list(&self) -> elif::Result<Json<TagsBody>> {
        Ok(Json(TagsBody {
            tags: self.articles.tags().await?,
        }))
    }
}

/// Articles, favourites and tags.
#[module(
    imports(crate::models::ModelsModule, elif_auth::AuthModule, DataModule),
    providers(ArticleService, crate::policies::ArticlePolicy),
    controllers(ArticlesController, TagsController),
    exports(ArticleService)
)]
pub struct ArticlesModule;
