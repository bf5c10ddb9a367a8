//! One test per language-server capability, with expected values. Unless a test says
//! otherwise the document has an error elsewhere (`struct Broken` uses an unknown type), so
//! every feature is checked while the file has errors.

use std::time::Duration;

use karmem_syntax::layout_json::to_json;
use karmem_syntax::{analyze, AnalysisOptions};
use karmem_tests::lsp_client::{
    at, file_uri, position, position_of, range_of, LspClient, TempDir, TIMEOUT,
};
use serde_json::{json, Value};

const VALID: &str = "karmem demo @packed(true);

/// Colours.
enum Color uint8 { Red; Green; Blue; }

struct Point inline {
    X float32;
    Y float32;
}

struct Shape table {
    Name [<32]char;
    Color Color;
    Points [<8]Point;
    Origin Point;
}
";

const BROKEN_TAIL: &str = "\nstruct Broken inline { Z Unknown; }\n";

fn broken() -> String {
    format!("{VALID}{BROKEN_TAIL}")
}

const URI: &str = "file:///virtual/features.km";

/// A server with `text` open as `URI` (version 1), its first diagnostics consumed.
fn session(text: &str) -> (LspClient, Vec<Value>) {
    session_with(text, json!({}))
}

fn session_with(text: &str, extra: Value) -> (LspClient, Vec<Value>) {
    let mut client = LspClient::spawn();
    client.initialize(false, extra);
    client.open(URI, 1, text);
    let diagnostics = client.wait_diagnostics(URI, 1);
    (client, diagnostics)
}

fn doc() -> Value {
    json!({ "uri": URI })
}

fn change(client: &mut LspClient, version: i64, range: Value, text: &str) {
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": URI, "version": version },
            "contentChanges": [{ "range": range, "text": text }],
        }),
    );
}

/// Applies LSP text edits (UTF-16 positions) to `text`.
fn apply_edits(text: &str, edits: &[Value]) -> String {
    let offset = |pos: &Value| -> usize {
        let line = pos["line"].as_u64().unwrap() as usize;
        let col = pos["character"].as_u64().unwrap() as usize;
        let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        for (i, c) in text[line_start..].char_indices() {
            if units >= col || c == '\n' {
                return line_start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (start, end, new) in spans {
        out.replace_range(start..end, &new);
    }
    out
}

/// The range of `len` bytes at `delta` bytes into the first occurrence of `needle`.
fn range_in(text: &str, needle: &str, delta: usize, len: usize) -> Value {
    let offset = text.find(needle).unwrap_or_else(|| panic!("{needle:?}")) + delta;
    json!({"start": position(text, offset, false), "end": position(text, offset + len, false)})
}

/// The two uses of `Point` in `Shape`.
fn point_uses(text: &str) -> [Value; 2] {
    [
        range_in(text, "[<8]Point", 4, 5),
        range_in(text, "Origin Point", 7, 5),
    ]
}

/// Every number in `text`.
fn numbers(text: &str) -> Vec<u64> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect()
}

// ---------------------------------------------------------------------------------------

#[test]
fn diagnostics_with_codes_links_and_related_information() {
    let text = broken();
    let (mut client, diagnostics) = session(&text);
    let unknown = diagnostics
        .iter()
        .find(|d| d["code"] == "KM0200")
        .unwrap_or_else(|| panic!("no KM0200 in {diagnostics:?}"));
    assert_eq!(unknown["severity"], 1);
    assert_eq!(unknown["source"], "karmem");
    assert_eq!(unknown["range"], range_of(&text, "Unknown", 0, false));
    assert_eq!(
        unknown["codeDescription"]["href"],
        "https://github.com/karmem-lsp/karmem-lsp/blob/main/docs/diagnostics.md#km0200"
    );
    // Every diagnostic has a valid severity and a code.
    for d in &diagnostics {
        assert!(matches!(d["severity"].as_u64(), Some(1..=4)), "{d}");
        assert!(
            d["code"].as_str().is_some_and(|c| c.starts_with("KM")),
            "{d}"
        );
    }

    // Related information: a duplicate declaration points at the first one.
    let duplicate = "karmem demo;\nstruct A inline { X uint8; }\nstruct A inline { Y uint8; }\n";
    let uri2 = "file:///virtual/duplicate.km";
    client.open(uri2, 7, duplicate);
    let diagnostics = client.wait_diagnostics(uri2, 7);
    let dup = diagnostics
        .iter()
        .find(|d| d["code"] == "KM0102")
        .unwrap_or_else(|| panic!("no KM0102 in {diagnostics:?}"));
    assert_eq!(dup["range"], range_of(duplicate, "A", 1, false));
    let related = &dup["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], uri2);
    assert_eq!(
        related["location"]["range"],
        range_of(duplicate, "A", 0, false)
    );
    assert!(related["message"].as_str().is_some_and(|m| !m.is_empty()));
}

#[test]
fn diagnostics_follow_edits_and_clear_after_a_fix_and_on_close() {
    let text = broken();
    let (mut client, diagnostics) = session(&text);
    assert!(diagnostics.iter().any(|d| d["code"] == "KM0200"));

    // Fix the unknown type (incremental edit).
    change(
        &mut client,
        2,
        range_of(&text, "Unknown", 0, false),
        "uint8",
    );
    let diagnostics = client.wait_diagnostics(URI, 2);
    assert!(
        diagnostics.iter().all(|d| d["severity"] != 1),
        "no error left: {diagnostics:?}"
    );

    // Break it again somewhere else: the new error appears, for version 3.
    let fixed = text.replace("Unknown", "uint8");
    let at_x = position_of(&fixed, "X float32;", 0, 0, false);
    change(&mut client, 3, json!({"start": at_x, "end": at_x}), "x ");
    let diagnostics = client.wait_diagnostics(URI, 3);
    assert!(
        diagnostics.iter().any(|d| d["severity"] == 1),
        "{diagnostics:?}"
    );

    // Closing publishes an empty list.
    client.notify("textDocument/didClose", json!({"textDocument": doc()}));
    let cleared = client.wait_notification(
        "textDocument/publishDiagnostics",
        |p| p["uri"] == URI && p["diagnostics"] == json!([]),
        TIMEOUT,
    );
    assert!(cleared["version"].is_null());
    // Reopening analyses again.
    client.open(URI, 10, &text);
    let diagnostics = client.wait_diagnostics(URI, 10);
    assert!(diagnostics.iter().any(|d| d["code"] == "KM0200"));
}

#[test]
fn hover_shows_the_layout_numbers() {
    let text = broken();
    let (mut client, _) = session(&text);
    let report = to_json(&analyze(VALID, &AnalysisOptions::default()).schema);
    let shape = &report["structs"][1];
    assert_eq!(shape["name"], "Shape");

    // Every field of Shape: its offset and field size are in the hover.
    for field in shape["fields"].as_array().unwrap() {
        let name = field["name"].as_str().unwrap();
        let needle = format!("    {name} ");
        let pos = position_of(&text, &needle, 0, 4, false);
        let hover = client.request("textDocument/hover", at(URI, pos.clone()));
        let markdown = hover["contents"]["value"].as_str().unwrap_or_default();
        assert_eq!(hover["contents"]["kind"], "markdown");
        let found = numbers(markdown);
        let offset = field["offset"].as_u64().unwrap();
        let size = field["size"]["field"].as_u64().unwrap();
        assert!(
            found.contains(&offset),
            "{name}: offset {offset} not in {markdown}"
        );
        assert!(
            found.contains(&size),
            "{name}: size {size} not in {markdown}"
        );
        assert_eq!(
            hover["range"],
            range_of(&text, &needle, 0, false).clone().tap(|r| {
                r["start"]["character"] = json!(4);
                r["end"]["character"] = json!(4 + name.len());
            }),
            "{name}"
        );
    }
    // The struct's total size.
    let hover = client.request(
        "textDocument/hover",
        at(URI, position_of(&text, "Shape table", 0, 1, false)),
    );
    let total = shape["size"]["total"].as_u64().unwrap();
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert!(
        numbers(markdown).contains(&total),
        "{total} not in {markdown}"
    );
    // Nothing on blank space.
    let hover = client.request(
        "textDocument/hover",
        at(URI, json!({"line": 1, "character": 0})),
    );
    assert!(hover.is_null(), "{hover}");
}

trait Tap {
    fn tap(self, f: impl FnOnce(&mut Self)) -> Self;
}

impl Tap for Value {
    fn tap(mut self, f: impl FnOnce(&mut Self)) -> Self {
        f(&mut self);
        self
    }
}

fn hint_labels(client: &mut LspClient, text: &str) -> Vec<String> {
    let end = position(text, text.len(), false);
    let hints = client.request(
        "textDocument/inlayHint",
        json!({"textDocument": doc(), "range": {"start": {"line": 0, "character": 0}, "end": end}}),
    );
    hints
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["label"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn inlay_hints_and_their_settings() {
    let text = broken();
    let (mut client, _) = session(&text);
    let end = position(&text, text.len(), false);
    let hints = client.request(
        "textDocument/inlayHint",
        json!({"textDocument": doc(), "range": {"start": {"line": 0, "character": 0}, "end": end}}),
    );
    let hints = hints.as_array().unwrap();
    let labels: Vec<&str> = hints.iter().map(|h| h["label"].as_str().unwrap()).collect();
    // Implicit enum values.
    for label in ["= 0", "= 1", "= 2"] {
        assert!(labels.contains(&label), "{label} in {labels:?}");
    }
    // Field layouts, from the layout report.
    let report = to_json(&analyze(VALID, &AnalysisOptions::default()).schema);
    for s in report["structs"].as_array().unwrap() {
        for f in s["fields"].as_array().unwrap() {
            let label = format!("@{} +{}", f["offset"], f["size"]["field"]);
            assert!(labels.contains(&label.as_str()), "{label} in {labels:?}");
        }
        let size = s["size"]["total"].as_u64().unwrap();
        assert!(
            labels
                .iter()
                .any(|l| !l.starts_with(['@', '=']) && numbers(l) == [size]),
            "struct size {size} in {labels:?}"
        );
    }
    // The hint of `X` sits at the end of its field.
    let x = hints.iter().find(|h| h["label"] == "@0 +4").unwrap();
    assert_eq!(
        x["position"],
        position_of(&text, "X float32;", 0, 10, false)
    );
    assert_eq!(x["paddingLeft"], true);

    // Turned off one kind at a time through didChangeConfiguration.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"karmem": {"inlayHints": {"fieldLayout": false}}}}),
    );
    let labels = hint_labels(&mut client, &text);
    assert!(labels.iter().all(|l| !l.starts_with('@')), "{labels:?}");
    assert!(labels.iter().any(|l| l.starts_with('=')), "{labels:?}");
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"karmem": {"inlayHints": {"enumValues": false, "structSize": false}}}}),
    );
    assert!(hint_labels(&mut client, &text).is_empty());
    // The client is asked to refresh.
    assert!(client
        .server_requests
        .iter()
        .any(|r| r["method"] == "workspace/inlayHint/refresh"));

    // Pull model: empty settings make the server ask for the `karmem` section.
    client.configuration =
        json!({"inlayHints": {"fieldLayout": true, "enumValues": true, "structSize": true}});
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    );
    let deadline = std::time::Instant::now() + TIMEOUT;
    loop {
        let labels = hint_labels(&mut client, &text);
        if labels.iter().any(|l| l.starts_with('@')) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "settings never pulled"
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    // initializationOptions.
    let (mut client, _) = session_with(
        &text,
        json!({"initializationOptions": {"inlayHints": {"enumValues": false}}}),
    );
    let labels = hint_labels(&mut client, &text);
    assert!(labels.iter().all(|l| !l.starts_with('=')), "{labels:?}");
    assert!(labels.iter().any(|l| l.starts_with('@')), "{labels:?}");
}

#[test]
fn definition() {
    let text = broken();
    let (mut client, _) = session(&text);
    let result = client.request(
        "textDocument/definition",
        at(URI, position_of(&text, "[<8]Point", 0, 6, false)),
    );
    assert_eq!(result["uri"], URI);
    assert_eq!(result["range"], range_of(&text, "Point", 0, false));
    let result = client.request(
        "textDocument/definition",
        at(URI, position_of(&text, "Color Color", 0, 8, false)),
    );
    assert_eq!(result["range"], range_of(&text, "Color", 0, false));
}

#[test]
fn references_with_and_without_the_declaration() {
    let text = broken();
    let (mut client, _) = session(&text);
    let pos = position_of(&text, "struct Point", 0, 8, false);
    let params = |include: bool| json!({"textDocument": doc(), "position": pos, "context": {"includeDeclaration": include}});
    let uses: Vec<Value> = point_uses(&text)
        .into_iter()
        .map(|range| json!({"uri": URI, "range": range}))
        .collect();
    let without = client.request("textDocument/references", params(false));
    assert_eq!(without, json!(uses));
    let with = client.request("textDocument/references", params(true));
    let mut expected = vec![json!({"uri": URI, "range": range_of(&text, "Point", 0, false)})];
    expected.extend(uses);
    assert_eq!(with, json!(expected));
}

#[test]
fn document_highlight() {
    let text = broken();
    let (mut client, _) = session(&text);
    let result = client.request(
        "textDocument/documentHighlight",
        at(URI, position_of(&text, "Origin Point", 0, 8, false)),
    );
    assert_eq!(
        result,
        json!([
            {"range": range_of(&text, "Point", 0, false), "kind": 3},
            {"range": point_uses(&text)[0], "kind": 2},
            {"range": point_uses(&text)[1], "kind": 2},
        ])
    );
}

#[test]
fn prepare_rename_and_rename() {
    let text = broken();
    let (mut client, _) = session(&text);
    let pos = position_of(&text, "[<8]Point", 0, 5, false);
    let prepared = client.request("textDocument/prepareRename", at(URI, pos.clone()));
    assert_eq!(prepared["range"], point_uses(&text)[0]);
    assert_eq!(prepared["placeholder"], "Point");
    // Not renamable: an error with a message.
    let response = client.request_raw(
        "textDocument/prepareRename",
        at(URI, position_of(&text, "struct Point", 0, 2, false)),
    );
    assert!(
        response["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{response}"
    );

    let edit = client.request(
        "textDocument/rename",
        json!({"textDocument": doc(), "position": pos, "newName": "Pt"}),
    );
    // The client supports documentChanges: one versioned text document edit.
    let change = &edit["documentChanges"][0];
    assert_eq!(change["textDocument"]["uri"], URI);
    assert_eq!(change["textDocument"]["version"], 1);
    let edits = change["edits"].as_array().unwrap();
    assert_eq!(edits.len(), 3);
    assert_eq!(
        apply_edits(&text, edits),
        text.replace("Point", "Pt")
            .replace("Pts [<8]", "Points [<8]")
    );

    // An invalid new name is refused with a message.
    let response = client.request_raw(
        "textDocument/rename",
        json!({"textDocument": doc(), "position": pos, "newName": "lower"}),
    );
    assert_eq!(response["error"]["code"], -32602, "{response}");
}

#[test]
fn document_symbols_are_hierarchical() {
    let text = broken();
    let (mut client, _) = session(&text);
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": doc()}),
    );
    let names: Vec<(&str, u64)> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["kind"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        names,
        [
            ("demo", 2),
            ("Color", 10),
            ("Point", 23),
            ("Shape", 23),
            ("Broken", 23)
        ]
    );
    let color = &symbols[1];
    let values: Vec<&str> = color["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["Red", "Green", "Blue"]);
    assert_eq!(color["children"][0]["kind"], 22);
    let shape = &symbols[3];
    assert_eq!(shape["selectionRange"], range_of(&text, "Shape", 0, false));
    assert_eq!(
        shape["range"]["start"],
        position_of(&text, "struct Shape", 0, 0, false)
    );
    let fields: Vec<&str> = shape["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["Name", "Color", "Points", "Origin"]);
    assert_eq!(shape["children"][0]["kind"], 8);
    // Every selection range lies inside its range.
    fn check(symbol: &Value) {
        let r = &symbol["range"];
        let s = &symbol["selectionRange"];
        let key = |p: &Value| {
            (
                p["line"].as_u64().unwrap(),
                p["character"].as_u64().unwrap(),
            )
        };
        assert!(
            key(&r["start"]) <= key(&s["start"]) && key(&s["end"]) <= key(&r["end"]),
            "{symbol}"
        );
        for child in symbol["children"].as_array().into_iter().flatten() {
            check(child);
        }
    }
    symbols.as_array().unwrap().iter().for_each(check);
}

fn workspace_names(client: &mut LspClient, query: &str) -> Vec<(String, String)> {
    let result = client.request("workspace/symbol", json!({"query": query}));
    let mut names: Vec<(String, String)> = result
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let uri = s["location"]["uri"].as_str().unwrap();
            let file = uri.rsplit('/').next().unwrap().to_string();
            (s["name"].as_str().unwrap().to_string(), file)
        })
        .collect();
    names.sort();
    names
}

fn pair(name: &str, file: &str) -> (String, String) {
    (name.to_string(), file.to_string())
}

#[test]
fn workspace_symbols_across_files() {
    let dir = TempDir::new("workspace-symbols");
    let root = dir.path();
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::create_dir_all(root.join(".hidden")).unwrap();
    std::fs::write(
        root.join("a.km"),
        "karmem a;\nstruct Alpha inline { AlphaField uint8; }\n",
    )
    .unwrap();
    std::fs::write(
        root.join("sub/b.km"),
        "karmem b;\nenum Beta uint8 { BetaOne; }\n",
    )
    .unwrap();
    // Files with errors are indexed too.
    std::fs::write(
        root.join("sub/broken.km"),
        "karmem c;\nstruct AlphaBroken inline { X Nope; }\n",
    )
    .unwrap();
    std::fs::write(
        root.join(".hidden/c.km"),
        "karmem c;\nstruct AlphaHidden inline { X uint8; }\n",
    )
    .unwrap();
    std::fs::write(root.join("notes.txt"), "struct AlphaText").unwrap();

    let mut client = LspClient::spawn();
    client.initialize(
        false,
        json!({"workspaceFolders": [{"uri": file_uri(root), "name": "ws"}]}),
    );
    assert_eq!(
        workspace_names(&mut client, "alpha"),
        [
            pair("Alpha", "a.km"),
            pair("AlphaBroken", "broken.km"),
            pair("AlphaField", "a.km")
        ]
    );
    let result = client.request("workspace/symbol", json!({"query": "Beta"}));
    let beta = result
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Beta")
        .unwrap();
    assert_eq!(beta["kind"], 10);
    assert_eq!(beta["location"]["uri"], file_uri(&root.join("sub/b.km")));
    assert_eq!(
        beta["location"]["range"],
        json!({"start": {"line": 1, "character": 5}, "end": {"line": 1, "character": 9}})
    );
    // The client was asked to watch **/*.km.
    let registration = client
        .server_requests
        .iter()
        .find(|r| r["method"] == "client/registerCapability")
        .expect("a file watcher registration");
    let reg = &registration["params"]["registrations"][0];
    assert_eq!(reg["method"], "workspace/didChangeWatchedFiles");
    assert_eq!(
        reg["registerOptions"]["watchers"][0]["globPattern"],
        "**/*.km"
    );

    // A new file on disk, announced by the watcher; a deleted one.
    std::fs::write(
        root.join("sub/new.km"),
        "karmem n;\nstruct AlphaNew inline { X uint8; }\n",
    )
    .unwrap();
    std::fs::remove_file(root.join("sub/broken.km")).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [
            {"uri": file_uri(&root.join("sub/new.km")), "type": 1},
            {"uri": file_uri(&root.join("sub/broken.km")), "type": 3},
        ]}),
    );
    assert_eq!(
        workspace_names(&mut client, "alpha"),
        [
            pair("Alpha", "a.km"),
            pair("AlphaField", "a.km"),
            pair("AlphaNew", "new.km")
        ]
    );

    // An open document overrides the file on disk.
    let a_uri = file_uri(&root.join("a.km"));
    client.open(&a_uri, 1, "karmem a;\nstruct Gamma inline { X uint8; }\n");
    assert_eq!(
        workspace_names(&mut client, "alpha"),
        [pair("AlphaNew", "new.km")]
    );
    assert_eq!(workspace_names(&mut client, "gam"), [pair("Gamma", "a.km")]);
    // Closed again: back to the disk's version.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": a_uri}}),
    );
    assert_eq!(workspace_names(&mut client, "Alpha").len(), 3);
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

fn completion_labels(client: &mut LspClient, pos: Value) -> Vec<String> {
    let result = client.request("textDocument/completion", at(URI, pos));
    result
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn completion() {
    // A field being typed (the file has errors because of it).
    let text = VALID.replace("    Origin Point;\n", "    Origin Point;\n    Extra \n");
    let (mut client, _) = session(&text);
    let pos = position_of(&text, "Extra ", 0, 6, false);
    let labels = completion_labels(&mut client, pos.clone());
    for label in ["uint8", "float64", "Color", "Point"] {
        assert!(labels.contains(&label.to_string()), "{label} in {labels:?}");
    }
    assert!(
        !labels.contains(&"Shape".to_string()),
        "not the struct itself: {labels:?}"
    );
    let result = client.request("textDocument/completion", at(URI, pos.clone()));
    let point = result
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["label"] == "Point")
        .unwrap();
    assert_eq!(point["kind"], 22, "struct");
    assert_eq!(point["textEdit"]["newText"], "Point");
    assert_eq!(
        point["textEdit"]["range"],
        json!({"start": pos, "end": pos})
    );

    // Inside an array: no enums. A partly typed word is replaced.
    let text2 = text.replace("    Extra \n", "    Extra [4]Po\n");
    change(
        &mut client,
        2,
        json!({"start": {"line": 0, "character": 0}, "end": position(&text, text.len(), false)}),
        &text2,
    );
    client.wait_diagnostics(URI, 2);
    let pos = position_of(&text2, "[4]Po", 0, 5, false);
    let result = client.request("textDocument/completion", at(URI, pos.clone()));
    let items = result.as_array().unwrap();
    assert!(items.iter().all(|c| c["label"] != "Color"), "{items:?}");
    let point = items.iter().find(|c| c["label"] == "Point").unwrap();
    assert_eq!(
        point["textEdit"]["range"],
        json!({"start": position_of(&text2, "Po\n", 0, 0, false), "end": pos})
    );

    // Tags after `@`, as snippets.
    let text3 = "karmem demo;\n\nstruct Shape table @\n";
    change(
        &mut client,
        3,
        json!({"start": {"line": 0, "character": 0}, "end": position(&text2, text2.len(), false)}),
        text3,
    );
    client.wait_diagnostics(URI, 3);
    let result = client.request(
        "textDocument/completion",
        at(URI, position_of(text3, "@", 0, 1, false)),
    );
    let packed = result
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["label"] == "packed")
        .unwrap_or_else(|| panic!("packed in {result}"));
    assert_eq!(packed["insertTextFormat"], 2, "snippet");
    assert!(packed["textEdit"]["newText"]
        .as_str()
        .unwrap()
        .starts_with("packed("));
}

/// Decodes relative semantic tokens into (line, start, length, type, modifiers).
fn decode(data: &Value) -> Vec<(u64, u64, u64, u64, u64)> {
    let data: Vec<u64> = data
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let mut out = Vec::new();
    let (mut line, mut col) = (0, 0);
    for t in data.chunks(5) {
        if t[0] > 0 {
            line += t[0];
            col = t[1];
        } else {
            col += t[1];
        }
        out.push((line, col, t[2], t[3], t[4]));
    }
    out
}

#[test]
fn semantic_tokens_full_and_range() {
    let text = broken();
    let (mut client, _) = session(&text);
    let full = client.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": doc()}),
    );
    let tokens = decode(&full["data"]);
    let token_at = |needle: &str, nth: usize| {
        let p = position_of(&text, needle, nth, 0, false);
        let (line, col) = (
            p["line"].as_u64().unwrap(),
            p["character"].as_u64().unwrap(),
        );
        *tokens
            .iter()
            .find(|t| t.0 == line && t.1 == col)
            .unwrap_or_else(|| panic!("no token at {needle:?}: {tokens:?}"))
    };
    // (line, col, length, type, modifiers); types index the legend.
    let keyword = token_at("karmem", 0);
    assert_eq!((keyword.2, keyword.3), (6, 0), "keyword");
    let point_decl = token_at("Point", 0);
    assert_eq!(
        (point_decl.2, point_decl.3, point_decl.4),
        (5, 2, 1),
        "struct, declaration"
    );
    let point_use = token_at("Point;", 0);
    assert_eq!((point_use.3, point_use.4), (2, 0), "struct use");
    let doc_comment = token_at("/// Colours.", 0);
    assert_eq!(
        (doc_comment.2, doc_comment.3, doc_comment.4),
        (12, 10, 2),
        "doc comment"
    );
    let float = token_at("float32", 0);
    assert_eq!((float.3, float.4), (6, 4), "type, defaultLibrary");
    let red = token_at("Red", 0);
    assert_eq!((red.3, red.4), (4, 1), "enum member declaration");
    // Sorted and non-overlapping.
    for pair in tokens.windows(2) {
        assert!(
            (pair[0].0, pair[0].1 + pair[0].2) <= (pair[1].0, pair[1].1),
            "{pair:?}"
        );
    }

    // A range: only the tokens of the Point block, with the same values.
    let start = position_of(&text, "struct Point", 0, 0, false);
    let end = position_of(&text, "struct Shape", 0, 0, false);
    let ranged = client.request(
        "textDocument/semanticTokens/range",
        json!({"textDocument": doc(), "range": {"start": start, "end": end}}),
    );
    let ranged = decode(&ranged["data"]);
    let (first, last) = (
        start["line"].as_u64().unwrap(),
        end["line"].as_u64().unwrap(),
    );
    let expected: Vec<_> = tokens
        .iter()
        .filter(|t| t.0 >= first && t.0 < last)
        .copied()
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(ranged, expected);
}

#[test]
fn formatting() {
    let messy =
        "karmem demo @packed(true);\nstruct Point inline {\n  X   float32;\n      Y float32;\n}\n";
    let (mut client, _) = session(messy);
    let edits = client.request(
        "textDocument/formatting",
        json!({"textDocument": doc(), "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    let formatted = apply_edits(messy, edits.as_array().unwrap());
    let expected = karmem_syntax::fmt::format(
        &analyze(messy, &AnalysisOptions::default()),
        karmem_syntax::fmt::Style::Ours,
    )
    .unwrap();
    assert_eq!(formatted, expected);
    assert_ne!(formatted, messy);

    // Already formatted: no edits.
    change(
        &mut client,
        2,
        json!({"start": {"line": 0, "character": 0}, "end": position(messy, messy.len(), false)}),
        &expected,
    );
    client.wait_diagnostics(URI, 2);
    let edits = client.request(
        "textDocument/formatting",
        json!({"textDocument": doc(), "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    assert_eq!(edits, json!([]));

    // A file with errors: null, no error (as rust-analyzer does).
    let (mut client, _) = session(&broken());
    let response = client.request_raw(
        "textDocument/formatting",
        json!({"textDocument": doc(), "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    assert!(response.get("error").is_none(), "{response}");
    assert!(response["result"].is_null(), "{response}");
}

#[test]
fn folding_ranges() {
    let text = broken();
    let (mut client, _) = session(&text);
    let result = client.request("textDocument/foldingRange", json!({"textDocument": doc()}));
    let ranges = result.as_array().unwrap();
    let point_line = position_of(&text, "struct Point", 0, 0, false)["line"]
        .as_u64()
        .unwrap();
    let point = ranges
        .iter()
        .find(|r| r["startLine"] == point_line)
        .unwrap_or_else(|| panic!("no fold at line {point_line}: {result}"));
    assert_eq!(point["endLine"], point_line + 3);
    assert_eq!(point["kind"], "region");
    let shape_line = position_of(&text, "struct Shape", 0, 0, false)["line"]
        .as_u64()
        .unwrap();
    let shape = ranges
        .iter()
        .find(|r| r["startLine"] == shape_line)
        .unwrap();
    assert_eq!(shape["endLine"], shape_line + 5);
    // One-line declarations do not fold.
    let enum_line = position_of(&text, "enum", 0, 0, false)["line"]
        .as_u64()
        .unwrap();
    assert!(
        ranges.iter().all(|r| r["startLine"] != enum_line),
        "{result}"
    );

    // Line-only clients: the closing brace stays visible.
    let mut caps = karmem_tests::lsp_client::capabilities(false);
    caps["textDocument"]["foldingRange"]["lineFoldingOnly"] = json!(true);
    let (mut client, _) = session_with(&text, json!({"capabilities": caps}));
    let result = client.request("textDocument/foldingRange", json!({"textDocument": doc()}));
    let point = result
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["startLine"] == point_line)
        .unwrap();
    assert_eq!(point["endLine"], point_line + 2);
    assert!(point.get("startCharacter").is_none());
}

#[test]
fn selection_ranges() {
    let text = broken();
    let (mut client, _) = session(&text);
    let pos = position_of(&text, "Y float32", 0, 0, false);
    let result = client.request(
        "textDocument/selectionRange",
        json!({"textDocument": doc(), "positions": [pos]}),
    );
    let mut ranges = Vec::new();
    let mut node = &result[0];
    while node.is_object() {
        ranges.push(node["range"].clone());
        node = &node["parent"];
    }
    assert_eq!(ranges.first(), Some(&range_of(&text, "Y", 0, false)));
    assert_eq!(
        ranges.get(1),
        Some(&range_of(&text, "Y float32;", 0, false))
    );
    assert!(ranges.contains(&range_of(
        &text,
        "struct Point inline {\n    X float32;\n    Y float32;\n}",
        0,
        false
    )));
    assert_eq!(
        ranges.last(),
        Some(
            &json!({"start": {"line": 0, "character": 0}, "end": position(&text, text.len(), false)})
        )
    );
}

#[test]
fn code_actions_are_quick_fixes_with_their_diagnostic() {
    let text =
        "karmem demo @packed(true);\nstruct B inline { X uint8 }\nstruct C inline { Y Unknown; }\n";
    let (mut client, diagnostics) = session(text);
    let missing = diagnostics
        .iter()
        .find(|d| d["code"] == "KM0004")
        .unwrap_or_else(|| panic!("KM0004 in {diagnostics:?}"))
        .clone();
    let line = json!({"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 27}});
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": doc(), "range": line, "context": {"diagnostics": [missing]}}),
    );
    let actions = actions.as_array().unwrap();
    let insert = actions
        .iter()
        .find(|a| a["diagnostics"][0]["code"] == "KM0004")
        .unwrap_or_else(|| panic!("{actions:?}"));
    assert_eq!(insert["kind"], "quickfix");
    assert_eq!(insert["isPreferred"], true);
    assert_eq!(insert["diagnostics"][0], missing);
    let edits = insert["edit"]["documentChanges"][0]["edits"]
        .as_array()
        .unwrap();
    let fixed = apply_edits(text, edits);
    assert!(fixed.contains("{ X uint8; }"), "{fixed}");
    // Nothing on the line of an error without a fix.
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": doc(), "range": {"start": {"line": 2, "character": 20}, "end": {"line": 2, "character": 27}}, "context": {"diagnostics": []}}),
    );
    assert_eq!(actions, json!([]));
    // Only refactorings asked for: none.
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": doc(), "range": line, "context": {"diagnostics": [], "only": ["refactor"]}}),
    );
    assert_eq!(actions, json!([]));
}

#[test]
fn layout_extension() {
    let (mut client, _) = session(VALID);
    let expected = to_json(&analyze(VALID, &AnalysisOptions::default()).schema);
    let mut whole = client.request("karmem/layout", json!({"textDocument": doc()}));
    assert_eq!(whole["complete"], true);
    whole.as_object_mut().unwrap().remove("complete");
    assert_eq!(whole, expected);

    let inside_shape = position_of(VALID, "Origin Point", 0, 2, false);
    let one = client.request(
        "karmem/layout",
        json!({"textDocument": doc(), "position": inside_shape}),
    );
    assert_eq!(
        one,
        json!({"struct": expected["structs"][1], "complete": true})
    );
    // Outside any struct: the whole file.
    let outside = client.request(
        "karmem/layout",
        json!({"textDocument": doc(), "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(outside["structs"], expected["structs"]);

    // With errors: what is known, `complete: false`, unknown numbers null.
    let text = broken();
    change(
        &mut client,
        2,
        json!({"start": {"line": 0, "character": 0}, "end": position(VALID, VALID.len(), false)}),
        &text,
    );
    client.wait_diagnostics(URI, 2);
    let report = client.request("karmem/layout", json!({"textDocument": doc()}));
    assert_eq!(report["complete"], false);
    assert_eq!(
        report["structs"][0], expected["structs"][0],
        "Point is unaffected"
    );
    let broken_struct = &report["structs"][2];
    assert_eq!(broken_struct["name"], "Broken");
    assert!(broken_struct["size"].is_null(), "{broken_struct}");
    assert!(
        broken_struct["fields"][0]["offset"].is_null(),
        "{broken_struct}"
    );
    let one = client.request(
        "karmem/layout",
        json!({"textDocument": doc(), "position": position_of(&text, "Z Unknown", 0, 0, false)}),
    );
    assert_eq!(one["complete"], false);
    assert_eq!(one["struct"]["name"], "Broken");
}
