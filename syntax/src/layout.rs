//! Layout numbers (layout.md §2–§3): field slots, struct sizes, padding.
//!
//! All arithmetic is unsigned 32-bit and wraps, as upstream's does; the wide results are
//! kept alongside so that validation can reject sizes that do not fit (policy.md §3, Q15).

use crate::model::{Class, Format, StructSize, TypeModel};

/// What the layout of a field needs to know about its element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElementSize {
    /// A primitive or an enum of this many bytes.
    Scalar(u32),
    /// An inline struct with this total.
    Inline { total: u32 },
    /// A table with this minimum and total.
    Table { minimum: u32, total: u32 },
}

impl ElementSize {
    pub fn format(self, is_enum: bool) -> Format {
        match self {
            ElementSize::Scalar(_) if is_enum => Format::Enum,
            ElementSize::Scalar(_) => Format::Primitive,
            ElementSize::Inline { .. } => Format::Struct,
            ElementSize::Table { .. } => Format::Table,
        }
    }
}

/// A field's three sizes; `field_wide` is the slot size without 32-bit wrapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSizes {
    pub minimum: u32,
    pub field: u32,
    pub allocation: u32,
    pub field_wide: u64,
}

/// The sizes of a field of element `element`, repeated as `model` with `length`, inside a
/// struct whose packed flag is `packed`.
pub fn field_sizes(
    element: ElementSize,
    model: TypeModel,
    length: u32,
    packed: bool,
) -> FieldSizes {
    let header: u32 = if packed { 8 } else { 12 };
    let wide = |a: u32, b: u32| u64::from(a) * u64::from(b);
    let (unit, table_minimum) = match element {
        ElementSize::Scalar(size) => (size, None),
        ElementSize::Inline { total } => (total, None),
        ElementSize::Table { minimum, total } => (total, Some(minimum)),
    };
    if let Some(minimum) = table_minimum {
        // A table is always a 4-byte reference; only the single model is valid.
        return FieldSizes {
            minimum,
            field: 4,
            allocation: unit,
            field_wide: 4,
        };
    }
    match model {
        TypeModel::Single => FieldSizes {
            minimum: unit,
            field: unit,
            allocation: unit,
            field_wide: u64::from(unit),
        },
        TypeModel::Array => FieldSizes {
            minimum: unit.wrapping_mul(length),
            field: unit.wrapping_mul(length),
            allocation: unit,
            field_wide: wide(unit, length),
        },
        TypeModel::Slice | TypeModel::SliceLimited => {
            // Primitive slices report the element size as minimum; struct slices report
            // element total × length (0 for `[]`).
            let minimum = match element {
                ElementSize::Inline { .. } => unit.wrapping_mul(length),
                _ => unit,
            };
            FieldSizes {
                minimum,
                field: header,
                allocation: unit,
                field_wide: u64::from(header),
            }
        }
    }
}

/// The first offset of a struct's fields: tables start after their 4-byte size header.
pub fn content_start(class: Class) -> u32 {
    match class {
        Class::Inline => 0,
        Class::Table => 4,
    }
}

/// A struct's sizes from its content (layout.md §3).
pub fn struct_size(class: Class, packed: bool, content: u32) -> StructSize {
    let padding = match class {
        Class::Inline if !packed => 8 - (content % 8),
        _ => 0,
    };
    let total = content.wrapping_add(padding);
    let minimum = match class {
        Class::Inline => content,
        Class::Table if packed => 4,
        Class::Table => 8,
    };
    StructSize {
        minimum,
        content,
        padding,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_rules() {
        assert_eq!(struct_size(Class::Inline, false, 8).total, 16);
        assert_eq!(struct_size(Class::Inline, false, 0).total, 8);
        assert_eq!(struct_size(Class::Inline, false, 5).padding, 3);
        assert_eq!(struct_size(Class::Inline, true, 5).total, 5);
        let table = struct_size(Class::Table, false, 5);
        assert_eq!((table.padding, table.total, table.minimum), (0, 5, 8));
        assert_eq!(struct_size(Class::Table, true, 19).minimum, 4);
        assert_eq!(struct_size(Class::Inline, false, u32::MAX).total, 0);
        let group: Vec<u32> = struct_size(Class::Table, true, 111).total_group().collect();
        assert_eq!(group, [8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 4, 2, 1]);
        let group: Vec<u32> = struct_size(Class::Inline, true, 6).total_group().collect();
        assert_eq!(group, [4, 2]);
    }

    #[test]
    fn field_rules() {
        let vec3 = ElementSize::Inline { total: 12 };
        let path = field_sizes(vec3, TypeModel::SliceLimited, 2000, true);
        assert_eq!((path.minimum, path.field, path.allocation), (24000, 8, 12));
        let s = field_sizes(ElementSize::Scalar(1), TypeModel::Slice, 0, false);
        assert_eq!((s.minimum, s.field, s.allocation), (1, 12, 1));
        let t = field_sizes(
            ElementSize::Table {
                minimum: 8,
                total: 6,
            },
            TypeModel::Single,
            1,
            true,
        );
        assert_eq!((t.minimum, t.field, t.allocation), (8, 4, 6));
        let wrap = field_sizes(ElementSize::Scalar(2), TypeModel::Array, 1 << 31, false);
        assert_eq!((wrap.field, wrap.field_wide), (0, 1 << 32));
    }
}
