//! Schemas, values and byte vectors shared by the target tests (`rust_target.rs`, the
//! cross-language harness): `game.km`, the example schema of `codegen/common.md` §8, the
//! golden vectors of `codegen/testing.md` §4, and seeded random values.

use karmem_syntax::model::{Primitive, Schema, TypeModel, TypeTarget};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------
// Schemas

/// `game.km` (layout.md §6.1; upstream's benchmark schema without its other-target tags).
pub const GAME: &str = "karmem game @packed(true);

enum Color uint8 {Red;Green;Blue;}

enum Team uint8 {Humans;Orcs;Zombies;Robots;Aliens;}

struct Vec3 inline {
    X float32;
    Y float32;
    Z float32;
}

struct WeaponData table {
    Damage int32;
    Ammo uint16;
    ClipSize uint8;
    ReloadTime float32;
    Range  int32;
}

struct Weapon inline {
    Data WeaponData;
}

struct MonsterData table {
    Pos Vec3;
    Mana int16;
    Health int16;
    Name [<512]char;
    Team Team;
    Inventory [<128]byte;
    Color Color;
    Hitbox [5]float64;
    Status [<10]int32;
    Weapons [4]Weapon;
    Path [<2000]Vec3;
    IsAlive bool;
}

struct Monster inline {
    Data MonsterData;
}

struct Monsters table {
    Monsters [<2000]Monster;
}
";

/// The example schema of `codegen/common.md` §8.
pub fn demo(packed: bool) -> String {
    let header = if packed {
        "karmem demo @packed(true);"
    } else {
        "karmem demo;"
    };
    format!(
        "{header}

/// A kind of item.
enum Kind uint16 {{ Unknown; Big = 300; }}

struct Point inline {{ X int32; Y int32; }}

struct Meta table {{ Label []char; }}

struct MetaRef inline {{ Ref Meta; }}

/// An item.
struct Item table {{
    /// Its id.
    Id    uint64;
    Name  [<16]char;
    Kind  Kind;
    Pos   Point;
    Path  [<4]Point;
    Flags [3]bool;
    Data  []byte;
    Meta  Meta;
    Refs  []MetaRef;
    Ok    bool;
}}
"
    )
}

/// The schema of `wire-format.md` §9.
pub fn tiny(packed: bool) -> String {
    // The packed variant also checks `@rust.import` (the driver re-exports the runtime as
    // `crate::kmrt`).
    let header = if packed {
        "karmem tiny @packed(true) @rust.import(`crate::kmrt`);"
    } else {
        "karmem tiny;"
    };
    format!(
        "{header}
enum Kind uint8 {{ None; Big; }}
struct Point inline {{ X int16; Y int16; }}
struct Item table {{ Id uint32; Kind Kind; Pos Point; Name []char; Tags [<4]uint16; Grid [2]uint8; }}
struct Holder inline {{ Data Item; }}
struct Box table {{ Items []Holder; Flag bool; }}
"
    )
}

/// An evolving schema: version 2 appends fields to tables (and a value to the enum).
pub fn evolution(packed: bool, version: u32) -> String {
    let header = if packed {
        "karmem evo @packed(true);"
    } else {
        "karmem evo;"
    };
    let (level, rec, root) = if version == 1 {
        (
            "Low; High;",
            "A uint32; B []char;",
            "Name []char; Main Rec; List []Wrap;",
        )
    } else {
        (
            "Low; High; Max;",
            "A uint32; B []char; C uint64; D []uint16; E Level;",
            "Name []char; Main Rec; List []Wrap; Extra [<4]int32; Flag bool;",
        )
    };
    format!(
        "{header}
enum Level uint8 {{ {level} }}
struct Rec table {{ {rec} }}
struct Wrap inline {{ R Rec; }}
struct Root table {{ {root} }}
"
    )
}

/// Edge cases: upstream's defects W1/W2 (testing.md §4 E), zero-size elements, keywords,
/// every primitive, `char` outside slices, arrays longer than 32, enums of every width.
pub const EDGE: &str = "karmem edge;

enum Signed int8 { Zero; One; Max = 127; }
enum Wide uint64 { Zero; Huge = 18446744073709551615; }
enum Dup uint8 { A; B = 0; C = 2; }
enum Neg int64 { Zero; Big = 9223372036854775807; }

struct P inline @packed(true) { X uint8; Y uint8; }
struct RootInline inline @packed(true) { Pos P; Z uint8; }
struct Small table { V uint8; }
struct ByteEnum table { Data []byte; Kind Dup; }
struct Zero inline @packed(true) { X [0]uint8; }
struct ZeroUser table { A []Zero; B [3]Zero; C Zero; D uint8; }
struct Keywords table { Type uint8; Self uint8; Ref uint16; Match []char; Fn Signed; Crate Wide; Super bool; Async Neg; }
struct Prims table {
    A bool; B byte; C char; D uint8; E uint16; F uint32; G uint64; H int8; I int16; J int32;
    K int64; L float32; M float64; N [3]char; O [40]uint8; Q []float64; R [<2]int16;
    S [<3]P; T []bool; U [33]P; V [<0]uint8; W [2]float32;
}
struct PackedPrims table @packed(true) { L float32; Q []float64; S [<3]P; Z ZeroUser; Inl RootInline; }
";

/// Corpus schemas copied from `../shared/corpus/generated` (test data).
pub const CORPUS: &[(&str, &str)] = &[
    (
        "valid_001",
        include_str!("../tests/rust_target/valid_001.km"),
    ),
    (
        "valid_003",
        include_str!("../tests/rust_target/valid_003.km"),
    ),
    (
        "valid_005",
        include_str!("../tests/rust_target/valid_005.km"),
    ),
];

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn unhex(text: &str) -> Vec<u8> {
    let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    (0..clean.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&clean[i..i + 2], 16).unwrap())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Random values

/// A small seeded generator (xorshift64*).
pub struct Rng(pub u64);

impl Rng {
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

pub fn random_integer(rng: &mut Rng, p: Primitive) -> Value {
    let (bits, signed) = match p {
        Primitive::Byte | Primitive::Char => (8, false),
        other => other.integer_bits().unwrap(),
    };
    let raw = match rng.below(4) {
        0 => 0,
        1 => u64::MAX,
        2 => rng.below(300),
        _ => rng.next(),
    };
    if signed {
        let shift = 64 - bits;
        json!(((raw << shift) as i64) >> shift)
    } else if bits == 64 {
        json!(raw)
    } else {
        json!(raw & ((1u64 << bits) - 1))
    }
}

pub fn random_float(rng: &mut Rng, single: bool) -> Value {
    let x: f64 = match rng.below(8) {
        0 => 0.0,
        1 => -0.0,
        2 => 1.5,
        3 => return json!(["NaN", "Infinity", "-Infinity"][rng.below(3) as usize]),
        4 => rng.below(1000) as f64 / 7.0,
        _ => {
            if single {
                let f = f32::from_bits(rng.next() as u32);
                if !f.is_finite() {
                    return json!(2.5);
                }
                f64::from(f)
            } else {
                let f = f64::from_bits(rng.next());
                if !f.is_finite() {
                    return json!(-3.25);
                }
                f
            }
        }
    };
    if single {
        json!(f64::from(x as f32))
    } else {
        json!(x)
    }
}

pub const CHARS: &[&str] = &[
    "a", "Z", "0", " ", "é", "ß", "€", "中", "😀", "\u{0}", "\"", "\\",
];

pub fn random_string(rng: &mut Rng, limit: Option<u32>) -> String {
    let mut s = String::new();
    for _ in 0..rng.below(9) {
        let c = CHARS[rng.below(CHARS.len() as u64) as usize];
        if limit.is_some_and(|n| s.len() + c.len() > n as usize) {
            break;
        }
        s.push_str(c);
    }
    s
}

pub fn random_element(schema: &Schema, target: TypeTarget, rng: &mut Rng, depth: u32) -> Value {
    match target {
        TypeTarget::Primitive(Primitive::Bool) => json!(rng.chance(50)),
        TypeTarget::Primitive(Primitive::Float32) => random_float(rng, true),
        TypeTarget::Primitive(Primitive::Float64) => random_float(rng, false),
        TypeTarget::Primitive(p) => random_integer(rng, p),
        TypeTarget::Enum(i) => {
            let e = &schema.enums[i];
            if rng.chance(70) {
                json!(e.values[rng.below(e.values.len() as u64) as usize].name)
            } else {
                random_integer(rng, e.base.unwrap())
            }
        }
        TypeTarget::Struct(i) => random_struct(schema, i, rng, depth + 1),
    }
}

pub fn random_struct(schema: &Schema, index: usize, rng: &mut Rng, depth: u32) -> Value {
    let s = &schema.structs[index];
    let mut object = serde_json::Map::new();
    for f in &s.fields {
        if rng.chance(15) {
            continue; // missing member: default
        }
        let target = f.target.unwrap();
        let max = if depth > 3 { 1 } else { 4 };
        let value = match f.model {
            TypeModel::Single => random_element(schema, target, rng, depth),
            TypeModel::Array => {
                let n = rng.below(u64::from(f.length.min(max)) + 1);
                Value::Array(
                    (0..n)
                        .map(|_| random_element(schema, target, rng, depth))
                        .collect(),
                )
            }
            TypeModel::Slice | TypeModel::SliceLimited => {
                let limit = (f.model == TypeModel::SliceLimited).then_some(f.length);
                if target == TypeTarget::Primitive(Primitive::Char) {
                    json!(random_string(rng, limit))
                } else {
                    let cap = limit.map_or(max, |n| n.min(max));
                    let n = rng.below(u64::from(cap) + 1);
                    Value::Array(
                        (0..n)
                            .map(|_| random_element(schema, target, rng, depth))
                            .collect(),
                    )
                }
            }
        };
        object.insert(f.name.clone(), value);
    }
    Value::Object(object)
}

// ---------------------------------------------------------------------------------------
// Golden vectors

pub const VECTOR_A: &str = "
3e00000008070605040302013e000000060000002c01ffffffff0200000044000000100000000100015400000003000000570000006400000008000000
0168c3a96c6c6f03000000040000000500000006000000aabbcc0c00000063000000010000006d6c0000007a0000000c000000780000000200000072
310c0000008600000000000000";

pub const VECTOR_B: &str = "
5600000008070605040302015600000006000000010000002c01ffffffff0200000000000000000000005c0000002000000010000000010001
7c00000003000000010000007f0000009000000010000000080000000168c3a96c6c6f0300000004000000000000000000000005000000060000
000000000000000000aabbcc100000008f00000001000000010000006da000000000000000b20000000000000010000000b00000000200000001
000000723110000000c20000000000000001000000";

pub const VECTOR_D: &str = "
0c0000000c00000004000000100000006f00000000000000000000000000000000002a007f000000060000000185000000010000000000000000
00000000000000000000000000000000000000000000000000000000000000000000000086000000000000008600000099000000ac000000bf00
0000d20000000c000000016f726320c3a907130000000000000000000000000000000000001300000000000000000000000000000000000013
000000000000000000000000000000000000130000000000000000000000000000000000000000c03f0000000000000000";

pub fn demo_value() -> Value {
    json!({
        "Id": 0x0102030405060708u64,
        "Name": "héllo",
        "Kind": "Big",
        "Pos": {"X": -1, "Y": 2},
        "Path": [{"X": 3, "Y": 4}, {"X": 5, "Y": 6}],
        "Flags": [true, false, true],
        "Data": [0xAA, 0xBB, 0xCC],
        "Meta": {"Label": "m"},
        "Refs": [{"Ref": {"Label": "r1"}}, {"Ref": {"Label": ""}}],
        "Ok": true
    })
}

/// The value of golden vector D (`codegen/testing.md` §4 D) for `game.km`'s `Monsters`.
pub fn game_value() -> Value {
    json!({"Monsters": [{"Data": {
        "Name": "orc é", "Health": 42, "Inventory": [7], "Team": "Orcs", "IsAlive": true,
        "Path": [{"X": 1.5, "Y": 0, "Z": 0}]
    }}]})
}
