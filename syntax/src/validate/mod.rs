//! Name resolution and validation: syntax tree → semantic model + diagnostics.
//!
//! Declarations are processed in source order, as upstream does: a field's type resolves
//! to a primitive or to an enum or struct declared *earlier* in the file. Each check below
//! corresponds to an upstream rejection (language.md §5–§7) or to a policy decision
//! (policy.md §3, §4); the comments name them. A declaration with errors is still added to
//! the model, but numbers that depend on a broken part are left out (`None`).
//!
//! This file holds the driver and the checks shared by every construct (names, spacing,
//! line breaks, tags); `header.rs`, `enums.rs` and `structs.rs` hold one construct each.

mod enums;
mod header;
mod structs;

use std::collections::HashMap;

use crate::analysis::AnalysisOptions;
use crate::ast::{self, Decl, SourceFile, Tag, Word};
use crate::chars;
use crate::diagnostics::{Code, Diagnostic};
use crate::ids::IdKey;
use crate::lexer::{Token, TokenKind};
use crate::model::*;
use crate::Span;

/// Builds the model of `file`, pushing every problem found onto `diagnostics`.
pub fn build_model(
    text: &str,
    tokens: &[Token],
    file: &SourceFile,
    options: &AnalysisOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> Schema {
    let mut v = Validator {
        text,
        tokens,
        diags: diagnostics,
        schema: Schema::default(),
        names: HashMap::new(),
        declared: HashMap::new(),
        key: IdKey::default(),
        doc_comments: tokens
            .iter()
            .filter(|t| t.kind == TokenKind::DocComment)
            .map(|t| t.span)
            .collect(),
    };
    if options.upstream_compatible {
        v.reject_comments();
    }
    for decl in &file.decls {
        if let Some(name) = decl_name(decl) {
            v.declared
                .entry(name.text.as_str())
                .or_insert((name.span, decl.span()));
        }
    }
    v.header(file);
    for decl in &file.decls {
        match decl {
            Decl::Enum(e) => v.enum_decl(e),
            Decl::Struct(s) => v.struct_decl(s),
            Decl::Error(_) => {}
        }
    }
    v.duplicate_ids();
    v.schema
}

fn decl_name(decl: &Decl) -> Option<&Word> {
    match decl {
        Decl::Enum(e) => e.name.as_ref(),
        Decl::Struct(s) => s.name.as_ref(),
        Decl::Error(_) => None,
    }
}

/// What kind of name is checked: each has its own character rules (language.md §3.5).
#[derive(Clone, Copy, PartialEq, Eq)]
enum NameKind {
    Module,
    Enum,
    Value,
    Struct,
    Field,
}

impl NameKind {
    fn describe(self) -> &'static str {
        match self {
            NameKind::Module => "module name",
            NameKind::Enum => "enum name",
            NameKind::Value => "enum value name",
            NameKind::Struct => "struct name",
            NameKind::Field => "field name",
        }
    }
}

struct Validator<'a> {
    text: &'a str,
    tokens: &'a [Token],
    diags: &'a mut Vec<Diagnostic>,
    schema: Schema,
    /// Declarations processed so far, by name (the first one of a name).
    names: HashMap<String, DeclRef>,
    /// Every declaration in the file by name: (name span, declaration span) of the first.
    declared: HashMap<&'a str, (Span, Span)>,
    key: IdKey,
    /// The spans of every `///` comment, in order.
    doc_comments: Vec<Span>,
}
impl<'a> Validator<'a> {
    fn push(&mut self, diagnostic: Diagnostic) {
        self.diags.push(diagnostic);
    }

    fn slice(&self, span: Span) -> &'a str {
        &self.text[span.start..span.end]
    }

    // ---- comments ------------------------------------------------------------

    /// policy.md §2: in upstream-compatible mode our one extension, comments, is an error.
    fn reject_comments(&mut self) {
        for token in self.tokens.iter().filter(|t| t.kind.is_comment()) {
            self.diags.push(
                Diagnostic::new(
                    Code::CommentNotPortable,
                    token.span,
                    "comments are not accepted by the upstream toolchain (upstream-compatible mode is on)",
                )
                .with_fix("Remove the comment", token.span, ""),
            );
        }
    }

    /// The `///` lines directly above the item that starts at `start`: consecutive doc
    /// comment lines, the last one on the line just before the item (or on its line).
    fn docs_before(&self, start: usize) -> Option<String> {
        let mut index = self.doc_comments.partition_point(|span| span.end <= start);
        let mut lines = Vec::new();
        let mut next_start = start;
        while index > 0 {
            let span = self.doc_comments[index - 1];
            let gap = &self.text[span.end..next_start];
            // Cheapest test first: a gap with text in it ends the search at once.
            if !gap.chars().all(char::is_whitespace) {
                break;
            }
            let breaks = gap.matches('\n').count();
            let line_start = self.text[..span.start].rfind('\n').map_or(0, |i| i + 1);
            let own_line = self.text[line_start..span.start]
                .chars()
                .all(char::is_whitespace);
            if !own_line || breaks != 1 {
                break;
            }
            let raw = &self.slice(span)[3..];
            lines.push(raw.strip_prefix(' ').unwrap_or(raw).trim_end());
            next_start = span.start;
            index -= 1;
        }
        if lines.is_empty() {
            return None;
        }
        lines.reverse();
        Some(lines.join("\n"))
    }

    // ---- shared checks -------------------------------------------------------

    /// Checks a name's characters; returns false when it has an error.
    fn check_name(&mut self, word: &Word, kind: NameKind) -> bool {
        let mut chars = word.text.char_indices();
        let Some((_, first)) = chars.next() else {
            return false;
        };
        if kind != NameKind::Module && chars::is_lower(first) {
            let fixed: String = first
                .to_uppercase()
                .chain(word.text[first.len_utf8()..].chars())
                .collect();
            self.push(
                Diagnostic::new(
                    Code::LowercaseName,
                    word.span,
                    format!(
                        "{} `{}` starts with a lower-case letter; names of types, fields and values start with a capital",
                        kind.describe(),
                        word.text
                    ),
                )
                .with_fix(format!("Rename to `{fixed}`"), word.span, fixed),
            );
            return false;
        }
        let letters_only = matches!(kind, NameKind::Module | NameKind::Enum);
        for (i, c) in word.text.char_indices() {
            let ok = chars::is_letter(c) || (i > 0 && !letters_only && chars::is_number(c));
            if !ok {
                let span = Span::new(word.span.start + i, word.span.start + i + c.len_utf8());
                let rule = if letters_only {
                    "may contain only letters (no digits, no `_`)"
                } else if i == 0 {
                    "must start with a letter"
                } else {
                    "may contain only letters and digits (no `_`)"
                };
                self.push(Diagnostic::new(
                    Code::InvalidName,
                    span,
                    format!(
                        "{} `{}` has the character {}: a {} {rule}",
                        kind.describe(),
                        word.text,
                        crate::parser::describe_char(&c.to_string()),
                        kind.describe()
                    ),
                ));
                return false;
            }
        }
        true
    }

    /// Upstream reads a field, an enum value and a declaration head on one line: a line
    /// break inside `span` is an error (it rejects them with assorted messages).
    fn check_one_line(&mut self, span: Span, what: &str) {
        if let Some((at, len)) = first_break(self.slice(span)) {
            let at = span.start + at;
            self.push(Diagnostic::new(
                Code::LineBreak,
                Span::new(at, at + len),
                format!("{what} must be written on one line"),
            ));
        }
    }

    /// Q14: `enum` and `struct` (and `karmem`) must be followed by exactly one space.
    fn check_keyword_space(&mut self, keyword: Span, next: Option<Span>) {
        let after = &self.text[keyword.end..];
        if after.starts_with(' ') {
            return;
        }
        let word = self.slice(keyword);
        let mut diagnostic = Diagnostic::new(
            Code::Spacing,
            Span::new(keyword.start, keyword.end + after.chars().next().map_or(0, char::len_utf8)),
            format!("`{word}` must be followed by a space (U+0020); the upstream toolchain rejects anything else"),
        );
        if let Some(next) = next {
            diagnostic =
                diagnostic.with_fix("Use one space", Span::new(keyword.end, next.start), " ");
        }
        self.push(diagnostic);
    }

    /// Requires blank space between two pieces that upstream only accepts with a space.
    fn check_gap(&mut self, before: Span, after: Span, message: &str) {
        if before.end == after.start {
            self.push(
                Diagnostic::new(
                    Code::Spacing,
                    Span::new(before.start, after.end),
                    message.to_string(),
                )
                .with_fix("Insert a space", Span::empty(after.start), " "),
            );
        }
    }

    fn missing(&mut self, at: usize, what: &str, insert: Option<&str>) {
        let mut diagnostic =
            Diagnostic::new(Code::Missing, Span::empty(at), format!("missing {what}"));
        if let Some(insert) = insert {
            diagnostic = diagnostic.with_fix(
                format!("Insert `{}`", insert.trim()),
                Span::empty(at),
                insert,
            );
        }
        self.push(diagnostic);
    }

    /// A block whose `}` is missing: reported where the block's content ends.
    fn unclosed(&mut self, at: usize, l_brace: Option<Span>, kind: &str, name: &str) {
        let mut diagnostic = Diagnostic::new(
            Code::Missing,
            Span::empty(at),
            format!("missing `}}` to close {kind} `{name}`"),
        )
        .with_fix("Insert `}`", Span::empty(at), "\n}");
        if let Some(l_brace) = l_brace {
            diagnostic = diagnostic.with_related(l_brace, "the block opened here");
        }
        self.push(diagnostic);
    }

    /// Validates a tag's syntax (language.md §4) and returns it as the model keeps it.
    fn tag(&mut self, tag: &Tag) -> TagInfo {
        for (i, c) in tag.name.text.char_indices() {
            if !(c == '.' || chars::is_letter(c)) {
                let at = tag.name.span.start + i;
                self.push(Diagnostic::new(
                    Code::TagSyntax,
                    Span::new(at, at + c.len_utf8()),
                    format!(
                        "tag names contain only letters and dots, not {}",
                        crate::parser::describe_char(&c.to_string())
                    ),
                ));
                break;
            }
        }
        match &tag.value {
            None => self.push(
                Diagnostic::new(
                    Code::TagSyntax,
                    tag.span,
                    format!(
                        "the tag `@{}` needs parentheses, e.g. `@{}()`",
                        tag.name.text, tag.name.text
                    ),
                )
                .with_fix("Add `()`", Span::empty(tag.span.end), "()"),
            ),
            Some(value) => self.tag_value(tag, value),
        }
        TagInfo {
            name: tag.name.text.clone(),
            value: tag.value_text(),
            span: tag.span,
        }
    }

    fn tag_value(&mut self, tag: &Tag, value: &ast::TagValue) {
        let Some(r_paren) = value.r_paren else {
            self.push(
                Diagnostic::new(
                    Code::TagSyntax,
                    tag.span,
                    format!("the value of `@{}` has no closing `)`", tag.name.text),
                )
                .with_fix("Insert `)`", Span::empty(tag.span.end), ")"),
            );
            return;
        };
        let mut previous_end = value.l_paren.end;
        let mut spaced = false;
        for piece in &value.pieces {
            spaced |= piece.span.start != previous_end;
            previous_end = piece.span.end;
            if piece.quoted {
                let raw = self.slice(piece.span);
                if raw.len() < 2 || !raw.ends_with('`') {
                    self.push(Diagnostic::new(
                        Code::TagSyntax,
                        piece.span,
                        "this back-quote is never closed (a back-quoted value ends on its line)",
                    ));
                } else if let Some((i, c)) = piece
                    .text
                    .char_indices()
                    .find(|&(_, c)| c == ')' || c == ';' || chars::is_break(c))
                {
                    let at = piece.span.start + 1 + i;
                    self.push(Diagnostic::new(
                        Code::TagSyntax,
                        Span::new(at, at + c.len_utf8()),
                        format!(
                            "a tag value cannot contain {}, even inside back-quotes (the upstream toolchain ends the value there)",
                            crate::parser::describe_char(&c.to_string())
                        ),
                    ));
                }
            } else if let Some((i, c)) = piece
                .text
                .char_indices()
                .find(|&(_, c)| !(chars::is_letter(c) || chars::is_number(c)))
            {
                let at = piece.span.start + i;
                self.push(Diagnostic::new(
                    Code::TagSyntax,
                    Span::new(at, at + c.len_utf8()),
                    format!(
                        "outside back-quotes a tag value contains only letters and digits, not {}; write `@{}(`…`)`",
                        crate::parser::describe_char(&c.to_string()),
                        tag.name.text
                    ),
                ));
            }
        }
        spaced |= !value.pieces.is_empty() && r_paren.start != previous_end;
        if spaced {
            let inner = Span::new(value.l_paren.end, r_paren.start);
            let inner_text = self.slice(inner);
            let mut diagnostic = Diagnostic::new(
                Code::TagSyntax,
                inner,
                "spaces in a tag value must be inside back-quotes",
            );
            if !inner_text.contains('`') {
                diagnostic = diagnostic.with_fix(
                    "Quote the value",
                    inner,
                    format!("`{}`", inner_text.trim()),
                );
            }
            self.push(diagnostic);
        }
    }

    /// Reads a `@packed(...)` value (E04): empty or `true` → true, `false` → false.
    fn packed_value(&mut self, tag: &TagInfo) -> Option<bool> {
        match tag.value.as_str() {
            "" | "true" => Some(true),
            "false" => Some(false),
            other => {
                self.push(
                    Diagnostic::new(
                        Code::InvalidPacked,
                        tag.span,
                        format!("`@packed` takes no value, `true` or `false`, not `{other}`"),
                    )
                    .with_fix("Use `@packed(true)`", tag.span, "@packed(true)"),
                );
                None
            }
        }
    }

    // ---- names ---------------------------------------------------------------

    /// Registers a declaration's name; a repeated name is an error (Q9–Q11, policy §3).
    fn declare(&mut self, name: &Word, decl: DeclRef) {
        if let Some(first) = self.names.get(&name.text) {
            let first_span = self.schema.decl_name_span(*first);
            self.push(
                Diagnostic::new(
                    Code::DuplicateType,
                    name.span,
                    format!(
                        "`{}` is already declared; type names must be unique",
                        name.text
                    ),
                )
                .with_related(first_span, "first declared here"),
            );
        } else {
            self.names.insert(name.text.clone(), decl);
        }
    }

    // ---- whole file ----------------------------------------------------------

    /// policy.md §4: two structs with the same id are accepted but warned about.
    fn duplicate_ids(&mut self) {
        let mut seen: HashMap<u64, usize> = HashMap::new();
        let mut found = Vec::new();
        for (i, s) in self.schema.structs.iter().enumerate() {
            match seen.get(&s.id) {
                Some(&first) => found.push((first, i)),
                None => {
                    seen.insert(s.id, i);
                }
            }
        }
        for (first, second) in found {
            let (a, b) = (&self.schema.structs[first], &self.schema.structs[second]);
            let diagnostic = Diagnostic::new(
                Code::DuplicateId,
                b.name_span,
                format!(
                    "`{}` has the id {} like `{}`; generated code cannot tell their messages apart",
                    b.name, b.id, a.name
                ),
            )
            .with_related(a.name_span, "the other struct with this id");
            self.diags.push(diagnostic);
        }
    }
}

/// The offset and length of the first line break (LF or any other non-blank white space)
/// in `text`. Scans bytes; decodes only non-ASCII characters (this runs on every item).
fn first_break(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if matches!(b, b'\n' | b'\r' | 0x0B | 0x0C) {
                return Some((i, 1));
            }
            i += 1;
        } else {
            let c = text[i..].chars().next()?;
            if chars::is_break(c) {
                return Some((i, c.len_utf8()));
            }
            i += c.len_utf8();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::{analyze, AnalysisOptions};

    #[test]
    fn doc_comments_attach_to_the_next_item_only() {
        let text = "karmem a;\n/// Point in space.\n///   second line\r\nstruct P inline {\n    /// X axis.\n    X uint8; /// not a doc of Y\n    Y uint8;\n\n    /// separated by a blank line\n\n    Z uint8;\n}\n";
        let analysis = analyze(text, &AnalysisOptions::default());
        let p = &analysis.schema.structs[0];
        assert_eq!(p.docs.as_deref(), Some("Point in space.\n  second line"));
        let docs: Vec<Option<&str>> = p.fields.iter().map(|f| f.docs.as_deref()).collect();
        assert_eq!(docs, [Some("X axis."), None, None]);
    }
}
