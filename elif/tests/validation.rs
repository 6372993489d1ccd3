//! `#[derive(Validate)]`'s rules, each with a value that passes and one that
//! breaks it, the code and JSON pointer of every broken rule, and pointers
//! through `#[validate(nested)]` and `#[serde(flatten)]`.

#![allow(missing_docs, clippy::unwrap_used)]

use elif::data::chrono::NaiveDate;
use elif::prelude::*;
use elif::validate::RuleError;
use serde::Deserialize;

fn strong(password: &str) -> Result<(), RuleError> {
    if password.chars().any(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(RuleError::new("weak_password", "needs a digit"))
    }
}

fn not_admin(name: &str) -> Result<(), String> {
    if name == "admin" {
        Err("is reserved".into())
    } else {
        Ok(())
    }
}

fn min_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).unwrap()
}

#[derive(Debug, Deserialize, Validate)]
pub struct Address {
    #[validate(length(min = 2))]
    pub city: String,
}

#[derive(Debug, Deserialize, Validate)]
pub struct Bookmark {
    #[validate(url)]
    pub url: String,
}

#[derive(Debug, Deserialize, Validate)]
pub struct SignUp {
    #[validate(length(min = 3), custom = not_admin)]
    pub username: String,
    #[validate(email)]
    pub email: String,
    #[validate(custom = strong, length(min = 8))]
    pub password: String,
    #[validate(must_match = password)]
    pub password_confirmation: String,
    #[validate(url)]
    pub website: Option<String>,
    #[validate(uuid)]
    pub invite: String,
    #[validate(regex = "[a-z0-9]+(-[a-z0-9]+)*")]
    pub slug: String,
    #[validate(one_of = ["reader", "writer"])]
    pub role: String,
    #[validate(range(min = min_date()))]
    pub born: NaiveDate,
    #[validate(length(min = 1, max = 3))]
    pub tags: Vec<String>,
    #[validate(required, range(min = 13))]
    pub age: Option<i32>,
    #[validate(nested)]
    pub address: Address,
    #[serde(flatten)]
    #[validate(nested)]
    pub bookmark: Bookmark,
}

fn valid() -> SignUp {
    SignUp {
        username: "ann".into(),
        email: "ann@example.com".into(),
        password: "s3cretpass".into(),
        password_confirmation: "s3cretpass".into(),
        website: Some("https://ann.example.com/".into()),
        invite: "67e55044-10b1-426f-9247-bb680e5fe0c8".into(),
        slug: "ann-s-notes".into(),
        role: "writer".into(),
        born: NaiveDate::from_ymd_opt(2001, 5, 4).unwrap(),
        tags: vec!["rust".into()],
        age: Some(30),
        address: Address {
            city: "Oslo".into(),
        },
        bookmark: Bookmark {
            url: "https://example.com".into(),
        },
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(p, c)| ((*p).to_owned(), (*c).to_owned()))
        .collect()
}

#[test]
fn a_valid_value_passes_every_rule() {
    assert!(valid().validate().is_ok(), "{:?}", valid().validate());
}

#[test]
fn each_broken_rule_has_its_code_and_pointer() {
    let bad = SignUp {
        username: "admin".into(),
        email: "ann".into(),
        password: "password".into(),
        password_confirmation: "passw0rd".into(),
        website: Some("ftp://ann".into()),
        invite: "nope".into(),
        slug: "Ann's Notes".into(),
        role: "owner".into(),
        born: NaiveDate::from_ymd_opt(1899, 12, 31).unwrap(),
        tags: Vec::new(),
        age: Some(12),
        address: Address { city: "X".into() },
        bookmark: Bookmark {
            url: "example.com".into(),
        },
    };
    assert_eq!(
        broken_pairs(&bad),
        pairs(&[
            ("/username", "custom"),
            ("/email", "email"),
            ("/password", "weak_password"),
            ("/password_confirmation", "must_match"),
            ("/website", "url"),
            ("/invite", "uuid"),
            ("/slug", "regex"),
            ("/role", "one_of"),
            ("/born", "range"),
            ("/tags", "length"),
            ("/age", "range"),
            ("/address/city", "length"),
            ("/url", "url"),
        ]),
        "a flattened struct's fields are the parent's: `/url`, not `/bookmark/url`"
    );
}

#[test]
fn required_options_and_absent_optional_values() {
    let mut value = valid();
    value.website = None;
    assert!(value.validate().is_ok(), "an absent optional value is fine");
    value.age = None;
    assert_eq!(broken_pairs(&value), pairs(&[("/age", "required")]));
    let errors = value.validate().unwrap_err();
    let json = serde_json::to_value(&errors[0]).unwrap();
    assert_eq!(json["detail"], "is required");
}

#[test]
fn custom_rules_keep_their_message() {
    let mut value = valid();
    value.password = "longpassword".into();
    value.password_confirmation = "longpassword".into();
    let errors = value.validate().unwrap_err();
    let json = serde_json::to_value(&errors[0]).unwrap();
    assert_eq!(json["code"], "weak_password");
    assert_eq!(json["detail"], "needs a digit");
}

/// A model whose field rules a request type reuses.
#[model(table = "accounts")]
#[derive(Debug, Clone)]
pub struct Account {
    #[key]
    pub id: i64,
    #[validate(email, length(max = 40))]
    pub email: String,
    #[validate(length(min = 10))]
    pub bio: Option<String>,
}

#[derive(Debug, Deserialize, Validate)]
pub struct ChangeEmail {
    #[validate(model = accounts::email)]
    pub new_email: String,
    #[validate(model = accounts::bio)]
    pub bio: Option<String>,
}

#[test]
fn a_request_type_reuses_a_model_field_s_rules() {
    let ok = ChangeEmail {
        new_email: "ann@example.com".into(),
        bio: None,
    };
    assert!(ok.validate().is_ok());
    let bad = ChangeEmail {
        new_email: format!("{}@example.com", "a".repeat(40)),
        bio: Some("short".into()),
    };
    assert_eq!(
        broken_pairs(&bad),
        pairs(&[("/new_email", "length"), ("/bio", "length")]),
        "the model's rules, under the request's own names"
    );
    let not_email = ChangeEmail {
        new_email: "ann".into(),
        bio: Some("a long enough biography".into()),
    };
    assert_eq!(broken_pairs(&not_email), pairs(&[("/new_email", "email")]));
}

fn broken_pairs<T: Validate>(value: &T) -> Vec<(String, String)> {
    value
        .validate()
        .err()
        .unwrap_or_default()
        .into_iter()
        .map(|e| {
            let json = serde_json::to_value(&e).unwrap();
            (
                json["pointer"].as_str().unwrap().to_owned(),
                json["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}
