//! Writing generated files safely: every path validated before anything is written, every
//! file written atomically (a temporary file in the same directory, then a rename),
//! unchanged files left alone, and nothing ever written outside the output directory —
//! not through `..`, absolute paths, or symbolic links.

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use crate::path::{first_bad_path, PathError};
use crate::GeneratedFile;

/// What [`write_files`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Files created or replaced (full paths).
    pub written: Vec<PathBuf>,
    /// Files that already had exactly these contents and were not touched.
    pub unchanged: Vec<PathBuf>,
}

/// Why [`write_files`] stopped.
#[derive(Debug)]
pub enum WriteError {
    /// A path failed [`crate::validate_path`]; nothing was written.
    InvalidPath {
        path: String,
        error: PathError,
    },
    /// Two files have the same path (compared case-insensitively); nothing was written.
    Duplicate {
        path: String,
    },
    /// A directory on the way is a symbolic link that leads outside the output directory.
    Escapes {
        path: PathBuf,
    },
    /// A directory is in the way of a file, or a file in the way of a directory.
    NotAFile {
        path: PathBuf,
    },
    Io {
        path: PathBuf,
        error: io::Error,
    },
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::InvalidPath { path, error } => {
                write!(f, "refusing to write {path:?}: {error}")
            }
            WriteError::Duplicate { path } => write!(f, "refusing to write {path:?} twice"),
            WriteError::Escapes { path } => write!(
                f,
                "refusing to write through {}: a symbolic link that leads outside the output directory",
                path.display()
            ),
            WriteError::NotAFile { path } => {
                write!(f, "cannot write {}: something else is in the way", path.display())
            }
            WriteError::Io { path, error } => write!(f, "cannot write {}: {error}", path.display()),
        }
    }
}

impl std::error::Error for WriteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WriteError::InvalidPath { error, .. } => Some(error),
            WriteError::Io { error, .. } => Some(error),
            _ => None,
        }
    }
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |error| WriteError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// Checks every path of `files` (valid, no duplicates) without touching the disk.
pub fn validate_all(files: &[GeneratedFile]) -> Result<(), WriteError> {
    match first_bad_path(files.iter().map(|f| f.path.as_str())) {
        None => Ok(()),
        Some((path, Some(error))) => Err(WriteError::InvalidPath {
            path: path.to_string(),
            error,
        }),
        Some((path, None)) => Err(WriteError::Duplicate {
            path: path.to_string(),
        }),
    }
}

/// Writes `files` below `out_dir` (created with its parents if missing).
///
/// All paths are validated first; if any is invalid nothing is written. A file whose
/// current contents equal the new ones is not rewritten (its modification time is kept,
/// so build tools do not rebuild). Each file is written to a temporary file in its
/// directory and renamed into place, so readers never see half a file. Directories below
/// `out_dir` are created as needed; an existing directory that is a symbolic link is
/// followed only if it resolves inside `out_dir`. A symbolic link at a file's own path is
/// replaced by the file, never written through.
///
/// An I/O error part-way (disk full, permissions) stops the writing; the files already
/// written stay (each one complete). The checks are not proof against another process
/// swapping directories for links while this runs.
pub fn write_files(out_dir: &Path, files: &[GeneratedFile]) -> Result<WriteReport, WriteError> {
    validate_all(files)?;
    fs::create_dir_all(out_dir).map_err(io_error(out_dir))?;
    let root = fs::canonicalize(out_dir).map_err(io_error(out_dir))?;
    let mut report = WriteReport::default();
    for file in files {
        let (dirs, name) = match file.path.rsplit_once('/') {
            Some((dirs, name)) => (Some(dirs), name),
            None => (None, file.path.as_str()),
        };
        let mut dir = root.clone();
        for component in dirs.into_iter().flat_map(|d| d.split('/')) {
            dir = enter_dir(&root, &dir, component)?;
        }
        let target = dir.join(name);
        debug_assert!(matches!(
            Path::new(name).components().next(),
            Some(Component::Normal(_))
        ));
        if write_one(&dir, &target, file.contents.as_bytes())? {
            report.written.push(target);
        } else {
            report.unchanged.push(target);
        }
    }
    Ok(report)
}

/// `dir/component`, created if missing; a symbolic link is resolved and must stay inside
/// `root`.
fn enter_dir(root: &Path, dir: &Path, component: &str) -> Result<PathBuf, WriteError> {
    let next = dir.join(component);
    match fs::symlink_metadata(&next) {
        Ok(meta) if meta.file_type().is_symlink() => {
            let resolved = fs::canonicalize(&next).map_err(io_error(&next))?;
            if !resolved.starts_with(root) {
                return Err(WriteError::Escapes { path: next });
            }
            if !resolved.is_dir() {
                return Err(WriteError::NotAFile { path: next });
            }
            Ok(resolved)
        }
        Ok(meta) if meta.is_dir() => Ok(next),
        Ok(_) => Err(WriteError::NotAFile { path: next }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            match fs::create_dir(&next) {
                Ok(()) => {}
                // Raced with another writer: fine if it is a directory now.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    return enter_dir(root, dir, component)
                }
                Err(e) => return Err(io_error(&next)(e)),
            }
            Ok(next)
        }
        Err(e) => Err(io_error(&next)(e)),
    }
}

/// Writes one file atomically unless it already has `contents`; true when written.
fn write_one(dir: &Path, target: &Path, contents: &[u8]) -> Result<bool, WriteError> {
    match fs::symlink_metadata(target) {
        Ok(meta) if meta.is_file() => {
            if meta.len() == contents.len() as u64
                && fs::read(target).map_err(io_error(target))? == contents
            {
                return Ok(false);
            }
        }
        // A symbolic link is replaced (rename does not follow it), never written through.
        Ok(meta) if meta.file_type().is_symlink() => {}
        Ok(_) => {
            return Err(WriteError::NotAFile {
                path: target.to_path_buf(),
            })
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_error(target)(e)),
    }
    let mut temp = tempfile::Builder::new()
        .prefix(".karmem-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io_error(dir))?;
    temp.write_all(contents).map_err(io_error(temp.path()))?;
    temp.as_file().sync_all().map_err(io_error(target))?;
    #[cfg(unix)]
    {
        // Temporary files are created 0600; generated sources are ordinary files.
        use std::os::unix::fs::PermissionsExt;
        let _ = temp
            .as_file()
            .set_permissions(fs::Permissions::from_mode(0o644));
    }
    temp.persist(target)
        .map_err(|e| io_error(target)(e.error))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> GeneratedFile {
        GeneratedFile {
            path: path.to_string(),
            contents: contents.to_string(),
        }
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
            for entry in fs::read_dir(dir).unwrap() {
                let entry = entry.unwrap();
                let path = entry.path();
                let rel = path
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                let ty = entry.file_type().unwrap();
                out.push(rel);
                if ty.is_dir() {
                    walk(base, &path, out);
                }
            }
        }
        walk(dir, dir, &mut out);
        out.sort();
        out
    }

    #[test]
    fn writes_then_reports_unchanged() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("gen/rust");
        let files = [file("a_generated.rs", "a"), file("sub/dir/b.rs", "b")];
        let report = write_files(&out, &files).unwrap();
        assert_eq!(report.written.len(), 2);
        assert!(report.unchanged.is_empty());
        assert_eq!(fs::read_to_string(out.join("sub/dir/b.rs")).unwrap(), "b");
        let report = write_files(&out, &files).unwrap();
        assert!(report.written.is_empty());
        assert_eq!(report.unchanged.len(), 2);
        let report = write_files(&out, &[file("a_generated.rs", "A")]).unwrap();
        assert_eq!(report.written.len(), 1);
        assert_eq!(fs::read_to_string(out.join("a_generated.rs")).unwrap(), "A");
        // No temporary files are left behind.
        assert_eq!(
            listing(&out),
            ["a_generated.rs", "sub", "sub/dir", "sub/dir/b.rs"]
        );
    }

    #[test]
    fn hostile_names_write_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        for bad in [
            "../escape.rs",
            "a/../../escape.rs",
            "/tmp/escape.rs",
            "C:\\escape.rs",
            "c:escape.rs",
            "a\\..\\..\\escape.rs",
            "a\0b.rs",
            ".hidden.rs",
            "a/.git/config",
            "",
            "a//b.rs",
            "./a.rs",
            "line\nbreak.rs",
        ] {
            // A valid file first: it must not be written either.
            let err = write_files(&out, &[file("good.rs", "x"), file(bad, "evil")]).unwrap_err();
            assert!(
                matches!(err, WriteError::InvalidPath { .. }),
                "{bad:?}: {err}"
            );
        }
        assert!(
            !out.exists(),
            "nothing may be written, not even the directory"
        );
        assert_eq!(listing(tmp.path()), Vec::<String>::new());
        let err = write_files(&out, &[file("a.rs", "1"), file("A.rs", "2")]).unwrap_err();
        assert!(matches!(err, WriteError::Duplicate { .. }), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_never_lead_outside() {
        use std::os::unix::fs::symlink;
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside");
        fs::create_dir(&outside).unwrap();
        let out = tmp.path().join("out");
        fs::create_dir(&out).unwrap();
        // A directory link pointing outside is refused.
        symlink(&outside, out.join("link")).unwrap();
        let err = write_files(&out, &[file("link/x.rs", "evil")]).unwrap_err();
        assert!(matches!(err, WriteError::Escapes { .. }), "{err}");
        assert_eq!(listing(&outside), Vec::<String>::new());
        // A link inside the output directory is fine.
        fs::create_dir(out.join("real")).unwrap();
        symlink(out.join("real"), out.join("inner")).unwrap();
        write_files(&out, &[file("inner/x.rs", "ok")]).unwrap();
        assert_eq!(fs::read_to_string(out.join("real/x.rs")).unwrap(), "ok");
        // A link at the file's own path is replaced, the outside file untouched.
        fs::write(outside.join("victim"), "safe").unwrap();
        symlink(outside.join("victim"), out.join("f.rs")).unwrap();
        let report = write_files(&out, &[file("f.rs", "generated")]).unwrap();
        assert_eq!(report.written.len(), 1);
        assert_eq!(fs::read_to_string(outside.join("victim")).unwrap(), "safe");
        assert!(!fs::symlink_metadata(out.join("f.rs"))
            .unwrap()
            .file_type()
            .is_symlink());
        // Even a link whose contents already match is replaced, not trusted.
        fs::write(outside.join("same"), "same").unwrap();
        symlink(outside.join("same"), out.join("g.rs")).unwrap();
        write_files(&out, &[file("g.rs", "same")]).unwrap();
        assert!(!fs::symlink_metadata(out.join("g.rs"))
            .unwrap()
            .file_type()
            .is_symlink());
        // A dangling link as a directory is refused.
        symlink(tmp.path().join("nowhere"), out.join("dangling")).unwrap();
        assert!(write_files(&out, &[file("dangling/x.rs", "x")]).is_err());
        assert!(!tmp.path().join("nowhere").exists());
    }

    #[test]
    fn a_directory_in_the_way_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir(tmp.path().join("x.rs")).unwrap();
        let err = write_files(tmp.path(), &[file("x.rs", "x")]).unwrap_err();
        assert!(matches!(err, WriteError::NotAFile { .. }), "{err}");
        fs::write(tmp.path().join("f"), "").unwrap();
        let err = write_files(tmp.path(), &[file("f/x.rs", "x")]).unwrap_err();
        assert!(matches!(err, WriteError::NotAFile { .. }), "{err}");
    }
}
