//! `elif explain CODE`: one catalogue entry as text.

use elif_catalogue::{ALL, Entry, Phase};

/// The entry for `code` (case-insensitive), as text: title, when it is
/// raised, what it means, how to fix it, and a wrong and a right example.
pub fn explain(code: &str) -> Option<String> {
    elif_catalogue::find(code).map(render)
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
    let phase = match entry.phase {
        Phase::Compile => "a compile error of elif's macros",
        Phase::Boot => "a boot error, reported before any port is bound (also by `check`)",
        Phase::Request => "a problem answered to an HTTP request (problem+json `type`)",
    };
    let indent = |text: &str| {
        text.lines()
            .map(|l| format!("    {l}\n"))
            .collect::<String>()
    };
    format!(
        "{code}: {title}\n\nThis is {phase}.\n\n{explanation}\n\nHow to fix it: {hint}\n\nWrong:\n\n{wrong}\nRight:\n\n{right}\nMore: {url}\n",
        code = entry.code,
        title = entry.title,
        explanation = entry.explanation,
        hint = entry.hint,
        wrong = indent(entry.wrong),
        right = indent(entry.right),
        url = entry.url(),
    )
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
        assert!(explain("EL9999").is_none());
        assert!(similar("EL10").contains(&"EL1001"));
        assert!(
            similar("€").is_empty() && explain("€").is_none(),
            "any input, no panic"
        );
    }
}
