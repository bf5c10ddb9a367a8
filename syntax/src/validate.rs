//! Name resolution and validation: syntax tree → semantic model + diagnostics.
//!
//! Declarations are processed in source order, as upstream does: a field's type resolves
//! to a primitive or to an enum or struct declared *earlier* in the file. Each check below
//! corresponds to an upstream rejection (language.md §5–§7) or to a policy decision
//! (policy.md §3, §4); the comments name them. A declaration with errors is still added to
//! the model, but numbers that depend on a broken part are left out (`None`).

use std::collections::HashMap;

use crate::analysis::AnalysisOptions;
use crate::ast::{self, Decl, SourceFile, Tag, Word};
use crate::chars;
use crate::diagnostics::{Code, Diagnostic, TextEdit};
use crate::ids::{self, IdKey};
use crate::layout::{self, ElementSize};
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
}

impl<'a> Validator<'a> {
    fn push(&mut self, diagnostic: Diagnostic) {
        self.diags.push(diagnostic);
    }

    fn slice(&self, span: Span) -> &'a str {
        &self.text[span.start..span.end]
    }

    // ---- comments -------------------------------------------------------------------

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

    /// The `///` lines directly above the token that starts at `start`.
    fn docs_before(&self, start: usize) -> Option<String> {
        let index = self.tokens.partition_point(|t| t.span.start < start);
        let mut lines = Vec::new();
        let mut newlines = 0;
        for token in self.tokens[..index].iter().rev() {
            match token.kind {
                TokenKind::Blank => {}
                TokenKind::Newline => {
                    newlines += 1;
                    if newlines > 1 {
                        break;
                    }
                }
                TokenKind::DocComment if newlines == 1 || lines.is_empty() && newlines <= 1 => {
                    let raw = &self.slice(token.span)[3..];
                    lines.push(raw.strip_prefix(' ').unwrap_or(raw).trim_end());
                    newlines = 0;
                }
                _ => break,
            }
        }
        if lines.is_empty() {
            return None;
        }
        lines.reverse();
        Some(lines.join("\n"))
    }

    // ---- shared checks --------------------------------------------------------------

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
        if let Some(i) = self
            .slice(span)
            .find(|c: char| c == '\n' || chars::is_break(c))
        {
            let at = span.start + i;
            self.push(Diagnostic::new(
                Code::LineBreak,
                Span::new(at, at + 1),
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

    // ---- header ---------------------------------------------------------------------

    fn header(&mut self, file: &SourceFile) {
        let start = if self.text.starts_with('\u{FEFF}') {
            3
        } else {
            0
        };
        let Some(header) = &file.header else {
            let at = file.decls.first().map_or(start, |d| d.span().start);
            let first_decl = file.decls.iter().find(|d| !matches!(d, Decl::Error(_)));
            let mut diagnostic = Diagnostic::new(
                Code::Header,
                Span::new(at, at),
                "a schema must start with the header `karmem <module name>;`",
            );
            if first_decl.is_some() {
                diagnostic =
                    diagnostic.with_fix("Insert a header", Span::empty(at), "karmem schema;\n\n");
            }
            self.push(diagnostic);
            return;
        };
        // Upstream requires `karmem` as the very first bytes (after a BOM). Comments before
        // it are our extension; blank space before it is an error.
        let leading = &self.text[start..header.keyword.start];
        if leading.starts_with(char::is_whitespace) {
            let blank_end = start + leading.len() - leading.trim_start().len();
            self.push(
                Diagnostic::new(
                    Code::Header,
                    Span::new(start, blank_end),
                    "the header must be the first thing in the file: the upstream toolchain rejects blank space before it",
                )
                .with_fix("Remove the blank space", Span::new(start, blank_end), ""),
            );
        }
        match &header.module {
            None => self.missing(header.keyword.end, "module name after `karmem`", None),
            Some(module) => {
                if module.span.start != header.keyword.end + 1
                    || !self.text[header.keyword.end..].starts_with(' ')
                {
                    self.push(
                        Diagnostic::new(
                            Code::Spacing,
                            Span::new(header.keyword.start, module.span.end),
                            "`karmem` must be followed by exactly one space and the module name",
                        )
                        .with_fix(
                            "Use one space",
                            Span::new(header.keyword.end, module.span.start),
                            " ",
                        ),
                    );
                }
                if self.check_name(module, NameKind::Module) {
                    self.schema.module = module.text.clone();
                }
                match self.text[module.span.end..].chars().next() {
                    Some(';' | ' ' | '\t') => {}
                    Some('@') => self.check_gap(
                        module.span,
                        Span::new(module.span.end, module.span.end + 1),
                        "a space is needed between the module name and the first tag",
                    ),
                    Some(c) if c == '\n' || chars::is_break(c) => self.push(Diagnostic::new(
                        Code::LineBreak,
                        Span::new(module.span.end, module.span.end + c.len_utf8()),
                        "the module name must be followed by `;` or a space on the same line",
                    )),
                    _ => {}
                }
            }
        }
        let tags: Vec<TagInfo> = header.tags.iter().map(|t| self.tag(t)).collect();
        if header.semi.is_none() {
            self.missing(header.span.end, "`;` at the end of the header", Some(";"));
        }
        if let Some(packed) = tags.iter().find(|t| t.name == "packed").cloned() {
            self.schema.packed = self.packed_value(&packed).unwrap_or(false);
        }
        self.key = IdKey::new(
            tags.iter()
                .find(|t| t.name == "key")
                .map(|t| t.value.as_str()),
        );
        self.schema.tags = tags;
    }

    // ---- names ----------------------------------------------------------------------

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

    // ---- enums ----------------------------------------------------------------------

    fn enum_decl(&mut self, e: &ast::EnumDecl) {
        self.check_keyword_space(e.keyword, e.name.as_ref().map(|n| n.span));
        if let Some(l_brace) = e.l_brace {
            self.check_one_line(
                Span::new(e.keyword.start, l_brace.end),
                "the head of an enum (`enum Name base … {`)",
            );
        }
        let Some(name) = &e.name else {
            self.missing(e.keyword.end, "enum name", None);
            return;
        };
        self.check_name(name, NameKind::Enum);
        let base_text: String = e.base.iter().map(|w| w.text.as_str()).collect();
        let base = Primitive::from_name(&base_text).filter(|p| p.is_enum_base());
        match (e.base.first(), e.base.last()) {
            (Some(first), Some(last)) => {
                let span = first.span.cover(last.span);
                if base.is_none() {
                    self.push(Diagnostic::new(
                        Code::InvalidEnumBase,
                        span,
                        format!("`{base_text}` cannot be an enum's base type; use one of uint8, uint16, uint32, uint64, int8, int16, int32, int64"),
                    ));
                } else if e.base.len() > 1 {
                    self.spaced_type(span, &base_text);
                }
            }
            _ => self.missing(name.span.end, "enum base type (e.g. `uint8`)", None),
        }
        let tags: Vec<TagInfo> = e.tags.iter().map(|t| self.tag(t)).collect();
        if e.values.is_empty() && e.skipped_items == 0 {
            self.push(Diagnostic::new(
                Code::Empty,
                name.span,
                format!(
                    "enum `{}` has no values; it needs at least one, with the value 0",
                    name.text
                ),
            ));
        }
        if e.r_brace.is_none() {
            self.unclosed(e.span.end, e.l_brace, "enum", &name.text);
        }

        let mut values: Vec<EnumValue> = Vec::with_capacity(e.values.len());
        let mut seen: HashMap<&str, Span> = HashMap::new();
        let mut numbers: HashMap<u64, &str> = HashMap::new();
        let mut sequential = true;
        for (position, value) in e.values.iter().enumerate() {
            values.push(self.enum_value(value, position, base, &mut sequential));
            let model = values.last().expect("just pushed");
            if let Some(first) = seen.get(value.name.text.as_str()) {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateValue,
                        value.name.span,
                        format!(
                            "enum `{}` already has a value named `{}`",
                            name.text, value.name.text
                        ),
                    )
                    .with_related(*first, "first declared here"),
                );
            } else {
                seen.insert(value.name.text.as_str(), value.name.span);
            }
            if let Some(number) = model.number {
                if let Some(first) = numbers.get(&number) {
                    self.push(Diagnostic::new(
                        Code::DuplicateEnumNumber,
                        value.span,
                        format!("`{}` has the value {number}, like `{first}`; decoding cannot tell them apart", value.name.text),
                    ));
                } else {
                    numbers.insert(number, value.name.text.as_str());
                }
            }
        }
        if !values.is_empty() && !values.iter().any(|v| v.value == "0") {
            self.push(Diagnostic::new(
                Code::EnumNoZero,
                name.span,
                format!("enum `{}` has no value 0; one value must be exactly `0` (the default of a zeroed message)", name.text),
            ));
        }
        self.last_value_clash(e, name);

        let index = self.schema.enums.len();
        self.declare(name, DeclRef::Enum(index));
        let docs = self.docs_before(e.span.start);
        self.schema.enums.push(Enum {
            name: name.text.clone(),
            name_span: name.span,
            span: e.span,
            base,
            base_text,
            sequential,
            tags,
            values,
            docs,
        });
        self.schema.order.push(DeclRef::Enum(index));
    }

    fn enum_value(
        &mut self,
        value: &ast::EnumValue,
        position: usize,
        base: Option<Primitive>,
        sequential: &mut bool,
    ) -> EnumValue {
        self.check_name(&value.name, NameKind::Value);
        self.check_one_line(value.span, "an enum value");
        if let Some(eq) = value.eq {
            // Q8: `A=1;` is rejected upstream; `A =1;` and `A = 1;` are fine.
            self.check_gap(
                value.name.span,
                eq,
                "a space is needed between the value name and `=`",
            );
            if value.value.is_none() {
                self.push(
                    Diagnostic::new(
                        Code::Missing,
                        eq,
                        format!("`=` without a value after `{}`", value.name.text),
                    )
                    .with_fix(
                        "Remove the `=`",
                        Span::new(value.name.span.end, eq.end),
                        "",
                    ),
                );
            }
        }
        if value.semi.is_none() {
            self.missing(value.span.end, "`;` after the enum value", Some(";"));
        }
        let position_text = position.to_string();
        let (text, explicit) = match &value.value {
            Some(number) => (number.text.clone(), true),
            None => (position_text.clone(), false),
        };
        *sequential &= text == position_text;
        let number = base.and_then(|base| {
            let (bits, signed) = base.integer_bits()?;
            let max = if signed {
                (1u64 << (bits - 1)) - 1
            } else {
                u64::MAX >> (64 - bits)
            };
            let parsed = ids::parse_decimal(&text, max);
            if parsed.is_none() {
                let span = value.value.as_ref().map_or(value.name.span, |w| w.span);
                self.push(Diagnostic::new(
                    Code::EnumValueRange,
                    span,
                    format!(
                        "{text} does not fit the base type {} (0 to {max})",
                        base.name()
                    ),
                ));
            }
            parsed
        });
        EnumValue {
            name: value.name.text.clone(),
            name_span: value.name.span,
            span: value.span,
            value: text,
            explicit,
            number,
            docs: self.docs_before(value.span.start),
        }
    }

    /// Q10 (language.md §7.1): upstream checks the name of an enum's *last value* against
    /// earlier enums and against every struct but the most recent one, and rejects a clash.
    fn last_value_clash(&mut self, e: &ast::EnumDecl, name: &Word) {
        let Some(last) = e.values.last() else { return };
        let last_name = last.name.text.as_str();
        let clash = self
            .schema
            .enums
            .iter()
            .map(|en| (en.name.as_str(), en.name_span))
            .chain(
                self.schema.structs[..self.schema.structs.len().saturating_sub(1)]
                    .iter()
                    .map(|s| (s.name.as_str(), s.name_span)),
            )
            .find(|(n, _)| *n == last_name);
        if let Some((_, span)) = clash {
            self.push(
                Diagnostic::new(
                    Code::DuplicateType,
                    last.name.span,
                    format!(
                        "the last value of enum `{}` is named `{last_name}`, like an earlier type; the upstream toolchain rejects this",
                        name.text
                    ),
                )
                .with_related(span, "the type with that name"),
            );
        }
    }

    // ---- structs --------------------------------------------------------------------

    fn struct_decl(&mut self, s: &ast::StructDecl) {
        self.check_keyword_space(s.keyword, s.name.as_ref().map(|n| n.span));
        if let Some(l_brace) = s.l_brace {
            self.check_one_line(
                Span::new(s.keyword.start, l_brace.end),
                "the head of a struct (`struct Name class … {`)",
            );
        }
        let Some(name) = &s.name else {
            self.missing(s.keyword.end, "struct name", None);
            return;
        };
        self.check_name(name, NameKind::Struct);
        let class = match &s.class {
            Some(word) if word.text == "inline" => Some(Class::Inline),
            Some(word) if word.text == "table" => Some(Class::Table),
            Some(word) => {
                let lower = word.text.to_lowercase();
                let mut diagnostic = Diagnostic::new(
                    Code::InvalidClass,
                    word.span,
                    format!(
                        "`{}` is not a struct class; write `inline` or `table`",
                        word.text
                    ),
                );
                if lower == "inline" || lower == "table" {
                    diagnostic = diagnostic.with_fix(format!("Use `{lower}`"), word.span, lower);
                }
                self.push(diagnostic);
                None
            }
            None => {
                self.push(
                    Diagnostic::new(
                        Code::InvalidClass,
                        name.span,
                        format!(
                            "struct `{}` has no class; write `inline` or `table` after its name",
                            name.text
                        ),
                    )
                    .with_fix(
                        "Make it a table",
                        Span::empty(name.span.end),
                        " table",
                    ),
                );
                None
            }
        };
        let tags: Vec<TagInfo> = s.tags.iter().map(|t| self.tag(t)).collect();
        let packed = match tags.iter().find(|t| t.name == "packed").cloned() {
            Some(tag) => self.packed_value(&tag).unwrap_or(self.schema.packed),
            None => self.schema.packed,
        };
        let (id, id_explicit) = match tags.iter().find(|t| t.name == "id") {
            Some(tag) => {
                match ids::parse_id(&tag.value) {
                    Some(id) => (id, true),
                    None => {
                        self.push(Diagnostic::new(
                        Code::InvalidId,
                        tag.span,
                        format!("`@id` takes a decimal number from 0 to 18446744073709551615, not `{}`", tag.value),
                    ));
                        (self.key.struct_id(&name.text), false)
                    }
                }
            }
            None => (self.key.struct_id(&name.text), false),
        };
        if s.fields.is_empty() && s.skipped_items == 0 {
            self.push(Diagnostic::new(
                Code::Empty,
                name.span,
                format!(
                    "struct `{}` has no fields; it needs at least one",
                    name.text
                ),
            ));
        }
        if s.r_brace.is_none() {
            self.unclosed(s.span.end, s.l_brace, "struct", &name.text);
        }

        let mut fields = Vec::with_capacity(s.fields.len());
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for field in &s.fields {
            if let Some(first) = seen.get(field.name.text.as_str()) {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateField,
                        field.name.span,
                        format!(
                            "struct `{}` already has a field named `{}`",
                            name.text, field.name.text
                        ),
                    )
                    .with_related(*first, "first declared here"),
                );
            } else {
                seen.insert(field.name.text.as_str(), field.name.span);
            }
            fields.push(self.field(field, s, name, class));
        }

        // A skipped field would shift every offset after it: no layout rather than a wrong one.
        let size = class
            .filter(|_| s.skipped_items == 0)
            .and_then(|class| self.struct_layout(name, class, packed, &mut fields));
        if let (Some(size), Some(Class::Inline), false) = (&size, class, packed) {
            let class_end = s.class.as_ref().map_or(name.span.end, |c| c.span.end);
            self.push(
                Diagnostic::new(
                    Code::Padding,
                    name.span,
                    format!(
                        "`{}` is not packed: {} padding bytes follow its {} bytes of content (total {}); padding can carry stale memory to readers",
                        name.text, size.padding, size.content, size.total
                    ),
                )
                .with_fix("Add `@packed(true)` (this changes the layout)", Span::empty(class_end), " @packed(true)"),
            );
        }
        if let Some(size) = &size {
            self.schema.largest = self.schema.largest.max(size.total);
        }

        let index = self.schema.structs.len();
        self.declare(name, DeclRef::Struct(index));
        let docs = self.docs_before(s.span.start);
        self.schema.structs.push(Struct {
            name: name.text.clone(),
            name_span: name.span,
            span: s.span,
            class,
            packed,
            id,
            id_explicit,
            tags,
            fields,
            size,
            docs,
        });
        self.schema.order.push(DeclRef::Struct(index));
    }

    /// Computes the offsets and sizes of `fields`; `None` (and no field layouts) when any
    /// field's type is unknown or the struct does not fit in 32 bits.
    fn struct_layout(
        &mut self,
        name: &Word,
        class: Class,
        packed: bool,
        fields: &mut [Field],
    ) -> Option<StructSize> {
        let mut content = layout::content_start(class);
        let mut content_wide = u64::from(content);
        let mut layouts = Vec::with_capacity(fields.len());
        for field in fields.iter() {
            let element = self.element_size(field)?;
            let sizes = layout::field_sizes(element, field.model, field.length, packed);
            layouts.push(FieldLayout {
                offset: content,
                minimum: sizes.minimum,
                field: sizes.field,
                allocation: sizes.allocation,
            });
            content = content.wrapping_add(sizes.field);
            content_wide += sizes.field_wide;
        }
        let size = layout::struct_size(class, packed, content);
        let total_wide = content_wide + u64::from(size.padding);
        if total_wide > u64::from(u32::MAX) {
            self.push(Diagnostic::new(
                Code::SizeOverflow,
                name.span,
                format!(
                    "struct `{}` is {total_wide} bytes; the format's limit is 4294967295 bytes (2^32 − 1)",
                    name.text
                ),
            ));
            return None;
        }
        for (field, layout) in fields.iter_mut().zip(layouts) {
            field.layout = Some(layout);
        }
        Some(size)
    }

    /// The size class of a field's element, when it is known and valid.
    fn element_size(&self, field: &Field) -> Option<ElementSize> {
        field.format?;
        match field.target? {
            TypeTarget::Primitive(p) => Some(ElementSize::Scalar(p.size())),
            TypeTarget::Enum(i) => self.schema.enums[i]
                .base
                .map(|b| ElementSize::Scalar(b.size())),
            TypeTarget::Struct(i) => {
                let target = &self.schema.structs[i];
                let size = target.size.as_ref()?;
                match target.class? {
                    Class::Inline => Some(ElementSize::Inline { total: size.total }),
                    Class::Table => Some(ElementSize::Table {
                        minimum: size.minimum,
                        total: size.total,
                    }),
                }
            }
        }
    }

    fn field(
        &mut self,
        f: &ast::Field,
        s: &ast::StructDecl,
        struct_name: &Word,
        class: Option<Class>,
    ) -> Field {
        self.check_name(&f.name, NameKind::Field);
        self.check_one_line(f.span, "a field");
        let tags: Vec<TagInfo> = f.tags.iter().map(|t| self.tag(t)).collect();
        if f.semi.is_none() {
            self.missing(f.span.end, "`;` after the field", Some(";"));
        }
        let docs = self.docs_before(f.span.start);
        let Some(ty) = &f.ty else {
            self.missing(
                f.name.span.end,
                &format!("type of field `{}`", f.name.text),
                None,
            );
            return Field {
                name: f.name.text.clone(),
                name_span: f.name.span,
                span: f.span,
                type_text: String::new(),
                type_span: Span::empty(f.name.span.end),
                base: String::new(),
                base_span: Span::empty(f.name.span.end),
                model: TypeModel::Single,
                length: 1,
                target: None,
                format: None,
                layout: None,
                tags,
                docs,
            };
        };
        self.check_gap(
            f.name.span,
            ty.span,
            "a space is needed between the field name and its type",
        );
        let base = ty.element_text();
        let base_span = ty.element_span();
        let mut valid = true;
        let (model, length, prefix) = match &ty.array {
            None => (TypeModel::Single, 1, String::new()),
            Some(array) => {
                let digits = array.length_text();
                let limited = array.limited.is_some();
                let prefix = format!("[{}{}]", if limited { "<" } else { "" }, digits);
                let span = array.l_bracket.cover(array.r_bracket);
                match (limited, digits.is_empty()) {
                    (false, true) => (TypeModel::Slice, 0, prefix),
                    (true, true) => {
                        self.push(Diagnostic::new(
                            Code::InvalidLength,
                            span,
                            "a limited slice needs its limit: `[<N]T` (or `[]T` for no limit)",
                        ));
                        valid = false;
                        (TypeModel::SliceLimited, 0, prefix)
                    }
                    (_, false) => {
                        let model = if limited {
                            TypeModel::SliceLimited
                        } else {
                            TypeModel::Array
                        };
                        match ids::parse_decimal(&digits, u64::from(u32::MAX)) {
                            Some(n) => (model, n as u32, prefix),
                            None => {
                                self.push(Diagnostic::new(
                                    Code::InvalidLength,
                                    span,
                                    format!("{digits} is too large: lengths and limits go up to 4294967295"),
                                ));
                                valid = false;
                                (model, 0, prefix)
                            }
                        }
                    }
                }
            }
        };
        let type_text = format!("{prefix}{base}");
        if self.slice(ty.span).contains(chars::is_blank) {
            self.spaced_type(ty.span, &type_text);
        }

        let target = self.resolve(&base, base_span, struct_name, s);
        let mut format = None;
        if let Some(target) = target {
            let (is_enum_or_table, what) = match target {
                TypeTarget::Primitive(_) => (false, ""),
                TypeTarget::Enum(_) => (true, "enum"),
                TypeTarget::Struct(i) => {
                    (self.schema.structs[i].class == Some(Class::Table), "table")
                }
            };
            if is_enum_or_table && model != TypeModel::Single {
                self.push(Diagnostic::new(
                    Code::ArrayOfEnumOrTable,
                    ty.span,
                    format!(
                        "{what} `{base}` cannot be the element of an array or slice; wrap it in an inline struct (`struct {base}Item inline {{ Value {base}; }}`)"
                    ),
                ));
                valid = false;
            }
            format = valid.then(|| match target {
                TypeTarget::Primitive(_) => Format::Primitive,
                TypeTarget::Enum(_) => Format::Enum,
                TypeTarget::Struct(i) => match self.schema.structs[i].class {
                    Some(Class::Table) => Format::Table,
                    _ => Format::Struct,
                },
            });
        }
        self.field_warnings(f, &base, base_span, model, length, ty.span, class);
        Field {
            name: f.name.text.clone(),
            name_span: f.name.span,
            span: f.span,
            type_text,
            type_span: ty.span,
            base,
            base_span,
            model,
            length,
            target,
            format,
            layout: None,
            tags,
            docs,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn field_warnings(
        &mut self,
        f: &ast::Field,
        base: &str,
        base_span: Span,
        model: TypeModel,
        length: u32,
        type_span: Span,
        class: Option<Class>,
    ) {
        if base == "char" && matches!(model, TypeModel::Single | TypeModel::Array) {
            self.push(
                Diagnostic::new(
                    Code::CharOutsideSlice,
                    base_span,
                    "`char` outside a slice: upstream's generators emit broken code for it; use `[]char` or `[<N]char` for text and `uint8` for a byte",
                )
                .with_fix("Use `uint8`", base_span, "uint8"),
            );
        }
        if length == 0 && matches!(model, TypeModel::Array | TypeModel::SliceLimited) {
            self.push(Diagnostic::new(
                Code::ZeroLength,
                type_span,
                format!("field `{}` can hold no data: its length is 0", f.name.text),
            ));
        }
        if model == TypeModel::Slice && class == Some(Class::Table) {
            self.push(Diagnostic::new(
                Code::UnboundedSlice,
                type_span,
                format!(
                    "`{}` has no limit: a message from an untrusted source can make readers allocate without bound; consider `[<N]{base}`",
                    f.name.text
                ),
            ));
        }
    }

    fn spaced_type(&mut self, span: Span, compact: &str) {
        self.push(
            Diagnostic::new(
                Code::SpacedType,
                span,
                format!("spaces inside a type are ignored: this reads as `{compact}`"),
            )
            .with_fix(format!("Write `{compact}`"), span, compact.to_string()),
        );
    }

    /// Resolves a field's element: a primitive, else an earlier declaration.
    fn resolve(
        &mut self,
        base: &str,
        span: Span,
        struct_name: &Word,
        s: &ast::StructDecl,
    ) -> Option<TypeTarget> {
        if let Some(p) = Primitive::from_name(base) {
            return Some(TypeTarget::Primitive(p));
        }
        if let Some(decl) = self.names.get(base) {
            return Some(match decl {
                DeclRef::Enum(i) => TypeTarget::Enum(*i),
                DeclRef::Struct(i) => TypeTarget::Struct(*i),
            });
        }
        if base == struct_name.text {
            self.push(Diagnostic::new(
                Code::UnknownType,
                span,
                format!("struct `{base}` cannot contain itself; a struct can only use types declared before it"),
            ));
            return None;
        }
        if let Some(&(name_span, decl_span)) = self.declared.get(base) {
            if name_span.start > span.start {
                let diagnostic = Diagnostic::new(
                    Code::UnknownType,
                    span,
                    format!("`{base}` is declared after this struct; a type must be declared before it is used"),
                )
                .with_related(name_span, format!("`{base}` is declared here"));
                let moved = self.move_above(decl_span, s.span);
                self.push(
                    diagnostic.with_fix_edits(
                        format!("Move `{base}` above `{}`", struct_name.text),
                        moved,
                    ),
                );
                return None;
            }
        }
        let mut diagnostic = Diagnostic::new(
            Code::UnknownType,
            span,
            format!(
                "unknown type `{base}`: not a primitive and not an enum or struct declared above"
            ),
        );
        if base == "string" && !self.text[..span.start].ends_with(']') {
            diagnostic = diagnostic.with_fix("Use `[]char` (Karmem's string)", span, "[]char");
        } else if let Some(suggestion) = self.closest_type(base) {
            diagnostic = diagnostic.with_fix(format!("Change to `{suggestion}`"), span, suggestion);
        }
        self.push(diagnostic);
        None
    }

    /// Edits that move the declaration at `decl` (and its line break) to just before `before`.
    fn move_above(&self, decl: Span, before: Span) -> Vec<TextEdit> {
        let rest = &self.text[decl.end..];
        let trailing = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let mut end = decl.end + trailing;
        if self.text[end..].starts_with("\r\n") {
            end += 2;
        } else if self.text[end..].starts_with('\n') {
            end += 1;
        }
        vec![
            TextEdit {
                span: Span::empty(before.start),
                new_text: format!("{}\n\n", self.slice(decl)),
            },
            TextEdit {
                span: Span::new(decl.start, end),
                new_text: String::new(),
            },
        ]
    }

    /// The primitive or earlier declaration whose name is closest to `name` (typo fixes).
    fn closest_type(&self, name: &str) -> Option<String> {
        let candidates = Primitive::ALL
            .iter()
            .map(|p| p.name().to_string())
            .chain(self.names.keys().cloned());
        candidates
            .map(|c| (edit_distance(name, &c), c))
            .filter(|(d, c)| *d <= 2 && *d < c.chars().count())
            .min()
            .map(|(_, c)| c)
    }

    // ---- whole file -----------------------------------------------------------------

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

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(current + 1);
            previous = current;
        }
    }
    row[b.len()]
}
