//! The byte-by-byte examples of `wire-format.md` §9 and the quirks of §8.

use super::*;
use karmem_syntax::{analyze, AnalysisOptions};
use serde_json::{json, Value};

fn schema(text: &str) -> Schema {
    let analysis = analyze(text, &AnalysisOptions::default());
    assert!(!analysis.has_errors(), "{:#?}", analysis.diagnostics);
    analysis.schema
}

fn hex(text: &str) -> Vec<u8> {
    let clean: String = text.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    (0..clean.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&clean[i..i + 2], 16).unwrap())
        .collect()
}

fn tiny(packed: bool) -> Schema {
    let header = if packed {
        "karmem tiny @packed(true);"
    } else {
        "karmem tiny;"
    };
    schema(&format!(
        "{header}
enum Kind uint8 {{ None; Big; }}
struct Point inline {{ X int16; Y int16; }}
struct Item table {{ Id uint32; Kind Kind; Pos Point; Name []char; Tags [<4]uint16; Grid [2]uint8; }}
struct Holder inline {{ Data Item; }}
struct Box table {{ Items []Holder; Flag bool; }}
"
    ))
}

fn item_value() -> Value {
    json!({"Id": 0x11223344, "Kind": "Big", "Pos": {"X": 1, "Y": -2}, "Name": "hi",
           "Tags": [7, 8, 9], "Grid": [5, 6]})
}

#[test]
fn wire_9_1_item_packed() {
    let s = tiny(true);
    let bytes = encode(&s, "Item", &item_value()).unwrap();
    assert_eq!(
        bytes,
        hex("1f 00 00 00 44 33 22 11 01 01 00 fe ff 1f 00 00
             00 02 00 00 00 21 00 00 00 06 00 00 00 05 06 68
             69 07 00 08 00 09 00")
    );
    assert_eq!(decode(&s, "Item", &bytes).unwrap(), item_value());
    assert_eq!(decode_strict(&s, "Item", &bytes).unwrap(), item_value());
}

#[test]
fn wire_9_2_item_not_packed() {
    let s = tiny(false);
    let bytes = encode(&s, "Item", &item_value()).unwrap();
    assert_eq!(
        bytes,
        hex("2b 00 00 00 44 33 22 11 01 01 00 fe ff 00 00 00
             00 2b 00 00 00 02 00 00 00 01 00 00 00 2d 00 00
             00 06 00 00 00 02 00 00 00 05 06 68 69 07 00 08
             00 09 00")
    );
    assert_eq!(decode(&s, "Item", &bytes).unwrap(), item_value());
    // Five tags into a `[<4]`: the JSON mapping refuses them ...
    let mut five = item_value();
    five["Tags"] = json!([1, 2, 3, 4, 5]);
    let err = encode(&s, "Item", &five).unwrap_err();
    assert_eq!(
        err.to_string(),
        "$.Tags: expected at most 4 elements (`[<4]uint16`), found 5"
    );
    // ... but a writer that wrote them all (byte length 10) is read back as 4.
    let mut bytes = bytes;
    bytes[0x1d + 4] = 10;
    bytes.extend([0, 0, 0, 0]);
    assert_eq!(
        decode(&s, "Item", &bytes).unwrap()["Tags"],
        json!([7, 8, 9, 0])
    );
}

#[test]
fn wire_9_3_box_packed() {
    let s = tiny(true);
    let value =
        json!({"Items": [{"Data": {"Id": 1, "Name": "a"}}, {"Data": {"Id": 2}}], "Flag": true});
    let bytes = encode(&s, "Box", &value).unwrap();
    assert_eq!(
        bytes,
        hex("0d 00 00 00 0d 00 00 00 08 00 00 00 01 15 00 00
             00 35 00 00 00 1f 00 00 00 01 00 00 00 00 00 00
             00 00 34 00 00 00 01 00 00 00 35 00 00 00 00 00
             00 00 00 00 61 1f 00 00 00 02 00 00 00 00 00 00
             00 00 54 00 00 00 00 00 00 00 54 00 00 00 00 00
             00 00 00 00")
    );
    let decoded = decode(&s, "Box", &bytes).unwrap();
    assert_eq!(decoded["Items"][1]["Data"]["Id"], json!(2));
    assert_eq!(decoded["Items"][0]["Data"]["Name"], json!("a"));
    assert_eq!(decoded["Items"][0]["Data"]["Kind"], json!("None"));
    assert_eq!(encode(&s, "Box", &decoded).unwrap(), bytes);
}

#[test]
fn wire_9_4_shortened_table() {
    let s = tiny(true);
    let value = json!({"Id": 5, "Kind": "Big", "Pos": {"X": 1, "Y": 2}, "Name": "n",
                       "Tags": [1], "Grid": [3, 4]});
    let bytes = encode(&s, "Item", &value).unwrap();
    let with_size = |size: u8| {
        let mut b = bytes.clone();
        b[0] = size;
        decode(&s, "Item", &b).unwrap()
    };
    let absent = |v: &Value, fields: &[&str]| {
        let all = ["Id", "Kind", "Pos", "Name", "Tags", "Grid"];
        for f in all {
            let default = decode(&s, "Item", &[]).unwrap()[f].clone();
            if fields.contains(&f) {
                assert_eq!(v[f], default, "{f} should be absent");
            } else {
                assert_eq!(v[f], value[f], "{f} should be present");
            }
        }
    };
    absent(&with_size(31), &[]);
    absent(&with_size(30), &["Grid"]);
    absent(&with_size(29), &["Grid"]);
    absent(&with_size(21), &["Tags", "Grid"]);
    absent(&with_size(13), &["Name", "Tags", "Grid"]);
    absent(&with_size(12), &["Pos", "Name", "Tags", "Grid"]);
    absent(&with_size(8), &["Kind", "Pos", "Name", "Tags", "Grid"]);
    absent(
        &with_size(4),
        &["Id", "Kind", "Pos", "Name", "Tags", "Grid"],
    );
    absent(
        &with_size(3),
        &["Id", "Kind", "Pos", "Name", "Tags", "Grid"],
    );
    // The buffer cut below the stored size: all defaults; strict says where.
    let cut = &bytes[..30];
    absent(
        &decode(&s, "Item", cut).unwrap(),
        &["Id", "Kind", "Pos", "Name", "Tags", "Grid"],
    );
    let err = decode_strict(&s, "Item", cut).unwrap_err();
    assert!(
        matches!(err, CodecError::Malformed { offset: 0, .. }),
        "{err}"
    );
}

#[test]
fn defaults_of_an_empty_buffer() {
    let s = tiny(true);
    assert_eq!(
        decode(&s, "Item", &[]).unwrap(),
        json!({"Id": 0, "Kind": "None", "Pos": {"X": 0, "Y": 0}, "Name": "", "Tags": [], "Grid": [0, 0]})
    );
    assert_eq!(
        decode(&s, "Box", &[]).unwrap(),
        json!({"Items": [], "Flag": false})
    );
    // Missing members are defaults on input too.
    assert_eq!(
        encode(&s, "Item", &json!({})).unwrap(),
        encode(&s, "Item", &decode(&s, "Item", &[]).unwrap()).unwrap()
    );
}

#[test]
fn w1_inline_root_with_inline_first_field_is_written_in_place() {
    let s = schema(
        "karmem w @packed(true);
struct P inline { X uint8; Y uint8; }
struct Root inline { Pos P; Z uint8; }
",
    );
    let value = json!({"Pos": {"X": 1, "Y": 2}, "Z": 3});
    let bytes = encode(&s, "Root", &value).unwrap();
    // Upstream writes 00 00 03 01 02 and loses Pos; we write it in place.
    assert_eq!(bytes, [1, 2, 3]);
    assert_eq!(decode(&s, "Root", &bytes).unwrap(), value);
}

#[test]
fn w2_small_non_packed_table_reads_as_defaults() {
    let s = schema("karmem w;\nstruct Small table { V uint8; }\n");
    let bytes = encode(&s, "Small", &json!({"V": 7})).unwrap();
    assert_eq!(bytes, [5, 0, 0, 0, 7]);
    assert_eq!(decode(&s, "Small", &bytes).unwrap(), json!({"V": 0}));
    assert!(decode_strict(&s, "Small", &bytes).is_err());
    let mut padded = bytes.clone();
    padded.extend([0, 0, 0]);
    assert_eq!(decode(&s, "Small", &padded).unwrap(), json!({"V": 7}));
    let packed = schema("karmem w @packed(true);\nstruct Small table { V uint8; }\n");
    assert_eq!(decode(&packed, "Small", &bytes).unwrap(), json!({"V": 7}));
}

#[test]
fn w6_w7_odd_lengths() {
    let s = schema("karmem w @packed(true);\nstruct Z inline { E [0]uint8; }\nstruct T table { A []uint16; B []Z; }\n");
    let bytes = encode(&s, "T", &json!({"A": [1, 2, 3], "B": [{}, {}]})).unwrap();
    // B's elements have size 0: nothing allocated, length 0.
    assert_eq!(
        decode(&s, "T", &bytes).unwrap(),
        json!({"A": [1, 2, 3], "B": []})
    );
    let mut odd = bytes.clone();
    odd[8] = 5; // A: 5 bytes → 2 elements
    assert_eq!(decode(&s, "T", &odd).unwrap()["A"], json!([1, 2]));
    let err = decode_strict(&s, "T", &odd).unwrap_err();
    assert_eq!(
        err.to_string(),
        "malformed message at byte offset 4 ($.A): slice length 5 is not a multiple of the element size 2"
    );
    let mut zero = bytes.clone();
    zero[16] = 1; // B: 1 byte of zero-size elements
    assert_eq!(decode(&s, "T", &zero).unwrap()["B"], json!([]));
    assert!(decode_strict(&s, "T", &zero).is_err());
}

#[test]
fn scalars_enums_and_floats() {
    let s = schema(
        "karmem s @packed(true);
enum E int8 { A; B = 5; }
struct S inline { U uint64; I int64; F float32; D float64; B bool; C char; Y byte; E E; Cs [2]char; }
",
    );
    let value = json!({"U": u64::MAX, "I": i64::MIN, "F": 0.1, "D": "NaN", "B": true,
                       "C": 65, "Y": 255, "E": "B", "Cs": [104, 105]});
    let bytes = encode(&s, "S", &value).unwrap();
    assert_eq!(bytes.len(), 8 + 8 + 4 + 8 + 1 + 1 + 1 + 1 + 2);
    assert_eq!(decode(&s, "S", &bytes).unwrap(), value);
    // Strings of digits are integers too; numbers name enum values.
    let alt = json!({"U": "18446744073709551615", "I": "-9223372036854775808", "F": 0.1,
                     "D": "NaN", "B": true, "C": 65, "Y": 255, "E": 5, "Cs": [104, 105]});
    assert_eq!(encode(&s, "S", &alt).unwrap(), bytes);
    // Unknown enum numbers survive; a negative byte is an int8 number.
    let mut unknown = bytes.clone();
    let e_at = 8 + 8 + 4 + 8 + 1 + 1 + 1;
    unknown[e_at] = 0xff;
    assert_eq!(decode(&s, "S", &unknown).unwrap()["E"], json!(-1));
    assert_eq!(
        encode(&s, "S", &decode(&s, "S", &unknown).unwrap()).unwrap(),
        unknown
    );
    for (field, v) in [
        ("D", "Infinity"),
        ("D", "-Infinity"),
        ("F", "NaN"),
        ("F", "-Infinity"),
    ] {
        let mut x = value.clone();
        x[field] = json!(v);
        assert_eq!(decode(&s, "S", &encode(&s, "S", &x).unwrap()).unwrap(), x);
    }
    // Nonzero bytes are true.
    let mut b = bytes.clone();
    b[28] = 7;
    assert_eq!(decode(&s, "S", &b).unwrap()["B"], json!(true));
}

#[test]
fn json_errors_name_the_path() {
    let s = schema(
        "karmem g @packed(true);
enum Team uint8 { Humans; Orcs; }
struct Vec3 inline { X float32; Y float32; Z float32; }
struct MonsterData table { Pos Vec3; Name [<4]char; Team Team; Level uint8; }
struct Monster inline { Data MonsterData; }
struct Monsters table { Monsters []Monster; }
",
    );
    let err_of = |v: Value| encode(&s, "Monsters", &v).unwrap_err().to_string();
    let monsters = |data: Value| json!({"Monsters": [{}, {}, {}, {"Data": data}]});
    assert_eq!(
        err_of(monsters(json!({"Pos": {"X": "a"}}))),
        "$.Monsters[3].Data.Pos.X: expected a number, found the string \"a\" (only \"NaN\", \"Infinity\" and \"-Infinity\" may be strings)"
    );
    assert_eq!(
        err_of(monsters(json!({"Pos": {"X": true}}))),
        "$.Monsters[3].Data.Pos.X: expected a number, found a boolean"
    );
    assert_eq!(
        err_of(monsters(json!({"Pos": {"W": 1}}))),
        "$.Monsters[3].Data.Pos: unknown member `W` (`Vec3` has X, Y, Z)"
    );
    assert_eq!(
        err_of(monsters(json!({"Name": "héllo"}))),
        "$.Monsters[3].Data.Name: expected at most 4 bytes (`[<4]char`), found 6"
    );
    assert_eq!(
        err_of(monsters(json!({"Team": "Elves"}))),
        "$.Monsters[3].Data.Team: `Elves` is not a value of enum `Team` (Humans, Orcs)"
    );
    assert_eq!(
        err_of(monsters(json!({"Level": 256}))),
        "$.Monsters[3].Data.Level: 256 is out of range for uint8"
    );
    assert_eq!(
        err_of(monsters(json!({"Level": 1.5}))),
        "$.Monsters[3].Data.Level: expected an integer, found 1.5"
    );
    assert_eq!(err_of(json!([])), "$: expected an object, found an array");
    assert_eq!(
        err_of(json!({"Monsters": {}})),
        "$.Monsters: expected an array, found an object"
    );
    assert_eq!(
        encode(&s, "Nope", &json!({})).unwrap_err().to_string(),
        "no struct named `Nope` in the schema (structs: Vec3, MonsterData, Monster, Monsters)"
    );
    assert_eq!(
        encode(&s, "Team", &json!({})).unwrap_err().to_string(),
        "`Team` is an enum; a message is a struct"
    );
}

#[test]
fn invalid_utf8_is_an_error_with_its_offset() {
    let s = schema("karmem u @packed(true);\nstruct T table { S []char; }\n");
    let mut bytes = encode(&s, "T", &json!({"S": "ab"})).unwrap();
    let last = bytes.len() - 1;
    bytes[last] = 0xff;
    let err = decode(&s, "T", &bytes).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("malformed message at byte offset {last} ($.S): the string is not valid UTF-8")
    );
}

#[test]
fn amplification_is_bounded() {
    let s = schema(
        "karmem a @packed(true);\nstruct T table { A []uint8; B []uint8; C []uint8; D []uint8; }\n",
    );
    // Four slices sharing one region: fine within the budget ...
    let mut bytes = encode(&s, "T", &json!({"A": vec![1; 1000]})).unwrap();
    for slot in [12, 20, 28] {
        let (head, tail) = bytes.split_at_mut(slot);
        tail[..8].copy_from_slice(&head[4..12]);
    }
    let v = decode(&s, "T", &bytes).unwrap();
    assert_eq!(v["D"].as_array().unwrap().len(), 1000);
    // ... and refused past it.
    let tight = DecodeOptions {
        strict: false,
        budget: Some(2500),
    };
    assert!(matches!(
        decode_with(&s, "T", &bytes, &tight),
        Err(CodecError::TooLarge { .. })
    ));
}
