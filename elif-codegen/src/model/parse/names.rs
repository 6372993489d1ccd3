//! Table names: the one a model gets by default, and the check of one a
//! user gives.

/// `Post` → `posts`, `Category` → `categories`, `Box` → `boxes`.
pub(super) fn default_table(name: &str) -> String {
    let snake = snake_case(name);
    if let Some(stem) = snake.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        return format!("{stem}ies");
    }
    if snake.ends_with('s')
        || snake.ends_with('x')
        || snake.ends_with("ch")
        || snake.ends_with("sh")
    {
        return format!("{snake}es");
    }
    format!("{snake}s")
}

/// `BlogPost` → `blog_post`, `APIKey` → `api_key`.
pub(crate) fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() && i > 0 {
            let after_lower = chars[i - 1].is_lowercase() || chars[i - 1].is_ascii_digit();
            let ends_acronym =
                chars[i - 1].is_uppercase() && chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if after_lower || ends_acronym {
                out.push('_');
            }
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// Whether `name` can be a table name without quoting: ASCII letters,
/// digits and `_`, starting with a letter.
pub(super) fn is_sql_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_table_names_are_plural_snake_case() {
        assert_eq!(default_table("Post"), "posts");
        assert_eq!(default_table("BlogPost"), "blog_posts");
        assert_eq!(default_table("Category"), "categories");
        assert_eq!(default_table("Key"), "keys");
        assert_eq!(default_table("Box"), "boxes");
        assert_eq!(default_table("Address"), "addresses");
        assert_eq!(default_table("APIKey"), "api_keys");
        assert_eq!(snake_case("PostTag"), "post_tag");
        assert_eq!(snake_case("HTTPRequestLog"), "http_request_log");
    }
}
