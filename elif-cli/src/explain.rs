//! `elif explain CODE`: one catalogue entry as text.

use elif_catalogue::{ALL, Entry};

/// The entry for `code` (case-insensitive), as text: title, when it is
/// raised, what it means, how to fix it, and a wrong and a right example.
pub fn explain(code: &str) -> Option<String> {
    elif_catalogue::find(code).map(render)
}

/// Whether `code` is in the packages' codes (`EL5000`–`EL9999`), which the
/// app that links the package explains.
pub fn is_package_code(code: &str) -> bool {
    let upper = code.to_ascii_uppercase();
    upper
        .strip_prefix("EL")
        .filter(|n| n.len() == 4)
        .and_then(|n| n.parse::<u16>().ok())
        .is_some_and(|n| elif_catalogue::PACKAGE_CODES.contains(&n))
}

/// Codes close to an unknown `code`, for "did you mean".
pub fn similar(code: &str) -> Vec<&'static str> {
    let code = code.to_ascii_uppercase();
    let prefix: String = code.trim_start_matches("EL").chars().take(2).collect();
    ALL.iter()
        .map(|e| e.code)
        .filter(|c| !prefix.is_empty() && c[2..].starts_with(&prefix))
        .take(8)
        .collect()
}

/// One line per entry: code and title.
pub fn list() -> String {
    ALL.iter()
        .map(|e| format!("{}  {}\n", e.code, e.title))
        .collect()
}

fn render(entry: &Entry) -> String {
    elif_catalogue::explain(entry, &entry.url())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_explains_itself_with_both_examples() {
        for entry in ALL {
            let text = explain(entry.code).unwrap_or_default();
            assert!(text.starts_with(&format!("{}: {}", entry.code, entry.title)));
            assert!(text.contains("Wrong:") && text.contains("Right:"), "{text}");
            assert!(text.contains(entry.hint));
        }
    }

    #[test]
    fn lookup_is_case_insensitive_and_unknown_codes_get_neighbours() {
        assert!(explain("el1001").is_some());
        assert!(is_package_code("el5001") && is_package_code("EL9999"));
        assert!(!is_package_code("EL4001") && !is_package_code("EL50011"));
        assert!(explain("EL9999").is_none());
        assert!(similar("EL10").contains(&"EL1001"));
        assert!(
            similar("€").is_empty() && explain("€").is_none(),
            "any input, no panic"
        );
    }
}
