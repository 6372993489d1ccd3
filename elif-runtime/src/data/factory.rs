//! Factories: rows of realistic fake data for tests and seeders, as
//! Laravel's model factories make them.
//!
//! ```text
//! let author = User::factory().create_one(&users).await?;
//! let posts = Post::factory()
//!     .count(20)
//!     .with(|p| p.published = true)
//!     .for_parent(Post::author(), &author)
//!     .create(&posts_repo)
//!     .await?;
//! ```
//!
//! `#[model]` writes each model's fake insert form from its fields: the
//! value follows the field's name (`email`, `username`, `title`, `body`,
//! `url`, `slug`..) and type, fits its `#[validate]` rules (`length`,
//! `range`, `email`, `url`, `uuid`, `one_of`), and a `#[unique]` field gets
//! a value no other row of the run has. `custom` and `regex` rules are not
//! known to the factory: set those fields with `with`. A foreign key is left at 0 (or
//! `None`) until `for_parent` sets it; the database refuses 0 with a 422.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use fake::Fake;
use fake::faker::internet::en::Username;
use fake::faker::lorem::en::{Paragraph, Sentence, Word, Words};
use fake::faker::name::en::Name;

use crate::data::{Model, Relation, Repository, Timestamp, Uuid};

/// A model whose fake insert forms `#[model]` can make.
#[doc(hidden)]
pub trait Fakeable: Model {
    /// The insert form of fake row number `sequence` (unique in the process).
    fn fake_new(sequence: u64) -> Self::New;
}

type Tweak<N> = Arc<dyn Fn(&mut N) + Send + Sync>;

/// Makes rows of `M`: `Post::factory().count(3).with(|p| ..).create(&repo)`.
pub struct Factory<M: Model> {
    count: usize,
    make: fn(u64) -> M::New,
    tweaks: Vec<Tweak<M::New>>,
}

impl<M: Model> std::fmt::Debug for Factory<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Factory")
            .field("model", &M::info().name)
            .field("count", &self.count)
            .field("tweaks", &self.tweaks.len())
            .finish()
    }
}

impl<M: Fakeable> Default for Factory<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: Fakeable> Factory<M> {
    /// A factory of one row (what `Post::factory()` returns).
    pub fn new() -> Self {
        Self {
            count: 1,
            make: M::fake_new,
            tweaks: Vec::new(),
        }
    }
}

impl<M: Model> Factory<M> {
    /// Makes `n` rows.
    pub fn count(mut self, n: usize) -> Self {
        self.count = n;
        self
    }

    /// Changes each insert form after it is made (`|p| p.title = "Hi".into()`).
    pub fn with(mut self, tweak: impl Fn(&mut M::New) + Send + Sync + 'static) -> Self {
        self.tweaks.push(Arc::new(tweak));
        self
    }

    /// Makes each row belong to `parent` through a `belongs_to` relation
    /// (`for_parent(Post::author(), &ann)` sets `author_id`).
    ///
    /// A relation that is not a `belongs_to` sets nothing.
    pub fn for_parent<C>(self, relation: Relation<M, C>, parent: &C) -> Self
    where
        C: Model,
    {
        match relation.parent_assignment() {
            Some(assign) => {
                let key = parent.key().clone();
                self.with(move |new| assign(new, &key))
            }
            None => self,
        }
    }

    /// The insert forms, not stored.
    pub fn make(&self) -> Vec<M::New> {
        (0..self.count).map(|_| self.make_one()).collect()
    }

    /// One insert form, with the tweaks applied.
    fn make_one(&self) -> M::New {
        let mut new = (self.make)(next_sequence());
        for tweak in &self.tweaks {
            tweak(&mut new);
        }
        new
    }

    /// Inserts the rows through `repository` (so timestamps come from its
    /// clock), one statement each, and returns them as stored.
    pub async fn create(&self, repository: &Repository<M>) -> crate::Result<Vec<M>> {
        let mut rows = Vec::with_capacity(self.count);
        for new in self.make() {
            rows.push(repository.insert(new).await?);
        }
        Ok(rows)
    }

    /// Inserts one row (whatever the count) and returns it.
    pub async fn create_one(&self, repository: &Repository<M>) -> crate::Result<M> {
        repository.insert(self.make_one()).await
    }
}

static SEQUENCE: AtomicU64 = AtomicU64::new(1);

fn next_sequence() -> u64 {
    SEQUENCE.fetch_add(1, Ordering::Relaxed)
}

/// What a field's `#[validate]` rules ask of its fake value.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default)]
pub struct Rules {
    /// `length(min = ..)`.
    pub min_length: Option<usize>,
    /// `length(max = ..)`.
    pub max_length: Option<usize>,
    /// `range(min = ..)`.
    pub min: Option<f64>,
    /// `range(max = ..)`.
    pub max: Option<f64>,
    /// `email`.
    pub email: bool,
    /// `url`.
    pub url: bool,
    /// `uuid`.
    pub uuid: bool,
    /// `#[unique]`: no two rows of the process get the same value.
    pub unique: bool,
}

/// A fake text for field `name`, fitting `rules`.
#[doc(hidden)]
pub fn text(name: &str, rules: Rules, sequence: u64) -> String {
    let name = name.to_ascii_lowercase();
    let has = |part: &str| name.contains(part);
    let base: String = if rules.uuid {
        return Uuid::new_v4().to_string();
    } else if rules.email || has("email") {
        let user: String = Username().fake();
        return fit(
            format!("{}.{sequence}@example.com", slug(&user)),
            rules,
            sequence,
            true,
        );
    } else if rules.url || has("url") || has("link") || has("website") || has("image") {
        let words: Vec<String> = Words(2..4).fake();
        format!("https://example.com/{}", slug(&words.join("-")))
    } else if has("slug") {
        let words: Vec<String> = Words(2..5).fake();
        slug(&words.join("-"))
    } else if has("username") || has("login") || has("handle") {
        slug(&Username().fake::<String>())
    } else if has("name") {
        Name().fake()
    } else if has("title") || has("subject") || has("headline") {
        let sentence: String = Sentence(3..7).fake();
        sentence.trim_end_matches('.').to_owned()
    } else if has("body") || has("content") || has("description") || has("bio") || has("text") {
        Paragraph(2..4).fake()
    } else if has("password") || has("hash") || has("token") {
        format!("fake-{}", Uuid::new_v4())
    } else {
        Word().fake()
    };
    fit(base, rules, sequence, false)
}

/// `text` in lower case, words joined by `-`.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// `text` made unique (when asked, and not already) and cut or padded to
/// the length rules, counted in characters as the `length` rule counts.
fn fit(text: String, rules: Rules, sequence: u64, already_unique: bool) -> String {
    let suffix = if rules.unique && !already_unique {
        format!("-{sequence}")
    } else {
        String::new()
    };
    let max = rules.max_length.unwrap_or(usize::MAX);
    let room = max.saturating_sub(suffix.chars().count());
    let mut out: String = text.chars().take(room).collect();
    out.push_str(&suffix);
    let min = rules.min_length.unwrap_or(0).min(max);
    while out.chars().count() < min {
        out.insert(0, 'x');
    }
    if out.chars().count() > max {
        // The suffix alone is longer than the rule allows.
        out = out
            .chars()
            .rev()
            .take(max)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
    }
    out
}

/// One of a `one_of` rule's values, in turn.
#[doc(hidden)]
pub fn pick<U: std::fmt::Display>(allowed: &[U], sequence: u64) -> String {
    match allowed.len() {
        0 => String::new(),
        n => allowed[(sequence % n as u64) as usize].to_string(),
    }
}

/// A fake number within the range rule (default 0 to 1000), as `T`.
#[doc(hidden)]
pub fn number(rules: Rules) -> f64 {
    let min = rules.min.unwrap_or(0.0);
    let max = rules.max.unwrap_or(min.max(0.0) + 1000.0).max(min);
    if max <= min {
        return min;
    }
    (min..max).fake::<f64>()
}

/// A fake whole number within the range rule, in `[lo, hi]` of the
/// column's type.
#[doc(hidden)]
pub fn integer(rules: Rules, lo: i64, hi: i64) -> i64 {
    let min = rules.min.map_or(0, |m| m.ceil() as i64).max(lo).min(hi);
    let max = rules
        .max
        .map_or(min.saturating_add(1000), |m| m.floor() as i64)
        .min(hi)
        .max(min);
    (min..=max).fake::<i64>()
}

/// A fake boolean.
#[doc(hidden)]
pub fn boolean() -> bool {
    fake::Faker.fake()
}

/// A fake instant: now.
#[doc(hidden)]
pub fn timestamp() -> Timestamp {
    Timestamp::now()
}

/// A fake date: today.
#[doc(hidden)]
pub fn date() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// A fake UUID (version 4).
#[doc(hidden)]
pub fn uuid() -> Uuid {
    Uuid::new_v4()
}

/// Sixteen fake bytes.
#[doc(hidden)]
pub fn bytes() -> Vec<u8> {
    (0..16).map(|_| (0..=255u8).fake::<u8>()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn length(min: usize, max: usize) -> Rules {
        Rules {
            min_length: Some(min),
            max_length: Some(max),
            ..Rules::default()
        }
    }

    #[test]
    fn texts_follow_the_field_name_and_fit_the_length_rule() {
        for n in 0..200 {
            let email = text("email", Rules::default(), n);
            assert!(crate::validate::email(&email).is_ok(), "{email}");
            let title = text("title", length(5, 12), n);
            assert!((5..=12).contains(&title.chars().count()), "{title:?}");
            let short = text("code", length(20, 30), n);
            assert!((20..=30).contains(&short.chars().count()), "{short:?}");
            let url = text("website_url", Rules::default(), n);
            assert!(url.starts_with("https://example.com/"), "{url}");
        }
    }

    #[test]
    fn unique_texts_never_repeat_and_still_fit() {
        let rules = Rules {
            unique: true,
            ..length(1, 8)
        };
        let values: std::collections::HashSet<String> =
            (0..500).map(|n| text("tag", rules, 1000 + n)).collect();
        assert_eq!(values.len(), 500);
        assert!(values.iter().all(|v| v.chars().count() <= 8));
    }

    #[test]
    fn numbers_fall_in_the_range_rule_and_the_column_type() {
        let rules = Rules {
            min: Some(10.0),
            max: Some(20.0),
            ..Rules::default()
        };
        for _ in 0..200 {
            assert!((10..=20).contains(&integer(rules, i64::from(i16::MIN), i64::from(i16::MAX))));
            assert!((10.0..=20.0).contains(&number(rules)));
            assert!((0..=1000).contains(&integer(Rules::default(), 0, i64::MAX)));
        }
        assert_eq!(
            integer(
                Rules {
                    min: Some(300.0),
                    ..Rules::default()
                },
                -128,
                127
            ),
            127
        );
    }
}
