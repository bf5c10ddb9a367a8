//! Loading a schema: read a file (or standard input), decode it, analyse it.
//!
//! The one place every command goes through, so that every command reports unreadable,
//! directory and non-UTF-8 inputs the same way (exit status 2, a located message, never a
//! panic).

use std::ffi::OsStr;
use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use karmem_codegen::config::{self, Config};
use karmem_syntax::{analyze, Analysis, AnalysisOptions};

use super::{report, Status};

/// The name standard input is reported under.
pub const STDIN_NAME: &str = "<stdin>";

/// An analysed schema and where it came from.
#[derive(Debug)]
pub struct Source {
    /// The path as given on the command line, or [`STDIN_NAME`].
    pub name: String,
    /// The file's path; `None` for standard input.
    pub path: Option<PathBuf>,
    pub analysis: Analysis,
}

/// Why an input could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    /// The file could not be opened or read.
    Read { name: String, reason: String },
    /// The path names a directory.
    Directory { name: String },
    /// The bytes are not UTF-8; 1-based line and column (in characters) of the first bad byte.
    NotUtf8 {
        name: String,
        line: usize,
        column: usize,
    },
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Read { name, reason } => write!(f, "cannot read {name}: {reason}"),
            InputError::Directory { name } => write!(f, "{name} is a directory, not a schema file"),
            InputError::NotUtf8 { name, line, column } => write!(
                f,
                "{name} is not valid UTF-8 (invalid byte at line {line}, column {column})"
            ),
        }
    }
}

impl std::error::Error for InputError {}

/// Whether a command-line argument means standard input.
pub fn is_stdin(arg: &OsStr) -> bool {
    arg == "-"
}

/// Reads and analyses one input (`-` is standard input).
pub fn load(arg: &OsStr, options: &AnalysisOptions) -> Result<Source, InputError> {
    let (name, path, bytes) = read(arg)?;
    let text = decode(&name, bytes)?;
    let analysis = analyze(&text, options);
    Ok(Source {
        name,
        path,
        analysis,
    })
}

/// Reads one input's bytes (`-` is standard input): its name for messages, its path
/// (`None` for standard input) and its contents.
pub fn read(arg: &OsStr) -> Result<(String, Option<PathBuf>, Vec<u8>), InputError> {
    if is_stdin(arg) {
        let mut bytes = Vec::new();
        io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|e| InputError::Read {
                name: STDIN_NAME.to_string(),
                reason: io_reason(&e),
            })?;
        return Ok((STDIN_NAME.to_string(), None, bytes));
    }
    let path = Path::new(arg);
    let name = path.display().to_string();
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(InputError::Directory { name });
    }
    match std::fs::read(path) {
        Ok(bytes) => Ok((name, Some(path.to_path_buf()), bytes)),
        Err(e) => Err(InputError::Read {
            name,
            reason: io_reason(&e),
        }),
    }
}

/// Decodes UTF-8, locating the first invalid byte.
pub fn decode(name: &str, bytes: Vec<u8>) -> Result<String, InputError> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let prefix = std::str::from_utf8(&e.as_bytes()[..valid]).unwrap_or_default();
        let line = prefix.matches('\n').count() + 1;
        let line_start = prefix.rfind('\n').map_or(0, |i| i + 1);
        let column = prefix[line_start..].chars().count() + 1;
        InputError::NotUtf8 {
            name: name.to_string(),
            line,
            column,
        }
    })
}

/// The current directory; when it is unknown, the reason is reported (status 2).
pub fn current_dir() -> Result<PathBuf, Status> {
    std::env::current_dir().map_err(|e| {
        report::print_error(format_args!(
            "cannot find the current directory: {}",
            io_reason(&e)
        ));
        Status::Trouble
    })
}

/// Loads the `karmem.toml` at `path`, naming it `shown` in messages; when it cannot be
/// used, the error is reported: status 2 when unreadable (no position), 1 when wrong.
pub fn load_config(path: &Path, shown: PathBuf) -> Result<Config, Status> {
    config::load(path).map_err(|mut error| {
        error.file = shown;
        report::print_error(&error);
        if error.line == 0 {
            Status::Trouble
        } else {
            Status::Failure
        }
    })
}

/// A path for messages: relative to `cwd` when it is below it.
pub fn shown_path(path: &Path, cwd: Option<&Path>) -> String {
    cwd.and_then(|cwd| path.strip_prefix(cwd).ok())
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// An I/O error's description without Rust's ` (os error N)` suffix.
pub fn io_reason(error: &io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error ") {
        Some(i) if text.ends_with(')') => text[..i].to_string(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_located() {
        let bytes = b"karmem demo;\nstruct A inline {\n  X\xff uint8; }\n".to_vec();
        let err = decode("foo.km", bytes).unwrap_err();
        assert_eq!(
            err.to_string(),
            "foo.km is not valid UTF-8 (invalid byte at line 3, column 4)"
        );
        // Columns count characters.
        let err = decode("x", "é天".bytes().chain([0x80]).collect()).unwrap_err();
        assert_eq!(
            err,
            InputError::NotUtf8 {
                name: "x".into(),
                line: 1,
                column: 3
            }
        );
    }

    #[test]
    fn os_error_suffix_is_dropped() {
        let e = io::Error::from_raw_os_error(2);
        assert!(!io_reason(&e).contains("os error"));
        assert!(!io_reason(&e).is_empty());
    }
}
