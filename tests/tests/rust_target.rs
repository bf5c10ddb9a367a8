//! The Rust target end to end: Rust code is generated for several schemas (`game.km`, the
//! example schema of `codegen/common.md` §8 packed and not, the tiny schema of
//! `wire-format.md` §9, two versions of an evolving schema, edge cases, a few schemas of
//! the generated corpus, and — when `../shared` is present — every upstream corpus schema),
//! compiled into ONE temporary cargo crate together with a generated driver, and checked
//! against the dynamic codec (`karmem_codegen::codec`), which is itself checked against
//! upstream's golden vectors:
//!
//! * hand-picked and seeded random values: the generated `encode` gives exactly the codec's
//!   bytes; decoding them (object API, object API into a re-used value, viewers) gives the
//!   codec's JSON;
//! * the golden vectors of `codegen/testing.md` §4 (A, B, D, the reader cases of C, the
//!   regression cases of E) and the byte examples of `wire-format.md` §9;
//! * tables growing across schema versions: old readers read new messages and the reverse;
//! * malformed input (mutated, truncated and random bytes): decoding never panics and
//!   agrees with the codec's lenient decoder.
//!
//! The crate is built with `--offline` in a target directory below this workspace's target
//! directory, so later runs only rebuild the driver; the generated modules are built with
//! `deny(warnings)` and, when clippy is installed, checked with clippy (`clippy::all` plus
//! the no-panic lints of `rust.md` §3.6).

#[path = "rust_target/glue.rs"]
mod glue;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use karmem_codegen::codec;
use karmem_codegen::{generate, rust::RustGenerator, TargetOptions};
use karmem_syntax::model::{Schema, TypeModel, TypeTarget};
use karmem_syntax::{analyze, AnalysisOptions};
use karmem_tests::fixtures::*;
use serde_json::{json, Value};

fn schema(text: &str) -> Schema {
    let analysis = analyze(text, &AnalysisOptions::default());
    assert!(
        !analysis.has_errors(),
        "{text}\n{:#?}",
        analysis.diagnostics
    );
    analysis.schema
}

fn generate_rust(text: &str, name: &str) -> String {
    let analysis = analyze(text, &AnalysisOptions::default());
    let files = generate(&RustGenerator, &analysis, name, &TargetOptions::new())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(files.len(), 1);
    files.into_iter().next().unwrap().contents
}

/// Every schema of the driver: (module, text).
fn schemas() -> Vec<(String, String)> {
    let mut list = vec![
        ("game".to_string(), GAME.to_string()),
        ("demo_packed".to_string(), demo(true)),
        ("demo".to_string(), demo(false)),
        ("tiny_packed".to_string(), tiny(true)),
        ("tiny".to_string(), tiny(false)),
        ("evo_v1".to_string(), evolution(true, 1)),
        ("evo_v2".to_string(), evolution(true, 2)),
        ("evo_np_v1".to_string(), evolution(false, 1)),
        ("evo_np_v2".to_string(), evolution(false, 2)),
        ("edge".to_string(), EDGE.to_string()),
    ];
    for (name, text) in CORPUS {
        list.push((name.to_string(), text.to_string()));
    }
    for (name, text) in upstream_corpus() {
        list.push((format!("up_{name}"), text));
    }
    list
}

/// The upstream corpus schemas that upstream accepts, when `../shared` is present.
fn upstream_corpus() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/upstream");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("skipped: ../shared not present (upstream corpus schemas)");
        return Vec::new();
    };
    let mut list: Vec<(String, String)> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "km") && p.with_extension("json").exists())
        .map(|p| {
            let stem = p.file_stem().unwrap().to_str().unwrap().replace('-', "_");
            (stem, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    list.sort();
    list
}

// ---------------------------------------------------------------------------------------
// The driver crate

struct Driver {
    exe: PathBuf,
    schemas: BTreeMap<String, Schema>,
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text).unwrap();
    }
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS");
    cmd
}

/// Generates, writes and builds the driver crate once per test process.
fn driver() -> &'static Driver {
    static DRIVER: OnceLock<Driver> = OnceLock::new();
    DRIVER.get_or_init(build_driver)
}

fn build_driver() -> Driver {
    let started = std::time::Instant::now();
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let dir = tmp.join("rust_target_driver");
    let src = dir.join("src");
    std::fs::create_dir_all(&src).unwrap();
    let root = workspace_root();
    let runtime = root.join("codegen/runtime/rust");
    write_if_changed(
        &dir.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"karmem-rust-target-driver\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\nkarmem-runtime = {{ path = {:?} }}\nserde_json = {{ version = \"1\", features = [\"float_roundtrip\"] }}\n\n[workspace]\n",
            runtime.to_str().unwrap()
        ),
    );
    // The workspace's lock file pins the same serde_json the workspace uses (offline).
    if !dir.join("Cargo.lock").exists() {
        std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    }
    let mut schemas = BTreeMap::new();
    let list = schemas_list();
    for (module, text) in &list {
        let code = generate_rust(text, &format!("{module}.km"));
        write_if_changed(&src.join(format!("{module}.rs")), &code);
        schemas.insert(module.clone(), schema(text));
    }
    let modules: Vec<glue::Module> = schemas
        .iter()
        .map(|(module, schema)| glue::Module {
            module,
            schema,
            roots: schema.structs.iter().map(|s| s.name.clone()).collect(),
        })
        .collect();
    for m in &modules {
        write_if_changed(&src.join(format!("{}_glue.rs", m.module)), &glue::glue(m));
    }
    write_if_changed(&src.join("support.rs"), glue::SUPPORT);
    write_if_changed(&src.join("main.rs"), &glue::main_rs(&modules));

    let target = tmp.join("rust_target_build");
    let output = cargo()
        .args(["build", "--offline", "--message-format", "short"])
        .arg("--target-dir")
        .arg(&target)
        .current_dir(&dir)
        .output()
        .expect("run cargo");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "driver build failed:\n{stderr}");
    // Only the generated files matter (they also deny warnings, so this is belt and braces).
    let generated: Vec<String> = list.iter().map(|(m, _)| format!("src/{m}.rs:")).collect();
    let in_generated = |l: &&str| generated.iter().any(|g| l.starts_with(g.as_str()));
    let warnings: Vec<&str> = stderr.lines().filter(in_generated).collect();
    assert!(warnings.is_empty(), "warnings:\n{}", warnings.join("\n"));
    // Clippy, when installed: the generated modules deny `clippy::all` and the no-panic
    // lints (the glue and the driver allow them).
    let has_clippy = cargo()
        .args(["clippy", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if has_clippy {
        let output = cargo()
            .args(["clippy", "--offline", "--message-format", "short"])
            .arg("--target-dir")
            .arg(&target)
            .current_dir(&dir)
            .output()
            .expect("run cargo clippy");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "clippy failed:\n{stderr}");
        let findings: Vec<&str> = stderr.lines().filter(in_generated).collect();
        assert!(findings.is_empty(), "clippy:\n{}", findings.join("\n"));
    } else {
        println!("skipped: clippy not installed (generated code not linted)");
    }
    println!("driver built in {:?}", started.elapsed());
    let exe = target.join("debug/karmem-rust-target-driver");
    Driver { exe, schemas }
}

fn schemas_list() -> Vec<(String, String)> {
    schemas()
}

/// One request to the driver.
enum Request {
    Encode(String, String, Value),
    Decode(String, String, Vec<u8>),
}

/// Runs the requests through one driver process; one output line each.
fn run(requests: &[Request]) -> Vec<String> {
    let d = driver();
    let mut child = Command::new(&d.exe)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the driver");
    let mut stdin = child.stdin.take().unwrap();
    let input: String = requests
        .iter()
        .map(|r| match r {
            Request::Encode(m, t, v) => format!("E {m} {t} {v}\n"),
            Request::Decode(m, t, b) => format!("D {m} {t} {}\n", hex(b)),
        })
        .collect();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let lines: Vec<String> = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(|l| l.unwrap())
        .collect();
    writer.join().unwrap();
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(
        status.success() && lines.len() == requests.len(),
        "driver failed after {} of {} requests:\n{stderr}",
        lines.len(),
        requests.len()
    );
    lines
}

/// A struct is small enough to be a native value on the stack of the driver.
fn native_is_small(schema: &Schema, index: usize) -> bool {
    let s = &schema.structs[index];
    s.fields.iter().all(|f| {
        (f.model != TypeModel::Array || f.length <= 4096)
            && match f.target {
                Some(TypeTarget::Struct(i)) => native_is_small(schema, i),
                _ => true,
            }
    })
}

// ---------------------------------------------------------------------------------------
// Checks

/// Compares a driver `D` answer with the codec's lenient decoding of the same bytes.
fn check_decode(module: &str, ty: &str, bytes: &[u8], answer: &str) {
    let d = driver();
    let answer: Value = serde_json::from_str(answer).unwrap();
    // The codec fails on invalid UTF-8 (JSON cannot carry it) and over its budget; then
    // only "no panic" is checked.
    if let Ok(expected) = codec::decode(&d.schemas[module], ty, bytes) {
        for key in ["obj", "reused", "view"] {
            assert_eq!(
                answer[key],
                expected,
                "{module}.{ty} {key} of {}",
                hex(bytes)
            );
        }
    }
}

/// Encodes `value` through the driver and checks the bytes against the codec; returns the
/// bytes (also decoded and checked).
fn round_trips(cases: &[(&str, &str, Value)]) -> Vec<Vec<u8>> {
    let d = driver();
    let mut canonical = Vec::new();
    let mut expected = Vec::new();
    for (module, ty, value) in cases {
        let bytes = codec::encode(&d.schemas[*module], ty, value)
            .unwrap_or_else(|e| panic!("{module}.{ty}: {e}: {value}"));
        // The value in canonical JSON (as the codec decodes it). Padding keeps upstream's
        // W2 check (non-packed tables under 8 bytes at the end) from hiding the value.
        let mut padded = bytes.clone();
        padded.extend([0; 8]);
        let json = codec::decode(&d.schemas[*module], ty, &padded).unwrap();
        canonical.push(Request::Encode(module.to_string(), ty.to_string(), json));
        expected.push(bytes);
    }
    let answers = run(&canonical);
    for ((answer, bytes), (module, ty, value)) in answers.iter().zip(&expected).zip(cases) {
        assert_eq!(answer, &hex(bytes), "encode {module}.{ty}: {value}");
    }
    let decodes: Vec<Request> = cases
        .iter()
        .zip(&expected)
        .map(|((m, t, _), b)| Request::Decode(m.to_string(), t.to_string(), b.clone()))
        .collect();
    for (answer, (module, ty, _), bytes) in run(&decodes)
        .iter()
        .zip(cases)
        .zip(&expected)
        .map(|((a, c), b)| (a, c, b))
    {
        check_decode(module, ty, bytes, answer);
    }
    expected
}

fn decode_all(cases: &[(String, String, Vec<u8>)]) {
    let requests: Vec<Request> = cases
        .iter()
        .map(|(m, t, b)| Request::Decode(m.clone(), t.clone(), b.clone()))
        .collect();
    for (answer, (m, t, b)) in run(&requests).iter().zip(cases) {
        check_decode(m, t, b, answer);
    }
}

fn decoded(module: &str, ty: &str, bytes: &[u8]) -> Value {
    let answer = run(&[Request::Decode(module.into(), ty.into(), bytes.to_vec())]);
    let answer: Value = serde_json::from_str(&answer[0]).unwrap();
    check_decode(module, ty, bytes, &serde_json::to_string(&answer).unwrap());
    answer["obj"].clone()
}

// ---------------------------------------------------------------------------------------
// Tests

#[test]
fn golden_vectors_encode_and_decode() {
    let game_value = game_value();
    let bytes = round_trips(&[
        ("demo_packed", "Item", demo_value()),
        ("demo", "Item", demo_value()),
        ("game", "Monsters", game_value),
    ]);
    assert_eq!(bytes[0], unhex(VECTOR_A), "vector A");
    assert_eq!(bytes[1], unhex(VECTOR_B), "vector B");
    assert_eq!(bytes[2], unhex(VECTOR_D), "vector D");
    let obj = decoded("demo", "Item", &unhex(VECTOR_B));
    assert_eq!(obj["Name"], "héllo");
    assert_eq!(obj["Refs"][0]["Ref"]["Label"], "r1");
}

#[test]
fn wire_format_examples() {
    let item = json!({"Id": 0x11223344u32, "Kind": "Big", "Pos": {"X": 1, "Y": -2}, "Name": "hi", "Tags": [7, 8, 9], "Grid": [5, 6]});
    let boxed =
        json!({"Items": [{"Data": {"Id": 1, "Name": "a"}}, {"Data": {"Id": 2}}], "Flag": true});
    let bytes = round_trips(&[
        ("tiny_packed", "Item", item.clone()),
        ("tiny", "Item", item),
        ("tiny_packed", "Box", boxed),
    ]);
    assert_eq!(
        hex(&bytes[0]),
        "1f000000443322110101 00feff1f00000002000000210000000600000005066869070008000900"
            .replace(' ', "")
    );
    assert_eq!(bytes[1].len(), 51);
    assert_eq!(bytes[2].len(), 84);
    assert_eq!(&bytes[2][..13], &unhex("0d0000000d0000000800000001")[..]);
}

/// `codegen/testing.md` §4 C: reader behaviour on mutations of vector A.
#[test]
fn golden_reader_cases() {
    let a = unhex(VECTOR_A);
    let mutate = |at: usize, byte: u8| {
        let mut m = a.clone();
        m[at] = byte;
        m
    };
    // Older writer: header 20.
    let obj = decoded("demo_packed", "Item", &mutate(0, 0x14));
    assert_eq!(obj["Id"], json!(0x0102030405060708u64));
    assert_eq!(obj["Name"], "héllo");
    assert_eq!(obj["Kind"], "Unknown");
    assert_eq!(obj["Pos"], json!({"X": 0, "Y": 0}));
    assert_eq!(obj["Path"], json!([]));
    assert_eq!(obj["Flags"], json!([false, false, false]));
    assert_eq!(obj["Meta"]["Label"], "");
    assert_eq!(obj["Ok"], false);
    // Truncated below the header: all default.
    let obj = decoded("demo_packed", "Item", &a[..61]);
    assert_eq!(obj["Id"], 0);
    assert_eq!(obj["Name"], "");
    // Data offset out of range; Meta offset out of range; Path size 17 → 2 elements.
    let obj = decoded("demo_packed", "Item", &mutate(41, 0xff));
    assert_eq!(obj["Data"], json!([]));
    assert_eq!(obj["Name"], "héllo");
    let obj = decoded("demo_packed", "Item", &mutate(49, 0xf0));
    assert_eq!(obj["Meta"]["Label"], "");
    let obj = decoded("demo_packed", "Item", &mutate(34, 17));
    assert_eq!(obj["Path"].as_array().unwrap().len(), 2);
    // Name size 20 > limit 16: the first 16 bytes (not UTF-8 here: only checked for
    // not panicking, and against the viewer).
    let bytes = mutate(16, 20);
    let answer = run(&[Request::Decode("demo_packed".into(), "Item".into(), bytes)]);
    let answer: Value = serde_json::from_str(&answer[0]).unwrap();
    assert_eq!(answer["obj"], answer["view"]);
    assert!(answer["obj"]["Name"].as_str().unwrap().starts_with("héllo"));
}

/// `codegen/testing.md` §4 E: the cases upstream gets wrong.
#[test]
fn golden_regression_cases() {
    // W1: an inline root whose first field is an inline struct round-trips (written in place).
    let bytes = round_trips(&[(
        "edge",
        "RootInline",
        json!({"Pos": {"X": 1, "Y": 2}, "Z": 3}),
    )]);
    assert_eq!(bytes[0], [1, 2, 3]);
    assert_eq!(
        decoded("edge", "RootInline", &bytes[0]),
        json!({"Pos": {"X": 1, "Y": 2}, "Z": 3})
    );
    // W2: a non-packed 5-byte table alone in the buffer reads as default (upstream's
    // observable behaviour); with 3 more bytes it reads.
    assert_eq!(decoded("edge", "Small", &[5, 0, 0, 0, 7]), json!({"V": 0}));
    assert_eq!(
        decoded("edge", "Small", &[5, 0, 0, 0, 7, 0, 0, 0]),
        json!({"V": 7})
    );
    // An enum as the last field after a byte slice.
    round_trips(&[("edge", "ByteEnum", json!({"Data": [1, 2, 3], "Kind": "C"}))]);
    // Zero-size elements: nothing to read, no division by zero.
    round_trips(&[("edge", "ZeroUser", json!({"A": [{}, {}], "D": 9}))]);
}

/// Seeded random values of every root struct of every schema: bytes equal the codec's,
/// decodes equal the codec's.
#[test]
fn random_values_round_trip() {
    let d = driver();
    let mut rng = Rng(0x5EED_0000_0001);
    let mut cases = Vec::new();
    for (module, schema) in &d.schemas {
        for (i, s) in schema.structs.iter().enumerate() {
            if !native_is_small(schema, i) {
                continue;
            }
            let n = if module.starts_with("up_") { 4 } else { 12 };
            for _ in 0..n {
                cases.push((
                    module.as_str(),
                    s.name.as_str(),
                    random_struct(schema, i, &mut rng, 0),
                ));
            }
            cases.push((module.as_str(), s.name.as_str(), json!({})));
        }
    }
    assert!(cases.len() > 300, "{}", cases.len());
    let bytes = round_trips(&cases);

    // Malformed input: mutated, truncated and extended messages, and random bytes. The
    // driver must not panic and must agree with the codec's lenient decoder.
    let mut bad = Vec::new();
    for ((module, ty, _), message) in cases.iter().zip(&bytes) {
        for _ in 0..3 {
            let mut m = message.clone();
            match rng.below(4) {
                0 if !m.is_empty() => {
                    for _ in 0..=rng.below(3) {
                        let at = rng.below(m.len() as u64) as usize;
                        m[at] = match rng.below(3) {
                            0 => 0xff,
                            1 => rng.below(64) as u8,
                            _ => rng.next() as u8,
                        };
                    }
                }
                1 => m.truncate(rng.below(m.len() as u64 + 1) as usize),
                2 => m.extend((0..rng.below(16)).map(|_| rng.next() as u8)),
                _ => {
                    m = (0..rng.below(64)).map(|_| (rng.next() % 8) as u8).collect();
                }
            }
            bad.push((module.to_string(), ty.to_string(), m));
        }
    }
    decode_all(&bad);
}

/// Tables growing across schema versions (`compatibility.md` §2.1): old readers read new
/// messages (extra fields ignored) and new readers read old ones (new fields default).
#[test]
fn schema_evolution() {
    let d = driver();
    let mut rng = Rng(0xE70_0001);
    for (old, new) in [("evo_v1", "evo_v2"), ("evo_np_v1", "evo_np_v2")] {
        let mut cross = Vec::new();
        for ty in ["Rec", "Root"] {
            for (writer, reader) in [(old, new), (new, old)] {
                let schema = &d.schemas[writer];
                let index = schema.structs.iter().position(|s| s.name == ty).unwrap();
                for _ in 0..20 {
                    let value = random_struct(schema, index, &mut rng, 0);
                    let bytes = codec::encode(schema, ty, &value).unwrap();
                    cross.push((writer, reader, ty, value, bytes));
                }
            }
        }
        // Encode with the writer's generated code (checked against the codec) ...
        let cases: Vec<(&str, &str, Value)> = cross
            .iter()
            .map(|(w, _, t, v, _)| (*w, *t, v.clone()))
            .collect();
        let written = round_trips(&cases);
        // ... and decode with the other version's generated code.
        let reads: Vec<(String, String, Vec<u8>)> = cross
            .iter()
            .zip(&written)
            .map(|((_, r, t, _, _), b)| (r.to_string(), t.to_string(), b.clone()))
            .collect();
        decode_all(&reads);
        // Explicitly: the new reader sees defaults for the appended fields of old data, the
        // old reader sees the old fields of new data.
        let v1 = json!({"A": 7, "B": "x"});
        let old_bytes = codec::encode(&d.schemas[old], "Rec", &v1).unwrap();
        assert_eq!(
            decoded(new, "Rec", &old_bytes),
            json!({"A": 7, "B": "x", "C": 0, "D": [], "E": "Low"})
        );
        let v2 = json!({"A": 7, "B": "x", "C": 9, "D": [1, 2], "E": "Max"});
        let new_bytes = codec::encode(&d.schemas[new], "Rec", &v2).unwrap();
        assert_eq!(decoded(old, "Rec", &new_bytes), json!({"A": 7, "B": "x"}));
    }
}

/// The committed copies of generated code — the benchmark's `game.km`, the fuzz targets'
/// schemas — are up to date (`KARMEM_BLESS=1` rewrites them).
#[test]
fn committed_generated_code_is_current() {
    let root = workspace_root();
    for (path, text, name) in [
        (
            "codegen/runtime/rust/benches/game/game_generated.rs",
            GAME.to_string(),
            "game.km",
        ),
        (
            "fuzz/fuzz_targets/generated/demo_generated.rs",
            demo(false),
            "demo.km",
        ),
        (
            "fuzz/fuzz_targets/generated/edge_generated.rs",
            EDGE.to_string(),
            "edge.km",
        ),
    ] {
        let path = root.join(path);
        let code = generate_rust(&text, name);
        if std::env::var_os("KARMEM_BLESS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &code).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == code,
            "{} is stale: run `KARMEM_BLESS=1 cargo test -p karmem-tests --test rust_target committed`",
            path.display()
        );
    }
}

/// The generated code is already formatted: `rustfmt` (when installed) changes nothing, so
/// `cargo fmt` in a project does not fight `karmem build`. (Names longer than about 40
/// characters can still produce lines rustfmt would break differently.)
#[test]
fn generated_code_is_rustfmt_clean() {
    let Ok(version) = Command::new("rustfmt").arg("--version").output() else {
        println!("skipped: rustfmt not installed");
        return;
    };
    if !version.status.success() {
        println!("skipped: rustfmt not installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (module, text) in schemas() {
        let path = tmp.path().join(format!("{module}.rs"));
        std::fs::write(&path, generate_rust(&text, &format!("{module}.km"))).unwrap();
        files.push(path);
    }
    let output = Command::new("rustfmt")
        .args(["--check", "--edition", "2021"])
        .args(&files)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "rustfmt would reformat generated code:\n{}",
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .take(60)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// `karmem build --rust` writes the same file the generator makes.
#[test]
fn cli_build_writes_the_generated_file() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("game.km"), GAME).unwrap();
    let out = tmp.path().join("gen");
    let status = Command::new(karmem_tests::bin::karmem())
        .args(["build", "--rust", "-o"])
        .arg(&out)
        .arg("game.km")
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    let written = std::fs::read_to_string(out.join("game_generated.rs")).unwrap();
    assert_eq!(written, generate_rust(GAME, "game.km"));
}
