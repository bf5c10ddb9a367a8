//! The Go target's output: insta snapshots for the example schema of `codegen/common.md`
//! §8 and `game.km` (reviewed by hand against `codegen/golang.md`; `cargo insta review`
//! after an intended change), the schemas it refuses, and a compile check of the
//! output for every upstream and generated corpus schema (`../shared/corpus`, skipped
//! when absent): `go vet` clean with our runtime and gofmt-formatted as generated; and
//! the runtime's own Go tests.

use std::path::Path;

use karmem_codegen::{generate, golang::GoGenerator, GenerateError, TargetOptions};
use karmem_syntax::{analyze, AnalysisOptions};
use karmem_tests::crosslang::{golang::go_command, require_tool, run_command, runtime_dir};
use karmem_tests::fixtures;

fn go(text: &str, name: &str) -> Result<String, GenerateError> {
    let analysis = analyze(text, &AnalysisOptions::default());
    generate(&GoGenerator, &analysis, name, &TargetOptions::new())
        .map(|files| files.into_iter().map(|f| f.contents).collect())
}

fn go_or_error(text: &str, name: &str) -> String {
    go(text, name).unwrap_or_else(|e| format!("error: {e}\n"))
}

#[test]
fn demo_packed() {
    insta::assert_snapshot!("demo_packed", go_or_error(&fixtures::demo(true), "demo.km"));
}

#[test]
fn demo_not_packed() {
    insta::assert_snapshot!("demo", go_or_error(&fixtures::demo(false), "demo.km"));
}

#[test]
fn game() {
    insta::assert_snapshot!("game", go_or_error(fixtures::GAME, "game.km"));
}

#[test]
fn names_go_cannot_express() {
    let cases = [
        "karmem demo;\nstruct A inline { Reset uint8; Read uint8; }\n",
        "karmem demo;\nstruct A inline { X uint8; }\nstruct AViewer inline { X uint8; }\n",
        "karmem demo;\nenum Kind uint8 { Big; }\nstruct KindBig table { X uint8; }\n",
        "karmem demo;\nstruct PacketIdentifier inline { X uint8; }\n",
        "karmem demo;\nstruct A\u{2163} inline { X uint8; }\n",
        "karmem func;\nstruct A inline { X uint8; }\n",
        "karmem demo @golang.import(`../x`);\nstruct A inline { X uint8; }\n",
    ];
    let report: String = cases
        .iter()
        .map(|text| {
            let result = match go(text, "x.km") {
                Ok(_) => "generated".to_string(),
                Err(e) => format!("error: {e}"),
            };
            format!("{text}=> {result}\n")
        })
        .collect();
    insta::assert_snapshot!("unsupported_names", report);
}

/// Every corpus schema with a layout document (upstream accepts it) generates Go code
/// that `go vet` accepts and gofmt leaves unchanged, or is refused as Unsupported.
#[test]
fn corpus_output_compiles() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    if !shared.is_dir() {
        println!("skipped: ../shared not present");
        return;
    }
    let Some(go_tool) = require_tool("go", "the Go target tests") else {
        return;
    };
    let module = tempfile::tempdir().unwrap();
    let root = module.path();
    std::fs::create_dir_all(root.join("runtime")).unwrap();
    for name in ["go.mod", "karmem.go"] {
        std::fs::copy(
            runtime_dir("golang").join(name),
            root.join("runtime").join(name),
        )
        .unwrap();
    }
    std::fs::write(
        root.join("go.mod"),
        "module corpus\n\ngo 1.17\n\nrequire karmem.org/golang v0.0.0\n\nreplace karmem.org/golang => ./runtime\n",
    )
    .unwrap();
    let mut generated = Vec::new();
    let mut refused = Vec::new();
    for dir in ["upstream", "generated"] {
        let mut paths: Vec<_> = std::fs::read_dir(shared.join(dir))
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "km"))
            .filter(|p| p.with_extension("json").exists())
            .collect();
        paths.sort();
        for path in paths {
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            let analysis = analyze(&text, &AnalysisOptions::default());
            if analysis.has_errors() {
                continue;
            }
            match generate(&GoGenerator, &analysis, &name, &TargetOptions::new()) {
                Ok(files) => {
                    let package = root.join(format!("{dir}_{}", name.replace(['.', '-'], "_")));
                    std::fs::create_dir_all(&package).unwrap();
                    for f in files {
                        std::fs::write(package.join(&f.path), f.contents).unwrap();
                    }
                    generated.push(name);
                }
                Err(GenerateError::Unsupported { message }) => {
                    refused.push(format!("{name}: {message}"))
                }
                Err(e) => panic!("{name}: {e}"),
            }
        }
    }
    // Doc comments gofmt would rewrite if they were copied as written (headings, lists,
    // code blocks, link definitions), and names Go does not export.
    let tricky = "karmem tricky;\n\
        /// # Heading\n///\n/// Text.\n///\n///   - item\n///   1. one\n///\n///\tcode\n/// [x]: http://example.com\n\
        enum Kind uint8 { /// Doc of A.\n    A; B; }\n\
        /// Implicit heading\n///\n/// Paragraph.\n\
        struct 名前 inline { /// - dash\n    X uint8; Y Kind; }\n\
        struct ǅX table { /// go:generate nothing\n    Ñame []名前; Z [2]名前; }\n";
    let analysis = analyze(tricky, &AnalysisOptions::default());
    assert!(!analysis.has_errors(), "{:#?}", analysis.diagnostics);
    let files = generate(&GoGenerator, &analysis, "tricky.km", &TargetOptions::new()).unwrap();
    assert!(files[0]
        .contents
        .contains("// # Heading\n// Text.\n// - item\n"));
    std::fs::create_dir_all(root.join("tricky")).unwrap();
    std::fs::write(root.join("tricky").join(&files[0].path), &files[0].contents).unwrap();
    println!(
        "generated {} schemas; refused: {refused:#?}",
        generated.len()
    );
    assert!(generated.len() >= 50, "{generated:?}");
    run_command(go_command(&go_tool, root).args(["vet", "./..."]), None)
        .unwrap_or_else(|e| panic!("go vet: {e}"));
    let gofmt = go_tool
        .canonicalize()
        .unwrap_or(go_tool.clone())
        .with_file_name("gofmt");
    if gofmt.is_file() {
        let out =
            run_command(std::process::Command::new(&gofmt).arg("-l").arg(root), None).unwrap();
        assert!(out.trim().is_empty(), "not gofmt-formatted:\n{out}");
    }
}

/// The runtime's own Go tests, `go vet` and gofmt (on a copy: the Go cache stays out of
/// the repository).
#[test]
fn runtime_go_tests() {
    let Some(go_tool) = require_tool("go", "the Go target tests") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for name in ["go.mod", "karmem.go", "karmem_test.go"] {
        std::fs::copy(runtime_dir("golang").join(name), dir.path().join(name)).unwrap();
    }
    run_command(
        go_command(&go_tool, dir.path()).args(["vet", "./..."]),
        None,
    )
    .unwrap_or_else(|e| panic!("go vet: {e}"));
    let out = run_command(
        go_command(&go_tool, dir.path()).args(["test", "./..."]),
        None,
    )
    .unwrap_or_else(|e| panic!("go test: {e}"));
    assert!(out.contains("ok"), "{out}");
    let gofmt = go_tool
        .canonicalize()
        .unwrap_or(go_tool.clone())
        .with_file_name("gofmt");
    if gofmt.is_file() {
        let out = run_command(
            std::process::Command::new(&gofmt).arg("-l").arg(dir.path()),
            None,
        )
        .unwrap();
        assert!(out.trim().is_empty(), "not gofmt-formatted:\n{out}");
    }
}
