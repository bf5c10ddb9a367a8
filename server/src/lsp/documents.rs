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
//! asks ([`Snapshot::analysis`]): one task per snapshot, whatever the number of waiters, and
//! none at all when every reference to the snapshot is gone before its turn comes (a burst
//! of keystrokes costs one analysis, of the newest text). Analyses run one at a time on one
//! dedicated thread ([`Analyzer`]), which bounds memory to one analysis in flight plus the
//! cached ones.

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
/// operating system ([`release_free_memory`]).
pub struct Analyzer {
    jobs: Mutex<std::sync::mpsc::Sender<Weak<Snapshot>>>,
}

/// Texts at least this long are followed by [`release_free_memory`].
pub const TRIM_AFTER: usize = 512 * 1024;

impl Analyzer {
    pub fn new() -> Arc<Self> {
        let (tx, rx) = std::sync::mpsc::channel::<Weak<Snapshot>>();
        let spawned = std::thread::Builder::new()
            .name("karmem-analysis".to_string())
            .spawn(move || {
                while let Ok(job) = rx.recv() {
                    run_job(job);
                }
            });
        if let Err(e) = spawned {
            eprintln!("[karmem-lsp error] cannot start the analysis thread: {e}");
        }
        Arc::new(Analyzer {
            jobs: Mutex::new(tx),
        })
    }

    fn submit(&self, job: Weak<Snapshot>) {
        let sent = self
            .jobs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .send(job);
        if let Err(std::sync::mpsc::SendError(job)) = sent {
            // No analysis thread: analyse here rather than leave the waiters hanging.
            run_job(job);
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
    Stale { current: i32, got: i32 },
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
        let previous = doc.latest.send_replace(snapshot);
        drop(docs);
        // The previous version (and its analysis, if nobody else holds it) is freed here,
        // outside the lock.
        drop(previous);
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

    /// Stops every diagnostics task (at shutdown).
    pub fn stop_workers(&self) {
        for doc in self.lock().open.values_mut() {
            if let Some(worker) = doc.worker.take() {
                worker.abort();
            }
        }
    }
}
