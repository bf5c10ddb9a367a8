//! The pipeline in one call: text → tokens → tree → model, with every diagnostic.

use crate::ast::SourceFile;
use crate::diagnostics::Diagnostic;
use crate::lexer::{self, Token};
use crate::model::Schema;
use crate::parser;

/// Settings that change what the analyzer accepts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnalysisOptions {
    /// Reject our extensions (comments), so an accepted schema also builds with upstream
    /// (`upstream-compatible = true` in `karmem.toml`, policy.md §2).
    pub upstream_compatible: bool,
}

/// Everything known about one schema text.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub text: String,
    /// Every token, trivia included; they cover the text exactly.
    pub tokens: Vec<Token>,
    pub file: SourceFile,
    pub schema: Schema,
    /// Sorted by position; errors, warnings and hints.
    pub diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Analyses a schema. Never fails and never panics.
pub fn analyze(text: &str, options: &AnalysisOptions) -> Analysis {
    let tokens = lexer::lex(text);
    let parsed = parser::parse(text, &tokens);
    let mut diagnostics = parsed.diagnostics;
    let schema =
        crate::validate::build_model(text, &tokens, &parsed.file, options, &mut diagnostics);
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    Analysis {
        text: text.to_string(),
        tokens,
        file: parsed.file,
        schema,
        diagnostics,
    }
}
