//! `karmem.toml`: the project configuration, shared by `karmem build` and the language
//! server's on-save generation.
//!
//! ```toml
//! upstream-compatible = false        # true turns our extensions (comments) into errors
//!
//! [[generate]]
//! schemas = ["schemas/*.km"]         # globs, relative to karmem.toml
//! targets = ["rust", "golang"]
//! out = "gen"                        # each target writes below out/<target>/
//!
//! [generate.options.golang]
//! package = "km"
//!
//! [breaking]                         # `karmem breaking` (docs/compatibility.md)
//! against = "main"                   # default baseline: git revision, file or directory
//! level = "wire"                     # wire | lossy | id | source
//! ignore = { STRUCT_ID_CHANGED = ["*"], TABLE_LAST_FIELD_REMOVED = ["User.Legacy"] }
//! ```
//!
//! Every problem is reported with the file, 1-based line and column, and what is wrong;
//! unknown keys are errors. Target names are checked against [`crate::known_targets`]
//! here; whether a target is *available* is the build's business ([`Plan`]).

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use karmem_syntax::compat::{Category, Rule};
use karmem_syntax::line_index::{Encoding, LineIndex};

use crate::{known_targets, TargetOptions};

/// The file name looked for.
pub const FILE_NAME: &str = "karmem.toml";

/// A problem in a configuration file (or with what it names), with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The configuration file.
    pub file: PathBuf,
    /// 1-based; 0 when the problem has no position (the file could not be read).
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// Byte range in the file.
    pub span: Range<usize>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file.display(),
                self.line,
                self.column,
                self.message
            )
        }
    }
}

impl std::error::Error for ConfigError {}

/// A value with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub span: Range<usize>,
}

/// A loaded, checked `karmem.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The file.
    pub path: PathBuf,
    /// Its directory: schema globs and `out` are relative to it.
    pub root: PathBuf,
    /// The file's text (for locating errors found later).
    pub text: String,
    pub upstream_compatible: bool,
    pub generate: Vec<GenerateSection>,
    /// The `[breaking]` table (all defaults when absent).
    pub breaking: BreakingSection,
}

/// The `[breaking]` table: defaults of `karmem breaking`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BreakingSection {
    /// The default baseline: a git revision, or a file or directory relative to the root.
    pub against: Option<Located<String>>,
    /// The default level.
    pub level: Option<Located<Category>>,
    /// Rules to ignore, each for declarations (`Type`, `Type.Member` or `*`).
    pub ignore: Vec<IgnoreRule>,
}

/// One entry of `[breaking] ignore`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreRule {
    pub rule: Located<Rule>,
    pub names: Vec<Located<String>>,
}

impl BreakingSection {
    /// Whether an ignore entry covers `violation`.
    pub fn ignores(&self, violation: &karmem_syntax::compat::Violation) -> bool {
        self.ignore.iter().any(|entry| {
            entry.rule.value == violation.rule
                && entry
                    .names
                    .iter()
                    .any(|name| violation.matches_ignore(&name.value))
        })
    }
}

/// One `[[generate]]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateSection {
    /// Glob patterns, relative to [`Config::root`].
    pub schemas: Vec<Located<String>>,
    /// Known target names (availability is not checked here).
    pub targets: Vec<Located<String>>,
    /// The output directory, relative to [`Config::root`]; target `t` writes below `out/t/`.
    pub out: Located<String>,
    /// `[generate.options.<target>]` tables.
    pub options: BTreeMap<String, TargetOptions>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    upstream_compatible: bool,
    #[serde(default)]
    generate: Vec<RawGenerate>,
    breaking: Option<RawBreaking>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBreaking {
    against: Option<Spanned<String>>,
    level: Option<Spanned<String>>,
    #[serde(default)]
    ignore: BTreeMap<Spanned<String>, Spanned<Vec<Spanned<String>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGenerate {
    schemas: Spanned<Vec<Spanned<String>>>,
    targets: Spanned<Vec<Spanned<String>>>,
    out: Spanned<String>,
    #[serde(default)]
    options: BTreeMap<Spanned<String>, BTreeMap<String, Spanned<String>>>,
}

/// Searches `start` and its ancestors for `karmem.toml`.
pub fn find(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// Reads and checks a configuration file.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: path.to_path_buf(),
        line: 0,
        column: 0,
        span: 0..0,
        message: format!("cannot read the file: {e}"),
    })?;
    parse(path, &text)
}

/// Checks a configuration given as text; `path` names the file in errors and gives the
/// root directory.
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let error = |span: Range<usize>, message: String| locate(path, text, span, message);
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        error(
            e.span().unwrap_or(0..0),
            e.message().trim_end().replace('\n', "; "),
        )
    })?;
    let known: Vec<&str> = known_targets().iter().map(|t| t.name).collect();
    let mut generate = Vec::new();
    for section in raw.generate {
        if section.schemas.get_ref().is_empty() {
            return Err(error(
                section.schemas.span(),
                "`schemas` is empty: list at least one glob pattern".into(),
            ));
        }
        let mut schemas = Vec::new();
        for pattern in section.schemas.into_inner() {
            let span = pattern.span();
            let value = pattern.into_inner();
            if let Err(e) = glob::Pattern::new(&value) {
                return Err(error(
                    span,
                    format!("invalid glob pattern {value:?}: {}", e.msg),
                ));
            }
            if Path::new(&value).is_absolute() {
                return Err(error(
                    span,
                    format!("schema pattern {value:?} must be relative to karmem.toml"),
                ));
            }
            schemas.push(Located { value, span });
        }
        if section.targets.get_ref().is_empty() {
            return Err(error(
                section.targets.span(),
                format!(
                    "`targets` is empty: name at least one of {}",
                    known.join(", ")
                ),
            ));
        }
        let mut targets: Vec<Located<String>> = Vec::new();
        for target in section.targets.into_inner() {
            let span = target.span();
            let value = target.into_inner();
            if !known.contains(&value.as_str()) {
                return Err(error(
                    span,
                    format!("unknown target `{value}` (known: {})", known.join(", ")),
                ));
            }
            if targets.iter().any(|t| t.value == value) {
                return Err(error(span, format!("target `{value}` is listed twice")));
            }
            targets.push(Located { value, span });
        }
        let out_span = section.out.span();
        let out = section.out.into_inner();
        if out != "." {
            if let Err(e) = crate::validate_path(&out) {
                return Err(error(
                    out_span,
                    format!("`out` must be a plain relative directory inside the project: {e}"),
                ));
            }
        }
        let mut options = BTreeMap::new();
        for (target, values) in section.options {
            let span = target.span();
            let name = target.into_inner();
            if !targets.iter().any(|t| t.value == name) {
                let message = if known.contains(&name.as_str()) {
                    format!("options for `{name}`, which is not in this section's `targets`")
                } else {
                    format!(
                        "options for unknown target `{name}` (known: {})",
                        known.join(", ")
                    )
                };
                return Err(error(span, message));
            }
            let values = values
                .into_iter()
                .map(|(k, v)| (k, v.into_inner()))
                .collect();
            options.insert(name, TargetOptions::from_map(values));
        }
        generate.push(GenerateSection {
            schemas,
            targets,
            out: Located {
                value: out,
                span: out_span,
            },
            options,
        });
    }
    let breaking = match raw.breaking {
        Some(raw) => parse_breaking(raw, &error)?,
        None => BreakingSection::default(),
    };
    let root = path
        .parent()
        .map(Path::to_path_buf)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    Ok(Config {
        path: path.to_path_buf(),
        root,
        text: text.to_string(),
        upstream_compatible: raw.upstream_compatible,
        generate,
        breaking,
    })
}

fn parse_breaking(
    raw: RawBreaking,
    error: &dyn Fn(Range<usize>, String) -> ConfigError,
) -> Result<BreakingSection, ConfigError> {
    let against = match raw.against {
        Some(value) if value.get_ref().trim().is_empty() => {
            return Err(error(
                value.span(),
                "`against` is empty: name a git revision, a file or a directory".into(),
            ))
        }
        Some(value) => Some(Located {
            span: value.span(),
            value: value.into_inner(),
        }),
        None => None,
    };
    let levels = || {
        Category::ALL
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let level = match raw.level {
        Some(value) => {
            let span = value.span();
            let text = value.into_inner();
            match text.parse::<Category>() {
                Ok(category) => Some(Located {
                    value: category,
                    span,
                }),
                Err(()) => {
                    return Err(error(
                        span,
                        format!("unknown level `{text}` (levels: {})", levels()),
                    ))
                }
            }
        }
        None => None,
    };
    let mut ignore = Vec::new();
    for (rule, names) in raw.ignore {
        let span = rule.span();
        let text = rule.into_inner();
        let Ok(value) = text.parse::<Rule>() else {
            return Err(error(
                span,
                format!("unknown rule `{text}` (the rules are listed in docs/compatibility.md)"),
            ));
        };
        if names.get_ref().is_empty() {
            return Err(error(
                names.span(),
                format!(
                    "no names to ignore `{text}` for: list declarations, `Type.Member` or \"*\""
                ),
            ));
        }
        let mut list = Vec::new();
        for name in names.into_inner() {
            let span = name.span();
            let value = name.into_inner();
            if value.trim().is_empty() {
                return Err(error(span, "an empty name".into()));
            }
            list.push(Located { value, span });
        }
        ignore.push(IgnoreRule {
            rule: Located { value, span },
            names: list,
        });
    }
    Ok(BreakingSection {
        against,
        level,
        ignore,
    })
}

/// A [`ConfigError`] at byte range `span` of `text`.
fn locate(path: &Path, text: &str, span: Range<usize>, message: String) -> ConfigError {
    let at = LineIndex::new(text).line_col(span.start, Encoding::Utf32);
    ConfigError {
        file: path.to_path_buf(),
        line: at.line as usize + 1,
        column: at.col as usize + 1,
        span,
        message,
    }
}

impl Config {
    /// A [`ConfigError`] located at `span` of this file.
    pub fn error_at(&self, span: Range<usize>, message: impl Into<String>) -> ConfigError {
        locate(&self.path, &self.text, span, message.into())
    }

    /// The analysis options the configuration asks for.
    pub fn analysis_options(&self) -> karmem_syntax::AnalysisOptions {
        karmem_syntax::AnalysisOptions {
            upstream_compatible: self.upstream_compatible,
        }
    }

    /// Expands the globs and pairs every matched schema with every target of its section.
    /// A pattern that matches no file is an error (a typo would otherwise generate
    /// nothing, silently). Availability of targets is not checked; see [`Plan::jobs`].
    pub fn plan(&self) -> Result<Plan, ConfigError> {
        let mut jobs = Vec::new();
        let base = glob::Pattern::escape(&self.root.to_string_lossy());
        for (section_index, section) in self.generate.iter().enumerate() {
            let mut files: Vec<PathBuf> = Vec::new();
            for pattern in &section.schemas {
                let full = if base == "." {
                    pattern.value.clone()
                } else {
                    format!("{base}/{}", pattern.value)
                };
                let matches = glob::glob(&full).map_err(|e| {
                    self.error_at(
                        pattern.span.clone(),
                        format!("invalid glob pattern: {}", e.msg),
                    )
                })?;
                let mut found = false;
                for entry in matches {
                    let path = entry.map_err(|e| {
                        self.error_at(
                            pattern.span.clone(),
                            format!("cannot read {}: {}", e.path().display(), e.error()),
                        )
                    })?;
                    if path.is_file() {
                        found = true;
                        if !files.contains(&path) {
                            files.push(path);
                        }
                    }
                }
                if !found {
                    return Err(self.error_at(
                        pattern.span.clone(),
                        format!("the pattern {:?} matches no file", pattern.value),
                    ));
                }
            }
            files.sort();
            for schema in files {
                for target in &section.targets {
                    let out_dir = self.root.join(&section.out.value).join(&target.value);
                    jobs.push(Job {
                        section: section_index,
                        schema: schema.clone(),
                        target: target.clone(),
                        out_dir,
                        options: section
                            .options
                            .get(&target.value)
                            .cloned()
                            .unwrap_or_default(),
                    });
                }
            }
        }
        Ok(Plan { jobs })
    }
}

/// What a configuration asks to generate.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// In configuration order: section by section, schemas sorted, targets as listed.
    pub jobs: Vec<Job>,
}

/// Generate one schema for one target into one directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Index into [`Config::generate`].
    pub section: usize,
    pub schema: PathBuf,
    /// The target name and where the configuration names it.
    pub target: Located<String>,
    /// `<root>/<out>/<target>`.
    pub out_dir: PathBuf,
    /// The configured options of the target (header tags are merged in by
    /// [`crate::generate`]).
    pub options: TargetOptions,
}

impl Plan {
    /// The distinct schema files, in order of first appearance.
    pub fn schemas(&self) -> Vec<&Path> {
        let mut out: Vec<&Path> = Vec::new();
        for job in &self.jobs {
            if !out.contains(&job.schema.as_path()) {
                out.push(&job.schema);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse(Path::new("proj/karmem.toml"), text)
            .unwrap_err()
            .to_string()
    }

    const GOOD: &str = r#"upstream-compatible = true

[[generate]]
schemas = ["schemas/*.km", "extra.km"]
targets = ["rust", "golang"]
out = "gen"

[generate.options.golang]
package = "km"
"#;

    #[test]
    fn parses_the_documented_shape() {
        let config = parse(Path::new("proj/karmem.toml"), GOOD).unwrap();
        assert!(config.upstream_compatible);
        assert_eq!(config.root, Path::new("proj"));
        let section = &config.generate[0];
        let schemas: Vec<_> = section.schemas.iter().map(|s| s.value.as_str()).collect();
        assert_eq!(schemas, ["schemas/*.km", "extra.km"]);
        let targets: Vec<_> = section.targets.iter().map(|s| s.value.as_str()).collect();
        assert_eq!(targets, ["rust", "golang"]);
        assert_eq!(section.out.value, "gen");
        assert_eq!(section.options["golang"].get("package"), Some("km"));
        // An empty file is a valid configuration that generates nothing.
        let empty = parse(Path::new("karmem.toml"), "").unwrap();
        assert!(empty.generate.is_empty() && !empty.upstream_compatible);
        assert_eq!(empty.root, Path::new("."));
    }

    #[test]
    fn errors_are_located() {
        assert_eq!(
            err("upstream-compatible = true\nbogus = 1\n"),
            "proj/karmem.toml:2:1: unknown field `bogus`, expected one of `upstream-compatible`, `generate`, `breaking`"
        );
        assert_eq!(
            err("upstream-compatible = \"yes\"\n"),
            "proj/karmem.toml:1:23: invalid type: string \"yes\", expected a boolean"
        );
        let e = err(
            "[[generate]]\nschemas = [\"a.km\"]\ntargets = [\"rust\"]\nout = \"gen\"\nouts = 1\n",
        );
        assert!(
            e.starts_with("proj/karmem.toml:5:1: unknown field `outs`"),
            "{e}"
        );
        let e = err("[[generate]]\nschemas = [\"a.km\"]\ntargets = [\"rust\"]\n");
        assert!(
            e.starts_with("proj/karmem.toml:1:1: missing field `out`"),
            "{e}"
        );
        assert_eq!(
            err("[[generate]]\nschemas = [\"a.km\"]\ntargets = [\"rust\", \"cobol\"]\nout = \"gen\"\n"),
            "proj/karmem.toml:3:20: unknown target `cobol` (known: assemblyscript, c, dotnet, golang, odin, swift, zig, rust)"
        );
        assert_eq!(
            err("[[generate]]\nschemas = [\"a[.km\"]\ntargets = [\"rust\"]\nout = \"gen\"\n"),
            "proj/karmem.toml:2:12: invalid glob pattern \"a[.km\": invalid range pattern"
        );
        assert_eq!(
            err("[[generate]]\nschemas = []\ntargets = [\"rust\"]\nout = \"gen\"\n"),
            "proj/karmem.toml:2:11: `schemas` is empty: list at least one glob pattern"
        );
        assert_eq!(
            err("[[generate]]\nschemas = [\"a.km\"]\ntargets = [\"rust\"]\nout = \"../x\"\n"),
            "proj/karmem.toml:4:7: `out` must be a plain relative directory inside the project: the path contains `..`"
        );
        assert_eq!(
            err("[[generate]]\nschemas = [\"a.km\"]\ntargets = [\"rust\"]\nout = \"gen\"\n[generate.options.golang]\npackage = \"km\"\n"),
            "proj/karmem.toml:5:19: options for `golang`, which is not in this section's `targets`"
        );
        let e = err("[[generate]]\nschemas = [\"a.km\"]\ntargets = [\"rust\"]\nout = \"gen\"\n[generate.options.rust]\nimport = 3\n");
        assert!(
            e.starts_with("proj/karmem.toml:6:10: invalid type: integer `3`, expected a string"),
            "{e}"
        );
        let e = err("[[generate]\n");
        assert!(e.starts_with("proj/karmem.toml:1:"), "{e}");
    }

    #[test]
    fn breaking_section() {
        let config = parse(
            Path::new("proj/karmem.toml"),
            "[breaking]\nagainst = \"main\"\nlevel = \"lossy\"\nignore = { STRUCT_ID_CHANGED = [\"*\"], TABLE_LAST_FIELD_REMOVED = [\"User.Legacy\", \"Item\"] }\n",
        )
        .unwrap();
        let b = &config.breaking;
        assert_eq!(b.against.as_ref().unwrap().value, "main");
        assert_eq!(b.level.as_ref().unwrap().value, Category::Lossy);
        assert_eq!(b.ignore.len(), 2);
        let rules: Vec<Rule> = b.ignore.iter().map(|i| i.rule.value).collect();
        assert!(rules.contains(&Rule::StructIdChanged));
        assert!(rules.contains(&Rule::TableLastFieldRemoved));
        // Absent: defaults, and the rest of the file is unchanged.
        let config = parse(Path::new("karmem.toml"), GOOD).unwrap();
        assert_eq!(config.breaking, BreakingSection::default());
        assert!(config.upstream_compatible);
        // Ignoring.
        let old = karmem_syntax::analyze(
            "karmem demo;\nstruct User table {\n    Id uint32;\n    Legacy uint8;\n}\n",
            &Default::default(),
        );
        let new = karmem_syntax::analyze(
            "karmem demo;\nstruct User table {\n    Id uint32;\n}\n",
            &Default::default(),
        );
        let violations = karmem_syntax::compat::check(&old, &new);
        assert_eq!(violations.len(), 1);
        assert!(b.ignores(&violations[0]));
        let other = parse(
            Path::new("karmem.toml"),
            "[breaking]\nignore = { TABLE_LAST_FIELD_REMOVED = [\"User.Other\"] }\n",
        )
        .unwrap();
        assert!(!other.breaking.ignores(&violations[0]));
    }

    #[test]
    fn breaking_errors_are_located() {
        assert_eq!(
            err("[breaking]\nlevel = \"strict\"\n"),
            "proj/karmem.toml:2:9: unknown level `strict` (levels: wire, lossy, id, source)"
        );
        assert_eq!(
            err("[breaking]\nignore = { NO_SUCH_RULE = [\"A\"] }\n"),
            "proj/karmem.toml:2:12: unknown rule `NO_SUCH_RULE` (the rules are listed in docs/compatibility.md)"
        );
        assert_eq!(
            err("[breaking]\nagainst = \"\"\n"),
            "proj/karmem.toml:2:11: `against` is empty: name a git revision, a file or a directory"
        );
        assert!(err("[breaking]\nignore = { STRUCT_ID_CHANGED = [] }\n")
            .starts_with("proj/karmem.toml:2:32: no names to ignore"));
        let e = err("[breaking]\nagainst = \"main\"\nfoo = 1\n");
        assert!(
            e.starts_with("proj/karmem.toml:3:1: unknown field `foo`"),
            "{e}"
        );
        // Columns count characters, not bytes.
        assert_eq!(
            err("[breaking]\nignore = { \"é\" = [\"A\"], NO = [\"A\"] }\n"),
            "proj/karmem.toml:2:25: unknown rule `NO` (the rules are listed in docs/compatibility.md)"
        );
        let e = err("[breaking]\nlevel = 3\n");
        assert!(e.starts_with("proj/karmem.toml:2:9: invalid type"), "{e}");
    }

    #[test]
    fn plan_expands_globs_relative_to_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("pro[j]");
        std::fs::create_dir_all(root.join("schemas/sub")).unwrap();
        for f in [
            "schemas/b.km",
            "schemas/a.km",
            "schemas/sub/c.km",
            "schemas/notes.txt",
        ] {
            std::fs::write(root.join(f), "karmem x;\n").unwrap();
        }
        std::fs::write(root.join(FILE_NAME), "[[generate]]\nschemas = [\"schemas/**/*.km\", \"schemas/a.km\"]\ntargets = [\"rust\", \"golang\"]\nout = \"gen\"\n[generate.options.rust]\nimport = \"crate::km\"\n").unwrap();
        let config = load(&root.join(FILE_NAME)).unwrap();
        let plan = config.plan().unwrap();
        let schemas: Vec<_> = plan
            .schemas()
            .iter()
            .map(|p| {
                p.strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(
            schemas,
            ["schemas/a.km", "schemas/b.km", "schemas/sub/c.km"]
        );
        assert_eq!(plan.jobs.len(), 6);
        assert_eq!(plan.jobs[0].out_dir, root.join("gen/rust"));
        assert_eq!(plan.jobs[0].options.get("import"), Some("crate::km"));
        assert_eq!(plan.jobs[1].out_dir, root.join("gen/golang"));
        assert!(plan.jobs[1].options.is_empty());

        std::fs::write(root.join(FILE_NAME), "[[generate]]\nschemas = [\"schemas/*.km\", \"nothing/*.km\"]\ntargets = [\"rust\"]\nout = \"gen\"\n").unwrap();
        let err = load(&root.join(FILE_NAME)).unwrap().plan().unwrap_err();
        assert_eq!(err.line, 2);
        assert_eq!(err.column, 28);
        assert!(err.message.contains("matches no file"), "{err}");
    }

    #[test]
    fn find_searches_upward() {
        let tmp = tempfile::tempdir().unwrap();
        let deep = tmp.path().join("a/b/c");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(tmp.path().join("a").join(FILE_NAME), "").unwrap();
        assert_eq!(find(&deep), Some(tmp.path().join("a").join(FILE_NAME)));
        assert_eq!(
            find(&tmp.path().join("a")),
            Some(tmp.path().join("a").join(FILE_NAME))
        );
    }
}
