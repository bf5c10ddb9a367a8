//! `karmem encode` / `karmem decode`, driven as a process.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use karmem_tests::bin::karmem;
use karmem_tests::fixtures::{demo, demo_value, hex, unhex, VECTOR_A};
use serde_json::{json, Value};

struct Run {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
}

impl Run {
    fn text(&self) -> String {
        String::from_utf8(self.stdout.clone()).unwrap()
    }
}

fn run(dir: &Path, args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(karmem())
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run karmem");
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    Run {
        code: out.status.code().expect("exit code"),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `codegen/testing.md` §4 A, as one line of hex.
fn vector_a() -> String {
    hex(&unhex(VECTOR_A))
}

fn setup() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("demo.km"), demo(true)).unwrap();
    std::fs::write(tmp.path().join("item.json"), demo_value().to_string()).unwrap();
    tmp
}

#[test]
fn encode_hex_matches_the_golden_vector() {
    let tmp = setup();
    let r = run(
        tmp.path(),
        &[
            "encode",
            "--schema",
            "demo.km",
            "--type",
            "Item",
            "--hex",
            "item.json",
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.text(), format!("{}\n", vector_a()));
    // Raw bytes, from standard input, into a file.
    let r = run(
        tmp.path(),
        &[
            "encode", "--schema", "demo.km", "--type", "Item", "-o", "item.bin",
        ],
        demo_value().to_string().as_bytes(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let bytes = std::fs::read(tmp.path().join("item.bin")).unwrap();
    assert_eq!(bytes.len(), 134);
    // And back.
    let r = run(
        tmp.path(),
        &[
            "decode", "--schema", "demo.km", "--type", "Item", "item.bin",
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = r.text();
    assert!(
        text.starts_with("{\n  \"Id\": 72623859790382856,\n  \"Name\": \"héllo\",\n"),
        "{text}"
    );
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), demo_value());
    let r = run(
        tmp.path(),
        &[
            "decode",
            "--schema",
            "demo.km",
            "--type",
            "Item",
            "--hex",
            "--compact",
        ],
        vector_a().as_bytes(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.text().lines().count(), 1);
    assert_eq!(
        serde_json::from_str::<Value>(&r.text()).unwrap(),
        demo_value()
    );
}

#[test]
fn json_shape_errors_name_the_path() {
    let tmp = setup();
    let r = run(
        tmp.path(),
        &["encode", "--schema", "demo.km", "--type", "Item"],
        br#"{"Refs": [{}, {"Ref": {"Label": 3}}]}"#,
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr,
        "error: <stdin>: $.Refs[1].Ref.Label: expected a string, found a number\n"
    );
    assert!(r.stdout.is_empty());
    let r = run(
        tmp.path(),
        &["encode", "--schema", "demo.km", "--type", "Item"],
        b"{\"Id\": ",
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.starts_with("error: <stdin> is not valid JSON: "),
        "{}",
        r.stderr
    );
}

#[test]
fn malformed_messages_are_errors_unless_lenient() {
    let tmp = setup();
    let mut bytes = vector_a();
    bytes.replace_range(82..84, "ff"); // byte 41: Data offset out of range
    let r = run(
        tmp.path(),
        &["decode", "--schema", "demo.km", "--type", "Item", "--hex"],
        bytes.as_bytes(),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("error: <stdin>: malformed message at byte offset 41 ($.Data): "),
        "{}",
        r.stderr
    );
    let r = run(
        tmp.path(),
        &[
            "decode",
            "--schema",
            "demo.km",
            "--type",
            "Item",
            "--hex",
            "--lenient",
        ],
        bytes.as_bytes(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(v["Data"], json!([]));
    assert_eq!(v["Name"], json!("héllo"));
    let r = run(
        tmp.path(),
        &["decode", "--schema", "demo.km", "--type", "Item", "--hex"],
        b"3e0g",
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("not hexadecimal: 'g' at offset 3"),
        "{}",
        r.stderr
    );
}

#[test]
fn schema_and_type_problems() {
    let tmp = setup();
    std::fs::write(
        tmp.path().join("bad.km"),
        "karmem bad;\nstruct A inline { X Nope; }\n",
    )
    .unwrap();
    let r = run(
        tmp.path(),
        &["encode", "--schema", "bad.km", "--type", "A"],
        b"{}",
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("error[KM0200]"), "{}", r.stderr);
    assert!(r.stderr.contains("bad.km has errors"), "{}", r.stderr);

    let r = run(
        tmp.path(),
        &["decode", "--schema", "demo.km", "--type", "Nope"],
        b"",
    );
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: no struct named `Nope` in the schema (structs: Point, Meta, MetaRef, Item)\n"
    );
    let r = run(
        tmp.path(),
        &["decode", "--schema", "demo.km", "--type", "Kind"],
        b"",
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("`Kind` is an enum"), "{}", r.stderr);

    let r = run(
        tmp.path(),
        &["decode", "--schema", "missing.km", "--type", "Item"],
        b"",
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot read missing.km"), "{}", r.stderr);
    let r = run(
        tmp.path(),
        &[
            "decode",
            "--schema",
            "demo.km",
            "--type",
            "Item",
            "missing.bin",
        ],
        b"",
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot read missing.bin"), "{}", r.stderr);
    let r = run(
        tmp.path(),
        &["encode", "--schema", "-", "--type", "Item"],
        b"",
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("cannot both come from standard input"),
        "{}",
        r.stderr
    );
}
