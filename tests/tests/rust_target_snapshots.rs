//! Snapshots (insta) of the Rust target's output for the upstream corpus schemas
//! (`../shared/corpus/upstream`, read at test time; skipped when absent) and for the
//! schemas of `tests/tests/rust_target.rs`. The snapshots are our generator's output and
//! are reviewed like code: `cargo insta review` (or `INSTA_UPDATE=always cargo test`) after
//! an intended change.

use std::path::Path;

use karmem_codegen::{generate, rust::RustGenerator, TargetOptions};
use karmem_syntax::{analyze, AnalysisOptions};

fn rust(text: &str, name: &str) -> String {
    let analysis = analyze(text, &AnalysisOptions::default());
    match generate(&RustGenerator, &analysis, name, &TargetOptions::new()) {
        Ok(files) => files.into_iter().map(|f| f.contents).collect(),
        Err(e) => format!("error: {e}\n"),
    }
}

#[test]
fn upstream_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/upstream");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("skipped: ../shared not present");
        return;
    };
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "km"))
        // Schemas upstream accepts (the others have no layout document).
        .filter(|p| p.with_extension("json").exists())
        .collect();
    paths.sort();
    assert!(paths.len() >= 10, "{paths:?}");
    for path in paths {
        let name = path.file_name().unwrap().to_str().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let stem = name.trim_end_matches(".km");
        insta::assert_snapshot!(format!("upstream_{stem}"), rust(&text, name));
    }
}

#[test]
fn names_rust_cannot_express() {
    let cases = [
        "karmem demo;\nstruct A inline { AB uint8; Ab uint8; }\n",
        "karmem demo;\nstruct A table { KmSize uint8; New uint8; }\n",
        "karmem demo;\nstruct A inline { X uint8; }\nstruct AViewer inline { X uint8; }\n",
        "karmem demo;\nstruct A inline @id(1) { X uint8; }\nstruct B inline @id(1) { X uint8; }\n",
        "karmem demo;\nenum E uint8 { A; Values; TikTok; TIKTok; }\n",
        "karmem demo;\nstruct Ä inline { X uint8; }\n",
    ];
    let report: String = cases
        .iter()
        .map(|text| format!("{text}=> {}\n", rust(text, "x.km")))
        .collect();
    insta::assert_snapshot!("unsupported_names", report);
}

#[test]
fn small_schema() {
    let text = "karmem demo @packed(true) @rust.import(`crate::karmem_rt`);

/// A kind of item.
enum Kind uint16 { Unknown; Big = 300; }

struct Point inline { X int32; Y int32; }

/// A named thing.
struct Meta table {
    /// What it is called.
    Label [<32]char;
    Type Kind;
    Self [40]uint8;
    Points []Point;
}
";
    insta::assert_snapshot!("small_schema", rust(text, "demo.km"));
}
