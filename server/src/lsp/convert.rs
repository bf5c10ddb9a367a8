//! Byte offsets ↔ LSP positions, and `karmem_syntax` results → LSP messages.
//!
//! Pure functions over an [`Analyzed`] snapshot: no analysis happens here, only position
//! conversion (through the snapshot's [`LineIndex`]) and message shaping.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::OnceLock;

use karmem_syntax::ide::{self, CompletionKind, SemanticKind};
use karmem_syntax::line_index::{Encoding, LineCol, LineIndex};
use karmem_syntax::{Code, Severity, Span};
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::ls_types::{Position, Range, Uri};

use super::documents::Analyzed;

/// Where `docs/diagnostics.md` is published; a diagnostic's `codeDescription` links to
/// `#km0200` etc. on this page.
pub const DIAGNOSTICS_DOCS: &str =
    "https://github.com/karmem-lsp/karmem-lsp/blob/main/docs/diagnostics.md";

/// The `source` of every diagnostic.
pub const SOURCE: &str = "karmem";

// ---------------------------------------------------------------------------------------
// Positions

pub fn position(index: &LineIndex, offset: usize, enc: Encoding) -> Position {
    let LineCol { line, col } = index.line_col(offset, enc);
    Position::new(line, col)
}

pub fn range(index: &LineIndex, span: Span, enc: Encoding) -> Range {
    Range::new(
        position(index, span.start, enc),
        position(index, span.end, enc),
    )
}

/// The byte offset of a client position; `None` when its line does not exist. A column past
/// the end of the line is the line end.
pub fn offset(index: &LineIndex, pos: Position, enc: Encoding) -> Option<usize> {
    index.offset(LineCol::new(pos.line, pos.character), enc)
}

/// The byte span of a client range (start and end in order); `None` when a line does not
/// exist.
pub fn span(index: &LineIndex, range: Range, enc: Encoding) -> Option<Span> {
    let a = offset(index, range.start, enc)?;
    let b = offset(index, range.end, enc)?;
    Some(Span::new(a.min(b), a.max(b)))
}

/// Like [`span`], but a range reaching past the last line ends at the end of the text (for
/// requests over "the visible part", which clients may overshoot).
pub fn span_clamped(index: &LineIndex, range: Range, enc: Encoding) -> Option<Span> {
    let a = offset(index, range.start, enc)?;
    let b = offset(index, range.end, enc).unwrap_or(index.len());
    Some(Span::new(a.min(b), a.max(b)))
}

// ---------------------------------------------------------------------------------------
// Diagnostics

fn docs_uri(code: Code) -> Option<Uri> {
    static URIS: OnceLock<HashMap<Code, Uri>> = OnceLock::new();
    URIS.get_or_init(|| {
        Code::ALL
            .iter()
            .filter_map(|&c| {
                let href = format!("{DIAGNOSTICS_DOCS}#{}", c.as_str().to_ascii_lowercase());
                Uri::from_str(&href).ok().map(|uri| (c, uri))
            })
            .collect()
    })
    .get(&code)
    .cloned()
}

pub fn severity(severity: Severity) -> lsp::DiagnosticSeverity {
    match severity {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

pub fn diagnostic(
    uri: &Uri,
    index: &LineIndex,
    d: &karmem_syntax::Diagnostic,
    enc: Encoding,
) -> lsp::Diagnostic {
    let related: Vec<_> = d
        .related
        .iter()
        .map(|r| lsp::DiagnosticRelatedInformation {
            location: lsp::Location::new(uri.clone(), range(index, r.span, enc)),
            message: r.message.clone(),
        })
        .collect();
    lsp::Diagnostic {
        range: range(index, d.span, enc),
        severity: Some(severity(d.severity)),
        code: Some(lsp::NumberOrString::String(d.code.as_str().to_string())),
        code_description: docs_uri(d.code).map(|href| lsp::CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message: d.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

pub fn diagnostics(uri: &Uri, analyzed: &Analyzed, enc: Encoding) -> Vec<lsp::Diagnostic> {
    analyzed
        .analysis
        .diagnostics
        .iter()
        .map(|d| diagnostic(uri, &analyzed.index, d, enc))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Edits

pub fn text_edit(
    index: &LineIndex,
    edit: &karmem_syntax::TextEdit,
    enc: Encoding,
) -> lsp::TextEdit {
    lsp::TextEdit::new(range(index, edit.span, enc), edit.new_text.clone())
}

/// A workspace edit of one document: `documentChanges` with the version when the client
/// supports it (so a stale edit is refused), else `changes`.
pub fn workspace_edit(
    uri: &Uri,
    version: i32,
    edits: Vec<lsp::TextEdit>,
    document_changes: bool,
) -> lsp::WorkspaceEdit {
    if document_changes {
        lsp::WorkspaceEdit {
            document_changes: Some(lsp::DocumentChanges::Edits(vec![lsp::TextDocumentEdit {
                text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                    uri: uri.clone(),
                    version: Some(version),
                },
                edits: edits.into_iter().map(lsp::OneOf::Left).collect(),
            }])),
            ..Default::default()
        }
    } else {
        lsp::WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..Default::default()
        }
    }
}

/// The edit turning `old` into `new`: one replacement of the part between their common
/// prefix and common suffix (cut at character boundaries); `None` when they are equal.
pub fn minimal_edit(
    index: &LineIndex,
    old: &str,
    new: &str,
    enc: Encoding,
) -> Option<lsp::TextEdit> {
    if old == new {
        return None;
    }
    let mut prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = old.len().min(new.len()) - prefix;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    let span = Span::new(prefix, old.len() - suffix);
    Some(lsp::TextEdit::new(
        range(index, span, enc),
        new[prefix..new.len() - suffix].to_string(),
    ))
}

// ---------------------------------------------------------------------------------------
// Symbols

pub fn symbol_kind(kind: ide::SymbolKind) -> lsp::SymbolKind {
    match kind {
        ide::SymbolKind::Module => lsp::SymbolKind::MODULE,
        ide::SymbolKind::Enum => lsp::SymbolKind::ENUM,
        ide::SymbolKind::EnumValue => lsp::SymbolKind::ENUM_MEMBER,
        ide::SymbolKind::Struct => lsp::SymbolKind::STRUCT,
        ide::SymbolKind::Field => lsp::SymbolKind::FIELD,
    }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written out.
pub fn document_symbol(index: &LineIndex, s: &ide::Symbol, enc: Encoding) -> lsp::DocumentSymbol {
    // Clients drop the whole outline when a selection range is not inside its range.
    let full = s.span.cover(s.name_span);
    let children: Vec<_> = s
        .children
        .iter()
        .map(|c| document_symbol(index, c, enc))
        .collect();
    lsp::DocumentSymbol {
        name: display_name(&s.name),
        detail: (!s.detail.is_empty()).then(|| s.detail.clone()),
        kind: symbol_kind(s.kind),
        tags: None,
        deprecated: None,
        range: range(index, full, enc),
        selection_range: range(index, s.name_span, enc),
        children: (!children.is_empty()).then_some(children),
    }
}

/// LSP forbids empty symbol names (VS Code rejects the outline).
fn display_name(name: &str) -> String {
    if name.trim().is_empty() {
        "?".to_string()
    } else {
        name.to_string()
    }
}

/// A symbol in the flat form `workspace/symbol` (and old clients' outline) uses.
#[derive(Debug, Clone)]
pub struct FlatSymbol {
    pub name: String,
    pub kind: ide::SymbolKind,
    pub container: Option<String>,
    pub range: Range,
}

/// The symbols of a tree, depth first, with their parent's name as container.
pub fn flatten_symbols(
    index: &LineIndex,
    symbols: &[ide::Symbol],
    enc: Encoding,
) -> Vec<FlatSymbol> {
    fn walk(
        index: &LineIndex,
        symbols: &[ide::Symbol],
        container: Option<&str>,
        enc: Encoding,
        out: &mut Vec<FlatSymbol>,
    ) {
        for s in symbols {
            out.push(FlatSymbol {
                name: display_name(&s.name),
                kind: s.kind,
                container: container.map(str::to_string),
                range: range(index, s.name_span, enc),
            });
            walk(index, &s.children, Some(&s.name), enc, out);
        }
    }
    let mut out = Vec::new();
    walk(index, symbols, None, enc, &mut out);
    out
}

#[allow(deprecated)] // `SymbolInformation::deprecated` must be written out.
pub fn symbol_information(uri: &Uri, s: &FlatSymbol) -> lsp::SymbolInformation {
    lsp::SymbolInformation {
        name: s.name.clone(),
        kind: symbol_kind(s.kind),
        tags: None,
        deprecated: None,
        location: lsp::Location::new(uri.clone(), s.range),
        container_name: s.container.clone(),
    }
}

// ---------------------------------------------------------------------------------------
// Completion

/// A completion item whose text replaces `replace` (the word being typed).
pub fn completion_item(item: &ide::CompletionItem, replace: Range) -> lsp::CompletionItem {
    let kind = match item.kind {
        CompletionKind::Keyword => lsp::CompletionItemKind::KEYWORD,
        CompletionKind::Primitive => lsp::CompletionItemKind::TYPE_PARAMETER,
        CompletionKind::Enum => lsp::CompletionItemKind::ENUM,
        CompletionKind::Struct => lsp::CompletionItemKind::STRUCT,
        CompletionKind::Tag => lsp::CompletionItemKind::PROPERTY,
        CompletionKind::Snippet => lsp::CompletionItemKind::SNIPPET,
    };
    lsp::CompletionItem {
        label: item.label.clone(),
        kind: Some(kind),
        detail: item.detail.clone(),
        documentation: item.documentation.as_ref().map(|d| {
            lsp::Documentation::MarkupContent(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: d.clone(),
            })
        }),
        text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(
            replace,
            item.insert_text
                .clone()
                .unwrap_or_else(|| item.label.clone()),
        ))),
        insert_text_format: Some(if item.is_snippet {
            lsp::InsertTextFormat::SNIPPET
        } else {
            lsp::InsertTextFormat::PLAIN_TEXT
        }),
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------------------
// Semantic tokens

/// The legend's token types, indexed by [`token_type`].
pub const TOKEN_TYPES: [lsp::SemanticTokenType; 11] = [
    lsp::SemanticTokenType::KEYWORD,
    lsp::SemanticTokenType::NAMESPACE,
    lsp::SemanticTokenType::STRUCT,
    lsp::SemanticTokenType::ENUM,
    lsp::SemanticTokenType::ENUM_MEMBER,
    lsp::SemanticTokenType::PROPERTY,
    lsp::SemanticTokenType::TYPE,
    lsp::SemanticTokenType::DECORATOR,
    lsp::SemanticTokenType::NUMBER,
    lsp::SemanticTokenType::STRING,
    lsp::SemanticTokenType::COMMENT,
];

/// The legend's modifiers: bit `i` of [`ide::modifiers`] is entry `i`.
pub const TOKEN_MODIFIERS: [lsp::SemanticTokenModifier; 3] = [
    lsp::SemanticTokenModifier::DECLARATION,
    lsp::SemanticTokenModifier::DOCUMENTATION,
    lsp::SemanticTokenModifier::DEFAULT_LIBRARY,
];

pub fn legend() -> lsp::SemanticTokensLegend {
    lsp::SemanticTokensLegend {
        token_types: TOKEN_TYPES.to_vec(),
        token_modifiers: TOKEN_MODIFIERS.to_vec(),
    }
}

pub fn token_type(kind: SemanticKind) -> u32 {
    match kind {
        SemanticKind::Keyword => 0,
        SemanticKind::Namespace => 1,
        SemanticKind::Struct => 2,
        SemanticKind::Enum => 3,
        SemanticKind::EnumMember => 4,
        SemanticKind::Property => 5,
        SemanticKind::Type => 6,
        SemanticKind::Decorator => 7,
        SemanticKind::Number => 8,
        SemanticKind::String => 9,
        SemanticKind::Comment => 10,
    }
}

/// Encodes tokens (sorted, each on one line) relative to each other, keeping those that
/// overlap `within` (all when `None`).
pub fn semantic_tokens(
    index: &LineIndex,
    tokens: &[ide::SemanticToken],
    within: Option<Span>,
    enc: Encoding,
) -> Vec<lsp::SemanticToken> {
    let mask = (1u32 << TOKEN_MODIFIERS.len()) - 1;
    let mut out = Vec::with_capacity(tokens.len());
    let (mut prev_line, mut prev_col) = (0u32, 0u32);
    for t in tokens {
        if let Some(w) = within {
            if t.span.end <= w.start || t.span.start >= w.end.max(w.start + 1) {
                continue;
            }
        }
        if t.span.is_empty() {
            continue;
        }
        let start = index.line_col(t.span.start, enc);
        let mut end = index.line_col(t.span.end, enc);
        if end.line != start.line {
            // Never expected (tokens do not span lines); clip to the line end.
            let line_end = index.line_end(start.line).unwrap_or(index.len());
            end = index.line_col(line_end, enc);
        }
        if end.col <= start.col || (start.line, start.col) < (prev_line, prev_col) {
            continue;
        }
        let delta_line = start.line - prev_line;
        let delta_start = if delta_line == 0 {
            start.col - prev_col
        } else {
            start.col
        };
        out.push(lsp::SemanticToken {
            delta_line,
            delta_start,
            length: end.col - start.col,
            token_type: token_type(t.kind),
            token_modifiers_bitset: t.modifiers & mask,
        });
        (prev_line, prev_col) = (start.line, start.col);
    }
    out
}

// ---------------------------------------------------------------------------------------
// Folding, selection, inlay hints

pub fn folding_range(
    index: &LineIndex,
    text: &str,
    f: &ide::FoldingRange,
    line_folding_only: bool,
    enc: Encoding,
) -> Option<lsp::FoldingRange> {
    let start = index.line_col(f.span.start, enc);
    let end = index.line_col(f.span.end, enc);
    let mut end_line = end.line;
    if line_folding_only {
        // Keep a closing `}` that starts its line visible, as editors do for braces.
        let last = f
            .span
            .end
            .checked_sub(1)
            .and_then(|i| text.get(i..f.span.end));
        let line_start = index.line_start(end.line).unwrap_or(0);
        let before = text
            .get(line_start..f.span.end.saturating_sub(1))
            .unwrap_or("");
        if last == Some("}") && before.trim().is_empty() {
            end_line = end_line.saturating_sub(1);
        }
    }
    if end_line <= start.line {
        return None;
    }
    Some(lsp::FoldingRange {
        start_line: start.line,
        start_character: (!line_folding_only).then_some(start.col),
        end_line,
        end_character: (!line_folding_only).then_some(end.col),
        kind: Some(if f.is_comment {
            lsp::FoldingRangeKind::Comment
        } else {
            lsp::FoldingRangeKind::Region
        }),
        collapsed_text: None,
    })
}

/// Nested selection ranges from spans innermost first; an empty list gives the position.
pub fn selection_range(
    index: &LineIndex,
    spans: &[Span],
    at: usize,
    enc: Encoding,
) -> lsp::SelectionRange {
    let mut result: Option<lsp::SelectionRange> = None;
    for &span in spans.iter().rev() {
        let r = range(index, span, enc);
        // Each range must contain the one inside it; skip a span that does not.
        if let Some(parent) = &result {
            let p = parent.range;
            if (r.start.line, r.start.character) < (p.start.line, p.start.character)
                || (r.end.line, r.end.character) > (p.end.line, p.end.character)
            {
                continue;
            }
        }
        result = Some(lsp::SelectionRange {
            range: r,
            parent: result.map(Box::new),
        });
    }
    result.unwrap_or_else(|| {
        let p = position(index, at, enc);
        lsp::SelectionRange {
            range: Range::new(p, p),
            parent: None,
        }
    })
}

pub fn inlay_hint(index: &LineIndex, h: &ide::InlayHint, enc: Encoding) -> lsp::InlayHint {
    lsp::InlayHint {
        position: position(index, h.offset, enc),
        label: lsp::InlayHintLabel::String(h.label.clone()),
        kind: None,
        text_edits: None,
        tooltip: h.tooltip.clone().map(lsp::InlayHintTooltip::String),
        padding_left: Some(true),
        padding_right: None,
        data: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_edits() {
        let old = "karmem a;\nstruct  A inline {\n}\n";
        let new = "karmem a;\nstruct A inline {\n}\n";
        let index = LineIndex::new(old);
        let edit = minimal_edit(&index, old, new, Encoding::Utf16).unwrap();
        assert_eq!(
            edit.range,
            Range::new(Position::new(1, 7), Position::new(1, 8))
        );
        assert_eq!(edit.new_text, "");
        assert!(minimal_edit(&index, old, old, Encoding::Utf16).is_none());
        // Common bytes inside different characters are not split.
        let (old, new) = ("xé", "xè");
        let index = LineIndex::new(old);
        let edit = minimal_edit(&index, old, new, Encoding::Utf8).unwrap();
        assert_eq!(
            edit.range,
            Range::new(Position::new(0, 1), Position::new(0, 3))
        );
        assert_eq!(edit.new_text, "è");
        let (old, new) = ("aaa", "aaaa");
        let index = LineIndex::new(old);
        let edit = minimal_edit(&index, old, new, Encoding::Utf8).unwrap();
        assert_eq!(
            edit.range,
            Range::new(Position::new(0, 3), Position::new(0, 3))
        );
        assert_eq!(edit.new_text, "a");
    }

    #[test]
    fn docs_links() {
        let uri = docs_uri(Code::UnknownType).unwrap();
        assert!(
            uri.as_str().ends_with("docs/diagnostics.md#km0200"),
            "{}",
            uri.as_str()
        );
        assert!(Code::ALL.iter().all(|&c| docs_uri(c).is_some()));
    }

    #[test]
    fn legend_matches_modifier_bits() {
        assert_eq!(1 << 0, ide::modifiers::DECLARATION);
        assert_eq!(1 << 1, ide::modifiers::DOCUMENTATION);
        assert_eq!(1 << 2, ide::modifiers::DEFAULT_LIBRARY);
    }
}
