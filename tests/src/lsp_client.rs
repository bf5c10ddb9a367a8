//! A small LSP test client: runs the `karmem-lsp` binary as a child process and talks
//! framed JSON-RPC over its standard input/output.
//!
//! Every wait has a timeout (a test fails with a message instead of hanging), server →
//! client requests (`client/registerCapability`, `workspace/configuration`, refreshes) are
//! answered automatically, and notifications are queued until a test asks for them.
//!
//! The binary is located by [`crate::bin::karmem_lsp`] (`KARMEM_LSP_BIN`, else built once
//! into the target directory and profile of the running executable).

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// How long any single wait lasts before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// The path of the `karmem-lsp` binary (built on first use; see [`crate::bin`]).
pub fn server_binary() -> &'static Path {
    crate::bin::karmem_lsp()
}

/// A `file://` URI for an absolute path.
pub fn file_uri(path: &Path) -> String {
    let mut uri = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                uri.push(byte as char)
            }
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    uri
}

/// Client capabilities of a modern editor; `utf8` offers UTF-8 positions first.
pub fn capabilities(utf8: bool) -> Value {
    let encodings = if utf8 {
        json!(["utf-8", "utf-16"])
    } else {
        json!(["utf-16"])
    };
    json!({
        "general": { "positionEncodings": encodings },
        "textDocument": {
            "synchronization": { "dynamicRegistration": false },
            "completion": { "completionItem": { "snippetSupport": true } },
            "documentSymbol": { "hierarchicalDocumentSymbolSupport": true },
            "publishDiagnostics": { "relatedInformation": true, "versionSupport": true,
                                    "codeDescriptionSupport": true },
            "foldingRange": { "lineFoldingOnly": false },
            "definition": { "linkSupport": false },
            "inlayHint": {},
            "semanticTokens": {
                "requests": { "full": true, "range": true },
                "tokenTypes": [], "tokenModifiers": [], "formats": ["relative"]
            }
        },
        "workspace": {
            "configuration": true,
            "workspaceFolders": true,
            "didChangeWatchedFiles": { "dynamicRegistration": true },
            "workspaceEdit": { "documentChanges": true },
            "inlayHint": { "refreshSupport": true }
        }
    })
}

/// The running server and the client side of the conversation.
pub struct LspClient {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Messages from the server not consumed yet (notifications, early responses).
    queue: VecDeque<Value>,
    /// Every server → client request seen (they are answered automatically).
    pub server_requests: Vec<Value>,
    /// The answer to each item of a `workspace/configuration` request.
    pub configuration: Value,
    /// `{uri, version}` of every `textDocument/publishDiagnostics` received, in order.
    pub published: Vec<Value>,
}

impl LspClient {
    /// Starts `karmem-lsp --stdio` (stderr discarded unless `KARMEM_LSP_STDERR=inherit`).
    pub fn spawn() -> Self {
        Self::spawn_with(&["--stdio"], &[])
    }

    pub fn spawn_with(args: &[&str], envs: &[(&str, &str)]) -> Self {
        let stderr = if std::env::var("KARMEM_LSP_STDERR").is_ok_and(|v| v == "inherit") {
            Stdio::inherit()
        } else {
            Stdio::null()
        };
        Self::spawn_with_stderr(args, envs, stderr)
    }

    /// Starts the server with its stderr going to `stderr`.
    pub fn spawn_with_stderr(args: &[&str], envs: &[(&str, &str)], stderr: Stdio) -> Self {
        let mut command = Command::new(server_binary());
        command
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr);
        for (k, v) in envs {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("start karmem-lsp");
        let stdout = child.stdout.take().expect("stdout");
        let stdin = child.stdin.take();
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        LspClient {
            child,
            stdin,
            incoming,
            next_id: 0,
            queue: VecDeque::new(),
            server_requests: Vec::new(),
            configuration: Value::Null,
            published: Vec::new(),
        }
    }

    /// Writes one message.
    pub fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).expect("serialise");
        self.send_raw(&body);
    }

    /// Writes a raw body with a correct `Content-Length` header (for malformed-JSON tests).
    pub fn send_raw(&mut self, body: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        stdin.write_all(header.as_bytes()).expect("write header");
        stdin.write_all(body).expect("write body");
        stdin.flush().expect("flush");
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request without waiting; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "jsonrpc": "2.0", "id": id, "method": method });
        if !params.is_null() {
            message["params"] = params;
        }
        self.send(&message);
        id
    }

    /// Sends a request and returns the whole response (`result` or `error`).
    pub fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.wait_response(id)
    }

    /// Sends a request and returns its result; panics on an error response.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params.clone());
        if let Some(error) = response.get("error") {
            panic!("{method} {params} answered with an error: {error}");
        }
        response.get("result").cloned().unwrap_or(Value::Null)
    }

    /// Waits for the response to request `id`, queueing everything else.
    pub fn wait_response(&mut self, id: i64) -> Value {
        if let Some(i) = self
            .queue
            .iter()
            .position(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none())
        {
            return self.queue.remove(i).expect("queued");
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self
                .next_message(deadline)
                .unwrap_or_else(|| panic!("no response to request {id} within {TIMEOUT:?}"));
            if message.get("id") == Some(&json!(id)) && message.get("method").is_none() {
                return message;
            }
            self.queue.push_back(message);
        }
    }

    /// The next message from the server before `deadline` (server requests are answered
    /// and recorded, not returned).
    fn next_message(&mut self, deadline: Instant) -> Option<Value> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = match self.incoming.recv_timeout(left) {
                Ok(m) => m,
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            };
            if message.get("method").is_some() && message.get("id").is_some() {
                self.answer_server_request(&message);
                self.server_requests.push(message);
                continue;
            }
            if message["method"] == "textDocument/publishDiagnostics" {
                let params = &message["params"];
                self.published
                    .push(json!({"uri": params["uri"], "version": params["version"]}));
            }
            return Some(message);
        }
    }

    fn answer_server_request(&mut self, request: &Value) {
        let id = request["id"].clone();
        let result = match request["method"].as_str() {
            Some("workspace/configuration") => {
                let n = request["params"]["items"].as_array().map_or(1, Vec::len);
                Value::Array(vec![self.configuration.clone(); n])
            }
            _ => Value::Null,
        };
        if self.stdin.is_some() {
            self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": result }));
        }
    }

    /// Waits for a notification `method` whose params satisfy `pred`; notifications
    /// passed over stay queued. Returns its params.
    pub fn wait_notification(
        &mut self,
        method: &str,
        pred: impl Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Value {
        self.try_wait_notification(method, &pred, timeout)
            .unwrap_or_else(|| panic!("no {method} notification as expected within {timeout:?}"))
    }

    pub fn try_wait_notification(
        &mut self,
        method: &str,
        pred: &dyn Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Option<Value> {
        let matches = |m: &Value| m["method"] == method && pred(&m["params"]);
        if let Some(i) = self.queue.iter().position(matches) {
            return self.queue.remove(i).map(|m| m["params"].clone());
        }
        let deadline = Instant::now() + timeout;
        loop {
            let message = self.next_message(deadline)?;
            if matches(&message) {
                return Some(message["params"].clone());
            }
            self.queue.push_back(message);
        }
    }

    /// Waits for the diagnostics of `uri` at `version` (the newest publication for it).
    pub fn wait_diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let params = self.wait_notification(
            "textDocument/publishDiagnostics",
            |p| p["uri"] == uri && p["version"] == version,
            TIMEOUT,
        );
        params["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Removes and returns every queued notification `method` (after collecting what
    /// arrives within `settle`).
    pub fn drain_notifications(&mut self, method: &str, settle: Duration) -> Vec<Value> {
        let deadline = Instant::now() + settle;
        while let Some(message) = self.next_message(deadline) {
            self.queue.push_back(message);
        }
        let (wanted, rest): (Vec<Value>, Vec<Value>) =
            self.queue.drain(..).partition(|m| m["method"] == method);
        self.queue = rest.into();
        wanted.into_iter().map(|m| m["params"].clone()).collect()
    }

    /// `initialize` with `capabilities(utf8)` plus `extra` merged into the params, then
    /// `initialized`. Returns the `initialize` result.
    pub fn initialize(&mut self, utf8: bool, extra: Value) -> Value {
        let mut params = json!({
            "processId": std::process::id(),
            "clientInfo": { "name": "karmem-tests", "version": "0" },
            "capabilities": capabilities(utf8),
        });
        if let (Some(p), Some(e)) = (params.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                p.insert(k.clone(), v.clone());
            }
        }
        let result = self.request("initialize", params);
        self.notify("initialized", json!({}));
        result
    }

    pub fn open(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": {
                "uri": uri, "languageId": "karmem", "version": version, "text": text
            }}),
        );
    }

    /// `shutdown`, then `exit`; returns the exit status (within the timeout).
    pub fn shutdown_and_exit(mut self) -> ExitStatus {
        let response = self.request_raw("shutdown", Value::Null);
        assert!(
            response.get("error").is_none(),
            "shutdown failed: {response}"
        );
        self.notify("exit", Value::Null);
        self.wait_exit(TIMEOUT)
            .expect("the server exits after `exit`")
    }

    /// Waits for the process to end (stdin is left open, as some editors do).
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Closes the server's stdin.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// The server's process id (for reading `/proc/<pid>/status`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for LspClient {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Reads one framed message; `None` at the end of the stream or on a malformed frame.
fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            }
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// A scratch directory for workspace tests, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("karmem-lsp-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        // The server sees canonical paths (macOS /tmp is a symlink).
        TempDir(dir.canonicalize().unwrap_or(dir))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The LSP position of byte `offset` in `text`, computed independently of the server:
/// lines split on `\n`, columns in UTF-8 bytes (`utf8`) or UTF-16 code units.
pub fn position(text: &str, offset: usize, utf8: bool) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[line_start..offset];
    let character = if utf8 {
        prefix.len()
    } else {
        prefix.encode_utf16().count()
    };
    json!({ "line": line, "character": character })
}

/// The position of the start of the `nth` (0-based) occurrence of `needle`, plus `delta`
/// bytes.
pub fn position_of(text: &str, needle: &str, nth: usize, delta: usize, utf8: bool) -> Value {
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} occurrence {nth} not in the text"))
        .0;
    position(text, offset + delta, utf8)
}

/// The range of the `nth` occurrence of `needle`.
pub fn range_of(text: &str, needle: &str, nth: usize, utf8: bool) -> Value {
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} occurrence {nth} not in the text"))
        .0;
    json!({
        "start": position(text, offset, utf8),
        "end": position(text, offset + needle.len(), utf8),
    })
}

/// `{"textDocument": {"uri": uri}, "position": pos}`.
pub fn at(uri: &str, pos: Value) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": pos })
}
