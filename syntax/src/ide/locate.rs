//! What is at an offset: the word under the cursor and the syntax it belongs to, and what
//! a name refers to.
//!
//! The tree says what a word *is* (a struct's name, a field's type, a tag); the model says
//! what it *means* (the layout, the resolved target). Every declaration the parser read with
//! a name is in the model, matched here by its name span. A type reference resolves through
//! the model (`Field::target`) and, when that is unknown (a type declared later, a struct
//! naming itself), through the declared names, so navigation works on broken files too.

use std::collections::HashMap;

use crate::ast::{self, Decl, EnumDecl, StructDecl, Tag};
use crate::lexer::{Token, TokenKind};
use crate::model::{DeclRef, Schema, TypeTarget};
use crate::{Analysis, Span};

/// The text of `span`, or `""` when the span is not a valid range of `text`.
pub(crate) fn slice(text: &str, span: Span) -> &str {
    text.get(span.start..span.end).unwrap_or("")
}

/// Tokens that can carry meaning under a cursor (names, keywords, numbers, tags, values).
pub(crate) fn is_word(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Ident
            | TokenKind::KwKarmem
            | TokenKind::KwEnum
            | TokenKind::KwStruct
            | TokenKind::KwInline
            | TokenKind::KwTable
            | TokenKind::Number
            | TokenKind::TagName
            | TokenKind::Quoted
            | TokenKind::UnterminatedQuoted
    )
}

/// The word under the cursor: the word token containing `offset`, else the one ending
/// exactly at `offset` (a cursor just after a name is on that name).
pub(crate) fn word_at(analysis: &Analysis, offset: usize) -> Option<Token> {
    if !analysis.text.is_char_boundary(offset) {
        // Past the end, or inside a multi-byte character: not a position.
        return None;
    }
    let tokens = &analysis.tokens;
    let index = tokens.partition_point(|t| t.span.end <= offset);
    if let Some(token) = tokens.get(index) {
        if token.span.start <= offset && is_word(token.kind) {
            return Some(*token);
        }
    }
    let previous = index.checked_sub(1).and_then(|i| tokens.get(i))?;
    (previous.span.end == offset && is_word(previous.kind)).then_some(*previous)
}

/// Which declaration of the model a tree node is (matched by name span).
#[derive(Debug, Default)]
pub(crate) struct ModelIndex {
    enums: HashMap<usize, usize>,
    structs: HashMap<usize, usize>,
}

impl ModelIndex {
    pub(crate) fn new(schema: &Schema) -> Self {
        ModelIndex {
            enums: schema
                .enums
                .iter()
                .enumerate()
                .map(|(i, e)| (e.name_span.start, i))
                .collect(),
            structs: schema
                .structs
                .iter()
                .enumerate()
                .map(|(i, s)| (s.name_span.start, i))
                .collect(),
        }
    }

    pub(crate) fn enum_of(&self, schema: &Schema, decl: &EnumDecl) -> Option<usize> {
        let name = decl.name.as_ref()?;
        let index = *self.enums.get(&name.span.start)?;
        (schema.enums.get(index)?.name_span == name.span).then_some(index)
    }

    pub(crate) fn struct_of(&self, schema: &Schema, decl: &StructDecl) -> Option<usize> {
        let name = decl.name.as_ref()?;
        let index = *self.structs.get(&name.span.start)?;
        (schema.structs.get(index)?.name_span == name.span).then_some(index)
    }
}

/// Where a tag is written.
#[derive(Debug, Clone, Copy)]
pub(crate) enum TagOwner<'a> {
    Header,
    Enum,
    Struct(&'a StructDecl, Option<usize>),
    Field,
}

/// The syntax a word belongs to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Site<'a> {
    /// The module name in the header.
    Module(&'a ast::Header),
    /// A declaration keyword (`karmem`, `enum`, `struct`).
    Keyword,
    EnumName(Option<usize>),
    /// A piece of an enum's base type.
    EnumBase(&'a EnumDecl),
    /// A value's name (`on_name`) or its number.
    Value {
        model: Option<usize>,
        index: usize,
        on_name: bool,
    },
    StructName(&'a StructDecl, Option<usize>),
    /// A struct's class word (`inline`, `table`, or a misspelling).
    Class(&'a StructDecl, Option<usize>),
    /// A field's name (`on_name`) or a piece of its `[..]` prefix.
    Field {
        decl: &'a StructDecl,
        model: Option<usize>,
        index: usize,
        on_name: bool,
    },
    /// A field's element type.
    TypeRef {
        decl: &'a StructDecl,
        model: Option<usize>,
        index: usize,
    },
    /// A tag's name or a piece of its value.
    Tag {
        tag: &'a Tag,
        owner: TagOwner<'a>,
    },
}

/// The word at `offset` and the syntax it belongs to.
pub(crate) fn site_at(analysis: &Analysis, offset: usize) -> Option<(Site<'_>, Span)> {
    let token = word_at(analysis, offset)?;
    let span = token.span;
    let index = ModelIndex::new(&analysis.schema);
    let site = site_of_span(analysis, &index, span)?;
    // A word inside several pieces (a spaced type `uint 8`) is described as a whole.
    let span = match site {
        Site::TypeRef { decl, index, .. } => decl.fields[index]
            .ty
            .as_ref()
            .map_or(span, |ty| ty.element_span()),
        Site::EnumBase(decl) => match (decl.base.first(), decl.base.last()) {
            (Some(first), Some(last)) => first.span.cover(last.span),
            _ => span,
        },
        _ => span,
    };
    Some((site, span))
}

fn inside(outer: Span, inner: Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

fn tag_site<'a>(tags: &'a [Tag], span: Span, owner: TagOwner<'a>) -> Option<Site<'a>> {
    let tag = tags.iter().find(|t| inside(t.span, span))?;
    Some(Site::Tag { tag, owner })
}

fn site_of_span<'a>(analysis: &'a Analysis, index: &ModelIndex, span: Span) -> Option<Site<'a>> {
    let schema = &analysis.schema;
    if let Some(header) = &analysis.file.header {
        if inside(header.span, span) {
            if header.keyword == span {
                return Some(Site::Keyword);
            }
            if header.module.as_ref().is_some_and(|m| m.span == span) {
                return Some(Site::Module(header));
            }
            return tag_site(&header.tags, span, TagOwner::Header);
        }
    }
    let decl_index = analysis
        .file
        .decls
        .partition_point(|d| d.span().end <= span.start);
    let decl = analysis.file.decls.get(decl_index)?;
    if !inside(decl.span(), span) {
        return None;
    }
    match decl {
        Decl::Error(_) => None,
        Decl::Enum(e) => {
            let model = index.enum_of(schema, e);
            if e.keyword == span {
                return Some(Site::Keyword);
            }
            if e.name.as_ref().is_some_and(|n| n.span == span) {
                return Some(Site::EnumName(model));
            }
            if e.base.iter().any(|w| w.span == span) {
                return Some(Site::EnumBase(e));
            }
            if let Some(site) = tag_site(&e.tags, span, TagOwner::Enum) {
                return Some(site);
            }
            let (i, value) = e
                .values
                .iter()
                .enumerate()
                .find(|(_, v)| inside(v.span, span))?;
            if value.name.span == span {
                return Some(Site::Value {
                    model,
                    index: i,
                    on_name: true,
                });
            }
            value
                .value
                .as_ref()
                .filter(|w| w.span == span)
                .map(|_| Site::Value {
                    model,
                    index: i,
                    on_name: false,
                })
        }
        Decl::Struct(s) => {
            let model = index.struct_of(schema, s);
            if s.keyword == span {
                return Some(Site::Keyword);
            }
            if s.name.as_ref().is_some_and(|n| n.span == span) {
                return Some(Site::StructName(s, model));
            }
            if s.class.as_ref().is_some_and(|c| c.span == span) {
                return Some(Site::Class(s, model));
            }
            if let Some(site) = tag_site(&s.tags, span, TagOwner::Struct(s, model)) {
                return Some(site);
            }
            let (i, field) = s
                .fields
                .iter()
                .enumerate()
                .find(|(_, f)| inside(f.span, span))?;
            if field.name.span == span {
                return Some(Site::Field {
                    decl: s,
                    model,
                    index: i,
                    on_name: true,
                });
            }
            if let Some(site) = tag_site(&field.tags, span, TagOwner::Field) {
                return Some(site);
            }
            let ty = field.ty.as_ref()?;
            if ty.element.iter().any(|w| w.span == span) {
                return Some(Site::TypeRef {
                    decl: s,
                    model,
                    index: i,
                });
            }
            let array = ty.array.as_ref()?;
            inside(array.l_bracket.cover(array.r_bracket), span).then_some(Site::Field {
                decl: s,
                model,
                index: i,
                on_name: false,
            })
        }
    }
}

/// A named thing that can be navigated to and renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Entity {
    Decl(DeclRef),
    /// Value `.1` of enum `.0`.
    Value(usize, usize),
    /// Field `.1` of struct `.0`.
    Field(usize, usize),
}

/// What a field's element names, as a declaration: the model's target, else (a type
/// declared later, a struct naming itself) the first declaration with that name.
pub(crate) fn resolve_field_type(
    schema: &Schema,
    index: &ModelIndex,
    decl: &StructDecl,
    field_index: usize,
) -> Option<DeclRef> {
    let ty = decl.fields.get(field_index)?.ty.as_ref()?;
    let model_field = index
        .struct_of(schema, decl)
        .and_then(|s| schema.structs[s].fields.get(field_index));
    match model_field.and_then(|f| f.target) {
        Some(TypeTarget::Enum(i)) => Some(DeclRef::Enum(i)),
        Some(TypeTarget::Struct(i)) => Some(DeclRef::Struct(i)),
        Some(TypeTarget::Primitive(_)) => None,
        None => {
            let name = ty.element_text();
            if crate::model::Primitive::from_name(&name).is_some() {
                return None;
            }
            schema.lookup(&name)
        }
    }
}

/// The entity a site names, if any.
pub(crate) fn entity_of(analysis: &Analysis, site: &Site<'_>) -> Option<Entity> {
    match *site {
        Site::EnumName(Some(i)) => Some(Entity::Decl(DeclRef::Enum(i))),
        Site::StructName(_, Some(i)) => Some(Entity::Decl(DeclRef::Struct(i))),
        Site::Value {
            model: Some(e),
            index,
            on_name: true,
            ..
        } => Some(Entity::Value(e, index)),
        Site::Field {
            model: Some(s),
            index,
            on_name: true,
            ..
        } => Some(Entity::Field(s, index)),
        Site::TypeRef { decl, index, .. } => {
            let model_index = ModelIndex::new(&analysis.schema);
            resolve_field_type(&analysis.schema, &model_index, decl, index).map(Entity::Decl)
        }
        _ => None,
    }
}

/// Every type reference in the file: (element span, the declaration it names).
pub(crate) fn type_references(analysis: &Analysis) -> Vec<(Span, DeclRef)> {
    let schema = &analysis.schema;
    let index = ModelIndex::new(schema);
    let mut refs = Vec::new();
    for decl in &analysis.file.decls {
        let Decl::Struct(s) = decl else { continue };
        for (i, field) in s.fields.iter().enumerate() {
            let Some(ty) = &field.ty else { continue };
            if ty.element.is_empty() {
                continue;
            }
            if let Some(target) = resolve_field_type(schema, &index, s, i) {
                refs.push((ty.element_span(), target));
            }
        }
    }
    refs
}

/// The name span and whole span of an entity.
pub(crate) fn entity_spans(schema: &Schema, entity: Entity) -> Option<(Span, Span)> {
    match entity {
        Entity::Decl(DeclRef::Enum(i)) => schema.enums.get(i).map(|e| (e.name_span, e.span)),
        Entity::Decl(DeclRef::Struct(i)) => schema.structs.get(i).map(|s| (s.name_span, s.span)),
        Entity::Value(e, v) => {
            let value = schema.enums.get(e)?.values.get(v)?;
            Some((value.name_span, value.span))
        }
        Entity::Field(s, f) => {
            let field = schema.structs.get(s)?.fields.get(f)?;
            Some((field.name_span, field.span))
        }
    }
}
