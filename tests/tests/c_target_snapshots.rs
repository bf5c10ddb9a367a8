//! The C target's output: insta snapshots for the example schema of `codegen/common.md`
//! §8 and `game.km` (reviewed by hand against `codegen/c.md`; `cargo insta review` after
//! an intended change), the schemas it refuses, and a compile check of the output for
//! every upstream and generated corpus schema (`../shared/corpus`, skipped when absent):
//! `gcc -std=c11 -Wall -Wextra -Werror -pedantic` clean with our runtime, the header
//! included by two translation units linked together.

use std::path::{Component, Path};
use std::process::Command;

use karmem_codegen::{c::CGenerator, generate, GenerateError, TargetOptions};
use karmem_syntax::{analyze, AnalysisOptions};
use karmem_tests::crosslang::{require_tool, run_command, runtime_dir};
use karmem_tests::fixtures;

fn c(text: &str, name: &str) -> Result<String, GenerateError> {
    let analysis = analyze(text, &AnalysisOptions::default());
    generate(&CGenerator, &analysis, name, &TargetOptions::new())
        .map(|files| files.into_iter().map(|f| f.contents).collect())
}

fn c_or_error(text: &str, name: &str) -> String {
    c(text, name).unwrap_or_else(|e| format!("error: {e}\n"))
}

#[test]
fn demo_packed() {
    insta::assert_snapshot!("demo_packed", c_or_error(&fixtures::demo(true), "demo.km"));
}

#[test]
fn demo_not_packed() {
    insta::assert_snapshot!("demo", c_or_error(&fixtures::demo(false), "demo.km"));
}

#[test]
fn game() {
    insta::assert_snapshot!("game", c_or_error(fixtures::GAME, "game.km"));
}

#[test]
fn names_c_cannot_express() {
    let cases = [
        "karmem demo;\nstruct A inline { X uint8; }\nstruct AViewer inline { X uint8; }\n",
        "karmem demo;\nenum Kind uint8 { Big; }\nenum KindBig uint8 { X; }\n",
        "karmem demo;\nstruct A table { Data []byte; DataLength uint32; }\n",
        "karmem demo;\nenum PacketIdentifier uint8 { A; }\n",
        "karmem demo;\nstruct KarmemReader inline { X uint8; }\n",
        "karmem demo;\nstruct A inline { NULL uint8; }\n",
        "karmem demo;\nstruct A\u{2163} inline { X uint8; }\n",
        "karmem demo @c.import(`a\"b.h`);\nstruct A inline { X uint8; }\n",
        // Not a problem in C: Go's reserved member names and a struct named like the enum.
        "karmem demo;\nstruct A inline { Reset uint8; Read uint8; }\nstruct PacketIdentifier inline { X uint8; }\n",
    ];
    let report: String = cases
        .iter()
        .map(|text| {
            let result = match c(text, "x.km") {
                Ok(_) => "generated".to_string(),
                Err(e) => format!("error: {e}"),
            };
            format!("{text}=> {result}\n")
        })
        .collect();
    insta::assert_snapshot!("unsupported_names", report);
}

/// Where `#include "<import>"` in `dir` points, when it stays below `root`.
fn include_target(root: &Path, dir: &Path, import: &str) -> Option<std::path::PathBuf> {
    let mut path = dir.to_path_buf();
    for part in Path::new(import).components() {
        match part {
            Component::Normal(p) => path.push(p),
            Component::ParentDir => {
                path.pop();
            }
            Component::CurDir => {}
            _ => return None,
        }
    }
    path.starts_with(root).then_some(path)
}

/// Every corpus schema with a layout document (upstream accepts it) generates C that gcc
/// compiles warning-free (`-std=c11 -Wall -Wextra -Werror -pedantic`) with our runtime, or
/// is refused as Unsupported. Each header is included by two translation units linked
/// into one program (upstream's output cannot be).
#[test]
fn corpus_output_compiles() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    if !shared.is_dir() {
        println!("skipped: ../shared not present");
        return;
    }
    let Some(gcc) = require_tool("gcc", "the C target tests") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let runtime = std::fs::read_to_string(runtime_dir("c").join("karmem.h")).unwrap();
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
            let files = match generate(&CGenerator, &analysis, &name, &TargetOptions::new()) {
                Ok(files) => files,
                Err(GenerateError::Unsupported { message }) => {
                    refused.push(format!("{name}: {message}"));
                    continue;
                }
                Err(e) => panic!("{name}: {e}"),
            };
            // Three levels deep, so upstream's `@c.import(`../../c/karmem.h`)` resolves
            // inside this schema's directory.
            let base = work
                .path()
                .join(format!("{dir}_{}", name.replace(['.', '-'], "_")));
            let src = base.join("a/b");
            std::fs::create_dir_all(&src).unwrap();
            let header = &files[0];
            std::fs::write(src.join(&header.path), &header.contents).unwrap();
            let import = analysis
                .schema
                .tag("c.import")
                .map_or("karmem.h", |t| t.value.as_str());
            let target = include_target(&base, &src, import)
                .unwrap_or_else(|| panic!("{name}: import {import} leaves the directory"));
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(&target, &runtime).unwrap();
            let include = format!("#include \"{}\"\n", header.path);
            std::fs::write(
                src.join("one.c"),
                format!("{include}int one(void);\nint one(void) {{ return 1; }}\n"),
            )
            .unwrap();
            std::fs::write(
                src.join("main.c"),
                format!(
                    "{include}int one(void);\nint main(void) {{ return one() > 0 ? 0 : 1; }}\n"
                ),
            )
            .unwrap();
            run_command(
                Command::new(&gcc)
                    .args([
                        "-std=c11",
                        "-Wall",
                        "-Wextra",
                        "-Werror",
                        "-pedantic",
                        "one.c",
                        "main.c",
                        "-o",
                        "prog",
                    ])
                    .current_dir(&src),
                None,
            )
            .unwrap_or_else(|e| panic!("{name}: {e}"));
            generated.push(name);
        }
    }
    println!(
        "compiled {} schemas; refused: {refused:#?}",
        generated.len()
    );
    assert!(generated.len() >= 50, "{generated:?}");
}
