//! Snapshots (insta) of the Zig target's output for the example schema of
//! `codegen/common.md` §8, `game.km`, the edge-case schema and the schemas the target
//! refuses. Reviewed by hand against `codegen/zig.md`; after an intended change:
//! `cargo insta review` (or `INSTA_UPDATE=always cargo test --test zig_target_snapshots`).
//! That the output compiles and round-trips is checked by the cross-language harness
//! (`tests/crosslang.rs`); the runtime's own Zig tests run here too.

use karmem_codegen::{generate, zig::ZigGenerator, TargetOptions};
use karmem_syntax::{analyze, AnalysisOptions};
use karmem_tests::fixtures;

fn zig(text: &str, name: &str) -> String {
    let analysis = analyze(text, &AnalysisOptions::default());
    assert!(!analysis.has_errors(), "{:#?}", analysis.diagnostics);
    match generate(&ZigGenerator, &analysis, name, &TargetOptions::new()) {
        Ok(files) => files.into_iter().map(|f| f.contents).collect(),
        Err(e) => format!("error: {e}\n"),
    }
}

#[test]
fn demo_packed() {
    insta::assert_snapshot!("demo_packed", zig(&fixtures::demo(true), "demo.km"));
}

#[test]
fn game() {
    insta::assert_snapshot!("game", zig(fixtures::GAME, "game.km"));
}

#[test]
fn edge() {
    insta::assert_snapshot!("edge", zig(fixtures::EDGE, "edge.km"));
}

#[test]
fn names_zig_cannot_express() {
    let cases = [
        "karmem demo;\nstruct A inline { Read uint8; Size uint8; }\n",
        "karmem demo;\nstruct A inline { X uint8; }\nstruct AViewer inline { X uint8; }\n",
        "karmem demo;\nenum Kind uint8 { A; }\nstruct EnumKind inline { X uint8; }\n",
        "karmem demo;\nstruct Allocator inline { X uint8; }\n",
    ];
    let report: String = cases
        .iter()
        .map(|text| format!("{text}=> {}\n", zig(text, "x.km")))
        .collect();
    insta::assert_snapshot!("unsupported_names", report);
}

/// `zig test codegen/runtime/zig/karmem.zig`: the runtime's own tests (growth, fixed
/// writers, offset checks).
#[test]
fn runtime_unit_tests() {
    use karmem_tests::crosslang::{require_tool, run_command, runtime_dir};
    let Some(zig) = require_tool("zig", "the Zig runtime tests") else {
        return;
    };
    let cache = tempfile::tempdir().unwrap();
    if let Err(e) = run_command(
        std::process::Command::new(zig)
            .arg("test")
            .arg(runtime_dir("zig").join("karmem.zig"))
            .env("ZIG_GLOBAL_CACHE_DIR", cache.path().join("global"))
            .env("ZIG_LOCAL_CACHE_DIR", cache.path().join("local"))
            .env("HOME", cache.path()),
        None,
    ) {
        panic!("zig test failed:\n{e}");
    }
}

/// The generated code is laid out as `zig fmt` would lay it out.
#[test]
fn generated_code_is_zig_fmt_clean() {
    use karmem_tests::crosslang::{require_tool, run_command};
    let Some(zig_tool) = require_tool("zig", "the Zig target tests") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (name, text) in [
        ("demo", fixtures::demo(true)),
        ("game", fixtures::GAME.to_string()),
        ("edge", fixtures::EDGE.to_string()),
    ] {
        let path = dir.path().join(format!("{name}_generated.zig"));
        std::fs::write(&path, zig(&text, &format!("{name}.km"))).unwrap();
        files.push(path);
    }
    if let Err(e) = run_command(
        std::process::Command::new(zig_tool)
            .args(["fmt", "--check"])
            .args(&files)
            .env("ZIG_GLOBAL_CACHE_DIR", dir.path().join("global"))
            .env("ZIG_LOCAL_CACHE_DIR", dir.path().join("local"))
            .env("HOME", dir.path()),
        None,
    ) {
        panic!("zig fmt --check failed:\n{e}");
    }
}
