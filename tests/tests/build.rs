//! `karmem build`, driven as a process: target selection (upstream's flags, Go-style
//! spellings), unknown and unavailable targets, and `karmem.toml` (located configuration
//! errors, globs, schemas with errors). Safe writing of generator output is unit-tested in
//! `karmem_codegen::write`. The `rust` target is registered; `dotnet` is not.

use std::path::Path;
use std::process::{Command, Output};

use karmem_tests::bin::karmem;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_in(dir: &Path, args: &[&str]) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(karmem())
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run karmem");
    Run {
        code: status.code().expect("exit code"),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

const GAME: &str = "karmem game @packed(true);\n\nenum Team uint8 { Humans; Orcs; }\n\nstruct Vec3 inline { X float32; Y float32; Z float32; }\n\nstruct Monster table { Pos Vec3; Team Team; Name []char; }\n";

/// Every file below `dir`, relative, sorted.
fn files_below(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(
                    path.strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    out.sort();
    out
}

#[test]
fn unknown_target_names_the_targets() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("game.km"), GAME).unwrap();
    for flag in ["--cobol", "-cobol"] {
        let r = run_in(tmp.path(), &["build", flag, "game.km"]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr.contains("unknown target or option `--cobol`"),
            "{}",
            r.stderr
        );
        for target in ["--golang", "--zig", "--c,", "--rust"] {
            assert!(r.stderr.contains(target), "{target}: {}", r.stderr);
        }
        assert!(r.stderr.contains("available now:"), "{}", r.stderr);
    }
    assert_eq!(files_below(tmp.path()), ["game.km"]);
}

#[test]
fn unavailable_target_is_an_error_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("game.km"), GAME).unwrap();
    // Upstream's spellings all select the target (Go's flag package).
    for args in [
        &["build", "--dotnet", "-o", "out", "game.km"][..],
        &["build", "-swift", "-o", "out", "game.km"],
        &["build", "-odin=true", "--o=out", "game.km"],
        &["build", "--rust", "-dotnet", "game.km"],
    ] {
        let r = run_in(tmp.path(), args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("is not available yet") && r.stderr.contains("(available:"),
            "{args:?}: {}",
            r.stderr
        );
    }
    assert_eq!(files_below(tmp.path()), ["game.km"]);
}

#[test]
fn no_target_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("game.km"), GAME).unwrap();
    let r = run_in(tmp.path(), &["build", "game.km"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no target selected"), "{}", r.stderr);
    let r = run_in(tmp.path(), &["build", "-golang=false", "game.km"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no target selected"), "{}", r.stderr);
}

#[test]
fn build_help_succeeds() {
    let tmp = tempfile::tempdir().unwrap();
    for args in [
        &["build", "help"][..],
        &["build", "-help"],
        &["build", "--help"],
    ] {
        let r = run_in(tmp.path(), args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(
            r.stdout.contains("--golang") && r.stdout.contains("--rust"),
            "{}",
            r.stdout
        );
    }
}

#[test]
fn missing_schema_file_is_trouble() {
    let tmp = tempfile::tempdir().unwrap();
    let r = run_in(tmp.path(), &["build", "--rust", "nope.km"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("cannot read nope.km"), "{}", r.stderr);
}

#[test]
fn without_file_and_config_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    if karmem_codegen::config::find(tmp.path()).is_some() {
        eprintln!("skipped: a karmem.toml exists above the temporary directory");
        return;
    }
    let r = run_in(tmp.path(), &["build"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no karmem.toml in"), "{}", r.stderr);
    let r = run_in(tmp.path(), &["build", "--rust"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("need a schema FILE"), "{}", r.stderr);
}

/// A project: `karmem.toml` at the root, schemas below, commands run from a subdirectory.
fn project(config: &str, schemas: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("work/deep")).unwrap();
    std::fs::write(tmp.path().join("karmem.toml"), config).unwrap();
    for (path, text) in schemas {
        let path = tmp.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    tmp
}

#[test]
fn config_errors_are_located() {
    let cases: &[(&str, &str)] = &[
        (
            "upstream-compatible = false\n\n[[generate]]\nschemas = [\"s/*.km\"]\ntargets = [\"rust\"]\nout = \"gen\"\nbogus = 1\n",
            "karmem.toml:7:1: unknown field `bogus`, expected one of `schemas`, `targets`, `out`, `options`",
        ),
        (
            "upstream-compatible = 1\n",
            "karmem.toml:1:23: invalid type: integer `1`, expected a boolean",
        ),
        (
            "[[generate]]\nschemas = \"s/*.km\"\ntargets = [\"rust\"]\nout = \"gen\"\n",
            "karmem.toml:2:11: invalid type: string \"s/*.km\", expected a sequence",
        ),
        (
            "[[generate]]\nschemas = [\"s/*.km\"]\ntargets = [\"rust\", \"kotlin\"]\nout = \"gen\"\n",
            "karmem.toml:3:20: unknown target `kotlin` (known: assemblyscript, c, dotnet, golang, odin, swift, zig, rust)",
        ),
        (
            "[[generate]]\nschemas = [\"s/*.km\"]\ntargets = [\"rust\"]\nout = \"/etc\"\n",
            "karmem.toml:4:7: `out` must be a plain relative directory inside the project: the path is absolute",
        ),
        (
            "[[generate]]\nschemas = [\"s/*.km\", \"missing/*.km\"]\ntargets = [\"rust\"]\nout = \"gen\"\n",
            "karmem.toml:2:22: the pattern \"missing/*.km\" matches no file",
        ),
    ];
    for (config, expected) in cases {
        let tmp = project(config, &[("s/game.km", GAME)]);
        let r = run_in(&tmp.path().join("work/deep"), &["build"]);
        assert_eq!(r.code, 1, "{config}\n{}", r.stderr);
        assert!(
            r.stderr.contains(expected),
            "expected {expected:?} in:\n{}",
            r.stderr
        );
        assert!(!tmp.path().join("gen").exists());
    }
}

#[test]
fn unavailable_target_in_config_is_located() {
    let tmp = project(
        "[[generate]]\nschemas = [\"s/*.km\"]\ntargets = [\"rust\", \"dotnet\"]\nout = \"gen\"\n",
        &[("s/game.km", GAME)],
    );
    let r = run_in(tmp.path(), &["build"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("karmem.toml:3:20: target `dotnet` is not available yet"),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("target `rust` is not available"),
        "{}",
        r.stderr
    );
    // Nothing is written while any target is unavailable.
    assert!(!tmp.path().join("gen").exists());
}

#[test]
fn schema_with_errors_generates_nothing() {
    let tmp = project(
        "[[generate]]\nschemas = [\"s/*.km\"]\ntargets = [\"rust\"]\nout = \"gen\"\n",
        &[
            ("s/bad.km", "karmem bad;\n\nstruct A inline { X Nope; }\n"),
            ("s/game.km", GAME),
        ],
    );
    let r = run_in(&tmp.path().join("work"), &["build"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("error[KM0200]"), "{}", r.stderr);
    assert!(
        r.stderr.contains("bad.km has errors; nothing generated"),
        "{}",
        r.stderr
    );
    assert!(!tmp.path().join("gen/rust/bad_generated.rs").exists());
    // The valid schema is still generated, with the header naming it.
    let out = std::fs::read_to_string(tmp.path().join("gen/rust/game_generated.rs")).unwrap();
    assert!(out.contains("from s/game.km;"), "{out}");
}

#[test]
fn upstream_compatible_in_config_rejects_comments() {
    let tmp = project(
        "upstream-compatible = true\n[[generate]]\nschemas = [\"game.km\"]\ntargets = [\"rust\"]\nout = \"gen\"\n",
        &[("game.km", "// a comment\nkarmem game;\nstruct A inline { X uint8; }\n")],
    );
    let r = run_in(tmp.path(), &["build"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("game.km has errors"), "{}", r.stderr);
    assert!(!tmp.path().join("gen").exists());
}

#[test]
fn file_mode_schema_errors_exit_1_when_the_target_exists() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("bad.km"),
        "karmem bad;\nstruct A inline { X Nope; }\n",
    )
    .unwrap();
    let r = run_in(tmp.path(), &["build", "--rust", "-o", "out", "bad.km"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!tmp.path().join("out").exists());
}
