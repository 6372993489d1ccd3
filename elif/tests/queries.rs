//! The queries a real app needs, on both backends (an SQLite file and a
//! PostgreSQL schema per test), on a RealWorld-like schema: filters by a
//! related model (`has`, `doesnt_have`, nested, through a join model and
//! from a model to itself), counts and flags of a relation filled for a page
//! of rows, update and delete by criteria, column arithmetic that cannot
//! race, more keys than a statement may bind, and the injectable clock
//! behind `created_at`/`updated_at`. Query counts are asserted: each
//! repository call is one checkout (whose liveness check is one statement)
//! plus its own statements.

#![allow(missing_docs, clippy::unwrap_used)]

use std::time::Duration;

use elif::data::{Database, Migrations};
use elif::prelude::*;
use elif::testing::TestDatabase;
use elif::time::{Clock, TestClock};

const MIGRATIONS: Migrations = elif::migrations!("migrations/queries");

/// A user, who follows others and favourites articles.
#[model(table = "users")]
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    #[key]
    pub id: i64,
    #[unique]
    pub username: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Who follows this user: a relation from `users` to `users`.
    #[many_to_many(User, through = Follow, foreign_key = followed_id, related_key = follower_id)]
    pub followers: Related<Vec<User>>,
    #[has_many(Article, foreign_key = author_id)]
    pub articles: Related<Vec<Article>>,
    #[count(articles)]
    pub articles_count: Related<i64>,
    /// Whether the viewer follows this user.
    #[exists(followers)]
    pub following: Related<bool>,
}

/// `follower_id` follows `followed_id`.
#[model(table = "follows")]
#[derive(Debug, Clone, PartialEq)]
pub struct Follow {
    #[key]
    pub id: i64,
    pub follower_id: i64,
    pub followed_id: i64,
}

/// An article.
#[model(table = "articles")]
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    #[key]
    pub id: i64,
    #[index]
    pub author_id: i64,
    pub title: String,
    pub views: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    #[belongs_to(User)]
    pub author: Related<User>,
    #[many_to_many(Tag, through = ArticleTag)]
    pub tags: Related<Vec<Tag>>,
    #[many_to_many(User, through = Favorite)]
    pub favorited_by: Related<Vec<User>>,
    #[count(favorited_by)]
    pub favorites_count: Related<i64>,
    #[exists(favorited_by)]
    pub favorited: Related<bool>,
    #[has_many(Note)]
    pub notes: Related<Vec<Note>>,
    #[count(notes)]
    pub notes_count: Related<i64>,
}

#[model(table = "tags")]
#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    #[key]
    pub id: i64,
    pub name: String,
}

#[model(table = "article_tags")]
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleTag {
    #[key]
    pub id: i64,
    pub article_id: i64,
    pub tag_id: i64,
}

#[model(table = "favorites")]
#[derive(Debug, Clone, PartialEq)]
pub struct Favorite {
    #[key]
    pub id: i64,
    pub article_id: i64,
    pub user_id: i64,
}

/// A note that may belong to an article (a nullable foreign key).
#[model(table = "notes")]
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    #[key]
    pub id: i64,
    pub article_id: Option<i64>,
    pub body: String,
}

/// A category in a tree: a relation from `categories` to itself, both ways.
#[model(table = "categories")]
#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    #[key]
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    #[belongs_to(Category, foreign_key = parent_id)]
    pub parent: Related<Option<Box<Category>>>,
    #[has_many(Category, foreign_key = parent_id)]
    pub children: Related<Vec<Category>>,
    #[count(children)]
    pub children_count: Related<i64>,
}

/// Stock that must never go below zero.
#[model(table = "products")]
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    #[key]
    pub id: i64,
    pub name: String,
    pub stock: i32,
    pub updated_at: Timestamp,
}

/// A profile whose every fillable field has a validation rule the
/// factory must satisfy.
#[model(table = "profiles")]
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    #[key]
    pub id: i64,
    #[belongs_to(User)]
    pub user_id: i64,
    #[fillable]
    #[unique]
    #[validate(length(min = 3, max = 12))]
    pub handle: String,
    #[fillable]
    #[validate(email)]
    pub email: String,
    #[fillable]
    #[validate(url, length(max = 60))]
    pub website: String,
    #[fillable]
    #[validate(one_of = ["active", "away"])]
    pub status: String,
    #[fillable]
    #[validate(uuid)]
    pub invite: String,
    #[fillable]
    #[validate(range(min = 18, max = 99))]
    pub age: i32,
    #[fillable]
    #[validate(range(min = 0.5, max = 5.0))]
    pub rating: f64,
    #[fillable]
    #[validate(range(min = -3, max = 3))]
    pub level: i16,
    #[fillable]
    #[validate(length(min = 10, max = 300))]
    pub bio: Option<String>,
    #[fillable]
    pub active: bool,
    pub token: elif::data::Uuid,
    pub settings: elif::data::Document,
    #[belongs_to(User)]
    pub user: Related<User>,
}

#[module(
    imports(DataModule),
    providers(
        Repository<User>,
        Repository<Follow>,
        Repository<Article>,
        Repository<Tag>,
        Repository<ArticleTag>,
        Repository<Favorite>,
        Repository<Note>,
        Repository<Product>,
        Repository<Profile>,
        Repository<Category>
    )
)]
pub struct QueriesModule;

async fn boot_with(db: &TestDatabase, app: App) -> elif::Booted {
    app.module(QueriesModule)
        .without_env()
        .migrations(MIGRATIONS)
        .config("database.url", db.url())
        .boot()
        .await
        .unwrap()
}

async fn boot(db: &TestDatabase) -> elif::Booted {
    boot_with(db, App::new()).await
}

fn repository<M: elif::data::Model>(booted: &elif::Booted) -> Arc<Repository<M>> {
    booted.container().get::<Repository<M>>().unwrap()
}

async fn user(users: &Repository<User>, name: &str) -> User {
    users
        .insert(NewUser {
            username: name.to_owned(),
        })
        .await
        .unwrap()
}

/// ann, bo and cy; ann follows bo; bo follows cy. bo wrote "rust
/// async" (tags rust, async; favourited by ann and cy) and "web"
/// (tag web); cy wrote "untagged" (favourited by nobody) with a note.
struct World {
    _booted: elif::Booted,
    users: Arc<Repository<User>>,
    articles: Arc<Repository<Article>>,
    database: Arc<Database>,
    ann: User,
    bo: User,
    cy: User,
}

impl World {
    async fn new(db: &TestDatabase) -> Self {
        let booted = boot(db).await;
        let users = repository::<User>(&booted);
        let articles = repository::<Article>(&booted);
        let (follows, tags) = (repository::<Follow>(&booted), repository::<Tag>(&booted));
        let (links, favorites) = (
            repository::<ArticleTag>(&booted),
            repository::<Favorite>(&booted),
        );
        let notes = repository::<Note>(&booted);
        let database = booted.container().get::<Database>().unwrap();
        let user = |name: &str| NewUser {
            username: name.to_owned(),
        };
        let ann = users.insert(user("ann")).await.unwrap();
        let bo = users.insert(user("bo")).await.unwrap();
        let cy = users.insert(user("cy")).await.unwrap();
        for (follower, followed) in [(&ann, &bo), (&bo, &cy)] {
            follows
                .insert(NewFollow {
                    follower_id: follower.id,
                    followed_id: followed.id,
                })
                .await
                .unwrap();
        }
        let article = |author: &User, title: &str| NewArticle {
            author_id: author.id,
            title: title.to_owned(),
            views: 0,
        };
        let rust_async = articles.insert(article(&bo, "rust async")).await.unwrap();
        let web = articles.insert(article(&bo, "web")).await.unwrap();
        let untagged = articles.insert(article(&cy, "untagged")).await.unwrap();
        let mut tag_ids = Vec::new();
        for name in ["rust", "async", "web"] {
            let tag = tags.insert(NewTag { name: name.into() }).await.unwrap();
            tag_ids.push(tag.id);
        }
        for (article, tag) in [(&rust_async, 0), (&rust_async, 1), (&web, 2)] {
            links
                .insert(NewArticleTag {
                    article_id: article.id,
                    tag_id: tag_ids[tag],
                })
                .await
                .unwrap();
        }
        for who in [&ann, &cy] {
            favorites
                .insert(NewFavorite {
                    article_id: rust_async.id,
                    user_id: who.id,
                })
                .await
                .unwrap();
        }
        for article_id in [Some(untagged.id), None] {
            notes
                .insert(NewNote {
                    article_id,
                    body: "a note".into(),
                })
                .await
                .unwrap();
        }
        Self {
            _booted: booted,
            users,
            articles,
            database,
            ann,
            bo,
            cy,
        }
    }

    /// The titles `query` lists (by id), and how many statements it took
    /// beyond the checkout's liveness check.
    async fn titles(&self, query: Criteria<Article>) -> (Vec<String>, u64) {
        let before = self.database.query_count();
        let rows = self
            .articles
            .list(query.order_by(articles::id.asc()))
            .await
            .unwrap();
        (
            rows.into_iter().map(|a| a.title).collect(),
            statements_since(&self.database, before),
        )
    }
}

/// The statements run since `before`, less the liveness check of the one
/// checkout a repository call makes (PostgreSQL only: an SQLite
/// connection is a local file handle, not checked).
fn statements_since(database: &Database, before: u64) -> u64 {
    let check = u64::from(database.backend() == elif::data::Backend::Postgres);
    database.query_count() - before - check
}

#[elif::test]
async fn relation_filters_from_a_table_to_itself_need_no_alias() {
    for db in TestDatabase::both("queries_self").await {
        let booted = boot(&db).await;
        let categories = repository::<Category>(&booted);
        let database = booted.container().get::<Database>().unwrap();
        let new = |name: &str, parent: Option<&Category>| NewCategory {
            parent_id: parent.map(|p| p.id),
            name: name.to_owned(),
        };
        // books > (rust > async), books > cooking; music (no children)
        let books = categories.insert(new("books", None)).await.unwrap();
        let rust = categories.insert(new("rust", Some(&books))).await.unwrap();
        categories.insert(new("async", Some(&rust))).await.unwrap();
        categories
            .insert(new("cooking", Some(&books)))
            .await
            .unwrap();
        categories.insert(new("music", None)).await.unwrap();
        let names = |query: Criteria<Category>| {
            let categories = categories.clone();
            let database = database.clone();
            async move {
                let before = database.query_count();
                let rows = categories
                    .list(query.order_by(categories::id.asc()))
                    .await
                    .unwrap();
                let statements = statements_since(&database, before);
                (
                    rows.into_iter().map(|c| c.name).collect::<Vec<_>>(),
                    statements,
                )
            }
        };

        // has_many to itself: categories with a child called "async".
        let (found, statements) = names(Criteria::new().has(Category::children(), |c| {
            c.filter(categories::name.eq("async"))
        }))
        .await;
        assert_eq!(found, ["rust"]);
        assert_eq!(statements, 1, "one statement, no id list");
        // Leaves: no children at all (the roots' NULL parent_id must not hide any).
        let (found, _) = names(Criteria::new().doesnt_have(Category::children(), |c| c)).await;
        assert_eq!(found, ["async", "cooking", "music"]);

        // belongs_to itself: categories whose parent is "books"; those
        // whose parent is not (roots, whose parent_id is NULL, included).
        let (found, _) = names(Criteria::new().has(Category::parent(), |p| {
            p.filter(categories::name.eq("books"))
        }))
        .await;
        assert_eq!(found, ["rust", "cooking"]);
        let (found, _) = names(Criteria::new().doesnt_have(Category::parent(), |p| {
            p.filter(categories::name.eq("books"))
        }))
        .await;
        assert_eq!(found, ["books", "async", "music"]);
        let (found, _) = names(Criteria::new().doesnt_have(Category::parent(), |p| p)).await;
        assert_eq!(found, ["books", "music"], "the roots");

        // Nested: grandparents of "async", each level naming its own row.
        let (found, statements) = names(Criteria::new().has(Category::children(), |c| {
            c.has(Category::children(), |g| {
                g.filter(categories::name.eq("async"))
            })
        }))
        .await;
        assert_eq!(found, ["books"]);
        assert_eq!(statements, 1);
        // Combined with an outer filter on the same table, and counted.
        let (found, _) = names(
            Criteria::new()
                .filter(categories::name.ne("books"))
                .has(Category::parent(), |p| {
                    p.filter(categories::parent_id.is_null())
                }),
        )
        .await;
        assert_eq!(found, ["rust", "cooking"]);
        let with_counts = categories
            .list(
                Criteria::new()
                    .has(Category::children(), |c| c)
                    .with_count(Category::children())
                    .order_by(categories::id.asc()),
            )
            .await
            .unwrap();
        let counts: Vec<(String, i64)> = with_counts
            .iter()
            .map(|c| (c.name.clone(), *c.children_count.get().unwrap()))
            .collect();
        assert_eq!(counts, [("books".into(), 2), ("rust".into(), 1)]);
        // The parent loads boxed (a struct cannot hold itself unboxed).
        let loaded = categories
            .list(
                Criteria::new()
                    .with(Category::parent())
                    .order_by(categories::id.asc()),
            )
            .await
            .unwrap();
        let parents: Vec<Option<&str>> = loaded
            .iter()
            .map(|c| c.parent.get().unwrap().as_deref().map(|p| p.name.as_str()))
            .collect();
        assert_eq!(
            parents,
            [None, Some("books"), Some("rust"), Some("books"), None]
        );
        drop(booted);
        db.cleanup().await;
    }
}

#[elif::test]
async fn relation_filters_are_one_statement_on_both_backends() {
    for db in TestDatabase::both("queries_has").await {
        let world = World::new(&db).await;
        let (ann, bo) = (world.ann.id, world.bo.id);

        // many_to_many with a filter on the related model.
        let (titles, statements) = world
            .titles(Criteria::new().has(Article::tags(), |t| t.filter(tags::name.eq("rust"))))
            .await;
        assert_eq!(titles, ["rust async"]);
        assert_eq!(statements, 1, "one statement, no id list");

        // many_to_many without a filter: any tag at all.
        let (titles, _) = world
            .titles(Criteria::new().has(Article::tags(), |t| t))
            .await;
        assert_eq!(titles, ["rust async", "web"]);
        let (titles, statements) = world
            .titles(Criteria::new().doesnt_have(Article::tags(), |t| t))
            .await;
        assert_eq!(titles, ["untagged"]);
        assert_eq!(statements, 1);

        // belongs_to, by a column of the parent.
        let (titles, _) = world
            .titles(Criteria::new().has(Article::author(), |u| u.filter(users::username.eq("cy"))))
            .await;
        assert_eq!(titles, ["untagged"]);

        // The favourites of one user, with a hostile string that must stay a value.
        let (titles, _) = world
            .titles(Criteria::new().has(Article::favorited_by(), |u| {
                u.filter(users::username.eq("ann"))
            }))
            .await;
        assert_eq!(titles, ["rust async"]);
        let (titles, _) = world
            .titles(Criteria::new().has(Article::favorited_by(), |u| {
                u.filter(users::username.eq("'; DROP TABLE users; --"))
            }))
            .await;
        assert!(titles.is_empty());

        // Nested, from a model to itself: ann's feed is what the authors
        // she follows wrote (bo's two articles).
        let (titles, statements) = world
            .titles(
                Criteria::new()
                    .has(Article::author(), |a| {
                        a.has(User::followers(), |f| f.filter(users::id.eq(ann)))
                    })
                    .filter(articles::title.ne("nothing")),
            )
            .await;
        assert_eq!(titles, ["rust async", "web"]);
        assert_eq!(statements, 1, "nested relation filters stay one statement");
        // bo follows cy only.
        let (titles, _) = world
            .titles(Criteria::new().has(Article::author(), |a| {
                a.has(User::followers(), |f| f.filter(users::id.eq(bo)))
            }))
            .await;
        assert_eq!(titles, ["untagged"]);

        // has_many with a nullable foreign key: NULLs never make
        // `doesnt_have` lose rows.
        let (titles, _) = world
            .titles(Criteria::new().doesnt_have(Article::notes(), |n| n))
            .await;
        assert_eq!(titles, ["rust async", "web"]);

        // The same criteria counts and pages.
        let fav = || Criteria::new().has(Article::favorited_by(), |u| u);
        assert_eq!(world.articles.count(fav()).await.unwrap(), 1);
        let page = world.articles.page(fav(), 1, 10).await.unwrap();
        assert_eq!(page.total, 1);
        assert_eq!(page.items[0].title, "rust async");

        // Users who wrote something, and those followed by nobody.
        let writers = world
            .users
            .list(
                Criteria::new()
                    .has(User::articles(), |a| a)
                    .order_by(users::id.asc()),
            )
            .await
            .unwrap();
        assert_eq!(
            writers.iter().map(|u| u.id).collect::<Vec<_>>(),
            [bo, world.cy.id]
        );
        let unfollowed = world
            .users
            .list(Criteria::new().doesnt_have(User::followers(), |f| f))
            .await
            .unwrap();
        assert_eq!(unfollowed.iter().map(|u| u.id).collect::<Vec<_>>(), [ann]);

        drop(world);
        db.cleanup().await;
    }
}

#[elif::test]
async fn counts_and_flags_of_a_relation_fill_a_page_with_one_query_each() {
    for db in TestDatabase::both("queries_counts").await {
        let world = World::new(&db).await;
        let viewer = world.ann.id;
        let before = world.database.query_count();
        let page = world
            .articles
            .page(
                Criteria::new()
                    .order_by(articles::id.asc())
                    .with(
                        Article::author()
                            .with_exists(User::followers(), |f| f.filter(users::id.eq(viewer))),
                    )
                    .with(Article::tags())
                    .with_count(Article::favorited_by())
                    .with_exists(Article::favorited_by(), |u| u.filter(users::id.eq(viewer))),
                1,
                20,
            )
            .await
            .unwrap();
        let statements = statements_since(&world.database, before);
        // The RealWorld article list: the rows with their total, the
        // authors, whether the viewer follows each, the tags (joined to
        // their links), the favourites' counts, whether the viewer
        // favourited each.
        assert_eq!(
            statements, 6,
            "one query per relation, whatever the page size"
        );
        assert_eq!(page.total, 3);
        let notes = world
            .articles
            .list(
                Criteria::new()
                    .order_by(articles::id.asc())
                    .with_count(Article::notes()),
            )
            .await
            .unwrap();
        let notes: Vec<i64> = notes
            .iter()
            .map(|a| *a.notes_count.get().unwrap())
            .collect();
        assert_eq!(
            notes,
            [0, 0, 1],
            "a nullable foreign key counts its rows only"
        );
        let summary: Vec<(String, i64, bool, bool, usize)> = page
            .items
            .iter()
            .map(|a| {
                (
                    a.title.clone(),
                    *a.favorites_count.get().unwrap(),
                    *a.favorited.get().unwrap(),
                    *a.author.get().unwrap().following.get().unwrap(),
                    a.tags.get().unwrap().len(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("rust async".to_owned(), 2, true, true, 2),
                ("web".to_owned(), 0, false, true, 1),
                ("untagged".to_owned(), 0, false, false, 0),
            ]
        );
        let json = serde_json::to_value(&page.items[0]).unwrap();
        assert_eq!(json["favorites_count"], 2);
        assert_eq!(json["favorited"], true);
        let plain = world
            .articles
            .find(page.items[0].id)
            .await
            .unwrap()
            .unwrap();
        let json = serde_json::to_value(&plain).unwrap();
        assert!(
            json.get("favorites_count").is_none() && json.get("favorited").is_none(),
            "absent until asked for: {json}"
        );

        // A page of one row still knows the total; a page past the end
        // counts it apart.
        let before = world.database.query_count();
        let second = world
            .articles
            .page(Criteria::new().order_by(articles::id.asc()), 2, 1)
            .await
            .unwrap();
        assert_eq!(statements_since(&world.database, before), 1);
        assert_eq!((second.items[0].title.as_str(), second.total), ("web", 3));
        let past = world.articles.page(Criteria::new(), 9, 10).await.unwrap();
        assert!(past.items.is_empty());
        assert_eq!(past.total, 3);
        let filtered = world
            .articles
            .page(Criteria::new().filter(articles::title.eq("web")), 1, 10)
            .await
            .unwrap();
        assert_eq!((filtered.items.len(), filtered.total), (1, 1));

        // A count through has_many on another model.
        let users = world
            .users
            .list(
                Criteria::new()
                    .with_count(User::articles())
                    .order_by(users::id.asc()),
            )
            .await
            .unwrap();
        let counts: Vec<i64> = users
            .iter()
            .map(|u| *u.articles_count.get().unwrap())
            .collect();
        assert_eq!(counts, [0, 2, 1]);

        // Asking for a count the model has no field for fails, naming the fix.
        let error = world
            .users
            .list(Criteria::new().with_count(User::followers()))
            .await
            .unwrap_err();
        assert_eq!(error.status(), 500);
        assert!(
            format!("{error:?}").contains("#[count(followers)]"),
            "{error:?}"
        );
        let error = world
            .articles
            .list(Criteria::new().with_exists(Article::tags(), |t| t))
            .await
            .unwrap_err();
        assert!(
            format!("{error:?}").contains("#[exists(tags)]"),
            "{error:?}"
        );

        // No rows: nothing to count, no query.
        let before = world.database.query_count();
        let none = world
            .articles
            .list(
                Criteria::new()
                    .filter(articles::id.lt(0))
                    .with_count(Article::favorited_by()),
            )
            .await
            .unwrap();
        assert!(none.is_empty());
        assert_eq!(statements_since(&world.database, before), 1);
        drop(world);
        db.cleanup().await;
    }
}

#[elif::test]
async fn updates_and_deletes_by_criteria_say_how_many_rows() {
    for db in TestDatabase::both("queries_bulk").await {
        let clock = Arc::new(TestClock::at("2026-03-01T10:00:00Z"));
        let booted = boot_with(&db, App::new().override_with::<dyn Clock>(clock.clone())).await;
        let (users, articles) = (repository::<User>(&booted), repository::<Article>(&booted));
        let ann = user(&users, "ann").await;
        for title in ["a", "b", "c"] {
            articles
                .insert(NewArticle {
                    author_id: ann.id,
                    title: title.into(),
                    views: 0,
                })
                .await
                .unwrap();
        }
        clock.advance(Duration::from_secs(60));
        let changed = articles
            .update_where(
                Criteria::new().filter(articles::title.ne("c")),
                ArticleChanges {
                    title: Some("renamed".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(changed, 2);
        let rows = articles
            .list(Criteria::new().order_by(articles::id.asc()))
            .await
            .unwrap();
        let titles: Vec<&str> = rows.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(titles, ["renamed", "renamed", "c"]);
        assert_eq!(rows[0].updated_at.to_string(), "2026-03-01T10:01:00Z");
        assert_eq!(
            rows[2].updated_at.to_string(),
            "2026-03-01T10:00:00Z",
            "untouched"
        );

        let bumped = articles
            .increment(
                Criteria::new().filter(articles::title.eq("renamed")),
                articles::views,
                5,
            )
            .await
            .unwrap();
        assert_eq!(bumped, 2);
        let views: Vec<i32> = articles
            .list(Criteria::new().order_by(articles::id.asc()))
            .await
            .unwrap()
            .iter()
            .map(|a| a.views)
            .collect();
        assert_eq!(views, [5, 5, 0]);

        let none = articles
            .update_where(
                Criteria::new().filter(articles::id.lt(0)),
                ArticleChanges {
                    title: Some("x".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(none, 0);
        let deleted = articles
            .delete_where(Criteria::new().filter(articles::title.eq("renamed")))
            .await
            .unwrap();
        assert_eq!(deleted, 2);
        assert_eq!(articles.count(Criteria::new()).await.unwrap(), 1);
        // A delete by criteria that other rows still refer to is a 409, and
        // deletes nothing.
        let refused = users
            .delete_where(Criteria::new().filter(users::id.eq(ann.id)))
            .await
            .unwrap_err();
        assert_eq!(refused.status(), 409);
        assert_eq!(users.count(Criteria::new()).await.unwrap(), 1);
        drop(booted);
        db.cleanup().await;
    }
}

#[elif::test]
async fn a_stock_of_50_taken_by_60_tasks_at_once_ends_at_exactly_0() {
    for db in TestDatabase::both("queries_stock").await {
        let booted = boot(&db).await;
        let products = repository::<Product>(&booted);
        let product = products
            .insert(NewProduct {
                name: "widget".into(),
                stock: 50,
            })
            .await
            .unwrap();
        let tasks: Vec<_> = (0..60)
            .map(|_| {
                let products = products.clone();
                elif::rt::spawn(async move {
                    products
                        .increment(
                            Criteria::new()
                                .filter(products::id.eq(product.id))
                                .filter(products::stock.ge(1)),
                            products::stock,
                            -1,
                        )
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut taken = 0;
        for task in tasks {
            taken += task.await.unwrap();
        }
        assert_eq!(taken, 50, "exactly the stock was taken");
        assert_eq!(products.find_or_fail(product.id).await.unwrap().stock, 0);
        drop(booted);
        db.cleanup().await;
    }
}

#[elif::test]
async fn more_keys_than_a_statement_may_bind_load_in_chunks() {
    for db in TestDatabase::both("queries_many_keys").await {
        let booted = boot(&db).await;
        let database = booted.container().get::<Database>().unwrap();
        let users = repository::<User>(&booted);
        let ann = user(&users, "ann").await;
        // 40,000 articles, more than SQLite's 32,766 bound values.
        let mut conn = database.connection().await.unwrap();
        let insert = format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40000)
             INSERT INTO articles (author_id, title, views, created_at, updated_at)
             SELECT {}, 'a' || i, 0, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z' FROM n",
            ann.id
        );
        let insert = if database.backend() == elif::data::Backend::Postgres {
            insert.replace("'2026-01-01T00:00:00.000000Z'", "now()")
        } else {
            insert
        };
        elif::with_connection!(conn, |c| elif::data::diesel_async::RunQueryDsl::execute(
            elif::data::diesel::sql_query(insert.clone()),
            c
        )
        .await)
        .unwrap();
        drop(conn);
        let rows = repository::<Article>(&booted)
            .list(
                Criteria::new()
                    .with(Article::author())
                    .with(Article::tags())
                    .with_count(Article::favorited_by())
                    .with_exists(Article::favorited_by(), |u| u.filter(users::id.eq(ann.id))),
            )
            .await
            .unwrap();
        assert_eq!(rows.len(), 40_000);
        assert!(rows.iter().all(|a| a.author.get() == Some(&ann)
            && a.tags.get() == Some(&Vec::new())
            && a.favorites_count.get() == Some(&0)
            && a.favorited.get() == Some(&false)));
        let with_articles = users
            .list(Criteria::new().with(User::articles()))
            .await
            .unwrap();
        assert_eq!(with_articles[0].articles.get().unwrap().len(), 40_000);

        // An IN filter of 40,000 values is one bound parameter.
        let articles = repository::<Article>(&booted);
        let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
        let before = database.query_count();
        let n = articles
            .count(Criteria::new().filter_in(articles::id, ids.clone()))
            .await
            .unwrap();
        assert_eq!(n, 40_000);
        let checks = u64::from(database.backend() == elif::data::Backend::Postgres);
        assert_eq!(database.query_count() - before - checks, 1, "one statement");
        let some = articles
            .count(Criteria::new().filter_in(articles::id, ids[..3].to_vec()))
            .await
            .unwrap();
        assert_eq!(some, 3);
        let none = articles
            .count(Criteria::new().filter_in(articles::id, Vec::<i64>::new()))
            .await
            .unwrap();
        assert_eq!(none, 0, "an empty list matches nothing");
        let titles = articles
            .list(
                Criteria::new()
                    .filter_in(
                        articles::title,
                        vec!["a7".to_owned(), "a9".into(), "zzz".into()],
                    )
                    .order_by(articles::id.asc()),
            )
            .await
            .unwrap();
        let titles: Vec<&str> = titles.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(titles, ["a7", "a9"]);
        let hostile = articles
            .count(Criteria::new().filter_in(
                articles::title,
                vec!["'); DROP TABLE articles; --".to_owned()],
            ))
            .await
            .unwrap();
        assert_eq!(hostile, 0, "the list is a value, never SQL");
        drop(booted);
        db.cleanup().await;
    }
}

#[elif::test]
async fn timestamps_come_from_the_app_s_clock() {
    for db in TestDatabase::both("queries_clock").await {
        let clock = Arc::new(TestClock::at("2026-05-01T08:30:00Z"));
        let booted = boot_with(&db, App::new().override_with::<dyn Clock>(clock.clone())).await;
        let users = repository::<User>(&booted);
        let ann = user(&users, "ann").await;
        assert_eq!(ann.created_at.to_string(), "2026-05-01T08:30:00Z");
        assert_eq!(ann.updated_at, ann.created_at);
        clock.advance(Duration::from_secs(90));
        let renamed = users
            .update(
                ann.id,
                UserChanges {
                    username: Some("anne".into()),
                },
            )
            .await
            .unwrap();
        assert_eq!(renamed.created_at.to_string(), "2026-05-01T08:30:00Z");
        assert_eq!(renamed.updated_at.to_string(), "2026-05-01T08:31:30Z");
        // The clock the repositories use is the one the container gives.
        let injected = booted.container().get::<dyn Clock>().unwrap();
        assert_eq!(injected.now(), clock.now());
        drop(booted);
        db.cleanup().await;
    }
}

#[elif::test]
async fn every_app_has_the_system_clock_unless_it_provides_one() {
    let db = TestDatabase::sqlite("queries_system_clock");
    let booted = boot(&db).await;
    let clock = booted.container().get::<dyn Clock>().unwrap();
    let before = elif::data::Timestamp::now();
    let users = repository::<User>(&booted);
    let ann = user(&users, "ann").await;
    assert!(ann.created_at >= before && ann.created_at <= clock.now());
    drop(booted);
    // An app that provides its own clock keeps it, with no duplicate error.
    let fixed = Arc::new(TestClock::at("2020-01-01T00:00:00Z"));
    let booted = boot_with(&db, App::new().provide::<dyn Clock>(fixed)).await;
    let clock = booted.container().get::<dyn Clock>().unwrap();
    assert_eq!(clock.now().to_string(), "2020-01-01T00:00:00Z");
    drop(booted);
    db.cleanup().await;
}

#[elif::test]
async fn a_unique_column_finds_the_row_to_upsert_or_return() {
    for db in TestDatabase::both("queries_unique").await {
        let clock = Arc::new(TestClock::at("2026-02-01T00:00:00Z"));
        let booted = boot_with(&db, App::new().override_with::<dyn Clock>(clock.clone())).await;
        let users = repository::<User>(&booted);
        let ann = || NewUser {
            username: "ann".into(),
        };
        let (first, inserted) = users.first_or_insert(users::username, ann()).await.unwrap();
        assert!(inserted);
        let (again, inserted) = users.first_or_insert(users::username, ann()).await.unwrap();
        assert!(!inserted, "found, not inserted twice");
        assert_eq!(again, first);

        clock.advance(Duration::from_secs(5));
        let upserted = users.upsert_by(users::username, ann()).await.unwrap();
        assert_eq!(upserted.id, first.id, "the same row");
        assert_eq!(upserted.created_at, first.created_at);
        assert_eq!(upserted.updated_at.to_string(), "2026-02-01T00:00:05Z");
        let bo = users
            .upsert_by(
                users::username,
                NewUser {
                    username: "bo".into(),
                },
            )
            .await
            .unwrap();
        assert_ne!(bo.id, first.id, "a new row");
        assert_eq!(users.count(Criteria::new()).await.unwrap(), 2);

        // A plain insert of a taken value is a 409 naming the field.
        let taken = users.insert(ann()).await.unwrap_err();
        assert_eq!(taken.status(), 409);
        let problem: serde_json::Value =
            serde_json::from_str(&taken.to_problem(None, false).to_json()).unwrap();
        assert_eq!(problem["code"], "ALREADY_EXISTS");
        assert_eq!(problem["errors"][0]["pointer"], "/username");

        // Ten callers at once: one inserts, every one gets the same row.
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let users = users.clone();
                elif::rt::spawn(async move {
                    users
                        .first_or_insert(
                            users::username,
                            NewUser {
                                username: "cy".into(),
                            },
                        )
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        assert_eq!(results.iter().filter(|(_, inserted)| *inserted).count(), 1);
        assert!(results.iter().all(|(row, _)| row.id == results[0].0.id));
        drop(booted);
        db.cleanup().await;
    }
}

#[elif::test]
async fn rows_read_for_update_are_not_lost_to_a_concurrent_transaction() {
    for db in TestDatabase::both("queries_lock").await {
        let booted = boot(&db).await;
        let products = repository::<Product>(&booted);
        let database = booted.container().get::<Database>().unwrap();
        let product = products
            .insert(NewProduct {
                name: "widget".into(),
                stock: 10,
            })
            .await
            .unwrap();
        // Read, think, write: without the lock both would read 10 and
        // both write 9.
        let take = |products: Arc<Repository<Product>>, database: Arc<Database>| async move {
            database
                .transaction(|| async {
                    let row = products
                        .first(
                            Criteria::new()
                                .filter(products::id.eq(product.id))
                                .lock_for_update(),
                        )
                        .await?
                        .unwrap();
                    elif::rt::time::sleep(Duration::from_millis(100)).await;
                    products
                        .update(
                            row.id,
                            ProductChanges {
                                stock: Some(row.stock - 1),
                                ..Default::default()
                            },
                        )
                        .await
                })
                .await
                .unwrap()
        };
        let a = elif::rt::spawn(take(products.clone(), database.clone()));
        let b = elif::rt::spawn(take(products.clone(), database.clone()));
        a.await.unwrap();
        b.await.unwrap();
        assert_eq!(products.find_or_fail(product.id).await.unwrap().stock, 8);
        drop(booted);
        db.cleanup().await;
    }
}

#[elif::test]
async fn sums_extremes_and_grouped_counts_agree_on_both_backends() {
    for db in TestDatabase::both("queries_aggregates").await {
        let world = World::new(&db).await;
        let articles = &world.articles;
        articles
            .increment(
                Criteria::new().filter(articles::title.eq("web")),
                articles::views,
                7,
            )
            .await
            .unwrap();
        articles
            .increment(
                Criteria::new().filter(articles::title.eq("untagged")),
                articles::views,
                3,
            )
            .await
            .unwrap();
        let total: i64 = articles
            .sum(Criteria::new(), articles::views)
            .await
            .unwrap();
        assert_eq!(total, 10);
        let none: i64 = articles
            .sum(Criteria::new().filter(articles::id.lt(0)), articles::views)
            .await
            .unwrap();
        assert_eq!(none, 0, "the sum of no rows is 0, not NULL");
        let most: Option<i32> = articles
            .max(Criteria::new(), articles::views)
            .await
            .unwrap();
        assert_eq!(most, Some(7));
        let least: Option<i32> = articles
            .min(
                Criteria::new().has(Article::author(), |u| u.filter(users::username.eq("bo"))),
                articles::views,
            )
            .await
            .unwrap();
        assert_eq!(least, Some(0));
        let nothing: Option<String> = articles
            .min(Criteria::new().filter(articles::id.lt(0)), articles::title)
            .await
            .unwrap();
        assert_eq!(nothing, None);
        let first: Option<Timestamp> = articles
            .min(Criteria::new(), articles::created_at)
            .await
            .unwrap();
        assert!(first.is_some());
        let mut by_author: Vec<(i64, i64)> = articles
            .count_by(Criteria::new(), articles::author_id)
            .await
            .unwrap();
        by_author.sort_unstable();
        assert_eq!(by_author, [(world.bo.id, 2), (world.cy.id, 1)]);
        let notes = repository::<Note>(&world._booted);
        let mut by_article: Vec<(Option<i64>, i64)> = notes
            .count_by(Criteria::new(), notes::article_id)
            .await
            .unwrap();
        by_article.sort_unstable();
        assert_eq!(by_article.len(), 2, "NULLs are one group: {by_article:?}");
        assert_eq!(by_article[0], (None, 1));
        drop(world);
        db.cleanup().await;
    }
}

#[elif::test]
async fn factories_make_rows_that_pass_every_rule_and_belong_to_their_parent() {
    use elif::validate::Validate;
    for db in TestDatabase::both("queries_factories").await {
        let booted = boot(&db).await;
        let (users, profiles) = (repository::<User>(&booted), repository::<Profile>(&booted));
        let ann = User::factory()
            .with(|u| u.username = "ann".into())
            .create_one(&users)
            .await
            .unwrap();
        let made = Profile::factory()
            .count(60)
            .for_parent(Profile::user(), &ann)
            .create(&profiles)
            .await
            .unwrap();
        assert_eq!(made.len(), 60);
        for p in &made {
            assert_eq!(p.user_id, ann.id, "belongs to its parent");
            let input = ProfileInput {
                handle: p.handle.clone(),
                email: p.email.clone(),
                website: p.website.clone(),
                status: p.status.clone(),
                invite: p.invite.clone(),
                age: p.age,
                rating: p.rating,
                level: p.level,
                bio: p.bio.clone(),
                active: p.active,
            };
            assert!(input.validate().is_ok(), "{p:?}: {:?}", input.validate());
            assert!(p.website.starts_with("https://"), "{}", p.website);
        }
        let handles: std::collections::HashSet<&str> =
            made.iter().map(|p| p.handle.as_str()).collect();
        assert_eq!(handles.len(), 60, "a #[unique] field never repeats");
        let names: std::collections::HashSet<&str> =
            made.iter().map(|p| p.email.as_str()).collect();
        assert!(names.len() > 50, "realistic, varied values");

        // `with` overrides what the factory made; `make` stores nothing.
        let forms = Profile::factory().count(3).with(|p| p.age = 42).make();
        assert!(forms.iter().all(|f| f.age == 42 && f.user_id == 0));
        assert_eq!(profiles.count(Criteria::new()).await.unwrap(), 60);
        // A parent left unset is refused by the database, not stored.
        let orphan = Profile::factory().create_one(&profiles).await.unwrap_err();
        assert_eq!(orphan.status(), 422);
        drop(booted);
        db.cleanup().await;
    }
}

/// Ten users and a profile each, for `db seed`.
#[injectable]
pub struct DemoSeeder {
    users: Inject<Repository<User>>,
    profiles: Inject<Repository<Profile>>,
}

impl elif::data::Seeder for DemoSeeder {
    async fn run(&self) -> elif::Result<()> {
        for user in User::factory().count(10).create(&self.users).await? {
            Profile::factory()
                .for_parent(Profile::user(), &user)
                .create_one(&self.profiles)
                .await?;
        }
        Ok(())
    }
}

/// A seeder that fails half-way: what it wrote must not stay.
#[injectable]
pub struct BrokenSeeder {
    users: Inject<Repository<User>>,
}

impl elif::data::Seeder for BrokenSeeder {
    async fn run(&self) -> elif::Result<()> {
        User::factory().count(3).create(&self.users).await?;
        Err(elif::Error::internal("the seeder broke"))
    }
}

fn seeded_app(db: &TestDatabase) -> App {
    App::new()
        .module(QueriesModule)
        .without_env()
        .migrations(MIGRATIONS)
        .config("database.url", db.url())
        .seeder::<DemoSeeder>()
}

#[elif::test]
async fn db_seed_runs_the_seeders_and_migrate_fresh_starts_over() {
    for db in TestDatabase::both("queries_seed").await {
        seeded_app(&db)
            .run_with_args(["app", "db", "seed"])
            .await
            .unwrap();
        let booted = boot(&db).await;
        let users = repository::<User>(&booted);
        assert_eq!(users.count(Criteria::new()).await.unwrap(), 10);
        assert_eq!(
            repository::<Profile>(&booted)
                .count(Criteria::new().has(Profile::user(), |u| u))
                .await
                .unwrap(),
            10
        );
        users
            .insert(NewUser {
                username: "kept?".into(),
            })
            .await
            .unwrap();
        drop(users);
        drop(booted);

        // Every table emptied, migrated again, seeded again.
        seeded_app(&db)
            .run_with_args(["app", "migrate", "fresh", "--seed"])
            .await
            .unwrap();
        let booted = boot(&db).await;
        let users = repository::<User>(&booted);
        assert_eq!(users.count(Criteria::new()).await.unwrap(), 10);
        assert!(
            !users
                .exists(Criteria::new().filter(users::username.eq("kept?")))
                .await
                .unwrap()
        );
        drop(users);
        drop(booted);

        // A failing seeder leaves nothing behind and fails the command.
        let failed = seeded_app(&db)
            .seeder::<BrokenSeeder>()
            .run_with_args(["app", "db", "seed"])
            .await
            .unwrap_err();
        assert!(format!("{failed}").contains("the seeder broke"), "{failed}");
        let booted = boot(&db).await;
        assert_eq!(
            repository::<User>(&booted)
                .count(Criteria::new())
                .await
                .unwrap(),
            20,
            "the first seeder's ten, none of the broken one's"
        );
        drop(booted);

        // Never in production.
        let refused = seeded_app(&db)
            .config("app.env", "production")
            .config("security.allowed_hosts", ["127.0.0.1"])
            .run_with_args(["app", "migrate", "fresh"])
            .await
            .unwrap_err();
        let problem: serde_json::Value =
            serde_json::from_str(&refused.to_problem(None, false).to_json()).unwrap();
        assert_eq!(
            problem["type"], "https://elif.rs/errors/EL4007",
            "{problem}"
        );
        db.cleanup().await;
    }
}

#[elif::test]
async fn the_escape_hatch_joins_a_model_to_the_model_it_belongs_to() {
    use elif::data::diesel::{NullableExpressionMethods, QueryDsl};
    for db in TestDatabase::both("queries_joins").await {
        let world = World::new(&db).await;
        let database = world.articles.database().clone();
        let mut conn = database.connection().await.unwrap();
        // articles -> users, through `author_id`.
        let rows: Vec<(String, String)> = elif::with_connection!(conn, |c| articles::table
            .inner_join(users::table)
            .filter(users::username.eq("bo"))
            .order_by(articles::id.asc())
            .select((articles::title, users::username))
            .load(c)
            .await)
        .unwrap();
        assert_eq!(
            rows,
            [
                ("rust async".to_owned(), "bo".to_owned()),
                ("web".to_owned(), "bo".to_owned())
            ]
        );
        // users -> articles, the other way, with a left join.
        let counts: Vec<(String, Option<String>)> = elif::with_connection!(conn, |c| users::table
            .left_join(articles::table)
            .order_by((users::id.asc(), articles::id.asc()))
            .select((users::username, articles::title.nullable()))
            .load(c)
            .await)
        .unwrap();
        assert_eq!(
            counts.len(),
            4,
            "ann with none, bo with two, cy with one: {counts:?}"
        );
        assert_eq!(counts[0], ("ann".to_owned(), None));
        drop(conn);
        drop(world);
        db.cleanup().await;
    }
}
