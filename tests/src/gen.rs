//! A deterministic generator of valid Karmem schemas, for benchmarks and property tests.
//!
//! * [`large_schema`] builds a big, realistic file: about 15% enums, the rest inline and
//!   table structs with 5–12 fields of every type form (primitives, `[N]T`, `[]T`, `[<N]T`,
//!   references to earlier enums, tables and inline structs), `///` doc comments, `//`
//!   comments and tags. 16 000 declarations are about 2.2 MB.
//! * [`random_schema`] builds a small one (5–30 declarations) with more variety in the
//!   spelling (non-ASCII names, tabs, CRLF line endings, one-line structs), for property
//!   tests.
//!
//! Both only produce schemas that the analyzer accepts without an error: every reference
//! points to an **earlier** declaration, enums and tables are only used as single fields,
//! names are unique, every enum has a value `0`, and embedded inline structs are kept small
//! so that no struct comes near the 2^32 − 1 byte limit.
//!
//! The output depends only on the arguments (a built-in splitmix64 generator, no `rand`).

use std::fmt::Write as _;

/// A large schema with `decls` declarations (header `karmem bench @packed(true);`).
pub fn large_schema(decls: usize, seed: u64) -> String {
    Generator::new(seed, Flavor::Large).schema(decls)
}

/// A small schema (5–30 declarations) with varied spelling, for property tests.
pub fn random_schema(seed: u64) -> String {
    let mut rng = Rng::new(seed ^ 0x5eed_0f5c_4e3a_0001);
    let decls = rng.range(5, 30) as usize;
    Generator::new(seed, Flavor::Small).schema(decls)
}

/// The splitmix64 pseudo-random generator: tiny, fast and good enough for test data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        // The modulo bias is irrelevant for test data.
        self.next_u64() % n
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A random element of `items` (not empty).
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavor {
    /// Benchmark input: conventional spelling, size tuned to ~137 bytes per declaration.
    Large,
    /// Property-test input: odd-but-valid spelling.
    Small,
}

/// Primitive types with their sizes. `char` is only used in slices (a single `char` or a
/// `[N]char` earns a warning).
const PRIMITIVES: &[(&str, u64)] = &[
    ("bool", 1),
    ("byte", 1),
    ("uint8", 1),
    ("uint16", 2),
    ("uint32", 4),
    ("uint64", 8),
    ("int8", 1),
    ("int16", 2),
    ("int32", 4),
    ("int64", 8),
    ("float32", 4),
    ("float64", 8),
];

const ENUM_BASES: &[(&str, u64)] = &[
    ("uint8", 1),
    ("uint16", 2),
    ("uint32", 4),
    ("uint64", 8),
    ("int8", 1),
    ("int16", 2),
    ("int32", 4),
    ("int64", 8),
];

/// Words that start type names. Each has exactly one upper-case letter, at the start, so
/// `word + code` (the code starts with the only other upper-case letter) is unique.
const TYPE_WORDS: &[&str] = &[
    "Player", "Item", "Vec", "Node", "Mesh", "Event", "Pos", "Msg", "User", "Order", "Tile",
    "Unit", "Quest", "Asset", "Frame", "Bone", "Path", "Rule", "Slot", "Team",
];
/// Struct names may contain digits.
const STRUCT_WORDS: &[&str] = &["Vec3", "Mat4", "Rgb8", "Quat"];
/// Names for [`Flavor::Small`] only: non-ASCII letters (title-case, caseless, accented).
const UNICODE_WORDS: &[&str] = &["Ñandú", "名前", "Ǆemo", "Ωmega", "Çédille", "Бук"];

const FIELD_WORDS: &[&str] = &[
    "Id", "Name", "X", "Y", "Z", "Hp", "Pos", "Vel", "Flags", "Kind", "Data", "Items", "Count",
    "Score", "Level", "Color", "Tags", "Owner", "Time", "Size", "Mana", "Rot", "Key", "Value",
    "Seq", "Mask", "Next", "Prev", "Cost", "Age",
];

const VALUE_WORDS: &[&str] = &[
    "None", "Red", "Green", "Blue", "Small", "Large", "Open", "Closed", "Idle", "Busy", "On",
    "Off", "North", "South", "East", "West", "Low", "High", "Ok", "Failed",
];

const DOCS: &[&str] = &[
    "/// The state that is sent to every client each tick.",
    "/// Kept small: embedded in arrays.",
    "/// Version 2 of the record; see the changelog.",
    "/// Identifier, unique per world.",
    "/// Seconds since the epoch.",
];

const COMMENTS: &[&str] = &[
    "// ---- generated section ----",
    "// TODO: split this",
    "// keep in sync with the server",
    "// units: metres",
];

const FIELD_TAGS: &[&str] = &[
    "@golang.tag(json)",
    "@golang.tag(`json:\"x\"`)",
    "@doc(`short note`)",
    "@deprecated()",
];

/// Largest embedded inline struct (single field), and largest `[N]Inline` array.
const MAX_EMBED: u64 = 256;
const MAX_EMBED_ARRAY: u64 = 1024;

struct Generator {
    rng: Rng,
    flavor: Flavor,
    out: String,
    /// Line ending and indentation of this file.
    nl: &'static str,
    indent: &'static str,
    /// Earlier declarations, by kind: name and (for enums and inline structs) size.
    enums: Vec<(String, u64)>,
    tables: Vec<String>,
    inlines: Vec<(String, u64)>,
    next_code: u64,
}

impl Generator {
    fn new(seed: u64, flavor: Flavor) -> Self {
        let mut rng = Rng::new(seed);
        let (nl, indent) = match flavor {
            Flavor::Large => ("\n", "    "),
            Flavor::Small => (
                if rng.chance(20) { "\r\n" } else { "\n" },
                rng.pick(&["    ", "\t", "  "]),
            ),
        };
        Generator {
            rng,
            flavor,
            out: String::new(),
            nl,
            indent,
            enums: Vec::new(),
            tables: Vec::new(),
            inlines: Vec::new(),
            next_code: 0,
        }
    }

    fn schema(mut self, decls: usize) -> String {
        self.out.reserve(decls * 140 + 64);
        match self.flavor {
            Flavor::Large => self.out.push_str("karmem bench @packed(true);"),
            Flavor::Small => {
                self.out.push_str("karmem prop");
                if self.rng.chance(70) {
                    self.out.push_str(" @packed(true)");
                }
                if self.rng.chance(30) {
                    self.out.push_str(" @golang.package(prop)");
                }
                self.out.push(';');
            }
        }
        self.out.push_str(self.nl);
        for _ in 0..decls {
            self.out.push_str(self.nl);
            if self.rng.chance(3) {
                let comment = self.rng.pick(COMMENTS);
                self.line(comment);
            }
            if self.rng.chance(10) {
                let doc = self.rng.pick(DOCS);
                self.line(doc);
            }
            // Enums need nothing earlier; structs are the bulk.
            if self.rng.chance(15) {
                self.enum_decl();
            } else {
                self.struct_decl();
            }
        }
        self.out
    }

    fn line(&mut self, text: &str) {
        self.out.push_str(text);
        self.out.push_str(self.nl);
    }

    /// A unique type name: a word followed by a unique letter code. Type names always have
    /// two upper-case letters, so they never equal a field or enum value word.
    fn type_name(&mut self, is_enum: bool) -> String {
        let mut name = String::new();
        let roll = self.rng.below(100);
        if self.flavor == Flavor::Small && roll < 15 {
            name.push_str(self.rng.pick(UNICODE_WORDS));
        } else if roll < 45 {
            name.push_str(self.rng.pick(TYPE_WORDS));
        } else if !is_enum && roll < 50 {
            name.push_str(self.rng.pick(STRUCT_WORDS));
        } else {
            // Never a bare code: the enum value words (`Ok`, `Red`) could equal one, and
            // upstream rejects an enum whose last value is named like an earlier type.
            name.push('T');
        }
        // Code: one upper-case letter, then lower-case letters (bijective base 26).
        let mut n = self.next_code;
        self.next_code += 1;
        name.push((b'A' + (n % 26) as u8) as char);
        n /= 26;
        while n > 0 {
            n -= 1;
            name.push((b'a' + (n % 26) as u8) as char);
            n /= 26;
        }
        name
    }

    fn unique_word(&mut self, words: &[&str], used: &mut Vec<String>, index: usize) -> String {
        let mut name = self.rng.pick(words).to_string();
        if used.contains(&name) {
            // Words have no digits, so `word + index` is new.
            let _ = write!(name, "{index}");
        }
        used.push(name.clone());
        name
    }

    fn enum_decl(&mut self) {
        let name = self.type_name(true);
        let (base, size) = self.rng.pick(ENUM_BASES);
        let count = self.rng.range(2, 6) as usize;
        let sequential = self.rng.chance(50);
        let compact = self.flavor == Flavor::Small && self.rng.chance(25);
        let _ = write!(self.out, "enum {name} {base}");
        if self.rng.chance(5) {
            self.out.push_str(" @doc(enum)");
        }
        self.out.push_str(" {");
        let mut used = Vec::new();
        let mut value = 0u64;
        for j in 0..count {
            let value_name = self.unique_word(VALUE_WORDS, &mut used, j);
            if compact {
                self.out.push(' ');
            } else {
                self.out.push_str(self.nl);
                self.out.push_str(self.indent);
            }
            if sequential {
                if self.rng.chance(50) {
                    let _ = write!(self.out, "{value_name} = {j};");
                } else {
                    let _ = write!(self.out, "{value_name};");
                }
            } else {
                // Strictly increasing from 0, at most 6 · 12 = 72 (fits int8).
                let _ = write!(self.out, "{value_name} = {value};");
                value += self.rng.range(1, 12);
            }
        }
        if compact {
            self.out.push_str(" }");
        } else {
            self.out.push_str(self.nl);
            self.out.push('}');
        }
        self.out.push_str(self.nl);
        self.enums.push((name, size));
    }

    fn struct_decl(&mut self) {
        let is_table = self.rng.chance(45);
        let name = self.type_name(false);
        let fields = match self.rng.below(100) {
            0..=72 => self.rng.range(5, 6),
            73..=94 => self.rng.range(7, 9),
            _ => self.rng.range(10, 12),
        } as usize;
        let compact = self.rng.chance(20);
        let _ = write!(
            self.out,
            "struct {name} {}",
            if is_table { "table" } else { "inline" }
        );
        let mut packed = true;
        if self.rng.chance(8) {
            packed = self.rng.chance(70);
            let _ = write!(self.out, " @packed({packed})");
        }
        if self.rng.chance(4) {
            self.out.push_str(" @golang.tag(x)");
        }
        self.out.push_str(" {");
        if !compact && self.rng.chance(3) {
            self.out.push_str(" // ");
            self.out
                .push_str(if is_table { "a table" } else { "inline" });
        }
        let mut used = Vec::new();
        let mut size = 0u64;
        for j in 0..fields {
            if compact {
                self.out.push(' ');
            } else {
                self.out.push_str(self.nl);
                if self.rng.chance(3) {
                    let doc = self.rng.pick(DOCS);
                    self.out.push_str(self.indent);
                    self.out.push_str(doc);
                    self.out.push_str(self.nl);
                }
                self.out.push_str(self.indent);
            }
            let field = self.unique_word(FIELD_WORDS, &mut used, j);
            let (ty, field_size) = self.field_type(packed);
            size += field_size;
            let _ = write!(self.out, "{field} {ty}");
            if self.rng.chance(4) {
                let tag = self.rng.pick(FIELD_TAGS);
                self.out.push(' ');
                self.out.push_str(tag);
            }
            self.out.push(';');
            if !compact && self.rng.chance(3) {
                self.out.push_str(" // ");
                self.out.push_str(&field.to_lowercase());
            }
        }
        if compact {
            self.out.push_str(" }");
        } else {
            self.out.push_str(self.nl);
            self.out.push('}');
        }
        self.out.push_str(self.nl);
        if is_table {
            self.tables.push(name);
        } else {
            // A non-packed inline struct is padded to the next multiple of 8 above.
            let total = if packed { size } else { size + 8 - size % 8 };
            self.inlines.push((name, total));
        }
    }

    /// Picks an earlier declaration: often a recent one, sometimes any.
    fn earlier(&mut self, len: usize) -> usize {
        if self.rng.chance(60) {
            let window = len.min(32);
            len - 1 - self.rng.below(window as u64) as usize
        } else {
            self.rng.below(len as u64) as usize
        }
    }

    /// A field type and its slot size in a struct with the given packed flag.
    fn field_type(&mut self, packed: bool) -> (String, u64) {
        let header = if packed { 8 } else { 12 };
        let roll = self.rng.below(100);
        match roll {
            0..=39 => {}
            40..=51 => {
                let (prim, size) = self.rng.pick(PRIMITIVES);
                let n = self.rng.range(2, 16);
                return (format!("[{n}]{prim}"), size * n);
            }
            52..=61 => {
                let prim = if self.rng.chance(40) {
                    "char"
                } else {
                    self.rng.pick(PRIMITIVES).0
                };
                return (format!("[]{prim}"), header);
            }
            62..=69 => {
                let prim = if self.rng.chance(40) {
                    "char"
                } else {
                    self.rng.pick(PRIMITIVES).0
                };
                let n = self.rng.range(1, 255);
                return (format!("[<{n}]{prim}"), header);
            }
            70..=77 if !self.enums.is_empty() => {
                let i = self.earlier(self.enums.len());
                let (name, size) = &self.enums[i];
                return (name.clone(), *size);
            }
            78..=84 if !self.tables.is_empty() => {
                let i = self.earlier(self.tables.len());
                return (self.tables[i].clone(), 4);
            }
            85..=99 if !self.inlines.is_empty() => {
                let i = self.earlier(self.inlines.len());
                let (name, total) = self.inlines[i].clone();
                match self.rng.below(4) {
                    0 if total <= MAX_EMBED => return (name, total),
                    1 if total > 0 && total * 2 <= MAX_EMBED_ARRAY => {
                        let n = self.rng.range(2, (MAX_EMBED_ARRAY / total).min(8));
                        return (format!("[{n}]{name}"), total * n);
                    }
                    2 => return (format!("[]{name}"), header),
                    3 => {
                        let n = self.rng.range(1, 64);
                        return (format!("[<{n}]{name}"), header);
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        let (prim, size) = self.rng.pick(PRIMITIVES);
        (prim.to_string(), size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use karmem_syntax::{analyze, AnalysisOptions};

    fn assert_valid(text: &str, what: &str) -> karmem_syntax::Analysis {
        let analysis = analyze(text, &AnalysisOptions::default());
        let errors: Vec<_> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .take(5)
            .map(|d| {
                format!(
                    "{:?} at {:?}: {:?}",
                    d.code,
                    &text[d.span.range()],
                    d.message
                )
            })
            .collect();
        assert!(errors.is_empty(), "{what}: {errors:#?}");
        analysis
    }

    #[test]
    fn generation_is_deterministic() {
        assert_eq!(large_schema(200, 7), large_schema(200, 7));
        assert_ne!(large_schema(200, 7), large_schema(200, 8));
        assert_eq!(random_schema(3), random_schema(3));
    }

    #[test]
    fn large_schemas_are_valid_and_sized() {
        for decls in [1_000, 4_000, 16_000] {
            let text = large_schema(decls, 1);
            let analysis = assert_valid(&text, &format!("large_schema({decls}, 1)"));
            assert_eq!(
                analysis.schema.enums.len() + analysis.schema.structs.len(),
                decls
            );
            if decls == 16_000 {
                let mb = text.len() as f64 / 1e6;
                assert!((2.0..=2.5).contains(&mb), "16k declarations are {mb} MB");
            }
        }
    }

    #[test]
    fn random_schemas_are_valid() {
        for seed in 0..300 {
            let text = random_schema(seed);
            let analysis = assert_valid(&text, &format!("random_schema({seed})\n{text}"));
            let decls = analysis.schema.enums.len() + analysis.schema.structs.len();
            assert!((5..=30).contains(&decls));
        }
    }
}
