//! Compatibility diagnostics: the open document compared with its git baseline
//! (`karmem.compat.against`, default `HEAD`) by [`karmem_syntax::compat::check`].
//!
//! Git runs through its command line, as in `karmem breaking`, always on tokio's blocking
//! pool (never on the message loop). A revision is resolved (`git rev-parse`) at most once
//! every [`RESOLVE_EVERY`] per repository, or again after a save; the baseline text of a
//! (repository, commit, path) is fetched (`git show COMMIT:path`) and analysed once, then
//! cached. A file outside a repository, or not tracked at the revision, has no baseline.
//!
//! Severity: `Error` for the `wire` category, `Warning` for the others. The code is the rule
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

use karmem_syntax::compat::{self, Category, Violation};
use karmem_syntax::line_index::{Encoding, LineIndex};
use karmem_syntax::{analyze, Analysis, AnalysisOptions};
use tower_lsp_server::ls_types::{self as lsp, Uri};

use super::convert;
use super::documents::Analyzed;

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

/// The compatibility diagnostics of `new` against `base`; none when either has errors.
pub fn diagnostics(
    uri: &Uri,
    new: &Analyzed,
    base: &Baseline,
    enc: Encoding,
) -> Vec<lsp::Diagnostic> {
    if new.analysis.has_errors() || base.analysis.has_errors() {
        return Vec::new();
    }
    compat::check(&base.analysis, &new.analysis)
        .iter()
        .map(|v| diagnostic(uri, new, base, v, enc))
        .collect()
}

/// The severity of a violation: `Error` for `wire`, `Warning` otherwise.
pub fn severity(category: Category) -> lsp::DiagnosticSeverity {
    if category == Category::Wire {
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
        severity: Some(severity(v.category())),
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
        data: None,
    }
}
