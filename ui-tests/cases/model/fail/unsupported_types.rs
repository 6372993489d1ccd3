// Types with no portable SQL type are refused at the field, with the
// closest supported type named.
use elif::prelude::*;

#[model]
pub struct Reading {
    #[key]
    pub id: u64,
    pub at: elif::data::chrono::DateTime<elif::data::chrono::Utc>,
    pub raw: serde_json::Value,
    pub tags: Vec<String>,
    pub maybe: Option<Option<String>>,
}

fn main() {}
