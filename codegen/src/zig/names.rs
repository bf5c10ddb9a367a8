//! Zig names for schema names and the checks that a schema can be expressed in Zig.
//!
//! Schema names start with a non-lower-case letter and hold only letters and numbers, so
//! they never meet Zig's keywords or primitive type names (all lower-case). Names that
//! are not ASCII identifiers are written `@"..."`. What remains are collisions with the
//! names the generated code adds (`common.md` §7 and `zig.md`): the native struct's
//! methods, the viewer's `Size`, and the top-level names derived from schema names
//! (`New<S>`, `<S>Viewer`, `Enum<E>`, ...).

use std::collections::BTreeMap;

use karmem_syntax::model::{DeclRef, Schema};
use karmem_syntax::Span;

use crate::NameProblem;

/// Methods of every native struct: a field may not take these names.
pub const NATIVE_METHODS: &[&str] = &[
    "PacketIdentifier",
    "Reset",
    "WriteAsRoot",
    "Write",
    "ReadAsRoot",
    "Read",
];

/// Methods of every viewer besides the field accessors.
pub const VIEWER_METHODS: &[&str] = &["Size"];

/// Top-level names of the generated file that schema names could meet (the imports
/// `std`, `mem`, `testing`, `karmem` are lower-case and cannot).
pub const FIXED_TOP_LEVEL: &[&str] = &["Allocator", "EnumPacketIdentifier"];

/// Zig keywords and primitive names (written `@"..."` should a name ever be one).
const RESERVED: &[&str] = &[
    "addrspace",
    "align",
    "allowzero",
    "and",
    "anyframe",
    "anytype",
    "asm",
    "async",
    "await",
    "break",
    "callconv",
    "catch",
    "comptime",
    "const",
    "continue",
    "defer",
    "else",
    "enum",
    "errdefer",
    "error",
    "export",
    "extern",
    "fn",
    "for",
    "if",
    "inline",
    "linksection",
    "noalias",
    "noinline",
    "nosuspend",
    "opaque",
    "or",
    "orelse",
    "packed",
    "pub",
    "resume",
    "return",
    "struct",
    "suspend",
    "switch",
    "test",
    "threadlocal",
    "try",
    "union",
    "unreachable",
    "usingnamespace",
    "var",
    "volatile",
    "while",
    "bool",
    "void",
    "type",
    "true",
    "false",
    "null",
    "undefined",
    "noreturn",
    "anyerror",
    "anyopaque",
    "isize",
    "usize",
];

fn is_plain(name: &str) -> bool {
    let mut chars = name.chars();
    let start = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let integer_type = (name.starts_with('u') || name.starts_with('i'))
        && name.len() > 1
        && name[1..].bytes().all(|b| b.is_ascii_digit());
    start
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !RESERVED.contains(&name)
        && !integer_type
        && !name.starts_with("c_")
        && !matches!(name, "f16" | "f32" | "f64" | "f80" | "f128")
}

/// `name` as a Zig identifier: as is when it is a plain ASCII identifier, else `@"name"`.
pub fn ident(name: &str) -> String {
    if is_plain(name) {
        name.to_string()
    } else {
        let escaped: String = name
            .chars()
            .flat_map(|c| match c {
                '"' => vec!['\\', '"'],
                '\\' => vec!['\\', '\\'],
                c => vec![c],
            })
            .collect();
        format!("@\"{escaped}\"")
    }
}

/// The Zig type of enum `name` (`EnumKind`).
pub fn enum_type(name: &str) -> String {
    format!("Enum{name}")
}

/// Every reason `schema` cannot be written in Zig (empty when it can), in source order,
/// each at the name that causes it: top-level names generated twice (at the later name;
/// the message names the earlier one), enum values and fields declared twice or without a
/// name, and fields named like a method of the native struct or the viewer. Duplicate
/// struct ids are not a problem: they become aliases inside `EnumPacketIdentifier`.
pub fn problems(schema: &Schema) -> Vec<NameProblem> {
    let mut out = Vec::new();
    // Top-level names and what produced them.
    let mut top: BTreeMap<String, String> = FIXED_TOP_LEVEL
        .iter()
        .map(|name| (name.to_string(), "a name of the generated file".to_string()))
        .collect();
    let mut claim = |name: String, why: String, span: Span, out: &mut Vec<NameProblem>| {
        if let Some(previous) = top.get(&name) {
            out.push(NameProblem::new(
                span,
                format!("the Zig name `{name}` would be both {previous} and {why}"),
            ));
        } else {
            top.insert(name, why);
        }
    };
    for decl in &schema.order {
        match *decl {
            DeclRef::Enum(i) => {
                let e = &schema.enums[i];
                claim(
                    enum_type(&e.name),
                    format!("the type of enum `{}`", e.name),
                    e.name_span,
                    &mut out,
                );
                claim(
                    format!("DefaultEnum{}", e.name),
                    format!("the default of enum `{}`", e.name),
                    e.name_span,
                    &mut out,
                );
                let mut seen = std::collections::BTreeSet::new();
                for v in &e.values {
                    if v.name.is_empty() {
                        out.push(NameProblem::new(
                            v.name_span,
                            format!(
                                "enum `{}` has a value without a name, which Zig cannot declare",
                                e.name
                            ),
                        ));
                    } else if !seen.insert(v.name.as_str()) {
                        out.push(NameProblem::new(
                            v.name_span,
                            format!("enum `{}` has the value `{}` twice", e.name, v.name),
                        ));
                    }
                }
            }
            DeclRef::Struct(i) => {
                let s = &schema.structs[i];
                let n = &s.name;
                let span = s.name_span;
                claim(n.clone(), format!("struct `{n}`"), span, &mut out);
                claim(
                    format!("New{n}"),
                    format!("the constructor of struct `{n}`"),
                    span,
                    &mut out,
                );
                claim(
                    format!("{n}Viewer"),
                    format!("the viewer of struct `{n}`"),
                    span,
                    &mut out,
                );
                claim(
                    format!("New{n}Viewer"),
                    format!("the viewer constructor of struct `{n}`"),
                    span,
                    &mut out,
                );
                let mut seen = std::collections::BTreeSet::new();
                for f in &s.fields {
                    if NATIVE_METHODS.contains(&f.name.as_str()) {
                        out.push(NameProblem::new(
                            f.name_span,
                            format!(
                                "field `{n}.{}` would collide with the method `{}` of the native struct",
                                f.name, f.name
                            ),
                        ));
                    }
                    if VIEWER_METHODS.contains(&f.name.as_str()) {
                        out.push(NameProblem::new(
                            f.name_span,
                            format!(
                                "field `{n}.{}` would collide with the method `{}` of the viewer `{n}Viewer`",
                                f.name, f.name
                            ),
                        ));
                    }
                    if !seen.insert(f.name.as_str()) {
                        out.push(NameProblem::new(
                            f.name_span,
                            format!("struct `{n}` has the field `{}` twice", f.name),
                        ));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted_when_needed() {
        assert_eq!(ident("Item"), "Item");
        assert_eq!(ident("Enum名"), "@\"Enum名\"");
        assert_eq!(ident("u8"), "@\"u8\"");
        assert_eq!(ident("type"), "@\"type\"");
        assert_eq!(ident("i"), "i");
        assert_eq!(ident("X1"), "X1");
        assert_eq!(ident(""), "@\"\"");
    }
}
