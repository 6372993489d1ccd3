//! JSON Schemas in the document. elif's [`Schema`](crate::http::Schema)
//! emits draft 2020-12 as JSON; utoipa's typed `Schema` holds most of it
//! but not every keyword (`unevaluatedProperties`, `const`, `$defs`, ...).
//! [`to_schema`] keeps a schema typed when the typed form gives back
//! exactly the same JSON, and otherwise carries it verbatim: an `Object`
//! with no type whose members are the schema's own (utoipa serialises its
//! extension map flattened, keys as given). Either way the document's JSON
//! equals what `Schema` emitted, which `round_trips` below holds.

use serde_json::{Map, Value, json};
use utoipa::openapi::RefOr;
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::schema::{Object, Schema, SchemaType};

/// `schema` (a JSON Schema) in utoipa's model, with nothing lost.
pub fn to_schema(schema: &Value) -> RefOr<Schema> {
    if let Ok(typed) = serde_json::from_value::<RefOr<Schema>>(schema.clone())
        && serde_json::to_value(&typed).ok().as_ref() == Some(schema)
    {
        return typed;
    }
    RefOr::T(Schema::Object(verbatim(schema)))
}

/// An object schema whose JSON is exactly `schema`'s members.
fn verbatim(schema: &Value) -> Object {
    let members: Map<String, Value> = match schema {
        Value::Object(members) => members.clone(),
        // `true` (anything) is `{}`; `false` is `{"not": {}}`.
        Value::Bool(false) => [("not".to_owned(), json!({}))].into_iter().collect(),
        _ => Map::new(),
    };
    let mut object = Object::new();
    object.schema_type = SchemaType::AnyValue;
    object.extensions = Some(Extensions::from_iter(members));
    object
}

/// `schema` as a request body that rejects unknown members: every object
/// with declared `properties` gets `unevaluatedProperties: false` (which,
/// unlike `additionalProperties`, sees members that `allOf` and other
/// applicators declare, so composed schemas stay right).
pub(crate) fn closed(schema: &Value) -> Value {
    match schema {
        Value::Object(members) => {
            let mut out: Map<String, Value> = members
                .iter()
                .map(|(key, value)| {
                    let value = match key.as_str() {
                        // Subschemas: objects and arrays of them.
                        "properties" | "patternProperties" | "$defs" => match value {
                            Value::Object(map) => Value::Object(
                                map.iter().map(|(k, v)| (k.clone(), closed(v))).collect(),
                            ),
                            other => other.clone(),
                        },
                        "items" | "additionalProperties" | "not" => closed(value),
                        "allOf" | "anyOf" | "oneOf" | "prefixItems" => match value {
                            Value::Array(list) => Value::Array(list.iter().map(closed).collect()),
                            other => other.clone(),
                        },
                        _ => value.clone(),
                    };
                    (key.clone(), value)
                })
                .collect();
            let declares = out.contains_key("properties");
            let open = out.contains_key("additionalProperties")
                || out.contains_key("unevaluatedProperties");
            if declares && !open {
                out.insert("unevaluatedProperties".to_owned(), Value::Bool(false));
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Schema as _;

    /// Every schema survives the trip through utoipa's model unchanged.
    #[test]
    fn round_trips() {
        let schemas = [
            json!({ "type": "integer", "minimum": 0 }),
            json!({ "type": "string", "format": "email", "minLength": 3, "maxLength": 254 }),
            json!({ "anyOf": [{ "type": "string" }, { "type": "null" }] }),
            json!({ "type": "object", "properties": { "a": { "type": "string" } }, "required": ["a"], "unevaluatedProperties": false }),
            json!({ "const": 1, "$defs": { "x": { "type": "boolean" } } }),
            json!({ "allOf": [{ "$ref": "#/components/schemas/Problem" }], "unevaluatedProperties": false }),
            json!({ "type": "array", "items": { "type": "string", "pattern": "^[a-z]+$" }, "minItems": 1 }),
            json!({}),
            crate::http::Page::<String>::schema(),
            Option::<Vec<u64>>::schema(),
            crate::http::problem::problem_schema(),
        ];
        for schema in schemas {
            let back = serde_json::to_value(to_schema(&schema)).unwrap();
            assert_eq!(back, schema);
        }
    }

    #[test]
    fn request_bodies_close_every_declared_object() {
        let body = json!({
            "type": "object",
            "properties": {
                "author": { "type": "object", "properties": { "name": { "type": "string" } } },
                "tags": { "type": "array", "items": { "type": "object", "properties": {} } },
                "extra": { "type": "object", "additionalProperties": { "type": "string" } }
            }
        });
        let closed = closed(&body);
        assert_eq!(closed["unevaluatedProperties"], false);
        assert_eq!(
            closed["properties"]["author"]["unevaluatedProperties"],
            false
        );
        assert_eq!(
            closed["properties"]["tags"]["items"]["unevaluatedProperties"],
            false
        );
        // A map stays open to any key.
        assert!(
            closed["properties"]["extra"]
                .get("unevaluatedProperties")
                .is_none()
        );
    }
}
