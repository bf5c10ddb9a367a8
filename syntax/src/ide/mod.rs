//! Editor features over an [`Analysis`]: hover, navigation, rename, completion, symbols,
//! semantic tokens, folding, selection, inlay hints and code actions.
//!
//! Everything here works on byte offsets and [`Span`]s and returns plain data; the language
//! server converts positions and shapes the LSP messages. No feature here re-analyses:
//! they all read the tokens, tree and model `analyze` produced, so each works while the
//! file has errors elsewhere.

use crate::diagnostics::TextEdit;
use crate::{Analysis, Span};

/// Hover text (Markdown) and the span it describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoverResult {
    pub markdown: String,
    pub span: Span,
}

/// Describes what is at `offset`: a struct (class, id, packed, sizes, a field-by-field
/// layout table), a field (offset, sizes, what sits in its slot on the wire, resolved
/// type), an enum or value, a type reference (the target's summary), a tag (what it does).
/// Numbers are the model's (equal to `karmem layout --json`); none are shown when the
/// layout is unknown.
pub fn hover(analysis: &Analysis, offset: usize) -> Option<HoverResult> {
    let _ = (analysis, offset);
    None
}

/// Where a declaration is: its name and its whole text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavTarget {
    pub name_span: Span,
    pub full_span: Span,
}

/// The declaration of the name at `offset` (a type reference, or a declaration's name).
pub fn definition(analysis: &Analysis, offset: usize) -> Option<NavTarget> {
    let _ = (analysis, offset);
    None
}

/// Every reference to the declaration named at `offset`, optionally with its name.
pub fn references(analysis: &Analysis, offset: usize, include_declaration: bool) -> Vec<Span> {
    let _ = (analysis, offset, include_declaration);
    Vec::new()
}

/// How a highlighted occurrence uses the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HighlightKind {
    /// The declaration.
    Write,
    /// A use.
    Read,
}

/// The occurrences of the name at `offset` in this file.
pub fn highlights(analysis: &Analysis, offset: usize) -> Vec<(Span, HighlightKind)> {
    let _ = (analysis, offset);
    Vec::new()
}

/// The span a rename at `offset` would replace, or why it cannot be renamed.
pub fn prepare_rename(analysis: &Analysis, offset: usize) -> Result<Span, String> {
    let _ = (analysis, offset);
    Err("nothing to rename here".to_string())
}

/// The edits renaming the declaration at `offset` (and every reference) to `new_name`,
/// or why not (invalid name, lower-case first letter, a collision).
pub fn rename(analysis: &Analysis, offset: usize, new_name: &str) -> Result<Vec<TextEdit>, String> {
    let _ = (analysis, offset, new_name);
    Err("nothing to rename here".to_string())
}

/// What a symbol is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    Module,
    Enum,
    EnumValue,
    Struct,
    Field,
}

/// A document symbol, with its children (values of an enum, fields of a struct).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub kind: SymbolKind,
    /// A short description: `table · 19 bytes`, `uint8`, `[<128]char · @4 +12`.
    pub detail: String,
    pub span: Span,
    pub name_span: Span,
    pub children: Vec<Symbol>,
}

/// The outline of the file: the module, then enums and structs in source order.
pub fn document_symbols(analysis: &Analysis) -> Vec<Symbol> {
    let _ = analysis;
    Vec::new()
}

/// Whether a workspace-symbol `query` matches `name` (case-insensitive subsequence).
pub fn symbol_matches(query: &str, name: &str) -> bool {
    let mut chars = name.chars().flat_map(char::to_lowercase);
    query
        .chars()
        .flat_map(char::to_lowercase)
        .all(|q| chars.any(|c| c == q))
}

/// What a completion inserts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    Keyword,
    Primitive,
    Enum,
    Struct,
    Tag,
    Snippet,
}

/// One completion proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    pub documentation: Option<String>,
    /// Text to insert instead of the label; LSP snippet syntax when `is_snippet`.
    pub insert_text: Option<String>,
    pub is_snippet: bool,
}

/// Proposals at `offset`: keywords where a declaration may start, primitive types and the
/// declared types valid there (declared earlier; no enums or tables inside arrays and
/// slices), known tags after `@` (with snippets).
pub fn completions(analysis: &Analysis, offset: usize) -> Vec<CompletionItem> {
    let _ = (analysis, offset);
    Vec::new()
}

/// The semantic class of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SemanticKind {
    Keyword,
    Namespace,
    Struct,
    Enum,
    EnumMember,
    Property,
    Type,
    Decorator,
    Number,
    String,
    Comment,
}

/// Modifiers of a semantic token (bit flags).
pub mod modifiers {
    pub const DECLARATION: u32 = 1;
    pub const DOCUMENTATION: u32 = 2;
    pub const DEFAULT_LIBRARY: u32 = 4;
}

/// A classified span of source text (never spanning a line break).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SemanticToken {
    pub span: Span,
    pub kind: SemanticKind,
    pub modifiers: u32,
}

/// Every classified token, sorted, non-overlapping, each on one line.
pub fn semantic_tokens(analysis: &Analysis) -> Vec<SemanticToken> {
    let _ = analysis;
    Vec::new()
}

/// A foldable region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoldingRange {
    pub span: Span,
    pub is_comment: bool,
}

/// Declaration blocks and runs of comment lines.
pub fn folding_ranges(analysis: &Analysis) -> Vec<FoldingRange> {
    let _ = analysis;
    Vec::new()
}

/// The nested spans around `offset`, innermost first (name → field → block → declaration
/// → file).
pub fn selection_ranges(analysis: &Analysis, offset: usize) -> Vec<Span> {
    let _ = (analysis, offset);
    Vec::new()
}

/// Which inlay hints to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InlayHintConfig {
    /// `@4 +12` after each field: its offset and slot size.
    pub field_layout: bool,
    /// `= 3` after enum values whose value is implicit.
    pub enum_values: bool,
    /// `19 bytes` after a struct's head.
    pub struct_size: bool,
}

impl Default for InlayHintConfig {
    fn default() -> Self {
        InlayHintConfig {
            field_layout: true,
            enum_values: true,
            struct_size: true,
        }
    }
}

/// What an inlay hint shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InlayKind {
    FieldLayout,
    EnumValue,
    StructSize,
}

/// A label to show at `offset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlayHint {
    pub offset: usize,
    pub label: String,
    pub kind: InlayKind,
    /// A longer explanation for the hint's tooltip.
    pub tooltip: Option<String>,
}

/// Hints inside `range`.
pub fn inlay_hints(analysis: &Analysis, range: Span, config: &InlayHintConfig) -> Vec<InlayHint> {
    let _ = (analysis, range, config);
    Vec::new()
}

/// A quick fix: the analyzer's suggested edit for a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeAction {
    pub title: String,
    /// Index into `analysis.diagnostics` of the diagnostic it fixes.
    pub diagnostic: usize,
    pub edits: Vec<TextEdit>,
    /// The fix for an error that has exactly one obvious fix.
    pub is_preferred: bool,
}

/// The fixes of the diagnostics that overlap `range`.
pub fn code_actions(analysis: &Analysis, range: Span) -> Vec<CodeAction> {
    let _ = (analysis, range);
    Vec::new()
}

/// The struct whose declaration contains `offset`, as an index into `schema.structs`.
pub fn struct_at(analysis: &Analysis, offset: usize) -> Option<usize> {
    let _ = (analysis, offset);
    None
}
