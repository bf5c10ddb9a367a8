//! Rust names for schema names (`codegen/rust.md` §3.1) and the checks that a schema can be
//! expressed in Rust: every name a valid identifier, no two names mapping to the same Rust
//! name, no reserved name taken, no duplicate struct ids.

use std::collections::BTreeMap;

use karmem_syntax::model::Schema;
use karmem_syntax::Span;

use crate::NameProblem;

/// Rust's keywords (strict, reserved, and those of later editions), which need `r#`.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
    "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where", "while",
    "abstract", "become", "box", "do", "final", "gen", "macro", "override", "priv", "try",
    "typeof", "unsized", "virtual", "yield",
];

/// Keywords that cannot be raw identifiers: they get a trailing `_`.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate"];

/// Names of viewer functions that accessors may not take.
const VIEWER_RESERVED: &[&str] = &["new", "null"];

/// Words split per `rust.md` §3.1: before an upper-case letter that follows a lower-case
/// letter or a digit, and before the last upper-case letter of an upper-case run that is
/// followed by a lower-case letter. (ASCII names only; see [`check_ascii`].)
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let next = chars.get(i + 1).copied();
        let split = c.is_ascii_uppercase()
            && match prev {
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                _ => false,
            };
        if split && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `IsAlive` → `is_alive`, `HTTPServer` → `http_server`, `ID` → `id`, `NN8` → `nn8`.
pub fn snake_case(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// `TikTok` → `TIK_TOK`.
pub fn upper_snake_case(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| w.to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// An identifier as it must be written: keywords raw (`r#type`), `self`/`super`/`crate`
/// with a trailing `_`.
pub fn ident(name: &str) -> String {
    if NOT_RAW.contains(&name) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_string()
    }
}

/// The field (and accessor) identifier of a schema field name.
pub fn field_ident(name: &str) -> String {
    ident(&snake_case(name))
}

/// The constant name of an enum value.
pub fn value_ident(name: &str) -> String {
    ident(&upper_snake_case(name))
}

/// The identifier without a raw prefix (for messages and `Debug` output).
pub fn plain(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

fn check_ascii(name: &str, what: &str, span: Span, problems: &mut Vec<NameProblem>) -> bool {
    if let Some(c) = name.chars().find(|c| !c.is_ascii_alphanumeric()) {
        problems.push(NameProblem {
            span,
            message: format!(
                "{what} `{name}` contains `{c}`: the Rust target accepts ASCII letters and digits only"
            ),
        });
        return false;
    }
    if name.is_empty() {
        problems.push(NameProblem {
            span,
            message: format!("{what} has an empty name, which has no Rust identifier"),
        });
        return false;
    }
    true
}

/// Every reason the Rust target cannot express `schema` (empty when it can), in source
/// order: names that are not ASCII identifiers, names that map to the same Rust name
/// (`AB` and `Ab` are both `ab`), reserved names (`Self`, `PacketIdentifier`, viewer
/// accessors `new`, `null`, `km_*`, the enum constant `VALUES`), and duplicate struct ids
/// (a `#[repr(u64)]` enum cannot hold them). The language server reports these for
/// schemas that enable the Rust target.
pub fn problems(schema: &Schema) -> Vec<NameProblem> {
    let mut problems = Vec::new();
    // Type names: enums, structs, viewers, PacketIdentifier.
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    types.insert(
        "PacketIdentifier".to_string(),
        "the generated `PacketIdentifier`".to_string(),
    );
    let mut add_type = |rust: String, what: String, span: Span, problems: &mut Vec<NameProblem>| {
        if rust == "Self" {
            problems.push(NameProblem {
                span,
                message: format!("{what}: `Self` cannot be a Rust type name"),
            });
        } else if let Some(previous) = types.get(&rust) {
            problems.push(NameProblem {
                span,
                message: format!("{what} would be the Rust type `{rust}`, as {previous}"),
            });
        } else {
            types.insert(rust, what);
        }
    };
    for decl in &schema.order {
        match *decl {
            karmem_syntax::model::DeclRef::Enum(i) => {
                let Some(e) = schema.enums.get(i) else {
                    continue;
                };
                if check_ascii(&e.name, "enum", e.name_span, &mut problems) {
                    add_type(
                        e.name.clone(),
                        format!("enum `{}`", e.name),
                        e.name_span,
                        &mut problems,
                    );
                }
                let mut values: BTreeMap<String, &str> = BTreeMap::new();
                for v in &e.values {
                    if !check_ascii(
                        &v.name,
                        &format!("value of enum `{}`", e.name),
                        v.name_span,
                        &mut problems,
                    ) {
                        continue;
                    }
                    let rust = value_ident(&v.name);
                    if rust == "VALUES" {
                        problems.push(NameProblem {
                            span: v.name_span,
                            message: format!(
                                "value `{}` of enum `{}` would be the Rust constant `VALUES`, which the generated code uses for the list of values",
                                v.name, e.name
                            ),
                        });
                    } else if let Some(previous) = values.get(&rust) {
                        problems.push(NameProblem {
                            span: v.name_span,
                            message: format!(
                                "values `{previous}` and `{}` of enum `{}` would both be the Rust constant `{rust}`",
                                v.name, e.name
                            ),
                        });
                    } else {
                        values.insert(rust, &v.name);
                    }
                }
            }
            karmem_syntax::model::DeclRef::Struct(i) => {
                let Some(s) = schema.structs.get(i) else {
                    continue;
                };
                if check_ascii(&s.name, "struct", s.name_span, &mut problems) {
                    add_type(
                        s.name.clone(),
                        format!("struct `{}`", s.name),
                        s.name_span,
                        &mut problems,
                    );
                    add_type(
                        format!("{}Viewer", s.name),
                        format!("the viewer of struct `{}`", s.name),
                        s.name_span,
                        &mut problems,
                    );
                }
                let mut fields: BTreeMap<String, &str> = BTreeMap::new();
                for f in &s.fields {
                    if !check_ascii(
                        &f.name,
                        &format!("field of struct `{}`", s.name),
                        f.name_span,
                        &mut problems,
                    ) {
                        continue;
                    }
                    let rust = field_ident(&f.name);
                    let bare = plain(&rust);
                    if VIEWER_RESERVED.contains(&bare) || bare.starts_with("km_") {
                        problems.push(NameProblem {
                            span: f.name_span,
                            message: format!(
                                "field `{}` of struct `{}` would be the viewer accessor `{bare}`, which the generated viewer reserves (`new`, `null`, `km_*`)",
                                f.name, s.name
                            ),
                        });
                    } else if let Some(previous) = fields.get(&rust) {
                        problems.push(NameProblem {
                            span: f.name_span,
                            message: format!(
                                "fields `{previous}` and `{}` of struct `{}` would both be the Rust field `{bare}`",
                                f.name, s.name
                            ),
                        });
                    } else {
                        fields.insert(rust, &f.name);
                    }
                }
            }
        }
    }
    // Duplicate ids.
    let mut ids: BTreeMap<u64, &str> = BTreeMap::new();
    for s in &schema.structs {
        if let Some(previous) = ids.get(&s.id) {
            problems.push(NameProblem {
                span: s.name_span,
                message: format!(
                    "structs `{previous}` and `{}` have the same id {}: the Rust `PacketIdentifier` enum cannot hold both",
                    s.name, s.id
                ),
            });
        } else {
            ids.insert(s.id, &s.name);
        }
    }
    problems.sort_by_key(|p| p.span.start);
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_follows_the_spec_examples() {
        for (name, snake) in [
            ("IsAlive", "is_alive"),
            ("HTTPServer", "http_server"),
            ("ID", "id"),
            ("NN8", "nn8"),
            ("ReloadTime", "reload_time"),
            ("Vec3Data", "vec3_data"),
            ("X", "x"),
            ("AcceptToS", "accept_to_s"),
            ("A1B", "a1_b"),
        ] {
            assert_eq!(snake_case(name), snake, "{name}");
        }
        assert_eq!(upper_snake_case("TikTok"), "TIK_TOK");
        assert_eq!(upper_snake_case("Big"), "BIG");
        assert_eq!(field_ident("Type"), "r#type");
        assert_eq!(field_ident("Self"), "self_");
        assert_eq!(field_ident("Ref"), "r#ref");
        assert_eq!(plain("r#type"), "type");
    }
}
