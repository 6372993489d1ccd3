//! Validation of request DTOs: `#[derive(Validate)]` with
//! `#[validate(length(min = 1, max = 200))]`, `range`, `email`, `custom`,
//! `nested`. Every broken rule of a value is reported, with its JSON pointer.

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
    }
}
