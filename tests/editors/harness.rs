//! Shared by the editor end-to-end tests (`tests/editor_nvim.rs`, `tests/editor_others.rs`):
//! finding the editors, a scratch project with the schemas of `tests/editors/schemas/`, the
//! numbers and texts the `karmem` CLI gives for them, and running an editor headless with
//! a private HOME and a time limit.
#![allow(dead_code)] // each test file uses its own part

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use karmem_tests::crosslang::require_tool;
use serde_json::{json, Value};

/// The struct and field the hover and `:KarmemLayout` checks look at (in `game.km`).
pub const HOVER_STRUCT: &str = "MonsterData";
pub const HOVER_FIELD: &str = "Health";

/// `tests/editors/<rel>`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("editors")
        .join(rel)
}

/// The editor plugin directory `editors/<rel>` of the repository.
pub fn editors_dir(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../editors")
        .join(rel)
}

/// The tool from the toolchain cache or PATH; `None` after printing the skip line when it
/// is missing (a panic in CI, where nothing may be skipped).
pub fn tool(name: &str) -> Option<PathBuf> {
    require_tool(name, "the editor tests")
}

/// A scratch project: `karmem.toml` at its root (the root the clients must find) and the
/// fixture schemas in `schemas/`, plus a private HOME in `home/`.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    pub fn new() -> Project {
        let dir = tempfile::Builder::new()
            .prefix("karmem-editor-")
            .tempdir()
            .expect("temp dir");
        let schemas = dir.path().join("schemas");
        std::fs::create_dir_all(&schemas).unwrap();
        for name in ["game.km", "broken.km", "unformatted.km"] {
            std::fs::copy(fixture("schemas").join(name), schemas.join(name)).unwrap();
        }
        std::fs::write(
            dir.path().join("karmem.toml"),
            "upstream-compatible = false\n",
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        Project { dir }
    }

    /// The project root, canonical (as editors report it).
    pub fn root(&self) -> PathBuf {
        self.dir.path().canonicalize().unwrap()
    }

    pub fn schema(&self, name: &str) -> PathBuf {
        self.root().join("schemas").join(name)
    }

    /// A command with HOME and every XDG directory inside the project's `home/`, so the
    /// editor neither reads the user's configuration nor writes logs or state there.
    pub fn command(&self, program: &Path) -> Command {
        let home = self.root().join("home");
        let mut cmd = Command::new(program);
        cmd.current_dir(self.root())
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_STATE_HOME", home.join("state"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("XDG_RUNTIME_DIR", home.join("runtime"))
            .env_remove("VIMINIT")
            .env_remove("EXINIT")
            .env_remove("NVIM_APPNAME")
            .env_remove("NVIM")
            .env_remove("EMACSLOADPATH")
            .env_remove("EMACSDATA");
        cmd
    }
}

/// The first diagnostic `karmem check --format json` reports for `file`.
pub fn first_diagnostic(file: &Path) -> Value {
    let out = Command::new(karmem_tests::bin::karmem())
        .args(["check", "--format", "json"])
        .arg(file)
        .output()
        .expect("run karmem check");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().next().unwrap_or_else(|| {
        panic!(
            "karmem check printed no diagnostic for {}: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    serde_json::from_str(line).expect("a JSON diagnostic")
}

/// `karmem layout --json file`.
pub fn layout_json(file: &Path) -> Value {
    let out = Command::new(karmem_tests::bin::karmem())
        .args(["layout", "--json"])
        .arg(file)
        .output()
        .expect("run karmem layout");
    assert!(
        out.status.success(),
        "karmem layout {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("layout JSON")
}

/// `karmem fmt -` with `text` on standard input.
pub fn karmem_fmt(text: &str) -> String {
    let mut cmd = Command::new(karmem_tests::bin::karmem());
    cmd.args(["fmt", "-"]);
    karmem_tests::crosslang::run_command(&mut cmd, Some(text)).expect("karmem fmt")
}

/// The struct `name` of a layout JSON document.
pub fn layout_struct<'a>(layout: &'a Value, name: &str) -> &'a Value {
    layout["structs"]
        .as_array()
        .and_then(|structs| structs.iter().find(|s| s["name"] == name))
        .unwrap_or_else(|| panic!("no struct {name} in the layout"))
}

/// What the hover over [`HOVER_FIELD`] must say: `{struct, field, offset, size}` from
/// `karmem layout --json`.
pub fn expected_hover(layout: &Value) -> Value {
    let field = layout_struct(layout, HOVER_STRUCT)["fields"]
        .as_array()
        .and_then(|fields| fields.iter().find(|f| f["name"] == HOVER_FIELD))
        .expect("the hover field");
    json!({
        "struct": HOVER_STRUCT,
        "field": HOVER_FIELD,
        "offset": field["offset"].as_u64().expect("an offset"),
        "size": field["size"]["field"].as_u64().expect("a field size"),
    })
}

/// The outcome of an editor run.
pub struct Run {
    pub status: Option<ExitStatus>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Run {
    /// True when the editor exited 0 in time and printed `PASS`.
    pub fn passed(&self) -> bool {
        self.status.is_some_and(|s| s.success()) && self.stdout.lines().any(|l| l == "PASS")
    }

    /// Panics with everything the editor printed unless it passed.
    pub fn assert_passed(&self, what: &str) {
        assert!(
            self.passed(),
            "{what}: {}\nstdout:\n{}\nstderr:\n{}",
            match self.status {
                Some(s) => format!("exited with {s}"),
                None => "killed after the time limit".to_string(),
            },
            self.stdout,
            self.stderr
        );
    }
}

/// Runs `cmd` (stdin closed) and kills it after `limit`.
pub fn run(mut cmd: Command, limit: Duration) -> Run {
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let reader = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let stdout = reader(Box::new(child.stdout.take().unwrap()));
    let stderr = reader(Box::new(child.stderr.take().unwrap()));
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the editor") {
            break Some(status);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        elapsed: start.elapsed(),
    }
}
