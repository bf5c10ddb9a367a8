//! The Go target (`codegen/golang.md`): one file `<module>_generated.go` per schema, with
//! the same public API as upstream's generated Go code, for our runtime
//! (`codegen/runtime/golang/`, import path `karmem.org/golang`) or upstream's.
//!
//! Per schema: the null buffer and reader, enums as defined integer types with one typed
//! constant per value, the `PacketIdentifier` type and one untyped constant per struct,
//! and per struct a native struct (`NewX`, `PacketIdentifier`, `Reset`, `WriteAsRoot`,
//! `Write`, `ReadAsRoot`, `Read`) and a viewer `XViewer [total]byte` overlaid on the
//! message with `unsafe`, with one accessor per field.
//!
//! The bytes written are upstream's for valid data; upstream's defects are not copied:
//! an inline struct at offset 0 of an inline root is written in place (W1), single `char`
//! is `uint8` and `[N]char` is `[N]uint8`, slices of zero-size elements read as empty
//! (no division by zero), the padding of non-packed inline structs is written as zeros (the
//! output does not depend on what a re-used writer held), bools read from the wire are
//! `byte != 0` in the object API, and a table field of an inline struct that is itself
//! absent reads as the null table (not as the root reinterpreted, W5).
//!
//! The text is gofmt-formatted as generated and `go vet` clean; it needs Go 1.17
//! (`unsafe.Add`, `unsafe.Slice`).

mod names;

use karmem_syntax::model::{
    Class, DeclRef, Enum, Field, Primitive, Schema, Struct, StructSize, TypeModel, TypeTarget,
};

use crate::targets_common::{plain_unit, struct_size, unsupported};
use crate::{GenerateError, GenerateInput, GeneratedFile, Generator, NameProblem};

pub use names::{problems, NATIVE_METHODS};

/// The default of `@golang.import`.
pub const DEFAULT_IMPORT: &str = "karmem.org/golang";

/// The `golang` target.
pub struct GoGenerator;

impl Generator for GoGenerator {
    fn name(&self) -> &'static str {
        "golang"
    }

    fn problems(&self, schema: &Schema) -> Vec<NameProblem> {
        names::problems(schema)
    }

    fn generate(&self, input: &GenerateInput) -> Result<Vec<GeneratedFile>, GenerateError> {
        let import = input.options.get("import").unwrap_or(DEFAULT_IMPORT);
        check_import(import)?;
        let package = match input.options.get("package") {
            Some(package) => {
                check_package(package).map_err(|why| GenerateError::InvalidOption {
                    key: "package".to_string(),
                    message: format!("`{package}` is not a Go package name ({why})"),
                })?;
                package
            }
            None => {
                let module = input.module();
                check_package(module).map_err(|why| GenerateError::Unsupported {
                    message: format!(
                        "the module name `{module}` is not a Go package name ({why}); set one with @golang.package"
                    ),
                })?;
                module
            }
        };
        crate::problems::refuse(LANGUAGE, names::problems(input.schema))?;
        let text = generate_text(input.schema, &input.header(), package, import)?;
        input.single_file("go", text)
    }
}

/// Go's keywords: no package may be named like one.
const KEYWORDS: &[&str] = &[
    "break",
    "case",
    "chan",
    "const",
    "continue",
    "default",
    "defer",
    "else",
    "fallthrough",
    "for",
    "func",
    "go",
    "goto",
    "if",
    "import",
    "interface",
    "map",
    "package",
    "range",
    "return",
    "select",
    "struct",
    "switch",
    "type",
    "var",
];

/// A package name: an ASCII identifier, not a keyword, not `_`.
fn check_package(name: &str) -> Result<(), &'static str> {
    let mut chars = name.chars();
    let start = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !start || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err("ASCII letters, digits and `_`, not starting with a digit");
    }
    if name == "_" {
        return Err("`_` is not a package name");
    }
    if KEYWORDS.contains(&name) {
        return Err("a Go keyword");
    }
    Ok(())
}

/// `@golang.import` must be a Go import path: `/`-separated non-empty elements of ASCII
/// letters, digits and `-._~+`, none of them `.` or `..`.
fn check_import(import: &str) -> Result<(), GenerateError> {
    let ok = !import.is_empty()
        && import.split('/').all(|element| {
            !element.is_empty()
                && element != "."
                && element != ".."
                && element
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._~+".contains(c))
        });
    if ok {
        Ok(())
    } else {
        Err(GenerateError::InvalidOption {
            key: "import".to_string(),
            message: format!(
                "`{import}` is not a Go import path (`/`-separated elements of ASCII letters, digits and `-._~+`)"
            ),
        })
    }
}

/// The language named in this target's errors.
const LANGUAGE: &str = "Go";

fn internal(message: String) -> GenerateError {
    unsupported(LANGUAGE, message)
}

fn size_of(s: &Struct) -> Result<&StructSize, GenerateError> {
    struct_size(s, LANGUAGE)
}

/// What a field is, for code generation.
#[derive(Clone, Copy)]
enum Kind<'s> {
    /// A single primitive (`char` as `uint8`).
    Scalar(Primitive),
    /// A single enum.
    Enum(&'s Enum, Primitive),
    /// `[N]T` of primitives (`char` as `uint8`).
    Array(Primitive, u32),
    /// `[]char`, `[<N]char`.
    Str(Option<u32>),
    /// `[]T`, `[<N]T` of primitives other than `char`.
    Slice(Primitive, Option<u32>),
    /// A single inline struct.
    Inline(&'s Struct, u32),
    /// `[N]S` of inline structs.
    InlineArray(&'s Struct, u32, u32),
    /// `[]S`, `[<N]S` of inline structs.
    InlineSlice(&'s Struct, u32, Option<u32>),
    /// A single table.
    Table(&'s Struct, u32),
}

struct FieldInfo<'s> {
    field: &'s Field,
    /// Offset in the struct.
    offset: u32,
    /// Size in the struct.
    size: u32,
    kind: Kind<'s>,
}

/// The Go type of a primitive (`char` is `uint8`).
fn go_primitive(p: Primitive) -> &'static str {
    match p {
        Primitive::Bool => "bool",
        Primitive::Byte => "byte",
        Primitive::Char | Primitive::Uint8 => "uint8",
        Primitive::Uint16 => "uint16",
        Primitive::Uint32 => "uint32",
        Primitive::Uint64 => "uint64",
        Primitive::Int8 => "int8",
        Primitive::Int16 => "int16",
        Primitive::Int32 => "int32",
        Primitive::Int64 => "int64",
        Primitive::Float32 => "float32",
        Primitive::Float64 => "float64",
    }
}

/// The unsigned type of `size` bytes and the runtime's store method for it.
fn store(size: u32) -> (&'static str, &'static str) {
    match size {
        1 => ("uint8", "Write1At"),
        2 => ("uint16", "Write2At"),
        4 => ("uint32", "Write4At"),
        _ => ("uint64", "Write8At"),
    }
}

/// `base+n` (gofmt's spacing inside a call with several arguments), or `base`.
fn plus(base: &str, n: u32) -> String {
    if n == 0 {
        base.to_string()
    } else {
        format!("{base}+{n}")
    }
}

/// The doc comment lines of a schema `///` comment: trimmed, blank lines dropped (so
/// gofmt's doc comment reformatting finds no headings, lists or code blocks to rewrite).
fn doc_lines(docs: Option<&str>) -> Vec<String> {
    docs.map(|d| {
        d.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| format!("// {l}"))
            .collect()
    })
    .unwrap_or_default()
}

struct Gen<'s> {
    schema: &'s Schema,
    out: String,
}

impl<'s> Gen<'s> {
    fn line(&mut self, indent: usize, text: &str) {
        if !text.is_empty() {
            for _ in 0..indent {
                self.out.push('\t');
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

    fn fields(&self, s: &'s Struct) -> Result<Vec<FieldInfo<'s>>, GenerateError> {
        s.fields
            .iter()
            .map(|field| {
                let no_layout =
                    || internal(format!("field `{}.{}` has no layout", s.name, field.name));
                let layout = field.layout.ok_or_else(no_layout)?;
                let target = field.target.ok_or_else(no_layout)?;
                let limit = (field.model == TypeModel::SliceLimited).then_some(field.length);
                let kind = match (target, field.model) {
                    (TypeTarget::Primitive(p), TypeModel::Single) => Kind::Scalar(p),
                    (TypeTarget::Primitive(p), TypeModel::Array) => Kind::Array(p, field.length),
                    (TypeTarget::Primitive(Primitive::Char), _) => Kind::Str(limit),
                    (TypeTarget::Primitive(p), _) => Kind::Slice(p, limit),
                    (TypeTarget::Enum(i), TypeModel::Single) => {
                        let e = self
                            .schema
                            .enums
                            .get(i)
                            .ok_or_else(|| internal(format!("unknown enum #{i}")))?;
                        Kind::Enum(e, e.base.ok_or_else(no_layout)?)
                    }
                    (TypeTarget::Enum(_), _) => {
                        return Err(internal(format!(
                            "field `{}.{}`: arrays of enums do not exist",
                            s.name, field.name
                        )))
                    }
                    (TypeTarget::Struct(i), model) => {
                        let t = self
                            .schema
                            .structs
                            .get(i)
                            .ok_or_else(|| internal(format!("unknown struct #{i}")))?;
                        let total = size_of(t)?.total;
                        match (t.class, model) {
                            (Some(Class::Inline), TypeModel::Single) => Kind::Inline(t, total),
                            (Some(Class::Inline), TypeModel::Array) => {
                                Kind::InlineArray(t, total, field.length)
                            }
                            (Some(Class::Inline), _) => Kind::InlineSlice(t, total, limit),
                            (Some(Class::Table), TypeModel::Single) => Kind::Table(t, total),
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
                    offset: layout.offset,
                    size: layout.field,
                    kind,
                })
            })
            .collect()
    }
}

/// The native Go type of a field.
fn native_type(kind: &Kind) -> String {
    match kind {
        Kind::Scalar(p) => go_primitive(*p).to_string(),
        Kind::Enum(e, _) => e.name.clone(),
        Kind::Array(p, n) => format!("[{n}]{}", go_primitive(*p)),
        Kind::Str(_) => "string".to_string(),
        Kind::Slice(p, _) => format!("[]{}", go_primitive(*p)),
        Kind::Inline(t, _) | Kind::Table(t, _) => t.name.clone(),
        Kind::InlineArray(t, _, n) => format!("[{n}]{}", t.name),
        Kind::InlineSlice(t, _, _) => format!("[]{}", t.name),
    }
}

/// The generated file's text.
fn generate_text(
    schema: &Schema,
    header: &str,
    package: &str,
    import: &str,
) -> Result<String, GenerateError> {
    let mut gen = Gen {
        schema,
        out: String::new(),
    };
    gen.line(0, &format!("// {header}"));
    gen.line(0, "");
    gen.line(0, &format!("package {package}"));
    gen.line(0, "");
    gen.line(0, "import (");
    gen.line(0, "\t\"unsafe\"");
    gen.line(0, "");
    gen.line(0, &format!("\tkarmem {import:?}"));
    gen.line(0, ")");
    gen.line(0, "");
    gen.line(0, "var _ unsafe.Pointer");
    gen.line(0, "");
    gen.line(
        0,
        "// _Null is the null buffer: every null viewer points into it.",
    );
    gen.line(0, &format!("var _Null [{}]byte", schema.largest));
    gen.line(0, "");
    gen.line(0, "// _NullReader reads the null buffer.");
    gen.line(0, "var _NullReader = karmem.NewReader(_Null[:])");
    for decl in &schema.order {
        if let DeclRef::Enum(i) = *decl {
            gen.enumeration(&schema.enums[i])?;
        }
    }
    gen.line(0, "");
    gen.line(
        0,
        "// PacketIdentifier is the id of a struct of the schema (its @id, or the hash of its",
    );
    gen.line(
        0,
        "// name). Ids are never part of a message; applications use them to tag messages.",
    );
    gen.line(0, "type PacketIdentifier uint64");
    for s in &schema.structs {
        gen.line(0, "");
        gen.line(
            0,
            &format!(
                "// PacketIdentifier{} is the id of struct {}.",
                s.name, s.name
            ),
        );
        gen.line(0, &format!("const PacketIdentifier{} = {}", s.name, s.id));
    }
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
        self.line(0, "");
        self.docs(0, e.docs.as_deref());
        self.line(0, &format!("type {} {}", e.name, go_primitive(base)));
        for v in &e.values {
            let number = v.number.map_or_else(|| v.value.clone(), |n| n.to_string());
            self.line(0, "");
            self.docs(0, v.docs.as_deref());
            self.line(
                0,
                &format!("const {}{} {} = {number}", e.name, v.name, e.name),
            );
        }
        Ok(())
    }

    /// The struct fields, aligned as gofmt aligns them (runs of fields without comments).
    fn struct_fields(&mut self, fields: &[FieldInfo]) {
        let mut i = 0;
        while i < fields.len() {
            // A run: this field (with its docs) and the following fields without docs.
            let mut end = i + 1;
            while end < fields.len() && doc_lines(fields[end].field.docs.as_deref()).is_empty() {
                end += 1;
            }
            let width = fields[i..end]
                .iter()
                .map(|f| f.field.name.chars().count())
                .max()
                .unwrap_or(0);
            self.docs(1, fields[i].field.docs.as_deref());
            for f in &fields[i..end] {
                let pad = width - f.field.name.chars().count() + 1;
                let line = format!(
                    "{}{}{}",
                    f.field.name,
                    " ".repeat(pad),
                    native_type(&f.kind)
                );
                self.line(1, &line);
            }
            i = end;
        }
    }

    fn native(&mut self, s: &'s Struct) -> Result<(), GenerateError> {
        let size = size_of(s)?.clone();
        let fields = self.fields(s)?;
        let name = &s.name;
        let table = s.class == Some(Class::Table);
        self.line(0, "");
        let docs = doc_lines(s.docs.as_deref());
        for line in &docs {
            self.line(0, line);
        }
        if docs.is_empty() {
            self.line(
                0,
                &format!("// {name} is the native (object API) form of struct {name}."),
            );
        }
        if fields.is_empty() {
            self.line(0, &format!("type {name} struct{{}}"));
        } else {
            self.line(0, &format!("type {name} struct {{"));
            self.struct_fields(&fields);
            self.line(0, "}");
        }
        self.line(0, "");
        self.line(0, &format!("// New{name} returns the zero {name}."));
        self.line(0, &format!("func New{name}() {name} {{"));
        self.line(1, &format!("return {name}{{}}"));
        self.line(0, "}");
        self.line(0, "");
        self.line(0, "// PacketIdentifier returns the struct's id.");
        self.line(
            0,
            &format!("func (x *{name}) PacketIdentifier() PacketIdentifier {{"),
        );
        self.line(1, &format!("return PacketIdentifier{name}"));
        self.line(0, "}");
        self.line(0, "");
        self.line(
            0,
            "// Reset sets every field to its default, keeping the capacity of slices.",
        );
        self.line(0, &format!("func (x *{name}) Reset() {{"));
        self.line(
            1,
            &format!("x.Read((*{name}Viewer)(unsafe.Pointer(&_Null)), _NullReader)"),
        );
        self.line(0, "}");
        self.line(0, "");
        self.line(
            0,
            "// WriteAsRoot writes x as a new message's root: Write(writer, 0).",
        );
        self.line(
            0,
            &format!(
                "func (x *{name}) WriteAsRoot(writer *karmem.Writer) (offset uint, err error) {{"
            ),
        );
        self.line(1, "return x.Write(writer, 0)");
        self.line(0, "}");
        self.line(0, "");
        self.line(
            0,
            &format!(
                "// Write writes x at start, or, when start is 0, at {} newly allocated",
                size.total
            ),
        );
        self.line(
            0,
            "// bytes; it returns the offset x was written at. Out-of-line data is allocated",
        );
        self.line(
            0,
            "// depth first. An allocation error is returned at once (the writer keeps what was",
        );
        self.line(0, "// written so far).");
        self.line(
            0,
            &format!(
                "func (x *{name}) Write(writer *karmem.Writer, start uint) (offset uint, err error) {{"
            ),
        );
        self.line(1, "offset = start");
        self.line(1, "if offset == 0 {");
        self.line(
            2,
            &format!(
                "if offset, err = writer.Alloc({}); err != nil {{",
                size.total
            ),
        );
        self.line(3, "return 0, err");
        self.line(2, "}");
        self.line(1, "}");
        self.line(1, "return offset, x.writeAt(writer, offset)");
        self.line(0, "}");
        self.line(0, "");
        self.line(
            0,
            &format!(
                "// writeAt writes x in place at offset (the {} bytes there are allocated).",
                size.total
            ),
        );
        let uses_err = fields
            .iter()
            .any(|f| !matches!(f.kind, Kind::Scalar(_) | Kind::Enum(..) | Kind::Array(..)));
        self.line(
            0,
            &format!("func (x *{name}) writeAt(writer *karmem.Writer, offset uint) error {{"),
        );
        if uses_err {
            self.line(1, "var err error");
        }
        if table {
            self.line(1, &format!("writer.Write4At(offset, {})", size.content));
        }
        let header = if s.packed { 8 } else { 12 };
        for (index, f) in fields.iter().enumerate() {
            let id = &f.field.name;
            let at = plus("offset", f.offset);
            match f.kind {
                Kind::Scalar(p) => {
                    let (ty, method) = store(p.size());
                    let value = match p {
                        Primitive::Byte | Primitive::Char | Primitive::Uint8 => {
                            format!("x.{id}")
                        }
                        Primitive::Bool | Primitive::Float32 | Primitive::Float64 => {
                            format!("*(*{ty})(unsafe.Pointer(&x.{id}))")
                        }
                        _ if go_primitive(p) == ty => format!("x.{id}"),
                        _ => format!("{ty}(x.{id})"),
                    };
                    self.line(1, &format!("writer.{method}({at}, {value})"));
                }
                Kind::Enum(_, base) => {
                    let (ty, method) = store(base.size());
                    self.line(1, &format!("writer.{method}({at}, {ty}(x.{id}))"));
                }
                Kind::Array(p, n) => {
                    if n > 0 {
                        let bytes = n * p.size();
                        self.line(
                            1,
                            &format!(
                                "writer.WriteAt({at}, (*[{bytes}]byte)(unsafe.Pointer(&x.{id}))[:])"
                            ),
                        );
                    }
                }
                Kind::Inline(_, total) => {
                    if total > 0 {
                        self.line(
                            1,
                            &format!("if err = x.{id}.writeAt(writer, {at}); err != nil {{"),
                        );
                        self.line(2, "return err");
                        self.line(1, "}");
                    }
                }
                Kind::InlineArray(t, total, n)
                    if total > 0 && n > 0 && plain_unit(self.schema, t).is_some() =>
                {
                    let bytes = u64::from(total) * u64::from(n);
                    self.line(
                        1,
                        &format!(
                            "writer.WriteAt({at}, (*[{bytes}]byte)(unsafe.Pointer(&x.{id}))[:])"
                        ),
                    );
                }
                Kind::InlineArray(_, total, n) => {
                    if total > 0 && n > 0 {
                        self.line(1, &format!("for i := range x.{id} {{"));
                        let at = format!("{}+uint(i)*{total}", plus("offset", f.offset));
                        self.line(
                            2,
                            &format!("if err = x.{id}[i].writeAt(writer, {at}); err != nil {{"),
                        );
                        self.line(3, "return err");
                        self.line(2, "}");
                        self.line(1, "}");
                    }
                }
                Kind::Table(_, total) => {
                    let p = format!("p{index}");
                    self.line(1, &format!("{p}, err := writer.Alloc({total})"));
                    self.line(1, "if err != nil {");
                    self.line(2, "return err");
                    self.line(1, "}");
                    self.line(1, &format!("writer.Write4At({at}, uint32({p}))"));
                    self.line(
                        1,
                        &format!("if err = x.{id}.writeAt(writer, {p}); err != nil {{"),
                    );
                    self.line(2, "return err");
                    self.line(1, "}");
                }
                Kind::Str(_) | Kind::Slice(..) | Kind::InlineSlice(..) => {
                    let element = match f.kind {
                        Kind::Str(_) => 1,
                        Kind::Slice(p, _) => p.size(),
                        Kind::InlineSlice(_, total, _) => total,
                        _ => 0,
                    };
                    let p = format!("p{index}");
                    let n = format!("n{index}");
                    let count = format!("uint(len(x.{id}))");
                    match element {
                        0 => self.line(1, &format!("{n} := uint(0)")),
                        1 => self.line(1, &format!("{n} := {count}")),
                        _ => self.line(1, &format!("{n} := {count} * {element}")),
                    }
                    self.line(1, &format!("{p}, err := writer.Alloc({n})"));
                    self.line(1, "if err != nil {");
                    self.line(2, "return err");
                    self.line(1, "}");
                    self.line(1, &format!("writer.Write4At({at}, uint32({p}))"));
                    self.line(
                        1,
                        &format!(
                            "writer.Write4At({}, uint32({n}))",
                            plus("offset", f.offset + 4)
                        ),
                    );
                    if header == 12 {
                        self.line(
                            1,
                            &format!(
                                "writer.Write4At({}, {element})",
                                plus("offset", f.offset + 8)
                            ),
                        );
                    }
                    match f.kind {
                        Kind::Str(_) => {
                            self.line(1, &format!("copy(writer.Memory[{p}:{p}+{n}], x.{id})"));
                        }
                        Kind::Slice(Primitive::Byte | Primitive::Uint8, _) => {
                            self.line(1, &format!("copy(writer.Memory[{p}:{p}+{n}], x.{id})"));
                        }
                        Kind::Slice(..) => {
                            self.line(1, &format!("if {n} > 0 {{"));
                            self.line(
                                2,
                                &format!(
                                    "writer.WriteAt({p}, unsafe.Slice((*byte)(unsafe.Pointer(&x.{id}[0])), {n}))"
                                ),
                            );
                            self.line(1, "}");
                        }
                        Kind::InlineSlice(t, total, _)
                            if total > 0 && plain_unit(self.schema, t).is_some() =>
                        {
                            self.line(1, &format!("if {n} > 0 {{"));
                            self.line(
                                2,
                                &format!(
                                    "writer.WriteAt({p}, unsafe.Slice((*byte)(unsafe.Pointer(&x.{id}[0])), {n}))"
                                ),
                            );
                            self.line(1, "}");
                        }
                        Kind::InlineSlice(_, total, _) if total > 0 => {
                            self.line(1, &format!("for i := range x.{id} {{"));
                            self.line(
                                2,
                                &format!(
                                    "if err = x.{id}[i].writeAt(writer, {p}+uint(i)*{total}); err != nil {{"
                                ),
                            );
                            self.line(3, "return err");
                            self.line(2, "}");
                            self.line(1, "}");
                        }
                        _ => {}
                    }
                }
            }
        }
        if size.padding > 0 {
            self.line(
                1,
                &format!(
                    "writer.WriteAt({}, _Null[:{}])",
                    plus("offset", size.content),
                    size.padding
                ),
            );
        }
        if uses_err {
            self.line(1, "return err");
        } else {
            self.line(1, "return nil");
        }
        self.line(0, "}");

        // Reading.
        self.line(0, "");
        self.line(
            0,
            &format!("// ReadAsRoot reads the message's root into x: Read(New{name}Viewer(reader, 0), reader)."),
        );
        self.line(
            0,
            &format!("func (x *{name}) ReadAsRoot(reader *karmem.Reader) {{"),
        );
        self.line(1, &format!("x.Read(New{name}Viewer(reader, 0), reader)"));
        self.line(0, "}");
        self.line(0, "");
        self.line(
            0,
            "// Read copies what viewer sees into x, re-using the capacity of x's slices.",
        );
        self.line(
            0,
            &format!("func (x *{name}) Read(viewer *{name}Viewer, reader *karmem.Reader) {{"),
        );
        for (index, f) in fields.iter().enumerate() {
            let id = &f.field.name;
            let v = format!("v{index}");
            match f.kind {
                Kind::Scalar(_) | Kind::Enum(..) => {
                    self.line(1, &format!("x.{id} = viewer.{id}()"));
                }
                Kind::Array(p, n) => {
                    if n == 0 {
                        continue;
                    }
                    self.line(1, &format!("{v} := viewer.{id}()"));
                    self.line(1, &format!("for i := range x.{id} {{"));
                    self.line(2, &format!("if i < len({v}) {{"));
                    if p == Primitive::Bool {
                        self.line(
                            3,
                            &format!("x.{id}[i] = *(*uint8)(unsafe.Pointer(&{v}[i])) != 0"),
                        );
                    } else {
                        self.line(3, &format!("x.{id}[i] = {v}[i]"));
                    }
                    self.line(2, "} else {");
                    let zero = if p == Primitive::Bool { "false" } else { "0" };
                    self.line(3, &format!("x.{id}[i] = {zero}"));
                    self.line(2, "}");
                    self.line(1, "}");
                }
                Kind::Str(_) => {
                    self.line(
                        1,
                        &format!("if {v} := viewer.{id}(reader); x.{id} != {v} {{"),
                    );
                    self.line(2, &format!("b := make([]byte, len({v}))"));
                    self.line(2, &format!("copy(b, {v})"));
                    self.line(2, &format!("x.{id} = *(*string)(unsafe.Pointer(&b))"));
                    self.line(1, "}");
                }
                Kind::Slice(p, _) => {
                    self.line(1, &format!("{v} := viewer.{id}(reader)"));
                    self.line(1, &format!("if len({v}) > cap(x.{id}) {{"));
                    self.line(
                        2,
                        &format!("x.{id} = make([]{}, len({v}))", go_primitive(p)),
                    );
                    self.line(1, "}");
                    self.line(1, &format!("x.{id} = x.{id}[:len({v})]"));
                    if p == Primitive::Bool {
                        self.line(1, &format!("for i := range x.{id} {{"));
                        self.line(
                            2,
                            &format!("x.{id}[i] = *(*uint8)(unsafe.Pointer(&{v}[i])) != 0"),
                        );
                        self.line(1, "}");
                    } else {
                        self.line(1, &format!("copy(x.{id}, {v})"));
                    }
                }
                Kind::Inline(..) => {
                    self.line(1, &format!("x.{id}.Read(viewer.{id}(), reader)"));
                }
                Kind::Table(..) => {
                    self.line(1, &format!("x.{id}.Read(viewer.{id}(reader), reader)"));
                }
                Kind::InlineArray(t, total, n)
                    if n > 0 && total > 0 && plain_unit(self.schema, t).is_some() =>
                {
                    let bytes = u64::from(total) * u64::from(n);
                    self.line(1, &format!("if {v} := viewer.{id}(); len({v}) == {n} {{"));
                    self.line(
                        2,
                        &format!("copy((*[{bytes}]byte)(unsafe.Pointer(&x.{id}))[:], (*[{bytes}]byte)(unsafe.Pointer(&{v}[0]))[:])"),
                    );
                    self.line(1, "} else {");
                    self.line(2, &format!("x.{id} = [{n}]{}{{}}", t.name));
                    self.line(1, "}");
                }
                Kind::InlineArray(_, _, n) => {
                    if n == 0 {
                        continue;
                    }
                    self.line(1, &format!("{v} := viewer.{id}()"));
                    self.line(1, &format!("for i := range x.{id} {{"));
                    self.line(2, &format!("if i < len({v}) {{"));
                    self.line(3, &format!("x.{id}[i].Read(&{v}[i], reader)"));
                    self.line(2, "} else {");
                    self.line(3, &format!("x.{id}[i].Reset()"));
                    self.line(2, "}");
                    self.line(1, "}");
                }
                Kind::InlineSlice(t, total, _)
                    if total > 0 && plain_unit(self.schema, t).is_some() =>
                {
                    self.line(1, &format!("{v} := viewer.{id}(reader)"));
                    self.line(1, &format!("if len({v}) > cap(x.{id}) {{"));
                    self.line(2, &format!("x.{id} = make([]{}, len({v}))", t.name));
                    self.line(1, "}");
                    self.line(1, &format!("x.{id} = x.{id}[:len({v})]"));
                    self.line(1, &format!("if len({v}) > 0 {{"));
                    self.line(
                        2,
                        &format!("copy(unsafe.Slice((*byte)(unsafe.Pointer(&x.{id}[0])), len({v})*{total}), unsafe.Slice((*byte)(unsafe.Pointer(&{v}[0])), len({v})*{total}))"),
                    );
                    self.line(1, "}");
                }
                Kind::InlineSlice(t, _, _) => {
                    self.line(1, &format!("{v} := viewer.{id}(reader)"));
                    self.line(1, &format!("if len({v}) > cap(x.{id}) {{"));
                    self.line(
                        2,
                        &format!(
                            "x.{id} = append(x.{id}[:cap(x.{id})], make([]{}, len({v})-cap(x.{id}))...)",
                            t.name
                        ),
                    );
                    self.line(1, "}");
                    self.line(1, &format!("x.{id} = x.{id}[:len({v})]"));
                    self.line(1, &format!("for i := range x.{id} {{"));
                    self.line(2, &format!("x.{id}[i].Read(&{v}[i], reader)"));
                    self.line(1, "}");
                }
            }
        }
        self.line(0, "}");
        Ok(())
    }

    fn viewer(&mut self, s: &'s Struct) -> Result<(), GenerateError> {
        let size = size_of(s)?.clone();
        let fields = self.fields(s)?;
        let name = &s.name;
        let viewer = format!("{name}Viewer");
        let table = s.class == Some(Class::Table);
        let null = format!("(*{viewer})(unsafe.Pointer(&_Null))");
        self.line(0, "");
        self.line(
            0,
            &format!("// {viewer} is a zero-copy view of a {name} inside a message. Its accessors"),
        );
        self.line(
            0,
            "// return defaults for what is absent or out of bounds; strings and slices alias the",
        );
        self.line(0, "// message.");
        self.line(0, &format!("type {viewer} [{}]byte", size.total));
        self.line(0, "");
        self.line(
            0,
            &format!(
                "// New{viewer} returns the {name} at offset, or the null viewer (every field"
            ),
        );
        self.line(0, "// default) when it does not fit in the message.");
        self.line(
            0,
            &format!("func New{viewer}(reader *karmem.Reader, offset uint32) *{viewer} {{"),
        );
        self.line(
            1,
            &format!("if !reader.IsValidOffset(offset, {}) {{", size.minimum),
        );
        self.line(2, &format!("return {null}"));
        self.line(1, "}");
        self.line(
            1,
            &format!("v := (*{viewer})(unsafe.Add(reader.Pointer, offset))"),
        );
        if table {
            self.line(1, "if !reader.IsValidOffset(offset, v.size()) {");
            self.line(2, &format!("return {null}"));
            self.line(1, "}");
        }
        self.line(1, "return v");
        self.line(0, "}");
        self.line(0, "");
        if table {
            self.line(
                0,
                "// size is the table's stored size (its writer's content size).",
            );
            self.line(0, &format!("func (x *{viewer}) size() uint32 {{"));
            self.line(1, "return *(*uint32)(unsafe.Pointer(x))");
        } else {
            self.line(0, "// size is the struct's size.");
            self.line(0, &format!("func (x *{viewer}) size() uint32 {{"));
            self.line(1, &format!("return {}", size.total));
        }
        self.line(0, "}");
        for f in &fields {
            let id = &f.field.name;
            let at = |n: u32| {
                if n == 0 {
                    "unsafe.Pointer(x)".to_string()
                } else {
                    format!("unsafe.Add(unsafe.Pointer(x), {n})")
                }
            };
            let out_of_line = matches!(
                f.kind,
                Kind::Str(_) | Kind::Slice(..) | Kind::InlineSlice(..) | Kind::Table(..)
            );
            let ret = match f.kind {
                Kind::Scalar(p) => go_primitive(p).to_string(),
                Kind::Enum(e, _) => e.name.clone(),
                Kind::Array(p, _) | Kind::Slice(p, _) => format!("[]{}", go_primitive(p)),
                Kind::Str(_) => "string".to_string(),
                Kind::Inline(t, _) | Kind::Table(t, _) => format!("*{}Viewer", t.name),
                Kind::InlineArray(t, ..) | Kind::InlineSlice(t, ..) => {
                    format!("[]{}Viewer", t.name)
                }
            };
            let zero = match f.kind {
                Kind::Scalar(Primitive::Bool) => "false".to_string(),
                Kind::Scalar(_) | Kind::Enum(..) => "0".to_string(),
                Kind::Str(_) => "\"\"".to_string(),
                Kind::Inline(t, _) | Kind::Table(t, _) => {
                    format!("(*{}Viewer)(unsafe.Pointer(&_Null))", t.name)
                }
                _ => "nil".to_string(),
            };
            self.line(0, "");
            let docs = doc_lines(f.field.docs.as_deref());
            if docs.is_empty() {
                self.line(0, &format!("// {id} returns field {id}."));
            } else {
                for line in &docs {
                    self.line(0, line);
                }
            }
            let params = if out_of_line {
                "reader *karmem.Reader"
            } else {
                ""
            };
            self.line(0, &format!("func (x *{viewer}) {id}({params}) {ret} {{"));
            let end = u64::from(f.offset) + u64::from(f.size);
            if table {
                self.line(1, &format!("if {end} > x.size() {{"));
                self.line(2, &format!("return {zero}"));
                self.line(1, "}");
            } else if matches!(f.kind, Kind::Table(..)) {
                // An inline struct that is absent (the null viewer) has no table (W5).
                self.line(
                    1,
                    "if uintptr(unsafe.Pointer(x))-uintptr(unsafe.Pointer(&_Null)) < uintptr(len(_Null)) {",
                );
                self.line(2, &format!("return {zero}"));
                self.line(1, "}");
            }
            match f.kind {
                Kind::Scalar(Primitive::Bool) => {
                    self.line(1, &format!("return *(*uint8)({}) != 0", at(f.offset)));
                }
                Kind::Scalar(p) => {
                    self.line(
                        1,
                        &format!("return *(*{})({})", go_primitive(p), at(f.offset)),
                    );
                }
                Kind::Enum(e, _) => {
                    self.line(1, &format!("return *(*{})({})", e.name, at(f.offset)));
                }
                Kind::Array(p, n) => {
                    self.line(
                        1,
                        &format!(
                            "return unsafe.Slice((*{})({}), {n})",
                            go_primitive(p),
                            at(f.offset)
                        ),
                    );
                }
                Kind::Inline(t, _) => {
                    self.line(1, &format!("return (*{}Viewer)({})", t.name, at(f.offset)));
                }
                Kind::InlineArray(t, _, n) => {
                    self.line(
                        1,
                        &format!(
                            "return unsafe.Slice((*{}Viewer)({}), {n})",
                            t.name,
                            at(f.offset)
                        ),
                    );
                }
                Kind::Table(t, _) => {
                    self.line(
                        1,
                        &format!(
                            "return New{}Viewer(reader, *(*uint32)({}))",
                            t.name,
                            at(f.offset)
                        ),
                    );
                }
                Kind::Str(limit) | Kind::Slice(_, limit) | Kind::InlineSlice(_, _, limit) => {
                    let (element, item) = match f.kind {
                        Kind::Str(_) => (1, "byte".to_string()),
                        Kind::Slice(p, _) => (p.size(), go_primitive(p).to_string()),
                        Kind::InlineSlice(t, total, _) => (total, format!("{}Viewer", t.name)),
                        _ => (0, String::new()),
                    };
                    if element == 0 {
                        // Zero-size elements: nothing to read (upstream divides by zero).
                        self.line(1, "return nil");
                        self.line(0, "}");
                        continue;
                    }
                    self.line(1, &format!("offset := *(*uint32)({})", at(f.offset)));
                    self.line(1, &format!("size := *(*uint32)({})", at(f.offset + 4)));
                    self.line(1, "if !reader.IsValidOffset(offset, size) {");
                    self.line(2, &format!("return {zero}"));
                    self.line(1, "}");
                    if element == 1 {
                        self.line(1, "length := uintptr(size)");
                    } else {
                        self.line(1, &format!("length := uintptr(size / {element})"));
                    }
                    if let Some(n) = limit {
                        self.line(1, &format!("if length > {n} {{"));
                        self.line(2, &format!("length = {n}"));
                        self.line(1, "}");
                    }
                    let slice = format!(
                        "unsafe.Slice((*{item})(unsafe.Add(reader.Pointer, offset)), length)"
                    );
                    if matches!(f.kind, Kind::Str(_)) {
                        self.line(1, &format!("b := {slice}"));
                        self.line(1, "return *(*string)(unsafe.Pointer(&b))");
                    } else {
                        self.line(1, &format!("return {slice}"));
                    }
                }
            }
            self.line(0, "}");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
