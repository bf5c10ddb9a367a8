//! Inputs found by the fuzzer (`fuzz/`, target `analyze`), kept as regression tests.
//!
//! Each input goes through the same checks as the fuzz target: `analyze` does not panic,
//! the tokens cover the text, every span lies inside the text on character boundaries, and a
//! schema without errors formats to a schema without errors.

use karmem_syntax::fmt::{format, Style};
use karmem_syntax::{analyze, AnalysisOptions, Span};

fn check_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what} span {span:?} outside the text (len {})",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what} span {span:?} is not on character boundaries in {text:?}"
    );
}

fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let analysis = analyze(text, &AnalysisOptions::default());
    let covered: usize = analysis.tokens.iter().map(|t| t.span.len()).sum();
    assert_eq!(covered, text.len(), "tokens must cover the text");
    for d in &analysis.diagnostics {
        check_span(text, d.span, &format!("{:?} diagnostic", d.code));
        for related in &d.related {
            check_span(text, related.span, "related");
        }
        if let Some(fix) = &d.fix {
            for edit in &fix.edits {
                check_span(text, edit.span, "fix edit");
            }
        }
    }
    if !analysis.has_errors() {
        let ours = format(&analysis, Style::Ours).expect("formats");
        assert!(
            !analyze(&ours, &AnalysisOptions::default()).has_errors(),
            "{ours}"
        );
    }
}

/// A line break that is not `\n` inside a field, an enum value or a declaration head is
/// reported with a one-byte span, which cut multi-byte breaks (U+00A0 is 2 bytes, U+3000
/// is 3) in the middle (found by the fuzzer; `Validator::check_one_line`).
#[test]
fn multi_byte_line_break_inside_a_field() {
    check(b"karmem a;\nstruct A inline {\n    X\xc2\xa0uint8;\n}\n");
    check("karmem a;\nstruct A inline {\n    X\u{3000}uint8;\n}\n".as_bytes());
    check("karmem a;\nenum E uint8 {\n    A\u{a0}= 0;\n}\n".as_bytes());
    check("karmem a;\nstruct\u{a0}S inline { X uint8; }\n".as_bytes());
}

/// The fuzzer's original input for the case above (crash-d15f3efa…).
#[test]
fn fuzz_crash_d15f3efa() {
    let data: &[u8] =
        b"kakarmemrmem km4e[<234]uint16;\x0a}\x0a\x0astru=ct@packed(fals)ee {\x0a    YYX\x09\
          \xc2\xc2\xc2\xc2\xc2\xc2\xc2\xc2\xc2\xc2\xc2\xc2\xc2\xa0nt16;\x01\x00\x00f GnMN///nEmUH    \
          uint32;\x0a y with spaces`)\x0a\x0astruct C table @id(1hnt7187319mGkk`ZeMh    []bool;\x0a    \
          T5p1613170731973) {\x0a    A\xc2\xc2\xa0nt16;\x01\x00\x00f GnMN///nEmUH    uint32;\x0a y with \
          spaces`)\x0a\x0aDJ; Gk4ar";
    assert_eq!(data.len(), 277);
    check(data);
}
