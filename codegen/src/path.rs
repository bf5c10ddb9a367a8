//! Validation of generated file paths: a generator's output must stay below the output
//! directory on every platform, whatever names the schema uses.

use std::fmt;

/// Why a generated path is rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathError {
    Empty,
    /// Starts with `/` (or is a Windows drive or UNC path).
    Absolute,
    /// A `..` component.
    ParentComponent,
    /// An empty component (`a//b`, trailing `/`) or a `.` component.
    EmptyComponent,
    /// A component starting with `.` (hidden files, `.git`).
    Hidden(String),
    /// A character other than letters, digits, `_`, `-`, `.` and `+` (this rejects NUL,
    /// control characters, `\`, `:`, spaces and shell/Windows metacharacters).
    BadCharacter(char),
    /// A name Windows reserves (`CON`, `NUL`, `COM1`, …) or one ending in `.`.
    Reserved(String),
    /// A component over 255 bytes or a path over 1024 bytes.
    TooLong,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathError::Empty => f.write_str("the path is empty"),
            PathError::Absolute => f.write_str("the path is absolute"),
            PathError::ParentComponent => f.write_str("the path contains `..`"),
            PathError::EmptyComponent => f.write_str("the path has an empty or `.` component"),
            PathError::Hidden(c) => write!(f, "the component {c:?} starts with `.`"),
            PathError::BadCharacter(c) => write!(f, "the path contains the character {c:?}"),
            PathError::Reserved(c) => write!(f, "{c:?} is a reserved file name"),
            PathError::TooLong => f.write_str("the path is too long"),
        }
    }
}

impl std::error::Error for PathError {}

const MAX_COMPONENT: usize = 255;
const MAX_PATH: usize = 1024;

/// Checks a generated path: relative, `/`-separated, every component a plain file name.
pub fn validate_path(path: &str) -> Result<(), PathError> {
    if path.is_empty() {
        return Err(PathError::Empty);
    }
    if path.starts_with('/') || path.starts_with('\\') {
        return Err(PathError::Absolute);
    }
    // `C:foo`, `C:\foo`: a drive letter (the `:` would be rejected below as well).
    let mut chars = path.chars();
    if let (Some(d), Some(':')) = (chars.next(), chars.next()) {
        if d.is_ascii_alphabetic() {
            return Err(PathError::Absolute);
        }
    }
    if path.len() > MAX_PATH {
        return Err(PathError::TooLong);
    }
    for component in path.split('/') {
        if component == ".." {
            return Err(PathError::ParentComponent);
        }
        if component.is_empty() || component == "." {
            return Err(PathError::EmptyComponent);
        }
        if component.starts_with('.') {
            return Err(PathError::Hidden(component.to_string()));
        }
        if component.len() > MAX_COMPONENT {
            return Err(PathError::TooLong);
        }
        if let Some(c) = component.chars().find(|&c| !allowed(c)) {
            return Err(PathError::BadCharacter(c));
        }
        if component.ends_with('.') || is_windows_reserved(component) {
            return Err(PathError::Reserved(component.to_string()));
        }
    }
    Ok(())
}

/// The first of `paths` that is invalid (with [`validate_path`]'s error) or repeats an
/// earlier one (with `None`). Paths are compared case-insensitively, so the output is the
/// same on case-insensitive file systems. Shared by [`crate::check_paths`] and
/// [`crate::write::validate_all`].
pub(crate) fn first_bad_path<'a>(
    paths: impl IntoIterator<Item = &'a str>,
) -> Option<(&'a str, Option<PathError>)> {
    let mut seen = std::collections::BTreeSet::new();
    for path in paths {
        if let Err(error) = validate_path(path) {
            return Some((path, Some(error)));
        }
        if !seen.insert(path.to_lowercase()) {
            return Some((path, None));
        }
    }
    None
}

fn allowed(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '+')
}

/// `CON`, `PRN`, `AUX`, `NUL`, `COM0`–`COM9`, `LPT0`–`LPT9`, with or without extension,
/// any case.
fn is_windows_reserved(component: &str) -> bool {
    let stem = component.split('.').next().unwrap_or(component);
    let upper = stem.to_ascii_uppercase();
    matches!(upper.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((upper.starts_with("COM") || upper.starts_with("LPT"))
            && upper.len() == 4
            && upper.as_bytes()[3].is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_names() {
        for ok in [
            "game_generated.go",
            "_generated.rs",
            "src/game_generated.rs",
            "名前_generated.rs",
            "a-b+c.d.ts",
        ] {
            assert_eq!(validate_path(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn rejects_hostile_names() {
        for bad in [
            "",
            "/etc/passwd",
            "\\\\server\\share",
            "C:\\x",
            "c:x",
            "..",
            "../x",
            "a/../../x",
            "a/..",
            "a//b",
            "a/",
            "./a",
            "a/./b",
            ".git/config",
            "a/.hidden",
            "a\\..\\b",
            "a\0b",
            "a\nb",
            "a b",
            "a:b",
            "a*b",
            "CON",
            "con.rs",
            "x/LPT1.txt",
            "trailing.",
        ] {
            assert!(validate_path(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(validate_path(&"a".repeat(256)), Err(PathError::TooLong));
        assert_eq!(validate_path(&"a/".repeat(600)), Err(PathError::TooLong));
    }
}
