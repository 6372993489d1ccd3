//! Structs read from JSON objects only. serde's derived `Deserialize` for a
//! struct also accepts an array of its fields in order (`[null, "x"]` for
//! `{"title": null, "body": "x"}`), a form that no schema of the struct
//! admits and no client means: the OpenAPI document says `object`, and a
//! body of another shape must be refused as the document says. [`Objects`]
//! wraps a deserializer so that every struct and struct variant, at any
//! depth, is read from an object; everything else passes through as is
//! (tuples, tuple structs and sequences still read arrays).

use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor,
};

/// A deserializer whose structs are objects only.
pub(crate) struct Objects<D>(pub(crate) D);

/// A visitor passed through [`Objects`]: what it is handed is wrapped in
/// turn; when it reads a struct, an array is an invalid type.
struct Wrap<V> {
    visitor: V,
    struct_only_from_object: bool,
}

impl<V> Wrap<V> {
    fn any(visitor: V) -> Self {
        Self {
            visitor,
            struct_only_from_object: false,
        }
    }

    fn object(visitor: V) -> Self {
        Self {
            visitor,
            struct_only_from_object: true,
        }
    }
}

macro_rules! forward_deserialize {
    ($($method:ident),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            self.0.$method(Wrap::any(visitor))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Objects<D> {
    type Error = D::Error;

    forward_deserialize!(
        deserialize_any,
        deserialize_bool,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_i128,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_u128,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_option,
        deserialize_unit,
        deserialize_seq,
        deserialize_map,
        deserialize_identifier,
        deserialize_ignored_any,
    );

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, Wrap::any(visitor))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, Wrap::any(visitor))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, Wrap::any(visitor))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0
            .deserialize_tuple_struct(name, len, Wrap::any(visitor))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0
            .deserialize_struct(name, fields, Wrap::object(visitor))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, Wrap::any(visitor))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

macro_rules! forward_visit {
    ($($method:ident($ty:ty)),* $(,)?) => {$(
        fn $method<E: de::Error>(self, value: $ty) -> Result<V::Value, E> {
            self.visitor.$method(value)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<V> {
    type Value = V::Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(formatter)
    }

    forward_visit!(
        visit_bool(bool),
        visit_i8(i8),
        visit_i16(i16),
        visit_i32(i32),
        visit_i64(i64),
        visit_i128(i128),
        visit_u8(u8),
        visit_u16(u16),
        visit_u32(u32),
        visit_u64(u64),
        visit_u128(u128),
        visit_f32(f32),
        visit_f64(f64),
        visit_char(char),
        visit_str(&str),
        visit_borrowed_str(&'de str),
        visit_string(String),
        visit_bytes(&[u8]),
        visit_borrowed_bytes(&'de [u8]),
        visit_byte_buf(Vec<u8>),
    );

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.visitor.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.visitor.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        self.visitor.visit_some(Objects(deserializer))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<V::Value, D::Error> {
        self.visitor.visit_newtype_struct(Objects(deserializer))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        if self.struct_only_from_object {
            return Err(de::Error::invalid_type(Unexpected::Seq, &self));
        }
        self.visitor.visit_seq(Objects(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.visitor.visit_map(Objects(map))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.visitor.visit_enum(Objects(data))
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Objects<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Objects(deserializer))
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Objects<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(Objects(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Objects<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(Objects(seed))
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.0.next_value_seed(Objects(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for Objects<A> {
    type Error = A::Error;
    type Variant = Objects<A::Variant>;

    fn variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, Self::Variant), A::Error> {
        let (value, variant) = self.0.variant_seed(Objects(seed))?;
        Ok((value, Objects(variant)))
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Objects<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.0.newtype_variant_seed(Objects(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, Wrap::any(visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.0.struct_variant(fields, Wrap::object(visitor))
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::Objects;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Patch {
        title: Option<String>,
        body: Option<String>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Outer {
        patch: Patch,
        pairs: Vec<(u8, u8)>,
        point: Point,
        shape: Shape,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Point(i32, i32);

    #[derive(Debug, Deserialize, PartialEq)]
    enum Shape {
        Circle { radius: u32 },
    }

    fn read<T: for<'de> Deserialize<'de>>(json: &str) -> Result<T, String> {
        let mut de = serde_json::Deserializer::from_str(json);
        T::deserialize(Objects(&mut de)).map_err(|e| e.to_string())
    }

    #[test]
    fn a_struct_is_read_from_an_object_only_at_any_depth() {
        // What serde_json alone accepts.
        let plain: Patch = serde_json::from_str("[null, null]").unwrap();
        assert_eq!(
            plain,
            Patch {
                title: None,
                body: None
            }
        );

        let error = read::<Patch>("[null, null]").unwrap_err();
        assert!(
            error.starts_with("invalid type: sequence, expected struct Patch"),
            "{error}"
        );
        let nested = r#"{"patch": [null, "x"], "pairs": [], "point": [1, 2], "shape": {"Circle": {"radius": 1}}}"#;
        let error = read::<Outer>(nested).unwrap_err();
        assert!(error.contains("expected struct Patch"), "{error}");
        let variant = r#"{"patch": {}, "pairs": [], "point": [1, 2], "shape": {"Circle": [1]}}"#;
        let error = read::<Outer>(variant).unwrap_err();
        assert!(
            error.contains("expected struct variant Shape::Circle"),
            "{error}"
        );
        let in_a_list = read::<Vec<Patch>>(r#"[{"title": "a"}, ["b", null]]"#).unwrap_err();
        assert!(in_a_list.contains("expected struct Patch"), "{in_a_list}");
    }

    #[test]
    fn everything_else_reads_as_serde_reads_it() {
        let ok = r#"{"patch": {"title": "t"}, "pairs": [[1, 2]], "point": [3, 4], "shape": {"Circle": {"radius": 5}}}"#;
        assert_eq!(
            read::<Outer>(ok).unwrap(),
            Outer {
                patch: Patch {
                    title: Some("t".into()),
                    body: None
                },
                pairs: vec![(1, 2)],
                point: Point(3, 4),
                shape: Shape::Circle { radius: 5 },
            }
        );
        assert_eq!(read::<Option<Vec<u8>>>("[1, 2]").unwrap(), Some(vec![1, 2]));
        assert_eq!(
            read::<serde_json::Value>("[1, {}]").unwrap(),
            serde_json::json!([1, {}])
        );
    }
}
