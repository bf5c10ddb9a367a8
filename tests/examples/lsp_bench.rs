//! Latency and memory of the language server, driven as a process over stdio.
//!
//! Run in release: `bench/lsp.sh` (or `cargo run --release -p karmem-tests --example
//! lsp_bench [ITERATIONS]`). For a ~100 KB and a 2.2 MB generated schema
//! (`gen::large_schema` with 700 and 16 000 declarations) it measures:
//!
//! * `didChange → publishDiagnostics`: a one-character edit in the middle of the file, then
//!   the time until the diagnostics of that version arrive (one edit at a time);
//! * `hover`: the round trip of a hover request on a field, once the analysis is cached;
//! * `hover after edit`: a hover sent right after an edit (it waits for the analysis);
//! * the server's `VmRSS` and `VmHWM` (peak) from `/proc/<pid>/status` with the file open:
//!   right after opening it, and at the end (after all the edits and hovers).
//!
//! `LSP_BENCH_TRACE=1` prints the latency and memory after every edit on stderr.
//!
//! It also times `analyze` in this process on the same text, the floor of the first
//! latency.

use std::time::{Duration, Instant};

use karmem_syntax::{analyze, AnalysisOptions};
use karmem_tests::gen::large_schema;
use karmem_tests::lsp_client::{at, position, LspClient};
use serde_json::json;

const URI: &str = "file:///bench/large.km";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn status_kib(pid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or("n/a".to_string(), |k| {
        format!("{:.1} MiB", k as f64 / 1024.0)
    })
}

struct Row {
    label: String,
    bytes: usize,
    analyze: Duration,
    open: Duration,
    change: Vec<Duration>,
    hover: Vec<Duration>,
    hover_after_edit: Vec<Duration>,
    rss_open: Option<u64>,
    hwm_open: Option<u64>,
    rss: Option<u64>,
    hwm: Option<u64>,
}

fn bench(decls: usize, iterations: usize) -> Row {
    let text = large_schema(decls, 1);
    let start = Instant::now();
    let analysis = analyze(&text, &AnalysisOptions::default());
    let analyze_time = start.elapsed();
    drop(analysis);

    let mut client = LspClient::spawn_with(&["--stdio", "--log-level", "warn"], &[]);
    client.initialize(false, json!({}));
    let start = Instant::now();
    client.open(URI, 1, &text);
    client.wait_diagnostics(URI, 1);
    let open = start.elapsed();
    std::thread::sleep(Duration::from_millis(200));
    let rss_open = status_kib(client.pid(), "VmRSS:");
    let hwm_open = status_kib(client.pid(), "VmHWM:");
    let trace = std::env::var_os("LSP_BENCH_TRACE").is_some();

    // The edit point: the name of a field in the middle of the file.
    let field = text[text.len() / 2..]
        .find("\n    ")
        .map(|i| text.len() / 2 + i + 5)
        .expect("a field line");
    let edit_pos = position(&text, field, false);
    let hover_pos = position(&text, field + 1, false);

    let mut version = 1;
    let mut change = Vec::with_capacity(iterations);
    for i in 0..iterations {
        version += 1;
        // Insert a letter into the field name, then take it out again.
        let (range, new_text) = if i % 2 == 0 {
            (json!({"start": edit_pos, "end": edit_pos}), "Q")
        } else {
            let mut end = edit_pos.clone();
            end["character"] = json!(end["character"].as_u64().unwrap() + 1);
            (json!({"start": edit_pos, "end": end}), "")
        };
        let start = Instant::now();
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": version},
                   "contentChanges": [{"range": range, "text": new_text}]}),
        );
        client.wait_diagnostics(URI, version);
        change.push(start.elapsed());
        if trace {
            eprintln!(
                "edit {i}: {:?} rss {} hwm {}",
                change[i],
                mib(status_kib(client.pid(), "VmRSS:")),
                mib(status_kib(client.pid(), "VmHWM:"))
            );
        }
    }
    // Back to the original text if the count was odd.
    if iterations % 2 == 1 {
        version += 1;
        let mut end = edit_pos.clone();
        end["character"] = json!(end["character"].as_u64().unwrap() + 1);
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": version},
                   "contentChanges": [{"range": {"start": edit_pos, "end": end}, "text": ""}]}),
        );
        client.wait_diagnostics(URI, version);
    }

    let mut hover = Vec::with_capacity(iterations);
    for _ in 0..iterations.max(50) {
        let start = Instant::now();
        let result = client.request("textDocument/hover", at(URI, hover_pos.clone()));
        hover.push(start.elapsed());
        assert!(!result.is_null(), "the hover position is on a field");
    }

    let mut hover_after_edit = Vec::new();
    for i in 0..(iterations / 2).max(5) {
        version += 1;
        let (range, new_text) = if i % 2 == 0 {
            (json!({"start": edit_pos, "end": edit_pos}), "Q")
        } else {
            let mut end = edit_pos.clone();
            end["character"] = json!(end["character"].as_u64().unwrap() + 1);
            (json!({"start": edit_pos, "end": end}), "")
        };
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": version},
                   "contentChanges": [{"range": range, "text": new_text}]}),
        );
        let start = Instant::now();
        client.request("textDocument/hover", at(URI, hover_pos.clone()));
        hover_after_edit.push(start.elapsed());
        client.wait_diagnostics(URI, version);
    }

    std::thread::sleep(Duration::from_millis(200));
    let rss = status_kib(client.pid(), "VmRSS:");
    let hwm = status_kib(client.pid(), "VmHWM:");
    let code = client.shutdown_and_exit().code();
    assert_eq!(code, Some(0));

    change.sort();
    hover.sort();
    hover_after_edit.sort();
    Row {
        label: format!("{decls} declarations"),
        bytes: text.len(),
        analyze: analyze_time,
        open,
        change,
        hover,
        hover_after_edit,
        rss_open,
        hwm_open,
        rss,
        hwm,
    }
}

fn main() {
    let iterations: Option<usize> = std::env::args().nth(1).and_then(|a| a.parse().ok());
    let rows = [
        bench(700, iterations.unwrap_or(200)),
        bench(16_000, iterations.unwrap_or(40)),
    ];
    println!("| schema | size | analyze (in process) | open → diagnostics | didChange → diagnostics p50 / p99 | hover p50 / p99 | hover after edit p50 | VmRSS / VmHWM after open | VmRSS / VmHWM at the end |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {:.1} KB | {} | {} | {} / {} | {} / {} | {} | {} / {} | {} / {} |",
            r.label,
            r.bytes as f64 / 1e3,
            ms(r.analyze),
            ms(r.open),
            ms(percentile(&r.change, 0.5)),
            ms(percentile(&r.change, 0.99)),
            ms(percentile(&r.hover, 0.5)),
            ms(percentile(&r.hover, 0.99)),
            ms(percentile(&r.hover_after_edit, 0.5)),
            mib(r.rss_open),
            mib(r.hwm_open),
            mib(r.rss),
            mib(r.hwm),
        );
    }
    println!(
        "\n({} / {} didChange samples, {} / {} hover samples)",
        rows[0].change.len(),
        rows[1].change.len(),
        rows[0].hover.len(),
        rows[1].hover.len()
    );
}
