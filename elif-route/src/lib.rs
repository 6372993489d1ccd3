//! Route templates: `/posts/{id}/comments/{comment_id}`.
//!
//! One parser, shared by the `#[controller]` macro (which rejects a malformed
//! template at compile time, pointing at the offending character) and the
//! runtime (which joins prefixes and compares routes). A template starts with
//! `/`; segments are separated by `/`; a segment mixes literal text and
//! parameters `{name}`, where `name` is a Rust identifier.

use std::fmt;

/// One part of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Literal text.
    Literal(String),
    /// A parameter `{name}`.
    Param {
        /// The parameter's name.
        name: String,
        /// Byte offset of `{` in the template.
        at: usize,
    },
}

/// A parsed, valid template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    text: String,
    parts: Vec<Part>,
}

/// Why a template is invalid, and where (byte offsets into the template).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// What is wrong.
    pub message: String,
    /// Byte range of the offending text.
    pub at: std::ops::Range<usize>,
    /// How to fix it.
    pub help: &'static str,
}

impl TemplateError {
    fn new(message: impl Into<String>, at: std::ops::Range<usize>, help: &'static str) -> Self {
        Self {
            message: message.into(),
            at,
            help,
        }
    }

    /// The template with a caret line under the offending text, for messages
    /// where the span cannot point inside a string literal.
    pub fn pointer(&self, template: &str) -> String {
        let start = template[..self.at.start.min(template.len())]
            .chars()
            .count();
        let width = template
            .get(self.at.clone())
            .map_or(1, |s| s.chars().count().max(1));
        format!("{template}\n{}{}", " ".repeat(start), "^".repeat(width))
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Characters allowed in literal text (RFC 3986 `pchar` without `%` escapes
/// being decoded: unreserved, sub-delims, `:` and `@`, plus `%`).
fn is_literal_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@%".contains(c)
}

impl Template {
    /// Parses a template, reporting the first problem with its position.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        if !text.starts_with('/') {
            return Err(TemplateError::new(
                "a route template must start with `/`",
                0..text.len().min(1),
                "write the path from the root, e.g. \"/posts/{id}\"",
            ));
        }
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut names: Vec<&str> = Vec::new();
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' => {
                    let close = text[i + 1..].find(['}', '{', '/']).map(|j| i + 1 + j);
                    let Some(end) = close.filter(|&e| text.as_bytes()[e] == b'}') else {
                        return Err(TemplateError::new(
                            "this `{` is never closed",
                            i..i + 1,
                            "close the parameter with `}`: \"/posts/{id}\"",
                        ));
                    };
                    let name = &text[i + 1..end];
                    if name.is_empty() {
                        return Err(TemplateError::new(
                            "a parameter needs a name",
                            i..end + 1,
                            "name it after the handler argument it fills: \"{id}\"",
                        ));
                    }
                    if !is_identifier(name) {
                        return Err(TemplateError::new(
                            format!("`{name}` is not a valid parameter name"),
                            i + 1..end,
                            "a parameter name is a Rust identifier: letters, digits and `_`, not starting with a digit",
                        ));
                    }
                    if names.contains(&name) {
                        return Err(TemplateError::new(
                            format!("the parameter `{name}` appears twice"),
                            i..end + 1,
                            "give each parameter its own name",
                        ));
                    }
                    if !literal.is_empty() {
                        parts.push(Part::Literal(std::mem::take(&mut literal)));
                    }
                    names.push(name);
                    parts.push(Part::Param {
                        name: name.to_owned(),
                        at: i,
                    });
                    while chars.peek().is_some_and(|&(j, _)| j <= end) {
                        chars.next();
                    }
                }
                '}' => {
                    return Err(TemplateError::new(
                        "this `}` has no matching `{`",
                        i..i + 1,
                        "remove it, or open the parameter with `{`",
                    ));
                }
                '/' => {
                    if text[i + 1..].starts_with('/') {
                        return Err(TemplateError::new(
                            "empty path segment",
                            i..i + 2,
                            "remove the doubled `/`",
                        ));
                    }
                    literal.push(c);
                }
                c if is_literal_char(c) => literal.push(c),
                other => {
                    return Err(TemplateError::new(
                        format!("`{}` is not allowed in a path", other.escape_default()),
                        i..i + other.len_utf8(),
                        "use letters, digits and `-._~!$&'()*+,;=:@`; percent-encode anything else",
                    ));
                }
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        Ok(Self {
            text: text.to_owned(),
            parts,
        })
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Its parts.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// Parameter names, in order.
    pub fn params(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Param { name, .. } => Some(name.as_str()),
            Part::Literal(_) => None,
        })
    }

    /// The shape of the path with parameter names erased (`/posts/{}`):
    /// two templates with the same shape match the same requests.
    pub fn shape(&self) -> String {
        shape(&self.text)
    }
}

/// `/posts/{id}` → `/posts/{}`; works on any template text (valid or not).
pub fn shape(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut depth = 0usize;
    for c in template.chars() {
        match c {
            '{' => {
                depth += 1;
                if depth == 1 {
                    out.push_str("{}");
                }
            }
            '}' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Joins a prefix and a route template: `("/posts", "/{id}")` → `/posts/{id}`,
/// `("/posts", "/")` → `/posts`, `("", "/")` → `/`.
pub fn join(prefix: &str, path: &str) -> String {
    let prefix = prefix.trim_end_matches('/');
    let joined = if path == "/" || path.is_empty() {
        prefix.to_owned()
    } else {
        format!("{prefix}{path}")
    };
    if joined.is_empty() {
        "/".to_owned()
    } else {
        joined
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The HTTP methods a route may answer: the IANA HTTP Method Registry
/// (RFC 9110 and the WebDAV, versioning and calendaring extensions), less
/// `PRI` (the HTTP/2 preface), plus `PURGE`, which caches use without a
/// registration. `#[route(method = "...")]` accepts exactly these, so a
/// typo is a compile error rather than a route that never matches.
pub const METHODS: &[&str] = &[
    "GET",
    "HEAD",
    "POST",
    "PUT",
    "DELETE",
    "CONNECT",
    "OPTIONS",
    "TRACE",
    "PATCH",
    "QUERY",
    "ACL",
    "BASELINE-CONTROL",
    "BIND",
    "CHECKIN",
    "CHECKOUT",
    "COPY",
    "LABEL",
    "LINK",
    "LOCK",
    "MERGE",
    "MKACTIVITY",
    "MKCALENDAR",
    "MKCOL",
    "MKREDIRECTREF",
    "MKWORKSPACE",
    "MOVE",
    "ORDERPATCH",
    "PROPFIND",
    "PROPPATCH",
    "REBIND",
    "REPORT",
    "SEARCH",
    "UNBIND",
    "UNCHECKOUT",
    "UNLINK",
    "UNLOCK",
    "UPDATE",
    "UPDATEREDIRECTREF",
    "VERSION-CONTROL",
    "PURGE",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn err(template: &str) -> (String, String) {
        let e = Template::parse(template).unwrap_err();
        (e.message.clone(), e.pointer(template))
    }

    #[test]
    fn parses_params_and_literals() {
        let t = Template::parse("/posts/{id}/files/{name}.{ext}").unwrap();
        assert_eq!(t.params().collect::<Vec<_>>(), ["id", "name", "ext"]);
        assert_eq!(t.shape(), "/posts/{}/files/{}.{}");
        assert!(Template::parse("/").unwrap().params().next().is_none());
    }

    #[test]
    fn rejects_malformed_templates_with_a_position() {
        assert_eq!(
            err("/posts/{id"),
            (
                "this `{` is never closed".into(),
                "/posts/{id\n       ^".into()
            )
        );
        assert_eq!(err("/posts/id}").0, "this `}` has no matching `{`");
        assert_eq!(
            err("/posts/{}"),
            (
                "a parameter needs a name".into(),
                "/posts/{}\n       ^^".into()
            )
        );
        assert_eq!(err("/posts/{1d}").0, "`1d` is not a valid parameter name");
        assert_eq!(err("/a/{x}/{x}").0, "the parameter `x` appears twice");
        assert_eq!(err("/a//b").0, "empty path segment");
        assert_eq!(err("/a b").0, "` ` is not allowed in a path");
        assert_eq!(err("posts").0, "a route template must start with `/`");
        assert_eq!(err("/p/{a{b}}").0, "this `{` is never closed");
    }

    #[test]
    fn joins_prefixes() {
        assert_eq!(join("/posts", "/{id}"), "/posts/{id}");
        assert_eq!(join("/posts/", "/"), "/posts");
        assert_eq!(join("", "/"), "/");
        assert_eq!(join("/", "/health"), "/health");
    }
}
