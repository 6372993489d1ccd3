//! `#[derive(Serialize, Deserialize)]` from `elif::prelude`: serde's traits
//! derived through elif (the blog example, which has no `serde` dependency,
//! builds with them). Each serde attribute keeps serde's meaning, errors
//! name the type as serde's own derive does, and bodies read through
//! `Valid<T>` keep their pointers.

#![allow(missing_docs, clippy::unwrap_used)]

use elif::http::Method;
use elif::prelude::*;
use elif::testing::TestApp;
use serde_json::json;

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Bookmark {
    page_url: String,
    #[serde(default)]
    tag_names: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    #[serde(flatten)]
    place: Place,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Place {
    shelf: u32,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Event {
    Opened { at: i64 },
    Closed,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Node<T> {
    value: T,
    children: Vec<Self>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Name<'a> {
    first: &'a str,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Meters(f64);

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "point")]
struct Point {
    x: i32,
}

#[test]
fn field_and_container_attributes_mean_what_serde_says() {
    let bookmark: Bookmark = serde_json::from_value(json!({
        "pageUrl": "https://elif.rs", "shelf": 3
    }))
    .unwrap();
    assert_eq!(
        bookmark,
        Bookmark {
            page_url: "https://elif.rs".into(),
            tag_names: vec![],
            note: None,
            place: Place { shelf: 3 },
        }
    );
    assert_eq!(
        serde_json::to_value(&bookmark).unwrap(),
        json!({"pageUrl": "https://elif.rs", "tagNames": [], "shelf": 3})
    );
}

#[test]
fn errors_name_the_type_and_its_fields_as_serde_does() {
    let missing = serde_json::from_value::<Place>(json!({})).unwrap_err();
    assert_eq!(missing.to_string(), "missing field `shelf`");
    let wrong = serde_json::from_value::<Place>(json!(4)).unwrap_err();
    assert_eq!(
        wrong.to_string(),
        "invalid type: integer `4`, expected struct Place"
    );
    let renamed = serde_json::from_value::<Point>(json!(4)).unwrap_err();
    // As with serde's own derive: messages name the Rust type, formats get the rename.
    assert_eq!(
        renamed.to_string(),
        "invalid type: integer `4`, expected struct Point"
    );
    let unknown = serde_json::from_value::<Event>(json!({"kind": "lost"})).unwrap_err();
    assert_eq!(
        unknown.to_string(),
        "unknown variant `lost`, expected `opened` or `closed`"
    );
}

#[test]
fn enums_generics_borrows_self_and_tuples() {
    let event: Event = serde_json::from_value(json!({"kind": "opened", "at": 5})).unwrap();
    assert_eq!(event, Event::Opened { at: 5 });
    assert_eq!(
        serde_json::to_value(Event::Closed).unwrap(),
        json!({"kind": "closed"})
    );

    let tree = Node {
        value: 1u8,
        children: vec![Node {
            value: 2,
            children: vec![],
        }],
    };
    let text = serde_json::to_string(&tree).unwrap();
    assert_eq!(
        text,
        r#"{"value":1,"children":[{"value":2,"children":[]}]}"#
    );
    assert_eq!(serde_json::from_str::<Node<u8>>(&text).unwrap(), tree);

    let source = String::from(r#"{"first":"Ada"}"#);
    let name: Name<'_> = serde_json::from_str(&source).unwrap();
    assert_eq!(name.first, "Ada");

    assert_eq!(serde_json::to_value(Meters(1.5)).unwrap(), json!(1.5));
    assert_eq!(
        serde_json::from_value::<Meters>(json!(2.0)).unwrap(),
        Meters(2.0)
    );
}

#[derive(Debug, Deserialize, Validate)]
struct NewNote {
    #[validate(length(min = 1))]
    text: String,
}

#[injectable]
struct NotesController {}

#[controller("/notes", public)]
impl NotesController {
    #[post("/")]
    async fn create(&self, input: Valid<NewNote>) -> Json<String> {
        Json(input.into_inner().text)
    }
}

#[module(controllers(NotesController))]
struct NotesModule;

#[elif::test]
async fn bodies_read_through_the_prelude_derive_keep_their_codes_and_pointers() {
    let app = TestApp::start(App::new().module(NotesModule).without_env())
        .await
        .unwrap();
    let ok = app
        .send_json(app.request(Method::POST, "/notes"), &json!({"text": "hi"}))
        .await;
    assert_eq!(ok.status(), 200, "{}", ok.text());
    let bad = app
        .send_json(
            app.request(Method::POST, "/notes"),
            &json!({"text": "", "txet": 1}),
        )
        .await;
    assert_eq!(bad.status(), 422, "{}", bad.text());
    let problem: serde_json::Value = bad.json();
    let pointers: Vec<(&str, &str)> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["pointer"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        pointers,
        [("/txet", "unknown_field"), ("/text", "length")],
        "{problem}"
    );
}
