//! The comparison: header, enums, structs (positions, types, packing, class, ids), removed
//! declarations. See `compatibility.md` for the facts each rule follows from.

use std::collections::{BTreeMap, HashMap};

use super::matching::{is_slice, Matching};
use super::{Category, Effect, Rule, Side, Violation, Who};
use crate::ast::Decl;
use crate::model::{Class, Enum, Field, Primitive, Schema, Struct, TagInfo, TypeModel, TypeTarget};
use crate::{Fix, Span, TextEdit};

/// Flattening a type into cells stops past this many cells (a huge fixed array); such
/// types are then compared by their written form only.
const MAX_CELLS: usize = 1 << 16;
/// Nesting of inline structs followed while flattening.
const MAX_DEPTH: usize = 64;

pub(super) fn run(old: Side<'_>, new: Side<'_>, m: &Matching) -> Vec<Violation> {
    let mut checker = Checker {
        old,
        new,
        m,
        wire_changed: vec![false; new.schema.structs.len()],
        compatible_tables: HashMap::new(),
    };
    let mut out = Vec::new();
    checker.header(&mut out);
    for decl in &new.schema.order {
        match *decl {
            crate::model::DeclRef::Enum(ni) => {
                if let Some(oi) = m.old_enum(ni) {
                    checker.enum_pair(oi, ni, &mut out);
                }
            }
            crate::model::DeclRef::Struct(ni) => {
                if let Some(oi) = m.old_struct(ni) {
                    let start = out.len();
                    checker.struct_pair(oi, ni, &mut out, true);
                    checker.wire_changed[ni] =
                        out[start..].iter().any(|v| v.category() == Category::Wire);
                }
            }
        }
    }
    checker.removed(&mut out);
    out.sort_by(|a, b| {
        (a.new_span.start, a.new_span.end, a.rule, a.old_span.start).cmp(&(
            b.new_span.start,
            b.new_span.end,
            b.rule,
            b.old_span.start,
        ))
    });
    out
}

struct Checker<'a> {
    old: Side<'a>,
    new: Side<'a>,
    m: &'a Matching,
    /// New structs (by index) that changed in a way that misreads messages.
    wire_changed: Vec<bool>,
    /// `(old table, new table)` → whether the new one is a compatible evolution.
    compatible_tables: HashMap<(usize, usize), bool>,
}

// ---------------------------------------------------------------------------------------
// Building violations

fn violation(
    rule: Rule,
    message: String,
    new_span: Span,
    old_span: Span,
    subject: &str,
    member: Option<&str>,
) -> Violation {
    Violation {
        rule,
        message,
        new_span,
        old_span,
        subject: subject.to_string(),
        member: member.map(str::to_string),
        effects: Vec::new(),
        help: None,
        fix: None,
    }
}

impl Violation {
    fn effect(mut self, who: Who, what: impl Into<String>) -> Self {
        self.effects.push(Effect {
            who,
            what: what.into(),
        });
        self
    }

    fn effects(mut self, effects: Vec<Effect>) -> Self {
        self.effects.extend(effects);
        self
    }

    fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// "`A`", "`A` and `B`", "`A`, `B` and `C`", at most five names.
fn names(list: &[&str]) -> String {
    let quoted: Vec<String> = list.iter().take(5).map(|n| format!("`{n}`")).collect();
    let mut s = match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    };
    if list.len() > 5 {
        s = format!("{}, … ({} fields)", quoted.join(", "), list.len());
    }
    s
}

/// What moved fields do to readers on both sides.
fn shift_effects(shifted: &[&str]) -> Vec<Effect> {
    if shifted.is_empty() {
        return Vec::new();
    }
    let list = names(shifted);
    vec![
        Effect {
            who: Who::OldReaders,
            what: format!("read {list} of new messages at the old offsets, which hold other data"),
        },
        Effect {
            who: Who::NewReaders,
            what: format!("read {list} of old messages at the new offsets, which held other data"),
        },
    ]
}

fn kind(s: &Struct) -> &'static str {
    match s.class {
        Some(Class::Inline) => "inline struct",
        Some(Class::Table) => "table",
        None => "struct",
    }
}

fn own_tag<'t>(tags: &'t [TagInfo], name: &str) -> Option<&'t TagInfo> {
    tags.iter().find(|t| t.name == name)
}

fn is_signed(p: Primitive) -> bool {
    matches!(p.integer_bits(), Some((_, true)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Unsigned,
    Signed,
    Float,
    Bool,
}

fn prim_kind(p: Primitive) -> Kind {
    match p {
        Primitive::Bool => Kind::Bool,
        Primitive::Float32 | Primitive::Float64 => Kind::Float,
        Primitive::Int8 | Primitive::Int16 | Primitive::Int32 | Primitive::Int64 => Kind::Signed,
        _ => Kind::Unsigned,
    }
}

/// How far two types' bytes are apart, from the same bytes to another shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Grade {
    /// Same bytes, same meaning, same spelling.
    Same,
    /// Same bytes and meaning, other types in generated code (`byte` ↔ `uint8`).
    SourceOnly,
    /// Same bytes, but values outside a common range change (sign, `bool`, a limit).
    Range,
    /// Same shape, other meaning (`float32` ↔ `uint32`, another enum or table).
    Reinterpreted,
    /// Other sizes or offsets.
    Shape,
}

fn prim_grade(a: Primitive, b: Primitive) -> Grade {
    if a.size() != b.size() {
        Grade::Shape
    } else if a == b {
        Grade::Same
    } else if prim_kind(a) == prim_kind(b) {
        Grade::SourceOnly
    } else if prim_kind(a) == Kind::Float || prim_kind(b) == Kind::Float {
        Grade::Reinterpreted
    } else {
        Grade::Range
    }
}

// ---------------------------------------------------------------------------------------
// Cells: a type reduced to what its bytes hold

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scalar {
    Prim(Primitive),
    Enum { index: usize, base: Primitive },
}

impl Scalar {
    fn size(self) -> u32 {
        match self {
            Scalar::Prim(p) | Scalar::Enum { base: p, .. } => p.size(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    Scalar {
        off: u64,
        scalar: Scalar,
    },
    Pad {
        off: u64,
        len: u64,
    },
    Slice {
        off: u64,
        header: u32,
        limit: Option<u32>,
        elem: TypeTarget,
        stride: u32,
    },
    Table {
        off: u64,
        index: usize,
    },
}

struct Flattener<'a> {
    schema: &'a Schema,
    cells: Vec<Cell>,
}

impl Flattener<'_> {
    fn push(&mut self, cell: Cell) -> Option<()> {
        if self.cells.len() >= MAX_CELLS {
            return None;
        }
        self.cells.push(cell);
        Some(())
    }

    fn element(&mut self, target: TypeTarget, off: u64, depth: usize) -> Option<()> {
        match target {
            TypeTarget::Primitive(p) => self.push(Cell::Scalar {
                off,
                scalar: Scalar::Prim(p),
            }),
            TypeTarget::Enum(i) => {
                let base = self.schema.enums.get(i)?.base?;
                self.push(Cell::Scalar {
                    off,
                    scalar: Scalar::Enum { index: i, base },
                })
            }
            TypeTarget::Struct(i) => {
                let s = self.schema.structs.get(i)?;
                match s.class? {
                    Class::Table => self.push(Cell::Table { off, index: i }),
                    Class::Inline => {
                        if depth > MAX_DEPTH {
                            return None;
                        }
                        let size = s.size.as_ref()?;
                        for f in &s.fields {
                            let layout = f.layout?;
                            self.field(f, off + u64::from(layout.offset), depth + 1)?;
                        }
                        if size.padding > 0 {
                            self.push(Cell::Pad {
                                off: off + u64::from(size.content),
                                len: u64::from(size.padding),
                            })?;
                        }
                        Some(())
                    }
                }
            }
        }
    }

    fn field(&mut self, f: &Field, off: u64, depth: usize) -> Option<()> {
        let layout = f.layout?;
        let target = f.target?;
        match f.model {
            TypeModel::Single => self.element(target, off, depth),
            TypeModel::Array => {
                for i in 0..u64::from(f.length) {
                    if self.cells.len() >= MAX_CELLS {
                        return None;
                    }
                    self.element(target, off + i * u64::from(layout.allocation), depth)?;
                }
                Some(())
            }
            TypeModel::Slice | TypeModel::SliceLimited => self.push(Cell::Slice {
                off,
                header: layout.field,
                limit: (f.model == TypeModel::SliceLimited).then_some(f.length),
                elem: target,
                stride: layout.allocation,
            }),
        }
    }
}

fn field_cells(schema: &Schema, f: &Field) -> Option<Vec<Cell>> {
    let mut flat = Flattener {
        schema,
        cells: Vec::new(),
    };
    flat.field(f, 0, 0)?;
    Some(flat.cells)
}

fn element_cells(schema: &Schema, target: TypeTarget) -> Option<Vec<Cell>> {
    let mut flat = Flattener {
        schema,
        cells: Vec::new(),
    };
    flat.element(target, 0, 0)?;
    Some(flat.cells)
}

/// Whether a limit change cuts slices: `None` is unlimited.
fn limit_reduced(old: Option<u32>, new: Option<u32>) -> bool {
    match (old, new) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(a), Some(b)) => b < a,
    }
}

fn limit_of(f: &Field) -> Option<u32> {
    (f.model == TypeModel::SliceLimited).then_some(f.length)
}

fn integer_like(schema: &Schema, f: &Field) -> bool {
    f.model == TypeModel::Single
        && match f.target {
            Some(TypeTarget::Primitive(p)) => p.integer_bits().is_some() || p == Primitive::Byte,
            Some(TypeTarget::Enum(i)) => schema.enums.get(i).is_some_and(|e| e.base.is_some()),
            _ => false,
        }
}

// ---------------------------------------------------------------------------------------
// The checks

impl<'a> Checker<'a> {
    fn os(&self) -> &'a Schema {
        self.old.schema
    }

    fn ns(&self) -> &'a Schema {
        self.new.schema
    }

    fn scalar_grade(&self, a: Scalar, b: Scalar) -> Grade {
        if a.size() != b.size() {
            return Grade::Shape;
        }
        match (a, b) {
            (Scalar::Enum { index: i, base: x }, Scalar::Enum { index: j, base: y }) => {
                if self.m.new_enum(i) != Some(j) {
                    Grade::Reinterpreted
                } else if is_signed(x) != is_signed(y) {
                    Grade::Range
                } else {
                    Grade::Same
                }
            }
            (Scalar::Enum { base, .. }, Scalar::Prim(p))
            | (Scalar::Prim(p), Scalar::Enum { base, .. }) => {
                prim_grade(base, p).max(Grade::SourceOnly)
            }
            (Scalar::Prim(p), Scalar::Prim(q)) => prim_grade(p, q),
        }
    }

    /// Compares two cell lists; the grade and, for the worst cell, why.
    fn compare_cells(&mut self, a: &[Cell], b: &[Cell], depth: usize) -> (Grade, Option<String>) {
        if a.len() != b.len() {
            return (Grade::Shape, None);
        }
        let mut worst = (Grade::Same, None);
        for (x, y) in a.iter().zip(b) {
            let (grade, why) = match (*x, *y) {
                (
                    Cell::Scalar {
                        off: o1,
                        scalar: s1,
                    },
                    Cell::Scalar {
                        off: o2,
                        scalar: s2,
                    },
                ) if o1 == o2 => (self.scalar_grade(s1, s2), None),
                (Cell::Pad { off: o1, len: l1 }, Cell::Pad { off: o2, len: l2 })
                    if o1 == o2 && l1 == l2 =>
                {
                    (Grade::Same, None)
                }
                (
                    Cell::Slice {
                        off: o1,
                        header: h1,
                        limit: l1,
                        elem: e1,
                        stride: s1,
                    },
                    Cell::Slice {
                        off: o2,
                        header: h2,
                        limit: l2,
                        elem: e2,
                        stride: s2,
                    },
                ) if o1 == o2 && h1 == h2 => {
                    let mut grade = if s1 != s2 {
                        Grade::Shape
                    } else {
                        self.compare_elements(e1, e2, depth + 1).0
                    };
                    if limit_reduced(l1, l2) {
                        grade = grade.max(Grade::Range);
                    } else if l1 != l2 {
                        grade = grade.max(Grade::SourceOnly);
                    }
                    (grade, None)
                }
                (Cell::Table { off: o1, index: i }, Cell::Table { off: o2, index: j })
                    if o1 == o2 =>
                {
                    if self.m.new_struct(i) == Some(j) {
                        (Grade::Same, None)
                    } else if self.table_compatible(i, j) {
                        (Grade::SourceOnly, None)
                    } else {
                        let why = format!(
                            "table `{}` is not a compatible evolution of table `{}`",
                            self.ns().structs[j].name,
                            self.os().structs[i].name
                        );
                        (Grade::Reinterpreted, Some(why))
                    }
                }
                _ => (Grade::Shape, None),
            };
            if grade > worst.0 {
                worst = (grade, why);
            }
            if worst.0 == Grade::Shape {
                break;
            }
        }
        worst
    }

    fn compare_elements(
        &mut self,
        a: TypeTarget,
        b: TypeTarget,
        depth: usize,
    ) -> (Grade, Option<String>) {
        if depth > MAX_DEPTH {
            return (Grade::Shape, None);
        }
        match (element_cells(self.os(), a), element_cells(self.ns(), b)) {
            (Some(x), Some(y)) => self.compare_cells(&x, &y, depth),
            _ => (Grade::Shape, None),
        }
    }

    /// Whether new table `ni` is a compatible evolution of old table `oi` (no wire
    /// violation between them).
    fn table_compatible(&mut self, oi: usize, ni: usize) -> bool {
        if let Some(&known) = self.compatible_tables.get(&(oi, ni)) {
            return known;
        }
        // Types only reference earlier declarations, so this cannot recurse into itself;
        // the placeholder only guards against broken models.
        self.compatible_tables.insert((oi, ni), false);
        let mut scratch = Vec::new();
        self.struct_pair(oi, ni, &mut scratch, false);
        let ok = !scratch.iter().any(|v| v.category() == Category::Wire);
        self.compatible_tables.insert((oi, ni), ok);
        ok
    }

    // ---- header ---------------------------------------------------------------------

    fn header(&self, out: &mut Vec<Violation>) {
        let (o, n) = (self.os(), self.ns());
        if o.module != n.module && !o.module.is_empty() && !n.module.is_empty() {
            out.push(
                violation(
                    Rule::ModuleRenamed,
                    format!("module renamed from `{}` to `{}`", o.module, n.module),
                    self.new.header_span,
                    self.old.header_span,
                    &n.module,
                    None,
                )
                .effect(
                    Who::GeneratedCode,
                    "package names and output file names change (struct ids do not)",
                ),
            );
        }
        let options = |s: &'a Schema| {
            let mut map: BTreeMap<&'a str, &'a TagInfo> = BTreeMap::new();
            for tag in &s.tags {
                if tag.name.contains('.') {
                    map.entry(tag.name.as_str()).or_insert(tag);
                }
            }
            map
        };
        let (old_options, new_options) = (options(o), options(n));
        let mut all: Vec<&str> = old_options
            .keys()
            .chain(new_options.keys())
            .copied()
            .collect();
        all.sort_unstable();
        all.dedup();
        for name in all {
            let (before, after) = (old_options.get(name), new_options.get(name));
            let message = match (before, after) {
                (Some(a), Some(b)) if a.value == b.value => continue,
                (Some(a), Some(b)) => format!(
                    "header option `@{name}` changed from `{}` to `{}`",
                    a.value, b.value
                ),
                (Some(a), None) => format!("header option `@{name}({})` removed", a.value),
                (None, Some(b)) => format!("header option `@{name}({})` added", b.value),
                (None, None) => continue,
            };
            let language = name.split('.').next().unwrap_or(name);
            out.push(
                violation(
                    Rule::HeaderOptionChanged,
                    message,
                    after.map_or(self.new.header_span, |t| t.span),
                    before.map_or(self.old.header_span, |t| t.span),
                    &n.module,
                    Some(name),
                )
                .effect(
                    Who::GeneratedCode,
                    format!("code generated for `{language}` changes (package, imports or names)"),
                ),
            );
        }
    }

    // ---- removed declarations ------------------------------------------------------

    fn removed(&self, out: &mut Vec<Violation>) {
        let o = self.os();
        for decl in &o.order {
            match *decl {
                crate::model::DeclRef::Struct(oi) if self.m.new_struct(oi).is_none() => {
                    let s = &o.structs[oi];
                    out.push(
                        violation(
                            Rule::StructRemoved,
                            format!("{} `{}` removed", kind(s), s.name),
                            self.new.header_span,
                            s.name_span,
                            &s.name,
                            None,
                        )
                        .effect(
                            Who::GeneratedCode,
                            format!(
                                "the type `{}` and its `PacketIdentifier` are gone; its messages can no longer be read",
                                s.name
                            ),
                        ),
                    );
                }
                crate::model::DeclRef::Enum(oi) if self.m.new_enum(oi).is_none() => {
                    let e = &o.enums[oi];
                    out.push(
                        violation(
                            Rule::EnumRemoved,
                            format!("enum `{}` removed", e.name),
                            self.new.header_span,
                            e.name_span,
                            &e.name,
                            None,
                        )
                        .effect(
                            Who::GeneratedCode,
                            format!("the type `{}` and its constants are gone", e.name),
                        ),
                    );
                }
                _ => {}
            }
        }
    }

    // ---- enums -----------------------------------------------------------------------

    fn enum_pair(&self, oi: usize, ni: usize, out: &mut Vec<Violation>) {
        let (e, f): (&Enum, &Enum) = (&self.os().enums[oi], &self.ns().enums[ni]);
        if e.name != f.name {
            out.push(
                violation(
                    Rule::EnumRenamed,
                    format!("enum `{}` renamed to `{}`", e.name, f.name),
                    f.name_span,
                    e.name_span,
                    &f.name,
                    None,
                )
                .effect(
                    Who::GeneratedCode,
                    format!("the type `{}` is now `{}`", e.name, f.name),
                ),
            );
        }
        if let (Some(a), Some(b)) = (e.base, f.base) {
            if a != b {
                let wire = if a.size() != b.size() {
                    "its values change size: every field that uses it is reported"
                } else {
                    "its values keep their size but change sign: every field that uses it is reported"
                };
                out.push(
                    violation(
                        Rule::EnumBaseTypeChanged,
                        format!(
                            "base type of enum `{}` changed from `{}` to `{}`",
                            f.name,
                            a.name(),
                            b.name()
                        ),
                        f.name_span,
                        e.name_span,
                        &f.name,
                        None,
                    )
                    .effect(
                        Who::GeneratedCode,
                        format!("the enum's generated type changes; {wire}"),
                    ),
                );
            }
        }
        let pairs = Matching::values(e, f);
        let mut old_done = vec![false; e.values.len()];
        for &(i, j) in &pairs {
            old_done[i] = true;
            let (v, w) = (&e.values[i], &f.values[j]);
            if v.name != w.name {
                out.push(
                    violation(
                        Rule::EnumValueRenamed,
                        format!(
                            "value `{}` of enum `{}` renamed to `{}` (number {})",
                            v.name, f.name, w.name, w.value
                        ),
                        w.name_span,
                        v.name_span,
                        &f.name,
                        Some(&w.name),
                    )
                    .effect(
                        Who::GeneratedCode,
                        format!("the constant `{}` is now `{}`", v.name, w.name),
                    ),
                );
            }
            if let (Some(a), Some(b)) = (v.number, w.number) {
                if a != b {
                    let name_in = |en: &Enum, n: u64| {
                        en.values.iter().find(|x| x.number == Some(n)).map_or_else(
                            || format!("the unnamed number {n}"),
                            |x| format!("`{}`", x.name),
                        )
                    };
                    let implicit = if w.explicit && v.explicit {
                        ""
                    } else {
                        " (values without `= N` are numbered by position: adding, removing or moving a value before it renumbers it)"
                    };
                    out.push(
                        violation(
                            Rule::EnumValueRenumbered,
                            format!(
                                "value `{}` of enum `{}` renumbered from {a} to {b}{implicit}",
                                w.name, f.name
                            ),
                            w.span,
                            v.span,
                            &f.name,
                            Some(&w.name),
                        )
                        .effect(
                            Who::OldReaders,
                            format!(
                                "read `{}` ({b}) of new messages as {}",
                                w.name,
                                name_in(e, b)
                            ),
                        )
                        .effect(
                            Who::NewReaders,
                            format!(
                                "read `{}` ({a}) of old messages as {}",
                                v.name,
                                name_in(f, a)
                            ),
                        )
                        .with_help(format!("write `{} = {a};` to keep its number", w.name)),
                    );
                }
            }
        }
        let mut new_done = vec![false; f.values.len()];
        for &(_, j) in &pairs {
            new_done[j] = true;
        }
        for (j, w) in f.values.iter().enumerate() {
            if new_done[j] || w.number.is_none() {
                continue;
            }
            let Some(v) = e.values.iter().find(|v| v.number == w.number) else {
                continue;
            };
            let now = pairs
                .iter()
                .find(|p| std::ptr::eq(&e.values[p.0], v))
                .map_or(v.name.as_str(), |p| f.values[p.1].name.as_str());
            out.push(
                violation(
                    Rule::EnumValueNumberReused,
                    format!(
                        "new value `{}` of enum `{}` has the number {}, which `{}` has in the old schema",
                        w.name, f.name, w.value, v.name
                    ),
                    w.span,
                    v.span,
                    &f.name,
                    Some(&w.name),
                )
                .effect(
                    Who::OldReaders,
                    format!("read new `{}` as `{}`", w.name, v.name),
                )
                .effect(
                    Who::NewReaders,
                    format!(
                        "cannot tell old `{}` from `{}`: both are {}",
                        v.name, w.name, w.value
                    ),
                )
                .with_help(format!(
                    "give `{}` a number no value has used (`{} = N;`)",
                    w.name, w.name
                ))
                .effects(if now != v.name.as_str() {
                    vec![Effect {
                        who: Who::GeneratedCode,
                        what: format!("`{}` is now called `{now}`", v.name),
                    }]
                } else {
                    Vec::new()
                }),
            );
        }
        for (i, v) in e.values.iter().enumerate() {
            if old_done[i] {
                continue;
            }
            let reused = f
                .values
                .iter()
                .find(|w| w.number.is_some() && w.number == v.number)
                .map(|w| format!("; its number now means `{}`", w.name))
                .unwrap_or_default();
            out.push(
                violation(
                    Rule::EnumValueRemoved,
                    format!(
                        "value `{}` ({}) of enum `{}` removed{reused}",
                        v.name, v.value, f.name
                    ),
                    f.name_span,
                    v.span,
                    &f.name,
                    Some(&v.name),
                )
                .effect(
                    Who::NewReaders,
                    format!(
                        "receive {} from old messages, which no longer has a name",
                        v.value
                    ),
                )
                .effect(
                    Who::GeneratedCode,
                    format!("the constant `{}` is gone", v.name),
                ),
            );
        }
    }

    // ---- structs ---------------------------------------------------------------------

    fn struct_pair(&mut self, oi: usize, ni: usize, out: &mut Vec<Violation>, real: bool) {
        let (os, ns): (&'a Struct, &'a Struct) = (&self.os().structs[oi], &self.ns().structs[ni]);
        if real {
            if os.name != ns.name {
                out.push(
                    violation(
                        Rule::StructRenamed,
                        format!("{} `{}` renamed to `{}`", kind(ns), os.name, ns.name),
                        ns.name_span,
                        os.name_span,
                        &ns.name,
                        None,
                    )
                    .effect(
                        Who::GeneratedCode,
                        format!("the type `{}` is now `{}`", os.name, ns.name),
                    ),
                );
            }
            if os.id != ns.id {
                out.push(self.id_changed(os, ns));
            }
        }
        let (Some(oc), Some(nc)) = (os.class, ns.class) else {
            return;
        };
        let pairs = self.m.fields(self.os(), oi, self.ns(), ni);
        for &(i, j) in &pairs {
            let (f, g) = (&os.fields[i], &ns.fields[j]);
            if f.name != g.name {
                out.push(
                    violation(
                        Rule::FieldRenamed,
                        format!(
                            "field `{}` of `{}` renamed to `{}`",
                            f.name, ns.name, g.name
                        ),
                        g.name_span,
                        f.name_span,
                        &ns.name,
                        Some(&g.name),
                    )
                    .effect(
                        Who::GeneratedCode,
                        format!("the member `{}` is now `{}`", f.name, g.name),
                    ),
                );
            }
        }
        if oc != nc {
            out.push(
                violation(
                    Rule::StructClassChanged,
                    format!(
                        "struct `{}` changed from {} to {}",
                        ns.name,
                        oc.as_str(),
                        nc.as_str()
                    ),
                    ns.name_span,
                    os.name_span,
                    &ns.name,
                    None,
                )
                .effect(
                    Who::OldReaders,
                    format!("misread every `{}` in new messages", os.name),
                )
                .effect(
                    Who::NewReaders,
                    format!("misread every `{}` in old messages", os.name),
                )
                .effect(
                    Who::GeneratedCode,
                    "a table starts with its 4-byte size and is referenced through a 4-byte offset; an inline struct has no header and is embedded in place",
                ),
            );
            return;
        }
        let (Some(osize), Some(nsize)) = (os.size.as_ref(), ns.size.as_ref()) else {
            return;
        };
        if os.packed != ns.packed {
            self.packed_changed(os, ns, out);
        }

        // Positions.
        let table = oc == Class::Table;
        let mut o2n = vec![None; os.fields.len()];
        let mut n2o = vec![None; ns.fields.len()];
        for &(i, j) in &pairs {
            o2n[i] = Some(j);
            n2o[j] = Some(i);
        }
        let stable = longest_increasing(&pairs);
        let offset = |f: &Field| f.layout.map_or(0, |l| u64::from(l.offset));
        let slot = |f: &Field| f.layout.map_or(0, |l| u64::from(l.field));
        // Matched fields whose offset changed, in new order.
        let shifted_where = |keep: &dyn Fn(usize, usize) -> bool| -> Vec<&'a str> {
            let mut list: Vec<(usize, &'a str)> = pairs
                .iter()
                .filter(|&&(i, j)| keep(i, j) && offset(&os.fields[i]) != offset(&ns.fields[j]))
                .map(|&(_, j)| (j, ns.fields[j].name.as_str()))
                .collect();
            list.sort_unstable();
            list.into_iter().map(|(_, n)| n).collect()
        };
        // The same, computed once: `(new index, name)` sorted by new index.
        let shifted_by_new: Vec<(usize, &'a str)> = {
            let mut list: Vec<(usize, &'a str)> = pairs
                .iter()
                .filter(|&&(i, j)| offset(&os.fields[i]) != offset(&ns.fields[j]))
                .map(|&(_, j)| (j, ns.fields[j].name.as_str()))
                .collect();
            list.sort_unstable();
            list
        };
        let shifted_after_new = |j: usize| -> Vec<&'a str> {
            let at = shifted_by_new.partition_point(|&(jj, _)| jj <= j);
            shifted_by_new[at..].iter().map(|&(_, n)| n).collect()
        };
        let size_effect = |out: Vec<Effect>| -> Vec<Effect> {
            let mut out = out;
            if !table && osize.total != nsize.total {
                for (who, side) in [(Who::OldReaders, "new"), (Who::NewReaders, "old")] {
                    out.push(Effect {
                        who,
                        what: format!(
                            "misread every `{}` of {side} messages (as the root, embedded, or as array or slice elements): its size changes from {} to {} bytes; each use is reported",
                            ns.name, osize.total, nsize.total
                        ),
                    });
                }
            }
            out
        };

        for (k, &(i, j)) in pairs.iter().enumerate() {
            if stable[k] {
                continue;
            }
            let (f, g) = (&os.fields[i], &ns.fields[j]);
            let rule = if table {
                Rule::TableFieldMoved
            } else {
                Rule::InlineFieldMoved
            };
            let all: Vec<&str> = shifted_by_new.iter().map(|&(_, n)| n).collect();
            let mut effects = shift_effects(&all);
            if effects.is_empty() {
                effects = shift_effects(&[g.name.as_str()]);
            }
            out.push(
                violation(
                    rule,
                    format!(
                        "field `{}` of {} `{}` moved from position {} to {} (offset {} → {})",
                        g.name,
                        kind(ns),
                        ns.name,
                        i + 1,
                        j + 1,
                        offset(f),
                        offset(g)
                    ),
                    g.span,
                    f.span,
                    &ns.name,
                    Some(&g.name),
                )
                .effects(size_effect(effects)),
            );
        }

        for (i, f) in os.fields.iter().enumerate() {
            if o2n[i].is_some() {
                continue;
            }
            let trailing = o2n[i + 1..].iter().all(Option::is_none);
            // Where the removed field was: the field that now follows its predecessor.
            let next_new = o2n[i + 1..].iter().flatten().min().copied();
            let new_span = next_new.map_or(ns.name_span, |j| ns.fields[j].span);
            let shifted = shifted_where(&|ii, _| ii > i);
            let (rule, message, effects) = if !table {
                (
                    Rule::InlineFieldRemoved,
                    format!(
                        "field `{}` removed from inline struct `{}`",
                        f.name, ns.name
                    ),
                    size_effect(shift_effects(&shifted)),
                )
            } else if trailing {
                (
                    Rule::TableLastFieldRemoved,
                    format!("last field `{}` removed from table `{}`", f.name, ns.name),
                    vec![Effect {
                        who: Who::OldReaders,
                        what: format!("read `{}` as its default value in new messages", f.name),
                    }],
                )
            } else {
                (
                    Rule::TableFieldRemoved,
                    format!(
                        "field `{}` removed from table `{}` while fields after it remain",
                        f.name, ns.name
                    ),
                    shift_effects(&shifted),
                )
            };
            let mut v = violation(rule, message, new_span, f.span, &ns.name, Some(&f.name))
                .effects(effects)
                .effect(
                    Who::GeneratedCode,
                    format!("the member `{}` is gone", f.name),
                );
            if rule == Rule::TableLastFieldRemoved {
                v = v.with_help(format!(
                    "never add a field of another type at offset {} later: old messages still carry `{}` there",
                    offset(f),
                    f.name
                ));
            }
            out.push(v);
        }

        for (j, g) in ns.fields.iter().enumerate() {
            if n2o[j].is_some() {
                continue;
            }
            let trailing = n2o[j + 1..].iter().all(Option::is_none);
            let next_old = n2o[j + 1..].iter().flatten().min().copied();
            let old_span = next_old.map_or(os.name_span, |i| os.fields[i].span);
            let shifted = shifted_after_new(j);
            if !table {
                out.push(
                    violation(
                        Rule::InlineFieldAdded,
                        format!("field `{}` added to inline struct `{}`", g.name, ns.name),
                        g.span,
                        old_span,
                        &ns.name,
                        Some(&g.name),
                    )
                    .effects(size_effect(shift_effects(&shifted))),
                );
            } else if !trailing {
                out.push(
                    violation(
                        Rule::TableFieldInserted,
                        format!(
                            "field `{}` inserted into table `{}` before existing fields",
                            g.name, ns.name
                        ),
                        g.span,
                        old_span,
                        &ns.name,
                        Some(&g.name),
                    )
                    .effects(shift_effects(&shifted))
                    .with_help(format!("add new fields at the end of table `{}`", ns.name)),
                );
            } else if slot(g) > 0 && offset(g) < u64::from(osize.content) {
                let (start, end) = (offset(g), offset(g) + slot(g));
                let overlapped = os
                    .fields
                    .iter()
                    .find(|f| slot(f) > 0 && offset(f) < end && start < offset(f) + slot(f));
                let (old_span, held) = match overlapped {
                    Some(f) => (f.span, format!("`{}`", f.name)),
                    None => (os.name_span, "other fields".to_string()),
                };
                out.push(
                    violation(
                        Rule::TableFieldSlotReused,
                        format!(
                            "new field `{}` of table `{}` occupies bytes {start}..{end}, which held {held} in old messages",
                            g.name, ns.name
                        ),
                        g.span,
                        old_span,
                        &ns.name,
                        Some(&g.name),
                    )
                    .effect(
                        Who::OldReaders,
                        format!("read the bytes of new `{}` as {held}", g.name),
                    )
                    .effect(
                        Who::NewReaders,
                        format!("read {held} of old messages as `{}`", g.name),
                    )
                    .with_help(format!(
                        "new fields must start at or after offset {} (the old table's size); keep a placeholder of the old type in between",
                        osize.content
                    )),
                );
            }
        }

        // Types.
        for (k, &(i, j)) in pairs.iter().enumerate() {
            let (f, g) = (&os.fields[i], &ns.fields[j]);
            let last_ok = table
                && stable[k]
                && i + 1 == os.fields.len()
                && offset(f) == offset(g)
                && (j + 1 == ns.fields.len() || offset(g) + slot(g) >= u64::from(osize.content));
            let later = if self.m.same_type(self.os(), f, self.ns(), g)
                && !matches!(
                    g.target,
                    Some(TypeTarget::Struct(_)) | Some(TypeTarget::Enum(_))
                ) {
                Vec::new()
            } else {
                shifted_after_new(j)
            };
            self.field_types(os, ns, f, g, last_ok, &later, out);
        }
    }

    fn id_changed(&self, os: &Struct, ns: &Struct) -> Violation {
        let cause = match (os.id_explicit, ns.id_explicit) {
            (true, true) => format!("its `@id` changed from {} to {}", os.id, ns.id),
            (true, false) => format!(
                "its `@id({})` was removed, so the id is now the hash of its name",
                os.id
            ),
            (false, true) => format!(
                "the new `@id({})` differs from the old id (the hash of `{}`)",
                ns.id, os.name
            ),
            (false, false) if os.name != ns.name => {
                "it was renamed and its id is the hash of its name".to_string()
            }
            (false, false) => {
                "the header's `@key` changed, and the id is the keyed hash of the name".to_string()
            }
        };
        let id_tag = |s: &Struct| own_tag(&s.tags, "id").map(|t| t.span);
        let new_span = id_tag(ns).unwrap_or(ns.name_span);
        let old_span = id_tag(os).unwrap_or(os.name_span);
        let mut v = violation(
            Rule::StructIdChanged,
            format!(
                "id of struct `{}` changed from {} to {}: {cause}",
                ns.name, os.id, ns.id
            ),
            new_span,
            old_span,
            &ns.name,
            None,
        )
        .effect(
            Who::GeneratedCode,
            format!(
                "`PacketIdentifier` of `{}` changes: applications that tag or dispatch messages by id misroute them",
                ns.name
            ),
        )
        .with_help(format!("write `@id({})` on struct `{}` to keep the old id", os.id, ns.name));
        v.fix = self.id_fix(ns, os.id);
        v
    }

    /// An edit that pins struct `ns` to `id`: replace its `@id` tag, or add one after its
    /// class.
    fn id_fix(&self, ns: &Struct, id: u64) -> Option<Fix> {
        let title = format!("Keep the old id: `@id({id})`");
        if let Some(tag) = own_tag(&ns.tags, "id") {
            return Some(Fix {
                title,
                edits: vec![TextEdit {
                    span: tag.span,
                    new_text: format!("@id({id})"),
                }],
            });
        }
        let file = self.new.file?;
        let decl = file.decls.iter().find_map(|d| match d {
            Decl::Struct(s) if s.name.as_ref().map(|w| w.span) == Some(ns.name_span) => Some(s),
            _ => None,
        })?;
        let at = decl
            .tags
            .last()
            .map(|t| t.span.end)
            .or(decl.class.as_ref().map(|c| c.span.end))?;
        Some(Fix {
            title,
            edits: vec![TextEdit {
                span: Span::empty(at),
                new_text: format!(" @id({id})"),
            }],
        })
    }

    fn packed_changed(&self, os: &Struct, ns: &Struct, out: &mut Vec<Violation>) {
        let (Some(osize), Some(nsize)) = (os.size.as_ref(), ns.size.as_ref()) else {
            return;
        };
        let own = own_tag(&os.tags, "packed").is_some() || own_tag(&ns.tags, "packed").is_some();
        let via = if own {
            ""
        } else {
            " (through the document's `@packed`)"
        };
        let now = if ns.packed {
            "is now packed"
        } else {
            "is no longer packed"
        };
        let new_span = own_tag(&ns.tags, "packed").map_or(ns.name_span, |t| t.span);
        let old_span = own_tag(&os.tags, "packed").map_or(os.name_span, |t| t.span);
        let subject = ns.name.as_str();
        if ns.class == Some(Class::Inline) {
            out.push(
                violation(
                    Rule::StructPackedChanged,
                    format!(
                        "inline struct `{subject}` {now}{via}: its size changes from {} to {} bytes",
                        osize.total, nsize.total
                    ),
                    new_span,
                    old_span,
                    subject,
                    None,
                )
                .effect(
                    Who::OldReaders,
                    format!("misread every `{subject}` in new messages (and everything after it)"),
                )
                .effect(
                    Who::NewReaders,
                    format!("misread every `{subject}` in old messages (and everything after it)"),
                ),
            );
            return;
        }
        let slices: Vec<&str> = ns
            .fields
            .iter()
            .chain(&os.fields)
            .filter(|f| is_slice(f))
            .map(|f| f.name.as_str())
            .collect();
        if let Some(first) = slices.first() {
            let (a, b) = if ns.packed { (12, 8) } else { (8, 12) };
            out.push(
                violation(
                    Rule::StructPackedChanged,
                    format!(
                        "table `{subject}` {now}{via}: its slice headers change from {a} to {b} bytes"
                    ),
                    new_span,
                    old_span,
                    subject,
                    None,
                )
                .effect(
                    Who::OldReaders,
                    format!("misread `{first}` and every field after it in new messages"),
                )
                .effect(
                    Who::NewReaders,
                    format!("misread `{first}` and every field after it in old messages"),
                ),
            );
            return;
        }
        // A table without slices: only the 8 bytes non-packed readers require differ.
        let (who, content, writers) = if !ns.packed {
            (Who::NewReaders, osize.content, "old")
        } else {
            (Who::OldReaders, nsize.content, "new")
        };
        if content < 8 {
            out.push(
                violation(
                    Rule::TableMinimumChanged,
                    format!(
                        "table `{subject}` {now}{via}; its content is {content} bytes, and non-packed readers need 8"
                    ),
                    new_span,
                    old_span,
                    subject,
                    None,
                )
                .effect(
                    who,
                    format!(
                        "read a `{subject}` that ends less than 8 bytes before the end of a message from {writers} writers (e.g. as the root) as all defaults"
                    ),
                ),
            );
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn field_types(
        &mut self,
        os: &'a Struct,
        ns: &'a Struct,
        f: &'a Field,
        g: &'a Field,
        last_ok: bool,
        later: &[&str],
        out: &mut Vec<Violation>,
    ) {
        let (Some(fl), Some(gl)) = (f.layout, g.layout) else {
            return;
        };
        let _ = os;
        let subject = ns.name.as_str();
        let member = Some(g.name.as_str());
        let misread_both = |what: &str| {
            let what = if what.is_empty() {
                format!("`{}`", g.name)
            } else {
                format!("the {what} of `{}`", g.name)
            };
            let mut effects = vec![
                Effect {
                    who: Who::OldReaders,
                    what: format!("misread {what} in new messages"),
                },
                Effect {
                    who: Who::NewReaders,
                    what: format!("misread {what} in old messages"),
                },
            ];
            effects.extend(shift_effects(later));
            effects
        };
        let type_change = |from: &str, to: &str| {
            format!(
                "type of field `{}` of `{subject}` changed from `{from}` to `{to}`",
                g.name
            )
        };
        let (o, n) = (self.os(), self.ns());

        if self.m.same_type(o, f, n, g) {
            match (f.target, g.target) {
                (Some(TypeTarget::Struct(a)), Some(TypeTarget::Struct(b))) => {
                    let (sa, sb) = (&o.structs[a], &n.structs[b]);
                    let why = if sa.class != sb.class {
                        Some(format!(
                            "struct `{}` changed from {} to {}",
                            sb.name,
                            sa.class.map_or("?", Class::as_str),
                            sb.class.map_or("?", Class::as_str)
                        ))
                    } else if sb.class == Some(Class::Inline) && self.wire_changed[b] {
                        let sizes = match (&sa.size, &sb.size) {
                            (Some(x), Some(y)) if x.total != y.total => {
                                format!(" (size {} → {} bytes)", x.total, y.total)
                            }
                            _ => String::new(),
                        };
                        Some(format!(
                            "inline struct `{}`, which changed incompatibly{sizes}",
                            sb.name
                        ))
                    } else {
                        None
                    };
                    if let Some(why) = why {
                        out.push(
                            violation(
                                Rule::EmbeddedTypeChanged,
                                format!("field `{}` of `{subject}` uses {why}", g.name),
                                g.type_span,
                                f.type_span,
                                subject,
                                member,
                            )
                            .effects(misread_both("")),
                        );
                    }
                }
                (Some(TypeTarget::Enum(a)), Some(TypeTarget::Enum(b))) => {
                    let (ea, eb) = (&o.enums[a], &n.enums[b]);
                    let (Some(x), Some(y)) = (ea.base, eb.base) else {
                        return;
                    };
                    let why = format!(
                        "enum `{}`, whose base type changed from `{}` to `{}`",
                        eb.name,
                        x.name(),
                        y.name()
                    );
                    if x.size() != y.size() {
                        if last_ok && f.model == TypeModel::Single {
                            out.push(self.last_resized(ns, f, g, &format!("it uses {why}")));
                        } else {
                            out.push(
                                violation(
                                    Rule::EmbeddedTypeChanged,
                                    format!("field `{}` of `{subject}` uses {why}", g.name),
                                    g.type_span,
                                    f.type_span,
                                    subject,
                                    member,
                                )
                                .effects(misread_both("")),
                            );
                        }
                    } else if is_signed(x) != is_signed(y) {
                        out.push(self.range_changed(ns, f, g, &format!("it uses {why}")));
                    }
                }
                _ => {}
            }
            return;
        }

        let (from, to) = (f.type_text.as_str(), g.type_text.as_str());
        if is_slice(f) && is_slice(g) {
            let (Some(ta), Some(tb)) = (f.target, g.target) else {
                return;
            };
            let (grade, why) = if fl.allocation != gl.allocation {
                (Grade::Shape, None)
            } else {
                self.compare_elements(ta, tb, 0)
            };
            let why = why.map(|w| format!(": {w}")).unwrap_or_default();
            match grade {
                Grade::Shape => out.push(
                    violation(
                        Rule::FieldTypeChanged,
                        format!(
                            "{}: the elements change from {} to {} bytes or change layout",
                            type_change(from, to),
                            fl.allocation,
                            gl.allocation
                        ),
                        g.type_span,
                        f.type_span,
                        subject,
                        member,
                    )
                    .effects(misread_both("elements")),
                ),
                Grade::Reinterpreted => out.push(
                    violation(
                        Rule::FieldTypeReinterpreted,
                        format!("{}: same bytes, other meaning{why}", type_change(from, to)),
                        g.type_span,
                        f.type_span,
                        subject,
                        member,
                    )
                    .effects(misread_both("elements")),
                ),
                Grade::Range => out.push(self.range_changed(ns, f, g, "")),
                Grade::Same | Grade::SourceOnly => {}
            }
            let (la, lb) = (limit_of(f), limit_of(g));
            let reduced = limit_reduced(la, lb);
            if reduced {
                let message = match la {
                    Some(a) => format!(
                        "limit of slice `{}` of `{subject}` lowered from {a} to {}",
                        g.name,
                        lb.unwrap_or(0)
                    ),
                    None => format!(
                        "limit {} added to slice `{}` of `{subject}`",
                        lb.unwrap_or(0),
                        g.name
                    ),
                };
                out.push(
                    violation(
                        Rule::SliceLimitReduced,
                        message,
                        g.type_span,
                        f.type_span,
                        subject,
                        member,
                    )
                    .effect(
                        Who::NewReaders,
                        format!(
                            "keep only the first {} elements of longer `{}` slices in old messages",
                            lb.unwrap_or(0),
                            g.name
                        ),
                    ),
                );
            }
            if grade <= Grade::SourceOnly && !reduced {
                out.push(self.compatible(ns, f, g));
            }
            return;
        }
        if is_slice(f) != is_slice(g) {
            out.push(
                violation(
                    Rule::FieldTypeChanged,
                    format!(
                        "{}: a slice is an out-of-line reference ({} bytes in place), an array or single value is stored in place ({} bytes)",
                        type_change(from, to),
                        if is_slice(f) { fl.field } else { gl.field },
                        if is_slice(f) { gl.field } else { fl.field },
                    ),
                    g.type_span,
                    f.type_span,
                    subject,
                    member,
                )
                .effects(misread_both("")),
            );
            return;
        }
        // Fixed arrays of the same element with another length.
        if f.model == TypeModel::Array && g.model == TypeModel::Array && f.length != g.length {
            let mut single_f = f.clone();
            let mut single_g = g.clone();
            single_f.length = 1;
            single_g.length = 1;
            if self.m.same_type(o, &single_f, n, &single_g) {
                let why = format!("its length changed from {} to {}", f.length, g.length);
                if last_ok {
                    out.push(self.last_resized(ns, f, g, &why));
                } else {
                    out.push(
                        violation(
                            Rule::ArrayLengthChanged,
                            format!(
                                "length of array `{}` of `{subject}` changed from {} to {}",
                                g.name, f.length, g.length
                            ),
                            g.type_span,
                            f.type_span,
                            subject,
                            member,
                        )
                        .effects(misread_both("")),
                    );
                }
                return;
            }
        }
        let (grade, why) = match (f.target, g.target) {
            // Arrays of one length: one element each (no need to flatten `[100000]T`).
            (Some(ta), Some(tb))
                if f.model == TypeModel::Array
                    && g.model == TypeModel::Array
                    && f.length == g.length =>
            {
                if fl.allocation != gl.allocation {
                    (Grade::Shape, None)
                } else {
                    self.compare_elements(ta, tb, 0)
                }
            }
            _ => match (field_cells(o, f), field_cells(n, g)) {
                (Some(a), Some(b)) => self.compare_cells(&a, &b, 0),
                _ => (Grade::Shape, None),
            },
        };
        match grade {
            Grade::Same | Grade::SourceOnly => out.push(self.compatible(ns, f, g)),
            Grade::Range => out.push(self.range_changed(ns, f, g, "")),
            Grade::Reinterpreted => out.push(
                violation(
                    Rule::FieldTypeReinterpreted,
                    format!(
                        "{}: same bytes, other meaning{}",
                        type_change(from, to),
                        why.map(|w| format!(": {w}")).unwrap_or_default()
                    ),
                    g.type_span,
                    f.type_span,
                    subject,
                    member,
                )
                .effect(
                    Who::OldReaders,
                    format!("read new `{to}` values of `{}` as `{from}`", g.name),
                )
                .effect(
                    Who::NewReaders,
                    format!("read old `{from}` values of `{}` as `{to}`", g.name),
                ),
            ),
            Grade::Shape if fl.field == gl.field => out.push(
                violation(
                    Rule::FieldTypeReinterpreted,
                    format!(
                        "{}: the same {} bytes, laid out differently",
                        type_change(from, to),
                        fl.field
                    ),
                    g.type_span,
                    f.type_span,
                    subject,
                    member,
                )
                .effect(
                    Who::OldReaders,
                    format!("read new `{to}` values of `{}` as `{from}`", g.name),
                )
                .effect(
                    Who::NewReaders,
                    format!("read old `{from}` values of `{}` as `{to}`", g.name),
                ),
            ),
            Grade::Shape if last_ok && integer_like(o, f) && integer_like(n, g) => {
                let why = format!("its type changed from `{from}` to `{to}`");
                out.push(self.last_resized(ns, f, g, &why));
            }
            Grade::Shape => out.push(
                violation(
                    Rule::FieldTypeChanged,
                    format!(
                        "{}: its slot changes from {} to {} bytes",
                        type_change(from, to),
                        fl.field,
                        gl.field
                    ),
                    g.type_span,
                    f.type_span,
                    subject,
                    member,
                )
                .effects(misread_both("")),
            ),
        }
    }

    fn compatible(&self, ns: &Struct, f: &Field, g: &Field) -> Violation {
        violation(
            Rule::FieldTypeChangedCompatible,
            format!(
                "type of field `{}` of `{}` changed from `{}` to `{}`: same bytes, same meaning",
                g.name, ns.name, f.type_text, g.type_text
            ),
            g.type_span,
            f.type_span,
            &ns.name,
            Some(&g.name),
        )
        .effect(
            Who::GeneratedCode,
            format!("the member `{}` changes type", g.name),
        )
    }

    fn range_changed(&self, ns: &Struct, f: &Field, g: &Field, why: &str) -> Violation {
        let (from, to) = (f.type_text.as_str(), g.type_text.as_str());
        let message = if why.is_empty() {
            format!(
                "type of field `{}` of `{}` changed from `{from}` to `{to}`: same size, another value range",
                g.name, ns.name
            )
        } else {
            format!(
                "field `{}` of `{}` changes value range: {why}",
                g.name, ns.name
            )
        };
        violation(
            Rule::FieldValueRangeChanged,
            message,
            g.type_span,
            f.type_span,
            &ns.name,
            Some(&g.name),
        )
        .effect(
            Who::OldReaders,
            format!(
                "read new values of `{}` outside the old type's range as other values",
                g.name
            ),
        )
        .effect(
            Who::NewReaders,
            format!(
                "read old values of `{}` outside the new type's range as other values",
                g.name
            ),
        )
    }

    /// The last table field resized: `why` says how.
    fn last_resized(&self, ns: &Struct, f: &Field, g: &Field, why: &str) -> Violation {
        let (old_slot, new_slot) = (
            f.layout.map_or(0, |l| l.field),
            g.layout.map_or(0, |l| l.field),
        );
        let (longer, shorter) = if new_slot > old_slot {
            (Who::NewReaders, Who::OldReaders)
        } else {
            (Who::OldReaders, Who::NewReaders)
        };
        let (small, big) = (old_slot.min(new_slot), old_slot.max(new_slot));
        let writers = |who: Who| if who == Who::NewReaders { "old" } else { "new" };
        let partial = if f.model == TypeModel::Array {
            format!("read only the first {small} of {big} bytes (a prefix of the array)")
        } else {
            format!("read only the low {small} of {big} bytes (larger values are truncated)")
        };
        violation(
            Rule::TableLastFieldResized,
            format!(
                "last field `{}` of table `{}` changed size from {} to {} bytes: {why}",
                g.name, ns.name, old_slot, new_slot
            ),
            g.type_span,
            f.type_span,
            &ns.name,
            Some(&g.name),
        )
        .effect(
            longer,
            format!(
                "see `{}` as absent (its default) in messages from {} writers: its larger slot does not fit their stored size",
                g.name,
                writers(longer)
            ),
        )
        .effect(
            shorter,
            format!("{partial} of `{}` from {} writers", g.name, writers(shorter)),
        )
    }
}

/// For pairs sorted by old index: which ones form a longest run increasing in new index
/// (the fields that kept their relative order); the others moved.
fn longest_increasing(pairs: &[(usize, usize)]) -> Vec<bool> {
    let n = pairs.len();
    let mut tails: Vec<usize> = Vec::new(); // indices into pairs
    let mut prev: Vec<Option<usize>> = vec![None; n];
    for k in 0..n {
        let value = pairs[k].1;
        let pos = tails.partition_point(|&t| pairs[t].1 < value);
        if pos > 0 {
            prev[k] = Some(tails[pos - 1]);
        }
        if pos == tails.len() {
            tails.push(k);
        } else {
            tails[pos] = k;
        }
    }
    let mut keep = vec![false; n];
    let mut at = tails.last().copied();
    while let Some(k) = at {
        keep[k] = true;
        at = prev[k];
    }
    keep
}
