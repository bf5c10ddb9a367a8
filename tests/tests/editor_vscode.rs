//! The VS Code extension (`editors/vscode`): type-checks and unit-tests its TypeScript,
//! runs the TextMate grammar tests, packages the `.vsix`, and runs the end-to-end test in
//! real VS Code (code-server 4.100.3 driven by Chromium through playwright-core) against
//! the real `karmem-lsp`: language and colours, diagnostics and Problems, hover numbers
//! equal to `karmem layout --json`, go to definition, Format Document equal to
//! `karmem fmt`, and the diagnostic clearing once the error is fixed.
//!
//! The tools come from `scripts/install-toolchains.sh` (`scripts/toolchains/vscode.sh`).
//! Without them the test prints `skipped: …` and passes, except in CI, where it fails.
//! Every tool runs with `HOME` and `XDG_*` in a temporary directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use karmem_tests::bin::{karmem, karmem_lsp};
use karmem_tests::crosslang::{require_tool, skip, workspace_root};

/// Longest the end-to-end run may take (it stops itself well before).
const E2E_LIMIT: Duration = Duration::from_secs(150);

fn extension_dir() -> PathBuf {
    workspace_root().join("editors/vscode")
}

/// The tools the test needs, or `None` after [`skip`].
struct Tools {
    node: PathBuf,
    code_server: PathBuf,
    chromium: PathBuf,
}

fn tools() -> Option<Tools> {
    let who = "the VS Code extension tests";
    let node = require_tool("node", who)?;
    let code_server = require_tool("code-server", who)?;
    let chromium = require_tool("chromium", who)?;
    if !extension_dir().join("node_modules/.bin/vsce").is_file() {
        skip("the extension's npm packages (editors/vscode/node_modules) not installed (run scripts/install-toolchains.sh)");
        return None;
    }
    Some(Tools {
        node,
        code_server,
        chromium,
    })
}

/// A command with `HOME`/`XDG_*` in `home` and `node`'s directory first on `PATH`.
fn command(program: impl AsRef<std::ffi::OsStr>, home: &Path, tools: &Tools) -> Command {
    let mut cmd = Command::new(program);
    let node_dir = tools.node.parent().expect("node's directory");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![node_dir.to_path_buf()];
    dirs.extend(std::env::split_paths(&path));
    cmd.current_dir(extension_dir())
        .env("PATH", std::env::join_paths(dirs).expect("PATH"))
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("XDG_STATE_HOME", home.join(".local/state"))
        .env("npm_config_update_notifier", "false")
        .env("npm_config_fund", "false")
        .env("npm_config_audit", "false")
        .env("npm_config_nodedir", "/usr")
        .env_remove("NODE_OPTIONS");
    cmd
}

/// Runs `cmd` (bounded by `limit`), returning (success, stdout + stderr).
fn run(cmd: &mut Command, limit: Duration) -> (bool, String) {
    let describe = format!("{cmd:?}");
    let dir = tempfile::tempdir().expect("temp dir");
    let out_path = dir.path().join("out.txt");
    let out = std::fs::File::create(&out_path).expect("output file");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(out.try_clone().expect("output file"))
        .stderr(out)
        .spawn()
        .unwrap_or_else(|e| panic!("{describe}: {e}"));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let text = std::fs::read_to_string(&out_path).unwrap_or_default();
    match status {
        Some(status) => (status.success(), format!("{describe}: {status}\n{text}")),
        None => (false, format!("{describe}: killed after {limit:?}\n{text}")),
    }
}

fn run_ok(cmd: &mut Command, limit: Duration) -> String {
    let (ok, text) = run(cmd, limit);
    assert!(ok, "{text}");
    text
}

fn bin(name: &str) -> PathBuf {
    extension_dir().join("node_modules/.bin").join(name)
}

fn grammar_cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(extension_dir().join("test/grammar"))
        .expect("editors/vscode/test/grammar")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "km"))
        .collect();
    cases.sort();
    cases
}

#[test]
fn vscode_extension_builds_tests_and_runs_in_code_server() {
    let Some(tools) = tools() else { return };
    let started = Instant::now();
    let tmp = tempfile::tempdir().expect("temp dir");
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let minute = Duration::from_secs(60);

    // 1. Type-check and unit-test the TypeScript (layout view, settings, restart policy,
    //    binary lookup, compatibility output), compiled outside the source tree.
    let out = tmp.path().join("out");
    run_ok(
        command(bin("tsc"), &home, &tools)
            .args(["-p", ".", "--outDir"])
            .arg(&out),
        minute,
    );
    let unit = run_ok(
        command(&tools.node, &home, &tools)
            .arg("--test")
            .arg(out.join("test")),
        minute,
    );
    assert!(
        unit.contains("# fail 0") && !unit.contains("# pass 0"),
        "{unit}"
    );

    // 2. Grammar tests: every case passes, and a wrong assertion is caught.
    let cases = grammar_cases();
    assert!(cases.len() >= 4, "grammar cases: {cases:?}");
    let grammar_test = |files: &[PathBuf]| {
        run(
            command(bin("vscode-tmgrammar-test"), &home, &tools)
                .args(["-g", "syntaxes/karmem.tmLanguage.json"])
                .args(files),
            minute,
        )
    };
    let (ok, text) = grammar_test(&cases);
    assert!(ok, "{text}");
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        assert!(text.contains(&name), "{name} was not run:\n{text}");
    }
    let wrong = tmp.path().join("wrong.km");
    std::fs::write(
        &wrong,
        "// SYNTAX TEST \"source.karmem\" \"a wrong expectation\"\nstruct A inline {\n// <------ comment.line.double-slash.karmem\n    X uint8;\n}\n",
    )
    .expect("write");
    let (ok, text) = grammar_test(&[wrong]);
    assert!(!ok && text.contains("missing required scopes"), "{text}");

    // 3. Package the .vsix (bundled with esbuild by `vscode:prepublish`).
    let vsix = tmp.path().join("karmem.vsix");
    let packaged = run_ok(
        command(bin("vsce"), &home, &tools)
            .args(["package", "--no-dependencies", "--skip-license", "-o"])
            .arg(&vsix),
        minute,
    );
    assert!(
        std::fs::metadata(&vsix).is_ok_and(|m| m.len() > 10_000),
        "{packaged}"
    );
    for part in [
        "extension/dist/extension.js",
        "syntaxes/karmem.tmLanguage.json",
        "snippets/karmem.json",
        "language-configuration.json",
    ] {
        assert!(
            packaged.contains(part.rsplit('/').next().unwrap()),
            "{part} not packaged:\n{packaged}"
        );
    }

    // 4. End to end in code-server.
    let work = tmp.path().join("e2e");
    std::fs::create_dir_all(&work).expect("e2e dir");
    let mut e2e = command(&tools.node, &home, &tools);
    e2e.arg("test/e2e/e2e.js")
        .env("CODE_SERVER", &tools.code_server)
        .env("CHROMIUM", &tools.chromium)
        .env("VSIX", &vsix)
        .env("KARMEM_LSP", karmem_lsp())
        .env("KARMEM", karmem())
        .env("WORK", &work);
    if let Some(shot) = std::env::var_os("KARMEM_VSCODE_SCREENSHOT") {
        e2e.env("SCREENSHOT", shot);
    }
    let (ok, text) = run(&mut e2e, E2E_LIMIT);
    println!("{text}");
    assert!(
        ok && text.trim_end().ends_with("PASS"),
        "end-to-end test failed:\n{text}"
    );
    println!("vscode extension: all steps in {:?}", started.elapsed());
}
