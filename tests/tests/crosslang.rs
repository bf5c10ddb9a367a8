//! The cross-language round-trip harness (issue "Code generation II", `codegen/testing.md`
//! §3): for every language of `karmem_tests::crosslang` and every test schema, our
//! generator's output is compiled with our runtime and a driver generated from the model,
//! and checked against the dynamic codec (`karmem_codegen::codec`), which is itself pinned
//! to upstream's golden vectors (`codec_golden.rs`):
//!
//! * every value the driver builds with the native API encodes to exactly the codec's bytes
//!   (so every language writes the same bytes as every other, and as `karmem encode`);
//! * every message — those bytes, the golden vectors A, B and D, the reader cases of
//!   `testing.md` §4 C and E, messages of the other version of an evolving schema, and
//!   seeded mutations — decodes, through the object API and through the viewers, to the
//!   canonical dump of the codec's lenient decoding (what `karmem decode` prints).
//!
//! Because every language's bytes are checked equal to the codec's and every language
//! decodes the codec's bytes, each language also reads every other language's output.
//!
//! Toolchains come from `scripts/install-toolchains.sh`. A missing one prints "skipped:
//! <tool> not installed" locally and fails with `CI=true`. `CROSSLANG_ONLY=golang,c` limits
//! the languages, `CROSSLANG_SCHEMA=demo` the schemas (for development).

use std::path::Path;

use karmem_codegen::codec;
use karmem_syntax::model::Schema;
use karmem_syntax::{analyze, AnalysisOptions};
use karmem_tests::crosslang::{
    self, build_root, canonical_dump, require_tools, BuildInput, Case, Language,
};
use karmem_tests::fixtures::*;
use serde_json::Value;

/// One schema of the harness with the values its drivers build and the extra messages
/// they decode.
struct Subject {
    name: String,
    text: String,
    schema: Schema,
    cases: Vec<Case>,
    /// Messages decoded besides the cases' own bytes: (root, bytes).
    messages: Vec<(String, Vec<u8>)>,
}

fn analyzed(name: &str, text: &str) -> Schema {
    let analysis = analyze(text, &AnalysisOptions::default());
    assert!(
        !analysis.has_errors(),
        "{name}: {:#?}",
        analysis.diagnostics
    );
    analysis.schema
}

/// `value` in canonical JSON (every member present), as the codec decodes its encoding.
/// The encoding is padded so that upstream's W2 check (non-packed tables under 8 bytes at
/// the end of a message) does not hide the value.
fn canonical(schema: &Schema, root: &str, value: &Value) -> Value {
    let mut bytes = codec::encode(schema, root, value)
        .unwrap_or_else(|e| panic!("encode {root}: {e}: {value}"));
    bytes.extend([0; 8]);
    codec::decode(schema, root, &bytes).unwrap_or_else(|e| panic!("decode {root}: {e}"))
}

impl Subject {
    fn new(name: &str, text: String) -> Subject {
        let schema = analyzed(name, &text);
        Subject {
            name: name.to_string(),
            text,
            schema,
            cases: Vec::new(),
            messages: Vec::new(),
        }
    }

    fn case(mut self, root: &str, value: Value) -> Self {
        let value = canonical(&self.schema, root, &value);
        self.cases.push(Case {
            root: root.to_string(),
            value,
        });
        self
    }

    /// `count` seeded random values of every struct (or only of `roots`).
    fn random(mut self, seed: u64, count: usize, roots: Option<&[&str]>) -> Self {
        let mut rng = Rng(seed);
        let names: Vec<String> = self
            .schema
            .structs
            .iter()
            .map(|s| s.name.clone())
            .filter(|n| roots.is_none_or(|r| r.contains(&n.as_str())))
            .collect();
        for name in names {
            let index = self
                .schema
                .structs
                .iter()
                .position(|s| s.name == name)
                .unwrap();
            for _ in 0..count {
                let value = random_struct(&self.schema, index, &mut rng, 0);
                self = self.case(&name, value);
            }
        }
        self
    }

    fn message(mut self, root: &str, bytes: Vec<u8>) -> Self {
        self.messages.push((root.to_string(), bytes));
        self
    }
}

/// The reader cases of `testing.md` §4 C: mutations of vector A.
fn reader_cases() -> Vec<Vec<u8>> {
    let a = unhex(VECTOR_A);
    let with = |at: usize, byte: u8| {
        let mut m = a.clone();
        m[at] = byte;
        m
    };
    vec![
        with(0, 0x14),
        a[..61].to_vec(),
        with(16, 20),
        with(41, 0xff),
        with(49, 0xf0),
        with(34, 17),
    ]
}

fn subjects() -> Vec<Subject> {
    let game_np = GAME.replace("karmem game @packed(true);", "karmem game;");
    let mut list = vec![
        Subject::new("game", GAME.to_string())
            .case("Monsters", game_value())
            .random(0x6A3E, 2, Some(&["Monsters", "Monster", "Vec3"]))
            .message("Monsters", unhex(VECTOR_D))
            // common.md §6.5: a table too short for an inline field holding a table
            // pointer; the pointer must read as the null table, not the root.
            .message("Monsters", {
                let mut d = unhex(VECTOR_D);
                d[16] = 0x20;
                d
            }),
        Subject::new("game_np", game_np)
            .case("Monsters", game_value())
            .random(0x6A3F, 2, Some(&["Monsters", "Weapon"])),
        Subject::new("demo_packed", demo(true))
            .case("Item", demo_value())
            .random(0xDE30, 3, None)
            .message("Item", unhex(VECTOR_A)),
        Subject::new("demo", demo(false))
            .case("Item", demo_value())
            .random(0xDE31, 3, None)
            .message("Item", unhex(VECTOR_B)),
        Subject::new(
            "tiny_packed",
            tiny(true).replace(" @rust.import(`crate::kmrt`)", ""),
        )
        .random(0x7140, 3, None),
        Subject::new("tiny", tiny(false)).random(0x7141, 3, None),
        Subject::new("edge", EDGE.to_string())
            .random(0xED6E, 2, None)
            // testing.md §4 E: a non-packed one-`uint8` table alone in a buffer reads as 0.
            .message("Small", vec![5, 0, 0, 0, 7])
            .message("Small", vec![5, 0, 0, 0, 7, 0, 0, 0]),
    ];
    for bytes in reader_cases() {
        list[2].messages.push(("Item".to_string(), bytes));
    }
    // An evolving schema: each version decodes the other's messages.
    for packed in [true, false] {
        let tag = if packed { "evo" } else { "evo_np" };
        let mut v1 =
            Subject::new(&format!("{tag}_v1"), evolution(packed, 1)).random(0xE701, 3, None);
        let mut v2 =
            Subject::new(&format!("{tag}_v2"), evolution(packed, 2)).random(0xE702, 3, None);
        let encoded = |s: &Subject| -> Vec<(String, Vec<u8>)> {
            s.cases
                .iter()
                .map(|c| {
                    (
                        c.root.clone(),
                        codec::encode(&s.schema, &c.root, &c.value).unwrap(),
                    )
                })
                .collect()
        };
        let (from_v1, from_v2) = (encoded(&v1), encoded(&v2));
        v1.messages.extend(from_v2);
        v2.messages.extend(from_v1);
        list.push(v1);
        list.push(v2);
    }
    for (i, (name, text)) in CORPUS.iter().enumerate() {
        list.push(Subject::new(name, text.to_string()).random(0xC0 + i as u64, 2, None));
    }
    list
}

/// Seeded mutations of a message: a changed byte, a truncation.
fn mutations(bytes: &[u8], rng: &mut Rng) -> Vec<Vec<u8>> {
    if bytes.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for _ in 0..2 {
        let mut m = bytes.to_vec();
        let at = rng.below(m.len() as u64) as usize;
        m[at] = rng.next() as u8;
        out.push(m);
    }
    out.push(bytes[..rng.below(bytes.len() as u64) as usize].to_vec());
    out
}

fn selected(var: &str, name: &str) -> bool {
    match std::env::var(var) {
        Ok(list) if !list.trim().is_empty() => list.split(',').any(|x| x.trim() == name),
        _ => true,
    }
}

fn check_language(lang: &dyn Language) {
    if !selected("CROSSLANG_ONLY", lang.name()) {
        println!("skipped: {} not selected by CROSSLANG_ONLY", lang.name());
        return;
    }
    if require_tools(lang).is_none() {
        return;
    }
    let mut failures = Vec::new();
    for subject in subjects() {
        if !selected("CROSSLANG_SCHEMA", &subject.name) {
            continue;
        }
        if let Err(e) = check_subject(lang, &subject) {
            failures.push(format!("--- {} / {}:\n{e}", lang.name(), subject.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn check_subject(lang: &dyn Language, subject: &Subject) -> Result<(), String> {
    let dir = build_root().join(lang.name()).join(&subject.name);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let driver = lang.build(&BuildInput {
        text: &subject.text,
        schema: &subject.schema,
        cases: &subject.cases,
        dir: &dir,
    })?;
    let schema = &subject.schema;
    let mut errors = Vec::new();

    // Encode: the native API writes the codec's bytes.
    let written = driver.encode()?;
    if written.len() != subject.cases.len() {
        return Err(format!(
            "encode printed {} lines for {} cases",
            written.len(),
            subject.cases.len()
        ));
    }
    let mut messages = Vec::new();
    for (case, hex_line) in subject.cases.iter().zip(&written) {
        let expected = codec::encode(schema, &case.root, &case.value).map_err(|e| e.to_string())?;
        if *hex_line != hex(&expected) {
            errors.push(format!(
                "encode {}: {}\n  expected {}\n  written  {hex_line}",
                case.root,
                case.value,
                hex(&expected)
            ));
        }
        messages.push((case.root.clone(), expected));
    }

    // Decode: object API and viewers agree with the codec's lenient decoding.
    messages.extend(subject.messages.iter().cloned());
    let mut rng = Rng(0x5EED ^ subject.name.len() as u64);
    let mutated: Vec<(String, Vec<u8>)> = messages
        .iter()
        .flat_map(|(root, bytes)| {
            mutations(bytes, &mut rng)
                .into_iter()
                .map(|m| (root.clone(), m))
                .collect::<Vec<_>>()
        })
        .collect();
    messages.extend(mutated);
    let dumps = driver.decode(&messages)?;
    for ((root, bytes), dump) in messages.iter().zip(&dumps) {
        // The codec refuses strings that are not UTF-8 (JSON cannot carry them); then only
        // "the driver answered" is checked.
        let Ok(value) = codec::decode(schema, root, bytes) else {
            continue;
        };
        let expected = canonical_dump(schema, root, &value);
        for (what, got) in [("object API", &dump.object), ("viewers", &dump.view)] {
            if *got != expected {
                errors.push(format!(
                    "decode {root} {} with the {what}:\n{}",
                    hex(bytes),
                    diff(&expected, got)
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        let total = errors.len();
        errors.truncate(8);
        Err(format!(
            "{total} mismatches, first ones:\n{}",
            errors.join("\n")
        ))
    }
}

/// The first differing lines of two dumps.
fn diff(expected: &[String], got: &[String]) -> String {
    let mut out = String::new();
    for i in 0..expected.len().max(got.len()) {
        let (e, g) = (expected.get(i), got.get(i));
        if e != g {
            out.push_str(&format!(
                "  line {i}: expected {:?}, got {:?}\n",
                e.map(String::as_str).unwrap_or("<none>"),
                g.map(String::as_str).unwrap_or("<none>")
            ));
            if out.lines().count() >= 4 {
                break;
            }
        }
    }
    out
}

#[test]
fn golang() {
    check_language(&crosslang::golang::Go);
}

#[test]
fn c() {
    check_language(&crosslang::c::C);
}

#[test]
fn zig() {
    check_language(&crosslang::zig::Zig);
}

#[test]
fn assemblyscript() {
    check_language(&crosslang::assemblyscript::AssemblyScript);
}

/// `karmem build --golang --c --zig --assemblyscript` writes one file per target with
/// upstream's names.
#[test]
fn cli_builds_every_target() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("game.km"), GAME).unwrap();
    let out = std::process::Command::new(karmem_tests::bin::karmem())
        .current_dir(dir.path())
        .args([
            "build",
            "--golang",
            "--c",
            "--zig",
            "--assemblyscript",
            "-o",
            "out",
            "game.km",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for file in [
        "game_generated.go",
        "game_generated.h",
        "game_generated.zig",
        "game_generated.ts",
    ] {
        let path = Path::new("out").join(file);
        let text = std::fs::read_to_string(dir.path().join(&path))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            text.contains(karmem_codegen::HASH_LABEL),
            "{file} has no schema hash header"
        );
    }
}
