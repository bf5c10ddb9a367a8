//! The AssemblyScript target (`codegen/assemblyscript.md`): one file `<module>_generated.ts`
//! per schema, using the runtime `codegen/runtime/assemblyscript/karmem.ts` (or upstream's,
//! which has the same API).
//!
//! The public API has upstream's names and shapes: per enum a type alias and constants,
//! `PacketIdentifier<Struct>` constants, per struct a class with static `Reset`,
//! `WriteAsRoot`, `Write`, `ReadAsRoot`, `Read`, `PacketIdentifier`, a `New<Struct>()`
//! function, an `@unmanaged` viewer class and `New<Struct>Viewer()`. Upstream's defects are
//! fixed (`common.md` §6 and the page's own list):
//!
//! * nested inline structs are written in place through `WriteInPlace` (never through the
//!   `start == 0` "allocate" sentinel), so an inline root whose first field is an inline
//!   struct round-trips;
//! * every allocation is checked against `0xFFFFFFFF`, and `WriteAsRoot` returns the result;
//! * `char` outside strings is `u8`, `[N]char` is `StaticArray<u8>`;
//! * slices of zero-size elements read as empty;
//! * limited strings are cut at their limit on read, like every other target;
//! * `[N]T` writes exactly N elements whatever the length of the array;
//! * bools read as "byte != 0" and write as 0/1;
//! * a missing inline struct or fixed array reads as defaults, including the tables it
//!   points to (upstream reads them from offset 0, the root);
//! * duplicate struct ids and names that would collide or shadow a global are refused.
//!
//! The output compiles without warnings with `asc` 0.28.20.

mod names;

use karmem_syntax::model::{Field, Primitive, Schema, Struct, TypeModel, TypeTarget};

use crate::targets_common::is_table;
use crate::{GenerateError, GenerateInput, GeneratedFile, Generator, NameProblem};

pub use names::problems;

/// The default of `@assemblyscript.import`: upstream's module specifier of the runtime.
pub const DEFAULT_IMPORT: &str = "karmem/assemblyscript/karmem";

/// The `assemblyscript` target.
pub struct AssemblyScriptGenerator;

impl Generator for AssemblyScriptGenerator {
    fn name(&self) -> &'static str {
        "assemblyscript"
    }

    fn problems(&self, schema: &Schema) -> Vec<NameProblem> {
        names::problems(schema)
    }

    fn generate(&self, input: &GenerateInput) -> Result<Vec<GeneratedFile>, GenerateError> {
        let import = input.options.get("import").unwrap_or(DEFAULT_IMPORT);
        check_import(import)?;
        crate::problems::refuse(LANGUAGE, names::problems(input.schema))?;
        let text = Gen::new(input.schema)?.file(&input.header(), import)?;
        input.single_file("ts", text)
    }
}

/// The language named in this target's errors.
const LANGUAGE: &str = "AssemblyScript";

fn unsupported(message: String) -> GenerateError {
    crate::targets_common::unsupported(LANGUAGE, message)
}

/// `@assemblyscript.import` is put in a single-quoted string: it must be a non-empty
/// module specifier without quotes, backslashes or control characters.
fn check_import(import: &str) -> Result<(), GenerateError> {
    let invalid = |why: &str| GenerateError::InvalidOption {
        key: "import".to_string(),
        message: format!("`{import}` is not a usable module specifier for the runtime ({why})"),
    };
    if import.trim().is_empty() {
        return Err(invalid("empty"));
    }
    if import.trim() != import {
        return Err(invalid("leading or trailing spaces"));
    }
    if let Some(c) = import
        .chars()
        .find(|&c| matches!(c, '\'' | '"' | '`' | '\\') || c.is_control())
    {
        return Err(invalid(&format!("contains {c:?}")));
    }
    Ok(())
}

/// The AssemblyScript type of a primitive (`char` is a byte outside strings).
fn primitive_type(p: Primitive) -> &'static str {
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

/// What a field is, for code generation. Numbers are element type names (a primitive's
/// AssemblyScript type or an enum's alias) with their size.
enum Kind<'s> {
    /// A single number or enum.
    Scalar(String),
    /// A single bool.
    Bool,
    /// `[N]T` of numbers, enums or bools.
    Array(String, u32, u32),
    /// `[]char`, `[<N]char`.
    Str(Option<u32>),
    /// `[]T`, `[<N]T` of numbers, enums or bools.
    Vec(String, u32, Option<u32>),
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
    offset: u32,
    size: u32,
    kind: Kind<'s>,
}

struct Gen<'s> {
    schema: &'s Schema,
    out: String,
}

/// A schema doc comment as a JSDoc block (`*/` cannot end it early).
fn doc_lines(docs: Option<&str>) -> Vec<String> {
    let Some(docs) = docs else {
        return Vec::new();
    };
    let lines: Vec<String> = docs
        .lines()
        .map(|l| l.trim_end().replace("*/", "*\\/"))
        .collect();
    if lines.iter().all(|l| l.trim().is_empty()) {
        return Vec::new();
    }
    let mut out = vec!["/**".to_string()];
    for line in lines {
        if line.is_empty() {
            out.push(" *".to_string());
        } else {
            out.push(format!(" * {line}"));
        }
    }
    out.push(" */".to_string());
    out
}

impl<'s> Gen<'s> {
    fn new(schema: &'s Schema) -> Result<Self, GenerateError> {
        for s in &schema.structs {
            if s.size.is_none() || s.class.is_none() {
                return Err(unsupported(format!("struct `{}` has no layout", s.name)));
            }
        }
        Ok(Gen {
            schema,
            out: String::new(),
        })
    }

    fn line(&mut self, indent: usize, text: &str) {
        if !text.is_empty() {
            for _ in 0..indent {
                self.out.push_str("    ");
            }
            self.out.push_str(text);
        }
        self.out.push('\n');
    }

    fn docs(&mut self, indent: usize, docs: Option<&str>) {
        for line in doc_lines(docs) {
            self.line(indent, &line);
        }
    }

    fn total(s: &Struct) -> u32 {
        s.size.as_ref().map_or(0, |z| z.total)
    }

    fn element(&self, target: TypeTarget) -> Result<(String, u32), GenerateError> {
        match target {
            TypeTarget::Primitive(p) => Ok((primitive_type(p).to_string(), p.size())),
            TypeTarget::Enum(i) => {
                let e = self
                    .schema
                    .enums
                    .get(i)
                    .ok_or_else(|| unsupported(format!("unknown enum #{i}")))?;
                let base = e
                    .base
                    .ok_or_else(|| unsupported(format!("enum `{}` has no base type", e.name)))?;
                Ok((e.name.clone(), base.size()))
            }
            TypeTarget::Struct(i) => Err(unsupported(format!("struct #{i} used as a number"))),
        }
    }

    fn info(&self, f: &'s Field) -> Result<FieldInfo<'s>, GenerateError> {
        let layout = f
            .layout
            .ok_or_else(|| unsupported(format!("field `{}` has no layout", f.name)))?;
        let target = f
            .target
            .ok_or_else(|| unsupported(format!("field `{}` has no type", f.name)))?;
        let limit = (f.model == TypeModel::SliceLimited).then_some(f.length);
        let kind = match target {
            TypeTarget::Struct(i) => {
                let s = self
                    .schema
                    .structs
                    .get(i)
                    .ok_or_else(|| unsupported(format!("unknown struct #{i}")))?;
                match (f.model, is_table(s)) {
                    (TypeModel::Single, true) => Kind::Table(s),
                    (TypeModel::Single, false) => Kind::Inline(s),
                    (TypeModel::Array, false) => Kind::InlineArray(s, f.length),
                    (TypeModel::Slice | TypeModel::SliceLimited, false) => {
                        Kind::InlineVec(s, limit)
                    }
                    _ => {
                        return Err(unsupported(format!(
                            "field `{}`: tables can only be single fields",
                            f.name
                        )))
                    }
                }
            }
            TypeTarget::Primitive(Primitive::Char)
                if matches!(f.model, TypeModel::Slice | TypeModel::SliceLimited) =>
            {
                Kind::Str(limit)
            }
            TypeTarget::Primitive(Primitive::Bool) if f.model == TypeModel::Single => Kind::Bool,
            other => {
                let (ty, size) = self.element(other)?;
                match f.model {
                    TypeModel::Single => Kind::Scalar(ty),
                    TypeModel::Array => Kind::Array(ty, size, f.length),
                    _ => Kind::Vec(ty, size, limit),
                }
            }
        };
        Ok(FieldInfo {
            field: f,
            offset: layout.offset,
            size: layout.field,
            kind,
        })
    }

    fn file(mut self, header: &str, import: &str) -> Result<String, GenerateError> {
        let schema = self.schema;
        self.line(0, &format!("// {header}"));
        self.line(0, "");
        self.line(0, &format!("import * as karmem from '{import}';"));
        self.line(0, "");
        let largest = schema.largest;
        self.line(0, &format!("let _Null = new StaticArray<u8>({largest});"));
        self.line(0, "let _NullReader = karmem.NewReader(_Null);");
        let inline_table = schema.structs.iter().any(|s| {
            !is_table(s)
                && s.fields.iter().any(|f| {
                    matches!(f.target, Some(TypeTarget::Struct(i))
                        if schema.structs.get(i).is_some_and(is_table))
                })
        });
        if inline_table {
            self.line(0, "");
            self.line(
                0,
                "// Whether a viewer points into `_Null` (a missing struct): the tables it refers",
            );
            self.line(0, "// to are missing too.");
            self.line(0, "@inline function _IsNull(ptr: usize): bool {");
            self.line(1, "const start = changetype<usize>(_Null);");
            self.line(
                1,
                &format!("return ptr >= start && ptr < start + <usize>{largest};"),
            );
            self.line(0, "}");
        }
        for e in &schema.enums {
            let base = e
                .base
                .ok_or_else(|| unsupported(format!("enum `{}` has no base type", e.name)))?;
            self.line(0, "");
            self.docs(0, e.docs.as_deref());
            self.line(
                0,
                &format!("export type {} = {};", e.name, primitive_type(base)),
            );
            for v in &e.values {
                let number = v.number.ok_or_else(|| {
                    unsupported(format!(
                        "value `{}` of enum `{}` has no number",
                        v.name, e.name
                    ))
                })?;
                self.docs(0, v.docs.as_deref());
                self.line(
                    0,
                    &format!("export const {}{} : {} = {number};", e.name, v.name, e.name),
                );
            }
        }
        self.line(0, "");
        self.line(0, "export type PacketIdentifier = u64;");
        for s in &schema.structs {
            self.line(
                0,
                &format!(
                    "export const PacketIdentifier{} : PacketIdentifier = {};",
                    s.name, s.id
                ),
            );
        }
        for s in &schema.structs {
            self.native(s)?;
        }
        for s in &schema.structs {
            self.viewer(s)?;
        }
        Ok(self.out)
    }

    // -----------------------------------------------------------------------------------
    // Native classes

    fn native(&mut self, s: &'s Struct) -> Result<(), GenerateError> {
        let name = &s.name;
        let fields: Vec<FieldInfo> = s
            .fields
            .iter()
            .map(|f| self.info(f))
            .collect::<Result<_, _>>()?;
        self.line(0, "");
        self.docs(0, s.docs.as_deref());
        self.line(0, &format!("export class {name} {{"));
        for f in &fields {
            self.docs(1, f.field.docs.as_deref());
            let ty = Self::native_type(&f.kind);
            self.line(1, &format!("{}: {ty};", f.field.name));
        }
        if !fields.is_empty() {
            self.line(0, "");
        }
        self.line(1, "static PacketIdentifier(): PacketIdentifier {");
        self.line(2, &format!("return PacketIdentifier{name};"));
        self.line(1, "}");
        self.line(0, "");
        self.line(
            1,
            "/** Sets every field to its default, reusing the arrays. */",
        );
        self.line(1, &format!("static Reset(x: {name}): void {{"));
        self.line(
            2,
            &format!(
                "{name}.Read(x, changetype<{name}Viewer>(changetype<usize>(_Null)), _NullReader);"
            ),
        );
        self.line(1, "}");
        self.line(0, "");
        self.line(
            1,
            "/** Writes `x` as the message's root (at the writer's end); false when the writer is full. */",
        );
        self.line(
            1,
            &format!("static WriteAsRoot(x: {name}, writer: karmem.Writer): bool {{"),
        );
        self.line(2, &format!("return {name}.Write(x, writer, 0);"));
        self.line(1, "}");
        self.line(0, "");
        self.line(
            1,
            "/** Writes `x` at `start`, or at a new allocation when `start` is 0; false when the writer is full. */",
        );
        self.line(
            1,
            &format!("static Write(x: {name}, writer: karmem.Writer, start: u32): bool {{"),
        );
        self.line(2, "let offset = start;");
        self.line(2, "if (offset == 0) {");
        self.line(3, &format!("offset = writer.Alloc({});", Self::total(s)));
        self.line(3, "if (offset == 0xFFFFFFFF) {");
        self.line(4, "return false;");
        self.line(3, "}");
        self.line(2, "}");
        self.line(
            2,
            &format!("return {name}.WriteInPlace(x, writer, offset);"),
        );
        self.line(1, "}");
        self.line(0, "");
        self.line(
            1,
            "/** Writes `x` at `offset`, which the caller allocated (even when it is 0). */",
        );
        self.line(
            1,
            &format!("static WriteInPlace(x: {name}, writer: karmem.Writer, offset: u32): bool {{"),
        );
        if is_table(s) {
            let content = s.size.as_ref().map_or(0, |z| z.content);
            self.line(2, &format!("writer.WriteAt<u32>(offset, {content});"));
        }
        for f in &fields {
            self.write_field(s, f);
        }
        self.line(2, "return true;");
        self.line(1, "}");
        self.line(0, "");
        self.line(
            1,
            "/** Reads the root of the message into `x`, reusing its arrays. */",
        );
        self.line(
            1,
            &format!("static ReadAsRoot(x: {name}, reader: karmem.Reader): void {{"),
        );
        self.line(
            2,
            &format!("{name}.Read(x, New{name}Viewer(reader, 0), reader);"),
        );
        self.line(1, "}");
        self.line(0, "");
        self.line(1, "/** Copies `viewer` into `x`, reusing its arrays. */");
        self.line(
            1,
            &format!(
                "static Read(x: {name}, viewer: {name}Viewer, reader: karmem.Reader): void {{"
            ),
        );
        for f in &fields {
            self.read_field(f);
        }
        self.line(1, "}");
        self.line(0, "}");
        self.line(0, "");
        self.line(
            0,
            &format!("/** A new `{name}` with every field set to its default. */"),
        );
        self.line(0, &format!("export function New{name}(): {name} {{"));
        self.line(1, &format!("const x: {name} = {{"));
        for f in &fields {
            self.line(
                2,
                &format!("{}: {},", f.field.name, Self::native_default(&f.kind)),
            );
        }
        self.line(1, "};");
        for f in &fields {
            let n = &f.field.name;
            match &f.kind {
                Kind::Array(..) => {} // StaticArray of numbers starts zeroed.
                Kind::InlineArray(t, _) => {
                    self.line(1, &format!("for (let i = 0; i < x.{n}.length; i++) {{"));
                    self.line(2, &format!("x.{n}[i] = New{}();", t.name));
                    self.line(1, "}");
                }
                _ => {}
            }
        }
        self.line(1, "return x;");
        self.line(0, "}");
        Ok(())
    }

    fn native_type(kind: &Kind) -> String {
        match kind {
            Kind::Scalar(ty) => ty.clone(),
            Kind::Bool => "bool".into(),
            Kind::Array(ty, _, _) => format!("StaticArray<{ty}>"),
            Kind::Str(_) => "string".into(),
            Kind::Vec(ty, _, _) => format!("Array<{ty}>"),
            Kind::Inline(t) | Kind::Table(t) => t.name.clone(),
            Kind::InlineArray(t, _) => format!("StaticArray<{}>", t.name),
            Kind::InlineVec(t, _) => format!("Array<{}>", t.name),
        }
    }

    fn native_default(kind: &Kind) -> String {
        match kind {
            Kind::Scalar(..) => "0".into(),
            Kind::Bool => "false".into(),
            Kind::Array(ty, _, n) => format!("new StaticArray<{ty}>({n})"),
            Kind::Str(_) => "\"\"".into(),
            Kind::Vec(ty, _, _) => format!("new Array<{ty}>(0)"),
            Kind::Inline(t) | Kind::Table(t) => format!("New{}()", t.name),
            Kind::InlineArray(t, n) => format!("new StaticArray<{}>({n})", t.name),
            Kind::InlineVec(t, _) => format!("new Array<{}>(0)", t.name),
        }
    }

    /// The slice header: offset, byte size and (non-packed) element size at `at`.
    fn slice_header(&mut self, s: &Struct, at: &str, data: &str, bytes: &str, element: u32) {
        self.line(2, &format!("writer.WriteAt<u32>({at}, {data});"));
        self.line(2, &format!("writer.WriteAt<u32>({at} + 4, {bytes});"));
        if !s.packed {
            self.line(2, &format!("writer.WriteAt<u32>({at} + 8, {element});"));
        }
    }

    /// `let __<n>Data = writer.Alloc(bytes)` with the failure check; `bytes` is a u64
    /// expression.
    fn alloc_slice(&mut self, n: &str, bytes: &str) {
        self.line(2, &format!("const __{n}Bytes: u64 = {bytes};"));
        self.line(2, &format!("if (__{n}Bytes > <u64>0xFFFFFFFF) {{"));
        self.line(3, "return false;");
        self.line(2, "}");
        self.line(
            2,
            &format!("const __{n}Data = writer.Alloc(<u32>__{n}Bytes);"),
        );
        self.line(2, &format!("if (__{n}Data == 0xFFFFFFFF) {{"));
        self.line(3, "return false;");
        self.line(2, "}");
    }

    fn write_field(&mut self, s: &Struct, f: &FieldInfo) {
        let n = &f.field.name;
        let at = format!("offset + {}", f.offset);
        match &f.kind {
            Kind::Scalar(ty) => {
                self.line(2, &format!("writer.WriteAt<{ty}>({at}, x.{n});"));
            }
            Kind::Bool => {
                self.line(2, &format!("writer.WriteAt<u8>({at}, x.{n} ? 1 : 0);"));
            }
            Kind::Array(ty, size, len) => {
                self.line(2, &format!("if (x.{n}.length == {len}) {{"));
                self.line(
                    3,
                    &format!("writer.WriteArrayAt<StaticArray<{ty}>>({at}, x.{n});"),
                );
                self.line(2, "} else {");
                self.line(3, &format!("const __{n}Len = x.{n}.length;"));
                self.line(3, &format!("for (let i = 0; i < {len}; i++) {{"));
                let value = if ty == "bool" {
                    format!("<u8>(i < __{n}Len && x.{n}[i])")
                } else {
                    format!("i < __{n}Len ? x.{n}[i] : <{ty}>0")
                };
                let ty = if ty == "bool" { "u8" } else { ty.as_str() };
                self.line(
                    4,
                    &format!("writer.WriteAt<{ty}>({at} + <u32>i * {size}, {value});"),
                );
                self.line(3, "}");
                self.line(2, "}");
            }
            Kind::Str(_) => {
                self.line(
                    2,
                    &format!(
                        "const __{n}Text = Uint8Array.wrap(String.UTF8.encode(x.{n}, false));"
                    ),
                );
                self.alloc_slice(n, &format!("<u64>__{n}Text.length"));
                self.slice_header(
                    s,
                    &at,
                    &format!("__{n}Data"),
                    &format!("<u32>__{n}Bytes"),
                    1,
                );
                self.line(
                    2,
                    &format!("writer.WriteSliceAt<Uint8Array>(__{n}Data, __{n}Text);"),
                );
            }
            Kind::Vec(ty, size, _) => {
                self.alloc_slice(n, &format!("<u64>x.{n}.length * {size}"));
                self.slice_header(
                    s,
                    &at,
                    &format!("__{n}Data"),
                    &format!("<u32>__{n}Bytes"),
                    *size,
                );
                if ty == "bool" {
                    // An `Array<bool>` may hold bytes other than 0 and 1 after `changetype`.
                    self.line(2, &format!("for (let i = 0; i < x.{n}.length; i++) {{"));
                    self.line(
                        3,
                        &format!("writer.WriteAt<u8>(__{n}Data + <u32>i, x.{n}[i] ? 1 : 0);"),
                    );
                    self.line(2, "}");
                } else {
                    self.line(
                        2,
                        &format!("writer.WriteSliceAt<Array<{ty}>>(__{n}Data, x.{n});"),
                    );
                }
            }
            Kind::Inline(t) => {
                self.line(
                    2,
                    &format!("if (!{}.WriteInPlace(x.{n}, writer, {at})) {{", t.name),
                );
                self.line(3, "return false;");
                self.line(2, "}");
            }
            Kind::InlineArray(t, len) => {
                let total = Self::total(t);
                self.line(2, &format!("const __{n}Len = x.{n}.length;"));
                self.line(2, &format!("for (let i = 0; i < {len}; i++) {{"));
                self.line(
                    3,
                    &format!(
                        "const __{n}Item = i < __{n}Len ? x.{n}[i] : New{}();",
                        t.name
                    ),
                );
                self.line(
                    3,
                    &format!(
                        "if (!{}.WriteInPlace(__{n}Item, writer, {at} + <u32>i * {total})) {{",
                        t.name
                    ),
                );
                self.line(4, "return false;");
                self.line(3, "}");
                self.line(2, "}");
            }
            Kind::InlineVec(t, _) => {
                let total = Self::total(t);
                self.alloc_slice(n, &format!("<u64>x.{n}.length * {total}"));
                self.slice_header(
                    s,
                    &at,
                    &format!("__{n}Data"),
                    &format!("<u32>__{n}Bytes"),
                    total,
                );
                self.line(2, &format!("for (let i = 0; i < x.{n}.length; i++) {{"));
                self.line(
                    3,
                    &format!(
                        "if (!{}.WriteInPlace(x.{n}[i], writer, __{n}Data + <u32>i * {total})) {{",
                        t.name
                    ),
                );
                self.line(4, "return false;");
                self.line(3, "}");
                self.line(2, "}");
            }
            Kind::Table(t) => {
                self.line(
                    2,
                    &format!("const __{n}Data = writer.Alloc({});", Self::total(t)),
                );
                self.line(2, &format!("if (__{n}Data == 0xFFFFFFFF) {{"));
                self.line(3, "return false;");
                self.line(2, "}");
                self.line(2, &format!("writer.WriteAt<u32>({at}, __{n}Data);"));
                self.line(
                    2,
                    &format!("if (!{}.WriteInPlace(x.{n}, writer, __{n}Data)) {{", t.name),
                );
                self.line(3, "return false;");
                self.line(2, "}");
            }
        }
    }

    fn read_field(&mut self, f: &FieldInfo) {
        let n = &f.field.name;
        match &f.kind {
            Kind::Scalar(..) | Kind::Bool => {
                self.line(2, &format!("x.{n} = viewer.{n}();"));
            }
            Kind::Str(_) => {
                self.line(2, &format!("x.{n} = viewer.{n}(reader);"));
            }
            Kind::Array(ty, _, len) => {
                self.line(2, &format!("const __{n}Slice = viewer.{n}();"));
                self.line(2, &format!("if (x.{n}.length != {len}) {{"));
                self.line(3, &format!("x.{n} = new StaticArray<{ty}>({len});"));
                self.line(2, "}");
                self.line(2, &format!("for (let i = 0; i < {len}; i++) {{"));
                self.line(3, &format!("x.{n}[i] = __{n}Slice[i];"));
                self.line(2, "}");
            }
            Kind::Vec(_, _, _) => {
                self.line(2, &format!("const __{n}Slice = viewer.{n}(reader);"));
                self.line(2, &format!("const __{n}Len = __{n}Slice.length;"));
                self.line(2, &format!("x.{n}.length = __{n}Len;"));
                self.line(2, &format!("for (let i = 0; i < __{n}Len; i++) {{"));
                self.line(3, &format!("x.{n}[i] = __{n}Slice[i];"));
                self.line(2, "}");
            }
            Kind::Inline(t) => {
                self.line(2, &format!("{}.Read(x.{n}, viewer.{n}(), reader);", t.name));
            }
            Kind::Table(t) => {
                self.line(
                    2,
                    &format!("{}.Read(x.{n}, viewer.{n}(reader), reader);", t.name),
                );
            }
            Kind::InlineArray(t, len) => {
                let t = &t.name;
                self.line(2, &format!("const __{n}Slice = viewer.{n}();"));
                self.line(2, &format!("if (x.{n}.length != {len}) {{"));
                self.line(3, &format!("x.{n} = new StaticArray<{t}>({len});"));
                self.line(3, &format!("for (let i = 0; i < {len}; i++) {{"));
                self.line(4, &format!("x.{n}[i] = New{t}();"));
                self.line(3, "}");
                self.line(2, "}");
                self.line(2, &format!("for (let i = 0; i < {len}; i++) {{"));
                self.line(3, &format!("{t}.Read(x.{n}[i], __{n}Slice[i], reader);"));
                self.line(2, "}");
            }
            Kind::InlineVec(t, _) => {
                let t = &t.name;
                self.line(2, &format!("const __{n}Slice = viewer.{n}(reader);"));
                self.line(2, &format!("const __{n}Len = __{n}Slice.length;"));
                self.line(
                    2,
                    &format!("for (let i = x.{n}.length; i < __{n}Len; i++) {{"),
                );
                self.line(3, &format!("x.{n}.push(New{t}());"));
                self.line(2, "}");
                self.line(2, &format!("x.{n}.length = __{n}Len;"));
                self.line(2, &format!("for (let i = 0; i < __{n}Len; i++) {{"));
                self.line(3, &format!("{t}.Read(x.{n}[i], __{n}Slice[i], reader);"));
                self.line(2, "}");
            }
        }
    }

    // -----------------------------------------------------------------------------------
    // Viewers

    fn viewer(&mut self, s: &'s Struct) -> Result<(), GenerateError> {
        let name = &s.name;
        let size = s
            .size
            .as_ref()
            .ok_or_else(|| unsupported(format!("struct `{name}` has no layout")))?;
        let fields: Vec<FieldInfo> = s
            .fields
            .iter()
            .map(|f| self.info(f))
            .collect::<Result<_, _>>()?;
        let table = is_table(s);
        self.line(0, "");
        self.docs(0, s.docs.as_deref());
        self.line(0, "@unmanaged");
        self.line(0, &format!("export class {name}Viewer {{"));
        for (i, unit) in size.total_group().enumerate() {
            let ty = match unit {
                8 => "u64",
                4 => "u32",
                2 => "u16",
                _ => "u8",
            };
            self.line(1, &format!("private _{i}: {ty};"));
        }
        if size.total > 0 {
            self.line(0, "");
        }
        self.line(
            1,
            "/** The size of the struct: the table's header, or the inline total. */",
        );
        self.line(1, "@inline");
        self.line(1, "SizeOf(): u32 {");
        if table {
            self.line(2, "return load<u32>(changetype<usize>(this));");
        } else {
            self.line(2, &format!("return {};", size.total));
        }
        self.line(1, "}");
        for f in &fields {
            self.accessor(table, f);
        }
        self.line(0, "}");
        self.line(0, "");
        self.line(
            0,
            &format!("/** The `{name}` at `offset`, or the null viewer (every field default) when it does not fit. */"),
        );
        self.line(0, "@inline");
        self.line(
            0,
            &format!("export function New{name}Viewer(reader: karmem.Reader, offset: u32): {name}Viewer {{"),
        );
        self.line(
            1,
            &format!("if (!reader.IsValidOffset(offset, {})) {{", size.minimum),
        );
        self.line(
            2,
            &format!("return changetype<{name}Viewer>(changetype<usize>(_Null));"),
        );
        self.line(1, "}");
        self.line(
            1,
            &format!("const v = changetype<{name}Viewer>(reader.Pointer + <usize>offset);"),
        );
        if table {
            self.line(1, "if (!reader.IsValidOffset(offset, v.SizeOf())) {");
            self.line(
                2,
                &format!("return changetype<{name}Viewer>(changetype<usize>(_Null));"),
            );
            self.line(1, "}");
        }
        self.line(1, "return v;");
        self.line(0, "}");
        Ok(())
    }

    fn accessor(&mut self, table: bool, f: &FieldInfo) {
        let n = &f.field.name;
        let off = f.offset;
        let this = "changetype<usize>(this)";
        let (params, ret, default) = match &f.kind {
            Kind::Scalar(ty) => ("", ty.clone(), "0".to_string()),
            Kind::Bool => ("", "bool".into(), "false".into()),
            Kind::Array(ty, size, len) => (
                "",
                format!("karmem.Slice<{ty}>"),
                format!("new karmem.Slice<{ty}>(changetype<usize>(_Null), {len}, {size})"),
            ),
            Kind::Str(_) => ("reader: karmem.Reader", "string".into(), "\"\"".into()),
            Kind::Vec(ty, _, _) => (
                "reader: karmem.Reader",
                format!("karmem.Slice<{ty}>"),
                format!("new karmem.Slice<{ty}>(0, 0, 0)"),
            ),
            Kind::Inline(t) => (
                "",
                format!("{}Viewer", t.name),
                format!("changetype<{}Viewer>(changetype<usize>(_Null))", t.name),
            ),
            Kind::InlineArray(t, len) => (
                "",
                format!("karmem.Slice<{}Viewer>", t.name),
                format!(
                    "new karmem.Slice<{}Viewer>(changetype<usize>(_Null), {len}, {})",
                    t.name,
                    Self::total(t)
                ),
            ),
            Kind::InlineVec(t, _) => (
                "reader: karmem.Reader",
                format!("karmem.Slice<{}Viewer>", t.name),
                format!("new karmem.Slice<{}Viewer>(0, 0, 0)", t.name),
            ),
            Kind::Table(t) => (
                "reader: karmem.Reader",
                format!("{}Viewer", t.name),
                format!("changetype<{}Viewer>(changetype<usize>(_Null))", t.name),
            ),
        };
        self.line(0, "");
        self.docs(1, f.field.docs.as_deref());
        self.line(1, "@inline");
        self.line(1, &format!("{n}({params}): {ret} {{"));
        if table {
            self.line(
                2,
                &format!(
                    "if (<u32>{} > this.SizeOf()) {{",
                    u64::from(off) + u64::from(f.size)
                ),
            );
            self.line(3, &format!("return {default};"));
            self.line(2, "}");
        }
        match &f.kind {
            Kind::Scalar(ty) => {
                self.line(2, &format!("return load<{ty}>({this} + {off});"));
            }
            Kind::Bool => {
                self.line(2, &format!("return load<u8>({this} + {off}) != 0;"));
            }
            Kind::Array(ty, size, len) => {
                self.line(
                    2,
                    &format!("return new karmem.Slice<{ty}>({this} + {off}, {len}, {size});"),
                );
            }
            Kind::Inline(t) => {
                self.line(
                    2,
                    &format!("return changetype<{}Viewer>({this} + {off});", t.name),
                );
            }
            Kind::InlineArray(t, len) => {
                self.line(
                    2,
                    &format!(
                        "return new karmem.Slice<{}Viewer>({this} + {off}, {len}, {});",
                        t.name,
                        Self::total(t)
                    ),
                );
            }
            Kind::Table(t) => {
                if !table {
                    // A missing inline struct (a view of `_Null`) points to no table.
                    self.line(2, &format!("if (_IsNull({this})) {{"));
                    self.line(3, &format!("return {default};"));
                    self.line(2, "}");
                }
                self.line(
                    2,
                    &format!(
                        "return New{}Viewer(reader, load<u32>({this} + {off}));",
                        t.name
                    ),
                );
            }
            Kind::Str(limit) => {
                self.line(2, &format!("const offset = load<u32>({this} + {off});"));
                self.line(2, &format!("let size = load<u32>({this} + {off} + 4);"));
                self.line(2, "if (!reader.IsValidOffset(offset, size)) {");
                self.line(3, "return \"\";");
                self.line(2, "}");
                if let Some(limit) = limit {
                    self.line(2, &format!("if (size > {limit}) {{"));
                    self.line(3, &format!("size = {limit};"));
                    self.line(2, "}");
                }
                self.line(
                    2,
                    "return String.UTF8.decodeUnsafe(reader.Pointer + <usize>offset, <usize>size, false);",
                );
            }
            Kind::Vec(ty, size, limit) => {
                self.slice_accessor(ty, *size, *limit, off);
            }
            Kind::InlineVec(t, limit) => {
                self.slice_accessor(&format!("{}Viewer", t.name), Self::total(t), *limit, off);
            }
        }
        self.line(1, "}");
    }

    fn slice_accessor(&mut self, ty: &str, size: u32, limit: Option<u32>, off: u32) {
        let this = "changetype<usize>(this)";
        if size == 0 {
            // Zero-size elements: nothing to read (upstream divides by zero).
            self.line(2, &format!("return new karmem.Slice<{ty}>(0, 0, 0);"));
            return;
        }
        self.line(2, &format!("const offset = load<u32>({this} + {off});"));
        self.line(2, &format!("const size = load<u32>({this} + {off} + 4);"));
        self.line(2, "if (!reader.IsValidOffset(offset, size)) {");
        self.line(3, &format!("return new karmem.Slice<{ty}>(0, 0, 0);"));
        self.line(2, "}");
        let binding = if limit.is_some() { "let" } else { "const" };
        if size == 1 {
            self.line(2, &format!("{binding} length = size;"));
        } else {
            self.line(2, &format!("{binding} length = size / {size};"));
        }
        if let Some(limit) = limit {
            self.line(2, &format!("if (length > {limit}) {{"));
            self.line(3, &format!("length = {limit};"));
            self.line(2, "}");
        }
        self.line(
            2,
            &format!(
                "return new karmem.Slice<{ty}>(reader.Pointer + <usize>offset, length, {size});"
            ),
        );
    }
}

#[cfg(test)]
mod tests;
