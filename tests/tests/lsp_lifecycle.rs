//! The language server's lifecycle and robustness: command line, initialize, capabilities,
//! shutdown/exit, unknown documents, out-of-range positions, malformed input, panics,
//! logging.

use std::process::Command;
use std::time::Duration;

use karmem_tests::lsp_client::{at, server_binary, LspClient, TIMEOUT};
use serde_json::{json, Value};

const SCHEMA: &str = "karmem demo;\n\nstruct Point inline {\n    X float32;\n    Y float32;\n}\n";

#[test]
fn version_and_help() {
    let out = Command::new(server_binary())
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("karmem-lsp "), "{stdout}");

    let out = Command::new(server_binary())
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    for flag in ["--stdio", "--log-level", "--version"] {
        assert!(stdout.contains(flag), "{flag} missing from:\n{stdout}");
    }

    let out = Command::new(server_binary())
        .args(["--log-level", "loud"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn initialize_advertises_every_capability() {
    let mut client = LspClient::spawn();
    let result = client.initialize(false, json!({}));
    let caps = &result["capabilities"];
    assert_eq!(result["serverInfo"]["name"], "karmem-lsp");
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    assert_eq!(caps["textDocumentSync"]["openClose"], true);
    for provider in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "documentHighlightProvider",
        "documentSymbolProvider",
        "workspaceSymbolProvider",
        "documentFormattingProvider",
        "foldingRangeProvider",
        "selectionRangeProvider",
        "inlayHintProvider",
    ] {
        assert_eq!(caps[provider], true, "{provider}");
    }
    assert_eq!(caps["renameProvider"]["prepareProvider"], true);
    assert_eq!(
        caps["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix"])
    );
    assert_eq!(
        caps["completionProvider"]["triggerCharacters"],
        json!(["@", "[", " "])
    );
    let tokens = &caps["semanticTokensProvider"];
    assert_eq!(tokens["full"], true);
    assert_eq!(tokens["range"], true);
    assert_eq!(
        tokens["legend"]["tokenTypes"],
        json!([
            "keyword",
            "namespace",
            "struct",
            "enum",
            "enumMember",
            "property",
            "type",
            "decorator",
            "number",
            "string",
            "comment"
        ])
    );
    assert_eq!(
        tokens["legend"]["tokenModifiers"],
        json!(["declaration", "documentation", "defaultLibrary"])
    );
    assert_eq!(caps["workspace"]["workspaceFolders"]["supported"], true);
    let status = client.shutdown_and_exit();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn utf8_is_chosen_when_offered() {
    let mut client = LspClient::spawn();
    let result = client.initialize(true, json!({}));
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
}

#[test]
fn exit_without_shutdown_is_code_1_and_stdin_may_stay_open() {
    let mut client = LspClient::spawn();
    client.initialize(false, json!({}));
    client.notify("exit", Value::Null);
    // stdin is still open: the server must exit anyway (tower-lsp #399).
    let status = client.wait_exit(TIMEOUT).expect("exits on `exit`");
    assert_eq!(status.code(), Some(1));
}

#[test]
fn end_of_input_ends_the_server() {
    let mut client = LspClient::spawn();
    client.initialize(false, json!({}));
    client.close_stdin();
    assert!(client.wait_exit(TIMEOUT).is_some());
}

#[test]
fn requests_after_shutdown_are_refused() {
    let mut client = LspClient::spawn();
    client.initialize(false, json!({}));
    client.request("shutdown", Value::Null);
    let response = client.request_raw(
        "textDocument/hover",
        at("file:///x.km", json!({"line": 0, "character": 0})),
    );
    assert_eq!(response["error"]["code"], -32600, "{response}");
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit(TIMEOUT).unwrap().code(), Some(0));
}

/// Every request about a document that is not open answers `null`, without an error.
#[test]
fn unknown_documents_are_answered_with_null() {
    let mut client = LspClient::spawn();
    client.initialize(false, json!({}));
    let uri = "file:///nowhere/missing.km";
    let doc = json!({ "uri": uri });
    let pos = json!({"line": 0, "character": 0});
    let range = json!({"start": pos, "end": pos});
    let requests = [
        ("textDocument/hover", at(uri, pos.clone())),
        ("textDocument/definition", at(uri, pos.clone())),
        ("textDocument/documentHighlight", at(uri, pos.clone())),
        ("textDocument/prepareRename", at(uri, pos.clone())),
        ("textDocument/completion", at(uri, pos.clone())),
        (
            "textDocument/references",
            json!({"textDocument": doc, "position": pos, "context": {"includeDeclaration": true}}),
        ),
        (
            "textDocument/rename",
            json!({"textDocument": doc, "position": pos, "newName": "B"}),
        ),
        ("textDocument/documentSymbol", json!({"textDocument": doc})),
        (
            "textDocument/semanticTokens/full",
            json!({"textDocument": doc}),
        ),
        (
            "textDocument/semanticTokens/range",
            json!({"textDocument": doc, "range": range}),
        ),
        (
            "textDocument/formatting",
            json!({"textDocument": doc, "options": {"tabSize": 4, "insertSpaces": true}}),
        ),
        ("textDocument/foldingRange", json!({"textDocument": doc})),
        (
            "textDocument/selectionRange",
            json!({"textDocument": doc, "positions": [pos]}),
        ),
        (
            "textDocument/inlayHint",
            json!({"textDocument": doc, "range": range}),
        ),
        (
            "textDocument/codeAction",
            json!({"textDocument": doc, "range": range, "context": {"diagnostics": []}}),
        ),
        ("karmem/layout", json!({"textDocument": doc})),
    ];
    for (method, params) in requests {
        let response = client.request_raw(method, params);
        assert!(response.get("error").is_none(), "{method}: {response}");
        assert_eq!(response["result"], Value::Null, "{method}");
    }
    // Notifications about unknown documents are ignored.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": "x"}]}),
    );
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

/// Positions past the last line answer `null`; columns past a line end are clamped.
#[test]
fn out_of_range_positions_are_answered_gracefully() {
    let mut client = LspClient::spawn();
    client.initialize(false, json!({}));
    let uri = "file:///virtual/range.km";
    client.open(uri, 1, SCHEMA);
    client.wait_diagnostics(uri, 1);
    let doc = json!({ "uri": uri });
    for pos in [
        json!({"line": 999, "character": 0}),
        json!({"line": 4_000_000_000u32, "character": 4_000_000_000u32}),
    ] {
        for method in [
            "textDocument/hover",
            "textDocument/definition",
            "textDocument/documentHighlight",
            "textDocument/completion",
            "textDocument/prepareRename",
        ] {
            let response = client.request_raw(method, at(uri, pos.clone()));
            assert!(response.get("error").is_none(), "{method}: {response}");
            assert_eq!(response["result"], Value::Null, "{method}");
        }
        let response = client.request_raw(
            "textDocument/selectionRange",
            json!({"textDocument": doc, "positions": [pos]}),
        );
        assert!(response.get("error").is_none(), "{response}");
        let response = client.request_raw(
            "textDocument/references",
            json!({"textDocument": doc, "position": pos, "context": {"includeDeclaration": true}}),
        );
        assert_eq!(response["result"], Value::Null, "{response}");
        let response = client.request_raw(
            "textDocument/codeAction",
            json!({"textDocument": doc, "range": {"start": pos, "end": pos}, "context": {"diagnostics": []}}),
        );
        assert!(response.get("error").is_none(), "{response}");
    }
    // A column far past the end of a line is that line's end: no error.
    let response = client.request_raw(
        "textDocument/hover",
        at(uri, json!({"line": 3, "character": 10_000})),
    );
    assert!(response.get("error").is_none(), "{response}");
    // A range reaching past the end is clamped for whole-file style requests.
    let hints = client.request(
        "textDocument/inlayHint",
        json!({"textDocument": doc, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 999, "character": 0}}}),
    );
    assert!(hints.is_array(), "{hints}");
    // The server is still fine.
    let symbols = client.request("textDocument/documentSymbol", json!({"textDocument": doc}));
    assert!(symbols.is_array());
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

#[test]
fn malformed_messages_do_not_stop_the_server() {
    let mut client = LspClient::spawn();
    client.initialize(false, json!({}));
    client.send_raw(b"\xff\xfe not utf-8");
    // Edits with nonsense ranges are clamped, not fatal.
    let uri = "file:///virtual/bad.km";
    client.open(uri, 1, SCHEMA);
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 99, "character": 99}, "end": {"line": 0, "character": 4_000_000_000u32}}, "text": "é"},
            {"range": {"start": {"line": 1, "character": 5}, "end": {"line": 0, "character": 2}}, "text": ""},
        ]}),
    );
    client.wait_diagnostics(uri, 2);
    assert!(client.is_running());
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

/// A panic inside a handler is caught, logged, and answered with InternalError; the
/// server keeps serving.
#[test]
fn a_panicking_handler_answers_internal_error() {
    let mut client = LspClient::spawn_with(&["--stdio"], &[("KARMEM_LSP_DEBUG_REQUESTS", "1")]);
    client.initialize(false, json!({}));
    let response = client.request_raw("karmem/debug/panic", json!({}));
    assert_eq!(response["error"]["code"], -32603, "{response}");
    let log = client.wait_notification(
        "window/logMessage",
        |p| p["message"].as_str().is_some_and(|m| m.contains("panic")),
        TIMEOUT,
    );
    assert_eq!(log["type"], 1, "logged as an error: {log}");
    let uri = "file:///virtual/after-panic.km";
    client.open(uri, 1, SCHEMA);
    client.wait_diagnostics(uri, 1);
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

#[test]
fn log_level_flag_and_setting() {
    // `--log-level debug`: debug lines reach the client.
    let mut client = LspClient::spawn_with(&["--stdio", "--log-level", "debug"], &[]);
    client.initialize(false, json!({}));
    let uri = "file:///virtual/log.km";
    client.open(uri, 1, SCHEMA);
    client.wait_diagnostics(uri, 1);
    client.wait_notification(
        "window/logMessage",
        |p| {
            p["type"] == 4
                && p["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("publishing"))
        },
        TIMEOUT,
    );
    drop(client);

    // `--log-level off`, raised by the `karmem.logLevel` setting.
    let mut client = LspClient::spawn_with(&["--stdio", "--log-level", "off"], &[]);
    client.initialize(false, json!({}));
    client.open(uri, 1, SCHEMA);
    client.wait_diagnostics(uri, 1);
    let logs = client.drain_notifications("window/logMessage", Duration::from_millis(300));
    assert!(logs.is_empty(), "nothing logged at `off`: {logs:?}");
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"karmem": {"logLevel": "debug"}}}),
    );
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": SCHEMA}]}),
    );
    client.wait_diagnostics(uri, 2);
    client.wait_notification("window/logMessage", |p| p["type"] == 4, TIMEOUT);
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

/// Once the client has sent `initialize`, log lines go to it (`window/logMessage`) and not
/// also to stderr, which editors show too.
#[test]
fn logs_go_to_the_client_not_twice() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("stderr.log");
    let file = std::fs::File::create(&log).unwrap();
    let mut client = LspClient::spawn_with_stderr(
        &["--stdio", "--log-level", "debug"],
        &[],
        std::process::Stdio::from(file),
    );
    client.initialize(false, json!({}));
    let uri = "file:///tmp/logs.km";
    client.open(uri, 1, "karmem logs;\nstruct A inline { X uint8; }\n");
    let message = client.wait_notification(
        "window/logMessage",
        |p| {
            p["message"]
                .as_str()
                .is_some_and(|m| m.contains("publishing"))
        },
        TIMEOUT,
    );
    assert!(
        message["message"].as_str().unwrap().contains(uri),
        "{message}"
    );
    client.shutdown_and_exit();
    let stderr = std::fs::read_to_string(&log).unwrap();
    assert!(
        !stderr.contains("publishing"),
        "logged to stderr as well:\n{stderr}"
    );
}
