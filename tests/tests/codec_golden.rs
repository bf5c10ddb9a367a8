//! The dynamic codec against upstream's golden vectors (`codegen/testing.md` §4): encoding
//! the listed values gives the exact bytes upstream's Go writer produced, decoding them
//! gives the values back, and the reader cases (§4 C, §4 E) give the results upstream's
//! readers give. The schemas, values and vectors are the shared `karmem_tests::fixtures`.

use karmem_codegen::codec::{decode, decode_strict, encode, CodecError};
use karmem_syntax::model::Schema;
use karmem_syntax::{analyze, AnalysisOptions};
use karmem_tests::fixtures::{demo_value, game_value, unhex, GAME, VECTOR_A, VECTOR_B, VECTOR_D};
use serde_json::{json, Value};

fn schema(text: &str) -> Schema {
    let analysis = analyze(text, &AnalysisOptions::default());
    assert!(!analysis.has_errors(), "{:#?}", analysis.diagnostics);
    analysis.schema
}

/// The example schema of `codegen/common.md` §8.
fn demo(packed: bool) -> Schema {
    schema(&karmem_tests::fixtures::demo(packed))
}

#[test]
fn vector_a_packed() {
    let s = demo(true);
    let expected = unhex(VECTOR_A);
    assert_eq!(expected.len(), 134);
    let bytes = encode(&s, "Item", &demo_value()).unwrap();
    assert_eq!(bytes, expected);
    assert_eq!(decode(&s, "Item", &expected).unwrap(), demo_value());
    assert_eq!(decode_strict(&s, "Item", &expected).unwrap(), demo_value());
}

#[test]
fn vector_b_not_packed() {
    let s = demo(false);
    let expected = unhex(VECTOR_B);
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
    let v = decode(&s, "Item", &unhex(VECTOR_A)).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["Id", "Name", "Kind", "Pos", "Path", "Flags", "Data", "Meta", "Refs", "Ok"]
    );
}

fn mutated(f: impl FnOnce(&mut Vec<u8>)) -> Value {
    let s = demo(true);
    let mut bytes = unhex(VECTOR_A);
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
    let err = decode_strict(&s, "Item", &unhex(VECTOR_A)[..61]).unwrap_err();
    assert!(
        matches!(err, CodecError::Malformed { offset: 0, .. }),
        "{err}"
    );
}

/// §4 C, row 3: Name byte size 20 > limit 16: the 16 bytes starting at offset 62.
#[test]
fn reader_c3_limit_cuts_the_string() {
    let v = mutated(|b| b[16] = 20);
    let bytes = unhex(VECTOR_A);
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
    let mut bytes = unhex(VECTOR_A);
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
    let mut bytes = unhex(VECTOR_A);
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
    let mut bytes = unhex(VECTOR_A);
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
    schema(GAME)
}

/// §4 D: one monster, 222 bytes (upstream Go, C, Zig and AssemblyScript agree).
#[test]
fn vector_d_game() {
    let s = game();
    let value = game_value();
    let expected = unhex(VECTOR_D);
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
