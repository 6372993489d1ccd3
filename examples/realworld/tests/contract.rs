//! The app's own OpenAPI document against RealWorld's contract
//! (`tests/contract/openapi.yml`): the same operations (paths relative to
//! `/api`, methods) with the same success statuses, and every error in
//! RealWorld's `GenericErrorModel`.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use serde_json::Value;

/// `METHOD /path` → the operation's success statuses (2xx), sorted.
fn successes(document: &Value, prefix: &str) -> BTreeMap<String, Vec<String>> {
    let mut operations = BTreeMap::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        let Some(path) = path.strip_prefix(prefix) else {
            continue;
        };
        for (method, operation) in item.as_object().unwrap() {
            let mut statuses: Vec<String> = operation["responses"]
                .as_object()
                .unwrap()
                .keys()
                .filter(|status| status.starts_with('2'))
                .cloned()
                .collect();
            statuses.sort();
            operations.insert(format!("{} {path}", method.to_uppercase()), statuses);
        }
    }
    operations
}

#[test]
fn the_document_has_the_contracts_operations_and_success_statuses() {
    let contract: Value =
        yaml_serde::from_str(include_str!("contract/openapi.yml")).expect("the contract parses");
    let ours = serde_json::to_value(example_realworld::app().openapi().unwrap()).unwrap();
    let expected = successes(&contract, "");
    let found = successes(&ours, "/api");
    assert_eq!(found, expected);
    assert_eq!(expected.len(), 19, "every operation of the contract");

    let schemas = &ours["components"]["schemas"];
    assert_eq!(
        schemas["GenericErrorModel"], contract["components"]["schemas"]["GenericErrorModel"],
        "the same error model"
    );
    assert!(schemas.get("Problem").is_none());
    let login = &ours["paths"]["/api/users/login"]["post"]["responses"];
    for status in ["401", "422"] {
        assert_eq!(
            login[status]["content"]["application/json; charset=utf-8"]["schema"]["$ref"],
            "#/components/schemas/GenericErrorModel",
            "{status}"
        );
    }
    let scheme = &ours["components"]["securitySchemes"];
    assert!(
        serde_json::to_string(scheme)
            .unwrap()
            .contains("Authorization"),
        "the token goes in the Authorization header: {scheme}"
    );
}
