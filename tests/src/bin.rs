//! Locating the `karmem` binary for end-to-end tests.
//!
//! The binary belongs to the `karmem-server` package, so Cargo does not hand this package
//! its path (`CARGO_BIN_EXE_*` only exists inside the package that owns the binary). It is
//! therefore built once with `cargo build -p karmem-server --bin karmem` into the same
//! target directory and profile as the running test executable (a no-op when it is up to
//! date, and never a stale binary); `KARMEM_BIN` overrides the path.
//! (`tests/cli.rs` has its own copy of this logic.)

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The path of the `karmem` binary, built on first use.
pub fn karmem() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(locate)
}

fn locate() -> PathBuf {
    if let Some(path) = std::env::var_os("KARMEM_BIN") {
        return PathBuf::from(path);
    }
    // The test executable is <target-dir>/<profile-dir>/deps/<name>-<hash>.
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test executable lives in <target>/<profile>/deps")
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
            "karmem",
            "--profile",
            &profile,
        ])
        .arg("--target-dir")
        .arg(&target_dir)
        .status();
    let bin = profile_dir.join(format!("karmem{}", std::env::consts::EXE_SUFFIX));
    match built {
        Ok(status) if status.success() => {}
        other => assert!(
            bin.exists(),
            "could not build the karmem binary ({other:?}) and none is at {}",
            bin.display()
        ),
    }
    bin
}
