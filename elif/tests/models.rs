//! `#[model]` and `Repository<M>` on both backends (an SQLite file and a
//! PostgreSQL schema per test): every repository operation, every
//! supported field type, typed filters with hostile strings, exposure rules
//! (hidden fields, fillable-only client forms), and constraint violations
//! as 409/422 problems.

#![allow(missing_docs, clippy::unwrap_used)]

use elif::data::{Document, Migrations, Uuid};
use elif::prelude::*;
use elif::testing::{TestApp, TestDatabase};
use serde_json::{Value, json};

const MIGRATIONS: Migrations = elif::migrations!("migrations/models");
const HOSTILE: &str = "'; DROP TABLE posts; --";

/// Someone who writes posts.
#[model(table = "authors")]
#[derive(Debug, Clone, PartialEq)]
pub struct Author {
    #[key]
    pub id: i64,
    /// Unique.
    #[fillable]
    #[validate(length(min = 1, max = 50))]
    pub name: String,
    /// Never serialised, never set by a client.
    #[hidden]
    pub password_hash: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// What they wrote.
    #[has_many(Post)]
    pub posts: Related<Vec<Post>>,
    /// At most one profile.
    #[has_one(Profile)]
    pub profile: Related<Option<Profile>>,
}

/// A post.
#[model(table = "posts")]
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    #[key]
    pub id: i64,
    #[belongs_to(Author)]
    pub author_id: i64,
    #[fillable]
    pub title: String,
    #[fillable]
    #[validate(length(max = 500))]
    pub summary: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    #[belongs_to(Author)]
    pub author: Related<Author>,
    #[has_many(Comment)]
    pub comments: Related<Vec<Comment>>,
    #[many_to_many(Tag, through = PostTag)]
    pub tags: Related<Vec<Tag>>,
}

/// A comment on a post.
#[model(table = "comments")]
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    #[key]
    pub id: i64,
    #[belongs_to(Post)]
    pub post_id: i64,
    pub body: String,
}

/// A tag.
#[model(table = "tags")]
#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    #[key]
    pub id: i64,
    pub name: String,
}

/// Which post has which tag: the join model.
#[model(table = "post_tags")]
#[derive(Debug, Clone, PartialEq)]
pub struct PostTag {
    #[key]
    pub id: i64,
    pub post_id: i64,
    pub tag_id: i64,
}

/// An author's profile.
#[model(table = "profiles")]
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    #[key]
    pub id: i64,
    pub author_id: i64,
    pub bio: Option<String>,
}

/// Every supported field type.
#[model]
#[derive(Debug, Clone, PartialEq)]
pub struct Gadget {
    #[key]
    pub id: Uuid,
    pub small: i16,
    pub count: i32,
    pub big: i64,
    pub ratio: f32,
    pub precise: f64,
    pub active: bool,
    pub label: String,
    pub bytes: Vec<u8>,
    pub day: elif::data::chrono::NaiveDate,
    pub at: Timestamp,
    pub meta: Document,
    pub note: Option<String>,
}

#[module(
    imports(DataModule),
    providers(
        Repository<Author>,
        Repository<Post>,
        Repository<Gadget>,
        Repository<Comment>,
        Repository<Tag>,
        Repository<PostTag>,
        Repository<Profile>
    ),
    exports(Repository<Author>, Repository<Post>, Repository<Gadget>)
)]
pub struct ModelsModule;

/// A booted app on `db` with the models' tables.
async fn boot(db: &TestDatabase) -> elif::Booted {
    App::new()
        .module(ModelsModule)
        .without_env()
        .migrations(MIGRATIONS)
        .config("database.url", db.url())
        .boot()
        .await
        .unwrap()
}

fn repository<M: elif::data::Model>(booted: &elif::Booted) -> Arc<Repository<M>> {
    booted.container().get::<Repository<M>>().unwrap()
}

async fn author(authors: &Repository<Author>, name: &str) -> Author {
    authors
        .insert(NewAuthor {
            name: name.to_owned(),
            password_hash: "argon2:...".to_owned(),
        })
        .await
        .unwrap()
}

fn problem(error: &Error) -> Value {
    serde_json::from_str(&error.to_problem(None, false).to_json()).unwrap()
}

#[elif::test]
async fn insert_find_update_delete_on_both_backends() {
    for db in TestDatabase::both("models_crud").await {
        let booted = boot(&db).await;
        let (authors, posts) = (repository::<Author>(&booted), repository::<Post>(&booted));
        let ada = author(&authors, "ada").await;
        assert!(ada.id > 0);
        assert_eq!(ada.created_at, ada.updated_at);

        let post = posts
            .insert(NewPost {
                author_id: ada.id,
                title: "Hello".into(),
                summary: None,
            })
            .await
            .unwrap();
        assert_eq!(posts.find(post.id).await.unwrap(), Some(post.clone()));
        assert_eq!(posts.find_or_fail(post.id).await.unwrap(), post);

        let changed = posts
            .update(
                post.id,
                PostChanges {
                    summary: Some(Some("A first post".into())),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(changed.title, "Hello", "untouched");
        assert_eq!(changed.summary.as_deref(), Some("A first post"));
        assert!(changed.updated_at >= post.updated_at);
        assert_eq!(changed.created_at, post.created_at);

        posts.delete(post.id).await.unwrap();
        assert_eq!(posts.find(post.id).await.unwrap(), None);
        let missing = problem(&posts.find_or_fail(post.id).await.err().unwrap());
        assert_eq!(missing["status"], 404);
        assert_eq!(missing["code"], "POST_NOT_FOUND");
        assert_eq!(missing["type"], "https://elif.rs/errors/EL3009");
        let gone = posts.delete(post.id).await.err().unwrap();
        assert_eq!(gone.status(), 404);
        let gone = posts
            .update(post.id, PostChanges::default())
            .await
            .err()
            .unwrap();
        assert_eq!(gone.status(), 404);
        drop(booted);
        db.cleanup().await;
    }
}

#[elif::test]
async fn lists_filter_order_and_page_with_bound_values() {
    for db in TestDatabase::both("models_list").await {
        let booted = boot(&db).await;
        let (authors, posts) = (repository::<Author>(&booted), repository::<Post>(&booted));
        let ada = author(&authors, "ada").await;
        let bob = author(&authors, HOSTILE).await;
        assert_eq!(authors.find_or_fail(bob.id).await.unwrap().name, HOSTILE);
        for (who, title) in [(&ada, "a"), (&bob, "b"), (&ada, "c"), (&ada, HOSTILE)] {
            posts
                .insert(NewPost {
                    author_id: who.id,
                    title: title.into(),
                    summary: None,
                })
                .await
                .unwrap();
        }
        let by_ada = posts
            .list(
                Criteria::new()
                    .filter(posts::author_id.eq(ada.id))
                    .order_by(posts::title.desc()),
            )
            .await
            .unwrap();
        let titles: Vec<&str> = by_ada.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["c", "a", HOSTILE]);

        let hostile = posts
            .list(Criteria::new().filter(posts::title.eq(HOSTILE)))
            .await
            .unwrap();
        assert_eq!(hostile.len(), 1, "a hostile string is a bound value");
        assert_eq!(
            posts.count(Criteria::new()).await.unwrap(),
            4,
            "the table is intact"
        );

        let page = posts
            .page(Criteria::new().order_by(posts::id.asc()), 2, 3)
            .await
            .unwrap();
        assert_eq!(
            (page.page, page.per_page, page.total, page.pages),
            (2, 3, 4, 2)
        );
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0].title, HOSTILE);

        let second = posts
            .list(Criteria::new().order_by(posts::id.asc()).offset(1).limit(1))
            .await
            .unwrap();
        assert_eq!(second[0].title, "b");
        assert!(
            posts
                .exists(Criteria::new().filter(posts::summary.is_null()))
                .await
                .unwrap()
        );
        assert!(
            !posts
                .exists(Criteria::new().filter(posts::title.like("%zzz%")))
                .await
                .unwrap()
        );
        assert_eq!(
            posts
                .count(Criteria::new().filter(posts::author_id.eq(bob.id)))
                .await
                .unwrap(),
            1
        );
        drop(booted);
        db.cleanup().await;
    }
}

#[elif::test]
async fn every_supported_type_round_trips() {
    for db in TestDatabase::both("models_types").await {
        let booted = boot(&db).await;
        let gadgets = repository::<Gadget>(&booted);
        let id = Uuid::new_v4();
        let at = Timestamp::now();
        let new = NewGadget {
            id,
            small: -7,
            count: 1 << 20,
            big: i64::MAX,
            ratio: 0.5,
            precise: std::f64::consts::PI,
            active: true,
            label: "naïve ✓".into(),
            bytes: vec![0, 159, 146, 150, 255],
            day: elif::data::chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
            at,
            meta: Document(json!({ "tags": ["a", "b"], "n": 1 })),
            note: None,
        };
        let stored = gadgets.insert(new.clone()).await.unwrap();
        let found = gadgets.find_or_fail(id).await.unwrap();
        assert_eq!(stored, found, "{:?}", db.backend());
        assert_eq!(found.id, id);
        assert_eq!(found.at, at);
        assert_eq!(found.big, i64::MAX);
        assert_eq!(found.bytes, new.bytes);
        assert_eq!(found.meta.0["tags"][1], "b");
        let later = gadgets
            .list(Criteria::new().filter(gadgets::at.ge(at)))
            .await
            .unwrap();
        assert_eq!(later.len(), 1, "timestamps compare as times");
        drop(booted);
        db.cleanup().await;
    }
}

#[elif::test]
async fn constraint_violations_are_409_and_422_naming_the_field() {
    for db in TestDatabase::both("models_constraints").await {
        let booted = boot(&db).await;
        let (authors, posts) = (repository::<Author>(&booted), repository::<Post>(&booted));
        let ada = author(&authors, "ada").await;

        let duplicate = authors
            .insert(NewAuthor {
                name: "ada".into(),
                password_hash: "x".into(),
            })
            .await
            .err()
            .unwrap();
        let duplicate = problem(&duplicate);
        assert_eq!(duplicate["status"], 409, "{duplicate}");
        assert_eq!(duplicate["code"], "ALREADY_EXISTS");
        assert_eq!(duplicate["errors"][0]["pointer"], "/name", "{duplicate}");

        let orphan = posts
            .insert(NewPost {
                author_id: 999,
                title: "t".into(),
                summary: None,
            })
            .await
            .err()
            .unwrap();
        let orphan = problem(&orphan);
        assert_eq!(orphan["status"], 422, "{orphan}");
        assert_eq!(orphan["code"], "INVALID_REFERENCE");

        let empty = posts
            .insert(NewPost {
                author_id: ada.id,
                title: String::new(),
                summary: None,
            })
            .await
            .err()
            .unwrap();
        let empty = problem(&empty);
        assert_eq!(empty["status"], 422, "{empty}");
        assert_eq!(empty["code"], "CONSTRAINT_VIOLATION");

        // JSON carries U+0000; PostgreSQL's text cannot hold it: a 422, not
        // a 500. SQLite stores it.
        let nul = posts
            .insert(NewPost {
                author_id: ada.id,
                title: "a\0b".into(),
                summary: None,
            })
            .await;
        match db.backend() {
            elif::data::Backend::Postgres => {
                let nul = problem(&nul.err().unwrap());
                assert_eq!(nul["status"], 422, "{nul}");
                assert_eq!(nul["code"], "CONSTRAINT_VIOLATION", "{nul}");
            }
            elif::data::Backend::Sqlite => {
                let stored = nul.unwrap();
                posts.delete(stored.id).await.unwrap();
            }
        }

        posts
            .insert(NewPost {
                author_id: ada.id,
                title: "t".into(),
                summary: None,
            })
            .await
            .unwrap();
        let referenced = problem(&authors.delete(ada.id).await.err().unwrap());
        assert_eq!(referenced["status"], 409, "{referenced}");
        assert_eq!(referenced["code"], "STILL_REFERENCED");
        assert_eq!(
            authors.count(Criteria::new()).await.unwrap(),
            1,
            "nothing lost"
        );
        drop(booted);
        db.cleanup().await;
    }
}

#[test]
fn hidden_fields_are_not_serialised_and_client_forms_take_fillable_fields_only() {
    let author = Author {
        id: 1,
        name: "ada".into(),
        password_hash: "secret".into(),
        created_at: Timestamp::now(),
        updated_at: Timestamp::now(),
        posts: Related::NotLoaded,
        profile: Related::NotLoaded,
    };
    let json = serde_json::to_value(&author).unwrap();
    assert!(json.get("password_hash").is_none(), "{json}");
    assert!(json.get("posts").is_none(), "not loaded, not shown: {json}");
    assert_eq!(json["name"], "ada");
    let schema = <Author as elif::http::Schema>::schema();
    assert!(schema["properties"].get("password_hash").is_none());

    let input: AuthorInput = serde_json::from_value(json!({ "name": "bob" })).unwrap();
    let new = input.into_new("hash".into());
    assert_eq!(
        (new.name.as_str(), new.password_hash.as_str()),
        ("bob", "hash")
    );
    let sneaky =
        serde_json::from_value::<AuthorInput>(json!({ "name": "eve", "password_hash": "x" }));
    assert!(
        sneaky
            .unwrap_err()
            .to_string()
            .contains("unknown field `password_hash`")
    );
    let sneaky = serde_json::from_value::<PostInput>(json!({ "title": "t", "author_id": 2 }));
    assert!(sneaky.is_err(), "author_id is not fillable");

    use elif::validate::Validate as _;
    let long = "x".repeat(501);
    let patch: PostPatch = serde_json::from_value(json!({ "summary": long })).unwrap();
    let errors = patch.validate().unwrap_err();
    assert_eq!(
        errors[0].pointer, "/summary",
        "a patch keeps the field's rules"
    );
    let input: PostInput =
        serde_json::from_value(json!({ "title": "t", "summary": long })).unwrap();
    assert!(input.validate().is_err());

    let patch: PostPatch = serde_json::from_value(json!({ "summary": null })).unwrap();
    assert!(patch.validate().is_ok(), "null passes: it clears the field");
    let changes = PostChanges::from(patch);
    assert_eq!(changes.summary, Some(None), "null sets NULL");
    assert_eq!(changes.title, None, "absent leaves it");
    assert_eq!(changes.author_id, None, "never from a client");
}

#[test]
fn the_metadata_describes_fields_keys_and_relations() {
    let info = <Post as elif::data::Model>::info();
    assert_eq!((info.name, info.table, info.key), ("Post", "posts", "id"));
    assert_eq!(info.not_found, "POST_NOT_FOUND");
    let summary = info.fields.iter().find(|f| f.name == "summary").unwrap();
    assert!(summary.nullable && summary.fillable && !summary.generated);
    assert_eq!(summary.sql_type, elif::data::SqlType::Text);
    let created = info.fields.iter().find(|f| f.name == "created_at").unwrap();
    assert!(created.generated);
    assert_eq!(info.relations[0].model, "Author");
    assert_eq!(info.relations[0].name, "author");
    assert_eq!(<Gadget as elif::data::Model>::info().table, "gadgets");
}

/// Posts over HTTP: the forms are the request bodies.
#[injectable]
pub struct PostsController {
    posts: Inject<Repository<Post>>,
}

#[controller("/posts", public)]
impl PostsController {
    #[get("/{id}")]
    async fn show(&self, id: i64) -> elif::Result<Json<Post>> {
        self.posts.find_or_fail(id).await.map(Json)
    }

    #[post("/by/{author}")]
    async fn create(&self, author: i64, input: Valid<PostInput>) -> elif::Result<Created<Post>> {
        let post = self
            .posts
            .insert(input.into_inner().into_new(author))
            .await?;
        Ok(Created::at(format!("/posts/{}", post.id), post))
    }

    #[patch("/{id}")]
    async fn change(&self, id: i64, patch: Valid<PostPatch>) -> elif::Result<Json<Post>> {
        self.posts
            .update(id, patch.into_inner().into())
            .await
            .map(Json)
    }
}

#[module(imports(ModelsModule), controllers(PostsController))]
pub struct HttpModule;

#[elif::test]
async fn handlers_use_repositories_and_bad_input_is_a_4xx() {
    for db in TestDatabase::both("models_http").await {
        let app = TestApp::start(
            App::new()
                .module(HttpModule)
                .migrations(MIGRATIONS)
                .config("database.url", db.url()),
        )
        .await
        .unwrap();
        let authors = app.container().get::<Repository<Author>>().unwrap();
        let ada = author(&authors, "ada").await;

        let created = app
            .post_json(
                &format!("/posts/by/{}", ada.id),
                &json!({ "title": HOSTILE }),
            )
            .await;
        assert_eq!(created.status(), 201, "{}", created.text());
        let post: Value = created.json();
        assert_eq!(post["title"], HOSTILE);
        let id = post["id"].as_i64().unwrap();
        assert_eq!(
            app.get(&format!("/posts/{id}")).await.json::<Value>()["title"],
            HOSTILE
        );

        let missing = app.get("/posts/424242").await;
        assert_eq!(missing.status(), 404);
        assert_eq!(missing.json::<Value>()["code"], "POST_NOT_FOUND");

        let sneaky = app
            .post_json(
                &format!("/posts/by/{}", ada.id),
                &json!({ "title": "t", "author_id": 5 }),
            )
            .await;
        assert!(
            (400..500).contains(&sneaky.status()),
            "mass assignment is refused: {}",
            sneaky.text()
        );
        let orphan = app
            .post_json("/posts/by/999", &json!({ "title": "t" }))
            .await;
        assert_eq!(orphan.status(), 422, "{}", orphan.text());
        assert_eq!(orphan.json::<Value>()["code"], "INVALID_REFERENCE");

        let patched = app
            .send_json(
                app.request(elif::http::Method::PATCH, &format!("/posts/{id}")),
                &json!({ "summary": "now with a summary" }),
            )
            .await;
        assert_eq!(patched.status(), 200, "{}", patched.text());
        assert_eq!(patched.json::<Value>()["summary"], "now with a summary");
        assert_eq!(patched.json::<Value>()["title"], HOSTILE);
        app.stop().await;
        db.cleanup().await;
    }
}

#[elif::test]
async fn check_compares_every_model_with_its_table() {
    use elif::data::diesel_async::SimpleAsyncConnection;
    for db in TestDatabase::both("models_drift").await {
        let booted = boot(&db).await;
        let check = || {
            App::new()
                .module(ModelsModule)
                .without_env()
                .migrations(MIGRATIONS)
                .config("database.url", db.url())
                .check_with_database()
        };
        let report = check().await;
        assert!(report.is_empty(), "migrated: no drift\n{report}");

        let database = booted.container().get::<elif::data::Database>().unwrap();
        let mut conn = database.connection().await.unwrap();
        elif::with_connection!(conn, |c| c
            .batch_execute("DROP TABLE gadgets; ALTER TABLE posts DROP COLUMN summary;")
            .await)
        .unwrap();
        drop(conn);
        let report = check().await;
        let messages: Vec<&str> = report
            .diagnostics()
            .iter()
            .map(|d| {
                assert_eq!(d.entry.code, "EL4006");
                d.message.as_str()
            })
            .collect();
        assert_eq!(
            messages,
            [
                "model `Gadget`: table `gadgets` does not exist",
                "model `Post`: column `posts.summary` does not exist"
            ],
            "{report}"
        );
        assert_eq!(report.exit_code(), 2, "drift alone exits 2");
        drop((database, booted));
        db.cleanup().await;
    }
}

#[test]
fn the_map_lists_models_with_their_fields_and_relations() {
    let map = App::new().module(ModelsModule).without_env().map();
    let json: Value = serde_json::from_str(&map.to_json()).unwrap();
    let post = json["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "Post")
        .unwrap();
    assert_eq!(post["table"], "posts");
    assert_eq!(post["key"], "id");
    assert_eq!(post["relations"][0]["model"], "Author");
    let summary = post["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "summary")
        .unwrap();
    assert_eq!(summary["sql_type"], "text");
    assert_eq!(summary["nullable"], true);
    assert!(map.summary().contains("Post (table posts)"));
}

fn new_post(author_id: i64, title: &str) -> NewPost {
    NewPost {
        author_id,
        title: title.to_owned(),
        summary: None,
    }
}

#[elif::test]
async fn transactions_commit_on_ok_and_roll_back_on_err_or_panic() {
    for db in TestDatabase::both("models_tx").await {
        let booted = boot(&db).await;
        let (authors, posts) = (repository::<Author>(&booted), repository::<Post>(&booted));
        let database = booted.container().get::<elif::data::Database>().unwrap();

        // Ok: both inserts, across two repositories, are kept.
        let ada = database
            .transaction(|| async {
                let ada = author(&authors, "ada").await;
                posts.insert(new_post(ada.id, "kept")).await?;
                Ok(ada)
            })
            .await
            .unwrap();
        assert_eq!(posts.count(Criteria::new()).await.unwrap(), 1);

        // Err: nothing of the block remains.
        let failed: elif::Result<()> = database
            .transaction(|| async {
                posts.insert(new_post(ada.id, "dropped")).await?;
                authors
                    .insert(NewAuthor {
                        name: "ada".into(),
                        password_hash: "x".into(),
                    })
                    .await?;
                Ok(())
            })
            .await;
        assert_eq!(failed.unwrap_err().code(), "ALREADY_EXISTS");
        assert_eq!(
            posts.count(Criteria::new()).await.unwrap(),
            1,
            "{:?}",
            db.backend()
        );

        // Panic: rolled back, and the panic goes on.
        let task = {
            let (database, posts) = (database.clone(), posts.clone());
            elif::rt::spawn(async move {
                database
                    .transaction(|| async {
                        posts.insert(new_post(ada.id, "panicked")).await?;
                        panic!("boom");
                        #[allow(unreachable_code)]
                        Ok(())
                    })
                    .await
            })
        };
        assert!(task.await.unwrap_err().is_panic());
        assert_eq!(posts.count(Criteria::new()).await.unwrap(), 1);

        // Nested: the inner block is a savepoint.
        database
            .transaction(|| async {
                posts.insert(new_post(ada.id, "outer")).await?;
                let inner: elif::Result<()> = database
                    .transaction(|| async {
                        posts.insert(new_post(ada.id, "inner")).await?;
                        Err(Error::new(409, "NOPE", "changed my mind"))
                    })
                    .await;
                assert!(inner.is_err());
                Ok(())
            })
            .await
            .unwrap();
        let titles: Vec<String> = posts
            .list(Criteria::new().order_by(posts::id.asc()))
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.title)
            .collect();
        assert_eq!(titles, ["kept", "outer"]);
        drop((database, authors, posts, booted));
        db.cleanup().await;
    }
}

#[elif::test]
async fn uncommitted_work_is_invisible_outside_the_transaction() {
    for db in TestDatabase::both("models_tx_isolation").await {
        let booted = boot(&db).await;
        let (authors, database) = (
            repository::<Author>(&booted),
            booted.container().get::<elif::data::Database>().unwrap(),
        );
        let (seen_inside, seen_outside) = database
            .transaction(|| async {
                author(&authors, "ada").await;
                let inside = authors.count(Criteria::new()).await?;
                // Another task: outside the transaction.
                let authors = authors.clone();
                let outside = elif::rt::spawn(async move { authors.count(Criteria::new()).await })
                    .await
                    .unwrap()?;
                Ok((inside, outside))
            })
            .await
            .unwrap();
        assert_eq!((seen_inside, seen_outside), (1, 0), "{:?}", db.backend());
        assert_eq!(
            authors.count(Criteria::new()).await.unwrap(),
            1,
            "committed"
        );
        drop((authors, database, booted));
        db.cleanup().await;
    }
}

/// Writes an author and a post in one request, atomically.
#[injectable]
pub struct SignupController {
    authors: Inject<Repository<Author>>,
    posts: Inject<Repository<Post>>,
}

#[controller("/signup", public)]
impl SignupController {
    /// Creates the author and a first post; a taken post title fails the
    /// whole request.
    #[post("/{name}/{title}", interceptors(elif::data::Transactional))]
    async fn signup(&self, name: String, title: String) -> elif::Result<Created<Post>> {
        let author = self
            .authors
            .insert(NewAuthor {
                name,
                password_hash: "x".into(),
            })
            .await?;
        if title == "fail" {
            return Err(Error::new(422, "BAD_TITLE", "not that title"));
        }
        let post = self.posts.insert(new_post(author.id, &title)).await?;
        Ok(Created::at(format!("/posts/{}", post.id), post))
    }
}

#[module(imports(ModelsModule, DataModule), controllers(SignupController))]
pub struct SignupModule;

#[elif::test]
async fn the_transactional_interceptor_makes_a_request_atomic() {
    for db in TestDatabase::both("models_tx_http").await {
        let app = TestApp::start(
            App::new()
                .module(SignupModule)
                .migrations(MIGRATIONS)
                .config("database.url", db.url()),
        )
        .await
        .unwrap();
        let authors = app.container().get::<Repository<Author>>().unwrap();
        let ok = app.post_json("/signup/ada/hello", &json!({})).await;
        assert_eq!(ok.status(), 201, "{}", ok.text());
        let failed = app.post_json("/signup/bob/fail", &json!({})).await;
        assert_eq!(failed.status(), 422, "{}", failed.text());
        let names: Vec<String> = authors
            .all()
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.name)
            .collect();
        assert_eq!(names, ["ada"], "bob's insert was rolled back");
        app.stop().await;
        db.cleanup().await;
    }
}

#[elif::test]
async fn relations_load_with_one_query_each_and_no_n_plus_1() {
    for db in TestDatabase::both("models_relations").await {
        let booted = boot(&db).await;
        let (authors, posts) = (repository::<Author>(&booted), repository::<Post>(&booted));
        let (comments, tags) = (repository::<Comment>(&booted), repository::<Tag>(&booted));
        let (links, profiles) = (
            repository::<PostTag>(&booted),
            repository::<Profile>(&booted),
        );
        let database = booted.container().get::<elif::data::Database>().unwrap();
        let (ada, bob) = (author(&authors, "ada").await, author(&authors, "bob").await);
        let mut ids = Vec::new();
        for (who, title) in [(&ada, "one"), (&ada, "two"), (&bob, "three")] {
            ids.push(posts.insert(new_post(who.id, title)).await.unwrap().id);
        }
        for (post, body) in [(ids[0], "first!"), (ids[0], "second"), (ids[2], "hello")] {
            comments
                .insert(NewComment {
                    post_id: post,
                    body: body.into(),
                })
                .await
                .unwrap();
        }
        let rust = tags
            .insert(NewTag {
                name: "rust".into(),
            })
            .await
            .unwrap();
        let web = tags.insert(NewTag { name: "web".into() }).await.unwrap();
        for (post, tag) in [(ids[0], &rust), (ids[0], &web), (ids[1], &web)] {
            links
                .insert(NewPostTag {
                    post_id: post,
                    tag_id: tag.id,
                })
                .await
                .unwrap();
        }
        profiles
            .insert(NewProfile {
                author_id: ada.id,
                bio: Some("writes".into()),
            })
            .await
            .unwrap();

        // One checkout (on PostgreSQL the pool's liveness query; SQLite
        // pools skip it), the posts, then one query per relation: authors,
        // comments, and tags joined to post_tags.
        let liveness = match database.backend() {
            elif::data::Backend::Sqlite => 0,
            elif::data::Backend::Postgres => 1,
        };
        let before = database.query_count();
        let listed = posts
            .list(
                Criteria::new()
                    .order_by(posts::id.asc())
                    .with(Post::author())
                    .with(Post::comments())
                    .with(Post::tags()),
            )
            .await
            .unwrap();
        assert_eq!(
            database.query_count() - before,
            liveness + 1 + 1 + 1 + 1,
            "{:?}",
            db.backend()
        );
        let names = |p: &Post| {
            p.tags
                .get()
                .unwrap()
                .iter()
                .map(|t| t.name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(listed[0].author.get().unwrap().name, "ada");
        assert_eq!(listed[2].author.get().unwrap().name, "bob");
        let counts: Vec<usize> = listed
            .iter()
            .map(|p| p.comments.get().unwrap().len())
            .collect();
        assert_eq!(counts, [2, 0, 1]);
        assert_eq!(names(&listed[0]), ["rust", "web"]);
        assert_eq!(names(&listed[1]), ["web"]);
        assert!(names(&listed[2]).is_empty());
        let json = serde_json::to_value(&listed[0]).unwrap();
        assert_eq!(json["author"]["name"], "ada");
        assert!(json["author"].get("password_hash").is_none());
        assert_eq!(json["comments"][1]["body"], "second");

        // Nested: authors, their posts, the posts' comments; and has_one.
        let before = database.query_count();
        let everyone = authors
            .list(
                Criteria::new()
                    .order_by(authors::id.asc())
                    .with(Author::posts().with(Post::comments()))
                    .with(Author::profile()),
            )
            .await
            .unwrap();
        assert_eq!(database.query_count() - before, liveness + 1 + 1 + 1 + 1);
        let ada_posts = everyone[0].posts.get().unwrap();
        assert_eq!(ada_posts.len(), 2);
        assert_eq!(ada_posts[0].comments.get().unwrap().len(), 2);
        assert!(ada_posts[0].author.is_not_loaded(), "only what was asked");
        assert_eq!(
            everyone[0]
                .profile
                .get()
                .unwrap()
                .as_ref()
                .unwrap()
                .bio
                .as_deref(),
            Some("writes")
        );
        assert_eq!(everyone[1].profile, Related::Loaded(None));

        // Relations of rows already read.
        let mut one = vec![posts.find_or_fail(ids[2]).await.unwrap()];
        posts.load(&mut one, Post::comments()).await.unwrap();
        assert_eq!(one[0].comments.get().unwrap()[0].body, "hello");
        let map = App::new().module(ModelsModule).without_env().map();
        let post = map.models.iter().find(|m| m.name == "Post").unwrap();
        let kinds: Vec<&str> = post.relations.iter().map(|r| r.kind).collect();
        assert_eq!(kinds, ["belongs_to", "has_many", "many_to_many"]);
        drop((
            database, authors, posts, comments, tags, links, profiles, booted,
        ));
        db.cleanup().await;
    }
}

/// A gadget with ordinary values.
fn plain_gadget(id: Uuid, label: &str) -> NewGadget {
    NewGadget {
        id,
        small: 1,
        count: 1,
        big: 1,
        ratio: 1.0,
        precise: 1.0,
        active: false,
        label: label.to_owned(),
        bytes: vec![],
        day: elif::data::chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        at: Timestamp::now(),
        meta: Document(json!({})),
        note: None,
    }
}

#[elif::test]
async fn upsert_inserts_then_updates_by_a_given_key() {
    for db in TestDatabase::both("models_upsert").await {
        let booted = boot(&db).await;
        let gadgets = repository::<Gadget>(&booted);
        let mut new = plain_gadget(Uuid::new_v4(), "first");
        assert_eq!(gadgets.upsert(new.clone()).await.unwrap().label, "first");
        new.label = "second".into();
        new.note = Some("changed".into());
        let updated = gadgets.upsert(new).await.unwrap();
        assert_eq!(
            (updated.label.as_str(), updated.note.as_deref()),
            ("second", Some("changed"))
        );
        assert_eq!(
            gadgets.count(Criteria::new()).await.unwrap(),
            1,
            "{:?}",
            db.backend()
        );
        drop((gadgets, booted));
        db.cleanup().await;
    }
}

#[elif::test]
async fn a_failure_handled_inside_a_transaction_never_commits_half_on_postgres() {
    for db in TestDatabase::both("models_tx_aborted").await {
        let booted = boot(&db).await;
        let authors = repository::<Author>(&booted);
        let database = booted.container().get::<elif::data::Database>().unwrap();
        let outcome = database
            .transaction(|| async {
                author(&authors, "zed").await;
                let duplicate = authors
                    .insert(NewAuthor {
                        name: "zed".into(),
                        password_hash: "x".into(),
                    })
                    .await;
                assert_eq!(duplicate.unwrap_err().code(), "ALREADY_EXISTS");
                Ok(())
            })
            .await;
        let kept = authors.count(Criteria::new()).await.unwrap();
        match db.backend() {
            // SQLite undoes the failed statement only: the rest commits.
            elif::data::Backend::Sqlite => assert_eq!((outcome.is_ok(), kept), (true, 1)),
            // PostgreSQL aborted the whole transaction: say so, keep nothing.
            elif::data::Backend::Postgres => {
                let error = outcome.unwrap_err();
                assert!(
                    error.detail().contains("aborted the transaction"),
                    "{error:?}"
                );
                assert_eq!(kept, 0);
            }
        }
        drop((database, authors, booted));
        db.cleanup().await;
    }
}

#[elif::test]
async fn an_abandoned_nested_transaction_rolls_everything_back() {
    for db in TestDatabase::both("models_tx_abandoned").await {
        let booted = boot(&db).await;
        let authors = repository::<Author>(&booted);
        let database = booted.container().get::<elif::data::Database>().unwrap();
        let outcome: elif::Result<()> = database
            .transaction(|| async {
                author(&authors, "outer").await;
                // Dropped after its savepoint and insert, before its end.
                let inner = elif::rt::time::timeout(
                    std::time::Duration::from_millis(50),
                    database.transaction(|| async {
                        author(&authors, "inner").await;
                        elif::rt::time::sleep(std::time::Duration::from_secs(5)).await;
                        Ok(())
                    }),
                )
                .await;
                assert!(inner.is_err(), "timed out");
                Ok(())
            })
            .await;
        let error = outcome.unwrap_err();
        assert!(error.detail().contains("did not nest"), "{error:?}");
        assert_eq!(
            authors.count(Criteria::new()).await.unwrap(),
            0,
            "{:?}",
            db.backend()
        );
        drop((database, authors, booted));
        db.cleanup().await;
    }
}

#[elif::test]
async fn a_row_that_no_longer_fits_its_model_is_a_clear_error() {
    use elif::data::diesel_async::SimpleAsyncConnection;
    for db in TestDatabase::both("models_mismatch").await {
        let booted = boot(&db).await;
        let gadgets = repository::<Gadget>(&booted);
        let database = booted.container().get::<elif::data::Database>().unwrap();
        let id = Uuid::new_v4();
        gadgets.insert(plain_gadget(id, "fine")).await.unwrap();
        // The table drifts under the model: a NULL where the model has a
        // `String` (PostgreSQL), text that is no time (SQLite).
        let drift = match db.backend() {
            elif::data::Backend::Postgres => {
                "ALTER TABLE gadgets ALTER COLUMN label DROP NOT NULL; UPDATE gadgets SET label = NULL"
            }
            elif::data::Backend::Sqlite => "UPDATE gadgets SET at = 'not a time'",
        };
        let mut conn = database.connection().await.unwrap();
        elif::with_connection!(conn, |c| c.batch_execute(drift).await).unwrap();
        drop(conn);
        let error = gadgets.find_or_fail(id).await.unwrap_err();
        let problem = problem(&error);
        assert_eq!(problem["status"], 500, "{problem}");
        assert_eq!(problem["code"], "MODEL_MISMATCH");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .starts_with("a row of `gadgets` does not match the model `Gadget`"),
            "{problem}"
        );
        drop((database, gadgets, booted));
        db.cleanup().await;
    }
}

/// Uses a repository its module forgot to declare.
#[injectable]
pub struct Forgetful {
    _posts: Inject<Repository<Post>>,
}

#[module(imports(DataModule), providers(Forgetful))]
pub struct ForgetfulModule;

#[test]
fn a_missing_repository_is_named_with_the_fix() {
    let report = App::new()
        .module(ForgetfulModule)
        .without_env()
        .config("database.url", "sqlite::memory:")
        .check();
    let missing = report
        .diagnostics()
        .iter()
        .find(|d| d.entry.code == "EL1001")
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(
        missing.hint,
        "a model's repository is a provider its module declares: add `Repository<Post>` to `providers(...)` of `ForgetfulModule` (which imports `elif::data::DataModule`)"
    );
}
