//! The open documents: one owner applies every change in order, readers get immutable
//! per-version snapshots that are analysed at most once, lazily.
//!
//! tower-lsp-server runs handlers concurrently (`buffer_unordered`, tower-lsp issue 284), so
//! nothing here is `async`: `didChange` applies its edits to the document's rope inside one
//! `std::sync::Mutex` critical section with no `.await` in it, and handlers are first polled
//! in arrival order, so edits are applied in the order the client sent them. A change whose
//! version is not newer than the document's is stale and dropped (with a log line).
//!
//! Each applied change publishes a new [`Snapshot`] (a cheap clone of the rope plus the
//! version) on the document's `watch` channel. A snapshot is analysed the first time someone
//! asks ([`Snapshot::analysis`]): one analysis per snapshot, whatever the number of waiters,
//! and none at all when every reference to the snapshot is gone before its turn comes (a
//! burst of keystrokes costs one analysis, of the newest text). Analyses run one at a time
//! on one dedicated thread ([`Analyzer`]), which also frees the replaced versions before it
//! analyses the next one: memory holds the cached analysis of each open document plus at
//! most one in progress.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use karmem_syntax::line_index::{Encoding, LineIndex};
use karmem_syntax::{analyze, Analysis, AnalysisOptions};
use ropey::Rope;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower_lsp_server::ls_types::Uri;

use super::text::{self, Change};

/// An analysis and the line index of its text: everything a request needs.
#[derive(Debug)]
pub struct Analyzed {
    pub analysis: Analysis,
    pub index: LineIndex,
    /// How long the analysis (and the line index) took.
    pub elapsed: std::time::Duration,
}

/// The outcome of analysing a snapshot (`Err` only when the analysis task panicked).
pub type AnalysisResult = Result<Arc<Analyzed>, Arc<str>>;

/// One version of one document. Immutable, except for the cached analysis.
pub struct Snapshot {
    pub uri: Uri,
    pub version: i32,
    rope: Rope,
    options: AnalysisOptions,
    analyzer: Arc<Analyzer>,
    started: AtomicBool,
    result: watch::Sender<Option<AnalysisResult>>,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("uri", &self.uri.as_str())
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl Snapshot {
    fn new(
        uri: Uri,
        version: i32,
        rope: Rope,
        options: AnalysisOptions,
        analyzer: Arc<Analyzer>,
    ) -> Arc<Self> {
        Arc::new(Snapshot {
            uri,
            version,
            rope,
            options,
            analyzer,
            started: AtomicBool::new(false),
            result: watch::Sender::new(None),
        })
    }

    /// The text of this version.
    pub fn text(&self) -> String {
        self.rope.to_string()
    }

    /// The length of the text in bytes.
    pub fn len_bytes(&self) -> usize {
        self.rope.len_bytes()
    }

    /// The analysis of this version, computed on first use (see the module documentation).
    pub async fn analysis(self: &Arc<Self>) -> AnalysisResult {
        if let Some(result) = self.result.borrow().as_ref() {
            return result.clone();
        }
        // Subscribe before starting, so the result cannot be missed.
        let mut rx = self.result.subscribe();
        if !self.started.swap(true, Ordering::AcqRel) {
            self.analyzer.submit(Arc::downgrade(self));
        }
        let result = match rx.wait_for(Option::is_some).await {
            Ok(result) => result
                .as_ref()
                .cloned()
                .unwrap_or_else(|| Err("no analysis".into())),
            Err(_) => Err("the analysis was dropped".into()),
        };
        result
    }

    /// The analysis if it is already done.
    pub fn analysis_if_done(&self) -> Option<AnalysisResult> {
        self.result.borrow().clone()
    }
}

/// The thread every analysis runs on, one at a time, in the order they were asked for.
///
/// One thread rather than tokio's blocking pool: an analysis allocates a lot (about 50
/// times the text), and with one thread all of it comes from, and goes back to, one
/// allocator arena, so the memory of the previous version is reused instead of piling up
/// in per-thread arenas. After analysing a large text, free memory is handed back to the
/// operating system ([`release_free_memory`]). Replaced snapshots are dropped on this thread
/// too ([`Analyzer::retire`]).
pub struct Analyzer {
    jobs: Mutex<std::sync::mpsc::Sender<Job>>,
    /// Replaced snapshots, dropped by the analysis thread before its next job.
    graveyard: Arc<Mutex<Vec<Arc<Snapshot>>>>,
}

enum Job {
    /// Analyse the snapshot if anyone still needs it.
    Analyze(Weak<Snapshot>),
    /// Only empty the graveyard.
    Collect,
}

/// Texts at least this long are followed by [`release_free_memory`].
pub const TRIM_AFTER: usize = 512 * 1024;

impl Analyzer {
    pub fn new() -> Arc<Self> {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let graveyard: Arc<Mutex<Vec<Arc<Snapshot>>>> = Arc::default();
        let dead = graveyard.clone();
        let spawned = std::thread::Builder::new()
            .name("karmem-analysis".to_string())
            .spawn(move || {
                while let Ok(job) = rx.recv() {
                    // Free replaced versions first, so their memory is reused by this job.
                    let retired =
                        std::mem::take(&mut *dead.lock().unwrap_or_else(|e| e.into_inner()));
                    drop(retired);
                    if let Job::Analyze(snapshot) = job {
                        run_job(snapshot);
                    }
                }
            });
        if let Err(e) = spawned {
            eprintln!("[karmem-lsp error] cannot start the analysis thread: {e}");
        }
        Arc::new(Analyzer {
            jobs: Mutex::new(tx),
            graveyard,
        })
    }

    fn send(&self, job: Job) -> Result<(), Job> {
        self.jobs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .send(job)
            .map_err(|e| e.0)
    }

    fn submit(&self, job: Weak<Snapshot>) {
        if let Err(Job::Analyze(job)) = self.send(Job::Analyze(job)) {
            // No analysis thread: analyse here rather than leave the waiters hanging.
            run_job(job);
        }
    }

    /// Hands a replaced snapshot to the analysis thread, which drops it (and its analysis,
    /// if nobody else holds it: tens of milliseconds for a large schema) before it starts
    /// on anything else. Call [`Analyzer::collect`] afterwards.
    fn retire(&self, snapshot: Arc<Snapshot>) {
        self.graveyard
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(snapshot);
    }

    /// Wakes the analysis thread to empty the graveyard even if no analysis follows.
    fn collect(&self) {
        if self.send(Job::Collect).is_err() {
            self.graveyard
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clear();
        }
    }
}

fn run_job(job: Weak<Snapshot>) {
    // Nobody needs this version any more: skip it.
    let Some((rope, options)) = job.upgrade().map(|s| (s.rope.clone(), s.options)) else {
        return;
    };
    let len = rope.len_bytes();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let started = std::time::Instant::now();
        let text = rope.to_string();
        drop(rope);
        let analysis = analyze(&text, &options);
        drop(text);
        let index = LineIndex::new(&analysis.text);
        let elapsed = started.elapsed();
        Arc::new(Analyzed {
            analysis,
            index,
            elapsed,
        })
    }));
    let result: AnalysisResult = outcome.map_err(|_| "the analysis panicked".into());
    if let Some(snapshot) = job.upgrade() {
        snapshot.result.send_replace(Some(result));
    }
    if len >= TRIM_AFTER {
        release_free_memory();
    }
}

/// Returns the allocator's free memory to the operating system (glibc keeps it otherwise,
/// and the resident size of the server would stay at the peak of its largest analysis).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn release_free_memory() {
    extern "C" {
        fn malloc_trim(pad: usize) -> std::os::raw::c_int;
    }
    // SAFETY: `malloc_trim` only releases memory that is already free; it takes the
    // allocator's locks itself and is safe to call from any thread at any time.
    unsafe {
        malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn release_free_memory() {}

/// Why a `didChange` was not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeError {
    UnknownDocument,
    /// The change's version is not newer than the document's.
    Stale {
        current: i32,
        got: i32,
    },
    /// An edit could not be applied (the document is left as the edits before it made it).
    Edit(String),
}

impl std::fmt::Display for ChangeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChangeError::UnknownDocument => write!(f, "change to a document that is not open"),
            ChangeError::Stale { current, got } => write!(
                f,
                "stale change dropped: version {got} is not newer than {current}"
            ),
            ChangeError::Edit(e) => write!(f, "could not apply an edit: {e}"),
        }
    }
}

struct Document {
    version: i32,
    rope: Rope,
    latest: watch::Sender<Arc<Snapshot>>,
    worker: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct Docs {
    open: HashMap<Uri, Document>,
    /// The diagnostics tasks of closed documents, still publishing their final clearing.
    closing: HashMap<Uri, JoinHandle<()>>,
}

/// Every open document, behind one lock that is never held across an `.await`.
pub struct DocumentStore {
    docs: Mutex<Docs>,
    analyzer: Arc<Analyzer>,
    options: AnalysisOptions,
}

impl Default for DocumentStore {
    fn default() -> Self {
        DocumentStore::new(AnalysisOptions::default())
    }
}

impl DocumentStore {
    pub fn new(options: AnalysisOptions) -> Self {
        DocumentStore {
            docs: Mutex::new(Docs::default()),
            analyzer: Analyzer::new(),
            options,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Docs> {
        // A panic never happens while the lock is held (no analysis, no indexing that can
        // panic); should one happen anyway, the map itself is still consistent.
        self.docs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Opens (or reopens) a document. `spawn_worker` receives the document's snapshot
    /// channel and the task that served the same URI before (closed, or replaced by this
    /// reopening), which the new task must let finish first.
    pub fn open(
        &self,
        uri: Uri,
        version: i32,
        text: &str,
        spawn_worker: impl FnOnce(
            watch::Receiver<Arc<Snapshot>>,
            Option<JoinHandle<()>>,
        ) -> JoinHandle<()>,
    ) {
        let rope = Rope::from_str(text);
        let snapshot = Snapshot::new(
            uri.clone(),
            version,
            rope.clone(),
            self.options,
            self.analyzer.clone(),
        );
        let (latest, rx) = watch::channel(snapshot);
        let mut docs = self.lock();
        // Replacing an open document drops its sender, which ends its task.
        let previous = match docs.open.remove(&uri) {
            Some(mut old) => old.worker.take(),
            None => docs.closing.remove(&uri),
        };
        let worker = spawn_worker(rx, previous);
        docs.open.insert(
            uri,
            Document {
                version,
                rope,
                latest,
                worker: Some(worker),
            },
        );
    }

    /// Applies the changes of one `didChange` in order and publishes the new snapshot.
    pub fn change(
        &self,
        uri: &Uri,
        version: i32,
        changes: &[Change<'_>],
        encoding: Encoding,
    ) -> Result<(), ChangeError> {
        let mut docs = self.lock();
        let doc = docs.open.get_mut(uri).ok_or(ChangeError::UnknownDocument)?;
        if version <= doc.version {
            return Err(ChangeError::Stale {
                current: doc.version,
                got: version,
            });
        }
        let mut failure = None;
        for change in changes {
            if let Err(e) = text::apply(&mut doc.rope, change, encoding) {
                failure = Some(ChangeError::Edit(e));
                break;
            }
        }
        doc.version = version;
        let snapshot = Snapshot::new(
            uri.clone(),
            version,
            doc.rope.clone(),
            self.options,
            self.analyzer.clone(),
        );
        // The replaced version goes to the analysis thread's graveyard *before* the new one
        // is published: the diagnostics task wakes on publication and asks for an analysis,
        // and the old analysis must be freed before the new one is built (not this handler:
        // freeing the analysis of a large schema takes tens of milliseconds).
        doc.latest.send_modify(|latest| {
            let previous = std::mem::replace(latest, snapshot);
            self.analyzer.retire(previous);
        });
        drop(docs);
        self.analyzer.collect();
        failure.map_or(Ok(()), Err)
    }

    /// Closes a document; false when it was not open. Its diagnostics task sees the
    /// channel close, publishes an empty list and ends.
    pub fn close(&self, uri: &Uri) -> bool {
        let mut docs = self.lock();
        docs.closing.retain(|_, task| !task.is_finished());
        match docs.open.remove(uri) {
            Some(mut doc) => {
                if let Some(worker) = doc.worker.take() {
                    docs.closing.insert(uri.clone(), worker);
                }
                true
            }
            None => false,
        }
    }

    /// The newest snapshot of an open document.
    pub fn snapshot(&self, uri: &Uri) -> Option<Arc<Snapshot>> {
        self.lock().open.get(uri).map(|d| d.latest.borrow().clone())
    }

    /// The newest snapshot of every open document.
    pub fn snapshots(&self) -> Vec<Arc<Snapshot>> {
        self.lock()
            .open
            .values()
            .map(|d| d.latest.borrow().clone())
            .collect()
    }

    /// Makes every open document's diagnostics task publish again (its snapshot unchanged),
    /// e.g. after `karmem.toml` changed.
    pub fn republish_all(&self) {
        for doc in self.lock().open.values() {
            doc.latest.send_modify(|_| {});
        }
    }

    /// Stops every diagnostics task (at shutdown).
    pub fn stop_workers(&self) {
        for doc in self.lock().open.values_mut() {
            if let Some(worker) = doc.worker.take() {
                worker.abort();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::lsp::text::Pos;

    fn uri() -> Uri {
        Uri::from_str("file:///t.km").unwrap()
    }

    fn open(store: &DocumentStore, text: &str) {
        store.open(uri(), 1, text, |_rx, _previous| tokio::spawn(async {}));
    }

    fn insert(line: u32, col: u32, text: &str) -> Change<'_> {
        let at = Pos { line, col };
        Change {
            range: Some((at, at)),
            text,
        }
    }

    #[tokio::test]
    async fn changes_apply_in_order_and_stale_ones_are_dropped() {
        let store = DocumentStore::default();
        open(&store, "karmem a;\n");
        let changes = [
            insert(1, 0, "struct A inline { X uint8; }\n"),
            insert(0, 7, "b"),
        ];
        store.change(&uri(), 2, &changes, Encoding::Utf16).unwrap();
        assert_eq!(
            store.change(&uri(), 2, &[insert(0, 0, "x")], Encoding::Utf16),
            Err(ChangeError::Stale { current: 2, got: 2 })
        );
        let snapshot = store.snapshot(&uri()).unwrap();
        assert_eq!(snapshot.version, 2);
        assert_eq!(
            snapshot.text(),
            "karmem ba;\nstruct A inline { X uint8; }\n"
        );
        let analyzed = snapshot.analysis().await.unwrap();
        assert_eq!(analyzed.analysis.schema.structs.len(), 1);
        assert_eq!(
            store.change(
                &Uri::from_str("file:///other.km").unwrap(),
                9,
                &[],
                Encoding::Utf8
            ),
            Err(ChangeError::UnknownDocument)
        );
    }

    #[tokio::test]
    async fn a_snapshot_is_analysed_once_and_keeps_its_text() {
        let store = DocumentStore::default();
        open(&store, "karmem a;\n");
        let old = store.snapshot(&uri()).unwrap();
        store
            .change(&uri(), 5, &[insert(0, 0, "// c\n")], Encoding::Utf16)
            .unwrap();
        let new = store.snapshot(&uri()).unwrap();
        // Requests holding the old snapshot still see the old text.
        assert_eq!(old.analysis().await.unwrap().analysis.text, "karmem a;\n");
        let (a, b) = tokio::join!(new.analysis(), new.analysis());
        assert!(Arc::ptr_eq(&a.unwrap(), &b.unwrap()));
        assert_eq!(
            new.analysis_if_done().unwrap().unwrap().analysis.text,
            "// c\nkarmem a;\n"
        );
    }

    #[tokio::test]
    async fn closing_hands_over_the_worker() {
        let store = DocumentStore::default();
        open(&store, "karmem a;\n");
        assert!(store.close(&uri()));
        assert!(!store.close(&uri()));
        assert!(store.snapshot(&uri()).is_none());
        let mut handed = false;
        store.open(uri(), 1, "", |_rx, previous| {
            handed = previous.is_some();
            tokio::spawn(async {})
        });
        assert!(handed, "the reopened document waits for the old task");
    }
}
