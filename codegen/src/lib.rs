//! Code generation for Karmem schemas: the generator framework, the target registry, safe
//! writing of generated files, the `karmem.toml` project configuration, and the dynamic
//! codec (JSON ⇄ binary messages straight from the semantic model, no generated code).
//!
//! A target implements [`Generator`]: it turns a [`GenerateInput`] (an error-free
//! [`Schema`], the schema's file name and hash, and the target's options) into
//! [`GeneratedFile`]s. Generators do no I/O; [`write::write_files`] puts files on disk.
//! [`generate`] is the entry point front-ends use: it refuses schemas with errors, merges
//! options, calls the generator and validates its output paths.
//!
//! Every generated file starts with [`header_comment`] (wrapped in the target's comment
//! syntax), which carries the [`schema_hash`] of the source text so stale output can be
//! detected later with [`read_header_hash`].

pub mod assemblyscript;
pub mod build;
pub mod c;
pub mod codec;
pub mod config;
pub mod config_edit;
pub mod golang;
mod header;
mod path;
pub(crate) mod problems;
pub mod rust;
mod targets_common;
pub mod write;
pub mod zig;

use std::collections::BTreeMap;
use std::fmt;

use karmem_syntax::model::Schema;
use karmem_syntax::Analysis;

pub use header::{header_comment, read_header_hash, schema_hash, HASH_LABEL, HEADER_PREFIX};
pub use path::{validate_path, PathError};
pub use problems::NameProblem;

/// One file a generator produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Relative, `/`-separated path below the output directory, e.g. `game_generated.go`.
    /// Must pass [`validate_path`] (no `..`, not absolute, no hidden components, no odd
    /// characters); [`generate`] and [`write::write_files`] check it.
    pub path: String,
    pub contents: String,
}

impl GeneratedFile {
    /// A file with a validated path.
    pub fn new(path: impl Into<String>, contents: impl Into<String>) -> Result<Self, PathError> {
        let path = path.into();
        validate_path(&path)?;
        Ok(GeneratedFile {
            path,
            contents: contents.into(),
        })
    }
}

/// Options of one target, as strings: the header tags `@<target>.<key>(value)` of the
/// schema merged with the `[generate.options.<target>]` table of `karmem.toml`.
///
/// Precedence: a header tag wins over `karmem.toml` (the schema is the more specific
/// source, and it keeps the output identical to upstream `karmem build` for schemas that
/// set their options in tags); among repeated header tags the first wins, as upstream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetOptions {
    values: BTreeMap<String, String>,
}

impl TargetOptions {
    pub fn new() -> Self {
        TargetOptions::default()
    }

    /// Options from a key → value map (e.g. a `karmem.toml` table).
    pub fn from_map(values: BTreeMap<String, String>) -> Self {
        TargetOptions { values }
    }

    /// The options of `target` for `schema`: the configured `base` values, overridden by
    /// the schema's header tags `@<target>.<key>(...)` (first tag wins).
    pub fn for_target(schema: &Schema, target: &str, base: &TargetOptions) -> TargetOptions {
        let mut values = base.values.clone();
        let prefix = format!("{target}.");
        let mut seen = std::collections::BTreeSet::new();
        for tag in &schema.tags {
            if let Some(key) = tag.name.strip_prefix(&prefix) {
                if !key.is_empty() && seen.insert(key.to_string()) {
                    values.insert(key.to_string(), tag.value.clone());
                }
            }
        }
        TargetOptions { values }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.values.insert(key.into(), value.into());
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// What a generator is given.
#[derive(Debug, Clone, Copy)]
pub struct GenerateInput<'a> {
    /// An error-free schema: every struct has its layout (`Struct::size`,
    /// `Field::layout`), every field its `target` and `format`.
    pub schema: &'a Schema,
    /// The schema's file name as it should appear in the header comment (`game.km`).
    pub source_name: &'a str,
    /// [`schema_hash`] of the schema text.
    pub source_hash: &'a str,
    /// This target's options (see [`TargetOptions`]).
    pub options: &'a TargetOptions,
}

impl GenerateInput<'_> {
    /// [`header_comment`] for this input (one line; the target wraps it in its comment
    /// syntax).
    pub fn header(&self) -> String {
        header_comment(self.source_name, self.source_hash)
    }

    /// The schema's module name (`karmem game;` → `game`).
    pub fn module(&self) -> &str {
        &self.schema.module
    }

    /// Upstream's file name rule: `<module>_generated.<ext>` (cli.md §3).
    pub fn default_file_name(&self, extension: &str) -> String {
        format!("{}_generated.{extension}", self.schema.module)
    }

    /// The one file upstream's targets write: `contents` at [`Self::default_file_name`].
    pub fn single_file(
        &self,
        extension: &str,
        contents: String,
    ) -> Result<Vec<GeneratedFile>, GenerateError> {
        let path = self.default_file_name(extension);
        GeneratedFile::new(path.clone(), contents)
            .map(|file| vec![file])
            .map_err(|e| GenerateError::InvalidPath {
                path,
                reason: e.to_string(),
            })
    }
}

/// Why a generator produced nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GenerateError {
    /// The schema has errors (diagnostics with severity error); nothing is generated.
    SchemaHasErrors,
    /// The schema is valid Karmem but cannot be expressed in this target (e.g. two names
    /// that map to the same target identifier, duplicate struct ids).
    Unsupported { message: String },
    /// An option has a value the target cannot use.
    InvalidOption { key: String, message: String },
    /// The generator produced a path that [`validate_path`] rejects, or the same path twice.
    InvalidPath { path: String, reason: String },
}

impl fmt::Display for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GenerateError::SchemaHasErrors => write!(f, "the schema has errors; nothing generated"),
            GenerateError::Unsupported { message } => f.write_str(message),
            GenerateError::InvalidOption { key, message } => {
                write!(f, "option `{key}`: {message}")
            }
            GenerateError::InvalidPath { path, reason } => {
                write!(f, "generator produced an invalid path {path:?}: {reason}")
            }
        }
    }
}

impl std::error::Error for GenerateError {}

/// A code generator for one target language. Implementations do no I/O and must not
/// panic on any error-free schema.
pub trait Generator: Sync {
    /// The target's name, as used in `--<name>` and `karmem.toml` (`rust`, `golang`).
    fn name(&self) -> &'static str;
    /// The files for `input`. Paths are relative to the target's output directory.
    fn generate(&self, input: &GenerateInput) -> Result<Vec<GeneratedFile>, GenerateError>;
    /// Every reason this target cannot express the error-free `schema` (names it cannot
    /// use, collisions, duplicate ids), located at the offending name; empty when it can.
    /// When this is not empty, [`Generator::generate`] fails with
    /// [`GenerateError::Unsupported`]. The default reports none.
    fn problems(&self, schema: &Schema) -> Vec<NameProblem> {
        let _ = schema;
        Vec::new()
    }
}

/// A target name the tool knows, and whether a generator exists for it yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetInfo {
    pub name: &'static str,
    /// Upstream `karmem build` has this target.
    pub upstream: bool,
    /// A generator is registered ([`generator`] returns it).
    pub available: bool,
}

/// Every target name: upstream's, in upstream's registration order, then ours.
pub const TARGET_NAMES: &[(&str, bool)] = &[
    ("assemblyscript", true),
    ("c", true),
    ("dotnet", true),
    ("golang", true),
    ("odin", true),
    ("swift", true),
    ("zig", true),
    ("rust", false),
];

/// The registered generators. A new target adds itself here (and its name to
/// [`TARGET_NAMES`] if it is not there yet).
static GENERATORS: &[&dyn Generator] = &[
    &assemblyscript::AssemblyScriptGenerator,
    &c::CGenerator,
    &golang::GoGenerator,
    &zig::ZigGenerator,
    &rust::RustGenerator,
];

/// The generator for `name`, when one is registered.
pub fn generator(name: &str) -> Option<&'static dyn Generator> {
    GENERATORS.iter().copied().find(|g| g.name() == name)
}

/// Every known target with its availability, in [`TARGET_NAMES`] order.
pub fn known_targets() -> Vec<TargetInfo> {
    TARGET_NAMES
        .iter()
        .map(|&(name, upstream)| TargetInfo {
            name,
            upstream,
            available: generator(name).is_some(),
        })
        .collect()
}

/// Names of the targets that can generate now, comma-separated (`rust` or `none`), for
/// error messages.
pub fn available_list() -> String {
    let names: Vec<&str> = known_targets()
        .into_iter()
        .filter(|t| t.available)
        .map(|t| t.name)
        .collect();
    if names.is_empty() {
        "none yet".to_string()
    } else {
        names.join(", ")
    }
}

/// Runs `generator` on an analysed schema: refuses schemas with errors, computes the
/// schema hash, merges options ([`TargetOptions::for_target`]), and checks the output
/// paths (valid, no duplicates).
pub fn generate(
    generator: &dyn Generator,
    analysis: &Analysis,
    source_name: &str,
    configured: &TargetOptions,
) -> Result<Vec<GeneratedFile>, GenerateError> {
    if analysis.has_errors() {
        return Err(GenerateError::SchemaHasErrors);
    }
    let hash = schema_hash(&analysis.text);
    let options = TargetOptions::for_target(&analysis.schema, generator.name(), configured);
    let input = GenerateInput {
        schema: &analysis.schema,
        source_name,
        source_hash: &hash,
        options: &options,
    };
    let files = generator.generate(&input)?;
    check_paths(&files)?;
    Ok(files)
}

/// Every path valid and distinct (compared case-insensitively, so the output is the same
/// on case-insensitive file systems).
pub fn check_paths(files: &[GeneratedFile]) -> Result<(), GenerateError> {
    match path::first_bad_path(files.iter().map(|f| f.path.as_str())) {
        None => Ok(()),
        Some((path, error)) => Err(GenerateError::InvalidPath {
            path: path.to_string(),
            reason: error.map_or_else(|| "produced twice".to_string(), |e| e.to_string()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use karmem_syntax::{analyze, AnalysisOptions};

    struct Fake;

    impl Generator for Fake {
        fn name(&self) -> &'static str {
            "fake"
        }
        fn generate(&self, input: &GenerateInput) -> Result<Vec<GeneratedFile>, GenerateError> {
            let text = format!(
                "// {}\npackage={}\n",
                input.header(),
                input.options.get("package").unwrap_or("-")
            );
            Ok(vec![GeneratedFile::new(
                input.default_file_name("txt"),
                text,
            )
            .unwrap()])
        }
    }

    struct Bad;

    impl Generator for Bad {
        fn name(&self) -> &'static str {
            "bad"
        }
        fn generate(&self, _: &GenerateInput) -> Result<Vec<GeneratedFile>, GenerateError> {
            Ok(vec![GeneratedFile {
                path: "../x".into(),
                contents: String::new(),
            }])
        }
    }

    #[test]
    fn generates_with_header_and_merged_options() {
        let text = "karmem game @fake.package(`tag`) @fake.package(second);\nstruct A inline { X uint8; }\n";
        let analysis = analyze(text, &AnalysisOptions::default());
        assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
        let mut base = TargetOptions::new();
        base.insert("package", "configured");
        base.insert("other", "kept");
        let files = generate(&Fake, &analysis, "game.km", &base).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].path, "game_generated.txt");
        assert!(files[0].contents.contains("package=tag"));
        assert_eq!(
            read_header_hash(&files[0].contents),
            Some(schema_hash(text))
        );
        let merged = TargetOptions::for_target(&analysis.schema, "fake", &base);
        assert_eq!(merged.get("other"), Some("kept"));
    }

    #[test]
    fn schema_with_errors_generates_nothing() {
        let analysis = analyze(
            "karmem game;\nstruct A inline { X Nope; }\n",
            &AnalysisOptions::default(),
        );
        assert_eq!(
            generate(&Fake, &analysis, "game.km", &TargetOptions::new()),
            Err(GenerateError::SchemaHasErrors)
        );
    }

    #[test]
    fn invalid_generated_paths_are_caught() {
        let analysis = analyze("karmem game;\n", &AnalysisOptions::default());
        assert!(matches!(
            generate(&Bad, &analysis, "game.km", &TargetOptions::new()),
            Err(GenerateError::InvalidPath { .. })
        ));
        let dup = vec![
            GeneratedFile::new("a.rs", "").unwrap(),
            GeneratedFile::new("A.rs", "").unwrap(),
        ];
        assert_eq!(
            check_paths(&dup),
            Err(GenerateError::InvalidPath {
                path: "A.rs".into(),
                reason: "produced twice".into()
            })
        );
    }

    #[test]
    fn known_targets_list_upstream_and_rust() {
        let names: Vec<_> = known_targets().iter().map(|t| t.name).collect();
        assert_eq!(
            names,
            [
                "assemblyscript",
                "c",
                "dotnet",
                "golang",
                "odin",
                "swift",
                "zig",
                "rust"
            ]
        );
        for t in known_targets() {
            assert_eq!(t.available, generator(t.name).is_some());
        }
        assert!(generator("cobol").is_none());
    }
}
