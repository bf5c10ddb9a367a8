//! Hover: what the word under the cursor is, with the layout numbers of the model.
//!
//! A struct shows its class, packing, id and sizes and a field-by-field table; a field its
//! offset, sizes and what sits in its slot on the wire (wire-format.md §3.3); an enum its
//! values; a type reference the summary of what it names; a tag what it does and what it
//! does here. Every number is the model's (`karmem layout --json` gives the same); when the
//! model has none, the hover says the layout is unavailable and why, and shows no number.

use std::fmt::Write as _;

use super::locate::{self, ModelIndex, Site, TagOwner};
use super::tags::{self, TagPlace};
use super::HoverResult;
use crate::ast::{self, StructDecl};
use crate::model::{
    Class, DeclRef, Enum, Field, Format, Primitive, Schema, Struct, TypeModel, TypeTarget,
};
use crate::Analysis;

/// Most rows a layout or values table shows; longer ones end with a "… more" line.
const MAX_ROWS: usize = 200;

/// Describes what is at `offset`: a struct (class, id, packed, sizes, a field-by-field
/// layout table), a field (offset, sizes, what sits in its slot on the wire, resolved
/// type), an enum or value, a type reference (the target's summary), a tag (what it does).
/// Numbers are the model's (equal to `karmem layout --json`); none are shown when the
/// layout is unknown.
pub fn hover(analysis: &Analysis, offset: usize) -> Option<HoverResult> {
    let (site, span) = locate::site_at(analysis, offset)?;
    let schema = &analysis.schema;
    let markdown = match site {
        Site::Keyword => return None,
        Site::Module(header) => module_hover(schema, header),
        Site::StructName(_, Some(i)) => struct_hover(analysis, i),
        Site::StructName(decl, None) => struct_hover_tree(decl),
        Site::Class(decl, model) => class_hover(analysis, decl, model),
        Site::EnumName(Some(i)) => enum_hover(schema, i),
        Site::EnumName(..) => return None,
        Site::EnumBase(decl) => {
            let text: String = decl.base.iter().map(|w| w.text.as_str()).collect();
            match Primitive::from_name(&text) {
                Some(p) if p.is_enum_base() => primitive_hover(p),
                Some(p) => format!(
                    "{}\n`{}` cannot be an enum's base: use one of the eight integer types (`uint8` … `int64`).",
                    primitive_hover(p),
                    p.name()
                ),
                None => format!("`{text}` is not an integer type: an enum's base is one of `uint8`, `uint16`, `uint32`, `uint64`, `int8`, `int16`, `int32`, `int64`."),
            }
        }
        Site::Value {
            model: Some(e),
            index,
            ..
        } => value_hover(schema, e, index)?,
        Site::Value { .. } => return None,
        Site::Field {
            decl, model, index, ..
        } => field_hover(analysis, decl, model, index)?,
        Site::TypeRef {
            decl, model, index, ..
        } => type_ref_hover(analysis, decl, model, index)?,
        Site::Tag { tag, owner } => tag_hover(schema, tag, owner),
    };
    Some(HoverResult { markdown, span })
}

// ---- numbers ----------------------------------------------------------------------------

/// `12 (0xC)`: decimal, with the hexadecimal form from 10 up.
pub(crate) fn num(n: u64) -> String {
    if n < 10 {
        n.to_string()
    } else {
        format!("{n} ({n:#X})")
    }
}

/// `1 byte`, `12 bytes`.
pub(crate) fn bytes(n: u32) -> String {
    if n == 1 {
        "1 byte".to_string()
    } else {
        format!("{n} bytes")
    }
}

fn code_block(text: &str) -> String {
    format!("```karmem\n{text}\n```\n")
}

fn push_docs(out: &mut String, docs: Option<&str>) {
    if let Some(docs) = docs.filter(|d| !d.trim().is_empty()) {
        let _ = write!(out, "\n---\n\n{docs}\n");
    }
}

/// Escapes text for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

// ---- structs ----------------------------------------------------------------------------

fn class_word(s: &Struct) -> &'static str {
    s.class.map_or("<no class>", Class::as_str)
}

/// Where a struct's packed flag comes from.
fn packed_source(schema: &Schema, s: &Struct) -> String {
    let yes_no = if s.packed { "yes" } else { "no" };
    if s.tags.iter().any(|t| t.name == "packed") {
        format!("{yes_no} (its own `@packed`)")
    } else if schema.tag("packed").is_some() {
        format!("{yes_no} (the header's `@packed`)")
    } else {
        format!("{yes_no} (no `@packed` tag)")
    }
}

fn id_line(schema: &Schema, s: &Struct) -> String {
    let source = if s.id_explicit {
        "fixed by `@id`".to_string()
    } else if schema.tag("key").is_some() {
        "hashed from the name with the header's `@key`; renaming the struct changes it".to_string()
    } else {
        "hashed from the name; renaming the struct changes it".to_string()
    };
    format!("{} ({:#X}), {source}", s.id, s.id)
}

/// Why a struct has no layout (the model leaves it `None` for exactly these reasons).
fn unavailable_reason(schema: &Schema, s: &Struct, decl: Option<&StructDecl>) -> String {
    if s.class.is_none() {
        return "the struct has no valid class (`inline` or `table`)".to_string();
    }
    if decl.is_some_and(|d| d.skipped_items > 0) {
        return "a field of the struct could not be read".to_string();
    }
    for field in &s.fields {
        match field.target {
            None if field.base.is_empty() => {
                return format!("field `{}` has no type", field.name);
            }
            None => {
                return format!(
                    "field `{}` has an unknown type `{}`",
                    field.name, field.base
                )
            }
            Some(TypeTarget::Struct(i))
                if schema.structs.get(i).is_some_and(|t| t.size.is_none()) =>
            {
                return format!(
                    "field `{}` uses `{}`, whose layout is unavailable",
                    field.name, field.base
                )
            }
            Some(TypeTarget::Enum(i)) if schema.enums.get(i).is_some_and(|e| e.base.is_none()) => {
                return format!(
                    "field `{}` uses `{}`, whose base type is invalid",
                    field.name, field.base
                )
            }
            _ => {}
        }
        if field.format.is_none() {
            return format!(
                "field `{}` has an invalid type `{}`",
                field.name, field.type_text
            );
        }
    }
    "the struct is larger than 4294967295 bytes".to_string()
}

fn struct_summary_lines(schema: &Schema, s: &Struct, decl: Option<&StructDecl>) -> String {
    let mut out = String::new();
    let class = match s.class {
        Some(Class::Table) => "`table`: a 4-byte size header, then the fields; referenced by a 4-byte offset; can grow by appending fields",
        Some(Class::Inline) => "`inline`: the fields stored in place wherever the struct is used; no header; can never change",
        None => "none (write `inline` or `table`)",
    };
    let _ = writeln!(out, "- class: {class}");
    let _ = writeln!(out, "- packed: {}", packed_source(schema, s));
    let _ = writeln!(out, "- id: {}", id_line(schema, s));
    match &s.size {
        Some(size) => {
            let _ = writeln!(
                out,
                "- size: minimum {} · content {} · padding {} · **total {}**",
                size.minimum,
                size.content,
                size.padding,
                bytes_num(size.total)
            );
        }
        None => {
            let _ = writeln!(
                out,
                "- size: layout unavailable because of errors: {}",
                unavailable_reason(schema, s, decl)
            );
        }
    }
    out
}

/// `111 bytes (0x6F)`.
fn bytes_num(n: u32) -> String {
    if n < 10 {
        bytes(n)
    } else {
        format!("{n} bytes ({n:#X})")
    }
}

fn struct_decl_of<'a>(analysis: &'a Analysis, s: &Struct) -> Option<&'a StructDecl> {
    analysis.file.decls.iter().find_map(|d| match d {
        ast::Decl::Struct(decl) if decl.name.as_ref().is_some_and(|n| n.span == s.name_span) => {
            Some(decl)
        }
        _ => None,
    })
}

fn struct_hover(analysis: &Analysis, index: usize) -> String {
    let schema = &analysis.schema;
    let s = &schema.structs[index];
    let decl = struct_decl_of(analysis, s);
    let mut out = code_block(&format!("struct {} {}", s.name, class_word(s)));
    push_docs(&mut out, s.docs.as_deref());
    out.push_str("\n---\n\n");
    out.push_str(&struct_summary_lines(schema, s, decl));
    out.push('\n');
    out.push_str(&layout_table(s));
    out
}

/// The field-by-field table: the size header of a table, each field's slot, the padding.
fn layout_table(s: &Struct) -> String {
    let mut out = String::new();
    let Some(size) = &s.size else {
        // No numbers: list the fields with their types only.
        if s.fields.is_empty() {
            return out;
        }
        out.push_str("| field | type |\n|---|---|\n");
        for field in s.fields.iter().take(MAX_ROWS) {
            let _ = writeln!(
                out,
                "| `{}` | `{}` |",
                cell(&field.name),
                cell(&field.type_text)
            );
        }
        more_rows(&mut out, s.fields.len());
        return out;
    };
    out.push_str("| offset | field | type | size |\n|---:|---|---|---:|\n");
    if s.class == Some(Class::Table) {
        out.push_str("| 0 | *size header* | `uint32` | 4 |\n");
    }
    for field in s.fields.iter().take(MAX_ROWS) {
        let (offset, slot) = field
            .layout
            .map_or(("?".to_string(), "?".to_string()), |l| {
                (l.offset.to_string(), l.field.to_string())
            });
        let _ = writeln!(
            out,
            "| {offset} | `{}` | `{}` | {slot} |",
            cell(&field.name),
            cell(&field.type_text)
        );
    }
    more_rows(&mut out, s.fields.len());
    if size.padding > 0 {
        let _ = writeln!(out, "| {} | *padding* | | {} |", size.content, size.padding);
    }
    out
}

fn more_rows(out: &mut String, total: usize) {
    if total > MAX_ROWS {
        let _ = writeln!(out, "\n… and {} more", total - MAX_ROWS);
    }
}

/// A struct the model does not have (it has no name): what the tree says.
fn struct_hover_tree(decl: &StructDecl) -> String {
    let name = decl.name.as_ref().map_or("", |n| n.text.as_str());
    let class = decl.class.as_ref().map_or("", |c| c.text.as_str());
    format!(
        "{}\nLayout unavailable because of errors in this declaration.\n",
        code_block(&format!("struct {name} {class}"))
    )
}

fn class_hover(analysis: &Analysis, decl: &StructDecl, model: Option<usize>) -> String {
    let word = decl.class.as_ref().map_or("", |c| c.text.as_str());
    let mut out = match word {
        "inline" => "**inline** struct: its fields are stored in place wherever it is used (embedded in the parent, or back to back in arrays and slices). It has no header, so an inline struct can never change without breaking readers. Unless packed, it is followed by 1–8 padding bytes (to the next multiple of 8 strictly above its content).\n".to_string(),
        "table" => "**table**: a 4-byte size header, then the fields, stored out of line and referenced by a 4-byte offset. Readers treat fields beyond the stored size as absent, so a table can grow by appending fields at its end. Tables are never padded.\n".to_string(),
        other => format!("`{other}` is not a struct class: write `inline` or `table`.\n"),
    };
    if let Some(size) = model.and_then(|i| analysis.schema.structs.get(i)?.size.as_ref()) {
        let _ = write!(out, "\nThis struct: total {}.\n", bytes_num(size.total));
    }
    out
}

// ---- fields -----------------------------------------------------------------------------

/// What sits in a field's slot on the wire (wire-format.md §3.3); `None` without a layout.
fn slot_description(schema: &Schema, s: &Struct, field: &Field) -> Option<String> {
    let layout = field.layout?;
    let target = field.target?;
    let format = field.format?;
    let element = match target {
        TypeTarget::Primitive(p) => format!("`{}`", p.name()),
        TypeTarget::Enum(i) | TypeTarget::Struct(i) => {
            let name = match target {
                TypeTarget::Enum(_) => schema.enums.get(i).map(|e| e.name.as_str()),
                _ => schema.structs.get(i).map(|t| t.name.as_str()),
            };
            format!("`{}`", name.unwrap_or(&field.base))
        }
    };
    Some(match field.model {
        TypeModel::Single => match format {
            Format::Primitive => format!("the value ({})", bytes(layout.field)),
            Format::Enum => {
                let base = match target {
                    TypeTarget::Enum(i) => schema
                        .enums
                        .get(i)
                        .and_then(|e| e.base)
                        .map_or(String::new(), |b| format!(" as `{}`", b.name())),
                    _ => String::new(),
                };
                format!("the {element} value{base} ({})", bytes(layout.field))
            }
            Format::Struct => format!(
                "the struct {element} embedded inline ({})",
                bytes(layout.field)
            ),
            Format::Table => format!(
                "4-byte offset to the table {element} (stored elsewhere in the buffer; {} allocated)",
                bytes(layout.allocation)
            ),
        },
        TypeModel::Array => format!(
            "{} {element} elements × {} = {}, in place",
            field.length,
            bytes(layout.allocation),
            bytes(layout.field)
        ),
        TypeModel::Slice | TypeModel::SliceLimited => {
            let mut text = "4-byte offset + 4-byte byte length".to_string();
            if !s.packed {
                text.push_str(" + 4-byte element size (not packed)");
            }
            let _ = write!(
                text,
                " ({}); the {element} elements, {} each, are stored elsewhere in the buffer",
                bytes(layout.field),
                bytes(layout.allocation)
            );
            if field.model == TypeModel::SliceLimited {
                let _ = write!(text, "; readers take at most {}", field.length);
            }
            text
        }
    })
}

fn length_line(field: &Field) -> String {
    match field.model {
        TypeModel::Single => "1 (single value)".to_string(),
        TypeModel::Array => format!("{} (fixed array)", field.length),
        TypeModel::Slice => "0 (slice without a limit)".to_string(),
        TypeModel::SliceLimited => format!("{} (limit of the slice)", field.length),
    }
}

/// One line about what a field's element names.
fn target_summary(schema: &Schema, field: &Field, struct_start: usize) -> String {
    match field.target {
        Some(TypeTarget::Primitive(p)) => {
            format!("`{}`: primitive, {}", p.name(), bytes(p.size()))
        }
        Some(TypeTarget::Enum(i)) => match schema.enums.get(i) {
            Some(e) => enum_summary(e),
            None => format!("`{}`", field.base),
        },
        Some(TypeTarget::Struct(i)) => match schema.structs.get(i) {
            Some(t) => struct_summary(t),
            None => format!("`{}`", field.base),
        },
        None => unresolved_summary(schema, &field.base, struct_start),
    }
}

fn unresolved_summary(schema: &Schema, name: &str, struct_start: usize) -> String {
    if name.is_empty() {
        return "missing".to_string();
    }
    match schema.lookup(name) {
        Some(decl) => {
            let span = match decl {
                DeclRef::Enum(i) => schema.enums[i].span,
                DeclRef::Struct(i) => schema.structs[i].span,
            };
            if span.start == struct_start {
                format!("`{name}`: a struct cannot contain itself")
            } else {
                format!(
                    "`{name}`: declared after this struct; a type must be declared before it is used"
                )
            }
        }
        None => format!("`{name}`: unknown type (not a primitive, enum or struct declared above)"),
    }
}

fn enum_summary(e: &Enum) -> String {
    let base = match e.base {
        Some(b) => format!("base `{}` ({})", b.name(), bytes(b.size())),
        None => format!("invalid base `{}`", e.base_text),
    };
    let count = e.values.len();
    let values = if count == 1 { "value" } else { "values" };
    format!("`{}`: enum, {base}, {count} {values}", e.name)
}

fn struct_summary(s: &Struct) -> String {
    let size = match &s.size {
        Some(size) => match s.class {
            Some(Class::Table) => {
                format!("minimum {}, total {}", size.minimum, bytes(size.total))
            }
            _ => format!("total {}", bytes(size.total)),
        },
        None => "layout unavailable because of errors".to_string(),
    };
    let class = match s.class {
        Some(Class::Table) => "table",
        Some(Class::Inline) => "inline struct",
        None => "struct without a class",
    };
    let packed = if s.packed { ", packed" } else { "" };
    format!("`{}`: {class}{packed}, {size}, id {}", s.name, s.id)
}

fn field_hover(
    analysis: &Analysis,
    decl: &StructDecl,
    model: Option<usize>,
    index: usize,
) -> Option<String> {
    let schema = &analysis.schema;
    let tree_field = decl.fields.get(index)?;
    let Some((s, field)) =
        model.and_then(|i| Some((&schema.structs[i], schema.structs[i].fields.get(index)?)))
    else {
        let ty = tree_field.ty.as_ref().map_or(String::new(), |t| {
            locate::slice(&analysis.text, t.span).to_string()
        });
        return Some(format!(
            "{}\nLayout unavailable because of errors in this struct.\n",
            code_block(format!("{} {ty}", tree_field.name.text).trim_end())
        ));
    };
    let mut out = code_block(&format!("{} {}", field.name, field.type_text));
    let _ = writeln!(
        out,
        "field of `{}` ({}{})",
        s.name,
        class_word(s),
        if s.packed { ", packed" } else { "" }
    );
    push_docs(&mut out, field.docs.as_deref());
    out.push_str("\n---\n\n");
    match field.layout {
        Some(layout) => {
            let _ = writeln!(out, "- offset: **{}**", num(u64::from(layout.offset)));
            let _ = writeln!(
                out,
                "- field size: **{}** (its slot in `{}`)",
                bytes(layout.field),
                s.name
            );
            let _ = writeln!(
                out,
                "- allocation: {} per element",
                bytes(layout.allocation)
            );
            let _ = writeln!(out, "- minimum: {}", layout.minimum);
            let _ = writeln!(out, "- length: {}", length_line(field));
            if let Some(slot) = slot_description(schema, s, field) {
                let _ = writeln!(out, "- in the slot: {slot}");
            }
        }
        None => {
            let _ = writeln!(
                out,
                "- layout unavailable because of errors: {}",
                unavailable_reason(schema, s, Some(decl))
            );
            let _ = writeln!(out, "- length: {}", length_line(field));
        }
    }
    let _ = writeln!(
        out,
        "- type: {}",
        target_summary(schema, field, s.span.start)
    );
    Some(out)
}

// ---- type references --------------------------------------------------------------------

fn type_ref_hover(
    analysis: &Analysis,
    decl: &StructDecl,
    model: Option<usize>,
    index: usize,
) -> Option<String> {
    let schema = &analysis.schema;
    let ty = decl.fields.get(index)?.ty.as_ref()?;
    let name = ty.element_text();
    let field = model.and_then(|i| schema.structs[i].fields.get(index));
    let target = field.and_then(|f| f.target);
    let mut out = match target {
        Some(TypeTarget::Primitive(p)) => primitive_hover(p),
        Some(TypeTarget::Enum(i)) => enum_brief(schema.enums.get(i)?),
        Some(TypeTarget::Struct(i)) => struct_brief(schema, schema.structs.get(i)?),
        None => {
            let model_index = ModelIndex::new(schema);
            let mut out = match locate::resolve_field_type(schema, &model_index, decl, index) {
                Some(DeclRef::Enum(i)) => enum_brief(schema.enums.get(i)?),
                Some(DeclRef::Struct(i)) => struct_brief(schema, schema.structs.get(i)?),
                None => match Primitive::from_name(&name) {
                    Some(p) => primitive_hover(p),
                    None => code_block(&name),
                },
            };
            let _ = writeln!(
                out,
                "\n**Error:** {}",
                unresolved_summary(schema, &name, decl.span.start)
            );
            out
        }
    };
    // An enum or table in an array or slice resolves but is invalid there.
    if let (Some(f), Some(_)) = (field, target) {
        if f.format.is_none() && f.model != TypeModel::Single {
            out.push_str(
                "\n**Error:** enums and tables cannot be the element of an array or slice; wrap them in an inline struct.\n",
            );
        }
    }
    Some(out)
}

fn primitive_hover(p: Primitive) -> String {
    let meaning = match p {
        Primitive::Bool => "a boolean: 0 = false, 1 = true",
        Primitive::Byte => "an unsigned 8-bit number",
        Primitive::Char => "one UTF-8 code unit; `[]char` and `[<N]char` are strings",
        Primitive::Uint8 | Primitive::Uint16 | Primitive::Uint32 | Primitive::Uint64 => {
            "an unsigned integer, little-endian"
        }
        Primitive::Int8 | Primitive::Int16 | Primitive::Int32 | Primitive::Int64 => {
            "a signed (two's complement) integer, little-endian"
        }
        Primitive::Float32 => "an IEEE-754 binary32 number, little-endian",
        Primitive::Float64 => "an IEEE-754 binary64 number, little-endian",
    };
    format!(
        "{}\nprimitive · {} · {meaning}\n",
        code_block(p.name()),
        bytes(p.size())
    )
}

/// A type's summary for a reference: the declaration line, docs, the key numbers.
fn struct_brief(schema: &Schema, s: &Struct) -> String {
    let mut out = code_block(&format!("struct {} {}", s.name, class_word(s)));
    push_docs(&mut out, s.docs.as_deref());
    out.push_str("\n---\n\n");
    let size = match &s.size {
        Some(size) => format!("total **{}**", bytes_num(size.total)),
        None => "layout unavailable because of errors".to_string(),
    };
    let packed = if s.packed { " · packed" } else { "" };
    let _ = writeln!(
        out,
        "{}{packed} · {size} · id {}",
        class_word(s),
        id_line(schema, s)
    );
    out
}

fn enum_brief(e: &Enum) -> String {
    let mut out = code_block(&format!("enum {} {}", e.name, e.base_text));
    push_docs(&mut out, e.docs.as_deref());
    out.push_str("\n---\n\n");
    let _ = writeln!(out, "{}", enum_facts(e));
    out
}

// ---- enums ------------------------------------------------------------------------------

fn enum_facts(e: &Enum) -> String {
    let base = match e.base {
        Some(b) => format!("base `{}` · {} on the wire", b.name(), bytes(b.size())),
        None => format!(
            "base `{}` is not an integer type (size unknown)",
            e.base_text
        ),
    };
    let count = e.values.len();
    let sequential = if e.sequential && count > 0 {
        ", sequential"
    } else {
        ""
    };
    format!(
        "enum · {base} · {count} {}{sequential}",
        if count == 1 { "value" } else { "values" }
    )
}

fn enum_hover(schema: &Schema, index: usize) -> String {
    let e = &schema.enums[index];
    let mut out = enum_brief(e);
    out.push('\n');
    if !e.values.is_empty() {
        out.push_str("| value | name |\n|---:|---|\n");
        for v in e.values.iter().take(MAX_ROWS) {
            let implicit = if v.explicit { "" } else { " *(implicit)*" };
            let _ = writeln!(out, "| {}{implicit} | `{}` |", v.value, cell(&v.name));
        }
        more_rows(&mut out, e.values.len());
    }
    out
}

fn value_hover(schema: &Schema, enum_index: usize, index: usize) -> Option<String> {
    let e = schema.enums.get(enum_index)?;
    let v = e.values.get(index)?;
    let mut out = code_block(&format!("{}.{} = {}", e.name, v.name, v.value));
    push_docs(&mut out, v.docs.as_deref());
    out.push_str("\n---\n\n");
    let how = if v.explicit {
        "written".to_string()
    } else {
        "implicit: its position in the list".to_string()
    };
    let fits = match (e.base, v.number) {
        (Some(_), Some(_)) | (None, _) => String::new(),
        (Some(b), None) => format!(" — **does not fit** `{}`", b.name()),
    };
    let _ = writeln!(out, "- value: {} ({how}){fits}", v.value);
    let _ = writeln!(out, "- of {}", enum_summary(e));
    Some(out)
}

// ---- header and tags --------------------------------------------------------------------

fn module_hover(schema: &Schema, header: &ast::Header) -> String {
    let name = header.module.as_ref().map_or("", |m| m.text.as_str());
    let mut out = code_block(&format!("karmem {name}"));
    out.push_str("\n---\n\n");
    let _ = writeln!(
        out,
        "- module `{name}`: names the generated files (`{name}_generated.*`) and is the default package"
    );
    let packed = if schema.packed {
        "yes: structs without their own `@packed` are packed"
    } else {
        "no: structs without their own `@packed` are not packed"
    };
    let _ = writeln!(out, "- packed by default: {packed}");
    match schema.tag("key") {
        Some(key) => {
            let _ = writeln!(
                out,
                "- struct ids: hashed with the key `{}`",
                cell(&key.value)
            );
        }
        None => {
            let _ = writeln!(out, "- struct ids: hashed without a key");
        }
    }
    let _ = writeln!(
        out,
        "- {} enums, {} structs; the largest struct is {}",
        schema.enums.len(),
        schema.structs.len(),
        bytes(schema.largest)
    );
    out
}

fn tag_place(owner: &TagOwner<'_>) -> TagPlace {
    match owner {
        TagOwner::Header => TagPlace::Header,
        TagOwner::Enum => TagPlace::Enum,
        TagOwner::Struct(..) => TagPlace::Struct,
        TagOwner::Field => TagPlace::Field,
    }
}

fn tag_hover(schema: &Schema, tag: &ast::Tag, owner: TagOwner<'_>) -> String {
    let name = tag.name.text.as_str();
    let value = tag.value_text();
    let written = match &tag.value {
        Some(_) => format!("@{name}({value})"),
        None => format!("@{name}"),
    };
    let mut out = code_block(&written);
    out.push_str("\n---\n\n");
    let place = tag_place(&owner);
    let Some(known) = tags::known_tag(name) else {
        let _ = writeln!(
            out,
            "`@{name}` is not a tag Karmem knows: it is kept (the formatter prints it back) and has no effect."
        );
        return out;
    };
    let _ = writeln!(out, "{}\n", known.summary);
    if !known.places.contains(&place) {
        let places: Vec<&str> = known.places.iter().map(|p| p.describe()).collect();
        let _ = writeln!(
            out,
            "**No effect here:** `@{name}` is read on {}, not on {}.",
            places.join(" and "),
            place.describe()
        );
        return out;
    }
    let first = match owner {
        TagOwner::Header => schema
            .tags
            .iter()
            .find(|t| t.name == name)
            .is_some_and(|t| t.span == tag.span),
        TagOwner::Struct(decl, _) => decl
            .tags
            .iter()
            .find(|t| t.name.text == name)
            .is_some_and(|t| t.span == tag.span),
        _ => true,
    };
    if !first {
        let _ = writeln!(
            out,
            "**No effect:** only the first `@{name}` counts; this one is ignored."
        );
        return out;
    }
    let effect = tag_effect(schema, name, &value, &owner);
    let _ = writeln!(out, "Here: {effect}");
    out
}

fn packed_effect(value: &str) -> Option<&'static str> {
    match value {
        "" | "true" => Some(
            "structs are packed (no trailing padding, 8-byte slice headers)",
        ),
        "false" => Some(
            "structs are not packed (inline structs get 1–8 padding bytes, slice headers are 12 bytes)",
        ),
        _ => None,
    }
}

fn tag_effect(schema: &Schema, name: &str, value: &str, owner: &TagOwner<'_>) -> String {
    match (name, owner) {
        ("packed", TagOwner::Header) => match packed_effect(value) {
            Some(effect) => format!("{effect}, unless a struct has its own `@packed`."),
            None => format!("`{value}` is not a valid value (write `true`, `false` or nothing); structs are not packed by default."),
        },
        ("packed", TagOwner::Struct(_, model)) => {
            let s = model.and_then(|i| schema.structs.get(i));
            match (packed_effect(value), s) {
                (Some(_), Some(s)) => format!(
                    "`{}` is {} (this overrides the header).",
                    s.name,
                    if s.packed { "packed" } else { "not packed" }
                ),
                (Some(effect), None) => format!("{effect}."),
                (None, _) => format!(
                    "`{value}` is not a valid value (write `true`, `false` or nothing); the header's flag applies."
                ),
            }
        }
        ("id", TagOwner::Struct(_, model)) => match model.and_then(|i| schema.structs.get(i)) {
            Some(s) if s.id_explicit => format!("fixes the id of `{}`: {} ({:#X}).", s.name, s.id, s.id),
            Some(s) => format!(
                "`{value}` is not a decimal 64-bit number, so the id stays hashed from the name: {}.",
                s.id
            ),
            None => "fixes the struct's id.".to_string(),
        },
        ("key", _) => {
            if value.is_empty() {
                "struct ids are hashed with the empty key (different from no key).".to_string()
            } else {
                format!("struct ids are hashed with the key `{}`.", cell(value))
            }
        }
        _ => {
            let lang = tags::language_of(name).unwrap_or("the");
            let default = tags::known_tag(name).and_then(|t| t.default);
            let default = match default {
                Some("") => format!("the module name `{}`", schema.module),
                Some(d) => format!("`{d}`"),
                None => "nothing".to_string(),
            };
            if name.ends_with(".package") {
                format!("generated {lang} code uses the package `{}` (default: {default}).", cell(value))
            } else {
                format!("generated {lang} code imports the runtime from `{}` (default: {default}).", cell(value))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{analysis, fixture, GAME};
    use super::*;

    /// The hover at the `$0` cursor of `text`, and the hovered text.
    fn hover_at(text: &str) -> (String, String) {
        let (analysis, offset) = fixture(text);
        let result = hover(&analysis, offset).expect("a hover at the cursor");
        let word = analysis.text[result.span.range()].to_string();
        (result.markdown, word)
    }

    /// GAME with the cursor placed right after the first occurrence of `before`.
    fn game_at(before: &str) -> String {
        let at = GAME.find(before).expect("marker in GAME") + before.len();
        format!("{}$0{}", &GAME[..at], &GAME[at..])
    }

    fn assert_contains(markdown: &str, needles: &[&str]) {
        for needle in needles {
            assert!(
                markdown.contains(needle),
                "hover lacks {needle:?}:\n{markdown}"
            );
        }
    }

    #[test]
    fn struct_hover_has_sizes_id_and_layout_table() {
        let (markdown, word) = hover_at(&game_at("struct Monst"));
        assert_eq!(word, "MonsterData");
        // The model's numbers ...
        let model = analysis(GAME);
        let s = model
            .schema
            .structs
            .iter()
            .find(|s| s.name == "MonsterData")
            .unwrap();
        let size = s.size.as_ref().unwrap();
        assert_eq!(
            (size.minimum, size.content, size.padding, size.total),
            (4, 111, 0, 111)
        );
        // ... are layout.md §6.1's, and the hover shows them.
        assert_contains(
            &markdown,
            &[
                "```karmem\nstruct MonsterData table\n```",
                "- packed: yes (the header's `@packed`)",
                "- id: 12254962724431809041 (0xAA125FAB15694A11), hashed from the name",
                "minimum 4 · content 111 · padding 0 · **total 111 bytes (0x6F)**",
                "| offset | field | type | size |",
                "| 0 | *size header* | `uint32` | 4 |\n| 4 | `Pos` | `Vec3` | 12 |",
                "| 20 | `Name` | `[<512]char` | 8 |",
                "| 86 | `Weapons` | `[4]Weapon` | 16 |",
                "| 102 | `Path` | `[<2000]Vec3` | 8 |",
                "| 110 | `IsAlive` | `bool` | 1 |",
            ],
        );
        // Docs come before the facts; a table has no padding row.
        assert!(markdown.find("A monster.").unwrap() < markdown.find("- class").unwrap());
        assert!(!markdown.contains("*padding*"));
    }

    #[test]
    fn struct_hover_on_weapon_data_matches_layout_md() {
        let (markdown, _) = hover_at(&game_at("struct WeaponD"));
        assert_contains(
            &markdown,
            &[
                "id: 15342010214468761012",
                "minimum 4 · content 19 · padding 0 · **total 19 bytes (0x13)**",
                "| 4 | `Damage` | `int32` | 4 |",
                "| 8 | `Ammo` | `uint16` | 2 |",
                "| 10 | `ClipSize` | `uint8` | 1 |",
                "| 11 | `ReloadTime` | `float32` | 4 |",
                "| 15 | `Range` | `int32` | 4 |",
            ],
        );
    }

    #[test]
    fn field_hover_path_matches_layout_md() {
        let (markdown, word) = hover_at(&game_at("    Pa"));
        assert_eq!(word, "Path");
        let model = analysis(GAME);
        let layout = model.schema.structs[3].fields[10].layout.unwrap();
        assert_eq!(model.schema.structs[3].fields[10].name, "Path");
        assert_eq!(
            (
                layout.offset,
                layout.field,
                layout.allocation,
                layout.minimum
            ),
            (102, 8, 12, 24000)
        );
        assert_contains(
            &markdown,
            &[
                "```karmem\nPath [<2000]Vec3\n```",
                "field of `MonsterData` (table, packed)",
                "The way it walks.",
                "- offset: **102 (0x66)**",
                "- field size: **8 bytes**",
                "- allocation: 12 bytes per element",
                "- minimum: 24000",
                "- length: 2000 (limit of the slice)",
                "- in the slot: 4-byte offset + 4-byte byte length (8 bytes); the `Vec3` elements, 12 bytes each, are stored elsewhere in the buffer; readers take at most 2000",
                "- type: `Vec3`: inline struct, packed, total 12 bytes, id 10268726485798425099",
            ],
        );
        assert!(!markdown.contains("element size"));
    }

    #[test]
    fn field_hover_slots_of_each_form() {
        let cases = [
            ("    Man", "- in the slot: the value (2 bytes)"),
            ("    Te", "- in the slot: the `Team` value as `uint8` (1 byte)"),
            ("    Pos", "- in the slot: the struct `Vec3` embedded inline (12 bytes)"),
            (
                "    Hit",
                "- in the slot: 5 `float64` elements × 8 bytes = 40 bytes, in place",
            ),
            (
                "{ Dat",
                "- in the slot: 4-byte offset to the table `WeaponData` (stored elsewhere in the buffer; 19 bytes allocated)",
            ),
        ];
        for (marker, expected) in cases {
            let (markdown, _) = hover_at(&game_at(marker));
            assert_contains(&markdown, &[expected]);
        }
    }

    #[test]
    fn slices_of_non_packed_structs_have_a_12_byte_header() {
        // layout.md §6.2 (packed.km): TestArrayOld A 0/0/12/5, content 12, padding 4, total 16.
        let text = "karmem demo @packed();\nstruct Test inline { A int32; B int8; }\nstruct TestArrayOld inline @packed(false) { A$0 []Test; }\n";
        let (markdown, _) = hover_at(text);
        assert_contains(
            &markdown,
            &[
                "- offset: **0**",
                "- field size: **12 bytes**",
                "- allocation: 5 bytes per element",
                "4-byte offset + 4-byte byte length + 4-byte element size (not packed) (12 bytes)",
                "- type: `Test`: inline struct, packed, total 5 bytes",
            ],
        );
        let (markdown, _) = hover_at(
            &text
                .replace("A$0 []", "A []")
                .replace("TestArrayOld", "TestArr$0ayOld"),
        );
        assert_contains(
            &markdown,
            &[
                "- packed: no (its own `@packed`)",
                "minimum 12 · content 12 · padding 4 · **total 16 bytes (0x10)**",
                "| 0 | `A` | `[]Test` | 12 |\n| 12 | *padding* | | 4 |",
            ],
        );
    }

    #[test]
    fn non_packed_inline_struct_has_a_padding_row() {
        // layout.md §6.3 (size.km): IHL = A…D as IHP, E `[]uint8` 11/1/12/1; 23 + 1 = 24.
        let text = "karmem demo;\nstruct I$0HL inline { A uint16; B uint32; C uint32; D uint8; E []uint8; }\n";
        let (markdown, _) = hover_at(text);
        assert_contains(
            &markdown,
            &[
                "- packed: no (no `@packed` tag)",
                "minimum 23 · content 23 · padding 1 · **total 24 bytes (0x18)**",
                "| 2 | `B` | `uint32` | 4 |",
                "| 11 | `E` | `[]uint8` | 12 |\n| 23 | *padding* | | 1 |",
            ],
        );
    }

    #[test]
    fn type_reference_hover_summarises_the_target() {
        let (markdown, word) = hover_at(&game_at("Pos Ve"));
        assert_eq!(word, "Vec3");
        assert_contains(
            &markdown,
            &[
                "```karmem\nstruct Vec3 inline\n```",
                "inline · packed · total **12 bytes (0xC)** · id 10268726485798425099",
            ],
        );
        let (markdown, word) = hover_at(&game_at("Hitbox [5]flo"));
        assert_eq!(word, "float64");
        assert_contains(
            &markdown,
            &["```karmem\nfloat64\n```", "primitive · 8 bytes"],
        );
        let (markdown, word) = hover_at(&game_at("Color Col"));
        assert_eq!(word, "Color");
        assert_contains(
            &markdown,
            &[
                "```karmem\nenum Color uint8\n```",
                "Team colour.",
                "enum · base `uint8` · 1 byte on the wire · 3 values, sequential",
            ],
        );
    }

    #[test]
    fn enum_hover_lists_values_and_marks_implicit_ones() {
        let text = "karmem demo;\n/// Modes.\nenum Mo$0de uint16 { A = 5; B; Zero = 0; }\n";
        let (markdown, word) = hover_at(text);
        assert_eq!(word, "Mode");
        assert_contains(
            &markdown,
            &[
                "```karmem\nenum Mode uint16\n```",
                "Modes.",
                "enum · base `uint16` · 2 bytes on the wire · 3 values",
                "| value | name |\n|---:|---|\n| 5 | `A` |\n| 1 *(implicit)* | `B` |\n| 0 | `Zero` |",
            ],
        );
        assert!(!markdown.contains("sequential"));
        let (markdown, word) = hover_at(&text.replace("Mo$0de", "Mode").replace("B;", "B$0;"));
        assert_eq!(word, "B");
        assert_contains(
            &markdown,
            &[
                "```karmem\nMode.B = 1\n```",
                "- value: 1 (implicit: its position in the list)",
                "- of `Mode`: enum, base `uint16` (2 bytes), 3 values",
            ],
        );
    }

    #[test]
    fn tag_hovers_say_what_the_tag_does_here() {
        let (markdown, word) = hover_at(&game_at("@pa"));
        assert_eq!(word, "@packed");
        assert_contains(&markdown, &["Here: structs are packed"]);
        let text = "karmem demo @key(secret) @id(1) @foo();\nstruct A inline @id(123) @packed(false) @id(7) { X uint8 @doc(x); }\n";
        let at = |marker: &str| {
            let i = text.find(marker).unwrap() + 2;
            hover_at(&format!("{}$0{}", &text[..i], &text[i..])).0
        };
        assert_contains(
            &at("@id(123)"),
            &[
                "Fixes the struct's id",
                "Here: fixes the id of `A`: 123 (0x7B).",
            ],
        );
        assert_contains(
            &at("@id(7)"),
            &["**No effect:** only the first `@id` counts"],
        );
        assert_contains(&at("@packed(false)"), &["Here: `A` is not packed"]);
        assert_contains(
            &at("@key"),
            &["Here: struct ids are hashed with the key `secret`."],
        );
        assert_contains(
            &at("@id(1)"),
            &["**No effect here:** `@id` is read on a struct, not on the header."],
        );
        assert_contains(&at("@foo"), &["`@foo` is not a tag Karmem knows"]);
        assert_contains(&at("@doc"), &["`@doc` is not a tag Karmem knows"]);
        // On the value: the tag is described, the value is the hovered word.
        let (markdown, word) = hover_at("karmem demo;\nstruct A inline @id(12$03) { X uint8; }\n");
        assert_eq!(word, "123");
        assert_contains(&markdown, &["fixes the id of `A`: 123"]);
        let (markdown, _) = hover_at("karmem demo;\nstruct A inline @i$0d(abc) { X uint8; }\n");
        assert_contains(&markdown, &["`abc` is not a decimal 64-bit number, so the id stays hashed from the name: 5066686790394677530."]);
    }

    #[test]
    fn no_numbers_without_a_layout() {
        let text =
            "karmem demo;\nstruct A$0 inline { X B; Y uint8; }\nstruct B inline { Z uint8; }\n";
        let (markdown, _) = hover_at(text);
        assert_contains(
            &markdown,
            &[
                "- size: layout unavailable because of errors: field `X` has an unknown type `B`",
                "| field | type |\n|---|---|\n| `X` | `B` |\n| `Y` | `uint8` |",
            ],
        );
        assert!(!markdown.contains("total"), "{markdown}");
        let (markdown, _) = hover_at(&text.replace("A$0", "A").replace("Y uint8", "Y$0 uint8"));
        assert_contains(&markdown, &["- layout unavailable because of errors"]);
        assert!(!markdown.contains("offset"), "{markdown}");
        // The reference to the later type still shows it, with the error.
        let (markdown, word) = hover_at(&text.replace("A$0", "A").replace("X B", "X B$0"));
        assert_eq!(word, "B");
        assert_contains(
            &markdown,
            &[
                "```karmem\nstruct B inline\n```",
                "**Error:** `B`: declared after this struct",
            ],
        );
        let (markdown, _) = hover_at("karmem demo;\nstruct A$0 { X uint8; }\n");
        assert_contains(
            &markdown,
            &["layout unavailable because of errors: the struct has no valid class"],
        );
        let (markdown, _) = hover_at("karmem demo;\nstruct A table { X A$0; }\n");
        assert_contains(
            &markdown,
            &["**Error:** `A`: a struct cannot contain itself"],
        );
        let (markdown, _) =
            hover_at("karmem demo;\nenum E uint8 { Z; }\nstruct A table { X []E$0; }\n");
        assert_contains(
            &markdown,
            &["**Error:** enums and tables cannot be the element of an array"],
        );
    }

    #[test]
    fn nothing_to_hover_on_keywords_blanks_and_punctuation() {
        for text in [
            "karmem demo;\nstr$0uct A inline { X uint8; }\n",
            "karmem demo;\nstruct A inline { X uint8; }\n$0",
            "karmem demo;\nstruct A inline {$0 X uint8; }\n",
            "$0",
        ] {
            let (analysis, offset) = fixture(text);
            assert_eq!(hover(&analysis, offset), None, "{text}");
        }
    }

    #[test]
    fn hover_works_on_both_edges_of_a_word() {
        let text = "karmem demo;\nstruct A inline { Xy uint8; }\n";
        let analysis = analysis(text);
        let start = text.find("Xy").unwrap();
        for offset in [start, start + 1, start + 2] {
            let result = hover(&analysis, offset).expect("hover");
            assert_eq!(result.span, crate::Span::new(start, start + 2));
        }
    }

    #[test]
    fn module_hover() {
        let (markdown, word) =
            hover_at("karmem ga$0me @packed(true);\nstruct A inline { X uint8; }\n");
        assert_eq!(word, "game");
        assert_contains(
            &markdown,
            &[
                "```karmem\nkarmem game\n```",
                "- packed by default: yes",
                "- struct ids: hashed without a key",
                "the largest struct is 1 byte",
            ],
        );
    }
}
