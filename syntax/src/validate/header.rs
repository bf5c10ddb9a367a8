//! The header: `karmem name @tags;`.

use super::{NameKind, Validator};
use crate::ast::{Decl, SourceFile};
use crate::chars;
use crate::diagnostics::{Code, Diagnostic};
use crate::ids::IdKey;
use crate::model::*;
use crate::Span;

impl Validator<'_> {
    pub(super) fn header(&mut self, file: &SourceFile) {
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
}
