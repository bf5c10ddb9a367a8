//! The checks that a schema can be expressed in AssemblyScript (`codegen/common.md` §7):
//! every name an ASCII identifier, no two generated module-level names equal, no
//! schema name shadowing a global the generated code uses, no field named like a viewer
//! member, no duplicate struct ids.

use std::collections::BTreeMap;

use karmem_syntax::model::{DeclRef, Schema};
use karmem_syntax::Span;

use crate::NameProblem;

/// Globals of the AssemblyScript standard library that a module-level class, type or
/// constant of the same name would shadow (the generated code uses several of them; the
/// others would at least confuse users of the generated module).
const GLOBALS: &[&str] = &[
    "Array",
    "ArrayBuffer",
    "DataView",
    "Date",
    "Error",
    "Float32Array",
    "Float64Array",
    "Function",
    "Infinity",
    "Int16Array",
    "Int32Array",
    "Int64Array",
    "Int8Array",
    "JSON",
    "Map",
    "Math",
    "Mathf",
    "NaN",
    "NativeMath",
    "NativeMathf",
    "Object",
    "RangeError",
    "RegExp",
    "Set",
    "StaticArray",
    "String",
    "Symbol",
    "SyntaxError",
    "TypeError",
    "URIError",
    "Uint16Array",
    "Uint32Array",
    "Uint64Array",
    "Uint8Array",
    "Uint8ClampedArray",
    "WeakMap",
    "WeakSet",
];

/// Members of every generated viewer class that a field accessor may not take.
const VIEWER_MEMBERS: &[&str] = &["SizeOf"];

fn check_ascii(name: &str, what: &str, span: Span, problems: &mut Vec<NameProblem>) -> bool {
    let message = if name.is_empty() {
        format!("{what} has an empty name, which is no AssemblyScript identifier")
    } else if let Some(c) = name.chars().find(|c| !c.is_ascii_alphanumeric()) {
        format!(
            "{what} `{name}` contains `{c}`: the AssemblyScript target accepts ASCII letters and digits only"
        )
    } else {
        return true;
    };
    problems.push(NameProblem { span, message });
    false
}

/// Every reason the AssemblyScript target cannot express `schema` (empty when it can),
/// in source order: names that are not ASCII identifiers, module-level names generated
/// twice (`A` + `AViewer`, enum `E` value `A` + struct `EA`) or shadowing a global the code
/// uses (`String`, `Array`, ...), fields named like a viewer member (`SizeOf`), duplicate
/// struct ids. The language server can report these for schemas that enable the target.
pub fn problems(schema: &Schema) -> Vec<NameProblem> {
    let mut problems = Vec::new();
    let mut globals: BTreeMap<String, String> = BTreeMap::new();
    globals.insert(
        "PacketIdentifier".to_string(),
        "the generated type `PacketIdentifier`".to_string(),
    );
    let mut add = |name: String, what: String, span: Span, problems: &mut Vec<NameProblem>| {
        let message = if GLOBALS.contains(&name.as_str()) {
            format!(
                "{what} would be the module-level name `{name}`, which shadows the AssemblyScript global `{name}`"
            )
        } else if let Some(previous) = globals.get(&name) {
            format!("{what} would be the module-level name `{name}`, as {previous}")
        } else {
            globals.insert(name, what);
            return;
        };
        problems.push(NameProblem { span, message });
    };
    for decl in &schema.order {
        match *decl {
            DeclRef::Enum(i) => {
                let Some(e) = schema.enums.get(i) else {
                    continue;
                };
                if !check_ascii(&e.name, "enum", e.name_span, &mut problems) {
                    continue;
                }
                let what = format!("enum `{}`", e.name);
                add(e.name.clone(), what, e.name_span, &mut problems);
                for v in &e.values {
                    let what = format!("value `{}` of enum `{}`", v.name, e.name);
                    if check_ascii(&v.name, &what, v.name_span, &mut problems) {
                        let name = format!("{}{}", e.name, v.name);
                        add(name, what, v.name_span, &mut problems);
                    }
                }
            }
            DeclRef::Struct(i) => {
                let Some(s) = schema.structs.get(i) else {
                    continue;
                };
                if check_ascii(&s.name, "struct", s.name_span, &mut problems) {
                    let n = &s.name;
                    add(
                        n.clone(),
                        format!("struct `{n}`"),
                        s.name_span,
                        &mut problems,
                    );
                    for (name, what) in [
                        (format!("New{n}"), "constructor function"),
                        (format!("{n}Viewer"), "viewer class"),
                        (format!("New{n}Viewer"), "viewer function"),
                        (format!("PacketIdentifier{n}"), "packet identifier"),
                    ] {
                        let what = format!("the {what} of struct `{n}`");
                        add(name, what, s.name_span, &mut problems);
                    }
                }
                for f in &s.fields {
                    let what = format!("field `{}` of struct `{}`", f.name, s.name);
                    if check_ascii(&f.name, &what, f.name_span, &mut problems)
                        && VIEWER_MEMBERS.contains(&f.name.as_str())
                    {
                        problems.push(NameProblem {
                            span: f.name_span,
                            message: format!(
                                "{what} would be the viewer accessor `{}`, which the generated viewer already has",
                                f.name
                            ),
                        });
                    }
                }
            }
        }
    }
    problems.extend(crate::targets_common::duplicate_ids(
        schema,
        "their packet identifiers could not be told apart",
    ));
    problems.sort_by_key(|p| p.span.start);
    problems
}
