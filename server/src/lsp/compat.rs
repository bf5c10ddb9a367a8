//! Compatibility diagnostics: the open document compared with its git baseline
//! (`karmem.compat.against`, default `HEAD`) by [`karmem_syntax::compat::check`].
//!
//! Git runs through its command line, as in `karmem breaking`, always on tokio's blocking
//! pool (never on the message loop). A revision is resolved (`git rev-parse`) at most once
//! every [`RESOLVE_EVERY`] per repository, or again after a save; the baseline text of a
//! (repository, commit, path) is fetched (`git show COMMIT:path`) and analysed once, then
//! cached. A file outside a repository, or not tracked at the revision, has no baseline.
//!
//! The project's `karmem.toml` `[breaking]` table applies as in `karmem breaking`: ignored
//! rules are not shown, and the severity is `Error` for categories within its `level`
//! (default `wire`) and `Warning` for the others. The whole configuration is read when a
//! document is published, cached by the file's modification time; it also decides which
//! targets' name problems show ([`CompatState::project_rules`], remembered per schema until
//! a schema file appears, disappears or is saved: planning globs the project's schemas).
//! Each diagnostic carries its rule id and ignore entry in `data`, for the "accept this
//! break" quick fix ([`accept_break`]), which adds that entry to `karmem.toml`.
//!
//! The code is the rule
//! id, with a link to `docs/compatibility.md#<rule>`; the source is `karmem-compat`. The
//! related information points at the same place in the *current* file (a position in the
//! baseline text would be wrong in this file, and `git:` URIs are editor-specific), with a
//! message `was: <old line> (REV:line N)` quoting the old declaration.

use crate::git;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use karmem_codegen::config::{self, BreakingSection, Config};
use karmem_codegen::config_edit;
use karmem_syntax::compat::{self, Category, Violation};
use karmem_syntax::line_index::{Encoding, LineIndex};
use karmem_syntax::{analyze, Analysis, AnalysisOptions};
use tower_lsp_server::ls_types::{self as lsp, Uri};

use super::convert;
use super::documents::Analyzed;
use super::generate::enabled_targets;

/// The `source` of compatibility diagnostics.
pub const SOURCE: &str = "karmem-compat";

/// Where `docs/compatibility.md` is published (next to `docs/diagnostics.md`).
pub fn docs_base() -> String {
    convert::DIAGNOSTICS_DOCS.replace("diagnostics.md", "compatibility.md")
}

/// How long a resolved revision is trusted before `git rev-parse` runs again.
pub const RESOLVE_EVERY: Duration = Duration::from_secs(3);

/// An analysed baseline file.
#[derive(Debug)]
pub struct Baseline {
    /// The revision as configured (for messages).
    pub rev: String,
    pub analysis: Analysis,
    pub index: LineIndex,
}

#[derive(Default)]
struct Caches {
    /// The repository top-level of a directory (`None`: not in a repository).
    tops: HashMap<PathBuf, Option<PathBuf>>,
    /// (top, revision) → (when resolved, commit or `None` when unknown).
    revs: HashMap<(PathBuf, String), (Instant, Option<String>)>,
    /// (top, commit, path) → the analysed file (`None`: not tracked there).
    files: HashMap<(PathBuf, String, String), Option<Arc<Baseline>>>,
    /// `karmem.toml` → what was read from it.
    configs: HashMap<PathBuf, CachedConfig>,
}

/// One `karmem.toml` as read at one modification time.
struct CachedConfig {
    modified: Option<std::time::SystemTime>,
    /// The configuration (`None`: it has errors).
    config: Option<Arc<Config>>,
    /// Its `[breaking]` table (the defaults when it has errors).
    rules: Arc<BreakingSection>,
    /// The targets enabled for each schema asked about ([`enabled_targets`]).
    targets: HashMap<PathBuf, Arc<[&'static str]>>,
}

/// What the diagnostics of a schema take from its project's `karmem.toml`.
#[derive(Default)]
pub struct ProjectRules {
    /// The `[breaking]` table (the defaults when there is none or it has errors).
    pub breaking: Arc<BreakingSection>,
    /// The targets whose name problems show ([`enabled_targets`]; none without a valid
    /// configuration).
    pub targets: Arc<[&'static str]>,
}

/// The baselines of every document; shared by the diagnostics tasks.
#[derive(Default)]
pub struct CompatState {
    caches: Mutex<Caches>,
}

impl CompatState {
    fn lock(&self) -> std::sync::MutexGuard<'_, Caches> {
        self.caches.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets resolved revisions (after a save, the revision may have moved).
    pub fn invalidate_revisions(&self) {
        self.lock().revs.clear();
    }

    /// The project of `schema` (the nearest `karmem.toml`), read once per modification
    /// time of the file: its `[breaking]` table (the defaults when there is none or it has
    /// errors) and the generation targets it enables for `schema` (planned once per
    /// configuration read, until [`CompatState::forget_targets`]).
    pub fn project_rules(&self, schema: &Path) -> ProjectRules {
        let Some(file) = schema.parent().and_then(config::find) else {
            return ProjectRules::default();
        };
        let modified = std::fs::metadata(&file).and_then(|m| m.modified()).ok();
        let cached = self
            .lock()
            .configs
            .get(&file)
            .filter(|cached| cached.modified == modified && modified.is_some())
            .map(|cached| {
                (
                    cached.config.clone(),
                    cached.rules.clone(),
                    cached.targets.get(schema).cloned(),
                )
            });
        let (config, breaking) = match cached {
            Some((_, breaking, Some(targets))) => return ProjectRules { breaking, targets },
            Some((config, breaking, None)) => (config, breaking),
            None => {
                let config = config::load(&file).ok().map(Arc::new);
                let breaking = Arc::new(
                    config
                        .as_ref()
                        .map(|c| c.breaking.clone())
                        .unwrap_or_default(),
                );
                self.lock().configs.insert(
                    file.clone(),
                    CachedConfig {
                        modified,
                        config: config.clone(),
                        rules: breaking.clone(),
                        targets: HashMap::new(),
                    },
                );
                (config, breaking)
            }
        };
        let targets: Arc<[&'static str]> = config
            .as_ref()
            .map_or_else(Vec::new, |config| enabled_targets(config, schema))
            .into();
        if let Some(cached) = self.lock().configs.get_mut(&file) {
            cached.targets.insert(schema.to_path_buf(), targets.clone());
        }
        ProjectRules { breaking, targets }
    }

    /// Forgets the targets planned for each schema (a schema file appeared or disappeared,
    /// which may change what the `[[generate]]` globs match).
    pub fn forget_targets(&self) {
        for cached in self.lock().configs.values_mut() {
            cached.targets.clear();
        }
    }

    /// Forgets the configurations read (a `karmem.toml` changed).
    pub fn forget_configs(&self) {
        self.lock().configs.clear();
    }

    /// The repository top-level of `dir`, if already known (git is not run).
    pub fn known_top(&self, dir: &Path) -> Option<PathBuf> {
        self.lock().tops.get(dir).cloned().flatten()
    }

    /// The baseline of `path` at `rev` if it is known without running git (the cached
    /// file of a revision resolved less than [`RESOLVE_EVERY`] ago). `Some(None)`: known to
    /// have none.
    pub fn cached(&self, path: &Path, rev: &str) -> Option<Option<Arc<Baseline>>> {
        self.lookup(path, rev, true)
    }

    /// Like [`CompatState::cached`], but also when the revision was resolved long ago (the
    /// baseline to show until the revision is resolved again).
    pub fn last_known(&self, path: &Path, rev: &str) -> Option<Option<Arc<Baseline>>> {
        self.lookup(path, rev, false)
    }

    fn lookup(&self, path: &Path, rev: &str, fresh: bool) -> Option<Option<Arc<Baseline>>> {
        let caches = self.lock();
        let dir = path.parent()?;
        let top = match caches.tops.get(dir)? {
            Some(top) => top.clone(),
            None => return Some(None),
        };
        let (when, commit) = caches.revs.get(&(top.clone(), rev.to_string()))?;
        if fresh && when.elapsed() > RESOLVE_EVERY {
            return None;
        }
        let Some(commit) = commit else {
            return Some(None);
        };
        let rel = git::repo_relative(&top, path)?;
        caches.files.get(&(top, commit.clone(), rel)).cloned()
    }

    /// The baseline of `path` at `rev`, running git on the blocking pool when needed.
    pub async fn baseline(self: &Arc<Self>, path: PathBuf, rev: String) -> Option<Arc<Baseline>> {
        if let Some(known) = self.cached(&path, &rev) {
            return known;
        }
        let this = self.clone();
        tokio::task::spawn_blocking(move || this.fetch(&path, &rev))
            .await
            .ok()
            .flatten()
    }

    fn fetch(&self, path: &Path, rev: &str) -> Option<Arc<Baseline>> {
        let dir = path.parent()?.to_path_buf();
        let known_top = self.lock().tops.get(&dir).cloned();
        let top = match known_top {
            Some(top) => top,
            None => {
                let top = git::text(&dir, &["rev-parse", "--show-toplevel"])
                    .ok()
                    .map(PathBuf::from)
                    .map(|p| p.canonicalize().unwrap_or(p));
                self.lock().tops.insert(dir.clone(), top.clone());
                top
            }
        }?;
        let key = (top.clone(), rev.to_string());
        let fresh = self
            .lock()
            .revs
            .get(&key)
            .filter(|(when, _)| when.elapsed() <= RESOLVE_EVERY)
            .map(|(_, c)| c.clone());
        let commit = match fresh {
            Some(commit) => commit,
            None => {
                let spec = format!("{rev}^{{commit}}");
                let commit = git::text(&top, &["rev-parse", "--verify", "--quiet", &spec]).ok();
                self.lock()
                    .revs
                    .insert(key, (Instant::now(), commit.clone()));
                commit
            }
        }?;
        let rel = git::repo_relative(&top, path)?;
        let file_key = (top.clone(), commit.clone(), rel.clone());
        if let Some(known) = self.lock().files.get(&file_key) {
            return known.clone();
        }
        let baseline = git::run(&top, &["show", &format!("{commit}:{rel}")])
            .ok()
            .map(|bytes| {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let analysis = analyze(&text, &AnalysisOptions::default());
                let index = LineIndex::new(&analysis.text);
                Arc::new(Baseline {
                    rev: rev.to_string(),
                    analysis,
                    index,
                })
            });
        self.lock().files.insert(file_key, baseline.clone());
        baseline
    }
}

/// The compatibility diagnostics of `new` against `base` under the project's `rules`;
/// none when either has errors.
pub fn diagnostics(
    uri: &Uri,
    new: &Analyzed,
    base: &Baseline,
    rules: &BreakingSection,
    enc: Encoding,
) -> Vec<lsp::Diagnostic> {
    if new.analysis.has_errors() || base.analysis.has_errors() {
        return Vec::new();
    }
    let level = rules.level.as_ref().map_or(Category::Wire, |l| l.value);
    compat::check(&base.analysis, &new.analysis)
        .iter()
        .filter(|v| !rules.ignores(v))
        .map(|v| diagnostic(uri, new, base, v, level, enc))
        .collect()
}

/// The severity of a violation: `Error` when its category is within `level`, `Warning`
/// otherwise.
pub fn severity(category: Category, level: Category) -> lsp::DiagnosticSeverity {
    if category.within(level) {
        lsp::DiagnosticSeverity::ERROR
    } else {
        lsp::DiagnosticSeverity::WARNING
    }
}

fn diagnostic(
    uri: &Uri,
    new: &Analyzed,
    base: &Baseline,
    v: &Violation,
    level: Category,
    enc: Encoding,
) -> lsp::Diagnostic {
    let range = convert::range(&new.index, v.new_span, enc);
    let rule = v.rule.as_str();
    let href = format!("{}#{}", docs_base(), rule.to_ascii_lowercase());
    let old_text = &base.analysis.text;
    let start = v.old_span.start.min(old_text.len());
    let line_start = old_text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = old_text[start..]
        .find('\n')
        .map_or(old_text.len(), |i| start + i);
    let old_line = old_text.get(line_start..line_end).unwrap_or("").trim();
    let old_line_no = base.index.line_col(start, enc).line + 1;
    let mut message = format!("{} (breaks `{}`)", v.message, v.category().as_str());
    if let Some(help) = &v.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    lsp::Diagnostic {
        range,
        severity: Some(severity(v.category(), level)),
        code: Some(lsp::NumberOrString::String(rule.to_string())),
        code_description: Uri::from_str(&href)
            .ok()
            .map(|href| lsp::CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message,
        related_information: Some(vec![lsp::DiagnosticRelatedInformation {
            location: lsp::Location::new(uri.clone(), range),
            message: format!("was: `{old_line}` ({}:line {old_line_no})", base.rev),
        }]),
        tags: None,
        data: Some(serde_json::json!({
            "rule": rule,
            "ignore": ignore_entry(v),
        })),
    }
}

/// The `karmem.toml` ignore entry that covers exactly `v`: `Type` or `Type.Member`.
fn ignore_entry(v: &Violation) -> String {
    match &v.member {
        Some(member) => format!("{}.{member}", v.subject),
        None => v.subject.clone(),
    }
}

/// The "accept this break" quick fix for a compatibility diagnostic of the schema at
/// `schema`: add its ignore entry to the project's `karmem.toml` (created beside the
/// repository top-level, or the schema, when there is none — only if the client can create
/// files). `None` when the diagnostic is not ours or the file cannot be edited.
pub fn accept_break(
    state: &CompatState,
    schema: &Path,
    diagnostic: &lsp::Diagnostic,
    create_files: bool,
) -> Option<lsp::CodeAction> {
    if diagnostic.source.as_deref() != Some(SOURCE) {
        return None;
    }
    let data = diagnostic.data.as_ref()?;
    let rule = data.get("rule")?.as_str()?;
    let entry = data.get("ignore")?.as_str()?;
    let dir = schema.parent()?;
    let existing = config::find(dir);
    let file = existing.clone().unwrap_or_else(|| {
        state
            .known_top(dir)
            .unwrap_or_else(|| dir.to_path_buf())
            .join(config::FILE_NAME)
    });
    let old = match &existing {
        Some(path) => std::fs::read_to_string(path).ok()?,
        None if create_files => String::new(),
        None => return None,
    };
    let new = config_edit::add_ignore(&old, rule, entry).ok()??;
    let uri = Uri::from_file_path(&file)?;
    let lines = old.split('\n').count() as u32;
    let edit = lsp::TextEdit {
        range: lsp::Range::new(lsp::Position::new(0, 0), lsp::Position::new(lines, 0)),
        new_text: new,
    };
    let text_edit = lsp::TextDocumentEdit {
        text_document: lsp::OptionalVersionedTextDocumentIdentifier {
            uri: uri.clone(),
            version: None,
        },
        edits: vec![lsp::OneOf::Left(edit.clone())],
    };
    let workspace_edit = if existing.is_none() {
        lsp::WorkspaceEdit {
            document_changes: Some(lsp::DocumentChanges::Operations(vec![
                lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Create(lsp::CreateFile {
                    uri,
                    options: Some(lsp::CreateFileOptions {
                        overwrite: Some(false),
                        ignore_if_exists: Some(true),
                    }),
                    annotation_id: None,
                })),
                lsp::DocumentChangeOperation::Edit(text_edit),
            ])),
            ..Default::default()
        }
    } else {
        lsp::WorkspaceEdit {
            changes: Some(HashMap::from([(uri, vec![edit])])),
            ..Default::default()
        }
    };
    Some(lsp::CodeAction {
        title: format!("Accept this break: ignore {rule} for `{entry}` in karmem.toml"),
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(workspace_edit),
        command: None,
        is_preferred: Some(false),
        disabled: None,
        data: None,
    })
}
