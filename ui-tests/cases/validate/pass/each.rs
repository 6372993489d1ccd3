use std::collections::BTreeSet;

use elif::prelude::*;

#[derive(Deserialize, Validate, Schema)]
pub struct NewPost {
    #[validate(length(max = 20), each(length(min = 1, max = 50), regex = "^[a-z-]+$"))]
    #[serde(default)]
    pub tags: Vec<String>,
    #[validate(each(range(min = 1, max = 5)))]
    pub stars: Option<[u8; 3]>,
    #[validate(each(email))]
    pub reviewers: BTreeSet<String>,
}

fn main() {
    let post = NewPost {
        tags: vec!["rust".into(), "".into()],
        stars: Some([1, 9, 3]),
        reviewers: BTreeSet::from(["ada@example.com".to_owned()]),
    };
    let errors = post.validate().unwrap_err();
    let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
    assert_eq!(pointers, ["/tags/1", "/tags/1", "/stars/1"]);
}
