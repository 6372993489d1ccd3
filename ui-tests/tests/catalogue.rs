//! Every compile-time code of the catalogue has a failing case here, and
//! every code a case shows is in the catalogue.

use std::collections::BTreeSet;

fn codes_in(text: &str) -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("[EL") {
        let candidate = &rest[at + 1..];
        if candidate.len() >= 7
            && candidate[2..6].chars().all(|c| c.is_ascii_digit())
            && &candidate[6..7] == "]"
        {
            codes.insert(candidate[..6].to_owned());
        }
        rest = &rest[at + 1..];
    }
    codes
}

#[test]
fn compile_time_codes_and_ui_cases_match() {
    let mut shown = BTreeSet::new();
    for entry in std::fs::read_dir("cases").expect("cases/") {
        let fail = entry.expect("entry").path().join("fail");
        for case in std::fs::read_dir(&fail).into_iter().flatten() {
            let path = case.expect("case").path();
            if path.extension().is_some_and(|e| e == "stderr") {
                shown.extend(codes_in(&std::fs::read_to_string(&path).expect("stderr")));
            }
        }
    }
    let catalogue: BTreeSet<String> = elif_catalogue::ALL
        .iter()
        .filter(|e| e.phase == elif_catalogue::Phase::Compile)
        .map(|e| e.code.to_owned())
        .collect();
    let untested: Vec<_> = catalogue.difference(&shown).collect();
    let unknown: Vec<_> = shown.difference(&catalogue).collect();
    assert!(
        untested.is_empty(),
        "compile-time codes without a ui case: {untested:?}"
    );
    assert!(
        unknown.is_empty(),
        "ui cases show codes the catalogue lacks: {unknown:?}"
    );
}
