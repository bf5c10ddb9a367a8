//! Schema evolution: is a new schema a safe successor of an old one?
//!
//! [`check`] compares two analysed schemas and returns every [`Violation`] of the rules of
//! `compatibility.md`, each with a stable [`Rule`] id, a [`Category`] (what it breaks), the
//! span in the new text and the span in the old text, and a plain explanation of who is
//! affected (old readers of new messages, new readers of old messages, generated code).
//!
//! How it works:
//!
//! 1. **Matching** ([`Matching`]): declarations are paired by name, then renames are
//!    recognised where the evidence is clear (the same `@id`, identical contents, or the
//!    same field of a matched struct now naming it); fields by name, then by the same
//!    offset with the same type; enum values by name, then by number.
//! 2. **Comparison** ([`check()`]): for each matched struct, the positions of its fields
//!    (a table may only grow at the end; an inline struct may not change at all), each
//!    field's type (reduced to the bytes and meanings it occupies, so that `T` and `[1]T`
//!    or a packed `Vec3` and `[3]float32` compare equal), packing, class and id; for each
//!    enum its base and numbers; the header.
//!
//! Pure functions, no I/O; never panics on schemas with errors (what cannot be judged —
//! an unknown layout — is skipped), but only error-free schemas give complete answers.

mod check;
mod matching;
mod rules;

use crate::model::Schema;
use crate::{Analysis, Fix, Span};

pub use matching::Matching;
pub use rules::{render_docs, Category, Rule};

/// Who a change affects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Who {
    /// Code generated from the old schema, reading messages written by new code.
    OldReaders,
    /// Code generated from the new schema, reading messages written by old code.
    NewReaders,
    /// Generated code (its API or constants) and the applications built on it.
    GeneratedCode,
}

impl Who {
    /// `old readers`, `new readers`, `generated code`.
    pub fn as_str(self) -> &'static str {
        match self {
            Who::OldReaders => "old readers",
            Who::NewReaders => "new readers",
            Who::GeneratedCode => "generated code",
        }
    }

    /// `old-readers`, `new-readers`, `generated-code` (JSON).
    pub fn key(self) -> &'static str {
        match self {
            Who::OldReaders => "old-readers",
            Who::NewReaders => "new-readers",
            Who::GeneratedCode => "generated-code",
        }
    }
}

/// What breaks for whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effect {
    pub who: Who,
    pub what: String,
}

/// One incompatible change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub rule: Rule,
    /// One line: what changed.
    pub message: String,
    /// Where in the new text (for something removed: the place it was removed from — the
    /// struct, enum or header that no longer has it).
    pub new_span: Span,
    /// Where in the old text (for something added: what it displaced, or its container).
    pub old_span: Span,
    /// The declaration the violation is about (its new name; the old one when removed).
    pub subject: String,
    /// The field or enum value, when the violation is about one.
    pub member: Option<String>,
    /// What breaks for whom.
    pub effects: Vec<Effect>,
    /// A suggestion, when one is obvious.
    pub help: Option<String>,
    /// An edit of the new text that undoes the break (e.g. pin the old id with `@id`).
    pub fix: Option<Fix>,
}

impl Violation {
    pub fn category(&self) -> Category {
        self.rule.category()
    }

    /// Whether a `karmem.toml` ignore entry (`Type`, `Type.Member` or `*`) covers this
    /// violation.
    pub fn matches_ignore(&self, entry: &str) -> bool {
        if entry == "*" || entry == self.subject {
            return true;
        }
        match (&self.member, entry.split_once('.')) {
            (Some(member), Some((ty, m))) => ty == self.subject && m == member,
            _ => false,
        }
    }
}

/// One side of a comparison: a schema and where its header's module name is (the span
/// removals are reported at).
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    pub schema: &'a Schema,
    pub header_span: Span,
    /// The syntax tree, when available (for fixes).
    pub file: Option<&'a crate::ast::SourceFile>,
}

impl<'a> Side<'a> {
    pub fn of(analysis: &'a Analysis) -> Side<'a> {
        let header_span = analysis
            .file
            .header
            .as_ref()
            .map(|h| h.module.as_ref().map_or(h.span, |m| m.span))
            .unwrap_or_default();
        Side {
            schema: &analysis.schema,
            header_span,
            file: Some(&analysis.file),
        }
    }

    pub fn schema(schema: &'a Schema) -> Side<'a> {
        Side {
            schema,
            header_span: Span::default(),
            file: None,
        }
    }
}

/// Every violation of a change from `old` to `new`, sorted by position in the new text.
pub fn check(old: &Analysis, new: &Analysis) -> Vec<Violation> {
    check_sides(Side::of(old), Side::of(new))
}

/// [`check`] on bare schemas (removals are reported at offset 0 of the new text).
pub fn check_schemas(old: &Schema, new: &Schema) -> Vec<Violation> {
    check_sides(Side::schema(old), Side::schema(new))
}

/// [`check`] on two sides.
pub fn check_sides(old: Side<'_>, new: Side<'_>) -> Vec<Violation> {
    let matching = Matching::new(old.schema, new.schema);
    check::run(old, new, &matching)
}

#[cfg(test)]
mod tests;
