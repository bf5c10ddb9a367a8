//! Enum declarations and their values.

use std::collections::HashMap;

use super::{NameKind, Validator};
use crate::ast::{self, Word};
use crate::diagnostics::{Code, Diagnostic};
use crate::ids;
use crate::model::*;
use crate::Span;

impl Validator<'_> {
    pub(super) fn enum_decl(&mut self, e: &ast::EnumDecl) {
        self.check_keyword_space(e.keyword, e.name.as_ref().map(|n| n.span));
        if let Some(l_brace) = e.l_brace {
            self.check_one_line(
                Span::new(e.keyword.start, l_brace.end),
                "the head of an enum (`enum Name base … {`)",
            );
        }
        let Some(name) = &e.name else {
            self.missing(e.keyword.end, "enum name", None);
            return;
        };
        self.check_name(name, NameKind::Enum);
        let base_text: String = e.base.iter().map(|w| w.text.as_str()).collect();
        let base = Primitive::from_name(&base_text).filter(|p| p.is_enum_base());
        match (e.base.first(), e.base.last()) {
            (Some(first), Some(last)) => {
                let span = first.span.cover(last.span);
                if base.is_none() {
                    self.push(Diagnostic::new(
                        Code::InvalidEnumBase,
                        span,
                        format!("`{base_text}` cannot be an enum's base type; use one of uint8, uint16, uint32, uint64, int8, int16, int32, int64"),
                    ));
                } else if e.base.len() > 1 {
                    self.spaced_type(span, &base_text);
                }
            }
            _ => self.missing(name.span.end, "enum base type (e.g. `uint8`)", None),
        }
        let tags: Vec<TagInfo> = e.tags.iter().map(|t| self.tag(t)).collect();
        if e.values.is_empty() && e.skipped_items == 0 {
            self.push(Diagnostic::new(
                Code::Empty,
                name.span,
                format!(
                    "enum `{}` has no values; it needs at least one, with the value 0",
                    name.text
                ),
            ));
        }
        if e.r_brace.is_none() {
            self.unclosed(e.span.end, e.l_brace, "enum", &name.text);
        }

        let mut values: Vec<EnumValue> = Vec::with_capacity(e.values.len());
        let mut seen: HashMap<&str, Span> = HashMap::new();
        let mut numbers: HashMap<u64, &str> = HashMap::new();
        let mut sequential = true;
        for (position, value) in e.values.iter().enumerate() {
            values.push(self.enum_value(value, position, base, &mut sequential));
            let model = values.last().expect("just pushed");
            if let Some(first) = seen.get(value.name.text.as_str()) {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateValue,
                        value.name.span,
                        format!(
                            "enum `{}` already has a value named `{}`",
                            name.text, value.name.text
                        ),
                    )
                    .with_related(*first, "first declared here"),
                );
            } else {
                seen.insert(value.name.text.as_str(), value.name.span);
            }
            if let Some(number) = model.number {
                if let Some(first) = numbers.get(&number) {
                    self.push(Diagnostic::new(
                        Code::DuplicateEnumNumber,
                        value.span,
                        format!("`{}` has the value {number}, like `{first}`; decoding cannot tell them apart", value.name.text),
                    ));
                } else {
                    numbers.insert(number, value.name.text.as_str());
                }
            }
        }
        if !values.is_empty() && !values.iter().any(|v| v.value == "0") {
            self.push(Diagnostic::new(
                Code::EnumNoZero,
                name.span,
                format!("enum `{}` has no value 0; one value must be exactly `0` (the default of a zeroed message)", name.text),
            ));
        }
        self.last_value_clash(e, name);

        let index = self.schema.enums.len();
        self.declare(name, DeclRef::Enum(index));
        let docs = self.docs_before(e.span.start);
        self.schema.enums.push(Enum {
            name: name.text.clone(),
            name_span: name.span,
            span: e.span,
            base,
            base_text,
            sequential,
            tags,
            values,
            docs,
        });
        self.schema.order.push(DeclRef::Enum(index));
    }

    pub(super) fn enum_value(
        &mut self,
        value: &ast::EnumValue,
        position: usize,
        base: Option<Primitive>,
        sequential: &mut bool,
    ) -> EnumValue {
        self.check_name(&value.name, NameKind::Value);
        self.check_one_line(value.span, "an enum value");
        if let Some(eq) = value.eq {
            // Q8: `A=1;` is rejected upstream; `A =1;` and `A = 1;` are fine.
            self.check_gap(
                value.name.span,
                eq,
                "a space is needed between the value name and `=`",
            );
            if value.value.is_none() {
                self.push(
                    Diagnostic::new(
                        Code::Missing,
                        eq,
                        format!("`=` without a value after `{}`", value.name.text),
                    )
                    .with_fix(
                        "Remove the `=`",
                        Span::new(value.name.span.end, eq.end),
                        "",
                    ),
                );
            }
        }
        if value.semi.is_none() {
            self.missing(value.span.end, "`;` after the enum value", Some(";"));
        }
        let position_text = position.to_string();
        let (text, explicit) = match &value.value {
            Some(number) => (number.text.clone(), true),
            None => (position_text.clone(), false),
        };
        *sequential &= text == position_text;
        let number = base.and_then(|base| {
            let (bits, signed) = base.integer_bits()?;
            let max = if signed {
                (1u64 << (bits - 1)) - 1
            } else {
                u64::MAX >> (64 - bits)
            };
            let parsed = ids::parse_decimal(&text, max);
            if parsed.is_none() {
                let span = value.value.as_ref().map_or(value.name.span, |w| w.span);
                self.push(Diagnostic::new(
                    Code::EnumValueRange,
                    span,
                    format!(
                        "{text} does not fit the base type {} (0 to {max})",
                        base.name()
                    ),
                ));
            }
            parsed
        });
        EnumValue {
            name: value.name.text.clone(),
            name_span: value.name.span,
            span: value.span,
            value: text,
            explicit,
            number,
            docs: self.docs_before(value.span.start),
        }
    }

    /// Q10 (language.md §7.1): upstream checks the name of an enum's *last value* against
    /// earlier enums and against every struct but the most recent one, and rejects a clash.
    pub(super) fn last_value_clash(&mut self, e: &ast::EnumDecl, name: &Word) {
        let Some(last) = e.values.last() else { return };
        let last_name = last.name.text.as_str();
        if !self.names.contains_key(last_name) {
            return; // no earlier type has this name (the common case: no scan)
        }
        let clash = self
            .schema
            .enums
            .iter()
            .map(|en| (en.name.as_str(), en.name_span))
            .chain(
                self.schema.structs[..self.schema.structs.len().saturating_sub(1)]
                    .iter()
                    .map(|s| (s.name.as_str(), s.name_span)),
            )
            .find(|(n, _)| *n == last_name);
        if let Some((_, span)) = clash {
            self.push(
                Diagnostic::new(
                    Code::DuplicateType,
                    last.name.span,
                    format!(
                        "the last value of enum `{}` is named `{last_name}`, like an earlier type; the upstream toolchain rejects this",
                        name.text
                    ),
                )
                .with_related(span, "the type with that name"),
            );
        }
    }
}
