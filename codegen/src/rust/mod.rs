//! The Rust target (`codegen/rust.md`): one file `<module>_generated.rs` per schema, using
//! the `karmem-runtime` crate (`codegen/runtime/rust/`).
//!
//! Per schema: enums as transparent newtypes that keep unknown values, a `PacketIdentifier`
//! enum of the struct ids, and per struct an owned native struct (object API: `write_as_root`,
//! `write_at`, `read_as_root`, `read`, `encode`, `decode`, reusing allocations on decode)
//! and a zero-copy viewer `XViewer<'a>` with bounds-checked accessors. The bytes written
//! are exactly upstream's (`wire-format.md` §4) except for upstream's W1 defect (an inline
//! struct at offset 0 of an inline root is written in place), as in the dynamic codec.
//!
//! The output needs no crate-level attribute (it may be `include!`d) and is warning-free
//! under rustc and clippy defaults. It is a pure function of the schema and the options.

mod names;

use karmem_syntax::model::{
    Class, DeclRef, Enum, Field, FieldLayout, Primitive, Schema, Struct, StructSize, TypeModel,
    TypeTarget,
};

use crate::{GenerateError, GenerateInput, GeneratedFile, Generator, NameProblem};

pub use names::{field_ident, problems, snake_case, upper_snake_case, value_ident};

/// rustfmt's default line width; generated lines stay within it where names allow.
const MAX_WIDTH: usize = 100;

/// rustfmt's default `fn_call_width`, `array_width` and `chain_width`: longer argument lists,
/// arrays and method chains are laid out one item per line.
const SMALL_WIDTH: usize = 60;

/// The default of `@rust.import`: the runtime crate's library name.
pub const DEFAULT_IMPORT: &str = "::karmem_runtime";

/// The `rust` target.
pub struct RustGenerator;

impl Generator for RustGenerator {
    fn name(&self) -> &'static str {
        "rust"
    }

    fn problems(&self, schema: &Schema) -> Vec<NameProblem> {
        names::problems(schema)
    }

    fn generate(&self, input: &GenerateInput) -> Result<Vec<GeneratedFile>, GenerateError> {
        let import = input.options.get("import").unwrap_or(DEFAULT_IMPORT);
        check_import(import)?;
        crate::problems::refuse("Rust", names::problems(input.schema))?;
        let text = generate_text(input.schema, &input.header(), import)?;
        input.single_file("rs", text)
    }
}

/// `@rust.import` must be a Rust path: `::a::b`, `crate::km`, `super::rt`, `name`.
fn check_import(import: &str) -> Result<(), GenerateError> {
    let invalid = |why: &str| GenerateError::InvalidOption {
        key: "import".to_string(),
        message: format!("`{import}` is not a Rust path to the runtime crate ({why})"),
    };
    let body = import.strip_prefix("::").unwrap_or(import);
    if body.is_empty() {
        return Err(invalid("empty"));
    }
    for (i, segment) in body.split("::").enumerate() {
        let mut chars = segment.chars();
        let ok_start = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        if !ok_start || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') || segment == "_" {
            return Err(invalid("segments are ASCII identifiers separated by `::`"));
        }
        let path_keyword = matches!(segment, "crate" | "self" | "super");
        if path_keyword && (i > 0 && segment != "super" || import.starts_with("::")) {
            return Err(invalid(
                "`crate`, `self` and `super` may only start the path",
            ));
        }
    }
    Ok(())
}

/// What a field is, for code generation.
enum Kind<'s> {
    /// A single primitive or enum.
    Scalar(String),
    /// `[N]T` of primitives (`char` as `u8`).
    Array(String, u32),
    /// `[]char`, `[<N]char`.
    Str(Option<u32>),
    /// `[]T`, `[<N]T` of primitives.
    Vec(String, Option<u32>),
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
    ident: String,
    layout: FieldLayout,
    kind: Kind<'s>,
}

fn internal(message: String) -> GenerateError {
    crate::targets_common::unsupported("Rust", message)
}

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

struct Gen<'s> {
    schema: &'s Schema,
    out: String,
    /// Per struct: some limited slice is reachable from it (it needs `check_limits` calls).
    has_limits: Vec<bool>,
}

fn size_of(s: &Struct) -> Result<&StructSize, GenerateError> {
    crate::targets_common::struct_size(s, "Rust")
}

impl<'s> Gen<'s> {
    fn line(&mut self, indent: usize, text: &str) {
        if text.is_empty() {
            self.out.push('\n');
            return;
        }
        for _ in 0..indent {
            self.out.push_str("    ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// A call statement `head(args)tail`, laid out as rustfmt does: on one line when it
    /// fits in 100 columns, else one argument per line.
    fn call(&mut self, indent: usize, head: &str, args: &[String], tail: &str) {
        let joined = args.join(", ");
        let one = format!("{head}{joined}{tail}");
        if joined.len() <= SMALL_WIDTH && indent * 4 + one.len() <= MAX_WIDTH {
            self.line(indent, &one);
            return;
        }
        self.line(indent, head);
        for arg in args {
            self.line(indent + 1, &format!("{arg},"));
        }
        self.line(indent, tail);
    }

    /// `head rest` (an assignment, a `const`, a struct field), broken after `head` with the
    /// rest indented once more when it does not fit in 100 columns, as rustfmt does.
    fn split(&mut self, indent: usize, head: &str, rest: &str) {
        if indent * 4 + head.len() + 1 + rest.len() <= MAX_WIDTH {
            self.line(indent, &format!("{head} {rest}"));
        } else {
            self.line(indent, head);
            self.line(indent + 1, rest);
        }
    }

    /// A match arm `pattern => body,`: on one line when it fits in 100 columns, else the
    /// body in a block (rustfmt's layout).
    fn arm(&mut self, indent: usize, pattern: &str, body: &str) {
        let one = format!("{pattern} => {body},");
        if indent * 4 + one.len() <= MAX_WIDTH {
            self.line(indent, &one);
        } else {
            self.line(indent, &format!("{pattern} => {{"));
            self.line(indent + 1, body);
            self.line(indent, "}");
        }
    }

    /// A method signature `head(params) ret {`, with the parameters one per line when it
    /// does not fit (rustfmt's layout).
    fn signature(&mut self, indent: usize, head: &str, params: &[&str], ret: &str) {
        let one = format!("{head}({}){ret} {{", params.join(", "));
        if indent * 4 + one.len() <= MAX_WIDTH {
            self.line(indent, &one);
            return;
        }
        self.line(indent, &format!("{head}("));
        for param in params {
            self.line(indent + 1, &format!("{param},"));
        }
        self.line(indent, &format!("){ret} {{"));
    }

    fn docs(&mut self, indent: usize, docs: Option<&str>, extra: &str) {
        if let Some(docs) = docs {
            for line in docs.lines() {
                let line = line.trim_end();
                if line.is_empty() {
                    self.line(indent, "///");
                } else {
                    self.line(indent, &format!("/// {line}"));
                }
            }
            if !extra.is_empty() {
                self.line(indent, "///");
            }
        }
        if !extra.is_empty() {
            self.line(indent, &format!("/// {extra}"));
        }
    }

    fn strukt(&self, index: usize) -> Result<&'s Struct, GenerateError> {
        self.schema
            .structs
            .get(index)
            .ok_or_else(|| internal(format!("unknown struct #{index}")))
    }

    fn enumeration(&self, index: usize) -> Result<&'s Enum, GenerateError> {
        self.schema
            .enums
            .get(index)
            .ok_or_else(|| internal(format!("unknown enum #{index}")))
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
                    (TypeTarget::Primitive(p), TypeModel::Single) => {
                        Kind::Scalar(primitive_type(p).to_string())
                    }
                    (TypeTarget::Primitive(p), TypeModel::Array) => {
                        Kind::Array(primitive_type(p).to_string(), field.length)
                    }
                    (TypeTarget::Primitive(Primitive::Char), _) => Kind::Str(limit),
                    (TypeTarget::Primitive(p), _) => {
                        Kind::Vec(primitive_type(p).to_string(), limit)
                    }
                    (TypeTarget::Enum(i), TypeModel::Single) => {
                        let e = self.enumeration(i)?;
                        if e.base.is_none() {
                            return Err(no_layout());
                        }
                        Kind::Scalar(e.name.clone())
                    }
                    (TypeTarget::Enum(_), _) => {
                        return Err(internal(format!(
                            "field `{}.{}`: arrays of enums do not exist",
                            s.name, field.name
                        )))
                    }
                    (TypeTarget::Struct(i), model) => {
                        let t = self.strukt(i)?;
                        size_of(t)?;
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
                    ident: field_ident(&field.name),
                    layout,
                    kind,
                })
            })
            .collect()
    }
}

/// The generated file's text.
fn generate_text(schema: &Schema, header: &str, import: &str) -> Result<String, GenerateError> {
    let mut gen = Gen {
        schema,
        out: String::new(),
        has_limits: Vec::new(),
    };
    // Limits reachable from each struct (types only reference earlier declarations).
    for s in &schema.structs {
        let mut limited = false;
        for f in &s.fields {
            if f.model == TypeModel::SliceLimited {
                limited = true;
            }
            if let Some(TypeTarget::Struct(i)) = f.target {
                if gen.has_limits.get(i).copied().unwrap_or(false) {
                    limited = true;
                }
            }
        }
        gen.has_limits.push(limited);
    }
    gen.line(0, &format!("// {header}"));
    gen.line(0, "//");
    gen.line(
        0,
        &format!("// Rust target of karmem-lsp; needs the `karmem-runtime` crate as `{import}`."),
    );
    gen.line(0, "");
    gen.line(0, "#[allow(unused_imports)]");
    gen.line(0, &format!("use {import} as karmem;"));
    gen.packet_identifiers()?;
    for decl in &schema.order {
        match *decl {
            DeclRef::Enum(i) => {
                let e = gen.enumeration(i)?;
                gen.enumeration_code(e)?;
            }
            DeclRef::Struct(i) => {
                let s = gen.strukt(i)?;
                gen.native(s)?;
                gen.viewer(s)?;
            }
        }
    }
    Ok(gen.out)
}

/// `1 byte`, `4 bytes`.
fn bytes(n: u32) -> String {
    if n == 1 {
        "1 byte".to_string()
    } else {
        format!("{n} bytes")
    }
}

fn limit_expr(limit: Option<u32>) -> String {
    match limit {
        Some(n) => format!("::core::option::Option::Some({n})"),
        None => "::core::option::Option::None".to_string(),
    }
}

/// `offset`, or `offset.wrapping_add(n)` (the writer checked `offset + SIZE` fits, so it
/// never wraps).
fn slot(n: u32) -> String {
    if n == 0 {
        "offset".to_string()
    } else {
        format!("offset.wrapping_add({n})")
    }
}

impl<'s> Gen<'s> {
    fn packet_identifiers(&mut self) -> Result<(), GenerateError> {
        let structs = &self.schema.structs;
        self.line(0, "");
        self.line(
            0,
            "/// The struct ids of this schema (`@id`, or the hash of the name). They are never part",
        );
        self.line(
            0,
            "/// of a message; applications use them to tag messages.",
        );
        self.line(
            0,
            "#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]",
        );
        if structs.is_empty() {
            self.line(0, "pub enum PacketIdentifier {}");
        } else {
            self.line(0, "#[repr(u64)]");
            self.line(0, "pub enum PacketIdentifier {");
            for s in structs {
                self.line(1, &format!("/// The id of [`{}`].", s.name));
                self.line(1, &format!("{} = {},", s.name, s.id));
            }
            self.line(0, "}");
        }
        self.line(0, "");
        self.line(0, "impl PacketIdentifier {");
        self.line(
            1,
            "/// The identifier with this id, if a struct of the schema has it.",
        );
        self.line(
            1,
            "pub const fn from_u64(id: u64) -> ::core::option::Option<PacketIdentifier> {",
        );
        if structs.is_empty() {
            self.line(2, "let _ = id;");
            self.line(2, "::core::option::Option::None");
        } else {
            self.line(2, "match id {");
            for s in structs {
                // rustfmt: the arm on one line, else its body in a block, else the call
                // broken.
                let value = format!("PacketIdentifier::{}", s.name);
                let body = format!("::core::option::Option::Some({value})");
                if 16 + body.len() <= MAX_WIDTH && value.len() <= SMALL_WIDTH {
                    self.arm(3, &s.id.to_string(), &body);
                } else {
                    self.call(
                        3,
                        &format!("{} => ::core::option::Option::Some(", s.id),
                        &[value],
                        "),",
                    );
                }
            }
            self.line(3, "_ => ::core::option::Option::None,");
            self.line(2, "}");
        }
        self.line(1, "}");
        self.line(0, "");
        self.line(1, "/// The id.");
        self.line(1, "pub const fn as_u64(self) -> u64 {");
        if structs.is_empty() {
            self.line(2, "match self {}");
        } else {
            self.line(2, "self as u64");
        }
        self.line(1, "}");
        self.line(0, "}");
        Ok(())
    }

    fn enumeration_code(&mut self, e: &'s Enum) -> Result<(), GenerateError> {
        let base = e
            .base
            .ok_or_else(|| internal(format!("enum `{}` has no integer base", e.name)))?;
        let ty = primitive_type(base);
        let name = &e.name;
        self.line(0, "");
        self.docs(
            0,
            e.docs.as_deref(),
            &format!(
                "Enum `{name}` ({}). Unknown values are kept: `{name}(n)`.",
                base.name()
            ),
        );
        self.line(
            0,
            "#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]",
        );
        self.line(0, "#[repr(transparent)]");
        self.line(0, &format!("pub struct {name}(pub {ty});"));
        self.line(0, "");
        self.line(0, &format!("impl {name} {{"));
        let mut consts = Vec::new();
        for v in &e.values {
            let number = v
                .number
                .ok_or_else(|| internal(format!("value `{name}.{}` has no number", v.name)))?;
            let id = value_ident(&v.name);
            self.docs(1, v.docs.as_deref(), &format!("`{}` = {number}.", v.name));
            self.split(
                1,
                &format!("pub const {id}: {name} ="),
                &format!("{name}({number});"),
            );
            consts.push((id, number, v.name.as_str()));
        }
        self.line(1, "/// Every declared value, in declaration order.");
        let list: Vec<String> = consts
            .iter()
            .map(|(id, ..)| format!("{name}::{id}"))
            .collect();
        let head = format!("pub const VALUES: &'static [{name}] =");
        let array = format!("&[{}];", list.join(", "));
        if list.join(", ").len() <= SMALL_WIDTH {
            self.split(1, &head, &array);
        } else {
            self.call(1, &format!("{head} &["), &list, "];");
        }
        self.line(0, "");
        self.line(
            1,
            "/// The schema name of the value (the first one declared with this number), or `None`",
        );
        self.line(1, "/// for an unknown value.");
        self.line(
            1,
            "pub const fn name(self) -> ::core::option::Option<&'static str> {",
        );
        self.line(2, "match self.0 {");
        // One arm per number: the first value declared with it.
        let mut seen = std::collections::BTreeSet::new();
        consts.retain(|(_, number, _)| seen.insert(*number));
        for (_, number, schema_name) in &consts {
            self.arm(
                3,
                &number.to_string(),
                &format!("::core::option::Option::Some({schema_name:?})"),
            );
        }
        self.line(3, "_ => ::core::option::Option::None,");
        self.line(2, "}");
        self.line(1, "}");
        self.line(0, "}");
        self.line(0, "");
        self.line(0, &format!("impl ::core::fmt::Debug for {name} {{"));
        self.line(
            1,
            "fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {",
        );
        self.line(2, "match self.0 {");
        for (id, number, _) in &consts {
            let text = format!("{name}::{id}");
            self.arm(3, &number.to_string(), &format!("f.write_str({text:?})"));
        }
        self.line(3, &format!("n => ::core::write!(f, \"{name}({{n}})\"),"));
        self.line(2, "}");
        self.line(1, "}");
        self.line(0, "}");
        self.line(0, "");
        self.line(0, &format!("impl karmem::Primitive for {name} {{"));
        self.line(1, &format!("const SIZE: u32 = {};", base.size()));
        self.line(1, "#[inline(always)]");
        self.line(1, "fn load(bytes: &[u8]) -> Self {");
        self.line(
            2,
            &format!("{name}(<{ty} as karmem::Primitive>::load(bytes))"),
        );
        self.line(1, "}");
        self.line(1, "#[inline(always)]");
        self.line(1, "fn store(self, out: &mut [u8]) {");
        self.line(2, "karmem::Primitive::store(self.0, out);");
        self.line(1, "}");
        self.line(0, "}");
        self.line(0, "");
        self.line(
            0,
            &format!("impl ::core::convert::From<{ty}> for {name} {{"),
        );
        self.line(1, &format!("fn from(value: {ty}) -> Self {{"));
        self.line(2, &format!("{name}(value)"));
        self.line(1, "}");
        self.line(0, "}");
        self.line(0, "");
        self.line(
            0,
            &format!("impl ::core::convert::From<{name}> for {ty} {{"),
        );
        self.line(1, &format!("fn from(value: {name}) -> Self {{"));
        self.line(2, "value.0");
        self.line(1, "}");
        self.line(0, "}");
        Ok(())
    }

    fn native_type(kind: &Kind) -> String {
        match kind {
            Kind::Scalar(ty) => ty.clone(),
            Kind::Array(ty, n) => format!("[{ty}; {n}]"),
            Kind::Str(_) => "karmem::String".to_string(),
            Kind::Vec(ty, _) => format!("karmem::Vec<{ty}>"),
            Kind::Inline(s) | Kind::Table(s) => s.name.clone(),
            Kind::InlineArray(s, n) => format!("[{}; {n}]", s.name),
            Kind::InlineVec(s, _) => format!("karmem::Vec<{}>", s.name),
        }
    }

    fn viewer_type(kind: &Kind) -> String {
        match kind {
            Kind::Scalar(ty) => ty.clone(),
            Kind::Array(ty, _) | Kind::Vec(ty, _) => format!("karmem::Slice<'a, {ty}>"),
            Kind::Str(_) => "karmem::Str<'a>".to_string(),
            Kind::Inline(s) | Kind::Table(s) => format!("{}Viewer<'a>", s.name),
            Kind::InlineArray(s, _) | Kind::InlineVec(s, _) => {
                format!("karmem::StructSlice<'a, {}Viewer<'a>>", s.name)
            }
        }
    }

    fn field_doc(s: &Struct, f: &FieldInfo) -> String {
        format!(
            "`{} {}`: offset {}, {}{}.",
            f.field.name,
            f.field.type_text,
            f.layout.offset,
            bytes(f.layout.field),
            if s.class == Some(Class::Table) {
                " (absent in older tables: default)"
            } else {
                ""
            }
        )
    }

    fn native(&mut self, s: &'s Struct) -> Result<(), GenerateError> {
        let size = size_of(s)?;
        let fields = self.fields(s)?;
        let name = &s.name;
        let table = s.class == Some(Class::Table);
        let class = if table { "table" } else { "inline" };
        let packed = if s.packed { "packed" } else { "not packed" };
        self.line(0, "");
        self.docs(
            0,
            s.docs.as_deref(),
            &format!(
                "`{name}`: {class}, {packed}, {}. Owned form; [`{name}Viewer`] reads in place.",
                bytes(size.total)
            ),
        );
        let derive_default = fields.iter().all(|f| match f.kind {
            Kind::Array(_, n) | Kind::InlineArray(_, n) => n <= 32,
            _ => true,
        });
        if derive_default {
            self.line(0, "#[derive(Clone, Debug, Default, PartialEq)]");
        } else {
            self.line(0, "#[derive(Clone, Debug, PartialEq)]");
        }
        self.line(0, &format!("pub struct {name} {{"));
        for f in &fields {
            self.docs(1, f.field.docs.as_deref(), &Self::field_doc(s, f));
            self.split(
                1,
                &format!("pub {}:", f.ident),
                &format!("{},", Self::native_type(&f.kind)),
            );
        }
        self.line(0, "}");
        if !derive_default {
            self.line(0, "");
            self.line(0, &format!("impl ::core::default::Default for {name} {{"));
            self.line(1, "fn default() -> Self {");
            self.line(2, "Self {");
            for f in &fields {
                let value = match &f.kind {
                    Kind::Array(ty, n) if *n > 32 => {
                        let zero = match ty.as_str() {
                            "bool" => "false",
                            "f32" | "f64" => "0.0",
                            _ => "0",
                        };
                        format!("[{zero}; {n}]")
                    }
                    Kind::InlineArray(_, n) if *n > 32 => {
                        "::core::array::from_fn(|_| ::core::default::Default::default())"
                            .to_string()
                    }
                    _ => "::core::default::Default::default()".to_string(),
                };
                self.split(3, &format!("{}:", f.ident), &format!("{value},"));
            }
            self.line(2, "}");
            self.line(1, "}");
            self.line(0, "}");
        }

        // Methods.
        let viewer = format!("{name}Viewer");
        self.line(0, "");
        self.line(0, &format!("impl {name} {{"));
        self.line(
            1,
            &format!("/// The id of `{name}` (never written to messages)."),
        );
        self.split(
            1,
            "pub const PACKET_IDENTIFIER: PacketIdentifier =",
            &format!("PacketIdentifier::{name};"),
        );
        self.line(
            1,
            "/// Bytes the struct occupies (allocated for a root or a referenced table, embedded",
        );
        self.line(1, "/// for an inline struct).");
        self.line(1, &format!("pub const SIZE: u32 = {};", size.total));
        self.line(0, "");
        self.line(1, "/// All fields default.");
        self.line(1, "pub fn new() -> Self {");
        self.line(2, "::core::default::Default::default()");
        self.line(1, "}");
        self.line(0, "");
        self.line(
            1,
            "/// Every field back to its default, keeping the allocations of strings and vectors.",
        );
        self.line(1, "pub fn reset(&mut self) {");
        self.line(2, &format!("self.read({viewer}::null());"));
        self.line(1, "}");
        self.line(0, "");
        self.line(
            1,
            "/// Writes the value as a message root: allocates `SIZE` bytes (offset 0 in an empty",
        );
        self.line(1, "/// writer), writes, returns the offset.");
        self.signature(
            1,
            "pub fn write_as_root",
            &["&self", "w: &mut karmem::Writer"],
            " -> ::core::result::Result<u32, karmem::WriteError>",
        );
        self.line(2, "let offset = w.alloc(Self::SIZE)?;");
        self.line(2, "self.write_at(w, offset)?;");
        self.line(2, "::core::result::Result::Ok(offset)");
        self.line(1, "}");
        self.line(0, "");
        self.line(
            1,
            "/// Writes the value into `SIZE` bytes the caller allocated at `offset`; out-of-line",
        );
        self.line(
            1,
            "/// data (strings, slices, tables) is allocated after them, depth first, in field order.",
        );
        self.signature(
            1,
            "pub fn write_at",
            &["&self", "w: &mut karmem::Writer", "offset: u32"],
            " -> ::core::result::Result<(), karmem::WriteError>",
        );
        self.line(2, "w.check_allocated(offset, Self::SIZE)?;");
        if table {
            self.line(2, &format!("w.put_u32(offset, {});", size.content));
        }
        let word = !s.packed;
        for f in &fields {
            let at = slot(f.layout.offset);
            let id = &f.ident;
            let alloc = f.layout.allocation;
            let field = format!("self.{id}");
            let alloc_slice =
                |elem: String| [at.clone(), format!("{field}.len()"), elem, word.to_string()];
            match &f.kind {
                Kind::Scalar(_) => self.call(2, "w.put(", &[at.clone(), field.clone()], ");"),
                Kind::Array(..) => {
                    self.call(2, "w.put_slice(", &[at.clone(), format!("&{field}")], ");")
                }
                Kind::Str(_) => {
                    self.call(
                        2,
                        "let at = w.alloc_slice(",
                        &alloc_slice("1".into()),
                        ")?;",
                    );
                    self.call(
                        2,
                        "w.put_bytes(",
                        &["at".into(), format!("{field}.as_bytes()")],
                        ");",
                    );
                }
                Kind::Vec(..) => {
                    self.call(
                        2,
                        "let at = w.alloc_slice(",
                        &alloc_slice(alloc.to_string()),
                        ")?;",
                    );
                    self.call(2, "w.put_slice(", &["at".into(), format!("&{field}")], ");");
                }
                Kind::Inline(t) => self.call(
                    2,
                    &format!("{}::write_at(", t.name),
                    &[format!("&{field}"), "w".into(), at.clone()],
                    ")?;",
                ),
                Kind::InlineArray(..) => {
                    self.line(2, &format!("let mut at = {at};"));
                    self.line(2, &format!("for x in &{field} {{"));
                    self.line(3, "x.write_at(w, at)?;");
                    self.line(3, &format!("at = at.wrapping_add({alloc});"));
                    self.line(2, "}");
                }
                Kind::InlineVec(..) => {
                    self.call(
                        2,
                        "let mut at = w.alloc_slice(",
                        &alloc_slice(alloc.to_string()),
                        ")?;",
                    );
                    self.line(2, &format!("for x in &{field} {{"));
                    self.line(3, "x.write_at(w, at)?;");
                    self.line(3, &format!("at = at.wrapping_add({alloc});"));
                    self.line(2, "}");
                }
                Kind::Table(t) => {
                    self.line(2, &format!("let at = w.alloc({alloc})?;"));
                    self.call(2, "w.put_u32(", &[at.clone(), "at".into()], ");");
                    self.call(
                        2,
                        &format!("{}::write_at(", t.name),
                        &[format!("&{field}"), "w".into(), "at".into()],
                        ")?;",
                    );
                }
            }
        }
        self.line(2, "::core::result::Result::Ok(())");
        self.line(1, "}");
        self.line(0, "");
        self.line(
            1,
            "/// Decodes the message root (whatever is out of bounds reads as default), reusing",
        );
        self.line(1, "/// the allocations of strings and vectors.");
        self.line(
            1,
            "pub fn read_as_root(&mut self, r: &karmem::Reader<'_>) {",
        );
        self.line(2, &format!("let v = {viewer}::new(r, 0);"));
        self.line(2, "self.read(v);");
        self.line(1, "}");
        self.line(0, "");
        self.line(
            1,
            "/// [`Self::read_as_root`], but fails (changing nothing) when decoding would allocate",
        );
        self.line(
            1,
            "/// more than `max_bytes` (slices that share data can make a small message decode",
        );
        self.line(1, "/// to a huge value).");
        self.signature(
            1,
            "pub fn read_as_root_with_budget",
            &["&mut self", "r: &karmem::Reader<'_>", "max_bytes: u64"],
            " -> ::core::result::Result<(), karmem::BudgetExceeded>",
        );
        self.line(2, &format!("let v = {viewer}::new(r, 0);"));
        self.line(2, "v.km_charge(&mut karmem::Budget::new(max_bytes))?;");
        self.line(2, "self.read(v);");
        self.line(2, "::core::result::Result::Ok(())");
        self.line(1, "}");
        self.line(0, "");
        self.line(
            1,
            "/// Copies everything `v` sees into `self`, reusing the allocations of strings and",
        );
        self.line(1, "/// vectors.");
        self.line(1, &format!("pub fn read(&mut self, v: {viewer}<'_>) {{"));
        for f in &fields {
            let id = &f.ident;
            let dst = format!("&mut self.{id}");
            let src = format!("v.{id}()");
            match &f.kind {
                Kind::Scalar(_) => self.split(2, &format!("self.{id} ="), &format!("{src};")),
                Kind::Array(..) => self.call(2, "karmem::decode::array(", &[dst, src], ");"),
                Kind::Str(_) => self.call(2, "karmem::decode::string(", &[dst, src], ");"),
                Kind::Vec(..) => self.call(2, "karmem::decode::vec(", &[dst, src], ");"),
                Kind::Inline(t) | Kind::Table(t) => {
                    self.call(2, &format!("{}::read(", t.name), &[dst, src], ");")
                }
                Kind::InlineArray(t, _) => self.call(
                    2,
                    "karmem::decode::struct_array(",
                    &[dst, src, format!("{}::read", t.name)],
                    ");",
                ),
                Kind::InlineVec(t, _) => self.call(
                    2,
                    "karmem::decode::struct_vec(",
                    &[dst, src, format!("{}::read", t.name)],
                    ");",
                ),
            }
        }
        self.line(1, "}");
        self.line(0, "");
        self.line(
            1,
            "/// A new message holding this value as its root (a fresh writer; see",
        );
        self.line(
            1,
            "/// [`Self::write_as_root`] to re-use one). Fails only past the format's 4 GiB limit.",
        );
        self.signature(
            1,
            "pub fn encode",
            &["&self"],
            " -> ::core::result::Result<karmem::Vec<u8>, karmem::WriteError>",
        );
        self.line(2, "let mut w = karmem::Writer::new(Self::SIZE as usize);");
        self.line(2, "self.write_as_root(&mut w)?;");
        self.line(2, "::core::result::Result::Ok(w.into_vec())");
        self.line(1, "}");
        self.line(0, "");
        self.line(
            1,
            "/// The value of a message (whatever is out of bounds reads as default).",
        );
        self.line(1, "pub fn decode(buf: &[u8]) -> Self {");
        self.line(2, "let mut x = Self::new();");
        self.line(2, "x.read_as_root(&karmem::Reader::new(buf));");
        self.line(2, "x");
        self.line(1, "}");
        self.line(0, "");
        self.line(
            1,
            "/// The first limited slice (`[<N]T`) holding more than `N` elements (strings: bytes),",
        );
        self.line(
            1,
            "/// if any. Writers do not truncate (as upstream); readers keep the first `N`.",
        );
        self.signature(
            1,
            "pub fn check_limits",
            &["&self"],
            " -> ::core::result::Result<(), karmem::LimitError>",
        );
        for f in &fields {
            let id = &f.ident;
            let limit = match &f.kind {
                Kind::Str(limit) | Kind::Vec(_, limit) | Kind::InlineVec(_, limit) => *limit,
                _ => None,
            };
            if let Some(n) = limit {
                if n == 0 {
                    self.line(2, &format!("if !self.{id}.is_empty() {{"));
                } else {
                    self.line(2, &format!("if self.{id}.len() > {n} {{"));
                }
                self.line(3, "return ::core::result::Result::Err(karmem::LimitError {");
                self.line(
                    4,
                    &format!("field: {:?},", format!("{name}.{}", f.field.name)),
                );
                self.line(4, &format!("limit: {n},"));
                self.line(4, &format!("len: self.{id}.len(),"));
                self.line(3, "});");
                self.line(2, "}");
            }
            let nested = match f.field.target {
                Some(TypeTarget::Struct(i)) => self.has_limits.get(i).copied().unwrap_or(false),
                _ => false,
            };
            if nested {
                match &f.kind {
                    Kind::InlineArray(..) | Kind::InlineVec(..) => {
                        self.line(2, &format!("for x in &self.{id} {{"));
                        self.line(3, "x.check_limits()?;");
                        self.line(2, "}");
                    }
                    _ => self.line(2, &format!("self.{id}.check_limits()?;")),
                }
            }
        }
        self.line(2, "::core::result::Result::Ok(())");
        self.line(1, "}");
        self.line(0, "}");
        self.line(0, "");
        let head = format!("impl ::core::convert::From<{viewer}<'_>> for {name} {{");
        if head.len() <= MAX_WIDTH {
            self.line(0, &head);
        } else {
            self.line(0, &format!("impl ::core::convert::From<{viewer}<'_>>"));
            self.line(1, &format!("for {name}"));
            self.line(0, "{");
        }
        self.line(1, &format!("fn from(v: {viewer}<'_>) -> Self {{"));
        self.line(2, "let mut x = Self::new();");
        self.line(2, "x.read(v);");
        self.line(2, "x");
        self.line(1, "}");
        self.line(0, "}");
        Ok(())
    }

    fn viewer(&mut self, s: &'s Struct) -> Result<(), GenerateError> {
        let size = size_of(s)?;
        let fields = self.fields(s)?;
        let name = &s.name;
        let viewer = format!("{name}Viewer");
        let table = s.class == Some(Class::Table);
        self.line(0, "");
        self.line(
            0,
            &format!(
                "/// Zero-copy view of a [`{name}`] in a message: every accessor is bounds-checked"
            ),
        );
        self.line(
            0,
            "/// and returns the default for what is absent or out of bounds.",
        );
        self.line(0, "#[derive(Clone, Copy)]");
        self.line(0, &format!("pub struct {viewer}<'a> {{"));
        self.line(1, "reader: karmem::Reader<'a>,");
        self.line(1, "bytes: &'a [u8],");
        self.line(0, "}");
        self.line(0, "");
        self.line(0, &format!("impl<'a> karmem::View<'a> for {viewer}<'a> {{"));
        self.line(1, &format!("const TOTAL: u32 = {};", size.total));
        self.line(1, &format!("const MINIMUM: u32 = {};", size.minimum));
        self.line(1, &format!("const IS_TABLE: bool = {table};"));
        self.line(1, "#[inline(always)]");
        self.line(
            1,
            "fn from_parts(reader: karmem::Reader<'a>, bytes: &'a [u8]) -> Self {",
        );
        self.line(2, "Self { reader, bytes }");
        self.line(1, "}");
        self.line(1, "#[inline(always)]");
        self.line(1, "fn null() -> Self {");
        self.line(2, "Self {");
        self.line(3, "reader: karmem::Reader::empty(),");
        self.line(3, "bytes: &[],");
        self.line(2, "}");
        self.line(1, "}");
        self.line(0, "}");
        self.line(0, "");
        self.line(0, &format!("impl<'a> {viewer}<'a> {{"));
        self.line(
            1,
            &format!("/// The `{name}` at `offset` of the message, or the null viewer when it does not fit"),
        );
        self.line(1, "/// (upstream's `NewXViewer`).");
        self.line(1, "#[inline]");
        self.line(
            1,
            "pub fn new(reader: &karmem::Reader<'a>, offset: u32) -> Self {",
        );
        self.line(2, "karmem::view(*reader, offset)");
        self.line(1, "}");
        self.line(0, "");
        self.line(1, "/// The null viewer: every field reads as its default.");
        self.line(1, "#[inline]");
        self.line(1, "pub fn null() -> Self {");
        self.line(2, "karmem::View::null()");
        self.line(1, "}");
        self.line(0, "");
        if table {
            self.line(
                1,
                "/// The table's stored size (its writer's content size; 0 for the null viewer).",
            );
            self.line(1, "pub fn km_size(&self) -> u32 {");
            self.line(2, "karmem::access::table_size(self.bytes)");
        } else {
            self.line(1, "/// The struct's size.");
            self.line(1, "pub fn km_size(&self) -> u32 {");
            self.line(2, &format!("{}", size.total));
        }
        self.line(1, "}");
        self.line(0, "");
        self.line(1, "/// The bytes this viewer sees.");
        self.line(1, "pub fn km_bytes(&self) -> &'a [u8] {");
        self.line(2, "self.bytes");
        self.line(1, "}");
        self.line(0, "");
        self.line(1, "/// The message this viewer reads from.");
        self.line(1, "pub fn km_reader(&self) -> karmem::Reader<'a> {");
        self.line(2, "self.reader");
        self.line(1, "}");
        self.line(0, "");
        self.line(
            1,
            "/// Charges what decoding this struct would allocate to `budget` (see",
        );
        self.line(1, &format!("/// [`{name}::read_as_root_with_budget`])."));
        self.signature(
            1,
            "pub fn km_charge",
            &["&self", "budget: &mut karmem::Budget"],
            " -> ::core::result::Result<(), karmem::BudgetExceeded>",
        );
        self.line(2, "budget.charge(1)?;");
        for f in &fields {
            let id = &f.ident;
            match &f.kind {
                Kind::Scalar(_) | Kind::Array(..) => {}
                Kind::Str(_) => self.call(
                    2,
                    "budget.charge_elements(",
                    &[format!("self.{id}().len()"), "1".into()],
                    ")?;",
                ),
                Kind::Vec(ty, _) => self.call(
                    2,
                    "budget.charge_elements(",
                    &[
                        format!("self.{id}().len()"),
                        format!("::core::mem::size_of::<{ty}>()"),
                    ],
                    ")?;",
                ),
                Kind::Inline(_) | Kind::Table(_) => {
                    self.line(2, &format!("self.{id}().km_charge(budget)?;"))
                }
                Kind::InlineArray(..) => {
                    self.line(2, &format!("for x in self.{id}() {{"));
                    self.line(3, "x.km_charge(budget)?;");
                    self.line(2, "}");
                }
                Kind::InlineVec(t, _) => {
                    self.line(2, &format!("let items = self.{id}();"));
                    self.call(
                        2,
                        "budget.charge_elements(",
                        &[
                            "items.len()".into(),
                            format!("::core::mem::size_of::<{}>()", t.name),
                        ],
                        ")?;",
                    );
                    self.line(2, "for x in items {");
                    self.line(3, "x.km_charge(budget)?;");
                    self.line(2, "}");
                }
            }
        }
        self.line(2, "::core::result::Result::Ok(())");
        self.line(1, "}");
        let header = if s.packed { 8 } else { 12 };
        for f in &fields {
            let id = &f.ident;
            let off = f.layout.offset;
            self.line(0, "");
            self.docs(1, f.field.docs.as_deref(), &Self::field_doc(s, f));
            self.line(1, "#[inline]");
            self.signature(
                1,
                &format!("pub fn {id}"),
                &["&self"],
                &format!(" -> {}", Self::viewer_type(&f.kind)),
            );
            let parts = |args: &[String]| -> Vec<String> {
                let mut all = vec!["self.reader".to_string(), "self.bytes".to_string()];
                all.extend_from_slice(args);
                all
            };
            let (function, args) = match &f.kind {
                Kind::Scalar(_) => ("scalar", vec!["self.bytes".into(), off.to_string()]),
                Kind::Array(_, n) => (
                    "array",
                    vec!["self.bytes".into(), off.to_string(), n.to_string()],
                ),
                Kind::Str(limit) => (
                    "string",
                    parts(&[off.to_string(), header.to_string(), limit_expr(*limit)]),
                ),
                Kind::Vec(_, limit) => (
                    "slice",
                    parts(&[off.to_string(), header.to_string(), limit_expr(*limit)]),
                ),
                Kind::Inline(_) => ("inline", parts(&[off.to_string()])),
                Kind::InlineArray(_, n) => {
                    ("struct_array", parts(&[off.to_string(), n.to_string()]))
                }
                Kind::InlineVec(_, limit) => (
                    "struct_slice",
                    parts(&[off.to_string(), header.to_string(), limit_expr(*limit)]),
                ),
                Kind::Table(_) => ("table", parts(&[off.to_string()])),
            };
            self.call(2, &format!("karmem::access::{function}("), &args, ")");
            self.line(1, "}");
        }
        self.line(0, "}");
        self.line(0, "");
        self.line(0, &format!("impl ::core::fmt::Debug for {viewer}<'_> {{"));
        self.line(
            1,
            "fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {",
        );
        let calls: Vec<[String; 2]> = fields
            .iter()
            .map(|field| {
                [
                    format!("{:?}", names::plain(&field.ident)),
                    format!("&self.{}()", field.ident),
                ]
            })
            .collect();
        let chain = format!(
            "f.debug_struct({viewer:?}){}.finish()",
            calls
                .iter()
                .map(|[a, b]| format!(".field({a}, {b})"))
                .collect::<String>()
        );
        if chain.len() <= SMALL_WIDTH {
            self.line(2, &chain);
        } else {
            self.line(2, &format!("f.debug_struct({viewer:?})"));
            for call in &calls {
                self.call(3, ".field(", call, ")");
            }
            self.line(3, ".finish()");
        }
        self.line(1, "}");
        self.line(0, "}");
        Ok(())
    }
}

#[cfg(test)]
mod tests;
