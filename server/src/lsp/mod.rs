//! `karmem-lsp`: the language server, on tower-lsp-server.
//!
//! A thin front-end: every answer comes from `karmem_syntax` (`analyze` and `ide::*`); this
//! module converts positions and shapes LSP messages. See ARCHITECTURE.md, "Language
//! server", for the design (document store, ordering, coalesced diagnostics).
//!
//! * [`documents`] — open documents: ropes edited in order, per-version snapshots analysed
//!   lazily and at most once.
//! * [`text`] — incremental edits on a rope with positions in the negotiated encoding.
//! * [`convert`] — offsets ↔ positions, `ide` results → LSP types.
//! * [`workspace`] — the background index of `.km` files for `workspace/symbol`.
//! * [`layout`] — the `karmem/layout` extension request.
//! * [`generate`] — code generation on save, the `karmem.generate` command and its lens.
//! * [`framing`] — checks incoming frames before tower-lsp-server decodes them.
//! * [`compat`] — compatibility diagnostics against a git baseline.
//! * [`config`], [`log`] — settings, client capabilities, logging.

pub mod compat;
pub mod config;
pub mod convert;
pub mod documents;
pub mod framing;
pub mod generate;
pub mod layout;
pub mod log;
pub mod text;
pub mod workspace;

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use karmem_syntax::fmt::{format, Style};
use karmem_syntax::ide;
use karmem_syntax::line_index::Encoding;
use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use self::config::{ClientCaps, LogLevel, Settings};
use self::documents::{Analyzed, DocumentStore, Snapshot};
use self::log::Logger;
use self::text::{Change, Pos};
use self::workspace::WorkspaceIndex;

/// The server's name in `initialize`'s `serverInfo`.
pub const NAME: &str = "karmem-lsp";
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The most results a `workspace/symbol` request returns.
pub const MAX_WORKSPACE_SYMBOLS: usize = 1000;

/// How long a `workspace/symbol` request waits for the initial walk of the folders.
const INDEX_WAIT: Duration = Duration::from_secs(5);

/// How many requests and notifications tower-lsp-server runs at once. Higher than its
/// default (4) so that requests waiting for an analysis never hold back a `didChange`.
const CONCURRENCY: usize = 64;

/// How long code generation waits for the client to create its progress indicator.
const PROGRESS_CREATE_WAIT: Duration = Duration::from_secs(2);

/// Set to `1` to register the test-only request `karmem/debug/panic`.
pub const DEBUG_REQUESTS_ENV: &str = "KARMEM_LSP_DEBUG_REQUESTS";

/// Command-line options.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub log_level: LogLevel,
}

/// Serves LSP on standard input/output until `exit` (or the end of input). Returns the
/// process exit code the specification asks for: 0 when `shutdown` came first, else 1.
pub async fn serve_stdio(options: Options) -> i32 {
    let shutdown = Arc::new(AtomicBool::new(false));
    let flag = shutdown.clone();
    let logger: Arc<OnceLock<Arc<Logger>>> = Arc::default();
    let slot = logger.clone();
    let mut builder = LspService::build(move |client| {
        let backend = Backend::new(client, options, flag);
        let _ = slot.set(backend.log.clone());
        backend
    })
    .custom_method(layout::METHOD, Backend::layout)
    .custom_method(framing::INVALID_REQUEST, Backend::invalid_request);
    if std::env::var(DEBUG_REQUESTS_ENV).is_ok_and(|v| v == "1") {
        builder = builder.custom_method("karmem/debug/panic", Backend::debug_panic);
    }
    let (service, socket) = builder.finish();
    // Malformed input would end tower-lsp-server's reader: filter it out first.
    let (input, guarded) = tokio::io::duplex(1 << 20);
    tokio::spawn(framing::sanitize(
        tokio::io::stdin(),
        input,
        move |message| match logger.get() {
            Some(log) => log.warn(message),
            None => eprintln!("[karmem-lsp warn] {message}"),
        },
    ));
    Server::new(guarded, tokio::io::stdout(), socket)
        .concurrency_level(CONCURRENCY)
        .serve(service)
        .await;
    if shutdown.load(Ordering::SeqCst) {
        0
    } else {
        1
    }
}

pub struct Backend {
    client: Client,
    log: Arc<Logger>,
    docs: Arc<DocumentStore>,
    workspace: Arc<WorkspaceIndex>,
    encoding: OnceLock<Encoding>,
    caps: OnceLock<ClientCaps>,
    settings: Arc<SettingsState>,
    compat: Arc<compat::CompatState>,
    /// Output files per schema version, for the stale-output code lens.
    outputs: Arc<generate::OutputCache>,
    shutdown: Arc<AtomicBool>,
}

/// The current settings; shared with tasks that pull configuration.
struct SettingsState {
    settings: Mutex<Settings>,
    log: Arc<Logger>,
    /// The level from the command line, used when `karmem.logLevel` is unset.
    cli_log_level: LogLevel,
}

impl SettingsState {
    /// Merges `value` into the settings and applies the log level.
    fn apply(&self, value: &Value) -> Settings {
        let settings = {
            let mut settings = lock(&self.settings);
            settings.merge(value);
            settings.clone()
        };
        self.log
            .set_level(settings.log_level.unwrap_or(self.cli_log_level));
        settings
    }

    fn inlay_hints(&self) -> ide::InlayHintConfig {
        lock(&self.settings).inlay_hints
    }

    fn generate_on_save(&self) -> bool {
        lock(&self.settings).generate_on_save
    }

    /// The baseline revision, when compatibility diagnostics are on.
    fn compat_against(&self) -> Option<String> {
        let settings = lock(&self.settings);
        settings
            .compat_enabled
            .then(|| settings.compat_against.clone())
    }
}

/// What a request handler works on: one snapshot and its analysis.
struct Ctx<'a> {
    uri: &'a Uri,
    snapshot: &'a Snapshot,
    analyzed: &'a Analyzed,
    enc: Encoding,
    caps: ClientCaps,
}

impl Ctx<'_> {
    fn offset(&self, pos: Position) -> Option<usize> {
        convert::offset(&self.analyzed.index, pos, self.enc)
    }

    fn range(&self, span: karmem_syntax::Span) -> Range {
        convert::range(&self.analyzed.index, span, self.enc)
    }

    fn analysis(&self) -> &karmem_syntax::Analysis {
        &self.analyzed.analysis
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

fn internal_error(message: impl Into<String>) -> Error {
    Error {
        code: ErrorCode::InternalError,
        message: message.into().into(),
        data: None,
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn pos(p: Position) -> Pos {
    Pos {
        line: p.line,
        col: p.character,
    }
}

impl Backend {
    fn new(client: Client, options: Options, shutdown: Arc<AtomicBool>) -> Self {
        let log = Arc::new(Logger::new(options.log_level, client.clone()));
        Backend {
            log: log.clone(),
            client,
            docs: Arc::new(DocumentStore::default()),
            workspace: Arc::new(WorkspaceIndex::default()),
            encoding: OnceLock::new(),
            caps: OnceLock::new(),
            settings: Arc::new(SettingsState {
                settings: Mutex::new(Settings::default()),
                log: log.clone(),
                cli_log_level: options.log_level,
            }),
            compat: Arc::default(),
            outputs: Arc::default(),
            shutdown,
        }
    }

    fn encoding(&self) -> Encoding {
        self.encoding.get().copied().unwrap_or(Encoding::Utf16)
    }

    fn caps(&self) -> ClientCaps {
        self.caps.get().copied().unwrap_or_default()
    }

    /// Runs `f`, turning a panic into a logged `InternalError` answer.
    fn guard<T>(&self, method: &str, f: impl FnOnce() -> T) -> Result<T> {
        catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
            let message = panic_message(payload.as_ref());
            self.log
                .error(format!("{method}: internal error (panic): {message}"));
            internal_error(format!("karmem-lsp: internal error in {method}: {message}"))
        })
    }

    /// The newest snapshot of `uri` and its analysis; `None` for a document that is not open.
    async fn analyzed(
        &self,
        method: &str,
        uri: &Uri,
    ) -> Result<Option<(Arc<Snapshot>, Arc<Analyzed>)>> {
        let Some(snapshot) = self.docs.snapshot(uri) else {
            self.log.debug(format!(
                "{method}: {} is not open; answering null",
                uri.as_str()
            ));
            return Ok(None);
        };
        match snapshot.analysis().await {
            Ok(analyzed) => Ok(Some((snapshot, analyzed))),
            Err(e) => {
                self.log.error(format!("{method}: {e}"));
                Err(internal_error(format!("karmem-lsp: {e}")))
            }
        }
    }

    /// Answers a request about one document with `f` (guarded against panics); null for a
    /// document that is not open.
    async fn with<T>(
        &self,
        method: &'static str,
        uri: &Uri,
        f: impl FnOnce(&Ctx<'_>) -> Result<Option<T>>,
    ) -> Result<Option<T>> {
        let Some((snapshot, analyzed)) = self.analyzed(method, uri).await? else {
            return Ok(None);
        };
        let ctx = Ctx {
            uri,
            snapshot: &snapshot,
            analyzed: &analyzed,
            enc: self.encoding(),
            caps: self.caps(),
        };
        self.guard(method, || f(&ctx))?
    }

    /// Starts the diagnostics task of a document (see [`diagnostics_worker`]).
    fn spawn_worker(
        &self,
        rx: watch::Receiver<Arc<Snapshot>>,
        previous: Option<JoinHandle<()>>,
    ) -> JoinHandle<()> {
        let client = self.client.clone();
        let log = self.log.clone();
        let enc = self.encoding();
        let settings = self.settings.clone();
        let compat = self.compat.clone();
        tokio::spawn(async move {
            if let Some(previous) = previous {
                let _ = previous.await;
            }
            diagnostics_worker(rx, client, log, enc, settings, compat).await;
        })
    }

    /// Indexes `folders` on a blocking thread.
    fn spawn_walk(&self, folders: Vec<PathBuf>) {
        if folders.is_empty() {
            return;
        }
        let guard = self.workspace.begin_walk();
        let workspace = self.workspace.clone();
        let log = self.log.clone();
        let shutdown = self.shutdown.clone();
        let enc = self.encoding();
        tokio::task::spawn_blocking(move || {
            let _guard = guard;
            let start = std::time::Instant::now();
            let cancelled = || shutdown.load(Ordering::Relaxed);
            let result = catch_unwind(AssertUnwindSafe(|| {
                workspace.walk(&folders, enc, &cancelled)
            }));
            match result {
                Ok(n) => log.info(format!(
                    "indexed {n} schema file(s) under {} folder(s) in {} ms",
                    folders.len(),
                    start.elapsed().as_millis()
                )),
                Err(p) => log.error(format!(
                    "indexing the workspace failed: {}",
                    panic_message(p.as_ref())
                )),
            }
        });
    }

    async fn register_file_watcher(client: Client, log: Arc<Logger>) {
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![
                FileSystemWatcher {
                    glob_pattern: GlobPattern::String("**/*.km".to_string()),
                    kind: None,
                },
                FileSystemWatcher {
                    glob_pattern: GlobPattern::String("**/karmem.toml".to_string()),
                    kind: None,
                },
            ],
        };
        let registration = Registration {
            id: "karmem-watch-km".to_string(),
            method: "workspace/didChangeWatchedFiles".to_string(),
            register_options: serde_json::to_value(options).ok(),
        };
        match client.register_capability(vec![registration]).await {
            Ok(()) => log.debug("registered a file watcher for **/*.km"),
            Err(e) => log.warn(format!("could not register the file watcher: {e}")),
        }
    }

    // -----------------------------------------------------------------------------------
    // Extension requests

    /// `karmem/layout` (docs/lsp-extensions.md).
    async fn layout(&self, params: layout::LayoutParams) -> Result<Option<Value>> {
        self.with(layout::METHOD, &params.text_document.uri, |cx| {
            let struct_index = params
                .position
                .and_then(|p| cx.offset(p))
                .and_then(|offset| ide::struct_at(cx.analysis(), offset));
            Ok(Some(layout::report(cx.analysis(), struct_index)))
        })
        .await
    }

    /// The stand-in for a request that was not a valid JSON-RPC message ([`framing`]).
    async fn invalid_request(&self) -> Result<Value> {
        Err(Error::invalid_request())
    }

    /// `karmem/debug/panic` (tests only): panics inside the guard.
    async fn debug_panic(&self, _params: Value) -> Result<Option<Value>> {
        self.guard("karmem/debug/panic", || -> Option<Value> {
            panic!("deliberate panic requested by karmem/debug/panic")
        })
    }
}

/// Publishes the diagnostics of a document's newest version, once per version that is
/// still the newest when its analysis finishes (a burst of edits publishes once, for the
/// last one). When the document is closed (the channel's sender is dropped), publishes an
/// empty list and ends; a reopened document's task first waits for this one to end, so the
/// clearing never overtakes the new diagnostics.
///
/// Compatibility diagnostics ([`compat`]) go in the same publication. When the baseline is
/// not known yet (or its revision is due to be resolved again), the analysis diagnostics are
/// published first (with the last known baseline's violations, if any), the baseline is
/// fetched on the blocking pool, and the version is published again if the violations
/// may differ (unless a newer version arrived meanwhile).
async fn diagnostics_worker(
    mut rx: watch::Receiver<Arc<Snapshot>>,
    client: Client,
    log: Arc<Logger>,
    enc: Encoding,
    settings: Arc<SettingsState>,
    compat: Arc<compat::CompatState>,
) {
    let uri = rx.borrow().uri.clone();
    let path = uri
        .to_file_path()
        .map(|p| p.into_owned())
        .filter(|p| workspace::is_schema(p));
    'outer: loop {
        let snapshot = rx.borrow_and_update().clone();
        let result = tokio::select! {
            biased;
            changed = rx.changed() => {
                if changed.is_err() {
                    break 'outer;
                }
                continue 'outer;
            }
            result = snapshot.analysis() => result,
        };
        match rx.has_changed() {
            Err(_) => break 'outer,
            Ok(true) => continue 'outer, // newer text: the newest edit wins
            Ok(false) => {}
        }
        match result {
            Ok(analyzed) => {
                // The baseline to compare with, when there may be one.
                let wanted = match (&path, settings.compat_against()) {
                    (Some(path), Some(rev)) if !analyzed.analysis.has_errors() => {
                        Some((path.clone(), rev))
                    }
                    _ => None,
                };
                let known = wanted
                    .as_ref()
                    .and_then(|(path, rev)| compat.cached(path, rev));
                // Until a stale revision is resolved again, its last baseline stands in.
                let shown = match (&wanted, &known) {
                    (_, Some(known)) => known.clone(),
                    (Some((path, rev)), None) => compat.last_known(path, rev).flatten(),
                    (None, None) => None,
                };
                // The `[breaking]` rules (for a baseline) and the targets whose name
                // problems show (none while the schema has errors).
                let project = match &path {
                    Some(path)
                        if shown.is_some()
                            || wanted.is_some()
                            || !analyzed.analysis.has_errors() =>
                    {
                        compat.project_rules(path)
                    }
                    _ => compat::ProjectRules::default(),
                };
                let rules = project.breaking;
                let targets = project.targets;
                publish(
                    &client,
                    &log,
                    &snapshot,
                    &analyzed,
                    shown.as_deref(),
                    &rules,
                    &targets,
                    enc,
                )
                .await;
                if let (Some((path, rev)), None) = (wanted, known) {
                    let fetched = tokio::select! {
                        biased;
                        changed = rx.changed() => {
                            if changed.is_err() {
                                break 'outer;
                            }
                            continue 'outer;
                        }
                        fetched = compat.baseline(path, rev) => fetched,
                    };
                    let violations = |base: &Option<Arc<compat::Baseline>>| {
                        base.as_ref().map_or(0, |base| {
                            catch_unwind(AssertUnwindSafe(|| {
                                compat::diagnostics(&snapshot.uri, &analyzed, base, &rules, enc)
                                    .len()
                            }))
                            .unwrap_or(0)
                        })
                    };
                    let same = match (&shown, &fetched) {
                        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                        (None, None) => true,
                        _ => false,
                    };
                    if !same
                        && (violations(&shown) > 0 || violations(&fetched) > 0)
                        && !rx.has_changed().unwrap_or(true)
                    {
                        publish(
                            &client,
                            &log,
                            &snapshot,
                            &analyzed,
                            fetched.as_deref(),
                            &rules,
                            &targets,
                            enc,
                        )
                        .await;
                    }
                }
            }
            Err(e) => log.error(format!("{}: {e}", snapshot.uri.as_str())),
        }
        drop(snapshot);
        if rx.changed().await.is_err() {
            break;
        }
    }
    client.publish_diagnostics(uri, Vec::new(), None).await;
}

/// Publishes the analysis diagnostics of `snapshot`, plus its compatibility diagnostics
/// against `baseline` under the project's `[breaking]` `rules`, plus the name problems of
/// the generation `targets` that `karmem.toml` enables for it.
#[allow(clippy::too_many_arguments)]
async fn publish(
    client: &Client,
    log: &Logger,
    snapshot: &Snapshot,
    analyzed: &Analyzed,
    baseline: Option<&compat::Baseline>,
    rules: &karmem_codegen::config::BreakingSection,
    targets: &[&str],
    enc: Encoding,
) {
    let started = std::time::Instant::now();
    let analysis_time = analyzed.elapsed;
    let converted = catch_unwind(AssertUnwindSafe(|| {
        let mut diagnostics = convert::diagnostics(&snapshot.uri, analyzed, enc);
        if let Some(base) = baseline {
            diagnostics.extend(compat::diagnostics(
                &snapshot.uri,
                analyzed,
                base,
                rules,
                enc,
            ));
        }
        diagnostics.extend(generate::problem_diagnostics(analyzed, targets, enc));
        diagnostics
    }));
    match converted {
        Ok(diagnostics) => {
            log.debug(format!(
                "publishing {} diagnostic(s) for {} version {} (analysis {} µs, conversion {} µs)",
                diagnostics.len(),
                snapshot.uri.as_str(),
                snapshot.version,
                analysis_time.as_micros(),
                started.elapsed().as_micros()
            ));
            client
                .publish_diagnostics(snapshot.uri.clone(), diagnostics, Some(snapshot.version))
                .await;
            if snapshot.len_bytes() >= documents::TRIM_AFTER {
                // The conversion's garbage is large for a large file.
                documents::release_free_memory();
            }
        }
        Err(p) => log.error(format!(
            "converting diagnostics failed: {}",
            panic_message(p.as_ref())
        )),
    }
}

/// Runs code generation for the saved schema at `path` on a blocking thread, with
/// `$/progress` when the client supports it. Success is logged; a failure is shown with
/// `window/showMessage`. A schema with errors generates nothing: logged on save (its
/// diagnostics are on screen already), shown when asked for with the command (`explicit`).
async fn run_generation(
    client: Client,
    log: Arc<Logger>,
    caps: ClientCaps,
    path: PathBuf,
    explicit: bool,
) {
    let progress = caps.work_done_progress;
    static NEXT_TOKEN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let shown = path.display().to_string();
    let mut token = None;
    if progress {
        let t = NumberOrString::String(format!(
            "karmem-generate-{}",
            NEXT_TOKEN.fetch_add(1, Ordering::Relaxed)
        ));
        // A client that never answers must not hold generation back.
        let created = tokio::time::timeout(
            PROGRESS_CREATE_WAIT,
            client.send_request::<request::WorkDoneProgressCreate>(WorkDoneProgressCreateParams {
                token: t.clone(),
            }),
        )
        .await;
        if matches!(created, Ok(Ok(()))) {
            client
                .send_notification::<notification::Progress>(ProgressParams {
                    token: t.clone(),
                    value: ProgressParamsValue::WorkDone(WorkDoneProgress::Begin(
                        WorkDoneProgressBegin {
                            title: "Generating code".to_string(),
                            cancellable: Some(false),
                            message: Some(shown.clone()),
                            percentage: None,
                        },
                    )),
                })
                .await;
            token = Some(t);
        }
    }
    let job_path = path.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        catch_unwind(AssertUnwindSafe(|| generate::run(&job_path))).unwrap_or_else(|p| {
            generate::Outcome::Failed(vec![format!(
                "internal error (panic): {}",
                panic_message(p.as_ref())
            )])
        })
    })
    .await
    .unwrap_or_else(|e| generate::Outcome::Failed(vec![format!("internal error: {e}")]));
    let end_message = match &outcome {
        generate::Outcome::NotCovered => {
            let message =
                format!("generate: {shown} is not listed in a karmem.toml [[generate]] section");
            if explicit {
                client.show_message(MessageType::WARNING, &message).await;
            }
            log.info(message);
            "nothing to generate"
        }
        generate::Outcome::Generated { targets, written } => {
            log.info(format!(
                "generate: {shown} ({}): wrote {} file(s){}",
                targets.join(", "),
                written.len(),
                written
                    .iter()
                    .map(|p| format!(" {}", p.display()))
                    .collect::<String>()
            ));
            "done"
        }
        generate::Outcome::SchemaErrors => {
            let message = format!("generate: {shown} has errors; nothing generated");
            if explicit {
                client.show_message(MessageType::ERROR, &message).await;
            }
            log.info(message);
            "the schema has errors"
        }
        generate::Outcome::Failed(reasons) => {
            let message = format!(
                "karmem: code generation for {shown} failed: {}",
                reasons.join("; ")
            );
            log.error(&message);
            client.show_message(MessageType::ERROR, message).await;
            "failed"
        }
    };
    if let Some(token) = token {
        client
            .send_notification::<notification::Progress>(ProgressParams {
                token,
                value: ProgressParamsValue::WorkDone(WorkDoneProgress::End(WorkDoneProgressEnd {
                    message: Some(end_message.to_string()),
                })),
            })
            .await;
    }
    if caps.code_lens_refresh {
        // The "stale" lens may have gone.
        let _ = client.code_lens_refresh().await;
    }
}

fn server_capabilities(enc: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(match enc {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf32 => PositionEncodingKind::UTF32,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..Default::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["@".to_string(), "[".to_string(), " ".to_string()]),
            ..Default::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_highlight_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..Default::default()
        })),
        document_formatting_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        selection_range_provider: Some(SelectionRangeProviderCapability::Simple(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: convert::legend(),
                range: Some(true),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                ..Default::default()
            },
        )),
        inlay_hint_provider: Some(OneOf::Left(true)),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![generate::COMMAND.to_string()],
            work_done_progress_options: Default::default(),
        }),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..Default::default()
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        self.log.use_client();
        let caps = ClientCaps::new(&params.capabilities);
        let enc = if caps.utf8_positions {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        };
        let _ = self.caps.set(caps);
        let _ = self.encoding.set(enc);
        if let Some(options) = &params.initialization_options {
            self.settings.apply(options);
        }

        let mut folders: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
            .collect();
        #[allow(deprecated)] // the fallback for clients without workspace folders
        if folders.is_empty() {
            if let Some(root) = params.root_uri.as_ref().and_then(|u| u.to_file_path()) {
                folders.push(root.into_owned());
            }
        }
        for folder in folders {
            self.workspace.add_folder(folder);
        }

        self.log.info(format!(
            "{NAME} {VERSION} initializing (client: {}, position encoding: {})",
            params
                .client_info
                .as_ref()
                .map_or("unknown".to_string(), |c| format!(
                    "{} {}",
                    c.name,
                    c.version.as_deref().unwrap_or("")
                )),
            match enc {
                Encoding::Utf8 => "utf-8",
                Encoding::Utf16 => "utf-16",
                Encoding::Utf32 => "utf-32",
            }
        ));
        Ok(InitializeResult {
            capabilities: server_capabilities(enc),
            server_info: Some(ServerInfo {
                name: NAME.to_string(),
                version: Some(VERSION.to_string()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        if self.caps().watch_files_dynamic {
            tokio::spawn(Backend::register_file_watcher(
                self.client.clone(),
                self.log.clone(),
            ));
        }
        self.spawn_walk(self.workspace.folders());
        self.log.debug("initialized");
    }

    async fn shutdown(&self) -> Result<()> {
        self.log.info("shutdown requested");
        self.shutdown.store(true, Ordering::SeqCst);
        self.docs.stop_workers();
        Ok(())
    }

    // -----------------------------------------------------------------------------------
    // Document synchronisation. The synchronous part of each handler is all there is: no
    // `.await` before the store is updated, so edits apply in arrival order.

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        self.log
            .debug(format!("open {} version {}", doc.uri.as_str(), doc.version));
        let result = catch_unwind(AssertUnwindSafe(|| {
            self.docs
                .open(doc.uri.clone(), doc.version, &doc.text, |rx, previous| {
                    self.spawn_worker(rx, previous)
                })
        }));
        if let Err(p) = result {
            self.log
                .error(format!("didOpen failed: {}", panic_message(p.as_ref())));
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let enc = self.encoding();
        let result = catch_unwind(AssertUnwindSafe(|| {
            let changes: Vec<Change<'_>> = params
                .content_changes
                .iter()
                .map(|c| Change {
                    range: c.range.map(|r| (pos(r.start), pos(r.end))),
                    text: &c.text,
                })
                .collect();
            self.docs.change(&uri, version, &changes, enc)
        }));
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) => self.log.warn(format!("{}: {e}", uri.as_str())),
            Err(p) => self
                .log
                .error(format!("didChange failed: {}", panic_message(p.as_ref()))),
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        if !self.docs.close(&uri) {
            self.log
                .debug(format!("close of {} which is not open", uri.as_str()));
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let uri = params.text_document.uri;
        // The baseline revision may have moved (a commit): resolve it again. A first save
        // may have created the schema the `[[generate]]` globs look for.
        self.compat.invalidate_revisions();
        self.compat.forget_targets();
        if !self.settings.generate_on_save() {
            self.log.debug(format!(
                "save of {}: karmem.generate.onSave is off",
                uri.as_str()
            ));
            if self.caps().code_lens_refresh {
                // The saved text may have made generated code stale.
                let client = self.client.clone();
                tokio::spawn(async move {
                    let _ = client.code_lens_refresh().await;
                });
            }
            return;
        }
        let Some(path) = uri.to_file_path().map(|p| p.into_owned()) else {
            return;
        };
        if !workspace::is_schema(&path) {
            return;
        }
        tokio::spawn(run_generation(
            self.client.clone(),
            self.log.clone(),
            self.caps(),
            path,
            false,
        ));
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        if params.command != generate::COMMAND {
            return Err(Error::invalid_params(format!(
                "unknown command `{}`",
                params.command
            )));
        }
        let path = params
            .arguments
            .first()
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<Uri>().ok())
            .and_then(|uri| uri.to_file_path().map(|p| p.into_owned()));
        let Some(path) = path else {
            return Err(Error::invalid_params(format!(
                "{} expects one argument: the file URI of a schema",
                generate::COMMAND
            )));
        };
        run_generation(
            self.client.clone(),
            self.log.clone(),
            self.caps(),
            path,
            true,
        )
        .await;
        Ok(None)
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let uri = params.text_document.uri;
        let Some(path) = uri.to_file_path().map(|p| p.into_owned()) else {
            return Ok(None);
        };
        let Some((_, analyzed)) = self.analyzed("textDocument/codeLens", &uri).await? else {
            return Ok(None);
        };
        let Some(header) = analyzed.analysis.file.header.as_ref().map(|h| h.span) else {
            return Ok(Some(Vec::new()));
        };
        let range = convert::range(&analyzed.index, header, self.encoding());
        drop(analyzed);
        let outputs = self.outputs.clone();
        let info = tokio::task::spawn_blocking(move || {
            catch_unwind(AssertUnwindSafe(|| generate::lens_info(&path, &outputs)))
                .unwrap_or_default()
        })
        .await
        .unwrap_or_default();
        if info.targets.is_empty() {
            return Ok(Some(Vec::new()));
        }
        let names: Vec<&str> = info.targets.iter().map(String::as_str).collect();
        let lens = |title: String| CodeLens {
            range,
            command: Some(Command {
                title,
                command: generate::COMMAND.to_string(),
                arguments: Some(vec![Value::String(uri.as_str().to_string())]),
            }),
            data: None,
        };
        let mut lenses = vec![lens(generate::lens_title(&names))];
        if info.stale {
            lenses.push(lens(generate::STALE_TITLE.to_string()));
        }
        Ok(Some(lenses))
    }

    // -----------------------------------------------------------------------------------
    // Workspace

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let settings = params.settings;
        let empty = settings.is_null() || settings.as_object().is_some_and(|o| o.is_empty());
        if empty && self.caps().configuration {
            // The client uses the pull model: ask for the `karmem` section.
            let client = self.client.clone();
            let settings = self.settings.clone();
            let refresh = self.caps().inlay_hint_refresh;
            tokio::spawn(async move {
                let item = ConfigurationItem {
                    scope_uri: None,
                    section: Some("karmem".to_string()),
                };
                if let Ok(values) = client.configuration(vec![item]).await {
                    for value in values {
                        settings.apply(&value);
                    }
                }
                if refresh {
                    let _ = client.inlay_hint_refresh().await;
                }
            });
            return;
        }
        let applied = self.settings.apply(&settings);
        self.log.debug(format!("settings: {applied:?}"));
        if self.caps().inlay_hint_refresh {
            let client = self.client.clone();
            tokio::spawn(async move {
                let _ = client.inlay_hint_refresh().await;
            });
        }
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        for removed in &params.event.removed {
            if let Some(path) = removed.uri.to_file_path() {
                self.workspace.remove_folder(&path);
            }
        }
        let added: Vec<PathBuf> = params
            .event
            .added
            .iter()
            .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
            .collect();
        for folder in &added {
            self.workspace.add_folder(folder.clone());
        }
        self.spawn_walk(added);
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let changes: Vec<(PathBuf, FileChangeType)> = params
            .changes
            .into_iter()
            .filter_map(|c| Some((c.uri.to_file_path()?.into_owned(), c.typ)))
            .collect();
        if changes.is_empty() {
            return;
        }
        if changes
            .iter()
            .any(|(path, _)| path.file_name().is_some_and(|n| n == "karmem.toml"))
        {
            // Its `[breaking]` table decides which compatibility diagnostics show, its
            // `[[generate]]` sections which targets' name problems.
            self.compat.forget_configs();
            self.docs.republish_all();
        } else if changes
            .iter()
            .any(|(path, typ)| *typ != FileChangeType::CHANGED && workspace::is_schema(path))
        {
            // What the `[[generate]]` globs match may have changed.
            self.compat.forget_targets();
        }
        let guard = self.workspace.begin_walk();
        let workspace = self.workspace.clone();
        let enc = self.encoding();
        let log = self.log.clone();
        tokio::task::spawn_blocking(move || {
            let _guard = guard;
            for (path, typ) in changes {
                let result = catch_unwind(AssertUnwindSafe(|| {
                    if typ == FileChangeType::DELETED {
                        workspace.remove(&path);
                    } else if workspace::is_schema(&path) {
                        workspace.index_file(&path, enc);
                    }
                }));
                if let Err(p) = result {
                    log.error(format!(
                        "indexing {} failed: {}",
                        path.display(),
                        panic_message(p.as_ref())
                    ));
                }
            }
        });
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        const METHOD: &str = "workspace/symbol";
        self.workspace.wait_ready(INDEX_WAIT).await;
        let query = params.query;
        let enc = self.encoding();
        let mut out = Vec::new();
        let mut open_paths = Vec::new();
        for snapshot in self.docs.snapshots() {
            if let Some(path) = snapshot.uri.to_file_path() {
                open_paths.push(path.into_owned());
            }
            let Ok(analyzed) = snapshot.analysis().await else {
                continue;
            };
            let symbols = self.guard(METHOD, || {
                let tree = ide::document_symbols(&analyzed.analysis);
                convert::flatten_symbols(&analyzed.index, &tree, enc)
            })?;
            for s in symbols
                .iter()
                .filter(|s| ide::symbol_matches(&query, &s.name))
            {
                out.push(convert::symbol_information(&snapshot.uri, s));
            }
        }
        for file in self.workspace.files_except(&open_paths) {
            for s in file
                .symbols
                .iter()
                .filter(|s| ide::symbol_matches(&query, &s.name))
            {
                out.push(convert::symbol_information(&file.uri, s));
            }
        }
        out.truncate(MAX_WORKSPACE_SYMBOLS);
        Ok(Some(WorkspaceSymbolResponse::Flat(out)))
    }

    // -----------------------------------------------------------------------------------
    // Requests about one document

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let p = params.text_document_position_params;
        self.with("textDocument/hover", &p.text_document.uri, |cx| {
            let Some(offset) = cx.offset(p.position) else {
                return Ok(None);
            };
            Ok(ide::hover(cx.analysis(), offset).map(|h| Hover {
                contents: HoverContents::Markup(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: h.markdown,
                }),
                range: Some(cx.range(h.span)),
            }))
        })
        .await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        self.with("textDocument/definition", &p.text_document.uri, |cx| {
            let Some(offset) = cx.offset(p.position) else {
                return Ok(None);
            };
            let Some(target) = ide::definition(cx.analysis(), offset) else {
                return Ok(None);
            };
            let name = cx.range(target.name_span);
            Ok(Some(if cx.caps.definition_links {
                GotoDefinitionResponse::Link(vec![LocationLink {
                    origin_selection_range: None,
                    target_uri: cx.uri.clone(),
                    target_range: cx.range(target.full_span.cover(target.name_span)),
                    target_selection_range: name,
                }])
            } else {
                GotoDefinitionResponse::Scalar(Location::new(cx.uri.clone(), name))
            }))
        })
        .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let p = params.text_document_position;
        let include = params.context.include_declaration;
        self.with("textDocument/references", &p.text_document.uri, |cx| {
            let Some(offset) = cx.offset(p.position) else {
                return Ok(None);
            };
            let spans = ide::references(cx.analysis(), offset, include);
            Ok(Some(
                spans
                    .into_iter()
                    .map(|s| Location::new(cx.uri.clone(), cx.range(s)))
                    .collect(),
            ))
        })
        .await
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        let p = params.text_document_position_params;
        self.with(
            "textDocument/documentHighlight",
            &p.text_document.uri,
            |cx| {
                let Some(offset) = cx.offset(p.position) else {
                    return Ok(None);
                };
                Ok(Some(
                    ide::highlights(cx.analysis(), offset)
                        .into_iter()
                        .map(|(span, kind)| DocumentHighlight {
                            range: cx.range(span),
                            kind: Some(match kind {
                                ide::HighlightKind::Write => DocumentHighlightKind::WRITE,
                                ide::HighlightKind::Read => DocumentHighlightKind::READ,
                            }),
                        })
                        .collect(),
                ))
            },
        )
        .await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        self.with(
            "textDocument/prepareRename",
            &params.text_document.uri,
            |cx| {
                let Some(offset) = cx.offset(params.position) else {
                    return Ok(None);
                };
                match ide::prepare_rename(cx.analysis(), offset) {
                    Ok(span) => Ok(Some(PrepareRenameResponse::RangeWithPlaceholder {
                        range: cx.range(span),
                        placeholder: cx
                            .analysis()
                            .text
                            .get(span.range())
                            .unwrap_or_default()
                            .to_string(),
                    })),
                    Err(message) => Err(Error::invalid_params(message)),
                }
            },
        )
        .await
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let p = params.text_document_position;
        let new_name = params.new_name;
        self.with("textDocument/rename", &p.text_document.uri, |cx| {
            let Some(offset) = cx.offset(p.position) else {
                return Ok(None);
            };
            match ide::rename(cx.analysis(), offset, &new_name) {
                Ok(edits) => {
                    let index = &cx.analyzed.index;
                    let edits = edits
                        .iter()
                        .map(|e| convert::text_edit(index, e, cx.enc))
                        .collect();
                    Ok(Some(convert::workspace_edit(
                        cx.uri,
                        cx.snapshot.version,
                        edits,
                        cx.caps.document_changes,
                    )))
                }
                Err(message) => Err(Error::invalid_params(message)),
            }
        })
        .await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        self.with(
            "textDocument/documentSymbol",
            &params.text_document.uri,
            |cx| {
                let tree = ide::document_symbols(cx.analysis());
                let index = &cx.analyzed.index;
                Ok(Some(if cx.caps.hierarchical_symbols {
                    DocumentSymbolResponse::Nested(
                        tree.iter()
                            .map(|s| convert::document_symbol(index, s, cx.enc))
                            .collect(),
                    )
                } else {
                    DocumentSymbolResponse::Flat(
                        convert::flatten_symbols(index, &tree, cx.enc)
                            .iter()
                            .map(|s| convert::symbol_information(cx.uri, s))
                            .collect(),
                    )
                }))
            },
        )
        .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let p = params.text_document_position;
        self.with("textDocument/completion", &p.text_document.uri, |cx| {
            let Some(offset) = cx.offset(p.position) else {
                return Ok(None);
            };
            // Every item replaces the word being typed (for a tag: the text after `@`).
            let replace = cx.range(ide::completion_span(cx.analysis(), offset));
            let items: Vec<CompletionItem> = ide::completions(cx.analysis(), offset)
                .iter()
                .filter(|item| cx.caps.snippets || !item.is_snippet)
                .map(|item| convert::completion_item(item, replace))
                .collect();
            Ok(Some(CompletionResponse::Array(items)))
        })
        .await
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        self.with(
            "textDocument/semanticTokens/full",
            &params.text_document.uri,
            |cx| {
                let tokens = ide::semantic_tokens(cx.analysis());
                let data = convert::semantic_tokens(&cx.analyzed.index, &tokens, None, cx.enc);
                Ok(Some(SemanticTokensResult::Tokens(SemanticTokens {
                    result_id: None,
                    data,
                })))
            },
        )
        .await
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        self.with(
            "textDocument/semanticTokens/range",
            &params.text_document.uri,
            |cx| {
                let Some(within) = convert::span_clamped(&cx.analyzed.index, params.range, cx.enc)
                else {
                    return Ok(None);
                };
                let tokens = ide::semantic_tokens(cx.analysis());
                let data =
                    convert::semantic_tokens(&cx.analyzed.index, &tokens, Some(within), cx.enc);
                Ok(Some(SemanticTokensRangeResult::Tokens(SemanticTokens {
                    result_id: None,
                    data,
                })))
            },
        )
        .await
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        self.with("textDocument/formatting", &params.text_document.uri, |cx| {
            // Like rust-analyzer: a file that cannot be formatted gets `null`, not an error.
            let Ok(formatted) = format(cx.analysis(), Style::Ours) else {
                return Ok(None);
            };
            let text = &cx.analysis().text;
            Ok(Some(
                convert::minimal_edit(&cx.analyzed.index, text, &formatted, cx.enc)
                    .into_iter()
                    .collect(),
            ))
        })
        .await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        self.with(
            "textDocument/foldingRange",
            &params.text_document.uri,
            |cx| {
                let text = &cx.analysis().text;
                Ok(Some(
                    ide::folding_ranges(cx.analysis())
                        .iter()
                        .filter_map(|f| {
                            convert::folding_range(
                                &cx.analyzed.index,
                                text,
                                f,
                                cx.caps.line_folding_only,
                                cx.enc,
                            )
                        })
                        .collect(),
                ))
            },
        )
        .await
    }

    async fn selection_range(
        &self,
        params: SelectionRangeParams,
    ) -> Result<Option<Vec<SelectionRange>>> {
        self.with(
            "textDocument/selectionRange",
            &params.text_document.uri,
            |cx| {
                let mut out = Vec::with_capacity(params.positions.len());
                for &p in &params.positions {
                    let Some(offset) = cx.offset(p) else {
                        return Ok(None);
                    };
                    let spans = ide::selection_ranges(cx.analysis(), offset);
                    out.push(convert::selection_range(
                        &cx.analyzed.index,
                        &spans,
                        offset,
                        cx.enc,
                    ));
                }
                Ok(Some(out))
            },
        )
        .await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let config = self.settings.inlay_hints();
        self.with("textDocument/inlayHint", &params.text_document.uri, |cx| {
            let Some(within) = convert::span_clamped(&cx.analyzed.index, params.range, cx.enc)
            else {
                return Ok(None);
            };
            Ok(Some(
                ide::inlay_hints(cx.analysis(), within, &config)
                    .iter()
                    .map(|h| convert::inlay_hint(&cx.analyzed.index, h, cx.enc))
                    .collect(),
            ))
        })
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        if let Some(only) = &params.context.only {
            let wanted = only.iter().any(|k| {
                let k = k.as_str();
                k.is_empty() || k == "quickfix"
            });
            if !wanted {
                return Ok(Some(Vec::new()));
            }
        }
        self.with("textDocument/codeAction", &params.text_document.uri, |cx| {
            let Some(within) = convert::span(&cx.analyzed.index, params.range, cx.enc) else {
                return Ok(None);
            };
            let index = &cx.analyzed.index;
            let actions = ide::code_actions(cx.analysis(), within)
                .into_iter()
                .map(|action| {
                    let diagnostic = cx
                        .analysis()
                        .diagnostics
                        .get(action.diagnostic)
                        .map(|d| convert::diagnostic(cx.uri, index, d, cx.enc));
                    let edits = action
                        .edits
                        .iter()
                        .map(|e| convert::text_edit(index, e, cx.enc))
                        .collect();
                    CodeActionOrCommand::CodeAction(CodeAction {
                        title: action.title,
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: diagnostic.map(|d| vec![d]),
                        edit: Some(convert::workspace_edit(
                            cx.uri,
                            cx.snapshot.version,
                            edits,
                            cx.caps.document_changes,
                        )),
                        command: None,
                        is_preferred: Some(action.is_preferred),
                        disabled: None,
                        data: None,
                    })
                })
                .collect::<Vec<_>>();
            Ok(Some(actions))
        })
        .await
        .map(|actions| {
            let mut actions = actions?;
            let path = params.text_document.uri.to_file_path()?;
            let create_files = self.caps().document_changes && self.caps().create_files;
            actions.extend(
                params
                    .context
                    .diagnostics
                    .iter()
                    .filter_map(|d| compat::accept_break(&self.compat, &path, d, create_files))
                    .map(CodeActionOrCommand::CodeAction),
            );
            Some(actions)
        })
    }
}
