//! The C target (`codegen/c.md`): one file `<module>_generated.h` per schema, using the
//! runtime header `karmem.h` (`codegen/runtime/c/`, or upstream's).
//!
//! The public names and shapes are upstream's (`NewXViewer`, `XViewer_<Field>`,
//! `XViewer_<Field>Length`, `NewX`, `XWrite`, `XWriteAsRoot`, `XRead`, `XReadAsRoot`,
//! `XReset`, `EnumE<Value>`, `EnumPacketIdentifier<Struct>`), and the bytes written are
//! upstream's for valid data. Upstream's defects are not copied:
//!
//! * inline structs are written in place by `XWriteAt`, also at offset 0 (W1);
//! * every allocation is checked: `XWrite` returns 0 and `XWriteAsRoot` `0xFFFFFFFF` on
//!   failure (a full fixed writer, or a limited slice longer than its limit);
//! * single `char` and `[N]char` are bytes (`uint8_t`), zero-size elements decode as
//!   count 0, `[0]T` has no native member (ISO C has no zero-length arrays);
//! * a table reached through a missing inline field reads as defaults, not as the root;
//! * bools are read as "byte != 0" (never a `bool` holding 2), padding is written as zero;
//! * functions are `static inline` and constants `static const`, with an include guard, so
//!   the header may be included by several translation units; no `#pragma pack`
//!   (viewers are byte arrays); `XFree` releases what `XRead` allocated.
//!
//! The output is warning-free under `gcc -std=c11 -Wall -Wextra -pedantic` and assumes a
//! little-endian target, as upstream (native representation = wire representation).
//! Slices and arrays of inline structs made only of same-size numbers (e.g. three
//! `float32`) are copied in one piece when `_<Struct>WireLayout()`, a compile-time constant
//! over `sizeof`/`offsetof`, says the native layout is the wire layout; otherwise (and for
//! bools) element by element. Arrays of primitives are copied in one piece.
//! Option `@c.import` (default `karmem.h`) names the runtime header; `@c.prefix` is
//! accepted and ignored, as upstream does.

mod names;
#[cfg(test)]
mod tests;

use std::fmt::Write as _;

use karmem_syntax::model::{Enum, Field, Primitive, Schema, Struct, TypeModel, TypeTarget};

use crate::targets_common::{is_table, plain_unit, struct_size, unsupported};
use crate::{GenerateError, GenerateInput, GeneratedFile, Generator, NameProblem};

pub use names::problems;

/// The default of `@c.import`.
pub const DEFAULT_IMPORT: &str = "karmem.h";

/// The `c` target.
pub struct CGenerator;

impl Generator for CGenerator {
    fn name(&self) -> &'static str {
        "c"
    }

    fn problems(&self, schema: &Schema) -> Vec<NameProblem> {
        names::problems(schema)
    }

    fn generate(&self, input: &GenerateInput) -> Result<Vec<GeneratedFile>, GenerateError> {
        let import = input.options.get("import").unwrap_or(DEFAULT_IMPORT);
        check_import(import)?;
        crate::problems::refuse(LANGUAGE, names::problems(input.schema))?;
        let text = generate_text(input.schema, &input.header(), import)?;
        input.single_file("h", text)
    }
}

/// `@c.import` goes into `#include "..."`: printable ASCII without `"`, `\`, `'`, `//`,
/// `/*` (whose meaning there is undefined) and not empty.
fn check_import(import: &str) -> Result<(), GenerateError> {
    let bad = import.is_empty()
        || !import.chars().all(|c| c.is_ascii_graphic() || c == ' ')
        || import.contains(['"', '\\', '\''])
        || import.contains("//")
        || import.contains("/*")
        || import.trim() != import;
    if bad {
        return Err(GenerateError::InvalidOption {
            key: "import".to_string(),
            message: format!(
                "`{import}` cannot be written in `#include \"...\"` (printable ASCII path without quotes, backslashes, `//` or `/*`, no surrounding spaces)"
            ),
        });
    }
    Ok(())
}

/// The language named in this target's errors.
const LANGUAGE: &str = "C";

fn internal(message: String) -> GenerateError {
    unsupported(LANGUAGE, message)
}

/// The C type of a primitive (`char` is a byte).
fn primitive_type(p: Primitive) -> &'static str {
    match p {
        Primitive::Bool => "bool",
        Primitive::Byte | Primitive::Char | Primitive::Uint8 => "uint8_t",
        Primitive::Uint16 => "uint16_t",
        Primitive::Uint32 => "uint32_t",
        Primitive::Uint64 => "uint64_t",
        Primitive::Int8 => "int8_t",
        Primitive::Int16 => "int16_t",
        Primitive::Int32 => "int32_t",
        Primitive::Int64 => "int64_t",
        Primitive::Float32 => "float",
        Primitive::Float64 => "double",
    }
}

/// One field, resolved.
struct FieldInfo<'s> {
    field: &'s Field,
    name: &'s str,
    offset: u32,
    /// The field's size in its struct.
    size: u32,
    /// The element size (wire).
    elem_size: u32,
    /// The element's C type.
    ty: String,
    elem: ElemKind<'s>,
    model: TypeModel,
    length: u32,
}

#[derive(Clone, Copy)]
enum ElemKind<'s> {
    Scalar { is_bool: bool },
    Inline(&'s Struct),
    Table(&'s Struct),
}

impl FieldInfo<'_> {
    fn limit(&self) -> Option<u32> {
        (self.model == TypeModel::SliceLimited).then_some(self.length)
    }
}

struct Gen<'s> {
    schema: &'s Schema,
    out: String,
}

fn total(s: &Struct) -> Result<u32, GenerateError> {
    Ok(struct_size(s, LANGUAGE)?.total)
}

/// An integer literal of `n` for a C integer type (`ULL`/`LL` so 64-bit values fit).
fn literal(n: u64, signed: bool) -> String {
    if signed {
        format!("{n}LL")
    } else {
        format!("{n}ULL")
    }
}

/// Doc comment lines (`/// ...`) for `docs`, made safe for line comments: no line ends with
/// a backslash (it would splice the next line), no `??` (trigraphs).
fn doc_lines(docs: Option<&str>) -> Vec<String> {
    let Some(docs) = docs else { return Vec::new() };
    docs.lines()
        .map(|line| {
            let mut line = line.trim_end().to_string();
            while line.contains("??") {
                line = line.replace("??", "? ?");
            }
            if line.ends_with('\\') {
                line.push('.');
            }
            if line.is_empty() {
                "///".to_string()
            } else {
                format!("/// {line}")
            }
        })
        .collect()
}

/// The text of `<module>_generated.h`.
pub fn generate_text(schema: &Schema, header: &str, import: &str) -> Result<String, GenerateError> {
    let mut g = Gen {
        schema,
        out: String::new(),
    };
    g.preamble(header, import);
    for e in &schema.enums {
        g.enumeration(e)?;
    }
    for s in &schema.structs {
        g.viewer(s)?;
    }
    g.packet_identifiers();
    for s in &schema.structs {
        g.native(s)?;
    }
    g.line("#endif");
    Ok(g.out)
}

impl<'s> Gen<'s> {
    fn line(&mut self, text: &str) {
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// Indents by four spaces every non-empty line written since `start` (a line start).
    fn indent_from(&mut self, start: usize) {
        let tail = self.out.split_off(start);
        for line in tail.lines() {
            if !line.is_empty() {
                self.out.push_str("    ");
            }
            self.line(line);
        }
    }

    fn docs(&mut self, indent: &str, docs: Option<&str>) {
        for line in doc_lines(docs) {
            self.out.push_str(indent);
            self.line(&line);
        }
    }

    fn guard(&self) -> String {
        let mut guard = String::from("KARMEM_");
        for c in self.schema.module.chars() {
            if c.is_ascii_alphanumeric() {
                guard.push(c.to_ascii_uppercase());
            } else {
                let _ = write!(guard, "U{:X}", c as u32);
            }
        }
        guard.push_str("_GENERATED_H");
        guard
    }

    fn preamble(&mut self, header: &str, import: &str) {
        let guard = self.guard();
        let largest = self.schema.largest.max(1);
        self.line(&format!("// {header}"));
        self.line(&format!("#ifndef {guard}"));
        self.line(&format!("#define {guard}"));
        self.line("");
        self.line("#include <stdbool.h>");
        self.line("#include <stddef.h>");
        self.line("#include <stdint.h>");
        self.line("#include <stdlib.h>");
        self.line("#include <string.h>");
        self.line(&format!("#include \"{import}\""));
        self.line("");
        if !self.schema.structs.is_empty() {
            self.line(
                "/// The null buffer: every viewer of a missing struct points here (all zero).",
            );
            self.line(&format!("static uint8_t _Null[{largest}];"));
            self.line("");
        }
    }

    fn enumeration(&mut self, e: &Enum) -> Result<(), GenerateError> {
        let base = e
            .base
            .ok_or_else(|| internal(format!("enum `{}` has no base type", e.name)))?;
        let signed = base.integer_bits().is_some_and(|(_, s)| s);
        self.docs("", e.docs.as_deref());
        self.line(&format!("typedef {} Enum{};", primitive_type(base), e.name));
        for v in &e.values {
            let n = v.number.ok_or_else(|| {
                internal(format!(
                    "value `{}.{}` does not fit its base",
                    e.name, v.name
                ))
            })?;
            self.docs("", v.docs.as_deref());
            self.line(&format!(
                "static const Enum{0} Enum{0}{1} = {2};",
                e.name,
                v.name,
                literal(n, signed)
            ));
        }
        self.line("");
        Ok(())
    }

    fn packet_identifiers(&mut self) {
        self.line("typedef uint64_t EnumPacketIdentifier;");
        for s in &self.schema.structs {
            let line = format!(
                "static const EnumPacketIdentifier EnumPacketIdentifier{} = {};",
                s.name,
                literal(s.id, false)
            );
            self.line(&line);
        }
        self.line("");
    }

    fn fields(&self, s: &'s Struct) -> Result<Vec<FieldInfo<'s>>, GenerateError> {
        let mut out = Vec::new();
        for f in &s.fields {
            let layout = f
                .layout
                .ok_or_else(|| internal(format!("field `{}.{}` has no layout", s.name, f.name)))?;
            let target = f
                .target
                .ok_or_else(|| internal(format!("field `{}.{}` has no type", s.name, f.name)))?;
            let (ty, elem) = match target {
                TypeTarget::Primitive(p) => (
                    primitive_type(p).to_string(),
                    ElemKind::Scalar {
                        is_bool: p == Primitive::Bool,
                    },
                ),
                TypeTarget::Enum(i) => {
                    let e = self
                        .schema
                        .enums
                        .get(i)
                        .ok_or_else(|| internal(format!("unknown enum #{i}")))?;
                    (
                        format!("Enum{}", e.name),
                        ElemKind::Scalar { is_bool: false },
                    )
                }
                TypeTarget::Struct(i) => {
                    let t = self
                        .schema
                        .structs
                        .get(i)
                        .ok_or_else(|| internal(format!("unknown struct #{i}")))?;
                    let kind = if is_table(t) {
                        ElemKind::Table(t)
                    } else {
                        ElemKind::Inline(t)
                    };
                    (t.name.clone(), kind)
                }
            };
            if matches!(elem, ElemKind::Table(_)) && f.model != TypeModel::Single {
                return Err(internal(format!(
                    "field `{}.{}` repeats a table",
                    s.name, f.name
                )));
            }
            out.push(FieldInfo {
                field: f,
                name: &f.name,
                offset: layout.offset,
                size: layout.field,
                elem_size: layout.allocation,
                ty,
                elem,
                model: f.model,
                length: f.length,
            });
        }
        Ok(out)
    }

    /// Viewer type, size function, constructor and accessors of `s`.
    fn viewer(&mut self, s: &'s Struct) -> Result<(), GenerateError> {
        let name = &s.name;
        let size = s
            .size
            .as_ref()
            .ok_or_else(|| internal(format!("struct `{name}` has no layout")))?;
        let table = is_table(s);
        let fields = self.fields(s)?;
        let v = format!("{name}Viewer");

        self.line(&format!(
            "/// A view of a `{name}` in a message (`{}` bytes; pointers into the message are unaligned).",
            size.total
        ));
        self.line(&format!(
            "typedef struct {{ uint8_t _data[{}]; }} {v};",
            size.total.max(1)
        ));
        self.line("");
        if table {
            self.line("/// The size the writer stored in the table's header.");
        } else {
            self.line(&format!("/// The size of an inline `{name}`."));
        }
        self.line(&format!("static inline uint32_t {v}Size({v} * x) {{"));
        if table {
            self.line("    uint32_t size;");
            self.line("    memcpy(&size, x->_data, 4);");
            self.line("    return size;");
        } else {
            self.line("    (void) x;");
            self.line(&format!("    return {};", size.total));
        }
        self.line("}");
        self.line("");
        self.line(&format!(
            "/// The `{name}` at `offset`, or the null viewer (every field default) when it does not fit."
        ));
        self.line(&format!(
            "static inline {v} * New{v}(KarmemReader * reader, uint32_t offset) {{"
        ));
        self.line(&format!(
            "    if (!KarmemReaderIsValidOffset(reader, offset, {})) {{",
            size.minimum
        ));
        self.line(&format!("        return ({v} *) _Null;"));
        self.line("    }");
        self.line(&format!("    {v} * x = ({v} *) &reader->pointer[offset];"));
        if table {
            self.line(&format!(
                "    if (!KarmemReaderIsValidOffset(reader, offset, {v}Size(x))) {{"
            ));
            self.line(&format!("        return ({v} *) _Null;"));
            self.line("    }");
        }
        self.line("    return x;");
        self.line("}");
        self.line("");
        for f in &fields {
            self.accessor(s, &v, table, f)?;
        }
        Ok(())
    }

    /// `if (field missing) return <default>;` for table fields.
    fn missing(&mut self, v: &str, table: bool, f: &FieldInfo, default: &str) {
        if table {
            let end = u64::from(f.offset) + u64::from(f.size);
            self.line(&format!("    if ({v}Size(x) < {end}) {{"));
            self.line(&format!("        return {default};"));
            self.line("    }");
        }
    }

    fn accessor(
        &mut self,
        s: &Struct,
        v: &str,
        table: bool,
        f: &FieldInfo,
    ) -> Result<(), GenerateError> {
        let name = &s.name;
        let field = f.name;
        let off = f.offset;
        self.docs("", f.field.docs.as_deref());
        match (f.model, f.elem) {
            (TypeModel::Single, ElemKind::Scalar { is_bool }) => {
                let ret = &f.ty;
                self.line(&format!("static inline {ret} {v}_{field}({v} * x) {{"));
                if is_bool {
                    self.missing(v, table, f, "false");
                    self.line(&format!("    return x->_data[{off}] != 0;"));
                } else {
                    self.missing(v, table, f, "0");
                    self.line(&format!("    {ret} value;"));
                    self.line(&format!(
                        "    memcpy(&value, &x->_data[{off}], {});",
                        f.size
                    ));
                    self.line("    return value;");
                }
                self.line("}");
            }
            (TypeModel::Single, ElemKind::Inline(t)) => {
                let tv = format!("{}Viewer", t.name);
                self.line(&format!("static inline {tv} * {v}_{field}({v} * x) {{"));
                self.missing(v, table, f, &format!("({tv} *) _Null"));
                self.line(&format!("    return ({tv} *) &x->_data[{off}];"));
                self.line("}");
            }
            (TypeModel::Single, ElemKind::Table(t)) => {
                let tv = format!("{}Viewer", t.name);
                self.line(&format!(
                    "static inline {tv} * {v}_{field}({v} * x, KarmemReader * reader) {{"
                ));
                self.missing(v, table, f, &format!("({tv} *) _Null"));
                if !table {
                    // An inline struct inside the null viewer: its table is missing too
                    // (upstream would read offset 0, the root, as this table).
                    self.line("    uintptr_t at = (uintptr_t) x;");
                    self.line(
                        "    if (at >= (uintptr_t) _Null && at < (uintptr_t) _Null + sizeof(_Null)) {",
                    );
                    self.line(&format!("        return ({tv} *) _Null;"));
                    self.line("    }");
                }
                self.line("    uint32_t offset;");
                self.line(&format!("    memcpy(&offset, &x->_data[{off}], 4);"));
                self.line(&format!("    return New{tv}(reader, offset);"));
                self.line("}");
            }
            (TypeModel::Array, _) => {
                let ret = match f.elem {
                    ElemKind::Inline(t) => format!("{}Viewer", t.name),
                    _ => f.ty.clone(),
                };
                self.line(&format!("static inline {ret} * {v}_{field}({v} * x) {{"));
                self.missing(v, table, f, &format!("({ret} *) _Null"));
                self.line(&format!("    return ({ret} *) &x->_data[{off}];"));
                self.line("}");
                self.line(&format!(
                    "/// The number of elements of `{name}.{field}`: {}, or 0 when the table is too short.",
                    f.length
                ));
                self.line(&format!(
                    "static inline uint32_t {v}_{field}Length({v} * x) {{"
                ));
                if table {
                    self.missing(v, table, f, "0");
                } else {
                    self.line("    (void) x;");
                }
                self.line(&format!("    return {};", f.length));
                self.line("}");
            }
            (TypeModel::Slice | TypeModel::SliceLimited, _) => {
                let ret = match f.elem {
                    ElemKind::Inline(t) => format!("{}Viewer", t.name),
                    _ => f.ty.clone(),
                };
                self.line(&format!(
                    "static inline {ret} * {v}_{field}({v} * x, KarmemReader * reader) {{"
                ));
                self.missing(v, table, f, &format!("({ret} *) _Null"));
                self.line("    uint32_t offset;");
                self.line("    uint32_t size;");
                self.line(&format!("    memcpy(&offset, &x->_data[{off}], 4);"));
                self.line(&format!("    memcpy(&size, &x->_data[{}], 4);", off + 4));
                self.line("    if (!KarmemReaderIsValidOffset(reader, offset, size)) {");
                self.line(&format!("        return ({ret} *) _Null;"));
                self.line("    }");
                self.line(&format!("    return ({ret} *) &reader->pointer[offset];"));
                self.line("}");
                let what = match f.limit() {
                    Some(n) => format!("at most {n}"),
                    None => "any number".to_string(),
                };
                self.line(&format!(
                    "/// The number of elements of `{name}.{field}` ({what}; 0 when missing or out of bounds)."
                ));
                self.line(&format!(
                    "static inline uint32_t {v}_{field}Length({v} * x, KarmemReader * reader) {{"
                ));
                self.missing(v, table, f, "0");
                self.line("    uint32_t offset;");
                self.line("    uint32_t size;");
                self.line(&format!("    memcpy(&offset, &x->_data[{off}], 4);"));
                self.line(&format!("    memcpy(&size, &x->_data[{}], 4);", off + 4));
                self.line("    if (!KarmemReaderIsValidOffset(reader, offset, size)) {");
                self.line("        return 0;");
                self.line("    }");
                if f.elem_size == 0 {
                    self.line("    // Zero-size elements: nothing can be read.");
                    self.line("    return 0;");
                } else {
                    self.line(&format!("    uint32_t count = size / {};", f.elem_size));
                    if let Some(n) = f.limit() {
                        self.line(&format!("    if (count > {n}) {{"));
                        self.line(&format!("        count = {n};"));
                        self.line("    }");
                    }
                    self.line("    return count;");
                }
                self.line("}");
            }
        }
        self.line("");
        Ok(())
    }

    /// The native struct of `s` and its functions.
    fn native(&mut self, s: &'s Struct) -> Result<(), GenerateError> {
        let name = &s.name;
        let size = s
            .size
            .as_ref()
            .ok_or_else(|| internal(format!("struct `{name}` has no layout")))?
            .clone();
        let table = is_table(s);
        let fields = self.fields(s)?;
        let v = format!("{name}Viewer");

        // typedef
        self.docs("", s.docs.as_deref());
        self.line("typedef struct {");
        let mut members = 0;
        for f in &fields {
            if f.model == TypeModel::Array && f.length == 0 {
                continue; // `[0]T` holds nothing; ISO C has no zero-length arrays.
            }
            members += 1;
            self.docs("    ", f.field.docs.as_deref());
            let field = f.name;
            match f.model {
                TypeModel::Single => self.line(&format!("    {} {field};", f.ty)),
                TypeModel::Array => self.line(&format!("    {} {field}[{}];", f.ty, f.length)),
                TypeModel::Slice | TypeModel::SliceLimited => {
                    self.line(&format!("    {} * {field};", f.ty));
                    self.line(&format!("    uint32_t _{field}_len;"));
                    self.line(&format!("    uint32_t _{field}_cap;"));
                }
            }
        }
        if members == 0 {
            self.line("    uint8_t _empty;");
        }
        self.line(&format!("}} {name};"));
        self.line("");
        if plain_unit(self.schema, s).is_some() {
            self.wire_layout(s)?;
        }

        // NewX
        self.line(&format!(
            "/// An empty `{name}` (all zero): the state to build or decode into."
        ));
        self.line(&format!("static inline {name} New{name}(void) {{"));
        self.line(&format!("    {name} x;"));
        self.line("    memset(&x, 0, sizeof(x));");
        self.line("    return x;");
        self.line("}");
        self.line("");

        self.line(&format!(
            "static inline EnumPacketIdentifier {name}PacketIdentifier({name} * x) {{"
        ));
        self.line("    (void) x;");
        self.line(&format!("    return EnumPacketIdentifier{name};"));
        self.line("}");
        self.line("");

        // WriteAt
        self.line(&format!(
            "/// Writes `x` in place at `offset` (which holds {} allocated bytes); false when an allocation fails or a limited slice is too long.",
            size.total
        ));
        self.line(&format!(
            "static inline bool {name}WriteAt({name} * x, KarmemWriter * writer, uint32_t offset) {{"
        ));
        self.line("    (void) x;");
        self.line("    (void) writer;");
        self.line("    (void) offset;");
        if table {
            self.line("    {");
            self.line(&format!("        uint32_t size = {};", size.content));
            self.line("        KarmemWriterWriteAt(writer, offset, &size, 4);");
            self.line("    }");
        }
        for f in &fields {
            self.write_field(s, f)?;
        }
        if size.padding > 0 {
            self.line(&format!(
                "    memset(&writer->memory[offset + {}], 0, {});",
                size.content, size.padding
            ));
        }
        self.line("    return true;");
        self.line("}");
        self.line("");

        // Write
        self.line(
            "/// Writes `x` at `start`, or at a new allocation when `start` is 0; returns the offset, or 0 on failure.",
        );
        self.line(&format!(
            "static inline uint32_t {name}Write({name} * x, KarmemWriter * writer, uint32_t start) {{"
        ));
        self.line("    uint32_t offset = start;");
        self.line("    if (offset == 0) {");
        self.line(&format!(
            "        offset = KarmemWriterAlloc(writer, {});",
            size.total
        ));
        self.line("        if (offset == 0xFFFFFFFF) {");
        self.line("            return 0;");
        self.line("        }");
        self.line("    }");
        self.line(&format!("    if (!{name}WriteAt(x, writer, offset)) {{"));
        self.line("        return 0;");
        self.line("    }");
        self.line("    return offset;");
        self.line("}");
        self.line("");

        self.line(
            "/// Writes `x` as the message root (offset 0 of a reset writer); returns its offset, or 0xFFFFFFFF on failure.",
        );
        self.line(&format!(
            "static inline uint32_t {name}WriteAsRoot({name} * x, KarmemWriter * writer) {{"
        ));
        self.line(&format!(
            "    uint32_t offset = KarmemWriterAlloc(writer, {});",
            size.total
        ));
        self.line(&format!(
            "    if (offset == 0xFFFFFFFF || !{name}WriteAt(x, writer, offset)) {{"
        ));
        self.line("        return 0xFFFFFFFF;");
        self.line("    }");
        self.line("    return offset;");
        self.line("}");
        self.line("");

        // Read
        self.line(&format!(
            "/// Copies the viewed `{name}` into `x`, reusing its slices (grown with `realloc`; see `{name}Free`)."
        ));
        self.line(&format!(
            "static inline void {name}Read({name} * x, {v} * viewer, KarmemReader * reader) {{"
        ));
        self.line("    (void) x;");
        self.line("    (void) viewer;");
        self.line("    (void) reader;");
        for f in &fields {
            self.read_field(&v, f)?;
        }
        self.line("}");
        self.line("");

        self.line(&format!(
            "static inline void {name}ReadAsRoot({name} * x, KarmemReader * reader) {{"
        ));
        self.line(&format!("    {name}Read(x, New{v}(reader, 0), reader);"));
        self.line("}");
        self.line("");

        self.line("/// Sets every field of `x` to its default, keeping the slices' storage.");
        self.line(&format!("static inline void {name}Reset({name} * x) {{"));
        self.line("    KarmemReader reader = KarmemNewReader(_Null, sizeof(_Null));");
        self.line(&format!("    {name}Read(x, ({v} *) _Null, &reader);"));
        self.line("}");
        self.line("");

        // Free
        self.line(&format!(
            "/// Frees the slices `{name}Read` allocated (recursively) and empties `x`. Only for values whose slices come from `malloc`."
        ));
        self.line(&format!("static inline void {name}Free({name} * x) {{"));
        for f in &fields {
            let field = f.name;
            match (f.model, f.elem) {
                (TypeModel::Single, ElemKind::Inline(t) | ElemKind::Table(t))
                    if self.owns_memory(t) =>
                {
                    self.line(&format!("    {}Free(&x->{field});", t.name));
                }
                (TypeModel::Array, ElemKind::Inline(t)) if f.length > 0 && self.owns_memory(t) => {
                    self.line(&format!(
                        "    for (uint32_t i = 0; i < {}; i++) {{",
                        f.length
                    ));
                    self.line(&format!("        {}Free(&x->{field}[i]);", t.name));
                    self.line("    }");
                }
                (TypeModel::Slice | TypeModel::SliceLimited, elem) => {
                    match elem {
                        ElemKind::Inline(t) if self.owns_memory(t) => {
                            self.line(&format!(
                                "    for (uint32_t i = 0; i < x->_{field}_cap; i++) {{"
                            ));
                            self.line(&format!("        {}Free(&x->{field}[i]);", t.name));
                            self.line("    }");
                        }
                        _ => {}
                    }
                    self.line(&format!("    free(x->{field});"));
                }
                _ => {}
            }
        }
        self.line(&format!("    *x = New{name}();"));
        self.line("}");
        self.line("");
        Ok(())
    }

    /// Whether a native `s` can hold memory from `malloc` (a slice, directly or nested).
    fn owns_memory(&self, s: &Struct) -> bool {
        s.fields.iter().any(|f| match f.model {
            TypeModel::Slice | TypeModel::SliceLimited => true,
            TypeModel::Array if f.length == 0 => false,
            _ => match f.target {
                Some(TypeTarget::Struct(i)) => self
                    .schema
                    .structs
                    .get(i)
                    .is_some_and(|t| self.owns_memory(t)),
                _ => false,
            },
        })
    }

    /// The C conditions under which a native `s` (a [`plain_unit`] struct) is laid out as its wire
    /// bytes: its size, every member's offset and every leaf type's size, recursively.
    fn wire_conditions(&self, s: &Struct, out: &mut Vec<String>) -> Result<(), GenerateError> {
        out.push(format!("sizeof({}) == {}", s.name, total(s)?));
        for f in &s.fields {
            let layout = f
                .layout
                .ok_or_else(|| internal(format!("field `{}.{}` has no layout", s.name, f.name)))?;
            out.push(format!(
                "offsetof({}, {}) == {}",
                s.name, f.name, layout.offset
            ));
            let leaf = match f.target {
                Some(TypeTarget::Primitive(p)) => Some((primitive_type(p).to_string(), p.size())),
                Some(TypeTarget::Enum(i)) => {
                    let e = self.schema.enums.get(i);
                    let size = e.and_then(|e| e.base).map_or(0, |b| b.size());
                    e.map(|e| (format!("Enum{}", e.name), size))
                }
                Some(TypeTarget::Struct(i)) => {
                    if let Some(t) = self.schema.structs.get(i) {
                        self.wire_conditions(t, out)?;
                    }
                    None
                }
                None => None,
            };
            if let Some((ty, size)) = leaf {
                let condition = format!("sizeof({ty}) == {size}");
                if !out.contains(&condition) {
                    out.push(condition);
                }
            }
        }
        Ok(())
    }

    /// `_<S>WireLayout()`: true (a constant the compiler folds) when the native `s` has
    /// its wire layout, so the bulk copies are taken; otherwise the per-field code runs.
    fn wire_layout(&mut self, s: &Struct) -> Result<(), GenerateError> {
        let mut conditions = Vec::new();
        self.wire_conditions(s, &mut conditions)?;
        let name = &s.name;
        self.line(&format!(
            "/// True when a native `{name}` is laid out as its wire bytes (a compile-time constant): arrays and slices of it are then copied in one piece."
        ));
        self.line(&format!("static inline bool _{name}WireLayout(void) {{"));
        self.line(&format!("    return {};", conditions.join("\n        && ")));
        self.line("}");
        self.line("");
        Ok(())
    }

    /// The plain inline struct of an element kind (see [`plain_unit`]), if any.
    fn plain_elem<'t>(&self, elem: ElemKind<'t>) -> Option<&'t Struct> {
        match elem {
            ElemKind::Inline(t) if plain_unit(self.schema, t).is_some() => Some(t),
            _ => None,
        }
    }

    fn write_field(&mut self, s: &Struct, f: &FieldInfo) -> Result<(), GenerateError> {
        let field = f.name;
        let off = f.offset;
        match (f.model, f.elem) {
            (TypeModel::Single, ElemKind::Scalar { is_bool: true }) => {
                self.line("    {");
                self.line(&format!("        uint8_t value = x->{field} ? 1 : 0;"));
                self.line(&format!(
                    "        KarmemWriterWriteAt(writer, offset + {off}, &value, 1);"
                ));
                self.line("    }");
            }
            (TypeModel::Single, ElemKind::Scalar { .. }) => {
                self.line(&format!(
                    "    KarmemWriterWriteAt(writer, offset + {off}, &x->{field}, {});",
                    f.size
                ));
            }
            (TypeModel::Single, ElemKind::Inline(t)) => {
                self.line(&format!(
                    "    if (!{}WriteAt(&x->{field}, writer, offset + {off})) {{",
                    t.name
                ));
                self.line("        return false;");
                self.line("    }");
            }
            (TypeModel::Single, ElemKind::Table(t)) => {
                self.line("    {");
                self.line(&format!(
                    "        uint32_t at = KarmemWriterAlloc(writer, {});",
                    total(t)?
                ));
                self.line("        if (at == 0xFFFFFFFF) {");
                self.line("            return false;");
                self.line("        }");
                self.line(&format!(
                    "        KarmemWriterWriteAt(writer, offset + {off}, &at, 4);"
                ));
                self.line(&format!(
                    "        if (!{}WriteAt(&x->{field}, writer, at)) {{",
                    t.name
                ));
                self.line("            return false;");
                self.line("        }");
                self.line("    }");
            }
            (TypeModel::Array, _) if f.length == 0 => {}
            (TypeModel::Array, ElemKind::Scalar { is_bool }) => {
                if is_bool {
                    self.line(&format!(
                        "    for (uint32_t i = 0; i < {}; i++) {{",
                        f.length
                    ));
                    self.line(&format!("        uint8_t value = x->{field}[i] ? 1 : 0;"));
                    self.line(&format!(
                        "        KarmemWriterWriteAt(writer, offset + {off} + i, &value, 1);"
                    ));
                    self.line("    }");
                } else {
                    self.line(&format!(
                        "    KarmemWriterWriteAt(writer, offset + {off}, x->{field}, {});",
                        f.size
                    ));
                }
            }
            (TypeModel::Array, ElemKind::Inline(t)) => {
                let plain = plain_unit(self.schema, t).is_some();
                let pad = if plain { "    " } else { "" };
                if plain {
                    self.line(&format!("    if (_{}WireLayout()) {{", t.name));
                    self.line(&format!(
                        "        KarmemWriterWriteAt(writer, offset + {off}, x->{field}, {});",
                        f.size
                    ));
                    self.line("    } else {");
                }
                self.line(&format!(
                    "{pad}    for (uint32_t i = 0; i < {}; i++) {{",
                    f.length
                ));
                self.line(&format!(
                    "{pad}        if (!{}WriteAt(&x->{field}[i], writer, offset + {off} + i * {})) {{",
                    t.name, f.elem_size
                ));
                self.line(&format!("{pad}            return false;"));
                self.line(&format!("{pad}        }}"));
                self.line(&format!("{pad}    }}"));
                if plain {
                    self.line("    }");
                }
            }
            (TypeModel::Array, ElemKind::Table(_)) => {
                return Err(internal(format!("`{}.{field}` repeats a table", s.name)));
            }
            (TypeModel::Slice | TypeModel::SliceLimited, elem) => {
                self.line("    {");
                self.line(&format!("        uint32_t count = x->_{field}_len;"));
                if let Some(n) = f.limit() {
                    self.line(&format!("        if (count > {n}) {{"));
                    self.line("            return false;");
                    self.line("        }");
                }
                self.line(&format!(
                    "        uint64_t size = (uint64_t) count * {};",
                    f.elem_size
                ));
                self.line("        if (size > 0xFFFFFFFF) {");
                self.line("            return false;");
                self.line("        }");
                self.line("        uint32_t at = KarmemWriterAlloc(writer, (size_t) size);");
                self.line("        if (at == 0xFFFFFFFF) {");
                self.line("            return false;");
                self.line("        }");
                self.line("        uint32_t header[3];");
                self.line("        header[0] = at;");
                self.line("        header[1] = (uint32_t) size;");
                let words = if f.size == 12 {
                    self.line(&format!("        header[2] = {};", f.elem_size));
                    12
                } else {
                    8
                };
                self.line(&format!(
                    "        KarmemWriterWriteAt(writer, offset + {off}, header, {words});"
                ));
                match elem {
                    ElemKind::Scalar { is_bool: true } => {
                        self.line("        for (uint32_t i = 0; i < count; i++) {");
                        self.line(&format!(
                            "            uint8_t value = x->{field}[i] ? 1 : 0;"
                        ));
                        self.line("            KarmemWriterWriteAt(writer, at + i, &value, 1);");
                        self.line("        }");
                    }
                    ElemKind::Scalar { .. } => {
                        self.line("        if (size > 0) {");
                        self.line(&format!(
                            "            KarmemWriterWriteAt(writer, at, x->{field}, (size_t) size);"
                        ));
                        self.line("        }");
                    }
                    ElemKind::Inline(t) => {
                        let plain = plain_unit(self.schema, t).is_some();
                        let pad = if plain { "    " } else { "" };
                        if plain {
                            self.line(&format!("        if (_{}WireLayout()) {{", t.name));
                            self.line("            if (size > 0) {");
                            self.line(&format!(
                                "                KarmemWriterWriteAt(writer, at, x->{field}, (size_t) size);"
                            ));
                            self.line("            }");
                            self.line("        } else {");
                        }
                        self.line(&format!(
                            "{pad}        for (uint32_t i = 0; i < count; i++) {{"
                        ));
                        self.line(&format!(
                            "{pad}            if (!{}WriteAt(&x->{field}[i], writer, at + i * {})) {{",
                            t.name, f.elem_size
                        ));
                        self.line(&format!("{pad}                return false;"));
                        self.line(&format!("{pad}            }}"));
                        self.line(&format!("{pad}        }}"));
                        if plain {
                            self.line("        }");
                        }
                    }
                    ElemKind::Table(_) => {
                        return Err(internal(format!("`{}.{field}` repeats a table", s.name)));
                    }
                }
                self.line("    }");
            }
        }
        Ok(())
    }

    fn read_field(&mut self, v: &str, f: &FieldInfo) -> Result<(), GenerateError> {
        let field = f.name;
        match (f.model, f.elem) {
            (TypeModel::Single, ElemKind::Scalar { .. }) => {
                self.line(&format!("    x->{field} = {v}_{field}(viewer);"));
            }
            (TypeModel::Single, ElemKind::Inline(t)) => {
                self.line(&format!(
                    "    {}Read(&x->{field}, {v}_{field}(viewer), reader);",
                    t.name
                ));
            }
            (TypeModel::Single, ElemKind::Table(t)) => {
                self.line(&format!(
                    "    {}Read(&x->{field}, {v}_{field}(viewer, reader), reader);",
                    t.name
                ));
            }
            (TypeModel::Array, _) if f.length == 0 => {}
            (TypeModel::Array, elem) => {
                self.line("    {");
                self.line(&format!(
                    "        uint32_t count = {v}_{field}Length(viewer);"
                ));
                self.line(&format!(
                    "        uint8_t * data = (uint8_t *) {v}_{field}(viewer);"
                ));
                let scalar = matches!(elem, ElemKind::Scalar { is_bool: false });
                let guard = self.plain_elem(elem);
                if scalar || guard.is_some() {
                    // The elements present are copied as bytes, the rest zeroed.
                    if let Some(t) = guard {
                        self.line(&format!("        if (_{}WireLayout()) {{", t.name));
                    }
                    let pad = if guard.is_some() { "    " } else { "" };
                    self.line(&format!(
                        "{pad}        uint32_t n = count < {0} ? count : {0};",
                        f.length
                    ));
                    self.line(&format!(
                        "{pad}        memcpy(x->{field}, data, (size_t) n * {});",
                        f.elem_size
                    ));
                    self.line(&format!(
                        "{pad}        memset(&x->{field}[n], 0, (size_t) ({} - n) * sizeof(x->{field}[0]));",
                        f.length
                    ));
                    if scalar {
                        self.line("    }");
                        return Ok(());
                    }
                    self.line("        } else {");
                }
                let loop_start = self.out.len();
                self.line(&format!(
                    "        for (uint32_t i = 0; i < {}; i++) {{",
                    f.length
                ));
                match elem {
                    ElemKind::Scalar { is_bool: true } => {
                        self.line(&format!(
                            "            x->{field}[i] = i < count && data[i] != 0;"
                        ));
                    }
                    ElemKind::Scalar { .. } => {
                        self.line("            if (i < count) {");
                        self.line(&format!(
                            "                memcpy(&x->{field}[i], &data[i * {0}], {0});",
                            f.elem_size
                        ));
                        self.line("            } else {");
                        self.line(&format!(
                            "                memset(&x->{field}[i], 0, sizeof(x->{field}[i]));"
                        ));
                        self.line("            }");
                    }
                    ElemKind::Inline(t) => {
                        let tv = format!("{}Viewer", t.name);
                        self.line("            if (i < count) {");
                        self.line(&format!(
                            "                {}Read(&x->{field}[i], ({tv} *) &data[i * {}], reader);",
                            t.name, f.elem_size
                        ));
                        self.line("            } else {");
                        self.line(&format!("                {}Reset(&x->{field}[i]);", t.name));
                        self.line("            }");
                    }
                    ElemKind::Table(_) => {
                        return Err(internal(format!("`{field}` repeats a table")));
                    }
                }
                self.line("        }");
                if guard.is_some() {
                    self.indent_from(loop_start);
                    self.line("        }");
                }
                self.line("    }");
            }
            (TypeModel::Slice | TypeModel::SliceLimited, elem) => {
                let ty = &f.ty;
                self.line("    {");
                self.line(&format!(
                    "        uint32_t count = {v}_{field}Length(viewer, reader);"
                ));
                self.line(&format!(
                    "        uint8_t * data = (uint8_t *) {v}_{field}(viewer, reader);"
                ));
                self.line(&format!("        if (count > x->_{field}_cap) {{"));
                self.line(&format!("            {ty} * grown = NULL;"));
                self.line("            size_t most = (size_t) -1;");
                self.line(&format!(
                    "            if ((uint64_t) count * sizeof({ty}) <= (uint64_t) most) {{"
                ));
                self.line(&format!(
                    "                grown = ({ty} *) realloc(x->{field}, (size_t) count * sizeof({ty}));"
                ));
                self.line("            }");
                self.line("            if (grown == NULL) {");
                self.line("                count = 0;");
                self.line("            } else {");
                if let ElemKind::Inline(t) = elem {
                    self.line(&format!(
                        "                for (uint32_t i = x->_{field}_cap; i < count; i++) {{"
                    ));
                    self.line(&format!("                    grown[i] = New{}();", t.name));
                    self.line("                }");
                }
                self.line(&format!("                x->{field} = grown;"));
                self.line(&format!("                x->_{field}_cap = count;"));
                self.line("            }");
                self.line("        }");
                match elem {
                    ElemKind::Scalar { is_bool: true } => {
                        self.line("        for (uint32_t i = 0; i < count; i++) {");
                        self.line(&format!("            x->{field}[i] = data[i] != 0;"));
                        self.line("        }");
                    }
                    ElemKind::Scalar { .. } => {
                        self.line("        if (count > 0) {");
                        self.line(&format!(
                            "            memcpy(x->{field}, data, (size_t) count * {});",
                            f.elem_size
                        ));
                        self.line("        }");
                    }
                    ElemKind::Inline(t) => {
                        let tv = format!("{}Viewer", t.name);
                        let plain = plain_unit(self.schema, t).is_some();
                        if plain {
                            self.line(&format!("        if (_{}WireLayout()) {{", t.name));
                            self.line("            if (count > 0) {");
                            self.line(&format!(
                                "                memcpy(x->{field}, data, (size_t) count * {});",
                                f.elem_size
                            ));
                            self.line("            }");
                            self.line("        } else {");
                        }
                        let loop_start = self.out.len();
                        self.line("        for (uint32_t i = 0; i < count; i++) {");
                        self.line(&format!(
                            "            {}Read(&x->{field}[i], ({tv} *) &data[(size_t) i * {}], reader);",
                            t.name, f.elem_size
                        ));
                        self.line("        }");
                        if plain {
                            self.indent_from(loop_start);
                            self.line("        }");
                        }
                    }
                    ElemKind::Table(_) => {
                        return Err(internal(format!("`{field}` repeats a table")));
                    }
                }
                self.line(&format!("        x->_{field}_len = count;"));
                self.line("    }");
            }
        }
        Ok(())
    }
}
