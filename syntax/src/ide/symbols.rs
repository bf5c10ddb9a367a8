//! The outline (document symbols), folding ranges, selection ranges and `struct_at`.

use super::hover::bytes;
use super::locate;
use super::{FoldingRange, Symbol, SymbolKind};
use crate::ast::Decl;
use crate::lexer::TokenKind;
use crate::model::{Class, Schema, Struct};
use crate::{Analysis, Span};

/// `table · 19 bytes`; the class alone when the layout is unknown.
pub(crate) fn struct_detail(s: &Struct) -> String {
    let class = s.class.map_or("no class", Class::as_str);
    match &s.size {
        Some(size) => format!("{class} · {}", bytes(size.total)),
        None => class.to_string(),
    }
}

fn module_symbol(analysis: &Analysis) -> Option<Symbol> {
    let header = analysis.file.header.as_ref()?;
    let module = header.module.as_ref()?;
    if module.text.is_empty() {
        return None;
    }
    let schema: &Schema = &analysis.schema;
    let detail = if schema.packed { "packed" } else { "" }.to_string();
    Some(Symbol {
        name: module.text.clone(),
        kind: SymbolKind::Module,
        detail,
        span: header.span,
        name_span: module.span,
        children: Vec::new(),
    })
}

/// The outline of the file: the module, then enums and structs in source order.
pub fn document_symbols(analysis: &Analysis) -> Vec<Symbol> {
    let schema = &analysis.schema;
    let mut symbols: Vec<Symbol> = module_symbol(analysis).into_iter().collect();
    for decl in &schema.order {
        match *decl {
            crate::model::DeclRef::Enum(i) => {
                let e = &schema.enums[i];
                if e.name.is_empty() {
                    continue;
                }
                let children = e
                    .values
                    .iter()
                    .filter(|v| !v.name.is_empty())
                    .map(|v| Symbol {
                        name: v.name.clone(),
                        kind: SymbolKind::EnumValue,
                        detail: format!("= {}", v.value),
                        span: v.span,
                        name_span: v.name_span,
                        children: Vec::new(),
                    })
                    .collect();
                symbols.push(Symbol {
                    name: e.name.clone(),
                    kind: SymbolKind::Enum,
                    detail: e.base_text.clone(),
                    span: e.span,
                    name_span: e.name_span,
                    children,
                });
            }
            crate::model::DeclRef::Struct(i) => {
                let s = &schema.structs[i];
                if s.name.is_empty() {
                    continue;
                }
                let children = s
                    .fields
                    .iter()
                    .filter(|f| !f.name.is_empty())
                    .map(|f| Symbol {
                        name: f.name.clone(),
                        kind: SymbolKind::Field,
                        detail: match f.layout {
                            Some(l) => format!("{} · @{} +{}", f.type_text, l.offset, l.field),
                            None => f.type_text.clone(),
                        },
                        span: f.span,
                        name_span: f.name_span,
                        children: Vec::new(),
                    })
                    .collect();
                symbols.push(Symbol {
                    name: s.name.clone(),
                    kind: SymbolKind::Struct,
                    detail: struct_detail(s),
                    span: s.span,
                    name_span: s.name_span,
                    children,
                });
            }
        }
    }
    symbols
}

/// Declaration blocks and runs of comment lines.
pub fn folding_ranges(analysis: &Analysis) -> Vec<FoldingRange> {
    let text = &analysis.text;
    let mut ranges = Vec::new();
    for decl in &analysis.file.decls {
        let (l_brace, r_brace, end) = match decl {
            Decl::Enum(e) => (e.l_brace, e.r_brace, e.span.end),
            Decl::Struct(s) => (s.l_brace, s.r_brace, s.span.end),
            Decl::Error(_) => continue,
        };
        let Some(l_brace) = l_brace else { continue };
        let span = Span::new(l_brace.start, r_brace.map_or(end, |r| r.end));
        if locate::slice(text, span).contains('\n') {
            ranges.push(FoldingRange {
                span,
                is_comment: false,
            });
        }
    }
    // Runs of lines that hold nothing but a comment.
    let mut run: Option<(Span, usize)> = None;
    let mut line_has_code = false;
    let mut line_comment: Option<Span> = None;
    let flush = |run: &mut Option<(Span, usize)>, ranges: &mut Vec<FoldingRange>| {
        if let Some((span, lines)) = run.take() {
            if lines >= 2 {
                ranges.push(FoldingRange {
                    span,
                    is_comment: true,
                });
            }
        }
    };
    let tokens = &analysis.tokens;
    for (i, token) in tokens.iter().enumerate() {
        match token.kind {
            TokenKind::Blank | TokenKind::Bom => {}
            TokenKind::Newline | TokenKind::OtherSpace => {}
            kind if kind.is_comment() && !line_has_code => line_comment = Some(token.span),
            _ => line_has_code = true,
        }
        let line_ends = token.kind == TokenKind::Newline || i + 1 == tokens.len();
        if line_ends {
            match (line_comment.take(), line_has_code) {
                (Some(comment), false) => {
                    run = Some(match run {
                        Some((span, lines)) => (span.cover(comment), lines + 1),
                        None => (comment, 1),
                    });
                }
                _ => flush(&mut run, &mut ranges),
            }
            line_has_code = false;
        }
    }
    flush(&mut run, &mut ranges);
    ranges.sort_by_key(|r| (r.span.start, r.span.end));
    ranges
}

/// The nested spans around `offset`, innermost first (name → field → block → declaration
/// → file).
pub fn selection_ranges(analysis: &Analysis, offset: usize) -> Vec<Span> {
    let len = analysis.text.len();
    if !analysis.text.is_char_boundary(offset) {
        return Vec::new();
    }
    let mut candidates: Vec<Span> = Vec::new();
    if let Some(token) = locate::word_at(analysis, offset) {
        candidates.push(token.span);
    }
    let file = &analysis.file;
    if let Some(header) = file.header.as_ref().filter(|h| within(h.span, offset)) {
        if let Some(tag) = header.tags.iter().find(|t| within(t.span, offset)) {
            candidates.push(tag.span);
        }
        candidates.push(header.span);
    }
    if let Some(decl) = file.decls.iter().find(|d| within(d.span(), offset)) {
        match decl {
            Decl::Error(span) => candidates.push(*span),
            Decl::Enum(e) => {
                if let Some(tag) = e.tags.iter().find(|t| within(t.span, offset)) {
                    candidates.push(tag.span);
                }
                if let Some(value) = e.values.iter().find(|v| within(v.span, offset)) {
                    candidates.push(value.span);
                }
                if let (Some(first), Some(last)) = (e.values.first(), e.values.last()) {
                    let items = first.span.cover(last.span);
                    if within(items, offset) {
                        candidates.push(items);
                    }
                }
                candidates.push(e.span);
            }
            Decl::Struct(s) => {
                if let Some(tag) = s.tags.iter().find(|t| within(t.span, offset)) {
                    candidates.push(tag.span);
                }
                if let Some(field) = s.fields.iter().find(|f| within(f.span, offset)) {
                    if let Some(tag) = field.tags.iter().find(|t| within(t.span, offset)) {
                        candidates.push(tag.span);
                    }
                    if let Some(ty) = field.ty.as_ref().filter(|t| within(t.span, offset)) {
                        if let Some(array) = &ty.array {
                            let prefix = array.l_bracket.cover(array.r_bracket);
                            if within(prefix, offset) {
                                candidates.push(prefix);
                            }
                        }
                        candidates.push(ty.span);
                    }
                    candidates.push(field.span);
                }
                if let (Some(first), Some(last)) = (s.fields.first(), s.fields.last()) {
                    let items = first.span.cover(last.span);
                    if within(items, offset) {
                        candidates.push(items);
                    }
                }
                candidates.push(s.span);
            }
        }
    }
    candidates.push(Span::new(0, len));
    // Keep a strictly growing chain: each span contains the previous one and is larger.
    let mut chain: Vec<Span> = Vec::new();
    for span in candidates {
        if span.start > offset || span.end < offset || span.end > len {
            continue;
        }
        match chain.last() {
            Some(last)
                if !(span.start <= last.start
                    && last.end <= span.end
                    && span.len() > last.len()) => {}
            _ => chain.push(span),
        }
    }
    chain
}

/// True when `offset` is inside `span` or at its end (a cursor right after a name).
fn within(span: Span, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

/// The struct whose declaration contains `offset`, as an index into `schema.structs`.
pub fn struct_at(analysis: &Analysis, offset: usize) -> Option<usize> {
    if !analysis.text.is_char_boundary(offset) {
        return None;
    }
    analysis
        .schema
        .structs
        .iter()
        .position(|s| s.span.contains(offset))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{analysis, GAME};
    use super::*;

    #[test]
    fn outline_with_details() {
        let analysis = analysis(GAME);
        let symbols = document_symbols(&analysis);
        let top: Vec<(&str, SymbolKind, &str)> = symbols
            .iter()
            .map(|s| (s.name.as_str(), s.kind, s.detail.as_str()))
            .collect();
        assert_eq!(
            top,
            [
                ("game", SymbolKind::Module, "packed"),
                ("Color", SymbolKind::Enum, "uint8"),
                ("Team", SymbolKind::Enum, "uint8"),
                ("Vec3", SymbolKind::Struct, "inline · 12 bytes"),
                ("WeaponData", SymbolKind::Struct, "table · 19 bytes"),
                ("Weapon", SymbolKind::Struct, "inline · 4 bytes"),
                ("MonsterData", SymbolKind::Struct, "table · 111 bytes"),
                ("Monster", SymbolKind::Struct, "inline · 4 bytes"),
                ("Monsters", SymbolKind::Struct, "table · 12 bytes"),
            ]
        );
        let color = &symbols[1];
        assert_eq!(color.children[2].name, "Blue");
        assert_eq!(color.children[2].kind, SymbolKind::EnumValue);
        assert_eq!(color.children[2].detail, "= 2");
        let path = &symbols[6].children[10];
        assert_eq!(
            (path.name.as_str(), path.detail.as_str()),
            ("Path", "[<2000]Vec3 · @102 +8")
        );
        assert_eq!(&GAME[path.name_span.range()], "Path");
        assert_eq!(&GAME[path.span.range()], "Path [<2000]Vec3;");
        for symbol in &symbols {
            assert!(
                symbol.span.start <= symbol.name_span.start
                    && symbol.name_span.end <= symbol.span.end
            );
        }
    }

    #[test]
    fn field_detail_of_a_non_packed_table() {
        let analysis = analysis("karmem demo;\nstruct User table { Name [<128]char; }\n");
        let symbols = document_symbols(&analysis);
        assert_eq!(symbols[1].children[0].detail, "[<128]char · @4 +12");
        assert_eq!(symbols[1].detail, "table · 16 bytes");
        // No layout, no numbers.
        let analysis = super::super::tests::analysis("karmem demo;\nstruct A table { X B; }\n");
        let symbols = document_symbols(&analysis);
        assert_eq!(
            (
                symbols[1].detail.as_str(),
                symbols[1].children[0].detail.as_str()
            ),
            ("table", "B")
        );
    }

    #[test]
    fn folding_blocks_and_comment_runs() {
        let text = "karmem demo;\n// one\n// two\n/// three\nstruct A inline {\n    X uint8; // trailing\n    // lone\n}\nstruct B inline { X uint8; }\n// a\n\n// b\nenum E uint8 {\n    Z;\n";
        let analysis = analysis(text);
        let ranges = folding_ranges(&analysis);
        let shown: Vec<(&str, bool)> = ranges
            .iter()
            .map(|r| (&text[r.span.range()], r.is_comment))
            .collect();
        assert_eq!(
            shown,
            [
                ("// one\n// two\n/// three", true),
                ("{\n    X uint8; // trailing\n    // lone\n}", false),
                ("{\n    Z;", false),
            ]
        );
    }

    #[test]
    fn selection_grows_from_word_to_file() {
        let analysis = analysis(GAME);
        let at = GAME.find("ClipSize").unwrap() + 2;
        let ranges = selection_ranges(&analysis, at);
        let shown: Vec<&str> = ranges.iter().map(|s| &GAME[s.range()]).collect();
        assert_eq!(shown[0], "ClipSize");
        assert_eq!(shown[1], "ClipSize uint8;");
        assert!(shown[2].starts_with("Damage int32;") && shown[2].ends_with("Range int32;"));
        assert!(shown[3].starts_with("struct WeaponData table {") && shown[3].ends_with('}'));
        assert_eq!(shown[4], GAME);
        assert_eq!(ranges.len(), 5);
        // On a type inside an array: element, type, field, …
        let at = GAME.find("[<512]char").unwrap() + 7;
        let shown: Vec<&str> = selection_ranges(&analysis, at)
            .iter()
            .map(|s| &GAME[s.range()])
            .collect();
        assert_eq!(&shown[..3], ["char", "[<512]char", "Name [<512]char;"]);
        for offset in 0..=GAME.len() {
            let ranges = selection_ranges(&analysis, offset);
            assert_eq!(ranges.last(), Some(&Span::new(0, GAME.len())));
            for pair in ranges.windows(2) {
                assert!(pair[1].start <= pair[0].start && pair[0].end <= pair[1].end);
                assert!(pair[1].len() > pair[0].len());
            }
        }
    }

    #[test]
    fn struct_at_uses_the_model_spans() {
        let analysis = analysis(GAME);
        let at = GAME.find("ClipSize").unwrap();
        assert_eq!(struct_at(&analysis, at), Some(1));
        assert_eq!(
            struct_at(&analysis, GAME.find("struct Vec3").unwrap()),
            Some(0)
        );
        assert_eq!(struct_at(&analysis, GAME.find("Aliens").unwrap()), None);
        assert_eq!(struct_at(&analysis, 0), None);
        assert_eq!(struct_at(&analysis, usize::MAX), None);
    }
}
