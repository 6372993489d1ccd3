//! Relationships and eager loading. A model declares a relation as a field
//! of type [`Related<T>`] (`#[has_many(Comment)] comments:
//! Related<Vec<Comment>>`); `Criteria::with(Post::comments())` loads it for
//! every row listed with one more query per relation (two through a join
//! model), never one per row, and puts the related rows in that field.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::BoxFuture;
use crate::data::Connection;

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

/// A relation from `P` to `C` (`Post::comments()`), to pass to
/// `Criteria::with`; `.with(..)` loads a relation of `C` in turn
/// (`Post::comments().with(Comment::author())`).
pub struct Relation<P, C> {
    name: &'static str,
    load: LoadFn<P, C>,
    nested: Vec<Box<dyn Load<C>>>,
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
