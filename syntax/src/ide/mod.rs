//! Editor features over an [`Analysis`](crate::Analysis): hover, navigation, rename,
//! completion, symbols, semantic tokens, folding, selection, inlay hints and code actions.
//!
//! Everything here works on byte offsets and [`Span`]s and returns plain data; the language
//! server converts positions and shapes the LSP messages. No feature here re-analyses:
//! they all read the tokens, tree and model `analyze` produced, so each works while the
//! file has errors elsewhere.
//!
//! No function panics on any offset: one past the end or inside a multi-byte character
//! gives an empty answer. Numbers (offsets, sizes, ids) come only from the model; where the
//! model has none (a struct with errors), none are shown.
//!
//! One private module per feature: `hover`; `navigation` (definition, references,
//! highlights, rename); `completion`; `symbols` (outline, folding, selection, `struct_at`);
//! `tokens` (semantic tokens); `hints` (inlay hints, code actions). `locate` finds what is
//! under the cursor for all of them, `tags` knows the tags of language.md §4.

use crate::diagnostics::TextEdit;
use crate::Span;

mod completion;
mod hints;
mod hover;
mod locate;
mod navigation;
mod symbols;
mod tags;
#[cfg(test)]
mod tests;
mod tokens;

pub use completion::{completion_span, completions};
pub use hints::{code_actions, inlay_hints};
pub use hover::hover;
pub use navigation::{definition, highlights, prepare_rename, references, rename};
pub use symbols::{document_symbols, folding_ranges, selection_ranges, struct_at};
pub use tokens::semantic_tokens;

/// Hover text (Markdown) and the span it describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoverResult {
    pub markdown: String,
    pub span: Span,
}

/// Where a declaration is: its name and its whole text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavTarget {
    pub name_span: Span,
    pub full_span: Span,
}

/// How a highlighted occurrence uses the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HighlightKind {
    /// The declaration.
    Write,
    /// A use.
    Read,
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

/// A foldable region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoldingRange {
    pub span: Span,
    pub is_comment: bool,
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
