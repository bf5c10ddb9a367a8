//! `karmem breaking FILE… --against BASE`: report incompatible changes since a baseline
//! (a schema file, a directory or a git revision). The rules, the categories and the file
//! pairing are documented in `docs/compatibility.md`; the comparison itself is
//! [`karmem_syntax::compat::check`]. Git is used through its command line (`git rev-parse`,
//! `git ls-tree`, `git cat-file`, `git diff`, `git log`).

use crate::git;
use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use clap::{Args, ValueEnum};
use codespan_reporting::diagnostic::{Diagnostic as Report, Label, Severity as ReportSeverity};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::termcolor::StandardStream;
use codespan_reporting::term::{self, Config as TermConfig};
use karmem_codegen::config::{self, BreakingSection};
use karmem_syntax::compat::{self, Category, Violation};
use karmem_syntax::line_index::LineIndex;
use karmem_syntax::{analyze, Analysis, AnalysisOptions, Severity, Span};
use serde::Serialize;

use super::input::{self, Source};
use super::report::{self, Counts, Position};
use super::{AnalysisArgs, Status};

/// `--level`: the widest category that fails the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Level {
    /// Only changes that make messages misread.
    Wire,
    /// Also changes that lose or alter some values.
    Lossy,
    /// Also struct id (`PacketIdentifier`) changes.
    Id,
    /// Also changes to the generated code's API.
    Source,
}

impl Level {
    pub fn category(self) -> Category {
        match self {
            Level::Wire => Category::Wire,
            Level::Lossy => Category::Lossy,
            Level::Id => Category::Id,
            Level::Source => Category::Source,
        }
    }
}

/// `--format` of `breaking`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BreakingFormat {
    /// Source excerpts (new and old) on standard error, with a summary line.
    Text,
    /// One JSON object per violation and line on standard output.
    Json,
    /// GitHub Actions workflow commands on standard output.
    Github,
}

#[derive(Debug, Args)]
pub struct BreakingArgs {
    /// Schema files to check.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<OsString>,
    /// The baseline: a schema file, a directory, or a git revision (`main`, `HEAD~1`,
    /// `v1.2:schemas/`). Default: `against` in the `[breaking]` table of karmem.toml.
    #[arg(long, value_name = "BASE")]
    pub against: Option<String>,
    /// Fail on violations of this category and the stricter ones (default: `level` in
    /// karmem.toml, else `wire`); the others are reported as warnings.
    #[arg(long, value_enum)]
    pub level: Option<Level>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = BreakingFormat::Text)]
    pub format: BreakingFormat,
    /// Compare with each of the last N git revisions that changed each file (from the
    /// `--against` revision, or HEAD).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub transitive: Option<u32>,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

// ---------------------------------------------------------------------------------------
// Git

/// A revision's tree, below `prefix` (empty, or a directory path ending in `/`).
#[derive(Debug, Clone)]
struct GitTree {
    /// The repository's top-level directory.
    top: PathBuf,
    /// The revision as written (for display).
    rev: String,
    /// The commit it names.
    commit: String,
    prefix: String,
    /// `.km` files below `prefix`, relative to it; read on first use.
    files: Option<Vec<String>>,
}

impl GitTree {
    fn list(&mut self) -> Result<&[String], String> {
        if self.files.is_none() {
            let mut args = vec!["ls-tree", "-r", "-z", "--name-only", &self.commit];
            if !self.prefix.is_empty() {
                args.extend(["--", &self.prefix]);
            }
            let out = git::run(&self.top, &args)?;
            let files = out
                .split(|&b| b == 0)
                .filter_map(|p| std::str::from_utf8(p).ok())
                .filter(|p| p.ends_with(".km"))
                .filter_map(|p| p.strip_prefix(self.prefix.as_str()))
                .map(str::to_string)
                .collect();
            self.files = Some(files);
        }
        Ok(self.files.as_deref().unwrap_or_default())
    }

    fn read(&self, rel: &str) -> Result<Vec<u8>, String> {
        let object = format!("{}:{}{rel}", self.commit, self.prefix);
        git::blob(&self.top, &object)
    }

    fn shown(&self, rel: &str) -> String {
        format!("{}:{}{rel}", self.rev, self.prefix)
    }
}

// ---------------------------------------------------------------------------------------
// Baselines

/// What `--against` names.
#[derive(Debug)]
enum Baseline {
    /// One schema file, compared with every FILE.
    File { path: PathBuf, shown: String },
    /// A schema file inside a revision (`v1.2:schemas/game.km`).
    GitFile { tree: GitTree, path: String },
    /// A directory of schemas.
    Dir {
        root: PathBuf,
        shown: String,
        files: Option<Vec<String>>,
    },
    /// A revision's tree (or a directory in it).
    Git(GitTree),
}

/// One baseline file paired with a FILE: its name for messages and its text.
#[derive(Debug, Clone)]
struct BaseFile {
    shown: String,
    text: String,
    /// The revision, with `--transitive`.
    revision: Option<String>,
}

impl Baseline {
    /// Resolves `text`: a file or directory (relative to `dir`), else a git revision
    /// (`REV` or `REV:path`) of the repository containing `dir`.
    fn resolve(text: &str, dir: &Path) -> Result<Baseline, String> {
        let path = dir.join(text);
        if path.is_file() {
            return Ok(Baseline::File {
                shown: shown_path(&path),
                path,
            });
        }
        if path.is_dir() {
            return Ok(Baseline::Dir {
                shown: shown_path(&path),
                root: path,
                files: None,
            });
        }
        let (rev, inner) = match text.split_once(':') {
            Some((rev, inner)) => (rev, Some(inner)),
            None => (text, None),
        };
        let not_found =
            |why: String| format!("`{text}` is not a file, a directory or a git revision ({why})");
        let top = git::text(dir, &["rev-parse", "--show-toplevel"]).map_err(not_found)?;
        let top = PathBuf::from(top);
        let commit = git::text(
            dir,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ],
        )
        .map_err(|_| not_found(format!("no revision `{rev}` in {}", top.display())))?;
        let mut tree = GitTree {
            top,
            rev: rev.to_string(),
            commit,
            prefix: String::new(),
            files: None,
        };
        let Some(inner) = inner else {
            return Ok(Baseline::Git(tree));
        };
        let inner = inner.trim_start_matches("./").trim_start_matches('/');
        let inner = inner.trim_end_matches('/');
        if inner.is_empty() {
            return Ok(Baseline::Git(tree));
        }
        let object = format!("{}:{inner}", tree.commit);
        match git::text(&tree.top, &["cat-file", "-t", &object]).as_deref() {
            Ok("tree") => {
                tree.prefix = format!("{inner}/");
                Ok(Baseline::Git(tree))
            }
            Ok("blob") => Ok(Baseline::GitFile {
                tree,
                path: inner.to_string(),
            }),
            _ => Err(format!("`{inner}` does not exist in revision `{rev}`")),
        }
    }

    /// The baseline `.km` files, relative to the baseline's root (directory baselines).
    fn list(&mut self) -> Result<Vec<String>, String> {
        match self {
            Baseline::File { .. } | Baseline::GitFile { .. } => Ok(Vec::new()),
            Baseline::Git(tree) => tree.list().map(<[String]>::to_vec),
            Baseline::Dir { root, files, .. } => {
                if files.is_none() {
                    let mut list = Vec::new();
                    let walk = walkdir::WalkDir::new(&*root)
                        .follow_links(false)
                        .into_iter()
                        .filter_entry(|e| {
                            e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
                        });
                    for entry in walk.flatten() {
                        if entry.file_type().is_file()
                            && entry.path().extension().is_some_and(|e| e == "km")
                        {
                            if let Ok(rel) = entry.path().strip_prefix(&*root) {
                                list.push(slash_path(rel));
                            }
                        }
                    }
                    list.sort();
                    *files = Some(list);
                }
                Ok(files.clone().unwrap_or_default())
            }
        }
    }

    /// Reads a listed file (`rel` ignored for the single-file baselines).
    fn read(&self, rel: &str) -> Result<BaseFile, String> {
        let (shown, bytes) = match self {
            Baseline::File { path, shown } => (
                shown.clone(),
                std::fs::read(path)
                    .map_err(|e| format!("cannot read {shown}: {}", input::io_reason(&e)))?,
            ),
            Baseline::GitFile { tree, path } => {
                let shown = format!("{}:{path}", tree.rev);
                let object = format!("{}:{path}", tree.commit);
                let bytes = git::blob(&tree.top, &object)
                    .map_err(|e| format!("cannot read {shown}: {e}"))?;
                (shown, bytes)
            }
            Baseline::Dir { root, shown, .. } => {
                let name = shown_path(&Path::new(shown).join(rel));
                let bytes = std::fs::read(root.join(rel))
                    .map_err(|e| format!("cannot read {name}: {}", input::io_reason(&e)))?;
                (name, bytes)
            }
            Baseline::Git(tree) => {
                let shown = tree.shown(rel);
                let bytes = tree
                    .read(rel)
                    .map_err(|e| format!("cannot read {shown}: {e}"))?;
                (shown, bytes)
            }
        };
        let text = input::decode(&shown, bytes).map_err(|e| e.to_string())?;
        Ok(BaseFile {
            shown,
            text,
            revision: None,
        })
    }
}

/// A path with `/` separators.
fn slash_path(path: &Path) -> String {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A path for messages: relative to the current directory when it is below it.
fn shown_path(path: &Path) -> String {
    input::shown_path(path, std::env::current_dir().ok().as_deref())
}

/// The trailing parts of a path, longest first: `a/b/c.km`, `b/c.km`, `c.km` (only the
/// normal components after the last `..` or root).
fn trailing_parts(path: &Path) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            Component::CurDir => {}
            _ => parts.clear(),
        }
    }
    (0..parts.len()).map(|k| parts[k..].join("/")).collect()
}

/// Git's rename detection between the revision and the working tree: new path → old path
/// (repository-relative).
fn git_renames(tree: &GitTree) -> HashMap<String, String> {
    let words = [
        "diff",
        "-M",
        "--name-status",
        "-z",
        tree.commit.as_str(),
        "--",
        "*.km",
    ];
    let Ok(out) = git::run(&tree.top, &words) else {
        return HashMap::new();
    };
    let fields: Vec<&str> = out
        .split(|&b| b == 0)
        .map(|p| std::str::from_utf8(p).unwrap_or(""))
        .collect();
    let mut renames = HashMap::new();
    let mut k = 0;
    while k < fields.len() {
        let status = fields[k];
        if status.starts_with('R') || status.starts_with('C') {
            if k + 2 < fields.len() && status.starts_with('R') {
                renames.insert(fields[k + 2].to_string(), fields[k + 1].to_string());
            }
            k += 3;
        } else {
            k += 2;
        }
    }
    renames
}

/// Pairs every loaded FILE with a baseline file (`None`: new since the baseline), by the
/// rules of `docs/compatibility.md` ("Pairing files with the baseline").
fn pair(baseline: &mut Baseline, sources: &[Source]) -> Result<Vec<Option<String>>, String> {
    let mut paired: Vec<Option<String>> = vec![None; sources.len()];
    if matches!(baseline, Baseline::File { .. } | Baseline::GitFile { .. }) {
        return Ok(vec![Some(String::new()); sources.len()]);
    }
    let listed: Vec<String> = baseline.list()?;
    let listed_set: HashSet<&str> = listed.iter().map(String::as_str).collect();
    let mut used: HashSet<String> = HashSet::new();
    // 2. The same path (longest trailing part), then 3. git's renames.
    let tree = match baseline {
        Baseline::Git(tree) => Some(tree.clone()),
        _ => None,
    };
    // Git's rename detection runs only when some file is not found by its path.
    let mut renames: Option<HashMap<String, String>> = None;
    for (k, source) in sources.iter().enumerate() {
        let Some(path) = &source.path else { continue };
        let mut keys = Vec::new();
        if let Some(tree) = &tree {
            if let Some(rel) = git::repo_relative(&tree.top, path) {
                if let Some(below) = rel.strip_prefix(tree.prefix.as_str()) {
                    keys.push(below.to_string());
                }
                keys.extend(trailing_parts(Path::new(&rel)));
            }
        }
        keys.extend(trailing_parts(path));
        let mut found = keys
            .into_iter()
            .find(|key| listed_set.contains(key.as_str()) && !used.contains(key));
        if found.is_none() {
            if let Some(tree) = &tree {
                let renames = renames.get_or_insert_with(|| git_renames(tree));
                found = git::repo_relative(&tree.top, path)
                    .and_then(|rel| renames.get(&rel))
                    .and_then(|old| old.strip_prefix(tree.prefix.as_str()))
                    .filter(|old| listed_set.contains(old) && !used.contains(*old))
                    .map(str::to_string);
            }
        }
        if let Some(key) = found {
            used.insert(key.clone());
            paired[k] = Some(key);
        }
    }
    // 4. The same file name, unique.
    for (k, source) in sources.iter().enumerate() {
        if paired[k].is_some() {
            continue;
        }
        let Some(name) = source.path.as_ref().and_then(|p| p.file_name()) else {
            continue;
        };
        let name = name.to_string_lossy();
        let same: Vec<&String> = listed
            .iter()
            .filter(|l| l.rsplit('/').next() == Some(&*name))
            .collect();
        if let [only] = same[..] {
            if !used.contains(only) {
                used.insert(only.clone());
                paired[k] = Some(only.clone());
            }
        }
    }
    // 5. The same module, unique among the files not paired yet.
    if paired.iter().any(Option::is_none) {
        let mut modules: Vec<(String, String)> = Vec::new();
        for rel in listed.iter().filter(|l| !used.contains(*l)) {
            if let Ok(file) = baseline.read(rel) {
                let module = analyze(&file.text, &AnalysisOptions::default())
                    .schema
                    .module;
                if !module.is_empty() {
                    modules.push((rel.clone(), module));
                }
            }
        }
        for (k, source) in sources.iter().enumerate() {
            if paired[k].is_some() {
                continue;
            }
            let module = &source.analysis.schema.module;
            let same: Vec<&String> = modules
                .iter()
                .filter(|(rel, m)| m == module && !used.contains(rel))
                .map(|(rel, _)| rel)
                .collect();
            if let [only] = same[..] {
                let only = only.clone();
                used.insert(only.clone());
                paired[k] = Some(only);
            }
        }
    }
    Ok(paired)
}

// ---------------------------------------------------------------------------------------
// The command

/// One violation to print, with the baseline file it was found against.
struct Found {
    violation: Violation,
    base: usize,
}

pub fn run(args: &BreakingArgs) -> Status {
    let cwd = match input::current_dir() {
        Ok(cwd) => cwd,
        Err(status) => return status,
    };
    // karmem.toml, when there is one.
    let mut section = BreakingSection::default();
    let mut config_root = cwd.clone();
    if let Some(path) = config::find(&cwd) {
        match input::load_config(&path, PathBuf::from(shown_path(&path))) {
            Ok(loaded) => {
                section = loaded.breaking;
                config_root = loaded.root;
                if config_root.is_relative() {
                    config_root = cwd.join(config_root);
                }
            }
            Err(status) => return status,
        }
    }
    let level = args
        .level
        .map(Level::category)
        .or(section.level.as_ref().map(|l| l.value))
        .unwrap_or(Category::Wire);
    let against = match (&args.against, &section.against) {
        (Some(text), _) => Some((text.clone(), cwd.clone())),
        (None, Some(text)) => Some((text.value.clone(), config_root.clone())),
        (None, None) if args.transitive.is_some() => Some(("HEAD".to_string(), cwd.clone())),
        (None, None) => None,
    };
    let Some((against, base_dir)) = against else {
        report::print_error(format_args!(
            "no baseline: give --against BASE (a file, a directory or a git revision), or set `against` in the [breaking] table of {}",
            config::FILE_NAME
        ));
        return Status::Trouble;
    };
    let mut baseline = match Baseline::resolve(&against, &base_dir) {
        Ok(baseline) => baseline,
        Err(message) => {
            report::print_error(message);
            return Status::Trouble;
        }
    };
    let transitive = match (args.transitive, &baseline) {
        (None, _) => None,
        (Some(n), Baseline::Git(tree) | Baseline::GitFile { tree, .. }) => Some((n, tree.clone())),
        (Some(_), _) => {
            report::print_error(format_args!(
                "--transitive needs a git revision baseline, and `{against}` is a file or directory"
            ));
            return Status::Trouble;
        }
    };

    let options = args.analysis.options();
    let mut status = Status::Success;
    let mut sources = Vec::new();
    for arg in &args.files {
        match input::load(arg, &options) {
            Ok(source) => sources.push(source),
            Err(error) => {
                report::print_error(&error);
                status = status.max(Status::Trouble);
            }
        }
    }
    let mut printer = Printer::new(args.format, level, &against);
    // Schemas with errors cannot be compared.
    let mut ok_sources = Vec::new();
    for source in sources {
        if source.analysis.has_errors() {
            printer.schema_errors(&source.name, &source.analysis, "");
            status = status.max(Status::Failure);
        } else {
            ok_sources.push(source);
        }
    }
    let sources = ok_sources;

    let pairs: Vec<Vec<BaseFile>> = if let Some((n, tree)) = &transitive {
        sources
            .iter()
            .map(|s| history(tree, s, *n))
            .collect::<Result<_, _>>()
            .unwrap_or_else(|message| {
                report::print_error(message);
                status = status.max(Status::Trouble);
                Vec::new()
            })
    } else {
        match pair(&mut baseline, &sources) {
            Ok(paired) => paired
                .into_iter()
                .map(|rel| match rel {
                    Some(rel) => match baseline.read(&rel) {
                        Ok(file) => vec![file],
                        Err(message) => {
                            report::print_error(message);
                            status = status.max(Status::Trouble);
                            Vec::new()
                        }
                    },
                    None => Vec::new(),
                })
                .collect(),
            Err(message) => {
                report::print_error(message);
                return Status::Trouble;
            }
        }
    };
    if pairs.len() != sources.len() {
        return status.max(Status::Trouble);
    }

    for (source, bases) in sources.iter().zip(&pairs) {
        printer.files += 1;
        if bases.is_empty() {
            printer.note(&format!(
                "{}: new since the baseline ({against}); nothing to compare",
                source.name
            ));
            continue;
        }
        let mut found: Vec<Found> = Vec::new();
        let mut seen: HashSet<(compat::Rule, Span, String)> = HashSet::new();
        for (b, base) in bases.iter().enumerate() {
            let old = analyze(&base.text, &AnalysisOptions::default());
            if old.has_errors() {
                printer.schema_errors(&base.shown, &old, " (baseline)");
                status = status.max(Status::Failure);
                continue;
            }
            for violation in compat::check(&old, &source.analysis) {
                if section.ignores(&violation) {
                    printer.ignored += 1;
                    continue;
                }
                let key = (
                    violation.rule,
                    violation.new_span,
                    violation.message.clone(),
                );
                if seen.insert(key) {
                    found.push(Found { violation, base: b });
                }
            }
        }
        found.sort_by_key(|f| (f.violation.new_span.start, f.violation.new_span.end));
        if printer.print(source, bases, &found) {
            status = status.max(Status::Failure);
        }
    }
    printer.finish();
    status
}

/// The file's last `n` revisions (newest first) from the baseline's revision.
fn history(tree: &GitTree, source: &Source, n: u32) -> Result<Vec<BaseFile>, String> {
    let Some(path) = &source.path else {
        return Err("--transitive needs schema files, not standard input".into());
    };
    let Some(rel) = git::repo_relative(&tree.top, path) else {
        return Err(format!(
            "{} is not inside the git repository {}",
            source.name,
            tree.top.display()
        ));
    };
    let log = git::text(
        &tree.top,
        &[
            "log",
            "--format=%H",
            "-n",
            &n.to_string(),
            &tree.commit,
            "--",
            &rel,
        ],
    )?;
    let mut files = Vec::new();
    for commit in log.lines().filter(|l| !l.is_empty()) {
        let object = format!("{commit}:{rel}");
        // A revision that deleted the file has nothing to compare with.
        let Ok(bytes) = git::blob(&tree.top, &object) else {
            continue;
        };
        let short = commit.chars().take(12).collect::<String>();
        let shown = format!("{short}:{rel}");
        let text = input::decode(&shown, bytes).map_err(|e| e.to_string())?;
        files.push(BaseFile {
            shown,
            text,
            revision: Some(commit.to_string()),
        });
    }
    Ok(files)
}

// ---------------------------------------------------------------------------------------
// Output

struct Printer {
    format: BreakingFormat,
    level: Category,
    against: String,
    counts: Counts,
    files: usize,
    ignored: usize,
    out: std::io::StdoutLock<'static>,
}

#[derive(Serialize)]
struct JsonEffect<'a> {
    who: &'static str,
    what: &'a str,
}

#[derive(Serialize)]
struct JsonViolation<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    severity: &'static str,
    rule: &'static str,
    category: &'static str,
    message: &'a str,
    effects: Vec<JsonEffect<'a>>,
    help: Option<&'a str>,
    against: &'a str,
    old_file: &'a str,
    old_line: u32,
    old_column: u32,
    old_end_line: u32,
    old_end_column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    revision: Option<&'a str>,
}

impl Printer {
    fn new(format: BreakingFormat, level: Category, against: &str) -> Printer {
        Printer {
            format,
            level,
            against: against.to_string(),
            counts: Counts::default(),
            files: 0,
            ignored: 0,
            out: std::io::stdout().lock(),
        }
    }

    fn note(&mut self, message: &str) {
        eprintln!("note: {message}");
    }

    /// A schema that cannot be compared because it has errors.
    fn schema_errors(&mut self, name: &str, analysis: &Analysis, what: &str) {
        let errors: Vec<&karmem_syntax::Diagnostic> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        match self.format {
            BreakingFormat::Text => {
                let stream = StandardStream::stderr(report::stderr_color());
                let mut lock = stream.lock();
                report::render_human(&mut lock, name, &analysis.text, &errors);
            }
            BreakingFormat::Json | BreakingFormat::Github => report::write_lines(
                &mut self.out,
                self.format == BreakingFormat::Json,
                name,
                &analysis.text,
                &errors,
            ),
        }
        report::print_error(format_args!(
            "{name}{what} has errors; it cannot be compared until they are fixed"
        ));
    }

    /// Prints one file's violations; whether any is at the level.
    fn print(&mut self, source: &Source, bases: &[BaseFile], found: &[Found]) -> bool {
        let mut failed = false;
        let new_index = LineIndex::new(&source.analysis.text);
        let old_indexes: Vec<LineIndex> = bases.iter().map(|b| LineIndex::new(&b.text)).collect();
        for f in found {
            let v = &f.violation;
            let base = &bases[f.base];
            let error = v.category().within(self.level);
            failed |= error;
            if error {
                self.counts.errors += 1;
            } else {
                self.counts.warnings += 1;
            }
            match self.format {
                BreakingFormat::Text => {
                    let report = text_report(v, error, self.level, base);
                    let mut files = SimpleFiles::new();
                    let new_id = files.add(source.name.as_str(), source.analysis.text.as_str());
                    let old_id = files.add(base.shown.as_str(), base.text.as_str());
                    let report = report.with_labels(vec![
                        Label::primary(
                            new_id,
                            report::byte_range(&source.analysis.text, v.new_span),
                        ),
                        Label::secondary(old_id, report::byte_range(&base.text, v.old_span))
                            .with_message("in the baseline"),
                    ]);
                    let stream = StandardStream::stderr(report::stderr_color());
                    let mut lock = stream.lock();
                    let _ = term::emit_to_write_style(
                        &mut lock,
                        &TermConfig::default(),
                        &files,
                        &report,
                    );
                }
                BreakingFormat::Json => {
                    let pos = Position::of(&new_index, v.new_span);
                    let old = Position::of(&old_indexes[f.base], v.old_span);
                    let line = JsonViolation {
                        file: &source.name,
                        line: pos.line,
                        column: pos.column,
                        end_line: pos.end_line,
                        end_column: pos.end_column,
                        severity: if error { "error" } else { "warning" },
                        rule: v.rule.as_str(),
                        category: v.category().as_str(),
                        message: &v.message,
                        effects: v
                            .effects
                            .iter()
                            .map(|e| JsonEffect {
                                who: e.who.key(),
                                what: &e.what,
                            })
                            .collect(),
                        help: v.help.as_deref(),
                        against: &self.against,
                        old_file: &base.shown,
                        old_line: old.line,
                        old_column: old.column,
                        old_end_line: old.end_line,
                        old_end_column: old.end_column,
                        revision: base.revision.as_deref(),
                    };
                    let _ = writeln!(
                        self.out,
                        "{}",
                        serde_json::to_string(&line).unwrap_or_default()
                    );
                }
                BreakingFormat::Github => {
                    let pos = Position::of(&new_index, v.new_span);
                    let old = Position::of(&old_indexes[f.base], v.old_span);
                    let mut message = format!(
                        "{} [{}] (was at {}:{}:{})",
                        v.message,
                        v.category(),
                        base.shown,
                        old.line,
                        old.column
                    );
                    for e in &v.effects {
                        let _ = write!(message, "\n{}: {}", e.who.as_str(), e.what);
                    }
                    let _ = writeln!(
                        self.out,
                        "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                        if error { "error" } else { "warning" },
                        report::escape_property(&source.name),
                        pos.line,
                        pos.column,
                        pos.end_line,
                        pos.end_column,
                        report::escape_property(v.rule.as_str()),
                        report::escape_data(&message)
                    );
                }
            }
        }
        failed
    }

    fn finish(&mut self) {
        let _ = self.out.flush();
        if self.format == BreakingFormat::Text {
            let mut line = self.counts.summary(self.files, false);
            let _ = write!(line, " (level {}", self.level);
            if self.ignored > 0 {
                let _ = write!(line, "; {} ignored", self.ignored);
            }
            line.push(')');
            eprintln!("{line}");
        }
    }
}

fn text_report(v: &Violation, error: bool, level: Category, base: &BaseFile) -> Report<usize> {
    let severity = if error {
        ReportSeverity::Error
    } else {
        ReportSeverity::Warning
    };
    let mut notes: Vec<String> = v
        .effects
        .iter()
        .map(|e| format!("{}: {}", e.who.as_str(), e.what))
        .collect();
    if let Some(help) = &v.help {
        notes.push(format!("help: {help}"));
    }
    let verdict = if error {
        format!("fails at level `{level}`")
    } else {
        format!("outside level `{level}`")
    };
    let mut category = format!("category `{}` ({verdict})", v.category());
    if let Some(revision) = &base.revision {
        let _ = write!(category, "; first found against revision {revision}");
    }
    notes.push(category);
    Report::new(severity)
        .with_code(v.rule.as_str())
        .with_message(&v.message)
        .with_notes(notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_parts_longest_first() {
        assert_eq!(
            trailing_parts(Path::new("schemas/game/a.km")),
            ["schemas/game/a.km", "game/a.km", "a.km"]
        );
        assert_eq!(trailing_parts(Path::new("../x/./a.km")), ["x/a.km", "a.km"]);
        assert_eq!(trailing_parts(Path::new("/abs/a.km")), ["abs/a.km", "a.km"]);
    }
}
