//! Properties of the formatter over the corpus and over random schemas (proptest):
//! formatting is idempotent, keeps the semantic model (same layout JSON), and keeps every
//! comment exactly once, in order.

use std::path::Path;

use karmem_syntax::fmt::{format, Style};
use karmem_syntax::lexer::TokenKind;
use karmem_syntax::{analyze, layout_json, Analysis, AnalysisOptions};
use proptest::prelude::*;

fn analyze_text(text: &str) -> Analysis {
    analyze(text, &AnalysisOptions::default())
}

fn comments(analysis: &Analysis) -> Vec<String> {
    analysis
        .tokens
        .iter()
        .filter(|t| t.kind.is_comment())
        .map(|t| analysis.text[t.span.range()].trim_end().to_string())
        .collect()
}

/// Checks every property on one error-free schema; returns a description of the first
/// violation.
fn check(text: &str) -> Result<(), String> {
    let before = analyze_text(text);
    if before.has_errors() {
        return Err(format!("input has errors: {:?}", before.diagnostics));
    }
    let once = format(&before, Style::Ours).map_err(|e| e.to_string())?;
    let after = analyze_text(&once);
    if after.has_errors() {
        return Err(format!(
            "formatted text has errors: {:?}\n{once}",
            after.diagnostics
        ));
    }
    if layout_json::to_json(&before.schema) != layout_json::to_json(&after.schema) {
        return Err(format!("formatting changed the model:\n{once}"));
    }
    if comments(&before) != comments(&after) {
        return Err(format!("formatting lost or moved comments:\n{once}"));
    }
    let twice = format(&after, Style::Ours).map_err(|e| e.to_string())?;
    if twice != once {
        return Err(format!(
            "not idempotent:\n--- once\n{once}\n--- twice\n{twice}"
        ));
    }
    // The upstream style is idempotent too and keeps the layout (ids pinned by `@id`).
    let upstream = format(&before, Style::Upstream).map_err(|e| e.to_string())?;
    let upstream_after = analyze_text(&upstream);
    let again = format(&upstream_after, Style::Upstream).map_err(|e| e.to_string())?;
    if again != upstream {
        return Err(format!("upstream style not idempotent:\n{upstream}"));
    }
    Ok(())
}

/// Puts a comment above every line and at the end of every line that ends an item.
fn with_comments(text: &str, seed: u64) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if (i as u64 + seed) % 3 == 0 {
            out.push_str(&format!("/// doc {i}\n"));
        }
        out.push_str(line);
        if (line.ends_with(';') || line.ends_with('{') || line.ends_with('}'))
            && (i as u64 + seed) % 2 == 0
        {
            out.push_str(&format!(" // note {i}"));
        }
        out.push('\n');
    }
    out
}

#[test]
fn corpus_formatting_properties() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    if !root.is_dir() {
        println!("skipped: ../shared not present");
        return;
    }
    let mut checked = 0;
    for dir in ["generated", "upstream"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
            if path.extension().is_none_or(|e| e != "km") || !path.with_extension("json").exists() {
                continue;
            }
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            if analyze_text(&text).has_errors() {
                continue; // rejected by policy; the corpus test covers it
            }
            for variant in [
                text.clone(),
                with_comments(&text, 0),
                with_comments(&text, 1),
            ] {
                if let Err(problem) = check(&variant) {
                    panic!("{}: {problem}", path.display());
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} corpus schemas checked");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_schemas_format_well(seed in any::<u64>(), comment_seed in 0u64..4) {
        let text = karmem_tests::gen::random_schema(seed);
        let text = if comment_seed == 0 { text } else { with_comments(&text, comment_seed) };
        if let Err(problem) = check(&text) {
            prop_assert!(false, "{problem}\n--- input\n{text}");
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "(karmem a;|struct|enum|inline|table|[A-Za-z]{1,3}|[0-9]{1,3}|[ \\t\\n{}\\[\\]<>();=@`/]|\u{00e9}|\u{1F600}){0,60}") {
        let analysis = analyze_text(&text);
        // Tokens cover the text exactly.
        let covered: usize = analysis.tokens.iter().map(|t| t.span.len()).sum();
        prop_assert_eq!(covered, text.len());
        if !analysis.has_errors() {
            let _ = format(&analysis, Style::Ours);
        }
    }
}

#[test]
fn comment_tokens_are_comments() {
    let analysis = analyze_text("karmem a; // c\n/// d\nstruct A inline { X uint8; }\n");
    let kinds: Vec<TokenKind> = analysis
        .tokens
        .iter()
        .filter(|t| t.kind.is_comment())
        .map(|t| t.kind)
        .collect();
    assert_eq!(kinds, [TokenKind::LineComment, TokenKind::DocComment]);
}
