//! The compatibility checker, case by case, and its agreement with the wire.
//!
//! `tests/data/compat/<case>/` holds `old.km`, `new.km` and `expected` (one line per
//! violation: rule, the span in the new file, the span in the old file, the message; run
//! with `UPDATE_EXPECT=1` to rewrite them), optionally `messages.json` (the values to
//! encode, per root struct and direction, when generated ones would not show a loss).
//! Every rule has a case named after it.
//!
//! Agreement with the wire, for every case and every struct of the old schema that has a
//! counterpart in the new one (both directions: encode with one schema with
//! `karmem_codegen::codec::encode`, decode with the other):
//!
//! * no `wire` violation → every field present in both reads the same value (through
//!   renames), every field present on one side only reads as its default, except fields a
//!   `lossy` violation names; and a case with a `lossy` violation shows a loss;
//! * a `wire` violation → some value is misread.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use karmem_codegen::codec::{decode, encode};
use karmem_syntax::compat::{self, Category, Matching, Rule, Violation};
use karmem_syntax::line_index::{Encoding, LineIndex};
use karmem_syntax::model::{Class, Field, Primitive, Schema, TypeModel, TypeTarget};
use karmem_syntax::{analyze, Analysis, AnalysisOptions, Span};
use serde_json::{json, Map, Value};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/compat")
}

struct Case {
    name: String,
    dir: PathBuf,
    old: Analysis,
    new: Analysis,
    violations: Vec<Violation>,
    messages: Value,
}

fn cases() -> Vec<Case> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(data_dir())
        .expect("tests/data/compat")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.into_iter()
        .map(|dir| {
            let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
            let old = analyze(&read("old.km"), &AnalysisOptions::default());
            let new = analyze(&read("new.km"), &AnalysisOptions::default());
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            assert!(!old.has_errors(), "{name}/old.km: {:?}", old.diagnostics);
            assert!(!new.has_errors(), "{name}/new.km: {:?}", new.diagnostics);
            let violations = compat::check(&old, &new);
            let messages = std::fs::read_to_string(dir.join("messages.json"))
                .map(|t| serde_json::from_str(&t).unwrap())
                .unwrap_or(Value::Null);
            Case {
                name,
                dir,
                old,
                new,
                violations,
                messages,
            }
        })
        .collect()
}

fn position(text: &str, span: Span) -> String {
    let index = LineIndex::new(text);
    let (a, b) = index.range(span, Encoding::Utf32);
    let excerpt = &text[span.start.min(text.len())..span.end.min(text.len())];
    format!(
        "{}:{}-{}:{} {:?}",
        a.line + 1,
        a.col + 1,
        b.line + 1,
        b.col + 1,
        excerpt
    )
}

fn render(case: &Case) -> String {
    let mut out = String::new();
    for v in &case.violations {
        out.push_str(&format!(
            "{} new {} old {}\n    {}\n",
            v.rule,
            position(&case.new.text, v.new_span),
            position(&case.old.text, v.old_span),
            v.message
        ));
    }
    out
}

#[test]
fn expected_violations() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for case in cases() {
        let rendered = render(&case);
        let path = case.dir.join("expected");
        if update {
            std::fs::write(&path, &rendered).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if expected != rendered {
            failures.push(format!(
                "--- {}: expected\n{expected}--- got\n{rendered}",
                case.name
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n(run with UPDATE_EXPECT=1 to accept)",
        failures.join("\n")
    );
}

#[test]
fn every_rule_has_a_case_that_reports_it() {
    let cases = cases();
    for rule in Rule::ALL {
        let case = cases
            .iter()
            .find(|c| c.name == rule.as_str())
            .unwrap_or_else(|| panic!("no tests/data/compat/{rule}/"));
        assert!(
            case.violations.iter().any(|v| v.rule == *rule),
            "{rule}: {:?}",
            case.violations
        );
    }
}

#[test]
fn spans_point_at_what_they_name() {
    for case in cases() {
        for v in &case.violations {
            for (text, span) in [(&case.new.text, v.new_span), (&case.old.text, v.old_span)] {
                assert!(
                    span.start < span.end && span.end <= text.len(),
                    "{}: {} has an empty or out-of-range span",
                    case.name,
                    v.rule
                );
            }
            if let Some(member) = &v.member {
                let new_text = &case.new.text[v.new_span.range()];
                let old_text = &case.old.text[v.old_span.range()];
                let named = new_text.contains(member.as_str())
                    || old_text.contains(member.as_str())
                    || matches!(v.rule, Rule::HeaderOptionChanged);
                // A type span names the type, not the member; that is fine.
                let type_rule = matches!(
                    v.rule,
                    Rule::FieldTypeChanged
                        | Rule::FieldTypeReinterpreted
                        | Rule::FieldTypeChangedCompatible
                        | Rule::FieldValueRangeChanged
                        | Rule::ArrayLengthChanged
                        | Rule::SliceLimitReduced
                        | Rule::EmbeddedTypeChanged
                        | Rule::TableLastFieldResized
                        | Rule::EnumValueRemoved
                        | Rule::TableLastFieldRemoved
                        | Rule::TableFieldRemoved
                        | Rule::InlineFieldRemoved
                );
                assert!(named || type_rule, "{}: {} {:?}", case.name, v.rule, v);
            }
        }
    }
}

#[test]
fn the_checker_is_quiet_on_identical_schemas() {
    for case in cases() {
        assert!(
            compat::check(&case.old, &case.old).is_empty(),
            "{}",
            case.name
        );
        assert!(
            compat::check(&case.new, &case.new).is_empty(),
            "{}",
            case.name
        );
    }
}

// ---------------------------------------------------------------------------------------
// Agreement with the wire

/// Distinct non-default values for every field of a struct.
struct Generator<'a> {
    schema: &'a Schema,
    counter: u64,
}

impl Generator<'_> {
    fn next(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    fn value(&mut self, index: usize) -> Value {
        let s = &self.schema.structs[index];
        let mut object = Map::new();
        for f in &s.fields {
            let v = self.field(f);
            object.insert(f.name.clone(), v);
        }
        Value::Object(object)
    }

    fn field(&mut self, f: &Field) -> Value {
        let target = f.target.unwrap();
        let count = match f.model {
            TypeModel::Single => return self.element(target),
            TypeModel::Array => f.length.min(3),
            TypeModel::Slice => 2,
            TypeModel::SliceLimited => f.length.min(2),
        };
        if matches!(target, TypeTarget::Primitive(Primitive::Char)) && f.model != TypeModel::Array {
            let n = self.next();
            let text = format!("s{n}");
            return Value::String(text.chars().take(count.max(1) as usize).collect());
        }
        Value::Array((0..count).map(|_| self.element(target)).collect())
    }

    fn element(&mut self, target: TypeTarget) -> Value {
        let n = self.next();
        match target {
            TypeTarget::Primitive(p) => match p {
                Primitive::Bool => json!(true),
                Primitive::Byte | Primitive::Char | Primitive::Uint8 | Primitive::Int8 => {
                    json!(n % 100 + 1)
                }
                Primitive::Uint16 | Primitive::Int16 => json!(1000 + n),
                Primitive::Uint32 | Primitive::Int32 => json!(100_000 + 7 * n),
                Primitive::Uint64 | Primitive::Int64 => json!(10_000_000_000u64 + n),
                Primitive::Float32 => json!(n as f64 + 0.5),
                Primitive::Float64 => json!(n as f64 + 0.25),
            },
            TypeTarget::Enum(i) => {
                let e = &self.schema.enums[i];
                let v = e
                    .values
                    .iter()
                    .rev()
                    .find(|v| v.number != Some(0))
                    .unwrap_or(&e.values[0]);
                json!(v.name)
            }
            TypeTarget::Struct(i) => self.value(i),
        }
    }
}

/// Compares what one side wrote with what the other side read.
struct Compare<'a> {
    writer: &'a Schema,
    reader: &'a Schema,
    /// Old → new when true.
    forward: bool,
    matching: &'a Matching,
    /// `(struct, field)` of the reader's schema whose values differ.
    diffs: BTreeSet<(String, String)>,
}

impl Compare<'_> {
    fn counterpart(&self, writer_struct: usize) -> Option<usize> {
        if self.forward {
            self.matching.new_struct(writer_struct)
        } else {
            self.matching.old_struct(writer_struct)
        }
    }

    fn field_pairs(&self, w: usize, r: usize) -> Vec<(usize, usize)> {
        if self.forward {
            self.matching.fields(self.writer, w, self.reader, r)
        } else {
            self.matching
                .fields(self.reader, r, self.writer, w)
                .into_iter()
                .map(|(o, n)| (n, o))
                .collect()
        }
    }

    /// `wrote` is the writer's canonical value (encoded and decoded by the writer),
    /// `read` what the reader decoded from the same bytes.
    fn structs(&mut self, w: usize, r: usize, wrote: &Value, read: &Value) {
        let (ws, rs) = (&self.writer.structs[w], &self.reader.structs[r]);
        let pairs = self.field_pairs(w, r);
        let default = decode(self.reader, &rs.name, &[]).unwrap();
        for (j, g) in rs.fields.iter().enumerate() {
            let got = &read[&g.name];
            match pairs.iter().find(|p| p.1 == j) {
                Some(&(i, _)) => {
                    let f = &ws.fields[i];
                    let before = self.diffs.len();
                    // A difference inside a nested struct is recorded there.
                    if !self.values(f, &wrote[&f.name], g, got) && self.diffs.len() == before {
                        if std::env::var_os("COMPAT_DEBUG").is_some() {
                            eprintln!(
                                "{}.{}: wrote {} read {}",
                                rs.name, g.name, wrote[&f.name], got
                            );
                        }
                        self.diffs.insert((rs.name.clone(), g.name.clone()));
                    }
                }
                None => {
                    // A field the writer does not know reads as its default.
                    if !same(got, &default[&g.name]) {
                        self.diffs.insert((rs.name.clone(), g.name.clone()));
                    }
                }
            }
        }
    }

    fn values(&mut self, f: &Field, wrote: &Value, g: &Field, read: &Value) -> bool {
        match (f.target, g.target) {
            // Matched structs, or a table reference to another table: field by field.
            (Some(TypeTarget::Struct(a)), Some(TypeTarget::Struct(b)))
                if f.model == g.model
                    && (self.counterpart(a) == Some(b)
                        || (self.writer.structs[a].class == Some(Class::Table)
                            && self.reader.structs[b].class == Some(Class::Table))) =>
            {
                let (ws, rs) = (wrote.as_array(), read.as_array());
                match (ws, rs) {
                    (Some(ws), Some(rs)) => {
                        if ws.len() != rs.len() {
                            return false;
                        }
                        let before = self.diffs.len();
                        for (x, y) in ws.iter().zip(rs) {
                            self.structs(a, b, x, y);
                        }
                        self.diffs.len() == before
                    }
                    _ => {
                        let before = self.diffs.len();
                        self.structs(a, b, wrote, read);
                        self.diffs.len() == before
                    }
                }
            }
            (Some(TypeTarget::Enum(a)), Some(TypeTarget::Enum(b))) if f.model == g.model => {
                self.same_enum_value(a, wrote, b, read)
            }
            _ => leaves(self.writer, f, wrote) == leaves(self.reader, g, read),
        }
    }

    /// Whether the reader got the writer's enum value: the counterpart of the writer's
    /// value (through renames), or, for a value the reader does not have, the same number.
    fn same_enum_value(&self, a: usize, wrote: &Value, b: usize, read: &Value) -> bool {
        let (we, re) = (&self.writer.enums[a], &self.reader.enums[b]);
        let index = |e: &karmem_syntax::model::Enum, v: &Value| match v {
            Value::String(name) => e.values.iter().position(|x| &x.name == name),
            other => e
                .values
                .iter()
                .position(|x| x.number.is_some() && x.number == other.as_u64()),
        };
        let number = |e: &karmem_syntax::model::Enum, v: &Value| match v {
            Value::String(name) => e
                .values
                .iter()
                .find(|x| &x.name == name)
                .and_then(|x| x.number),
            other => other.as_u64(),
        };
        let pairs: Vec<(usize, usize)> = if self.forward {
            Matching::values(we, re)
        } else {
            Matching::values(re, we)
                .into_iter()
                .map(|(o, n)| (n, o))
                .collect()
        };
        let (wi, ri) = (index(we, wrote), index(re, read));
        match wi.and_then(|i| pairs.iter().find(|p| p.0 == i)) {
            Some(&(_, j)) => ri == Some(j),
            None => {
                number(we, wrote) == number(re, read)
                    && ri.is_none_or(|j| !pairs.iter().any(|p| p.1 == j))
            }
        }
    }
}

/// Numbers compare by value (`1` = `1.0`); everything else structurally.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(p), Some(q)) => p == q,
            _ => match (x.as_u64(), y.as_u64()) {
                (Some(p), Some(q)) => p == q,
                _ => x.as_f64() == y.as_f64(),
            },
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// A value reduced to its scalars in byte order (strings as bytes, booleans and enums
/// as numbers), to compare values of types with the same bytes (`Vec3` and `[3]float32`).
fn leaves(schema: &Schema, f: &Field, v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let target = f.target.unwrap();
    match (f.model, v) {
        (TypeModel::Single, _) => element_leaves(schema, target, v, &mut out),
        (_, Value::String(s)) => {
            out.push(format!("len {}", s.len()));
            out.extend(s.bytes().map(|b| b.to_string()));
        }
        (model, Value::Array(items)) => {
            if model != TypeModel::Array {
                out.push(format!("len {}", items.len()));
            }
            for item in items {
                element_leaves(schema, target, item, &mut out);
            }
        }
        _ => out.push(v.to_string()),
    }
    out
}

fn element_leaves(schema: &Schema, target: TypeTarget, v: &Value, out: &mut Vec<String>) {
    match target {
        TypeTarget::Struct(i) => {
            for f in &schema.structs[i].fields {
                out.extend(leaves(schema, f, &v[&f.name]));
            }
        }
        TypeTarget::Enum(i) => {
            let number = match v {
                Value::String(name) => schema.enums[i]
                    .values
                    .iter()
                    .find(|x| &x.name == name)
                    .and_then(|x| x.number)
                    .map(|n| n.to_string()),
                other => Some(other.to_string()),
            };
            out.push(number.unwrap_or_default());
        }
        TypeTarget::Primitive(_) => out.push(match v {
            Value::Bool(b) => u8::from(*b).to_string(),
            Value::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => i.to_string(),
                (_, Some(u)) => u.to_string(),
                _ => format!("{:?}", n.as_f64().unwrap_or_default()),
            },
            other => other.to_string(),
        }),
    }
}

/// The value a writer sends for `root` (from `messages.json` or generated) and what it
/// reads back itself.
fn written(schema: &Schema, root: usize, given: Option<&Value>) -> (Vec<u8>, Value) {
    let name = &schema.structs[root].name;
    let value = match given {
        Some(v) => v.clone(),
        None => Generator { schema, counter: 0 }.value(root),
    };
    let bytes =
        encode(schema, name, &value).unwrap_or_else(|e| panic!("encode {name} {value}: {e}"));
    let canonical = decode(schema, name, &bytes).unwrap();
    (bytes, canonical)
}

/// `(struct, field)` pairs whose values differ, in both directions, over every struct of
/// the old schema with a counterpart.
fn wire_diffs(case: &Case) -> BTreeSet<(String, String)> {
    let (old, new) = (&case.old.schema, &case.new.schema);
    let matching = Matching::new(old, new);
    let mut diffs = BTreeSet::new();
    for (oi, s) in old.structs.iter().enumerate() {
        let Some(ni) = matching.new_struct(oi) else {
            continue;
        };
        let given = case.messages.get(&s.name);
        for forward in [true, false] {
            let (writer, reader, w, r, key) = if forward {
                (old, new, oi, ni, "old")
            } else {
                (new, old, ni, oi, "new")
            };
            let (bytes, wrote) = written(writer, w, given.and_then(|g| g.get(key)));
            let read = decode(reader, &reader.structs[r].name, &bytes).unwrap();
            let mut compare = Compare {
                writer,
                reader,
                forward,
                matching: &matching,
                diffs: BTreeSet::new(),
            };
            compare.structs(w, r, &wrote, &read);
            // Name differences in the new schema's terms.
            for (st, field) in compare.diffs {
                diffs.insert(if forward {
                    (st, field)
                } else {
                    let oi2 = old.structs.iter().position(|x| x.name == st).unwrap();
                    let ni2 = matching.new_struct(oi2);
                    let name = ni2.map_or(st.clone(), |n| new.structs[n].name.clone());
                    let fname = ni2
                        .and_then(|n| {
                            let fi = old.structs[oi2]
                                .fields
                                .iter()
                                .position(|f| f.name == field)?;
                            matching
                                .fields(old, oi2, new, n)
                                .into_iter()
                                .find(|p| p.0 == fi)
                                .map(|p| new.structs[n].fields[p.1].name.clone())
                        })
                        .unwrap_or(field);
                    (name, fname)
                });
            }
        }
    }
    diffs
}

#[test]
fn the_rules_agree_with_the_wire() {
    let mut failures = Vec::new();
    for case in cases() {
        let diffs = wire_diffs(&case);
        let wire = case
            .violations
            .iter()
            .any(|v| v.category() == Category::Wire);
        let lossy: Vec<&Violation> = case
            .violations
            .iter()
            .filter(|v| v.category() == Category::Lossy)
            .collect();
        if wire {
            if diffs.is_empty() {
                failures.push(format!(
                    "{}: wire violations, but every value read back unchanged",
                    case.name
                ));
            }
            continue;
        }
        let unexplained: Vec<&(String, String)> = diffs
            .iter()
            .filter(|(st, field)| {
                !lossy
                    .iter()
                    .any(|v| &v.subject == st && v.member.as_ref().is_none_or(|m| m == field))
            })
            .collect();
        if !unexplained.is_empty() {
            failures.push(format!(
                "{}: no wire violation, but these values changed: {unexplained:?}",
                case.name
            ));
        }
        if !lossy.is_empty() && diffs.is_empty() {
            failures.push(format!(
                "{}: lossy violations, but no value was lost (add messages.json)",
                case.name
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_misread_is_shown_for_every_wire_rule() {
    let cases = cases();
    for rule in Rule::ALL.iter().filter(|r| r.category() == Category::Wire) {
        let case = cases.iter().find(|c| c.name == rule.as_str()).unwrap();
        assert!(!wire_diffs(case).is_empty(), "{rule}: no value was misread");
    }
}

// ---------------------------------------------------------------------------------------
// Random evolutions: the checker must not miss what the wire shows

/// A schema as declarations, to mutate and print back.
#[derive(Debug, Clone)]
struct Ir {
    module: String,
    packed: bool,
    decls: Vec<IrDecl>,
}

#[derive(Debug, Clone)]
enum IrDecl {
    Enum {
        name: String,
        base: String,
        values: Vec<(String, Option<String>)>,
    },
    Struct {
        name: String,
        class: &'static str,
        packed: Option<String>,
        id: Option<String>,
        fields: Vec<(String, String)>,
    },
}

impl Ir {
    fn of(schema: &Schema) -> Ir {
        let decls = schema
            .order
            .iter()
            .map(|d| match *d {
                karmem_syntax::model::DeclRef::Enum(i) => {
                    let e = &schema.enums[i];
                    IrDecl::Enum {
                        name: e.name.clone(),
                        base: e.base_text.clone(),
                        values: e
                            .values
                            .iter()
                            .map(|v| (v.name.clone(), v.explicit.then(|| v.value.clone())))
                            .collect(),
                    }
                }
                karmem_syntax::model::DeclRef::Struct(i) => {
                    let s = &schema.structs[i];
                    IrDecl::Struct {
                        name: s.name.clone(),
                        class: if s.class == Some(Class::Table) {
                            "table"
                        } else {
                            "inline"
                        },
                        packed: s
                            .tags
                            .iter()
                            .find(|t| t.name == "packed")
                            .map(|t| t.value.clone()),
                        id: s.id_explicit.then(|| s.id.to_string()),
                        fields: s
                            .fields
                            .iter()
                            .map(|f| (f.name.clone(), f.type_text.clone()))
                            .collect(),
                    }
                }
            })
            .collect();
        Ir {
            module: schema.module.clone(),
            packed: schema.packed,
            decls,
        }
    }

    fn text(&self) -> String {
        let mut out = format!("karmem {}", self.module);
        if self.packed {
            out.push_str(" @packed(true)");
        }
        out.push_str(";\n");
        for d in &self.decls {
            match d {
                IrDecl::Enum { name, base, values } => {
                    out.push_str(&format!("\nenum {name} {base} {{\n"));
                    for (v, n) in values {
                        match n {
                            Some(n) => out.push_str(&format!("    {v} = {n};\n")),
                            None => out.push_str(&format!("    {v};\n")),
                        }
                    }
                    out.push_str("}\n");
                }
                IrDecl::Struct {
                    name,
                    class,
                    packed,
                    id,
                    fields,
                } => {
                    out.push_str(&format!("\nstruct {name} {class}"));
                    if let Some(p) = packed {
                        out.push_str(&format!(" @packed({p})"));
                    }
                    if let Some(id) = id {
                        out.push_str(&format!(" @id({id})"));
                    }
                    out.push_str(" {\n");
                    for (f, t) in fields {
                        out.push_str(&format!("    {f} {t};\n"));
                    }
                    out.push_str("}\n");
                }
            }
        }
        out
    }

    fn mutate(&mut self, rng: &mut karmem_tests::gen::Rng, serial: &mut u32) {
        const TYPES: &[&str] = &[
            "uint8",
            "uint16",
            "uint32",
            "int32",
            "int8",
            "float32",
            "float64",
            "bool",
            "byte",
            "[4]uint8",
            "[2]uint16",
            "[]uint16",
            "[<3]uint32",
            "[]char",
            "[<8]char",
            "[1]uint32",
        ];
        *serial += 1;
        let fresh = format!("Zq{serial}");
        let structs: Vec<usize> = (0..self.decls.len())
            .filter(|&i| matches!(self.decls[i], IrDecl::Struct { .. }))
            .collect();
        let enums: Vec<usize> = (0..self.decls.len())
            .filter(|&i| matches!(self.decls[i], IrDecl::Enum { .. }))
            .collect();
        if rng.chance(15) {
            self.packed = !self.packed;
            return;
        }
        if !enums.is_empty() && rng.chance(25) {
            let IrDecl::Enum { base, values, .. } = &mut self.decls[rng.pick(&enums)] else {
                unreachable!()
            };
            match rng.below(5) {
                0 => values.push((fresh, None)),
                1 => {
                    let at = rng.below(values.len() as u64 + 1) as usize;
                    values.insert(at, (fresh, None));
                }
                2 if values.len() > 1 => {
                    let at = rng.below(values.len() as u64) as usize;
                    values.remove(at);
                }
                3 => *base = rng.pick(&["uint8", "int8", "uint16", "int32"]).to_string(),
                _ => {
                    let at = rng.below(values.len() as u64) as usize;
                    values[at].0 = fresh;
                }
            }
            return;
        }
        if structs.is_empty() {
            return;
        }
        let IrDecl::Struct {
            name,
            class,
            packed,
            id,
            fields,
        } = &mut self.decls[rng.pick(&structs)]
        else {
            unreachable!()
        };
        let ty = rng.pick(TYPES).to_string();
        match rng.below(11) {
            0 | 1 => fields.push((fresh, ty)),
            2 => {
                let at = rng.below(fields.len() as u64 + 1) as usize;
                fields.insert(at, (fresh, ty));
            }
            3 if fields.len() > 1 => {
                let at = rng.below(fields.len() as u64) as usize;
                fields.remove(at);
            }
            4 if fields.len() > 1 => {
                let at = rng.below(fields.len() as u64 - 1) as usize;
                fields.swap(at, at + 1);
            }
            5 => {
                let at = rng.below(fields.len() as u64) as usize;
                fields[at].1 = ty;
            }
            6 => {
                let at = rng.below(fields.len() as u64) as usize;
                fields[at].0 = fresh;
            }
            7 => {
                *packed = Some(
                    if packed.as_deref() == Some("true") {
                        "false"
                    } else {
                        "true"
                    }
                    .to_string(),
                )
            }
            8 => *class = if *class == "table" { "inline" } else { "table" },
            9 => {
                if rng.chance(50) {
                    *id = Some(rng.below(1000).to_string());
                } else {
                    *name = format!("{name}{fresh}");
                }
            }
            _ => {
                // Another length or limit.
                let at = rng.below(fields.len() as u64) as usize;
                let t = &mut fields[at].1;
                if let Some(rest) = t.strip_prefix("[<") {
                    let elem = rest.split(']').nth(1).unwrap_or("uint8").to_string();
                    *t = format!("[<{}]{elem}", rng.range(1, 9));
                } else if let Some(rest) = t.strip_prefix('[') {
                    let elem = rest.split(']').nth(1).unwrap_or("uint8").to_string();
                    *t = format!("[{}]{elem}", rng.range(1, 5));
                }
            }
        }
    }
}

#[test]
fn random_evolutions_never_hide_a_misread() {
    let mut rng = karmem_tests::gen::Rng::new(0x6b61_726d);
    let mut checked = 0;
    let mut compared = 0;
    let mut failures = Vec::new();
    // `COMPAT_SEEDS=5000` explores further.
    let seeds: u64 = std::env::var("COMPAT_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(400);
    for seed in 0..seeds {
        let old_text = karmem_tests::gen::random_schema(seed);
        let old = analyze(&old_text, &AnalysisOptions::default());
        if old.has_errors() {
            continue;
        }
        let mut ir = Ir::of(&old.schema);
        let mut serial = 0;
        for _ in 0..rng.range(1, 4) {
            ir.mutate(&mut rng, &mut serial);
        }
        let new = analyze(&ir.text(), &AnalysisOptions::default());
        if new.has_errors() {
            continue;
        }
        let violations = compat::check(&old, &new);
        // Values of huge arrays make slow messages; skip those schemas.
        if old.schema.largest > 4096 || new.schema.largest > 4096 {
            continue;
        }
        let case = Case {
            name: format!("seed {seed}"),
            dir: PathBuf::new(),
            old,
            new,
            violations,
            messages: Value::Null,
        };
        checked += 1;
        if case
            .violations
            .iter()
            .any(|v| v.category() == Category::Wire)
        {
            if std::env::var_os("COMPAT_DEBUG_WIRE").is_some() && wire_diffs(&case).is_empty() {
                eprintln!(
                    "{}: wire violations, nothing misread\n{}",
                    case.name,
                    render(&case)
                );
            }
            continue;
        }
        compared += 1;
        let diffs = wire_diffs(&case);
        let unexplained: Vec<&(String, String)> = diffs
            .iter()
            .filter(|(st, field)| {
                !case.violations.iter().any(|v| {
                    v.category() == Category::Lossy
                        && &v.subject == st
                        && v.member.as_ref().is_none_or(|m| m == field)
                })
            })
            .collect();
        if !unexplained.is_empty() {
            failures.push(format!(
                "{}: {unexplained:?}\n--- old\n{}--- new\n{}--- violations\n{}",
                case.name,
                case.old.text,
                case.new.text,
                render(&case)
            ));
        }
    }
    if std::env::var_os("COMPAT_DEBUG").is_some() {
        eprintln!("checked {checked}, compared on the wire {compared}");
    }
    assert!(
        checked > 100,
        "only {checked} random evolutions were checked"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_checker_never_panics_on_broken_schemas() {
    let mut rng = karmem_tests::gen::Rng::new(7);
    for seed in 0..200u64 {
        let text = karmem_tests::gen::random_schema(seed);
        let cut = |rng: &mut karmem_tests::gen::Rng| {
            let mut at = rng.below(text.len() as u64 + 1) as usize;
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let mut broken = text[..at].to_string();
            broken.push_str(&text[at..].replacen(';', "", 1));
            broken
        };
        let a = analyze(&cut(&mut rng), &AnalysisOptions::default());
        let b = analyze(&cut(&mut rng), &AnalysisOptions::default());
        let full = analyze(&text, &AnalysisOptions::default());
        let _ = compat::check(&a, &b);
        let _ = compat::check(&full, &b);
        let _ = compat::check(&a, &full);
    }
}

#[test]
fn large_schemas_are_checked_quickly() {
    let text = karmem_tests::gen::large_schema(600, 3);
    let old = analyze(&text, &AnalysisOptions::default());
    assert!(!old.has_errors());
    // Every declaration renamed: the worst case for matching.
    let mut ir = Ir::of(&old.schema);
    let names: Vec<String> = ir
        .decls
        .iter()
        .map(|d| match d {
            IrDecl::Enum { name, .. } | IrDecl::Struct { name, .. } => name.clone(),
        })
        .collect();
    let mut renamed = ir.text();
    for name in &names {
        renamed = renamed.replace(&format!(" {name} "), &format!(" {name}Renamed "));
        renamed = renamed.replace(&format!(" {name};"), &format!(" {name}Renamed;"));
        renamed = renamed.replace(&format!("]{name};"), &format!("]{name}Renamed;"));
    }
    ir.packed = !ir.packed;
    let new = analyze(&renamed, &AnalysisOptions::default());
    assert!(!new.has_errors(), "{:?}", &new.diagnostics[..1]);
    let start = std::time::Instant::now();
    let violations = compat::check(&old, &new);
    let renames = violations
        .iter()
        .filter(|v| matches!(v.rule, Rule::StructRenamed | Rule::EnumRenamed))
        .count();
    let removed: Vec<&str> = violations
        .iter()
        .filter(|v| matches!(v.rule, Rule::StructRemoved | Rule::EnumRemoved))
        .map(|v| v.subject.as_str())
        .take(8)
        .collect();
    assert!(
        renames * 10 >= names.len() * 9,
        "{renames} of {}: {removed:?}",
        names.len()
    );
    assert!(
        start.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    let start = std::time::Instant::now();
    assert!(compat::check(&old, &old).is_empty());
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}
