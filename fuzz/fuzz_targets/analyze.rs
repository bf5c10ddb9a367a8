//! Fuzz target: any bytes → `analyze` must not panic, and its documented invariants hold.
//!
//! * Tokens cover the text exactly; every diagnostic span (and fix edit) lies inside the
//!   text on character boundaries.
//! * A schema without errors formats in both styles; the `Ours` output (and the `Upstream`
//!   output) analyses again without errors, and formatting is idempotent.
//! * `LineIndex` round-trips offsets ↔ positions in all three encodings.

#![no_main]

use karmem_syntax::fmt::{format, Style};
use karmem_syntax::line_index::{Encoding, LineIndex};
use karmem_syntax::{analyze, Analysis, AnalysisOptions, Span};
use libfuzzer_sys::fuzz_target;

fn check_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what} span {span:?} outside the text (len {})",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what} span {span:?} not on char boundaries"
    );
}

fn check_analysis(text: &str, analysis: &Analysis) {
    let mut at = 0;
    for token in &analysis.tokens {
        assert_eq!(token.span.start, at, "tokens must be contiguous");
        at = token.span.end;
    }
    assert_eq!(at, text.len(), "tokens must cover the text");
    for d in &analysis.diagnostics {
        check_span(text, d.span, "diagnostic");
        for related in &d.related {
            check_span(text, related.span, "related");
        }
        if let Some(fix) = &d.fix {
            for edit in &fix.edits {
                check_span(text, edit.span, "fix edit");
            }
        }
    }
}

fn check_line_index(text: &str, analysis: &Analysis) {
    let index = LineIndex::new(text);
    let mut offsets = vec![0, text.len() / 3, text.len() / 2, text.len()];
    offsets.extend(
        analysis
            .diagnostics
            .iter()
            .take(4)
            .flat_map(|d| [d.span.start, d.span.end]),
    );
    offsets.push(text.len() + 5); // clamped
    for offset in offsets {
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let pos = index.line_col(offset, encoding);
            let back = index
                .offset(pos, encoding)
                .expect("line_col gives an existing line");
            let mut expected = offset.min(text.len());
            while !text.is_char_boundary(expected) {
                expected -= 1;
            }
            assert_eq!(
                back, expected,
                "offset {offset} → {pos:?} → {back} ({encoding:?})"
            );
        }
    }
    let _ = index.range(Span::new(0, text.len()), Encoding::Utf16);
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let analysis = analyze(text, &AnalysisOptions::default());
    check_analysis(text, &analysis);
    check_line_index(text, &analysis);
    if text.contains("//") {
        let strict = analyze(
            text,
            &AnalysisOptions {
                upstream_compatible: true,
            },
        );
        check_analysis(text, &strict);
    }
    if analysis.has_errors() {
        return;
    }
    let ours = format(&analysis, Style::Ours).expect("a schema without errors formats (Ours)");
    let upstream =
        format(&analysis, Style::Upstream).expect("a schema without errors formats (Upstream)");
    let again = analyze(&ours, &AnalysisOptions::default());
    let errors: Vec<_> = again.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(
        errors.is_empty(),
        "Ours output has errors: {errors:?}\n--- output ---\n{ours}"
    );
    let twice = format(&again, Style::Ours).expect("formatted output formats");
    assert_eq!(twice, ours, "Ours formatting is not idempotent");
    let up_again = analyze(&upstream, &AnalysisOptions::default());
    let errors: Vec<_> = up_again
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(
        errors.is_empty(),
        "Upstream output has errors: {errors:?}\n--- output ---\n{upstream}"
    );
});
