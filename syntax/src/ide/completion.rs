//! Completion: what may be written at the cursor, decided from the tokens around it (the
//! tree of a half-written line is not worth much) and offered from the model.
//!
//! Contexts: the start of a declaration (keywords and snippets), a struct's class, an
//! enum's base, a field's type (primitives and the enums and structs declared before the
//! struct; inside `[..]` no enums and no tables), and a tag after `@` (the tags meaningful
//! at that place). Names being declared get no proposals.

use super::hover::bytes;
use super::locate;
use super::symbols::struct_detail;
use super::tags::{TagPlace, KNOWN_TAGS};
use super::{CompletionItem, CompletionKind};
use crate::lexer::{Token, TokenKind};
use crate::model::{Class, DeclRef, Primitive};
use crate::{Analysis, Span};

/// The block the cursor is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    /// Outside any `{ … }`.
    None,
    /// Inside an enum's braces.
    Enum,
    /// Inside the braces of the struct whose `struct` keyword starts at this offset.
    Struct(usize),
    /// Inside braces of something unreadable.
    Other,
}

/// Where the cursor is, in terms of tokens.
struct Context<'a> {
    /// The word being typed, when the cursor is in or right after one.
    current: Option<Token>,
    block: Block,
    /// The significant tokens of the current item before the word being typed: since the
    /// start of the line, the last `{`, `}` or `;`, whichever is last.
    item: Vec<Token>,
    /// Tag names already written in the current item (excluding the one being typed).
    written_tags: Vec<&'a str>,
}

fn is_name(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Ident | TokenKind::KwKarmem | TokenKind::KwInline | TokenKind::KwTable
    )
}

/// The token the cursor is in or right after (`start < offset <= end`).
fn current_token(tokens: &[Token], offset: usize) -> Option<Token> {
    let index = tokens.partition_point(|t| t.span.end < offset);
    tokens
        .get(index)
        .filter(|t| t.span.start < offset && offset <= t.span.end)
        .copied()
}

/// The span completions replace: the part of the word being typed before `offset` (for a
/// tag, the part after its `@`). Labels and insert texts of [`completions`] replace exactly
/// this span, so a client can use it as the range of each item's text edit.
pub fn completion_span(analysis: &Analysis, offset: usize) -> Span {
    let text = &analysis.text;
    if offset > text.len() || !text.is_char_boundary(offset) {
        // Not a position between characters: an empty span at the character's start.
        let mut at = offset.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        return Span::empty(at);
    }
    match current_token(&analysis.tokens, offset) {
        Some(t) if t.kind == TokenKind::TagName => Span::new(t.span.start + 1, offset),
        Some(t) if is_name(t.kind) || matches!(t.kind, TokenKind::KwEnum | TokenKind::KwStruct) => {
            Span::new(t.span.start, offset)
        }
        _ => Span::empty(offset),
    }
}

fn context<'a>(analysis: &'a Analysis, offset: usize) -> Option<Context<'a>> {
    let text = &analysis.text;
    if offset > text.len() || !text.is_char_boundary(offset) {
        return None;
    }
    let tokens = &analysis.tokens;
    let current = current_token(tokens, offset);
    let word_start = match current {
        Some(t) if t.kind.is_comment() => return None,
        Some(t) if matches!(t.kind, TokenKind::Quoted | TokenKind::UnterminatedQuoted) => {
            return None
        }
        Some(t) if t.kind == TokenKind::Number && t.span.end > offset => return None,
        Some(t) if locate::is_word(t.kind) => t.span.start,
        _ => offset,
    };
    let current = current.filter(|t| t.span.start == word_start && locate::is_word(t.kind));

    let mut block = Block::None;
    let mut pending: Option<Block> = None;
    let mut at_line_start = true;
    let mut item: Vec<Token> = Vec::new();
    for token in tokens.iter().take_while(|t| t.span.end <= word_start) {
        match token.kind {
            TokenKind::Newline | TokenKind::OtherSpace => {
                at_line_start = true;
                item.clear();
                continue;
            }
            kind if kind.is_trivia() => continue,
            TokenKind::KwEnum | TokenKind::KwStruct if at_line_start || block == Block::None => {
                // A declaration keyword starting a line ends an unclosed block (the parser
                // reads it the same way).
                block = Block::None;
                pending = Some(if token.kind == TokenKind::KwEnum {
                    Block::Enum
                } else {
                    Block::Struct(token.span.start)
                });
                item.clear();
                item.push(*token);
            }
            TokenKind::LBrace => {
                block = pending.take().unwrap_or(Block::Other);
                item.clear();
            }
            TokenKind::RBrace => {
                block = Block::None;
                pending = None;
                item.clear();
            }
            TokenKind::Semi => {
                if block == Block::None {
                    pending = None;
                }
                item.clear();
            }
            _ => item.push(*token),
        }
        at_line_start = false;
    }
    let written_tags = item
        .iter()
        .filter(|t| t.kind == TokenKind::TagName)
        .map(|t| locate::slice(text, Span::new(t.span.start + 1, t.span.end)))
        .collect();
    Some(Context {
        current,
        block,
        item,
        written_tags,
    })
}

/// Proposals at `offset`: keywords where a declaration may start, primitive types and the
/// declared types valid there (declared earlier; no enums or tables inside arrays and
/// slices), known tags after `@` (with snippets).
///
/// Insert texts replace [`completion_span`] (for tags: the text after the `@`).
pub fn completions(analysis: &Analysis, offset: usize) -> Vec<CompletionItem> {
    let Some(cx) = context(analysis, offset) else {
        return Vec::new();
    };
    let kinds: Vec<TokenKind> = cx.item.iter().map(|t| t.kind).collect();
    if cx.current.is_some_and(|t| t.kind == TokenKind::TagName) {
        let place = match (cx.block, kinds.first()) {
            (Block::None, Some(TokenKind::KwKarmem)) => TagPlace::Header,
            (Block::None, Some(TokenKind::KwStruct)) => TagPlace::Struct,
            _ => return Vec::new(),
        };
        return tag_items(place, &cx.written_tags);
    }
    if cx.current.is_some_and(|t| t.kind == TokenKind::Number) {
        return Vec::new();
    }
    match cx.block {
        Block::Struct(start) => match kinds.as_slice() {
            [name] if is_name(*name) => type_items(analysis, start, false),
            [name, TokenKind::LBracket, .., TokenKind::RBracket] if is_name(*name) => {
                type_items(analysis, start, true)
            }
            _ => Vec::new(),
        },
        Block::Enum | Block::Other => Vec::new(),
        Block::None => match kinds.as_slice() {
            [] => declaration_items(analysis, offset),
            [TokenKind::KwStruct, name] if is_name(*name) => class_items(),
            [TokenKind::KwEnum, name] if is_name(*name) => base_items(),
            _ => Vec::new(),
        },
    }
}

fn item(label: &str, kind: CompletionKind, detail: Option<String>) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind,
        detail,
        documentation: None,
        insert_text: None,
        is_snippet: false,
    }
}

fn snippet(label: &str, body: &str, documentation: &str) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: CompletionKind::Snippet,
        detail: None,
        documentation: Some(documentation.to_string()),
        insert_text: Some(body.to_string()),
        is_snippet: true,
    }
}

fn declaration_items(analysis: &Analysis, offset: usize) -> Vec<CompletionItem> {
    let mut items = Vec::new();
    let before_any_decl = analysis
        .file
        .decls
        .first()
        .is_none_or(|d| offset <= d.span().start);
    if analysis.file.header.is_none() && before_any_decl {
        items.push(item(
            "karmem",
            CompletionKind::Keyword,
            Some("the header".to_string()),
        ));
        items.push(snippet(
            "karmem name;",
            "karmem ${1:name};",
            "The header every schema starts with: `karmem`, one space, the module name (letters only).",
        ));
    }
    items.push(item(
        "enum",
        CompletionKind::Keyword,
        Some("an enum declaration".to_string()),
    ));
    items.push(item(
        "struct",
        CompletionKind::Keyword,
        Some("a struct declaration".to_string()),
    ));
    items.push(snippet(
        "enum Name uint8 { … }",
        "enum ${1:Name} ${2:uint8} {\n    ${3:None};\n}",
        "An enum: an integer base type and named values; one value must be 0 (an omitted value is the value's position).",
    ));
    items.push(snippet(
        "struct Name inline { … }",
        "struct ${1:Name} inline {\n    ${2:Field} ${3:uint32};\n}",
        "An inline struct: fields stored in place wherever it is used; it can never change.",
    ));
    items.push(snippet(
        "struct Name table { … }",
        "struct ${1:Name} table {\n    ${2:Field} ${3:uint32};\n}",
        "A table: a size header and the fields, referenced by offset; it can grow by appending fields.",
    ));
    items
}

fn class_items() -> Vec<CompletionItem> {
    vec![
        item(
            "inline",
            CompletionKind::Keyword,
            Some("fields stored in place; no header; can never change".to_string()),
        ),
        item(
            "table",
            CompletionKind::Keyword,
            Some(
                "4-byte size header; referenced by offset; can grow by appending fields"
                    .to_string(),
            ),
        ),
    ]
}

fn primitive_item(p: Primitive) -> CompletionItem {
    item(p.name(), CompletionKind::Primitive, Some(bytes(p.size())))
}

fn base_items() -> Vec<CompletionItem> {
    Primitive::ALL
        .iter()
        .copied()
        .filter(|p| p.is_enum_base())
        .map(primitive_item)
        .collect()
}

/// Primitives and the types declared before the struct starting at `struct_start`; in an
/// array or slice (`in_array`) no enums and no tables.
fn type_items(analysis: &Analysis, struct_start: usize, in_array: bool) -> Vec<CompletionItem> {
    let schema = &analysis.schema;
    let mut items: Vec<CompletionItem> =
        Primitive::ALL.iter().copied().map(primitive_item).collect();
    let mut seen = std::collections::HashSet::new();
    for decl in &schema.order {
        let (name, span) = match *decl {
            DeclRef::Enum(i) => (&schema.enums[i].name, schema.enums[i].span),
            DeclRef::Struct(i) => (&schema.structs[i].name, schema.structs[i].span),
        };
        if span.start >= struct_start || name.is_empty() || !seen.insert(name.as_str()) {
            continue;
        }
        match *decl {
            DeclRef::Enum(i) => {
                if in_array {
                    continue;
                }
                let e = &schema.enums[i];
                items.push(CompletionItem {
                    label: e.name.clone(),
                    kind: CompletionKind::Enum,
                    detail: Some(format!("enum {}", e.base_text)),
                    documentation: e.docs.clone(),
                    insert_text: None,
                    is_snippet: false,
                });
            }
            DeclRef::Struct(i) => {
                let s = &schema.structs[i];
                if in_array && s.class == Some(Class::Table) {
                    continue;
                }
                items.push(CompletionItem {
                    label: s.name.clone(),
                    kind: CompletionKind::Struct,
                    detail: Some(struct_detail(s)),
                    documentation: s.docs.clone(),
                    insert_text: None,
                    is_snippet: false,
                });
            }
        }
    }
    items
}

fn tag_items(place: TagPlace, written: &[&str]) -> Vec<CompletionItem> {
    KNOWN_TAGS
        .iter()
        .filter(|t| t.places.contains(&place) && !written.contains(&t.name))
        .map(|t| CompletionItem {
            label: t.name.to_string(),
            kind: CompletionKind::Tag,
            detail: Some(format!("@{}", t.snippet_plain())),
            documentation: Some(t.summary.to_string()),
            insert_text: Some(t.snippet.to_string()),
            is_snippet: true,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::fixture;
    use super::*;

    fn labels(text: &str) -> Vec<String> {
        let (analysis, offset) = fixture(text);
        completions(&analysis, offset)
            .into_iter()
            .map(|c| c.label)
            .collect()
    }

    const PRIMITIVES: [&str; 13] = [
        "bool", "byte", "char", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32",
        "int64", "float32", "float64",
    ];

    const TYPES: &str = "karmem demo;\nenum E uint8 { Z; }\nstruct T table { X uint8; }\nstruct I inline { X uint8; }\nstruct A inline {\n    F $0\n}\nstruct Later inline { X uint8; }\n";

    #[test]
    fn declarations_at_the_start_of_a_line() {
        let expected = [
            "enum",
            "struct",
            "enum Name uint8 { … }",
            "struct Name inline { … }",
            "struct Name table { … }",
        ];
        assert_eq!(labels("karmem demo;\n$0"), expected);
        assert_eq!(
            labels("karmem demo;\nstruct A inline { X uint8; }\nst$0"),
            expected
        );
        assert_eq!(
            labels("karmem demo;\nstruct A inline { X uint8; }\n$0\nenum E uint8 { Z; }\n"),
            expected
        );
        // Without a header, the header first.
        let mut with_header = vec!["karmem", "karmem name;"];
        with_header.extend(expected);
        assert_eq!(labels("$0"), with_header);
        let (analysis, offset) = fixture("karmem demo;\n$0");
        let table = completions(&analysis, offset).pop().unwrap();
        assert_eq!(table.kind, CompletionKind::Snippet);
        assert!(table.is_snippet);
        assert_eq!(
            table.insert_text.as_deref(),
            Some("struct ${1:Name} table {\n    ${2:Field} ${3:uint32};\n}")
        );
    }

    #[test]
    fn class_after_a_struct_name_and_base_after_an_enum_name() {
        assert_eq!(labels("karmem demo;\nstruct A $0"), ["inline", "table"]);
        assert_eq!(labels("karmem demo;\nstruct A ta$0 {"), ["inline", "table"]);
        assert_eq!(
            labels("karmem demo;\nenum E $0"),
            ["uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64"]
        );
        // While the name itself is typed, nothing.
        assert!(labels("karmem demo;\nstruct A$0").is_empty());
        assert!(labels("karmem demo;\nstruct $0").is_empty());
    }

    #[test]
    fn field_types_are_primitives_and_earlier_declarations() {
        let mut expected: Vec<&str> = PRIMITIVES.to_vec();
        expected.extend(["E", "T", "I"]);
        assert_eq!(labels(TYPES), expected);
        assert_eq!(labels(&TYPES.replace("F $0", "F Ui$0")), expected);
        // On the same line as the head, and after another field.
        assert_eq!(
            labels("karmem demo;\nenum E uint8 { Z; }\nstruct A inline { X uint8; Y $0"),
            [PRIMITIVES.as_slice(), &["E"]].concat()
        );
        let (analysis, offset) = fixture(TYPES);
        let items = completions(&analysis, offset);
        let t = items.iter().find(|c| c.label == "T").unwrap();
        assert_eq!(
            (t.kind, t.detail.as_deref()),
            (CompletionKind::Struct, Some("table · 5 bytes"))
        );
        let e = items.iter().find(|c| c.label == "E").unwrap();
        assert_eq!(
            (e.kind, e.detail.as_deref()),
            (CompletionKind::Enum, Some("enum uint8"))
        );
        let u = items.iter().find(|c| c.label == "uint16").unwrap();
        assert_eq!(
            (u.kind, u.detail.as_deref()),
            (CompletionKind::Primitive, Some("2 bytes"))
        );
    }

    #[test]
    fn no_enums_and_no_tables_inside_arrays() {
        let expected: Vec<&str> = [PRIMITIVES.as_slice(), &["I"]].concat();
        for array in ["[4]", "[]", "[<16]"] {
            assert_eq!(
                labels(&TYPES.replace("F $0", &format!("F {array}$0"))),
                expected
            );
            assert_eq!(
                labels(&TYPES.replace("F $0", &format!("F {array}I$0"))),
                expected
            );
        }
        // Inside the brackets: a number, nothing to propose.
        assert!(labels(&TYPES.replace("F $0", "F [<$0")).is_empty());
        assert!(labels(&TYPES.replace("F $0", "F [1$0]")).is_empty());
    }

    #[test]
    fn nothing_where_a_name_is_declared() {
        assert!(labels(&TYPES.replace("F $0", "$0")).is_empty());
        assert!(labels(&TYPES.replace("F $0", "F uint8 $0")).is_empty());
        assert!(labels("karmem demo;\nenum E uint8 { A; $0 }").is_empty());
        assert!(labels("karmem demo;\nenum E uint8 { A $0 }").is_empty());
        assert!(labels("karmem demo;\n// a comment $0\n").is_empty());
        assert!(labels("karmem demo @x(`a $0`);\n").is_empty());
    }

    #[test]
    fn tags_valid_at_each_place() {
        let header = [
            "packed",
            "key",
            "golang.package",
            "golang.import",
            "c.import",
            "zig.import",
            "assemblyscript.import",
            "swift.import",
            "odin.package",
            "odin.import",
            "dotnet.package",
            "dotnet.import",
        ];
        assert_eq!(labels("karmem demo @$0;"), header);
        assert_eq!(labels("karmem demo @gol$0"), header);
        // A tag already written is not offered again.
        assert_eq!(labels("karmem demo @packed() @$0;"), header[1..]);
        assert_eq!(
            labels("karmem demo;\nstruct A inline @$0 { X uint8; }"),
            ["packed", "id"]
        );
        assert_eq!(
            labels("karmem demo;\nstruct A inline @id(1) @$0 { X uint8; }"),
            ["packed"]
        );
        // Fields and enums have no known tags.
        assert!(labels("karmem demo;\nstruct A inline { X uint8 @$0; }").is_empty());
        assert!(labels("karmem demo;\nenum E uint8 @$0 { Z; }").is_empty());
        let (analysis, offset) = fixture("karmem demo;\nstruct A inline @$0 { X uint8; }");
        let packed = &completions(&analysis, offset)[0];
        assert_eq!(packed.kind, CompletionKind::Tag);
        assert_eq!(packed.insert_text.as_deref(), Some("packed(${1:true})"));
        assert_eq!(packed.detail.as_deref(), Some("@packed(true)"));
        assert!(packed.is_snippet);
    }

    #[test]
    fn completion_span_is_the_word_before_the_cursor() {
        let (analysis, offset) = fixture("karmem demo @golang.pa$0;");
        let span = completion_span(&analysis, offset);
        assert_eq!(&analysis.text[span.range()], "golang.pa");
        let (analysis, offset) = fixture(&TYPES.replace("F $0", "F Ui$0nt"));
        let span = completion_span(&analysis, offset);
        assert_eq!(&analysis.text[span.range()], "Ui");
        let (analysis, offset) = fixture(TYPES);
        assert_eq!(completion_span(&analysis, offset), Span::empty(offset));
        // Never a span inside a character or past the end.
        let analysis = super::super::tests::analysis("karmem é;");
        assert_eq!(completion_span(&analysis, 8), Span::empty(7));
        assert_eq!(completion_span(&analysis, 9), Span::new(7, 9));
        assert_eq!(
            completion_span(&analysis, 99),
            Span::empty(analysis.text.len())
        );
        assert!(completions(&analysis, 8).is_empty());
    }
}
