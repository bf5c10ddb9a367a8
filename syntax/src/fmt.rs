//! The formatter behind `karmem fmt` and LSP formatting, in two styles.
//!
//! * [`Style::Ours`] (the default, policy.md §6) prints the **syntax tree** in upstream's
//!   block style — four-space indent, names padded to the longest in the block, upstream's
//!   tag quoting, enum values normalised — but keeps declaration order, every comment, and
//!   adds no `@id` tag.
//! * [`Style::Upstream`] prints the **model** exactly like upstream `karmem fmt`
//!   (formatter.md): enums first, then structs, hashed ids pinned as `@id` tags. Comments are
//!   not part of the model, so this style **drops every comment** (upstream has no comments;
//!   the output is meant for files that also build with upstream).
//!
//! Both styles refuse to format a schema with errors ([`FormatError::HasErrors`]).
//!
//! Decisions of the `Ours` style (the things formatter.md leaves open):
//!
//! * **Blank lines.** Exactly one blank line after the header and between declarations.
//!   Inside a block, one blank line the user put between two items is kept (runs collapse
//!   to one), so fields can be grouped; blank lines right after `{` and right before `}`
//!   are removed. Among comments (above a declaration, an item, a `}` or at the end of the
//!   file) user blank lines are kept the same way, collapsed to one, so a comment that was
//!   detached from the next declaration stays detached (and `///` docs stay attached).
//! * **Comments.** A comment on its own line is printed on its own line, indented to the
//!   level of what follows it (four spaces inside a block, also before `}`). A comment at
//!   the end of a line that holds an item, a declaration head (`... {`), a `}` or the header
//!   stays at the end of that printed line, after exactly **one space** — trailing comments
//!   are *not* aligned in a column, so editing one line never re-indents its neighbours. A
//!   comment in the middle of a construct that spans lines (only possible in the header)
//!   moves to its own line before that construct. Comment text is kept verbatim apart from
//!   trailing white space.
//! * **Padding.** Names are padded to the longest name of the block counted in characters
//!   (upstream counts UTF-8 bytes, which misaligns non-ASCII names; `Style::Upstream` keeps
//!   that quirk for byte compatibility).
//! * The output has no BOM, no CR, no tabs outside tag values and comments, no trailing
//!   white space, and ends with exactly one line feed.

use std::fmt;

use crate::analysis::Analysis;
use crate::ast::{Decl, EnumDecl, Header, StructDecl, Tag, TypeExpr};
use crate::lexer::TokenKind;
use crate::model::{Schema, TagInfo};
use crate::Span;

/// Which output style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Style {
    /// Upstream's style inside each block, but declaration order, comments and ids are
    /// kept as written (policy.md §6). The default of `karmem fmt`.
    #[default]
    Ours,
    /// Byte-for-byte upstream `karmem fmt` (formatter.md); comments are dropped.
    Upstream,
}

/// Why a schema was not formatted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FormatError {
    /// The schema has error diagnostics: nothing is formatted.
    HasErrors,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::HasErrors => {
                f.write_str("the schema has errors; fix them before formatting")
            }
        }
    }
}

impl std::error::Error for FormatError {}

/// Formats an analysed schema in the given style.
///
/// Returns [`FormatError::HasErrors`] when the analysis has any error diagnostic.
pub fn format(analysis: &Analysis, style: Style) -> Result<String, FormatError> {
    if analysis.has_errors() {
        return Err(FormatError::HasErrors);
    }
    match style {
        Style::Upstream => format_upstream(&analysis.schema),
        Style::Ours => format_ours(analysis),
    }
}

// ---------------------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------------------

const INDENT: &str = "    ";

/// ` @name(`value`)`, or ` @name()` when the value is empty (header, struct and field tags).
fn push_plain_tag(out: &mut String, name: &str, value: &str) {
    out.push_str(" @");
    out.push_str(name);
    if value.is_empty() {
        out.push_str("()");
    } else {
        out.push_str("(`");
        out.push_str(value);
        out.push_str("`)");
    }
}

/// ` @name(`value`)`, back-quoted even when empty (enum tags, upstream's template).
fn push_enum_tag(out: &mut String, name: &str, value: &str) {
    out.push_str(" @");
    out.push_str(name);
    out.push_str("(`");
    out.push_str(value);
    out.push_str("`)");
}

/// Appends `s` followed by spaces up to `width` (as measured by `len`).
fn push_padded(out: &mut String, s: &str, width: usize, len: fn(&str) -> usize) {
    out.push_str(s);
    for _ in len(s)..width {
        out.push(' ');
    }
}

fn byte_len(s: &str) -> usize {
    s.len()
}

fn char_len(s: &str) -> usize {
    s.chars().count()
}

// ---------------------------------------------------------------------------------------
// Style::Upstream — prints the model with upstream's template
// ---------------------------------------------------------------------------------------

fn format_upstream(schema: &Schema) -> Result<String, FormatError> {
    let mut out = String::new();
    out.push_str("karmem ");
    out.push_str(&schema.module);
    push_plain_tags(&mut out, &schema.tags);
    out.push_str(";\n");

    for e in &schema.enums {
        out.push('\n');
        out.push_str("enum ");
        out.push_str(&e.name);
        out.push(' ');
        out.push_str(&e.base_text);
        for tag in &e.tags {
            push_enum_tag(&mut out, &tag.name, &tag.value);
        }
        out.push_str(" {");
        let width = e.values.iter().map(|v| v.name.len()).max().unwrap_or(0);
        for v in &e.values {
            out.push('\n');
            out.push_str(INDENT);
            if e.sequential {
                out.push_str(&v.name);
            } else {
                push_padded(&mut out, &v.name, width, byte_len);
                out.push_str(" = ");
                out.push_str(&v.value);
            }
            out.push(';');
        }
        out.push_str("\n}\n");
    }
    out.push('\n');

    for s in &schema.structs {
        // Upstream's `fmt` fails on a struct without a class; we never get here with one,
        // because a missing class is an error diagnostic.
        let class = s.class.ok_or(FormatError::HasErrors)?;
        out.push('\n');
        out.push_str("struct ");
        out.push_str(&s.name);
        out.push(' ');
        out.push_str(class.as_str());
        push_plain_tags(&mut out, &s.tags);
        // Upstream's parser appends the hashed id as a tag to every struct without `@id`.
        if !s.id_explicit && !s.tags.iter().any(|t| t.name == "id") {
            push_plain_tag(&mut out, "id", &s.id.to_string());
        }
        out.push_str(" {");
        let width = s.fields.iter().map(|f| f.name.len()).max().unwrap_or(0);
        for f in &s.fields {
            out.push('\n');
            out.push_str(INDENT);
            push_padded(&mut out, &f.name, width, byte_len);
            out.push(' ');
            out.push_str(&f.type_text);
            push_plain_tags(&mut out, &f.tags);
            out.push(';');
        }
        out.push_str("\n}\n");
    }
    Ok(out)
}

fn push_plain_tags(out: &mut String, tags: &[TagInfo]) {
    for tag in tags {
        push_plain_tag(out, &tag.name, &tag.value);
    }
}

// ---------------------------------------------------------------------------------------
// Style::Ours — prints the syntax tree, keeping comments
// ---------------------------------------------------------------------------------------

/// The role of a printed line, which decides its indentation and the blank-line rules for
/// the comments above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Header,
    /// `enum ... {` or `struct ... {`.
    Head,
    /// An enum value or a field; `first` in its block.
    Item {
        first: bool,
    },
    /// The `}` of a block.
    Close,
}

/// One printed construct: the source it came from and its text without comments.
#[derive(Debug)]
struct Unit {
    span: Span,
    role: Role,
    text: String,
}

/// What precedes a unit on lines of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Line {
    Comment(String),
    Blank,
}

/// Comments attached to a unit (or to the end of the file).
#[derive(Debug, Default)]
struct Slot {
    /// Own-line comments and blank lines before the unit, in source order.
    leading: Vec<Line>,
    /// The comment at the end of the unit's last line.
    trailing: Option<String>,
}

fn format_ours(analysis: &Analysis) -> Result<String, FormatError> {
    let units = collect_units(analysis)?;
    let mut slots = attach_comments(analysis, &units);
    let eof = slots.pop().unwrap_or_default();

    let mut out = String::new();
    for (unit, slot) in units.iter().zip(&slots) {
        let (indent, strip_leading, strip_trailing) = match unit.role {
            Role::Header => ("", true, false),
            Role::Head => {
                out.push('\n');
                ("", true, false)
            }
            Role::Item { first } => (INDENT, first, false),
            Role::Close => (INDENT, false, true),
        };
        push_comment_lines(
            &mut out,
            &slot.leading,
            indent,
            strip_leading,
            strip_trailing,
        );
        let indent = match unit.role {
            Role::Item { .. } => INDENT,
            _ => "",
        };
        push_line(&mut out, indent, &unit.text, slot.trailing.as_deref());
    }
    // Comments after the last declaration: separated from the header by the blank line that
    // always follows it; after a declaration, a blank line only if the user wrote one.
    let after_header = units.last().map(|u| u.role) == Some(Role::Header);
    if eof.leading.iter().any(|l| matches!(l, Line::Comment(_))) {
        if after_header {
            out.push('\n');
        }
        push_comment_lines(&mut out, &eof.leading, "", after_header, true);
    }
    Ok(out)
}

/// Prints `lines` (collapsing runs of blank lines, optionally dropping blank lines at the
/// start and at the end), each comment on its own line with `indent`.
fn push_comment_lines(
    out: &mut String,
    lines: &[Line],
    indent: &str,
    strip_leading: bool,
    strip_trailing: bool,
) {
    let mut lines = lines;
    if strip_leading {
        while let [Line::Blank, rest @ ..] = lines {
            lines = rest;
        }
    }
    if strip_trailing {
        while let [rest @ .., Line::Blank] = lines {
            lines = rest;
        }
    }
    let mut previous_blank = false;
    for line in lines {
        match line {
            Line::Blank if previous_blank => {}
            Line::Blank => {
                out.push('\n');
                previous_blank = true;
            }
            Line::Comment(text) => {
                push_line(out, indent, text, None);
                previous_blank = false;
            }
        }
    }
}

/// Appends `indent text [ trailing]` and a line feed.
fn push_line(out: &mut String, indent: &str, text: &str, trailing: Option<&str>) {
    out.push_str(indent);
    out.push_str(text);
    if let Some(comment) = trailing {
        out.push(' ');
        out.push_str(comment);
    }
    out.push('\n');
}

/// The printed constructs of the file, in source order, with their text.
///
/// A tree that validation accepted is complete; anything missing (no header, a skipped
/// declaration, a field without a type) is reported as [`FormatError::HasErrors`].
fn collect_units(analysis: &Analysis) -> Result<Vec<Unit>, FormatError> {
    let file = &analysis.file;
    let header = file.header.as_ref().ok_or(FormatError::HasErrors)?;
    let mut units = vec![Unit {
        span: header.span,
        role: Role::Header,
        text: header_text(header),
    }];
    for decl in &file.decls {
        match decl {
            Decl::Enum(e) => enum_units(e, &mut units)?,
            Decl::Struct(s) => struct_units(s, &mut units)?,
            Decl::Error(_) => return Err(FormatError::HasErrors),
        }
    }
    Ok(units)
}

fn header_text(header: &Header) -> String {
    let mut text = String::from("karmem ");
    if let Some(module) = &header.module {
        text.push_str(&module.text);
    }
    push_tree_tags(&mut text, &header.tags, push_plain_tag);
    text.push(';');
    text
}

fn push_tree_tags(out: &mut String, tags: &[Tag], push: fn(&mut String, &str, &str)) {
    for tag in tags {
        push(out, &tag.name.text, &tag.value_text());
    }
}

fn enum_units(e: &EnumDecl, units: &mut Vec<Unit>) -> Result<(), FormatError> {
    let (name, l_brace, r_brace) = match (&e.name, e.l_brace, e.r_brace) {
        (Some(name), Some(l), Some(r)) => (name, l, r),
        _ => return Err(FormatError::HasErrors),
    };
    let mut head = format!("enum {} ", name.text);
    for piece in &e.base {
        head.push_str(&piece.text);
    }
    push_tree_tags(&mut head, &e.tags, push_enum_tag);
    head.push_str(" {");
    units.push(Unit {
        span: Span::new(e.keyword.start, l_brace.end),
        role: Role::Head,
        text: head,
    });

    // Upstream's rule (language.md §3.3): an omitted value is the position; the enum is
    // sequential when every value text equals its position.
    let values: Vec<String> = e
        .values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.value
                .as_ref()
                .map_or_else(|| i.to_string(), |w| w.text.clone())
        })
        .collect();
    let sequential = values.iter().enumerate().all(|(i, v)| *v == i.to_string());
    let width = e
        .values
        .iter()
        .map(|v| char_len(&v.name.text))
        .max()
        .unwrap_or(0);
    for (i, (v, value)) in e.values.iter().zip(&values).enumerate() {
        let mut text = String::new();
        if sequential {
            text.push_str(&v.name.text);
        } else {
            push_padded(&mut text, &v.name.text, width, char_len);
            text.push_str(" = ");
            text.push_str(value);
        }
        text.push(';');
        units.push(Unit {
            span: v.span,
            role: Role::Item { first: i == 0 },
            text,
        });
    }
    units.push(Unit {
        span: r_brace,
        role: Role::Close,
        text: "}".to_string(),
    });
    Ok(())
}

fn struct_units(s: &StructDecl, units: &mut Vec<Unit>) -> Result<(), FormatError> {
    let (name, class, l_brace, r_brace) = match (&s.name, &s.class, s.l_brace, s.r_brace) {
        (Some(name), Some(class), Some(l), Some(r)) => (name, class, l, r),
        _ => return Err(FormatError::HasErrors),
    };
    let mut head = format!("struct {} {}", name.text, class.text);
    push_tree_tags(&mut head, &s.tags, push_plain_tag);
    head.push_str(" {");
    units.push(Unit {
        span: Span::new(s.keyword.start, l_brace.end),
        role: Role::Head,
        text: head,
    });

    let width = s
        .fields
        .iter()
        .map(|f| char_len(&f.name.text))
        .max()
        .unwrap_or(0);
    for (i, f) in s.fields.iter().enumerate() {
        let ty = f.ty.as_ref().ok_or(FormatError::HasErrors)?;
        let mut text = String::new();
        push_padded(&mut text, &f.name.text, width, char_len);
        text.push(' ');
        text.push_str(&type_text(ty));
        push_tree_tags(&mut text, &f.tags, push_plain_tag);
        text.push(';');
        units.push(Unit {
            span: f.span,
            role: Role::Item { first: i == 0 },
            text,
        });
    }
    units.push(Unit {
        span: r_brace,
        role: Role::Close,
        text: "}".to_string(),
    });
    Ok(())
}

/// The type as upstream keeps it: every space removed (`[ 5 ] uint 8` → `[5]uint8`).
fn type_text(ty: &TypeExpr) -> String {
    let mut text = String::new();
    if let Some(array) = &ty.array {
        text.push('[');
        if array.limited.is_some() {
            text.push('<');
        }
        text.push_str(&array.length_text());
        text.push(']');
    }
    text.push_str(&ty.element_text());
    text
}

/// What was last seen while walking the tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prev {
    StartOfFile,
    Unit(usize),
    Comment,
}

/// Assigns every comment of the file to exactly one slot: one per unit, plus a last one
/// for the end of the file. Also records where the user left blank lines.
///
/// * a comment on the line where a unit ends, after it → that unit's trailing comment;
/// * a comment inside a unit's span (a header spread over lines) → a leading comment of
///   that unit;
/// * any other comment → a leading comment of the next unit (or of the end of the file).
fn attach_comments(analysis: &Analysis, units: &[Unit]) -> Vec<Slot> {
    let text = analysis.text.as_str();
    let mut slots: Vec<Slot> = (0..=units.len()).map(|_| Slot::default()).collect();
    let mut next = 0; // the first unit not yet finished
    let mut inside = false; // whether the walk is inside unit `next`
    let mut newlines = 0; // line feeds since `prev`
    let mut prev = Prev::StartOfFile;

    for token in &analysis.tokens {
        // Leave finished units and enter the one this token belongs to.
        loop {
            match units.get(next) {
                Some(unit) if inside && token.span.start >= unit.span.end => {
                    prev = Prev::Unit(next);
                    newlines = 0;
                    next += 1;
                    inside = false;
                }
                Some(unit) if !inside && token.span.start >= unit.span.start => {
                    if newlines >= 2 && prev != Prev::StartOfFile {
                        slots[next].leading.push(Line::Blank);
                    }
                    inside = true;
                }
                _ => break,
            }
        }
        match token.kind {
            TokenKind::Newline if !inside => newlines += 1,
            TokenKind::DocComment | TokenKind::LineComment => {
                let comment = text[token.span.range()].trim_end().to_string();
                if inside {
                    slots[next].leading.push(Line::Comment(comment));
                    continue;
                }
                match prev {
                    Prev::Unit(i) if newlines == 0 => slots[i].trailing = Some(comment),
                    _ => {
                        let slot = &mut slots[next];
                        if newlines >= 2 && prev != Prev::StartOfFile {
                            slot.leading.push(Line::Blank);
                        }
                        slot.leading.push(Line::Comment(comment));
                    }
                }
                prev = Prev::Comment;
                newlines = 0;
            }
            _ => {}
        }
    }
    slots
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Enum, Struct};
    use crate::{analyze, AnalysisOptions};

    fn analysis(text: &str) -> Analysis {
        analyze(text, &AnalysisOptions::default())
    }

    fn ours(text: &str) -> String {
        let a = analysis(text);
        format(&a, Style::Ours).unwrap_or_else(|e| {
            panic!("{e}: {:#?}\n--- input ---\n{text}", a.diagnostics);
        })
    }

    fn comments(text: &str) -> Vec<String> {
        crate::lexer::lex(text)
            .into_iter()
            .filter(|t| t.kind.is_comment())
            .map(|t| text[t.span.range()].trim_end().to_string())
            .collect()
    }

    /// Checks the properties every `Ours` output must have, and returns it.
    fn check_ours(text: &str) -> String {
        let out = ours(text);
        assert_eq!(ours(&out), out, "not idempotent; first output:\n{out}");
        assert_eq!(comments(&out), comments(text), "comments changed:\n{out}");
        assert!(
            out.ends_with('\n') && !out.ends_with("\n\n"),
            "bad file end:\n{out:?}"
        );
        assert!(!out.contains("\n\n\n"), "two blank lines:\n{out}");
        for line in out.lines() {
            assert_eq!(line, line.trim_end(), "trailing white space:\n{out}");
        }
        let (before, after) = (analysis(text), analysis(&out));
        assert!(!after.has_errors(), "{:#?}\n{out}", after.diagnostics);
        assert_same_model(&before.schema, &after.schema);
        out
    }

    /// Two models are equal apart from spans and the written/implicit flag of enum values.
    fn assert_same_model(a: &Schema, b: &Schema) {
        fn tags(tags: &[TagInfo]) -> Vec<(&str, &str)> {
            tags.iter()
                .map(|t| (t.name.as_str(), t.value.as_str()))
                .collect()
        }
        fn enum_key(e: &Enum) -> impl PartialEq + std::fmt::Debug + '_ {
            let values: Vec<_> = e
                .values
                .iter()
                .map(|v| (&v.name, &v.value, v.number, &v.docs))
                .collect();
            (
                &e.name,
                e.base,
                &e.base_text,
                e.sequential,
                tags(&e.tags),
                values,
                &e.docs,
            )
        }
        fn struct_key(s: &Struct) -> impl PartialEq + std::fmt::Debug + '_ {
            let fields: Vec<_> = s
                .fields
                .iter()
                .map(|f| {
                    let shape = (&f.type_text, &f.base, f.model, f.length, f.target, f.format);
                    (&f.name, shape, f.layout, tags(&f.tags), &f.docs)
                })
                .collect();
            let head = (
                &s.name,
                s.class,
                s.packed,
                s.id,
                s.id_explicit,
                tags(&s.tags),
            );
            (head, &s.size, fields, &s.docs)
        }
        assert_eq!(
            (&a.module, a.packed, tags(&a.tags), &a.order, a.largest),
            (&b.module, b.packed, tags(&b.tags), &b.order, b.largest)
        );
        let (ea, eb): (Vec<_>, Vec<_>) = (
            a.enums.iter().map(enum_key).collect(),
            b.enums.iter().map(enum_key).collect(),
        );
        assert_eq!(ea, eb);
        let (sa, sb): (Vec<_>, Vec<_>) = (
            a.structs.iter().map(struct_key).collect(),
            b.structs.iter().map(struct_key).collect(),
        );
        assert_eq!(sa, sb);
    }

    #[test]
    fn block_style_of_ours() {
        let text = "karmem demo  @packed(true)   @a.b(x`y z`w) ;\n\
                    struct Point inline   @foo()\t{ X  float32 ; LongName [ 5 ]uint8 @t(``) @u(1);\n\n\n\tY float64;   }\n";
        let expected = "karmem demo @packed(`true`) @a.b(`xy zw`);\n\
                        \n\
                        struct Point inline @foo() {\n\
                        \x20   X        float32;\n\
                        \x20   LongName [5]uint8 @t() @u(`1`);\n\
                        \n\
                        \x20   Y        float64;\n\
                        }\n";
        assert_eq!(ours(text), expected);
    }

    #[test]
    fn enum_values_are_normalised() {
        let text = "karmem demo;\n\
                    enum S uint8 @e() { A = 0; B; C = 2; }\n\
                    enum N uint16 { Long = 5; B; Ünï = 0; }\n";
        let expected = "karmem demo;\n\
                        \n\
                        enum S uint8 @e(``) {\n\
                        \x20   A;\n\
                        \x20   B;\n\
                        \x20   C;\n\
                        }\n\
                        \n\
                        enum N uint16 {\n\
                        \x20   Long = 5;\n\
                        \x20   B    = 1;\n\
                        \x20   Ünï  = 0;\n\
                        }\n";
        assert_eq!(ours(text), expected);
    }

    #[test]
    fn declaration_order_kept_and_no_id_added() {
        let text = "karmem demo;\n\
                    struct A inline { X uint8; }\n\
                    enum E uint8 { Z; }\n\
                    struct B table @id(42) { Y E; }\n";
        let out = ours(text);
        let a = out.find("struct A").unwrap();
        let e = out.find("enum E").unwrap();
        let b = out.find("struct B").unwrap();
        assert!(a < e && e < b, "{out}");
        assert_eq!(out.matches("@id").count(), 1, "{out}");
        assert!(out.contains("struct B table @id(`42`) {"), "{out}");
    }

    #[test]
    fn comments_are_kept_in_place() {
        let text = "// file comment\n\
                    \n\
                    /// header doc\n\
                    karmem demo; // after header\n\
                    // detached\n\
                    \n\
                    \n\
                    /// A point.\n\
                    struct Point inline { // after brace\n\
                    \n\
                    /// x doc\n\
                    \t\tX float32;   // x trailing   \n\
                    // between\n\
                    Yy float32;\n\
                    // before close\n\
                    \n\
                    } // after close\n\
                    enum E uint8 {\n\
                    A; B = 1; // seq\n\
                    \n\
                    // last\n\
                    }\n\
                    \n\
                    \n\
                    // end 1\n\
                    \n\
                    // end 2\n\
                    \n";
        let expected = "// file comment\n\
                        \n\
                        /// header doc\n\
                        karmem demo; // after header\n\
                        \n\
                        // detached\n\
                        \n\
                        /// A point.\n\
                        struct Point inline { // after brace\n\
                        \x20   /// x doc\n\
                        \x20   X  float32; // x trailing\n\
                        \x20   // between\n\
                        \x20   Yy float32;\n\
                        \x20   // before close\n\
                        } // after close\n\
                        \n\
                        enum E uint8 {\n\
                        \x20   A;\n\
                        \x20   B; // seq\n\
                        \n\
                        \x20   // last\n\
                        }\n\
                        \n\
                        // end 1\n\
                        \n\
                        // end 2\n";
        assert_eq!(check_ours(text), expected);
    }

    #[test]
    fn comments_after_header_only() {
        let out = check_ours("karmem demo;\n// one\n\n\n// two\n");
        assert_eq!(out, "karmem demo;\n\n// one\n\n// two\n");
        assert_eq!(check_ours("karmem demo;"), "karmem demo;\n");
    }

    #[test]
    fn comment_inside_a_multi_line_header_moves_above_it() {
        let text = "karmem demo // inside\n @packed(true);\nstruct A inline { X uint8; }\n";
        let a = analysis(text);
        if a.has_errors() {
            println!("skipped: a header split over lines is rejected");
            return;
        }
        let out = check_ours(text);
        assert!(
            out.starts_with("// inside\nkarmem demo @packed(`true`);\n"),
            "{out}"
        );
    }

    #[test]
    fn crlf_and_bom_are_normalised() {
        let text = "\u{FEFF}karmem demo;\r\n\r\nstruct A inline {\r\n  X uint8; // c\r\n}\r\n";
        let out = check_ours(text);
        assert_eq!(
            out,
            "karmem demo;\n\nstruct A inline {\n    X uint8; // c\n}\n"
        );
    }

    #[test]
    fn errors_are_not_formatted() {
        let a = analysis("karmem demo;\nstruct A inline { X uint8 \n");
        assert!(a.has_errors());
        assert_eq!(format(&a, Style::Ours), Err(FormatError::HasErrors));
        assert_eq!(format(&a, Style::Upstream), Err(FormatError::HasErrors));
        assert!(FormatError::HasErrors.to_string().contains("errors"));
    }

    #[test]
    fn upstream_style_hoists_enums_and_pins_ids() {
        let text = "karmem demo @golang.package(demo);\n\
                    // dropped\n\
                    struct A inline { Name uint8; Ü uint8; }\n\
                    enum E uint8 @t() { X = 3; Yy = 0; }\n";
        let a = analysis(text);
        assert!(!a.has_errors(), "{:#?}", a.diagnostics);
        let id = a.schema.structs[0].id;
        let expected = format!(
            "karmem demo @golang.package(`demo`);\n\
             \n\
             enum E uint8 @t(``) {{\n\
             \x20   X  = 3;\n\
             \x20   Yy = 0;\n\
             }}\n\
             \n\
             \n\
             struct A inline @id(`{id}`) {{\n\
             \x20   Name uint8;\n\
             \x20   Ü   uint8;\n\
             }}\n"
        );
        assert_eq!(format(&a, Style::Upstream).unwrap(), expected);
    }

    /// The accepted corpus files (`NAME.km` with a `NAME.json`), as (name, text).
    fn accepted_corpus() -> Option<Vec<(String, String)>> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
        if !root.is_dir() {
            println!("skipped: ../shared not present");
            return None;
        }
        let mut files = Vec::new();
        for dir in ["generated", "upstream"] {
            let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect();
            paths.sort();
            for path in paths {
                let name = format!("{dir}/{}", path.file_stem().unwrap().to_string_lossy());
                files.push((
                    name,
                    std::fs::read_to_string(path.with_extension("km")).unwrap(),
                ));
            }
        }
        Some(files)
    }

    /// Every accepted corpus file with a comment above and after each of its lines: the
    /// `Ours` output keeps every comment once, in order, is idempotent and keeps the model.
    #[test]
    fn corpus_with_comments_everywhere() {
        let Some(files) = accepted_corpus() else {
            return;
        };
        let (mut checked, mut rejected) = (0, Vec::new());
        for (name, source) in files {
            let mut text = String::new();
            for (i, line) in source.lines().enumerate() {
                let own = if i % 2 == 0 { "///" } else { "//" };
                text.push_str(&format!("{own} own {i}\n{line}"));
                if !line.trim().is_empty() {
                    text.push_str(&format!(" // trailing {i}"));
                }
                text.push('\n');
            }
            if analysis(&text).has_errors() {
                rejected.push(name);
                continue;
            }
            let result = std::panic::catch_unwind(|| check_ours(&text));
            assert!(result.is_ok(), "{name}");
            checked += 1;
        }
        println!("commented corpus: {checked} checked, rejected: {rejected:?}");
        assert!(checked > 0);
    }

    /// Every corpus file with an upstream `fmt` verdict: `Style::Upstream` must give the
    /// same bytes, and `Style::Ours` must be idempotent and keep the model.
    #[test]
    fn corpus() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
        if !root.is_dir() {
            println!("skipped: ../shared not present");
            return;
        }
        let (mut matched, mut rejected) = (0, Vec::new());
        let mut failures = Vec::new();
        for dir in ["generated", "upstream"] {
            let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "upstream-fmt"))
                .collect();
            paths.sort();
            for expected_path in paths {
                let name = format!(
                    "{dir}/{}",
                    expected_path.file_stem().unwrap().to_string_lossy()
                );
                let expected = std::fs::read_to_string(&expected_path).unwrap();
                let source = std::fs::read_to_string(expected_path.with_extension("km")).unwrap();
                let a = analysis(&source);
                if a.has_errors() {
                    // Upstream accepts it, we reject it by policy (policy.md §3).
                    rejected.push(name);
                    continue;
                }
                match format(&a, Style::Upstream) {
                    Ok(out) if out == expected => matched += 1,
                    Ok(out) => failures.push(format!(
                        "{name}: upstream style differs\n--- expected ---\n{expected}--- got ---\n{out}"
                    )),
                    Err(e) => failures.push(format!("{name}: {e}")),
                }
                let out = ours(&source);
                let again = analysis(&out);
                if again.has_errors() {
                    failures.push(format!("{name}: ours output has errors\n{out}"));
                    continue;
                }
                if ours(&out) != out {
                    failures.push(format!("{name}: ours style is not idempotent"));
                }
                if std::panic::catch_unwind(|| assert_same_model(&a.schema, &again.schema)).is_err()
                {
                    failures.push(format!("{name}: ours style changed the model"));
                }
            }
        }
        println!("corpus: {matched} byte-identical, rejected by policy: {rejected:?}");
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
