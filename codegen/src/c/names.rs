//! The checks that a schema can be expressed in C (`codegen/c.md`, `common.md` §7): every
//! name is an ASCII identifier, and no two generated file-scope names are equal (C has one
//! namespace for functions, typedefs and constants, and upstream's names are plain
//! concatenations such as `<Struct>Viewer_<Field>`), nor equal to a runtime name or a macro
//! of the included headers.

use std::collections::BTreeMap;

use karmem_syntax::model::{DeclRef, Schema, TypeModel};
use karmem_syntax::Span;

use crate::NameProblem;

/// Names the runtime (`karmem.h`) and the generated preamble declare.
const RESERVED: &[&str] = &[
    "KarmemWriter",
    "KarmemNewWriter",
    "KarmemNewFixedWriter",
    "KarmemWriterAlloc",
    "KarmemWriterWriteAt",
    "KarmemWriterReset",
    "KarmemWriterFree",
    "KarmemReader",
    "KarmemNewReader",
    "KarmemReaderIsValidOffset",
    "KarmemReaderSetSize",
    "EnumPacketIdentifier",
    "_Null",
];

/// Macros of `<stdint.h>`, `<stdlib.h>`, `<string.h>` and `<stdbool.h>` that a schema
/// name (a letter that is not lower-case, then letters and digits) could spell. Measured
/// with `gcc -std=c11 -dM -E` against glibc; `NULL` is the only one.
const MACROS: &[&str] = &["NULL"];

/// True for a name C accepts as an identifier here: ASCII letters and digits, not
/// starting with a digit. (Schema names never contain `_` and never start lower-case, so
/// they cannot be C keywords.)
fn is_ascii_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric())
}

/// The file-scope names generated for struct `name`, with what each one is.
pub(super) fn struct_globals(name: &str) -> Vec<(String, &'static str)> {
    vec![
        (name.to_string(), "native struct"),
        (format!("{name}Viewer"), "viewer type"),
        (format!("{name}ViewerSize"), "viewer size function"),
        (format!("New{name}Viewer"), "viewer constructor"),
        (format!("New{name}"), "native constructor"),
        (
            format!("{name}PacketIdentifier"),
            "packet identifier function",
        ),
        (format!("{name}Write"), "write function"),
        (format!("{name}WriteAt"), "write-in-place function"),
        (format!("{name}WriteAsRoot"), "write-as-root function"),
        (format!("{name}Read"), "read function"),
        (format!("{name}ReadAsRoot"), "read-as-root function"),
        (format!("{name}Reset"), "reset function"),
        (format!("{name}Free"), "free function"),
        (
            format!("EnumPacketIdentifier{name}"),
            "packet identifier constant",
        ),
    ]
}

/// Every reason the C target cannot express `schema` (empty when it can), each at the
/// name that causes it: names that are not ASCII identifiers, then file-scope names
/// generated twice (in source order; the problem is at the later name and its message
/// names the earlier one), and fields named like a macro of the C library.
pub fn problems(schema: &Schema) -> Vec<NameProblem> {
    let mut problems = Vec::new();
    let mut ascii = |what: &str, name: &str, span: Span| {
        if !is_ascii_identifier(name) {
            problems.push(NameProblem::new(
                span,
                format!(
                    "{what} `{name}` is not an ASCII identifier (C names here are ASCII letters and digits)"
                ),
            ));
            false
        } else {
            true
        }
    };
    let mut ok = true;
    for decl in &schema.order {
        match *decl {
            DeclRef::Enum(i) => {
                let e = &schema.enums[i];
                ok &= ascii("enum", &e.name, e.name_span);
                for v in &e.values {
                    ok &= ascii("enum value", &v.name, v.name_span);
                }
            }
            DeclRef::Struct(i) => {
                let s = &schema.structs[i];
                ok &= ascii("struct", &s.name, s.name_span);
                for f in &s.fields {
                    ok &= ascii("field", &f.name, f.name_span);
                }
            }
        }
    }
    if !ok {
        return problems;
    }

    // name -> what produced it
    let mut globals: BTreeMap<String, String> = BTreeMap::new();
    for name in RESERVED {
        globals.insert(name.to_string(), "a name of the runtime".to_string());
    }
    for name in MACROS {
        globals.insert(name.to_string(), "a macro of the C library".to_string());
    }
    let mut add = |name: String, origin: String, span: Span, problems: &mut Vec<NameProblem>| {
        if let Some(first) = globals.get(&name) {
            problems.push(NameProblem::new(
                span,
                format!("the C name `{name}` of {origin} is also {first}"),
            ));
        } else {
            globals.insert(name, origin);
        }
    };
    for decl in &schema.order {
        match *decl {
            DeclRef::Enum(i) => {
                let e = &schema.enums[i];
                add(
                    format!("Enum{}", e.name),
                    format!("the type of enum `{}`", e.name),
                    e.name_span,
                    &mut problems,
                );
                for v in &e.values {
                    add(
                        format!("Enum{}{}", e.name, v.name),
                        format!("the constant of `{}.{}`", e.name, v.name),
                        v.name_span,
                        &mut problems,
                    );
                }
            }
            DeclRef::Struct(i) => {
                let s = &schema.structs[i];
                for (name, what) in struct_globals(&s.name) {
                    add(
                        name,
                        format!("the {what} of struct `{}`", s.name),
                        s.name_span,
                        &mut problems,
                    );
                }
                for f in &s.fields {
                    add(
                        format!("{}Viewer_{}", s.name, f.name),
                        format!("the accessor of `{}.{}`", s.name, f.name),
                        f.name_span,
                        &mut problems,
                    );
                    if f.model != TypeModel::Single {
                        add(
                            format!("{}Viewer_{}Length", s.name, f.name),
                            format!("the length accessor of `{}.{}`", s.name, f.name),
                            f.name_span,
                            &mut problems,
                        );
                    }
                    if MACROS.contains(&f.name.as_str()) {
                        problems.push(NameProblem::new(
                            f.name_span,
                            format!(
                                "field `{}.{}` is named like a macro of the C library",
                                s.name, f.name
                            ),
                        ));
                    }
                }
            }
        }
    }
    problems
}
