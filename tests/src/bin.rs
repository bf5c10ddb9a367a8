//! Locating the `karmem` and `karmem-lsp` binaries for end-to-end tests.
//!
//! The binaries belong to the `karmem-server` package, so Cargo does not hand this package
//! their paths (`CARGO_BIN_EXE_*` only exists inside the package that owns the binary).
//! Each is therefore built once with `cargo build -p karmem-server --bin NAME` into the same
//! target directory and profile as the running executable (a test, an example or a
//! benchmark: a no-op when it is up to date, and never a stale binary); `KARMEM_BIN` /
//! `KARMEM_LSP_BIN` override the paths.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The path of the `karmem` binary, built on first use.
pub fn karmem() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| locate("karmem", "KARMEM_BIN"))
}

/// The path of the `karmem-lsp` binary, built on first use.
pub fn karmem_lsp() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| locate("karmem-lsp", "KARMEM_LSP_BIN"))
}

fn locate(name: &str, override_var: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(override_var) {
        return PathBuf::from(path);
    }
    // The executable is <target-dir>/<profile-dir>/{deps,examples}/<name>-<hash>.
    let exe = std::env::current_exe().expect("executable path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("executable lives in <target>/<profile>/<kind>")
        .to_path_buf();
    let target_dir = profile_dir
        .parent()
        .expect("target directory")
        .to_path_buf();
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => "dev".to_string(),
        Some(name) => name.to_string(),
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root");
    let built = Command::new(cargo)
        .current_dir(workspace)
        .args([
            "build",
            "--quiet",
            "-p",
            "karmem-server",
            "--bin",
            name,
            "--profile",
            &profile,
        ])
        .arg("--target-dir")
        .arg(&target_dir)
        .status();
    let bin = profile_dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    match built {
        Ok(status) if status.success() => {}
        other => assert!(
            bin.exists(),
            "could not build the {name} binary ({other:?}) and none is at {}",
            bin.display()
        ),
    }
    bin
}
