//! Message → JSON, with the generated readers' bounds rules (`wire-format.md` §5, §7).

use karmem_syntax::model::{Enum, Field, Primitive, Schema, Struct, TypeModel, TypeTarget};
use serde_json::{Map, Number, Value};

use super::{is_table, root_struct, CodecError, JsonPath, MAX_DEPTH};

/// How to decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DecodeOptions {
    /// Report what readers silently turn into defaults (a struct or slice outside the
    /// buffer, a slice length that is not a multiple of the element size, a zero-size
    /// element type with a non-zero length) as [`CodecError::Malformed`].
    pub strict: bool,
    /// Output budget, in JSON values plus string bytes; `None` is `16 × message length +
    /// 16 Mi`. Aliased slices (many headers pointing at the same bytes) and large fixed
    /// arrays can make a small message decode to a huge document; past the budget decoding
    /// stops with [`CodecError::TooLarge`].
    pub budget: Option<u64>,
}

/// Decodes a message whose root is the struct `type_name` exactly as the generated readers
/// do: whatever is out of bounds reads as its default. Fails only on an unknown type, a
/// string that is not UTF-8, or an output over the budget.
pub fn decode(schema: &Schema, type_name: &str, bytes: &[u8]) -> Result<Value, CodecError> {
    decode_with(schema, type_name, bytes, &DecodeOptions::default())
}

/// Like [`decode`], but what readers would silently default is an error with its byte
/// offset (see [`DecodeOptions::strict`]).
pub fn decode_strict(schema: &Schema, type_name: &str, bytes: &[u8]) -> Result<Value, CodecError> {
    decode_with(
        schema,
        type_name,
        bytes,
        &DecodeOptions {
            strict: true,
            budget: None,
        },
    )
}

/// [`decode`] with options.
pub fn decode_with(
    schema: &Schema,
    type_name: &str,
    bytes: &[u8],
    options: &DecodeOptions,
) -> Result<Value, CodecError> {
    let root = root_struct(schema, type_name)?;
    let budget = options.budget.unwrap_or_else(|| {
        (bytes.len() as u64)
            .saturating_mul(16)
            .saturating_add(16 << 20)
    });
    let mut decoder = Decoder {
        schema,
        buf: bytes,
        strict: options.strict,
        budget,
        path: JsonPath::default(),
    };
    let view = decoder.view(root, 0)?;
    decoder.read_struct(root, view)
}

/// Where a struct's bytes are, or the null view (every field default).
#[derive(Debug, Clone, Copy)]
enum View {
    Null,
    At {
        offset: u64,
        /// A table's stored size (fields ending beyond it are absent); `None` for inline
        /// structs, whose fields are always present.
        stored: Option<u64>,
    },
}

struct Decoder<'s, 'b> {
    schema: &'s Schema,
    buf: &'b [u8],
    strict: bool,
    budget: u64,
    path: JsonPath,
}

impl<'s, 'b> Decoder<'s, 'b> {
    fn valid(&self, offset: u64, size: u64) -> bool {
        offset
            .checked_add(size)
            .is_some_and(|end| end <= self.buf.len() as u64)
    }

    fn bytes(&self, offset: u64, size: u64) -> Option<&'b [u8]> {
        if !self.valid(offset, size) {
            return None;
        }
        self.buf.get(offset as usize..(offset + size) as usize)
    }

    fn u32_at(&self, offset: u64) -> u32 {
        self.bytes(offset, 4)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u32::from_le_bytes)
    }

    fn malformed(&self, offset: u64, message: String) -> CodecError {
        CodecError::Malformed {
            path: self.path.to_string(),
            offset,
            message,
        }
    }

    fn spend(&mut self, units: u64) -> Result<(), CodecError> {
        if units > self.budget {
            return Err(CodecError::TooLarge {
                message: format!(
                    "{}: the decoded document would be too large (slices sharing data, or very large arrays)",
                    self.path
                ),
            });
        }
        self.budget -= units;
        Ok(())
    }

    fn strukt(&self, index: usize) -> Result<&'s Struct, CodecError> {
        self.schema
            .structs
            .get(index)
            .filter(|s| s.size.is_some())
            .ok_or_else(|| CodecError::NoLayout {
                name: format!("#{index}"),
            })
    }

    /// `NewXViewer`: the struct at `offset`, or the null view when it does not fit.
    fn view(&self, index: usize, offset: u64) -> Result<View, CodecError> {
        let s = self.strukt(index)?;
        let minimum = s.size.as_ref().map_or(0, |size| size.minimum);
        if !self.valid(offset, u64::from(minimum)) {
            if self.strict {
                return Err(self.malformed(
                    offset,
                    format!(
                        "`{}` needs {minimum} bytes at offset {offset}; the message has {}",
                        s.name,
                        self.buf.len()
                    ),
                ));
            }
            return Ok(View::Null);
        }
        if !is_table(s) {
            return Ok(View::At {
                offset,
                stored: None,
            });
        }
        let stored = u64::from(self.u32_at(offset));
        if !self.valid(offset, stored) {
            if self.strict {
                return Err(self.malformed(
                    offset,
                    format!(
                        "table `{}` at offset {offset} has size {stored}, past the end of the {}-byte message",
                        s.name,
                        self.buf.len()
                    ),
                ));
            }
            return Ok(View::Null);
        }
        Ok(View::At {
            offset,
            stored: Some(stored),
        })
    }

    fn read_struct(&mut self, index: usize, view: View) -> Result<Value, CodecError> {
        if self.path.depth() > MAX_DEPTH {
            return Err(CodecError::TooLarge {
                message: format!("{}: nested deeper than {MAX_DEPTH} levels", self.path),
            });
        }
        let s = self.strukt(index)?;
        self.spend(1)?;
        let mut object = Map::new();
        for field in &s.fields {
            self.path.push_field(&field.name);
            let value = self.read_field(s, field, view);
            self.path.pop();
            object.insert(field.name.clone(), value?);
        }
        Ok(Value::Object(object))
    }

    fn read_field(
        &mut self,
        owner: &Struct,
        field: &Field,
        view: View,
    ) -> Result<Value, CodecError> {
        let layout = field.layout.ok_or_else(|| CodecError::NoLayout {
            name: owner.name.clone(),
        })?;
        let target = field.target.ok_or_else(|| CodecError::NoLayout {
            name: owner.name.clone(),
        })?;
        // The slot, when the field is present: inside a non-null view, and for tables
        // ending within the stored size.
        let slot = match view {
            View::Null => None,
            View::At { offset, stored } => {
                let end = u64::from(layout.offset) + u64::from(layout.field);
                match stored {
                    Some(stored) if end > stored => None,
                    _ => Some(offset + u64::from(layout.offset)),
                }
            }
        };
        let stride = u64::from(layout.allocation);
        match field.model {
            TypeModel::Single => match slot {
                Some(at) => self.read_element(target, at),
                None => self.default_element(target),
            },
            TypeModel::Array => {
                let n = u64::from(field.length);
                self.spend(n.max(1))?;
                let mut items = Vec::with_capacity(n.min(1 << 16) as usize);
                for i in 0..n {
                    self.path.push_index(i as usize);
                    let item = match slot {
                        Some(at) => self.read_element(target, at + i * stride),
                        None => self.default_element(target),
                    };
                    self.path.pop();
                    items.push(item?);
                }
                Ok(Value::Array(items))
            }
            TypeModel::Slice | TypeModel::SliceLimited => {
                let string = target == TypeTarget::Primitive(Primitive::Char);
                let Some(at) = slot else {
                    return Ok(if string {
                        Value::String(String::new())
                    } else {
                        Value::Array(Vec::new())
                    });
                };
                let p = u64::from(self.u32_at(at));
                let bytes = u64::from(self.u32_at(at + 4));
                let mut count = 0;
                if !self.valid(p, bytes) {
                    if self.strict {
                        return Err(self.malformed(
                            at,
                            format!(
                                "slice data at offset {p}, {bytes} bytes, is past the end of the {}-byte message",
                                self.buf.len()
                            ),
                        ));
                    }
                } else if stride == 0 {
                    // Zero-size elements (W6): readers would divide by zero; nothing to read.
                    if self.strict && bytes != 0 {
                        return Err(
                            self.malformed(at, format!("{bytes} bytes of zero-size elements"))
                        );
                    }
                } else {
                    if self.strict && bytes % stride != 0 {
                        return Err(self.malformed(
                            at,
                            format!(
                                "slice length {bytes} is not a multiple of the element size {stride}"
                            ),
                        ));
                    }
                    count = bytes / stride;
                }
                if field.model == TypeModel::SliceLimited {
                    count = count.min(u64::from(field.length));
                }
                if string {
                    let data = self.bytes(p, count).unwrap_or_default();
                    self.spend(1 + count)?;
                    return match std::str::from_utf8(data) {
                        Ok(text) => Ok(Value::String(text.to_string())),
                        Err(e) => Err(self.malformed(
                            p + e.valid_up_to() as u64,
                            "the string is not valid UTF-8".to_string(),
                        )),
                    };
                }
                self.spend(1 + count)?;
                let mut items = Vec::with_capacity(count.min(1 << 16) as usize);
                for i in 0..count {
                    self.path.push_index(i as usize);
                    let item = self.read_element(target, p + i * stride);
                    self.path.pop();
                    items.push(item?);
                }
                Ok(Value::Array(items))
            }
        }
    }

    /// The value at `at` (in bounds: the enclosing range was checked).
    fn read_element(&mut self, target: TypeTarget, at: u64) -> Result<Value, CodecError> {
        match target {
            TypeTarget::Primitive(p) => {
                self.spend(1)?;
                let raw = self.bytes(at, u64::from(p.size()));
                Ok(raw.map_or_else(|| primitive_default(p), |raw| primitive_value(p, raw)))
            }
            TypeTarget::Enum(i) => {
                self.spend(1)?;
                let e = self.enumeration(i)?;
                let base = e.base.unwrap_or(Primitive::Uint8);
                let number = self
                    .bytes(at, u64::from(base.size()))
                    .map_or(0, |raw| integer_value(base, raw));
                Ok(enum_value(e, number))
            }
            TypeTarget::Struct(i) => {
                let s = self.strukt(i)?;
                let view = if is_table(s) {
                    let p = u64::from(self.u32_at(at));
                    self.view(i, p)?
                } else {
                    View::At {
                        offset: at,
                        stored: None,
                    }
                };
                self.read_struct(i, view)
            }
        }
    }

    fn default_element(&mut self, target: TypeTarget) -> Result<Value, CodecError> {
        match target {
            TypeTarget::Primitive(p) => {
                self.spend(1)?;
                Ok(primitive_default(p))
            }
            TypeTarget::Enum(i) => {
                self.spend(1)?;
                Ok(enum_value(self.enumeration(i)?, 0))
            }
            TypeTarget::Struct(i) => self.read_struct(i, View::Null),
        }
    }

    fn enumeration(&self, index: usize) -> Result<&'s Enum, CodecError> {
        self.schema
            .enums
            .get(index)
            .ok_or_else(|| CodecError::NoLayout {
                name: format!("enum #{index}"),
            })
    }
}

fn primitive_default(p: Primitive) -> Value {
    match p {
        Primitive::Bool => Value::Bool(false),
        Primitive::Float32 | Primitive::Float64 => float(0.0),
        _ => Value::from(0),
    }
}

/// The integer in `raw` as `p` (little-endian, sign-extended for signed types).
fn integer_value(p: Primitive, raw: &[u8]) -> i128 {
    let mut bytes = [0u8; 16];
    let n = raw.len().min(8);
    bytes[..n].copy_from_slice(&raw[..n]);
    let unsigned = u64::from_le_bytes(bytes[..8].try_into().unwrap_or([0; 8]));
    match p.integer_bits() {
        Some((bits, true)) => {
            let shift = 64 - bits;
            i128::from(((unsigned << shift) as i64) >> shift)
        }
        Some((bits, false)) if bits < 64 => i128::from(unsigned & ((1u64 << bits) - 1)),
        _ => i128::from(unsigned),
    }
}

fn number(n: i128) -> Value {
    if let Ok(u) = u64::try_from(n) {
        Value::from(u)
    } else {
        Value::from(n as i64)
    }
}

fn primitive_value(p: Primitive, raw: &[u8]) -> Value {
    match p {
        Primitive::Bool => Value::Bool(raw.first().is_some_and(|&b| b != 0)),
        Primitive::Byte | Primitive::Char => number(i128::from(raw.first().copied().unwrap_or(0))),
        Primitive::Float32 => {
            let x = f32::from_le_bytes(raw.try_into().unwrap_or([0; 4]));
            if x.is_finite() {
                // The shortest decimal that reads back as this float32.
                let shortest: f64 = x.to_string().parse().unwrap_or(f64::from(x));
                float(shortest)
            } else {
                float(f64::from(x))
            }
        }
        Primitive::Float64 => float(f64::from_le_bytes(raw.try_into().unwrap_or([0; 8]))),
        _ => number(integer_value(p, raw)),
    }
}

/// A float as JSON: a number, or `"NaN"`, `"Infinity"`, `"-Infinity"`.
fn float(x: f64) -> Value {
    if x.is_nan() {
        Value::String("NaN".into())
    } else if x.is_infinite() {
        Value::String(if x > 0.0 { "Infinity" } else { "-Infinity" }.into())
    } else {
        Number::from_f64(x).map_or(Value::Null, Value::Number)
    }
}

/// The name of the (first) value with this number, else the number.
fn enum_value(e: &Enum, n: i128) -> Value {
    e.values
        .iter()
        .find(|v| v.number.is_some_and(|v| i128::from(v) == n))
        .map_or_else(|| number(n), |v| Value::String(v.name.clone()))
}
