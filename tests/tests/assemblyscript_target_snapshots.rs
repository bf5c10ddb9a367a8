//! The AssemblyScript target: insta snapshots of the generated code for the example
//! schema of `codegen/common.md` §8 and `game.km` (reviewed by hand against
//! `codegen/assemblyscript.md`; `cargo insta review` after an intended change), the
//! schemas it refuses, and the upstream corpus schemas (`../shared/corpus/upstream`, read at
//! test time; skipped when absent) compiled with `asc` and round-tripped through the
//! cross-language driver.

use std::path::Path;

use karmem_codegen::{codec, generate, generator, TargetOptions};
use karmem_syntax::model::Schema;
use karmem_syntax::{analyze, AnalysisOptions};
use karmem_tests::crosslang::{
    assemblyscript::AssemblyScript, build_root, canonical_dump, require_tools, BuildInput, Case,
    Language,
};
use karmem_tests::fixtures::{demo, hex, random_struct, Rng, GAME};

fn assemblyscript(text: &str, name: &str) -> String {
    let analysis = analyze(text, &AnalysisOptions::default());
    let target = generator("assemblyscript").expect("registered");
    match generate(target, &analysis, name, &TargetOptions::new()) {
        Ok(files) => files
            .into_iter()
            .map(|f| format!("// file: {}\n{}", f.path, f.contents))
            .collect(),
        Err(e) => format!("error: {e}\n"),
    }
}

#[test]
fn demo_packed() {
    insta::assert_snapshot!("demo_packed", assemblyscript(&demo(true), "demo.km"));
}

#[test]
fn demo_not_packed() {
    insta::assert_snapshot!("demo", assemblyscript(&demo(false), "demo.km"));
}

#[test]
fn game() {
    insta::assert_snapshot!("game", assemblyscript(GAME, "game.km"));
}

#[test]
fn names_assemblyscript_cannot_express() {
    let cases = [
        "karmem demo;\nstruct String inline { X uint8; }\n",
        "karmem demo;\nstruct A inline { X uint8; }\nstruct AViewer inline { X uint8; }\n",
        "karmem demo;\nenum E uint8 { A; }\nstruct EA inline { X uint8; }\n",
        "karmem demo;\nstruct A table { SizeOf uint8; }\n",
        "karmem demo;\nstruct A inline @id(1) { X uint8; }\nstruct B inline @id(1) { X uint8; }\n",
        "karmem demo;\nstruct Ä inline { X uint8; }\n",
        "karmem demo @assemblyscript.import(`it's`);\nstruct A inline { X uint8; }\n",
    ];
    let report: String = cases
        .iter()
        .map(|text| format!("{text}=> {}\n", assemblyscript(text, "x.km")))
        .collect();
    insta::assert_snapshot!("unsupported_names", report);
}

/// Every upstream corpus schema upstream accepts compiles without warnings, writes the
/// codec's bytes for random values and reads them back (object API and viewers).
#[test]
fn upstream_corpus_round_trips() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/upstream");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("skipped: ../shared not present");
        return;
    };
    if require_tools(&AssemblyScript).is_none() {
        return;
    }
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "km"))
        .filter(|p| p.with_extension("json").exists())
        .collect();
    paths.sort();
    assert!(paths.len() >= 10, "{paths:?}");
    for path in paths {
        let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
        // The driver puts the runtime beside the generated file: drop the schema's own
        // runtime path (`game.km` has one).
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace(" @assemblyscript.import(`../../assemblyscript/karmem`)", "");
        let analysis = analyze(&text, &AnalysisOptions::default());
        assert!(!analysis.has_errors(), "{stem}");
        let schema = &analysis.schema;
        let mut rng = Rng(0xA5 + stem.len() as u64);
        let mut cases = Vec::new();
        for (index, s) in schema.structs.iter().enumerate() {
            for _ in 0..2 {
                let value = random_struct(schema, index, &mut rng, 0);
                let mut bytes = codec::encode(schema, &s.name, &value).unwrap();
                bytes.extend([0; 8]);
                let value = codec::decode(schema, &s.name, &bytes).unwrap();
                cases.push(Case {
                    root: s.name.clone(),
                    value,
                });
            }
        }
        round_trip(&stem, &text, schema, &cases, Vec::new());
    }
}

/// Builds the driver for `schema` (in `target/crosslang/assemblyscript-tests/<name>`),
/// checks that the native API writes the codec's bytes for `cases`, and that those bytes
/// and `extra` messages read back (object API and viewers) as the codec decodes them.
fn round_trip(
    name: &str,
    text: &str,
    schema: &Schema,
    cases: &[Case],
    extra: Vec<(String, Vec<u8>)>,
) {
    let out = build_root().join("assemblyscript-tests").join(name);
    let driver = AssemblyScript
        .build(&BuildInput {
            text,
            schema,
            cases,
            dir: &out,
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let written = driver.encode().unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(written.len(), cases.len(), "{name}");
    let mut messages = Vec::new();
    for (case, line) in cases.iter().zip(&written) {
        let bytes = codec::encode(schema, &case.root, &case.value).unwrap();
        assert_eq!(*line, hex(&bytes), "{name}: {}", case.value);
        messages.push((case.root.clone(), bytes));
    }
    messages.extend(extra);
    let dumps = driver
        .decode(&messages)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    for ((root, bytes), dump) in messages.iter().zip(&dumps) {
        let value = codec::decode(schema, root, bytes).unwrap();
        let expected = canonical_dump(schema, root, &value);
        assert_eq!(dump.object, expected, "{name}: {root} {}", hex(bytes));
        assert_eq!(dump.view, expected, "{name}: {root} {}", hex(bytes));
    }
}

/// `common.md` §6.5: an inline struct missing from a short (older) table reads as
/// defaults, including the table it points to — upstream follows offset 0 and reads the
/// root as that table.
#[test]
fn missing_inline_struct_points_to_no_table() {
    if require_tools(&AssemblyScript).is_none() {
        return;
    }
    let text = "karmem w @packed(true);\nstruct T table { X uint32; }\nstruct I inline { R T; }\nstruct Root table { A uint32; In I; }\n";
    let analysis = analyze(text, &AnalysisOptions::default());
    assert!(!analysis.has_errors());
    // An older `Root` with only `A`: header 8, A = 0x2a.
    let old = vec![8, 0, 0, 0, 0x2a, 0, 0, 0];
    let value = codec::decode(&analysis.schema, "Root", &old).unwrap();
    assert_eq!(value["In"]["R"]["X"], 0, "the codec reads defaults");
    round_trip(
        "missing_inline",
        text,
        &analysis.schema,
        &[],
        vec![("Root".to_string(), old)],
    );
}
