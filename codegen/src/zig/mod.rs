//! The Zig target (`codegen/zig.md`): one file `<module>_generated.zig` per schema, for
//! Zig 0.9/0.10 with our runtime `codegen/runtime/zig/karmem.zig` (or upstream's).
//!
//! The public API has upstream's names and shapes (`EnumE`, `EnumPacketIdentifier`, native
//! structs with `PacketIdentifier`/`Reset`/`WriteAsRoot`/`Write`/`ReadAsRoot`/`Read`,
//! `NewX`, extern viewer structs `XViewer` with `Size` and one accessor per field,
//! `NewXViewer`) and writes upstream's bytes, without upstream's defects:
//!
//! * parameters are discarded (`_ = x;`) only when unused, so the output compiles on 0.10;
//! * enums are non-exhaustive (`_`), so unknown values read from a message are values, not
//!   illegal behaviour; the default is the value 0, as in every other target; duplicate
//!   values (and duplicate struct ids) become aliases declared inside the enum;
//! * bools are read as `byte != 0`; viewer accessors of `bool` arrays and slices return the
//!   raw bytes (`[]const u8`) instead of reinterpreting them as `bool`;
//! * multi-byte elements of viewer slices are `[]align(1) const T` (they may be unaligned);
//! * an inline struct is written in place even at offset 0 of an inline root;
//! * `char` outside strings is `u8`, `[N]char` is `[N]u8`; zero-size elements count 0;
//! * a table field read through a missing (null) inline struct is the null table, not the
//!   root message reinterpreted.
//!
//! Speed: `_Write<S>` writes every byte of `S`, padding included, so the runtime's `Alloc`
//! need not zero what it hands out; arrays and slices of inline structs made only of
//! same-size numbers are copied with one `@memcpy`/`WriteAt` each when the comptime
//! constant `_Wire<S>` (little-endian, native offsets and size equal to the wire layout)
//! holds, element by element otherwise.
//!
//! Schemas whose names would collide in Zig are refused ([`names::problems`]).

mod names;
#[cfg(test)]
mod tests;

use std::fmt::Write as _;

use karmem_syntax::model::{Class, Enum, Field, Primitive, Schema, Struct, TypeModel, TypeTarget};

use crate::targets_common::{is_table, struct_size, unsupported};
use crate::{GenerateError, GenerateInput, GeneratedFile, Generator, NameProblem};

pub use names::{enum_type, ident, problems};

/// The default of `@zig.import`: a package registered as `karmem`.
pub const DEFAULT_IMPORT: &str = "karmem";

/// The `zig` target.
pub struct ZigGenerator;

impl Generator for ZigGenerator {
    fn name(&self) -> &'static str {
        "zig"
    }

    fn problems(&self, schema: &Schema) -> Vec<NameProblem> {
        names::problems(schema)
    }

    fn generate(&self, input: &GenerateInput) -> Result<Vec<GeneratedFile>, GenerateError> {
        let import = input.options.get("import").unwrap_or(DEFAULT_IMPORT);
        check_import(import)?;
        crate::problems::refuse(LANGUAGE, names::problems(input.schema))?;
        let text = generate_text(input.schema, &input.header(), import)?;
        input.single_file("zig", text)
    }
}

/// `@zig.import` goes into `@import("...")`: a package name (`karmem`) or a path to a
/// `.zig` file (`../zig/karmem.zig`).
fn check_import(import: &str) -> Result<(), GenerateError> {
    let invalid = |why: &str| GenerateError::InvalidOption {
        key: "import".to_string(),
        message: format!("`{import}` cannot be imported by Zig ({why})"),
    };
    if import.is_empty() {
        return Err(invalid("empty"));
    }
    if import
        .chars()
        .any(|c| c == '"' || c == '\\' || c.is_control())
    {
        return Err(invalid(
            "quotes, backslashes and control characters are not allowed",
        ));
    }
    let package = import
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && import
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !package && !import.ends_with(".zig") {
        return Err(invalid(
            "expected a package name such as `karmem` or a path ending in `.zig`",
        ));
    }
    Ok(())
}

/// The language named in this target's errors.
const LANGUAGE: &str = "Zig";

fn internal(message: String) -> GenerateError {
    unsupported(LANGUAGE, message)
}

/// The native Zig type of a primitive (`char` is a byte).
pub fn primitive_type(p: Primitive) -> &'static str {
    match p {
        Primitive::Bool => "bool",
        Primitive::Byte | Primitive::Char | Primitive::Uint8 => "u8",
        Primitive::Uint16 => "u16",
        Primitive::Uint32 => "u32",
        Primitive::Uint64 => "u64",
        Primitive::Int8 => "i8",
        Primitive::Int16 => "i16",
        Primitive::Int32 => "i32",
        Primitive::Int64 => "i64",
        Primitive::Float32 => "f32",
        Primitive::Float64 => "f64",
    }
}

/// What a field is, for code generation.
#[derive(Clone, Copy)]
enum Kind<'s> {
    /// A single primitive.
    Scalar(Primitive),
    /// A single enum.
    Enum(&'s Enum),
    /// `[N]T` of primitives.
    Array(Primitive, u32),
    /// `[]char`, `[<N]char`.
    Str(Option<u32>),
    /// `[]T`, `[<N]T` of primitives.
    Vec(Primitive, Option<u32>),
    /// A single inline struct.
    Inline(&'s Struct),
    /// `[N]S` of inline structs.
    InlineArray(&'s Struct, u32),
    /// `[]S`, `[<N]S` of inline structs.
    InlineVec(&'s Struct, Option<u32>),
    /// A single table.
    Table(&'s Struct),
}

struct FieldInfo<'s> {
    field: &'s Field,
    /// The field's identifier.
    name: String,
    offset: u32,
    size: u32,
    kind: Kind<'s>,
}

fn total(s: &Struct) -> Result<u32, GenerateError> {
    Ok(struct_size(s, LANGUAGE)?.total)
}

fn minimum(s: &Struct) -> Result<u32, GenerateError> {
    Ok(struct_size(s, LANGUAGE)?.minimum)
}

/// The fields (name, offset) of an inline struct whose wire bytes can equal its native
/// in-memory bytes: only numbers (no `bool`, enum or struct) of one size, contiguous from
/// offset 0, filling the whole struct. The generated code still checks at compile time that
/// the native layout really matches (see [`wire_const`]) before copying such structs in bulk.
fn wire_fields(s: &Struct) -> Option<Vec<(&str, u32)>> {
    if s.class != Some(Class::Inline) || s.fields.is_empty() {
        return None;
    }
    let total = s.size.as_ref()?.total;
    let mut width = None;
    let mut list = Vec::new();
    for field in &s.fields {
        let layout = field.layout?;
        let p = match (field.target?, field.model) {
            (TypeTarget::Primitive(p), TypeModel::Single) if p != Primitive::Bool => p,
            _ => return None,
        };
        let size = p.size();
        if size == 0 || *width.get_or_insert(size) != size || layout.field != size {
            return None;
        }
        if layout.offset != size * list.len() as u32 {
            return None;
        }
        list.push((field.name.as_str(), layout.offset));
    }
    (width? * list.len() as u32 == total).then_some(list)
}

/// The name of the comptime constant that says whether `s`'s native layout is its wire
/// layout (declared next to `_Write<S>` when [`wire_fields`] accepts `s`).
fn wire_const(s: &Struct) -> String {
    ident(&format!("_Wire{}", s.name))
}

/// The byte ranges of `[0, total)` that no field (given as `(offset, size)`) nor a table's
/// size header covers: padding, which `_Write<S>` zeroes itself (the runtime's `Alloc`
/// does not zero). Works on the ranges, not per byte: `total` can be near 4 GiB.
fn gaps(fields: impl IntoIterator<Item = (u32, u32)>, total: u32, table: bool) -> Vec<(u32, u32)> {
    let mut covered: Vec<(u32, u32)> = fields
        .into_iter()
        .chain(table.then_some((0, 4)))
        .filter_map(|(start, len)| {
            let end = start.saturating_add(len).min(total);
            (start < end).then_some((start, end))
        })
        .collect();
    covered.sort_unstable();
    let mut out = Vec::new();
    // Every byte before `next` is covered or already in `out`.
    let mut next = 0;
    for (start, end) in covered {
        if start > next {
            out.push((next, start - next));
        }
        next = next.max(end);
    }
    if next < total {
        out.push((next, total - next));
    }
    out
}

fn fields<'s>(schema: &'s Schema, s: &'s Struct) -> Result<Vec<FieldInfo<'s>>, GenerateError> {
    s.fields
        .iter()
        .map(|field| {
            let no_layout = || internal(format!("field `{}.{}` has no layout", s.name, field.name));
            let layout = field.layout.ok_or_else(no_layout)?;
            let target = field.target.ok_or_else(no_layout)?;
            let limit = (field.model == TypeModel::SliceLimited).then_some(field.length);
            let kind = match (target, field.model) {
                (TypeTarget::Primitive(p), TypeModel::Single) => Kind::Scalar(p),
                (TypeTarget::Primitive(p), TypeModel::Array) => Kind::Array(p, field.length),
                (TypeTarget::Primitive(Primitive::Char), _) => Kind::Str(limit),
                (TypeTarget::Primitive(p), _) => Kind::Vec(p, limit),
                (TypeTarget::Enum(i), TypeModel::Single) => {
                    let e = schema.enums.get(i).ok_or_else(no_layout)?;
                    if e.base.is_none() {
                        return Err(no_layout());
                    }
                    Kind::Enum(e)
                }
                (TypeTarget::Enum(_), _) => {
                    return Err(internal(format!(
                        "field `{}.{}`: arrays of enums do not exist",
                        s.name, field.name
                    )))
                }
                (TypeTarget::Struct(i), model) => {
                    let t = schema.structs.get(i).ok_or_else(no_layout)?;
                    total(t)?;
                    match (t.class, model) {
                        (Some(Class::Inline), TypeModel::Single) => Kind::Inline(t),
                        (Some(Class::Inline), TypeModel::Array) => {
                            Kind::InlineArray(t, field.length)
                        }
                        (Some(Class::Inline), _) => Kind::InlineVec(t, limit),
                        (Some(Class::Table), TypeModel::Single) => Kind::Table(t),
                        _ => {
                            return Err(internal(format!(
                                "field `{}.{}`: tables are only single fields",
                                s.name, field.name
                            )))
                        }
                    }
                }
            };
            Ok(FieldInfo {
                field,
                name: ident(&field.name),
                offset: layout.offset,
                size: layout.field,
                kind,
            })
        })
        .collect()
}

/// The names declared inside a container: a reference to a top-level name among them
/// must be written `_root.Name`.
struct Scope<'a> {
    names: Vec<&'a str>,
}

impl Scope<'_> {
    /// A reference to the top-level `name` from inside this scope.
    fn top(&self, name: &str) -> String {
        if self.names.contains(&name) {
            format!("_root.{}", ident(name))
        } else {
            ident(name)
        }
    }
}

/// Whether the identifier `word` occurs in `body` (not as part of a longer identifier
/// and not after a `.`).
fn uses(body: &str, word: &str) -> bool {
    let bytes = body.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut from = 0;
    while let Some(found) = body[from..].find(word) {
        let at = from + found;
        let end = at + word.len();
        let before_ok = at == 0 || !(is_ident(bytes[at - 1]) || bytes[at - 1] == b'.');
        let after_ok = end >= bytes.len() || !is_ident(bytes[end]);
        if before_ok && after_ok {
            return true;
        }
        from = end;
    }
    false
}

/// A function: `signature {`, discards of the unused parameters, the body, `}`.
fn function(out: &mut String, indent: &str, signature: &str, params: &[&str], body: &str) {
    let _ = writeln!(out, "{indent}{signature} {{");
    for param in params {
        if !uses(body, param) {
            let _ = writeln!(out, "{indent}    _ = {param};");
        }
    }
    for line in body.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "{indent}    {line}");
        }
    }
    let _ = writeln!(out, "{indent}}}");
}

fn docs(out: &mut String, indent: &str, docs: Option<&str>) {
    if let Some(docs) = docs {
        for line in docs.lines() {
            let line = line.trim_end();
            if line.is_empty() {
                let _ = writeln!(out, "{indent}///");
            } else {
                let _ = writeln!(out, "{indent}/// {line}");
            }
        }
    }
}

/// `offset + n` (or `offset`).
/// `text` with every line prefixed by `prefix`.
fn indent(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|line| format!("{prefix}{line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn at(base: &str, n: u32) -> String {
    if n == 0 {
        base.to_string()
    } else {
        format!("{base} + {n}")
    }
}

/// The enum's value number as Zig text.
fn value_number(value: &karmem_syntax::model::EnumValue) -> String {
    value
        .number
        .map_or_else(|| value.value.clone(), |n| n.to_string())
}

struct Gen<'s> {
    schema: &'s Schema,
    out: String,
}

/// The generated file's text.
fn generate_text(schema: &Schema, header: &str, import: &str) -> Result<String, GenerateError> {
    let mut gen = Gen {
        schema,
        out: String::new(),
    };
    let largest = schema.largest.max(1);
    let o = &mut gen.out;
    let _ = writeln!(o, "// {header}");
    o.push_str(
        "//\n// Zig target of karmem-lsp (Zig 0.9/0.10); needs the karmem runtime\n\
         // (codegen/runtime/zig/karmem.zig, or upstream's zig/karmem.zig).\n\n",
    );
    let _ = writeln!(o, "const karmem = @import(\"{import}\");");
    o.push_str(
        "const std = @import(\"std\");\n\
         const testing = std.testing;\n\
         const Allocator = std.mem.Allocator;\n\
         const mem = std.mem;\n\
         const _root = @This();\n\n",
    );
    let _ = writeln!(o, "var _Null = [_]u8{{0}} ** {largest};");
    let _ = writeln!(
        o,
        "var _NullReader = karmem.NewReader(std.heap.page_allocator, _Null[0..{largest}]);"
    );
    if schema.structs.iter().any(|s| {
        s.class == Some(Class::Inline)
            && s.fields.iter().any(|f| {
                matches!(f.target, Some(TypeTarget::Struct(i)) if schema.structs.get(i).is_some_and(is_table))
            })
    }) {
        o.push_str(
            "\n/// Whether a viewer points into the null buffer (a missing struct).\n\
             fn _IsNull(ptr: *const anyopaque) bool {\n    \
             const address = @ptrToInt(ptr);\n    \
             const start = @ptrToInt(&_Null);\n    \
             return address >= start and address < start + _Null.len;\n}\n",
        );
    }
    for e in &schema.enums {
        gen.enumeration(e)?;
    }
    gen.packet_identifiers();
    for s in &schema.structs {
        gen.native(s)?;
    }
    for s in &schema.structs {
        gen.viewer(s)?;
    }
    Ok(gen.out)
}

impl<'s> Gen<'s> {
    fn enumeration(&mut self, e: &Enum) -> Result<(), GenerateError> {
        let base = e
            .base
            .ok_or_else(|| internal(format!("enum `{}` has no integer type", e.name)))?;
        let ty = ident(&enum_type(&e.name));
        let o = &mut self.out;
        o.push('\n');
        docs(o, "", e.docs.as_deref());
        let _ = writeln!(o, "pub const {ty} = enum({}) {{", primitive_type(base));
        let mut seen: Vec<(String, &str)> = Vec::new();
        let mut aliases = Vec::new();
        for v in &e.values {
            let number = value_number(v);
            if let Some((_, first)) = seen.iter().find(|(n, _)| *n == number) {
                aliases.push((v, *first));
                continue;
            }
            docs(o, "    ", v.docs.as_deref());
            let _ = writeln!(o, "    {} = {number},", ident(&v.name));
            seen.push((number, v.name.as_str()));
        }
        // Non-exhaustive unless every value of the type is named.
        let bits = base.integer_bits().map_or(64, |(b, _)| b);
        if bits >= 64 || (seen.len() as u64) < (1u64 << bits) {
            let _ = writeln!(o, "    _,");
        }
        for (v, first) in aliases {
            o.push('\n');
            docs(o, "    ", v.docs.as_deref());
            let _ = writeln!(
                o,
                "    pub const {}: @This() = .{};",
                ident(&v.name),
                ident(first)
            );
        }
        let _ = writeln!(o, "}};");
        let zero = e.values.iter().find(|v| v.number == Some(0));
        let default = match zero {
            Some(v) => format!("{ty}.{}", ident(&v.name)),
            None => format!("@intToEnum({ty}, 0)"),
        };
        let _ = writeln!(
            o,
            "const {} = {default};",
            ident(&format!("DefaultEnum{}", e.name))
        );
        Ok(())
    }

    fn packet_identifiers(&mut self) {
        let o = &mut self.out;
        o.push_str(
            "\n/// The struct ids of this schema (`@id`, or the hash of the name); they are never\n\
             /// part of a message.\n",
        );
        let _ = writeln!(o, "pub const EnumPacketIdentifier = enum(u64) {{");
        let mut seen: Vec<(u64, &str)> = Vec::new();
        let mut aliases = Vec::new();
        for s in &self.schema.structs {
            if let Some((_, first)) = seen.iter().find(|(id, _)| *id == s.id) {
                aliases.push((s.name.as_str(), *first));
                continue;
            }
            let _ = writeln!(o, "    {} = {},", ident(&s.name), s.id);
            seen.push((s.id, s.name.as_str()));
        }
        if seen.is_empty() {
            let _ = writeln!(o, "    _,");
        }
        for (name, first) in aliases {
            let _ = writeln!(
                o,
                "    pub const {}: @This() = .{};",
                ident(name),
                ident(first)
            );
        }
        let _ = writeln!(o, "}};");
    }

    fn native(&mut self, s: &'s Struct) -> Result<(), GenerateError> {
        let list = fields(self.schema, s)?;
        let scope = Scope {
            names: names::NATIVE_METHODS.to_vec(),
        };
        let me = scope.top(&s.name);
        let viewer = scope.top(&format!("{}Viewer", s.name));
        let total = total(s)?;
        let mut o = String::new();
        o.push('\n');
        docs(&mut o, "", s.docs.as_deref());
        let _ = writeln!(o, "pub const {} = struct {{", ident(&s.name));
        for f in &list {
            docs(&mut o, "    ", f.field.docs.as_deref());
            let (ty, default) = self.native_type(f, &scope);
            let _ = writeln!(o, "    {}: {ty} = {default},", f.name);
            if matches!(f.kind, Kind::Str(_) | Kind::Vec(..) | Kind::InlineVec(..)) {
                let _ = writeln!(
                    o,
                    "    {}: usize = 0,",
                    ident(&format!("_{}Capacity", f.field.name))
                );
            }
        }
        if !list.is_empty() {
            o.push('\n');
        }
        function(
            &mut o,
            "    ",
            &format!(
                "pub fn PacketIdentifier() {}",
                scope.top("EnumPacketIdentifier")
            ),
            &[],
            &format!(
                "return {}.{};",
                scope.top("EnumPacketIdentifier"),
                ident(&s.name)
            ),
        );
        o.push('\n');
        function(
            &mut o,
            "    ",
            &format!("pub fn Reset(x: *{me}) void"),
            &["x"],
            &format!("x.Read(@ptrCast(*const {viewer}, &_Null), &_NullReader) catch unreachable;"),
        );
        o.push('\n');
        function(
            &mut o,
            "    ",
            &format!("pub fn WriteAsRoot(x: *{me}, writer: *karmem.Writer) Allocator.Error!u32"),
            &["x", "writer"],
            "return x.Write(writer, 0);",
        );
        o.push('\n');
        function(
            &mut o,
            "    ",
            &format!(
                "pub fn Write(x: *{me}, writer: *karmem.Writer, start: usize) Allocator.Error!u32"
            ),
            &["x", "writer", "start"],
            &format!(
                "var offset = @intCast(u32, start);\n\
                 if (offset == 0) {{\n    offset = try writer.Alloc({total});\n}}\n\
                 try {}(x, writer, offset);\n\
                 return offset;",
                ident(&format!("_Write{}", s.name))
            ),
        );
        o.push('\n');
        function(
            &mut o,
            "    ",
            &format!("pub fn ReadAsRoot(x: *{me}, reader: *karmem.Reader) Allocator.Error!void"),
            &["x", "reader"],
            &format!(
                "return x.Read({}(reader, 0), reader);",
                scope.top(&format!("New{}Viewer", s.name))
            ),
        );
        o.push('\n');
        let mut body = String::new();
        for f in &list {
            self.read_field(&mut body, f, &scope);
        }
        function(
            &mut o,
            "    ",
            &format!(
                "pub fn Read(x: *{me}, viewer: *const {viewer}, reader: *karmem.Reader) Allocator.Error!void"
            ),
            &["x", "viewer", "reader"],
            &body,
        );
        let _ = writeln!(o, "}};");
        o.push('\n');
        let _ = writeln!(
            o,
            "/// A new `{}` with every field at its default.",
            s.name.replace('`', "")
        );
        function(
            &mut o,
            "",
            &format!(
                "pub fn {}() {}",
                ident(&format!("New{}", s.name)),
                ident(&s.name)
            ),
            &[],
            &format!("return {}{{}};", ident(&s.name)),
        );
        // The in-place writer (upstream's `Write` with `start != 0`, usable at offset 0).
        let mut body = String::new();
        if is_table(s) {
            let _ = writeln!(body, "const size: u32 = {total};");
            let _ = writeln!(
                body,
                "writer.WriteAt(offset, @ptrCast([*]const u8, &size), 4);"
            );
        }
        for f in &list {
            self.write_field(&mut body, f, s.packed)?;
        }
        for (start, len) in gaps(list.iter().map(|f| (f.offset, f.size)), total, is_table(s)) {
            let _ = writeln!(
                body,
                "writer.WriteAt({}, &([_]u8{{0}} ** {len}), {len});",
                at("offset", start)
            );
        }
        o.push('\n');
        function(
            &mut o,
            "",
            &format!(
                "fn {}(x: *const {}, writer: *karmem.Writer, offset: u32) Allocator.Error!void",
                ident(&format!("_Write{}", s.name)),
                ident(&s.name)
            ),
            &["x", "writer", "offset"],
            &body,
        );
        if let Some(wire) = wire_fields(s) {
            let me = ident(&s.name);
            let _ = writeln!(
                o,
                "\n/// Whether a `{}` is stored in memory exactly as in a message (then arrays and\n\
                 /// slices of it are copied in bulk).",
                s.name.replace('`', "")
            );
            let _ = write!(
                o,
                "const {} = @import(\"builtin\").cpu.arch.endian() == .Little and @sizeOf({me}) == {total}",
                wire_const(s)
            );
            for (name, offset) in wire {
                let _ = write!(o, " and @offsetOf({me}, \"{name}\") == {offset}");
            }
            o.push_str(";\n");
        }
        self.out.push_str(&o);
        Ok(())
    }

    /// The native field type and its default.
    fn native_type(&self, f: &FieldInfo, scope: &Scope) -> (String, String) {
        match f.kind {
            Kind::Scalar(p) => {
                let ty = primitive_type(p);
                let default = if p == Primitive::Bool { "false" } else { "0" };
                (ty.to_string(), default.to_string())
            }
            Kind::Enum(e) => (
                scope.top(&enum_type(&e.name)),
                scope.top(&format!("DefaultEnum{}", e.name)),
            ),
            Kind::Array(p, n) => {
                let ty = primitive_type(p);
                let zero = if p == Primitive::Bool { "false" } else { "0" };
                let default = if n == 0 {
                    format!("[_]{ty}{{}}")
                } else {
                    format!("[_]{ty}{{{zero}}} ** {n}")
                };
                (format!("[{n}]{ty}"), default)
            }
            Kind::Str(_) => ("[]u8".to_string(), "&[_]u8{}".to_string()),
            Kind::Vec(p, _) => {
                let ty = primitive_type(p);
                (format!("[]{ty}"), format!("&[_]{ty}{{}}"))
            }
            Kind::Inline(t) | Kind::Table(t) => (
                scope.top(&t.name),
                format!("{}()", scope.top(&format!("New{}", t.name))),
            ),
            Kind::InlineArray(t, n) => {
                let ty = scope.top(&t.name);
                let default = if n == 0 {
                    format!("[_]{ty}{{}}")
                } else {
                    format!(
                        "[_]{ty}{{{}()}} ** {n}",
                        scope.top(&format!("New{}", t.name))
                    )
                };
                (format!("[{n}]{ty}"), default)
            }
            Kind::InlineVec(t, _) => {
                let ty = scope.top(&t.name);
                (format!("[]{ty}"), format!("&[_]{ty}{{}}"))
            }
        }
    }

    fn read_field(&self, body: &mut String, f: &FieldInfo, scope: &Scope) {
        let name = &f.name;
        let capacity = ident(&format!("_{}Capacity", f.field.name));
        match f.kind {
            Kind::Scalar(_) | Kind::Enum(_) => {
                let _ = writeln!(body, "x.{name} = viewer.{name}();");
            }
            Kind::Array(p, _) => {
                let value = match p {
                    Primitive::Bool => "i < src.len and src[i] != 0",
                    _ => "if (i < src.len) src[i] else 0",
                };
                let _ = writeln!(
                    body,
                    "{{\n    const src = viewer.{name}();\n    for (x.{name}) |*e, i| {{\n        e.* = {value};\n    }}\n}}"
                );
            }
            Kind::InlineVec(t, _) if t.size.as_ref().is_some_and(|size| size.total == 0) => {
                // Zero-size elements: never anything to read (and no storage to allocate).
                let _ = writeln!(body, "x.{name} = x.{name}[0..0];");
            }
            Kind::Str(_) | Kind::Vec(..) | Kind::InlineVec(..) => {
                let _ = writeln!(body, "{{\n    const src = viewer.{name}(reader);");
                let _ = writeln!(body, "    if (src.len > x.{capacity}) {{");
                if let Kind::InlineVec(t, _) = f.kind {
                    let _ = writeln!(
                        body,
                        "        const old = x.{capacity};\n        \
                         const grown = try reader.allocator.realloc(x.{name}.ptr[0..old], src.len);\n        \
                         for (grown[old..]) |*e| {{\n            e.* = {}();\n        }}",
                        scope.top(&format!("New{}", t.name))
                    );
                } else {
                    let _ = writeln!(
                        body,
                        "        const grown = try reader.allocator.realloc(x.{name}.ptr[0..x.{capacity}], src.len);"
                    );
                }
                let _ = writeln!(
                    body,
                    "        x.{name} = grown;\n        x.{capacity} = grown.len;\n    }}\n    \
                     x.{name} = x.{name}.ptr[0..src.len];"
                );
                match f.kind {
                    Kind::Str(_) | Kind::Vec(Primitive::Byte | Primitive::Uint8, _) => {
                        let _ = writeln!(body, "    mem.copy(u8, x.{name}, src);");
                    }
                    Kind::Vec(Primitive::Bool, _) => {
                        let _ = writeln!(
                            body,
                            "    for (x.{name}) |*e, i| {{\n        e.* = src[i] != 0;\n    }}"
                        );
                    }
                    Kind::InlineVec(t, _) => {
                        let each = "for (x.NAME) |*e, i| {\n    try e.Read(&src[i], reader);\n}"
                            .replace("NAME", name);
                        match (wire_fields(t), t.size.as_ref()) {
                            (Some(_), Some(size)) => {
                                let _ = writeln!(
                                    body,
                                    "    if ({}) {{\n        \
                                     @memcpy(@ptrCast([*]u8, x.{name}.ptr), @ptrCast([*]const u8, src.ptr), src.len * {});\n    \
                                     }} else {{\n{}\n    }}",
                                    wire_const(t),
                                    size.total,
                                    indent(&each, "        ")
                                );
                            }
                            _ => {
                                let _ = writeln!(body, "{}", indent(&each, "    "));
                            }
                        }
                    }
                    _ => {
                        let _ = writeln!(
                            body,
                            "    for (x.{name}) |*e, i| {{\n        e.* = src[i];\n    }}"
                        );
                    }
                }
                let _ = writeln!(body, "}}");
            }
            Kind::Inline(_) => {
                let _ = writeln!(body, "try x.{name}.Read(viewer.{name}(), reader);");
            }
            Kind::InlineArray(t, n) => {
                let each = "for (x.NAME) |*e, i| {\n    if (i < src.len) {\n        try e.Read(&src[i], reader);\n    \
                            } else {\n        e.Reset();\n    }\n}"
                    .replace("NAME", name);
                match (wire_fields(t), t.size.as_ref()) {
                    (Some(_), Some(size)) if n > 0 => {
                        let _ = writeln!(
                            body,
                            "{{\n    const src = viewer.{name}();\n    if ({}) {{\n        \
                             const count = std.math.min(src.len, {n});\n        \
                             @memcpy(@ptrCast([*]u8, &x.{name}), @ptrCast([*]const u8, src.ptr), count * {});\n        \
                             for (x.{name}[count..]) |*e| {{\n            e.Reset();\n        }}\n    \
                             }} else {{\n{}\n    }}\n}}",
                            wire_const(t),
                            size.total,
                            indent(&each, "        ")
                        );
                    }
                    _ => {
                        let _ = writeln!(
                            body,
                            "{{\n    const src = viewer.{name}();\n{}\n}}",
                            indent(&each, "    ")
                        );
                    }
                }
            }
            Kind::Table(_) => {
                let _ = writeln!(body, "try x.{name}.Read(viewer.{name}(reader), reader);");
            }
        }
    }

    fn write_field(
        &self,
        body: &mut String,
        f: &FieldInfo,
        packed: bool,
    ) -> Result<(), GenerateError> {
        let name = &f.name;
        let slot = at("offset", f.offset);
        match f.kind {
            Kind::Scalar(_) | Kind::Enum(_) | Kind::Array(..) => {
                if f.size > 0 {
                    let _ = writeln!(
                        body,
                        "writer.WriteAt({slot}, @ptrCast([*]const u8, &x.{name}), {});",
                        f.size
                    );
                }
            }
            Kind::Str(_) | Kind::Vec(..) | Kind::InlineVec(..) => {
                let element = match f.kind {
                    Kind::Str(_) => 1,
                    Kind::Vec(p, _) => p.size(),
                    Kind::InlineVec(t, _) => total(t)?,
                    _ => 0,
                };
                let _ = writeln!(body, "{{");
                let _ = writeln!(
                    body,
                    "    const len = std.math.cast(u32, x.{name}.len * {element}) orelse return error.OutOfMemory;\n    \
                     const ptr = try writer.Alloc(len);\n    \
                     writer.WriteAt({slot}, @ptrCast([*]const u8, &ptr), 4);\n    \
                     writer.WriteAt({}, @ptrCast([*]const u8, &len), 4);",
                    at("offset", f.offset + 4)
                );
                if !packed {
                    let _ = writeln!(
                        body,
                        "    const stride: u32 = {element};\n    \
                         writer.WriteAt({}, @ptrCast([*]const u8, &stride), 4);",
                        at("offset", f.offset + 8)
                    );
                }
                if let Kind::InlineVec(t, _) = f.kind {
                    let each = format!(
                        "for (x.{name}) |*e, i| {{\n    try {}(e, writer, ptr + @intCast(u32, i) * {element});\n}}",
                        ident(&format!("_Write{}", t.name))
                    );
                    if wire_fields(t).is_some() {
                        let _ = writeln!(
                            body,
                            "    if ({}) {{\n        \
                             writer.WriteAt(ptr, @ptrCast([*]const u8, x.{name}.ptr), len);\n    \
                             }} else {{\n{}\n    }}",
                            wire_const(t),
                            indent(&each, "        ")
                        );
                    } else {
                        let _ = writeln!(body, "{}", indent(&each, "    "));
                    }
                } else {
                    let _ = writeln!(
                        body,
                        "    writer.WriteAt(ptr, @ptrCast([*]const u8, x.{name}.ptr), len);"
                    );
                }
                let _ = writeln!(body, "}}");
            }
            Kind::Inline(t) => {
                let _ = writeln!(
                    body,
                    "try {}(&x.{name}, writer, {slot});",
                    ident(&format!("_Write{}", t.name))
                );
            }
            Kind::InlineArray(t, n) => {
                let each = format!(
                    "for (x.{name}) |*e, i| {{\n    try {}(e, writer, {slot} + @intCast(u32, i) * {});\n}}",
                    ident(&format!("_Write{}", t.name)),
                    total(t)?
                );
                if n > 0 && wire_fields(t).is_some() {
                    let _ = writeln!(
                        body,
                        "if ({}) {{\n    writer.WriteAt({slot}, @ptrCast([*]const u8, &x.{name}), {});\n}} else {{\n{}\n}}",
                        wire_const(t),
                        f.size,
                        indent(&each, "    ")
                    );
                } else {
                    let _ = writeln!(body, "{each}");
                }
            }
            Kind::Table(t) => {
                let _ = writeln!(
                    body,
                    "{{\n    const ptr = try writer.Alloc({});\n    \
                     writer.WriteAt({slot}, @ptrCast([*]const u8, &ptr), 4);\n    \
                     try {}(&x.{name}, writer, ptr);\n}}",
                    total(t)?,
                    ident(&format!("_Write{}", t.name))
                );
            }
        }
        Ok(())
    }

    fn viewer(&mut self, s: &'s Struct) -> Result<(), GenerateError> {
        let list = fields(self.schema, s)?;
        let mut names: Vec<&str> = names::VIEWER_METHODS.to_vec();
        names.extend(s.fields.iter().map(|f| f.name.as_str()));
        let scope = Scope { names };
        let viewer_name = format!("{}Viewer", s.name);
        let me = scope.top(&viewer_name);
        let total = total(s)?;
        let table = is_table(s);
        let mut o = String::new();
        o.push('\n');
        let _ = writeln!(
            o,
            "/// A zero-copy view of a `{}` inside a message.",
            s.name.replace('`', "")
        );
        let _ = writeln!(o, "pub const {} = extern struct {{", ident(&viewer_name));
        let _ = writeln!(o, "    _data: [{total}]u8,\n");
        let size_body = if table {
            "return mem.readIntLittle(u32, x._data[0..4]);".to_string()
        } else {
            format!("return {total};")
        };
        function(
            &mut o,
            "    ",
            &format!("pub fn Size(x: *const {me}) u32"),
            &["x"],
            &size_body,
        );
        for f in &list {
            o.push('\n');
            docs(&mut o, "    ", f.field.docs.as_deref());
            self.accessor(&mut o, s, f, &scope, &me)?;
        }
        let _ = writeln!(o, "}};");
        o.push('\n');
        let _ = writeln!(
            o,
            "/// The `{}` at `offset`, or the null viewer (every field default) when it does not fit.",
            s.name.replace('`', "")
        );
        let ty = ident(&viewer_name);
        let mut body = format!(
            "if (!reader.IsValidOffset(offset, {})) {{\n    return @ptrCast(*const {ty}, &_Null);\n}}\n\
             const v = @ptrCast(*const {ty}, reader.memory.ptr + offset);\n",
            minimum(s)?
        );
        if table {
            let _ = writeln!(
                body,
                "if (!reader.IsValidOffset(offset, v.Size())) {{\n    return @ptrCast(*const {ty}, &_Null);\n}}"
            );
        }
        body.push_str("return v;");
        function(
            &mut o,
            "",
            &format!(
                "pub fn {}(reader: *karmem.Reader, offset: u32) *const {ty}",
                ident(&format!("New{viewer_name}"))
            ),
            &["reader", "offset"],
            &body,
        );
        self.out.push_str(&o);
        Ok(())
    }

    fn accessor(
        &self,
        o: &mut String,
        s: &Struct,
        f: &FieldInfo,
        scope: &Scope,
        me: &str,
    ) -> Result<(), GenerateError> {
        let name = &f.name;
        let start = f.offset;
        let end = f.offset + f.size;
        let table = is_table(s);
        let null_of = |t: &Struct| {
            format!(
                "@ptrCast(*const {}, &_Null)",
                scope.top(&format!("{}Viewer", t.name))
            )
        };
        // (return type, default expression, takes reader, body when present)
        let (ret, default, with_reader, present): (String, String, bool, String) = match f.kind {
            Kind::Scalar(p) => {
                let read = match p {
                    Primitive::Bool => format!("return x._data[{start}] != 0;"),
                    Primitive::Float32 => format!(
                        "return @bitCast(f32, mem.readIntLittle(u32, x._data[{start}..{end}]));"
                    ),
                    Primitive::Float64 => format!(
                        "return @bitCast(f64, mem.readIntLittle(u64, x._data[{start}..{end}]));"
                    ),
                    _ => format!(
                        "return mem.readIntLittle({}, x._data[{start}..{end}]);",
                        primitive_type(p)
                    ),
                };
                let default = if p == Primitive::Bool { "false" } else { "0" };
                (
                    primitive_type(p).to_string(),
                    default.to_string(),
                    false,
                    read,
                )
            }
            Kind::Enum(e) => {
                let base = e.base.map_or("u8", primitive_type);
                let ty = scope.top(&enum_type(&e.name));
                (
                    ty.clone(),
                    scope.top(&format!("DefaultEnum{}", e.name)),
                    false,
                    format!("return @intToEnum({ty}, mem.readIntLittle({base}, x._data[{start}..{end}]));"),
                )
            }
            Kind::Array(p, n) => {
                let (ret, elem) = slice_type(p);
                let present = if n == 0 {
                    format!("return &[_]{elem}{{}};")
                } else if p.size() == 1 {
                    format!("return @ptrCast([*]const {elem}, x._data[{start}..{end}])[0..{n}];")
                } else {
                    format!("return @ptrCast([*]align(1) const {elem}, x._data[{start}..{end}])[0..{n}];")
                };
                // A missing array reads as N defaults: N elements of the null buffer.
                let default = if n == 0 {
                    format!("&[_]{elem}{{}}")
                } else if p.size() == 1 {
                    format!("@ptrCast([*]const {elem}, &_Null)[0..{n}]")
                } else {
                    format!("@ptrCast([*]align(1) const {elem}, &_Null)[0..{n}]")
                };
                (ret, default, false, present)
            }
            Kind::Str(limit) | Kind::Vec(_, limit) => {
                let p = match f.kind {
                    Kind::Vec(p, _) => p,
                    _ => Primitive::Char,
                };
                let (ret, elem) = slice_type(p);
                let cast = if p.size() == 1 {
                    format!("@ptrCast([*]const {elem}, reader.memory.ptr + ptr)")
                } else {
                    format!("@ptrCast([*]align(1) const {elem}, reader.memory.ptr + ptr)")
                };
                let present = slice_body(start, p.size(), limit, &cast, &elem);
                (ret, format!("&[_]{elem}{{}}"), true, present)
            }
            Kind::Inline(t) => {
                let ty = scope.top(&format!("{}Viewer", t.name));
                let t_total = total(t)?;
                (
                    format!("*const {ty}"),
                    null_of(t),
                    false,
                    format!(
                        "return @ptrCast(*const {ty}, x._data[{start}..{}]);",
                        start + t_total
                    ),
                )
            }
            Kind::InlineArray(t, n) => {
                let ty = scope.top(&format!("{}Viewer", t.name));
                let t_total = total(t)?;
                let present = if n == 0 {
                    format!("return &[_]{ty}{{}};")
                } else if t_total == 0 {
                    format!("return @ptrCast([*]const {ty}, &_Null)[0..{n}];")
                } else {
                    format!("return @ptrCast([*]const {ty}, x._data[{start}..{end}])[0..{n}];")
                };
                let default = if n == 0 {
                    format!("&[_]{ty}{{}}")
                } else {
                    format!("@ptrCast([*]const {ty}, &_Null)[0..{n}]")
                };
                (format!("[]const {ty}"), default, false, present)
            }
            Kind::InlineVec(t, limit) => {
                let ty = scope.top(&format!("{}Viewer", t.name));
                let t_total = total(t)?;
                let cast = format!("@ptrCast([*]const {ty}, reader.memory.ptr + ptr)");
                let present = slice_body(start, t_total, limit, &cast, &ty);
                (
                    format!("[]const {ty}"),
                    format!("&[_]{ty}{{}}"),
                    true,
                    present,
                )
            }
            Kind::Table(t) => {
                let ty = scope.top(&format!("{}Viewer", t.name));
                let mut present = String::new();
                if !table {
                    // A missing inline struct reads as the null buffer: its tables are null
                    // too (upstream would read offset 0, the root message).
                    let _ = writeln!(
                        present,
                        "if (_IsNull(x)) {{\n    return {};\n}}",
                        null_of(t)
                    );
                }
                let _ = write!(
                    present,
                    "return {}(reader, mem.readIntLittle(u32, x._data[{start}..{end}]));",
                    scope.top(&format!("New{}Viewer", t.name))
                );
                (format!("*const {ty}"), null_of(t), true, present)
            }
        };
        let mut body = String::new();
        if table {
            let _ = writeln!(body, "if ({end} > x.Size()) {{\n    return {default};\n}}");
        }
        body.push_str(&present);
        let (signature, params): (String, &[&str]) = if with_reader {
            (
                format!("pub fn {name}(x: *const {me}, reader: *karmem.Reader) {ret}"),
                &["x", "reader"],
            )
        } else {
            (format!("pub fn {name}(x: *const {me}) {ret}"), &["x"])
        };
        function(o, "    ", &signature, params, &body);
        Ok(())
    }
}

/// The viewer's slice type for primitive elements and the element type: raw bytes for
/// `bool` (a byte other than 0/1 is not a Zig `bool`), `align(1)` for multi-byte elements.
fn slice_type(p: Primitive) -> (String, String) {
    match p {
        Primitive::Bool => ("[]const u8".to_string(), "u8".to_string()),
        p if p.size() == 1 => (
            format!("[]const {}", primitive_type(p)),
            primitive_type(p).to_string(),
        ),
        p => (
            format!("[]align(1) const {}", primitive_type(p)),
            primitive_type(p).to_string(),
        ),
    }
}

/// The body of a slice accessor (after the presence check): read the (offset, bytes)
/// header at `start`, bounds-check, count the elements, clamp to the limit.
fn slice_body(start: u32, element: u32, limit: Option<u32>, cast: &str, elem: &str) -> String {
    if element == 0 || limit == Some(0) {
        // Zero-size elements (or a limit of 0): never anything to read.
        return format!("return &[_]{elem}{{}};");
    }
    let mut body = format!(
        "const ptr = mem.readIntLittle(u32, x._data[{start}..{}]);\n\
         const len = mem.readIntLittle(u32, x._data[{}..{}]);\n\
         if (!reader.IsValidOffset(ptr, len)) {{\n    return &[_]{elem}{{}};\n}}\n",
        start + 4,
        start + 4,
        start + 8
    );
    let count = if element == 1 {
        "len".to_string()
    } else {
        format!("len / {element}")
    };
    match limit {
        Some(n) => {
            let _ = writeln!(body, "const count = std.math.min({count}, {n});");
        }
        None => {
            let _ = writeln!(body, "const count = {count};");
        }
    }
    let _ = write!(body, "return {cast}[0..count];");
    body
}
