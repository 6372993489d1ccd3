//! JSON Schemas of route parameters, bodies and responses, recorded in each
//! route's description so that OpenAPI 3.1 can be generated from the same
//! annotations. DTOs get theirs from `#[derive(Schema)]`; primitives,
//! collections and elif's wrappers have them built in.

use std::collections::{BTreeMap, HashMap};
use std::marker::PhantomData;

use serde_json::{Value, json};

/// A type with a JSON Schema (draft 2020-12, as OpenAPI 3.1 uses).
pub trait Schema {
    /// The schema.
    fn schema() -> Value;

    /// Whether a field of this type may be absent (`Option`).
    fn optional() -> bool {
        false
    }
}

macro_rules! schemas {
    ($($ty:ty => $schema:expr),* $(,)?) => {$(
        impl Schema for $ty {
            fn schema() -> Value {
                $schema
            }
        }
    )*};
}

schemas! {
    bool => json!({ "type": "boolean" }),
    u8 => json!({ "type": "integer", "minimum": 0, "maximum": 255 }),
    u16 => json!({ "type": "integer", "minimum": 0, "maximum": 65535 }),
    u32 => json!({ "type": "integer", "minimum": 0, "maximum": u32::MAX }),
    u64 => json!({ "type": "integer", "minimum": 0, "maximum": u64::MAX }),
    usize => json!({ "type": "integer", "minimum": 0, "maximum": usize::MAX }),
    i8 => json!({ "type": "integer", "minimum": -128, "maximum": 127 }),
    i16 => json!({ "type": "integer", "minimum": i16::MIN, "maximum": i16::MAX }),
    i32 => json!({ "type": "integer", "minimum": i32::MIN, "maximum": i32::MAX }),
    i64 => json!({ "type": "integer", "minimum": i64::MIN, "maximum": i64::MAX }),
    isize => json!({ "type": "integer", "minimum": isize::MIN, "maximum": isize::MAX }),
    f32 => json!({ "type": "number" }),
    f64 => json!({ "type": "number" }),
    char => json!({ "type": "string", "minLength": 1, "maxLength": 1 }),
    String => json!({ "type": "string" }),
    str => json!({ "type": "string" }),
    Value => json!({}),
    () => json!({ "type": "null" }),
    chrono::DateTime<chrono::Utc> => json!({ "type": "string", "format": "date-time" }),
    chrono::NaiveDate => json!({ "type": "string", "format": "date" }),
    uuid::Uuid => json!({ "type": "string", "format": "uuid" }),
}

impl<T: Schema + ?Sized> Schema for &T {
    fn schema() -> Value {
        T::schema()
    }
}

impl<T: Schema> Schema for Option<T> {
    fn schema() -> Value {
        json!({ "anyOf": [T::schema(), { "type": "null" }] })
    }

    fn optional() -> bool {
        true
    }
}

impl<T: Schema> Schema for Vec<T> {
    fn schema() -> Value {
        json!({ "type": "array", "items": T::schema() })
    }
}

impl<T: Schema> Schema for [T] {
    fn schema() -> Value {
        json!({ "type": "array", "items": T::schema() })
    }
}

impl<T: Schema, const N: usize> Schema for [T; N] {
    fn schema() -> Value {
        json!({ "type": "array", "items": T::schema(), "minItems": N, "maxItems": N })
    }
}

impl<T: Schema> Schema for std::collections::VecDeque<T> {
    fn schema() -> Value {
        Vec::<T>::schema()
    }
}

/// No `uniqueItems`: serde reads a set from an array with repeats (and
/// drops them), so a request may repeat an item.
impl<T: Schema> Schema for std::collections::BTreeSet<T> {
    fn schema() -> Value {
        Vec::<T>::schema()
    }
}

impl<T: Schema, S> Schema for std::collections::HashSet<T, S> {
    fn schema() -> Value {
        Vec::<T>::schema()
    }
}

impl<T: Schema, S> Schema for HashMap<String, T, S> {
    fn schema() -> Value {
        json!({ "type": "object", "additionalProperties": T::schema() })
    }
}

impl<T: Schema> Schema for BTreeMap<String, T> {
    fn schema() -> Value {
        json!({ "type": "object", "additionalProperties": T::schema() })
    }
}

impl<T: Schema, E> Schema for Result<T, E> {
    fn schema() -> Value {
        T::schema()
    }
}

impl<T: Schema> Schema for super::Json<T> {
    fn schema() -> Value {
        T::schema()
    }
}

impl<T: Schema> Schema for super::Lenient<T> {
    fn schema() -> Value {
        T::schema()
    }
}

impl<T: Schema> Schema for super::Valid<T> {
    fn schema() -> Value {
        T::schema()
    }
}

impl<T: Schema> Schema for super::Query<T> {
    fn schema() -> Value {
        T::schema()
    }
}

impl<T: Schema> Schema for super::Created<T> {
    fn schema() -> Value {
        T::schema()
    }
}

impl Schema for super::NoContent {
    fn schema() -> Value {
        json!({ "type": "null" })
    }
}

impl<T: Schema> Schema for super::Page<T> {
    fn schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "items": { "type": "array", "items": T::schema() },
                "page": { "type": "integer", "minimum": 1 },
                "per_page": { "type": "integer", "minimum": 0 },
                "total": { "type": "integer", "minimum": 0 },
                "pages": { "type": "integer", "minimum": 0 },
            },
            "required": ["items", "page", "per_page", "total", "pages"],
        })
    }
}

/// A `#[validate(..)]` rule, as a constraint of a field's schema.
#[doc(hidden)]
pub enum SchemaRule {
    /// `length(min, max)`: of a string, an array or an object.
    Length(Option<Value>, Option<Value>),
    /// `range(min, max)`.
    Range(Option<Value>, Option<Value>),
    /// `email`, `url` (`uri`), `uuid`.
    Format(&'static str),
    /// `regex = ".."`.
    Pattern(&'static str),
    /// `one_of = [..]`.
    OneOf(Value),
    /// `each(..)`: the rules on an array's `items`.
    Each(Vec<SchemaRule>),
}

/// Adds `rule` to a field's `schema` (to the value's schema inside an
/// `Option`'s `anyOf`), in the keywords of the value's type.
#[doc(hidden)]
pub fn constrain_schema(schema: &mut Value, rule: SchemaRule) {
    if let Some(Value::Array(options)) = schema.get_mut("anyOf")
        && let Some(value) = options.iter_mut().find(|s| s["type"] != "null")
    {
        return constrain_schema(value, rule);
    }
    let Value::Object(members) = schema else {
        return;
    };
    let kind = members
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let mut set = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            members.insert(key.to_owned(), value);
        }
    };
    match rule {
        SchemaRule::Length(min, max) => {
            let (low, high) = match kind.as_str() {
                "array" => ("minItems", "maxItems"),
                "object" => ("minProperties", "maxProperties"),
                _ => ("minLength", "maxLength"),
            };
            set(low, min);
            set(high, max);
        }
        SchemaRule::Range(min, max) => {
            set("minimum", min);
            set("maximum", max);
        }
        SchemaRule::Format(format) => set("format", Some(Value::from(format))),
        SchemaRule::Pattern(pattern) => set("pattern", Some(Value::from(pattern))),
        SchemaRule::OneOf(values) => set("enum", Some(values)),
        SchemaRule::Each(rules) => {
            if let Some(items) = members.get_mut("items") {
                for rule in rules {
                    constrain_schema(items, rule);
                }
            }
        }
    }
}

/// Sets a field's schema's `description` (its doc comment).
#[doc(hidden)]
pub fn describe_schema(schema: &mut Value, description: &str) {
    if let Value::Object(members) = schema {
        members.insert("description".to_owned(), Value::from(description));
    }
}

/// Finds a type's schema when it has one, without requiring it: generated
/// route descriptions call `(&&SchemaProbe::<T>::new()).probe()`, which picks
/// the `Schema` impl when `T: Schema` and `None` otherwise.
pub struct SchemaProbe<T: ?Sized>(PhantomData<T>);

impl<T: ?Sized> SchemaProbe<T> {
    /// A probe for `T`.
    pub fn new() -> Self {
        Self(PhantomData)
    }
}

impl<T: ?Sized> Default for SchemaProbe<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// The probe's answer when `T: Schema`.
pub trait HasSchema {
    /// `Some(schema)`.
    fn probe(&self) -> Option<Value>;
}

impl<T: Schema + ?Sized> HasSchema for &SchemaProbe<T> {
    fn probe(&self) -> Option<Value> {
        Some(T::schema())
    }
}

/// The probe's answer otherwise.
pub trait NoSchema {
    /// `None`.
    fn probe(&self) -> Option<Value>;
}

impl<T: ?Sized> NoSchema for SchemaProbe<T> {
    fn probe(&self) -> Option<Value> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A generated client (or a fuzzer) that trusts the schema never sends
    /// a number the parameter's type cannot hold: that would be a 400 for
    /// a request the document calls valid.
    #[test]
    fn integers_say_their_type_range() {
        assert_eq!(
            i64::schema(),
            json!({ "type": "integer", "minimum": i64::MIN, "maximum": i64::MAX })
        );
        assert_eq!(u32::schema()["maximum"], json!(4_294_967_295_u64));
        assert_eq!(i16::schema()["minimum"], json!(-32768));
    }

    #[test]
    #[allow(clippy::needless_borrow)] // the double borrow is the probe itself
    fn probes_find_schemas_only_where_they_exist() {
        struct Opaque;
        assert_eq!(
            (&&SchemaProbe::<u64>::new()).probe(),
            Some(json!({ "type": "integer", "minimum": 0, "maximum": u64::MAX }))
        );
        assert_eq!((&&SchemaProbe::<Opaque>::new()).probe(), None);
        assert_eq!(
            Option::<Vec<String>>::schema(),
            json!({ "anyOf": [{ "type": "array", "items": { "type": "string" } }, { "type": "null" }] })
        );
    }
}
