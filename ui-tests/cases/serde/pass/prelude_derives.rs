//! serde's derives from the prelude, with serde's attributes, on structs,
//! enums, generics, borrows, tuples and recursive types.

use elif::prelude::*;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewPost {
    pub title: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tag_list: Vec<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum Event {
    Opened { at: i64 },
    Closed,
}

#[derive(Serialize, Deserialize)]
pub struct Tree<T> {
    pub value: T,
    pub children: Vec<Self>,
}

#[derive(elif::Serialize, elif::Deserialize)]
pub struct Name<'a>(pub &'a str);

fn main() {
    let post: NewPost = serde_json::from_str(r#"{"title":"x"}"#).unwrap();
    let _ = serde_json::to_string(&post).unwrap();
    let _ = serde_json::from_str::<Event>(r#"{"kind":"Closed"}"#);
    let _ = serde_json::from_str::<Tree<u8>>(r#"{"value":1,"children":[]}"#);
    let _ = serde_json::from_str::<Name<'_>>(r#""Ada""#);
}
