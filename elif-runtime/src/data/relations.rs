//! Relationships and eager loading. A model declares a relation as a field
//! of type [`Related<T>`] (`#[has_many(Comment)] comments:
//! Related<Vec<Comment>>`); `Criteria::with(Post::comments())` loads it for
//! every row listed with one more query per relation (two through a join
//! model), never one per row, and puts the related rows in that field.

use std::fmt;
use std::sync::Arc;

use serde::{Serialize, Serializer};

use crate::BoxFuture;
use crate::data::predicate::SharedPredicate;
use crate::data::{Connection, Model};

/// A relation's rows in a model: [`Related::NotLoaded`] until a query asks
/// for them with `Criteria::with`. Serialises as the rows when loaded; a
/// model leaves it out of JSON when not.
#[derive(Clone, PartialEq, Default)]
pub enum Related<T> {
    /// Not asked for.
    #[default]
    NotLoaded,
    /// Loaded: the related rows (`Vec` for many, `Option` for at most one).
    Loaded(T),
}

impl<T> Related<T> {
    /// The rows, if loaded.
    pub fn get(&self) -> Option<&T> {
        match self {
            Self::Loaded(value) => Some(value),
            Self::NotLoaded => None,
        }
    }

    /// The rows, if loaded.
    pub fn into_inner(self) -> Option<T> {
        match self {
            Self::Loaded(value) => Some(value),
            Self::NotLoaded => None,
        }
    }

    /// Whether it was not loaded (what `#[model]`'s `Serialize` skips).
    pub fn is_not_loaded(&self) -> bool {
        matches!(self, Self::NotLoaded)
    }
}

/// How a loaded owner becomes a `belongs_to` field's value: as is
/// (`Related<Author>`, `Related<Option<Author>>`) or boxed, which a
/// relation from a model to itself needs (`Related<Option<Box<Category>>>`:
/// a struct cannot hold itself unboxed).
#[doc(hidden)]
pub trait FromOwner<T> {
    /// The field's value for `owner`.
    fn from_owner(owner: T) -> Self;
}

impl<T> FromOwner<T> for T {
    fn from_owner(owner: T) -> Self {
        owner
    }
}

impl<T> FromOwner<T> for Box<T> {
    fn from_owner(owner: T) -> Self {
        Box::new(owner)
    }
}

impl<T> FromOwner<Option<T>> for Option<Box<T>> {
    fn from_owner(owner: Option<T>) -> Self {
        owner.map(Box::new)
    }
}

impl<T: fmt::Debug> fmt::Debug for Related<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotLoaded => f.write_str("NotLoaded"),
            Self::Loaded(value) => value.fmt(f),
        }
    }
}

impl<T: Serialize> Serialize for Related<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Loaded(value) => value.serialize(serializer),
            Self::NotLoaded => serializer.serialize_none(),
        }
    }
}

impl<T: crate::http::Schema> crate::http::Schema for Related<T> {
    fn schema() -> serde_json::Value {
        T::schema()
    }

    fn optional() -> bool {
        true
    }
}

/// Loads one relation of rows of `M` (what [`crate::data::Criteria::with`] keeps).
pub trait Load<M>: Send + Sync {
    /// Fills the relation's field of every row in `rows`.
    fn load<'a>(
        &'a self,
        conn: &'a mut Connection,
        rows: &'a mut [M],
    ) -> BoxFuture<'a, diesel::QueryResult<()>>;
}

/// What `#[model]` writes for each relation: fills field of `parents` with
/// rows of `C`, then runs `nested` loaders on those.
#[doc(hidden)]
pub type LoadFn<P, C> = for<'a> fn(
    &'a mut Connection,
    &'a mut [P],
    &'a [Box<dyn Load<C>>],
) -> BoxFuture<'a, diesel::QueryResult<()>>;

/// What `#[model]` writes for each relation it can filter by: the
/// `[NOT] EXISTS (..)` condition on the parent's table, given the related
/// criteria's filters.
#[doc(hidden)]
pub type ConditionFn = fn(Arc<[SharedPredicate]>, bool) -> SharedPredicate;

/// What `#[model]` writes for a relation that a `#[count(..)]` field
/// counts: fills that field of every parent.
#[doc(hidden)]
pub type CountFn<P> =
    for<'a> fn(&'a mut Connection, &'a mut [P]) -> BoxFuture<'a, diesel::QueryResult<()>>;

/// What `#[model]` writes for a relation that an `#[exists(..)]` field
/// flags: sets that field of one row.
#[doc(hidden)]
pub type FlagFn<P> = fn(&mut P, bool);

/// What `#[model]` writes for a `belongs_to` relation: sets the foreign
/// key of an insert form (`&mut NewPost`) to a parent's key (`&i64`), both
/// passed as `Any` because `Relation` does not know they are a model's.
#[doc(hidden)]
pub type AssignFn = fn(&mut dyn std::any::Any, &dyn std::any::Any);

/// A relation from `P` to `C` (`Post::comments()`), to pass to
/// `Criteria::with`, `has`, `doesnt_have`, `with_count` or `with_exists`;
/// `.with(..)` loads a relation of `C` in turn
/// (`Post::comments().with(Comment::author())`).
pub struct Relation<P, C> {
    name: &'static str,
    load: LoadFn<P, C>,
    nested: Vec<Box<dyn Load<C>>>,
    condition: Option<ConditionFn>,
    count: Option<CountFn<P>>,
    flag: Option<FlagFn<P>>,
    assign: Option<AssignFn>,
}

impl<P, C> fmt::Debug for Relation<P, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Relation")
            .field("name", &self.name)
            .field("nested", &self.nested.len())
            .finish()
    }
}

impl<P, C> Relation<P, C> {
    #[doc(hidden)]
    pub fn new(name: &'static str, load: LoadFn<P, C>) -> Self {
        Self {
            name,
            load,
            nested: Vec::new(),
            condition: None,
            count: None,
            flag: None,
            assign: None,
        }
    }

    /// How a factory sets the foreign key of a `belongs_to`.
    #[doc(hidden)]
    pub fn assigned_by(mut self, assign: AssignFn) -> Self {
        self.assign = Some(assign);
        self
    }

    /// The foreign-key setter of a `belongs_to`, if this is one.
    pub(crate) fn parent_assignment(&self) -> Option<AssignFn> {
        self.assign
    }

    /// How `has`/`doesnt_have` filter by this relation.
    #[doc(hidden)]
    pub fn filtered_by(mut self, condition: ConditionFn) -> Self {
        self.condition = Some(condition);
        self
    }

    /// How `with_count` fills the model's `#[count(..)]` field.
    #[doc(hidden)]
    pub fn counted_by(mut self, count: CountFn<P>) -> Self {
        self.count = Some(count);
        self
    }

    /// How `with_exists` sets the model's `#[exists(..)]` field.
    #[doc(hidden)]
    pub fn flagged_by(mut self, flag: FlagFn<P>) -> Self {
        self.flag = Some(flag);
        self
    }

    /// The `[NOT] EXISTS` condition on `P`'s table for related rows that
    /// pass the filters `related` adds to a new criteria; a condition that
    /// fails the query, naming the relation, when it cannot be expressed.
    pub(crate) fn condition(
        &self,
        related: impl FnOnce(crate::data::Criteria<C>) -> crate::data::Criteria<C>,
        negated: bool,
    ) -> SharedPredicate
    where
        C: Model,
    {
        let filters = related(crate::data::Criteria::new());
        match self.condition {
            Some(condition) => condition(filters.filters().into(), negated),
            None => Arc::new(Unsupported(format!(
                "relation `{}` relates a model to its own table directly; filter by its foreign key instead",
                self.name
            ))),
        }
    }

    /// The relation's name (its field).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Also loads `relation` of the related rows.
    pub fn with<X>(mut self, relation: Relation<C, X>) -> Self
    where
        C: Send + Sync + 'static,
        X: Send + Sync + 'static,
    {
        self.nested.push(Box::new(relation));
        self
    }
}

impl<P: Send + Sync + 'static, C: Model> Relation<P, C> {
    /// Also fills the related rows' `#[count(..)]` field for `relation`
    /// (`Article::author().with_count(User::articles())`).
    pub fn with_count<X: Model>(mut self, relation: Relation<C, X>) -> Self {
        self.nested.push(relation.counted());
        self
    }

    /// Also fills the related rows' `#[exists(..)]` field for `relation`
    /// (`Article::author().with_exists(User::followers(), |f| f.filter(users::id.eq(me)))`).
    pub fn with_exists<X: Model>(
        mut self,
        relation: Relation<C, X>,
        related: impl FnOnce(crate::data::Criteria<X>) -> crate::data::Criteria<X>,
    ) -> Self {
        let condition = relation.condition(related, false);
        self.nested.push(relation.flagged(condition));
        self
    }
}

impl<P: Model, C: Send + Sync + 'static> Relation<P, C> {
    /// The loader `Criteria::with_count` keeps.
    pub(crate) fn counted(self) -> Box<dyn Load<P>> {
        Box::new(Counted {
            name: self.name,
            count: self.count,
        })
    }

    /// The loader `Criteria::with_exists` keeps.
    pub(crate) fn flagged(self, condition: SharedPredicate) -> Box<dyn Load<P>> {
        Box::new(Flagged {
            name: self.name,
            condition,
            flag: self.flag,
        })
    }
}

/// `Criteria::with_count`: the relation's count fills a field of each row.
struct Counted<P> {
    name: &'static str,
    count: Option<CountFn<P>>,
}

impl<P: Model> Load<P> for Counted<P> {
    fn load<'a>(
        &'a self,
        conn: &'a mut Connection,
        rows: &'a mut [P],
    ) -> BoxFuture<'a, diesel::QueryResult<()>> {
        match self.count {
            Some(_) if rows.is_empty() => Box::pin(async { Ok(()) }),
            Some(count) => count(conn, rows),
            None => {
                let (model, name) = (P::info().name, self.name);
                Box::pin(async move {
                    Err(diesel::result::Error::QueryBuilderError(
                        format!(
                            "`{model}` has no field for the count of `{name}`: add `#[count({name})] pub {name}_count: Related<i64>` (a `has_many` or `many_to_many` relation)"
                        )
                        .into(),
                    ))
                })
            }
        }
    }
}

/// `Criteria::with_exists`: whether each row passes a relation condition
/// fills a field of each row; one query for all the rows.
struct Flagged<P> {
    name: &'static str,
    condition: SharedPredicate,
    flag: Option<FlagFn<P>>,
}

impl<P: Model> Load<P> for Flagged<P> {
    fn load<'a>(
        &'a self,
        conn: &'a mut Connection,
        rows: &'a mut [P],
    ) -> BoxFuture<'a, diesel::QueryResult<()>> {
        Box::pin(async move {
            let Some(flag) = self.flag else {
                let (model, name) = (P::info().name, self.name);
                return Err(diesel::result::Error::QueryBuilderError(
                    format!(
                        "`{model}` has no field for whether `{name}` exists: add `#[exists({name})] pub has_{name}: Related<bool>`"
                    )
                    .into(),
                ));
            };
            if rows.is_empty() {
                return Ok(());
            }
            let mut found = std::collections::HashSet::new();
            for chunk in rows.chunks(crate::data::predicate::MAX_BOUND_KEYS) {
                let keys = chunk.iter().map(|r| r.key().clone()).collect();
                let query = crate::data::Criteria::<P>::new()
                    .where_shared(P::key_in(keys))
                    .where_shared(self.condition.clone());
                found.extend(P::keys(conn, &query).await?);
            }
            for row in rows.iter_mut() {
                let present = found.contains(row.key());
                flag(row, present);
            }
            Ok(())
        })
    }
}

/// A condition that cannot be written: building the query fails with
/// `message` (never a silently dropped filter).
struct Unsupported(String);

impl<DB: diesel::backend::Backend> diesel::query_builder::QueryFragment<DB> for Unsupported {
    fn walk_ast<'b>(
        &'b self,
        _out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> diesel::QueryResult<()> {
        Err(diesel::result::Error::QueryBuilderError(
            self.0.clone().into(),
        ))
    }
}

impl<P: Send + Sync, C: Send + Sync> Load<P> for Relation<P, C> {
    fn load<'a>(
        &'a self,
        conn: &'a mut Connection,
        rows: &'a mut [P],
    ) -> BoxFuture<'a, diesel::QueryResult<()>> {
        (self.load)(conn, rows, &self.nested)
    }
}

/// The key a foreign-key value refers to: itself, or nothing for a NULL.
#[doc(hidden)]
pub trait KeyOf<K> {
    /// The key, unless NULL.
    fn key_of(&self) -> Option<K>;
}

impl<K: Clone> KeyOf<K> for K {
    fn key_of(&self) -> Option<K> {
        Some(self.clone())
    }
}

impl<K: Clone> KeyOf<K> for Option<K> {
    fn key_of(&self) -> Option<K> {
        self.clone()
    }
}

/// Each distinct key once, in first-seen order.
#[doc(hidden)]
pub fn distinct<K: Eq + std::hash::Hash + Clone>(keys: impl IntoIterator<Item = K>) -> Vec<K> {
    let mut seen = std::collections::HashSet::new();
    keys.into_iter()
        .filter(|k| seen.insert(k.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use diesel::QueryableByName;
    use diesel::sql_types::{BigInt, Nullable, Text};
    use diesel_async::SimpleAsyncConnection;
    use serde_json::json;

    use super::*;
    use crate::data::test_database::TestDatabase;
    use crate::http::Schema;

    #[derive(Debug, Clone, PartialEq, Serialize)]
    struct Post {
        id: i64,
        comments: Related<Vec<Comment>>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize)]
    struct Comment {
        id: i64,
        post_id: i64,
        author_id: Option<i64>,
        author: Related<Option<Author>>,
    }

    #[derive(QueryableByName, Debug, Clone, PartialEq, Serialize)]
    struct Author {
        #[diesel(sql_type = BigInt)]
        id: i64,
        #[diesel(sql_type = Text)]
        name: String,
    }

    #[derive(QueryableByName)]
    struct CommentRow {
        #[diesel(sql_type = BigInt)]
        id: i64,
        #[diesel(sql_type = BigInt)]
        post_id: i64,
        #[diesel(sql_type = Nullable<BigInt>)]
        author_id: Option<i64>,
    }

    fn list(keys: &[i64]) -> String {
        keys.iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// What `#[has_many(Comment)] comments` generates: one query for
    /// every parent, the nested loaders on the children, then each
    /// parent's share.
    fn comments() -> Relation<Post, Comment> {
        fn load<'a>(
            conn: &'a mut Connection,
            parents: &'a mut [Post],
            nested: &'a [Box<dyn Load<Comment>>],
        ) -> crate::BoxFuture<'a, diesel::QueryResult<()>> {
            Box::pin(async move {
                let keys: Vec<i64> = parents.iter().map(|p| p.id).collect();
                let query = format!(
                    "SELECT id, post_id, author_id FROM comments WHERE post_id IN ({}) ORDER BY id",
                    list(&keys)
                );
                let rows: Vec<CommentRow> =
                    crate::with_connection!(*conn, |c| diesel::sql_query(query).load(c).await)?;
                let mut children: Vec<Comment> = rows
                    .into_iter()
                    .map(|r| Comment {
                        id: r.id,
                        post_id: r.post_id,
                        author_id: r.author_id,
                        author: Related::NotLoaded,
                    })
                    .collect();
                for loader in nested {
                    Load::load(&**loader, &mut *conn, &mut children).await?;
                }
                let mut groups: HashMap<i64, Vec<Comment>> = HashMap::new();
                for child in children {
                    if let Some(k) = KeyOf::<i64>::key_of(&child.post_id) {
                        groups.entry(k).or_default().push(child);
                    }
                }
                for parent in parents.iter_mut() {
                    parent.comments =
                        Related::Loaded(groups.remove(&parent.id).unwrap_or_default());
                }
                Ok(())
            })
        }
        Relation::new("comments", load)
    }

    /// What `#[belongs_to(Author)] author` on a nullable key generates.
    fn author() -> Relation<Comment, Author> {
        fn load<'a>(
            conn: &'a mut Connection,
            parents: &'a mut [Comment],
            _nested: &'a [Box<dyn Load<Author>>],
        ) -> crate::BoxFuture<'a, diesel::QueryResult<()>> {
            Box::pin(async move {
                let keys = distinct(parents.iter().filter_map(|p| p.author_id.key_of()));
                let owners: Vec<Author> = if keys.is_empty() {
                    Vec::new()
                } else {
                    let query =
                        format!("SELECT id, name FROM authors WHERE id IN ({})", list(&keys));
                    crate::with_connection!(*conn, |c| diesel::sql_query(query).load(c).await)?
                };
                let owners: HashMap<i64, Author> = owners.into_iter().map(|o| (o.id, o)).collect();
                for parent in parents.iter_mut() {
                    parent.author = Related::Loaded(
                        parent
                            .author_id
                            .key_of()
                            .and_then(|k| owners.get(&k))
                            .cloned(),
                    );
                }
                Ok(())
            })
        }
        Relation::new("author", load)
    }

    #[actix_web::test]
    async fn a_relation_loads_every_parent_s_rows_with_one_query_and_then_its_nested_ones() {
        let test = TestDatabase::sqlite("relations_load");
        let database = test.connect();
        let mut conn = database.connection().await.unwrap();
        crate::with_connection!(conn, |c| c
            .batch_execute(
                "CREATE TABLE authors (id BIGINT PRIMARY KEY, name TEXT NOT NULL);
                 CREATE TABLE comments (id BIGINT PRIMARY KEY, post_id BIGINT NOT NULL, author_id BIGINT);
                 INSERT INTO authors VALUES (1, 'ann'), (2, 'bo'), (3, 'cy');
                 INSERT INTO comments VALUES (10, 1, 2), (11, 1, NULL), (12, 3, 3), (13, 1, 2);"
            )
            .await)
        .unwrap();
        let relation = comments().with(author());
        assert_eq!(relation.name(), "comments");
        assert_eq!(
            format!("{relation:?}"),
            "Relation { name: \"comments\", nested: 1 }"
        );
        let mut posts = vec![
            Post {
                id: 1,
                comments: Related::NotLoaded,
            },
            Post {
                id: 2,
                comments: Related::NotLoaded,
            },
        ];
        let before = database.query_count();
        Load::load(&relation, &mut conn, &mut posts).await.unwrap();
        assert_eq!(
            database.query_count() - before,
            2,
            "one query per relation, not one per row"
        );
        let bo = Author {
            id: 2,
            name: "bo".into(),
        };
        let comment = |id, author_id, author: Option<&Author>| Comment {
            id,
            post_id: 1,
            author_id,
            author: Related::Loaded(author.cloned()),
        };
        assert_eq!(
            posts[0].comments,
            Related::Loaded(vec![
                comment(10, Some(2), Some(&bo)),
                comment(11, None, None),
                comment(13, Some(2), Some(&bo)),
            ]),
            "post 1's own comments, each with its author (none for a NULL key)"
        );
        assert_eq!(
            posts[1].comments,
            Related::Loaded(Vec::new()),
            "loaded and empty, not left unloaded"
        );
        assert_eq!(
            serde_json::to_value(&posts[1]).unwrap(),
            json!({ "id": 2, "comments": [] })
        );
        assert_eq!(
            serde_json::to_value(&posts[0].comments.get().unwrap()[1]).unwrap(),
            json!({ "id": 11, "post_id": 1, "author_id": null, "author": null })
        );
        drop(conn);
        test.cleanup().await;
    }

    #[test]
    fn related_rows_are_absent_until_loaded() {
        let mut rows: Related<Vec<i64>> = Related::default();
        assert!(rows.is_not_loaded());
        assert_eq!(rows.get(), None);
        assert_eq!(format!("{rows:?}"), "NotLoaded");
        assert_eq!(serde_json::to_value(&rows).unwrap(), json!(null));
        assert_eq!(rows.clone().into_inner(), None);
        rows = Related::Loaded(vec![1, 2]);
        assert!(!rows.is_not_loaded());
        assert_eq!(rows.get(), Some(&vec![1, 2]));
        assert_eq!(
            format!("{rows:?}"),
            "[1, 2]",
            "shown as the rows themselves"
        );
        assert_eq!(serde_json::to_value(&rows).unwrap(), json!([1, 2]));
        assert_eq!(rows.into_inner(), Some(vec![1, 2]));
        let none: Related<Option<i64>> = Related::Loaded(None);
        assert!(!none.is_not_loaded(), "loaded, and there is none");
        assert_eq!(
            <Related<Vec<i64>>>::schema(),
            <Vec<i64>>::schema(),
            "documented as the rows"
        );
        assert!(<Related<Vec<i64>>>::optional(), "and possibly absent");
    }

    #[test]
    fn keys_skip_nulls_and_are_asked_for_once_each() {
        assert_eq!(KeyOf::<i64>::key_of(&7_i64), Some(7));
        assert_eq!(KeyOf::<i64>::key_of(&Some(7_i64)), Some(7));
        assert_eq!(KeyOf::<i64>::key_of(&None::<i64>), None);
        assert_eq!(distinct([3, 1, 3, 2, 1]), [3, 1, 2], "first-seen order");
        assert_eq!(
            distinct(
                [Some(2), None, Some(2)]
                    .iter()
                    .filter_map(KeyOf::<i64>::key_of)
            ),
            [2]
        );
        assert!(distinct(Vec::<i64>::new()).is_empty());
    }
}
