//! Gathering every error of an item before failing, and "did you mean".

use proc_macro2::TokenStream;
use std::fmt::Display;

/// Collects the errors of one item so they are all reported at once.
///
/// Like serde_derive's context, it must be consumed with [`Errors::finish`]:
/// dropping it unread is a bug in the macro and panics (outside an unwind).
#[derive(Default)]
pub(crate) struct Errors {
    list: Option<Vec<syn::Error>>,
}

impl Errors {
    pub(crate) fn new() -> Self {
        Self {
            list: Some(Vec::new()),
        }
    }

    /// Records an error spanned at `tokens`. The catalogue code ends the
    /// first line; later lines (`help: ...`) follow it.
    pub(crate) fn at(&mut self, tokens: impl quote::ToTokens, code: &str, message: impl Display) {
        self.push(syn::Error::new_spanned(
            tokens,
            coded(&message.to_string(), code),
        ));
    }

    /// Records an error.
    pub(crate) fn push(&mut self, error: syn::Error) {
        if let Some(list) = &mut self.list {
            list.push(error);
        }
    }

    /// How many errors are recorded (a check that follows a parse can tell
    /// whether the parse already reported the mistake).
    pub(crate) fn count(&self) -> usize {
        self.list.as_ref().map_or(0, Vec::len)
    }

    /// Records the error of a failed parse, if any, and returns the value.
    pub(crate) fn ok<T>(&mut self, result: syn::Result<T>) -> Option<T> {
        result.map_err(|e| self.push(e)).ok()
    }

    /// `Ok` when nothing was recorded, else every error combined.
    pub(crate) fn finish(mut self) -> syn::Result<()> {
        let list = self.list.take().unwrap_or_default();
        let mut errors = list.into_iter();
        match errors.next() {
            None => Ok(()),
            Some(mut first) => {
                for next in errors {
                    first.combine(next);
                }
                Err(first)
            }
        }
    }
}

impl Drop for Errors {
    fn drop(&mut self) {
        if self.list.is_some() && !std::thread::panicking() {
            panic!("elif-codegen: an error context was dropped without being finished");
        }
    }
}

/// `message` with `[code]` at the end of its first line.
pub(crate) fn coded(message: &str, code: &str) -> String {
    match message.split_once('\n') {
        Some((first, rest)) => format!("{first} [{code}]\n{rest}"),
        None => format!("{message} [{code}]"),
    }
}

/// The error for an unknown key, with the closest known one suggested.
pub(crate) fn unknown_key(path: &syn::Path, known: &[&str], attribute: &str) -> syn::Error {
    let name = path
        .get_ident()
        .map(ToString::to_string)
        .unwrap_or_else(|| quote::quote!(#path).to_string());
    let suggestion = closest(&name, known)
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    let list = known
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    syn::Error::new_spanned(
        path,
        format!(
            "unknown argument `{name}` for `{attribute}`{suggestion} [EL0002]\nhelp: expected one of {list}"
        ),
    )
}

/// The known word closest to `word`, if it is close enough to be a typo
/// (an edit distance of at most 2, or a third of the word).
pub(crate) fn closest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (levenshtein(word, k), *k))
        .filter(|(d, k)| *d <= (k.len().max(word.len()) / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            previous = current;
        }
    }
    row[b.len()]
}

/// Re-emits the user's item next to the errors, so one mistake gives one
/// diagnostic and the IDE keeps seeing the item.
pub(crate) fn with_item(item: TokenStream, error: syn::Error) -> TokenStream {
    let errors = error.to_compile_error();
    quote::quote!(#item #errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys_only() {
        let keys = ["scope", "provides", "on_init", "on_shutdown"];
        assert_eq!(closest("scpoe", &keys), Some("scope"));
        assert_eq!(closest("provide", &keys), Some("provides"));
        assert_eq!(closest("oninit", &keys), Some("on_init"));
        assert_eq!(closest("colour", &keys), None);
        assert_eq!(closest("x", &keys), None);
    }

    #[test]
    fn unfinished_context_is_a_bug() {
        let result = std::panic::catch_unwind(|| drop(Errors::new()));
        assert!(result.is_err());
        assert!(Errors::new().finish().is_ok());
    }
}
