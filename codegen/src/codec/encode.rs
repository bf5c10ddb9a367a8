//! JSON → message, in upstream's writer order (`wire-format.md` §4).

use karmem_syntax::model::{Enum, Field, Primitive, Schema, Struct, TypeModel, TypeTarget};
use serde_json::Value;

use super::{is_table, root_struct, CodecError, JsonPath, MAX_DEPTH};

/// Encodes `json` as a message whose root is the struct `type_name`.
pub fn encode(schema: &Schema, type_name: &str, json: &Value) -> Result<Vec<u8>, CodecError> {
    let root = root_struct(schema, type_name)?;
    let mut encoder = Encoder {
        schema,
        buf: Vec::new(),
        path: JsonPath::default(),
    };
    let total = encoder.strukt(root)?.1;
    let base = encoder.alloc(u64::from(total))?;
    encoder.write_struct(root, json, base)?;
    Ok(encoder.buf)
}

struct Encoder<'s> {
    schema: &'s Schema,
    buf: Vec<u8>,
    path: JsonPath,
}

/// What a JSON value is, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl<'s> Encoder<'s> {
    fn error(&self, message: impl Into<String>) -> CodecError {
        CodecError::Json {
            path: self.path.to_string(),
            message: message.into(),
        }
    }

    fn expected(&self, what: &str, value: &Value) -> CodecError {
        self.error(format!("expected {what}, found {}", kind(value)))
    }

    fn strukt(&self, index: usize) -> Result<(&'s Struct, u32), CodecError> {
        let s = self
            .schema
            .structs
            .get(index)
            .ok_or_else(|| CodecError::NoLayout {
                name: format!("#{index}"),
            })?;
        let total = s
            .size
            .as_ref()
            .ok_or_else(|| CodecError::NoLayout {
                name: s.name.clone(),
            })?
            .total;
        Ok((s, total))
    }

    /// Appends `n` zero bytes; returns where they start.
    fn alloc(&mut self, n: u64) -> Result<u32, CodecError> {
        let start = self.buf.len() as u64;
        let end = start + n;
        if end > u64::from(u32::MAX) {
            return Err(CodecError::TooLarge {
                message: format!(
                    "{}: the message would be {end} bytes; the format's limit is 4294967295",
                    self.path
                ),
            });
        }
        self.buf.resize(end as usize, 0);
        Ok(start as u32)
    }

    fn put(&mut self, at: u64, bytes: &[u8]) {
        // Every slot was allocated before it is written; `get_mut` keeps a broken layout
        // from panicking.
        let start = at as usize;
        if let Some(dst) = self.buf.get_mut(start..start.saturating_add(bytes.len())) {
            dst.copy_from_slice(bytes);
        } else {
            debug_assert!(false, "write outside the buffer at {at}");
        }
    }

    fn put_u32(&mut self, at: u64, value: u32) {
        self.put(at, &value.to_le_bytes());
    }

    fn write_struct(&mut self, index: usize, value: &Value, base: u32) -> Result<(), CodecError> {
        if self.path.depth() > MAX_DEPTH {
            return Err(self.error(format!("nested deeper than {MAX_DEPTH} levels")));
        }
        let (s, _) = self.strukt(index)?;
        let object = match value {
            Value::Object(object) => object,
            other => return Err(self.expected("an object", other)),
        };
        if let Some(unknown) = object
            .keys()
            .find(|k| !s.fields.iter().any(|f| &f.name == *k))
        {
            let names: Vec<&str> = s.fields.iter().map(|f| f.name.as_str()).collect();
            let expected = if names.is_empty() {
                format!("`{}` has no fields", s.name)
            } else {
                format!("`{}` has {}", s.name, names.join(", "))
            };
            return Err(self.error(format!("unknown member `{unknown}` ({expected})")));
        }
        let base = u64::from(base);
        if is_table(s) {
            let content = s.size.as_ref().map_or(0, |size| size.content);
            self.put_u32(base, content);
        }
        for field in &s.fields {
            self.path.push_field(&field.name);
            let result = self.write_field(s, field, object.get(&field.name), base);
            self.path.pop();
            result?;
        }
        Ok(())
    }

    fn write_field(
        &mut self,
        owner: &Struct,
        field: &Field,
        value: Option<&Value>,
        base: u64,
    ) -> Result<(), CodecError> {
        let layout = field.layout.ok_or_else(|| CodecError::NoLayout {
            name: owner.name.clone(),
        })?;
        let target = field.target.ok_or_else(|| CodecError::NoLayout {
            name: owner.name.clone(),
        })?;
        let slot = base + u64::from(layout.offset);
        let stride = u64::from(layout.allocation);
        match field.model {
            TypeModel::Single => self.write_element(target, value, slot),
            TypeModel::Array => {
                let items: &[Value] = match value {
                    None => &[],
                    Some(Value::Array(items)) => items,
                    Some(other) => return Err(self.expected("an array", other)),
                };
                let n = field.length as usize;
                if items.len() > n {
                    return Err(self.error(format!(
                        "expected at most {n} elements (`{}`), found {}",
                        field.type_text,
                        items.len()
                    )));
                }
                // Missing elements are written as defaults (tables still allocate).
                for i in 0..n {
                    self.path.push_index(i);
                    let result = self.write_element(target, items.get(i), slot + i as u64 * stride);
                    self.path.pop();
                    result?;
                }
                Ok(())
            }
            TypeModel::Slice | TypeModel::SliceLimited => {
                let limit = (field.model == TypeModel::SliceLimited).then_some(field.length);
                let string_slice = target == TypeTarget::Primitive(Primitive::Char);
                let text;
                let items: &[Value];
                let count = if string_slice {
                    text = match value {
                        None => "",
                        Some(Value::String(s)) => s.as_str(),
                        Some(other) => return Err(self.expected("a string", other)),
                    };
                    items = &[];
                    text.len()
                } else {
                    text = "";
                    items = match value {
                        None => &[],
                        Some(Value::Array(items)) => items,
                        Some(other) => return Err(self.expected("an array", other)),
                    };
                    items.len()
                };
                if let Some(limit) = limit {
                    if count as u64 > u64::from(limit) {
                        let unit = if string_slice { "bytes" } else { "elements" };
                        return Err(self.error(format!(
                            "expected at most {limit} {unit} (`{}`), found {count}",
                            field.type_text
                        )));
                    }
                }
                let bytes = count as u64 * stride;
                if bytes > u64::from(u32::MAX) {
                    return Err(CodecError::TooLarge {
                        message: format!(
                            "{}: {bytes} bytes of elements; the format's limit is 4294967295",
                            self.path
                        ),
                    });
                }
                let p = self.alloc(bytes)?;
                self.put_u32(slot, p);
                self.put_u32(slot + 4, bytes as u32);
                if !owner.packed {
                    self.put_u32(slot + 8, layout.allocation);
                }
                if string_slice {
                    self.put(u64::from(p), text.as_bytes());
                } else {
                    for (i, item) in items.iter().enumerate() {
                        self.path.push_index(i);
                        let result = self.write_element(
                            target,
                            Some(item),
                            u64::from(p) + i as u64 * stride,
                        );
                        self.path.pop();
                        result?;
                    }
                }
                Ok(())
            }
        }
    }

    /// One value at `at`: a primitive or enum in place, an inline struct in place, a table
    /// allocated and referenced. `None` writes the default.
    fn write_element(
        &mut self,
        target: TypeTarget,
        value: Option<&Value>,
        at: u64,
    ) -> Result<(), CodecError> {
        match target {
            TypeTarget::Primitive(p) => {
                let bytes = match value {
                    None => vec![0; p.size() as usize],
                    Some(v) => self.primitive(p, v)?,
                };
                self.put(at, &bytes);
                Ok(())
            }
            TypeTarget::Enum(i) => {
                let e = self
                    .schema
                    .enums
                    .get(i)
                    .ok_or_else(|| CodecError::NoLayout {
                        name: format!("enum #{i}"),
                    })?;
                let bytes = match value {
                    None => vec![0; e.base.map_or(1, |b| b.size()) as usize],
                    Some(v) => self.enum_value(e, v)?,
                };
                self.put(at, &bytes);
                Ok(())
            }
            TypeTarget::Struct(i) => {
                let (s, total) = self.strukt(i)?;
                let empty = Value::Object(serde_json::Map::new());
                let value = value.unwrap_or(&empty);
                if is_table(s) {
                    let p = self.alloc(u64::from(total))?;
                    self.put_u32(at, p);
                    self.write_struct(i, value, p)
                } else {
                    // Written in place, also at offset 0 (upstream's W1 bug is not copied).
                    let at = u32::try_from(at).map_err(|_| CodecError::TooLarge {
                        message: format!("{}: offset beyond 4 GiB", self.path),
                    })?;
                    self.write_struct(i, value, at)
                }
            }
        }
    }

    fn enum_value(&self, e: &Enum, value: &Value) -> Result<Vec<u8>, CodecError> {
        let base = e.base.ok_or_else(|| CodecError::NoLayout {
            name: e.name.clone(),
        })?;
        match value {
            Value::String(name) => {
                if let Some(v) = e.values.iter().find(|v| &v.name == name) {
                    let number = v.number.ok_or_else(|| CodecError::NoLayout {
                        name: e.name.clone(),
                    })?;
                    return Ok(integer_bytes(base, i128::from(number)).unwrap_or_default());
                }
                if looks_numeric(name) {
                    return self.primitive(base, value);
                }
                let names: Vec<&str> = e.values.iter().map(|v| v.name.as_str()).collect();
                Err(self.error(format!(
                    "`{name}` is not a value of enum `{}` ({})",
                    e.name,
                    names.join(", ")
                )))
            }
            Value::Number(_) => self.primitive(base, value),
            other => Err(self.expected(
                &format!("a value name of enum `{}` or a number", e.name),
                other,
            )),
        }
    }

    fn primitive(&self, p: Primitive, value: &Value) -> Result<Vec<u8>, CodecError> {
        match p {
            Primitive::Bool => match value {
                Value::Bool(b) => Ok(vec![u8::from(*b)]),
                other => Err(self.expected("true or false", other)),
            },
            Primitive::Float32 | Primitive::Float64 => {
                let x = match value {
                    Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
                    Value::String(s) => match s.as_str() {
                        "NaN" => f64::NAN,
                        "Infinity" => f64::INFINITY,
                        "-Infinity" => f64::NEG_INFINITY,
                        _ => {
                            return Err(self.error(format!(
                                "expected a number, found the string {s:?} (only \"NaN\", \"Infinity\" and \"-Infinity\" may be strings)"
                            )))
                        }
                    },
                    other => return Err(self.expected("a number", other)),
                };
                if p == Primitive::Float64 {
                    return Ok(x.to_le_bytes().to_vec());
                }
                if x.is_finite() && x.abs() > f64::from(f32::MAX) {
                    return Err(self.error(format!("{x} is out of range for float32")));
                }
                Ok((x as f32).to_le_bytes().to_vec())
            }
            _ => {
                let number = self.integer(value)?;
                let int_type = match p {
                    Primitive::Byte | Primitive::Char => Primitive::Uint8,
                    other => other,
                };
                integer_bytes(int_type, number)
                    .ok_or_else(|| self.error(format!("{number} is out of range for {}", p.name())))
            }
        }
    }

    /// A JSON integer: a number without fraction, or a string of decimal digits.
    fn integer(&self, value: &Value) -> Result<i128, CodecError> {
        match value {
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    Ok(i128::from(u))
                } else if let Some(i) = n.as_i64() {
                    Ok(i128::from(i))
                } else {
                    let f = n.as_f64().unwrap_or(f64::NAN);
                    if f.fract() == 0.0 && f.abs() < 1e30 {
                        Ok(f as i128)
                    } else if f.fract() == 0.0 {
                        Err(self.error(format!("{n} is out of range")))
                    } else {
                        Err(self.error(format!("expected an integer, found {n}")))
                    }
                }
            }
            Value::String(s) if looks_numeric(s) => s
                .parse::<i128>()
                .map_err(|_| self.error(format!("{s} is out of range"))),
            Value::String(s) => {
                Err(self.error(format!("expected an integer, found the string {s:?}")))
            }
            other => Err(self.expected("a number", other)),
        }
    }
}

/// `-?[0-9]+`
fn looks_numeric(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The little-endian bytes of `n` as integer type `p`, if it fits.
fn integer_bytes(p: Primitive, n: i128) -> Option<Vec<u8>> {
    let (bits, signed) = p.integer_bits()?;
    let (min, max) = if signed {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    } else {
        (0, (1i128 << bits) - 1)
    };
    if n < min || n > max {
        return None;
    }
    let bytes = n.to_le_bytes();
    Some(bytes[..(bits / 8) as usize].to_vec())
}
