//! The symbols of every `.km` file under the workspace folders, for `workspace/symbol`.
//!
//! Filled in the background by a walk of the folders (after `initialized` and when folders
//! change) and kept fresh by `workspace/didChangeWatchedFiles`. Only the flat symbol list of
//! each file is kept, never its analysis. Open documents are not read from here: the
//! server answers from their current snapshot instead (see `Backend::symbol`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use karmem_syntax::line_index::{Encoding, LineIndex};
use karmem_syntax::{analyze, ide, AnalysisOptions};
use tokio::sync::watch;
use tower_lsp_server::ls_types::Uri;

use super::convert::{self, FlatSymbol};

/// Files larger than this are not indexed (they are still analysed when opened).
pub const MAX_FILE_SIZE: u64 = 32 << 20;

/// Directories never walked into.
const SKIPPED_DIRS: [&str; 3] = ["node_modules", "target", "vendor"];

/// The indexed symbols of one file on disk.
#[derive(Debug)]
pub struct FileSymbols {
    pub uri: Uri,
    pub symbols: Vec<FlatSymbol>,
}

pub struct WorkspaceIndex {
    files: Mutex<HashMap<PathBuf, Arc<FileSymbols>>>,
    folders: Mutex<Vec<PathBuf>>,
    /// How many walks are running; 0 when the index is complete.
    walking: watch::Sender<usize>,
    options: AnalysisOptions,
}

impl Default for WorkspaceIndex {
    fn default() -> Self {
        WorkspaceIndex {
            files: Mutex::new(HashMap::new()),
            folders: Mutex::new(Vec::new()),
            walking: watch::Sender::new(0),
            options: AnalysisOptions::default(),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether `path` names a Karmem schema.
pub fn is_schema(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "km")
}

impl WorkspaceIndex {
    pub fn folders(&self) -> Vec<PathBuf> {
        lock(&self.folders).clone()
    }

    pub fn add_folder(&self, folder: PathBuf) {
        let mut folders = lock(&self.folders);
        if !folders.contains(&folder) {
            folders.push(folder);
        }
    }

    /// Forgets a folder and the files under it (unless another folder also holds them).
    pub fn remove_folder(&self, folder: &Path) {
        let folders = {
            let mut folders = lock(&self.folders);
            folders.retain(|f| f != folder);
            folders.clone()
        };
        lock(&self.files).retain(|path, _| {
            !path.starts_with(folder) || folders.iter().any(|f| path.starts_with(f))
        });
    }

    /// Indexes (or re-indexes) one file; removes it when it cannot be read.
    pub fn index_file(&self, path: &Path, enc: Encoding) {
        match self.read_symbols(path, enc) {
            Some(symbols) => {
                lock(&self.files).insert(path.to_path_buf(), Arc::new(symbols));
            }
            None => self.remove(path),
        }
    }

    /// Forgets a file, or every file under a removed directory.
    pub fn remove(&self, path: &Path) {
        lock(&self.files).retain(|p, _| !p.starts_with(path));
    }

    fn read_symbols(&self, path: &Path, enc: Encoding) -> Option<FileSymbols> {
        let meta = std::fs::metadata(path).ok()?;
        if !meta.is_file() || meta.len() > MAX_FILE_SIZE {
            return None;
        }
        let bytes = std::fs::read(path).ok()?;
        let text = String::from_utf8_lossy(&bytes);
        let uri = Uri::from_file_path(path)?;
        let analysis = analyze(&text, &self.options);
        let index = LineIndex::new(&analysis.text);
        let tree = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            ide::document_symbols(&analysis)
        }))
        .ok()?;
        let symbols = convert::flatten_symbols(&index, &tree, enc);
        Some(FileSymbols { uri, symbols })
    }

    /// Marks a walk as started (call before spawning it, so a `workspace/symbol` request
    /// that arrives first waits for it); the walk is over when the guard is dropped.
    pub fn begin_walk(self: &Arc<Self>) -> WalkGuard {
        self.walking.send_modify(|n| *n += 1);
        WalkGuard(self.clone())
    }

    /// Walks `folders` and indexes every schema under them. Blocking: run it on a blocking
    /// thread. Returns the number of files indexed. `cancelled` is polled between files.
    pub fn walk(&self, folders: &[PathBuf], enc: Encoding, cancelled: &dyn Fn() -> bool) -> usize {
        let mut count = 0;
        for folder in folders {
            let walker = walkdir::WalkDir::new(folder)
                .follow_links(false)
                .into_iter()
                .filter_entry(|e| {
                    let name = e.file_name().to_string_lossy();
                    e.depth() == 0
                        || !(e.file_type().is_dir()
                            && (name.starts_with('.') || SKIPPED_DIRS.contains(&name.as_ref())))
                });
            for entry in walker.flatten() {
                if cancelled() {
                    break;
                }
                if entry.file_type().is_file() && is_schema(entry.path()) {
                    self.index_file(entry.path(), enc);
                    count += 1;
                }
            }
        }
        count
    }

    /// Waits until no walk is running, at most `timeout`.
    pub async fn wait_ready(&self, timeout: std::time::Duration) {
        let mut rx = self.walking.subscribe();
        let _ = tokio::time::timeout(timeout, rx.wait_for(|n| *n == 0)).await;
    }

    /// Every indexed file except those in `skip` (the open documents).
    pub fn files_except(&self, skip: &[PathBuf]) -> Vec<Arc<FileSymbols>> {
        lock(&self.files)
            .iter()
            .filter(|(path, _)| !skip.contains(path))
            .map(|(_, f)| f.clone())
            .collect()
    }
}

/// A running walk (see [`WorkspaceIndex::begin_walk`]).
pub struct WalkGuard(Arc<WorkspaceIndex>);

impl Drop for WalkGuard {
    fn drop(&mut self) {
        self.0.walking.send_modify(|n| *n = n.saturating_sub(1));
    }
}
