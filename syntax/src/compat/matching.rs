//! Pairing the declarations, fields and enum values of an old and a new schema.
//!
//! Names first. Renames are recognised only where the evidence is clear:
//!
//! * structs: the new struct's explicit `@id` equals the old struct's id (the id was kept
//!   on purpose), or both have exactly the same fields (names and types) and class, or a
//!   matched field (same struct, same name) now names it instead of the old one;
//! * enums: the same base and the same values (names and numbers), or a matched field now
//!   names it instead of the old one;
//! * fields: the same offset and the same type, or types with the same bytes (`byte`,
//!   `uint8`, `char`; slices that differ only in their limit): what is on the wire did
//!   not move;
//! * enum values: the same number (the number is what is on the wire).
//!
//! Each piece of evidence must be unambiguous (one candidate on each side); otherwise the
//! change is a removal plus an addition. Rules are applied until nothing changes, so a
//! renamed struct that uses a renamed enum is found once the enum is.

use std::collections::{BTreeSet, HashMap};

/// Rounds of rename recognition by contents and uses.
const MAX_ROUNDS: usize = 8;

use crate::model::{DeclRef, Enum, Field, Primitive, Schema, TypeModel, TypeTarget};

/// Which old declaration became which new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matching {
    struct_to_new: Vec<Option<usize>>,
    struct_to_old: Vec<Option<usize>>,
    enum_to_new: Vec<Option<usize>>,
    enum_to_old: Vec<Option<usize>>,
}

impl Matching {
    /// Pairs the declarations of two schemas.
    pub fn new(old: &Schema, new: &Schema) -> Matching {
        let mut m = Matching {
            struct_to_new: vec![None; old.structs.len()],
            struct_to_old: vec![None; new.structs.len()],
            enum_to_new: vec![None; old.enums.len()],
            enum_to_old: vec![None; new.enums.len()],
        };
        // Names (the first declaration of a name, as lookups do).
        for (oi, s) in old.structs.iter().enumerate() {
            if let Some(ni) = new.structs.iter().position(|t| t.name == s.name) {
                if m.struct_to_old[ni].is_none() && m.struct_to_new[oi].is_none() {
                    m.pair_structs(oi, ni);
                }
            }
        }
        for (oi, e) in old.enums.iter().enumerate() {
            if let Some(ni) = new.enums.iter().position(|f| f.name == e.name) {
                if m.enum_to_old[ni].is_none() && m.enum_to_new[oi].is_none() {
                    m.pair_enums(oi, ni);
                }
            }
        }
        // Kept ids.
        let candidates: Vec<(usize, usize)> = m
            .unmatched_structs(old, new)
            .filter(|&(oi, ni)| {
                let (s, t) = (&old.structs[oi], &new.structs[ni]);
                t.id_explicit && t.id == s.id
            })
            .collect();
        for (oi, ni) in unique(candidates) {
            m.pair_structs(oi, ni);
        }
        // Contents and uses, until nothing changes (a few rounds: each one is quadratic in
        // the unmatched declarations, and longer chains of evidence are improbable).
        for _round in 0..MAX_ROUNDS {
            // Contents, in declaration order: what a declaration uses is matched before it.
            let mut changed = m.match_contents(old, new);
            // A field that kept its name in a matched struct but names another type.
            let mut struct_uses = Vec::new();
            let mut enum_uses = Vec::new();
            for (oi, s) in old.structs.iter().enumerate() {
                let Some(ni) = m.struct_to_new[oi] else {
                    continue;
                };
                for f in &s.fields {
                    let Some(g) = new.structs[ni].fields.iter().find(|g| g.name == f.name) else {
                        continue;
                    };
                    match (f.target, g.target) {
                        (Some(TypeTarget::Struct(a)), Some(TypeTarget::Struct(b)))
                            if m.struct_to_new.get(a) == Some(&None)
                                && m.struct_to_old.get(b) == Some(&None)
                                && old.structs.get(a).map(|x| x.class)
                                    == new.structs.get(b).map(|x| x.class) =>
                        {
                            struct_uses.push((a, b));
                        }
                        (Some(TypeTarget::Enum(a)), Some(TypeTarget::Enum(b)))
                            if m.enum_to_new.get(a) == Some(&None)
                                && m.enum_to_old.get(b) == Some(&None) =>
                        {
                            enum_uses.push((a, b));
                        }
                        _ => {}
                    }
                }
            }
            for (oi, ni) in unique(struct_uses) {
                m.pair_structs(oi, ni);
                changed = true;
            }
            for (oi, ni) in unique(enum_uses) {
                m.pair_enums(oi, ni);
                changed = true;
            }
            if !changed {
                break;
            }
        }
        m
    }

    /// Pairs unmatched declarations with identical contents, one by one in the old
    /// declaration order; whether any was paired.
    fn match_contents(&mut self, old: &Schema, new: &Schema) -> bool {
        let mut changed = false;
        let same_struct = |m: &Matching, oi: usize, ni: usize| {
            let (s, t) = (&old.structs[oi], &new.structs[ni]);
            s.class == t.class
                && !s.fields.is_empty()
                && s.fields.len() == t.fields.len()
                && s.fields
                    .iter()
                    .zip(&t.fields)
                    .all(|(f, g)| f.name == g.name && m.same_type(old, f, new, g))
        };
        for decl in &old.order {
            match *decl {
                DeclRef::Struct(oi) if self.struct_to_new[oi].is_none() => {
                    let found: Vec<usize> = (0..new.structs.len())
                        .filter(|&ni| self.struct_to_old[ni].is_none() && same_struct(self, oi, ni))
                        .take(2)
                        .collect();
                    if let [ni] = found[..] {
                        let back = (0..old.structs.len())
                            .filter(|&o| {
                                self.struct_to_new[o].is_none() && same_struct(self, o, ni)
                            })
                            .take(2)
                            .count();
                        if back == 1 {
                            self.pair_structs(oi, ni);
                            changed = true;
                        }
                    }
                }
                DeclRef::Enum(oi) if self.enum_to_new[oi].is_none() => {
                    let found: Vec<usize> = (0..new.enums.len())
                        .filter(|&ni| {
                            self.enum_to_old[ni].is_none()
                                && same_values(&old.enums[oi], &new.enums[ni])
                        })
                        .take(2)
                        .collect();
                    if let [ni] = found[..] {
                        let back = (0..old.enums.len())
                            .filter(|&o| {
                                self.enum_to_new[o].is_none()
                                    && same_values(&old.enums[o], &new.enums[ni])
                            })
                            .take(2)
                            .count();
                        if back == 1 {
                            self.pair_enums(oi, ni);
                            changed = true;
                        }
                    }
                }
                _ => {}
            }
        }
        changed
    }

    fn pair_structs(&mut self, oi: usize, ni: usize) {
        self.struct_to_new[oi] = Some(ni);
        self.struct_to_old[ni] = Some(oi);
    }

    fn pair_enums(&mut self, oi: usize, ni: usize) {
        self.enum_to_new[oi] = Some(ni);
        self.enum_to_old[ni] = Some(oi);
    }

    fn unmatched_structs<'a>(
        &'a self,
        old: &'a Schema,
        new: &'a Schema,
    ) -> impl Iterator<Item = (usize, usize)> + 'a {
        (0..old.structs.len())
            .filter(|&oi| self.struct_to_new[oi].is_none())
            .flat_map(move |oi| {
                (0..new.structs.len())
                    .filter(|&ni| self.struct_to_old[ni].is_none())
                    .map(move |ni| (oi, ni))
            })
    }

    /// The new struct an old struct became.
    pub fn new_struct(&self, old: usize) -> Option<usize> {
        self.struct_to_new.get(old).copied().flatten()
    }

    /// The old struct a new struct comes from.
    pub fn old_struct(&self, new: usize) -> Option<usize> {
        self.struct_to_old.get(new).copied().flatten()
    }

    /// The new enum an old enum became.
    pub fn new_enum(&self, old: usize) -> Option<usize> {
        self.enum_to_new.get(old).copied().flatten()
    }

    /// The old enum a new enum comes from.
    pub fn old_enum(&self, new: usize) -> Option<usize> {
        self.enum_to_old.get(new).copied().flatten()
    }

    /// Whether two fields have the same type, declarations mapped through the matching
    /// (`[<8]Vec3` and `[<8]Vector3` when `Vec3` was renamed `Vector3`).
    pub fn same_type(&self, old: &Schema, f: &Field, new: &Schema, g: &Field) -> bool {
        if f.model != g.model || f.length != g.length {
            return false;
        }
        match (f.target, g.target) {
            (Some(TypeTarget::Primitive(a)), Some(TypeTarget::Primitive(b))) => a == b,
            (Some(TypeTarget::Struct(a)), Some(TypeTarget::Struct(b))) => {
                self.new_struct(a) == Some(b)
            }
            (Some(TypeTarget::Enum(a)), Some(TypeTarget::Enum(b))) => self.new_enum(a) == Some(b),
            (None, None) => {
                let _ = (old, new);
                f.type_text == g.type_text
            }
            _ => false,
        }
    }

    /// The pairs `(old index, new index)` of the fields of old struct `oi` and new struct
    /// `ni`: by name, then the same offset and type.
    pub fn fields(&self, old: &Schema, oi: usize, new: &Schema, ni: usize) -> Vec<(usize, usize)> {
        let (Some(s), Some(t)) = (old.structs.get(oi), new.structs.get(ni)) else {
            return Vec::new();
        };
        let mut pairs = Vec::new();
        let mut old_done = vec![false; s.fields.len()];
        let mut new_done = vec![false; t.fields.len()];
        for (i, f) in s.fields.iter().enumerate() {
            if let Some(j) = t.fields.iter().position(|g| g.name == f.name) {
                if !new_done[j] {
                    pairs.push((i, j));
                    old_done[i] = true;
                    new_done[j] = true;
                }
            }
        }
        for (i, f) in s.fields.iter().enumerate() {
            if old_done[i] {
                continue;
            }
            let position = |j: usize, g: &Field| match (f.layout, g.layout) {
                (Some(a), Some(b)) => a.offset == b.offset && a.field == b.field,
                _ => i == j,
            };
            let found: Vec<usize> = t
                .fields
                .iter()
                .enumerate()
                .filter(|&(j, g)| {
                    !new_done[j]
                        && position(j, g)
                        && (self.same_type(old, f, new, g) || same_bytes(self, f, g))
                })
                .map(|(j, _)| j)
                .collect();
            if let [j] = found[..] {
                pairs.push((i, j));
                old_done[i] = true;
                new_done[j] = true;
            }
        }
        pairs.sort_unstable();
        pairs
    }

    /// The pairs `(old index, new index)` of the values of two enums: by name, then by
    /// number.
    pub fn values(old: &Enum, new: &Enum) -> Vec<(usize, usize)> {
        let mut pairs = Vec::new();
        let mut old_done = vec![false; old.values.len()];
        let mut new_done = vec![false; new.values.len()];
        for (i, v) in old.values.iter().enumerate() {
            if let Some(j) = new.values.iter().position(|w| w.name == v.name) {
                if !new_done[j] {
                    pairs.push((i, j));
                    old_done[i] = true;
                    new_done[j] = true;
                }
            }
        }
        let mut by_number = Vec::new();
        for (i, v) in old.values.iter().enumerate() {
            if old_done[i] || v.number.is_none() {
                continue;
            }
            for (j, w) in new.values.iter().enumerate() {
                if !new_done[j] && w.number == v.number {
                    by_number.push((i, j));
                }
            }
        }
        pairs.extend(unique(by_number));
        pairs.sort_unstable();
        pairs
    }
}

/// Whether two fields hold the same bytes with the same meaning although their types are
/// written differently: `byte`, `uint8` and `char` elements, or slices that differ only
/// in their limit (a limit change is reported on its own).
fn same_bytes(m: &Matching, f: &Field, g: &Field) -> bool {
    let unsigned_byte =
        |p: Primitive| matches!(p, Primitive::Byte | Primitive::Uint8 | Primitive::Char);
    let same_element = match (f.target, g.target) {
        (Some(TypeTarget::Primitive(a)), Some(TypeTarget::Primitive(b))) => {
            a == b || (unsigned_byte(a) && unsigned_byte(b))
        }
        (Some(TypeTarget::Struct(a)), Some(TypeTarget::Struct(b))) => m.new_struct(a) == Some(b),
        _ => false,
    };
    let same_shape = if is_slice(f) && is_slice(g) {
        true
    } else {
        f.model == g.model && f.length == g.length
    };
    same_element && same_shape
}

fn same_values(e: &Enum, f: &Enum) -> bool {
    e.base == f.base
        && !e.values.is_empty()
        && e.values.len() == f.values.len()
        && e.values
            .iter()
            .zip(&f.values)
            .all(|(v, w)| v.name == w.name && v.number == w.number)
}

/// The candidate pairs whose old and new side each appear in exactly one candidate.
fn unique(candidates: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    let set: BTreeSet<(usize, usize)> = candidates.into_iter().collect();
    let mut olds: HashMap<usize, usize> = HashMap::new();
    let mut news: HashMap<usize, usize> = HashMap::new();
    for &(a, b) in &set {
        *olds.entry(a).or_default() += 1;
        *news.entry(b).or_default() += 1;
    }
    set.into_iter()
        .filter(|(a, b)| olds[a] == 1 && news[b] == 1)
        .collect()
}

/// Whether a field is an out-of-line slice (`[]T` or `[<N]T`).
pub(crate) fn is_slice(f: &Field) -> bool {
    matches!(f.model, TypeModel::Slice | TypeModel::SliceLimited)
}
