//! Syntax tree: what the parser recognised, with a byte span on every node.
//!
//! The tree is deliberately liberal: it records what was written (including forms upstream
//! rejects or that we reject by policy) so that validation can explain the problem precisely.
//! Parts the parser could not recognise are simply absent (`None`, or an
//! [`Decl::Error`] node covering the skipped text); later passes skip them quietly.

use crate::Span;

/// A piece of source text with its span: a name, a number, a keyword.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub span: Span,
}

/// The whole file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceFile {
    pub header: Option<Header>,
    pub decls: Vec<Decl>,
}

/// `karmem name @tag(...);`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The `karmem` keyword.
    pub keyword: Span,
    pub module: Option<Word>,
    pub tags: Vec<Tag>,
    pub semi: Option<Span>,
    pub span: Span,
}

/// `@name(value)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// The name without the `@`; its span covers the name only.
    pub name: Word,
    /// The value, when parentheses were written.
    pub value: Option<TagValue>,
    /// From the `@` to the closing `)`.
    pub span: Span,
}

/// The parenthesised part of a tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagValue {
    pub l_paren: Span,
    pub pieces: Vec<TagPiece>,
    pub r_paren: Option<Span>,
}

/// One piece of a tag value: bare letters/digits or a back-quoted run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagPiece {
    /// The text without back-quotes.
    pub text: String,
    pub quoted: bool,
    /// The span of the token, back-quotes included.
    pub span: Span,
}

impl TagValue {
    /// The value as upstream reads it: every piece concatenated, back-quotes removed.
    pub fn text(&self) -> String {
        self.pieces.iter().map(|p| p.text.as_str()).collect()
    }
}

impl Tag {
    /// The tag's value text (empty when no value or no parentheses were written).
    pub fn value_text(&self) -> String {
        self.value.as_ref().map(TagValue::text).unwrap_or_default()
    }
}

/// A top-level declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decl {
    Enum(EnumDecl),
    Struct(StructDecl),
    /// Text the parser skipped because it could not be read as a declaration.
    Error(Span),
}

impl Decl {
    pub fn span(&self) -> Span {
        match self {
            Decl::Enum(e) => e.span,
            Decl::Struct(s) => s.span,
            Decl::Error(span) => *span,
        }
    }
}

/// `enum Name base @tags { values }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumDecl {
    pub keyword: Span,
    pub name: Option<Word>,
    /// The base type pieces as written (`uint8`, or `uint` `8` when spaced out).
    pub base: Vec<Word>,
    pub tags: Vec<Tag>,
    pub l_brace: Option<Span>,
    pub values: Vec<EnumValue>,
    /// Values the parser could not read and skipped (each one has a syntax error).
    pub skipped_items: usize,
    pub r_brace: Option<Span>,
    pub span: Span,
}

/// `Name;` or `Name = 12;`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumValue {
    pub name: Word,
    pub eq: Option<Span>,
    pub value: Option<Word>,
    pub semi: Option<Span>,
    pub span: Span,
}

/// `struct Name class @tags { fields }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructDecl {
    pub keyword: Span,
    pub name: Option<Word>,
    /// `inline` or `table` as written (any name is recorded; validation checks it).
    pub class: Option<Word>,
    pub tags: Vec<Tag>,
    pub l_brace: Option<Span>,
    pub fields: Vec<Field>,
    /// Fields the parser could not read and skipped (each one has a syntax error).
    pub skipped_items: usize,
    pub r_brace: Option<Span>,
    pub span: Span,
}

/// `Name type @tags;`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: Word,
    pub ty: Option<TypeExpr>,
    pub tags: Vec<Tag>,
    pub semi: Option<Span>,
    pub span: Span,
}

/// `T`, `[N]T`, `[]T` or `[<N]T`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeExpr {
    pub array: Option<ArraySpec>,
    /// The element name; more than one piece when spaces were written inside it (`uint 8`).
    pub element: Vec<Word>,
    pub span: Span,
}

impl TypeExpr {
    /// The element name with any inner spaces removed.
    pub fn element_text(&self) -> String {
        self.element.iter().map(|w| w.text.as_str()).collect()
    }

    /// The span of the element name (all of its pieces).
    pub fn element_span(&self) -> Span {
        match (self.element.first(), self.element.last()) {
            (Some(first), Some(last)) => first.span.cover(last.span),
            _ => self.span,
        }
    }
}

/// The bracketed prefix of an array or slice type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArraySpec {
    pub l_bracket: Span,
    /// The `<` of a limited slice.
    pub limited: Option<Span>,
    /// The length digits; more than one piece when spaced out.
    pub length: Vec<Word>,
    pub r_bracket: Span,
}

impl ArraySpec {
    /// The length digits with spaces removed (empty for `[]`).
    pub fn length_text(&self) -> String {
        self.length.iter().map(|w| w.text.as_str()).collect()
    }
}
