//! The dynamic codec against upstream's golden vectors (`codegen/testing.md` §4): encoding
//! the listed values gives the exact bytes upstream's Go writer produced, decoding them
//! gives the values back, and the reader cases (§4 C, §4 E) give the results upstream's
//! readers give. Schemas are written here from the spec text.

use karmem_codegen::codec::{decode, decode_strict, encode, CodecError};
use karmem_syntax::model::Schema;
use karmem_syntax::{analyze, AnalysisOptions};
use serde_json::{json, Value};

fn schema(text: &str) -> Schema {
    let analysis = analyze(text, &AnalysisOptions::default());
    assert!(!analysis.has_errors(), "{:#?}", analysis.diagnostics);
    analysis.schema
}

fn hex(text: &str) -> Vec<u8> {
    let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(clean.len() % 2 == 0);
    (0..clean.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&clean[i..i + 2], 16).expect("hex"))
        .collect()
}

/// The example schema of `codegen/common.md` §8.
fn demo(packed: bool) -> Schema {
    let header = if packed {
        "karmem demo @packed(true);"
    } else {
        "karmem demo;"
    };
    schema(&format!(
        "{header}

enum Kind uint16 {{ Unknown; Big = 300; }}

struct Point inline {{ X int32; Y int32; }}

struct Meta table {{ Label []char; }}

struct MetaRef inline {{ Ref Meta; }}

struct Item table {{
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
    ))
}

/// The value of §4.
fn demo_value() -> Value {
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

const VECTOR_A: &str = "
3e00000008070605040302013e000000060000002c01ffffffff0200000044000000100000000100015400000003000000570000006400000008000000
0168c3a96c6c6f03000000040000000500000006000000aabbcc0c00000063000000010000006d6c0000007a0000000c000000780000000200000072
310c0000008600000000000000";

const VECTOR_B: &str = "
5600000008070605040302015600000006000000010000002c01ffffffff0200000000000000000000005c0000002000000010000000010001
7c00000003000000010000007f0000009000000010000000080000000168c3a96c6c6f0300000004000000000000000000000005000000060000
000000000000000000aabbcc100000008f00000001000000010000006da000000000000000b20000000000000010000000b00000000200000001
000000723110000000c20000000000000001000000";

#[test]
fn vector_a_packed() {
    let s = demo(true);
    let expected = hex(VECTOR_A);
    assert_eq!(expected.len(), 134);
    let bytes = encode(&s, "Item", &demo_value()).unwrap();
    assert_eq!(bytes, expected);
    assert_eq!(decode(&s, "Item", &expected).unwrap(), demo_value());
    assert_eq!(decode_strict(&s, "Item", &expected).unwrap(), demo_value());
}

#[test]
fn vector_b_not_packed() {
    let s = demo(false);
    let expected = hex(VECTOR_B);
    assert_eq!(expected.len(), 194);
    let bytes = encode(&s, "Item", &demo_value()).unwrap();
    assert_eq!(bytes, expected);
    assert_eq!(decode(&s, "Item", &expected).unwrap(), demo_value());
    assert_eq!(decode_strict(&s, "Item", &expected).unwrap(), demo_value());
}

/// Decoding output keeps schema order (and pretty JSON therefore lists fields as declared).
#[test]
fn decoded_members_are_in_schema_order() {
    let s = demo(true);
    let v = decode(&s, "Item", &hex(VECTOR_A)).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["Id", "Name", "Kind", "Pos", "Path", "Flags", "Data", "Meta", "Refs", "Ok"]
    );
}

fn mutated(f: impl FnOnce(&mut Vec<u8>)) -> Value {
    let s = demo(true);
    let mut bytes = hex(VECTOR_A);
    f(&mut bytes);
    decode(&s, "Item", &bytes).unwrap()
}

fn default_item() -> Value {
    json!({
        "Id": 0, "Name": "", "Kind": "Unknown", "Pos": {"X": 0, "Y": 0}, "Path": [],
        "Flags": [false, false, false], "Data": [], "Meta": {"Label": ""}, "Refs": [], "Ok": false
    })
}

/// §4 C, row 1: header 20, an "older writer": Id and Name decoded, the rest default.
#[test]
fn reader_c1_older_writer() {
    let v = mutated(|b| b[0] = 0x14);
    let mut expected = default_item();
    expected["Id"] = demo_value()["Id"].clone();
    expected["Name"] = json!("héllo");
    assert_eq!(v, expected);
}

/// §4 C, row 2: truncated to 61 bytes (header 62 > buffer): everything default.
#[test]
fn reader_c2_truncated() {
    let v = mutated(|b| b.truncate(61));
    assert_eq!(v, default_item());
    let s = demo(true);
    let err = decode_strict(&s, "Item", &hex(VECTOR_A)[..61]).unwrap_err();
    assert!(
        matches!(err, CodecError::Malformed { offset: 0, .. }),
        "{err}"
    );
}

/// §4 C, row 3: Name byte size 20 > limit 16: the 16 bytes starting at offset 62.
#[test]
fn reader_c3_limit_cuts_the_string() {
    let v = mutated(|b| b[16] = 20);
    let bytes = hex(VECTOR_A);
    let expected = std::str::from_utf8(&bytes[62..78]).unwrap();
    assert!(expected.starts_with("héllo"));
    assert_eq!(v["Name"], json!(expected));
    let mut rest = v.clone();
    rest["Name"] = json!("héllo");
    assert_eq!(rest, demo_value());
}

/// §4 C, row 4: Data offset out of range: Data empty, the rest intact.
#[test]
fn reader_c4_slice_out_of_range() {
    let v = mutated(|b| b[41] = 0xff);
    let mut expected = demo_value();
    expected["Data"] = json!([]);
    assert_eq!(v, expected);
    let s = demo(true);
    let mut bytes = hex(VECTOR_A);
    bytes[41] = 0xff;
    let err = decode_strict(&s, "Item", &bytes).unwrap_err();
    assert!(
        matches!(err, CodecError::Malformed { offset: 41, ref path, .. } if path == "$.Data"),
        "{err}"
    );
}

/// §4 C, row 5: Meta offset out of range: the null table viewer.
#[test]
fn reader_c5_table_out_of_range() {
    let v = mutated(|b| b[49] = 0xf0);
    let mut expected = demo_value();
    expected["Meta"] = json!({"Label": ""});
    assert_eq!(v, expected);
    let s = demo(true);
    let mut bytes = hex(VECTOR_A);
    bytes[49] = 0xf0;
    let err = decode_strict(&s, "Item", &bytes).unwrap_err();
    assert!(
        matches!(err, CodecError::Malformed { offset: 240, .. }),
        "{err}"
    );
}

/// §4 C, row 6: Path byte size 17, not a multiple of 8: 2 elements.
#[test]
fn reader_c6_floored_length() {
    let v = mutated(|b| b[34] = 17);
    assert_eq!(v, demo_value());
    let s = demo(true);
    let mut bytes = hex(VECTOR_A);
    bytes[34] = 17;
    let err = decode_strict(&s, "Item", &bytes).unwrap_err();
    assert!(
        err.to_string()
            .contains("slice length 17 is not a multiple of the element size 8"),
        "{err}"
    );
}

/// `game.km` (upstream's benchmark schema, written from `layout.md` §6.1).
fn game() -> Schema {
    schema(
        "karmem game @packed(true);

enum Color uint8 { Red; Green; Blue; }
enum Team uint8 { Humans; Orcs; Zombies; Robots; Aliens; }

struct Vec3 inline { X float32; Y float32; Z float32; }

struct WeaponData table { Damage int32; Ammo uint16; ClipSize uint8; ReloadTime float32; Range int32; }

struct Weapon inline { Data WeaponData; }

struct MonsterData table {
    Pos       Vec3;
    Mana      int16;
    Health    int16;
    Name      [<512]char;
    Team      Team;
    Inventory [<128]byte;
    Color     Color;
    Hitbox    [5]float64;
    Status    [<10]int32;
    Weapons   [4]Weapon;
    Path      [<2000]Vec3;
    IsAlive   bool;
}

struct Monster inline { Data MonsterData; }

struct Monsters table { Monsters [<2000]Monster; }
",
    )
}

const VECTOR_D: &str = "
0c0000000c00000004000000100000006f00000000000000000000000000000000002a007f000000060000000185000000010000000000000000
00000000000000000000000000000000000000000000000000000000000000000000000086000000000000008600000099000000ac000000bf00
0000d20000000c000000016f726320c3a907130000000000000000000000000000000000001300000000000000000000000000000000000013
000000000000000000000000000000000000130000000000000000000000000000000000000000c03f0000000000000000";

/// §4 D: one monster, 222 bytes (upstream Go, C, Zig and AssemblyScript agree).
#[test]
fn vector_d_game() {
    let s = game();
    let value = json!({"Monsters": [{"Data": {
        "Name": "orc é", "Health": 42, "Inventory": [7], "Team": "Orcs", "IsAlive": true,
        "Path": [{"X": 1.5, "Y": 0, "Z": 0}]
    }}]});
    let expected = hex(VECTOR_D);
    assert_eq!(expected.len(), 222);
    let bytes = encode(&s, "Monsters", &value).unwrap();
    assert_eq!(bytes, expected);
    let decoded = decode_strict(&s, "Monsters", &expected).unwrap();
    let data = &decoded["Monsters"][0]["Data"];
    assert_eq!(data["Name"], json!("orc é"));
    assert_eq!(data["Health"], json!(42));
    assert_eq!(data["Team"], json!("Orcs"));
    assert_eq!(data["Color"], json!("Red"));
    assert_eq!(data["Hitbox"], json!([0.0, 0.0, 0.0, 0.0, 0.0]));
    assert_eq!(data["Path"], json!([{"X": 1.5, "Y": 0.0, "Z": 0.0}]));
    assert_eq!(data["Weapons"].as_array().unwrap().len(), 4);
    assert_eq!(
        data["Weapons"][3],
        json!({"Data": {"Damage": 0, "Ammo": 0, "ClipSize": 0, "ReloadTime": 0.0, "Range": 0}})
    );
    // The decoded document (every default spelled out) encodes to the same bytes.
    assert_eq!(encode(&s, "Monsters", &decoded).unwrap(), expected);
}

/// §4 E: the known-bad upstream cases.
#[test]
fn regressions_e() {
    // Root inline struct whose first field is an inline struct: round-trips here.
    let s = schema(
        "karmem e @packed(true);\nstruct P inline { X int32; Y int32; }\nstruct A inline { Pos P; N int32; }\n",
    );
    let value = json!({"Pos": {"X": 7, "Y": -7}, "N": 9});
    let bytes = encode(&s, "A", &value).unwrap();
    assert_eq!(bytes.len(), 12);
    assert_eq!(decode(&s, "A", &bytes).unwrap(), value);

    // Non-packed one-uint8 table alone in a buffer: readers return 0.
    let s = schema("karmem e;\nstruct T table { V uint8; }\n");
    assert_eq!(encode(&s, "T", &json!({"V": 7})).unwrap(), [5, 0, 0, 0, 7]);
    assert_eq!(decode(&s, "T", &[5, 0, 0, 0, 7]).unwrap(), json!({"V": 0}));

    // An enum as the last field of a table after a byte slice: the slice data is intact.
    let s = schema(
        "karmem e @packed(true);\nenum K uint8 { A; B; }\nstruct T table { D []byte; K K; }\n",
    );
    let value = json!({"D": [1, 2, 3], "K": "B"});
    let bytes = encode(&s, "T", &value).unwrap();
    assert_eq!(bytes, [13, 0, 0, 0, 13, 0, 0, 0, 3, 0, 0, 0, 1, 1, 2, 3]);
    assert_eq!(decode(&s, "T", &bytes).unwrap(), value);
}
