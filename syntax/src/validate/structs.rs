//! Struct declarations, fields, type resolution and layout.

use std::collections::HashMap;

use super::{NameKind, Validator};
use crate::ast::{self, Word};
use crate::chars;
use crate::diagnostics::{Code, Diagnostic, TextEdit};
use crate::ids;
use crate::layout::{self, ElementSize};
use crate::model::*;
use crate::Span;

impl Validator<'_> {
    pub(super) fn struct_decl(&mut self, s: &ast::StructDecl) {
        self.check_keyword_space(s.keyword, s.name.as_ref().map(|n| n.span));
        if let Some(l_brace) = s.l_brace {
            self.check_one_line(
                Span::new(s.keyword.start, l_brace.end),
                "the head of a struct (`struct Name class … {`)",
            );
        }
        let Some(name) = &s.name else {
            self.missing(s.keyword.end, "struct name", None);
            return;
        };
        self.check_name(name, NameKind::Struct);
        let class = match &s.class {
            Some(word) if word.text == "inline" => Some(Class::Inline),
            Some(word) if word.text == "table" => Some(Class::Table),
            Some(word) => {
                let lower = word.text.to_lowercase();
                let mut diagnostic = Diagnostic::new(
                    Code::InvalidClass,
                    word.span,
                    format!(
                        "`{}` is not a struct class; write `inline` or `table`",
                        word.text
                    ),
                );
                if lower == "inline" || lower == "table" {
                    diagnostic = diagnostic.with_fix(format!("Use `{lower}`"), word.span, lower);
                }
                self.push(diagnostic);
                None
            }
            None => {
                self.push(
                    Diagnostic::new(
                        Code::InvalidClass,
                        name.span,
                        format!(
                            "struct `{}` has no class; write `inline` or `table` after its name",
                            name.text
                        ),
                    )
                    .with_fix(
                        "Make it a table",
                        Span::empty(name.span.end),
                        " table",
                    ),
                );
                None
            }
        };
        let tags: Vec<TagInfo> = s.tags.iter().map(|t| self.tag(t)).collect();
        let packed = match tags.iter().find(|t| t.name == "packed").cloned() {
            Some(tag) => self.packed_value(&tag).unwrap_or(self.schema.packed),
            None => self.schema.packed,
        };
        let (id, id_explicit) = match tags.iter().find(|t| t.name == "id") {
            Some(tag) => {
                match ids::parse_id(&tag.value) {
                    Some(id) => (id, true),
                    None => {
                        self.push(Diagnostic::new(
                        Code::InvalidId,
                        tag.span,
                        format!("`@id` takes a decimal number from 0 to 18446744073709551615, not `{}`", tag.value),
                    ));
                        (self.key.struct_id(&name.text), false)
                    }
                }
            }
            None => (self.key.struct_id(&name.text), false),
        };
        if s.fields.is_empty() && s.skipped_items == 0 {
            self.push(Diagnostic::new(
                Code::Empty,
                name.span,
                format!(
                    "struct `{}` has no fields; it needs at least one",
                    name.text
                ),
            ));
        }
        if s.r_brace.is_none() {
            self.unclosed(s.span.end, s.l_brace, "struct", &name.text);
        }

        let mut fields = Vec::with_capacity(s.fields.len());
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for field in &s.fields {
            if let Some(first) = seen.get(field.name.text.as_str()) {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateField,
                        field.name.span,
                        format!(
                            "struct `{}` already has a field named `{}`",
                            name.text, field.name.text
                        ),
                    )
                    .with_related(*first, "first declared here"),
                );
            } else {
                seen.insert(field.name.text.as_str(), field.name.span);
            }
            fields.push(self.field(field, s, name, class));
        }

        // A skipped field would shift every offset after it: no layout rather than a wrong one.
        let size = class
            .filter(|_| s.skipped_items == 0)
            .and_then(|class| self.struct_layout(name, class, packed, &mut fields));
        if let (Some(size), Some(Class::Inline), false) = (&size, class, packed) {
            let class_end = s.class.as_ref().map_or(name.span.end, |c| c.span.end);
            self.push(
                Diagnostic::new(
                    Code::Padding,
                    name.span,
                    format!(
                        "`{}` is not packed: {} padding bytes follow its {} bytes of content (total {}); padding can carry stale memory to readers",
                        name.text, size.padding, size.content, size.total
                    ),
                )
                .with_fix("Add `@packed(true)` (this changes the layout)", Span::empty(class_end), " @packed(true)"),
            );
        }
        if let Some(size) = &size {
            self.schema.largest = self.schema.largest.max(size.total);
        }

        let index = self.schema.structs.len();
        self.declare(name, DeclRef::Struct(index));
        let docs = self.docs_before(s.span.start);
        self.schema.structs.push(Struct {
            name: name.text.clone(),
            name_span: name.span,
            span: s.span,
            class,
            packed,
            id,
            id_explicit,
            tags,
            fields,
            size,
            docs,
        });
        self.schema.order.push(DeclRef::Struct(index));
    }

    /// Computes the offsets and sizes of `fields`; `None` (and no field layouts) when any
    /// field's type is unknown or the struct does not fit in 32 bits.
    pub(super) fn struct_layout(
        &mut self,
        name: &Word,
        class: Class,
        packed: bool,
        fields: &mut [Field],
    ) -> Option<StructSize> {
        let mut content = layout::content_start(class);
        let mut content_wide = u64::from(content);
        let mut layouts = Vec::with_capacity(fields.len());
        for field in fields.iter() {
            let element = self.element_size(field)?;
            let sizes = layout::field_sizes(element, field.model, field.length, packed);
            layouts.push(FieldLayout {
                offset: content,
                minimum: sizes.minimum,
                field: sizes.field,
                allocation: sizes.allocation,
            });
            content = content.wrapping_add(sizes.field);
            content_wide += sizes.field_wide;
        }
        let size = layout::struct_size(class, packed, content);
        let total_wide = content_wide + u64::from(size.padding);
        if total_wide > u64::from(u32::MAX) {
            self.push(Diagnostic::new(
                Code::SizeOverflow,
                name.span,
                format!(
                    "struct `{}` is {total_wide} bytes; the format's limit is 4294967295 bytes (2^32 − 1)",
                    name.text
                ),
            ));
            return None;
        }
        for (field, layout) in fields.iter_mut().zip(layouts) {
            field.layout = Some(layout);
        }
        Some(size)
    }

    /// The size class of a field's element, when it is known and valid.
    pub(super) fn element_size(&self, field: &Field) -> Option<ElementSize> {
        field.format?;
        match field.target? {
            TypeTarget::Primitive(p) => Some(ElementSize::Scalar(p.size())),
            TypeTarget::Enum(i) => self.schema.enums[i]
                .base
                .map(|b| ElementSize::Scalar(b.size())),
            TypeTarget::Struct(i) => {
                let target = &self.schema.structs[i];
                let size = target.size.as_ref()?;
                match target.class? {
                    Class::Inline => Some(ElementSize::Inline { total: size.total }),
                    Class::Table => Some(ElementSize::Table {
                        minimum: size.minimum,
                        total: size.total,
                    }),
                }
            }
        }
    }

    pub(super) fn field(
        &mut self,
        f: &ast::Field,
        s: &ast::StructDecl,
        struct_name: &Word,
        class: Option<Class>,
    ) -> Field {
        self.check_name(&f.name, NameKind::Field);
        self.check_one_line(f.span, "a field");
        let tags: Vec<TagInfo> = f.tags.iter().map(|t| self.tag(t)).collect();
        if f.semi.is_none() {
            self.missing(f.span.end, "`;` after the field", Some(";"));
        }
        let docs = self.docs_before(f.span.start);
        let Some(ty) = &f.ty else {
            self.missing(
                f.name.span.end,
                &format!("type of field `{}`", f.name.text),
                None,
            );
            return Field {
                name: f.name.text.clone(),
                name_span: f.name.span,
                span: f.span,
                type_text: String::new(),
                type_span: Span::empty(f.name.span.end),
                base: String::new(),
                base_span: Span::empty(f.name.span.end),
                model: TypeModel::Single,
                length: 1,
                target: None,
                format: None,
                layout: None,
                tags,
                docs,
            };
        };
        self.check_gap(
            f.name.span,
            ty.span,
            "a space is needed between the field name and its type",
        );
        let base = ty.element_text();
        let base_span = ty.element_span();
        let mut valid = true;
        let (model, length, prefix) = match &ty.array {
            None => (TypeModel::Single, 1, String::new()),
            Some(array) => {
                let digits = array.length_text();
                let limited = array.limited.is_some();
                let prefix = format!("[{}{}]", if limited { "<" } else { "" }, digits);
                let span = array.l_bracket.cover(array.r_bracket);
                match (limited, digits.is_empty()) {
                    (false, true) => (TypeModel::Slice, 0, prefix),
                    (true, true) => {
                        self.push(Diagnostic::new(
                            Code::InvalidLength,
                            span,
                            "a limited slice needs its limit: `[<N]T` (or `[]T` for no limit)",
                        ));
                        valid = false;
                        (TypeModel::SliceLimited, 0, prefix)
                    }
                    (_, false) => {
                        let model = if limited {
                            TypeModel::SliceLimited
                        } else {
                            TypeModel::Array
                        };
                        match ids::parse_decimal(&digits, u64::from(u32::MAX)) {
                            Some(n) => (model, n as u32, prefix),
                            None => {
                                self.push(Diagnostic::new(
                                    Code::InvalidLength,
                                    span,
                                    format!("{digits} is too large: lengths and limits go up to 4294967295"),
                                ));
                                valid = false;
                                (model, 0, prefix)
                            }
                        }
                    }
                }
            }
        };
        let type_text = if prefix.is_empty() {
            base.clone()
        } else {
            format!("{prefix}{base}")
        };
        if self.slice(ty.span).contains(chars::is_blank) {
            self.spaced_type(ty.span, &type_text);
        }

        let target = self.resolve(&base, base_span, struct_name, s);
        let mut format = None;
        if let Some(target) = target {
            let (is_enum_or_table, what) = match target {
                TypeTarget::Primitive(_) => (false, ""),
                TypeTarget::Enum(_) => (true, "enum"),
                TypeTarget::Struct(i) => {
                    (self.schema.structs[i].class == Some(Class::Table), "table")
                }
            };
            if is_enum_or_table && model != TypeModel::Single {
                self.push(Diagnostic::new(
                    Code::ArrayOfEnumOrTable,
                    ty.span,
                    format!(
                        "{what} `{base}` cannot be the element of an array or slice; wrap it in an inline struct (`struct {base}Item inline {{ Value {base}; }}`)"
                    ),
                ));
                valid = false;
            }
            format = valid.then(|| match target {
                TypeTarget::Primitive(_) => Format::Primitive,
                TypeTarget::Enum(_) => Format::Enum,
                TypeTarget::Struct(i) => match self.schema.structs[i].class {
                    Some(Class::Table) => Format::Table,
                    _ => Format::Struct,
                },
            });
        }
        self.field_warnings(f, &base, base_span, model, length, ty.span, class);
        Field {
            name: f.name.text.clone(),
            name_span: f.name.span,
            span: f.span,
            type_text,
            type_span: ty.span,
            base,
            base_span,
            model,
            length,
            target,
            format,
            layout: None,
            tags,
            docs,
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn field_warnings(
        &mut self,
        f: &ast::Field,
        base: &str,
        base_span: Span,
        model: TypeModel,
        length: u32,
        type_span: Span,
        class: Option<Class>,
    ) {
        if base == "char" && matches!(model, TypeModel::Single | TypeModel::Array) {
            self.push(
                Diagnostic::new(
                    Code::CharOutsideSlice,
                    base_span,
                    "`char` outside a slice: upstream's generators emit broken code for it; use `[]char` or `[<N]char` for text and `uint8` for a byte",
                )
                .with_fix("Use `uint8`", base_span, "uint8"),
            );
        }
        if length == 0 && matches!(model, TypeModel::Array | TypeModel::SliceLimited) {
            self.push(Diagnostic::new(
                Code::ZeroLength,
                type_span,
                format!("field `{}` can hold no data: its length is 0", f.name.text),
            ));
        }
        if model == TypeModel::Slice && class == Some(Class::Table) {
            self.push(Diagnostic::new(
                Code::UnboundedSlice,
                type_span,
                format!(
                    "`{}` has no limit: a message from an untrusted source can make readers allocate without bound; consider `[<N]{base}`",
                    f.name.text
                ),
            ));
        }
    }

    pub(super) fn spaced_type(&mut self, span: Span, compact: &str) {
        self.push(
            Diagnostic::new(
                Code::SpacedType,
                span,
                format!("spaces inside a type are ignored: this reads as `{compact}`"),
            )
            .with_fix(format!("Write `{compact}`"), span, compact.to_string()),
        );
    }

    /// Resolves a field's element: a primitive, else an earlier declaration.
    pub(super) fn resolve(
        &mut self,
        base: &str,
        span: Span,
        struct_name: &Word,
        s: &ast::StructDecl,
    ) -> Option<TypeTarget> {
        if let Some(p) = Primitive::from_name(base) {
            return Some(TypeTarget::Primitive(p));
        }
        if let Some(decl) = self.names.get(base) {
            return Some(match decl {
                DeclRef::Enum(i) => TypeTarget::Enum(*i),
                DeclRef::Struct(i) => TypeTarget::Struct(*i),
            });
        }
        if base == struct_name.text {
            self.push(Diagnostic::new(
                Code::UnknownType,
                span,
                format!("struct `{base}` cannot contain itself; a struct can only use types declared before it"),
            ));
            return None;
        }
        if let Some(&(name_span, decl_span)) = self.declared.get(base) {
            if name_span.start > span.start {
                let diagnostic = Diagnostic::new(
                    Code::UnknownType,
                    span,
                    format!("`{base}` is declared after this struct; a type must be declared before it is used"),
                )
                .with_related(name_span, format!("`{base}` is declared here"));
                let moved = self.move_above(decl_span, s.span);
                self.push(
                    diagnostic.with_fix_edits(
                        format!("Move `{base}` above `{}`", struct_name.text),
                        moved,
                    ),
                );
                return None;
            }
        }
        let mut diagnostic = Diagnostic::new(
            Code::UnknownType,
            span,
            format!(
                "unknown type `{base}`: not a primitive and not an enum or struct declared above"
            ),
        );
        if base == "string" && !self.text[..span.start].ends_with(']') {
            diagnostic = diagnostic.with_fix("Use `[]char` (Karmem's string)", span, "[]char");
        } else if let Some(suggestion) = self.closest_type(base) {
            diagnostic = diagnostic.with_fix(format!("Change to `{suggestion}`"), span, suggestion);
        }
        self.push(diagnostic);
        None
    }

    /// Edits that move the declaration at `decl` (and its line break) to just before `before`.
    pub(super) fn move_above(&self, decl: Span, before: Span) -> Vec<TextEdit> {
        let rest = &self.text[decl.end..];
        let trailing = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let mut end = decl.end + trailing;
        if self.text[end..].starts_with("\r\n") {
            end += 2;
        } else if self.text[end..].starts_with('\n') {
            end += 1;
        }
        vec![
            TextEdit {
                span: Span::empty(before.start),
                new_text: format!("{}\n\n", self.slice(decl)),
            },
            TextEdit {
                span: Span::new(decl.start, end),
                new_text: String::new(),
            },
        ]
    }

    /// The primitive or earlier declaration whose name is closest to `name` (typo fixes).
    pub(super) fn closest_type(&self, name: &str) -> Option<String> {
        let candidates = Primitive::ALL
            .iter()
            .map(|p| p.name().to_string())
            .chain(self.names.keys().cloned());
        candidates
            .map(|c| (edit_distance(name, &c), c))
            .filter(|(d, c)| *d <= 2 && *d < c.chars().count())
            .min()
            .map(|(_, c)| c)
    }
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(current + 1);
            previous = current;
        }
    }
    row[b.len()]
}
