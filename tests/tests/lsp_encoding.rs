//! Position encodings: UTF-16 (the default) and UTF-8 (when the client offers it), with
//! columns after non-ASCII text and surrogate pairs, tabs, CRLF line endings and a BOM, in
//! both directions (positions the server reports, and edits and requests it receives).
//!
//! Expected columns are written out by hand here, not computed with the server's code.

use karmem_tests::lsp_client::{at, LspClient};
use serde_json::{json, Value};

const URI: &str = "file:///virtual/encoding.km";

/// `é😀ü` is 3 characters, 4 UTF-16 units, 8 UTF-8 bytes.
const WIDE: &str =
    "karmem demo;\n\nstruct Point inline @note(`é😀ü`) { X float32; Y Unknown; }\n\tstruct Q inline { A\tuint8; }\n";

fn session(utf8: bool, text: &str) -> (LspClient, Vec<Value>) {
    let mut client = LspClient::spawn();
    let result = client.initialize(utf8, json!({}));
    let expected = if utf8 { "utf-8" } else { "utf-16" };
    assert_eq!(result["capabilities"]["positionEncoding"], expected);
    client.open(URI, 1, text);
    let diagnostics = client.wait_diagnostics(URI, 1);
    (client, diagnostics)
}

fn range(line: u32, start: u32, end: u32) -> Value {
    json!({"start": {"line": line, "character": start}, "end": {"line": line, "character": end}})
}

fn pos(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

fn find<'a>(diagnostics: &'a [Value], code: &str) -> &'a Value {
    diagnostics
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {diagnostics:?}"))
}

#[test]
fn utf16_columns_after_non_ascii_text() {
    let (mut client, diagnostics) = session(false, WIDE);
    // "struct Point inline @note(`" is 27 units, "é😀ü" 4, "`) { X float32; Y " 18.
    assert_eq!(find(&diagnostics, "KM0200")["range"], range(2, 49, 56));
    // A tab is one column.
    assert_eq!(find(&diagnostics, "KM2001")["range"], range(3, 8, 9));
    let hover = client.request("textDocument/hover", at(URI, pos(2, 47)));
    assert_eq!(hover["range"], range(2, 47, 48), "hover on Y");
    let hover = client.request("textDocument/hover", at(URI, pos(2, 36)));
    assert_eq!(hover["range"], range(2, 36, 37), "hover on X");
    assert!(hover["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("float32"));
    // Inside the surrogate pair (the emoji spans columns 28-29): answered, no error.
    let response = client.request_raw("textDocument/hover", at(URI, pos(2, 29)));
    assert!(response.get("error").is_none(), "{response}");
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": URI}}),
    );
    let q = &symbols[2];
    assert_eq!(q["name"], "Q");
    assert_eq!(q["selectionRange"], range(3, 8, 9));
}

#[test]
fn utf8_columns_when_the_client_offers_utf8() {
    let (mut client, diagnostics) = session(true, WIDE);
    // The same positions in bytes: "é😀ü" is 8 bytes.
    assert_eq!(find(&diagnostics, "KM0200")["range"], range(2, 53, 60));
    assert_eq!(find(&diagnostics, "KM2001")["range"], range(3, 8, 9));
    let hover = client.request("textDocument/hover", at(URI, pos(2, 51)));
    assert_eq!(hover["range"], range(2, 51, 52), "hover on Y");
    let hover = client.request("textDocument/hover", at(URI, pos(2, 40)));
    assert_eq!(hover["range"], range(2, 40, 41), "hover on X");
    // A byte inside a multi-byte character: answered, no error.
    let response = client.request_raw("textDocument/hover", at(URI, pos(2, 30)));
    assert!(response.get("error").is_none(), "{response}");
}

/// Edits arrive in the negotiated encoding too.
#[test]
fn incremental_edits_after_wide_characters_in_both_encodings() {
    let text = "karmem demo;\n\nstruct Point inline @note(`😀é`) { X float32; }\n";
    // `X float32;` ends at 27 + 3 + 15 = 45 UTF-16 units, 27 + 6 + 15 = 48 bytes.
    for (utf8, end_of_x) in [(false, 45), (true, 48)] {
        let (mut client, diagnostics) = session(utf8, text);
        assert!(
            diagnostics.iter().all(|d| d["severity"] != 1),
            "{diagnostics:?}"
        );
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [
                {"range": range(2, end_of_x, end_of_x), "text": " Y Nope;"},
            ]}),
        );
        let diagnostics = client.wait_diagnostics(URI, 2);
        let unknown = find(&diagnostics, "KM0200");
        assert_eq!(
            unknown["range"],
            range(2, end_of_x + 3, end_of_x + 7),
            "utf8: {utf8}"
        );
        // Replace the emoji itself (2 units / 4 bytes) with a plain letter: columns after
        // it shift by 1 unit / 3 bytes.
        let emoji_end = if utf8 { 31 } else { 29 };
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": 3}, "contentChanges": [
                {"range": range(2, 27, emoji_end), "text": "z"},
            ]}),
        );
        let diagnostics = client.wait_diagnostics(URI, 3);
        let shift = if utf8 { 3 } else { 1 };
        assert_eq!(
            find(&diagnostics, "KM0200")["range"],
            range(2, end_of_x + 3 - shift, end_of_x + 7 - shift),
            "utf8: {utf8}"
        );
    }
}

/// CRLF line endings, a byte-order mark and tabs.
#[test]
fn crlf_bom_and_tabs() {
    let text =
        "\u{FEFF}karmem demo;\r\nstruct Point inline {\r\n\tX float32;\r\n\tY Unknown;\r\n}\r\n";
    for utf8 in [false, true] {
        let (mut client, diagnostics) = session(utf8, text);
        // `\tY ` is 3 columns; the `\r` does not start a line.
        assert_eq!(find(&diagnostics, "KM0200")["range"], range(3, 3, 10));
        // The BOM is one UTF-16 unit, three bytes.
        let demo = if utf8 { 10 } else { 8 };
        let hover = client.request("textDocument/hover", at(URI, pos(0, demo + 1)));
        assert_eq!(hover["range"], range(0, demo, demo + 4), "utf8: {utf8}");
        let folds = client.request(
            "textDocument/foldingRange",
            json!({"textDocument": {"uri": URI}}),
        );
        assert_eq!(folds[0]["startLine"], 1);
        assert_eq!(folds[0]["endLine"], 4);
        // Delete the `;` after `X float32` (before the CR): a missing `;` at column 10.
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [
                {"range": range(2, 10, 11), "text": ""},
            ]}),
        );
        let diagnostics = client.wait_diagnostics(URI, 2);
        assert_eq!(find(&diagnostics, "KM0004")["range"], range(2, 10, 10));
        // The edit left the CRLF alone: the error on the next line is where it was.
        assert_eq!(find(&diagnostics, "KM0200")["range"], range(3, 3, 10));
        // Insert at the end of line 1 (before its CR).
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": 3}, "contentChanges": [
                {"range": range(1, 21, 21), "text": " Z Nope;"},
            ]}),
        );
        let diagnostics = client.wait_diagnostics(URI, 3);
        let unknown: Vec<&Value> = diagnostics
            .iter()
            .filter(|d| d["code"] == "KM0200")
            .collect();
        assert_eq!(unknown.len(), 2, "{diagnostics:?}");
        assert_eq!(unknown[0]["range"], range(1, 24, 28));
    }
}
