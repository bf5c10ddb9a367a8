//! The checks that a schema can be expressed in Go (`codegen/golang.md`, `common.md` §7):
//! every name a Go identifier, no two generated package-level names equal, no field named
//! like a method of the native struct.
//!
//! Schema names start with a letter that is not lower-case and contain letters and
//! numbers, so they never equal a Go keyword, a predeclared identifier or a name the
//! generated code uses itself (`karmem`, `unsafe`, `_Null`, locals): those all start with
//! a lower-case ASCII letter or `_`.

use std::collections::BTreeMap;

use karmem_syntax::chars::is_letter;
use karmem_syntax::model::{DeclRef, Schema};
use karmem_syntax::Span;

use crate::NameProblem;

/// Methods of every generated native struct; a field cannot have these names.
pub const NATIVE_METHODS: &[&str] = &[
    "PacketIdentifier",
    "Reset",
    "Write",
    "WriteAsRoot",
    "Read",
    "ReadAsRoot",
];

/// Go accepts letters (General Category L), `_` and decimal digits (Nd) in identifiers.
/// Non-ASCII numbers are refused even when they are Nd: the model does not tell Nd from
/// the other number categories, and Go rejects those.
fn check_identifier(name: &str, what: &str, span: Span, problems: &mut Vec<NameProblem>) -> bool {
    if name.is_empty() {
        problems.push(NameProblem {
            span,
            message: format!("{what} has an empty name, which is no Go identifier"),
        });
        return false;
    }
    if let Some(c) = name
        .chars()
        .find(|&c| !(is_letter(c) || c.is_ascii_digit() || c == '_'))
    {
        problems.push(NameProblem {
            span,
            message: format!(
                "{what} `{name}` contains `{c}`, which a Go identifier cannot contain (letters and ASCII digits only)"
            ),
        });
        return false;
    }
    true
}

/// Every reason the Go target cannot express `schema` (empty when it can), in source
/// order: names that are not Go identifiers; package-level names generated twice (a
/// struct `AViewer` next to the viewer of `A`, an enum value constant `KindBig` next to
/// a struct `KindBig`, a struct `PacketIdentifier`, …); fields named like the native
/// struct's methods (`Reset`, `Write`, `WriteAsRoot`, `Read`, `ReadAsRoot`,
/// `PacketIdentifier`). Duplicate struct ids are fine: the ids are independent untyped
/// constants. The language server reports these for schemas that enable the Go target.
pub fn problems(schema: &Schema) -> Vec<NameProblem> {
    let mut problems = Vec::new();
    let mut globals: BTreeMap<String, String> = BTreeMap::new();
    globals.insert(
        "PacketIdentifier".to_string(),
        "the generated type `PacketIdentifier`".to_string(),
    );
    let mut add = |name: String, what: String, span: Span, problems: &mut Vec<NameProblem>| {
        if let Some(previous) = globals.get(&name) {
            problems.push(NameProblem {
                span,
                message: format!("{what} would be the Go name `{name}`, as {previous}"),
            });
        } else {
            globals.insert(name, what);
        }
    };
    for decl in &schema.order {
        match *decl {
            DeclRef::Enum(i) => {
                let Some(e) = schema.enums.get(i) else {
                    continue;
                };
                if !check_identifier(&e.name, "enum", e.name_span, &mut problems) {
                    continue;
                }
                add(
                    e.name.clone(),
                    format!("the type of enum `{}`", e.name),
                    e.name_span,
                    &mut problems,
                );
                for v in &e.values {
                    let what = format!("value of enum `{}`", e.name);
                    if check_identifier(&v.name, &what, v.name_span, &mut problems) {
                        add(
                            format!("{}{}", e.name, v.name),
                            format!("the constant of value `{}` of enum `{}`", v.name, e.name),
                            v.name_span,
                            &mut problems,
                        );
                    }
                }
            }
            DeclRef::Struct(i) => {
                let Some(s) = schema.structs.get(i) else {
                    continue;
                };
                if !check_identifier(&s.name, "struct", s.name_span, &mut problems) {
                    continue;
                }
                let n = &s.name;
                for (name, what) in [
                    (n.clone(), "the type"),
                    (format!("New{n}"), "the constructor"),
                    (format!("PacketIdentifier{n}"), "the id constant"),
                    (format!("{n}Viewer"), "the viewer type"),
                    (format!("New{n}Viewer"), "the viewer constructor"),
                ] {
                    add(
                        name,
                        format!("{what} of struct `{n}`"),
                        s.name_span,
                        &mut problems,
                    );
                }
                for f in &s.fields {
                    let what = format!("field of struct `{n}`");
                    if !check_identifier(&f.name, &what, f.name_span, &mut problems) {
                        continue;
                    }
                    if NATIVE_METHODS.contains(&f.name.as_str()) {
                        problems.push(NameProblem {
                            span: f.name_span,
                            message: format!(
                                "field `{}` of struct `{n}`: the Go native struct has a method `{}` (reserved names: {})",
                                f.name,
                                f.name,
                                NATIVE_METHODS.join(", ")
                            ),
                        });
                    }
                }
            }
        }
    }
    problems
}
