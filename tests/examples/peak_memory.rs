//! Peak memory and wall time of analysing the 2.2 MB benchmark schema (16 000 declarations).
//!
//! Run in release: `cargo run --release -p karmem-tests --example peak_memory [DECLS] [--once]`
//! (`--once` skips the per-phase timing breakdown, e.g. for running under a heap profiler).
//! Peak memory is the process's `VmHWM` (peak resident set) from `/proc/self/status`, read
//! before and after the analysis; the difference is what the analysis added on top of the
//! generated text.

use std::time::Instant;

use karmem_syntax::{analyze, lexer, parser, AnalysisOptions};
use karmem_tests::gen::large_schema;

/// `VmHWM` (peak resident set size) in KiB, if the platform has `/proc`.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn mib(kib: Option<u64>) -> String {
    match kib {
        Some(k) => format!("{:.1} MiB", k as f64 / 1024.0),
        None => "n/a".to_string(),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let once = args.iter().any(|a| a == "--once");
    let decls: usize = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(|a| a.parse().expect("DECLS must be a number"))
        .unwrap_or(16_000);
    let text = large_schema(decls, 1);
    let before = peak_rss_kib();

    let start = Instant::now();
    let analysis = analyze(&text, &AnalysisOptions::default());
    let elapsed = start.elapsed();
    let after = peak_rss_kib();

    let errors = analysis.diagnostics.iter().filter(|d| d.is_error()).count();
    println!("declarations:     {decls}");
    println!(
        "text size:        {} bytes ({:.2} MB)",
        text.len(),
        text.len() as f64 / 1e6
    );
    println!("tokens:           {}", analysis.tokens.len());
    println!(
        "diagnostics:      {} ({errors} errors)",
        analysis.diagnostics.len()
    );
    println!("analysis time:    {:.1} ms", elapsed.as_secs_f64() * 1e3);
    println!(
        "throughput:       {:.1} MB/s",
        text.len() as f64 / 1e6 / elapsed.as_secs_f64()
    );
    println!("peak RSS before:  {}", mib(before));
    println!("peak RSS after:   {}", mib(after));
    if let (Some(b), Some(a)) = (before, after) {
        println!("analysis delta:   {}", mib(Some(a - b)));
    }
    drop(analysis);
    if once {
        return;
    }

    // Where the time goes: each phase on its own (median of 5 runs).
    let median = |f: &mut dyn FnMut()| {
        let mut runs: Vec<f64> = (0..5)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        runs.sort_by(f64::total_cmp);
        runs[2]
    };
    let tokens = lexer::lex(&text);
    let parsed = parser::parse(&text, &tokens);
    let lex_ms = median(&mut || {
        std::hint::black_box(lexer::lex(&text));
    });
    let parse_ms = median(&mut || {
        std::hint::black_box(parser::parse(&text, &tokens));
    });
    let validate_ms = median(&mut || {
        let mut diagnostics = Vec::new();
        std::hint::black_box(karmem_syntax::validate::build_model(
            &text,
            &tokens,
            &parsed.file,
            &AnalysisOptions::default(),
            &mut diagnostics,
        ));
    });
    let total_ms = median(&mut || {
        std::hint::black_box(analyze(&text, &AnalysisOptions::default()));
    });
    println!("breakdown (median of 5):");
    println!("  lex:            {lex_ms:.1} ms");
    println!("  parse:          {parse_ms:.1} ms");
    println!("  validate+model: {validate_ms:.1} ms");
    println!("  analyze total:  {total_ms:.1} ms");
}
