//! `karmem fmt [--check] [--upstream] FILE…`: format schemas in place, or standard input
//! to standard output.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use karmem_syntax::Analysis;

use super::input::{self, io_reason};
use super::report;
use super::{FmtArgs, Status};

pub fn run(args: &FmtArgs) -> Status {
    let inputs = if args.files.is_empty() {
        vec![OsString::from("-")]
    } else {
        args.files.clone()
    };
    let options = args.analysis.options();
    let mut status = Status::Success;
    for arg in &inputs {
        let source = match input::load(arg, &options) {
            Ok(source) => source,
            Err(error) => {
                report::print_error(&error);
                status = status.max(Status::Trouble);
                continue;
            }
        };
        if source.analysis.has_errors() {
            report::emit_human(&source, &report::shown(&source, false));
            status = status.max(Status::Failure);
            continue;
        }
        let formatted = match format(&source.analysis, args.upstream) {
            Ok(text) => text,
            Err(reason) => {
                report::print_error(format_args!("cannot format {}: {reason}", source.name));
                status = status.max(Status::Failure);
                continue;
            }
        };
        let changed = formatted != source.analysis.text;
        if args.check {
            if changed {
                let _ = writeln!(std::io::stdout().lock(), "{}", source.name);
                status = status.max(Status::Failure);
            }
            continue;
        }
        match &source.path {
            None => {
                let mut stdout = std::io::stdout().lock();
                let _ = stdout.write_all(formatted.as_bytes());
                let _ = stdout.flush();
            }
            Some(path) if changed => {
                if let Err(error) = write_atomically(path, formatted.as_bytes()) {
                    report::print_error(format_args!(
                        "cannot write {}: {}",
                        source.name,
                        io_reason(&error)
                    ));
                    status = status.max(Status::Trouble);
                }
            }
            Some(_) => {}
        }
    }
    status
}

/// Formats an error-free analysis in our style or upstream's.
fn format(analysis: &Analysis, upstream: bool) -> Result<String, String> {
    use karmem_syntax::fmt::{format, Style};
    let style = if upstream {
        Style::Upstream
    } else {
        Style::Ours
    };
    format(analysis, style).map_err(|e| e.to_string())
}

/// Replaces the file's contents: writes a temporary file next to it, then renames it over
/// the original, so a reader never sees a half-written schema. Follows a symbolic link to
/// its target and keeps the original's permissions.
fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let target: PathBuf = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let permissions = std::fs::metadata(&target).ok().map(|m| m.permissions());
    let mut temp = tempfile::Builder::new()
        .prefix(".karmem-fmt-")
        .suffix(".tmp")
        .tempfile_in(&dir)?;
    temp.write_all(contents)?;
    temp.as_file().sync_all()?;
    if let Some(permissions) = permissions {
        temp.as_file().set_permissions(permissions)?;
    }
    temp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}
