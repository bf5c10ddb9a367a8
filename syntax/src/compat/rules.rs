//! The rule catalogue of the compatibility checker: one stable id per kind of change.
//!
//! Every [`super::Violation`] is built from a [`Rule`]; each rule has one [`Category`], a
//! one-line summary and an example pair of schemas (old, new) that produces it. The page
//! `docs/compatibility.md` is rendered from this table ([`render_docs`]); a test keeps the
//! committed page in sync and checks that every example reports its rule.

/// What a change breaks. The categories nest: each level includes the ones before it
/// (`Wire` ⊂ `Lossy` ⊂ `Id` ⊂ `Source`), so checking at a level reports every rule whose
/// category is at or below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// Messages are misread: a reader finds other bytes, or other meanings, where it looks
    /// for a field (shifted offsets, changed sizes, renumbered enum values).
    Wire,
    /// Nothing shifts, but some values are silently lost or altered in one direction
    /// (truncated slices, sign changes, a resized last table field).
    Lossy,
    /// A struct id (`PacketIdentifier`) changes; the bytes are unchanged, but applications
    /// that tag or dispatch messages by id misroute them.
    Id,
    /// Generated code changes its API (names, types, removed declarations); messages are
    /// unaffected.
    Source,
}

impl Category {
    /// Every category, from the strictest subset to the widest.
    pub const ALL: [Category; 4] = [
        Category::Wire,
        Category::Lossy,
        Category::Id,
        Category::Source,
    ];

    /// The name used on the command line, in `karmem.toml` and in JSON: `wire`.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Wire => "wire",
            Category::Lossy => "lossy",
            Category::Id => "id",
            Category::Source => "source",
        }
    }

    /// Whether checking at `level` reports this category as a failure.
    pub fn within(self, level: Category) -> bool {
        self <= level
    }

    fn meaning(self) -> &'static str {
        match self {
            Category::Wire => "messages are misread: fields shift, change size or change meaning",
            Category::Lossy => "no shift, but some values are lost or altered in one direction",
            Category::Id => "a struct id (`PacketIdentifier`) changes; bytes are unchanged",
            Category::Source => "generated code changes its API; messages are unaffected",
        }
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Category {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Category::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or(())
    }
}

macro_rules! catalogue {
    ($( $(#[doc = $doc:literal])* $variant:ident = $id:literal, $cat:ident, $summary:literal,
        old: $old:literal, new: $new:literal; )*) => {
        /// A compatibility rule. The ids are stable: never rename or reuse one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Rule {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Rule {
            /// Every rule, in catalogue order.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)*];

            /// The id as printed and configured: `TABLE_FIELD_INSERTED`.
            pub fn as_str(self) -> &'static str {
                match self { $( Rule::$variant => $id, )* }
            }

            /// What the change breaks.
            pub fn category(self) -> Category {
                match self { $( Rule::$variant => Category::$cat, )* }
            }

            /// What the rule is about and why it breaks (the variant's documentation).
            pub fn description(self) -> &'static str {
                match self { $( Rule::$variant => concat!($($doc, "\n",)*), )* }
            }

            /// One line saying what the rule is about.
            pub fn summary(self) -> &'static str {
                match self { $( Rule::$variant => $summary, )* }
            }

            /// An old schema of the example pair.
            pub fn example_old(self) -> &'static str {
                match self { $( Rule::$variant => $old, )* }
            }

            /// The new schema of the example pair; comparing it with
            /// [`Rule::example_old`] reports this rule.
            pub fn example_new(self) -> &'static str {
                match self { $( Rule::$variant => $new, )* }
            }
        }
    };
}

catalogue! {
    // ---- wire ----------------------------------------------------------------------------
    /// A field inserted into a table before its last field: every later field moves.
    TableFieldInserted = "TABLE_FIELD_INSERTED", Wire,
        "a field inserted into a table before existing fields",
        old: "karmem demo;\nstruct User table {\n    Id uint32;\n    Age uint8;\n}\n",
        new: "karmem demo;\nstruct User table {\n    Id uint32;\n    Score uint16;\n    Age uint8;\n}\n";
    /// A table field removed while fields after it remain: every later field moves.
    TableFieldRemoved = "TABLE_FIELD_REMOVED", Wire,
        "a field removed from a table while fields after it remain",
        old: "karmem demo;\nstruct User table {\n    Id uint32;\n    Score uint16;\n    Age uint8;\n}\n",
        new: "karmem demo;\nstruct User table {\n    Id uint32;\n    Age uint8;\n}\n";
    /// Table fields in another order: their offsets swap.
    TableFieldMoved = "TABLE_FIELD_MOVED", Wire,
        "a table field moved to another position",
        old: "karmem demo;\nstruct User table {\n    Id uint32;\n    Age uint8;\n}\n",
        new: "karmem demo;\nstruct User table {\n    Age uint8;\n    Id uint32;\n}\n";
    /// A field appended to a table occupies bytes a removed (or shrunk) old field used, so
    /// old writers' values read as the new field and new values as the old field.
    TableFieldSlotReused = "TABLE_FIELD_SLOT_REUSED", Wire,
        "a new table field occupies bytes an old field used",
        old: "karmem demo;\nstruct User table {\n    Id uint32;\n    Score uint32;\n}\n",
        new: "karmem demo;\nstruct User table {\n    Id uint32;\n    Ratio float32;\n}\n";
    /// Inline structs have no stored size: any added field changes their size.
    InlineFieldAdded = "INLINE_FIELD_ADDED", Wire,
        "a field added to an inline struct",
        old: "karmem demo;\nstruct Vec2 inline @packed(true) {\n    X float32;\n    Y float32;\n}\n",
        new: "karmem demo;\nstruct Vec2 inline @packed(true) {\n    X float32;\n    Y float32;\n    Z float32;\n}\n";
    /// Inline structs have no stored size: any removed field changes their size.
    InlineFieldRemoved = "INLINE_FIELD_REMOVED", Wire,
        "a field removed from an inline struct",
        old: "karmem demo;\nstruct Vec3 inline @packed(true) {\n    X float32;\n    Y float32;\n    Z float32;\n}\n",
        new: "karmem demo;\nstruct Vec3 inline @packed(true) {\n    X float32;\n    Y float32;\n}\n";
    /// Inline struct fields in another order: their offsets swap.
    InlineFieldMoved = "INLINE_FIELD_MOVED", Wire,
        "an inline struct field moved to another position",
        old: "karmem demo;\nstruct Pair inline @packed(true) {\n    Key uint8;\n    Value uint32;\n}\n",
        new: "karmem demo;\nstruct Pair inline @packed(true) {\n    Value uint32;\n    Key uint8;\n}\n";
    /// A field's slot changes size or kind (`uint16` → `uint32`, `[]T` → `[N]T`, inline ↔
    /// table reference): the field is misread and every later field moves.
    FieldTypeChanged = "FIELD_TYPE_CHANGED", Wire,
        "a field's type changed its size or kind",
        old: "karmem demo;\nstruct Item table {\n    Count uint16;\n    Price uint32;\n}\n",
        new: "karmem demo;\nstruct Item table {\n    Count uint32;\n    Price uint32;\n}\n";
    /// A fixed array's length changed: its slot changes size.
    ArrayLengthChanged = "ARRAY_LENGTH_CHANGED", Wire,
        "a fixed array's length changed",
        old: "karmem demo;\nstruct Item table {\n    Tags [4]uint8;\n    Price uint32;\n}\n",
        new: "karmem demo;\nstruct Item table {\n    Tags [8]uint8;\n    Price uint32;\n}\n";
    /// Same slot, different meaning: `float32` ↔ `uint32`, another enum, `[4]uint8` ↔
    /// `uint32`, a reference to an incompatible table.
    FieldTypeReinterpreted = "FIELD_TYPE_REINTERPRETED", Wire,
        "a field's type changed to one that reads the same bytes differently",
        old: "karmem demo;\nstruct Item table {\n    Price uint32;\n}\n",
        new: "karmem demo;\nstruct Item table {\n    Price float32;\n}\n";
    /// A field uses an inline struct or an enum whose size or layout changed; reported at
    /// every field that embeds it, in every struct, transitively.
    EmbeddedTypeChanged = "EMBEDDED_TYPE_CHANGED", Wire,
        "a field uses an inline struct or enum whose size or layout changed",
        old: "karmem demo;\nstruct Vec2 inline @packed(true) {\n    X float32;\n    Y float32;\n}\nstruct Ship table {\n    Pos Vec2;\n    Hp uint16;\n}\n",
        new: "karmem demo;\nstruct Vec2 inline @packed(true) {\n    X float64;\n    Y float64;\n}\nstruct Ship table {\n    Pos Vec2;\n    Hp uint16;\n}\n";
    /// `inline` ↔ `table`: a header appears or disappears, embedded data becomes a reference.
    StructClassChanged = "STRUCT_CLASS_CHANGED", Wire,
        "a struct changed between inline and table",
        old: "karmem demo;\nstruct Point inline @packed(true) {\n    X int32;\n    Y int32;\n}\n",
        new: "karmem demo;\nstruct Point table @packed(true) {\n    X int32;\n    Y int32;\n}\n";
    /// `@packed` toggled (own tag or the document's) on an inline struct (padding appears or
    /// disappears) or on a table with slices (slice headers are 8 or 12 bytes).
    StructPackedChanged = "STRUCT_PACKED_CHANGED", Wire,
        "packing changed on an inline struct or a table with slices",
        old: "karmem demo;\nstruct Name table @packed(true) {\n    Text []char;\n    Id uint32;\n}\n",
        new: "karmem demo;\nstruct Name table @packed(false) {\n    Text []char;\n    Id uint32;\n}\n";
    /// An enum value keeps its name but not its number (explicitly, or because values were
    /// inserted before implicitly numbered ones): the wire carries numbers.
    EnumValueRenumbered = "ENUM_VALUE_RENUMBERED", Wire,
        "an enum value's number changed",
        old: "karmem demo;\nenum Color uint8 {\n    Red;\n    Green;\n    Blue;\n}\n",
        new: "karmem demo;\nenum Color uint8 {\n    Red;\n    Yellow;\n    Green;\n    Blue;\n}\n";
    /// A value added with a number an old value already has (written, or given by its
    /// position): old readers take it for the old value.
    EnumValueNumberReused = "ENUM_VALUE_NUMBER_REUSED", Wire,
        "a new enum value takes the number of an existing one",
        old: "karmem demo;\nenum Color uint8 {\n    Red;\n    Blue;\n}\n",
        new: "karmem demo;\nenum Color uint8 {\n    Red;\n    Blue;\n    Navy = 1;\n}\n";
    // ---- lossy ---------------------------------------------------------------------------
    /// The last field of a table changed its integer width or array length: nothing after
    /// it moves, but each side reads the other's value truncated or as the default.
    TableLastFieldResized = "TABLE_LAST_FIELD_RESIZED", Lossy,
        "the last field of a table changed its integer width or array length",
        old: "karmem demo;\nstruct Item table {\n    Id uint32;\n    Count uint16;\n}\n",
        new: "karmem demo;\nstruct Item table {\n    Id uint32;\n    Count uint32;\n}\n";
    /// Same size, other value range: signed ↔ unsigned, `bool` ↔ integer, an enum's base
    /// sign. Values outside the common range read differently.
    FieldValueRangeChanged = "FIELD_VALUE_RANGE_CHANGED", Lossy,
        "a same-size type change that alters values outside the common range",
        old: "karmem demo;\nstruct Item table {\n    Stock uint32;\n}\n",
        new: "karmem demo;\nstruct Item table {\n    Stock int32;\n}\n";
    /// A limited slice's limit was lowered (or a limit added to `[]T`): readers cut longer
    /// slices written by the other side.
    SliceLimitReduced = "SLICE_LIMIT_REDUCED", Lossy,
        "a limited slice's limit lowered, or a limit added",
        old: "karmem demo;\nstruct User table {\n    Name [<64]char;\n}\n",
        new: "karmem demo;\nstruct User table {\n    Name [<32]char;\n}\n";
    /// `@packed` toggled on a table without slices whose content is under 8 bytes:
    /// non-packed readers need 8 readable bytes and read such a table as defaults when it
    /// ends the message.
    TableMinimumChanged = "TABLE_MINIMUM_CHANGED", Lossy,
        "packing toggled on a small table: non-packed readers need 8 bytes",
        old: "karmem demo;\nstruct Flag table @packed(true) {\n    On bool;\n}\n",
        new: "karmem demo;\nstruct Flag table @packed(false) {\n    On bool;\n}\n";
    // ---- id ------------------------------------------------------------------------------
    /// A struct's id changed: renamed without `@id`, `@id` edited or removed, or the
    /// header's `@key` changed.
    StructIdChanged = "STRUCT_ID_CHANGED", Id,
        "a struct's id (`PacketIdentifier`) changed",
        old: "karmem demo;\nstruct User table {\n    Id uint32;\n}\n",
        new: "karmem demo;\nstruct Account table {\n    Id uint32;\n}\n";
    // ---- source --------------------------------------------------------------------------
    /// A struct renamed (recognised by its `@id`, its fields, or the fields that use it).
    StructRenamed = "STRUCT_RENAMED", Source,
        "a struct renamed",
        old: "karmem demo;\nstruct User table @id(7) {\n    Id uint32;\n}\n",
        new: "karmem demo;\nstruct Account table @id(7) {\n    Id uint32;\n}\n";
    /// A struct no longer declared.
    StructRemoved = "STRUCT_REMOVED", Source,
        "a struct removed",
        old: "karmem demo;\nstruct User table {\n    Id uint32;\n}\nstruct Admin table {\n    Level uint8;\n}\n",
        new: "karmem demo;\nstruct User table {\n    Id uint32;\n}\n";
    /// An enum renamed (recognised by its values or the fields that use it).
    EnumRenamed = "ENUM_RENAMED", Source,
        "an enum renamed",
        old: "karmem demo;\nenum Color uint8 {\n    Red;\n    Blue;\n}\n",
        new: "karmem demo;\nenum Colour uint8 {\n    Red;\n    Blue;\n}\n";
    /// An enum no longer declared.
    EnumRemoved = "ENUM_REMOVED", Source,
        "an enum removed",
        old: "karmem demo;\nenum Color uint8 {\n    Red;\n}\nstruct User table {\n    Id uint32;\n}\n",
        new: "karmem demo;\nstruct User table {\n    Id uint32;\n}\n";
    /// An enum's base type changed; the wire effect is reported at every field that uses
    /// the enum (`EMBEDDED_TYPE_CHANGED`, `TABLE_LAST_FIELD_RESIZED`,
    /// `FIELD_VALUE_RANGE_CHANGED`).
    EnumBaseTypeChanged = "ENUM_BASE_TYPE_CHANGED", Source,
        "an enum's base type changed",
        old: "karmem demo;\nenum Color uint8 {\n    Red;\n}\n",
        new: "karmem demo;\nenum Color uint16 {\n    Red;\n}\n";
    /// An enum value renamed (same number).
    EnumValueRenamed = "ENUM_VALUE_RENAMED", Source,
        "an enum value renamed",
        old: "karmem demo;\nenum Color uint8 {\n    Red;\n    Grey;\n}\n",
        new: "karmem demo;\nenum Color uint8 {\n    Red;\n    Gray;\n}\n";
    /// An enum value removed; old messages may still carry its number.
    EnumValueRemoved = "ENUM_VALUE_REMOVED", Source,
        "an enum value removed",
        old: "karmem demo;\nenum Color uint8 {\n    Red;\n    Blue;\n}\n",
        new: "karmem demo;\nenum Color uint8 {\n    Red;\n}\n";
    /// A field renamed (same position, same type).
    FieldRenamed = "FIELD_RENAMED", Source,
        "a field renamed",
        old: "karmem demo;\nstruct User table {\n    Id uint32;\n    Nick []char;\n}\n",
        new: "karmem demo;\nstruct User table {\n    Id uint32;\n    Handle []char;\n}\n";
    /// The last fields of a table removed: old readers see defaults, generated code loses
    /// the member. Never add a field of another type in those bytes later
    /// (`TABLE_FIELD_SLOT_REUSED`; `--transitive` checks older revisions).
    TableLastFieldRemoved = "TABLE_LAST_FIELD_REMOVED", Source,
        "the last field of a table removed",
        old: "karmem demo;\nstruct User table {\n    Id uint32;\n    Legacy uint8;\n}\n",
        new: "karmem demo;\nstruct User table {\n    Id uint32;\n}\n";
    /// A field's type changed to one with the same bytes and meaning (`byte` ↔ `uint8` ↔
    /// `char`, `T` ↔ `[1]T`, a packed `Vec3` ↔ `[3]float32`, `[<N]T` → `[]T`, a compatible
    /// table): generated code changes type.
    FieldTypeChangedCompatible = "FIELD_TYPE_CHANGED_COMPATIBLE", Source,
        "a field's type changed to one with the same bytes and meaning",
        old: "karmem demo;\nstruct Blob table {\n    Data []byte;\n}\n",
        new: "karmem demo;\nstruct Blob table {\n    Data []uint8;\n}\n";
    /// The module name (`karmem NAME;`) changed: package and output file names change.
    ModuleRenamed = "MODULE_RENAMED", Source,
        "the module renamed",
        old: "karmem game;\nstruct User table {\n    Id uint32;\n}\n",
        new: "karmem play;\nstruct User table {\n    Id uint32;\n}\n";
    /// A header code-generation option (`@golang.package`, `@rust.import`, …) changed.
    HeaderOptionChanged = "HEADER_OPTION_CHANGED", Source,
        "a header code-generation option changed",
        old: "karmem game @golang.package(`km`);\nstruct User table {\n    Id uint32;\n}\n",
        new: "karmem game @golang.package(`game`);\nstruct User table {\n    Id uint32;\n}\n";
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Rule {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Rule::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s)
            .ok_or(())
    }
}

/// Renders `docs/compatibility.md` from the catalogue. `describe` gives, for each rule's
/// example pair, what the checker reports for it (so the page shows real output).
pub fn render_docs(describe: impl Fn(Rule) -> String) -> String {
    let mut out = String::from(include_str!("docs_intro.md"));
    out.push_str("\n## Categories\n\n| category | includes | meaning |\n|---|---|---|\n");
    for (i, category) in Category::ALL.iter().enumerate() {
        let includes: Vec<&str> = Category::ALL[..=i].iter().map(|c| c.as_str()).collect();
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            category.as_str(),
            includes.join(", "),
            category.meaning()
        ));
    }
    out.push_str("\n## Rules\n\n| rule | category | summary |\n|---|---|---|\n");
    for rule in Rule::ALL {
        out.push_str(&format!(
            "| [{}](#{}) | {} | {} |\n",
            rule.as_str(),
            rule.as_str().to_lowercase(),
            rule.category().as_str(),
            rule.summary()
        ));
    }
    for rule in Rule::ALL {
        out.push_str(&format!(
            "\n### {}\n\n{} (category `{}`).\n\n{}\n\nOld:\n\n```km\n{}```\n\nNew:\n\n```km\n{}```\n\nReported as: {}\n",
            rule.as_str(),
            capitalise(rule.summary()),
            rule.category().as_str(),
            rule.description()
                .lines()
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ")
                .trim(),
            rule.example_old(),
            rule.example_new(),
            describe(*rule)
        ));
    }
    out
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
