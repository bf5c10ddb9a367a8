//! Pieces the targets share: the "cannot express"
//! error, a struct's layout as an error instead of an `Option`, the test whether an
//! inline struct's native layout can be its wire layout, and the duplicate-id problem.

use std::collections::BTreeMap;

use karmem_syntax::model::{Class, Primitive, Schema, Struct, StructSize, TypeModel, TypeTarget};

use crate::{GenerateError, NameProblem};

/// [`GenerateError::Unsupported`]: "the {language} target cannot express this schema:
/// {message}" (also what [`crate::problems::refuse`] returns).
pub(crate) fn unsupported(language: &str, message: String) -> GenerateError {
    GenerateError::Unsupported {
        message: format!("the {language} target cannot express this schema: {message}"),
    }
}

/// The layout of `s`, which every struct of an error-free schema has.
pub(crate) fn struct_size<'s>(
    s: &'s Struct,
    language: &str,
) -> Result<&'s StructSize, GenerateError> {
    s.size
        .as_ref()
        .ok_or_else(|| unsupported(language, format!("struct `{}` has no layout", s.name)))
}

pub(crate) fn is_table(s: &Struct) -> bool {
    s.class == Some(Class::Table)
}

/// `Some(k)` when inline struct `s` is made only of non-bool numbers (and enums) of one
/// size `k`, directly or through nested inline structs and non-empty arrays, with no wire
/// padding. A native struct of such leaves has no alignment padding either, so on a
/// little-endian machine its memory normally is its wire bytes, and arrays and slices of
/// it can be copied in one piece (the C target still checks this at compile time).
pub(crate) fn plain_unit(schema: &Schema, s: &Struct) -> Option<u32> {
    if s.class != Some(Class::Inline) || s.size.as_ref()?.padding != 0 || s.fields.is_empty() {
        return None;
    }
    let mut unit = None;
    for f in &s.fields {
        if !matches!(f.model, TypeModel::Single | TypeModel::Array)
            || (f.model == TypeModel::Array && f.length == 0)
        {
            return None;
        }
        let k = match f.target? {
            TypeTarget::Primitive(Primitive::Bool) => return None,
            TypeTarget::Primitive(p) => p.size(),
            TypeTarget::Enum(i) => schema.enums.get(i)?.base?.size(),
            TypeTarget::Struct(i) => plain_unit(schema, schema.structs.get(i)?)?,
        };
        if *unit.get_or_insert(k) != k {
            return None;
        }
    }
    unit
}

/// A problem at every struct whose id an earlier struct already has (in declaration
/// order): "structs `A` and `B` have the same id 7: {consequence}".
pub(crate) fn duplicate_ids(schema: &Schema, consequence: &str) -> Vec<NameProblem> {
    let mut ids: BTreeMap<u64, &str> = BTreeMap::new();
    let mut problems = Vec::new();
    for s in &schema.structs {
        if let Some(previous) = ids.get(&s.id) {
            problems.push(NameProblem::new(
                s.name_span,
                format!(
                    "structs `{previous}` and `{}` have the same id {}: {consequence}",
                    s.name, s.id
                ),
            ));
        } else {
            ids.insert(s.id, &s.name);
        }
    }
    problems
}
