//! Parser: tokens → syntax tree, with error recovery (chumsky).
//!
//! The grammar is liberal (see [`crate::ast`]); it only fails on tokens that cannot start
//! or continue the construct at hand. Recovery is line-aware, because Karmem items are
//! one-liners:
//!
//! * a missing `;` or `}` is not a parse error: the item ends before the next token that
//!   starts a line (or before `}`), the node records the missing piece, and validation
//!   reports it with a fix;
//! * a field or enum value with unexpected tokens is skipped up to its `;` or the end of its
//!   line, whichever comes first;
//! * a declaration whose head cannot be read is skipped up to the next line that starts with
//!   `enum` or `struct`, and becomes a [`Decl::Error`] node.
//!
//! So every independent error is reported once and everything else is still parsed.
//! Nothing here recurses, so deep or long input cannot overflow the stack, and every
//! repetition consumes at least one token per round, so the parser is linear.

use chumsky::error::{EmptyErr, LabelError};
use chumsky::input::{Input as _, ValueInput};
use chumsky::prelude::*;

use crate::ast::*;
use crate::diagnostics::{Code, Diagnostic};
use crate::lexer::{Token, TokenKind};
use crate::Span;

/// The error type of the detailed parse: enough to write "expected `;`, found `=`".
type RichError<'t> = Rich<'t, TokenKind, SimpleSpan>;

/// What the parser produced: the tree and the syntax errors.
#[derive(Debug, Clone)]
pub struct ParseResult {
    pub file: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses the tokens of `text` (as produced by [`crate::lexer::lex`]).
pub fn parse(text: &str, tokens: &[Token]) -> ParseResult {
    let mut diagnostics = Vec::new();
    let mut input: Vec<(TokenKind, SimpleSpan)> = Vec::with_capacity(tokens.len() / 2);
    let mut line_starts: Vec<usize> = Vec::new();
    let mut at_line_start = true;
    for token in tokens {
        match token.kind {
            TokenKind::Newline | TokenKind::OtherSpace => at_line_start = true,
            TokenKind::Nul => diagnostics.push(
                Diagnostic::new(
                    Code::NulByte,
                    token.span,
                    "the file contains a NUL byte; the upstream toolchain silently ignores everything after it",
                )
                .with_fix("Remove the NUL byte", token.span, ""),
            ),
            kind if kind.is_trivia() => {}
            kind => {
                if at_line_start {
                    line_starts.push(token.span.start);
                    at_line_start = false;
                }
                input.push((kind, SimpleSpan::from(token.span.start..token.span.end)));
            }
        }
    }
    let eoi = SimpleSpan::from(text.len()..text.len());
    let stream = input.as_slice().map(eoi, |(t, s)| (t, s));
    let ctx = Ctx {
        text,
        line_starts: &line_starts,
    };
    // Fast path: a parse that records no error details (most analyses are of valid files,
    // and building detailed errors for every alternative tried is most of chumsky's cost).
    // Only when it fails is the file parsed again with detailed errors; both passes run
    // the same grammar and recovery, so the tree is the same.
    let (file, quick_errors) = file_parser::<_, EmptyErr>(ctx)
        .parse(stream)
        .into_output_errors();
    if quick_errors.is_empty() {
        return ParseResult {
            file: file.unwrap_or_default(),
            diagnostics,
        };
    }
    let (file, errors) = file_parser::<_, RichError>(ctx)
        .parse(stream)
        .into_output_errors();
    for error in errors {
        diagnostics.push(rich_to_diagnostic(text, tokens, &error));
    }
    ParseResult {
        file: file.unwrap_or_default(),
        diagnostics,
    }
}

/// What the grammar closures need from the outside.
#[derive(Clone, Copy)]
struct Ctx<'s> {
    text: &'s str,
    /// Byte offsets of the tokens that are the first non-trivia token on their line.
    line_starts: &'s [usize],
}

impl<'s> Ctx<'s> {
    fn word(&self, span: SimpleSpan) -> Word {
        Word {
            text: self.text[span.start..span.end].to_string(),
            span: span_of(span),
        }
    }

    fn starts_line(&self, span: SimpleSpan) -> bool {
        self.line_starts.binary_search(&span.start).is_ok()
    }
}

/// The error of a token a rule does not take (from `try_map`).
fn reject<'t, I, Er>(span: SimpleSpan) -> Er
where
    I: ValueInput<'t, Token = TokenKind, Span = SimpleSpan>,
    Er: LabelError<'t, I, &'static str>,
{
    Er::expected_found(std::iter::empty::<&'static str>(), None, span)
}

fn span_of(span: SimpleSpan) -> Span {
    Span::new(span.start, span.end)
}

fn file_parser<'t, 's: 't, I, Er>(
    ctx: Ctx<'s>,
) -> impl Parser<'t, I, SourceFile, extra::Err<Er>> + 't
where
    I: ValueInput<'t, Token = TokenKind, Span = SimpleSpan>,
    Er: chumsky::error::Error<'t, I> + LabelError<'t, I, &'static str> + 't,
{
    use TokenKind::*;

    let tok = |kind: TokenKind| just(kind).map_with(|_, e| span_of(e.span()));

    // Any name-like token: a name, or a keyword standing where a name belongs (validation
    // explains why a lower-case keyword is not a valid name).
    let name = move |allow_decl_keywords: bool| {
        any()
            .filter(move |k: &TokenKind| {
                matches!(k, Ident | KwKarmem | KwInline | KwTable)
                    || (allow_decl_keywords && matches!(k, KwEnum | KwStruct))
            })
            .map_with(move |_, e| ctx.word(e.span()))
            .labelled("a name")
    };
    let number = just(Number)
        .map_with(move |_, e| ctx.word(e.span()))
        .labelled("a number");

    // `@name(pieces)`
    let piece = any()
        .filter(|k: &TokenKind| {
            matches!(
                k,
                Ident
                    | Number
                    | Quoted
                    | UnterminatedQuoted
                    | KwKarmem
                    | KwEnum
                    | KwStruct
                    | KwInline
                    | KwTable
            )
        })
        .map_with(move |k: TokenKind, e| {
            let span: SimpleSpan = e.span();
            let raw = &ctx.text[span.start..span.end];
            let (text, quoted) = match k {
                Quoted => (raw[1..raw.len() - 1].to_string(), true),
                UnterminatedQuoted => (raw[1..].to_string(), true),
                _ => (raw.to_string(), false),
            };
            TagPiece {
                text,
                quoted,
                span: span_of(span),
            }
        });
    let tag_value = tok(LParen)
        .then(piece.repeated().collect::<Vec<_>>())
        .then(tok(RParen).or_not())
        .map(|((l_paren, pieces), r_paren)| TagValue {
            l_paren,
            pieces,
            r_paren,
        });
    let tag = just(TagName)
        .map_with(move |_, e| {
            let span: SimpleSpan = e.span();
            Word {
                text: ctx.text[span.start + 1..span.end].to_string(),
                span: Span::new(span.start + 1, span.end),
            }
        })
        .then(tag_value.or_not())
        .map_with(|(name, value), e| Tag {
            name,
            value,
            span: span_of(e.span()),
        })
        .labelled("a tag");
    let tags = tag.repeated().collect::<Vec<_>>();

    // The end of an item: its `;`, or nothing when the next token starts a new line, is a
    // `}` or the end of the file (the missing `;` is reported by validation).
    let item_end = move |terminator: TokenKind| {
        tok(terminator).map(Some).or(any()
            .filter(move |k: &TokenKind| *k == RBrace)
            .ignored()
            .or(any().try_map(move |_, span: SimpleSpan| {
                if ctx.starts_line(span) {
                    Ok(())
                } else {
                    Err(reject::<I, Er>(span))
                }
            }))
            .rewind()
            .or(end())
            .to(None))
    };

    // Skips the rest of a broken item: up to and including its `;`, or to the end of its
    // line, never past a `}`.
    let skip_item = move || {
        any()
            .try_map(move |k: TokenKind, span: SimpleSpan| {
                // Never swallow the start of the next declaration: an item cut short by a
                // missing `}` ends the block instead.
                if k == RBrace || (matches!(k, KwEnum | KwStruct) && ctx.starts_line(span)) {
                    Err(reject::<I, Er>(span))
                } else {
                    Ok(())
                }
            })
            .then(
                any()
                    .try_map(move |k: TokenKind, span: SimpleSpan| {
                        if k == RBrace || k == Semi || ctx.starts_line(span) {
                            Err(reject::<I, Er>(span))
                        } else {
                            Ok(())
                        }
                    })
                    .repeated(),
            )
            .then(just(Semi).or_not())
    };

    let header = tok(KwKarmem)
        .then(name(true).or_not())
        .then(tags)
        .then(item_end(Semi))
        .map_with(|(((keyword, module), tags), semi), e| Header {
            keyword,
            module,
            tags,
            semi,
            span: span_of(e.span()),
        });

    // Enum
    let enum_value = name(false)
        .then(tok(Eq).then(number.or_not()).or_not())
        .then(item_end(Semi))
        .map_with(|((name, eq_value), semi), e| {
            let (eq, value) = match eq_value {
                Some((eq, value)) => (Some(eq), value),
                None => (None, None),
            };
            EnumValue {
                name,
                eq,
                value,
                semi,
                span: span_of(e.span()),
            }
        })
        .map(Some)
        .recover_with(via_parser(skip_item().to(None)));
    // A type name: a name, possibly followed by more pieces when spaces were written
    // inside it (`uint 8`, accepted by upstream, warned about by validation).
    let type_name = move || {
        name(false)
            .then(
                any()
                    .try_map(move |k: TokenKind, span: SimpleSpan| {
                        // Never continue onto the next line: `X uint8⏎ Y uint16;` is a
                        // field missing its `;`, not the type `uint8Yuint16`.
                        if matches!(k, Ident | Number) && !ctx.starts_line(span) {
                            Ok(ctx.word(span))
                        } else {
                            Err(reject::<I, Er>(span))
                        }
                    })
                    .repeated()
                    .collect::<Vec<_>>(),
            )
            .map(|(first, mut rest)| {
                rest.insert(0, first);
                rest
            })
            .labelled("a type")
    };
    let enum_decl = tok(KwEnum)
        .then(name(false).or_not())
        .then(type_name().or_not())
        .then(tags)
        .then(tok(LBrace))
        .then(enum_value.repeated().collect::<Vec<_>>())
        .then(tok(RBrace).or_not())
        .map_with(
            |((((((keyword, name), base), tags), l_brace), values), r_brace), e| {
                Decl::Enum(EnumDecl {
                    keyword,
                    name,
                    base: base.unwrap_or_default(),
                    tags,
                    l_brace: Some(l_brace),
                    skipped_items: values.iter().filter(|v| v.is_none()).count(),
                    values: values.into_iter().flatten().collect(),
                    r_brace,
                    span: span_of(e.span()),
                })
            },
        );

    // Struct
    let array = tok(LBracket)
        .then(tok(Lt).or_not())
        .then(number.repeated().collect::<Vec<_>>())
        .then(tok(RBracket))
        .map(|(((l_bracket, limited), length), r_bracket)| ArraySpec {
            l_bracket,
            limited,
            length,
            r_bracket,
        });
    let ty = array
        .or_not()
        .then(type_name())
        .map_with(|(array, element), e| TypeExpr {
            array,
            element,
            span: span_of(e.span()),
        });
    let field = name(false)
        .then(ty.or_not())
        .then(tags)
        .then(item_end(Semi))
        .map_with(|(((name, ty), tags), semi), e| Field {
            name,
            ty,
            tags,
            semi,
            span: span_of(e.span()),
        })
        .map(Some)
        .recover_with(via_parser(skip_item().to(None)));
    let class = any()
        .filter(|k: &TokenKind| matches!(k, KwInline | KwTable | Ident))
        .map_with(move |_, e| ctx.word(e.span()));
    let struct_decl = tok(KwStruct)
        .then(name(false).or_not())
        .then(class.or_not())
        .then(tags)
        .then(tok(LBrace))
        .then(field.repeated().collect::<Vec<_>>())
        .then(tok(RBrace).or_not())
        .map_with(
            |((((((keyword, name), class), tags), l_brace), fields), r_brace), e| {
                Decl::Struct(StructDecl {
                    keyword,
                    name,
                    class,
                    tags,
                    l_brace: Some(l_brace),
                    skipped_items: fields.iter().filter(|f| f.is_none()).count(),
                    fields: fields.into_iter().flatten().collect(),
                    r_brace,
                    span: span_of(e.span()),
                })
            },
        );

    // A declaration that cannot be read is skipped up to the next line that starts with a
    // declaration keyword.
    let skip_decl = any()
        .then(
            any()
                .try_map(move |k: TokenKind, span: SimpleSpan| {
                    if matches!(k, KwEnum | KwStruct) && ctx.starts_line(span) {
                        Err(reject::<I, Er>(span))
                    } else {
                        Ok(())
                    }
                })
                .repeated(),
        )
        .map_with(|_, e| Decl::Error(span_of(e.span())));
    let decl = enum_decl
        .or(struct_decl)
        .labelled("`enum` or `struct`")
        .recover_with(via_parser(skip_decl));

    header
        .or_not()
        .then(decl.repeated().collect::<Vec<_>>())
        .then_ignore(end())
        .map(|(header, decls)| SourceFile { header, decls })
}

fn rich_to_diagnostic(
    text: &str,
    tokens: &[Token],
    error: &Rich<'_, TokenKind, SimpleSpan>,
) -> Diagnostic {
    let span = span_of(*error.span());
    // chumsky reports some failures (a custom rejection, an alternative that expected the
    // end of input) without the token found: describe what is really there.
    let found_kind = error.found().copied().or_else(|| {
        let index = tokens.partition_point(|t| t.span.start < span.start);
        tokens[index..]
            .iter()
            .find(|t| !t.kind.is_trivia())
            .map(|t| t.kind)
    });
    let span = match error.found() {
        None if span.start < text.len() => tokens
            .iter()
            .find(|t| t.span.start >= span.start && !t.kind.is_trivia())
            .map_or(span, |t| t.span),
        _ => span,
    };
    let found = match found_kind {
        Some(TokenKind::Unknown) => {
            let ch = &text[span.start..span.end];
            return Diagnostic::new(
                Code::UnexpectedChar,
                span,
                format!("unexpected character {}", describe_char(ch)),
            )
            .with_fix("Remove the character", span, "");
        }
        Some(kind) => describe_found(text, kind, span),
        None => "the end of the file".to_string(),
    };
    let mut expected: Vec<String> = error
        .expected()
        .filter_map(|pattern| match pattern {
            chumsky::error::RichPattern::Token(t) => Some(t.describe().to_string()),
            chumsky::error::RichPattern::Label(l) => Some(l.to_string()),
            chumsky::error::RichPattern::EndOfInput => Some("the end of the file".to_string()),
            _ => None,
        })
        .collect();
    expected.sort();
    expected.dedup();
    let message = match expected.len() {
        0 => format!("did not expect {found} here"),
        1 => format!("expected {}, found {found}", expected[0]),
        _ => {
            let last = expected.pop().unwrap_or_default();
            format!("expected {} or {last}, found {found}", expected.join(", "))
        }
    };
    Diagnostic::new(Code::Syntax, span, message)
}

fn describe_found(text: &str, kind: TokenKind, span: Span) -> String {
    let raw = &text[span.start..span.end];
    match kind {
        TokenKind::Ident | TokenKind::Number | TokenKind::TagName => {
            format!("{} `{}`", kind.describe(), raw)
        }
        _ => kind.describe().to_string(),
    }
}

/// `'-' (U+002D)`
pub(crate) fn describe_char(ch: &str) -> String {
    let code = ch.chars().next().map(|c| c as u32).unwrap_or(0);
    if ch.chars().all(|c| !c.is_control()) {
        format!("`{ch}` (U+{code:04X})")
    } else {
        format!("U+{code:04X}")
    }
}
