//! The dynamic codec: JSON ⇄ Karmem binary messages, driven by the semantic model — no
//! generated code (`json-mapping.md`, `wire-format.md`).
//!
//! * [`encode`] writes a message exactly as upstream's writers do (`wire-format.md` §4:
//!   root at offset 0, out-of-line data depth-first in declaration order, 12-byte slice
//!   headers in non-packed structs, padding zero). One deliberate difference: upstream's
//!   "offset 0 means allocate" bug (W1) is not reproduced — an inline struct at offset 0
//!   of an inline root is written in place, as our Rust target does.
//! * [`decode`] reads a message exactly as upstream's generated readers do
//!   (`wire-format.md` §5): anything out of bounds reads as defaults, limited slices are
//!   cut to their limit, lengths that are not a multiple of the element size are floored.
//! * [`decode_strict`] applies the same rules but reports what readers silently default
//!   (a struct or slice outside the buffer, a length that is not a multiple of the element
//!   size) as [`CodecError::Malformed`] with the byte offset; `karmem decode` uses it.
//!
//! Both decoders reject a string that is not UTF-8 (JSON cannot carry it) and never panic,
//! whatever the bytes.

mod decode;
mod encode;

use std::fmt;

use karmem_syntax::model::{DeclRef, Format, Schema, Struct, TypeTarget};

pub use decode::{decode, decode_strict, decode_with, DecodeOptions};
pub use encode::encode;

/// Nesting deeper than this (in the JSON value) is refused, in both directions; it matches
/// serde_json's own parsing limit.
pub const MAX_DEPTH: usize = 128;

/// Why a message could not be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CodecError {
    /// No struct of that name; `structs` lists the schema's structs.
    UnknownType { name: String, structs: Vec<String> },
    /// The name is an enum, not a struct.
    NotAStruct { name: String },
    /// A struct reachable from the root has no layout (the schema has errors).
    NoLayout { name: String },
    /// The JSON value does not fit the schema; `path` is like `$.Monsters[3].Pos.X`.
    Json { path: String, message: String },
    /// The bytes are malformed at `offset` (strict decoding; invalid UTF-8 always).
    Malformed {
        path: String,
        offset: u64,
        message: String,
    },
    /// The message would exceed the format's 4 GiB limit, or the decoded JSON the decoder's
    /// output budget.
    TooLarge { message: String },
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodecError::UnknownType { name, structs } => {
                write!(f, "no struct named `{name}` in the schema")?;
                if structs.is_empty() {
                    write!(f, " (it declares no structs)")
                } else {
                    write!(f, " (structs: {})", structs.join(", "))
                }
            }
            CodecError::NotAStruct { name } => {
                write!(f, "`{name}` is an enum; a message is a struct")
            }
            CodecError::NoLayout { name } => {
                write!(f, "struct `{name}` has no layout (the schema has errors)")
            }
            CodecError::Json { path, message } => write!(f, "{path}: {message}"),
            CodecError::Malformed {
                path,
                offset,
                message,
            } => write!(
                f,
                "malformed message at byte offset {offset} ({path}): {message}"
            ),
            CodecError::TooLarge { message } => f.write_str(message),
        }
    }
}

impl std::error::Error for CodecError {}

/// The index of the struct `name`, checked to have a layout (and everything it reaches).
pub fn root_struct(schema: &Schema, name: &str) -> Result<usize, CodecError> {
    let index = match schema.lookup(name) {
        Some(DeclRef::Struct(i)) => i,
        Some(DeclRef::Enum(_)) => {
            return Err(CodecError::NotAStruct {
                name: name.to_string(),
            })
        }
        None => {
            return Err(CodecError::UnknownType {
                name: name.to_string(),
                structs: schema.structs.iter().map(|s| s.name.clone()).collect(),
            })
        }
    };
    check_layouts(schema, index)?;
    Ok(index)
}

/// Every struct reachable from `root` has its sizes, and every field its layout and target.
fn check_layouts(schema: &Schema, root: usize) -> Result<(), CodecError> {
    let mut seen = vec![false; schema.structs.len()];
    let mut stack = vec![root];
    while let Some(index) = stack.pop() {
        let Some(s) = schema.structs.get(index) else {
            return Err(CodecError::NoLayout {
                name: format!("#{index}"),
            });
        };
        if std::mem::replace(&mut seen[index], true) {
            continue;
        }
        let no_layout = || CodecError::NoLayout {
            name: s.name.clone(),
        };
        if s.size.is_none() || s.class.is_none() {
            return Err(no_layout());
        }
        for field in &s.fields {
            if field.layout.is_none() || field.format.is_none() {
                return Err(no_layout());
            }
            match field.target {
                Some(TypeTarget::Struct(i)) => {
                    // Types only reference earlier declarations; anything else is broken.
                    if i >= schema.structs.len() || i == index {
                        return Err(no_layout());
                    }
                    stack.push(i);
                }
                Some(TypeTarget::Enum(i)) => {
                    let base = schema.enums.get(i).and_then(|e| e.base);
                    if base.is_none() {
                        return Err(no_layout());
                    }
                }
                Some(TypeTarget::Primitive(_)) => {}
                None => return Err(no_layout()),
            }
            if matches!(field.format, Some(Format::Table))
                && !matches!(field.target, Some(TypeTarget::Struct(_)))
            {
                return Err(no_layout());
            }
        }
    }
    Ok(())
}

fn is_table(s: &Struct) -> bool {
    s.class == Some(karmem_syntax::model::Class::Table)
}

/// A JSON path under construction: `$`, `.Field`, `[3]`.
#[derive(Debug, Default, Clone)]
pub(crate) struct JsonPath {
    segments: Vec<Segment>,
}

#[derive(Debug, Clone)]
enum Segment {
    Field(String),
    Index(usize),
}

impl JsonPath {
    fn push_field(&mut self, name: &str) {
        self.segments.push(Segment::Field(name.to_string()));
    }
    fn push_index(&mut self, i: usize) {
        self.segments.push(Segment::Index(i));
    }
    fn pop(&mut self) {
        self.segments.pop();
    }
    fn depth(&self) -> usize {
        self.segments.len()
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("$")?;
        for segment in &self.segments {
            match segment {
                Segment::Field(name) => write!(f, ".{name}")?,
                Segment::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
