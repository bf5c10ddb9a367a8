//! The Karmem schema language: text → tokens → syntax tree → semantic model.
//!
//! Entry point: [`analyze`]. It never fails and never panics: it always returns a tree, a
//! model of everything that could be understood, and every diagnostic.

pub mod ast;
pub mod diagnostics;
pub mod layout_json;
pub mod lexer;
pub mod line_index;
pub mod parser;

pub use diagnostics::{Code, Diagnostic, Fix, Related, Severity, TextEdit};

/// A byte range in the source text (`start..end`, UTF-8 offsets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// An empty span at `offset`.
    pub fn empty(offset: usize) -> Self {
        Span::new(offset, offset)
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn len(self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub fn contains(self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start..self.end
    }
}

mod analysis;
pub mod model;

pub use analysis::{analyze, Analysis, AnalysisOptions};
pub mod chars;
pub mod compat;
pub mod fmt;
pub mod ide;
pub mod ids;
pub mod layout;
pub mod validate;
