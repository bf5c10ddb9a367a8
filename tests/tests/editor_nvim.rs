//! The Neovim plugin (`editors/nvim/`) end to end: a headless Neovim loads the plugin,
//! its own LSP client drives the real `karmem-lsp`, and `tests/editors/nvim/e2e.lua`
//! checks filetype, syntax, root directory, diagnostics, hover, `:KarmemLayout`, settings,
//! go to definition, rename and formatting against what the `karmem` CLI says.
//!
//! Neovim 0.7.2 (Debian, `nvim`) is the baseline; 0.11.4 (`nvim-0.11`) runs the
//! `vim.lsp.start` path and the `vim.lsp.config`/`vim.lsp.enable` path (`lsp/karmem.lua`).
//! Both come from `scripts/toolchains/neovim.sh`.

#[path = "../editors/harness.rs"]
mod harness;

use std::path::Path;
use std::time::Duration;

use harness::{Project, Run};
use serde_json::{json, Value};

/// How `e2e.lua` starts the server.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `require('karmem').setup({...})` with `inlayHints.fieldLayout = false`.
    Setup,
    /// `vim.lsp.config('karmem', {cmd}) + vim.lsp.enable('karmem')`, default settings.
    Enable,
}

/// The expectations file `e2e.lua` reads, every number and text computed with the CLI.
fn expectations(project: &Project, mode: Mode, server: &Path, timeout_ms: u64) -> Value {
    let game = project.schema("game.km");
    let broken = project.schema("broken.km");
    let unformatted = project.schema("unformatted.km");
    let formatted = project.root().join("formatted.km");
    std::fs::write(
        &formatted,
        harness::karmem_fmt(&std::fs::read_to_string(&unformatted).unwrap()),
    )
    .unwrap();

    let diagnostic = harness::first_diagnostic(&broken);
    let layout = harness::layout_json(&game);
    let shown = harness::layout_struct(&layout, harness::HOVER_STRUCT);
    let fields: Vec<Value> = shown["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| json!({ "name": f["name"], "offset": f["offset"], "size": f["size"]["field"] }))
        .collect();
    let (mode_name, settings, field_hints) = match mode {
        Mode::Setup => (
            "setup",
            json!({ "inlayHints": { "fieldLayout": false } }),
            false,
        ),
        Mode::Enable => ("enable", json!({}), true),
    };
    json!({
        "mode": mode_name,
        "server": server,
        "timeout_ms": timeout_ms,
        "root": project.root(),
        "settings": settings,
        "field_hints": field_hints,
        "files": {
            "game": game,
            "broken": broken,
            "unformatted": unformatted,
            "formatted": formatted,
        },
        "broken": {
            "line": diagnostic["line"],
            "column": diagnostic["column"],
            "message": diagnostic["message"],
        },
        "hover": harness::expected_hover(&layout),
        "layout": {
            "name": harness::HOVER_STRUCT,
            "total": shown["size"]["total"],
            "fields": fields,
        },
        "definition": { "name": "Vec3", "from_field": "Pos", "new_name": "Point3" },
    })
}

/// Runs `e2e.lua` in `nvim` against `server`.
fn run_nvim(nvim: &Path, mode: Mode, server: &Path, timeout_ms: u64) -> Run {
    let project = Project::new();
    let expect = project.root().join("expect.json");
    std::fs::write(
        &expect,
        expectations(&project, mode, server, timeout_ms).to_string(),
    )
    .unwrap();
    let plugin = harness::editors_dir("nvim").canonicalize().unwrap();
    let mut cmd = project.command(nvim);
    cmd.env("KM_EXPECT", &expect)
        .args(["--headless", "-u", "NONE", "-i", "NONE", "-n", "--cmd"])
        .arg(format!(
            "set rtp^={}",
            plugin.display().to_string().replace(' ', "\\ ")
        ))
        .args(["-c", "filetype plugin on", "-c", "syntax on"])
        .args(["-c", "runtime! plugin/karmem.lua", "-c"])
        .arg(format!(
            "luafile {}",
            harness::fixture("nvim/e2e.lua").display()
        ));
    let run = harness::run(cmd, Duration::from_secs(60));
    print!("{}", run.stdout);
    println!("({} ms)", run.elapsed.as_millis());
    run
}

fn check(tool: &str, want_version: &str, mode: Mode) {
    let Some(nvim) = harness::tool(tool) else {
        return;
    };
    let run = run_nvim(
        nvim.as_path(),
        mode,
        karmem_tests::bin::karmem_lsp(),
        10_000,
    );
    run.assert_passed(&format!("{tool} e2e.lua"));
    let first = run.stdout.lines().next().unwrap_or_default();
    // CI runs the pinned versions; a developer's own `nvim` on PATH may be another one.
    if !first.starts_with(&format!("nvim {want_version}")) {
        assert!(
            !karmem_tests::crosslang::in_ci(),
            "{tool} is not Neovim {want_version}: {first}"
        );
        println!("note: {tool} is {first}, not {want_version}x");
    }
}

#[test]
fn nvim_07_setup() {
    check("nvim", "0.7.", Mode::Setup);
}

#[test]
fn nvim_011_setup() {
    check("nvim-0.11", "0.11.", Mode::Setup);
}

#[test]
fn nvim_011_lsp_enable() {
    check("nvim-0.11", "0.11.", Mode::Enable);
}

/// The script notices a server that is not there: the test above can fail.
#[test]
fn nvim_e2e_fails_without_a_server() {
    let Some(nvim) = harness::tool("nvim") else {
        return;
    };
    let run = run_nvim(nvim.as_path(), Mode::Setup, Path::new("/bin/true"), 1_500);
    assert!(!run.passed(), "e2e.lua passed with /bin/true as the server");
    assert!(
        run.status.is_some(),
        "nvim hung instead of failing:\n{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("FAIL: ") && run.stdout.contains("karmem client not started"),
        "unexpected output:\n{}",
        run.stdout
    );
}

/// `tests/editors/nvim/options.lua`: how `setup()` merges options, registers the autocommand
/// and (0.11+) feeds `vim.lsp.config('karmem')`.
fn check_options(tool: &str) {
    let Some(nvim) = harness::tool(tool) else {
        return;
    };
    let project = Project::new();
    let plugin = harness::editors_dir("nvim").canonicalize().unwrap();
    let mut cmd = project.command(&nvim);
    cmd.args(["--headless", "-u", "NONE", "-i", "NONE", "-n", "--cmd"])
        .arg(format!(
            "set rtp^={}",
            plugin.display().to_string().replace(' ', "\\ ")
        ))
        .args(["-c", "runtime! plugin/karmem.lua", "-c"])
        .arg(format!(
            "luafile {}",
            harness::fixture("nvim/options.lua").display()
        ));
    let run = harness::run(cmd, Duration::from_secs(60));
    run.assert_passed(&format!("{tool} options.lua"));
}

#[test]
fn nvim_07_setup_options() {
    check_options("nvim");
}

#[test]
fn nvim_011_setup_options() {
    check_options("nvim-0.11");
}
