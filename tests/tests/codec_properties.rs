//! Properties of the dynamic codec over random schemas (`karmem_tests::gen`):
//!
//! * for generated JSON values `v`: `decode(encode(v))` succeeds (strictly) and
//!   `encode(decode(encode(v))) == encode(v)`;
//! * for random bytes and for random mutations of valid messages: neither decoder panics,
//!   and whatever the lenient decoder returns encodes and decodes back to itself.

use karmem_codegen::codec::{decode, decode_strict, encode};
use karmem_syntax::model::{Primitive, Schema, TypeModel, TypeTarget};
use karmem_syntax::{analyze, AnalysisOptions};
use karmem_tests::gen::{random_schema, Rng};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn schema_for(seed: u64) -> Schema {
    let analysis = analyze(&random_schema(seed), &AnalysisOptions::default());
    assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
    analysis.schema
}

/// A random value of struct `index`; members are sometimes left out (defaults).
fn value(schema: &Schema, index: usize, rng: &mut Rng, depth: u32) -> Value {
    let s = &schema.structs[index];
    let mut object = Map::new();
    for field in &s.fields {
        if rng.chance(15) {
            continue;
        }
        let target = field.target.expect("resolved");
        let v = match field.model {
            TypeModel::Single => element(schema, target, rng, depth),
            TypeModel::Array => {
                let n = rng.range(0, u64::from(field.length).min(6)) as usize;
                Value::Array(
                    (0..n)
                        .map(|_| element(schema, target, rng, depth))
                        .collect(),
                )
            }
            TypeModel::Slice | TypeModel::SliceLimited => {
                let max = if field.model == TypeModel::SliceLimited {
                    u64::from(field.length).min(4)
                } else {
                    4
                };
                if target == TypeTarget::Primitive(Primitive::Char) {
                    Value::String(text(rng, max as usize))
                } else {
                    let n = rng.range(0, max) as usize;
                    Value::Array(
                        (0..n)
                            .map(|_| element(schema, target, rng, depth))
                            .collect(),
                    )
                }
            }
        };
        object.insert(field.name.clone(), v);
    }
    Value::Object(object)
}

/// A random element (independent of `Rng::pick`'s signature).
fn choose<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[rng.below(items.len() as u64) as usize]
}

/// A string of at most `max` UTF-8 bytes.
fn text(rng: &mut Rng, max: usize) -> String {
    let pool = ['a', 'Z', '0', ' ', 'é', 'ß', '天', '\u{1F600}', '\n', '"'];
    let mut s = String::new();
    for _ in 0..rng.range(0, max as u64) {
        let c = *choose(rng, &pool);
        if s.len() + c.len_utf8() <= max {
            s.push(c);
        }
    }
    s
}

fn element(schema: &Schema, target: TypeTarget, rng: &mut Rng, depth: u32) -> Value {
    match target {
        TypeTarget::Primitive(p) => primitive(p, rng),
        TypeTarget::Enum(i) => {
            let e = &schema.enums[i];
            if rng.chance(80) {
                json!(choose(rng, &e.values).name)
            } else {
                let (bits, signed) = e.base.unwrap().integer_bits().unwrap();
                integer(bits, signed, rng)
            }
        }
        TypeTarget::Struct(i) => {
            if depth > 6 {
                json!({})
            } else {
                value(schema, i, rng, depth + 1)
            }
        }
    }
}

fn integer(bits: u32, signed: bool, rng: &mut Rng) -> Value {
    let raw = rng.next_u64() >> (64 - bits);
    let v = if signed {
        let shift = 64 - bits;
        json!(((raw << shift) as i64) >> shift)
    } else {
        json!(raw)
    };
    if rng.chance(10) {
        json!(v.to_string())
    } else {
        v
    }
}

fn primitive(p: Primitive, rng: &mut Rng) -> Value {
    match p {
        Primitive::Bool => json!(rng.chance(50)),
        Primitive::Float32 => float(f64::from(f32::from_bits(rng.next_u64() as u32)), rng),
        Primitive::Float64 => float(f64::from_bits(rng.next_u64()), rng),
        Primitive::Byte | Primitive::Char => json!(rng.below(256)),
        other => {
            let (bits, signed) = other.integer_bits().unwrap();
            integer(bits, signed, rng)
        }
    }
}

fn float(x: f64, rng: &mut Rng) -> Value {
    let x = if rng.chance(50) {
        (rng.below(2000) as f64 - 1000.0) / 8.0
    } else {
        x
    };
    if x.is_nan() {
        json!("NaN")
    } else if x.is_infinite() {
        json!(if x > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        json!(x)
    }
}

/// Lenient decoding never panics; when it succeeds, its result is a fixed point.
fn check_bytes(schema: &Schema, name: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let _ = decode_strict(schema, name, bytes);
    if let Ok(v) = decode(schema, name, bytes) {
        let again = encode(schema, name, &v)
            .map_err(|e| TestCaseError::fail(format!("decoded value does not encode: {e}")))?;
        let v2 = decode_strict(schema, name, &again)
            .map_err(|e| TestCaseError::fail(format!("re-encoded value does not decode: {e}")))?;
        prop_assert_eq!(v2, v);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn encode_decode_encode_is_stable(seed in any::<u64>()) {
        let schema = schema_for(seed);
        let mut rng = Rng::new(seed);
        for (index, s) in schema.structs.iter().enumerate() {
            let v = value(&schema, index, &mut rng, 0);
            let bytes = encode(&schema, &s.name, &v)
                .map_err(|e| TestCaseError::fail(format!("{}: {e}\n{v}", s.name)))?;
            let decoded = decode_strict(&schema, &s.name, &bytes)
                .map_err(|e| TestCaseError::fail(format!("{}: {e}", s.name)))?;
            let again = encode(&schema, &s.name, &decoded)
                .map_err(|e| TestCaseError::fail(format!("{}: {e}", s.name)))?;
            prop_assert_eq!(&again, &bytes, "{}: {}", s.name, v);
            prop_assert_eq!(decode(&schema, &s.name, &bytes).unwrap(), decoded);
        }
    }

    #[test]
    fn random_bytes_never_panic(seed in any::<u64>(), bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let schema = schema_for(seed);
        for s in &schema.structs {
            check_bytes(&schema, &s.name, &bytes)?;
        }
    }

    #[test]
    fn mutated_messages_never_panic(seed in any::<u64>(), edits in proptest::collection::vec((any::<u16>(), any::<u8>()), 1..8), cut in any::<u16>()) {
        let schema = schema_for(seed);
        let mut rng = Rng::new(seed ^ 0xabcdef);
        for (index, s) in schema.structs.iter().enumerate() {
            let v = value(&schema, index, &mut rng, 0);
            let mut bytes = encode(&schema, &s.name, &v).unwrap();
            if bytes.is_empty() {
                continue;
            }
            for &(at, b) in &edits {
                let at = usize::from(at) % bytes.len();
                bytes[at] = b;
            }
            if cut % 4 == 0 {
                bytes.truncate(usize::from(cut) % (bytes.len() + 1));
            }
            check_bytes(&schema, &s.name, &bytes)?;
        }
    }
}
