//! `karmem breaking` driven as a process: git baselines in a temporary repository (a
//! branch, `REV:dir/`, a renamed file, a file new since the baseline, `--transitive`),
//! file and directory baselines, levels, formats, exit codes and `karmem.toml`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use karmem_tests::bin::karmem;
use serde_json::Value;

const V1: &str = "karmem game @packed(true);

enum Color uint8 {
    Red;
    Green;
}

struct Monster table {
    Id uint32;
    Hp uint16;
    Name []char;
}
";

/// V1 with a field appended and a value appended: compatible.
const V2_APPENDED: &str = "karmem game @packed(true);

enum Color uint8 {
    Red;
    Green;
    Blue;
}

struct Monster table {
    Id uint32;
    Hp uint16;
    Name []char;
    Mana uint16;
}
";

/// V1 with a field inserted in the middle: a wire break.
const V2_INSERTED: &str = "karmem game @packed(true);

enum Color uint8 {
    Red;
    Green;
}

struct Monster table {
    Id uint32;
    Mana uint16;
    Hp uint16;
    Name []char;
}
";

fn git_available() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

struct Repo {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

impl Repo {
    fn new() -> Repo {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("repo");
        std::fs::create_dir_all(&root).unwrap();
        let repo = Repo { _tmp: tmp, root };
        repo.git(&["-c", "init.defaultBranch=main", "init", "-q"]);
        repo
    }

    fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .current_dir(&self.root)
            .args([
                "-c",
                "user.name=Test",
                "-c",
                "user.email=test@example.com",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", &self.root)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn write(&self, path: &str, text: &str) {
        let path = self.root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    fn karmem(&self, args: &[&str]) -> Output {
        run_in(&self.root, args)
    }
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(karmem())
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn rules(out: &Output) -> Vec<String> {
    json_lines(out)
        .iter()
        .map(|v| v["rule"].as_str().unwrap().to_string())
        .collect()
}

macro_rules! require_git {
    () => {
        if !git_available() {
            eprintln!("skipped: git not available");
            return;
        }
    };
}

#[test]
fn against_a_branch() {
    require_git!();
    let repo = Repo::new();
    repo.write("schemas/game.km", V1);
    repo.commit("v1");
    repo.git(&["checkout", "-q", "-b", "work"]);

    // Unchanged and compatible: exit 0.
    let out = repo.karmem(&["breaking", "schemas/game.km", "--against", "main"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("0 errors, 0 warnings in 1 file"),
        "{}",
        stderr(&out)
    );
    repo.write("schemas/game.km", V2_APPENDED);
    let out = repo.karmem(&["breaking", "schemas/game.km", "--against", "main"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // A field inserted in the middle: exit 1, with both locations.
    repo.write("schemas/game.km", V2_INSERTED);
    let out = repo.karmem(&["breaking", "schemas/game.km", "--against", "main"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert!(text.contains("error[TABLE_FIELD_INSERTED]"), "{text}");
    assert!(text.contains("schemas/game.km:10:5"), "{text}");
    assert!(text.contains("main:schemas/game.km:10:5"), "{text}");
    assert!(text.contains("in the baseline"), "{text}");
    assert!(
        text.contains("1 error, 0 warnings in 1 file (level wire)"),
        "{text}"
    );

    let out = repo.karmem(&[
        "breaking",
        "--format",
        "json",
        "schemas/game.km",
        "--against",
        "main",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let v = &lines[0];
    assert_eq!(v["rule"], "TABLE_FIELD_INSERTED");
    assert_eq!(v["category"], "wire");
    assert_eq!(v["severity"], "error");
    assert_eq!(
        (v["line"].as_u64(), v["column"].as_u64()),
        (Some(10), Some(5))
    );
    assert_eq!(v["old_file"], "main:schemas/game.km");
    assert_eq!(
        (v["old_line"].as_u64(), v["old_column"].as_u64()),
        (Some(10), Some(5))
    );
    assert_eq!(v["against"], "main");
    assert!(v["effects"].as_array().is_some_and(|e| !e.is_empty()));

    let out = repo.karmem(&[
        "breaking",
        "--format",
        "github",
        "schemas/game.km",
        "--against",
        "main",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with(
            "::error file=schemas/game.km,line=10,col=5,endLine=10,endColumn=17,title=TABLE_FIELD_INSERTED::"
        ),
        "{stdout}"
    );

    // From a subdirectory, the same file is found by its path in the repository.
    let out = run_in(
        &repo.root.join("schemas"),
        &[
            "breaking",
            "--format",
            "json",
            "game.km",
            "--against",
            "main",
        ],
    );
    assert_eq!(rules(&out), ["TABLE_FIELD_INSERTED"], "{}", stderr(&out));

    // Committed changes: HEAD is the baseline, so nothing is new.
    repo.commit("v2");
    let out = repo.karmem(&["breaking", "schemas/game.km", "--against", "HEAD"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = repo.karmem(&["breaking", "schemas/game.km", "--against", "HEAD~1"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn levels_decide_what_fails() {
    require_git!();
    let repo = Repo::new();
    repo.write(
        "a.km",
        "karmem a;\nstruct User table {\n    Id uint32;\n    Nick []char;\n}\n",
    );
    repo.commit("v1");
    // A rename (source) and a limit added (lossy).
    repo.write(
        "a.km",
        "karmem a;\nstruct User table {\n    Id uint32;\n    Handle [<16]char;\n}\n",
    );
    let run = |level: Option<&str>| {
        let mut args = vec!["breaking", "--format", "json", "a.km", "--against", "HEAD"];
        if let Some(level) = level {
            args.extend(["--level", level]);
        }
        let out = repo.karmem(&args);
        let severities: Vec<(String, String)> = json_lines(&out)
            .iter()
            .map(|v| {
                (
                    v["rule"].as_str().unwrap().to_string(),
                    v["severity"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        (out.status.code(), severities)
    };
    let (code, found) = run(None);
    assert_eq!(code, Some(0));
    assert_eq!(
        found,
        [
            ("FIELD_RENAMED".to_string(), "warning".to_string()),
            ("SLICE_LIMIT_REDUCED".to_string(), "warning".to_string())
        ]
    );
    let (code, found) = run(Some("lossy"));
    assert_eq!(code, Some(1));
    assert_eq!(found[1].1, "error");
    assert_eq!(found[0].1, "warning");
    let (code, _) = run(Some("id"));
    assert_eq!(code, Some(1));
    let (code, found) = run(Some("source"));
    assert_eq!(code, Some(1));
    assert!(found.iter().all(|(_, s)| s == "error"));
}

#[test]
fn renamed_and_new_files() {
    require_git!();
    let repo = Repo::new();
    repo.write("schemas/game.km", V1);
    repo.write(
        "schemas/other.km",
        "karmem other;\nstruct A table {\n    X uint8;\n}\n",
    );
    repo.commit("v1");
    // Renamed with git (rename detection), then changed incompatibly.
    repo.git(&["mv", "schemas/game.km", "schemas/world.km"]);
    repo.write("schemas/world.km", V2_INSERTED);
    // Moved without git and renamed: paired by its module.
    std::fs::create_dir_all(repo.root.join("moved")).unwrap();
    std::fs::rename(
        repo.root.join("schemas/other.km"),
        repo.root.join("moved/renamed.km"),
    )
    .unwrap();
    repo.write(
        "moved/renamed.km",
        "karmem other;\nstruct A table {\n    X uint16;\n}\n",
    );
    // New since the baseline.
    repo.write(
        "schemas/fresh.km",
        "karmem fresh;\nstruct B table {\n    Y uint8;\n}\n",
    );

    let out = repo.karmem(&[
        "breaking",
        "--format",
        "json",
        "schemas/world.km",
        "moved/renamed.km",
        "schemas/fresh.km",
        "--against",
        "main",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let lines = json_lines(&out);
    let by_file: Vec<(&str, &str, &str)> = lines
        .iter()
        .map(|v| {
            (
                v["file"].as_str().unwrap(),
                v["rule"].as_str().unwrap(),
                v["old_file"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by_file,
        [
            (
                "schemas/world.km",
                "TABLE_FIELD_INSERTED",
                "main:schemas/game.km"
            ),
            (
                "moved/renamed.km",
                "TABLE_LAST_FIELD_RESIZED",
                "main:schemas/other.km"
            ),
        ]
    );
    let text = stderr(&out);
    assert!(
        text.contains("note: schemas/fresh.km: new since the baseline (main); nothing to compare"),
        "{text}"
    );
}

#[test]
fn revision_with_a_directory_and_plain_directories_and_files() {
    require_git!();
    let repo = Repo::new();
    repo.write("old/game.km", V1);
    repo.commit("v1");
    repo.git(&["tag", "v1.0"]);
    repo.write("schemas/game.km", V2_INSERTED);

    // `REV:dir/`: matched by name below the directory.
    let out = repo.karmem(&[
        "breaking",
        "--format",
        "json",
        "schemas/game.km",
        "--against",
        "v1.0:old/",
    ]);
    assert_eq!(rules(&out), ["TABLE_FIELD_INSERTED"], "{}", stderr(&out));
    assert_eq!(json_lines(&out)[0]["old_file"], "v1.0:old/game.km");
    // `REV:file`.
    let out = repo.karmem(&[
        "breaking",
        "--format",
        "json",
        "schemas/game.km",
        "--against",
        "v1.0:old/game.km",
    ]);
    assert_eq!(rules(&out), ["TABLE_FIELD_INSERTED"], "{}", stderr(&out));
    // A directory on disk, and a file on disk.
    let out = repo.karmem(&[
        "breaking",
        "--format",
        "json",
        "schemas/game.km",
        "--against",
        "old",
    ]);
    assert_eq!(rules(&out), ["TABLE_FIELD_INSERTED"], "{}", stderr(&out));
    assert_eq!(json_lines(&out)[0]["old_file"], "old/game.km");
    let out = repo.karmem(&[
        "breaking",
        "--format",
        "json",
        "schemas/game.km",
        "--against",
        "old/game.km",
    ]);
    assert_eq!(rules(&out), ["TABLE_FIELD_INSERTED"], "{}", stderr(&out));

    // Nothing by that name: exit 2 with a message.
    let out = repo.karmem(&["breaking", "schemas/game.km", "--against", "no-such-rev"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`no-such-rev` is not a file, a directory or a git revision"),
        "{}",
        stderr(&out)
    );
    let out = repo.karmem(&["breaking", "schemas/game.km", "--against", "v1.0:nowhere/"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    // No baseline at all.
    let out = repo.karmem(&["breaking", "schemas/game.km"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no baseline"), "{}", stderr(&out));
}

#[test]
fn transitive_finds_a_slot_reused_across_revisions() {
    require_git!();
    let repo = Repo::new();
    let with_score = "karmem s;\nstruct User table {\n    Id uint32;\n    Score uint32;\n}\n";
    let without = "karmem s;\nstruct User table {\n    Id uint32;\n}\n";
    let reused = "karmem s;\nstruct User table {\n    Id uint32;\n    Ratio float32;\n}\n";
    repo.write("s.km", with_score);
    repo.commit("score");
    let first = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    repo.write("s.km", without);
    repo.commit("drop score");
    repo.write("s.km", reused);

    // Against HEAD alone, appending `Ratio` looks compatible.
    let out = repo.karmem(&["breaking", "--format", "json", "s.km", "--against", "HEAD"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(rules(&out).is_empty());
    // Against the last two revisions, the reuse of `Score`'s bytes is found.
    let out = repo.karmem(&["breaking", "--format", "json", "s.km", "--transitive", "2"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let lines = json_lines(&out);
    let slot: Vec<&Value> = lines
        .iter()
        .filter(|v| v["rule"] == "TABLE_FIELD_SLOT_REUSED")
        .collect();
    assert_eq!(slot.len(), 1, "{lines:?}");
    assert_eq!(slot[0]["revision"].as_str(), Some(first.as_str()));
    // Each violation once: the removal of `Score` is found against the first revision
    // only, too.
    let removed = lines
        .iter()
        .filter(|v| v["rule"] == "TABLE_LAST_FIELD_REMOVED")
        .count();
    assert_eq!(removed, 1);
    let out = repo.karmem(&["breaking", "s.km", "--transitive", "2"]);
    assert!(
        stderr(&out).contains(&format!("first found against revision {first}")),
        "{}",
        stderr(&out)
    );
    // --transitive needs a revision.
    repo.write("base.km", with_score);
    let out = repo.karmem(&[
        "breaking",
        "s.km",
        "--against",
        "base.km",
        "--transitive",
        "2",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn configuration_in_karmem_toml() {
    require_git!();
    let repo = Repo::new();
    repo.write(
        "a.km",
        "karmem a;\nstruct User table {\n    Id uint32;\n    Legacy uint8;\n}\n",
    );
    repo.commit("v1");
    repo.write(
        "a.km",
        "karmem a @key(k);\nstruct User table {\n    Id uint32;\n}\n",
    );
    repo.write(
        "karmem.toml",
        "[breaking]\nagainst = \"main\"\nlevel = \"source\"\n",
    );
    let out = repo.karmem(&["breaking", "--format", "json", "a.km"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        rules(&out),
        ["STRUCT_ID_CHANGED", "TABLE_LAST_FIELD_REMOVED"]
    );
    // The command line wins over the file.
    let out = repo.karmem(&["breaking", "a.km", "--level", "wire"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Ignored rules are not printed, but counted.
    repo.write(
        "karmem.toml",
        "[breaking]\nagainst = \"main\"\nlevel = \"source\"\nignore = { STRUCT_ID_CHANGED = [\"*\"], TABLE_LAST_FIELD_REMOVED = [\"User.Legacy\"] }\n",
    );
    let out = repo.karmem(&["breaking", "a.km"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("2 ignored"), "{}", stderr(&out));
    repo.write(
        "karmem.toml",
        "[breaking]\nagainst = \"main\"\nlevel = \"source\"\nignore = { TABLE_LAST_FIELD_REMOVED = [\"User.Other\"] }\n",
    );
    let out = repo.karmem(&["breaking", "--format", "json", "a.km"]);
    assert_eq!(
        rules(&out),
        ["STRUCT_ID_CHANGED", "TABLE_LAST_FIELD_REMOVED"]
    );
    // A wrong configuration is located.
    repo.write("karmem.toml", "[breaking]\nlevel = \"everything\"\n");
    let out = repo.karmem(&["breaking", "a.km", "--against", "main"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("karmem.toml:2:9: unknown level"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn schemas_with_errors_are_not_compared() {
    require_git!();
    let repo = Repo::new();
    repo.write("a.km", V1);
    repo.commit("v1");
    repo.write(
        "a.km",
        "karmem game;\nstruct Monster table {\n    Id Unknown;\n}\n",
    );
    let out = repo.karmem(&["breaking", "a.km", "--against", "main"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert!(text.contains("error[KM0200]"), "{text}");
    assert!(text.contains("a.km has errors"), "{text}");
    // A missing file is trouble.
    let out = repo.karmem(&["breaking", "missing.km", "--against", "main"]);
    assert_eq!(out.status.code(), Some(2));
}
