//! The git command line, shared by `karmem breaking` and the language server's
//! compatibility diagnostics (both read baselines with `git show REV:path`).

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

/// Runs git in `dir` (never prompting for credentials); its standard output, or its error
/// message.
pub fn run<S: AsRef<OsStr>>(dir: &Path, args: &[S]) -> Result<Vec<u8>, String> {
    let output = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|e| format!("cannot run git: {}", crate::cli::input::io_reason(&e)))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        let message = String::from_utf8_lossy(&output.stderr).trim().to_string();
        Err(if message.is_empty() {
            format!("git exited with {}", output.status)
        } else {
            message
        })
    }
}

/// Like [`run`], as text without the trailing newline.
pub fn text<S: AsRef<OsStr>>(dir: &Path, args: &[S]) -> Result<String, String> {
    run(dir, args).map(|out| String::from_utf8_lossy(&out).trim_end().to_string())
}

/// The contents of `object` (`COMMIT:path`), by `git cat-file blob`.
pub fn blob(dir: &Path, object: &str) -> Result<Vec<u8>, String> {
    run(dir, &["cat-file", "blob", object])
}

/// `file` relative to the repository's top directory `top`, with `/` separators; `None`
/// when it is outside (or is the top itself).
pub fn repo_relative(top: &Path, file: &Path) -> Option<String> {
    let file = std::fs::canonicalize(file).ok()?;
    let top = std::fs::canonicalize(top).ok()?;
    let parts: Vec<String> = file
        .strip_prefix(&top)
        .ok()?
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}
