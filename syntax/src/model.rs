//! The semantic model: what a schema means, with the layout numbers upstream computes.
//!
//! Built by [`crate::analyze`] from the syntax tree (name resolution and validation live in
//! [`crate::validate`], sizes in [`crate::layout`], ids in [`crate::ids`]). Every
//! declaration the parser recognised is in the model, even when the file has errors
//! elsewhere; a number that cannot be trusted (a struct that uses an unknown type, say) is
//! `None` rather than a guess.

use crate::Span;

/// A whole schema.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Schema {
    /// The module name from the header (empty when missing).
    pub module: String,
    /// The document's `@packed` flag.
    pub packed: bool,
    /// The header's tags, in source order.
    pub tags: Vec<TagInfo>,
    pub enums: Vec<Enum>,
    pub structs: Vec<Struct>,
    /// Declarations in source order.
    pub order: Vec<DeclRef>,
    /// The largest struct total (upstream's `Largest`), over structs with a known layout.
    pub largest: u32,
}

/// Points at an enum or a struct of a [`Schema`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeclRef {
    Enum(usize),
    Struct(usize),
}

/// A tag as written: `@name(value)`, value without back-quotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagInfo {
    pub name: String,
    pub value: String,
    pub span: Span,
}

/// The eight integer types, the floats, and the three byte-sized types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Primitive {
    Bool,
    Byte,
    Char,
    Uint8,
    Uint16,
    Uint32,
    Uint64,
    Int8,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
}

impl Primitive {
    pub const ALL: [Primitive; 13] = [
        Primitive::Bool,
        Primitive::Byte,
        Primitive::Char,
        Primitive::Uint8,
        Primitive::Uint16,
        Primitive::Uint32,
        Primitive::Uint64,
        Primitive::Int8,
        Primitive::Int16,
        Primitive::Int32,
        Primitive::Int64,
        Primitive::Float32,
        Primitive::Float64,
    ];

    pub fn from_name(name: &str) -> Option<Primitive> {
        Primitive::ALL.iter().copied().find(|p| p.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Primitive::Bool => "bool",
            Primitive::Byte => "byte",
            Primitive::Char => "char",
            Primitive::Uint8 => "uint8",
            Primitive::Uint16 => "uint16",
            Primitive::Uint32 => "uint32",
            Primitive::Uint64 => "uint64",
            Primitive::Int8 => "int8",
            Primitive::Int16 => "int16",
            Primitive::Int32 => "int32",
            Primitive::Int64 => "int64",
            Primitive::Float32 => "float32",
            Primitive::Float64 => "float64",
        }
    }

    /// Size in bytes.
    pub fn size(self) -> u32 {
        match self {
            Primitive::Bool
            | Primitive::Byte
            | Primitive::Char
            | Primitive::Uint8
            | Primitive::Int8 => 1,
            Primitive::Uint16 | Primitive::Int16 => 2,
            Primitive::Uint32 | Primitive::Int32 | Primitive::Float32 => 4,
            Primitive::Uint64 | Primitive::Int64 | Primitive::Float64 => 8,
        }
    }

    /// True for the eight integer types an enum may be based on.
    pub fn is_enum_base(self) -> bool {
        self.integer_bits().is_some()
    }

    /// `(bits, signed)` for the eight integer types.
    pub fn integer_bits(self) -> Option<(u32, bool)> {
        match self {
            Primitive::Uint8 => Some((8, false)),
            Primitive::Uint16 => Some((16, false)),
            Primitive::Uint32 => Some((32, false)),
            Primitive::Uint64 => Some((64, false)),
            Primitive::Int8 => Some((8, true)),
            Primitive::Int16 => Some((16, true)),
            Primitive::Int32 => Some((32, true)),
            Primitive::Int64 => Some((64, true)),
            _ => None,
        }
    }
}

/// `enum Name base { ... }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enum {
    pub name: String,
    pub name_span: Span,
    /// The whole declaration.
    pub span: Span,
    /// The base type, when it is one of the eight integer types.
    pub base: Option<Primitive>,
    /// The base as written, spaces removed.
    pub base_text: String,
    /// Every value equals its position (upstream's `sequential`).
    pub sequential: bool,
    pub tags: Vec<TagInfo>,
    pub values: Vec<EnumValue>,
    /// The `///` comment above the declaration.
    pub docs: Option<String>,
}

/// One value of an enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumValue {
    pub name: String,
    pub name_span: Span,
    pub span: Span,
    /// The value text as upstream keeps it: the digits written, or the position.
    pub value: String,
    /// Whether the value was written.
    pub explicit: bool,
    /// The numeric value, when it fits the base type.
    pub number: Option<u64>,
    pub docs: Option<String>,
}

/// `inline` or `table`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    Inline,
    Table,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Inline => "inline",
            Class::Table => "table",
        }
    }
}

/// `struct Name class { ... }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Struct {
    pub name: String,
    pub name_span: Span,
    pub span: Span,
    /// `None` when the class is missing or misspelled.
    pub class: Option<Class>,
    /// The effective packed flag (own `@packed`, else the document's).
    pub packed: bool,
    /// The struct id: the `@id` value, else the keyed BLAKE2b-64 hash of the name.
    pub id: u64,
    /// Whether the id comes from an `@id` tag.
    pub id_explicit: bool,
    pub tags: Vec<TagInfo>,
    pub fields: Vec<Field>,
    /// The struct's sizes; `None` when a field's type is unknown or the class is missing.
    pub size: Option<StructSize>,
    pub docs: Option<String>,
}

/// The per-struct numbers of `layout.md` §3.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructSize {
    pub minimum: u32,
    pub content: u32,
    pub padding: u32,
    pub total: u32,
}

impl StructSize {
    /// Upstream's `TotalGroup`: `total` split greedily into 8/4/2/1-byte units. Computed
    /// lazily: a struct near the 4 GiB limit would have half a billion units.
    pub fn total_group(&self) -> impl Iterator<Item = u32> {
        let total = self.total;
        std::iter::repeat_n(8, (total / 8) as usize).chain(
            [4, 2, 1]
                .into_iter()
                .filter(move |unit| (total % 8) & unit != 0),
        )
    }
}

/// How a field's element is repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TypeModel {
    Single,
    Array,
    Slice,
    SliceLimited,
}

impl TypeModel {
    /// The name used by `karmem layout --json`.
    pub fn as_str(self) -> &'static str {
        match self {
            TypeModel::Single => "single",
            TypeModel::Array => "array",
            TypeModel::Slice => "slice",
            TypeModel::SliceLimited => "slice-limited",
        }
    }
}

/// What a field's element is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TypeTarget {
    Primitive(Primitive),
    Enum(usize),
    Struct(usize),
}

/// `primitive`, `enum`, `struct` (inline) or `table`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Primitive,
    Enum,
    Struct,
    Table,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Primitive => "primitive",
            Format::Enum => "enum",
            Format::Struct => "struct",
            Format::Table => "table",
        }
    }
}

/// One field of a struct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub name_span: Span,
    pub span: Span,
    /// The type as written, spaces removed (`[<128]char`).
    pub type_text: String,
    /// The span of the type as written.
    pub type_span: Span,
    /// The element type name (`char`).
    pub base: String,
    pub base_span: Span,
    pub model: TypeModel,
    /// 1 for single, N for `[N]T` and `[<N]T`, 0 for `[]T`.
    pub length: u32,
    /// What the element names, when it resolves (to an earlier declaration or a primitive).
    pub target: Option<TypeTarget>,
    /// `None` when the element does not resolve.
    pub format: Option<Format>,
    /// `None` when the containing struct's layout is unknown.
    pub layout: Option<FieldLayout>,
    pub tags: Vec<TagInfo>,
    pub docs: Option<String>,
}

/// The per-field numbers of `layout.md` §2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldLayout {
    pub offset: u32,
    pub minimum: u32,
    pub field: u32,
    pub allocation: u32,
}

impl Schema {
    /// The enum or struct with this name (the first one, if names repeat).
    pub fn lookup(&self, name: &str) -> Option<DeclRef> {
        self.order
            .iter()
            .copied()
            .find(|d| self.decl_name(*d) == name)
    }

    pub fn decl_name(&self, decl: DeclRef) -> &str {
        match decl {
            DeclRef::Enum(i) => &self.enums[i].name,
            DeclRef::Struct(i) => &self.structs[i].name,
        }
    }

    pub fn decl_name_span(&self, decl: DeclRef) -> Span {
        match decl {
            DeclRef::Enum(i) => self.enums[i].name_span,
            DeclRef::Struct(i) => self.structs[i].name_span,
        }
    }

    /// The first tag of the header with this name.
    pub fn tag(&self, name: &str) -> Option<&TagInfo> {
        self.tags.iter().find(|t| t.name == name)
    }
}
