//! Smoke tests of the other editor set-ups of `editors/README.md` against the real
//! `karmem-lsp`: Emacs + eglot with `editors/emacs/karmem-mode.el` (diagnostics, project
//! root, hover numbers) and Vim + ALE with `editors/vim/` and the filetype and syntax files
//! of `editors/nvim/` (diagnostics, project root). The editors come from
//! `scripts/toolchains/emacs-vim.sh`.

#[path = "../editors/harness.rs"]
mod harness;

use std::path::{Path, PathBuf};
use std::time::Duration;

use harness::{Project, Run};
use karmem_tests::crosslang::skip;
use serde_json::{json, Value};

fn expectations(project: &Project, server: &Path, timeout_ms: u64) -> Value {
    let broken = project.schema("broken.km");
    let game = project.schema("game.km");
    let diagnostic = harness::first_diagnostic(&broken);
    json!({
        "server": server,
        "timeout_ms": timeout_ms,
        "root": project.root(),
        "files": { "broken": broken, "game": game },
        "broken": {
            "line": diagnostic["line"],
            "column": diagnostic["column"],
            "message": diagnostic["message"],
        },
        "hover": harness::expected_hover(&harness::layout_json(&game)),
    })
}

fn write_expectations(project: &Project, server: &Path, timeout_ms: u64) -> PathBuf {
    let path = project.root().join("expect.json");
    std::fs::write(&path, expectations(project, server, timeout_ms).to_string()).unwrap();
    path
}

fn report(run: &Run) {
    print!("{}", run.stdout);
    println!("({} ms)", run.elapsed.as_millis());
}

/// Debian's elpa-eglot directory (`-Q` skips the site start-up that adds it).
fn eglot_dir() -> Option<PathBuf> {
    let elpa = Path::new("/usr/share/emacs/site-lisp/elpa");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(elpa)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("eglot-"))
        })
        .collect();
    dirs.sort();
    dirs.pop()
}

fn run_emacs(emacs: &Path, eglot: &Path, server: &Path, timeout_ms: u64) -> Run {
    let project = Project::new();
    let expect = write_expectations(&project, server, timeout_ms);
    let mut cmd = project.command(emacs);
    cmd.env("KM_EXPECT", &expect)
        .args(["--batch", "-Q", "-L"])
        .arg(eglot)
        .arg("-L")
        .arg(harness::editors_dir("emacs"))
        .arg("-l")
        .arg(harness::fixture("emacs/eglot.el"));
    let run = harness::run(cmd, Duration::from_secs(60));
    report(&run);
    run
}

fn emacs_tools() -> Option<(PathBuf, PathBuf)> {
    let emacs = harness::tool("emacs")?;
    match eglot_dir() {
        Some(dir) => Some((emacs, dir)),
        None => {
            skip("elpa-eglot not installed (run scripts/install-toolchains.sh)");
            None
        }
    }
}

#[test]
fn emacs_eglot_diagnostics_and_hover() {
    let Some((emacs, eglot)) = emacs_tools() else {
        return;
    };
    run_emacs(&emacs, &eglot, karmem_tests::bin::karmem_lsp(), 10_000)
        .assert_passed("emacs eglot.el");
}

/// `karmem-mode.el` byte-compiles without a warning (so it loads on Emacs 28 as shipped).
#[test]
fn emacs_mode_byte_compiles_cleanly() {
    let Some((emacs, eglot)) = emacs_tools() else {
        return;
    };
    let project = Project::new();
    let copy = project.root().join("karmem-mode.el");
    std::fs::copy(harness::editors_dir("emacs/karmem-mode.el"), &copy).unwrap();
    let mut cmd = project.command(&emacs);
    cmd.args(["--batch", "-Q", "-L"])
        .arg(&eglot)
        .args([
            "--eval",
            "(setq byte-compile-error-on-warn t)",
            "-f",
            "batch-byte-compile",
        ])
        .arg(&copy);
    let run = harness::run(cmd, Duration::from_secs(60));
    assert!(
        run.status.is_some_and(|s| s.success()) && copy.with_extension("elc").is_file(),
        "byte-compiling karmem-mode.el: {:?}\n{}{}",
        run.status,
        run.stdout,
        run.stderr
    );
}

/// The Emacs script fails when the server does not answer (so the test above can fail).
#[test]
fn emacs_eglot_fails_without_a_server() {
    let Some((emacs, eglot)) = emacs_tools() else {
        return;
    };
    let run = run_emacs(&emacs, &eglot, Path::new("/bin/true"), 1_500);
    assert!(
        !run.passed(),
        "eglot.el passed with /bin/true as the server"
    );
    assert!(run.status.is_some(), "emacs hung:\n{}", run.stdout);
    assert!(run.stdout.contains("FAIL: "), "{}", run.stdout);
}

fn run_vim(vim: &Path, server: &Path, timeout_ms: u64) -> Run {
    let project = Project::new();
    let expect = write_expectations(&project, server, timeout_ms);
    let rtp: Vec<String> = [
        PathBuf::from("/usr/share/vim-ale"),
        harness::editors_dir("nvim"),
        harness::editors_dir("vim"),
    ]
    .iter()
    .map(|p| p.display().to_string().replace(' ', "\\ "))
    .collect();
    let mut cmd = project.command(vim);
    cmd.env("KM_EXPECT", &expect)
        .args(["-Nu", "NONE", "-i", "NONE", "-n", "-es", "--cmd"])
        .arg(format!("set rtp^={}", rtp.join(",")))
        .arg("-S")
        .arg(harness::fixture("vim/ale.vim"));
    let run = harness::run(cmd, Duration::from_secs(60));
    report(&run);
    run
}

fn vim_tools() -> Option<PathBuf> {
    let vim = harness::tool("vim")?;
    if Path::new("/usr/share/vim-ale/plugin/ale.vim").is_file() {
        return Some(vim);
    }
    skip("vim-ale not installed (run scripts/install-toolchains.sh)");
    None
}

#[test]
fn vim_ale_diagnostics() {
    let Some(vim) = vim_tools() else {
        return;
    };
    run_vim(&vim, karmem_tests::bin::karmem_lsp(), 10_000).assert_passed("vim ale.vim");
}

/// The Vim script fails when the server does not answer (so the test above can fail).
#[test]
fn vim_ale_fails_without_a_server() {
    let Some(vim) = vim_tools() else {
        return;
    };
    let run = run_vim(&vim, Path::new("/bin/true"), 1_500);
    assert!(!run.passed(), "ale.vim passed with /bin/true as the server");
    assert!(run.status.is_some(), "vim hung:\n{}", run.stdout);
    // "no diagnostic", or ALE's write to the dead server failing first
    assert!(run.stdout.contains("FAIL: "), "{}", run.stdout);
}
