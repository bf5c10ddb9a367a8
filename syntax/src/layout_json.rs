//! The machine-readable layout report of `karmem layout --json` (`layout-json.md`).
//!
//! [`to_json`] turns a [`Schema`] into the report document. Keys come out in the order the
//! contract fixes (the structs below serialise their fields in declaration order, and the
//! crate enables serde_json's `preserve_order`, so the returned [`Value`] keeps it too).
//! Struct ids and enum values are strings, sizes and offsets numbers.
//!
//! The report is only meaningful for a schema without errors: callers check
//! [`crate::Analysis::has_errors`] first (a schema with errors prints no JSON). Should a
//! number be missing anyway (a struct whose layout is unknown), it is reported as `0` rather
//! than panicking.

use serde::Serialize;
use serde_json::Value;

use crate::model::{Enum, EnumValue, Field, Schema, Struct, TagInfo};

/// The layout report of `schema` (see the module documentation).
pub fn to_json(schema: &Schema) -> Value {
    serde_json::to_value(Report::new(schema)).unwrap_or_default()
}

#[derive(Serialize)]
struct Report<'a> {
    name: &'a str,
    packed: bool,
    largest: u32,
    tags: Vec<Tag<'a>>,
    enums: Vec<EnumReport<'a>>,
    structs: Vec<StructReport<'a>>,
}

#[derive(Serialize)]
struct Tag<'a> {
    name: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
struct EnumReport<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    ty: &'a str,
    sequential: bool,
    tags: Vec<Tag<'a>>,
    values: Vec<ValueReport<'a>>,
}

#[derive(Serialize)]
struct ValueReport<'a> {
    name: &'a str,
    value: &'a str,
    /// Enum values cannot carry tags in the language; the key is always `[]`.
    tags: [(); 0],
}

#[derive(Serialize)]
struct StructReport<'a> {
    name: &'a str,
    class: &'static str,
    id: String,
    packed: bool,
    size: StructSizeReport,
    tags: Vec<Tag<'a>>,
    fields: Vec<FieldReport<'a>>,
}

#[derive(Serialize)]
struct StructSizeReport {
    minimum: u32,
    content: u32,
    padding: u32,
    total: u32,
}

#[derive(Serialize)]
struct FieldReport<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    ty: &'a str,
    base: &'a str,
    model: &'static str,
    format: &'static str,
    length: u32,
    offset: u32,
    size: FieldSizeReport,
    tags: Vec<Tag<'a>>,
}

#[derive(Serialize)]
struct FieldSizeReport {
    minimum: u32,
    field: u32,
    allocation: u32,
}

impl<'a> Report<'a> {
    fn new(schema: &'a Schema) -> Self {
        Report {
            name: &schema.module,
            packed: schema.packed,
            largest: schema.largest,
            tags: tags(&schema.tags),
            enums: in_source_order(&schema.enums, |e| e.name_span.start)
                .map(EnumReport::new)
                .collect(),
            structs: in_source_order(&schema.structs, |s| s.name_span.start)
                .map(StructReport::new)
                .collect(),
        }
    }
}

impl<'a> EnumReport<'a> {
    fn new(e: &'a Enum) -> Self {
        EnumReport {
            name: &e.name,
            ty: &e.base_text,
            sequential: e.sequential,
            tags: tags(&e.tags),
            values: e.values.iter().map(ValueReport::new).collect(),
        }
    }
}

impl<'a> ValueReport<'a> {
    fn new(v: &'a EnumValue) -> Self {
        ValueReport {
            name: &v.name,
            value: &v.value,
            tags: [],
        }
    }
}

impl<'a> StructReport<'a> {
    fn new(s: &'a Struct) -> Self {
        let size = match &s.size {
            Some(size) => StructSizeReport {
                minimum: size.minimum,
                content: size.content,
                padding: size.padding,
                total: size.total,
            },
            None => StructSizeReport {
                minimum: 0,
                content: 0,
                padding: 0,
                total: 0,
            },
        };
        StructReport {
            name: &s.name,
            // A struct without a class has an error, so this is never printed.
            class: s.class.map_or("none", |c| c.as_str()),
            id: s.id.to_string(),
            packed: s.packed,
            size,
            tags: tags(written_struct_tags(&s.tags)),
            fields: s.fields.iter().map(FieldReport::new).collect(),
        }
    }
}

/// The struct tags the report lists. Upstream appends an `id` tag to every struct that
/// had none, and the reference reports (`shared/corpus/*.json`) drop a struct's *last* tag
/// when it is an `id` tag — which also drops an `@id(...)` written last. We follow the
/// reference exactly (verified on every corpus file: a written `@id` that is not last
/// stays, e.g. `@id(123) @expectedId(123)`).
fn written_struct_tags(tags: &[TagInfo]) -> &[TagInfo] {
    match tags.split_last() {
        Some((last, rest)) if last.name == "id" => rest,
        _ => tags,
    }
}

impl<'a> FieldReport<'a> {
    fn new(f: &'a Field) -> Self {
        let (offset, size) = match f.layout {
            Some(l) => (
                l.offset,
                FieldSizeReport {
                    minimum: l.minimum,
                    field: l.field,
                    allocation: l.allocation,
                },
            ),
            None => (
                0,
                FieldSizeReport {
                    minimum: 0,
                    field: 0,
                    allocation: 0,
                },
            ),
        };
        FieldReport {
            name: &f.name,
            ty: &f.type_text,
            base: &f.base,
            model: f.model.as_str(),
            // An unresolved element has an error, so this is never printed.
            format: f.format.map_or("", |fmt| fmt.as_str()),
            length: f.length,
            offset,
            size,
            tags: tags(&f.tags),
        }
    }
}

fn tags(tags: &[TagInfo]) -> Vec<Tag<'_>> {
    tags.iter()
        .map(|t| Tag {
            name: &t.name,
            value: &t.value,
        })
        .collect()
}

/// The items sorted by where they are declared (stable; the model already keeps source
/// order, this only guards the contract).
fn in_source_order<T>(items: &[T], start: impl Fn(&T) -> usize) -> impl Iterator<Item = &T> {
    let mut sorted: Vec<&T> = items.iter().collect();
    sorted.sort_by_key(|item| start(item));
    sorted.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Class, FieldLayout, Format, Primitive, StructSize, TypeModel, TypeTarget};
    use crate::Span;

    fn tag(name: &str, value: &str) -> TagInfo {
        TagInfo {
            name: name.into(),
            value: value.into(),
            span: Span::default(),
        }
    }

    fn sample() -> Schema {
        let e = Enum {
            name: "Region".into(),
            name_span: Span::new(20, 26),
            span: Span::new(15, 60),
            base: Some(Primitive::Int8),
            base_text: "int8".into(),
            sequential: false,
            tags: vec![tag("doc", "")],
            values: vec![
                EnumValue {
                    name: "Zero".into(),
                    name_span: Span::default(),
                    span: Span::default(),
                    value: "0".into(),
                    explicit: false,
                    number: Some(0),
                    docs: None,
                },
                EnumValue {
                    name: "Neg".into(),
                    name_span: Span::default(),
                    span: Span::default(),
                    value: "-5".into(),
                    explicit: true,
                    number: Some(u64::MAX - 4),
                    docs: None,
                },
            ],
            docs: None,
        };
        let field = Field {
            name: "Name".into(),
            name_span: Span::default(),
            span: Span::default(),
            type_text: "[<128]char".into(),
            type_span: Span::default(),
            base: "char".into(),
            base_span: Span::default(),
            model: TypeModel::SliceLimited,
            length: 128,
            target: Some(TypeTarget::Primitive(Primitive::Char)),
            format: Some(Format::Primitive),
            layout: Some(FieldLayout {
                offset: 4,
                minimum: 1,
                field: 12,
                allocation: 1,
            }),
            tags: vec![tag("json", "name")],
            docs: None,
        };
        let s = Struct {
            name: "User".into(),
            name_span: Span::new(70, 74),
            span: Span::new(63, 120),
            class: Some(Class::Table),
            packed: false,
            id: u64::MAX,
            id_explicit: true,
            tags: vec![tag("id", "18446744073709551615")],
            fields: vec![field],
            size: Some(StructSize {
                minimum: 8,
                content: 16,
                padding: 0,
                total: 16,
            }),
            docs: None,
        };
        Schema {
            module: "demo".into(),
            packed: false,
            tags: vec![tag("golang.package", "demo")],
            enums: vec![e],
            structs: vec![s],
            order: vec![
                crate::model::DeclRef::Enum(0),
                crate::model::DeclRef::Struct(0),
            ],
            largest: 16,
        }
    }

    #[test]
    fn document_shape_and_key_order() {
        let json = serde_json::to_string(&to_json(&sample())).unwrap();
        let expected = concat!(
            r#"{"name":"demo","packed":false,"largest":16,"#,
            r#""tags":[{"name":"golang.package","value":"demo"}],"#,
            r#""enums":[{"name":"Region","type":"int8","sequential":false,"tags":[{"name":"doc","value":""}],"#,
            r#""values":[{"name":"Zero","value":"0","tags":[]},{"name":"Neg","value":"-5","tags":[]}]}],"#,
            r#""structs":[{"name":"User","class":"table","id":"18446744073709551615","packed":false,"#,
            r#""size":{"minimum":8,"content":16,"padding":0,"total":16},"#,
            // The last tag, an `id`, is left out like the reference reports do.
            r#""tags":[],"#,
            r#""fields":[{"name":"Name","type":"[<128]char","base":"char","model":"slice-limited","#,
            r#""format":"primitive","length":128,"offset":4,"#,
            r#""size":{"minimum":1,"field":12,"allocation":1},"tags":[{"name":"json","value":"name"}]}]}]}"#,
        );
        assert_eq!(json, expected);
    }

    #[test]
    fn empty_schema() {
        let json = serde_json::to_string(&to_json(&Schema::default())).unwrap();
        assert_eq!(
            json,
            r#"{"name":"","packed":false,"largest":0,"tags":[],"enums":[],"structs":[]}"#
        );
    }

    #[test]
    fn unknown_layout_is_zero_not_a_panic() {
        let mut schema = sample();
        schema.structs[0].size = None;
        schema.structs[0].class = None;
        schema.structs[0].fields[0].layout = None;
        schema.structs[0].fields[0].format = None;
        let json = to_json(&schema);
        let s = &json["structs"][0];
        assert_eq!(s["size"]["total"], 0);
        assert_eq!(s["fields"][0]["offset"], 0);
        assert_eq!(s["fields"][0]["size"]["allocation"], 0);
    }
}
