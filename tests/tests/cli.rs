//! End-to-end tests of the `karmem` binary: exit codes, output formats, files on disk.
//!
//! The binary belongs to the `karmem-server` package, so Cargo does not hand this package
//! its path (`CARGO_BIN_EXE_*` only exists inside the package that owns the binary). The
//! tests therefore build it once with `cargo build -p karmem-server --bin karmem` into the
//! same target directory and profile as this test executable (a no-op when it is up to
//! date, and never a stale binary); `KARMEM_BIN` overrides the path.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------
// Harness

/// The `karmem` binary (built on first use; see `karmem_tests::bin`).
fn karmem_bin() -> &'static Path {
    karmem_tests::bin::karmem()
}

/// The result of one run.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn from(output: Output) -> Run {
        let run = Run {
            code: output
                .status
                .code()
                .expect("exited normally, not by a signal"),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        };
        assert!(
            !run.stderr.contains("panicked"),
            "the binary panicked:\n{}",
            run.stderr
        );
        run
    }
}

fn karmem(dir: &Path, args: &[&str]) -> Run {
    karmem_stdin(dir, args, b"")
}

fn karmem_stdin(dir: &Path, args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(karmem_bin())
        .args(args)
        .current_dir(dir)
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn karmem");
    {
        let mut input = child.stdin.take().expect("stdin");
        // The command may not read its input at all; a closed pipe is fine then.
        let _ = input.write_all(stdin);
    }
    Run::from(child.wait_with_output().expect("wait for karmem"))
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write schema");
    path
}

fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Schemas

const GOOD: &str = "\
karmem demo @packed();

enum Color uint8 { Red; Green; Blue; }

struct Point inline {
    X float32;
    Y float32;
}

struct Shape table {
    Name   [<64]char;
    Points []Point;
    Fill   Color;
}
";

/// Line 4 uses a type that does not exist.
const UNKNOWN_TYPE: &str = "\
karmem demo @packed();

struct A inline {
    X Missing;
}
";

/// Line 3: non-ASCII characters (2-byte `ö`, `ß`, a 4-byte emoji = 2 UTF-16 units) before
/// the unknown type `Unknown`, which starts at character 36 (UTF-16 unit 37, byte 41).
const NON_ASCII_ERROR: &str =
    "karmem demo @packed();\n\nstruct Größe inline @note(`😀`) { X Unknown; }\n";

/// `char` outside a slice: a warning (KM1002), not an error.
const WARNING_ONLY: &str = "karmem demo @packed();\n\nstruct A inline {\n    X char;\n}\n";

/// A non-packed inline struct: only a hint (KM2001).
const HINT_ONLY: &str = "karmem demo;\n\nstruct A inline {\n    X uint32;\n}\n";

// ---------------------------------------------------------------------------------------
// check

#[test]
fn check_good_file_succeeds() {
    let dir = temp_dir();
    write(dir.path(), "good.km", GOOD);
    let run = karmem(dir.path(), &["check", "good.km"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr.contains("0 errors, 0 warnings in 1 file"),
        "{}",
        run.stderr
    );
}

#[test]
fn check_bad_file_reports_code_and_line() {
    let dir = temp_dir();
    write(dir.path(), "bad.km", UNKNOWN_TYPE);
    let run = karmem(dir.path(), &["check", "bad.km"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error[KM0200]"), "{}", run.stderr);
    assert!(run.stderr.contains("bad.km:4:7"), "{}", run.stderr);
    assert!(run.stderr.contains("Missing"), "{}", run.stderr);
    assert!(
        run.stderr.contains("1 error, 0 warnings in 1 file"),
        "{}",
        run.stderr
    );
    // No colour codes when stderr is not a terminal.
    assert!(!run.stderr.contains('\u{1b}'), "{:?}", run.stderr);
}

#[test]
fn check_syntax_error_shows_the_fix_as_help() {
    let dir = temp_dir();
    write(
        dir.path(),
        "semi.km",
        "karmem demo;\nstruct A inline { X uint8 }\n",
    );
    let run = karmem(dir.path(), &["check", "semi.km"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("error[KM0004]"), "{}", run.stderr);
    assert!(run.stderr.contains("semi.km:2:"), "{}", run.stderr);
    assert!(run.stderr.contains("help:"), "{}", run.stderr);
}

#[test]
fn check_several_files_summarises_them_all() {
    let dir = temp_dir();
    write(dir.path(), "good.km", GOOD);
    write(dir.path(), "bad.km", UNKNOWN_TYPE);
    write(dir.path(), "warn.km", WARNING_ONLY);
    let run = karmem(dir.path(), &["check", "good.km", "bad.km", "warn.km"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("warning[KM1002]"), "{}", run.stderr);
    assert!(
        run.stderr.contains("1 error, 1 warning in 3 files"),
        "{}",
        run.stderr
    );
}

#[test]
fn check_json_format() {
    let dir = temp_dir();
    write(dir.path(), "bad.km", NON_ASCII_ERROR);
    let run = karmem(dir.path(), &["check", "--format", "json", "bad.km"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let lines = json_lines(&run.stdout);
    let error = lines
        .iter()
        .find(|d| d["code"] == "KM0200")
        .unwrap_or_else(|| panic!("no KM0200 in {}", run.stdout));
    let keys: Vec<&str> = error
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "severity",
            "code",
            "message"
        ]
    );
    assert_eq!(error["file"], "bad.km");
    assert_eq!(error["severity"], "error");
    // 1-based, columns in characters: `Unknown` is characters 36..43 of line 3.
    assert_eq!(error["line"], 3);
    assert_eq!(error["column"], 36);
    assert_eq!(error["end_line"], 3);
    assert_eq!(error["end_column"], 43);
    assert!(error["message"].as_str().unwrap().contains("Unknown"));
    // Nothing else is printed on stdout, and no summary.
    assert!(!run.stderr.contains("in 1 file"), "{}", run.stderr);
}

#[test]
fn check_json_first_line_first_column() {
    let dir = temp_dir();
    write(
        dir.path(),
        "header.km",
        "\nkarmem demo;\nstruct A inline { X uint8; }\n",
    );
    let run = karmem(dir.path(), &["check", "--format", "json", "header.km"]);
    assert_eq!(run.code, 1);
    let lines = json_lines(&run.stdout);
    assert!(!lines.is_empty());
    for d in &lines {
        assert!(
            d["line"].as_u64().unwrap() >= 1 && d["column"].as_u64().unwrap() >= 1,
            "{d}"
        );
    }
}

#[test]
fn check_github_format() {
    let dir = temp_dir();
    write(dir.path(), "bad.km", NON_ASCII_ERROR);
    write(dir.path(), "warn.km", WARNING_ONLY);
    let run = karmem(
        dir.path(),
        &["check", "--format", "github", "bad.km", "warn.km"],
    );
    assert_eq!(run.code, 1);
    let error = run
        .stdout
        .lines()
        .find(|l| l.contains("title=KM0200"))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(
        error
            .starts_with("::error file=bad.km,line=3,col=36,endLine=3,endColumn=43,title=KM0200::"),
        "{error}"
    );
    assert!(error.contains("Unknown"));
    assert!(
        run.stdout.lines().any(
            |l| l.starts_with("::warning file=warn.km,line=4,") && l.contains("title=KM1002::")
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn check_deny_warnings() {
    let dir = temp_dir();
    write(dir.path(), "warn.km", WARNING_ONLY);
    let run = karmem(dir.path(), &["check", "warn.km"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("warning[KM1002]"), "{}", run.stderr);
    assert!(
        run.stderr.contains("0 errors, 1 warning in 1 file"),
        "{}",
        run.stderr
    );
    let run = karmem(dir.path(), &["check", "--deny-warnings", "warn.km"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
}

#[test]
fn check_hints_only_on_request() {
    let dir = temp_dir();
    write(dir.path(), "hint.km", HINT_ONLY);
    let run = karmem(dir.path(), &["check", "--format", "json", "hint.km"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let run = karmem(
        dir.path(),
        &["check", "--format", "json", "--hints", "hint.km"],
    );
    assert_eq!(run.code, 0);
    let lines = json_lines(&run.stdout);
    assert!(
        lines
            .iter()
            .any(|d| d["code"] == "KM2001" && d["severity"] == "hint"),
        "{}",
        run.stdout
    );
    // Hints never fail a check, even with --deny-warnings.
    let run = karmem(
        dir.path(),
        &[
            "check",
            "--hints",
            "--deny-warnings",
            "--format",
            "github",
            "hint.km",
        ],
    );
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.starts_with("::notice file=hint.km,"),
        "{}",
        run.stdout
    );
}

#[test]
fn check_upstream_compatible_rejects_comments() {
    let dir = temp_dir();
    let schema = "karmem demo @packed();\n// a comment\nstruct A inline { X uint8; }\n";
    write(dir.path(), "c.km", schema);
    let run = karmem(dir.path(), &["check", "c.km"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = karmem(dir.path(), &["check", "--upstream-compatible", "c.km"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("KM0009"), "{}", run.stderr);
}

#[test]
fn check_reads_stdin() {
    let dir = temp_dir();
    let run = karmem_stdin(
        dir.path(),
        &["check", "--format", "json", "-"],
        UNKNOWN_TYPE.as_bytes(),
    );
    assert_eq!(run.code, 1);
    let lines = json_lines(&run.stdout);
    assert_eq!(lines[0]["file"], "<stdin>");
    assert_eq!(lines[0]["line"], 4);
}

// ---------------------------------------------------------------------------------------
// layout

/// layout.md §6.2 (`packed.km`, packed document with per-struct opt-out), plus an enum.
const PACKED: &str = "\
karmem demo @packed();

enum Kind uint16 { Zero; Two = 2; }

struct Test inline {
    A int32;
    B int8;
}

struct TestArray inline {
    A []Test;
}

struct TestOld inline @packed(false) {
    A int32;
    B int8;
}

struct TestArrayOld inline @packed(false) {
    A []Test;
}
";

/// One expected field object of the layout report (all of its keys, in order).
#[allow(clippy::too_many_arguments)]
fn field(
    name: &str,
    ty: &str,
    base: &str,
    model: &str,
    format: &str,
    length: u32,
    off: u32,
    min: u32,
    fld: u32,
    alloc: u32,
) -> Value {
    json!({
        "name": name, "type": ty, "base": base, "model": model, "format": format,
        "length": length, "offset": off,
        "size": { "minimum": min, "field": fld, "allocation": alloc },
        "tags": []
    })
}

fn packed_report() -> Value {
    let int32_a = field("A", "int32", "int32", "single", "primitive", 1, 0, 4, 4, 4);
    let int8_b = field("B", "int8", "int8", "single", "primitive", 1, 4, 1, 1, 1);
    json!({
        "name": "demo",
        "packed": true,
        "largest": 16,
        "tags": [{ "name": "packed", "value": "" }],
        "enums": [{
            "name": "Kind",
            "type": "uint16",
            "sequential": false,
            "tags": [],
            "values": [
                { "name": "Zero", "value": "0", "tags": [] },
                { "name": "Two", "value": "2", "tags": [] }
            ]
        }],
        "structs": [
            {
                "name": "Test", "class": "inline", "id": "5085408238101727985", "packed": true,
                "size": { "minimum": 5, "content": 5, "padding": 0, "total": 5 },
                "tags": [],
                "fields": [int32_a, int8_b]
            },
            {
                "name": "TestArray", "class": "inline", "id": "5738668725991213703", "packed": true,
                "size": { "minimum": 8, "content": 8, "padding": 0, "total": 8 },
                "tags": [],
                "fields": [field("A", "[]Test", "Test", "slice", "struct", 0, 0, 0, 8, 5)]
            },
            {
                "name": "TestOld", "class": "inline", "id": "6498536354618308557", "packed": false,
                "size": { "minimum": 5, "content": 5, "padding": 3, "total": 8 },
                "tags": [{ "name": "packed", "value": "false" }],
                "fields": [int32_a, int8_b]
            },
            {
                "name": "TestArrayOld", "class": "inline", "id": "18154985737672642114", "packed": false,
                "size": { "minimum": 12, "content": 12, "padding": 4, "total": 16 },
                "tags": [{ "name": "packed", "value": "false" }],
                "fields": [field("A", "[]Test", "Test", "slice", "struct", 0, 0, 0, 12, 5)]
            }
        ]
    })
}

#[test]
fn layout_json_report() {
    let dir = temp_dir();
    write(dir.path(), "packed.km", PACKED);
    let run = karmem(dir.path(), &["layout", "--json", "packed.km"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).expect("stdout is one JSON document");
    assert_eq!(report, packed_report());
    // Keys in the documented order.
    let keys: Vec<&str> = report
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["name", "packed", "largest", "tags", "enums", "structs"]
    );
    let struct_keys: Vec<&str> = report["structs"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        struct_keys,
        ["name", "class", "id", "packed", "size", "tags", "fields"]
    );
    // Pretty-printed.
    assert!(
        run.stdout.starts_with("{\n  \"name\": \"demo\",\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn layout_tables() {
    let dir = temp_dir();
    write(dir.path(), "packed.km", PACKED);
    let run = karmem(dir.path(), &["layout", "packed.km"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    assert!(
        out.contains("struct TestArrayOld inline, not packed, id 18154985737672642114"),
        "{out}"
    );
    assert!(
        out.contains("minimum 12, content 12, padding 4, total 16"),
        "{out}"
    );
    assert!(out.contains("enum Kind uint16"), "{out}");
    assert!(out.contains("Two  = 2"), "{out}");
    assert!(out.contains("(padding)"), "{out}");
}

#[test]
fn layout_of_a_schema_with_errors() {
    let dir = temp_dir();
    write(dir.path(), "bad.km", UNKNOWN_TYPE);
    for args in [
        &["layout", "--json", "bad.km"][..],
        &["layout", "bad.km"][..],
    ] {
        let run = karmem(dir.path(), args);
        assert_eq!(run.code, 1);
        assert!(run.stdout.is_empty(), "{}", run.stdout);
        assert!(run.stderr.contains("error[KM0200]"), "{}", run.stderr);
    }
}

// ---------------------------------------------------------------------------------------
// fmt

const UNFORMATTED: &str =
    "karmem demo @packed();\nstruct Point inline { X float32; LongName float32; }\n";

fn mtime(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

#[test]
fn fmt_rewrites_in_place() {
    let dir = temp_dir();
    let path = write(dir.path(), "p.km", UNFORMATTED);
    // What the formatter makes of the text, via stdin.
    let expected = karmem_stdin(dir.path(), &["fmt"], UNFORMATTED.as_bytes());
    assert_eq!(expected.code, 0, "{}", expected.stderr);
    assert_ne!(expected.stdout, UNFORMATTED);
    assert!(
        expected.stdout.contains("    LongName float32;"),
        "{}",
        expected.stdout
    );

    let run = karmem(dir.path(), &["fmt", "p.km"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), expected.stdout);
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["p.km"]);

    // A formatted file is not written again.
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let run = karmem(dir.path(), &["fmt", "p.km"]);
    assert_eq!(run.code, 0);
    assert_eq!(mtime(&path), old);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), expected.stdout);
}

#[cfg(unix)]
#[test]
fn fmt_keeps_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir();
    let path = write(dir.path(), "p.km", UNFORMATTED);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let run = karmem(dir.path(), &["fmt", "p.km"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_ne!(std::fs::read_to_string(&path).unwrap(), UNFORMATTED);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}

#[test]
fn fmt_check_lists_unformatted_files() {
    let dir = temp_dir();
    let messy = write(dir.path(), "messy.km", UNFORMATTED);
    let formatted = karmem_stdin(dir.path(), &["fmt", "-"], UNFORMATTED.as_bytes()).stdout;
    write(dir.path(), "tidy.km", &formatted);

    let run = karmem(dir.path(), &["fmt", "--check", "messy.km", "tidy.km"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout, "messy.km\n");
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), UNFORMATTED);

    let run = karmem(dir.path(), &["fmt", "--check", "tidy.km"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn fmt_stdin_to_stdout() {
    let dir = temp_dir();
    let run = karmem_stdin(dir.path(), &["fmt"], UNFORMATTED.as_bytes());
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Formatting is idempotent.
    let again = karmem_stdin(dir.path(), &["fmt", "-"], run.stdout.as_bytes());
    assert_eq!(again.code, 0);
    assert_eq!(again.stdout, run.stdout);
    // --check on stdin writes no formatted text.
    let check = karmem_stdin(dir.path(), &["fmt", "--check"], UNFORMATTED.as_bytes());
    assert_eq!(check.code, 1);
    assert_eq!(check.stdout, "<stdin>\n");
}

#[test]
fn fmt_upstream_style() {
    let dir = temp_dir();
    let run = karmem_stdin(dir.path(), &["fmt", "--upstream"], GOOD.as_bytes());
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Upstream pins an `@id` tag on every struct.
    assert!(run.stdout.contains("@id("), "{}", run.stdout);
}

#[test]
fn fmt_leaves_a_file_with_errors_untouched() {
    let dir = temp_dir();
    let path = write(dir.path(), "bad.km", UNKNOWN_TYPE);
    let run = karmem(dir.path(), &["fmt", "bad.km"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("error[KM0200]"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), UNKNOWN_TYPE);
}

// ---------------------------------------------------------------------------------------
// Unreadable inputs: exit 2, a located message, no panic (checked by `Run::from`).

#[test]
fn missing_file() {
    let dir = temp_dir();
    for command in ["check", "layout", "fmt"] {
        let run = karmem(dir.path(), &[command, "schema.km"]);
        assert_eq!(run.code, 2, "{command}: {}", run.stderr);
        assert!(
            run.stderr
                .contains("error: cannot read schema.km: No such file or directory"),
            "{command}: {}",
            run.stderr
        );
    }
}

#[test]
fn directory_input() {
    let dir = temp_dir();
    std::fs::create_dir(dir.path().join("schemas")).unwrap();
    for command in ["check", "layout", "fmt"] {
        let run = karmem(dir.path(), &[command, "schemas"]);
        assert_eq!(run.code, 2, "{command}: {}", run.stderr);
        assert!(
            run.stderr.contains("error: schemas is a directory"),
            "{command}: {}",
            run.stderr
        );
    }
}

#[test]
fn non_utf8_input() {
    let dir = temp_dir();
    let bytes = b"karmem demo;\n\nstruct A\xff inline { X uint8; }\n";
    let path = write(dir.path(), "foo.km", bytes);
    for command in ["check", "layout", "fmt"] {
        let run = karmem(dir.path(), &[command, "foo.km"]);
        assert_eq!(run.code, 2, "{command}: {}", run.stderr);
        assert!(
            run.stderr
                .contains("error: foo.km is not valid UTF-8 (invalid byte at line 3, column 9)"),
            "{command}: {}",
            run.stderr
        );
    }
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    let run = karmem_stdin(dir.path(), &["fmt"], b"karmem d\xc3(;");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("<stdin> is not valid UTF-8 (invalid byte at line 1, column 9)"),
        "{}",
        run.stderr
    );
}

#[test]
fn unreadable_input_wins_over_schema_errors() {
    let dir = temp_dir();
    write(dir.path(), "bad.km", UNKNOWN_TYPE);
    let run = karmem(dir.path(), &["check", "bad.km", "missing.km"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("error[KM0200]"));
    assert!(run.stderr.contains("cannot read missing.km"));
}

// ---------------------------------------------------------------------------------------
// Command line

#[test]
fn version_and_help() {
    let dir = temp_dir();
    let run = karmem(dir.path(), &["--version"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("karmem "), "{}", run.stdout);
    let run = karmem(dir.path(), &["--help"]);
    assert_eq!(run.code, 0);
    for command in ["check", "layout", "fmt"] {
        assert!(run.stdout.contains(command), "{}", run.stdout);
    }
    let run = karmem(dir.path(), &["check", "--help"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("--deny-warnings"));
    assert!(run.stdout.contains("--upstream-compatible"));
    assert!(run.stdout.contains("characters"), "{}", run.stdout);
}

#[test]
fn bad_command_line_exits_2() {
    let dir = temp_dir();
    assert_eq!(karmem(dir.path(), &[]).code, 2);
    assert_eq!(karmem(dir.path(), &["check"]).code, 2);
    assert_eq!(karmem(dir.path(), &["bogus"]).code, 2);
    assert_eq!(
        karmem(dir.path(), &["check", "--format", "xml", "a.km"]).code,
        2
    );
}
