//! A few thousand random incremental edits, sent as fast as the pipe takes them, around
//! multi-byte characters and surrogate pairs, CRLF line endings and tabs, with positions in
//! UTF-16 (and, in a shorter run, UTF-8). The client keeps the expected text; the server's
//! view is checked against `analyze(expected)` through what it reports: diagnostics (every
//! range, code and message), document symbols, semantic tokens, the layout report and
//! hovers. Diagnostics must arrive for the final version, versions must never go back,
//! and the server must still answer afterwards.

use karmem_syntax::{analyze, ide, AnalysisOptions};
use karmem_tests::gen::{random_schema, Rng};
use karmem_tests::lsp_client::{at, position, LspClient};
use serde_json::{json, Value};

const URI: &str = "file:///virtual/random.km";

/// Pieces of inserted text: ASCII, 2-, 3- and 4-byte characters, line breaks, tabs and
/// schema punctuation.
const PIECES: &[&str] = &[
    "a",
    "Z",
    "X",
    " ",
    "  ",
    ";",
    "{",
    "}",
    "\n",
    "\r\n",
    "\t",
    "é",
    "ü",
    "天",
    "😀",
    "🦀",
    "@",
    "`",
    "[",
    "]",
    "<",
    "8",
    "uint8",
    "struct ",
    "inline",
    "table",
    "enum ",
    "// c\n",
    "/// d\n",
    " Field uint16;",
    "\u{FEFF}",
];

fn boundary_at_or_before(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// One random edit of `text`: (start, end, new text), on character boundaries.
fn random_edit(rng: &mut Rng, text: &str) -> (usize, usize, String) {
    let start = boundary_at_or_before(text, rng.below(text.len() as u64 + 1) as usize);
    // Shrink a text that grew too much; otherwise mostly small replacements.
    let max_delete = if text.len() > 3000 { 200 } else { 12 };
    let end = boundary_at_or_before(text, start + rng.below(max_delete) as usize).max(start);
    let mut insert = String::new();
    let pieces = if text.len() > 3000 { 1 } else { rng.below(4) };
    for _ in 0..pieces {
        insert.push_str(rng.pick(PIECES));
    }
    (start, end, insert)
}

fn expected_diagnostics(text: &str, utf8: bool) -> Vec<Value> {
    analyze(text, &AnalysisOptions::default())
        .diagnostics
        .iter()
        .map(|d| {
            json!({
                "range": {"start": position(text, d.span.start, utf8), "end": position(text, d.span.end, utf8)},
                "code": d.code.as_str(),
                "message": d.message,
            })
        })
        .collect()
}

fn strip(diagnostics: &[Value]) -> Vec<Value> {
    diagnostics
        .iter()
        .map(|d| json!({"range": d["range"], "code": d["code"], "message": d["message"]}))
        .collect()
}

fn expected_symbols(text: &str, symbols: &[ide::Symbol], utf8: bool) -> Vec<Value> {
    symbols
        .iter()
        .map(|s| {
            json!({
                "name": s.name,
                "selectionRange": {"start": position(text, s.name_span.start, utf8), "end": position(text, s.name_span.end, utf8)},
                "children": expected_symbols(text, &s.children, utf8),
            })
        })
        .collect()
}

fn strip_symbols(symbols: &Value) -> Vec<Value> {
    symbols
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            json!({
                "name": s["name"],
                "selectionRange": s["selectionRange"],
                "children": strip_symbols(&s["children"]),
            })
        })
        .collect()
}

/// Absolute (line, start, length, type, modifiers) of the expected semantic tokens.
fn expected_tokens(text: &str, utf8: bool) -> Vec<[u64; 5]> {
    let analysis = analyze(text, &AnalysisOptions::default());
    ide::semantic_tokens(&analysis)
        .iter()
        .map(|t| {
            let start = position(text, t.span.start, utf8);
            let end = position(text, t.span.end, utf8);
            let col = start["character"].as_u64().unwrap();
            [
                start["line"].as_u64().unwrap(),
                col,
                end["character"].as_u64().unwrap() - col,
                t.kind as u64,
                t.modifiers as u64,
            ]
        })
        .collect()
}

fn decode(data: &Value) -> Vec<[u64; 5]> {
    let data: Vec<u64> = data
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let (mut line, mut col) = (0, 0);
    data.chunks(5)
        .map(|t| {
            if t[0] > 0 {
                line += t[0];
                col = t[1];
            } else {
                col += t[1];
            }
            [line, col, t[2], t[3], t[4]]
        })
        .collect()
}

/// Compares everything the server reports about the document with `analyze(expected)`.
fn check_server_view(
    client: &mut LspClient,
    expected: &str,
    version: i64,
    utf8: bool,
    rng: &mut Rng,
) {
    let diagnostics = client.wait_diagnostics(URI, version);
    assert_eq!(
        strip(&diagnostics),
        expected_diagnostics(expected, utf8),
        "diagnostics of version {version} for {expected:?}"
    );
    check_requests(client, expected, utf8, rng);
}

fn check_requests(client: &mut LspClient, expected: &str, utf8: bool, rng: &mut Rng) {
    let analysis = analyze(expected, &AnalysisOptions::default());
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": URI}}),
    );
    assert_eq!(
        strip_symbols(&symbols),
        expected_symbols(expected, &ide::document_symbols(&analysis), utf8),
        "symbols of {expected:?}"
    );
    let tokens = client.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": URI}}),
    );
    assert_eq!(
        decode(&tokens["data"]),
        expected_tokens(expected, utf8),
        "tokens of {expected:?}"
    );
    let layout = client.request("karmem/layout", json!({"textDocument": {"uri": URI}}));
    assert_eq!(layout["complete"], !analysis.has_errors());
    let names: Vec<&str> = analysis
        .schema
        .structs
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    let mut reported: Vec<&str> = layout["structs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    reported.sort();
    assert_eq!(reported, sorted);
    // Hovers at random character boundaries.
    for _ in 0..20 {
        let offset = boundary_at_or_before(expected, rng.below(expected.len() as u64 + 1) as usize);
        let hover = client.request(
            "textDocument/hover",
            at(URI, position(expected, offset, utf8)),
        );
        match ide::hover(&analysis, offset) {
            None => assert!(
                hover.is_null(),
                "hover at {offset} of {expected:?}: {hover}"
            ),
            Some(h) => {
                assert_eq!(hover["contents"]["value"], h.markdown);
                assert_eq!(
                    hover["range"],
                    json!({"start": position(expected, h.span.start, utf8), "end": position(expected, h.span.end, utf8)})
                );
            }
        }
    }
}

fn run(seed: u64, edits: usize, utf8: bool) {
    let mut rng = Rng::new(seed);
    let mut text = random_schema(seed);
    text.insert_str(text.find('\n').map_or(0, |i| i + 1), "// é天😀 🦀\n");
    let mut client = LspClient::spawn();
    client.initialize(utf8, json!({}));
    client.open(URI, 1, &text);
    let mut version = 1;
    let mut sent = 0;
    while sent < edits {
        // One notification carries 1-3 changes, each relative to the text before it.
        let n = 1 + rng.below(3) as usize;
        let mut changes = Vec::new();
        for _ in 0..n {
            let (start, end, insert) = random_edit(&mut rng, &text);
            changes.push(json!({
                "range": {"start": position(&text, start, utf8), "end": position(&text, end, utf8)},
                "text": insert,
            }));
            text.replace_range(start..end, &insert);
        }
        sent += n;
        version += 1;
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": changes}),
        );
        // Now and then, check the intermediate state (without pausing the flood long).
        if rng.chance(1) {
            check_server_view(&mut client, &text, version, utf8, &mut rng);
        }
    }
    check_server_view(&mut client, &text, version, utf8, &mut rng);

    // Published versions never go back, and the last one is the final version.
    client.drain_notifications(
        "textDocument/publishDiagnostics",
        std::time::Duration::from_millis(200),
    );
    let versions: Vec<i64> = client
        .published
        .iter()
        .filter(|p| p["uri"] == URI)
        .filter_map(|p| p["version"].as_i64())
        .collect();
    assert!(
        versions.windows(2).all(|w| w[0] <= w[1]),
        "versions went back: {versions:?}"
    );
    if let Some(&last) = versions.last() {
        assert_eq!(last, version);
    }
    // Still answering, and a stale (old-version) change is ignored.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 1}, "contentChanges": [{"text": "garbage"}]}),
    );
    let response = client.request_raw(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": URI}}),
    );
    assert!(response.get("error").is_none(), "{response}");
    check_requests(&mut client, &text, utf8, &mut rng);
    assert!(
        client
            .try_wait_notification(
                "textDocument/publishDiagnostics",
                &|_| true,
                std::time::Duration::from_millis(100)
            )
            .is_none(),
        "the stale change was dropped: nothing new to publish"
    );
    eprintln!(
        "{sent} edits in {} notifications; {} diagnostics publications",
        version - 1,
        versions.len()
    );
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

#[test]
fn random_incremental_edits_utf16() {
    run(0x5eed_0001, 2500, false);
}

#[test]
fn random_incremental_edits_utf8() {
    run(0x5eed_0002, 1000, true);
}
