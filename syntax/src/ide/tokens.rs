//! Semantic tokens: every word classified by what the tree and the model say it is.
//!
//! Type references are coloured by what they name (a struct, an enum, a primitive), also
//! when the model could not resolve them (a type declared later still gets its colour, the
//! diagnostic says what is wrong). Comments come from the token list.

use super::locate::{self, ModelIndex};
use super::modifiers::{DECLARATION, DEFAULT_LIBRARY, DOCUMENTATION};
use super::{SemanticKind, SemanticToken};
use crate::ast::{Decl, Tag};
use crate::lexer::TokenKind;
use crate::model::{DeclRef, Primitive};
use crate::{Analysis, Span};

struct Collector<'a> {
    text: &'a str,
    out: Vec<SemanticToken>,
}

impl Collector<'_> {
    fn push(&mut self, span: Span, kind: SemanticKind, modifiers: u32) {
        if span.is_empty() || span.end > self.text.len() {
            return;
        }
        self.out.push(SemanticToken {
            span,
            kind,
            modifiers,
        });
    }

    fn tags(&mut self, tags: &[Tag]) {
        for tag in tags {
            // The `@name` token: from the `@` to the end of the name.
            self.push(
                Span::new(tag.span.start, tag.name.span.end),
                SemanticKind::Decorator,
                0,
            );
            if let Some(value) = &tag.value {
                for piece in &value.pieces {
                    self.push(piece.span, SemanticKind::String, 0);
                }
            }
        }
    }
}

/// Every classified token, sorted, non-overlapping, each on one line.
pub fn semantic_tokens(analysis: &Analysis) -> Vec<SemanticToken> {
    let schema = &analysis.schema;
    let index = ModelIndex::new(schema);
    let mut c = Collector {
        text: &analysis.text,
        out: Vec::new(),
    };
    for token in &analysis.tokens {
        match token.kind {
            TokenKind::DocComment => {
                c.push(token.span, SemanticKind::Comment, DOCUMENTATION);
            }
            TokenKind::LineComment => c.push(token.span, SemanticKind::Comment, 0),
            _ => {}
        }
    }
    if let Some(header) = &analysis.file.header {
        c.push(header.keyword, SemanticKind::Keyword, 0);
        if let Some(module) = &header.module {
            c.push(module.span, SemanticKind::Namespace, 0);
        }
        c.tags(&header.tags);
    }
    for decl in &analysis.file.decls {
        match decl {
            Decl::Error(span) => {
                // Keywords still read as keywords in text the parser skipped.
                let start = analysis
                    .tokens
                    .partition_point(|t| t.span.start < span.start);
                for token in analysis.tokens[start..]
                    .iter()
                    .take_while(|t| t.span.end <= span.end)
                {
                    if matches!(
                        token.kind,
                        TokenKind::KwKarmem | TokenKind::KwEnum | TokenKind::KwStruct
                    ) {
                        c.push(token.span, SemanticKind::Keyword, 0);
                    }
                }
            }
            Decl::Enum(e) => {
                c.push(e.keyword, SemanticKind::Keyword, 0);
                if let Some(name) = &e.name {
                    c.push(name.span, SemanticKind::Enum, DECLARATION);
                }
                let base: String = e.base.iter().map(|w| w.text.as_str()).collect();
                if Primitive::from_name(&base).is_some() {
                    for word in &e.base {
                        c.push(word.span, SemanticKind::Type, DEFAULT_LIBRARY);
                    }
                }
                c.tags(&e.tags);
                for value in &e.values {
                    c.push(value.name.span, SemanticKind::EnumMember, DECLARATION);
                    if let Some(number) = &value.value {
                        c.push(number.span, SemanticKind::Number, 0);
                    }
                }
            }
            Decl::Struct(s) => {
                c.push(s.keyword, SemanticKind::Keyword, 0);
                if let Some(name) = &s.name {
                    c.push(name.span, SemanticKind::Struct, DECLARATION);
                }
                if let Some(class) = s
                    .class
                    .as_ref()
                    .filter(|w| w.text == "inline" || w.text == "table")
                {
                    c.push(class.span, SemanticKind::Keyword, 0);
                }
                c.tags(&s.tags);
                for (i, field) in s.fields.iter().enumerate() {
                    c.push(field.name.span, SemanticKind::Property, DECLARATION);
                    if let Some(ty) = &field.ty {
                        if let Some(array) = &ty.array {
                            for word in &array.length {
                                c.push(word.span, SemanticKind::Number, 0);
                            }
                        }
                        let class = match locate::resolve_field_type(schema, &index, s, i) {
                            Some(DeclRef::Enum(_)) => Some((SemanticKind::Enum, 0)),
                            Some(DeclRef::Struct(_)) => Some((SemanticKind::Struct, 0)),
                            None if Primitive::from_name(&ty.element_text()).is_some() => {
                                Some((SemanticKind::Type, DEFAULT_LIBRARY))
                            }
                            None => None,
                        };
                        if let Some((kind, modifiers)) = class {
                            for word in &ty.element {
                                c.push(word.span, kind, modifiers);
                            }
                        }
                    }
                    c.tags(&field.tags);
                }
            }
        }
    }
    finish(&analysis.text, c.out)
}

/// Sorts, drops overlaps (the first token wins) and splits any token at line breaks.
fn finish(text: &str, mut tokens: Vec<SemanticToken>) -> Vec<SemanticToken> {
    tokens.sort_by_key(|t| (t.span.start, t.span.end));
    let mut out: Vec<SemanticToken> = Vec::with_capacity(tokens.len());
    let mut end = 0;
    for token in tokens {
        if token.span.start < end {
            continue;
        }
        end = token.span.end;
        let piece = locate::slice(text, token.span);
        let mut start = token.span.start;
        for line in piece.split_inclusive('\n') {
            let content = line.strip_suffix('\n').unwrap_or(line);
            if !content.is_empty() {
                out.push(SemanticToken {
                    span: Span::new(start, start + content.len()),
                    ..token
                });
            }
            start += line.len();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::{analysis, GAME};
    use super::*;

    /// (text, kind, modifiers) of every token.
    fn classified(text: &str) -> Vec<(String, SemanticKind, u32)> {
        let analysis = analysis(text);
        semantic_tokens(&analysis)
            .into_iter()
            .map(|t| (text[t.span.range()].to_string(), t.kind, t.modifiers))
            .collect()
    }

    fn t(text: &str, kind: SemanticKind, modifiers: u32) -> (String, SemanticKind, u32) {
        (text.to_string(), kind, modifiers)
    }

    #[test]
    fn every_kind_of_token() {
        use SemanticKind::*;
        let text = "karmem demo @packed(true);\n/// Doc.\nenum E uint8 { A; B = 1; }\n// plain\nstruct P inline { X float32; }\nstruct T table { Pos P; Kind E; Name [<16]char @x(`v`); }\n";
        assert_eq!(
            classified(text),
            [
                t("karmem", Keyword, 0),
                t("demo", Namespace, 0),
                t("@packed", Decorator, 0),
                t("true", String, 0),
                t("/// Doc.", Comment, DOCUMENTATION),
                t("enum", Keyword, 0),
                t("E", Enum, DECLARATION),
                t("uint8", Type, DEFAULT_LIBRARY),
                t("A", EnumMember, DECLARATION),
                t("B", EnumMember, DECLARATION),
                t("1", Number, 0),
                t("// plain", Comment, 0),
                t("struct", Keyword, 0),
                t("P", Struct, DECLARATION),
                t("inline", Keyword, 0),
                t("X", Property, DECLARATION),
                t("float32", Type, DEFAULT_LIBRARY),
                t("struct", Keyword, 0),
                t("T", Struct, DECLARATION),
                t("table", Keyword, 0),
                t("Pos", Property, DECLARATION),
                t("P", Struct, 0),
                t("Kind", Property, DECLARATION),
                t("E", Enum, 0),
                t("Name", Property, DECLARATION),
                t("16", Number, 0),
                t("char", Type, DEFAULT_LIBRARY),
                t("@x", Decorator, 0),
                t("`v`", String, 0),
            ]
        );
    }

    #[test]
    fn references_the_model_cannot_resolve_keep_their_colour() {
        use SemanticKind::*;
        let text = "karmem demo;\nstruct A inline { X B; Y Nope; }\nstruct B inline { Y uint8; }\n";
        let tokens = classified(text);
        assert!(tokens.contains(&t("B", Struct, 0)));
        assert!(!tokens.iter().any(|(word, _, _)| word == "Nope"));
    }

    #[test]
    fn sorted_disjoint_and_single_line() {
        let texts = [
            GAME.to_string(),
            GAME.replace("table", "tabel").replace(';', ""),
            "karmem a\r\n@x(`a\r\n` b)\nstruct\tS { X uint 8 @y(`\r`); }\n}}} enum enum struct"
                .to_string(),
        ];
        for text in &texts {
            let analysis = analysis(text);
            let tokens = semantic_tokens(&analysis);
            assert!(!tokens.is_empty());
            for pair in tokens.windows(2) {
                assert!(pair[0].span.end <= pair[1].span.start, "{pair:?}");
            }
            for token in &tokens {
                assert!(!token.span.is_empty());
                assert!(!text[token.span.range()].contains('\n'));
            }
        }
    }
}
