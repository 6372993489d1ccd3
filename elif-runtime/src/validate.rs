//! Validation of request DTOs: `#[derive(Validate)]` with
//! `#[validate(length(min = 1, max = 200))]`, `range`, `email`, `url`,
//! `uuid`, `regex = ".."`, `one_of = [..]`, `required`, `must_match =
//! field`, `custom = path`, `nested`. Every broken rule of a value is
//! reported, with its JSON pointer.

use crate::error::FieldError;

/// A value that checks its own rules. Derive it with `#[derive(Validate)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be validated",
    label = "`Valid<{Self}>` needs `{Self}: Validate`",
    note = "derive it: `#[derive(Deserialize, Validate)]`, with rules such as `#[validate(length(min = 1))]` on fields"
)]
pub trait Validate {
    /// Checks every rule; `Err` lists every broken one.
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Errors::default();
        self.validate_into(&mut errors, "");
        errors.into_result()
    }

    /// Checks every rule, adding broken ones under `pointer` (used for nesting).
    fn validate_into(&self, errors: &mut Errors, pointer: &str);
}

/// The broken rules found so far.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    /// Records a broken rule.
    pub fn push(&mut self, pointer: &str, field: &str, code: &str, detail: impl Into<String>) {
        self.0
            .push(FieldError::new(format!("{pointer}/{field}"), code, detail));
    }

    /// `Ok` when nothing broke.
    pub fn into_result(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

/// The JSON pointer of `field` under `pointer` (RFC 6901 escaping).
pub fn child(pointer: &str, field: &str) -> String {
    format!("{pointer}/{}", field.replace('~', "~0").replace('/', "~1"))
}

/// Something with a length: text (in characters) or a collection.
#[diagnostic::on_unimplemented(
    message = "the `length` rule needs text or a collection, not `{Self}`",
    label = "`{Self}` has no length",
    note = "for numbers, use `range(min = .., max = ..)`"
)]
pub trait HasLength {
    /// The length.
    fn length(&self) -> usize;
}

impl HasLength for str {
    fn length(&self) -> usize {
        self.chars().count()
    }
}

impl HasLength for String {
    fn length(&self) -> usize {
        self.chars().count()
    }
}

impl<T> HasLength for Vec<T> {
    fn length(&self) -> usize {
        self.len()
    }
}

impl<T> HasLength for [T] {
    fn length(&self) -> usize {
        self.len()
    }
}

impl<K, V, S> HasLength for std::collections::HashMap<K, V, S> {
    fn length(&self) -> usize {
        self.len()
    }
}

/// A collection whose items `each(..)` checks, in order (the index is the
/// last segment of an item's pointer).
#[diagnostic::on_unimplemented(
    message = "the `each` rule needs a collection, not `{Self}`",
    label = "`{Self}` has no items",
    note = "`each(..)` checks every item of a `Vec`, a slice, an array, a `VecDeque` or a set"
)]
pub trait Items {
    /// The item type.
    type Item;

    /// The items, in order.
    fn items(&self) -> impl Iterator<Item = &Self::Item>;
}

macro_rules! items {
    ($([$($generics:tt)*] $ty:ty),* $(,)?) => {$(
        impl<$($generics)*> Items for $ty {
            type Item = T;

            fn items(&self) -> impl Iterator<Item = &T> {
                self.iter()
            }
        }
    )*};
}

items! {
    [T] Vec<T>,
    [T] [T],
    [T, const N: usize] [T; N],
    [T] std::collections::VecDeque<T>,
    [T] std::collections::BTreeSet<T>,
    [T, S] std::collections::HashSet<T, S>,
}

/// A field that may be absent: rules apply to the value when present.
pub trait Field<T: ?Sized> {
    /// The value, if present.
    fn present(&self) -> Option<&T>;
}

impl<T: ?Sized> Field<T> for T {
    fn present(&self) -> Option<&T> {
        Some(self)
    }
}

impl<T> Field<T> for Option<T> {
    fn present(&self) -> Option<&T> {
        self.as_ref()
    }
}

/// `length(min = .., max = ..)`.
pub fn length<T: HasLength + ?Sized>(
    value: &T,
    min: Option<usize>,
    max: Option<usize>,
) -> Result<(), String> {
    let n = value.length();
    match (min, max) {
        (Some(min), Some(max)) if n < min || n > max => {
            Err(format!("length must be between {min} and {max} (is {n})"))
        }
        (Some(min), None) if n < min => Err(format!("length must be at least {min} (is {n})")),
        (None, Some(max)) if n > max => Err(format!("length must be at most {max} (is {n})")),
        _ => Ok(()),
    }
}

/// `range(min = .., max = ..)`.
pub fn range<T: PartialOrd + std::fmt::Display>(
    value: &T,
    min: Option<T>,
    max: Option<T>,
) -> Result<(), String> {
    match (min, max) {
        (Some(min), Some(max)) if *value < min || *value > max => {
            Err(format!("must be between {min} and {max}"))
        }
        (Some(min), None) if *value < min => Err(format!("must be at least {min}")),
        (None, Some(max)) if *value > max => Err(format!("must be at most {max}")),
        _ => Ok(()),
    }
}

/// `email`: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn email<T: AsRef<str> + ?Sized>(value: &T) -> Result<(), String> {
    let value = value.as_ref();
    let valid = value.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && !value.chars().any(char::is_whitespace)
    });
    if valid {
        Ok(())
    } else {
        Err("must be an email address".to_owned())
    }
}

/// `url`: an absolute `http` or `https` URL with a host and no spaces.
pub fn url<T: AsRef<str> + ?Sized>(value: &T) -> Result<(), String> {
    let value = value.as_ref();
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    let valid = host.is_some_and(|host| {
        let name = host.rsplit_once('@').map_or(host, |(_, h)| h);
        let name = match name.rsplit_once(':') {
            Some((h, port)) if !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()) => h,
            _ => name,
        };
        !name.is_empty()
            && !name.starts_with('.')
            && !name.ends_with('.')
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'))
    }) && !value.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(())
    } else {
        Err("must be an absolute http(s) URL".to_owned())
    }
}

/// `uuid`: a UUID in its hyphenated form (any version).
pub fn uuid<T: AsRef<str> + ?Sized>(value: &T) -> Result<(), String> {
    let value = value.as_ref();
    match uuid::Uuid::try_parse(value) {
        Ok(_) if value.len() == 36 => Ok(()),
        _ => Err("must be a UUID (8-4-4-4-12 hexadecimal digits)".to_owned()),
    }
}

/// A `regex` rule's compiled pattern.
#[derive(Debug)]
pub struct Pattern {
    source: &'static str,
    regex: regex_lite::Regex,
}

impl Pattern {
    /// Compiles `source`, which `#[derive(Validate)]` checked when it expanded.
    ///
    /// # Panics
    /// When `source` is not a pattern: never for one the derive accepted.
    pub fn new(source: &'static str) -> Self {
        let regex = regex_lite::Regex::new(source)
            .unwrap_or_else(|e| panic!("`regex = {source:?}` was checked at compile time: {e}"));
        Self { source, regex }
    }
}

/// `regex = "pattern"`: the whole value matches (the pattern is anchored
/// at both ends).
pub fn matches<T: AsRef<str> + ?Sized>(value: &T, pattern: &Pattern) -> Result<(), String> {
    let value = value.as_ref();
    let whole = pattern
        .regex
        .find(value)
        .is_some_and(|m| m.start() == 0 && m.end() == value.len());
    if whole {
        Ok(())
    } else {
        Err(format!("must match the pattern {}", pattern.source))
    }
}

/// `one_of = ["a", "b"]`: the value is one of these.
pub fn one_of<T, U>(value: &T, allowed: &[U]) -> Result<(), String>
where
    T: PartialEq<U> + ?Sized,
    U: std::fmt::Display,
{
    if allowed.iter().any(|a| value == a) {
        Ok(())
    } else {
        let list: Vec<String> = allowed.iter().map(|a| format!("`{a}`")).collect();
        Err(format!("must be one of {}", list.join(", ")))
    }
}

/// A broken custom rule with its own code: `Err(RuleError::new("weak_password", "needs a digit"))`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    code: &'static str,
    message: String,
}

impl RuleError {
    /// A broken rule: `code` goes to the field error's `code`, `message`
    /// to its `detail`.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// What a `custom = path` rule may return: `Result<(), String>` (code
/// `custom`) or `Result<(), RuleError>` (its own code).
pub trait CustomOutcome {
    /// `Err((code, detail))` when the rule is broken.
    fn outcome(self) -> Result<(), (&'static str, String)>;
}

impl CustomOutcome for Result<(), String> {
    fn outcome(self) -> Result<(), (&'static str, String)> {
        self.map_err(|detail| ("custom", detail))
    }
}

impl CustomOutcome for Result<(), RuleError> {
    fn outcome(self) -> Result<(), (&'static str, String)> {
        self.map_err(|e| (e.code, e.message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert!(length("héllo", Some(1), Some(5)).is_ok());
        assert_eq!(
            length("", Some(1), None).unwrap_err(),
            "length must be at least 1 (is 0)"
        );
        assert_eq!(
            length(&vec![1, 2, 3], None, Some(2)).unwrap_err(),
            "length must be at most 2 (is 3)"
        );
        assert!(range(&5, Some(1), Some(10)).is_ok());
        assert_eq!(
            range(&0.5, Some(1.0), None).unwrap_err(),
            "must be at least 1"
        );
        assert!(email("ada@example.com").is_ok());
        for bad in [
            "ada",
            "@example.com",
            "ada@example",
            "a da@example.com",
            "ada@.com",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
        for good in [
            "https://example.com",
            "http://example.com:8080/a?b=c#d",
            "https://user@sub.example.co.uk/path",
            "http://[::1]:80/",
        ] {
            assert!(url(good).is_ok(), "{good}");
        }
        for bad in [
            "example.com",
            "ftp://example.com",
            "https://",
            "https:// example.com",
            "https://.example.com",
            "javascript:alert(1)",
        ] {
            assert!(url(bad).is_err(), "{bad}");
        }
        assert!(uuid("67e55044-10b1-426f-9247-bb680e5fe0c8").is_ok());
        for bad in ["67e5504410b1426f9247bb680e5fe0c8", "not-a-uuid", ""] {
            assert!(uuid(bad).is_err(), "{bad}");
        }
        let slug = Pattern::new("[a-z0-9]+(-[a-z0-9]+)*");
        assert!(matches("hello-world-2", &slug).is_ok());
        assert_eq!(
            matches("Hello world", &slug).unwrap_err(),
            "must match the pattern [a-z0-9]+(-[a-z0-9]+)*"
        );
        assert!(
            matches("ok-then!", &slug).is_err(),
            "the whole value, not a part"
        );
        assert!(one_of(&"draft", &["draft", "published"]).is_ok());
        assert_eq!(
            one_of(&"gone".to_owned(), &["draft", "published"]).unwrap_err(),
            "must be one of `draft`, `published`"
        );
        assert!(one_of(&3, &[1, 2, 3]).is_ok());
        assert_eq!(
            Err::<(), _>("no".to_owned()).outcome(),
            Err(("custom", "no".to_owned()))
        );
        assert_eq!(
            Err::<(), _>(RuleError::new("weak", "needs a digit")).outcome(),
            Err(("weak", "needs a digit".to_owned()))
        );
    }
}
